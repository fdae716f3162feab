/* crbench run: build what is missing, boot one guest per runtime, follow the agents, harvest their results disks. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <libvirt/libvirt.h>

#include "build.h"
#include "commands.h"
#include "console.h"
#include "domain.h"
#include "gfs.h"
#include "harvest.h"
#include "parse.h"
#include "paths.h"
#include "plan.h"
#include "preflight.h"
#include "proc.h"
#include "progress.h"
#include "recipe.h"
#include "report.h"
#include "run.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

static const char run_usage[] =
	"usage: crbench run [--plan FILE] [--results-dir DIR] [--parallel] [--accel kvm|tcg|auto]\n"
	"                   [--connect URI] [--upload] [--pool NAME] [--cache-dir DIR] [--no-pin]\n"
	"                   [--keep] [--verbose]\n"
	"                   [--inject-fault FAULT]\n"
	"\n"
	"Runs a plan: builds the guest images and the suite's container images the\n"
	"cache lacks (and, once, a read-only disk holding the container images),\n"
	"makes one small payload disk (the agent, the resolved plan) and, per guest,\n"
	"a throw-away overlay on the cached base image and an empty results disk,\n"
	"boots one transient libvirt domain per\n"
	"guest (one after another, or all at once with --parallel), follows each\n"
	"agent's progress on the serial console, harvests every results disk into\n"
	"DIR/<run id>/ (docs/run-format.md) and writes its report into\n"
	"DIR/<run id>/report/ (crbench report). Nothing of the run is left behind\n"
	"but that directory: no domain, overlay or temporary file.\n"
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
	"  --no-pin           do not pin vCPUs to host CPUs\n"
	"  --keep             keep the run's overlays and disks (in the cache's runs/)\n"
	"  -v, --verbose      print every console line of the guests\n"
	"  --inject-fault F   for the fault suite (make check-faults): make F happen in\n"
	"                     every guest: panic, hang, agent-crash (after the first\n"
	"                     step), docker-fail (before it), results-full (a 64 KiB\n"
	"                     results disk)\n"
	"  -h, --help         show this help\n";

static volatile sig_atomic_t stop;

/* --inject-fault: the guest's faults go on its kernel command line, results-full is the host's */
static const char *const faults[] = { "panic", "hang", "agent-crash", "docker-fail", "results-full", NULL };
static const char *fault;
#define CR_RESULTS_FULL_SIZE (64 << 10)

static void on_signal(int sig)
{
	stop = sig;
}

enum phase {
	PH_PENDING,
	PH_RUNNING,
	PH_ENDED,
};

struct guest {
	const struct cr_guest_plan *plan;
	char *domain, *dir, *overlay, *results_disk, *console_path, *out_dir;
	struct cr_built image;
	bool have_image;
	unsigned *pin;
	virDomainPtr dom;
	struct cr_console con;
	enum phase phase;
	/* on a libvirt host reached by upload: the volumes, the console stream */
	char *r_base, *r_kernel, *r_initrd, *overlay_vol, *results_vol;
	virStreamPtr console_st;
	int console_fd;
	bool vol_kept; /* its results volume could not be downloaded: it stays in the pool */
	/* what the console said */
	bool hello, done;
	struct cr_progress last; /* last START/HEARTBEAT/END */
	enum cr_progress_status done_status;
	char *done_reason; /* the reason on the agent's DONE line, NULL without one */
	uint64_t total, ended, n_ok, n_failed, n_unsupported;
	uint64_t bad_lines;
	double agent_uptime; /* < 0 until the agent unit started */
	bool panic;
	bool disk_kept; /* its results could not be harvested: the disk stays in the cache */
	char *agent_said; /* the agent's last "crbench-agent: " line on the console */
	/* what the host saw */
	bool stopped_event;
	int stopped_detail;
	double t_provision, t_start, t_agent, t_last_progress, t_end, provision_seconds, t_state_checked;
	const char *ended_by; /* "timeout", "progress-timeout", "interrupted", "event-loop" or NULL */
	char *status, *reason, *harvest;
	double measured_seconds;
	uint64_t steps_ok, steps_failed, steps_unsupported, steps_harvested;
};

