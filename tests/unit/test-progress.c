/* Unit tests for the progress line protocol: round trips, console prefixes, and every refusal. */
#include "test.h"

#include "progress.h"

static struct cr_progress parse_ok(const char *line)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;
	int r = cr_progress_parse(line, strlen(line), &p, &err);

	if (r != 1)
		fail_msg("'%s': %d %s", line, r, err ? err->msg : "");
	return p;
}

static void expect_bad(const char *line, const char *msg)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;

	assert_int_equal(cr_progress_parse(line, strlen(line), &p, &err), -1);
	assert_string_equal(err->msg, msg);
}

static void round_trips(void **state)
{
	struct cr_progress in[] = {
		{ .event = CR_PROGRESS_HELLO, .seq = 1, .guest = "runc", .total = 42 },
		{ .event = CR_PROGRESS_START, .seq = 2, .index = 1, .total = 42, .test = "boot-httpd", .rep = 0, .reps = 15 },
		{ .event = CR_PROGRESS_HEARTBEAT, .seq = 3, .index = 1, .total = 42, .test = "boot-httpd", .elapsed = 30.25 },
		{ .event = CR_PROGRESS_END,
		  .seq = 4,
		  .index = 1,
		  .total = 42,
		  .test = "boot-httpd",
		  .rep = 0,
		  .elapsed = 11.5,
		  .status = CR_STATUS_OK },
		{ .event = CR_PROGRESS_END,
		  .seq = 5,
		  .index = 2,
		  .total = 42,
		  .test = "net-host-bridge",
		  .rep = 3,
		  .elapsed = 0.001,
		  .status = CR_STATUS_UNSUPPORTED,
		  .reason = "Kata cannot share the host's network namespace: 100% sure=yes" },
		{ .event = CR_PROGRESS_DONE, .seq = 6, .status = CR_STATUS_FAILED, .reason = "3 of 42 tests failed\nsee results" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		char line[CR_PROGRESS_LINE_MAX + 1];
		struct cr_progress out;
		int n = cr_progress_format(&in[i], line, sizeof(line));

		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(line));
		assert_null(strchr(line, '\n'));
		out = parse_ok(line);
		assert_int_equal(out.event, in[i].event);
		assert_int_equal(out.seq, in[i].seq);
		assert_string_equal(out.guest, in[i].guest);
		assert_string_equal(out.test, in[i].test);
		assert_int_equal(out.index, in[i].index);
		assert_int_equal(out.total, in[i].total);
		assert_int_equal(out.rep, in[i].rep);
		if (in[i].event == CR_PROGRESS_START)
			assert_int_equal(out.reps, in[i].reps);
		assert_true(out.elapsed == in[i].elapsed || (out.elapsed - in[i].elapsed < 0.0005 && in[i].elapsed - out.elapsed < 0.0005));
		assert_int_equal(out.status, in[i].status);
		if (i == 5) /* the newline of a reason comes back as '?': reasons are shown, not executed */
			assert_string_equal(out.reason, "3 of 42 tests failed?see results");
		else
			assert_string_equal(out.reason, in[i].reason);
	}
}

static void exact_text(void **state)
{
	struct cr_progress p = { .event = CR_PROGRESS_END,
				 .seq = 9,
				 .index = 2,
				 .total = 3,
				 .test = "disk",
				 .rep = 1,
				 .elapsed = 61.5,
				 .status = CR_STATUS_TIMEOUT,
				 .reason = "a b=c%" };
	char line[256];

	assert_true(cr_progress_format(&p, line, sizeof(line)) > 0);
	assert_string_equal(line, "CRBENCH1 9 end i=2 n=3 test=disk rep=1 elapsed=61.500 status=timeout reason=a%20b%3Dc%25");
	/* a buffer too small is refused, never cut */
	assert_int_equal(cr_progress_format(&p, line, 20), -1);
}

static void console_prefixes(void **state)
{
	/* journald's prefix on the console, and a CR from the serial line */
	struct cr_progress p = parse_ok("[   24.613556] agent-launch[373]: CRBENCH1 7 start i=3 n=10 test=cpu-mem rep=2 reps=5\r");

	assert_int_equal(p.event, CR_PROGRESS_START);
	assert_int_equal(p.index, 3);
	assert_string_equal(p.test, "cpu-mem");
}

