/*
 * Unit tests of the builder's choices that need no build: which --mirror
 * and --keyring value an image takes, which files make an image's key.
 */
#include "test.h"

#include "build-key.h"
#include "build.h"
#include "recipe.h"

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

static void sh(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

/* Whether editing the hook named edit (appending a comment to it, or making it) changes the keys of vm and ct. */
static void hook_edit_changes(const struct cr_build_opts *o, const struct cr_recipe *vm, const struct cr_recipe *ct, const char *edit,
			      bool vm_changes, bool ct_changes)
{
	cleanup_free char *v0 = key_of(o, vm), *c0 = key_of(o, ct), *v1 = NULL, *c1 = NULL;
	cleanup_free char *cmd = xasprintf("echo '# edited' >>'%s/builder/hooks/%s'", o->srcdir, edit);

	sh(cmd);
	v1 = key_of(o, vm);
	c1 = key_of(o, ct);
	if ((strcmp(v0, v1) != 0) != vm_changes || (strcmp(c0, c1) != 0) != ct_changes)
		fail_msg("editing %s: the guest image's key %s, the container image's %s", edit, strcmp(v0, v1) ? "changed" : "stayed",
			 strcmp(c0, c1) ? "changed" : "stayed");
}

/*
 * A hook only guest images run is not in a container image's key, and the
 * other way round; every other hook, one added later too, is in both.
 */
static void hooks_in_keys(void **state)
{
	const char *src = getenv("SRCDIR");
	char dir[] = "/tmp/crbench-test-build-XXXXXX";
	cleanup_free char *images = xasprintf("%s/images", src ? src : "."), *cmd = NULL, *keyring = NULL;
	cleanup_recipe struct cr_recipe *vm = NULL, *ct = NULL;
	cleanup_error cr_error_t err = NULL;
	const char *mirrors[] = { "http://mirror.invalid/debian", NULL }, *keyrings[] = { NULL, NULL };
	struct cr_build_opts o = { .srcdir = dir, .mirrors = mirrors, .keyrings = keyrings };

	assert_non_null(mkdtemp(dir));
	cmd = xasprintf("cp -r '%s/builder' '%s/' && echo key >'%s/keyring'", src ? src : ".", dir, dir);
	sh(cmd);
	keyring = xasprintf("%s/keyring", dir);
	keyrings[0] = keyring;
	assert_int_equal(cr_recipe_load(images, "debian-12", &vm, &err), 0);
	assert_int_equal(cr_recipe_load(images, "bench", &ct, &err), 0);

	hook_edit_changes(&o, vm, ct, "container-customize.sh", false, true);
	hook_edit_changes(&o, vm, ct, "vm-customize.sh", true, false);
	hook_edit_changes(&o, vm, ct, "docker-runtimes.sh", true, false);
	hook_edit_changes(&o, vm, ct, "extra-suites.sh", true, true);
	hook_edit_changes(&o, vm, ct, "new-hook.sh", true, true);
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", dir);
	sh(cmd);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(source_for_distribution),
		cmocka_unit_test(hooks_in_keys),
	};
	/* clang-format on */

	return tap_run("build", tests);
}
