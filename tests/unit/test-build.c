/* Unit tests of the builder's choices that need no build: which --mirror and --keyring value an image takes. */
#include "test.h"

#include "build.h"

static const char **add_ok(const char **list, const char *value)
{
	cleanup_error cr_error_t err = NULL;

	if (cr_build_source_add(&list, "--mirror", value, &err) < 0)
		fail_msg("%s", err->msg);
	return list;
}

static void add_fails(const char **list, const char *value, const char *msg)
{
	cleanup_error cr_error_t err = NULL;
	const char **copy = NULL;

	for (size_t i = 0; list && list[i]; i++)
		copy = add_ok(copy, list[i]);
	assert_int_equal(cr_build_source_add(&copy, "--mirror", value, &err), -1);
	assert_string_equal(err->msg, msg);
	free(copy);
}

/* One value for every image, one per distribution, the distribution's own first; a URL's '=' is no distribution. */
static void source_for_distribution(void **state)
{
	const char **list = NULL;

	assert_null(cr_build_source_for(NULL, "debian"));
	list = add_ok(list, "ubuntu=http://u.example/ubuntu");
	assert_string_equal(cr_build_source_for(list, "ubuntu"), "http://u.example/ubuntu");
	assert_null(cr_build_source_for(list, "debian"));
	list = add_ok(list, "http://all.example/x?a=b");
	assert_string_equal(cr_build_source_for(list, "debian"), "http://all.example/x?a=b");
	assert_string_equal(cr_build_source_for(list, "ubuntu"), "http://u.example/ubuntu");
	list = add_ok(list, "debian=deb http://d.example/debian bookworm main");
	assert_string_equal(cr_build_source_for(list, "debian"), "deb http://d.example/debian bookworm main");
	assert_null(list[3]);

	add_fails(list, "http://other.example/",
		  "--mirror given twice for every image: 'http://all.example/x?a=b' and 'http://other.example/'");
	add_fails(list, "ubuntu=file:///m",
		  "--mirror given twice for the images of ubuntu: 'ubuntu=http://u.example/ubuntu' and 'ubuntu=file:///m'");
	add_fails(NULL, "fedora=http://f.example/",
		  "bad value 'fedora=http://f.example/' for --mirror: 'fedora' is no distribution of the recipes (debian or ubuntu)");
	add_fails(NULL, "debian=", "bad value 'debian=' for --mirror: nothing after the distribution");
	add_fails(NULL, "", "bad value '' for --mirror: nothing after the distribution");
	free(list);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(source_for_distribution),
	};
	/* clang-format on */

	return tap_run("build", tests);
}
