/* The results-disk reader: trusts nothing the guest wrote, keeps every acceptable entry, reports the rest. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <jansson.h>

#include "harvest.h"
#include "util.h"

/* clang-format off */
const char *const cr_harvest_status_names[] = {
	[CR_HARVEST_VERIFIED] = "verified",
	[CR_HARVEST_INCOMPLETE] = "incomplete",
	[CR_HARVEST_FAILED] = "failed",
};
/* clang-format on */

/* clang-format off */
const char *const cr_manifest_state_names[] = {
	[CR_MANIFEST_MISSING] = "missing",
	[CR_MANIFEST_MALFORMED] = "malformed",
	[CR_MANIFEST_OK] = "ok",
};
/* clang-format on */

#define CHUNK (64 * 1024)
#define SHOWN_NAME_MAX 120

struct harvest {
	struct archive *a;
	int dirfd;
	const char *out_dir;
	struct cr_harvest_report *r;
	json_t *kept;	 /* name -> index into r->entries, -1 for the manifest */
	json_t *refused; /* safe names of refused entries */
	uint64_t total;
	size_t n_headers;
	uint8_t *manifest;
	size_t manifest_len;
	bool manifest_seen;
	uint8_t *chunk;
};

static void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(cleanup_jsonp)))

/* Escape what is not printable ASCII: foreign messages (jansson, libarchive) quote guest bytes. */
static char *printable(const char *s)
{
	size_t n = 0;
	char *out = xmalloc(4 * strlen(s) + 1);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(out + n, 5, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

static void note(char ***list, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(char ***list, size_t *n, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	if (*n < CR_HARVEST_MAX_MESSAGES) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			abort();
		va_end(ap);
		*list = xrealloc(*list, (*n + 2) * sizeof(**list));
		(*list)[*n] = printable(msg);
		(*list)[*n + 1] = NULL;
	}
	(*n)++;
}

/* A guest-chosen name made safe to print: bounded, printable ASCII, quotes and backslashes escaped. */
static char *shown(const char *s)
{
	size_t cap = 4 * SHOWN_NAME_MAX + 4, n = 0;
	char *out = xmalloc(cap + 1);

	if (!s)
		s = "";
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == SHOWN_NAME_MAX) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
			n += (size_t)snprintf(out + n, cap + 1 - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

static void refuse(struct harvest *h, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(struct harvest *h, const char *path, const char *fmt, ...)
{
	cleanup_free char *name = shown(path), *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		abort();
	va_end(ap);
	note(&h->r->refused, &h->r->n_refused, "entry '%s': refused: %s", name, why);
	if (str_has_prefix(path, CR_RESULTS_PREFIX) && cr_results_name_valid(path + strlen(CR_RESULTS_PREFIX)))
		json_object_set_new(h->refused, path + strlen(CR_RESULTS_PREFIX), json_true());
}

static const char *archive_msg(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown libarchive error";
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

/* Why the entry's type is refused, or NULL for a plain regular file. */
static const char *bad_type(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return "a hard link";
	if (archive_entry_symlink(e))
		return "a symbolic link";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		break;
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFDIR:
		return "a directory";
	case AE_IFCHR:
		return "a character device";
	case AE_IFBLK:
		return "a block device";
	case AE_IFIFO:
		return "a fifo";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "not a regular file";
	}
	if (archive_entry_sparse_count(e) > 0)
		return "a sparse file";
	return NULL;
}

static int write_file(struct harvest *h, const char *name, const uint8_t *data, size_t len, cr_error_t *err)
{
	cleanup_close int fd = openat(h->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST) {
		/* a case-insensitive file system, or a file put there meanwhile: not the guest's fault alone */
		refuse(h, name, "'%s' already exists in '%s'", name, h->out_dir);
		return 1;
	}
	if (fd < 0)
		return cr_error(err, errno, "cannot create '%s' in '%s'", name, h->out_dir);
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cr_error(err, n < 0 ? errno : ENOSPC, "cannot write '%s' in '%s'", name, h->out_dir);
		data += n, len -= (size_t)n;
	}
	if (close(steal_fd(&fd)) < 0)
		return cr_error(err, errno, "cannot write '%s' in '%s'", name, h->out_dir);
	return 0;
}

enum { NEXT, STOP };

/* One header: refuse it, or read its data and keep it. Returns NEXT, STOP or -1 (out_dir failed). */
static int take_entry(struct harvest *h, struct archive_entry *e, cr_error_t *err)
{
	struct cr_harvest_report *r = h->r;
	const char *path = archive_entry_pathname(e), *name, *type;
	cleanup_free uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int64_t size;

	if (!path || !*path) {
		refuse(h, "", "no name");
		return NEXT;
	}
	if (path[0] == '/') {
		refuse(h, path, "absolute path");
		return NEXT;
	}
	if (has_dotdot(path)) {
		refuse(h, path, "'..' in the path");
		return NEXT;
	}
	if ((type = bad_type(e))) {
		refuse(h, path, "%s, only regular files are accepted", type);
		return NEXT;
	}
	if (!str_has_prefix(path, CR_RESULTS_PREFIX)) {
		refuse(h, path, "not under '" CR_RESULTS_PREFIX "'");
		return NEXT;
	}
	name = path + strlen(CR_RESULTS_PREFIX);
	if (!cr_results_name_valid(name)) {
		refuse(h, path,
		       "unsafe name: expected letters, digits, '.', '_' and '-', not starting with '.', "
		       "at most %d characters",
		       CR_RESULTS_NAME_MAX);
		return NEXT;
	}
	size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	if (size < 0) {
		refuse(h, path, "no size");
		return NEXT;
	}
	if ((uint64_t)size > CR_RESULTS_MAX_ENTRY_SIZE) {
		refuse(h, path, "declares %lld bytes, more than the limit of %llu", (long long)size, CR_RESULTS_MAX_ENTRY_SIZE);
		r->capped = true;
		return NEXT;
	}
	if (h->total + (uint64_t)size > CR_RESULTS_MAX_TOTAL) {
		refuse(h, path, "the entries so far and this one exceed the total limit of %llu bytes", CR_RESULTS_MAX_TOTAL);
		r->capped = true;
		return NEXT;
	}
	if (json_object_get(h->kept, name) || (strcmp(name, CR_RESULTS_MANIFEST) == 0 && h->manifest_seen)) {
		refuse(h, path, "duplicate name, an earlier entry has it");
		return NEXT;
	}

	for (;;) {
		la_ssize_t n = archive_read_data(h->a, h->chunk, CHUNK);

		if (n == 0)
			break;
		if (n < 0) {
			if (n == ARCHIVE_FATAL) {
				cleanup_free char *s = shown(path), *msg = NULL;

				msg = xasprintf("archive ends inside entry '%s' after %zu of %lld bytes: %s", s, len, (long long)size,
						archive_msg(h->a));
				r->truncated = true;
				free(r->truncation);
				r->truncation = printable(msg);
				return STOP;
			}
			refuse(h, path, "unreadable: %s", archive_msg(h->a));
			return NEXT;
		}
		if ((uint64_t)n > (uint64_t)size - len) {
			refuse(h, path, "more data than the %lld bytes it declares", (long long)size);
			return NEXT;
		}
		if (len + (size_t)n > cap) {
			cap = cap ? cap : CHUNK;
			while (cap < len + (size_t)n)
				cap *= 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + len, h->chunk, (size_t)n);
		len += (size_t)n;
	}
	if (len != (uint64_t)size) {
		refuse(h, path, "holds %zu bytes but declares %lld", len, (long long)size);
		return NEXT;
	}

	switch (write_file(h, name, buf, len, err)) {
	case -1:
		return -1;
	case 1:
		return NEXT;
	}
	h->total += len;
	if (strcmp(name, CR_RESULTS_MANIFEST) == 0) {
		h->manifest_seen = true;
		h->manifest = steal_pointer(&buf);
		h->manifest_len = len;
		return NEXT;
	}
	json_object_set_new(h->kept, name, json_integer((json_int_t)r->n_entries));
	r->entries = xrealloc(r->entries, (r->n_entries + 1) * sizeof(*r->entries));
	r->entries[r->n_entries] = (struct cr_harvest_entry){ .name = xstrdup(name), .size = len };
	cr_sha256_hex(buf ? buf : (const uint8_t *)"", len, r->entries[r->n_entries].sha256);
	r->n_entries++;
	return NEXT;
}

static int read_archive(struct harvest *h, cr_error_t *err)
{
	struct cr_harvest_report *r = h->r;

	for (;;) {
		struct archive_entry *e;
		int rc = archive_read_next_header(h->a, &e);

		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			/* RETRY is a damaged header: resynchronizing on guest data gains nothing, stop here */
			cleanup_free char *msg = xasprintf("archive unreadable after %zu entries (truncated or damaged): %s", h->n_headers,
							   archive_msg(h->a));

			r->truncated = true;
			free(r->truncation);
			r->truncation = printable(msg);
			return 0;
		}
		if (++h->n_headers > CR_RESULTS_MAX_ENTRIES) {
			note(&r->problems, &r->n_problems, "archive: more than %d entries, the rest was not read", CR_RESULTS_MAX_ENTRIES);
			r->capped = true;
			return 0;
		}
		if (rc == ARCHIVE_WARN) {
			cleanup_free char *s = shown(archive_entry_pathname(e));

			note(&r->problems, &r->n_problems, "entry '%s': damaged header: %s", s, archive_msg(h->a));
		}
		switch (take_entry(h, e, err)) {
		case -1:
			return -1;
		case STOP:
			return 0;
		}
	}
}

/*
 * An entry the manifest contradicts is not the agent's: its file leaves the
 * output directory, so that nothing downstream (the report) can read it.
 */
static void drop_entry(struct harvest *h, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void drop_entry(struct harvest *h, size_t i, const char *fmt, ...)
{
	struct cr_harvest_report *r = h->r;
	cleanup_free char *why = NULL, *path = xasprintf(CR_RESULTS_PREFIX "%s", r->entries[i].name);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (unlinkat(h->dirfd, r->entries[i].name, 0) < 0)
		note(&r->problems, &r->n_problems, "entry '%s': cannot remove it from '%s': %s", r->entries[i].name, h->out_dir,
		     strerror(errno));
	refuse(h, path, "%s", why);
	r->entries[i].dropped = true;
}

/* Compare what was kept with what the manifest lists; what it contradicts is refused. */
static void verify(struct harvest *h)
{
	struct cr_harvest_report *r = h->r;
	struct cr_results_manifest m;
	cleanup_error cr_error_t merr = NULL;
	cleanup_json json_t *listed = json_object();
	size_t kept = 0;

	if (!h->manifest_seen) {
		r->manifest = CR_MANIFEST_MISSING;
		return;
	}
	if (cr_results_manifest_parse(h->manifest, h->manifest_len, &m, &merr) < 0) {
		r->manifest = CR_MANIFEST_MALFORMED;
		note(&r->problems, &r->n_problems, "entry '" CR_RESULTS_MANIFEST "': malformed: %s", merr->msg);
		return;
	}
	r->manifest = CR_MANIFEST_OK;
	for (size_t i = 0; i < m.n_entries; i++) {
		const struct cr_results_manifest_entry *me = &m.entries[i];
		json_t *idx = json_object_get(h->kept, me->name);
		size_t k;

		json_object_set_new(listed, me->name, json_true());
		if (!idx) {
			note(&r->problems, &r->n_problems, "entry '%s': listed in the manifest but %s", me->name,
			     json_object_get(h->refused, me->name) ? "refused" : "missing from the disk");
			continue;
		}
		k = (size_t)json_integer_value(idx);
		if (r->entries[k].size == me->size && strcmp(r->entries[k].sha256, me->sha256) == 0)
			r->entries[k].verified = true;
		else
			drop_entry(h, k,
				   "checksum mismatch: the manifest says %llu bytes with sha256 %s, the disk holds %llu bytes "
				   "with sha256 %s",
				   (unsigned long long)me->size, me->sha256, (unsigned long long)r->entries[k].size, r->entries[k].sha256);
	}
	for (size_t i = 0; i < r->n_entries; i++)
		if (!json_object_get(listed, r->entries[i].name) && !r->entries[i].dropped)
			drop_entry(h, i, "not listed in the manifest");
	/* the report lists what is in the directory, nothing else */
	for (size_t i = 0; i < r->n_entries; i++) {
		if (r->entries[i].dropped)
			free(r->entries[i].name);
		else
			r->entries[kept++] = r->entries[i];
	}
	r->n_entries = kept;
	cr_results_manifest_release(&m);
}

static void finish_list(char ***list, size_t n)
{
	if (n > CR_HARVEST_MAX_MESSAGES) {
		size_t k = CR_HARVEST_MAX_MESSAGES;

		*list = xrealloc(*list, (k + 2) * sizeof(**list));
		(*list)[k] = xasprintf("... and %zu more", n - k);
		(*list)[k + 1] = NULL;
	}
}

/* Create out_dir if needed and open it; it must be empty so that O_EXCL only ever meets the guest's own names. */
static int open_out_dir(const char *out_dir, cr_error_t *err)
{
	cleanup_close int fd = -1;
	DIR *d;
	struct dirent *de;
	int dup_fd;

	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create output directory '%s'", out_dir);
	fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cr_error(err, errno, "cannot open output directory '%s'", out_dir);
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return cr_error(err, errno, "cannot read output directory '%s'", out_dir);
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			closedir(d);
			return cr_error(err, 0, "cannot harvest into '%s': the directory is not empty", out_dir);
		}
	}
	closedir(d);
	return steal_fd(&fd);
}

static int harvest(struct archive *a, int open_rc, const char *out_dir, bool sync, struct cr_harvest_report *r, cr_error_t *err)
{
	struct harvest h = { .a = a, .out_dir = out_dir, .r = r };
	cleanup_close int dirfd = -1;
	cleanup_json json_t *kept = json_object(), *refused = json_object();
	cleanup_free uint8_t *chunk = xmalloc(CHUNK);
	int rc = 0;

	dirfd = open_out_dir(out_dir, err);
	if (dirfd < 0)
		return -1;
	h.dirfd = dirfd;
	h.kept = kept;
	h.refused = refused;
	h.chunk = chunk;
	if (open_rc != ARCHIVE_OK) {
		note(&r->problems, &r->n_problems, "archive: not a tar archive: %s", archive_msg(a));
	} else {
		rc = read_archive(&h, err);
		if (rc == 0)
			verify(&h);
	}
	free(h.manifest);
	finish_list(&r->refused, r->n_refused);
	finish_list(&r->problems, r->n_problems);
	if (rc == 0 && sync && syncfs(dirfd) < 0)
		return cr_error(err, errno, "cannot sync output directory '%s'", out_dir);
	return rc;
}

static struct archive *new_reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		abort();
	/* tar only: no compression filters, no other formats for a guest to steer us into */
	archive_read_support_format_tar(a);
	return a;
}

