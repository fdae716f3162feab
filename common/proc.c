/* posix_spawn with a pipe: run a tool and collect its output. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "proc.h"
#include "util.h"

extern char **environ;

int cr_run_capture(char *const argv[], int merge_stderr, size_t max, char **out, int *status, cr_error_t *err)
{
	posix_spawn_file_actions_t fa;
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	int pipefd[2];
	pid_t pid;
	int r;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cr_error(err, errno, "cannot create pipe for '%s'", argv[0]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (merge_stderr)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	else /* crbench's library never prints, nor do the tools it runs */
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		return cr_error(err, r, "cannot run '%s'", argv[0]);
	}

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = read(pipefd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* keep draining past max so the child never blocks on a full pipe */
		len = len + (size_t)n > max ? max : len + (size_t)n;
	}
	close(pipefd[0]);
	buf[len] = '\0';

	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return cr_error(err, errno, "cannot wait for '%s'", argv[0]);
	}
	*out = steal_pointer(&buf);
	return 0;
}

char *cr_run_first_line(char *const argv[])
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *out = NULL;
	int status;
	char *nl;

	if (cr_run_capture(argv, 1, 64 * 1024, &out, &status, &err) < 0)
		return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NULL;
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return xstrdup(strstrip(out));
}

int cr_spawn_logged(char *const argv[], char *const env[], const char *log_path, pid_t *pid, cr_error_t *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	size_t n_env = 0, n_extra = 0;
	cleanup_free char **envp = NULL;
	int r;

	while (environ[n_env])
		n_env++;
	while (env && env[n_extra])
		n_extra++;
	envp = xcalloc(n_env + n_extra + 1, sizeof(*envp));
	/* the extra variables first: they win over inherited ones of the same name */
	for (size_t i = 0; i < n_extra; i++)
		envp[i] = env[i];
	for (size_t i = 0; i < n_env; i++)
		envp[n_extra + i] = environ[i];

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/*
	 * A process group of its own: mmdebstrap signals its whole group when it
	 * fails (SIGHUP), which must not kill crbench before it can clean up.
	 */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	r = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return cr_error(err, r, "cannot run '%s'", argv[0]);
	return 0;
}

int cr_run_checked(char *const argv[], cr_error_t *err)
{
	cleanup_free char *out = NULL;
	const char *text;
	int status;

	if (cr_run_capture(argv, 1, 16 * 1024, &out, &status, err) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	text = strstrip(out);
	if (WIFEXITED(status))
		return cr_error(err, 0, "'%s' failed with exit status %d: %s", argv[0], WEXITSTATUS(status), *text ? text : "(no output)");
	return cr_error(err, 0, "'%s' was killed by signal %d", argv[0], WTERMSIG(status));
}
