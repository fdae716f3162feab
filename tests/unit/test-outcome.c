/* Unit tests for a guest's outcome: one row per fault-suite scenario, and the console watcher that feeds it. */
#include <signal.h>

#include "test.h"

#include "outcome.h"

/* A console that says these lines, in order. */
static void feed(struct cr_guest_watch *w, const char *const *lines)
{
	w->agent_uptime = -1;
	for (size_t i = 0; lines && lines[i]; i++) {
		cleanup_error cr_error_t err = NULL;
		struct cr_progress p;
		bool agent;

		cr_guest_watch_line(w, lines[i], &p, &agent, &err);
	}
}

#define AGENT "[   21.5] crbench: agent unit started, uptime 21.50"
#define HELLO "CRBENCH1 1 hello guest=runc n=2"
#define END1 "CRBENCH1 3 end i=1 n=2 test=env rep=1 elapsed=1.5 status=ok"
#define DONE "CRBENCH1 6 done status=ok"

struct row {
	const char *scenario;
	const char *const *console;
	struct cr_guest_observed o;
	enum cr_guest_status status;
	const char *reason; /* a substring of the reason; NULL: none */
};

static void every_scenario(void **state)
{
	static const char *const finished[] = { AGENT, HELLO, END1, DONE, NULL };
	static const char *const panicked[] = { AGENT, HELLO, END1, "[   40.1] Kernel panic - not syncing: sysrq triggered crash", NULL };
	static const char *const after_one[] = { AGENT, HELLO, END1, NULL };
	static const char *const docker[] = { AGENT, "crbench-agent: docker.service failed to start (see the journal)", NULL };
	static const char *const disk_full[] = { AGENT, HELLO, END1,
						 "crbench-agent: cannot append 0002-cpu-mem.json: No space left on device", NULL };
	static const char *const crashed_agent[] = { AGENT, HELLO, END1, "crbench-agent: injecting fault agent-crash", NULL };
	static const char *const refused[] = { AGENT, HELLO, "CRBENCH1 6 done status=failed reason=nothing%20measured:%20not%20a%20VM",
					       NULL };
	static const char *const kernel_only[] = { "[    1.0] Linux version 6.1", NULL };
	const struct row rows[] = {
		{ "complete", finished, { .end = CR_END_STOPPED, .stopped = true, .harvest = "verified" }, CR_GUEST_COMPLETE, NULL },
		{ "panic",
		  panicked,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "kernel panicked" },
		{ "crash event",
		  after_one,
		  { .end = CR_END_STOPPED, .crashed = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "kernel panicked" },
		{ "hang",
		  after_one,
		  { .end = CR_END_PROGRESS_TIMEOUT, .harvest = "incomplete", .progress_timeout = 120 },
		  CR_GUEST_TIMEOUT,
		  "no progress line for 120 s (the plan's progress-timeout): destroyed" },
		{ "hang, idle",
		  after_one,
		  { .end = CR_END_PROGRESS_TIMEOUT,
		    .harvest = "incomplete",
		    .progress_timeout = 120,
		    .silent_cpu_seconds = 0.42,
		    .silent_seconds = 117.3 },
		  CR_GUEST_TIMEOUT,
		  "destroyed; its vCPUs ran 0.4 s in the last 117 s: the guest sat idle (a stuck agent, or a frozen guest), it was not busy" },
		{ "hang, busy",
		  after_one,
		  { .end = CR_END_PROGRESS_TIMEOUT,
		    .harvest = "incomplete",
		    .progress_timeout = 120,
		    .silent_cpu_seconds = 200,
		    .silent_seconds = 117 },
		  CR_GUEST_TIMEOUT,
		  "its vCPUs ran 200.0 s in the last 117 s: the guest was busy, yet its agent said nothing" },
		{ "run timeout",
		  after_one,
		  { .end = CR_END_TIMEOUT, .harvest = "incomplete", .timeout = 1200 },
		  CR_GUEST_TIMEOUT,
		  "timeout of 1200 s" },
		{ "sigint", after_one, { .end = CR_END_SIGNAL, .signal = SIGINT, .harvest = "incomplete" }, CR_GUEST_INTERRUPTED, "SIGINT" },
		{ "sigterm",
		  after_one,
		  { .end = CR_END_SIGNAL, .signal = SIGTERM, .harvest = "incomplete" },
		  CR_GUEST_INTERRUPTED,
		  "SIGTERM" },
		{ "signal after done",
		  finished,
		  { .end = CR_END_SIGNAL, .signal = SIGINT, .stopped = true, .harvest = "verified" },
		  CR_GUEST_COMPLETE,
		  NULL },
		{ "timeout after done",
		  finished,
		  { .end = CR_END_TIMEOUT, .stopped = true, .harvest = "verified" },
		  CR_GUEST_COMPLETE,
		  NULL },
		{ "signal after done, still running",
		  finished,
		  { .end = CR_END_SIGNAL, .signal = SIGTERM, .harvest = "verified" },
		  CR_GUEST_INTERRUPTED,
		  "SIGTERM" },
		{ "host lost",
		  after_one,
		  { .end = CR_END_HOST_LOST,
		    .start_error = "lost libvirt host 'qemu+ssh://b/system' while the guest ran: the connection to its libvirtd closed",
		    .harvest = "error" },
		  CR_GUEST_FAILED,
		  "lost libvirt host 'qemu+ssh://b/system' while the guest ran: the connection to its libvirtd closed; its domain could "
		  "not be destroyed and may still run there" },
		{ "event loop",
		  after_one,
		  { .end = CR_END_EVENT_LOOP, .harvest = "incomplete" },
		  CR_GUEST_INTERRUPTED,
		  "event loop failed" },
		{ "docker failure",
		  docker,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "the agent said: docker.service failed to start" },
		{ "results disk full",
		  disk_full,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "No space left on device" },
		{ "agent crash",
		  crashed_agent,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "stopped before the agent finished (see" },
		{ "capped harvest",
		  finished,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "harvest is incomplete" },
		{ "refused entries",
		  finished,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "failed" },
		  CR_GUEST_FAILED,
		  "harvest is failed" },
		{ "harvest error",
		  finished,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest_error = "No space left on device" },
		  CR_GUEST_FAILED,
		  "cannot harvest the results disk: No space left" },
		{ "refused to measure",
		  refused,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "verified" },
		  CR_GUEST_REFUSED,
		  "nothing measured: not a VM" },
		{ "refused, the whole reason from runtime.json",
		  refused,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "verified", .refusal = "not a VM, said at length" },
		  CR_GUEST_REFUSED,
		  "nothing measured: not a VM, said at length" },
		{ "before the agent",
		  kernel_only,
		  { .end = CR_END_STOPPED, .stopped = true, .harvest = "incomplete" },
		  CR_GUEST_FAILED,
		  "before the agent unit started" },
		{ "cannot start",
		  NULL,
		  { .end = CR_END_START_FAILED, .start_error = "no such network" },
		  CR_GUEST_FAILED,
		  "cannot start: no such network" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cr_guest_watch w = { 0 };
		struct cr_guest_observed o = rows[i].o;
		struct cr_guest_outcome out;

		feed(&w, rows[i].console);
		o.console = &w;
		cr_guest_outcome_decide(&o, &out);
		if (out.status != rows[i].status)
			fail_msg("%s: status %s, expected %s (%s)", rows[i].scenario, cr_guest_status_names[out.status],
				 cr_guest_status_names[rows[i].status], out.reason ? out.reason : "no reason");
		if (rows[i].reason ? !out.reason || !strstr(out.reason, rows[i].reason) : out.reason != NULL)
			fail_msg("%s: reason '%s', expected '%s'", rows[i].scenario, out.reason ? out.reason : "(none)",
				 rows[i].reason ? rows[i].reason : "(none)");
		cr_guest_outcome_release(&out);
		cr_guest_watch_release(&w);
	}
}

