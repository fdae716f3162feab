/* crbench plan: validate a plan file and print it resolved, every key with its value. */
#include <getopt.h>
#include <jansson.h>

#include "commands.h"
#include "plan.h"
#include "util.h"

static const char plan_usage[] =
	"usage: crbench plan [--json] FILE\n"
	"\n"
	"Validates a plan file and prints it resolved: every key with the value the\n"
	"run will use, profile values filled in. The output is itself a valid plan.\n"
	"Errors name the file and line. The format is described in docs/plan.md.\n"
	"\n"
	"  --json       print the resolved plan as JSON\n"
	"  -h, --help   show this help\n";

int cmd_plan(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default:
			return option_default("plan", plan_usage, c, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error("plan", optind == argc ? "missing plan FILE" : "expected one plan FILE");

	if (cr_plan_load(argv[optind], &plan, &err) < 0)
		return report_error(err);
	if (json) {
		json_t *j = cr_plan_to_json(plan);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		cleanup_free char *text = cr_plan_dump(plan);

		printf("# %s: valid; every key with the value it resolves to\n%s", argv[optind], text);
	}
	return EXIT_SUCCESS;
}
