/* What every unpacking of a tarball with libarchive needs, whoever made the tarball. */
#ifndef CRBENCH_UNTAR_H
#define CRBENCH_UNTAR_H

#include <archive.h>
#include <archive_entry.h>

#include "error.h"

/*
 * Read tarball (any compression libarchive knows) entry by entry: fn gets
 * each and returns 0 to go on, 1 to stop there, -1 on error with err set.
 * Fails when the archive cannot be read, or as fn did.
 */
typedef int (*cr_untar_fn)(void *ctx, struct archive *in, struct archive_entry *e, cr_error_t *err);
int cr_untar_each(const char *tarball, cr_untar_fn fn, void *ctx, cr_error_t *err);

/* Copy the current entry's data from in to out (a disk writer), block by block, holes kept. */
int cr_untar_copy_data(struct archive *in, struct archive *out, cr_error_t *err);

/*
 * Write the current entry e of in below root (its name and hard link target
 * joined to root, both refused unless they stay inside it), data included.
 * tarball names the archive in messages.
 */
int cr_untar_entry(struct archive *in, struct archive *out, struct archive_entry *e, const char *root, const char *tarball,
		   cr_error_t *err);

/* A member's name without its leading "./" ("./opt/kata" -> "opt/kata", "./" -> ""). */
const char *cr_untar_member_name(const char *name);

#endif
