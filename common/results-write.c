/* The agent's results writer: ustar entries appended to the raw results disk, durable after each one. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "results.h"
#include "util.h"

/* Upper bound of what one entry adds to MANIFEST.json, beyond its name. */
#define MANIFEST_ENTRY_BOUND 200
#define MANIFEST_BASE_BOUND 200

struct cr_results_writer {
	int fd;
	char *path;
	uint64_t capacity;	 /* UINT64_MAX: no limit but the file system's */
	uint64_t pos;		 /* offset of the end-of-archive marker */
	uint64_t total;		 /* bytes of entry data so far */
	uint64_t manifest_bound; /* bytes MANIFEST.json may need, header and marker included */
	struct cr_results_manifest manifest;
	size_t cap_entries;
	bool finished, broken;
};

static uint64_t padded(uint64_t n)
{
	return (n + CR_TAR_BLOCK - 1) / CR_TAR_BLOCK * CR_TAR_BLOCK;
}

/* Octal, zero-padded to width-1 digits and NUL-terminated, as ustar wants. */
static int put_octal(char *field, size_t width, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%0*llo", (int)width - 1, (unsigned long long)v);

	if (n < 0 || (size_t)n > width - 1)
		return -1;
	memcpy(field, tmp, (size_t)n + 1);
	return 0;
}

int cr_tar_header(uint8_t block[CR_TAR_BLOCK], const char *path, char typeflag, uint64_t size, uint64_t mtime, const char *linkname)
{
	char *h = (char *)block;
	size_t len = strlen(path), split = 0;
	unsigned sum = 0;

	memset(block, 0, CR_TAR_BLOCK);
	if (len > 100) {
		/* prefix (up to 155 bytes) '/' name (up to 100 bytes) */
		for (size_t i = len - 1; i > 0; i--) {
			if (i <= 155 && path[i] == '/' && len - i - 1 <= 100 && len - i - 1 > 0) {
				split = i;
				break;
			}
		}
		if (!split)
			return -1;
		memcpy(h + 345, path, split);
		memcpy(h, path + split + 1, len - split - 1);
	} else {
		memcpy(h, path, len);
	}
	if (linkname) {
		if (strlen(linkname) > 100)
			return -1;
		memcpy(h + 157, linkname, strlen(linkname));
	}
	if (put_octal(h + 100, 8, 0644) < 0 || put_octal(h + 108, 8, 0) < 0 || put_octal(h + 116, 8, 0) < 0 ||
	    put_octal(h + 124, 12, size) < 0 || put_octal(h + 136, 12, mtime) < 0)
		return -1;
	h[156] = typeflag;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < CR_TAR_BLOCK; i++)
		sum += block[i];
	/* six digits, NUL, space: the form every tar reads */
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

static int sync_fd(int fd)
{
	while (fdatasync(fd) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int cr_results_writer_open(const char *path, struct cr_results_writer **out, cr_error_t *err)
{
	static const uint8_t marker[2 * CR_TAR_BLOCK];
	cleanup_close int fd = -1;
	struct cr_results_writer *w;
	struct stat st;
	uint64_t capacity;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cr_error(err, errno, "cannot open results disk '%s'", path);
	if (fstat(fd, &st) < 0)
		return cr_error(err, errno, "cannot stat results disk '%s'", path);
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &capacity) < 0)
			return cr_error(err, errno, "cannot get the size of results disk '%s'", path);
	} else if (S_ISREG(st.st_mode)) {
		capacity = st.st_size ? (uint64_t)st.st_size : UINT64_MAX;
	} else {
		return cr_error(err, 0, "cannot use results disk '%s': not a block device or a regular file", path);
	}
	if (capacity < sizeof(marker) + MANIFEST_BASE_BOUND + 2 * CR_TAR_BLOCK)
		return cr_error(err, ENOSPC, "cannot use results disk '%s': %llu bytes is too small", path, (unsigned long long)capacity);
	/* an empty archive first: the disk may hold anything */
	if (pwrite_all(fd, marker, sizeof(marker), 0) < 0 || sync_fd(fd) < 0)
		return cr_error(err, errno, "cannot write to results disk '%s'", path);

	w = xcalloc(1, sizeof(*w));
	w->fd = steal_fd(&fd);
	w->path = xstrdup(path);
	w->capacity = capacity;
	w->manifest_bound = CR_TAR_BLOCK + padded(MANIFEST_BASE_BOUND) + sizeof(marker);
	*out = w;
	return 0;
}

/*
 * Data and the new end marker first, synced; then the header over the old
 * marker, synced. Until the header lands the old marker ends the archive,
 * and a 512-byte header is one sector, so a crash never shows half an entry.
 */
