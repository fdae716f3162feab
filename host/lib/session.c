/* A crbench run: build, prepare, boot one domain per guest, follow, end, harvest, record; what happens goes to the caller as events. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libvirt/libvirt.h>

#include "build.h"
#include "console.h"
#include "domain.h"
#include "harvest.h"
#include "paths.h"
#include "proc.h"
#include "recipe.h"
#include "run.h"
#include "rundir.h"
#include "session.h"
#include "store.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

extern const char crbench_version[];

const char *const cr_session_faults[] = { "panic", "hang", "agent-crash", "docker-fail", "results-full", NULL };
#define CR_RESULTS_FULL_SIZE (64 << 10)

/* A libvirt host the run's guests run on (the preflight's, opts->hosts): its connection, pool, uploads and records. */
struct host {
	const struct cr_preflight_host *pf;
	size_t index;
	virConnectPtr conn;
	virStoragePoolPtr pool; /* reached by upload only */
	char *name;		/* its host name, as libvirt says */
	unsigned cpus;		/* reached by upload: its CPUs, to pin to; 0 here */
	char *rundir;		/* where its records go: the run's temporary directory (hosts[0]), or a .host-K in it */
	char *payload;		/* the payload disk its guests read: the run's, for their way to the container images */
	/* reached by upload: the volumes of the payload and the container images' disk */
	char *r_payload, *r_images, *payload_vol;
	json_t *info; /* what run.json says of it */
	int cb;	      /* its lifecycle event callback; -1: none */
	char *error;  /* it could not be reached: its guests did not start, for this reason */
};

struct guest {
	struct cr_session_guest pub;
	const struct cr_guest_plan *plan;
	struct host *h;
	char *dir, *overlay, *results_disk, *out_dir;
	struct cr_built image;
	bool have_image;
	struct cr_store store; /* the image with the suite's images in its Docker store; dir NULL: none (remote, or no container runs) */
	unsigned *pin;
	virDomainPtr dom;
	struct cr_console con;
	/* on a libvirt host reached by upload: the volumes, the console stream */
	char *r_base, *r_kernel, *r_initrd, *overlay_vol, *results_vol;
	virStreamPtr console_st;
	int console_fd;
	bool vol_kept;	/* its results volume could not be downloaded: it stays in the pool */
	bool disk_kept; /* its results could not be harvested: the disk stays in the cache */
	/* what the host saw */
	bool stopped, crashed;
	enum cr_guest_end end; /* why the host ends it; CR_END_STOPPED while it does not */
	double t_provision, t_agent, t_state_checked, provision_seconds;
	/* the vCPUs' CPU seconds at the first state check after its last progress line, and when */
	double cpu_mark, t_cpu_mark;
	bool mark_due;
	double measured_seconds;
	/* a plan that boots each step afresh (boot = per-step): the step this boot runs, from 1 (of the watch's total) */
	uint64_t step;
	unsigned boots; /* boots so far */
	/* when the first boot started, and was provisioned: the plan's timeout is the guest's, whatever its boots */
	double t_first, t_first_provision;
};

struct cr_session {
	const struct cr_session_opts *o;
	const struct cr_plan *plan;
	struct guest *g;
	size_t n;
	struct host *hosts;
	size_t n_hosts;
	char *run_id, *out, *rundir, *images;
	json_t *manifest;
	double t0, payload_seconds, images_seconds;
	struct cr_built containers[2]; /* the suite's container images */
	size_t n_containers;
	struct cr_store_image store_images[2]; /* their files, tags and ids; n_store_images 0: no step runs a container */
	size_t n_store_images;
	bool images_made;
	const char *building; /* the image being built, for its progress events */
};

/* ---- events ---- */

static void emit(struct cr_session *s, struct cr_session_event ev)
{
	ev.session = s;
	if (s->o->on_event)
		s->o->on_event(s->o->data, &ev);
}

static void __attribute__((format(printf, 3, 4))) note(struct cr_session *s, const struct guest *g, const char *fmt, ...)
{
	cleanup_free char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	emit(s, (struct cr_session_event){ .type = CR_SESSION_NOTE, .guest = g ? &g->pub : NULL, .text = text ? text : fmt });
}

static bool stopping(const struct cr_session *s)
{
	return s->o->stop && *s->o->stop;
}

/* ---- following the console ---- */

static void on_line(void *data, const char *line)
{
	struct guest *g = ((void **)data)[0];
	struct cr_session *s = ((void **)data)[1];
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;
	bool agent;
	int rc;

	emit(s, (struct cr_session_event){ .type = CR_SESSION_CONSOLE, .guest = &g->pub, .text = line });
	rc = cr_guest_watch_line(&g->pub.watch, line, &p, &agent, &err);
	if (agent)
		g->t_agent = cr_now() - g->pub.t_start;
	if (rc < 0 && g->pub.watch.bad_lines <= 5)
		note(s, g, "%s: ignored a bad progress line: %s", g->plan->name, err->msg);
	if (rc <= 0)
		return;
	g->pub.t_last_progress = cr_now();
	g->mark_due = true;
	emit(s, (struct cr_session_event){ .type = CR_SESSION_PROGRESS, .guest = &g->pub, .progress = &p });
}

static void follow(struct cr_session *s, struct guest *g)
{
	void *ctx[2] = { g, s };

	cr_console_poll(&g->con, on_line, ctx);
}

/* ---- libvirt events ---- */

/*
 * Whether event's domain is this boot's: by UUID, which libvirt gives each
 * start of a transient domain anew. By name, a boot per step took the
 * previous boot's late "stopped" for its own and was destroyed a second
 * after it started.
 */
static bool same_domain(virDomainPtr a, virDomainPtr b)
{
	unsigned char ua[VIR_UUID_BUFLEN], ub[VIR_UUID_BUFLEN];

	return a && b && virDomainGetUUID(a, ua) == 0 && virDomainGetUUID(b, ub) == 0 && memcmp(ua, ub, sizeof(ua)) == 0;
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct cr_session *s = opaque;

	if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_CRASHED)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		if (same_domain(s->g[i].dom, dom)) {
			s->g[i].stopped = true;
			s->g[i].crashed |= event == VIR_DOMAIN_EVENT_CRASHED;
		}
	}
	return 0;
}

static void on_tick(int timer, void *opaque)
{
	/* only there to make virEventRunDefaultImpl return regularly */
}

/* ---- one guest ---- */

