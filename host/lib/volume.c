/* Volumes in a libvirt host's storage pool: sparse uploads and downloads, cached base images, per-run disks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

static void cleanup_volp(virStorageVolPtr *v)
{
	if (*v)
		virStorageVolFree(*v);
}
#define cleanup_vol __attribute__((cleanup(cleanup_volp)))

static void cleanup_streamp(virStreamPtr *s)
{
	if (*s)
		virStreamFree(*s);
}
#define cleanup_stream __attribute__((cleanup(cleanup_streamp)))

static const char *const file_pools[] = { "dir", "fs", "netfs", NULL };

int cr_pool_open(virConnectPtr conn, const char *name, virStoragePoolPtr *out, cr_error_t *err)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name);
	cleanup_free char *xml = NULL;
	bool file_pool = false;

	if (!pool)
		return cr_virt_error(err, "no storage pool '%s' on the libvirt host", name);
	if (virStoragePoolIsActive(pool) != 1) {
		virStoragePoolFree(pool);
		return cr_error(err, 0, "storage pool '%s' is not active (fix: virsh pool-start %s)", name, name);
	}
	xml = virStoragePoolGetXMLDesc(pool, 0);
	for (size_t i = 0; xml && file_pools[i]; i++) {
		cleanup_free char *want = xasprintf("<pool type='%s'", file_pools[i]);

		file_pool |= str_has_prefix(xml, want);
	}
	if (!file_pool) {
		virStoragePoolFree(pool);
		return cr_error(err, 0,
				"storage pool '%s' does not keep its volumes as files (dir, fs or netfs): the guests' kernel "
				"and initrd must be files; name a directory pool with --pool",
				name);
	}
	/* volumes made behind libvirt's back (or by a run that died) are seen */
	virStoragePoolRefresh(pool, 0);
	*out = pool;
	return 0;
}

static int vol_path(virStorageVolPtr vol, const char *name, char **path, cr_error_t *err)
{
	if (!path)
		return 0;
	*path = virStorageVolGetPath(vol);
	return *path ? 0 : cr_virt_error(err, "cannot get the path of volume '%s'", name);
}

int cr_vol_delete(virStoragePoolPtr pool, const char *name, cr_error_t *err)
{
	cleanup_vol virStorageVolPtr vol = virStorageVolLookupByName(pool, name);

	if (!vol)
		return cr_virt_error_is_no_volume() ? 0 : cr_virt_error(err, "cannot look up volume '%s'", name);
	if (virStorageVolDelete(vol, 0) < 0)
		return cr_virt_error(err, "cannot delete volume '%s'", name);
	return 1;
}

static virStorageVolPtr vol_create(virStoragePoolPtr pool, const char *name, const char *format, uint64_t capacity, const char *backing,
				   cr_error_t *err)
{
	cleanup_free char *n = cr_xml_escape(name), *b = backing ? cr_xml_escape(backing) : NULL, *backing_xml = NULL, *xml = NULL;
	virStorageVolPtr vol;

	if (cr_vol_delete(pool, name, err) < 0)
		return NULL;
	backing_xml = b ? xasprintf("<backingStore><path>%s</path><format type='qcow2'/></backingStore>", b) : xstrdup("");
	xml = xasprintf(
		"<volume><name>%s</name><capacity unit='bytes'>%llu</capacity><allocation unit='bytes'>0</allocation>"
		"<target><format type='%s'/></target>%s</volume>",
		n, (unsigned long long)capacity, format, backing_xml);
	vol = virStorageVolCreateXML(pool, xml, 0);
	if (!vol)
		cr_virt_error(err, "cannot create volume '%s'", name);
	return vol;
}

int cr_vol_create_raw(virStoragePoolPtr pool, const char *name, uint64_t size, char **path, cr_error_t *err)
{
	cleanup_vol virStorageVolPtr vol = vol_create(pool, name, "raw", size, NULL, err);

	return vol ? vol_path(vol, name, path, err) : -1;
}

int cr_vol_create_overlay(virStoragePoolPtr pool, const char *name, const char *backing, uint64_t capacity, char **path, cr_error_t *err)
{
	cleanup_vol virStorageVolPtr vol = vol_create(pool, name, "qcow2", capacity, backing, err);

	return vol ? vol_path(vol, name, path, err) : -1;
}

/* ---- sparse streams of a local file ---- */

static int src_read(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
	ssize_t n;

	do
		n = read(*(int *)opaque, data, nbytes);
	while (n < 0 && errno == EINTR);
	return (int)n;
}

