/* Running a helper program and capturing what it prints. */
#ifndef CRBENCH_PROC_H
#define CRBENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Run argv[0] (looked up in PATH) with stdin from /dev/null, capture stdout
 * (and stderr too when merge_stderr, else stderr goes to /dev/null) up to
 * max bytes, wait for it. *status is
 * the wait status. Fails only when the program cannot be run at all.
 */
int cr_run_capture(char *const argv[], int merge_stderr, size_t max, char **out, int *status, cr_error_t *err);

/*
 * Start argv with stdin from /dev/null and stdout and stderr appended to
 * log_path, with the variables of env ("NAME=value", NULL-terminated, may be
 * NULL) added to the environment, in a process group of its own (signal
 * -*pid to reach all of it). The caller waits for *pid.
 */
int cr_spawn_logged(char *const argv[], char *const env[], const char *log_path, pid_t *pid, cr_error_t *err);

/* Run argv to completion; a non-zero exit is an error quoting what it printed. */
int cr_run_checked(char *const argv[], cr_error_t *err);

/* First line of what `argv` prints, or NULL when it cannot be run or fails. */
char *cr_run_first_line(char *const argv[]);

#endif
