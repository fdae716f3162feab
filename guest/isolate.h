/* One step in a process of its own: a crash or a hang ends the step, not the suite. */
#ifndef CRBENCH_ISOLATE_H
#define CRBENCH_ISOLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "agent.h"

/*
 * Run impl for step in a child process, the leader of its own process group,
 * with a Docker connection of its own; collect the JSON document it prints;
 * past the plan's test-timeout kill it with the tools it started. Afterwards
 * force-remove the containers it created and left. waiting(opaque), when not
 * NULL, is called while it waits. Returns the step's document: status,
 * reason, data, seconds, the child's own cost ("agent"), what the sweep did.
 */
json_t *cr_step_run(const struct cr_agent *a, const struct cr_step *step, const struct cr_test_impl *impl, void (*waiting)(void *),
		    void *opaque);

/*
 * Wait for a step's child pid (the leader of its own process group); past
 * deadline (cr_now() seconds), kill the group with SIGKILL and wait for it.
 * waiting(opaque), when not NULL, is called while it waits. True when it
 * had to kill; *status is waitpid's.
 */
bool cr_step_reap(pid_t pid, double deadline, int *status, void (*waiting)(void *), void *opaque);

/* User plus system CPU seconds of a getrusage() record. */
double cr_rusage_seconds(const struct rusage *ru);

#endif
