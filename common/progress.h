/* The progress line protocol: what the agent prints on the serial console and the host follows (docs/progress-protocol.md). */
#ifndef CRBENCH_PROGRESS_H
#define CRBENCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Every progress line carries this marker; what precedes it on the line (journald's prefix, a timestamp) is ignored. */
#define CR_PROGRESS_MARKER "CRBENCH1 "
#define CR_PROGRESS_LINE_MAX 1024
#define CR_PROGRESS_NAME_MAX 64
#define CR_PROGRESS_REASON_MAX 256

enum cr_progress_event {
	CR_PROGRESS_HELLO,     /* the agent started: guest, tests */
	CR_PROGRESS_START,     /* test i of n, repetition, starts */
	CR_PROGRESS_HEARTBEAT, /* a long test is still running */
	CR_PROGRESS_END,       /* test i ended: status, seconds, reason */
	CR_PROGRESS_DONE,      /* the suite ended; the agent powers off next */
	CR_PROGRESS__MAX,
};

enum cr_progress_status {
	CR_STATUS_NONE, /* events other than END and DONE */
	CR_STATUS_OK,
	CR_STATUS_FAILED,
	CR_STATUS_TIMEOUT,
	CR_STATUS_UNSUPPORTED,
	CR_STATUS__MAX,
};

extern const char *const cr_progress_event_names[CR_PROGRESS__MAX];
extern const char *const cr_progress_status_names[CR_STATUS__MAX];

struct cr_progress {
	enum cr_progress_event event;
	uint64_t seq;			      /* increases by one per line, from 1 */
	char guest[CR_PROGRESS_NAME_MAX + 1]; /* HELLO */
	uint64_t index, total;		      /* START, HEARTBEAT, END: test i of n (1-based) */
	char test[CR_PROGRESS_NAME_MAX + 1];
	uint64_t rep, reps; /* repetition r of reps, 0 for the warm-up */
	double elapsed;	    /* seconds: HEARTBEAT since START, END the test's duration */
	enum cr_progress_status status;
	char reason[CR_PROGRESS_REASON_MAX + 1]; /* END of a test that did not pass, DONE */
};

/* How the DONE reason of an agent that measured nothing begins: the host then calls the guest refused. */
#define CR_AGENT_REFUSED "nothing measured: "

/* The line for p, without a newline, into buf; returns its length, or -1 if it does not fit. */
int cr_progress_format(const struct cr_progress *p, char *buf, size_t len);

/*
 * Parse a console line. Returns 1 and fills *p for a valid progress line, 0
 * for a line without the marker, -1 (err says why) for a line with the
 * marker that is not valid: the guest is untrusted, so nothing is believed
 * that does not check out (names, numbers, ranges, lengths).
 */
int cr_progress_parse(const char *line, size_t len, struct cr_progress *p, cr_error_t *err);

#endif
