/* crbench cache: what the cache holds, and pruning what has not been used for a while. */
#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#include "cache.h"
#include "commands.h"
#include "parse.h"
#include "paths.h"
#include "util.h"

#define DEFAULT_OLDER_THAN "30d"

static const char cache_usage[] =
	"usage: crbench cache [--cache-dir DIR] [--json]\n"
	"       crbench cache [--older-than AGE] [--dry-run] [--cache-dir DIR] [--json] --prune\n"
	"\n"
	"Lists what the cache holds: guest and container images, the Docker stores\n"
	"and the container images' disk, logs of failed builds, downloaded Kata\n"
	"tarballs and runs' temporary directories, each with its size on disk and\n"
	"when a build or run last used it.\n"
	"\n"
	"With --prune, removes the images, stores, images disks and build logs not\n"
	"used for AGE or more (default " DEFAULT_OLDER_THAN
	"; 0 removes every one), and what\n"
	"builds that died left. A later build or run makes again what it needs.\n"
	"Run directories (a run in progress, or results not yet harvested) and\n"
	"downloads are never removed. Refused while a run or build of this cache is\n"
	"in progress: its guests boot on the images.\n"
	"\n"
	"Exits 0 on success, 1 when the cache cannot be read or pruned, 2 on usage\n"
	"errors.\n"
	"\n"
	"  --prune           remove what has not been used for AGE\n"
	"  --older-than AGE  with --prune: 30d, 12h, 90m, 0 (default " DEFAULT_OLDER_THAN
	")\n"
	"  --dry-run         with --prune: say what would go, remove nothing\n"
	"  --cache-dir DIR   the cache (default: $CRBENCH_CACHE_DIR, else\n"
	"                    $XDG_CACHE_HOME/crbench, else /var/cache/crbench for root)\n"
	"  --json            print one JSON object instead of lines\n"
	"  -h, --help        show this help\n";

/* AGE: a duration (s, m, h) or whole days (30d). */
static int parse_age(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	uint64_t days;

	if (n > 1 && s[n - 1] == 'd') {
		cleanup_free char *num = xstrndup(s, n - 1);

		if (parse_u64(num, 0, 36500, &days) < 0)
			return -1;
		*out = days * 86400;
		return 0;
	}
	return parse_duration(s, 0, UINT64_MAX / 2, out);
}

static char *size_text(uint64_t bytes)
{
	if (bytes >= (1ULL << 30))
		return xasprintf("%.1f GiB", (double)bytes / (1ULL << 30));
	if (bytes >= (1ULL << 20))
		return xasprintf("%.1f MiB", (double)bytes / (1ULL << 20));
	return xasprintf("%.0f KiB", (double)bytes / 1024);
}

static char *age_text(time_t when, time_t now)
{
	double d = difftime(now, when);

	if (d < 3600)
		return xasprintf("%.0f min ago", d / 60);
	if (d < 2 * 86400)
		return xasprintf("%.0f h ago", d / 3600);
	return xasprintf("%.0f days ago", d / 86400);
}

static void print_list(const struct cr_cache *c)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < c->n; i++) {
		const struct cr_cache_entry *e = &c->e[i];
		cleanup_free char *size = size_text(e->bytes), *age = age_text(e->last_used, now);

		printf("%-56s %-22s %10s  used %s%s%s\n", e->path, cr_cache_kind_names[e->kind], size, age, e->pid ? " (in progress)" : "",
		       e->kept ? " (kept: results not harvested, or --keep)" : "");
	}
	{
		cleanup_free char *total = size_text(c->bytes);

		printf("%zu entries, %s in %s\n", c->n, total, c->dir);
	}
}

int cmd_cache(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "prune", no_argument, NULL, 'p' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *cache_dir = NULL;
	const char *dir_opt = NULL, *older_opt = NULL;
	bool prune = false, dry_run = false, json = false;
	uint64_t older_than;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prune = true;
			break;
		case 'o':
			older_opt = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'C':
			dir_opt = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return option_default("cache", cache_usage, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("cache", "unexpected argument '%s'", argv[optind]);
	if (!prune && (older_opt || dry_run))
		return usage_error("cache", "%s is for --prune", older_opt ? "--older-than" : "--dry-run");
	if (parse_age(older_opt ? older_opt : DEFAULT_OLDER_THAN, &older_than) < 0)
		return usage_error("cache",
				   "invalid value '%s' for --older-than: expected a number of days (30d), hours (12h), minutes (90m) "
				   "or seconds, or 0",
				   older_opt);
	cache_dir = cr_cache_dir(dir_opt);
	if (prune) {
		cleanup_strv char **removed = NULL;
		uint64_t freed;
		cleanup_free char *freed_text = NULL;

		if (cr_cache_prune(cache_dir, older_than, dry_run, &removed, &freed, &err) < 0)
			return report_error(err);
		if (json) {
			json_t *list = json_array();

			for (size_t i = 0; removed[i]; i++)
				json_array_append_new(list, json_string(removed[i]));
			json_t *doc = json_pack("{s:s, s:b, s:I, s:o, s:I}", "cache_dir", cache_dir, "dry_run", dry_run,
						"older_than_seconds", (json_int_t)older_than, "removed", list, "bytes", (json_int_t)freed);

			json_dumpf(doc, stdout, JSON_INDENT(2));
			putchar('\n');
			json_decref(doc);
			return EXIT_SUCCESS;
		}
		for (size_t i = 0; removed[i]; i++)
			printf("%s %s\n", dry_run ? "would remove" : "removed", removed[i]);
		freed_text = size_text(freed);
		printf("%s %zu entries, %s, in %s\n", dry_run ? "would free" : "freed", strv_len(removed), freed_text, cache_dir);
		return EXIT_SUCCESS;
	}
	{
		struct cr_cache list;

		if (cr_cache_list(cache_dir, &list, &err) < 0)
			return report_error(err);
		if (json) {
			json_t *doc = cr_cache_json(&list);

			json_dumpf(doc, stdout, JSON_INDENT(2));
			putchar('\n');
			json_decref(doc);
		} else {
			print_list(&list);
		}
		cr_cache_release(&list);
	}
	return EXIT_SUCCESS;
}
