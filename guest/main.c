/* crbench-agent: the static program systemd starts in each guest to run the suite. */
#include <getopt.h>

#include "error.h"
#include "plan.h"
#include "util.h"

extern const char crbench_version[];

static const char agent_usage[] =
	"usage: crbench-agent --plan FILE --guest NAME [--check]\n"
	"\n"
	"Runs the measurement suite of one guest of a crbench plan. The host tool\n"
	"starts it in each guest (see docs/); by hand it is useful with --check.\n"
	"\n"
	"  --plan FILE    the plan file the host put on the payload disk\n"
	"  --guest NAME   which [guest NAME] of the plan this guest is\n"
	"  --check        validate the plan and the guest name, then exit\n"
	"  -h, --help     show this help\n"
	"  -V, --version  show the version\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "guest", required_argument, NULL, 'g' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	const char *plan_path = NULL, *guest = NULL;
	bool check = false;
	int c;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			plan_path = optarg;
			break;
		case 'g':
			guest = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			fputs(agent_usage, stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("crbench-agent %s\n", crbench_version);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try 'crbench-agent --help'.\n");
			return 2;
		}
	}
	if (!plan_path || !guest) {
		fprintf(stderr, "crbench-agent: --plan and --guest are required\nTry 'crbench-agent --help'.\n");
		return 2;
	}
	if (cr_plan_load(plan_path, &plan, &err) < 0) {
		fprintf(stderr, "crbench-agent: %s\n", err->msg);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < plan->n_guests; i++) {
		if (strcmp(plan->guests[i].name, guest) == 0) {
			if (check) {
				printf("crbench-agent: plan '%s' is valid; guest '%s' runs runtime %s\n", plan_path, guest,
				       plan->guests[i].runtime);
				return EXIT_SUCCESS;
			}
			/* The suite runner is the guest-agent issue; say so rather than pretend. */
			fprintf(stderr, "crbench-agent: this build can only --check a plan; it does not run the suite yet\n");
			return EXIT_FAILURE;
		}
	}
	fprintf(stderr, "crbench-agent: plan '%s' has no [guest %s]\n", plan_path, guest);
	return EXIT_FAILURE;
}
