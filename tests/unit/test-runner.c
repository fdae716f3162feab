/* The agent's step runner: a step's child that will not exit is killed at its deadline. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "agent.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reap_exits_or_kills),
	};

	return tap_run("runner", tests);
}