struct run {
	const struct cr_plan *plan;
	struct guest *g;
	size_t n;
	bool tty, verbose;
	size_t drawn; /* status lines on screen (tty) */
	virConnectPtr conn;
	char *run_id, *out, *rundir, *domains_file, *payload, *images;
	/* remote mode: the guests' disks are volumes in pool on libvirt host host (this one with --upload) */
	bool remote;
	virStoragePoolPtr pool;
	const char *pool_name;
	char *host, *r_payload, *r_images, *payload_vol;
	unsigned host_cpus; /* the remote host's, 0 here */
	char *accel_reason; /* the preflight's word on the accelerator, for run.json */
	json_t *manifest;
	double t0, payload_seconds, images_seconds;
	struct cr_built containers[2]; /* the suite's container images */
	size_t n_containers;
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

static void guest_line(const struct run *r, const struct guest *g, char *buf, size_t len)
{
	double now = cr_now();
	char el[32];

	switch (g->phase) {
	case PH_PENDING:
		snprintf(buf, len, "%-10s waiting", g->plan->name);
		return;
	case PH_ENDED:
		snprintf(buf, len, "%-10s %s%s%.80s%s: %llu ok, %llu failed, %llu unsupported", g->plan->name, g->status ? g->status : "ended",
			 g->reason ? " (" : "", g->reason ? g->reason : "", g->reason ? ")" : "", (unsigned long long)g->steps_ok,
			 (unsigned long long)g->steps_failed, (unsigned long long)g->steps_unsupported);
		return;
	case PH_RUNNING:
		break;
	}
	fmt_duration(now - g->t_start, el, sizeof(el));
	if (!g->hello)
		snprintf(buf, len, "%-10s %s  booting%s", g->plan->name, el, g->agent_uptime >= 0 ? ", agent starting" : "");
	else if (g->last.index == 0)
		snprintf(buf, len, "%-10s %s  loading the container images", g->plan->name, el);
	else if (g->done)
		snprintf(buf, len, "%-10s %s  suite done, powering off", g->plan->name, el);
	else {
		char step[32];

		fmt_duration(g->last.event == CR_PROGRESS_END ? 0 : now - g->t_last_progress + g->last.elapsed, step, sizeof(step));
		snprintf(buf, len, "%-10s %s  [%llu/%llu] %s%s%s  %s  (%llu ok, %llu failed, %llu unsupported)", g->plan->name, el,
			 (unsigned long long)g->last.index, (unsigned long long)g->total, g->last.test,
			 g->last.event == CR_PROGRESS_END ? " done" : "", "", g->last.event == CR_PROGRESS_END ? "" : step,
			 (unsigned long long)g->n_ok, (unsigned long long)g->n_failed, (unsigned long long)g->n_unsupported);
	}
	(void)r;
}

static void erase(struct run *r)
{
	if (r->tty && r->drawn) {
		fprintf(stderr, "\033[%zuA\r\033[J", r->drawn);
		r->drawn = 0;
	}
}

static void draw(struct run *r)
{
	char line[512];

	if (!r->tty)
		return;
	erase(r);
	for (size_t i = 0; i < r->n; i++) {
		guest_line(r, &r->g[i], line, sizeof(line));
		fprintf(stderr, "%.*s\n", 200, line);
	}
	r->drawn = r->n;
	fflush(stderr);
}

/* A permanent line above the status block (or just a line when not a terminal). */
static void __attribute__((format(printf, 2, 3))) say(struct run *r, const char *fmt, ...)
{
	va_list ap;

	erase(r);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	draw(r);
}

/* ---- following the console ---- */

static void on_line(void *data, const char *line)
{
	struct guest *g = ((void **)data)[0];
	struct run *r = ((void **)data)[1];
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;
	const char *m = strstr(line, CR_AGENT_MARKER);
	int rc;

	if (r->verbose)
		say(r, "%s| %s", g->plan->name, line);
	if (m && g->agent_uptime < 0) {
		g->agent_uptime = strtod(m + strlen(CR_AGENT_MARKER), NULL);
		g->t_agent = cr_now() - g->t_start;
	}
	if (strstr(line, "Kernel panic"))
		g->panic = true;
	/* what the agent said on its way out, for the reason of a guest that stopped early */
	if ((m = strstr(line, "crbench-agent: ")) && !strstr(line, "injecting fault")) {
		free(g->agent_said);
		g->agent_said = xstrndup(m + strlen("crbench-agent: "), 300);
	}
	rc = cr_progress_parse(line, strlen(line), &p, &err);
	if (rc == 0)
		return;
	if (rc < 0) {
		if (g->bad_lines++ < 5)
			say(r, "%s: ignored a bad progress line: %s", g->plan->name, err->msg);
		return;
	}
	g->t_last_progress = cr_now();
	switch (p.event) {
	case CR_PROGRESS_HELLO:
		g->hello = true;
		g->total = p.total;
		say(r, "%s: agent started %.0f s after boot, %llu steps", g->plan->name,
		    g->agent_uptime >= 0 ? g->agent_uptime : cr_now() - g->t_start, (unsigned long long)p.total);
		break;
	case CR_PROGRESS_START:
		g->last = p;
		if (!r->tty)
			say(r, "%s: [%llu/%llu] %s started", g->plan->name, (unsigned long long)p.index, (unsigned long long)p.total, p.test);
		break;
	case CR_PROGRESS_HEARTBEAT:
		g->last = p;
		break;
	case CR_PROGRESS_END:
		g->last = p;
		g->ended++;
		g->n_ok += p.status == CR_STATUS_OK;
		g->n_failed += p.status == CR_STATUS_FAILED || p.status == CR_STATUS_TIMEOUT;
		g->n_unsupported += p.status == CR_STATUS_UNSUPPORTED;
		if (p.status != CR_STATUS_OK)
			say(r, "%s: [%llu/%llu] %s: %s%s%s", g->plan->name, (unsigned long long)p.index, (unsigned long long)p.total, p.test,
			    cr_progress_status_names[p.status], p.reason[0] ? ": " : "", p.reason);
		else if (!r->tty)
			say(r, "%s: [%llu/%llu] %s: ok in %.1f s", g->plan->name, (unsigned long long)p.index, (unsigned long long)p.total,
			    p.test, p.elapsed);
		break;
	case CR_PROGRESS_DONE:
		g->done = true;
		g->done_status = p.status;
		free(g->done_reason);
		g->done_reason = p.reason[0] ? xstrdup(p.reason) : NULL;
		break;
	case CR_PROGRESS__MAX:
		break;
	}
}

static void follow(struct run *r, struct guest *g)
{
	void *ctx[2] = { g, r };

	cr_console_poll(&g->con, on_line, ctx);
}

/* ---- libvirt events ---- */

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct run *r = opaque;
	const char *name = virDomainGetName(dom);

	if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_CRASHED)
		return 0;
	for (size_t i = 0; name && i < r->n; i++) {
		if (r->g[i].domain && strcmp(r->g[i].domain, name) == 0) {
			r->g[i].stopped_event = true;
			r->g[i].stopped_detail = event == VIR_DOMAIN_EVENT_CRASHED ? -1 : detail;
		}
	}
	return 0;
}

static void on_tick(int timer, void *opaque)
{
	/* only there to make virEventRunDefaultImpl return regularly */
}

/* ---- one guest ---- */

static void append_line(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		/* the reaper then misses this domain; nothing else to do */
	}
	close(fd);
}

/* The fault the guest makes happen (crbench.fault=), or NULL: results-full is the host's doing. */
static const char *guest_fault(void)
{
	return fault && strcmp(fault, "results-full") ? fault : NULL;
}

/* Now, UTC, as run.json writes times. */
static json_t *utc_now_json(void)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(stamp);
}

/* A volume of the run, with where its content comes down to (or NULL), for the reaper should this process die. */
static void record_volume(struct run *r, const char *name, const char *local)
{
	cleanup_free char *file = xasprintf("%s/volumes", r->rundir), *line = xasprintf("%s\t%s", name, local ? local : "");

	append_line(file, line);
}

/* The remote console: what the guest's serial port says goes to the local console log, which follow() reads. */
static void console_pump(virStreamPtr st, int events, void *opaque)
{
	struct guest *g = opaque;
	char buf[16384];

	for (;;) {
		int n = virStreamRecv(st, buf, sizeof(buf));

		if (n == -2)
			return; /* nothing more for now */
		if (n <= 0) {
			/* the guest is gone (0), or the stream broke: the log ends here */
			virStreamEventRemoveCallback(st);
			if (n == 0)
				virStreamFinish(st);
			else
				virStreamAbort(st);
			virStreamFree(st);
			g->console_st = NULL;
			return;
		}
		if (write(g->console_fd, buf, (size_t)n) < 0) {
			/* the local disk is full: the progress display stops, the guest goes on */
		}
	}
}

static void console_close(struct guest *g)
{
	if (g->console_st) {
		console_pump(g->console_st, 0, g); /* what is already there */
		if (g->console_st) {
			virStreamEventRemoveCallback(g->console_st);
			virStreamAbort(g->console_st);
			virStreamFree(g->console_st);
			g->console_st = NULL;
		}
	}
	if (g->console_fd >= 0)
		close(g->console_fd);
	g->console_fd = -1;
}

