/* crbench boot as a library: one guest image booted on a throw-away overlay, timed to its agent unit and to its power-off. */
#ifndef CRBENCH_BOOT_H
#define CRBENCH_BOOT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "preflight.h"

struct cr_build_progress;

enum cr_boot_event_type {
	CR_BOOT_NOTE,	 /* text: a line to say */
	CR_BOOT_BUILD,	 /* build: the image's build progress */
	CR_BOOT_STARTED, /* the domain started */
	CR_BOOT_CONSOLE, /* text: a console line */
	CR_BOOT_AGENT,	 /* the agent unit started */
};

struct cr_boot_result {
	char *domain, *console; /* the domain's name; its console log while it runs (gone afterwards) */
	double agent_uptime;	/* the guest's uptime when the agent unit started; < 0: it never did */
	double t_agent, t_end;	/* host wall seconds from the start to the agent unit, and to the end */
	bool powered_off;	/* it stopped by itself (else the timeout or a signal ended it) */
	bool panic;		/* its console said "Kernel panic" */
};

struct cr_boot_event {
	enum cr_boot_event_type type;
	const char *text;
	const struct cr_build_progress *build;
	const struct cr_boot_result *result;
};

struct cr_boot_opts {
	const char *image; /* guest recipe */
	const char *uri;   /* a libvirtd on this host; NULL: qemu:///system */
	const char *cache_dir;
	enum cr_accel accel; /* resolved */
	uint64_t vcpus, memory;
	bool nested;
	uint64_t timeout;	  /* seconds */
	const char *console_keep; /* copy the console log here, or NULL */
	const char *payload_dir;  /* a payload disk made of this directory, or NULL */
	const char *results;	  /* a new results disk made here, and kept, or NULL */
	volatile sig_atomic_t *stop;
	void (*on_event)(void *data, const struct cr_boot_event *ev);
	void *data;
};

/*
 * Build the image when the cache lacks it, boot it, follow its console until
 * it powers off, the timeout, or *stop; destroy it; leave nothing but the
 * results disk and kept console asked for. -1 when it could not boot.
 * Release *res either way.
 */
int cr_boot_run(const struct cr_boot_opts *o, struct cr_boot_result *res, cr_error_t *err);
void cr_boot_result_release(struct cr_boot_result *res);

#endif
