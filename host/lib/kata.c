/* The Kata release tarball: found or downloaded, checked against the plan's SHA-256 and the release's layout, unpacked for the builder. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <sys/stat.h>

#include "digest.h"
#include "kata.h"
#include "proc.h"
#include "untar.h"
#include "util.h"

bool cr_kata_source_is_url(const char *source)
{
	return str_has_prefix(source, "http://") || str_has_prefix(source, "https://") || str_has_prefix(source, "file://");
}

char *cr_kata_local_path(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir)
{
	const char *src = g->kata_tarball, *slash;

	if (cr_kata_source_is_url(src))
		return xasprintf("%s/downloads/%s", cache_dir, strrchr(src + strlen("file://"), '/') + 1);
	if (*src == '/')
		return xstrdup(src);
	if (!strchr(src, '/'))
		return xasprintf("%s/downloads/%s", cache_dir, src);
	/* "./kata.tar.xz" beside the plan is "<plan dir>/kata.tar.xz" */
	while (str_has_prefix(src, "./"))
		src += 2;
	slash = strrchr(plan->path, '/');
	if (!slash)
		return xstrdup(src);
	return xasprintf("%.*s/%s", (int)(slash - plan->path), plan->path, src);
}

const struct cr_guest_plan *cr_kata_guest_of_image(const struct cr_plan *plan, const char *image)
{
	for (size_t i = 0; i < plan->n_guests; i++)
		if (strcmp(plan->guests[i].runtime, "kata") == 0 && strcmp(plan->guests[i].image, image) == 0)
			return &plan->guests[i];
	return NULL;
}

static const char *const wanted[] = { CR_KATA_RUNTIME, CR_KATA_CONFIG_QEMU, CR_KATA_CONFIG_VIRTIOFS };

struct layout {
	const char *path;
	bool have[ARRAY_SIZE(wanted)];
};

static int layout_entry(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err)
{
	struct layout *l = ctx;
	const char *raw = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
	const char *name = cr_untar_member_name(raw ? raw : "/");
	bool file = archive_entry_filetype(e) == AE_IFREG || archive_entry_filetype(e) == AE_IFLNK;

	if (!cr_path_is_contained(name) || (link && !cr_path_is_contained(link)))
		return cr_error(err, 0, "'%s' has an unsafe member '%s'", l->path, raw ? raw : "");
	if (*name && strcmp(name, "opt") != 0 && !str_has_prefix(name, "opt/"))
		return cr_error(err, 0, "'%s' has a member outside opt/: '%s'", l->path, raw);
	/* the runtime must be a file Docker can execute; a configuration may be a link to another */
	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++)
		if (strcmp(name, wanted[i]) == 0 && file && (i > 0 || (archive_entry_perm(e) & 0111)))
			l->have[i] = true;
	return 0;
}