/* The guest's disks on the libvirt host: an overlay on the cached base volume, an empty results volume. */
static int remote_disks(struct run *r, struct guest *g, uint64_t results_size, char **disk, char **results, cr_error_t *err)
{
	cleanup_free char *base = xasprintf("%s/%s", g->image.dir, CR_IMAGE_DISK);
	cleanup_free char *local = xasprintf("%s/results.raw", g->plan->name); /* g->results_disk, relative to the run's directory */
	uint64_t capacity;

	if (cr_qcow2_virtual_size(base, &capacity, err) < 0)
		return -1;
	record_volume(r, g->overlay_vol, NULL);
	record_volume(r, g->results_vol, local);
	if (cr_vol_create_overlay(r->pool, g->overlay_vol, g->r_base, capacity, disk, err) < 0 ||
	    cr_vol_create_raw(r->pool, g->results_vol, results_size, results, err) < 0)
		return -1;
	return 0;
}

/* Started paused: the console is open before the guest's first line, then it runs. */
static int remote_console(struct run *r, struct guest *g, cr_error_t *err)
{
	g->console_fd = open(g->console_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (g->console_fd < 0)
		return cr_error(err, errno, "cannot create '%s'", g->console_path);
	g->console_st = virStreamNew(r->conn, VIR_STREAM_NONBLOCK);
	if (!g->console_st || virDomainOpenConsole(g->dom, NULL, g->console_st, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(g->console_st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				      console_pump, g, NULL) < 0) {
		cr_virt_error(err, "cannot open the console of '%s'", g->domain);
		if (g->console_st) {
			virStreamAbort(g->console_st);
			virStreamFree(g->console_st);
		}
		g->console_st = NULL;
		return -1;
	}
	if (virDomainResume(g->dom) < 0)
		return cr_virt_error(err, "cannot resume '%s'", g->domain);
	return 0;
}

/* What a guest that could not start leaves: nothing. */
static void drop_guest_disks(struct run *r, struct guest *g)
{
	console_close(g);
	if (r->remote) {
		cr_vol_delete(r->pool, g->overlay_vol, NULL);
		cr_vol_delete(r->pool, g->results_vol, NULL);
	}
	unlink(g->overlay);
	unlink(g->results_disk);
	unlink(g->console_path);
	rmdir(g->dir);
}

static int start_guest(struct run *r, struct guest *g, enum cr_accel accel, cr_error_t *err)
{
	cleanup_free char *base = xasprintf("%s/%s", g->image.dir, CR_IMAGE_DISK);
	cleanup_free char *kernel = xasprintf("%s/%s", g->image.dir, CR_IMAGE_KERNEL);
	cleanup_free char *initrd = xasprintf("%s/%s", g->image.dir, CR_IMAGE_INITRD);
	cleanup_free char *cmdline = xasprintf("%s crbench.guest=%s%s%s", CR_GUEST_CMDLINE, g->plan->name,
					       guest_fault() ? " crbench.fault=" : "", guest_fault() ? guest_fault() : "");
	cleanup_free char *r_disk = NULL, *r_results = NULL;
	uint64_t results_size = fault && !guest_fault() ? CR_RESULTS_FULL_SIZE : CR_RESULTS_DISK_SIZE;
	struct cr_domain_spec spec = {
		.name = g->domain,
		.accel = accel,
		.vcpus = g->plan->vcpus,
		.memory = g->plan->memory,
		.nested = cr_guest_nested(g->plan),
		.kernel = r->remote ? g->r_kernel : kernel,
		.initrd = r->remote ? g->r_initrd : initrd,
		.cmdline = cmdline,
		.disk = g->overlay,
		.payload = r->remote ? r->r_payload : r->payload,
		.results = g->results_disk,
		.images = r->remote ? r->r_images : r->images,
		.console_log = r->remote ? NULL : g->console_path,
		.paused = r->remote,
		.pin = g->pin,
		.n_pin = g->pin ? g->plan->vcpus : 0,
	};

	g->t_provision = cr_now();
	if (mkdir(g->dir, 0755) < 0)
		return cr_error(err, errno, "cannot create '%s'", g->dir);
	if (r->remote) {
		if (remote_disks(r, g, results_size, &r_disk, &r_results, err) < 0)
			return -1;
		spec.disk = r_disk;
		spec.results = r_results;
	} else if (cr_overlay_make(base, g->overlay, err) < 0 || cr_results_disk_make(g->results_disk, results_size, err) < 0) {
		return -1;
	}
	append_line(r->domains_file, g->domain);
	if (cr_domain_start(r->conn, &spec, &g->dom, err) < 0)
		return -1;
	if (r->remote && remote_console(r, g, err) < 0) {
		cr_domain_destroy(g->dom);
		g->dom = NULL;
		return -1;
	}
	g->t_start = g->t_last_progress = cr_now();
	g->provision_seconds = g->t_start - g->t_provision;
	g->phase = PH_RUNNING;
	g->con.path = g->console_path;
	return 0;
}

/* Sum the seconds and count the statuses of the harvested step entries ("NNNN-*.json"). */
static void tally(struct guest *g, const char *results_dir, const struct cr_harvest_report *hr)
{
	for (size_t i = 0; i < hr->n_entries; i++) {
		const char *name = hr->entries[i].name;
		cleanup_free char *path = NULL;
		json_t *doc;
		const char *st;

		if (!cr_results_step_name(name))
			continue;
		path = xasprintf("%s/%s", results_dir, name);
		doc = json_load_file(path, 0, NULL);
		st = json_string_value(json_object_get(doc, "status"));
		g->steps_harvested++;
		g->measured_seconds += json_number_value(json_object_get(doc, "seconds"));
		if (st && strcmp(st, "ok") == 0)
			g->steps_ok++;
		else if (st && strcmp(st, "unsupported") == 0)
			g->steps_unsupported++;
		else
			g->steps_failed++;
		json_decref(doc);
	}
}

static json_t *guest_json(const struct run *r, const struct guest *g)
{
	json_t *pin = json_null(), *manifest = NULL;

	if (g->pin) {
		pin = json_array();
		for (uint64_t v = 0; v < g->plan->vcpus; v++)
			json_array_append_new(pin, json_integer(g->pin[v]));
	}
	if (g->have_image) {
		cleanup_free char *path = xasprintf("%s/%s", g->image.dir, CR_IMAGE_MANIFEST);

		manifest = json_load_file(path, 0, NULL);
	}
	return json_pack("{s:s, s:s, s:s, s:s?, s:o?, s:s?, s:I, s:I, s:b, s:o, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, "
			 "s:f, s:f, s:o}",
			 "name", g->plan->name, "runtime", g->plan->runtime, "image", g->plan->image, "image_key",
			 g->have_image ? g->image.key : NULL, "image_manifest", manifest, "domain", g->domain, "vcpus",
			 (json_int_t)g->plan->vcpus, "memory_bytes", (json_int_t)g->plan->memory, "nested",
			 cr_guest_nested(g->plan),
			 "pinned_cpus", pin, "status", g->status ? g->status : g->phase == PH_PENDING ? "not-run" : "running", "reason",
			 g->reason, "harvest", g->harvest, "steps_planned", (json_int_t)g->total, "steps_harvested",
			 (json_int_t)g->steps_harvested, "steps_ok", (json_int_t)g->steps_ok, "steps_failed", (json_int_t)g->steps_failed,
			 "steps_unsupported", (json_int_t)g->steps_unsupported, "provision_seconds", g->provision_seconds, "boot_seconds",
			 g->t_agent, "wall_seconds", g->t_end, "measured_seconds", g->measured_seconds, "overhead_seconds",
			 g->t_end > 0 ? g->t_end - g->measured_seconds : 0.0, "agent_unit_uptime",
			 g->agent_uptime >= 0 ? json_real(g->agent_uptime) : json_null());
	(void)r;
}

static void write_manifest(struct run *r, const char *status)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *path = xasprintf("%s/run.json", r->out);
	json_t *guests = json_array();
	double measured = 0, wall = cr_now() - r->t0;

	for (size_t i = 0; i < r->n; i++) {
		json_array_append_new(guests, guest_json(r, &r->g[i]));
		measured += r->g[i].measured_seconds;
	}
	json_object_set_new(r->manifest, "guests", guests);
	json_object_set_new(r->manifest, "status", json_string(status));
	json_object_set_new(r->manifest, "finished", status && strcmp(status, "running") ? utc_now_json() : json_null());
	json_object_set_new(r->manifest, "wall_seconds", json_real(wall));
	json_object_set_new(r->manifest, "measured_seconds", json_real(measured));
	json_object_set_new(r->manifest, "overhead_seconds", json_real(wall - measured));
	if (cr_json_write_atomic(path, r->manifest, &err) < 0)
		say(r, "crbench run: %s", err->msg);
}

/* The guest stopped, or must: destroy it, save its console, harvest its disk, decide its status. */
static void end_guest(struct run *r, struct guest *g, bool keep)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *results = NULL, *disk_error = NULL;
	struct cr_harvest_report hr;
	bool console_saved;
	int rc;

	cr_domain_destroy(g->dom);
	g->dom = NULL;
	/* the console's last lines (a panic's, say) may still be on their way: until its end of file, 2 s at most */
	for (double t = cr_now(); g->console_st && cr_now() - t < 2;)
		if (virEventRunDefaultImpl() < 0)
			break;
	console_close(g);
	follow(r, g);
	g->t_end = cr_now() - g->t_provision;
	g->phase = PH_ENDED;

	if (r->remote) {
		double t = cr_now();

		if (cr_vol_download(r->pool, g->results_vol, g->results_disk, &err) < 0) {
			/* the volume stays in the pool: nothing the guest measured is deleted */
			disk_error = xasprintf("cannot download the results disk: %s", err->msg);
			g->vol_kept = true;
		}
		/* no console was read meanwhile: that time is no guest's silence */
		for (size_t i = 0; i < r->n; i++)
			r->g[i].t_last_progress += cr_now() - t;
	}
	rc = cr_guest_collect(g->results_disk, disk_error, g->console_path, g->out_dir, &hr, &console_saved, &err);
	results = xasprintf("%s/results", g->out_dir);
	/*
	 * a results directory that cannot take them (a full disk), or a disk
	 * past the host's limits (read only in part): the guest's disk stays, and says where
	 */
	g->disk_kept = rc < 0 || !console_saved || hr.capped;
	if (g->vol_kept)
		say(r, "%s: %s; kept its results volume '%s' in pool '%s' on '%s' (virsh vol-download --sparse it, then crbench harvest)",
		    g->plan->name, err->msg, g->results_vol, r->pool_name, r->host);
	else if (g->disk_kept)
		say(r, "%s: %s%s; kept the guest's results disk '%s' and console log '%s' (crbench harvest %s --out DIR reads it)",
		    g->plan->name, rc < 0 ? "cannot harvest: " : hr.capped ? "the results disk is past the host's limits, read in part" : "cannot copy the console log", rc < 0 ? err->msg : "", g->results_disk,
		    g->console_path, g->results_disk);
	g->harvest = xstrdup(rc < 0 ? "error" : cr_harvest_status_names[cr_harvest_status(&hr)]);
	tally(g, results, &hr);
	if (hr.n_refused || hr.n_problems || hr.truncation) {
		erase(r);
		harvest_print_report(g->plan->name, results, &hr);
		draw(r);
	}

	if (g->ended_by) {
		g->status = xstrdup(strcmp(g->ended_by, "interrupted") == 0 || strcmp(g->ended_by, "event-loop") == 0 ? "interrupted"
														    : "timeout");
		if (strcmp(g->ended_by, "timeout") == 0)
			g->reason = xasprintf("ran past the plan's timeout of %llu s and was destroyed", (unsigned long long)r->plan->timeout);
		else if (strcmp(g->ended_by, "progress-timeout") == 0)
			g->reason = xasprintf("no progress line for %llu s (the plan's progress-timeout): destroyed",
					      (unsigned long long)r->plan->progress_timeout);
		else if (strcmp(g->ended_by, "event-loop") == 0)
			g->reason = xstrdup("libvirt's event loop failed, crbench run could not follow the guest: destroyed");
		else
			g->reason = xasprintf("crbench run got %s: the guest was destroyed", stop == SIGINT ? "SIGINT" : "SIGTERM");
	} else if (g->done && rc == 0 && cr_harvest_status(&hr) == CR_HARVEST_VERIFIED) {
		/* an agent that finished and measured nothing (a Kata that would not be a real nested VM) is no success */
		bool refused = g->done_reason && str_has_prefix(g->done_reason, CR_AGENT_REFUSED);

		g->status = xstrdup(refused ? "refused" : "complete");
		if (refused)
			g->reason = xstrdup(g->done_reason);
	} else {
		g->status = xstrdup("failed");
		if (g->panic || g->stopped_detail == -1)
			g->reason = xstrdup("the guest kernel panicked (see console.log)");
		else if (rc < 0)
			g->reason = xasprintf("cannot harvest the results disk: %s", err->msg);
		else if (!g->done && g->agent_uptime < 0)
			g->reason = xstrdup("the guest stopped before the agent unit started (see console.log)");
		else if (!g->done)
			g->reason = xasprintf("the guest stopped before the agent finished%s%s (see console.log)",
					      g->agent_said ? "; the agent said: " : "", g->agent_said ? g->agent_said : "");
		else
			g->reason = xasprintf("the results disk's harvest is %s (see harvest.json)", g->harvest);
	}
	cr_harvest_report_release(&hr);
	if (!keep) {
		unlink(g->overlay);
		if (r->remote) {
			cleanup_error cr_error_t verr = NULL;

			if (cr_vol_delete(r->pool, g->overlay_vol, &verr) < 0 || (!g->vol_kept && cr_vol_delete(r->pool, g->results_vol, &verr) < 0))
				say(r, "%s: %s", g->plan->name, verr->msg);
		}
		if (!g->disk_kept) {
			unlink(g->results_disk);
			unlink(g->console_path);
			for (int k = 0; k < CR_CONSOLE_PARTS; k++) {
				cleanup_free char *part = xasprintf("%s.%d", g->console_path, k);

				unlink(part);
			}
			rmdir(g->dir);
		}
	}
	say(r, "%s: %s%s%s: %llu of %llu steps harvested (%llu ok, %llu failed, %llu unsupported), harvest %s, %.0f s", g->plan->name,
	    g->status, g->reason ? ": " : "", g->reason ? g->reason : "", (unsigned long long)g->steps_harvested,
	    (unsigned long long)g->total, (unsigned long long)g->steps_ok, (unsigned long long)g->steps_failed,
	    (unsigned long long)g->steps_unsupported, g->harvest, g->t_end);
	write_manifest(r, "running");
}

