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

static int gfs_error(guestfs_h *g, cr_error_t *err, const char *what)
{
	const char *msg = guestfs_last_error(g);

	return cr_error(err, 0, "%s: %s", what, msg ? msg : "unknown libguestfs error");
}

/* dpkg's spelling of a version libguestfs reports in parts: [epoch:]version[-release]. */
static char *deb_version(const struct guestfs_application2 *a)
{
	cleanup_free char *epoch = a->app2_epoch > 0 ? xasprintf("%d:", a->app2_epoch) : xstrdup("");

	if (a->app2_release && *a->app2_release)
		return xasprintf("%s%s-%s", epoch, a->app2_version, a->app2_release);
	return xasprintf("%s%s", epoch, a->app2_version);
}

int cr_gfs_inspect(const char *disk, struct cr_gfs_inspection *out, cr_error_t *err)
{
	static const char unit[] = "/etc/systemd/system/multi-user.target.wants/crbench-agent.service";
	guestfs_h *g = guestfs_create();
	cleanup_strv char **roots = NULL;
	struct guestfs_application2_list *apps = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!g)
		return cr_error(err, errno, "cannot create a libguestfs handle");
	guestfs_set_error_handler(g, NULL, NULL);
	if (guestfs_add_drive_opts(g, disk, GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2", -1) < 0) {
		gfs_error(g, err, "cannot add the disk");
		goto out;
	}
	if (guestfs_launch(g) < 0) {
		gfs_error(g, err, "cannot launch the libguestfs appliance");
		goto out;
	}
	roots = guestfs_inspect_os(g);
	if (!roots || !roots[0]) {
		if (roots)
			cr_error(err, 0, "libguestfs finds no operating system in '%s'", disk);
		else
			gfs_error(g, err, "cannot inspect the image");
		goto out;
	}
	out->distro = guestfs_inspect_get_distro(g, roots[0]);
	out->product = guestfs_inspect_get_product_name(g, roots[0]);
	out->major = guestfs_inspect_get_major_version(g, roots[0]);
	out->minor = guestfs_inspect_get_minor_version(g, roots[0]);
	if (!out->distro || !out->product) {
		gfs_error(g, err, "cannot inspect the image");
		goto out;
	}
	if (guestfs_mount_ro(g, roots[0], "/") < 0) {
		gfs_error(g, err, "cannot mount the image's root");
		goto out;
	}
	/* enabled: the wants symlink exists and what it points to exists */
	out->agent_unit_enabled = guestfs_is_symlink(g, unit) > 0 &&
				  guestfs_is_file_opts(g, unit, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) > 0;
	apps = guestfs_inspect_list_applications2(g, roots[0]);
	if (!apps) {
		gfs_error(g, err, "cannot list the image's packages");
		goto out;
	}
	for (uint32_t i = 0; i < apps->len; i++)
		if (strcmp(apps->val[i].app2_name, "docker.io") == 0)
			out->docker_version = deb_version(&apps->val[i]);
	ret = 0;
out:
	guestfs_free_application2_list(apps);
	guestfs_close(g);
	return ret;
}

void cr_gfs_inspection_release(struct cr_gfs_inspection *in)
{
	free(in->distro);
	free(in->product);
	free(in->docker_version);
	memset(in, 0, sizeof(*in));
}
