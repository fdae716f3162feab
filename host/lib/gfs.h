/* The libguestfs wrapper: backend settings this host needs, handles that never print. */
#ifndef CRBENCH_GFS_H
#define CRBENCH_GFS_H

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

#endif