/* The fault the guest makes happen (crbench.fault=), or NULL: results-full is the host's doing. */
static const char *guest_fault(const struct cr_session *s)
{
	return s->o->fault && strcmp(s->o->fault, "results-full") ? s->o->fault : NULL;
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

/* Whether the guest loads the suite's container images from the images disk at boot: a step runs a container, and it has no store. */
static bool loads_images(const struct cr_session *s, const struct guest *g)
{
	return s->n_store_images && !g->store.dir;
}

/* The disk the guest's overlay is on: its image's with the suite's images in its Docker store, or its image's. */
static char *base_disk(const struct guest *g)
{
	return g->store.dir ? xstrdup(g->store.disk) : xasprintf("%s/%s", g->image.dir, CR_IMAGE_DISK);
}

/* The guest's disks on the libvirt host: an overlay on the cached base volume, an empty results volume. */
static int remote_disks(const struct cr_session *s, const struct guest *g, uint64_t results_size, char **disk, char **results,
			cr_error_t *err)
{
	cleanup_free char *base = base_disk(g);
	/* the results disk, relative to the run's directory */
	cleanup_free char *local = xasprintf("%s/%s", g->plan->name, strrchr(g->results_disk, '/') + 1);
	uint64_t capacity;

	if (cr_qcow2_virtual_size(base, &capacity, err) < 0)
		return -1;
	cr_rundir_add_volume(g->h->rundir, g->overlay_vol, NULL);
	cr_rundir_add_volume(g->h->rundir, g->results_vol, local);
	if (cr_vol_create_overlay(g->h->pool, g->overlay_vol, g->r_base, capacity, disk, err) < 0 ||
	    cr_vol_create_raw(g->h->pool, g->results_vol, results_size, results, err) < 0)
		return -1;
	return 0;
}

/* Started paused: the console is open before the guest's first line, then it runs. */
static int remote_console(struct guest *g, cr_error_t *err)
{
	g->console_fd = open(g->pub.console_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (g->console_fd < 0)
		return cr_error(err, errno, "cannot create '%s'", g->pub.console_path);
	g->console_st = virStreamNew(g->h->conn, VIR_STREAM_NONBLOCK);
	if (!g->console_st || virDomainOpenConsole(g->dom, NULL, g->console_st, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(g->console_st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				      console_pump, g, NULL) < 0) {
		cr_virt_error(err, "cannot open the console of '%s'", g->pub.domain);
		if (g->console_st) {
			virStreamAbort(g->console_st);
			virStreamFree(g->console_st);
		}
		g->console_st = NULL;
		return -1;
	}
	if (virDomainResume(g->dom) < 0)
		return cr_virt_error(err, "cannot resume '%s'", g->pub.domain);
	return 0;
}

/* What a guest that could not start leaves: nothing. */
static void drop_guest_disks(struct guest *g)
{
	console_close(g);
	if (g->h->pf->remote) {
		cr_vol_delete(g->h->pool, g->overlay_vol, NULL);
		cr_vol_delete(g->h->pool, g->results_vol, NULL);
	}
	unlink(g->overlay);
	unlink(g->results_disk);
	unlink(g->pub.console_path);
	rmdir(g->dir);
}

/*
 * Per boot: the results disk's name, and the steps of the schedule the agent
 * runs. A plan that boots each step afresh gives each boot a disk of its own
 * (results-NNNN.raw, NNNN the step), so that a dead run's reaper knows which
 * step a disk holds.
 */
static char *next_boot(struct cr_session *s, struct guest *g)
{
	g->boots++;
	if (!cr_plan_per_step(s->plan))
		return xstrdup("");
	g->step++;
	free(g->results_disk);
	free(g->results_vol);
	g->results_disk = xasprintf("%s/results-%04llu.raw", g->dir, (unsigned long long)g->step);
	g->results_vol = xasprintf("%s-results-%04llu.raw", g->pub.domain, (unsigned long long)g->step);
	return xasprintf(" crbench.steps=%llu-%llu", (unsigned long long)g->step, (unsigned long long)g->step);
}

static int start_guest(struct cr_session *s, struct guest *g, cr_error_t *err)
{
	cleanup_free char *base = base_disk(g);
	cleanup_free char *kernel = xasprintf("%s/%s", g->image.dir, CR_IMAGE_KERNEL);
	cleanup_free char *initrd = xasprintf("%s/%s", g->image.dir, CR_IMAGE_INITRD);
	cleanup_free char *steps = next_boot(s, g);
	cleanup_free char *cmdline = xasprintf("%s crbench.guest=%s%s%s%s", CR_GUEST_CMDLINE, g->plan->name, steps,
					       guest_fault(s) ? " crbench.fault=" : "", guest_fault(s) ? guest_fault(s) : "");
	cleanup_free char *r_disk = NULL, *r_results = NULL;
	uint64_t results_size = s->o->fault && !guest_fault(s) ? CR_RESULTS_FULL_SIZE : CR_RESULTS_DISK_SIZE;
	bool remote = g->h->pf->remote;
	struct cr_domain_spec spec = {
		.name = g->pub.domain,
		.accel = g->h->pf->accel,
		.vcpus = g->plan->vcpus,
		.memory = g->plan->memory,
		.nested = cr_guest_nested(g->plan),
		.kernel = remote ? g->r_kernel : kernel,
		.initrd = remote ? g->r_initrd : initrd,
		.cmdline = cmdline,
		.disk = g->overlay,
		.payload = remote ? g->h->r_payload : g->h->payload,
		.results = g->results_disk,
		.images = loads_images(s, g) ? (remote ? g->h->r_images : s->images) : NULL,
		.console_log = remote ? NULL : g->pub.console_path,
		.paused = remote,
		.pin = g->pin,
		.n_pin = g->pin ? g->plan->vcpus : 0,
	};

	g->t_provision = cr_now();
	if (g->boots == 1)
		g->t_first_provision = g->t_provision;
	if (mkdir(g->dir, 0755) < 0 && (errno != EEXIST || g->boots == 1))
		return cr_error(err, errno, "cannot create '%s'", g->dir);
	if (remote) {
		if (remote_disks(s, g, results_size, &r_disk, &r_results, err) < 0)
			return -1;
		spec.disk = r_disk;
		spec.results = r_results;
	} else if (cr_overlay_make(base, g->overlay, err) < 0 || cr_results_disk_make(g->results_disk, results_size, err) < 0) {
		return -1;
	}
	cr_rundir_add_domain(g->h->rundir, g->pub.domain);
	if (cr_domain_start(g->h->conn, &spec, &g->dom, err) < 0)
		return -1;
	if (remote && remote_console(g, err) < 0) {
		cr_domain_destroy(g->dom);
		g->dom = NULL;
		return -1;
	}
	g->pub.t_start = g->pub.t_last_progress = cr_now();
	g->t_cpu_mark = 0; /* a new domain: its CPU time starts again */
	g->mark_due = true;
	if (g->boots == 1)
		g->t_first = g->pub.t_start;
	g->provision_seconds += g->pub.t_start - g->t_provision;
	g->pub.outcome.status = CR_GUEST_RUNNING;
	g->con = (struct cr_console){ .path = g->pub.console_path };
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
		g->pub.steps_harvested++;
		g->measured_seconds += json_number_value(json_object_get(doc, "seconds"));
		if (st && strcmp(st, "ok") == 0)
			g->pub.steps_ok++;
		else if (st && strcmp(st, "unsupported") == 0)
			g->pub.steps_unsupported++;
		else
			g->pub.steps_failed++;
		json_decref(doc);
	}
}

static json_t *guest_json(const struct guest *g)
{
	const struct cr_session_guest *p = &g->pub;
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
	return json_pack(
		"{s:s, s:s, s:s, s:s?, s:o?, s:s?, s:I, s:I, s:b, s:o, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, "
		"s:f, s:f, s:o, s:I, s:o, s:o?}",
		"name", g->plan->name, "runtime", g->plan->runtime, "image", g->plan->image, "image_key",
		g->have_image ? g->image.key : NULL, "image_manifest", manifest, "domain", p->domain, "vcpus", (json_int_t)g->plan->vcpus,
		"memory_bytes", (json_int_t)g->plan->memory, "nested", cr_guest_nested(g->plan), "pinned_cpus", pin, "status",
		cr_guest_status_names[p->outcome.status], "reason", p->outcome.reason, "harvest", p->harvest, "steps_planned",
		(json_int_t)p->watch.total, "steps_harvested", (json_int_t)p->steps_harvested, "steps_ok", (json_int_t)p->steps_ok,
		"steps_failed", (json_int_t)p->steps_failed, "steps_unsupported", (json_int_t)p->steps_unsupported, "provision_seconds",
		g->provision_seconds, "boot_seconds", g->t_agent, "wall_seconds", p->t_end, "measured_seconds", g->measured_seconds,
		"overhead_seconds", p->t_end > 0 ? p->t_end - g->measured_seconds : 0.0, "agent_unit_uptime",
		p->watch.agent_uptime >= 0 ? json_real(p->watch.agent_uptime) : json_null(), "boots", (json_int_t)g->boots, "docker_store",
		g->store.dir ? json_pack("{s:s, s:s, s:b, s:f}", "path", g->store.disk, "key", g->store.key, "made", g->store.made,
					 "seconds", g->store.seconds)
			     : json_null(),
		"host", json_incref(g->h->info));
}

static void write_manifest(struct cr_session *s, const char *status)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *path = xasprintf("%s/run.json", s->out);
	json_t *guests = json_array();
	double measured = 0, wall = cr_now() - s->t0;

	for (size_t i = 0; i < s->n; i++) {
		json_array_append_new(guests, guest_json(&s->g[i]));
		measured += s->g[i].measured_seconds;
	}
	json_object_set_new(s->manifest, "guests", guests);
	json_object_set_new(s->manifest, "status", json_string(status));
	json_object_set_new(s->manifest, "finished", status && strcmp(status, "running") ? utc_now_json() : json_null());
	json_object_set_new(s->manifest, "wall_seconds", json_real(wall));
	json_object_set_new(s->manifest, "measured_seconds", json_real(measured));
	json_object_set_new(s->manifest, "overhead_seconds", json_real(wall - measured));
	if (cr_json_write_atomic(path, s->manifest, &err) < 0)
		note(s, NULL, "crbench run: %s", err->msg);
}

/* The guest's files in the cache, once it ended: gone, unless kept on request or holding results not yet harvested. */
static void remove_guest_files(struct cr_session *s, struct guest *g)
{
	unlink(g->overlay);
	if (g->h->pf->remote) {
		cleanup_error cr_error_t verr = NULL;

		if (cr_vol_delete(g->h->pool, g->overlay_vol, &verr) < 0 ||
		    (!g->vol_kept && cr_vol_delete(g->h->pool, g->results_vol, &verr) < 0))
			note(s, g, "%s: %s", g->plan->name, verr->msg);
	}
	if (g->disk_kept)
		return;
	unlink(g->results_disk);
	unlink(g->pub.console_path);
	for (int k = 0; k < CR_CONSOLE_PARTS; k++) {
		cleanup_free char *part = xasprintf("%s.%d", g->pub.console_path, k);

		unlink(part);
	}
	rmdir(g->dir);
}

/*
 * Where a boot's console log, harvest.json and harvested disk go: the
 * guest's directory; with a boot per step, boots/NNNN/ in it, whose step
 * entries are then linked into the guest's results/.
 */
static char *boot_out_dir(const struct cr_session *s, const struct guest *g)
{
	if (!cr_plan_per_step(s->plan))
		return xstrdup(g->out_dir);
	return xasprintf("%s/boots/%04llu", g->out_dir, (unsigned long long)g->step);
}

/* What the harvested runtime.json says the guest was refused for, whole, at most 4 KiB of it; NULL when it was not. */
static char *refusal_of(const char *results)
{
	cleanup_free char *path = xasprintf("%s/runtime.json", results);
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	const char *why = json_string_value(json_object_get(doc, "refused"));
	char *out = why ? xstrndup(why, 4096) : NULL;

	json_decref(doc);
	return out;
}

/* The boot's results disk into out_dir; when it cannot be harvested whole, the disk stays (g->disk_kept), as note() says. */
static void harvest_boot(struct cr_session *s, struct guest *g, const char *out_dir, struct cr_guest_observed *obs, char **harvest_error,
			 char **refusal)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *results = xasprintf("%s/results", out_dir), *disk_error = NULL;
	struct cr_harvest_report hr;
	bool console_saved;
	int rc;

	if (g->h->pf->remote) {
		double t = cr_now();

		if (cr_vol_download(g->h->pool, g->results_vol, g->results_disk, &err) < 0) {
			/* the volume stays in the pool: nothing the guest measured is deleted */
			disk_error = xasprintf("cannot download the results disk: %s", err->msg);
			g->vol_kept = true;
		}
		/* no console was read meanwhile: that time is no guest's silence */
		for (size_t i = 0; i < s->n; i++)
			s->g[i].pub.t_last_progress += cr_now() - t;
	}
	rc = cr_guest_collect(g->results_disk, disk_error, g->pub.console_path, out_dir, &hr, &console_saved, &err);
	if (rc == 0 && cr_plan_per_step(s->plan)) {
		cleanup_free char *merged = xasprintf("%s/results", g->out_dir);

		if (cr_results_link(results, merged, &err) < 0)
			rc = -1;
	}
	/*
	 * a results directory that cannot take them (a full disk), or a disk
	 * past the host's limits (read only in part): the guest's disk stays, and says where
	 */
	g->disk_kept = rc < 0 || !console_saved || hr.capped;
	if (g->vol_kept)
		note(s, g,
		     "%s: %s; kept its results volume '%s' in pool '%s' on '%s' (virsh vol-download --sparse it, then crbench harvest)",
		     g->plan->name, err->msg, g->results_vol, cr_preflight_host_pool(g->h->pf), g->h->name);
	else if (g->disk_kept)
		note(s, g, "%s: %s%s; kept the guest's results disk '%s' and console log '%s' (crbench harvest %s --out DIR reads it)",
		     g->plan->name,
		     rc < 0	 ? "cannot harvest: "
		     : hr.capped ? "the results disk is past the host's limits, read in part"
				 : "cannot copy the console log",
		     rc < 0 ? err->msg : "", g->results_disk, g->pub.console_path, g->results_disk);
	free(g->pub.harvest);
	g->pub.harvest = xstrdup(rc < 0 ? "error" : cr_harvest_status_names[cr_harvest_status(&hr)]);
	tally(g, results, &hr);
	if (hr.n_refused || hr.n_problems || hr.truncation)
		emit(s, (struct cr_session_event){ .type = CR_SESSION_HARVESTED, .guest = &g->pub, .harvest = &hr, .text = results });
	*harvest_error = rc < 0 ? xstrdup(err->msg) : NULL;
	*refusal = rc < 0 ? NULL : refusal_of(results);
	obs->harvest_error = *harvest_error;
	obs->harvest = g->pub.harvest;
	obs->refusal = *refusal;
	cr_harvest_report_release(&hr);
}

