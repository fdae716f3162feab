/* crbench run: parse the options, run the preflight, then one library session (session.h), drawn as it goes. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>

#include "build.h"
#include "commands.h"
#include "display.h"
#include "gfs.h"
#include "junit.h"
#include "paths.h"
#include "plan.h"
#include "preflight.h"
#include "progress.h"
#include "report.h"
#include "session.h"
#include "util.h"
#include "volume.h"

static const char run_usage[] =
	"usage: crbench run [--plan FILE] [--results-dir DIR] [--parallel] [--accel kvm|tcg|auto]\n"
	"                   [--connect URI] [--upload] [--pool NAME] [--cache-dir DIR] [--no-pin]\n"
	"                   [--mirror [DIST=]URL]... [--keyring [DIST=]FILE]... [--keep] [--verbose]\n"
	"                   [--junit FILE]\n"
	"                   [--inject-fault FAULT]\n"
	"\n"
	"Runs a plan: builds the guest images and the suite's container images the\n"
	"cache lacks (and, once, a read-only disk holding the container images, and\n"
	"once per guest image a copy of it with those images in its Docker store,\n"
	"made by one boot), makes one small payload disk (the agent, the resolved\n"
	"plan) and, per guest, a throw-away overlay on that copy and an empty\n"
	"results disk, boots one transient libvirt domain per guest (one after\n"
	"another, or all at once with --parallel), follows each agent's progress\n"
	"on the serial console, harvests every results disk into DIR/<run id>/\n"
	"(docs/run-format.md) and writes its report into DIR/<run id>/report/\n"
	"(crbench report). Nothing of the run is left behind but that directory:\n"
	"no domain, overlay or temporary file.\n"
	"\n"
	"A guest that prints no progress for the plan's progress-timeout, or runs\n"
	"past its timeout, is destroyed and its finished tests are kept. Ctrl-C or\n"
	"SIGTERM destroys the run's guests, harvests what they finished, and exits\n"
	"128 + the signal. Exits 0 when every guest completed its suite, 1 when any\n"
	"did not (the run directory says why), 2 on usage errors.\n"
	"\n"
	"  --plan FILE        the plan (default: the installed plans/default.ini)\n"
	"  --results-dir DIR  where run directories go (default: ./results)\n"
	"  --parallel         run the guests at the same time (overrides the plan)\n"
	"  --accel MODE       kvm, tcg or auto (default: what crbench check decides)\n"
	"  --connect URI      libvirt URI (default qemu:///system); on another host\n"
	"                     (qemu+ssh://HOST/system) the disks, kernel and initrd\n"
	"                     go up into its storage pool, the results disks come\n"
	"                     back down, and its accelerator and CPUs are used\n"
	"  --upload           do that with a libvirtd on this host too\n"
	"  --pool NAME        the storage pool on that host, a directory pool\n"
	"                     (default: default); base images stay cached there\n"
	"  --cache-dir DIR    image cache, as for crbench build\n"
	"  --mirror [DIST=]URL  archive mirror of the images the run builds, as for\n"
	"                     crbench build (part of their cache key: give the one\n"
	"                     they were built with); the preflight probes it\n"
	"  --keyring [DIST=]FILE  their archive keyring, as for crbench build\n"
	"  --no-pin           do not pin vCPUs to host CPUs\n"
	"  --keep             keep the run's overlays and disks (in the cache's runs/)\n"
	"  -v, --verbose      print every console line of the guests\n"
	"  --junit FILE       also write JUnit XML for CI: a test case per step of\n"
	"                     each guest (failed or timed out: a failure;\n"
	"                     unsupported: skipped) and one per guest; docs/ci.md\n"
	"  --inject-fault F   for the fault suite (make check-faults): make F happen in\n"
	"                     every guest: panic, hang, agent-crash (after the first\n"
	"                     step), docker-fail (before it), results-full (a 64 KiB\n"
	"                     results disk)\n"
	"  -h, --help         show this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct run_args {
	const char *plan_path, *results_root, *uri, *pool, *cache_dir, *fault, *junit;
	const char **mirrors, **keyrings; /* --mirror, --keyring values (cr_build_source_add) */
	enum cr_accel accel;
	bool parallel, upload, no_pin, keep, verbose;
};

/* What is on the terminal. */
struct screen {
	bool tty, verbose;
	const char *accel;
	size_t drawn;		    /* status lines on screen (tty) */
	const struct cr_session *s; /* once the guests start */
	struct build_display build;
};

/* ---- display ---- */

static void fmt_duration(double s, char *buf, size_t len)
{
	unsigned long t = s < 0 ? 0 : (unsigned long)s;

	if (t >= 3600)
		snprintf(buf, len, "%luh%02lum", t / 3600, (t / 60) % 60);
	else
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
}

