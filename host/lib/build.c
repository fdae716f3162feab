/* The image builder: mmdebstrap makes a root tarball, then assembly without any appliance. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>

#include "aptsources.h"
#include "build.h"
#include "cache.h"
#include "digest.h"
#include "gfs.h"
#include "kata.h"
#include "proc.h"
#include "sha256.h"
#include "untar.h"
#include "util.h"

extern const char crbench_version[];

#define ROOT_LABEL "crbench-root"

struct build {
	const struct cr_build_opts *o;
	const struct cr_recipe *r;
	struct cr_built *out;
	double start;
	char *tmp;	  /* the entry being made: <cache>/images/.tmp-<name>-<key>-<pid> */
	char *workdir;	  /* the unpacked root, VM images only */
	char *tarball;	  /* mmdebstrap's output */
	char *log;	  /* mmdebstrap's log */
	json_t *packages; /* name -> version, from the image's dpkg status */
	char *kernel_version;
	char *kata_root; /* the Kata tarball's opt/kata, unpacked for mmdebstrap to copy in */
};

static void progress(struct build *b, const char *stage, uint64_t bytes, uint64_t total)
{
	struct cr_build_progress p = { stage, bytes, total, cr_now() - b->start };

	if (b->o->progress)
		b->o->progress(b->o->progress_data, &p);
}

