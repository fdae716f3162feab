/* A guest's outcome: following its console, and deciding its status and reason from what was observed. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "util.h"

/* clang-format off */
const char *const cr_guest_status_names[CR_GUEST__MAX] = {
	[CR_GUEST_NOT_RUN] = "not-run",	    [CR_GUEST_RUNNING] = "running", [CR_GUEST_COMPLETE] = "complete",
	[CR_GUEST_REFUSED] = "refused",	    [CR_GUEST_FAILED] = "failed",   [CR_GUEST_TIMEOUT] = "timeout",
	[CR_GUEST_INTERRUPTED] = "interrupted",
};
/* clang-format on */

/* clang-format off */
const char *const cr_guest_status_phrases[CR_GUEST__MAX] = {
	[CR_GUEST_NOT_RUN] = "did not run",
	[CR_GUEST_RUNNING] = "was still running",
	[CR_GUEST_COMPLETE] = "completed",
	[CR_GUEST_REFUSED] = "refused to measure",
	[CR_GUEST_FAILED] = "failed",
	[CR_GUEST_TIMEOUT] = "timed out",
	[CR_GUEST_INTERRUPTED] = "was interrupted",
};
/* clang-format on */

int cr_guest_status_parse(const char *name)
{
	for (int i = 0; name && i < CR_GUEST__MAX; i++)
		if (strcmp(name, cr_guest_status_names[i]) == 0)
			return i;
	return -1;
}

int cr_guest_watch_line(struct cr_guest_watch *w, const char *line, struct cr_progress *p, bool *agent, cr_error_t *err)
{
	const char *m = strstr(line, CR_AGENT_MARKER);
	int rc;

	*agent = false;
	if (m && w->agent_uptime < 0) {
		w->agent_uptime = strtod(m + strlen(CR_AGENT_MARKER), NULL);
		*agent = true;
	}
	if (strstr(line, "Kernel panic"))
		w->panic = true;
	if ((m = strstr(line, "crbench-agent: ")) && !strstr(line, "injecting fault")) {
		free(w->agent_said);
		w->agent_said = xstrndup(m + strlen("crbench-agent: "), 300);
	}
	rc = cr_progress_parse(line, strlen(line), p, err);
	if (rc < 0)
		w->bad_lines++;
	if (rc <= 0)
		return rc;
	switch (p->event) {
	case CR_PROGRESS_HELLO:
		w->hello = true;
		w->total = p->total;
		break;
	case CR_PROGRESS_END:
		w->ended++;
		w->n_ok += p->status == CR_STATUS_OK;
		w->n_failed += p->status == CR_STATUS_FAILED || p->status == CR_STATUS_TIMEOUT;
		w->n_unsupported += p->status == CR_STATUS_UNSUPPORTED;
		/* fall through */
	case CR_PROGRESS_START:
	case CR_PROGRESS_HEARTBEAT:
		w->last = *p;
		break;
	case CR_PROGRESS_DONE:
		w->done = true;
		w->done_status = p->status;
		free(w->done_reason);
		w->done_reason = p->reason[0] ? xstrdup(p->reason) : NULL;
		break;
	case CR_PROGRESS__MAX:
		break;
	}
	return 1;
}

void cr_guest_watch_reboot(struct cr_guest_watch *w)
{
	cr_guest_watch_release(w);
	w->agent_uptime = -1;
	w->panic = w->hello = w->done = false;
	w->done_status = CR_STATUS_NONE;
	w->last = (struct cr_progress){ 0 };
}

void cr_guest_watch_release(struct cr_guest_watch *w)
{
	free(w->done_reason);
	free(w->agent_said);
	w->done_reason = w->agent_said = NULL;
}