static void watch_counts(void **state)
{
	static const char *const lines[] = {
		"noise",
		AGENT,
		"[ 30.1] " HELLO,
		"CRBENCH1 2 start i=1 n=2 test=env rep=1 reps=1",
		END1,
		"CRBENCH1 4 start i=2 n=2 test=cpu-mem rep=1 reps=1",
		"CRBENCH1 5 end i=2 n=2 test=cpu-mem rep=1 elapsed=2 status=timeout reason=slow",
		"CRBENCH1 x bad",
		DONE,
		NULL,
	};
	struct cr_guest_watch w = { 0 };

	feed(&w, lines);
	assert_true(w.agent_uptime > 21.4 && w.agent_uptime < 21.6);
	assert_true(w.hello && w.done);
	assert_int_equal(w.total, 2);
	assert_int_equal(w.ended, 2);
	assert_int_equal(w.n_ok, 1);
	assert_int_equal(w.n_failed, 1);
	assert_int_equal(w.n_unsupported, 0);
	assert_int_equal(w.bad_lines, 1);
	assert_int_equal(w.done_status, CR_STATUS_OK);
	assert_null(w.done_reason);
	assert_string_equal(w.last.test, "cpu-mem");
	assert_false(w.panic);
	cr_guest_watch_release(&w);
}

/* A guest booted again (a boot per step) forgets its last boot's console, not its step counts. */
static void watch_reboot(void **state)
{
	static const char *const first[] = { AGENT, HELLO, END1, "[ 40.1] Kernel panic - not syncing", DONE, NULL };
	static const char *const second[] = { "CRBENCH1 1 hello guest=runc n=2", NULL };
	struct cr_guest_watch w = { 0 };

	feed(&w, first);
	cr_guest_watch_reboot(&w);
	assert_true(w.agent_uptime < 0);
	assert_false(w.panic || w.hello || w.done);
	assert_null(w.done_reason);
	assert_int_equal(w.ended, 1);
	assert_int_equal(w.n_ok, 1);
	assert_int_equal(w.total, 2);
	for (size_t i = 0; second[i]; i++) {
		cleanup_error cr_error_t err = NULL;
		struct cr_progress p;
		bool agent;

		cr_guest_watch_line(&w, second[i], &p, &agent, &err);
	}
	assert_true(w.hello);
	assert_int_equal(w.n_ok, 1);
	cr_guest_watch_release(&w);
}

static void names(void **state)
{
	for (int i = 0; i < CR_GUEST__MAX; i++) {
		assert_non_null(cr_guest_status_phrases[i]);
		assert_int_equal(cr_guest_status_parse(cr_guest_status_names[i]), i);
	}
	assert_int_equal(cr_guest_status_parse("done"), -1);
	assert_int_equal(cr_guest_status_parse(NULL), -1);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_scenario),
		cmocka_unit_test(watch_counts),
		cmocka_unit_test(watch_reboot),
		cmocka_unit_test(names),
	};
	/* clang-format on */

	return tap_run("outcome", tests);
}
