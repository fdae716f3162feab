/*
 * Unit tests of the Kata tarball on the host: where a plan's kata-tarball
 * resolves to, the preflight item, the checksum and layout checks, fetching
 * a file:// URL, unpacking, and the image key. The tarballs are fakes with
 * the release's layout (no Kata release can be downloaded here), written
 * with libarchive the way `tar -cJf` would.
 */
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include "test.h"

#include "build-key.h"
#include "build.h"
#include "digest.h"
#include "kata.h"
#include "proc.h"
#include "recipe.h"

struct member {
	const char *name;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK */
	mode_t perm;
	const char *data; /* contents, or the link's target */
};

/* The layout of kata-static-1.12.1-x86_64.tar.xz, much reduced. */
/* clang-format off */
static const struct member release[] = {
	{ "./", AE_IFDIR, 0755, NULL },
	{ "./opt/", AE_IFDIR, 0755, NULL },
	{ "./opt/kata/", AE_IFDIR, 0755, NULL },
	{ "./opt/kata/bin/", AE_IFDIR, 0755, NULL },
	{ "./opt/kata/bin/kata-runtime", AE_IFREG, 0755, "#!/bin/sh\necho 'kata-runtime  : 1.12.1 (fake)'\n" },
	{ "./opt/kata/bin/qemu-system-x86_64", AE_IFREG, 0755, "fake qemu\n" },
	{ "./opt/kata/share/defaults/kata-containers/", AE_IFDIR, 0755, NULL },
	{ "./opt/kata/share/defaults/kata-containers/configuration-qemu.toml", AE_IFREG, 0644, "[hypervisor.qemu]\ndefault_vcpus = 1\n" },
	{ "./opt/kata/share/defaults/kata-containers/configuration-qemu-virtiofs.toml", AE_IFREG, 0644, "[hypervisor.qemu]\n" },
	{ "./opt/kata/share/defaults/kata-containers/configuration.toml", AE_IFLNK, 0777, "configuration-qemu.toml" },
	{ NULL, 0, 0, NULL },
};
/* clang-format on */