static void guest_line(const struct cr_session_guest *g, char *buf, size_t len)
{
	const struct cr_guest_watch *w = &g->watch;
	const char *reason = g->outcome.reason;
	double now = cr_now();
	char el[32];

	if (g->outcome.status == CR_GUEST_NOT_RUN) {
		snprintf(buf, len, "%-10s waiting", g->plan->name);
		return;
	}
	if (g->outcome.status != CR_GUEST_RUNNING) {
		snprintf(buf, len, "%-10s %s%s%.80s%s: %llu ok, %llu failed, %llu unsupported", g->plan->name,
			 cr_guest_status_names[g->outcome.status], reason ? " (" : "", reason ? reason : "", reason ? ")" : "",
			 (unsigned long long)g->steps_ok, (unsigned long long)g->steps_failed, (unsigned long long)g->steps_unsupported);
		return;
	}
	fmt_duration(now - g->t_start, el, sizeof(el));
	if (!w->hello)
		snprintf(buf, len, "%-10s %s  booting%s", g->plan->name, el, w->agent_uptime >= 0 ? ", agent starting" : "");
	else if (w->last.index == 0)
		snprintf(buf, len, "%-10s %s  loading the container images", g->plan->name, el);
	else if (w->done)
		snprintf(buf, len, "%-10s %s  suite done, powering off", g->plan->name, el);
	else {
		bool end = w->last.event == CR_PROGRESS_END;
		char step[32];

		fmt_duration(end ? 0 : now - g->t_last_progress + w->last.elapsed, step, sizeof(step));
		snprintf(buf, len, "%-10s %s  [%llu/%llu] %s%s  %s  (%llu ok, %llu failed, %llu unsupported)", g->plan->name, el,
			 (unsigned long long)w->last.index, (unsigned long long)w->total, w->last.test, end ? " done" : "", end ? "" : step,
			 (unsigned long long)w->n_ok, (unsigned long long)w->n_failed, (unsigned long long)w->n_unsupported);
	}
}

static void erase(struct screen *sc)
{
	if (sc->tty && sc->drawn) {
		fprintf(stderr, "\033[%zuA\r\033[J", sc->drawn);
		sc->drawn = 0;
	}
}

static void draw(struct screen *sc)
{
	char line[512];
	size_t n = sc->s ? cr_session_n_guests(sc->s) : 0;

	if (!sc->tty || !n)
		return;
	erase(sc);
	for (size_t i = 0; i < n; i++) {
		guest_line(cr_session_guest(sc->s, i), line, sizeof(line));
		fprintf(stderr, "%.*s\n", 200, line);
	}
	sc->drawn = n;
	fflush(stderr);
}

/* A permanent line above the status block (or just a line when not a terminal). */
static void __attribute__((format(printf, 2, 3))) say(struct screen *sc, const char *fmt, ...)
{
	va_list ap;

	erase(sc);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	draw(sc);
}

static void show_progress(struct screen *sc, const struct cr_session_guest *g, const struct cr_progress *p)
{
	const char *name = g->plan->name;
	unsigned long long i = p->index, n = p->total;

	switch (p->event) {
	case CR_PROGRESS_HELLO:
		say(sc, "%s: agent started %.0f s after boot, %llu steps", name,
		    g->watch.agent_uptime >= 0 ? g->watch.agent_uptime : cr_now() - g->t_start, n);
		break;
	case CR_PROGRESS_START:
		if (!sc->tty)
			say(sc, "%s: [%llu/%llu] %s started", name, i, n, p->test);
		break;
	case CR_PROGRESS_END:
		if (p->status != CR_STATUS_OK)
			say(sc, "%s: [%llu/%llu] %s: %s%s%s", name, i, n, p->test, cr_progress_status_names[p->status],
			    p->reason[0] ? ": " : "", p->reason);
		else if (!sc->tty)
			say(sc, "%s: [%llu/%llu] %s: ok in %.1f s", name, i, n, p->test, p->elapsed);
		break;
	case CR_PROGRESS_HEARTBEAT:
	case CR_PROGRESS_DONE:
	case CR_PROGRESS__MAX:
		break;
	}
}

