/* crbench boot as a library: build, overlay, boot, watch the console for the agent unit and a panic, destroy, clean up. */
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "build.h"
#include "console.h"
#include "domain.h"
#include "outcome.h"
#include "paths.h"
#include "proc.h"
#include "recipe.h"
#include "run.h"
#include "rundir.h"
#include "util.h"
#include "virt.h"

struct boot {
	const struct cr_boot_opts *o;
	struct cr_boot_result *res;
	struct cr_guest_watch watch; /* the same console watcher as crbench run's */
	double t0;
};

static void emit(const struct boot *b, struct cr_boot_event ev)
{
	ev.result = b->res;
	if (b->o->on_event)
		b->o->on_event(b->o->data, &ev);
}

static void on_build_progress(void *data, const struct cr_build_progress *p)
{
	emit(data, (struct cr_boot_event){ .type = CR_BOOT_BUILD, .build = p });
}

static void on_line(void *data, const char *line)
{
	struct boot *b = data;
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;
	bool agent;

	emit(b, (struct cr_boot_event){ .type = CR_BOOT_CONSOLE, .text = line });
	cr_guest_watch_line(&b->watch, line, &p, &agent, &err);
	if (agent) {
		b->res->agent_uptime = b->watch.agent_uptime;
		b->res->t_agent = cr_now() - b->t0;
		emit(b, (struct cr_boot_event){ .type = CR_BOOT_AGENT });
	}
	b->res->panic = b->watch.panic;
}

/* The image, built when the cache lacks it: *dir is its cache entry. */
static int build(struct boot *b, char **dir, cr_error_t *err)
{
	cleanup_free char *datadir = cr_data_dir(), *images_dir = xasprintf("%s/images", datadir);
	cleanup_recipe struct cr_recipe *r = NULL;
	struct cr_build_opts bo = { .verify = true,
				    .interrupted = b->o->stop,
				    .cache_dir = b->o->cache_dir,
				    .srcdir = datadir,
				    .progress = on_build_progress,
				    .progress_data = b };
	struct cr_built built;

	if (cr_recipe_load(images_dir, b->o->image, &r, err) < 0)
		return -1;
	if (r->kind != CR_RECIPE_VM)
		return cr_error(err, 0, "image '%s' is a container image, not a guest", b->o->image);
	if (cr_build(&bo, r, &built, err) < 0)
		return -1;
	*dir = xstrdup(built.dir);
	cr_built_release(&built);
	return 0;
}

/* Boot it and follow its console until it powers off, the timeout or a signal; then destroy it. */
static int boot(struct boot *b, const char *dir, const char *rundir, cr_error_t *err)
{
	const struct cr_boot_opts *o = b->o;
	cleanup_free char *base = xasprintf("%s/%s", dir, CR_IMAGE_DISK), *kernel = xasprintf("%s/%s", dir, CR_IMAGE_KERNEL);
	cleanup_free char *initrd = xasprintf("%s/%s", dir, CR_IMAGE_INITRD), *overlay = xasprintf("%s/overlay.qcow2", rundir);
	cleanup_free char *payload = o->payload_dir ? xasprintf("%s/payload.raw", rundir) : NULL;
	cleanup_conn virConnectPtr conn = NULL;
	struct cr_console con = { .path = b->res->console };
	struct cr_domain_spec spec = { .name = b->res->domain,
				       .accel = o->accel,
				       .vcpus = o->vcpus,
				       .memory = o->memory,
				       .nested = o->nested,
				       .kernel = kernel,
				       .initrd = initrd,
				       .disk = overlay,
				       .payload = payload,
				       .results = o->results,
				       .console_log = b->res->console };
	virDomainPtr dom = NULL;
	bool stopping;

	if (cr_overlay_make(base, overlay, err) < 0)
		return -1;
	if (payload && cr_payload_make_dir(o->payload_dir, "crbench-payload", payload, err) < 0)
		return -1;
	if (o->results && cr_results_disk_make(o->results, CR_RESULTS_DISK_SIZE, err) < 0)
		return -1;
	cr_rundir_add_domain(rundir, b->res->domain);
	if (cr_virt_open(o->uri, &conn, err) < 0 || cr_virt_check_local(conn, o->uri, err) < 0 ||
	    cr_domain_start(conn, &spec, &dom, err) < 0)
		return -1;
	b->t0 = cr_now();
	emit(b, (struct cr_boot_event){ .type = CR_BOOT_STARTED });
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		cr_console_poll(&con, on_line, b);
		stopping = (o->stop && *o->stop) || cr_now() - b->t0 > (double)o->timeout;
		if (!cr_domain_running(dom) || stopping)
			break;
		nanosleep(&ts, NULL);
	}
	b->res->t_end = cr_now() - b->t0;
	b->res->powered_off = !cr_domain_running(dom);
	cr_console_poll(&con, on_line, b);
	if (!b->res->powered_off)
		emit(b, (struct cr_boot_event){ .type = CR_BOOT_NOTE,
						.text = o->stop && *o->stop ? "interrupted: destroying the guest"
									    : "no power-off before the timeout: destroying the guest" });
	cr_domain_destroy(dom);
	return 0;
}

int cr_boot_run(const struct cr_boot_opts *o, struct cr_boot_result *res, cr_error_t *err)
{
	struct boot b = { .o = o, .res = res, .watch = { .agent_uptime = -1 } };
	cleanup_free char *dir = NULL, *rundir = NULL;
	int ret;

	*res = (struct cr_boot_result){ .agent_uptime = -1, .t_agent = -1 };
	if (build(&b, &dir, err) < 0)
		return -1;
	res->domain = xasprintf(CR_RUN_DOMAIN_PREFIX "boot-%s-%d", o->image, (int)getpid());
	/* a run directory like crbench run's: a boot killed here is cleaned up by the next run */
	if (cr_rundir_create(o->cache_dir, res->domain + strlen(CR_RUN_DOMAIN_PREFIX), NULL, &rundir, err) < 0)
		return -1;
	res->console = xasprintf("%s/console.log", rundir);
	ret = boot(&b, dir, rundir, err);
	if (o->console_keep) {
		cleanup_error cr_error_t cerr = NULL;
		char *cp[] = { (char *)"cp", (char *)"--", res->console, (char *)o->console_keep, NULL };

		if (cr_run_checked(cp, &cerr) < 0)
			emit(&b, (struct cr_boot_event){ .type = CR_BOOT_NOTE, .text = cerr->msg });
	}
	cr_guest_watch_release(&b.watch);
	cr_rmtree(rundir);
	return ret;
}

void cr_boot_result_release(struct cr_boot_result *res)
{
	free(res->domain);
	free(res->console);
	res->domain = res->console = NULL;
}
