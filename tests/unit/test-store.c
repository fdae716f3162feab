/* The preloaded Docker store: container image ids, the store's key, and the payload's images.json from the host to the agent. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "build.h"
#include "sha256.h"
#include "store.h"
#include "test.h"

static void add(struct archive *a, const char *name, const char *data)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	assert_true(archive_write_header(a, e) == ARCHIVE_OK);
	assert_true(archive_write_data(a, data, strlen(data)) == (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

/* A docker-save tarball in dir/image.tar: a layer, the config under the name manifest gives, the manifest last. */
static void make_image(const char *dir, const char *config_name, const char *config, const char *manifest)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, CR_IMAGE_CONTAINER);
	struct archive *a = archive_write_new();

	archive_write_set_format_ustar(a);
	assert_true(archive_write_open_filename(a, path) == ARCHIVE_OK);
	add(a, "layer.tar", "not really a layer");
	if (config_name && config)
		add(a, config_name, config);
	add(a, "manifest.json", manifest);
	assert_true(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

static void image_id_is_the_config_digest(void **state)
{
	char dir[] = "/tmp/crbench-test-store-XXXXXX", hex[CR_SHA256_HEX_LEN + 1];
	const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
	cleanup_free char *tag = NULL, *id = NULL, *want = NULL, *manifest = NULL;
	cleanup_error cr_error_t err = NULL;

	assert_non_null(mkdtemp(dir));
	cr_sha256_hex(config, strlen(config), hex);
	want = xasprintf("sha256:%s", hex);
	/* the config's name does not matter: its bytes make the id, as Docker computes it */
	manifest = xstrdup("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"crbench/bench:1\"],\"Layers\":[\"layer.tar\"]}]");
	make_image(dir, "cfg.json", config, manifest);
	assert_int_equal(cr_container_image_id(dir, &tag, &id, &err), 0);
	assert_string_equal(tag, "crbench/bench:1");
	assert_string_equal(id, want);
	free(tag);
	free(id);

	/* a manifest naming a config the tarball lacks, a tarball without a manifest: refused, named */
	make_image(dir, NULL, NULL, manifest);
	assert_int_equal(cr_container_image_id(dir, &tag, &id, &err), -1);
	assert_non_null(strstr(err->msg, "has no 'cfg.json', the config its manifest names"));
	assert_null(id);
	cr_error_free(&err);
	make_image(dir, "cfg.json", config, "[{\"Layers\":[]}]");
	assert_int_equal(cr_container_image_id(dir, &tag, &id, &err), -1);
	assert_non_null(strstr(err->msg, "names no Config and RepoTags"));
	cr_error_free(&err);
	{
		cleanup_free char *path = xasprintf("%s/%s", dir, CR_IMAGE_CONTAINER);

		unlink(path);
	}
	assert_int_equal(cr_container_image_id(dir, &tag, &id, &err), -1);
	assert_non_null(err);
	rmdir(dir);
}

static void key_follows_the_vm_and_every_image(void **state)
{
	struct cr_built vm = { .key = (char *)"8a3d21daa2c48073" }, vm2 = { .key = (char *)"8a3d21daa2c48074" };
	struct cr_store_image im[2] = { { (char *)"bench.tar", (char *)"crbench/bench:1", (char *)"sha256:aa" },
					{ (char *)"httpd.tar", (char *)"crbench/httpd:1", (char *)"sha256:bb" } };
	cleanup_free char *k1 = cr_store_key(&vm, im, 2), *k2 = cr_store_key(&vm, im, 2), *k3 = cr_store_key(&vm2, im, 2);
	cleanup_free char *k4 = NULL, *k5 = NULL;

	assert_int_equal(strlen(k1), 16);
	assert_string_equal(k1, k2);
	assert_string_not_equal(k1, k3);
	im[1].id = (char *)"sha256:bc"; /* a changed container image recipe: a new store */
	k4 = cr_store_key(&vm, im, 2);
	assert_string_not_equal(k1, k4);
	k5 = cr_store_key(&vm, im, 1);
	assert_string_not_equal(k4, k5);
}

/* What the host writes, the agent reads: every mode, every image. */
static void images_json_round_trip(void **state)
{
	char dir[] = "/tmp/crbench-test-store-XXXXXX";
	const char *const modes[] = { "store", "load", "preload" };
	const enum cr_images_mode want[] = { CR_IMAGES_STORE, CR_IMAGES_LOAD, CR_IMAGES_PRELOAD };
	struct cr_store_image im[2] = { { (char *)"bench.tar", (char *)"crbench/bench:1", (char *)"sha256:aa" },
					{ (char *)"httpd.tar", (char *)"crbench/httpd:1", (char *)"sha256:bb" } };
	cleanup_free char *path = NULL;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/images.json", dir);
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		cleanup_free char *text = cr_store_images_json(im, 2, modes[m]);
		cleanup_error cr_error_t err = NULL;
		struct cr_images_spec s;
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		assert_int_equal(cr_images_spec_load(dir, &s, &err), 0);
		assert_int_equal(s.mode, want[m]);
		assert_int_equal(s.n, 2);
		for (size_t i = 0; i < 2; i++) {
			assert_string_equal(s.image[i].file, im[i].file);
			assert_string_equal(s.image[i].tag, im[i].tag);
			assert_string_equal(s.image[i].id, im[i].id);
		}
		cr_images_spec_release(&s);
	}
	unlink(path);
	rmdir(dir);
}