static void on_event(void *data, const struct cr_session_event *ev)
{
	struct screen *sc = data;
	const struct cr_session_guest *g = ev->guest;

	switch (ev->type) {
	case CR_SESSION_NOTE:
		say(sc, "%s", ev->text);
		break;
	case CR_SESSION_BUILD:
		build_display_progress(&sc->build, ev->image, ev->build);
		break;
	case CR_SESSION_BUILT:
		build_display_end(&sc->build);
		build_display_built(ev->image, ev->built);
		break;
	case CR_SESSION_RUN_STARTED:
		sc->s = ev->session;
		fprintf(stderr, "crbench run: run %s: %zu guest%s (%s%s), %s, results in '%s'\n", cr_session_run_id(ev->session),
			cr_session_n_guests(ev->session), cr_session_n_guests(ev->session) == 1 ? "" : "s",
			cr_session_parallel(ev->session) ? "in parallel" : "one after another",
			cr_session_n_hosts(ev->session) > 1 ? " on each libvirt host, the hosts at once" : "", sc->accel,
			cr_session_dir(ev->session));
		break;
	case CR_SESSION_GUEST_STARTED:
		say(sc, "%s: started %s (%llu vCPUs, %llu MiB%s), console in '%s'", g->plan->name, g->domain,
		    (unsigned long long)g->plan->vcpus, (unsigned long long)(g->plan->memory >> 20), g->pinned ? ", pinned" : "",
		    g->console_path);
		break;
	case CR_SESSION_CONSOLE:
		if (sc->verbose)
			say(sc, "%s| %s", g->plan->name, ev->text);
		break;
	case CR_SESSION_PROGRESS:
		show_progress(sc, g, ev->progress);
		break;
	case CR_SESSION_HARVESTED:
		erase(sc);
		harvest_print_report(g->plan->name, ev->text, ev->harvest);
		draw(sc);
		break;
	case CR_SESSION_GUEST_ENDED:
		say(sc, "%s: %s%s%s: %llu of %llu steps harvested (%llu ok, %llu failed, %llu unsupported), harvest %s, %.0f s",
		    g->plan->name, cr_guest_status_names[g->outcome.status], g->outcome.reason ? ": " : "",
		    g->outcome.reason ? g->outcome.reason : "", (unsigned long long)g->steps_harvested, (unsigned long long)g->watch.total,
		    (unsigned long long)g->steps_ok, (unsigned long long)g->steps_failed, (unsigned long long)g->steps_unsupported,
		    g->harvest ? g->harvest : "none", g->t_end);
		break;
	case CR_SESSION_TICK:
		draw(sc);
		break;
	}
}

/* ---- the command ---- */

/* The report of the run, as crbench report writes it; a failure is said, and does not change the run's exit status. */
static void make_report(const char *out)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_strv char **warnings = NULL;

	if (cr_report_make(out, NULL, &warnings, &err) < 0) {
		fprintf(stderr, "crbench run: no report: %s (try crbench report %s)\n", err->msg, out);
		return;
	}
	for (size_t i = 0; warnings && warnings[i]; i++)
		fprintf(stderr, "crbench run: %s\n", warnings[i]);
	printf("report: %s/report/report.html (and report.md, report.json, CSV per table)\n", out);
}

