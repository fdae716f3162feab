/* Error objects for the error contract described in error.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "util.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

int cr_error(cr_error_t *err, int code, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);

	if (!err)
		return -1;
	cr_error_free(err);
	*err = xcalloc(1, sizeof(**err));
	(*err)->code = code;
	if (code)
		(*err)->msg = xasprintf("%s: %s", msg, strerror(code));
	else
		(*err)->msg = steal_pointer(&msg);
	return -1;
}

int cr_error_prefix(cr_error_t *err, const char *fmt, ...)
{
	cleanup_free char *prefix = NULL;
	char *msg;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	prefix = vformat(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", prefix, (*err)->msg);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void cr_error_free(cr_error_t *err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}