static void check_guest(struct run *r, struct guest *g, bool keep)
{
	double now = cr_now();

	follow(r, g);
	if (stop && !g->ended_by)
		g->ended_by = "interrupted";
	else if (now - g->t_start > (double)r->plan->timeout)
		g->ended_by = "timeout";
	else if (now - g->t_last_progress > (double)r->plan->progress_timeout)
		g->ended_by = "progress-timeout";
	/*
	 * Lifecycle events say when a domain stops; asking libvirt as well, but
	 * only every few seconds, covers a lost event. (Every call wakes the
	 * event loop: asking on each turn would make it spin.)
	 */
	if (!g->ended_by && !g->stopped_event && now - g->t_state_checked >= 5) {
		g->t_state_checked = now;
		g->stopped_event = !cr_domain_running(g->dom);
	}
	/* a guest whose agent finished and that powered off before the signal or timeout came is not interrupted by it */
	if (g->ended_by && g->done && (g->stopped_event || !cr_domain_running(g->dom))) {
		g->ended_by = NULL;
		g->stopped_event = true;
	}
	if (g->ended_by || g->stopped_event)
		end_guest(r, g, keep);
}

static void release_guest(struct guest *g)
{
	cr_domain_destroy(g->dom);
	console_close(g);
	free(g->r_base);
	free(g->r_kernel);
	free(g->r_initrd);
	free(g->overlay_vol);
	free(g->results_vol);
	if (g->have_image)
		cr_built_release(&g->image);
	free(g->domain);
	free(g->dir);
	free(g->overlay);
	free(g->results_disk);
	free(g->console_path);
	free(g->out_dir);
	free(g->status);
	free(g->reason);
	free(g->harvest);
	free(g->agent_said);
	free(g->done_reason);
	free(g->pin);
}

