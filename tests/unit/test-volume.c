/* Storage pool volumes for remote libvirt hosts: the checks that need no libvirtd (tests/cli/remote.t uploads for real). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#include "virt.h"
#include "volume.h"

static char *temp_file(const void *data, size_t len)
{
	char *path = xstrdup("/tmp/crbench-test-volume.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* The overlay's capacity is the base image's virtual size, read from its qcow2 header (big-endian at byte 24). */
static void qcow2_header(void **state)
{
	unsigned char h[104] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *good = NULL, *bad = NULL, *small = NULL;
	uint64_t size = 0;

	h[24 + 3] = 0x01; /* 2^32 */
	h[24 + 5] = 0x20; /* + 2^21 */
	good = temp_file(h, sizeof(h));
	assert_int_equal(cr_qcow2_virtual_size(good, &size, &err), 0);
	assert_int_equal(size, (1ULL << 32) + (1ULL << 21));
	h[3] = 0;
	bad = temp_file(h, sizeof(h));
	assert_int_equal(cr_qcow2_virtual_size(bad, &size, &err), -1);
	assert_non_null(strstr(err->msg, "is not a qcow2 image"));
	small = temp_file("QFI", 3);
	assert_int_equal(cr_qcow2_virtual_size(small, &size, &err), -1);
	assert_int_equal(cr_qcow2_virtual_size("/nonexistent/x.qcow2", &size, &err), -1);
	assert_non_null(strstr(err->msg, "'/nonexistent/x.qcow2'"));
	unlink(good);
	unlink(bad);
	unlink(small);
}

/* libvirt's test driver has a directory pool: a missing pool is named, volumes come and go. */
static void pool_and_volumes(void **state)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_conn virConnectPtr conn = NULL;
	virStoragePoolPtr pool = NULL;
	char *path = NULL;

	assert_int_equal(cr_virt_open("test:///default", &conn, &err), 0);
	assert_int_equal(cr_pool_open(conn, "nopool", &pool, &err), -1);
	assert_non_null(strstr(err->msg, "no storage pool 'nopool'"));
	assert_int_equal(cr_pool_open(conn, "default-pool", &pool, &err), 0);
	assert_int_equal(cr_vol_cached(pool, "crbench-x-disk.qcow2", NULL, &err), 0);
	assert_int_equal(cr_vol_create_raw(pool, "crbench-x-disk.qcow2", 1 << 20, &path, &err), 0);
	assert_non_null(strstr(path, "crbench-x-disk.qcow2"));
	free(path);
	/* no marker: not cached, an upload that never finished */
	assert_int_equal(cr_vol_cached(pool, "crbench-x-disk.qcow2", NULL, &err), 0);
	assert_int_equal(cr_vol_create_raw(pool, "crbench-x-disk.qcow2.ok", 0, NULL, &err), 0);
	assert_int_equal(cr_vol_cached(pool, "crbench-x-disk.qcow2", &path, &err), 1);
	assert_non_null(strstr(path, "crbench-x-disk.qcow2"));
	free(path);
	/* made again: replaced */
	assert_int_equal(cr_vol_create_raw(pool, "crbench-x-disk.qcow2", 2 << 20, NULL, &err), 0);
	assert_int_equal(cr_vol_delete(pool, "crbench-x-disk.qcow2", &err), 1); /* deleted */
	assert_int_equal(cr_vol_cached(pool, "crbench-x-disk.qcow2", NULL, &err), 0);
	assert_int_equal(cr_vol_delete(pool, "crbench-x-disk.qcow2", &err), 0); /* gone already: fine */
	assert_int_equal(cr_vol_download(pool, "nothere", "/tmp/crbench-test-volume-nothere", &err), -1);
	assert_non_null(strstr(err->msg, "no volume 'nothere'"));
	virStoragePoolFree(pool);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qcow2_header),
		cmocka_unit_test(pool_and_volumes),
	};
	/* clang-format on */

	return tap_run("volume", tests);
}
