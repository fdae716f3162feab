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

char *cr_data_dir(void)
{
	const char *s = getenv("CRBENCH_DATADIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (s && *s)
		return xstrdup(s);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		/* <src>/build/crbench -> <src> */
		for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
			*slash = '\0';
		if (*exe && has_data(exe))
			return xstrdup(exe);
	}
	return xstrdup(CRBENCH_DATADIR);
}