/* ---- the command ---- */

/*
 * vCPUs pinned to host CPUs no other live run has pinned, recorded in the
 * run's cpus file for the runs that start after; under a lock, so that two
 * runs started together do not pick the same CPUs.
 */
static void pin_vcpus(struct run *r, const char *cache_dir, const uint64_t *vcpus, unsigned ***pins, char **why)
{
	cleanup_free char *lock = xasprintf("%s/runs/.pin.lock", cache_dir), *cpus = xasprintf("%s/cpus", r->rundir);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	cpu_set_t busy;
	FILE *f;

	if (fd >= 0)
		flock(fd, LOCK_EX);
	cr_runs_busy_cpus(cache_dir, r->host, &busy);
	cr_pin_plan(vcpus, r->n, r->plan->parallel, r->host_cpus, &busy, pins, why);
	f = fopen(cpus, "we");
	for (size_t i = 0; f && *pins && i < r->n; i++)
		for (uint64_t v = 0; v < vcpus[i]; v++)
			fprintf(f, "%u\n", (*pins)[i][v]);
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd); /* and the lock with it */
}

/*
 * Every guest's image, then the suite's container images, built when the
 * cache lacks them. Before any libvirt connection: a build takes minutes,
 * and libvirtd drops a client that does not answer its keepalives.
 */
static int build_all(struct run *r, const char *cache_dir, cr_error_t *err)
{
	cleanup_free char *datadir = cr_data_dir(), *images_dir = xasprintf("%s/images", datadir);
	struct cr_build_opts bo = { .verify = true, .interrupted = &stop, .cache_dir = cache_dir, .srcdir = datadir };

	for (size_t i = 0; i < r->n; i++) {
		struct guest *g = &r->g[i];

		for (size_t k = 0; k < i; k++) {
			if (strcmp(r->g[k].plan->image, g->plan->image) == 0) {
				g->image.dir = xstrdup(r->g[k].image.dir);
				g->image.key = xstrdup(r->g[k].image.key);
				g->image.mirror = NULL;
				g->have_image = true;
				break;
			}
		}
		if (!g->have_image) {
			if (build_plan_image(&bo, images_dir, r->plan, g->plan->image, &g->image) != EXIT_SUCCESS)
				return cr_error(err, 0, "cannot build image '%s' of guest '%s'", g->plan->image, g->plan->name);
			g->have_image = true;
		}
	}
	for (size_t k = 0; cr_suite_container_recipes[k] && r->n_containers < ARRAY_SIZE(r->containers); k++) {
		if (build_image(&bo, images_dir, cr_suite_container_recipes[k], &r->containers[r->n_containers]) != EXIT_SUCCESS)
			return cr_error(err, 0, "cannot build the suite's container image '%s'", cr_suite_container_recipes[k]);
		r->n_containers++;
	}
	return stop ? cr_error(err, 0, "interrupted") : 0;
}

/* The libvirt host the guests ran on, when it is reached by upload. */
static json_t *remote_json(const struct run *r)
{
	virNodeInfo info;
	bool ok = virNodeGetInfo(r->conn, &info) == 0;

	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "host", r->host ? r->host : "", "pool", r->pool_name, "cpus",
			 ok ? json_integer(info.cpus) : json_null(), "cpu_model", ok ? json_string(info.model) : json_null(), "memory_bytes",
			 ok ? json_integer((json_int_t)info.memory * 1024) : json_null());
}

/* A cached volume: the base image, kernel, initrd or images disk goes up once per libvirt host and pool. */
static int upload_cached(struct run *r, const char *name, const char *local, char **path, cr_error_t *err)
{
	struct stat st;
	double t = cr_now();
	int cached = cr_vol_cached(r->pool, name, path, err);

	if (cached != 0)
		return cached < 0 ? -1 : 0;
	fprintf(stderr, "crbench run: uploading '%s' (%.0f MiB) to pool '%s' on '%s' as '%s'\n", local,
		stat(local, &st) == 0 ? (double)st.st_size / (1 << 20) : 0.0, r->pool_name, r->host, name);
	if (cr_vol_upload_cached(r->pool, name, local, path, err) < 0)
		return -1;
	fprintf(stderr, "crbench run: uploaded '%s' in %.1f s\n", name, cr_now() - t);
	return 0;
}

