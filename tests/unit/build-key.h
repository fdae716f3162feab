/* For the unit tests of image keys: cr_build_key's key, or the test fails with its error. */
#ifndef CRBENCH_TEST_BUILD_KEY_H
#define CRBENCH_TEST_BUILD_KEY_H

#include "test.h"

#include "build.h"
#include "recipe.h"

static inline char *key_of(const struct cr_build_opts *o, const struct cr_recipe *r)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *mirror = NULL;
	char *key = NULL;

	if (cr_build_key(o, r, &key, &mirror, &err) < 0)
		fail_msg("%s", err->msg);
	return key;
}

#endif
