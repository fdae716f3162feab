/* Shared set-up for the cmocka unit tests: TAP output for prove, fixture paths. */
#ifndef CRBENCH_TEST_H
#define CRBENCH_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util.h"

/* Path of a file under tests/data, found through $SRCDIR when prove runs elsewhere. */
static inline char *test_data(const char *rel)
{
	const char *src = getenv("SRCDIR");

	return xasprintf("%s/tests/data/%s", src ? src : ".", rel);
}

/*
 * A whole file of tests/data and its length; NUL-terminated too, but parsers
 * get the length and must not need the terminator. Not inlined: gcc 12 then
 * takes the cleanup of the result for a dangling pointer.
 */
static __attribute__((noinline, unused)) char *test_data_read(const char *rel, size_t *len)
{
	cleanup_free char *path = test_data(rel);
	cleanup_error cr_error_t err = NULL;
	char *text = NULL;

	if (cr_read_file(path, 16 << 20, &text, len, &err) < 0)
		fail_msg("%s", err->msg);
	return text;
}

#define tap_run(name, tests) (cmocka_set_message_output(CM_OUTPUT_TAP), cmocka_run_group_tests_name(name, tests, NULL, NULL))

#endif