/*
 * A boot per step, whose boot ended: the next step's boot, while every step
 * so far completed and no signal came (true); else the guest ends here, its
 * reason naming the step.
 */
static bool next_step(struct cr_session *s, struct guest *g)
{
	uint64_t n = g->pub.watch.total;
	char *reason;

	if (g->pub.outcome.status == CR_GUEST_COMPLETE && g->step < n && stopping(s)) {
		/* a signal between two boots: the steps so far are whole, the rest never ran */
		cr_guest_outcome_release(&g->pub.outcome);
		g->pub.outcome.status = CR_GUEST_INTERRUPTED;
		g->pub.outcome.reason = xasprintf("crbench run got %s: the steps after this one did not run",
						  *s->o->stop == SIGINT ? "SIGINT" : "SIGTERM");
	} else if (g->pub.outcome.status == CR_GUEST_COMPLETE && g->step < n) {
		cleanup_error cr_error_t err = NULL;
		struct cr_guest_observed obs;

		g->stopped = g->crashed = false;
		g->end = CR_END_STOPPED;
		cr_guest_watch_reboot(&g->pub.watch);
		if (start_guest(s, g, &err) == 0)
			return true;
		obs = (struct cr_guest_observed){ .end = CR_END_START_FAILED, .start_error = err->msg };
		cr_guest_outcome_release(&g->pub.outcome);
		cr_guest_outcome_decide(&obs, &g->pub.outcome);
		drop_guest_disks(g);
	}
	if (g->pub.outcome.reason) {
		reason = xasprintf("step %llu of %llu: %s", (unsigned long long)g->step, (unsigned long long)n, g->pub.outcome.reason);
		free(g->pub.outcome.reason);
		g->pub.outcome.reason = reason;
	}
	return false;
}