static int write_entry(struct cr_results_writer *w, const char *name, const void *data, size_t len, uint64_t reserve, cr_error_t *err)
{
	cleanup_free uint8_t *body = NULL;
	cleanup_free char *path = NULL;
	uint8_t header[CR_TAR_BLOCK];
	uint64_t need = CR_TAR_BLOCK + padded(len), body_len = padded(len) + 2 * CR_TAR_BLOCK;

	if (w->capacity != UINT64_MAX &&
	    (w->pos + need + 2 * CR_TAR_BLOCK + reserve > w->capacity || w->pos + need + 2 * CR_TAR_BLOCK + reserve < w->pos))
		return cr_error(err, ENOSPC, "cannot append entry '%s' to results disk '%s': %llu bytes needed at offset %llu of %llu",
				name, w->path, (unsigned long long)(need + 2 * CR_TAR_BLOCK + reserve), (unsigned long long)w->pos,
				(unsigned long long)w->capacity);

	path = xasprintf(CR_RESULTS_PREFIX "%s", name);
	if (cr_tar_header(header, path, '0', len, (uint64_t)time(NULL), NULL) < 0)
		return cr_error(err, 0, "cannot append entry '%s': the name does not fit a tar header", name);
	body = xcalloc(1, body_len);
	if (len)
		memcpy(body, data, len);
	if (pwrite_all(w->fd, body, body_len, w->pos + CR_TAR_BLOCK) < 0 || sync_fd(w->fd) < 0)
		return cr_error(err, errno, "cannot append entry '%s' to results disk '%s'", name, w->path);
	if (pwrite_all(w->fd, header, sizeof(header), w->pos) < 0 || sync_fd(w->fd) < 0) {
		/* the header may be half written: nothing can be appended safely now */
		w->broken = true;
		return cr_error(err, errno, "cannot append entry '%s' to results disk '%s'", name, w->path);
	}
	w->pos += need;
	return 0;
}

int cr_results_append(struct cr_results_writer *w, const char *name, const void *data, size_t len, cr_error_t *err)
{
	struct cr_results_manifest_entry *e;
	uint64_t bound;

	if (w->finished || w->broken)
		return cr_error(err, 0, "cannot append entry '%s' to results disk '%s': the archive is %s", name, w->path,
				w->finished ? "closed" : "broken by an earlier write error");
	if (!cr_results_name_valid(name) || strcmp(name, CR_RESULTS_MANIFEST) == 0)
		return cr_error(err, EINVAL,
				"cannot append entry '%s': expected a name of letters, digits, '.', '_' and '-', "
				"not starting with '.', at most %d characters, not '%s'",
				name, CR_RESULTS_NAME_MAX, CR_RESULTS_MANIFEST);
	if (len > CR_RESULTS_MAX_ENTRY_SIZE || w->total + len > CR_RESULTS_MAX_TOTAL)
		return cr_error(err, EFBIG, "cannot append entry '%s': %zu bytes is over the size limits", name, len);
	if (w->manifest.n_entries + 2 > CR_RESULTS_MAX_ENTRIES)
		return cr_error(err, 0, "cannot append entry '%s': the archive holds %d entries at most", name, CR_RESULTS_MAX_ENTRIES);
	for (size_t i = 0; i < w->manifest.n_entries; i++)
		if (strcmp(w->manifest.entries[i].name, name) == 0)
			return cr_error(err, EEXIST, "cannot append entry '%s': already in the archive", name);

	/* keep room for the manifest that lists this entry too, so that finish cannot run out of space */
	bound = w->manifest_bound + padded(strlen(name) + MANIFEST_ENTRY_BOUND);
	if (write_entry(w, name, data, len, bound, err) < 0)
		return -1;
	w->manifest_bound = bound;
	w->total += len;
	if (w->manifest.n_entries == w->cap_entries) {
		w->cap_entries = w->cap_entries ? 2 * w->cap_entries : 16;
		w->manifest.entries = xrealloc(w->manifest.entries, w->cap_entries * sizeof(*w->manifest.entries));
	}
	e = &w->manifest.entries[w->manifest.n_entries++];
	e->name = xstrdup(name);
	e->size = len;
	cr_sha256_hex(data, len, e->sha256);
	return 0;
}

int cr_results_append_json(struct cr_results_writer *w, const char *name, const json_t *doc, cr_error_t *err)
{
	cleanup_free char *text = json_dumps(doc, JSON_INDENT(2));
	cleanup_free char *line = NULL;

	/* indenting a large document (a step's raw samples) can double it: past the entry cap, it goes compact */
	if (text && strlen(text) + 1 > CR_RESULTS_MAX_ENTRY_SIZE) {
		free(text);
		text = json_dumps(doc, JSON_COMPACT);
	}
	if (!text)
		return cr_error(err, 0, "cannot append entry '%s': cannot serialize its JSON", name);
	line = xasprintf("%s\n", text);
	return cr_results_append(w, name, line, strlen(line), err);
}

int cr_results_finish(struct cr_results_writer *w, cr_error_t *err)
{
	cleanup_free char *text = NULL;

	if (w->finished || w->broken)
		return cr_error(err, 0, "cannot close results disk '%s': the archive is %s", w->path,
				w->finished ? "already closed" : "broken by an earlier write error");
	text = cr_results_manifest_dump(&w->manifest);
	if (write_entry(w, CR_RESULTS_MANIFEST, text, strlen(text), 0, err) < 0)
		return cr_error_prefix(err, "cannot close results disk '%s'", w->path);
	w->finished = true;
	return 0;
}

uint64_t cr_results_writer_offset(const struct cr_results_writer *w)
{
	return w->pos;
}

void cr_results_writer_free(struct cr_results_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	cr_results_manifest_release(&w->manifest);
	free(w->path);
	free(w);
}