/* Ended by the host, for a reason of its own: timeout or interrupted. */
static void ended_by_host(const struct cr_guest_observed *o, struct cr_guest_outcome *out)
{
	switch (o->end) {
	case CR_END_TIMEOUT:
		out->status = CR_GUEST_TIMEOUT;
		out->reason = xasprintf("ran past the plan's timeout of %llu s and was destroyed", (unsigned long long)o->timeout);
		break;
	case CR_END_PROGRESS_TIMEOUT:
		out->status = CR_GUEST_TIMEOUT;
		if (o->silent_seconds <= 0 || o->silent_cpu_seconds < 0)
			out->reason = xasprintf("no progress line for %llu s (the plan's progress-timeout): destroyed",
						(unsigned long long)o->progress_timeout);
		else
			/* idle: a stuck agent, or a frozen guest; busy: something ran that never let the agent speak */
			out->reason = xasprintf(
				"no progress line for %llu s (the plan's progress-timeout): destroyed; its vCPUs ran "
				"%.1f s in the last %.0f s: %s",
				(unsigned long long)o->progress_timeout, o->silent_cpu_seconds, o->silent_seconds,
				o->silent_cpu_seconds < CR_IDLE_CPU_SHARE * o->silent_seconds
					? "the guest sat idle (a stuck agent, or a frozen guest), it was not busy"
					: "the guest was busy, yet its agent said nothing");
		break;
	case CR_END_EVENT_LOOP:
		out->status = CR_GUEST_INTERRUPTED;
		out->reason = xstrdup("libvirt's event loop failed, crbench run could not follow the guest: destroyed");
		break;
	case CR_END_SIGNAL:
		out->status = CR_GUEST_INTERRUPTED;
		out->reason = xasprintf("crbench run got %s: the guest was destroyed", o->signal == SIGINT ? "SIGINT" : "SIGTERM");
		break;
	case CR_END_START_FAILED:
		out->status = CR_GUEST_FAILED;
		out->reason = xasprintf("cannot start: %s", o->start_error ? o->start_error : "unknown error");
		break;
	case CR_END_HOST_LOST:
		out->status = CR_GUEST_FAILED;
		out->reason = xasprintf("%s; its domain could not be destroyed and may still run there",
					o->start_error ? o->start_error : "lost its libvirt host");
		break;
	case CR_END_STOPPED:
		break;
	}
}

void cr_guest_outcome_decide(const struct cr_guest_observed *o, struct cr_guest_outcome *out)
{
	static const struct cr_guest_watch silent = { .agent_uptime = -1 };
	const struct cr_guest_watch *w = o->console ? o->console : &silent;
	bool verified = !o->harvest_error && o->harvest && strcmp(o->harvest, "verified") == 0;

	out->reason = NULL;
	/* a guest whose agent finished and that powered off before the signal or timeout came is not ended by it */
	if (o->end != CR_END_STOPPED && !(o->end != CR_END_START_FAILED && w->done && o->stopped)) {
		ended_by_host(o, out);
		return;
	}
	if (w->done && verified) {
		/* an agent that finished and measured nothing (a Kata that would not be a real nested VM) is no success */
		bool refused = w->done_reason && str_has_prefix(w->done_reason, CR_AGENT_REFUSED);

		out->status = refused ? CR_GUEST_REFUSED : CR_GUEST_COMPLETE;
		out->reason = !refused ? NULL : o->refusal ? xasprintf(CR_AGENT_REFUSED "%s", o->refusal) : xstrdup(w->done_reason);
		return;
	}
	out->status = CR_GUEST_FAILED;
	if (w->panic || o->crashed)
		out->reason = xstrdup("the guest kernel panicked (see console.log)");
	else if (o->harvest_error)
		out->reason = xasprintf("cannot harvest the results disk: %s", o->harvest_error);
	else if (!w->done && w->agent_uptime < 0)
		out->reason = xstrdup("the guest stopped before the agent unit started (see console.log)");
	else if (!w->done)
		out->reason = xasprintf("the guest stopped before the agent finished%s%s (see console.log)",
					w->agent_said ? "; the agent said: " : "", w->agent_said ? w->agent_said : "");
	else
		out->reason = xasprintf("the results disk's harvest is %s (see harvest.json)", o->harvest ? o->harvest : "unknown");
}

void cr_guest_outcome_release(struct cr_guest_outcome *out)
{
	free(out->reason);
	out->reason = NULL;
}
