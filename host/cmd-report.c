/* crbench report: turn a run directory into tables, figures and statistics a reviewer reads. */
#include <getopt.h>

#include "commands.h"
#include "report.h"
#include "util.h"

static const char report_usage[] =
	"usage: crbench report [--out DIR] RUN_DIR\n"
	"       crbench report --out DIR RUN_DIR RUN_DIR...\n"
	"\n"
	"Reads a run directory (results/<run id>/, docs/run-format.md) and writes its\n"
	"report into RUN_DIR/report/: report.md, report.html with the figures, one\n"
	"CSV per table, report.json with every statistic and sample, and the figures\n"
	"(gnuplot, SVG and PNG, with their scripts and data). Per metric and guest:\n"
	"n, median, mean, standard deviation, coefficient of variation, the\n"
	"geometric mean with its 95% interval (t on the logarithms), min and max,\n"
	"warm-ups excluded; the ratio of each guest to the runc guest with its 95%\n"
	"interval (log-scale Welch); the papers' numbers beside ours. A guest that did not run, a failed test or a cell a runtime cannot do\n"
	"is said in its cell and in the notes. Without gnuplot the figures are\n"
	"skipped, and said so. docs/report.md describes every table and statistic.\n"
	"\n"
	"Given several run directories of the same plan (from several hosts, days or\n"
	"boots), it pools them into one report in DIR: each cell's estimate is the\n"
	"geometric mean of the runs' own, its 95% interval t over the runs (the run is\n"
	"a level of variance), with the between-run share of the variance and each\n"
	"run's value beside it; ratios are paired by run. Runs of plans that differ\n"
	"in what they measure are refused, the difference named (docs/report.md,\n"
	"\"Pooling runs\").\n"
	"\n"
	"Exits 0 when the report is written (even of a partial run), 1 when the run\n"
	"directory cannot be read or the report cannot be written, 2 on usage errors.\n"
	"\n"
	"  --out DIR    write the report into DIR instead of RUN_DIR/report (needed\n"
	"               with several run directories)\n"
	"  -h, --help   show this help\n";

int cmd_report(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;
	cleanup_report struct cr_report *r = NULL;
	cleanup_strv char **warnings = NULL;
	cleanup_free char *out = NULL;
	const char *out_opt = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_opt = optarg;
			break;
		default:
			return option_default("report", report_usage, c, argv);
		}
	}
	if (optind >= argc)
		return usage_error("report", "missing RUN_DIR");
	if (optind + 1 < argc && !out_opt)
		return usage_error("report", "pooling %d runs needs --out DIR: the report belongs to none of them", argc - optind);
	out = out_opt ? xstrdup(out_opt) : xasprintf("%s/report", argv[optind]);
	if (cr_report_pool((const char *const *)argv + optind, (size_t)(argc - optind), &r, &err) < 0 ||
	    cr_report_write(r, out, &warnings, &err) < 0)
		return report_error(err);
	for (size_t i = 0; warnings && warnings[i]; i++)
		fprintf(stderr, "crbench report: %s\n", warnings[i]);
	for (size_t i = 0; r->notes && r->notes[i]; i++)
		fprintf(stderr, "crbench report: note: %s\n", r->notes[i]);
	printf("report of %s: %s/report.md, %s/report.html, %s/report.json\n", r->run_id, out, out, out);
	return EXIT_SUCCESS;
}