static bool interrupted(const struct build *b)
{
	return b->o->interrupted && *b->o->interrupted;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf without following symlinks or crossing into other filesystems. */
static void rm_tree(const char *path)
{
	if (path)
		nftw(path, rm_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * Hash a directory tree: relative paths, modes, contents, link targets;
 * sorted, so the order is stable. Names in skip (NULL: none) are left out
 * at the top level.
 */
static int hash_tree(struct cr_sha256 *h, const char *root, const char *rel, const char *const *skip, cr_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/%s", root, rel);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int ret = 0;

	if (n < 0)
		return cr_error(err, errno, "cannot read directory '%s'", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		cleanup_free char *sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		cleanup_free char *path = xasprintf("%s/%s", root, sub);
		char buf[8192];
		struct stat st;

		if (ret < 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || (skip && strv_contains((char *const *)skip, name)))
			continue;
		if (lstat(path, &st) < 0) {
			ret = cr_error(err, errno, "cannot stat '%s'", path);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s %o\n", sub, (unsigned)st.st_mode);
		cr_sha256_update(h, buf, strlen(buf));
		if (S_ISDIR(st.st_mode)) {
			ret = hash_tree(h, root, sub, NULL, err);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t len = readlink(path, buf, sizeof(buf));

			if (len > 0)
				cr_sha256_update(h, buf, (size_t)len);
		} else if (S_ISREG(st.st_mode)) {
			cleanup_fclose FILE *f = fopen(path, "re");
			size_t len;

			if (!f) {
				ret = cr_error(err, errno, "cannot read '%s'", path);
				continue;
			}
			while ((len = fread(buf, 1, sizeof(buf), f)) > 0)
				cr_sha256_update(h, buf, len);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static void hash_str(struct cr_sha256 *h, const char *label, const char *s)
{
	cr_sha256_update(h, label, strlen(label) + 1);
	cr_sha256_update(h, s ? s : "", strlen(s ? s : "") + 1);
}

static const char *const source_distributions[] = { "debian", "ubuntu", NULL };

/* The distribution a "DIST=VALUE" names (its length in *len), or NULL for a value for every image. */
static const char *source_distribution(const char *value, size_t *len)
{
	size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyz");

	*len = n;
	return n > 0 && value[n] == '=' ? value : NULL;
}

int cr_build_source_add(const char ***list, const char *flag, const char *value, cr_error_t *err)
{
	size_t len, n = 0, dlen;
	const char *dist = source_distribution(value, &len);
	bool known = false;

	for (size_t k = 0; dist && source_distributions[k]; k++)
		known |= strlen(source_distributions[k]) == len && strncmp(source_distributions[k], dist, len) == 0;
	if (dist && !known)
		return cr_error(err, 0, "bad value '%s' for %s: '%.*s' is no distribution of the recipes (debian or ubuntu)", value, flag,
				(int)len, dist);
	if (!value[dist ? len + 1 : 0])
		return cr_error(err, 0, "bad value '%s' for %s: nothing after the distribution", value, flag);
	for (; *list && (*list)[n]; n++) {
		const char *other = source_distribution((*list)[n], &dlen);

		if ((!dist && !other) || (dist && other && dlen == len && strncmp(dist, other, len) == 0))
			return cr_error(err, 0, "%s given twice for %s%.*s: '%s' and '%s'", flag, dist ? "the images of " : "every image",
					dist ? (int)len : 0, dist ? dist : "", (*list)[n], value);
	}
	*list = xrealloc(*list, (n + 2) * sizeof(**list));
	(*list)[n] = value;
	(*list)[n + 1] = NULL;
	return 0;
}

const char *cr_build_source_for(const char *const *list, const char *distribution)
{
	const char *all = NULL;
	size_t len;

	for (size_t i = 0; list && list[i]; i++) {
		if (!source_distribution(list[i], &len))
			all = list[i];
		else if (strlen(distribution) == len && strncmp(list[i], distribution, len) == 0)
			return list[i] + len + 1;
	}
	return all;
}

static const char *keyring_of(const struct cr_build_opts *o, const struct cr_recipe *r)
{
	const char *given = cr_build_source_for(o->keyrings, r->distribution);

	return given ? given : r->keyring;
}

/*
 * The hooks only the other kind of image runs, left out of a key: editing
 * one rebuilds only the images that run it. Every other hook (one added
 * later too) is in every key.
 */
static const char *const vm_only_hooks[] = { "vm-customize.sh", "docker-runtimes.sh", NULL };
static const char *const container_only_hooks[] = { "container-customize.sh", NULL };

int cr_build_key(const struct cr_build_opts *o, const struct cr_recipe *r, char **key, char **mirror, cr_error_t *err)
{
	cleanup_free char *hooks = xasprintf("%s/builder/hooks", o->srcdir);
	cleanup_free char *overlay = xasprintf("%s/builder/rootfs", o->srcdir);
	cleanup_free char *m = NULL;
	const char *given_mirror = cr_build_source_for(o->mirrors, r->distribution);
	char keyring_hash[CR_SHA256_HEX_LEN + 1];
	uint8_t digest[CR_SHA256_LEN];
	char hex[CR_SHA256_HEX_LEN + 1];
	struct cr_sha256 h;

	if (given_mirror)
		m = xstrdup(given_mirror);
	else
		m = cr_apt_mirror_for_suite("", r->suite);
	if (cr_sha256_file(keyring_of(o, r), keyring_hash, err) < 0)
		return cr_error_prefix(err, "cannot read the archive keyring of image recipe '%s'", r->name);

	cr_sha256_init(&h);
	hash_str(&h, "builder", CR_BUILDER_VERSION);
	hash_str(&h, "recipe", r->text);
	hash_str(&h, "mirror", m);
	hash_str(&h, "keyring", keyring_hash);
	if (hash_tree(&h, hooks, "", r->kind == CR_RECIPE_VM ? container_only_hooks : vm_only_hooks, err) < 0)
		return -1;
	if (r->kind == CR_RECIPE_VM && hash_tree(&h, overlay, "", NULL, err) < 0)
		return -1;
	if (r->kind == CR_RECIPE_VM && o->kata_sha256)
		hash_str(&h, "kata", o->kata_sha256);
	if (r->files) {
		cleanup_free char *files = xasprintf("%s/%s", o->srcdir, r->files);

		if (hash_tree(&h, files, "", NULL, err) < 0)
			return cr_error_prefix(err, "image recipe '%s', key 'files'", r->name);
	}
	cr_sha256_final(&h, digest);
	cr_sha256_to_hex(digest, hex);
	*key = xstrndup(hex, 16);
	*mirror = m ? steal_pointer(&m) : xstrdup(CR_BUILD_MIRROR_DEFAULT);
	return 0;
}

static int check_keyring(struct build *b, cr_error_t *err)
{
	return cr_build_check_keyring(b->r, keyring_of(b->o, b->r), err);
}

int cr_build_check_keyring(const struct cr_recipe *recipe, const char *given, cr_error_t *err)
{
	const char *keyring = given ? given : recipe->keyring;
	char home[] = "/tmp/crbench-gpg-XXXXXX";
	char *argv[] = { (char *)"gpg",		(char *)"--batch",	 (char *)"--homedir", home, (char *)"--no-default-keyring",
			 (char *)"--show-keys", (char *)"--with-colons", (char *)keyring,     NULL };
	cleanup_free char *out = NULL;
	int status, r;

	if (access(keyring, R_OK) < 0) {
		if (strcmp(recipe->distribution, "ubuntu") == 0)
			return cr_error(err, errno,
					"cannot read the Ubuntu archive keyring '%s' of image recipe '%s' "
					"(install Debian's ubuntu-keyring package, from trixie or later: as root, ci/ubuntu-keyring.sh does it; "
					"or give --keyring FILE)",
					keyring, recipe->name);
		return cr_error(err, errno, "cannot read the archive keyring '%s' of image recipe '%s' (give --keyring FILE)", keyring,
				recipe->name);
	}
	if (!recipe->fingerprints || !recipe->fingerprints[0])
		return 0;
	/* a throw-away home: reading a keyring must not create or change the user's ~/.gnupg */
	if (!mkdtemp(home))
		return cr_error(err, errno, "cannot create a directory for gpg");
	r = cr_run_capture(argv, 0, 1 << 20, &out, &status, err);
	rm_tree(home);
	if (r < 0)
		return cr_error_prefix(err, "cannot check the fingerprints of keyring '%s'", keyring);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cr_error(err, 0, "gpg cannot read keyring '%s'", keyring);
	for (size_t i = 0; recipe->fingerprints[i]; i++) {
		cleanup_free char *needle = xasprintf("\nfpr:::::::::%s:", recipe->fingerprints[i]);
		cleanup_free char *text = xasprintf("\n%s", out);

		if (!strstr(text, needle))
			return cr_error(err, 0, "keyring '%s' lacks key %s, which image recipe '%s' requires", keyring,
					recipe->fingerprints[i], recipe->name);
	}
	return 0;
}

enum log_cause { CAUSE_OTHER, CAUSE_UNREACHABLE, CAUSE_NO_SPACE };

/* Why mmdebstrap failed: its most telling line, and whether the archive was unreachable or a disk full. */
static char *log_reason(const char *log, enum log_cause *cause)
{
	static const char *const unreachable[] = { "Could not resolve", "Temporary failure resolving", "Failed to fetch",
						   "Could not connect", "Unable to connect",	       "Connection failed",
						   "No route to host",	"Network is unreachable" };
	cleanup_fclose FILE *f = fopen(log, "re");
	cleanup_free char *line = NULL, *last = NULL, *last_e = NULL, *no_space = NULL;
	size_t cap = 0;

	*cause = CAUSE_OTHER;
	if (!f)
		return xstrdup("(no log)");
	while (getline(&line, &cap, f) > 0) {
		char *s = strstrip(line);

		if (!*s)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(unreachable); i++)
			if (strstr(s, unreachable[i]))
				*cause = CAUSE_UNREACHABLE;
		if (!no_space && strstr(s, "No space left on device"))
			no_space = xstrdup(s);
		free(last);
		last = xstrdup(s);
		/* the closing "E: mmdebstrap failed to run" says nothing of why */
		if ((str_has_prefix(s, "E: ") || strstr(s, ": E: ")) && !strstr(s, "mmdebstrap failed to run")) {
			free(last_e);
			last_e = xstrdup(s);
		}
	}
	if (no_space) {
		*cause = CAUSE_NO_SPACE;
		return steal_pointer(&no_space);
	}
	return xstrdup(last_e ? last_e : last ? last : "(empty log)");
}

/* The stage mmdebstrap is at: its last "I: " line. */
static char *log_stage(const char *log)
{
	cleanup_fclose FILE *f = fopen(log, "re");
	cleanup_free char *line = NULL;
	char *stage = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		if (str_has_prefix(line, "I: ")) {
			free(stage);
			stage = xstrdup(strstrip(line + 3));
		}
	}
	return stage ? stage : xstrdup("starting");
}

static int run_mmdebstrap(struct build *b, cr_error_t *err)
{
	const struct cr_recipe *r = b->r;
	cleanup_free char *variant = xasprintf("--variant=%s", r->variant);
	cleanup_free char *joined = strv_join(r->components, ",");
	cleanup_free char *components = xasprintf("--components=%s", joined);
	cleanup_free char *include = NULL, *keyring = xasprintf("--keyring=%s", keyring_of(b->o, r));
	cleanup_free char *setup = NULL, *custom = NULL, *files = NULL, *overlay = NULL, *kata = NULL;
	cleanup_free char *env_epoch = xasprintf("SOURCE_DATE_EPOCH=%llu", (unsigned long long)r->source_date_epoch);
	cleanup_free char *env_suites = NULL, *env_runtimes = NULL;
	cleanup_free const char **names = xcalloc(r->n_packages + 1, sizeof(*names));
	const char *argv[32];
	char *env[4];
	size_t n = 0, ne = 0;
	pid_t pid;
	int status;

	for (size_t i = 0; i < r->n_packages; i++)
		names[i] = r->packages[i].name;
	free(joined);
	joined = strv_join((char *const *)names, ",");
	include = xasprintf("--include=%s", joined);

	argv[n++] = "mmdebstrap";
	argv[n++] = "--format=tar";
	argv[n++] = variant;
	argv[n++] = components;
	argv[n++] = include;
	argv[n++] = keyring;
	argv[n++] = "--aptopt=Acquire::Retries \"2\"";
	argv[n++] = "--aptopt=Acquire::http::Timeout \"30\"";
	if (r->extra_suites && r->extra_suites[0]) {
		free(joined);
		joined = strv_join(r->extra_suites, " ");
		env_suites = xasprintf("CRBENCH_EXTRA_SUITES=%s", joined);
		env[ne++] = env_suites;
		setup = xasprintf("--setup-hook=\"%s/builder/hooks/extra-suites.sh\" \"$1\"", b->o->srcdir);
		argv[n++] = setup;
	}
	if (r->kind == CR_RECIPE_VM) {
		free(joined);
		joined = strv_join(r->runtimes, " ");
		env_runtimes = xasprintf("CRBENCH_RUNTIMES=%s%s", joined,
					 b->kata_root && !strv_contains(r->runtimes, "kata") ? " kata" : "");
		env[ne++] = env_runtimes;
		overlay = xasprintf("--customize-hook=sync-in \"%s/builder/rootfs\" /", b->o->srcdir);
		argv[n++] = overlay;
		if (b->kata_root) {
			kata = xasprintf("--customize-hook=sync-in \"%s\" /", b->kata_root);
			argv[n++] = kata;
		}
		custom = xasprintf("--customize-hook=\"%s/builder/hooks/vm-customize.sh\" \"$1\"", b->o->srcdir);
	} else {
		custom = xasprintf("--customize-hook=\"%s/builder/hooks/container-customize.sh\" \"$1\"", b->o->srcdir);
	}
	if (r->files) {
		files = xasprintf("--customize-hook=sync-in \"%s/%s\" /", b->o->srcdir, r->files);
		argv[n++] = files;
	}
	argv[n++] = custom;
	argv[n++] = r->suite;
	argv[n++] = b->tarball;
	if (strcmp(b->out->mirror, CR_BUILD_MIRROR_DEFAULT) != 0)
		argv[n++] = b->out->mirror;
	argv[n] = NULL;
	env[ne++] = env_epoch;
	env[ne] = NULL;

	if (cr_spawn_logged((char *const *)argv, env, b->log, &pid, err) < 0)
		return -1;
	for (;;) {
		struct timespec ts = { 0, 500 * 1000 * 1000 };
		cleanup_free char *stage = NULL, *label = NULL;
		struct stat st;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return cr_error(err, errno, "cannot wait for mmdebstrap");
		if (interrupted(b)) {
			/* mmdebstrap cleans up its own temporary directory on SIGTERM; it has a group of its own */
			kill(-pid, SIGTERM);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return cr_error(err, EINTR, "building image '%s' was interrupted", r->name);
		}
		stage = log_stage(b->log);
		label = xasprintf("mmdebstrap: %s", stage);
		progress(b, label, stat(b->tarball, &st) == 0 ? (uint64_t)st.st_size : 0, 0);
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		enum log_cause cause;
		cleanup_free char *reason = log_reason(b->log, &cause);

		if (cause == CAUSE_NO_SPACE)
			return cr_error(err, 0,
					"cannot build image '%s': no space left: %s (free space in the cache '%s' or in $TMPDIR, "
					"or choose another cache with --cache-dir; mmdebstrap's log is kept as '%s')",
					r->name, reason, b->o->cache_dir, b->log);
		if (cause == CAUSE_UNREACHABLE)
			return cr_error(err, 0,
					"cannot build image '%s': cannot reach the %s archive at '%s': %s "
					"(choose a reachable mirror with --mirror URL; mmdebstrap's log is kept as '%s')",
					r->name, r->distribution, b->out->mirror, reason, b->log);
		return cr_error(err, 0, "cannot build image '%s': mmdebstrap failed: %s (its log is kept as '%s')", r->name, reason,
				b->log);
	}
	return 0;
}

/* dpkg's status file: the installed packages and their versions, into a JSON object. */
static void parse_dpkg_status(const char *text, json_t *out)
{
	cleanup_free char *copy = xstrdup(text);
	char *pkg = NULL, *ver = NULL;
	bool installed = false;
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
		if (!line || str_has_prefix(line, "Package: ")) {
			if (pkg && ver && installed)
				json_object_set_new(out, pkg, json_string(ver));
			if (!line)
				break;
			pkg = strstrip(line + 9);
			ver = NULL;
			installed = false;
		} else if (str_has_prefix(line, "Version: ")) {
			ver = strstrip(line + 9);
		} else if (str_has_prefix(line, "Status: ")) {
			installed = strstr(line, " installed") != NULL;
		}
	}
}

/* Every package of the recipe is installed, at a version its pattern accepts. */
static int check_packages(struct build *b, cr_error_t *err)
{
	for (size_t i = 0; i < b->r->n_packages; i++) {
		const struct cr_recipe_package *p = &b->r->packages[i];
		const char *v = json_string_value(json_object_get(b->packages, p->name));

		if (!v)
			return cr_error(err, 0, "image '%s' lacks package '%s' after the build", b->r->name, p->name);
		if (fnmatch(p->pattern, v, 0) != 0)
			return cr_error(err, 0, "image '%s' has %s %s, but recipe '%s' requires version %s%s", b->r->name, p->name, v,
					b->r->path, p->pattern,
					strcmp(p->name, "docker.io") == 0
						? " (the papers' Docker major; another one would change what is measured)"
						: "");
	}
	return 0;
}

struct unpacking {
	struct build *b;
	struct archive *out;
	uint64_t total;
	double last;
};

static int unpack_entry(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err)
{
	struct unpacking *u = ctx;

	if (interrupted(u->b))
		return cr_error(err, EINTR, "building image '%s' was interrupted", u->b->r->name);
	/* names are joined to the work directory, so they must stay inside it */
	if (cr_untar_entry(in, u->out, e, u->b->workdir, u->b->tarball, err) < 0)
		return -1;
	if (cr_now() - u->last > 0.5) {
		u->last = cr_now();
		progress(u->b, "unpacking the root filesystem", (uint64_t)archive_filter_bytes(in, -1), u->total);
	}
	return 0;
}

/* Unpack mmdebstrap's tarball into the work directory, keeping owners, modes, xattrs. */
static int unpack(struct build *b, cr_error_t *err)
{
	struct stat st;
	struct unpacking u = { b, archive_write_disk_new(), stat(b->tarball, &st) == 0 ? (uint64_t)st.st_size : 0, 0 };
	int ret;

	archive_write_disk_set_options(u.out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
						      ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						      ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	archive_write_disk_set_standard_lookup(u.out);
	ret = cr_untar_each(b->tarball, unpack_entry, &u, err);
	archive_write_free(u.out);
	return ret;
}

/* The work directory: tmpfs when it has room for the root twice over, else beside the cache entry. */
static char *pick_workdir(const struct build *b)
{
	struct statvfs vfs;
	struct stat st;
	uint64_t need = stat(b->tarball, &st) == 0 ? 2 * (uint64_t)st.st_size : 0;

	if (statvfs("/dev/shm", &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize > need + (1ULL << 30))
		return xasprintf("/dev/shm/crbench-root-%s-%d", b->r->name, (int)getpid());
	return xasprintf("%s/root", b->tmp);
}

static int read_status_from_dir(struct build *b, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/var/lib/dpkg/status", b->workdir);
	cleanup_free char *text = NULL;
	size_t len;

	if (cr_read_file(path, 64 << 20, &text, &len, err) < 0)
		return cr_error_prefix(err, "cannot list the packages of image '%s'", b->r->name);
	parse_dpkg_status(text, b->packages);
	return 0;
}

/* The one kernel and initrd under /boot, copied beside the image for direct kernel boot. */
static int take_kernel(struct build *b, cr_error_t *err)
{
	cleanup_free char *boot = xasprintf("%s/boot", b->workdir);
	cleanup_free char *kernel = NULL;
	struct dirent **names = NULL;
	int n = scandir(boot, &names, NULL, alphasort);

	if (n < 0)
		return cr_error(err, errno, "image '%s' has no /boot", b->r->name);
	for (int i = 0; i < n; i++) {
		if (str_has_prefix(names[i]->d_name, "vmlinuz-")) {
			free(kernel);
			kernel = xstrdup(names[i]->d_name + strlen("vmlinuz-"));
		}
		free(names[i]);
	}
	free(names);
	if (!kernel)
		return cr_error(err, 0, "image '%s' has no kernel in /boot (recipe '%s' must install one)", b->r->name, b->r->path);
	{
		cleanup_free char *src_k = xasprintf("%s/vmlinuz-%s", boot, kernel);
		cleanup_free char *src_i = xasprintf("%s/initrd.img-%s", boot, kernel);
		cleanup_free char *dst_k = xasprintf("%s/%s", b->tmp, CR_IMAGE_KERNEL);
		cleanup_free char *dst_i = xasprintf("%s/%s", b->tmp, CR_IMAGE_INITRD);
		char *cp_k[] = { (char *)"cp", (char *)"--", src_k, dst_k, NULL };
		char *cp_i[] = { (char *)"cp", (char *)"--", src_i, dst_i, NULL };

		if (access(src_i, R_OK) < 0)
			return cr_error(err, errno,
					"image '%s' has kernel %s but no initrd '%s' (a virtio root needs one: install initramfs-tools)",
					b->r->name, kernel, src_i);
		if (cr_run_checked(cp_k, err) < 0 || cr_run_checked(cp_i, err) < 0)
			return -1;
	}
	b->kernel_version = steal_pointer(&kernel);
	return 0;
}

static int assemble_vm(struct build *b, cr_error_t *err)
{
	cleanup_free char *raw = xasprintf("%s/disk.raw", b->tmp);
	cleanup_free char *qcow = xasprintf("%s/%s", b->tmp, CR_IMAGE_DISK);
	cleanup_free char *size = xasprintf("%lluk", (unsigned long long)(b->r->size / 1024));
	char *convert[] = {
		(char *)"qemu-img", (char *)"convert", (char *)"-f", (char *)"raw", (char *)"-O", (char *)"qcow2", raw, qcow, NULL
	};
	char *mke2fs[] = { (char *)"mke2fs",
			   (char *)"-q",
			   (char *)"-F",
			   (char *)"-t",
			   (char *)"ext4",
			   (char *)"-L",
			   (char *)ROOT_LABEL,
			   (char *)"-E",
			   (char *)"root_owner=0:0",
			   (char *)"-d",
			   NULL,
			   raw,
			   size,
			   NULL };

	b->workdir = pick_workdir(b);
	mke2fs[10] = b->workdir;
	if (mkdir(b->workdir, 0755) < 0)
		return cr_error(err, errno, "cannot create work directory '%s'", b->workdir);
	if (unpack(b, err) < 0)
		return -1;
	if (read_status_from_dir(b, err) < 0 || check_packages(b, err) < 0 || take_kernel(b, err) < 0)
		return -1;
	progress(b, "making the ext4 filesystem (mke2fs -d)", 0, 0);
	if (cr_run_checked(mke2fs, err) < 0)
		return cr_error_prefix(err, "cannot make the filesystem of image '%s'", b->r->name);
	rm_tree(b->workdir);
	progress(b, "converting to qcow2", 0, 0);
	if (cr_run_checked(convert, err) < 0)
		return cr_error_prefix(err, "cannot make the qcow2 image of '%s'", b->r->name);
	unlink(raw);
	return 0;
}

static int status_entry(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err)
{
	struct build *b = ctx;
	la_int64_t size = archive_entry_size(e);
	cleanup_free char *text = NULL;

	if (!archive_entry_pathname(e) || strcmp(archive_entry_pathname(e), "./var/lib/dpkg/status") != 0)
		return 0;
	if (size < 0 || size > (64 << 20))
		return cr_error(err, 0, "dpkg status of image '%s' is %lld bytes", b->r->name, (long long)size);
	text = xcalloc(1, (size_t)size + 1);
	if (archive_read_data(in, text, (size_t)size) != size)
		return cr_error(err, 0, "cannot read dpkg status of image '%s': %s", b->r->name, archive_error_string(in));
	parse_dpkg_status(text, b->packages);
	return 1;
}

/* Package versions of a container image come from the dpkg status inside its tarball. */
static int read_status_from_tar(struct build *b, cr_error_t *err)
{
	if (cr_untar_each(b->tarball, status_entry, b, err) < 0)
		return -1;
	if (json_object_size(b->packages) == 0)
		return cr_error(err, 0, "image '%s' has no /var/lib/dpkg/status", b->r->name);
	return 0;
}

struct image_id {
	char *manifest;	 /* manifest.json's text */
	json_t *digests; /* every other *.json blob (the config is one): name -> its SHA-256 */
	const char *tarball;
};

/* manifest.json and each small *.json blob of a docker-save tarball: the manifest kept, the blobs hashed. */
static int id_entry(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err)
{
	struct image_id *im = ctx;
	const char *name = archive_entry_pathname(e);
	la_int64_t size = archive_entry_size(e);
	cleanup_free char *text = NULL;
	char hex[CR_SHA256_HEX_LEN + 1];

	if (!name || strchr(name, '/') || strlen(name) < 5 || strcmp(name + strlen(name) - 5, ".json") != 0)
		return 0;
	if (size < 0 || size > (1 << 20))
		return cr_error(err, 0, "'%s': entry '%s' is %lld bytes", im->tarball, name, (long long)size);
	text = xcalloc(1, (size_t)size + 1);
	if (archive_read_data(in, text, (size_t)size) != size)
		return cr_error(err, 0, "cannot read '%s' of '%s': %s", name, im->tarball, archive_error_string(in));
	if (strcmp(name, "manifest.json") == 0) {
		free(im->manifest);
		im->manifest = steal_pointer(&text);
	} else {
		cr_sha256_hex(text, (size_t)size, hex);
		json_object_set_new(im->digests, name, json_string(hex));
	}
	return 0;
}

int cr_container_image_id(const char *dir, char **tag, char **id, cr_error_t *err)
{
	cleanup_free char *tarball = xasprintf("%s/%s", dir, CR_IMAGE_CONTAINER);
	struct image_id im = { .digests = json_object(), .tarball = tarball };
	json_t *manifest = NULL, *first;
	const char *config, *repo_tag, *hex;
	int ret = -1;

	*tag = *id = NULL;
	/* one pass: the manifest comes last in the tarball and names the config, which came before it */
	if (cr_untar_each(tarball, id_entry, &im, err) < 0)
		goto out;
	if (!im.manifest) {
		cr_error(err, 0, "'%s' has no manifest.json", tarball);
		goto out;
	}
	manifest = json_loads(im.manifest, 0, NULL);
	first = json_array_get(manifest, 0);
	config = json_string_value(json_object_get(first, "Config"));
	repo_tag = json_string_value(json_array_get(json_object_get(first, "RepoTags"), 0));
	if (!config || !repo_tag) {
		cr_error(err, 0, "'%s': manifest.json names no Config and RepoTags", tarball);
		goto out;
	}
	hex = json_string_value(json_object_get(im.digests, config));
	if (!hex) {
		cr_error(err, 0, "'%s' has no '%s', the config its manifest names", tarball, config);
		goto out;
	}
	*tag = xstrdup(repo_tag);
	*id = xasprintf("sha256:%s", hex);
	ret = 0;
out:
	json_decref(manifest);
	json_decref(im.digests);
	free(im.manifest);
	return ret;
}

/* One entry of the image archive, with fixed owner and time so the archive is reproducible. */
static int add_entry(struct archive *a, const char *name, int64_t size, time_t mtime, cr_error_t *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r < ARCHIVE_OK)
		return cr_error(err, 0, "cannot write '%s': %s", name, archive_error_string(a));
	return 0;
}

static int add_blob(struct archive *a, const char *name, const char *data, time_t mtime, cr_error_t *err)
{
	size_t len = strlen(data);

	if (add_entry(a, name, (int64_t)len, mtime, err) < 0)
		return -1;
	if (archive_write_data(a, data, len) != (la_ssize_t)len)
		return cr_error(err, 0, "cannot write '%s': %s", name, archive_error_string(a));
	return 0;
}

struct layer_copy {
	struct build *b;
	struct archive *a;
	const char *path;
	uint64_t done, total;
};

static int copy_layer_chunk(void *data, const void *buf, size_t len, cr_error_t *err)
{
	struct layer_copy *lc = data;

	if (archive_write_data(lc->a, buf, len) != (la_ssize_t)len)
		return cr_error(err, 0, "cannot write '%s': %s", lc->path, archive_error_string(lc->a));
	lc->done += len;
	progress(lc->b, "packaging the container image", lc->done, lc->total);
	return 0;
}

/*
 * A `docker load` archive (the `docker save` layout): layer.tar is
 * mmdebstrap's tarball as it is, the config names its sha256 (hashed while
 * it is copied) as the layer's diff_id, manifest.json names the tag.
 */
static int assemble_container(struct build *b, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", b->tmp, CR_IMAGE_CONTAINER);
	cleanup_free char *config_name = NULL, *config_text = NULL, *manifest_text = NULL;
	cleanup_close int fd = -1;
	time_t mtime = (time_t)b->r->source_date_epoch;
	char layer_hex[CR_SHA256_HEX_LEN + 1], config_hex[CR_SHA256_HEX_LEN + 1];
	char created[32];
	struct archive *a = NULL;
	struct cr_digest *d;
	struct tm tm;
	struct stat st;
	json_t *config = NULL, *manifest = NULL, *cmd;
	int ret = -1, r;

	if (read_status_from_tar(b, err) < 0 || check_packages(b, err) < 0)
		return -1;
	fd = open(b->tarball, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return cr_error(err, errno, "cannot open '%s'", b->tarball);
	a = archive_write_new();
	archive_write_set_format_ustar(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		cr_error(err, 0, "cannot create '%s': %s", path, archive_error_string(a));
		goto out;
	}
	if (add_entry(a, "layer.tar", st.st_size, mtime, err) < 0)
		goto out;
	{
		struct layer_copy lc = { b, a, path, 0, (uint64_t)st.st_size };

		d = cr_digest_new();
		r = cr_read_chunks(fd, b->tarball, d, copy_layer_chunk, &lc, err);
		cr_digest_finish(d, layer_hex);
		if (r < 0)
			goto out;
	}

	gmtime_r(&mtime, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cmd = json_array();
	for (size_t i = 0; b->r->cmd[i]; i++)
		json_array_append_new(cmd, json_string(b->r->cmd[i]));
	config = json_pack("{s:s, s:s, s:s, s:{s:[s], s:o}, s:{s:s, s:[s+]}}", "architecture", "amd64", "os", "linux", "created", created,
			   "config", "Env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "Cmd", cmd, "rootfs",
			   "type", "layers", "diff_ids", "sha256:", layer_hex);
	config_text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
	cr_sha256_hex(config_text, strlen(config_text), config_hex);
	config_name = xasprintf("%s.json", config_hex);
	manifest = json_pack("[{s:s, s:[s], s:[s]}]", "Config", config_name, "RepoTags", b->r->tag, "Layers", "layer.tar");
	manifest_text = json_dumps(manifest, JSON_COMPACT);
	if (add_blob(a, config_name, config_text, mtime, err) < 0 || add_blob(a, "manifest.json", manifest_text, mtime, err) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		cr_error(err, 0, "cannot finish '%s': %s", path, archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_write_free(a);
	json_decref(config);
	json_decref(manifest);
	return ret;
}

static int verify_vm(struct build *b, cr_error_t *err)
{
	cleanup_free char *disk = xasprintf("%s/%s", b->tmp, CR_IMAGE_DISK);
	struct cr_gfs_inspection in = { 0 };
	const char *docker;
	int ret = -1;

	progress(b, "verifying the image with libguestfs", 0, 0);
	if (cr_gfs_inspect(disk, &in, err) < 0)
		return cr_error_prefix(err, "cannot verify image '%s'", b->r->name);
	if (!in.agent_unit_enabled) {
		cr_error(err, 0, "image '%s' does not enable crbench-agent.service", b->r->name);
		goto out;
	}
	if (strcmp(in.distro, b->r->distribution) != 0) {
		cr_error(err, 0, "image '%s' is %s, not %s", b->r->name, in.distro, b->r->distribution);
		goto out;
	}
	docker = json_string_value(json_object_get(b->packages, "docker.io"));
	if (!docker || !in.docker_version || strcmp(docker, in.docker_version) != 0) {
		cr_error(err, 0, "image '%s': libguestfs finds docker.io %s, the build installed %s", b->r->name,
			 in.docker_version ? in.docker_version : "missing", docker ? docker : "nothing");
		goto out;
	}
	ret = 0;
out:
	cr_gfs_inspection_release(&in);
	return ret;
}

static int write_manifest(struct build *b, cr_error_t *err)
{
	const struct cr_recipe *r = b->r;
	const char *name = r->kind == CR_RECIPE_VM ? CR_IMAGE_DISK : CR_IMAGE_CONTAINER;
	cleanup_free char *path = xasprintf("%s/%s", b->tmp, CR_IMAGE_MANIFEST);
	cleanup_free char *file = xasprintf("%s/%s", b->tmp, name);
	char hex[CR_SHA256_HEX_LEN + 1], when[32];
	json_t *m = json_object(), *asserted = json_array(), *fprs = json_array();
	time_t t = time(NULL);
	struct tm tm;
	struct stat st;
	int r2;

	progress(b, "checksumming", 0, 0);
	if (cr_sha256_file(file, hex, err) < 0 || stat(file, &st) < 0) {
		json_decref(m);
		json_decref(asserted);
		json_decref(fprs);
		return -1;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < r->n_packages; i++)
		json_array_append_new(asserted,
				      json_pack("{s:s, s:s, s:O}", "package", r->packages[i].name, "pattern", r->packages[i].pattern,
						"version", json_object_get(b->packages, r->packages[i].name)));
	for (size_t i = 0; r->fingerprints && r->fingerprints[i]; i++)
		json_array_append_new(fprs, json_string(r->fingerprints[i]));

	json_object_set_new(m, "recipe", json_string(r->name));
	json_object_set_new(m, "kind", json_string(r->kind == CR_RECIPE_VM ? "vm" : "container"));
	json_object_set_new(m, "key", json_string(b->out->key));
	json_object_set_new(m, "builder_version", json_string(CR_BUILDER_VERSION));
	json_object_set_new(m, "crbench_version", json_string(crbench_version));
	json_object_set_new(m, "built_at", json_string(when));
	json_object_set_new(m, "distribution", json_string(r->distribution));
	json_object_set_new(m, "suite", json_string(r->suite));
	json_object_set_new(m, "mirror", json_string(b->out->mirror));
	json_object_set_new(m, "keyring", json_string(keyring_of(b->o, r)));
	json_object_set_new(m, "keyring_fingerprints_checked", fprs);
	json_object_set_new(m, "source_date_epoch", json_integer((json_int_t)r->source_date_epoch));
	json_object_set_new(m, "image", json_pack("{s:s, s:s, s:I}", "file", name, "sha256", hex, "size", (json_int_t)st.st_size));
	if (b->kernel_version)
		json_object_set_new(m, "kernel", json_string(b->kernel_version));
	if (r->tag)
		json_object_set_new(m, "tag", json_string(r->tag));
	if (r->kind == CR_RECIPE_VM && b->o->kata_tarball)
		json_object_set_new(m, "kata",
				    json_pack("{s:s, s:s, s:s, s:s}", "version", CR_KATA_VERSION, "tarball",
					      strrchr(b->o->kata_tarball, '/') ? strrchr(b->o->kata_tarball, '/') + 1 : b->o->kata_tarball,
					      "sha256", b->o->kata_sha256, "path", "/opt/kata"));
	json_object_set_new(m, "asserted", asserted);
	json_object_set(m, "packages", b->packages);
	json_object_set_new(m, "seconds",
			    json_pack("{s:f, s:f, s:f}", "mmdebstrap", b->out->build_seconds, "assembly", b->out->assembly_seconds,
				      "verify", b->out->verify_seconds));
	json_object_set_new(m, "verified_with_libguestfs", json_boolean(r->kind == CR_RECIPE_VM && b->o->verify));
	r2 = json_dump_file(m, path, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(m);
	if (r2 < 0)
		return cr_error(err, errno ? errno : EIO, "cannot write '%s'", path);
	return 0;
}

/* Temporary entries of builds that died (their pid is gone) are removed. */
static void remove_stale(const char *images)
{
	DIR *d = opendir(images);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *dash = strrchr(e->d_name, '-');
		long pid;

		if (!str_has_prefix(e->d_name, ".tmp-") || !dash)
			continue;
		pid = strtol(dash + 1, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			cleanup_free char *path = xasprintf("%s/%s", images, e->d_name);

			rm_tree(path);
		}
	}
	closedir(d);
}

static int build_entry(struct build *b, const char *final, cr_error_t *err)
{
	double t0 = cr_now();
	int r;

	if (b->r->kind == CR_RECIPE_VM && b->o->kata_tarball) {
		progress(b, "unpacking Kata", 0, 0);
		b->kata_root = xasprintf("%s/kata-root", b->tmp);
		if (cr_kata_unpack(b->o->kata_tarball, b->kata_root, err) < 0)
			return cr_error_prefix(err, "cannot install Kata into image '%s'", b->r->name);
	}
	r = run_mmdebstrap(b, err);
	rm_tree(b->kata_root);
	if (r < 0)
		return -1;
	b->out->build_seconds = cr_now() - t0;
	t0 = cr_now();
	if ((b->r->kind == CR_RECIPE_VM ? assemble_vm(b, err) : assemble_container(b, err)) < 0)
		return -1;
	b->out->assembly_seconds = cr_now() - t0;
	if (b->o->keep_rootfs) {
		char *mv[] = { (char *)"mv", (char *)"--", b->tarball, (char *)b->o->keep_rootfs, NULL };

		if (cr_run_checked(mv, err) < 0)
			return cr_error_prefix(err, "cannot keep the root tarball");
	}
	unlink(b->tarball);
	if (b->r->kind == CR_RECIPE_VM && b->o->verify) {
		t0 = cr_now();
		if (verify_vm(b, err) < 0)
			return -1;
		b->out->verify_seconds = cr_now() - t0;
	}
	if (interrupted(b))
		return cr_error(err, EINTR, "building image '%s' was interrupted", b->r->name);
	if (write_manifest(b, err) < 0)
		return -1;
	{
		cleanup_free char *log = xasprintf("%s/build.log", b->tmp);

		if (rename(b->log, log) < 0)
			return cr_error(err, errno, "cannot move '%s' into the image", b->log);
	}
	/* the entry appears whole or not at all */
	if (rename(b->tmp, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) /* a concurrent build of the same key won */
			return 0;
		return cr_error(err, errno, "cannot move '%s' to '%s'", b->tmp, final);
	}
	free(b->tmp);
	b->tmp = NULL;
	return 0;
}

static int build_or_find(const struct cr_build_opts *o, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err);

/* The cache entry building r with o would make: its key, mirror and directory, and whether its manifest is there (out->hit). */
static int find_entry(const struct cr_build_opts *o, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err)
{
	cleanup_free char *manifest = NULL;

	if (cr_build_key(o, r, &out->key, &out->mirror, err) < 0)
		return -1;
	out->dir = xasprintf("%s/images/%s-%s", o->cache_dir, r->name, out->key);
	manifest = xasprintf("%s/%s", out->dir, CR_IMAGE_MANIFEST);
	out->hit = access(manifest, F_OK) == 0;
	return 0;
}

int cr_build(const struct cr_build_opts *o, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err)
{
	memset(out, 0, sizeof(*out));
	if (build_or_find(o, r, out, err) < 0) {
		cr_built_release(out);
		return -1;
	}
	return 0;
}

static int build_or_find(const struct cr_build_opts *o, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err)
{
	cleanup_free char *images = xasprintf("%s/images", o->cache_dir);
	cleanup_free char *final = NULL, *logs = NULL;
	struct build b = { .o = o, .r = r, .out = out, .start = cr_now() };
	int ret;

	if (r->kind == CR_RECIPE_VM && strv_contains(r->runtimes, "kata") && !o->kata_tarball)
		return cr_error(err, 0,
				"image recipe '%s' lists runtime kata, which only a Kata release tarball brings: build it for a plan "
				"whose Kata guest names one (crbench build --plan FILE, kata-tarball)",
				r->name);
	if (check_keyring(&b, err) < 0)
		return -1;
	if (find_entry(o, r, out, err) < 0)
		return -1;
	if (out->hit && !o->rebuild) {
		cr_cache_used(out->dir);
		return 0;
	}
	out->hit = false;
	final = xstrdup(out->dir);
	if (cr_mkdir_p(images, err) < 0)
		return -1;
	remove_stale(images);
	if (o->rebuild) {
		cleanup_free char *old = xasprintf("%s/.old-%s-%s-%d", images, r->name, out->key, (int)getpid());

		if (rename(final, old) == 0)
			rm_tree(old);
	}
	logs = xasprintf("%s/logs", o->cache_dir);
	if (cr_mkdir_p(logs, err) < 0)
		return -1;
	b.tmp = xasprintf("%s/.tmp-%s-%s-%d", images, r->name, out->key, (int)getpid());
	if (mkdir(b.tmp, 0755) < 0)
		return cr_error(err, errno, "cannot create '%s'", b.tmp);
	b.tarball = xasprintf("%s/rootfs.tar", b.tmp);
	/* outside the entry, so that it outlives a failed build for the error message to point at */
	b.log = xasprintf("%s/logs/%s-%s-%d.log", o->cache_dir, r->name, out->key, (int)getpid());
	b.packages = json_object();

	ret = build_entry(&b, final, err);
	if (ret == 0)
		cr_cache_used(final);
	if (ret < 0 && interrupted(&b))
		cr_error(err, 0, "building image '%s' was interrupted; nothing was added to the cache", r->name);
	/* a failed build keeps mmdebstrap's log only when the message points at it */
	if (ret < 0 && !(err && *err && strstr((*err)->msg, b.log)))
		unlink(b.log);
	if (b.workdir)
		rm_tree(b.workdir);
	if (b.tmp)
		rm_tree(b.tmp);
	free(b.tmp);
	free(b.workdir);
	free(b.tarball);
	free(b.log);
	free(b.kernel_version);
	free(b.kata_root);
	json_decref(b.packages);
	return ret;
}

void cr_built_release(struct cr_built *b)
{
	free(b->dir);
	free(b->key);
	free(b->mirror);
	memset(b, 0, sizeof(*b));
}

int cr_build_cached(struct cr_build_opts *o, const struct cr_plan *plan, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err)
{
	const struct cr_guest_plan *kata = plan && r->kind == CR_RECIPE_VM ? cr_kata_guest_of_image(plan, r->name) : NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	o->kata_sha256 = kata ? kata->kata_sha256 : NULL;
	ret = find_entry(o, r, out, err);
	o->kata_sha256 = NULL;
	if (ret < 0) {
		cr_built_release(out);
		return -1;
	}
	return out->hit ? 1 : 0;
}

/* apt's "E: " lines in mmdebstrap's output, joined (the first says why, the last that mmdebstrap gave up); else its last line. */
static char *simulate_reason(const char *out, int status)
{
	char *reason = xstrdup(""), *t;
	const char *line = NULL;

	for (const char *p = out; *p; p++) {
		if (p != out && p[-1] != '\n')
			continue;
		if (*p != '\n')
			line = p;
		if (strncmp(p, "E: ", 3) == 0) {
			t = xasprintf("%s%s%.*s", reason, *reason ? "; " : "", (int)strcspn(p + 3, "\n"), p + 3);
			free(reason);
			reason = t;
		}
	}
	if (*reason)
		return reason;
	free(reason);
	if (line)
		return xstrndup(line, strcspn(line, "\n"));
	return WIFEXITED(status) ? xasprintf("mmdebstrap exited with %d and printed nothing", WEXITSTATUS(status))
				 : xasprintf("mmdebstrap was killed by signal %d", WTERMSIG(status));
}

/* A probe's tool that is not installed: not probed (1), err saying so. */
static int not_installed(int rc, cr_error_t *err)
{
	return rc < 0 && err && *err && (*err)->code == ENOENT ? 1 : rc;
}

/* mmdebstrap itself resolves the essential set of r's suite from mirror (as the build passes it), fetching only apt's indices. */
static int probe_simulate(const struct cr_build_opts *o, const struct cr_recipe *r, const char *mirror, char **what, cr_error_t *err)
{
	cleanup_free char *joined = strv_join(r->components, ","), *components = xasprintf("--components=%s", joined);
	cleanup_free char *keyring = xasprintf("--keyring=%s", keyring_of(o, r)), *out = NULL, *reason = NULL;
	bool dflt = strcmp(mirror, CR_BUILD_MIRROR_DEFAULT) == 0;
	char *argv[] = { (char *)"mmdebstrap",
			 (char *)"--simulate",
			 (char *)"--variant=essential",
			 components,
			 keyring,
			 (char *)"--aptopt=Acquire::Retries \"0\"",
			 (char *)"--aptopt=Acquire::http::Timeout \"30\"",
			 r->suite,
			 (char *)"/dev/null",
			 dflt ? NULL : (char *)mirror,
			 NULL };
	int status;

	*what = dflt ? xasprintf("%s from mmdebstrap's default %s mirror (mmdebstrap --simulate)", r->suite, r->distribution)
		     : xasprintf("%s from '%s' (mmdebstrap --simulate)", r->suite, mirror);
	if (cr_run_capture(argv, 1, 1 << 20, &out, &status, err) < 0)
		return not_installed(-1, err);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	reason = simulate_reason(out, status);
	return cr_error(err, 0, "cannot fetch %s: %s", *what, reason);
}

int cr_build_probe_mirror(const struct cr_build_opts *o, const struct cr_recipe *r, const char *mirror, char **what, cr_error_t *err)
{
	char *argv[] = { (char *)"curl",
			 (char *)"--fail",
			 (char *)"--location",
			 (char *)"--silent",
			 (char *)"--show-error",
			 (char *)"--max-time",
			 (char *)"30",
			 (char *)"--proto",
			 (char *)"=http,https,file",
			 (char *)"--output",
			 (char *)"/dev/null",
			 (char *)"--",
			 NULL,
			 NULL };
	size_t len = strlen(mirror);

	*what = NULL;
	if (strncmp(mirror, "http://", 7) != 0 && strncmp(mirror, "https://", 8) != 0 && strncmp(mirror, "file://", 7) != 0)
		return probe_simulate(o, r, mirror, what, err);
	while (len > 0 && mirror[len - 1] == '/')
		len--;
	*what = xasprintf("%.*s/dists/%s/Release", (int)len, mirror, r->suite);
	argv[12] = *what;
	if (cr_run_checked(argv, err) < 0)
		return not_installed(-1, err) == 1
			       ? 1
			       : cr_error_prefix(err, "mirror '%s' does not serve suite '%s' ('%s')", mirror, r->suite, *what);
	return 0;
}

int cr_build_image(struct cr_build_opts *o, const char *images_dir, const struct cr_plan *plan, const char *image, struct cr_built *out,
		   cr_error_t *err)
{
	const struct cr_guest_plan *kata = plan ? cr_kata_guest_of_image(plan, image) : NULL;
	cleanup_recipe struct cr_recipe *r = NULL;
	cleanup_free char *tarball = NULL;
	int ret;

	if (kata && cr_kata_fetch(plan, kata, o->cache_dir, &tarball, err) < 0)
		return cr_error_prefix(err, "cannot build image '%s' with Kata for [guest %s]", image, kata->name);
	if (cr_recipe_load(images_dir, image, &r, err) < 0)
		return -1;
	o->kata_tarball = tarball;
	o->kata_sha256 = kata ? kata->kata_sha256 : NULL;
	ret = cr_build(o, r, out, err);
	o->kata_tarball = o->kata_sha256 = NULL;
	return ret;
}