/*
 * What the guest's vCPUs ran since the mark after its last progress line,
 * and over how many seconds (-1: unknown): busy or idle in its silence, as
 * a frozen guest and a busy one differ there.
 */
static void silence(const struct guest *g, double *cpu_seconds, double *seconds)
{
	double cpu = cr_domain_cpu_seconds(g->dom);

	*seconds = g->t_cpu_mark > 0 && cpu >= 0 && g->cpu_mark >= 0 ? cr_now() - g->t_cpu_mark : -1;
	*cpu_seconds = cpu - g->cpu_mark;
}

/* The guest stopped, or must: destroy it, save its console, harvest its disk, decide its outcome, or boot it for its next step. */
static void end_guest(struct cr_session *s, struct guest *g)
{
	cleanup_free char *out_dir = boot_out_dir(s, g), *harvest_error = NULL, *refusal = NULL;
	struct cr_guest_observed obs;
	double silent_cpu = -1, silent = -1;

	/* did it stop by itself before the host ended it? (a guest done and off before a signal or timeout is not ended by it) */
	if (!g->stopped && g->pub.watch.done)
		g->stopped = !cr_domain_running(g->dom);
	if (g->end == CR_END_PROGRESS_TIMEOUT)
		silence(g, &silent_cpu, &silent);
	cr_domain_destroy(g->dom);
	g->dom = NULL;
	/* the console's last lines (a panic's, say) may still be on their way: until its end of file, 2 s at most */
	for (double t = cr_now(); g->console_st && cr_now() - t < 2;)
		if (virEventRunDefaultImpl() < 0)
			break;
	console_close(g);
	follow(s, g);
	g->pub.t_end = cr_now() - g->t_first_provision;
	if (cr_plan_per_step(s->plan)) {
		cleanup_free char *boots = xasprintf("%s/boots", g->out_dir);

		mkdir(g->out_dir, 0755);
		mkdir(boots, 0755);
	}

	obs = (struct cr_guest_observed){
		.end = g->end,
		.start_error = g->end == CR_END_HOST_LOST ? g->h->error : NULL,
		.signal = s->o->stop ? *s->o->stop : 0,
		.stopped = g->stopped,
		.crashed = g->crashed,
		.console = &g->pub.watch,
		.timeout = s->plan->timeout,
		.progress_timeout = s->plan->progress_timeout,
		.silent_cpu_seconds = silent_cpu,
		.silent_seconds = silent,
	};
	harvest_boot(s, g, out_dir, &obs, &harvest_error, &refusal);
	cr_guest_outcome_release(&g->pub.outcome);
	cr_guest_outcome_decide(&obs, &g->pub.outcome);
	if (!s->o->keep)
		remove_guest_files(s, g);
	if (cr_plan_per_step(s->plan) && next_step(s, g)) {
		write_manifest(s, "running");
		return;
	}
	emit(s, (struct cr_session_event){ .type = CR_SESSION_GUEST_ENDED, .guest = &g->pub });
	write_manifest(s, "running");
}

/* End the guest now, for this reason. */
static void end_guest_for(struct cr_session *s, struct guest *g, enum cr_guest_end why)
{
	g->end = why;
	end_guest(s, g);
}

static void check_guest(struct cr_session *s, struct guest *g)
{
	double now = cr_now();

	follow(s, g);
	if (stopping(s))
		return end_guest_for(s, g, CR_END_SIGNAL);
	/*
	 * a host reached by upload whose libvirtd went away (or the link to it):
	 * its guests end now, not at their timeouts, for nothing of them can be
	 * followed or fetched any more. A libvirtd of this machine may be
	 * restarting: its guests' consoles and disks are files here, and they
	 * are followed to their end or their timeouts as before.
	 */
	if (!g->h->error && g->h->pf->remote && virConnectIsAlive(g->h->conn) == 0)
		g->h->error = xasprintf("lost libvirt host '%s' while the guest ran: the connection to its libvirtd closed",
					cr_preflight_host_uri(g->h->pf));
	if (g->h->error)
		return end_guest_for(s, g, CR_END_HOST_LOST);
	if (now - g->t_first > (double)s->plan->timeout)
		return end_guest_for(s, g, CR_END_TIMEOUT);
	if (now - g->pub.t_last_progress > (double)s->plan->progress_timeout)
		return end_guest_for(s, g, CR_END_PROGRESS_TIMEOUT);
	/*
	 * Lifecycle events say when a domain stops; asking libvirt as well, but
	 * only every few seconds, covers a lost event. (Every call wakes the
	 * event loop: asking on each turn would make it spin.)
	 */
	if (!g->stopped && now - g->t_state_checked >= 5) {
		g->t_state_checked = now;
		g->stopped = !cr_domain_running(g->dom);
		if (g->mark_due && !g->stopped) {
			g->cpu_mark = cr_domain_cpu_seconds(g->dom);
			g->t_cpu_mark = now;
			g->mark_due = false;
		}
	}
	if (g->stopped)
		end_guest(s, g);
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
	cr_store_release(&g->store);
	free(g->pub.domain);
	free(g->pub.console_path);
	free(g->pub.harvest);
	cr_guest_watch_release(&g->pub.watch);
	cr_guest_outcome_release(&g->pub.outcome);
	free(g->dir);
	free(g->overlay);
	free(g->results_disk);
	free(g->out_dir);
	free(g->pin);
}

/* ---- building ---- */

static void on_build_progress(void *data, const struct cr_build_progress *p)
{
	struct cr_session *s = data;

	emit(s, (struct cr_session_event){ .type = CR_SESSION_BUILD, .image = s->building, .build = p });
}

static int build_one(struct cr_session *s, struct cr_build_opts *bo, const char *images_dir, const char *image, struct cr_built *out,
		     cr_error_t *err)
{
	int rc;

	s->building = image;
	rc = cr_build_image(bo, images_dir, s->plan, image, out, err);
	s->building = NULL;
	if (rc == 0)
		emit(s, (struct cr_session_event){ .type = CR_SESSION_BUILT, .image = image, .built = out });
	return rc;
}

/*
 * Every guest's image, then the suite's container images, built when the
 * cache lacks them. Before any libvirt connection: a build takes minutes,
 * and libvirtd drops a client that does not answer its keepalives.
 */
