/* crbench harvest: read results disks back into directories, report what was kept, refused and verified. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <sys/stat.h>

#include "commands.h"
#include "display.h"
#include "harvest.h"
#include "util.h"

/* Nothing refused, nothing wrong, but some disk has no manifest: its agent did not finish. */
#define EXIT_INCOMPLETE 3

static const char harvest_usage[] =
	"usage: crbench harvest [--out DIR] [--json] DISK...\n"
	"\n"
	"Reads each results disk (the raw image a guest's agent wrote its results\n"
	"to, see docs/results-format.md) without booting anything, and writes its\n"
	"entries to DIR/<disk name without extension>/, which must not exist or be\n"
	"empty. The guest is not trusted: only regular files named\n"
	"crbench-results/<name> within the size limits are kept; everything else is\n"
	"refused and listed with the reason. Kept entries are checked against the\n"
	"disk's MANIFEST.json; a disk without one is incomplete and its entries are\n"
	"kept unverified.\n"
	"\n"
	"Exits 0 when every disk is verified, 1 when anything was refused, failed its\n"
	"checksum, or a disk could not be read, 3 when disks are only incomplete.\n"
	"\n"
	"  --out DIR    where to put the per-disk directories (default: .)\n"
	"  --json       print one JSON object instead of lines\n"
	"  -h, --help   show this help\n";

/* "runs/runc.img" -> "runc"; the whole base name when stripping would leave nothing. */
static char *disk_label(const char *disk)
{
	cleanup_free char *copy = xstrdup(disk);
	char *base = basename(copy), *dot = strrchr(base, '.');

	if (dot && dot != base)
		*dot = '\0';
	return xstrdup(base);
}

int cmd_harvest(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	const char *out_root = ".";
	json_t *disks = NULL;
	bool json = false, failed = false, incomplete = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_root = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return option_default("harvest", harvest_usage, c, argv);
		}
	}
	if (optind >= argc)
		return usage_error("harvest", "missing DISK");
	if (mkdir(out_root, 0755) < 0 && errno != EEXIST) {
		cleanup_error cr_error_t err = NULL;

		cr_error(&err, errno, "cannot create output directory '%s'", out_root);
		return report_error(err);
	}

	if (json)
		disks = json_array();
	for (int i = optind; i < argc; i++) {
		cleanup_error cr_error_t err = NULL;
		cleanup_free char *label = disk_label(argv[i]);
		cleanup_free char *out = xasprintf("%s/%s", out_root, label);
		struct cr_harvest_report r;
		int rc = cr_harvest_disk(argv[i], out, &r, &err);

		if (rc < 0)
			failed = true;
		else if (cr_harvest_status(&r) == CR_HARVEST_FAILED)
			failed = true;
		else if (cr_harvest_status(&r) == CR_HARVEST_INCOMPLETE)
			incomplete = true;
		if (json) {
			json_array_append_new(disks, cr_harvest_report_json(argv[i], out, &r, rc < 0 ? err->msg : NULL));
		} else {
			if (rc < 0)
				report_error(err);
			if (rc == 0 || r.n_entries || r.n_refused)
				harvest_print_report(argv[i], out, &r);
		}
		cr_harvest_report_release(&r);
	}
	if (json) {
		json_t *root = json_pack("{s:s, s:o}", "status",
					 failed	      ? "failed"
					 : incomplete ? "incomplete"
						      : "verified",
					 "disks", disks);

		json_dumpf(root, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(root);
	}
	return failed ? EXIT_FAILURE : incomplete ? EXIT_INCOMPLETE : EXIT_SUCCESS;
}