/* "crbench-<cache entry>-<file>": a cached file's volume, named by its cache entry's key. */
static char *cached_vol_name(const char *path)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/'), *entry;

	if (!slash)
		return xasprintf("crbench-%s", path);
	*slash = '\0';
	entry = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	return xasprintf("crbench-%s-%s", entry, slash + 1);
}

/*
 * Remote mode: what every guest reads goes up (the per-run payload always,
 * the rest unless cached), under a lock of the cache, so that two runs
 * started together do not both upload one volume. (Runs from other machines
 * into the same pool are not covered by it.)
 */
static int upload_all(struct run *r, const char *cache_dir, cr_error_t *err)
{
	const char *parts[] = { CR_IMAGE_DISK, CR_IMAGE_KERNEL, CR_IMAGE_INITRD };
	cleanup_free char *images_name = cached_vol_name(r->images), *lock = xasprintf("%s/runs/.upload.lock", cache_dir);
	cleanup_close int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return cr_error(err, errno, "cannot lock '%s'", lock);
	for (size_t i = 0; i < r->n; i++) {
		struct guest *g = &r->g[i];
		char **paths[] = { &g->r_base, &g->r_kernel, &g->r_initrd };

		for (size_t k = 0; k < ARRAY_SIZE(parts); k++) {
			cleanup_free char *local = xasprintf("%s/%s", g->image.dir, parts[k]), *name = cached_vol_name(local);

			if (upload_cached(r, name, local, paths[k], err) < 0)
				return -1;
		}
	}
	if (upload_cached(r, images_name, r->images, &r->r_images, err) < 0)
		return -1;
	r->payload_vol = xasprintf(CR_RUN_DOMAIN_PREFIX "%s-payload.raw", r->run_id);
	record_volume(r, r->payload_vol, NULL);
	return cr_vol_upload(r->pool, r->payload_vol, r->payload, &r->r_payload, err);
}

static int prepare(struct run *r, struct cr_plan *plan, const char *cache_dir, const char *results_root, enum cr_accel accel, bool pin_ok,
		   cr_error_t *err)
{
	cleanup_free char *agent = cr_agent_path(), *plan_path = NULL, *dump = NULL;
	cleanup_free char *staging = NULL, *owner = NULL, *pid = xasprintf("%d", (int)getpid());
	struct cr_payload_file files[4]; /* the agent and the plan; or the container images */
	size_t n_files = 0;
	bool made = false;
	cleanup_free uint64_t *vcpus = xcalloc(plan->n_guests, sizeof(uint64_t));
	unsigned **pins = NULL;
	cleanup_free char *why = NULL;
	uint32_t rnd = 0;
	int ret = -1;

	/* the run's id, directories and resolved plan (with the seed the run uses) */
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)getpid();
	if (!plan->seed_set) {
		uint64_t seed;

		if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
			seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
		plan->seed = seed & INT64_MAX; /* JSON integers are signed */
		plan->seed_set = true;
	}
	r->run_id = cr_run_id(plan, time(NULL), rnd);
	r->out = xasprintf("%s/%s", results_root, r->run_id);
	{
		cleanup_free char *runs = xasprintf("%s/runs", cache_dir);

		if (mkdir(results_root, 0755) < 0 && errno != EEXIST) {
			cr_error(err, errno, "cannot create results directory '%s'", results_root);
			goto out;
		}
		if (mkdir(r->out, 0755) < 0) {
			cr_error(err, errno, "cannot create run directory '%s'", r->out);
			goto out;
		}
		if (mkdir(runs, 0755) < 0 && errno != EEXIST) {
			cr_error(err, errno, "cannot create '%s'", runs);
			goto out;
		}
	}
	r->rundir = xasprintf("%s/runs/%s", cache_dir, r->run_id);
	if (mkdir(r->rundir, 0755) < 0) {
		cr_error(err, errno, "cannot create '%s'", r->rundir);
		goto out;
	}
	owner = xasprintf("%s/owner", r->rundir);
	append_line(owner, pid);
	{
		/* where the results go, for a later run to harvest this one's disks should this process die */
		cleanup_free char *out_file = xasprintf("%s/out", r->rundir), *abs = realpath(r->out, NULL);

		append_line(out_file, abs ? abs : r->out);
	}
	r->domains_file = xasprintf("%s/domains", r->rundir);
	{
		/* which libvirt host, for the pinning of runs beside this one and for the reaper */
		cleanup_free char *uri = virConnectGetURI(r->conn), *uri_file = xasprintf("%s/uri", r->rundir);
		cleanup_free char *host_file = xasprintf("%s/host", r->rundir), *pool_file = xasprintf("%s/pool", r->rundir);

		if (uri)
			append_line(uri_file, uri);
		if (r->host)
			append_line(host_file, r->host);
		if (r->remote)
			append_line(pool_file, r->pool_name);
	}
	dump = cr_plan_dump(plan);
	plan_path = xasprintf("%s/plan.ini", r->out);
	{
		FILE *f = fopen(plan_path, "we");

		if (!f || fputs(dump, f) == EOF || fclose(f) != 0) {
			cr_error(err, errno, "cannot write '%s'", plan_path);
			goto out;
		}
	}

	/* the container images' disk, made once and shared; one small payload disk for every guest of the run */
	{
		cleanup_free char *key = xstrdup("");

		for (size_t k = 0; k < r->n_containers; k++) {
			char *t = xasprintf("%s%s%s", key, k ? "-" : "", r->containers[k].key);

			free(key);
			key = t;
			files[n_files++] = (struct cr_payload_file){ xasprintf("%s/%s", r->containers[k].dir, CR_IMAGE_CONTAINER),
								     xasprintf("%s.tar", cr_suite_container_recipes[k]) };
		}
		r->payload_seconds = cr_now();
		ret = cr_images_disk(cache_dir, files, n_files, key, &r->images, &made, err);
		r->images_seconds = cr_now() - r->payload_seconds;
		for (size_t k = 0; k < n_files; k++) {
			free((char *)files[k].src);
			free((char *)files[k].dest);
		}
		if (ret < 0)
			goto out;
		if (made)
			fprintf(stderr, "crbench run: made the container images disk '%s' in %.1f s\n", r->images, r->images_seconds);
	}
	/* each guest finds its name on its kernel command line */
	files[0] = (struct cr_payload_file){ agent, "crbench-agent" };
	files[1] = (struct cr_payload_file){ plan_path, "plan.ini" };
	staging = xasprintf("%s/payload", r->rundir);
	r->payload = xasprintf("%s/payload.raw", r->rundir);
	r->payload_seconds = cr_now();
	ret = cr_payload_make(staging, files, 2, "crbench-payload", r->payload, err);
	r->payload_seconds = cr_now() - r->payload_seconds;
	cr_rmtree(staging);
	if (ret < 0)
		goto out;
	ret = -1;
	if (r->remote && upload_all(r, cache_dir, err) < 0)
		goto out;

	/* per guest: names and paths; vCPU pinning */
	for (size_t i = 0; i < r->n; i++)
		vcpus[i] = r->g[i].plan->vcpus;
	if (pin_ok)
		pin_vcpus(r, cache_dir, vcpus, &pins, &why);
	else
		why = xstrdup("not pinned: --no-pin");
	for (size_t i = 0; i < r->n; i++) {
		struct guest *g = &r->g[i];

		g->domain = xasprintf(CR_RUN_DOMAIN_PREFIX "%s-%s", r->run_id, g->plan->name);
		g->dir = xasprintf("%s/%s", r->rundir, g->plan->name);
		g->overlay = xasprintf("%s/overlay.qcow2", g->dir);
		g->results_disk = xasprintf("%s/results.raw", g->dir);
		g->console_path = xasprintf("%s/console.log", g->dir);
		g->out_dir = xasprintf("%s/%s", r->out, g->plan->name);
		g->agent_uptime = -1;
		g->overlay_vol = xasprintf("%s-overlay.qcow2", g->domain);
		g->results_vol = xasprintf("%s-results.raw", g->domain);
		if (pins) {
			g->pin = pins[i];
			pins[i] = NULL;
		}
	}
	cr_pin_free(pins, r->n);

	r->manifest = json_pack("{s:s, s:i, s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:f}", "format", "crbench-run", "version", 1, "run_id",
				r->run_id, "crbench_version", crbench_version, "seed", (json_int_t)plan->seed, "plan", cr_plan_to_json(plan),
				"host", cr_host_json(r->conn), "accel", cr_accel_name(accel), "pinning",
				why ? why : "each vCPU pinned to its own host CPU, disjoint between guests running together",
				"payload_seconds", r->payload_seconds);
	json_object_set_new(r->manifest, "injected_fault", fault ? json_string(fault) : json_null());
	json_object_set_new(r->manifest, "images_disk", json_pack("{s:s, s:b, s:f}", "path", r->images, "made", made, "seconds", r->images_seconds));
	json_object_set_new(r->manifest, "started", utc_now_json());
	json_object_set_new(r->manifest, "remote", r->remote ? remote_json(r) : json_null());
	json_object_set_new(json_object_get(r->manifest, "host"), "accel", json_string(cr_accel_name(accel)));
	json_object_set_new(json_object_get(r->manifest, "host"), "accel_reason", r->accel_reason ? json_string(r->accel_reason) : json_null());
	ret = 0;
