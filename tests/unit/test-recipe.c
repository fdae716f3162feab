/* Unit tests for image recipes and the host's apt mirror lookup. */
#include "test.h"

#include "aptsources.h"
#include "recipe.h"

static struct cr_recipe *load_shipped(const char *name)
{
	const char *src = getenv("SRCDIR");
	cleanup_free char *dir = xasprintf("%s/images", src ? src : ".");
	cleanup_error cr_error_t err = NULL;
	struct cr_recipe *r = NULL;

	if (cr_recipe_load(dir, name, &r, &err) < 0)
		fail_msg("%s", err->msg);
	return r;
}

static void shipped_recipes(void **state)
{
	cleanup_recipe struct cr_recipe *deb = load_shipped("debian-12");
	cleanup_recipe struct cr_recipe *ubu = load_shipped("ubuntu-18.04");
	cleanup_recipe struct cr_recipe *bench = load_shipped("bench");
	cleanup_recipe struct cr_recipe *httpd = load_shipped("httpd");

	assert_int_equal(deb->kind, CR_RECIPE_VM);
	assert_string_equal(deb->suite, "bookworm");
	assert_string_equal(deb->extra_suites[0], "bookworm-updates");
	assert_int_equal(deb->size, 4ULL << 30);
	assert_true(strv_contains(deb->runtimes, "runsc"));
	assert_string_equal(deb->packages[0].name, "docker.io");
	assert_string_equal(deb->packages[0].pattern, "20.10.*");

	assert_string_equal(ubu->distribution, "ubuntu");
	assert_string_equal(ubu->components[1], "universe");
	assert_string_equal(ubu->fingerprints[0], "790BC7277767219C42C86F933B4FE6ACC0B21F32");
	assert_string_equal(ubu->packages[0].pattern, "20.10.21-*");

	assert_int_equal(bench->kind, CR_RECIPE_CONTAINER);
	assert_string_equal(bench->tag, "crbench/bench:1");
	assert_int_equal(httpd->kind, CR_RECIPE_CONTAINER);
	assert_string_equal(httpd->cmd[0], "/usr/sbin/apache2ctl");
	assert_string_equal(httpd->cmd[2], "FOREGROUND");
	assert_null(httpd->cmd[3]);
}

static void expect_error(const char *text, const char *msg)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_recipe *r = NULL;

	assert_int_equal(cr_recipe_parse("r.conf", "r", text, strlen(text), &r, &err), -1);
	assert_null(r);
	assert_string_equal(err->msg, msg);
}

#define HEAD \
	"[image]\nkind = vm\ndistribution = debian\nsuite = bookworm\ncomponents = main\n" \
	"keyring = /k.gpg\nvariant = minbase\nsize = 4G\nsource-date-epoch = 1\nruntimes = runc\n"

static void refusals(void **state)
{
	expect_error(HEAD "[packages]\ndocker.io = 20.10.*\n[extra]\n",
		     "r.conf:13: unknown section [extra]: expected [image] or [packages]");
	expect_error(HEAD "sise = 4G\n[packages]\na = *\n",
		     "r.conf:11: unknown key 'sise' in [image]: expected one of kind, description, "
		     "distribution, suite, extra-suites, components, keyring, keyring-fingerprints, "
		     "variant, size, source-date-epoch, runtimes, tag, cmd, files");
	expect_error(HEAD "[packages]\n",
		     "r.conf:11: the recipe lists no packages: expected a [packages] section of 'name = version-pattern'");
	expect_error(HEAD "tag = x:1\n[packages]\na = *\n", "r.conf:11: key 'tag' does not apply to a vm image");
	expect_error("[image]\nkind = vm\n[packages]\na = *\n",
		     "r.conf:1: [image] lacks required key 'distribution': expected debian or ubuntu");
	expect_error("[image]\nkind = iso\n", "r.conf:2: bad value 'iso' for 'kind': expected vm or container");
	expect_error(HEAD "[packages]\na = *\na = 1\n", "r.conf:13: package 'a' listed twice");
	expect_error(HEAD "[packages]\na = 1 2\n",
		     "r.conf:12: bad version pattern '1 2' for package 'a': expected a pattern such as 20.10.* or *");
	expect_error(HEAD "keyring-fingerprints = 1234\n[packages]\na = *\n",
		     "r.conf:11: bad value '1234' in 'keyring-fingerprints': expected comma-separated 40-hex-digit key fingerprints");
	expect_error(HEAD "size = 10M\n[packages]\na = *\n", "r.conf:11: duplicate key 'size' in [image] (first set on line 8)");
	expect_error("kind = vm\n", "r.conf:1: key 'kind' outside of any section: put it under [image] or [packages]");
}

static void unknown_recipe(void **state)
{
	const char *src = getenv("SRCDIR");
	cleanup_free char *dir = xasprintf("%s/images", src ? src : ".");
	cleanup_free char *want = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_recipe *r = NULL;

	assert_int_equal(cr_recipe_load(dir, "debian-13", &r, &err), -1);
	want = xasprintf("unknown image recipe 'debian-13': there is no '%s/debian-13.conf'; known recipes: ", dir);
	assert_true(str_has_prefix(err->msg, want));
	assert_non_null(strstr(err->msg, "debian-12"));
	assert_non_null(strstr(err->msg, "ubuntu-18.04"));
	assert_int_equal(cr_recipe_load(dir, "../etc/passwd", &r, &err), -1);
	assert_string_equal(err->msg, "bad image recipe name '../etc/passwd': expected lower-case letters, digits, '.', '_' and '-'");
}

static void apt_mirrors(void **state)
{
	cleanup_free char *oneline = test_data("apt/oneline");
	cleanup_free char *deb822 = test_data("apt/deb822");
	cleanup_free char *none = test_data("apt/none");
	cleanup_free char *a = cr_apt_mirror_for_suite(oneline, "bookworm");
	cleanup_free char *b = cr_apt_mirror_for_suite(oneline, "bookworm-security");
	cleanup_free char *c = cr_apt_mirror_for_suite(deb822, "bookworm");
	cleanup_free char *d = cr_apt_mirror_for_suite(deb822, "bionic");
	cleanup_free char *e = cr_apt_mirror_for_suite(none, "bookworm");
	cleanup_free char *f = cr_apt_mirror_for_suite(deb822, "trixie");

	/* options in brackets and doubled spaces are skipped; deb-src lines are not sources of binaries */
	assert_string_equal(a, "http://mirror.invalid/debian");
	assert_string_equal(b, "http://mirror.invalid/debian-security");
	/* deb822 stanzas, comments inside them, several suites per stanza; files in alphabetical order */
	assert_string_equal(c, "file:///srv/mirror/debian");
	assert_string_equal(d, "http://other.invalid/ubuntu");
	assert_null(e);
	assert_null(f);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_recipes),
		cmocka_unit_test(refusals),
		cmocka_unit_test(unknown_recipe),
		cmocka_unit_test(apt_mirrors),
	};
	/* clang-format on */

	return tap_run("recipe", tests);
}
