/*
 * Guests on a libvirt host that is not this one: the disks, kernel and initrd
 * go up into a storage pool of that host as volumes (virStorageVolUpload),
 * and the results disk comes back down (virStorageVolDownload), both as
 * sparse streams.
 */
#ifndef CRBENCH_VOLUME_H
#define CRBENCH_VOLUME_H

#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define CR_DEFAULT_POOL "default"

/*
 * The active storage pool name on conn, of a type whose volumes are files
 * (dir, fs, netfs): the guests' kernel and initrd must be files there.
 */
int cr_pool_open(virConnectPtr conn, const char *name, virStoragePoolPtr *out, cr_error_t *err);

/*
 * A volume cached by name is there when name and its marker name.ok both
 * are: 1 then, with *path (unless path is NULL) its path on the libvirt
 * host; 0 when it is not cached; -1 on error.
 */
int cr_vol_cached(virStoragePoolPtr pool, const char *name, char **path, cr_error_t *err);

/* Cache local as name: it goes up (sparse), then its marker name.ok is made. */
int cr_vol_upload_cached(virStoragePoolPtr pool, const char *name, const char *local, char **path, cr_error_t *err);

/* Whether volume name is in the pool. */
bool cr_vol_is_there(virStoragePoolPtr pool, const char *name);

/* Upload local as a new volume name (an old one of that name is replaced). */
int cr_vol_upload(virStoragePoolPtr pool, const char *name, const char *local, char **path, cr_error_t *err);

/* A new sparse raw volume of size bytes, all zeros. */
int cr_vol_create_raw(virStoragePoolPtr pool, const char *name, uint64_t size, char **path, cr_error_t *err);

/* A new qcow2 volume of capacity bytes backed by the qcow2 file backing (a path on the libvirt host). */
int cr_vol_create_overlay(virStoragePoolPtr pool, const char *name, const char *backing, uint64_t capacity, char **path, cr_error_t *err);

/*
 * Download volume name into the local file local (sparse), through
 * local.part: local appears only once the whole volume is there.
 */
int cr_vol_download(virStoragePoolPtr pool, const char *name, const char *local, cr_error_t *err);

/* Delete volume name: 1 when deleted, 0 when it was not there, -1 on error. */
int cr_vol_delete(virStoragePoolPtr pool, const char *name, cr_error_t *err);

/* The virtual size of a local qcow2 image, from its header. */
int cr_qcow2_virtual_size(const char *path, uint64_t *size, cr_error_t *err);

#endif