/* A payload without images.json (an older host, a test's payload): bench.tar and httpd.tar, loaded, not checked. */
static void no_images_json_loads_without_checking(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_images_spec s;

	assert_int_equal(cr_images_spec_load("/nonexistent", &s, &err), 0);
	assert_int_equal(s.mode, CR_IMAGES_LOAD);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.image[0].file, "bench.tar");
	assert_null(s.image[0].tag);
	assert_null(s.image[0].id);
	cr_images_spec_release(&s);
}

static void bad_images_json_is_named(void **state)
{
	/* clang-format off */
	static const struct { const char *text, *msg; } cases[] = {
		{ "{", "images.json:1:" },
		{ "{\"mode\":\"copy\",\"images\":[]}", "\"mode\" must be \"load\", \"store\" or \"preload\"" },
		{ "{\"mode\":\"store\",\"images\":[]}", "\"images\" must be an array of 1 to 8 images" },
		{ "{\"mode\":\"store\",\"images\":[{\"file\":\"../x.tar\",\"tag\":\"t\",\"id\":\"sha256:a\"}]}", "image 1 needs \"file\" (a name)" },
		{ "{\"mode\":\"store\",\"images\":[{\"file\":\"x.tar\",\"tag\":\"t\",\"id\":\"md5:a\"}]}", "image 1 needs" },
		{ "{\"mode\":\"store\",\"images\":[{\"file\":\"x.tar\",\"tag\":\"t\",\"id\":\"sha256:a\"},{\"file\":\"y.tar\"}]}", "image 2 needs" },
	};
	/* clang-format on */
	char dir[] = "/tmp/crbench-test-store-XXXXXX";
	cleanup_free char *path = NULL;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/images.json", dir);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_error cr_error_t err = NULL;
		struct cr_images_spec s;
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		assert_int_equal(cr_images_spec_load(dir, &s, &err), -1);
		if (!strstr(err->msg, cases[i].msg) || !strstr(err->msg, path))
			fail_msg("case %zu: '%s' does not say '%s' and name the file", i, err->msg, cases[i].msg);
		assert_int_equal(s.n, 0);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(image_id_is_the_config_digest),
		cmocka_unit_test(key_follows_the_vm_and_every_image),
		cmocka_unit_test(images_json_round_trip),
		cmocka_unit_test(no_images_json_loads_without_checking),
		cmocka_unit_test(bad_images_json_is_named),
	};
	/* clang-format on */

	return tap_run("store", tests);
}