static int build_all(struct cr_session *s, cr_error_t *err)
{
	cleanup_free char *datadir = cr_data_dir(), *images_dir = xasprintf("%s/images", datadir);
	struct cr_build_opts bo = { .verify = true,
				    .interrupted = s->o->stop,
				    .cache_dir = s->o->cache_dir,
				    .mirrors = s->o->mirrors,
				    .keyrings = s->o->keyrings,
				    .srcdir = datadir,
				    .progress = on_build_progress,
				    .progress_data = s };

	for (size_t i = 0; i < s->n; i++) {
		struct guest *g = &s->g[i];

		for (size_t k = 0; k < i; k++) {
			if (strcmp(s->g[k].plan->image, g->plan->image) == 0) {
				g->image.dir = xstrdup(s->g[k].image.dir);
				g->image.key = xstrdup(s->g[k].image.key);
				g->image.mirror = NULL;
				g->have_image = true;
				break;
			}
		}
		if (!g->have_image) {
			if (build_one(s, &bo, images_dir, g->plan->image, &g->image, err) < 0)
				return cr_error_prefix(err, "cannot build image '%s' of guest '%s'", g->plan->image, g->plan->name);
			g->have_image = true;
		}
	}
	for (size_t k = 0; cr_suite_container_recipes[k] && s->n_containers < ARRAY_SIZE(s->containers); k++) {
		if (build_one(s, &bo, images_dir, cr_suite_container_recipes[k], &s->containers[s->n_containers], err) < 0)
			return cr_error_prefix(err, "cannot build the suite's container image '%s'", cr_suite_container_recipes[k]);
		s->n_containers++;
	}
	return stopping(s) ? cr_error(err, 0, "interrupted") : 0;
}

/* ---- uploads ---- */

/* A libvirt host the guests ran on, when it is reached by upload. */
static json_t *remote_json(const struct host *h)
{
	virNodeInfo info;
	bool ok = virNodeGetInfo(h->conn, &info) == 0;

	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "host", h->name ? h->name : "", "pool", cr_preflight_host_pool(h->pf), "cpus",
			 ok ? json_integer(info.cpus) : json_null(), "cpu_model", ok ? json_string(info.model) : json_null(),
			 "memory_bytes", ok ? json_integer((json_int_t)info.memory * 1024) : json_null());
}

/* A cached volume: the base image, kernel, initrd or images disk goes up once per libvirt host and pool. */
static int upload_cached(struct cr_session *s, struct host *h, const char *name, const char *local, char **path, cr_error_t *err)
{
	struct stat st;
	double t = cr_now();
	int cached = cr_vol_cached(h->pool, name, path, err);

	if (cached != 0)
		return cached < 0 ? -1 : 0;
	note(s, NULL, "crbench run: uploading '%s' (%.0f MiB) to pool '%s' on '%s' as '%s'", local,
	     stat(local, &st) == 0 ? (double)st.st_size / (1 << 20) : 0.0, cr_preflight_host_pool(h->pf), h->name, name);
	if (cr_vol_upload_cached(h->pool, name, local, path, err) < 0)
		return -1;
	note(s, NULL, "crbench run: uploaded '%s' in %.1f s", name, cr_now() - t);
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
 * A host reached by upload: what its guests read goes up (the per-run
 * payload always, the rest unless cached), under a lock of the cache, so
 * that two runs started together do not both upload one volume. (Runs from
 * other machines into the same pool are not covered by it.)
 */
static int upload_all(struct cr_session *s, struct host *h, cr_error_t *err)
{
	const char *parts[] = { NULL /* base_disk() */, CR_IMAGE_KERNEL, CR_IMAGE_INITRD };
	cleanup_free char *images_name = cached_vol_name(s->images);
	cleanup_close int fd = -1;
	bool load = false;

	if (cr_runs_lock(s->o->cache_dir, "upload", &fd, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		struct guest *g = &s->g[i];
		char **paths[] = { &g->r_base, &g->r_kernel, &g->r_initrd };

		for (size_t k = 0; k < ARRAY_SIZE(parts) && g->h == h; k++) {
			cleanup_free char *local = k == 0 ? base_disk(g) : xasprintf("%s/%s", g->image.dir, parts[k]);
			cleanup_free char *name = cached_vol_name(local);

			if (upload_cached(s, h, name, local, paths[k], err) < 0)
				return -1;
		}
		load |= g->h == h && loads_images(s, g);
	}
	/* only guests that load the images read the images disk */
	if (load && upload_cached(s, h, images_name, s->images, &h->r_images, err) < 0)
		return -1;
	h->payload_vol = xasprintf(CR_RUN_DOMAIN_PREFIX "%s-payload.raw", s->run_id);
	cr_rundir_add_volume(h->rundir, h->payload_vol, NULL);
	return cr_vol_upload(h->pool, h->payload_vol, h->payload, &h->r_payload, err);
}

/* ---- preparing ---- */

/* The run's id, and the seed it uses when the plan has none. */
static void name_run(struct cr_session *s, struct cr_plan *plan)
{
	uint32_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)getpid();
	if (!plan->seed_set) {
		uint64_t seed;

		if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
			seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
		plan->seed = seed & INT64_MAX; /* JSON integers are signed */
		plan->seed_set = true;
	}
	s->run_id = cr_run_id(plan, time(NULL), rnd);
}

/* The container images' disk, made once and shared by every guest of every run. */
static int images_disk(struct cr_session *s, bool *made, cr_error_t *err)
{
	struct cr_payload_file files[ARRAY_SIZE(s->containers)];
	cleanup_free char *key = xstrdup("");
	double t = cr_now();
	int ret;

	for (size_t k = 0; k < s->n_containers; k++) {
		char *next = xasprintf("%s%s%s", key, k ? "-" : "", s->containers[k].key);

		free(key);
		key = next;
		files[k] = (struct cr_payload_file){ xasprintf("%s/%s", s->containers[k].dir, CR_IMAGE_CONTAINER),
						     xasprintf("%s.tar", cr_suite_container_recipes[k]) };
	}
	ret = cr_images_disk(s->o->cache_dir, files, s->n_containers, key, &s->images, made, err);
	s->images_seconds = cr_now() - t;
	for (size_t k = 0; k < s->n_containers; k++) {
		free((char *)files[k].src);
		free((char *)files[k].dest);
	}
	if (ret == 0 && *made)
		note(s, NULL, "crbench run: made the container images disk '%s' in %.1f s", s->images, s->images_seconds);
	return ret;
}

static void on_store_line(void *data, const char *line)
{
	struct cr_session *s = data;

	note(s, NULL, "crbench run: %s: %s", s->building, line);
}

/*
 * Each guest image with the suite's images in its Docker store, made by one
 * boot here when the cache lacks it, so that no guest loads them; on a
 * libvirt host reached by upload, its disk goes up in place of the base
 * image. Not when no step runs a container, nor for hosts reached by upload
 * when this machine's libvirt cannot make it (their guests load the images
 * at boot).
 */
static int docker_stores(struct cr_session *s, cr_error_t *err)
{
	if (!cr_plan_runs_containers(s->plan))
		return 0;
	for (size_t k = 0; k < s->n_containers; k++) {
		struct cr_store_image *im = &s->store_images[k];

		if (cr_container_image_id(s->containers[k].dir, &im->tag, &im->id, err) < 0)
			return cr_error_prefix(err, "cannot read the suite's container image '%s'", cr_suite_container_recipes[k]);
		im->file = xasprintf("%s.tar", cr_suite_container_recipes[k]);
		s->n_store_images++;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct guest *g = &s->g[i];
		struct cr_store_opts so = { .cache_dir = s->o->cache_dir,
					    .accel = s->o->local_accel, /* it boots here, whatever host the guest runs on */
					    .vm_name = g->plan->image,
					    .vm = &g->image,
					    .images_disk = s->images,
					    .images = s->store_images,
					    .n_images = s->n_store_images,
					    .timeout = 1800,
					    .stop = s->o->stop,
					    .on_line = on_store_line,
					    .data = s };
		int rc;

		if (g->h->pf->remote && !s->o->store_here)
			continue; /* its guests load the images at boot */
		for (size_t k = 0; k < i && !g->store.dir; k++)
			if (strcmp(s->g[k].image.key, g->image.key) == 0 && s->g[k].store.dir)
				g->store = (struct cr_store){ .dir = xstrdup(s->g[k].store.dir),
							      .key = xstrdup(s->g[k].store.key),
							      .disk = xstrdup(s->g[k].store.disk) };
		if (g->store.dir)
			continue;
		s->building = g->plan->image;
		rc = cr_store_get(&so, &g->store, err);
		s->building = NULL;
		if (rc < 0)
			return cr_error_prefix(err, "cannot preload the Docker store of image '%s'", g->plan->image);
		if (g->store.made)
			note(s, NULL, "crbench run: made the Docker store of image '%s' in %.1f s: '%s'", g->plan->image, g->store.seconds,
			     g->store.dir);
		else
			note(s, NULL, "%s Docker store: cached: %s", g->plan->image, g->store.dir);
	}
	return stopping(s) ? cr_error(err, 0, "interrupted") : 0;
}

/*
 * How host h's guests find the suite's container images: in their Docker
 * store ("store"), or loaded from the images disk at boot ("load", a host
 * reached by upload); NULL when no step runs a container.
 */
static const char *images_mode(const struct cr_session *s, const struct host *h)
{
	if (!s->n_store_images)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].h == h)
			return s->g[i].store.dir ? "store" : "load";
	return "load";
}

