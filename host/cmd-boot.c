/* crbench boot: boot a built guest image with no payload, to see that it reaches the agent unit, and how fast. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "build.h"
#include "commands.h"
#include "console.h"
#include "domain.h"
#include "gfs.h"
#include "parse.h"
#include "paths.h"
#include "preflight.h"
#include "proc.h"
#include "recipe.h"
#include "util.h"
#include "virt.h"

static const char boot_usage[] =
	"usage: crbench boot [--image NAME] [--accel kvm|tcg|auto] [--connect URI] [--cache-dir DIR]\n"
	"                    [--vcpus N] [--memory SIZE] [--nested] [--timeout DURATION]\n"
	"                    [--console FILE] [--payload DIR] [--results FILE] [--verbose]\n"
	"\n"
	"Boots a guest image (building it first when the cache lacks it) on a\n"
	"throw-away overlay, with no payload disk: the guest starts Docker and the\n"
	"crbench agent unit, which finds nothing to run and powers the guest off.\n"
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

struct watch {
	bool verbose;
	double agent_uptime; /* < 0 until the marker is seen */
	bool panic;
};

static void on_line(void *data, const char *line)
{
	struct watch *w = data;
	const char *m = strstr(line, CR_AGENT_MARKER);

	if (w->verbose)
		fprintf(stderr, "console: %s\n", line);
	if (m && w->agent_uptime < 0)
		w->agent_uptime = strtod(m + strlen(CR_AGENT_MARKER), NULL);
	if (strstr(line, "Kernel panic"))
		w->panic = true;
}