int cr_kata_check_layout(const char *path, bool need_virtiofs, cr_error_t *err)
{
	struct layout l = { .path = path };

	if (cr_untar_each(path, layout_entry, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(wanted) - (need_virtiofs ? 0 : 1); i++)
		if (!l.have[i])
			return cr_error(err, 0, "'%s' has no %s%s", path, wanted[i], i == 0 ? " (an executable file)" : "");
	return 0;
}

/* "[guest kata] kata-tarball (plans/paper.ini:31)" */
static char *key_name(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *key, unsigned line)
{
	return line ? xasprintf("[guest %s] %s (%s:%u)", g->name, key, plan->path, line)
		    : xasprintf("[guest %s] %s of %s", g->name, key, plan->path);
}

/* What to do when the plan lacks kata-sha256. */
static char *give_sha256(const struct cr_plan *plan, const struct cr_guest_plan *g)
{
	return xasprintf(
		"set kata-sha256 = <its SHA-256> in [guest %s] of %s: crbench ships no checksum for %s, so take the one you "
		"can verify for the release and compare it with what sha256sum prints for the file",
		g->name, plan->path, CR_KATA_TARBALL);
}

static char *refusal(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *what, const char *actual)
{
	cleanup_free char *key = key_name(plan, g, "kata-sha256", g->kata_sha256_line);

	return xasprintf("refused: %s has SHA-256 %s, but %s expects %s for Kata Containers %s", what, actual, key, g->kata_sha256,
			 CR_KATA_VERSION);
}

static void item_set(struct cr_check_item *item, enum cr_status status, char *message, char *fix)
{
	item->name = "kata";
	item->status = status;
	item->message = message;
	item->fix = fix;
}

void cr_kata_decide(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir, struct cr_check_item *item)
{
	cleanup_free char *path = cr_kata_local_path(plan, g, cache_dir);
	cleanup_free char *key = key_name(plan, g, "kata-tarball", g->kata_tarball_line);
	cleanup_free char *quoted = xasprintf("'%s'", path);
	cleanup_error cr_error_t err = NULL;
	bool url = cr_kata_source_is_url(g->kata_tarball);
	bool virtiofs = strcmp(g->kata_shared_fs, "virtio-fs") == 0;
	char actual[CR_SHA256_HEX_LEN + 1];

	if (access(path, F_OK) < 0 ||
	    (url && g->kata_sha256 && (cr_sha256_file(path, actual, NULL) < 0 || strcmp(actual, g->kata_sha256) != 0))) {
		if (url && g->kata_sha256) {
			item_set(item, CR_PASS,
				 xasprintf("%s: Kata Containers %s will be downloaded from '%s' into '%s' and used only if its SHA-256 is %s",
					   key, CR_KATA_VERSION, g->kata_tarball, path, g->kata_sha256),
				 NULL);
		} else if (url) {
			item_set(item, CR_FAIL,
				 xasprintf("%s: Kata Containers %s from '%s' cannot be checked: the plan gives no kata-sha256", key,
					   CR_KATA_VERSION, g->kata_tarball),
				 give_sha256(plan, g));
		} else {
			int e = errno;
			cleanup_free char *give = give_sha256(plan, g);
			cleanup_free char *then = g->kata_sha256 ? xasprintf("; sha256sum must print %s for it", g->kata_sha256)
								 : xasprintf("; then %s", give);

			item_set(item, CR_FAIL,
				 xasprintf("%s: no Kata Containers %s tarball at '%s' (%s); expected SHA-256: %s", key, CR_KATA_VERSION,
					   path, strerror(e), g->kata_sha256 ? g->kata_sha256 : "none given (kata-sha256 is not set)"),
				 xasprintf("download %s, the Kata Containers %s static release (%s), to '%s', or set kata-tarball in [guest %s] "
					   "to its path or URL%s",
					   CR_KATA_TARBALL, CR_KATA_VERSION, CR_KATA_RELEASE_URL, path, g->name, then));
		}
		return;
	}
	if (cr_sha256_file(path, actual, &err) < 0) {
		item_set(item, CR_FAIL, xasprintf("%s: %s", key, err->msg), xasprintf("make '%s' readable by this user", path));
		return;
	}
	if (!g->kata_sha256) {
		item_set(item, CR_FAIL,
			 xasprintf("%s: '%s' has SHA-256 %s, but the plan gives no kata-sha256 to check it against (Kata Containers %s)",
				   key, path, actual, CR_KATA_VERSION),
			 xasprintf("if %s is the SHA-256 of %s as you can verify it for the release (%s), set kata-sha256 = %s in [guest %s] "
				   "of %s",
				   actual, CR_KATA_TARBALL, CR_KATA_RELEASE_URL, actual, g->name, plan->path));
		return;
	}
	if (strcmp(actual, g->kata_sha256) != 0) {
		item_set(item, CR_FAIL, refusal(plan, g, quoted, actual),
			 xasprintf("put %s, the Kata Containers %s static release (%s), at '%s', or correct kata-sha256 if the plan's "
				   "value is wrong",
				   CR_KATA_TARBALL, CR_KATA_VERSION, CR_KATA_RELEASE_URL, path));
		return;
	}
	if (cr_kata_check_layout(path, virtiofs, &err) < 0) {
		item_set(item, CR_FAIL, xasprintf("refused: %s: not a Kata static release: %s", key, err->msg),
			 xasprintf("kata-sha256 must be the checksum of %s, the Kata Containers %s static release (%s)", CR_KATA_TARBALL,
				   CR_KATA_VERSION, CR_KATA_RELEASE_URL));
		return;
	}
	item_set(item, CR_PASS,
		 xasprintf("%s: '%s' has the expected SHA-256 %s and a Kata static release's layout (Kata Containers %s, %s)", key, path,
			   actual, CR_KATA_VERSION, g->kata_shared_fs),
		 NULL);
}

static int download(const char *url, const char *dest, cr_error_t *err)
{
	cleanup_free char *dir = xstrdup(dest);
	cleanup_free char *tmp = NULL;
	char *argv[] = { (char *)"curl",
			 (char *)"--fail",
			 (char *)"--location",
			 (char *)"--silent",
			 (char *)"--show-error",
			 (char *)"--proto",
			 (char *)"=http,https,file",
			 (char *)"--proto-redir",
			 (char *)"=http,https",
			 (char *)"--output",
			 NULL,
			 (char *)"--",
			 (char *)url,
			 NULL };

	*strrchr(dir, '/') = '\0';
	if (cr_mkdir_p(dir, err) < 0)
		return -1;
	tmp = xasprintf("%s/.tmp-%s-%d", dir, strrchr(dest, '/') + 1, (int)getpid());
	argv[10] = tmp;
	if (cr_run_checked(argv, err) < 0) {
		unlink(tmp);
		return cr_error_prefix(err, "cannot download '%s'", url);
	}
	if (rename(tmp, dest) < 0) {
		int e = errno;

		unlink(tmp);
		return cr_error(err, e, "cannot move the download of '%s' to '%s'", url, dest);
	}
	return 0;
}

int cr_kata_fetch(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir, char **out, cr_error_t *err)
{
	cleanup_free char *path = cr_kata_local_path(plan, g, cache_dir);
	char actual[CR_SHA256_HEX_LEN + 1];
	bool url = cr_kata_source_is_url(g->kata_tarball);

	if (!g->kata_sha256)
		return cr_error(
			err, 0,
			"[guest %s] of %s gives no kata-sha256: crbench installs no Kata it cannot check (crbench check --plan %s says what to do)",
			g->name, plan->path, plan->path);
	if (url && (cr_sha256_file(path, actual, NULL) < 0 || strcmp(actual, g->kata_sha256) != 0) &&
	    download(g->kata_tarball, path, err) < 0)
		return -1;
	if (cr_sha256_file(path, actual, err) < 0)
		return cr_error_prefix(err, "no Kata Containers %s tarball for [guest %s] (kata-tarball '%s')", CR_KATA_VERSION, g->name,
				       g->kata_tarball);
	if (strcmp(actual, g->kata_sha256) != 0) {
		cleanup_free char *what = url ? xasprintf("the download of '%s'", g->kata_tarball) : xasprintf("'%s'", path);
		cleanup_free char *msg = refusal(plan, g, what, actual);

		if (url)
			unlink(path); /* a wrong download is not kept: the next fetch tries again */
		return cr_error(err, 0, "%s", msg);
	}
	if (cr_kata_check_layout(path, strcmp(g->kata_shared_fs, "virtio-fs") == 0, err) < 0)
		return cr_error_prefix(err, "refused: not a Kata static release");
	*out = steal_pointer(&path);
	return 0;
}

struct unpacking {
	const char *tarball, *root;
	struct archive *out;
};

static int unpack_entry(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err)
{
	struct unpacking *u = ctx;
	const char *raw = archive_entry_pathname(e);
	const char *name = cr_untar_member_name(raw ? raw : "");

	if (strcmp(name, "opt/kata") != 0 && !str_has_prefix(name, "opt/kata/"))
		return 0;
	return cr_untar_entry(in, u->out, e, u->root, u->tarball, err);
}

int cr_kata_unpack(const char *tarball, const char *root, cr_error_t *err)
{
	struct unpacking u = { tarball, root, archive_write_disk_new() };
	int ret;

	/* no ARCHIVE_EXTRACT_OWNER: what the builder unpacks belongs to it (root), whoever packed the release */
	archive_write_disk_set_options(u.out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						      ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	ret = cr_untar_each(tarball, unpack_entry, &u, err);
	archive_write_free(u.out);
	return ret;
}