/*
 * A small payload disk for the guests: the agent, the resolved plan and the
 * images they check (or load); each guest finds its name on its kernel
 * command line. One per way to the images: payload.raw, and
 * payload-load.raw beside it when some hosts load them and others not.
 */
static int payload_disk(struct cr_session *s, struct host *h, const char *plan_path, cr_error_t *err)
{
	cleanup_free char *agent = cr_agent_path(), *staging = xasprintf("%s/payload", s->rundir);
	cleanup_free char *images_json = xasprintf("%s/images.json", s->rundir);
	struct cr_payload_file files[] = { { agent, "crbench-agent" }, { plan_path, "plan.ini" }, { images_json, "images.json" } };
	const char *mode = images_mode(s, h);
	double t = cr_now();
	bool first = true;
	int ret;

	for (size_t k = 0; k < h->index; k++) {
		const char *theirs = images_mode(s, &s->hosts[k]);

		if (!s->hosts[k].payload)
			continue; /* a host that could not be reached, or is not used, has none */
		if (theirs == mode || (theirs && mode && strcmp(theirs, mode) == 0)) {
			h->payload = xstrdup(s->hosts[k].payload);
			return 0;
		}
		first = false;
	}
	if (mode) {
		cleanup_free char *text = cr_store_images_json(s->store_images, s->n_store_images, mode);

		if (cr_write_text(images_json, text, err) < 0)
			return -1;
	}
	/* (the modes differ only when the plan runs containers: a later one has its mode) */
	h->payload = first ? xasprintf("%s/payload.raw", s->rundir) : xasprintf("%s/payload-%s.raw", s->rundir, mode);
	ret = cr_payload_make(staging, files, ARRAY_SIZE(files) - (mode ? 0 : 1), "crbench-payload", h->payload, err);
	s->payload_seconds += cr_now() - t;
	cr_rmtree(staging);
	unlink(images_json);
	return ret;
}

/* Per guest of host h: vCPU pinning on that host; *why says how its vCPUs are pinned. */
static void pin_host(struct cr_session *s, struct host *h, char **why)
{
	cleanup_free uint64_t *vcpus = xcalloc(s->n, sizeof(uint64_t));
	cleanup_free size_t *which = xcalloc(s->n, sizeof(size_t));
	unsigned **pins = NULL;
	size_t n = 0;
	cpu_set_t taken;

	CPU_ZERO(&taken);
	for (size_t i = 0; i < s->n; i++) {
		const struct guest *g = &s->g[i];

		if (g->h == h) {
			which[n] = i;
			vcpus[n++] = g->plan->vcpus;
		} else if (g->pin && g->h->name && h->name && strcmp(g->h->name, h->name) == 0) {
			/* another libvirtd of the same machine, whose guests run at the same time as these */
			for (uint64_t v = 0; v < g->plan->vcpus; v++)
				if (g->pin[v] < CPU_SETSIZE)
					CPU_SET(g->pin[v], &taken);
		}
	}
	if (!n)
		return;
	if (s->o->pin)
		cr_rundir_pin(s->o->cache_dir, h->rundir, h->name, vcpus, n, s->plan->parallel, h->cpus, &taken, &pins, why);
	else
		*why = xstrdup("not pinned: --no-pin");
	for (size_t j = 0; pins && j < n; j++) {
		struct guest *g = &s->g[which[j]];

		g->pin = pins[j];
		pins[j] = NULL;
		g->pub.pinned = true;
	}
	cr_pin_free(pins, n);
}

/* Per guest: names and paths, and vCPU pinning, host by host; *why says how the vCPUs are pinned. */
static void place_guests(struct cr_session *s, char **why)
{
	for (size_t k = 0; k < s->n_hosts; k++) {
		cleanup_free char *host_why = NULL;
		char *t;

		if (s->hosts[k].error)
			continue;
		pin_host(s, &s->hosts[k], &host_why);
		if (!host_why)
			continue;
		/* one host: its word as it is; several: each host's, named */
		t = !*why && cr_session_n_hosts(s) == 1
			    ? xstrdup(host_why)
			    : xasprintf("%s%s%s: %s", *why ? *why : "", *why ? "; " : "", cr_preflight_host_uri(s->hosts[k].pf), host_why);
		free(*why);
		*why = t;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct guest *g = &s->g[i];

		g->pub.domain = xasprintf(CR_RUN_DOMAIN_PREFIX "%s-%s", s->run_id, g->plan->name);
		g->dir = xasprintf("%s/%s", s->rundir, g->plan->name);
		g->overlay = xasprintf("%s/overlay.qcow2", g->dir);
		g->results_disk = xasprintf("%s/results.raw", g->dir);
		g->pub.console_path = xasprintf("%s/console.log", g->dir);
		g->out_dir = xasprintf("%s/%s", s->out, g->plan->name);
		g->overlay_vol = xasprintf("%s-overlay.qcow2", g->pub.domain);
		g->results_vol = xasprintf("%s-results.raw", g->pub.domain);
	}
}

/* What run.json says of host h: its hardware and versions, accelerator, URI, and pool when reached by upload. */
static json_t *host_info(const struct host *h)
{
	json_t *info = h->conn ? cr_libvirt_host_json(h->conn) : json_object();

	json_object_set_new(info, "uri", json_string(cr_preflight_host_uri(h->pf)));
	json_object_set_new(info, "accel", json_string(cr_accel_name(h->pf->accel)));
	json_object_set_new(info, "accel_reason", h->pf->accel_reason ? json_string(h->pf->accel_reason) : json_null());
	json_object_set_new(info, "remote", h->pf->remote && h->conn ? remote_json(h) : json_null());
	json_object_set_new(info, "error", h->error ? json_string(h->error) : json_null());
	return info;
}

/* The records of the run's other hosts, their payloads, their uploads. */
static int prepare_hosts(struct cr_session *s, const char *plan_path, cr_error_t *err)
{
	for (size_t k = 0; k < s->n_hosts; k++) {
		struct host *h = &s->hosts[k];

		if (k == 0) {
			h->rundir = xstrdup(s->rundir);
		} else if (!h->error) {
			cleanup_free char *uri = virConnectGetURI(h->conn);

			if (cr_rundir_add_host(s->rundir, k,
					       &(struct cr_rundir_info){ .uri = uri,
									 .host = h->name,
									 .pool = h->pf->remote ? cr_preflight_host_pool(h->pf) : NULL },
					       &h->rundir, err) < 0)
				return -1;
		}
		if (h->error || h->pf->idle)
			continue;
		if (payload_disk(s, h, plan_path, err) < 0)
			return -1;
		if (!h->pf->remote || upload_all(s, h, err) == 0)
			continue;
		if (k == 0)
			return -1;
		/* another host: its guests fail, the others run */
		h->error = xasprintf("cannot upload to libvirt host '%s': %s", cr_preflight_host_uri(h->pf), (*err)->msg);
		cr_error_free(err);
	}
	return 0;
}

