/* crbench compare: what changed between two runs beyond the noise, and whether a run stays within a bounds file. */
#include <getopt.h>
#include <math.h>

#include "commands.h"
#include "compare.h"
#include "junit.h"
#include "report.h"
#include "util.h"

static const char compare_usage[] =
	"usage: crbench compare [--bounds FILE] [--all] [--json] [--junit FILE] RUN_A RUN_B\n"
	"       crbench compare --bounds FILE [--json] [--junit FILE] RUN\n"
	"\n"
	"Compares two run directories metric by metric and guest by guest (guests\n"
	"matched by name): the mean of each, the change in percent, and the ratio\n"
	"B/A with its 95% interval (geometric means, log-scale Welch). A change is\n"
	"outside the noise when that interval excludes 1 (about 5% of unchanged\n"
	"cells are, by chance). Only those are listed, unless --all.\n"
	"\n"
	"Either side may be several runs of one plan, joined by commas (RUN,RUN,...):\n"
	"they are pooled as crbench report pools them, and the ratio's interval is\n"
	"then Welch's t over the runs' values, so that run-to-run variation counts.\n"
	"One run against a set (a night's run against the runs before it): its\n"
	"value against the set's, in the interval a new run of the set would fall\n"
	"in 95% of the time (docs/report.md, \"Pooling runs\").\n"
	"\n"
	"With --bounds, the mean of every metric named in FILE must lie within its\n"
	"bounds in RUN_B (or RUN). A bounds file has one bound a line:\n"
	"\n"
	"  # metric[@guest]         min     max      (- for an open end)\n"
	"  boot.httpd.first_200@runc 0.2     1.0\n"
	"  disk.block_out            900000 ±25%     (mid ± percent)\n"
	"\n"
	"Metric ids are those of report.json; docs/report.md lists them.\n"
	"\n"
	"Exits 0 when every bound holds (or there are none), 1 when a bound fails or a\n"
	"run or the bounds file cannot be read, 2 on usage errors.\n"
	"\n"
	"  --bounds FILE  check RUN_B (or RUN) against FILE\n"
	"  --all          list every metric, not only those outside the noise\n"
	"  --json         print one JSON object instead of lines\n"
	"  --junit FILE   also write JUnit XML for CI: a test case per compared cell\n"
	"                 (failed when outside the noise) and per bound (failed when\n"
	"                 out of bounds); docs/ci.md\n"
	"  -h, --help     show this help\n";

static const char *s_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static char *num_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return cr_report_num(json_is_number(v) ? json_number_value(v) : NAN);
}

static void print_metric(json_t *row)
{
	json_t *a = json_object_get(row, "a"), *b = json_object_get(row, "b");
	cleanup_free char *ma = num_of(a, "mean"), *mb = num_of(b, "mean"), *q = num_of(row, "ratio"), *lo = num_of(row, "ratio_low");
	cleanup_free char *hi = num_of(row, "ratio_high"), *ch = num_of(row, "change_percent");
	json_t *change = json_object_get(row, "change_percent");

	printf("%s@%s: %s -> %s %s (%s%s%%), B/A %s [%s, %s]: %s\n", s_of(row, "metric"), s_of(row, "guest"), ma, mb, s_of(row, "unit"),
	       json_is_number(change) && json_number_value(change) > 0 ? "+" : "", ch, q, lo, hi, s_of(row, "verdict"));
}

static size_t print_bounds(json_t *checks)
{
	size_t i, failed = 0;
	json_t *c;

	json_array_foreach(checks, i, c) {
		cleanup_free char *mean = num_of(c, "mean"), *min = num_of(c, "min"), *max = num_of(c, "max");
		bool ok = json_is_true(json_object_get(c, "ok"));

		failed += !ok;
		printf("%s line %lld: %s%s%s: mean %s, bounds [%s, %s]: %s\n", ok ? "ok" : "OUT OF BOUNDS",
		       (long long)json_integer_value(json_object_get(c, "line")), s_of(c, "metric"), *s_of(c, "guest") ? "@" : "",
		       s_of(c, "guest"), mean, json_is_null(json_object_get(c, "min")) ? "-inf" : min,
		       json_is_null(json_object_get(c, "max")) ? "inf" : max, s_of(c, "why"));
	}
	return failed;
}

int cmd_compare(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "bounds", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;
	cleanup_report struct cr_report *a = NULL, *b = NULL;
	struct cr_bounds bounds = { 0 };
	const char *bounds_path = NULL, *junit = NULL;
	bool all = false, json = false, out_of_bounds = false;
	json_t *doc, *row;
	size_t i;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bounds_path = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'J':
			junit = optarg;
			break;
		default:
			return option_default("compare", compare_usage, c, argv);
		}
	}
	if (argc - optind > 2)
		return usage_error("compare", "unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind < 2 && !(bounds_path && argc - optind == 1))
		return usage_error("compare", "expected RUN_A RUN_B, or --bounds FILE and one RUN");
	if (bounds_path && cr_bounds_load(bounds_path, &bounds, &err) < 0)
		return report_error(err);
	if ((argc - optind == 2 && cr_report_load_set(argv[optind], &a, &err) < 0) || cr_report_load_set(argv[argc - 1], &b, &err) < 0) {
		cr_bounds_release(&bounds);
		return report_error(err);
	}
	doc = cr_compare(a, b, bounds_path ? &bounds : NULL, &out_of_bounds);
	cr_bounds_release(&bounds);
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
		putchar('\n');
	} else {
		json_array_foreach(json_object_get(doc, "metrics"), i, row) {
			if (all || json_is_true(json_object_get(row, "outside_noise")))
				print_metric(row);
		}
		if (a)
			printf("%s -> %s: %lld of %zu metric cells changed outside the noise (95%% interval of B/A excludes 1)\n",
			       a->run_id, b->run_id, (long long)json_integer_value(json_object_get(doc, "changed_outside_noise")),
			       json_array_size(json_object_get(doc, "metrics")));
		if (bounds_path) {
			size_t n = json_array_size(json_object_get(doc, "bounds")), failed = print_bounds(json_object_get(doc, "bounds"));

			printf("%s: %zu of %zu bounds hold%s\n", b->run_id, n - failed, n, failed ? "; out of bounds" : "");
		}
	}
	if (junit && cr_junit_write_compare(doc, junit, &err) < 0) {
		json_decref(doc);
		return report_error(err);
	}
	json_decref(doc);
	return out_of_bounds ? EXIT_FAILURE : EXIT_SUCCESS;
}
