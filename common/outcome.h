/* A guest's outcome: what its console said, what the host saw, and the one function that decides its status from them. */
#ifndef CRBENCH_OUTCOME_H
#define CRBENCH_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "progress.h"

/* A guest's status, as run.json's "status" writes it (docs/run-format.md). */
enum cr_guest_status {
	CR_GUEST_NOT_RUN,     /* the run ended before it started */
	CR_GUEST_RUNNING,     /* run.json of a run still going, or of one killed */
	CR_GUEST_COMPLETE,    /* the agent finished its suite and the harvest verified it */
	CR_GUEST_REFUSED,     /* the agent finished but measured nothing, on purpose (a Kata guest that is no real VM) */
	CR_GUEST_FAILED,      /* it stopped early, panicked, or its results are not whole */
	CR_GUEST_TIMEOUT,     /* destroyed for running too long or going silent */
	CR_GUEST_INTERRUPTED, /* destroyed because crbench run got a signal or lost libvirt's event loop */
	CR_GUEST__MAX,
};
extern const char *const cr_guest_status_names[CR_GUEST__MAX];	 /* "not-run", "running", "complete", ... */
extern const char *const cr_guest_status_phrases[CR_GUEST__MAX]; /* "did not run", "was still running", "completed", ... */
/* The status of that name, or -1. */
int cr_guest_status_parse(const char *name);

/* Why the host ended the guest. */
enum cr_guest_end {
	CR_END_STOPPED,		 /* it powered off (or crashed) by itself */
	CR_END_TIMEOUT,		 /* it ran past the plan's timeout */
	CR_END_PROGRESS_TIMEOUT, /* no progress line for the plan's progress-timeout */
	CR_END_SIGNAL,		 /* crbench run got SIGINT or SIGTERM */
	CR_END_EVENT_LOOP,	 /* libvirt's event loop failed */
	CR_END_START_FAILED,	 /* it never started */
	CR_END_HOST_LOST,	 /* its libvirt host closed the connection while it ran */
};

/* What a guest's serial console said, line by line (cr_guest_watch_line). */
struct cr_guest_watch {
	double agent_uptime;			       /* the guest's uptime when the agent unit started; < 0 until its marker is seen */
	bool panic;				       /* "Kernel panic" */
	bool hello, done;			       /* the agent's HELLO and DONE lines */
	uint64_t total;				       /* steps planned, from HELLO */
	uint64_t ended, n_ok, n_failed, n_unsupported; /* END lines by status (timeout counts as failed) */
	enum cr_progress_status done_status;
	char *done_reason;	 /* the reason on DONE, NULL without one */
	char *agent_said;	 /* the agent's last "crbench-agent: " line, for the reason of a guest that stopped early */
	struct cr_progress last; /* the last START, HEARTBEAT or END */
	uint64_t bad_lines;
};

/* The marker agent-launch (builder/rootfs) prints when the agent unit starts, before the uptime in seconds. */
#define CR_AGENT_MARKER "crbench: agent unit started, uptime "
/* The preload boot's lines (guest/images.c writes them, host/lib/store.c reads them): "loaded TAG ID in S s", "done", "failed: WHY". */
#define CR_PRELOAD_MARK "crbench-preload:"

/*
 * Take one console line into w. Returns 1 and fills *p for a progress line,
 * 0 for any other line, -1 (err says why) for a bad progress line. *agent
 * is set when this line is the agent unit's marker.
 */
int cr_guest_watch_line(struct cr_guest_watch *w, const char *line, struct cr_progress *p, bool *agent, cr_error_t *err);
/* The guest boots again (a boot per step): forget what its last boot's console said, keep the step counts. */
void cr_guest_watch_reboot(struct cr_guest_watch *w);
void cr_guest_watch_release(struct cr_guest_watch *w);

/* Everything the outcome depends on. */
/* Below this share of one CPU over its silence, a silent guest was idle rather than busy. */
#define CR_IDLE_CPU_SHARE 0.1

struct cr_guest_observed {
	enum cr_guest_end end;
	int signal;			      /* CR_END_SIGNAL: which */
	const char *start_error;	      /* CR_END_START_FAILED: why; CR_END_HOST_LOST: what was lost */
	bool stopped;			      /* the domain had stopped by itself when the host ended it */
	bool crashed;			      /* libvirt's lifecycle event said it crashed */
	const struct cr_guest_watch *console; /* what its console said */
	const char *harvest_error;	      /* the results disk could not be harvested: why; NULL when it was */
	const char *harvest;		      /* the harvest's status: "verified", "incomplete", "failed" */
	const char *refusal; /* the harvested runtime.json's "refused", whole (the DONE line's reason is cut at 256 bytes), or NULL */
	uint64_t timeout, progress_timeout; /* the plan's, in seconds */
	/*
	 * CR_END_PROGRESS_TIMEOUT: the CPU seconds the guest's vCPUs ran over the
	 * last silent_seconds of its silence; silent_seconds <= 0 when unknown
	 */
	double silent_cpu_seconds, silent_seconds;
};

struct cr_guest_outcome {
	enum cr_guest_status status;
	char *reason; /* NULL for a complete guest */
};

/*
 * The guest's status and reason, from what was observed and nothing else. A
 * guest whose agent finished and that powered off before the signal or
 * timeout came is not interrupted by it. Release with cr_guest_outcome_release.
 */
void cr_guest_outcome_decide(const struct cr_guest_observed *o, struct cr_guest_outcome *out);
void cr_guest_outcome_release(struct cr_guest_outcome *out);

#endif