static void make_tarball(const char *path, const struct member *m)
{
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; m->name; m++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = m->type == AE_IFREG ? strlen(m->data) : 0;

		archive_entry_set_pathname(e, m->name);
		archive_entry_set_filetype(e, m->type);
		archive_entry_set_perm(e, m->perm);
		archive_entry_set_uid(e, 1000); /* as a release built by someone's CI */
		archive_entry_set_size(e, (la_int64_t)len);
		if (m->type == AE_IFLNK)
			archive_entry_set_symlink(e, m->data);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, m->data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* A tarball of regular files, each holding "x", from "MODE NAME;MODE NAME;..." (MODE in octal). */
static void make_files_tarball(const char *path, const char *spec)
{
	cleanup_strv char **files = strv_split(spec, ';');
	size_t n = strv_len(files);
	cleanup_free struct member *m = xcalloc(n + 1, sizeof(*m));

	for (size_t i = 0; i < n; i++)
		m[i] = (struct member){ strchr(files[i], ' ') + 1, AE_IFREG, (mode_t)strtoul(files[i], NULL, 8), "x" };
	make_tarball(path, m);
}

/* A temporary directory with a cache and a fake release in <cache>/downloads/. */
struct fixture {
	char dir[64];
	char *cache, *downloads, *tarball, *plan_path;
	char sha[CR_SHA256_HEX_LEN + 1];
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	cleanup_error cr_error_t err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/crbench-kata-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cache = xasprintf("%s/cache", f->dir);
	f->downloads = xasprintf("%s/downloads", f->cache);
	f->tarball = xasprintf("%s/" CR_KATA_TARBALL, f->downloads);
	f->plan_path = xasprintf("%s/plans/p.ini", f->dir);
	assert_int_equal(cr_mkdir_p(f->downloads, &err), 0);
	make_tarball(f->tarball, release);
	assert_int_equal(cr_sha256_file(f->tarball, f->sha, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *rm[] = { (char *)"rm", (char *)"-rf", f->dir, NULL };

	assert_int_equal(cr_run_checked(rm, NULL), 0);
	free(f->cache);
	free(f->downloads);
	free(f->tarball);
	free(f->plan_path);
	free(f);
	return 0;
}

/* A plan at f->plan_path with a runc guest and a Kata guest on ubuntu-18.04. */
static struct cr_plan *kata_plan(const struct fixture *f, const char *tarball, const char *sha256)
{
	cleanup_free char *text = xasprintf(
		"[suite]\nprofile = paper\n[guest runc]\nimage = ubuntu-18.04\nruntime = runc\n"
		"[guest kata]\nimage = ubuntu-18.04\nruntime = kata\nkata-tarball = %s\n%s%s%s",
		tarball, sha256 ? "kata-sha256 = " : "", sha256 ? sha256 : "", sha256 ? "\n" : "");
	cleanup_error cr_error_t err = NULL;
	struct cr_plan *plan = NULL;

	if (cr_plan_parse(f->plan_path, text, strlen(text), &plan, &err) < 0)
		fail_msg("%s", err->msg);
	return plan;
}

#define OTHER_SHA "00000000000000000000000000000000000000000000000000000000000000ff"

static void where_the_tarball_is(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	static const struct {
		const char *source, *want_rel; /* want: relative to the fixture; NULL: the source itself */
	} cases[] = {
		{ CR_KATA_TARBALL, "cache/downloads/" CR_KATA_TARBALL },
		{ "https://example.org/a/b/kata-static-1.12.1-x86_64.tar.xz", "cache/downloads/kata-static-1.12.1-x86_64.tar.xz" },
		{ "file:///srv/mirror/k.tar.xz", "cache/downloads/k.tar.xz" },
		{ "kata/k.tar.xz", "plans/kata/k.tar.xz" },
		{ "./k.tar.xz", "plans/k.tar.xz" },
		{ "././kata/k.tar.xz", "plans/kata/k.tar.xz" },
		{ "/srv/k.tar.xz", NULL },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_plan struct cr_plan *plan = kata_plan(f, cases[i].source, NULL);
		cleanup_free char *path = cr_kata_local_path(plan, &plan->guests[1], f->cache);
		cleanup_free char *want = cases[i].want_rel ? xasprintf("%s/%s", f->dir, cases[i].want_rel) : xstrdup(cases[i].source);

		assert_string_equal(path, want);
	}
	{
		cleanup_plan struct cr_plan *plan = kata_plan(f, CR_KATA_TARBALL, NULL);

		assert_ptr_equal(cr_kata_guest_of_image(plan, "ubuntu-18.04"), &plan->guests[1]);
		assert_null(cr_kata_guest_of_image(plan, "debian-12"));
		assert_true(cr_kata_source_is_url("file:///x/y"));
		assert_false(cr_kata_source_is_url("/x/y"));
	}
}

static void decide(const struct fixture *f, const char *tarball, const char *sha, struct cr_check_item *item)
{
	cleanup_plan struct cr_plan *plan = kata_plan(f, tarball, sha);

	memset(item, 0, sizeof(*item));
	cr_kata_decide(plan, &plan->guests[1], f->cache, item);
	assert_string_equal(item->name, "kata");
}

static void release_item(struct cr_check_item *item)
{
	free(item->message);
	free(item->fix);
}

/* What the preflight says of each state of the tarball: it names the key, the version, the checksum and the release. */
static void preflight_item(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *missing = xasprintf("%s/plans/none.tar.xz", f->dir);
	cleanup_free char *file_url = xasprintf("file://%s", f->tarball);
	struct cr_check_item item;

	/* the shipped paper plan's state: no tarball, no checksum */
	decide(f, "none.tar.xz", NULL, &item);
	assert_int_equal(item.status, CR_FAIL);
	assert_non_null(strstr(item.message, "[guest kata] kata-tarball ("));
	assert_non_null(strstr(item.message, "/plans/p.ini:9): no Kata Containers 1.12.1 tarball at '"));
	assert_non_null(strstr(item.message, "expected SHA-256: none given (kata-sha256 is not set)"));
	assert_non_null(strstr(item.fix, CR_KATA_RELEASE_URL));
	assert_non_null(strstr(item.fix, "set kata-sha256 = <its SHA-256> in [guest kata] of "));
	release_item(&item);

	decide(f, missing, OTHER_SHA, &item);
	assert_int_equal(item.status, CR_FAIL);
	assert_non_null(strstr(item.message, "expected SHA-256: " OTHER_SHA));
	assert_non_null(strstr(item.fix, "sha256sum must print " OTHER_SHA));
	release_item(&item);

	decide(f, CR_KATA_TARBALL, NULL, &item);
	assert_int_equal(item.status, CR_FAIL);
	assert_non_null(strstr(item.message, f->sha));
	assert_non_null(strstr(item.message, "the plan gives no kata-sha256 to check it against"));
	release_item(&item);

	decide(f, CR_KATA_TARBALL, OTHER_SHA, &item);
	assert_int_equal(item.status, CR_FAIL);
	assert_true(str_has_prefix(item.message, "refused: '"));
	assert_non_null(strstr(item.message, f->sha));
	assert_non_null(strstr(item.message, "but [guest kata] kata-sha256 ("));
	assert_non_null(strstr(item.message, "expects " OTHER_SHA " for Kata Containers 1.12.1"));
	release_item(&item);

	decide(f, CR_KATA_TARBALL, f->sha, &item);
	assert_int_equal(item.status, CR_PASS);
	assert_null(item.fix);
	release_item(&item);

	/* a URL is checked when it is downloaded; without a checksum it cannot be */
	decide(f, "https://example.org/k/kata.tar.xz", f->sha, &item);
	assert_int_equal(item.status, CR_PASS);
	assert_non_null(strstr(item.message, "will be downloaded from 'https://example.org/k/kata.tar.xz'"));
	release_item(&item);
	decide(f, "https://example.org/k/kata.tar.xz", NULL, &item);
	assert_int_equal(item.status, CR_FAIL);
	release_item(&item);
	/* a URL already downloaded with the right checksum is checked as a file */
	decide(f, file_url, f->sha, &item);
	assert_int_equal(item.status, CR_PASS);
	assert_non_null(strstr(item.message, "has the expected SHA-256"));
	release_item(&item);
}

static void layout(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *path = xasprintf("%s/t.tar.xz", f->dir);
#define RUNTIME "./" CR_KATA_RUNTIME
#define QEMU "./" CR_KATA_CONFIG_QEMU
	/* clang-format off */
	static const struct {
		const char *files; /* "MODE NAME;..." */
		bool virtiofs;	   /* kata-shared-fs = virtio-fs needs its own configuration */
		const char *msg;
	} bad[] = {
		{ "644 " QEMU, false, "has no opt/kata/bin/kata-runtime (an executable file)" },
		{ "644 " RUNTIME ";644 " QEMU, false, "has no opt/kata/bin/kata-runtime (an executable file)" },
		{ "755 " RUNTIME ";644 ./etc/passwd", false, "has a member outside opt/: './etc/passwd'" },
		{ "644 ./opt/kata/../../etc/passwd", false, "has an unsafe member './opt/kata/../../etc/passwd'" },
		{ "755 " RUNTIME ";644 " QEMU, true, "has no opt/kata/share/defaults/kata-containers/configuration-qemu-virtiofs.toml" },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;

	assert_int_equal(cr_kata_check_layout(f->tarball, true, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error cr_error_t e = NULL;

		make_files_tarball(path, bad[i].files);
		assert_int_equal(cr_kata_check_layout(path, bad[i].virtiofs, &e), -1);
		if (!strstr(e->msg, bad[i].msg))
			fail_msg("case %zu: %s", i, e->msg);
	}
	/* without virtio-fs, its configuration is not needed */
	assert_int_equal(cr_kata_check_layout(path, false, &err), 0);
	/* not a tarball at all */
	{
		cleanup_error cr_error_t e = NULL;
		FILE *fp = fopen(path, "we");

		assert_non_null(fp);
		fputs("<html>404</html>\n", fp);
		fclose(fp);
		assert_int_equal(cr_kata_check_layout(path, false, &e), -1);
	}
}

/* A URL goes through curl into the cache and is used only with the plan's checksum; a wrong one is not kept. */
static void fetch_file_url(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *mirror = xasprintf("%s/mirror", f->dir);
	cleanup_free char *src = xasprintf("%s/kata-static-1.12.1-x86_64.tar.xz", mirror);
	cleanup_free char *url = xasprintf("file://%s", src);
	cleanup_free char *other_cache = xasprintf("%s/cache2", f->dir);
	cleanup_free char *want = xasprintf("%s/downloads/kata-static-1.12.1-x86_64.tar.xz", other_cache);
	char *mv[] = { (char *)"cp", f->tarball, src, NULL };
	cleanup_error cr_error_t err = NULL;

	assert_int_equal(cr_mkdir_p(mirror, &err), 0);
	assert_int_equal(cr_run_checked(mv, &err), 0);
	{
		cleanup_plan struct cr_plan *plan = kata_plan(f, url, OTHER_SHA);
		cleanup_free char *path = NULL;

		assert_int_equal(cr_kata_fetch(plan, &plan->guests[1], other_cache, &path, &err), -1);
		assert_non_null(strstr(err->msg, "refused: the download of 'file://"));
		assert_non_null(strstr(err->msg, "expects " OTHER_SHA));
		assert_int_equal(access(want, F_OK), -1); /* not kept */
	}
	{
		cleanup_plan struct cr_plan *plan = kata_plan(f, url, f->sha);
		cleanup_free char *path = NULL;

		assert_int_equal(cr_kata_fetch(plan, &plan->guests[1], other_cache, &path, &err), 0);
		assert_string_equal(path, want);
		/* the second time the cached copy is used: the source may be gone */
		free(path);
		path = NULL;
		unlink(src);
		assert_int_equal(cr_kata_fetch(plan, &plan->guests[1], other_cache, &path, &err), 0);
	}
	{
		cleanup_plan struct cr_plan *plan = kata_plan(f, "file:///nonexistent/k.tar.xz", f->sha);
		cleanup_free char *path = NULL;
		cleanup_error cr_error_t e = NULL;

		assert_int_equal(cr_kata_fetch(plan, &plan->guests[1], other_cache, &path, &e), -1);
		assert_non_null(strstr(e->msg, "cannot download 'file:///nonexistent/k.tar.xz': 'curl' failed"));
	}
	{
		cleanup_plan struct cr_plan *plan = kata_plan(f, CR_KATA_TARBALL, NULL);
		cleanup_free char *path = NULL;
		cleanup_error cr_error_t e = NULL;

		assert_int_equal(cr_kata_fetch(plan, &plan->guests[1], f->cache, &path, &e), -1);
		assert_non_null(strstr(e->msg, "gives no kata-sha256: crbench installs no Kata it cannot check"));
	}
}

/* Only opt/kata is installed, owned by whoever unpacks (root in the builder), modes kept, links kept. */
static void unpack(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *root = xasprintf("%s/root", f->dir);
	cleanup_free char *runtime = xasprintf("%s/" CR_KATA_RUNTIME, root);
	cleanup_free char *link = xasprintf("%s/" CR_KATA_CONFIG_DIR "/configuration.toml", root);
	cleanup_free char *other = xasprintf("%s/t.tar.xz", f->dir);
	cleanup_free char *etc = xasprintf("%s/etc", root);
	cleanup_error cr_error_t err = NULL;
	char target[64] = { 0 };
	struct stat st;

	assert_int_equal(cr_kata_unpack(f->tarball, root, &err), 0);
	assert_int_equal(stat(runtime, &st), 0);
	assert_true(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0755);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(readlink(link, target, sizeof(target) - 1) > 0);
	assert_string_equal(target, "configuration-qemu.toml");

	make_files_tarball(other, "755 ./opt/kata/bin/kata-runtime;644 ./etc/passwd");
	assert_int_equal(cr_kata_unpack(other, root, &err), 0);
	assert_int_equal(access(etc, F_OK), -1);
}

/* The tarball's checksum is part of a guest image's key, and only of a guest image's. */
static void image_key(void **state)
{
	struct fixture *f = *state;
	const char *src = getenv("SRCDIR");
	cleanup_free char *srcdir = xstrdup(src ? src : ".");
	cleanup_free char *images = xasprintf("%s/images", srcdir);
	cleanup_recipe struct cr_recipe *vm = NULL, *ct = NULL;
	cleanup_free char *k0 = NULL, *k1 = NULL, *k2 = NULL, *c0 = NULL, *c1 = NULL;
	cleanup_error cr_error_t err = NULL;
	const char *mirrors[] = { "http://mirror.invalid/debian", NULL }, *keyrings[] = { f->tarball, NULL };
	struct cr_build_opts o = { .srcdir = srcdir, .cache_dir = f->cache, .mirrors = mirrors, .keyrings = keyrings };

	assert_int_equal(cr_recipe_load(images, "ubuntu-18.04", &vm, &err), 0);
	assert_int_equal(cr_recipe_load(images, "bench", &ct, &err), 0);
	k0 = key_of(&o, vm);
	c0 = key_of(&o, ct);
	o.kata_tarball = f->tarball;
	o.kata_sha256 = f->sha;
	k1 = key_of(&o, vm);
	c1 = key_of(&o, ct);
	o.kata_sha256 = OTHER_SHA;
	k2 = key_of(&o, vm);
	assert_string_not_equal(k0, k1);
	assert_string_not_equal(k1, k2);
	assert_string_equal(c0, c1);
}

/*
 * What the preflight asks before probing a mirror: is the image a run would
 * build already in the cache? The plan's Kata guest makes its checksum part
 * of the key, as cr_build_image does; only a manifest makes an entry.
 */
static void cached_image(void **state)
{
	struct fixture *f = *state;
	const char *src = getenv("SRCDIR");
	cleanup_free char *srcdir = xstrdup(src ? src : ".");
	cleanup_free char *images = xasprintf("%s/images", srcdir), *want = NULL, *entry = NULL, *manifest = NULL;
	cleanup_recipe struct cr_recipe *vm = NULL;
	cleanup_plan struct cr_plan *plan = kata_plan(f, f->tarball, f->sha);
	cleanup_error cr_error_t err = NULL;
	const char *mirrors[] = { "http://mirror.invalid/debian", NULL }, *keyrings[] = { f->tarball, NULL };
	struct cr_build_opts o = { .srcdir = srcdir, .cache_dir = f->cache, .mirrors = mirrors, .keyrings = keyrings };
	struct cr_built b;

	assert_int_equal(cr_recipe_load(images, "ubuntu-18.04", &vm, &err), 0);
	o.kata_sha256 = f->sha;
	want = key_of(&o, vm);
	o.kata_sha256 = NULL;
	assert_int_equal(cr_build_cached(&o, plan, vm, &b, &err), 0);
	assert_string_equal(b.key, want);
	assert_string_equal(b.mirror, "http://mirror.invalid/debian");
	assert_false(b.hit);
	assert_null(o.kata_sha256);
	entry = xasprintf("%s/images/ubuntu-18.04-%s", f->cache, want);
	assert_string_equal(b.dir, entry);
	cr_built_release(&b);

	assert_int_equal(cr_mkdir_p(entry, &err), 0);
	assert_int_equal(cr_build_cached(&o, plan, vm, &b, &err), 0); /* a directory without its manifest is no entry */
	cr_built_release(&b);
	manifest = xasprintf("%s/" CR_IMAGE_MANIFEST, entry);
	assert_int_equal(cr_write_text(manifest, "{}", &err), 0);
	assert_int_equal(cr_build_cached(&o, plan, vm, &b, &err), 1);
	assert_true(b.hit);
	cr_built_release(&b);
	/* without the plan (crbench build --image), the key has no Kata: not that entry */
	assert_int_equal(cr_build_cached(&o, NULL, vm, &b, &err), 0);
	assert_string_not_equal(b.key, want);
	cr_built_release(&b);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(where_the_tarball_is, setup, teardown),
		cmocka_unit_test_setup_teardown(preflight_item, setup, teardown),
		cmocka_unit_test_setup_teardown(layout, setup, teardown),
		cmocka_unit_test_setup_teardown(fetch_file_url, setup, teardown),
		cmocka_unit_test_setup_teardown(unpack, setup, teardown),
		cmocka_unit_test_setup_teardown(image_key, setup, teardown),
		cmocka_unit_test_setup_teardown(cached_image, setup, teardown),
	};
	/* clang-format on */

	return tap_run("kata", tests);
}
