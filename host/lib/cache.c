/* The cache as a whole: its entries, their size and last use, and pruning what has gone unused. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "run.h"
#include "util.h"

#define USED_FILE "used"

/* clang-format off */
const char *const cr_cache_kind_names[CR_CACHE__MAX] = {
	[CR_CACHE_GUEST] = "guest image",
	[CR_CACHE_CONTAINER] = "container image",
	[CR_CACHE_STORE] = "Docker store",
	[CR_CACHE_IMAGES] = "container images disk",
	[CR_CACHE_BUILDING] = "being made",
	[CR_CACHE_LOG] = "build log",
	[CR_CACHE_DOWNLOAD] = "download",
	[CR_CACHE_RUN] = "run",
	[CR_CACHE_OTHER] = "other",
};
/* clang-format on */

void cr_cache_used(const char *dir)
{
	cleanup_free char *path = xasprintf("%s/" USED_FILE, dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return;
	futimens(fd, NULL);
	close(fd);
}

static uint64_t du_total;

static int du_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* Bytes allocated under path (nftw is not reentrant anyway: one walk at a time). */
static uint64_t du(const char *path)
{
	du_total = 0;
	nftw(path, du_one, 16, FTW_PHYS);
	return du_total;
}

static bool alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The pid at the end of ".tmp-NAME-KEY-PID", or 0. */
static pid_t tmp_pid(const char *name)
{
	const char *dash = strrchr(name, '-');
	char *end;
	long pid;

	if (!dash)
		return 0;
	pid = strtol(dash + 1, &end, 10);
	return *end || pid <= 0 ? 0 : (pid_t)pid;
}

static enum cr_cache_kind image_kind(const char *dir, const char *name)
{
	cleanup_free char *disk = xasprintf("%s/vmlinuz", dir), *tar = xasprintf("%s/image.tar", dir);

	if (name[0] == '.')
		return CR_CACHE_BUILDING;
	if (str_has_prefix(name, "store-"))
		return CR_CACHE_STORE;
	if (str_has_prefix(name, "containers-"))
		return CR_CACHE_IMAGES;
	if (access(disk, F_OK) == 0)
		return CR_CACHE_GUEST;
	if (access(tar, F_OK) == 0)
		return CR_CACHE_CONTAINER;
	return CR_CACHE_OTHER;
}

static void add(struct cr_cache *c, const char *sub, const char *name, enum cr_cache_kind kind)
{
	cleanup_free char *path = xasprintf("%s/%s/%s", c->dir, sub, name), *used = xasprintf("%s/" USED_FILE, path);
	struct cr_cache_entry *e;
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	c->e = xrealloc(c->e, (c->n + 1) * sizeof(*c->e));
	e = &c->e[c->n++];
	*e = (struct cr_cache_entry){ .path = xasprintf("%s/%s", sub, name), .kind = kind, .last_used = st.st_mtime };
	if (kind == CR_CACHE_OTHER && S_ISDIR(st.st_mode))
		e->kind = kind = image_kind(path, name);
	if (stat(used, &st) == 0)
		e->last_used = st.st_mtime;
	e->bytes = du(path);
	c->bytes += e->bytes;
	if (kind == CR_CACHE_BUILDING) {
		e->pid = tmp_pid(name);
	} else if (kind == CR_CACHE_RUN) {
		cleanup_free char *owner = xasprintf("%s/owner", path), *text = NULL;

		if (cr_read_file(owner, 64, &text, &(size_t){ 0 }, NULL) < 0)
			e->kept = true;
		else
			e->pid = (pid_t)strtol(text, NULL, 10);
	}
	if (!alive(e->pid))
		e->pid = 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int scan(struct cr_cache *c, const char *sub, enum cr_cache_kind kind, cr_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/%s", c->dir, sub);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, by_name);

	if (n < 0)
		return errno == ENOENT ? 0 : cr_error(err, errno, "cannot read '%s'", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		/* runs/ holds its locks as dot files */
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !(kind == CR_CACHE_RUN && name[0] == '.'))
			add(c, sub, name, kind);
		free(names[i]);
	}
	free(names);
	return 0;
}

int cr_cache_list(const char *cache_dir, struct cr_cache *out, cr_error_t *err)
{
	*out = (struct cr_cache){ .dir = xstrdup(cache_dir) };
	if (scan(out, "images", CR_CACHE_OTHER, err) < 0 || scan(out, "logs", CR_CACHE_LOG, err) < 0 ||
	    scan(out, "downloads", CR_CACHE_DOWNLOAD, err) < 0 || scan(out, "runs", CR_CACHE_RUN, err) < 0) {
		cr_cache_release(out);
		return -1;
	}
	return 0;
}

void cr_cache_release(struct cr_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].path);
	free(c->e);
	free(c->dir);
	*c = (struct cr_cache){ 0 };
}

static bool prunable(const struct cr_cache_entry *e, time_t now, uint64_t older_than)
{
	switch (e->kind) {
	case CR_CACHE_BUILDING:
		return e->pid == 0;
	case CR_CACHE_GUEST:
	case CR_CACHE_CONTAINER:
	case CR_CACHE_STORE:
	case CR_CACHE_IMAGES:
	case CR_CACHE_LOG:
		return older_than == 0 || (now > e->last_used && (uint64_t)(now - e->last_used) >= older_than);
	default:
		return false;
	}
}

int cr_cache_prune(const char *cache_dir, uint64_t older_than, bool dry_run, char ***removed, uint64_t *freed, cr_error_t *err)
{
	struct cr_cache c;
	time_t now = time(NULL);
	size_t n = 0;

	*removed = NULL;
	*freed = 0;
	if (cr_cache_list(cache_dir, &c, err) < 0)
		return -1;
	for (size_t i = 0; i < c.n; i++)
		if (c.e[i].pid) {
			cr_error(err, 0, "%s %s/%s is in progress (pid %d): prune when it has ended, its guests use the cache's images",
				 c.e[i].kind == CR_CACHE_RUN ? "run" : "an entry being made,", cache_dir, c.e[i].path, (int)c.e[i].pid);
			cr_cache_release(&c);
			return -1;
		}
	*removed = xcalloc(c.n + 1, sizeof(char *));
	for (size_t i = 0; i < c.n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", cache_dir, c.e[i].path);

		if (!prunable(&c.e[i], now, older_than))
			continue;
		if (!dry_run)
			cr_rmtree(path);
		if (!dry_run && access(path, F_OK) == 0) {
			cr_error(err, errno, "cannot remove '%s'", path);
			cr_cache_release(&c);
			return -1;
		}
		(*removed)[n++] = xstrdup(c.e[i].path);
		*freed += c.e[i].bytes;
	}
	cr_cache_release(&c);
	return 0;
}

json_t *cr_cache_json(const struct cr_cache *c)
{
	json_t *entries = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct cr_cache_entry *e = &c->e[i];
		char when[32];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&e->last_used, &tm));
		json_array_append_new(entries, json_pack("{s:s, s:s, s:I, s:s, s:o, s:b}", "path", e->path, "kind",
							 cr_cache_kind_names[e->kind], "bytes", (json_int_t)e->bytes, "last_used", when,
							 "pid", e->pid ? json_integer(e->pid) : json_null(), "kept", e->kept));
	}
	return json_pack("{s:s, s:I, s:o}", "cache_dir", c->dir, "bytes", (json_int_t)c->bytes, "entries", entries);
}
