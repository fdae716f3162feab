/* One step in a child process: its JSON document read from a pipe, the step killed with its tools at the test-timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "isolate.h"
#include "results.h"
#include "runtime.h"
#include "util.h"

double cr_rusage_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec +
	       ((double)ru->ru_utime.tv_usec + (double)ru->ru_stime.tv_usec) / 1e6;
}

/* The child: run the test, print its JSON document on fd, exit. */
static void child(const struct cr_agent *a, const struct cr_step *step, const struct cr_test_impl *impl, int fd, int created_fd)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_agent mine = *a;
	json_t *data = NULL, *doc;
	char *unsupported = NULL, *text;
	int r;

	/* a connection of its own: a keep-alive socket must not be shared across fork */
	r = cr_docker_open(NULL, &mine.docker, &err);
	if (r == 0) {
		cr_docker_set_timeout(mine.docker, (long)a->plan->test_timeout);
		cr_docker_log_created(mine.docker, created_fd);
		r = impl->run(&mine, step, &data, &unsupported, &err);
	}

	if (unsupported)
		/* a limitation shown by trying keeps what the trying saw */
		doc = json_pack("{s:s, s:o, s:o?}", "status", "unsupported", "reason", cr_json_text(unsupported), "data", data);
	else if (r < 0) {
		cleanup_free char *reason = cr_kata_step_reason(a->guest ? a->guest->runtime : "", err ? err->msg : "unknown error");

		doc = json_pack("{s:s, s:o, s:o?}", "status", "failed", "reason", cr_json_text(reason), "data", data);
	} else
		doc = json_pack("{s:s, s:o}", "status", "ok", "data", data ? data : json_object());
	/* the agent's own cost in this step (the tools it ran, docker CLI included, are not the agent) */
	{
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) == 0)
			json_object_set_new(doc, "agent",
					    json_pack("{s:f, s:I}", "cpu_seconds", cr_rusage_seconds(&ru), "max_rss_kib",
						      (json_int_t)ru.ru_maxrss));
	}
	text = json_dumps(doc, JSON_COMPACT);
	if (text) {
		size_t len = strlen(text), off = 0;

		while (off < len) {
			ssize_t n = write(fd, text + off, len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				_exit(3);
			off += (size_t)n;
		}
	}
	_exit(0);
}

/*
 * Each test removes its containers; one killed at its timeout or crashed
 * cannot, and what it left running would load every later step. After each
 * step the runner force-removes every container the step created that is
 * still there, and says so in the step's entry.
 */
static void sweep(const struct cr_agent *a, int fd, json_t *doc)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *ids = NULL;
	size_t len = 0, removed = 0;
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		ids = xrealloc(ids, len + (size_t)n + 1);
		memcpy(ids + len, chunk, (size_t)n);
		len += (size_t)n;
		ids[len] = '\0';
	}
	if (!ids || !a->docker)
		return;
	if (cr_docker_sweep(a->docker, ids, &removed, &err) < 0)
		json_object_set_new(doc, "sweep_error", json_string(err->msg));
	if (removed)
		json_object_set_new(doc, "containers_left", json_integer((json_int_t)removed));
}

bool cr_step_reap(pid_t pid, double deadline, int *status, void (*waiting)(void *), void *opaque)
{
	bool killed = false;

	for (;;) {
		pid_t w = waitpid(pid, status, killed ? 0 : WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return killed;
		if (w < 0)
			continue;
		if (!killed && cr_now() > deadline) {
			kill(-pid, SIGKILL);
			killed = true;
			continue;
		}
		if (waiting)
			waiting(opaque);
		usleep(10 * 1000);
	}
}

/* A step whose child could not be started: what failed, and the system's reason. */
static json_t *not_started(const char *what, int errnum)
{
	cleanup_free char *reason = xasprintf("%s: %s", what, strerror(errnum));

	return json_pack("{s:s, s:o}", "status", "failed", "reason", cr_json_text(reason));
}

static void close_pipe(const int fd[2])
{
	close(fd[0]);
	close(fd[1]);
}

json_t *cr_step_run(const struct cr_agent *a, const struct cr_step *step, const struct cr_test_impl *impl, void (*waiting)(void *),
		    void *opaque)
{
	double t0 = cr_now();
	char *buf = NULL;
	size_t len = 0;
	int pipefd[2], created[2], status = 0;
	bool timed_out = false;
	json_t *doc;
	pid_t pid;

	/* errno is read before the clean-up: close() may change it */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return not_started("cannot create a pipe", errno);
	/* the ids of the containers the step creates, for the sweep after it */
	if (pipe2(created, O_CLOEXEC | O_NONBLOCK) < 0) {
		doc = not_started("cannot create a pipe", errno);
		close_pipe(pipefd);
		return doc;
	}
	pid = fork();
	if (pid < 0) {
		doc = not_started("cannot fork", errno);
		close_pipe(pipefd);
		close_pipe(created);
		return doc;
	}
	if (pid == 0) {
		/* a process group of its own: at its timeout the step goes with the tools it started */
		setpgid(0, 0);
		close(pipefd[0]);
		close(created[0]);
		child(a, step, impl, pipefd[1], created[1]);
	}
	setpgid(pid, pid); /* either side may be first */
	close(pipefd[1]);
	close(created[1]);
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		double t = cr_now();
		int r;

		if (t - t0 > (double)a->plan->test_timeout) {
			kill(-pid, SIGKILL);
			timed_out = true;
			break;
		}
		if (waiting)
			waiting(opaque);
		r = poll(&pfd, 1, 1000);
		if (r > 0) {
			char chunk[65536];
			ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

			if (n <= 0)
				break;
			if (len + (size_t)n > CR_RESULTS_MAX_ENTRY_SIZE / 2) {
				kill(-pid, SIGKILL);
				break;
			}
			buf = xrealloc(buf, len + (size_t)n + 1);
			memcpy(buf + len, chunk, (size_t)n);
			len += (size_t)n;
			buf[len] = '\0';
		}
	}
	close(pipefd[0]);
	/* a step that closed its pipe and hangs goes at the same timeout (one killed already is only waited for) */
	if (cr_step_reap(pid, t0 + (double)a->plan->test_timeout, &status, waiting, opaque))
		timed_out = true;
	doc = buf ? json_loads(buf, 0, NULL) : NULL;
	free(buf);
	if (timed_out) {
		json_decref(doc);
		doc = json_pack("{s:s, s:s}", "status", "timeout", "reason", "the test ran past the plan's test-timeout and was killed");
	} else if (!json_is_object(doc)) {
		json_decref(doc);
		doc = json_pack("{s:s, s:s}", "status", "failed", "reason",
				WIFSIGNALED(status) ? "the test crashed" : "the test ended without a result");
		if (WIFSIGNALED(status))
			json_object_set_new(doc, "signal", json_integer(WTERMSIG(status)));
	}
	json_object_set_new(doc, "seconds", json_real(cr_now() - t0));
	sweep(a, created[0], doc);
	close(created[0]);
	return doc;
}
