/*
 * JUnit XML, the report format CI systems read (Jenkins' junit step,
 * GitLab's artifacts:reports:junit, GitHub Actions through a reporter
 * action): the one module that writes it. docs/schema/junit.xsd is the
 * schema of what it writes; docs/ci.md shows it in CI jobs.
 *
 *   crbench compare --junit FILE   a suite "changes" with a test case per
 *                                  compared cell (failed when outside the
 *                                  noise), a suite "bounds" with one per
 *                                  bound checked (failed when out of bounds)
 *   crbench run --junit FILE       a suite per guest with a test case per
 *                                  step (failed, timed out: failure;
 *                                  unsupported: skipped), and one for the
 *                                  guest itself (failed unless complete)
 */
#ifndef CRBENCH_JUNIT_H
#define CRBENCH_JUNIT_H

#include <jansson.h>

#include "error.h"

/* The JUnit XML of cr_compare()'s document. */
int cr_junit_write_compare(const json_t *compare, const char *path, cr_error_t *err);

/* The JUnit XML of the run directory run_dir: its run.json and each guest's harvested step entries. */
int cr_junit_write_run(const char *run_dir, const char *path, cr_error_t *err);

#endif
