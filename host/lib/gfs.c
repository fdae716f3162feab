/* libguestfs set-up; the only file that reads guestfs_last_error. */
#include <errno.h>
#include <guestfs.h>

#include "gfs.h"
#include "util.h"

void cr_gfs_configure(enum cr_accel accel)
{
	const char *settings = getenv("LIBGUESTFS_BACKEND_SETTINGS");

	setenv("LIBGUESTFS_BACKEND", "direct", 0);
	if (accel == CR_ACCEL_TCG && !(settings && strstr(settings, "force_tcg"))) {
		cleanup_free char *s = settings && *settings ? xasprintf("%s:force_tcg", settings) : xstrdup("force_tcg");

		setenv("LIBGUESTFS_BACKEND_SETTINGS", s, 1);
	}
}

int cr_gfs_describe(char **out, cr_error_t *err)
{
	guestfs_h *g = guestfs_create_flags(0);
	struct guestfs_version *v = NULL;
	cleanup_free char *backend = NULL, *settings = NULL;
	cleanup_strv char **list = NULL;
	int ret = -1;

	if (!g)
		return cr_error(err, errno, "cannot create a libguestfs handle");
	guestfs_set_error_handler(g, NULL, NULL);
	v = guestfs_version(g);
	backend = guestfs_get_backend(g);
	list = guestfs_get_backend_settings(g);
	if (!v || !backend || !list) {
		const char *msg = guestfs_last_error(g);

		cr_error(err, 0, "cannot query libguestfs: %s", msg ? msg : "unknown error");
		goto out;
	}
	for (size_t i = 0; list[i]; i++) {
		char *s = xasprintf("%s%s%s", settings ? settings : "", settings ? "," : "", list[i]);

		free(settings);
		settings = s;
	}
	*out = xasprintf("libguestfs %lld.%lld.%lld, backend %s, settings %s", (long long)v->major, (long long)v->minor,
			 (long long)v->release, backend, settings ? settings : "(none)");
	ret = 0;
out:
	guestfs_free_version(v);
	guestfs_close(g);
	return ret;
}
