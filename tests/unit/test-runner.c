/* The agent's step runner: each step in a child of its own (its document, a failure, a crash, a hang), and what it leaves open. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "agent.h"
#include "isolate.h"

static pid_t spawn(int seconds)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		if (seconds)
			sleep((unsigned)seconds);
		_exit(7);
	}
	setpgid(pid, pid);
	return pid;
}

static void count(void *opaque)
{
	(*(int *)opaque)++;
}

static void reap_exits_or_kills(void **state)
{
	int status = 0, calls = 0;
	double t0 = cr_now();
	pid_t pid = spawn(0);

	/* one that exits: its status, nothing killed */
	assert_false(cr_step_reap(pid, cr_now() + 30, &status, NULL, NULL));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	/* one that hangs (a step that closed its pipe and sleeps): killed at the deadline, and waited for */
	pid = spawn(60);
	t0 = cr_now();
	assert_true(cr_step_reap(pid, t0 + 0.3, &status, count, &calls));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_true(cr_now() - t0 < 30);
	assert_true(calls > 0);
	assert_int_equal(kill(pid, 0), -1); /* gone, not a zombie */
}

/* The descriptor the next open() gets: one left open by the code under test raises it. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* The tests a step's child runs here: they need no Docker. */
static int measures(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	*data = json_pack("{s:i}", "answer", 42);
	return 0;
}

static int fails(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	return cr_error(err, ENOSPC, "cannot write '%s'", "bonnie.csv");
}

static int crashes(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	signal(SIGABRT, SIG_DFL);
	abort();
}

static int hangs(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	/* pause() returns only after a caught signal: the child waits for the SIGKILL of its timeout */
	while (pause() < 0)
		;
	return 0;
}

static const struct cr_step env_step = { .test = CR_TEST_ENV, .name = "env" };

static json_t *run_isolated(uint64_t timeout, cr_test_fn fn, int *waits)
{
	struct cr_plan plan = { .test_timeout = timeout };
	struct cr_agent a = { .plan = &plan };
	struct cr_test_impl impl = { CR_TEST_ENV, fn };
	json_t *doc = cr_step_run(&a, &env_step, &impl, count, waits);

	assert_non_null(doc);
	assert_true(json_is_number(json_object_get(doc, "seconds")));
	return doc;
}

static const char *member(const json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	assert_non_null(s);
	return s;
}

/* What the child printed is the step's document, with the child's own cost; a failure keeps the test's reason. */
static void step_document_from_child(void **state)
{
	int fd = lowest_free_fd(), waits = 0;
	json_t *doc = run_isolated(30, measures, &waits);

	assert_string_equal(member(doc, "status"), "ok");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "data"), "answer")), 42);
	assert_true(json_is_number(json_object_get(json_object_get(doc, "agent"), "cpu_seconds")));
	json_decref(doc);
	doc = run_isolated(30, fails, &waits);
	assert_string_equal(member(doc, "status"), "failed");
	assert_string_equal(member(doc, "reason"), "cannot write 'bonnie.csv': No space left on device");
	json_decref(doc);
	assert_int_equal(lowest_free_fd(), fd);
}

/* A crash ends the step, not the suite; a hang goes at the test-timeout, and the runner's heartbeats go on meanwhile. */
static void step_crash_or_hang(void **state)
{
	int fd = lowest_free_fd(), waits = 0;
	json_t *doc = run_isolated(30, crashes, &waits);

	assert_string_equal(member(doc, "status"), "failed");
	assert_string_equal(member(doc, "reason"), "the test crashed");
	assert_int_equal(json_integer_value(json_object_get(doc, "signal")), SIGABRT);
	json_decref(doc);
	waits = 0;
	doc = run_isolated(1, hangs, &waits);
	assert_string_equal(member(doc, "status"), "timeout");
	assert_true(json_real_value(json_object_get(doc, "seconds")) >= 1);
	assert_true(waits > 0);
	json_decref(doc);
	assert_int_equal(lowest_free_fd(), fd);
}

/*
 * A step whose child cannot be started says why, errno's reason included:
 * no descriptor left for its first pipe, then for its second (the first is
 * closed again). A failing fork() cannot be provoked here (root ignores
 * RLIMIT_NPROC); it goes through the same message.
 */
static void step_not_started_says_why(void **state)
{
	int a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct cr_plan plan = { .test_timeout = 30 };
	struct cr_agent agent = { .plan = &plan };
	struct cr_test_impl impl = { CR_TEST_ENV, measures };
	struct rlimit old, low;
	json_t *none, *one;

	/* the two lowest free descriptors: every one below b but a is taken */
	assert_true(a >= 0 && b > a);
	close(a);
	close(b);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)a; /* no descriptor at all */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	none = cr_step_run(&agent, &env_step, &impl, NULL, NULL);
	low.rlim_cur = (rlim_t)b + 1; /* the two of the first pipe */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	one = cr_step_run(&agent, &env_step, &impl, NULL, NULL);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_string_equal(member(none, "status"), "failed");
	assert_string_equal(member(none, "reason"), "cannot create a pipe: Too many open files");
	assert_string_equal(member(one, "reason"), "cannot create a pipe: Too many open files");
	assert_int_equal(lowest_free_fd(), a);
	json_decref(none);
	json_decref(one);
}

/* A results disk that cannot be opened: the reason, and nothing left open (the console was, before). */
static void unopenable_results_leave_nothing_open(void **state)
{
	char dir[] = "/tmp/crbench-runner-XXXXXX";
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *path = NULL;
	struct cr_agent a = { 0 };
	int fd = lowest_free_fd();

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/missing/results.img", dir);
	assert_int_equal(cr_agent_run(&a, path, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "No such file or directory"));
	assert_non_null(strstr(err->msg, path));
	assert_int_equal(lowest_free_fd(), fd);
	assert_int_equal(rmdir(dir), 0);
}

static void steps_of_the_command_line(void **state)
{
	static const char *const bad[] = { "", "3", "3-", "-3", "0-1", "2-1", "1-2x", "a-b", "1--2", "18446744073709551616-1", NULL };
	struct cr_agent a = { 0 };
	cleanup_error cr_error_t err = NULL;

	assert_int_equal(cr_agent_parse_steps("3-3", &a, &err), 0);
	assert_int_equal(a.first_step, 3);
	assert_int_equal(a.last_step, 3);
	assert_int_equal(cr_agent_parse_steps("1-25", &a, &err), 0);
	assert_int_equal(a.first_step, 1);
	assert_int_equal(a.last_step, 25);
	for (size_t i = 0; bad[i]; i++) {
		if (cr_agent_parse_steps(bad[i], &a, &err) != -1)
			fail_msg("'%s' was taken", bad[i]);
		assert_non_null(strstr(err->msg, "expected FIRST-LAST"));
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steps_of_the_command_line),
		cmocka_unit_test(reap_exits_or_kills),
		cmocka_unit_test(step_document_from_child),
		cmocka_unit_test(step_crash_or_hang),
		cmocka_unit_test(step_not_started_says_why),
		cmocka_unit_test(unopenable_results_leave_nothing_open),
	};
	/* clang-format on */

	return tap_run("runner", tests);
}
