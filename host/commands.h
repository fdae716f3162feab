/* The subcommands of crbench, one file each, dispatched from main.c. */
#ifndef CRBENCH_COMMANDS_H
#define CRBENCH_COMMANDS_H

#include "error.h"
#include "preflight.h"

/* Exit codes shared by every command. */
#define EXIT_USAGE 2

int cmd_boot(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_harvest(int argc, char **argv);
int cmd_report(int argc, char **argv);

int cmd_run(int argc, char **argv);

extern const char crbench_version[];

struct cr_build_opts;
struct cr_built;
struct cr_harvest_report;
/* Build one recipe (or find it cached) with a progress display on stderr; fills *out when given. Returns an exit code. */
int build_image(struct cr_build_opts *o, const char *images_dir, const char *name, struct cr_built *out);
/*
 * Build the guest image a plan's guests of that image boot: the recipe, plus
 * Kata when a Kata guest of the plan runs on it (its tarball fetched and
 * checked first). Returns an exit code.
 */
struct cr_plan;
int build_plan_image(struct cr_build_opts *o, const char *images_dir, const struct cr_plan *plan, const char *image, struct cr_built *out);
/* The lines crbench harvest prints for one disk. */
void harvest_print_report(const char *disk, const char *out, const struct cr_harvest_report *r);

/* Print "crbench: <message>" for a failed library call; returns EXIT_FAILURE. */
int report_error(cr_error_t err);
/* Print "crbench CMD: <message>" and a --help hint; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse --accel's argument, or report a usage error. */
int parse_accel_option(const char *cmd, const char *arg, enum cr_accel *out);

#endif
