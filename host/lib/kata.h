/* The Kata Containers release tarball of a plan's Kata guests: where it is, whether it is the one the plan names, unpacking it. */
#ifndef CRBENCH_KATA_H
#define CRBENCH_KATA_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"
#include "preflight.h"
#include "sha256.h"

/* Members every Kata 1.x static tarball has (without the leading "./"); the virtio-fs configuration only with kata-shared-fs = virtio-fs. */
#define CR_KATA_RUNTIME "opt/kata/bin/kata-runtime"
#define CR_KATA_CONFIG_DIR "opt/kata/share/defaults/kata-containers"
#define CR_KATA_CONFIG_QEMU CR_KATA_CONFIG_DIR "/configuration-qemu.toml"
#define CR_KATA_CONFIG_VIRTIOFS CR_KATA_CONFIG_DIR "/configuration-qemu-virtiofs.toml"

/* http://, https:// or file:// */
bool cr_kata_source_is_url(const char *source);

/*
 * The local file of guest g's kata-tarball: a URL's download in
 * <cache_dir>/downloads/, a bare file name there too, a relative path from
 * the plan file's directory, an absolute path as it is.
 */
char *cr_kata_local_path(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir);

/* The Kata guest whose tarball the image of that name gets (the first Kata guest on it), or NULL when none runs Kata. */
const struct cr_guest_plan *cr_kata_guest_of_image(const struct cr_plan *plan, const char *image);

/*
 * Is the tarball at path a Kata static release: members only under opt/,
 * none unsafe, kata-runtime and the QEMU configuration (and the virtio-fs
 * one when need_virtiofs) present? Reads the whole archive.
 */
int cr_kata_check_layout(const char *path, bool need_virtiofs, cr_error_t *err);

/*
 * The preflight item "kata" of guest g: FAIL naming the plan key, the
 * version, the expected SHA-256 and where to get the release when the
 * tarball is missing, has another checksum ("refused"), or is not a Kata
 * release; FAIL when the plan gives no kata-sha256; PASS otherwise (a URL
 * not downloaded yet passes: the builder checks it).
 */
void cr_kata_decide(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir, struct cr_check_item *item);

/*
 * Make guest g's tarball ready for a build: download a URL (curl) into the
 * cache unless a copy with the right checksum is there, check the SHA-256
 * against kata-sha256 and the layout. *path is the verified local file.
 */
int cr_kata_fetch(const struct cr_plan *plan, const struct cr_guest_plan *g, const char *cache_dir, char **path, cr_error_t *err);

/* Unpack the tarball's opt/kata tree under root (root/opt/kata/...), owned by root; nothing outside it. */
int cr_kata_unpack(const char *tarball, const char *root, cr_error_t *err);

#endif
