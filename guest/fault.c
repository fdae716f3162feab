/* Faults made to happen for real in a guest, for the fault suite (tests/faults, crbench run --inject-fault). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>

#include "agent.h"
#include "proc.h"
#include "util.h"

#define DAEMON_JSON "/etc/docker/daemon.json"

/* dockerd refuses a daemon.json that is not JSON: docker.service then fails after systemd's restarts. */
static int break_docker(cr_error_t *err)
{
	char *restart[] = { (char *)"systemctl", (char *)"restart", (char *)"docker.service", NULL };
	int fd = open(DAEMON_JSON, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return cr_error(err, errno, "cannot open '%s'", DAEMON_JSON);
	n = write(fd, "{ not json\n", 11);
	if (n != 11) {
		/* errno is read before close() may change it; a short write has none */
		cr_error(err, n < 0 ? errno : 0, "cannot write '%s'", DAEMON_JSON);
		close(fd);
		return -1;
	}
	close(fd);
	/* fails, as it should: the agent's wait for dockerd is what is tested */
	cr_run_checked(restart, NULL);
	return 0;
}

int cr_fault_before_docker(const char *fault, cr_error_t *err)
{
	if (strcmp(fault, "docker-fail") == 0)
		return break_docker(err);
	return 0;
}

void cr_fault_after_step(const char *fault, size_t done)
{
	if (!fault || done != 1)
		return;
	fprintf(stderr, "crbench-agent: injecting fault '%s'\n", fault);
	if (strcmp(fault, "panic") == 0) {
		int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

		/* 'c': a kernel crash, as a real panic would be */
		if (fd >= 0 && write(fd, "c", 1) == 1)
			pause();
	} else if (strcmp(fault, "hang") == 0) {
		/* alive, silent: the host's progress timeout must end it */
		for (;;)
			pause();
	} else if (strcmp(fault, "agent-crash") == 0) {
		abort();
	}
}
