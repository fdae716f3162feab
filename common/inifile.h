/* INI files with line numbers: inih reads the syntax, callers validate through callbacks. */
#ifndef CRBENCH_INIFILE_H
#define CRBENCH_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct cr_ini;

struct cr_ini_ops {
	/* A [name] header, also of a section with no keys; -1 (after cr_ini_error) refuses it. */
	int (*section)(struct cr_ini *ini, void *user, const char *name);
	/* key = value; section is "" before any header; -1 after cr_ini_error. */
	int (*key)(struct cr_ini *ini, void *user, const char *section, const char *key, const char *value);
	/* After the last line, when nothing failed: cross-key checks. */
	int (*end)(struct cr_ini *ini, void *user);
};

/*
 * Parse data (name stands for the file in messages). Returns 0, or -1 with
 * *err holding the first error as "NAME:LINE: message". Lines longer than
 * inih's limit and NUL bytes are refused, not split or truncated.
 */
int cr_ini_parse(const char *name, const char *data, size_t len, const struct cr_ini_ops *ops, void *user, cr_error_t *err);

/* The longest line a file may have: inih reads lines into INI_MAX_LINE bytes (200 in Debian's build), newline and NUL included. */
size_t cr_ini_line_max(void);
/* The line being parsed; in end(), the last line. */
unsigned cr_ini_line(const struct cr_ini *ini);
/* Record "NAME:LINE: message" unless an error is recorded already; returns -1. */
int cr_ini_error(struct cr_ini *ini, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
