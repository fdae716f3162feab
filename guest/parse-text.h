/* Helpers the tool output parsers share to read untrusted text safely. */
#ifndef CRBENCH_PARSE_TEXT_H
#define CRBENCH_PARSE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Walks text that need not be NUL-terminated, one line at a time. */
struct tp_lines {
	const char *p, *end;
};

void tp_lines_init(struct tp_lines *it, const char *text, size_t len);

/*
 * Copy the next line into buf without its newline, ANSI colour escapes or
 * other control bytes (sockperf colours lines even into a file). A line that
 * does not fit comes back empty: no tool prints one, and a cut one could
 * yield a cut number. Returns false after the last line.
 */
bool tp_next_line(struct tp_lines *it, char *buf, size_t size);

/* s advanced past prefix when s starts with it, else NULL. */
const char *tp_after(const char *s, const char *prefix);

/*
 * A non-negative decimal number after optional blanks, plain digits with an
 * optional fraction and exponent (no hex, inf or nan, which strtod would
 * take); *s is advanced past it. Returns -1 when there is none.
 */
int tp_double(const char **s, double *out);
int tp_u64(const char **s, uint64_t *out);

/* Whether only blanks remain. */
bool tp_blank(const char *s);

/* Printable copy of untrusted bytes for a message or a name field, cut to size - 1. */
void tp_copy(char *dst, size_t size, const char *s, size_t len);

#endif