/* Returns an exit code, or -1 to go on. */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },	{ "results-dir", required_argument, NULL, 'o' },
		{ "parallel", no_argument, NULL, 'P' },		{ "accel", required_argument, NULL, 'a' },
		{ "connect", required_argument, NULL, 'c' },	{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-pin", no_argument, NULL, 'n' },		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },		{ "help", no_argument, NULL, 'h' },
		{ "inject-fault", required_argument, NULL, 'F' },
		{ "upload", no_argument, NULL, 'U' },		{ "pool", required_argument, NULL, 'L' },
		{ "junit", required_argument, NULL, 'J' },
		{ "mirror", required_argument, NULL, 'm' },	{ "keyring", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->plan_path = optarg;
			break;
		case 'o':
			a->results_root = optarg;
			break;
		case 'P':
			a->parallel = true;
			break;
		case 'a':
			if (parse_accel_option("run", optarg, &a->accel))
				return EXIT_USAGE;
			break;
		case 'c':
			a->uri = optarg;
			break;
		case 'C':
			a->cache_dir = optarg;
			break;
		case 'U':
			a->upload = true;
			break;
		case 'L':
			if (!*optarg)
				return usage_error("run", "--pool needs a pool name");
			a->pool = optarg;
			break;
		case 'n':
			a->no_pin = true;
			break;
		case 'k':
			a->keep = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'J':
			a->junit = optarg;
			break;
		case 'm':
			if (parse_source_option("run", "--mirror", optarg, &a->mirrors))
				return EXIT_USAGE;
			break;
		case 'K':
			if (parse_source_option("run", "--keyring", optarg, &a->keyrings))
				return EXIT_USAGE;
			break;
		case 'F':
			for (size_t k = 0; cr_session_faults[k]; k++)
				if (strcmp(optarg, cr_session_faults[k]) == 0)
					a->fault = cr_session_faults[k];
			if (!a->fault)
				return usage_error(
					"run",
					"unknown fault '%s' for --inject-fault: panic, hang, agent-crash, docker-fail or results-full",
					optarg);
			break;
		default:
			return option_default("run", run_usage, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("run", "unexpected argument '%s'", argv[optind]);
	return -1;
}

int cmd_run(int argc, char **argv)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	cleanup_free char *cache_dir = NULL, *default_plan = NULL, *datadir = cr_data_dir();
	cleanup_free size_t *guest_host = NULL;
	struct run_args a = { .results_root = "results", .pool = CR_DEFAULT_POOL, .accel = CR_ACCEL_AUTO };
	cleanup_free const char **mirrors = NULL, **keyrings = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct screen sc = { .tty = isatty(2) };
	struct cr_preflight pf;
	struct cr_preflight_opts po = { .root = "" };
	struct cr_session *s = NULL;
	size_t n_complete, n;
	bool junit_failed = false;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = parse_args(argc, argv, &a);
	mirrors = a.mirrors; /* freed on return */
	keyrings = a.keyrings;
	if (rc >= 0)
		return rc;
	sc.verbose = a.verbose;
	if (!a.plan_path) {
		default_plan = xasprintf("%s/images/plans/default.ini", datadir);
		a.plan_path = default_plan;
	}
	if (cr_plan_load(a.plan_path, &plan, &err) < 0)
		return report_error(err);
	if (a.parallel)
		plan->parallel = true;
	cache_dir = cr_cache_dir(a.cache_dir);

	/* the preflight decides the accelerator and refuses a host that cannot run the plan */
	po.accel = a.accel;
	po.connect_uri = a.uri;
	po.cache_dir = cache_dir;
	po.plan_path = a.plan_path;
	po.upload = a.upload;
	po.pool = a.pool;
	po.mirrors = a.mirrors;
	po.keyrings = a.keyrings;
	cr_preflight_run(&po, &pf);
	for (size_t i = 0; i < pf.n_items; i++)
		if (pf.items[i].status != CR_PASS)
			fprintf(stderr, "%s %s: %s%s%s\n", cr_status_names[pf.items[i].status], pf.items[i].name, pf.items[i].message,
				pf.items[i].fix ? "\n     fix: " : "", pf.items[i].fix ? pf.items[i].fix : "");
	if (cr_preflight_worst(&pf) == CR_FAIL) {
		cr_preflight_release(&pf);
		fprintf(stderr, "crbench run: the preflight failed (see above; crbench check --plan %s says more)\n", a.plan_path);
		return EXIT_FAILURE;
	}
	guest_host = xcalloc(plan->n_guests, sizeof(*guest_host));
	for (size_t i = 0; i < plan->n_guests; i++)
		guest_host[i] = cr_preflight_host_of(&pf, &plan->guests[i]);
	sc.accel = cr_accel_name(pf.accel);
	cr_gfs_configure(pf.local_accel); /* the images are built here, whatever runs the guests */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = cr_session_run(&(struct cr_session_opts){ .plan = plan,
						       .results_root = a.results_root,
						       .cache_dir = cache_dir,
						       .mirrors = a.mirrors,
						       .keyrings = a.keyrings,
						       .hosts = pf.hosts,
						       .n_hosts = pf.n_hosts,
						       .guest_host = guest_host,
						       .store_here = pf.store_here,
						       .local_accel = pf.local_accel,
						       .pin = !a.no_pin,
						       .keep = a.keep,
						       .fault = a.fault,
						       .stop = &stop,
						       .on_event = on_event,
						       .data = &sc },
			    &s, &err);
	cr_preflight_release(&pf);
	build_display_end(&sc.build);
	erase(&sc);
	if (rc < 0) {
		report_error(err);
		cr_session_free(s);
		return stop ? 128 + stop : EXIT_FAILURE;
	}
	n_complete = cr_session_n_complete(s);
	n = cr_session_n_guests(s);
	printf("run %s: %zu of %zu guests complete; results in %s\n", cr_session_run_id(s), n_complete, n, cr_session_dir(s));
	make_report(cr_session_dir(s));
	/* a CI job that asked for JUnit must not pass without it */
	if (a.junit && cr_junit_write_run(cr_session_dir(s), a.junit, &err) < 0) {
		fprintf(stderr, "crbench run: no JUnit report: %s\n", err->msg);
		junit_failed = true;
	} else if (a.junit) {
		printf("JUnit: %s\n", a.junit);
	}
	cr_session_free(s);
	return stop ? 128 + stop : n_complete == n && !junit_failed ? EXIT_SUCCESS : EXIT_FAILURE;
}
