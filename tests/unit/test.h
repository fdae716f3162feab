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

#define tap_run(name, tests)                                     \
	(cmocka_set_message_output(CM_OUTPUT_TAP),              \
	 cmocka_run_group_tests_name(name, tests, NULL, NULL))

#endif
