/*
 * A crbench run, as a library: builds what the cache lacks, prepares the
 * disks, boots one libvirt domain per guest, follows their consoles, ends
 * them (done, timed out, signalled), harvests their results disks and keeps
 * the run manifest (run.json). The caller parses options, draws what the
 * events say, and turns the result into an exit code; it never touches
 * libvirt.
 */
#ifndef CRBENCH_SESSION_H
#define CRBENCH_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "outcome.h"
#include "plan.h"
#include "preflight.h"

/* The faults --inject-fault makes happen: panic, hang, agent-crash, docker-fail (in the guest), results-full (a 64 KiB results disk). */
extern const char *const cr_session_faults[];

/* One guest of the run, as the caller sees it. */
struct cr_session_guest {
	const struct cr_guest_plan *plan;
	char *domain, *console_path;
	bool pinned;
	struct cr_guest_watch watch;	 /* what its console said */
	double t_start, t_last_progress; /* cr_now() when it started, when it last printed progress */
	double t_end;			 /* seconds from provisioning to its end */
	struct cr_guest_outcome outcome; /* CR_GUEST_NOT_RUN until it starts, CR_GUEST_RUNNING until it ends */
	char *harvest;			 /* the harvest's status, once ended */
	uint64_t steps_harvested, steps_ok, steps_failed, steps_unsupported;
};

struct cr_session;

enum cr_session_event_type {
	CR_SESSION_NOTE,	  /* text: a line to say (guest may be NULL) */
	CR_SESSION_BUILD,	  /* image, build: a build's progress */
	CR_SESSION_BUILT,	  /* image, built: an image built, or found cached */
	CR_SESSION_RUN_STARTED,	  /* the run's id and directory are known; the guests start next */
	CR_SESSION_GUEST_STARTED, /* guest */
	CR_SESSION_CONSOLE,	  /* guest, text: a line of its console */
	CR_SESSION_PROGRESS,	  /* guest, progress: a progress line of its agent */
	CR_SESSION_HARVESTED,	  /* guest, harvest, text (its results directory): a harvest that refused or lacked something */
	CR_SESSION_GUEST_ENDED,	  /* guest: its outcome is decided */
	CR_SESSION_TICK,	  /* a few times a second while guests run: time to redraw */
};

struct cr_build_progress;
struct cr_built;
struct cr_harvest_report;
struct cr_progress;

struct cr_session_event {
	enum cr_session_event_type type;
	const struct cr_session *session;
	const struct cr_session_guest *guest;
	const char *text, *image;
	const struct cr_build_progress *build;
	const struct cr_built *built;
	const struct cr_progress *progress;
	const struct cr_harvest_report *harvest;
};

typedef void (*cr_session_event_fn)(void *data, const struct cr_session_event *ev);

struct cr_session_opts {
	struct cr_plan *plan;	  /* its seed is set here when the plan has none */
	const char *results_root; /* run directories go there (default "results") */
	const char *cache_dir;
	const char *const *mirrors;  /* the --mirror values, as cr_build_opts's */
	const char *const *keyrings; /* the --keyring values */
	/*
	 * The libvirt hosts, as the preflight decided them (their accelerator,
	 * whether the disks go up into their pool): hosts[0] is the run's, and
	 * guest i runs on hosts[guest_host[i]]. Guests on different hosts run
	 * at the same time; on one host, as the plan's parallel says.
	 */
	const struct cr_preflight_host *hosts;
	size_t n_hosts;
	const size_t *guest_host;
	/*
	 * Docker stores are made here, by this machine's libvirt with
	 * local_accel. The guests on hosts reached by upload boot on one too,
	 * uploaded in place of their base image, when store_here (the
	 * preflight's); false: they load the suite's container images at
	 * every boot.
	 */
	bool store_here;
	enum cr_accel local_accel;
	bool pin;		     /* pin vCPUs to host CPUs */
	bool keep;		     /* keep the overlays and disks in the cache's runs/ */
	const char *fault;	     /* one of cr_session_faults, or NULL */
	volatile sig_atomic_t *stop; /* set by the caller's signal handler: end the guests, harvest, return */
	cr_session_event_fn on_event;
	void *data;
};

/*
 * Run the plan. Returns 0 when the run happened (each guest's outcome says
 * how it went), -1 when it could not (err says why; a run directory may
 * exist, with run.json). *out is the session, for its result, until
 * cr_session_free; it is set either way.
 */
int cr_session_run(const struct cr_session_opts *o, struct cr_session **out, cr_error_t *err);
void cr_session_free(struct cr_session *s);

const char *cr_session_run_id(const struct cr_session *s); /* NULL before the run directory exists */
const char *cr_session_dir(const struct cr_session *s);	   /* the run directory, results/<run id> */
size_t cr_session_n_guests(const struct cr_session *s);
const struct cr_session_guest *cr_session_guest(const struct cr_session *s, size_t i);
size_t cr_session_n_complete(const struct cr_session *s);
bool cr_session_parallel(const struct cr_session *s);
size_t cr_session_n_hosts(const struct cr_session *s); /* the libvirt hosts its guests run on */

#endif
