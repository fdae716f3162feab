/* Cache and data directory resolution. */
#include <limits.h>

#include "paths.h"
#include "util.h"

char *cr_cache_dir(const char *override)
{
	const char *s;

	if (override && *override)
		return xstrdup(override);
	s = getenv("CRBENCH_CACHE_DIR");
	if (s && *s)
		return xstrdup(s);
	s = getenv("XDG_CACHE_HOME");
	if (s && *s == '/')
		return xasprintf("%s/crbench", s);
	/*
	 * root's home is private (0700), and qemu:///system runs qemu as its
	 * own user, which must read the base images and overlays.
	 */
	if (geteuid() == 0)
		return xstrdup("/var/cache/crbench");
	s = getenv("HOME");
	if (s && *s == '/')
		return xasprintf("%s/.cache/crbench", s);
	return xstrdup("/var/cache/crbench");
}

#include "config.h" /* CRBENCH_DATADIR, made by the Makefile */

static bool has_data(const char *dir)
{
	cleanup_free char *images = xasprintf("%s/images", dir);
	cleanup_free char *builder = xasprintf("%s/builder", dir);

	return access(images, F_OK) == 0 && access(builder, F_OK) == 0;
}

/* The directory of the running binary, or NULL. */
static char *exe_dir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

char *cr_data_dir(void)
{
	const char *s = getenv("CRBENCH_DATADIR");
	cleanup_free char *dir = NULL;
	char *slash;

	if (s && *s)
		return xstrdup(s);
	/* <src>/build/crbench -> <src> */
	dir = exe_dir();
	if (dir && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (*dir && has_data(dir))
			return xstrdup(dir);
	}
	return xstrdup(CRBENCH_DATADIR);
}

char *cr_agent_path(void)
{
	const char *s = getenv("CRBENCH_AGENT");
	cleanup_free char *dir = NULL, *beside = NULL;

	if (s && *s)
		return xstrdup(s);
	dir = exe_dir();
	if (dir) {
		beside = xasprintf("%s/crbench-agent", dir);
		if (access(beside, X_OK) == 0)
			return xstrdup(beside);
	}
	return xstrdup(CRBENCH_LIBEXECDIR "/crbench-agent");
}
