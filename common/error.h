/* The error contract: a failing function returns -1 and fills a cr_error_t; only the top level prints. */
#ifndef CRBENCH_ERROR_H
#define CRBENCH_ERROR_H

struct cr_error {
	int code; /* errno value, 0 when the failure has none */
	char *msg;
};
typedef struct cr_error *cr_error_t;

/*
 * Fill *err with a message; when code is non-zero ": strerror(code)" is
 * appended. Always returns -1 so that `return cr_error(...)` reads naturally.
 * A message already in *err is replaced.
 */
int cr_error(cr_error_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepend context ("cannot load plan 'x': ") to the message in *err; returns -1. */
int cr_error_prefix(cr_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cr_error_free(cr_error_t *err);

static inline void cleanup_errorp(cr_error_t *err)
{
	cr_error_free(err);
}
#define cleanup_error __attribute__((cleanup(cleanup_errorp)))

#endif