/* The host run.json's top level describes (cr_preflight_run_host). */
static const struct host *run_host(const struct cr_session *s)
{
	return &s->hosts[cr_preflight_run_host(s->o->hosts, s->n_hosts)];
}

static int prepare(struct cr_session *s, struct cr_plan *plan, cr_error_t *err)
{
	const struct cr_session_opts *o = s->o;
	const char *root = o->results_root ? o->results_root : "results";
	/* an idle run's host is not recorded: no domain or volume of the run is there */
	cleanup_free char *plan_path = NULL, *dump = NULL, *why = NULL, *uri = s->hosts[0].conn ? virConnectGetURI(s->hosts[0].conn) : NULL;
	const struct host *rh;

	/* the run's id, directories and resolved plan (with the seed the run uses) */
	name_run(s, plan);
	s->out = xasprintf("%s/%s", root, s->run_id);
	if (mkdir(root, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create results directory '%s'", root);
	if (mkdir(s->out, 0755) < 0)
		return cr_error(err, errno, "cannot create run directory '%s'", s->out);
	if (cr_rundir_create(o->cache_dir, s->run_id,
			     &(struct cr_rundir_info){ .out = s->out,
						       .uri = uri,
						       .host = s->hosts[0].name,
						       .pool = s->hosts[0].pf->remote ? cr_preflight_host_pool(s->hosts[0].pf) : NULL },
			     &s->rundir, err) < 0)
		return -1;
	dump = cr_plan_dump(plan);
	plan_path = xasprintf("%s/plan.ini", s->out);
	if (cr_write_text(plan_path, dump, err) < 0)
		return -1;
	if (prepare_hosts(s, plan_path, err) < 0)
		return -1;
	place_guests(s, &why);
	for (size_t k = 0; k < s->n_hosts; k++)
		s->hosts[k].info = host_info(&s->hosts[k]);

	rh = run_host(s);
	s->manifest = json_pack("{s:s, s:i, s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:f}", "format", "crbench-run", "version", 1, "run_id",
				s->run_id, "crbench_version", crbench_version, "seed", (json_int_t)plan->seed, "plan",
				cr_plan_to_json(plan), "host", cr_host_json(rh->conn), "accel", cr_accel_name(rh->pf->accel), "pinning",
				why ? why : "each vCPU pinned to its own host CPU, disjoint between guests running together",
				"payload_seconds", s->payload_seconds);
	json_object_set_new(s->manifest, "injected_fault", o->fault ? json_string(o->fault) : json_null());
	json_object_set_new(s->manifest, "images_disk",
			    json_pack("{s:s, s:b, s:f}", "path", s->images, "made", s->images_made, "seconds", s->images_seconds));
	json_object_set_new(s->manifest, "started", utc_now_json());
	json_object_set_new(s->manifest, "remote", rh->pf->remote && rh->conn ? remote_json(rh) : json_null());
	json_object_set_new(json_object_get(s->manifest, "host"), "accel", json_string(cr_accel_name(rh->pf->accel)));
	json_object_set_new(json_object_get(s->manifest, "host"), "accel_reason",
			    rh->pf->accel_reason ? json_string(rh->pf->accel_reason) : json_null());
	return 0;
}

/* ---- the run ---- */

static bool ended(const struct guest *g)
{
	return g->pub.outcome.status != CR_GUEST_NOT_RUN && g->pub.outcome.status != CR_GUEST_RUNNING;
}

/* Whether guest i may start now: the plan runs its guests at once, or every guest before it on its host ended. */
static bool may_start(const struct cr_session *s, size_t i)
{
	if (s->plan->parallel)
		return true;
	for (size_t k = 0; k < i; k++)
		if (s->g[k].h == s->g[i].h && !ended(&s->g[k]))
			return false;
	return true;
}

/* Start what may start: on each host, every guest at once, or the next when the one before it ended. */
static void start_next(struct cr_session *s, size_t *left)
{
	for (size_t i = 0; i < s->n && !stopping(s); i++) {
		struct guest *g = &s->g[i];
		cleanup_error cr_error_t gerr = NULL;

		if (g->pub.outcome.status != CR_GUEST_NOT_RUN || !may_start(s, i))
			continue;
		(*left)--;
		if (g->h->error || start_guest(s, g, &gerr) < 0) {
			struct cr_guest_observed obs = { .end = CR_END_START_FAILED, .start_error = g->h->error ? g->h->error : gerr->msg };

			cr_guest_outcome_decide(&obs, &g->pub.outcome);
			if (!g->h->error)
				drop_guest_disks(g);
			emit(s, (struct cr_session_event){ .type = CR_SESSION_GUEST_ENDED, .guest = &g->pub });
			write_manifest(s, "running");
			continue;
		}
		emit(s, (struct cr_session_event){ .type = CR_SESSION_GUEST_STARTED, .guest = &g->pub });
		write_manifest(s, "running"); /* run.json says it runs: for a later run to harvest it, should this one die */
	}
}

/* Start the guests as the plan says, follow them until every one ended, or the caller's stop. */
static void event_loop(struct cr_session *s)
{
	size_t left = s->n; /* guests not started yet */
	double last_look = 0;

	s->t0 = cr_now();
	for (;;) {
		size_t running = 0;

		start_next(s, &left);
		/* the loop also wakes for libvirt's own traffic: look at the guests at most 4 times a second */
		if (cr_now() - last_look >= 0.25 || stopping(s)) {
			last_look = cr_now();
			for (size_t i = 0; i < s->n; i++)
				if (s->g[i].pub.outcome.status == CR_GUEST_RUNNING)
					check_guest(s, &s->g[i]);
			emit(s, (struct cr_session_event){ .type = CR_SESSION_TICK });
		}
		for (size_t i = 0; i < s->n; i++)
			running += s->g[i].pub.outcome.status == CR_GUEST_RUNNING;
		if (!running && (stopping(s) || !left))
			break;
		if (virEventRunDefaultImpl() < 0) {
			/* no more events to wait on: what the guests measured so far is harvested, not left behind */
			note(s, NULL, "crbench run: libvirt's event loop failed: ending the running guests");
			for (size_t i = 0; i < s->n; i++)
				if (s->g[i].pub.outcome.status == CR_GUEST_RUNNING)
					end_guest_for(s, &s->g[i], CR_END_EVENT_LOOP);
			break;
		}
	}
}

static bool any_remote(const struct cr_session *s)
{
	for (size_t k = 0; k < s->n_hosts; k++)
		if (s->hosts[k].pf->remote)
			return true;
	return false;
}

/*
 * What stays of the run's temporary directory: nothing, unless kept on
 * request or holding results not harvested. A guest whose host was lost
 * left its domain and volumes there: the directory keeps its owner, so that
 * once this process is gone a later run reaps it as a dead run's, reaching
 * that host again (its domain destroyed, its results volume down and
 * harvested into this run's directory); until the host answers it stays.
 */
static void clean_up(struct cr_session *s)
{
	size_t kept = 0, lost = 0;

	if (!s->rundir)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct guest *g = &s->g[i];

		kept += g->disk_kept;
		if (g->end != CR_END_HOST_LOST || !g->vol_kept || s->o->keep)
			continue;
		lost++;
		note(s, g,
		     "%s: the next crbench run with this cache reaches libvirt host '%s' again: it destroys the guest's domain there "
		     "and harvests its results volume into '%s' (until the host answers, '%s' stays)",
		     g->plan->name, cr_preflight_host_uri(g->h->pf), g->out_dir, s->rundir);
	}
	if (!s->o->keep && !kept) {
		cr_rmtree(s->rundir);
	} else if (!s->o->keep) {
		for (size_t k = 0; k < s->n_hosts; k++)
			if (s->hosts[k].payload)
				unlink(s->hosts[k].payload);
		/* results that could not be harvested are never deleted: no owner, so that no later run reaps them (but one of a lost host) */
		if (!lost) {
			cr_rundir_disown(s->rundir);
			note(s, NULL, "crbench run: kept %zu results disk%s in '%s' that could not be harvested%s", kept,
			     kept == 1 ? "" : "s", s->rundir,
			     any_remote(s) ? " (those that did not come down are volumes, named above)" : "");
		}
	} else {
		/* kept on request: no owner, so that no later run reaps it */
		cr_rundir_disown(s->rundir);
		note(s, NULL, "crbench run: kept the run's disks in '%s'%s", s->rundir,
		     any_remote(s) ? " (their volumes are named in its files 'volumes', with the pool in 'pool')" : "");
	}
	for (size_t k = 0; k < s->n_hosts && !s->o->keep; k++)
		if (s->hosts[k].pool && s->hosts[k].payload_vol)
			cr_vol_delete(s->hosts[k].pool, s->hosts[k].payload_vol, NULL);
}

/*
 * Connect to host h, and to its pool when it is reached by upload. The
 * run's host must answer (-1); another that does not fails its guests
 * (h->error), and the others run.
 */
static int connect_host(struct host *h, cr_error_t *err)
{
	cleanup_error cr_error_t herr = NULL;

	if (h->pf->idle)
		return 0; /* no guest runs there */
	if (cr_virt_open(h->pf->uri, &h->conn, &herr) == 0) {
		h->name = virConnectGetHostname(h->conn);
		if (!h->pf->remote || (cr_pool_open(h->conn, cr_preflight_host_pool(h->pf), &h->pool, &herr) == 0 &&
				       cr_virt_host_cpus(h->conn, &h->cpus, &(bool){ false }, &herr) == 0))
			return 0;
	}
	if (h->index == 0) {
		*err = steal_pointer(&herr);
		return -1;
	}
	h->error = xasprintf("cannot reach libvirt host '%s': %s", cr_preflight_host_uri(h->pf), herr->msg);
	return 0;
}

static int run(struct cr_session *s, cr_error_t *err)
{
	const struct cr_session_opts *o = s->o;
	cleanup_strv char **reaped = NULL;
	int timer;

	/* the stores boot a guest each: before this run's libvirt connection, like the builds */
	if (build_all(s, err) < 0 || images_disk(s, &s->images_made, err) < 0 || docker_stores(s, err) < 0)
		return -1;
	virEventRegisterDefaultImpl();
	for (size_t k = 0; k < s->n_hosts; k++)
		if (connect_host(&s->hosts[k], err) < 0)
			return -1;
	/* what it did, and what it could not do (a dead run kept for later) */
	cr_runs_reap(o->cache_dir, s->hosts[0].conn, &reaped);
	for (size_t i = 0; reaped && reaped[i]; i++)
		note(s, NULL, "crbench run: %s", reaped[i]);
	if (prepare(s, o->plan, err) < 0)
		return -1;
	emit(s, (struct cr_session_event){ .type = CR_SESSION_RUN_STARTED });
	write_manifest(s, "running");

	for (size_t k = 0; k < s->n_hosts; k++)
		if (s->hosts[k].conn)
			s->hosts[k].cb = virConnectDomainEventRegisterAny(s->hosts[k].conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
									  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), s, NULL);
	timer = virEventAddTimeout(250, on_tick, NULL, NULL);
	event_loop(s);
	write_manifest(s, stopping(s) ? "interrupted" : cr_session_n_complete(s) == s->n ? "complete" : "partial");
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	for (size_t k = 0; k < s->n_hosts; k++)
		if (s->hosts[k].cb >= 0)
			virConnectDomainEventDeregisterAny(s->hosts[k].conn, s->hosts[k].cb);
	return 0;
}