static void not_progress(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_progress p;
	const char *lines[] = { "", "[    0.000000] Linux version 6.1.0", "CRBENCH1", "crbench1 1 hello guest=a n=1" };

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_int_equal(cr_progress_parse(lines[i], strlen(lines[i]), &p, &err), 0);
	assert_null(err);
}

static void refusals(void **state)
{
	char longline[CR_PROGRESS_LINE_MAX + 64];

	expect_bad("CRBENCH1 0 hello guest=a n=1", "bad progress line: expected a sequence number from 1 after the marker");
	/* found by fuzzing: trimming the trailing space left the parser before the marker's end */
	expect_bad("x CRBENCH1 ", "bad progress line: expected a sequence number from 1 after the marker");
	expect_bad("CRBENCH1 01 hello guest=a n=1", "bad progress line: expected a sequence number from 1 after the marker");
	expect_bad("CRBENCH1 1 explode guest=a", "bad progress line: unknown event 'explode'");
	expect_bad("CRBENCH1 1 \x1b[2J guest=a", "bad progress line: unknown event '?'");
	expect_bad("CRBENCH1 1 hello guest=a", "bad progress line: event 'hello' lacks 'n'");
	expect_bad("CRBENCH1 1 hello guest=a n=1 test=x", "bad progress line: key 'test' does not belong to event 'hello'");
	expect_bad("CRBENCH1 1 hello guest=a guest=b n=1", "bad progress line: key 'guest' given twice");
	expect_bad("CRBENCH1 1 hello guest=../x n=1", "bad progress line: bad guest name");
	{
		/* found by fuzzing: strchr() finds the terminator, so a NUL passed for a name character */
		static const char nul[] = "CRBENCH1 7 start i=3 n=10 test=\0cpu rep=2 reps=5";
		cleanup_error cr_error_t err = NULL;
		struct cr_progress p;

		assert_int_equal(cr_progress_parse(nul, sizeof(nul) - 1, &p, &err), -1);
		assert_string_equal(err->msg, "bad progress line: bad test name");
	}
	expect_bad("CRBENCH1 1 hello guest=a n=-1", "bad progress line: bad number for 'n'");
	expect_bad("CRBENCH1 1 hello guest=a n=99999999", "bad progress line: bad number for 'n'");
	expect_bad("CRBENCH1 1 hello guest=a n", "bad progress line: expected key=value");
	expect_bad("CRBENCH1 2 start i=0 n=3 test=a rep=0 reps=1", "bad progress line: test 0 of 3");
	expect_bad("CRBENCH1 2 start i=4 n=3 test=a rep=0 reps=1", "bad progress line: test 4 of 3");
	expect_bad("CRBENCH1 2 start i=1 n=3 test=a rep=2 reps=1", "bad progress line: repetition 2 of 1");
	expect_bad("CRBENCH1 3 heartbeat i=1 n=3 test=a elapsed=1e9", "bad progress line: bad seconds for 'elapsed'");
	expect_bad("CRBENCH1 3 heartbeat i=1 n=3 test=a elapsed=nan", "bad progress line: bad seconds for 'elapsed'");
	expect_bad("CRBENCH1 3 heartbeat i=1 n=3 test=a elapsed=1.", "bad progress line: bad seconds for 'elapsed'");
	expect_bad("CRBENCH1 4 end i=1 n=3 test=a rep=0 elapsed=1 status=great", "bad progress line: bad status");
	expect_bad("CRBENCH1 4 end i=1 n=3 test=a rep=0 elapsed=1 status=ok reason=%G0", "bad progress line: bad escape in 'reason'");
	expect_bad("CRBENCH1 4 end i=1 n=3 test=a rep=0 elapsed=1 status=ok reason=%4", "bad progress line: bad escape in 'reason'");
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	memcpy(longline, "CRBENCH1 1 ", 11);
	expect_bad(longline, "bad progress line: longer than 1024 bytes");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips),
		cmocka_unit_test(exact_text),
		cmocka_unit_test(console_prefixes),
		cmocka_unit_test(not_progress),
		cmocka_unit_test(refusals),
	};
	/* clang-format on */

	return tap_run("progress", tests);
}
