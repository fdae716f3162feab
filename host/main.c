/* crbench: the host tool; parses global options and dispatches to one file per subcommand. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>

#include "build.h"
#include "commands.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* clang-format off */
static const struct command commands[] = {
	{ "boot", cmd_boot, "boot a guest image to its agent unit (with a payload and results disk if given)" },
	{ "build", cmd_build, "build guest images and the suite's container images (cached)" },
	{ "cache", cmd_cache, "list the cache, prune what has not been used for a while" },
	{ "check", cmd_check, "check that this host can build images and boot guests" },
	{ "compare", cmd_compare, "compare two runs beyond the noise, check a run against bounds" },
	{ "harvest", cmd_harvest, "read results disks back, verify them, report what was refused" },
	{ "plan", cmd_plan, "validate a plan file and show everything it will run" },
	{ "report", cmd_report, "turn a run directory into tables, figures and statistics" },
	{ "run", cmd_run, "run a plan: boot one guest per runtime, follow the agents, harvest the results" },
};
/* clang-format on */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: crbench [--version] [--help] <command> [<args>]\n"
		"\n"
		"Builds guest images, boots one guest per container runtime, runs the\n"
		"measurement suite inside each, and reports.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n'crbench <command> --help' tells more about each command.\n"
		"Documentation: README.md and docs/ in the source tree.\n");
}

int report_error(cr_error_t err)
{
	fprintf(stderr, "crbench: %s\n", err ? err->msg : "unknown error");
	return EXIT_FAILURE;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "crbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'crbench %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int option_default(const char *cmd, const char *usage, int c, char **argv)
{
	if (c == 'h') {
		fputs(usage, stdout);
		return EXIT_SUCCESS;
	}
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int parse_accel_option(const char *cmd, const char *arg, enum cr_accel *out)
{
	if (cr_accel_parse(arg, out) < 0)
		return usage_error(cmd, "bad value '%s' for --accel: expected kvm, tcg or auto", arg);
	return 0;
}

int parse_source_option(const char *cmd, const char *flag, const char *arg, const char ***list)
{
	cleanup_error cr_error_t err = NULL;

	if (cr_build_source_add(list, flag, arg, &err) < 0)
		return usage_error(cmd, "%s", err->msg);
	return 0;
}

int main(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	char *help_args[3];
	int c;

	/* a peer that hung up (libvirtd, a pipe to a child) is an error to report, not a death */
	signal(SIGPIPE, SIG_IGN);
	/* '+': stop at the command name, its options are its own */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("crbench %s\n", crbench_version);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try 'crbench --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc) {
			help_args[0] = argv[optind + 1];
			help_args[1] = (char *)"--help";
			help_args[2] = NULL;
			argv = help_args;
			argc = 2;
			optind = 0;
		} else {
			usage(stdout);
			return EXIT_SUCCESS;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **sub = argv + optind;
			int n = argc - optind;

			optind = 1; /* each command parses its own argv from the start */
			return commands[i].fn(n, sub);
		}
	}
	fprintf(stderr, "crbench: '%s' is not a crbench command. See 'crbench --help'.\n", argv[optind]);
	return EXIT_USAGE;
}