int cr_session_run(const struct cr_session_opts *o, struct cr_session **out, cr_error_t *err)
{
	struct cr_session *s = xcalloc(1, sizeof(*s));
	int ret;

	s->o = o;
	s->plan = o->plan;
	s->n = o->plan->n_guests;
	s->g = xcalloc(s->n, sizeof(*s->g));
	s->n_hosts = o->n_hosts;
	s->hosts = xcalloc(s->n_hosts, sizeof(*s->hosts));
	for (size_t k = 0; k < s->n_hosts; k++)
		s->hosts[k] = (struct host){ .pf = &o->hosts[k], .index = k, .cb = -1 };
	for (size_t i = 0; i < s->n; i++) {
		s->g[i].h = &s->hosts[o->guest_host[i]];
		s->g[i].plan = s->g[i].pub.plan = &o->plan->guests[i];
		s->g[i].console_fd = -1;
		s->g[i].pub.watch.agent_uptime = -1;
		s->g[i].pub.outcome.status = CR_GUEST_NOT_RUN;
	}
	*out = s;
	ret = run(s, err);
	for (size_t i = 0; i < s->n; i++) {
		cr_domain_destroy(s->g[i].dom);
		s->g[i].dom = NULL;
		console_close(&s->g[i]);
	}
	clean_up(s);
	return ret;
}

void cr_session_free(struct cr_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		release_guest(&s->g[i]);
	for (size_t k = 0; k < s->n_containers; k++)
		cr_built_release(&s->containers[k]);
	cr_store_images_release(s->store_images, s->n_store_images);
	free(s->g);
	free(s->run_id);
	free(s->out);
	free(s->rundir);
	free(s->images);
	for (size_t k = 0; k < s->n_hosts; k++) {
		struct host *h = &s->hosts[k];

		free(h->name);
		free(h->rundir);
		free(h->payload);
		free(h->r_payload);
		free(h->r_images);
		free(h->payload_vol);
		free(h->error);
		json_decref(h->info);
		if (h->pool)
			virStoragePoolFree(h->pool);
		cr_virt_close(h->conn);
	}
	free(s->hosts);
	json_decref(s->manifest);
	free(s);
}

const char *cr_session_run_id(const struct cr_session *s)
{
	return s->run_id;
}

const char *cr_session_dir(const struct cr_session *s)
{
	return s->out;
}

size_t cr_session_n_guests(const struct cr_session *s)
{
	return s->n;
}

const struct cr_session_guest *cr_session_guest(const struct cr_session *s, size_t i)
{
	return i < s->n ? &s->g[i].pub : NULL;
}

size_t cr_session_n_complete(const struct cr_session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->g[i].pub.outcome.status == CR_GUEST_COMPLETE;
	return n;
}

bool cr_session_parallel(const struct cr_session *s)
{
	return s->plan->parallel;
}

size_t cr_session_n_hosts(const struct cr_session *s)
{
	size_t n = 0;

	for (size_t k = 0; k < s->n_hosts; k++)
		for (size_t i = 0; i < s->n; i++)
			if (s->g[i].h == &s->hosts[k]) {
				n++;
				break;
			}
	return n;
}