int cmd_boot(int argc, char **argv)
{
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
	cleanup_free char *cache_dir = NULL, *datadir = cr_data_dir(), *images_dir = NULL, *rundir = NULL;
	cleanup_free char *overlay = NULL, *console = NULL, *base = NULL, *kernel = NULL, *initrd = NULL, *name = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_recipe struct cr_recipe *r = NULL;
	cleanup_conn virConnectPtr conn = NULL;
	const char *image = "debian-12", *uri = NULL, *cache_override = NULL, *keep_console = NULL, *payload_dir = NULL;
	const char *results = NULL;
	cleanup_free char *payload = NULL;
	struct cr_domain_spec spec = { .vcpus = 2, .memory = 2ULL << 30 };
	struct cr_build_opts bo = { .verify = true, .interrupted = &stop };
	struct watch w = { .agent_uptime = -1 };
	struct cr_console con = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	enum cr_accel accel = CR_ACCEL_AUTO;
	uint64_t timeout = 600;
	virDomainPtr dom = NULL;
	struct cr_built built;
	double t0, t_agent = -1, t_end;
	int c, ret = EXIT_FAILURE;
	bool self_stopped;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			image = optarg;
			break;
		case 'a':
			if (parse_accel_option("boot", optarg, &accel))
				return EXIT_USAGE;
			break;
		case 'c':
			uri = optarg;
			break;
		case 'C':
			cache_override = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 1, 256, &spec.vcpus) < 0)
				return usage_error("boot", "bad value '%s' for --vcpus: expected an integer from 1 to 256", optarg);
			break;
		case 'm':
			if (parse_size(optarg, 512ULL << 20, 4096ULL << 30, &spec.memory) < 0)
				return usage_error("boot", "bad value '%s' for --memory: expected a size from 512M to 4T, such as 2G", optarg);
			break;
		case 'N':
			spec.nested = true;
			break;
		case 't':
			if (parse_duration(optarg, 10, 24 * 3600, &timeout) < 0)
				return usage_error("boot", "bad value '%s' for --timeout: expected a duration from 10s to 24h, such as 10m", optarg);
			break;
		case 'o':
			keep_console = optarg;
			break;
		case 'P':
			payload_dir = optarg;
			break;
		case 'R':
			results = optarg;
			break;
		case 'v':
			w.verbose = true;
			break;
		case 'h':
			fputs(boot_usage, stdout);
			return EXIT_SUCCESS;
		case ':':
			return usage_error("boot", "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("boot", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("boot", "unexpected argument '%s'", argv[optind]);

	images_dir = xasprintf("%s/images", datadir);
	if (cr_recipe_load(images_dir, image, &r, &err) < 0)
		return report_error(err);
	if (r->kind != CR_RECIPE_VM) {
		cr_error(&err, 0, "image '%s' is a container image, not a guest", image);
		return report_error(err);
	}
	accel = cr_accel_resolve(accel);
	cr_gfs_configure(accel);
	cache_dir = cr_cache_dir(cache_override);
	bo.cache_dir = cache_dir;
	bo.srcdir = datadir;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (cr_build(&bo, r, &built, &err) < 0)
		return report_error(err);
	base = xasprintf("%s/%s", built.dir, CR_IMAGE_DISK);
	kernel = xasprintf("%s/%s", built.dir, CR_IMAGE_KERNEL);
	initrd = xasprintf("%s/%s", built.dir, CR_IMAGE_INITRD);
	cr_built_release(&built);

	rundir = xasprintf("%s/runs/boot-%s-%d", cache_dir, image, (int)getpid());
	overlay = xasprintf("%s/overlay.qcow2", rundir);
	console = xasprintf("%s/console.log", rundir);
	name = xasprintf("crbench-boot-%s-%d", image, (int)getpid());
	{
		cleanup_free char *runs = xasprintf("%s/runs", cache_dir);
		char *create[] = { (char *)"qemu-img", (char *)"create", (char *)"-q", (char *)"-f", (char *)"qcow2", (char *)"-F",
				   (char *)"qcow2", (char *)"-b", base, overlay, NULL };

		if ((mkdir(runs, 0755) < 0 && errno != EEXIST) || mkdir(rundir, 0755) < 0) {
			cr_error(&err, errno, "cannot create run directory '%s'", rundir);
			return report_error(err);
		}
		if (cr_run_checked(create, &err) < 0) {
			report_error(err);
			goto out;
		}
	}
	if (payload_dir) {
		char *mke2fs[] = { (char *)"mke2fs", (char *)"-q", (char *)"-F", (char *)"-t", (char *)"ext4", (char *)"-L",
				   (char *)"crbench-payload", (char *)"-d", (char *)payload_dir, NULL, (char *)"2G", NULL };

		payload = xasprintf("%s/payload.raw", rundir);
		mke2fs[9] = payload;
		if (cr_run_checked(mke2fs, &err) < 0) {
			cr_error_prefix(&err, "cannot make the payload disk from '%s'", payload_dir);
			report_error(err);
			goto out;
		}
		spec.payload = payload;
	}
	if (results) {
		cleanup_close int fd = open(results, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (fd < 0 || ftruncate(fd, 256 << 20) < 0) {
			cr_error(&err, errno, "cannot create results disk '%s'", results);
			report_error(err);
			goto out;
		}
		spec.results = results;
	}
	spec.name = name;
	spec.accel = accel;
	spec.kernel = kernel;
	spec.initrd = initrd;
	spec.disk = overlay;
	spec.console_log = console;
	con.path = console;
	if (cr_virt_open(uri, &conn, &err) < 0 || cr_virt_check_local(conn, uri, &err) < 0 || cr_domain_start(conn, &spec, &dom, &err) < 0) {
		report_error(err);
		goto out;
	}
	t0 = cr_now();
	fprintf(stderr, "crbench boot: %s started (%s, %llu vCPUs, %llu MiB), console in '%s'\n", name, cr_accel_name(accel),
		(unsigned long long)spec.vcpus, (unsigned long long)(spec.memory >> 20), console);

	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		cr_console_poll(&con, on_line, &w);
		if (w.agent_uptime >= 0 && t_agent < 0) {
			t_agent = cr_now() - t0;
			fprintf(stderr, "crbench boot: agent unit started: guest uptime %.2f s, host wall time %.2f s\n", w.agent_uptime, t_agent);
		}
		if (!cr_domain_running(dom) || stop || cr_now() - t0 > (double)timeout)
			break;
		nanosleep(&ts, NULL);
	}
	t_end = cr_now() - t0;
	self_stopped = !cr_domain_running(dom);
	cr_console_poll(&con, on_line, &w);
	if (stop)
		fprintf(stderr, "crbench boot: interrupted: destroying %s\n", name);
	else if (!self_stopped)
		fprintf(stderr, "crbench boot: no power-off after %llu s: destroying %s\n", (unsigned long long)timeout, name);
	cr_domain_destroy(dom);
	dom = NULL;

	if (w.panic)
		fprintf(stderr, "crbench boot: the guest kernel panicked (see the console log)\n");
	if (w.agent_uptime >= 0 && self_stopped && !w.panic) {
		printf("%s: agent unit started at guest uptime %.2f s (host wall time %.2f s); powered off after %.2f s (%s)\n", image,
		       w.agent_uptime, t_agent, t_end, cr_accel_name(accel));
		ret = EXIT_SUCCESS;
	} else if (w.agent_uptime < 0) {
		fprintf(stderr, "crbench boot: %s never reached the agent unit\n", image);
	}
	if (stop)
		ret = 128 + stop;
out:
	cr_domain_destroy(dom);
	if (keep_console) {
		char *cp[] = { (char *)"cp", (char *)"--", console, (char *)keep_console, NULL };

		if (cr_run_checked(cp, &err) < 0)
			report_error(err);
	}
	unlink(overlay);
	unlink(console);
	if (payload)
		unlink(payload);
	rmdir(rundir);
	return ret;
}