out:
	return ret;
}

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

static int parse_args(int argc, char **argv, const char **plan_path, const char **results_root, bool *parallel, enum cr_accel *accel,
		      const char **uri, bool *upload, const char **pool, const char **cache, bool *no_pin, bool *keep, bool *verbose)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },	{ "results-dir", required_argument, NULL, 'o' },
		{ "parallel", no_argument, NULL, 'P' },		{ "accel", required_argument, NULL, 'a' },
		{ "connect", required_argument, NULL, 'c' },	{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-pin", no_argument, NULL, 'n' },		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },		{ "help", no_argument, NULL, 'h' },
		{ "inject-fault", required_argument, NULL, 'F' },
		{ "upload", no_argument, NULL, 'U' },		{ "pool", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			*plan_path = optarg;
			break;
		case 'o':
			*results_root = optarg;
			break;
		case 'P':
			*parallel = true;
			break;
		case 'a':
			if (parse_accel_option("run", optarg, accel))
				return EXIT_USAGE;
			break;
		case 'c':
			*uri = optarg;
			break;
		case 'C':
			*cache = optarg;
			break;
		case 'U':
			*upload = true;
			break;
		case 'L':
			if (!*optarg)
				return usage_error("run", "--pool needs a pool name");
			*pool = optarg;
			break;
		case 'n':
			*no_pin = true;
			break;
		case 'k':
			*keep = true;
			break;
		case 'v':
			*verbose = true;
			break;
		case 'F':
			for (size_t k = 0; faults[k]; k++)
				if (strcmp(optarg, faults[k]) == 0)
					fault = faults[k];
			if (!fault)
				return usage_error("run", "unknown fault '%s' for --inject-fault: panic, hang, agent-crash, docker-fail or results-full",
						   optarg);
			break;
		case 'h':
			fputs(run_usage, stdout);
			return EXIT_SUCCESS;
		case ':':
			return usage_error("run", "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("run", "unknown option '%s'", argv[optind - 1]);
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
	const char *plan_path = NULL, *results_root = "results", *uri = NULL, *cache_override = NULL, *pool = CR_DEFAULT_POOL;
	bool parallel = false, no_pin = false, keep = false, verbose = false, upload = false;
	enum cr_accel accel = CR_ACCEL_AUTO, local_accel;
	struct sigaction sa = { .sa_handler = on_signal };
	struct run r = { .tty = isatty(2) };
	struct cr_preflight pf;
	struct cr_preflight_opts po = { .root = "" };
	cleanup_strv char **reaped = NULL;
	size_t next = 0, n_complete = 0, keep_disks = 0;
	double last_look = 0;
	int timer = -1, cb = -1, ret = EXIT_FAILURE, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = parse_args(argc, argv, &plan_path, &results_root, &parallel, &accel, &uri, &upload, &pool, &cache_override, &no_pin, &keep,
			&verbose);
	if (rc >= 0)
		return rc;
	if (!plan_path) {
		default_plan = xasprintf("%s/images/plans/default.ini", datadir);
		plan_path = default_plan;
	}
	if (cr_plan_load(plan_path, &plan, &err) < 0)
		return report_error(err);
	if (parallel)
		plan->parallel = true;
	cache_dir = cr_cache_dir(cache_override);

	/* the preflight decides the accelerator and refuses a host that cannot run the plan */
	po.accel = accel;
	po.connect_uri = uri;
	po.cache_dir = cache_dir;
	po.plan_path = plan_path;
	po.upload = upload;
	po.pool = pool;
	cr_preflight_run(&po, &pf);
	for (size_t i = 0; i < pf.n_items; i++)
		if (pf.items[i].status != CR_PASS)
			fprintf(stderr, "%s %s: %s%s%s\n", cr_status_names[pf.items[i].status], pf.items[i].name, pf.items[i].message,
				pf.items[i].fix ? "\n     fix: " : "", pf.items[i].fix ? pf.items[i].fix : "");
	accel = pf.accel;
	r.remote = pf.remote;
	r.accel_reason = cr_preflight_message(&pf, "accelerator") ? xstrdup(cr_preflight_message(&pf, "accelerator")) : NULL;
	r.pool_name = pool;
	local_accel = pf.local_accel;
	if (cr_preflight_worst(&pf) == CR_FAIL) {
		cr_preflight_release(&pf);
		fprintf(stderr, "crbench run: the preflight failed (see above; crbench check --plan %s says more)\n", plan_path);
		return EXIT_FAILURE;
	}
	cr_preflight_release(&pf);
	cr_gfs_configure(local_accel); /* the images are built here, whatever runs the guests */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r.plan = plan;
	r.verbose = verbose;
	r.n = plan->n_guests;
	r.g = xcalloc(r.n, sizeof(*r.g));
	for (size_t i = 0; i < r.n; i++) {
		r.g[i].plan = &plan->guests[i];
		r.g[i].console_fd = -1;
	}
	if (build_all(&r, cache_dir, &err) < 0) {
		report_error(err);
		ret = stop ? 128 + stop : EXIT_FAILURE;
		goto out;
	}
	virEventRegisterDefaultImpl();
	if (cr_virt_open(uri, &r.conn, &err) < 0) {
		report_error(err);
		goto out;
	}
	r.host = virConnectGetHostname(r.conn);
	if (r.remote && (cr_pool_open(r.conn, r.pool_name, &r.pool, &err) < 0 || cr_virt_host_cpus(r.conn, &r.host_cpus, &(bool){ false }, &err) < 0)) {
		report_error(err);
		goto out;
	}
	if (cr_runs_reap(cache_dir, r.conn, &reaped) > 0)
		for (size_t i = 0; reaped[i]; i++)
			fprintf(stderr, "crbench run: %s\n", reaped[i]);
	if (prepare(&r, plan, cache_dir, results_root, accel, !no_pin, &err) < 0) {
		report_error(err);
		ret = stop ? 128 + stop : EXIT_FAILURE;
		goto out;
	}
	fprintf(stderr, "crbench run: run %s: %zu guest%s (%s), %s, results in '%s'\n", r.run_id, r.n, r.n == 1 ? "" : "s",
		plan->parallel ? "in parallel" : "one after another", cr_accel_name(accel), r.out);
	write_manifest(&r, "running");

	cb = virConnectDomainEventRegisterAny(r.conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), &r, NULL);
	timer = virEventAddTimeout(250, on_tick, NULL, NULL);
	r.t0 = cr_now();
	for (;;) {
		size_t running = 0;

		/* start what may start */
		while (!stop && next < r.n && (plan->parallel || next == 0 || r.g[next - 1].phase == PH_ENDED)) {
			struct guest *g = &r.g[next++];
			cleanup_error cr_error_t gerr = NULL;

			if (start_guest(&r, g, accel, &gerr) < 0) {
				say(&r, "%s: cannot start: %s", g->plan->name, gerr->msg);
				g->phase = PH_ENDED;
				g->status = xstrdup("failed");
				g->reason = xasprintf("cannot start: %s", gerr->msg);
				drop_guest_disks(&r, g);
				write_manifest(&r, "running");
				continue;
			}
			say(&r, "%s: started %s (%llu vCPUs, %llu MiB%s%s), console in '%s'", g->plan->name, g->domain,
			    (unsigned long long)g->plan->vcpus, (unsigned long long)(g->plan->memory >> 20), g->pin ? ", pinned" : "",
			    "", g->console_path);
			write_manifest(&r, "running"); /* run.json says it runs: for a later run to harvest it, should this one die */
		}
		/* the loop also wakes for libvirt's own traffic: look at the guests at most 4 times a second */
		if (cr_now() - last_look >= 0.25 || stop) {
			last_look = cr_now();
			for (size_t i = 0; i < r.n; i++)
				if (r.g[i].phase == PH_RUNNING)
					check_guest(&r, &r.g[i], keep);
			draw(&r);
		}
		for (size_t i = 0; i < r.n; i++)
			running += r.g[i].phase == PH_RUNNING;
		if (!running && (stop || next >= r.n))
			break;
		if (virEventRunDefaultImpl() < 0) {
			/* no more events to wait on: what the guests measured so far is harvested, not left behind */
			say(&r, "crbench run: libvirt's event loop failed: ending the running guests");
			for (size_t i = 0; i < r.n; i++)
				if (r.g[i].phase == PH_RUNNING) {
					r.g[i].ended_by = "event-loop";
					end_guest(&r, &r.g[i], keep);
				}
			break;
		}
	}
	erase(&r);
	for (size_t i = 0; i < r.n; i++)
		n_complete += r.g[i].status && strcmp(r.g[i].status, "complete") == 0;
	write_manifest(&r, stop ? "interrupted" : n_complete == r.n ? "complete" : "partial");
	printf("run %s: %zu of %zu guests complete; results in %s\n", r.run_id, n_complete, r.n, r.out);
	make_report(r.out);
	ret = stop ? 128 + stop : n_complete == r.n ? EXIT_SUCCESS : EXIT_FAILURE;
out:
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	if (cb >= 0)
		virConnectDomainEventDeregisterAny(r.conn, cb);
	for (size_t i = 0; i < r.n; i++)
		release_guest(&r.g[i]);
	for (size_t k = 0; k < r.n_containers; k++)
		cr_built_release(&r.containers[k]);
	for (size_t i = 0; i < r.n; i++)
		keep_disks += r.g[i].disk_kept;
	if (r.rundir && !keep && !keep_disks) {
		cr_rmtree(r.rundir);
	} else if (r.rundir && !keep) {
		/* results that could not be harvested are never deleted: no owner, so that no later run reaps them */
		cleanup_free char *owner = xasprintf("%s/owner", r.rundir);

		unlink(owner);
		unlink(r.payload);
		fprintf(stderr, "crbench run: kept %zu results disk%s in '%s' that could not be harvested%s%s%s\n", keep_disks,
			keep_disks == 1 ? "" : "s", r.rundir, r.remote ? " (those that did not come down are volumes in pool '" : "",
			r.remote ? r.pool_name : "", r.remote ? "', named above)" : "");
	} else if (r.rundir) {
		/* kept on request: no owner, so that no later run reaps it */
		cleanup_free char *owner = xasprintf("%s/owner", r.rundir);

		unlink(owner);
		fprintf(stderr, "crbench run: kept the run's disks in '%s'%s%s%s\n", r.rundir, r.remote ? " (their volumes, named in its file 'volumes', in pool '" : "",
			r.remote ? r.pool_name : "", r.remote ? "')" : "");
	}
	if (r.pool && r.payload_vol && !keep)
		cr_vol_delete(r.pool, r.payload_vol, NULL);
	free(r.g);
	free(r.accel_reason);
	free(r.run_id);
	free(r.out);
	free(r.rundir);
	free(r.domains_file);
	free(r.payload);
	free(r.images);
	free(r.host);
	free(r.r_payload);
	free(r.r_images);
	free(r.payload_vol);
	if (r.pool)
		virStoragePoolFree(r.pool);
	json_decref(r.manifest);
	cr_virt_close(r.conn);
	return ret;
}