/* Whether the file's position is in data or in a hole, and for how long (as virsh's vol-upload --sparse). */
static int src_hole(virStreamPtr st, int *in_data, long long *length, void *opaque)
{
	int fd = *(int *)opaque;
	off_t cur = lseek(fd, 0, SEEK_CUR), end = lseek(fd, 0, SEEK_END), data, hole;

	if (cur < 0 || end < 0)
		return -1;
	*in_data = 0;
	*length = 0;
	if (cur < end) {
		data = lseek(fd, cur, SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			return -1;
		if (data < 0 || data > cur) {
			*length = (data < 0 ? end : data) - cur; /* in a hole, to the next data or the end */
		} else {
			hole = lseek(fd, cur, SEEK_HOLE);
			if (hole < 0)
				return -1;
			*in_data = 1;
			*length = hole - cur;
		}
	}
	return lseek(fd, cur, SEEK_SET) < 0 ? -1 : 0;
}

static int src_skip(virStreamPtr st, long long length, void *opaque)
{
	return lseek(*(int *)opaque, length, SEEK_CUR) < 0 ? -1 : 0;
}

static int sink_write(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
	size_t done = 0;

	while (done < nbytes) {
		ssize_t n = write(*(int *)opaque, data + done, nbytes - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return (int)done;
}

static int sink_hole(virStreamPtr st, long long length, void *opaque)
{
	int fd = *(int *)opaque;
	off_t at = lseek(fd, length, SEEK_CUR);

	/* the file grows over the hole now: a hole at the very end is not lost */
	return at < 0 || ftruncate(fd, at) < 0 ? -1 : 0;
}

/* libvirt reports a handler's failure with its errno */
static int stream_error(virStreamPtr st, cr_error_t *err, const char *what, const char *name, const char *local)
{
	int rc = cr_virt_error(err, "cannot %s volume '%s' (local '%s')", what, name, local);

	virStreamAbort(st);
	return rc;
}

int cr_vol_upload(virStoragePoolPtr pool, const char *name, const char *local, char **path, cr_error_t *err)
{
	cleanup_close int fd = open(local, O_RDONLY | O_CLOEXEC);
	cleanup_vol virStorageVolPtr vol = NULL;
	cleanup_stream virStreamPtr st = NULL;
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return cr_error(err, errno, "cannot read '%s'", local);
	if (!(vol = vol_create(pool, name, "raw", (uint64_t)sb.st_size, NULL, err)))
		return -1;
	st = virStreamNew(virStoragePoolGetConnect(pool), 0);
	if (!st || virStorageVolUpload(vol, st, 0, (unsigned long long)sb.st_size, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0) {
		cr_virt_error(err, "cannot upload '%s' to volume '%s'", local, name);
		virStorageVolDelete(vol, 0);
		return -1;
	}
	if (virStreamSparseSendAll(st, src_read, src_hole, src_skip, &fd) < 0 || virStreamFinish(st) < 0) {
		stream_error(st, err, "upload to", name, local);
		virStorageVolDelete(vol, 0);
		return -1;
	}
	return vol_path(vol, name, path, err);
}

bool cr_vol_is_there(virStoragePoolPtr pool, const char *name)
{
	cleanup_vol virStorageVolPtr vol = virStorageVolLookupByName(pool, name);

	return vol != NULL;
}

int cr_vol_cached(virStoragePoolPtr pool, const char *name, char **path, cr_error_t *err)
{
	cleanup_free char *marker = xasprintf("%s.ok", name);
	cleanup_vol virStorageVolPtr ok = virStorageVolLookupByName(pool, marker);
	cleanup_vol virStorageVolPtr vol = ok ? virStorageVolLookupByName(pool, name) : NULL;

	if (!vol)
		return 0;
	return vol_path(vol, name, path, err) < 0 ? -1 : 1;
}

int cr_vol_upload_cached(virStoragePoolPtr pool, const char *name, const char *local, char **path, cr_error_t *err)
{
	cleanup_free char *marker = xasprintf("%s.ok", name);

	/* a marker without its volume, or a volume without its marker (an upload that never finished): both go; the marker goes last */
	if (cr_vol_delete(pool, marker, err) < 0 || cr_vol_upload(pool, name, local, path, err) < 0)
		return -1;
	return cr_vol_create_raw(pool, marker, 0, NULL, err);
}

/* Into local.part, renamed to local once whole: a download cut short leaves no partial file under local's name. */
static int download(virStorageVolPtr vol, const char *name, const char *local, const char *part, cr_error_t *err)
{
	cleanup_stream virStreamPtr st = NULL;
	cleanup_close int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return cr_error(err, errno, "cannot create '%s'", part);
	st = virStreamNew(virStorageVolGetConnect(vol), 0);
	if (!st || virStorageVolDownload(vol, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0)
		return cr_virt_error(err, "cannot download volume '%s'", name);
	if (virStreamSparseRecvAll(st, sink_write, sink_hole, &fd) < 0 || virStreamFinish(st) < 0)
		return stream_error(st, err, "download", name, local);
	if (fsync(fd) < 0)
		return cr_error(err, errno, "cannot write '%s'", part);
	if (rename(part, local) < 0)
		return cr_error(err, errno, "cannot rename '%s' to '%s'", part, local);
	return 0;
}

int cr_vol_download(virStoragePoolPtr pool, const char *name, const char *local, cr_error_t *err)
{
	cleanup_vol virStorageVolPtr vol = virStorageVolLookupByName(pool, name);
	cleanup_free char *part = xasprintf("%s.part", local);

	if (!vol)
		return cr_virt_error(err, "no volume '%s'", name);
	if (download(vol, name, local, part, err) < 0) {
		unlink(part);
		return -1;
	}
	return 0;
}

int cr_qcow2_virtual_size(const char *path, uint64_t *size, cr_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char h[32];

	if (fd < 0)
		return cr_error(err, errno, "cannot open '%s'", path);
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "QFI\xfb", 4) != 0)
		return cr_error(err, 0, "'%s' is not a qcow2 image", path);
	*size = 0;
	for (int i = 24; i < 32; i++)
		*size = *size << 8 | h[i];
	return 0;
}
