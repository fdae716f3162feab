/* The libguestfs wrapper: backend settings this host needs, handles that never print. */
#ifndef CRBENCH_GFS_H
#define CRBENCH_GFS_H

#include <stdbool.h>

#include "error.h"
#include "preflight.h"

/*
 * Set LIBGUESTFS_BACKEND=direct unless the user chose a backend, and under
 * TCG add force_tcg to LIBGUESTFS_BACKEND_SETTINGS: on a host whose /dev/kvm
 * cannot run ordinary guests the appliance would otherwise abort.
 */
void cr_gfs_configure(enum cr_accel accel);

/* "libguestfs 1.48.6, backend direct, settings force_tcg" without launching the appliance. */
int cr_gfs_describe(char **out, cr_error_t *err);

/* What libguestfs finds in a built guest image. */
struct cr_gfs_inspection {
	char *distro;  /* "debian", "ubuntu" */
	char *product; /* "Debian GNU/Linux 12 (bookworm)" */
	int major, minor;
	char *docker_version; /* docker.io as dpkg spells it, NULL when absent */
	bool agent_unit_enabled;
};

/* Launch the appliance read-only on disk (qcow2) and inspect it; about 16 s under TCG. */
int cr_gfs_inspect(const char *disk, struct cr_gfs_inspection *out, cr_error_t *err);
void cr_gfs_inspection_release(struct cr_gfs_inspection *in);

#endif
