/* crbench boot: boot a built guest image (with no payload unless asked), to see that it reaches the agent unit, and how fast. */
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "boot.h"
#include "commands.h"
#include "display.h"
#include "gfs.h"
#include "parse.h"
#include "paths.h"
#include "preflight.h"
#include "util.h"

static const char boot_usage[] =
	"usage: crbench boot [--image NAME] [--accel kvm|tcg|auto] [--connect URI] [--cache-dir DIR]\n"
	"                    [--vcpus N] [--memory SIZE] [--nested] [--timeout DURATION]\n"
	"                    [--console FILE] [--payload DIR] [--results FILE] [--verbose]\n"
	"\n"
	"Boots a guest image (building it first when the cache lacks it) on a\n"
	"throw-away overlay. With no payload disk (no --payload) the guest starts\n"
	"Docker and the crbench agent unit, which finds nothing to run and powers\n"
	"the guest off.\n"
	"Reports the guest's uptime when the agent unit started and the host's wall\n"
	"time to that point and to power-off. Leaves no domain or overlay behind.\n"
	"\n"
	"  --image NAME        guest recipe (default debian-12)\n"
	"  --accel MODE        kvm, tcg or auto (default: what crbench check decides)\n"
	"  --connect URI       libvirt URI of a libvirtd on this host (default\n"
	"                      qemu:///system); one on another host is refused\n"
	"  --cache-dir DIR     image cache, as for crbench build\n"
	"  --vcpus N           guest vCPUs (default 2)\n"
	"  --memory SIZE       guest memory (default 2G)\n"
	"  --nested            expose virtualization to the guest\n"
	"  --timeout DURATION  destroy the guest after this long (default 10m)\n"
	"  --console FILE      keep the serial console log as FILE\n"
	"  --payload DIR       attach DIR as the payload disk (an ext4 image labelled\n"
	"                      crbench-payload); the agent unit runs DIR/crbench-agent\n"
	"  --results FILE      attach a new 256 MiB results disk made as FILE, and keep it\n"
	"                      (read it with crbench harvest)\n"
	"  -v, --verbose       print the console as it comes\n"
	"  -h, --help          show this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct display {
	bool verbose;
	const struct cr_boot_opts *o;
	struct build_display build;
};

static void on_event(void *data, const struct cr_boot_event *ev)
{
	struct display *d = data;
	const struct cr_boot_result *r = ev->result;

	switch (ev->type) {
	case CR_BOOT_NOTE:
		fprintf(stderr, "crbench boot: %s\n", ev->text);
		break;
	case CR_BOOT_BUILD:
		build_display_progress(&d->build, d->o->image, ev->build);
		break;
	case CR_BOOT_STARTED:
		build_display_end(&d->build);
		fprintf(stderr, "crbench boot: %s started (%s, %llu vCPUs, %llu MiB), console in '%s'\n", r->domain,
			cr_accel_name(d->o->accel), (unsigned long long)d->o->vcpus, (unsigned long long)(d->o->memory >> 20), r->console);
		break;
	case CR_BOOT_CONSOLE:
		if (d->verbose)
			fprintf(stderr, "console: %s\n", ev->text);
		break;
	case CR_BOOT_AGENT:
		fprintf(stderr, "crbench boot: agent unit started: guest uptime %.2f s, host wall time %.2f s\n", r->agent_uptime,
			r->t_agent);
		break;
	}
}

int cmd_boot(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "accel", required_argument, NULL, 'a' },
		{ "connect", required_argument, NULL, 'c' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "vcpus", required_argument, NULL, 'n' },
		{ "memory", required_argument, NULL, 'm' },
		{ "nested", no_argument, NULL, 'N' },
		{ "timeout", required_argument, NULL, 't' },
		{ "console", required_argument, NULL, 'o' },
		{ "payload", required_argument, NULL, 'P' },
		{ "results", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_free char *cache_dir = NULL;
	cleanup_error cr_error_t err = NULL;
	const char *cache_override = NULL;
	struct cr_boot_opts o = { .image = "debian-12",
				  .accel = CR_ACCEL_AUTO,
				  .vcpus = 2,
				  .memory = 2ULL << 30,
				  .timeout = 600,
				  .stop = &stop,
				  .on_event = on_event };
	struct display d = { .o = &o, .build = { .tty = isatty(2) } };
	struct cr_boot_result res;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, ret = EXIT_FAILURE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.image = optarg;
			break;
		case 'a':
			if (parse_accel_option("boot", optarg, &o.accel))
				return EXIT_USAGE;
			break;
		case 'c':
			o.uri = optarg;
			break;
		case 'C':
			cache_override = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 1, 256, &o.vcpus) < 0)
				return usage_error("boot", "bad value '%s' for --vcpus: expected an integer from 1 to 256", optarg);
			break;
		case 'm':
			if (parse_size(optarg, 512ULL << 20, 4096ULL << 30, &o.memory) < 0)
				return usage_error("boot", "bad value '%s' for --memory: expected a size from 512M to 4T, such as 2G",
						   optarg);
			break;
		case 'N':
			o.nested = true;
			break;
		case 't':
			if (parse_duration(optarg, 10, 24 * 3600, &o.timeout) < 0)
				return usage_error("boot", "bad value '%s' for --timeout: expected a duration from 10s to 24h, such as 10m",
						   optarg);
			break;
		case 'o':
			o.console_keep = optarg;
			break;
		case 'P':
			o.payload_dir = optarg;
			break;
		case 'R':
			o.results = optarg;
			break;
		case 'v':
			d.verbose = true;
			break;
		default:
			return option_default("boot", boot_usage, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("boot", "unexpected argument '%s'", argv[optind]);

	o.accel = cr_accel_resolve(o.accel);
	cr_gfs_configure(o.accel);
	cache_dir = cr_cache_dir(cache_override);
	o.cache_dir = cache_dir;
	o.data = &d;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (cr_boot_run(&o, &res, &err) < 0) {
		build_display_end(&d.build);
		report_error(err);
		cr_boot_result_release(&res);
		return stop ? 128 + stop : EXIT_FAILURE;
	}
	if (res.panic)
		fprintf(stderr, "crbench boot: the guest kernel panicked (see the console log)\n");
	if (res.agent_uptime >= 0 && res.powered_off && !res.panic) {
		printf("%s: agent unit started at guest uptime %.2f s (host wall time %.2f s); powered off after %.2f s (%s)\n", o.image,
		       res.agent_uptime, res.t_agent, res.t_end, cr_accel_name(o.accel));
		ret = EXIT_SUCCESS;
	} else if (res.agent_uptime < 0) {
		fprintf(stderr, "crbench boot: %s never reached the agent unit\n", o.image);
	}
	cr_boot_result_release(&res);
	return stop ? 128 + stop : ret;
}
