/* Cache and data directory resolution. */
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
	s = getenv("HOME");
	if (s && *s == '/')
		return xasprintf("%s/.cache/crbench", s);
	return xstrdup("/var/cache/crbench");
}