int cr_harvest_disk(const char *disk, const char *out_dir, struct cr_harvest_report *r, cr_error_t *err)
{
	cleanup_close int fd = -1;
	struct archive *a;
	struct stat st;
	int rc;

	memset(r, 0, sizeof(*r));
	fd = open(disk, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cr_error(err, errno, "cannot open results disk '%s'", disk);
	if (fstat(fd, &st) < 0)
		return cr_error(err, errno, "cannot stat results disk '%s'", disk);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return cr_error(err, 0, "cannot read results disk '%s': not a regular file or a block device", disk);
	a = new_reader();
	rc = harvest(a, archive_read_open_fd(a, fd, CHUNK), out_dir, true, r, err);
	archive_read_free(a);
	if (rc < 0)
		return cr_error_prefix(err, "cannot harvest results disk '%s'", disk);
	return 0;
}

int cr_harvest_memory(const void *data, size_t len, const char *out_dir, struct cr_harvest_report *r, cr_error_t *err)
{
	struct archive *a;
	int rc;

	memset(r, 0, sizeof(*r));
	a = new_reader();
	rc = harvest(a, archive_read_open_memory(a, data, len), out_dir, false, r, err);
	archive_read_free(a);
	return rc;
}

enum cr_harvest_status cr_harvest_status(const struct cr_harvest_report *r)
{
	if (r->n_refused || r->n_problems)
		return CR_HARVEST_FAILED;
	if (r->manifest != CR_MANIFEST_OK || r->truncated)
		return CR_HARVEST_INCOMPLETE;
	return CR_HARVEST_VERIFIED;
}

void cr_harvest_report_release(struct cr_harvest_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_entries; i++)
		free(r->entries[i].name);
	free(r->entries);
	strv_free(r->refused);
	strv_free(r->problems);
	free(r->truncation);
	memset(r, 0, sizeof(*r));
}

static json_t *strv_to_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *cr_harvest_report_json(const char *disk, const char *out, const struct cr_harvest_report *r, const char *error)
{
	json_t *entries = json_array();

	for (size_t i = 0; i < r->n_entries; i++)
		json_array_append_new(entries,
				      json_pack("{s:s, s:I, s:s, s:b}", "name", r->entries[i].name, "size", (json_int_t)r->entries[i].size,
						"sha256", r->entries[i].sha256, "verified", r->entries[i].verified));
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:b, s:o, s:I, s:o, s:I, s:o, s:s?}", "disk", disk, "out", out, "status",
			 error ? "error" : cr_harvest_status_names[cr_harvest_status(r)], "manifest", cr_manifest_state_names[r->manifest],
			 "truncated", r->truncated, "truncation", r->truncation, "capped", r->capped, "entries", entries, "refused_count",
			 (json_int_t)r->n_refused, "refused", strv_to_json(r->refused), "problem_count", (json_int_t)r->n_problems,
			 "problems", strv_to_json(r->problems), "error", error);
}
