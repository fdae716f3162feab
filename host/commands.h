/* The subcommands of crbench, one file each, dispatched from main.c. */
#ifndef CRBENCH_COMMANDS_H
#define CRBENCH_COMMANDS_H

#include "error.h"
#include "preflight.h"

/* Exit codes shared by every command. */
#define EXIT_USAGE 2

int cmd_boot(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_harvest(int argc, char **argv);
int cmd_report(int argc, char **argv);

int cmd_run(int argc, char **argv);

extern const char crbench_version[];

/* Print "crbench: <message>" for a failed library call; returns EXIT_FAILURE. */
int report_error(cr_error_t err);
/* Print "crbench CMD: <message>" and a --help hint; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The end of every command's getopt switch: -h prints usage and returns
 * EXIT_SUCCESS; a missing value or an unknown option is a usage error.
 * The command's optstring starts with ':' and has 'h'.
 */
int option_default(const char *cmd, const char *usage, int c, char **argv);
/* Parse --accel's argument, or report a usage error. */
int parse_accel_option(const char *cmd, const char *arg, enum cr_accel *out);
/* Add a --mirror or --keyring value to *list (cr_build_source_add), or report a usage error. */
int parse_source_option(const char *cmd, const char *flag, const char *arg, const char ***list);

#endif
