/*
 * A guest image with the suite's container images already in its Docker
 * store: the one module that makes and reads <cache>/images/store-<key>/.
 *
 *   disk.qcow2     the guest image's disk after one boot loaded the images
 *                  (flattened: it stands alone, no backing file)
 *   manifest.json  what it holds: the guest image, each container image's
 *                  tag and Docker id, how long the loading took
 *   console.log    that boot's console
 *
 * The key covers the guest image's key and each container image's id: a
 * new guest image or a changed container image makes a new store. Guests
 * boot on an overlay of disk.qcow2 and only check the images are there with
 * the ids the run expects (guest/images.c); none loads them again.
 */
#ifndef CRBENCH_STORE_H
#define CRBENCH_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "error.h"
#include "preflight.h"

#define CR_STORE_FORMAT_VERSION 1

/* One suite container image: its file on the images disk, its tag, Docker's id for it. */
struct cr_store_image {
	char *file, *tag, *id;
};

struct cr_store_opts {
	const char *cache_dir;
	enum cr_accel accel; /* resolved */
	const char *vm_name; /* the guest recipe, for messages */
	const struct cr_built *vm;
	const char *images_disk; /* the suite's images disk (cr_images_disk) */
	const struct cr_store_image *images;
	size_t n_images;
	double timeout; /* seconds for the loading boot */
	volatile sig_atomic_t *stop;
	void (*on_line)(void *data, const char *line); /* that it is made, and the loading boot's lines of note */
	void *data;
};

struct cr_store {
	char *dir, *key, *disk;
	bool made;
	double seconds; /* making it, when made */
};

/* The content address of the store of vm with images. */
char *cr_store_key(const struct cr_built *vm, const struct cr_store_image *images, size_t n);

/*
 * The store for o->vm and o->images: found in the cache, or made by one
 * boot of the guest image that loads the images from the images disk and
 * powers off; on failure nothing is left but its console log, which err
 * names.
 */
int cr_store_get(const struct cr_store_opts *o, struct cr_store *out, cr_error_t *err);
void cr_store_release(struct cr_store *s);

/* The payload's images.json (guest/images.c reads it) for mode "store", "load" or "preload". */
char *cr_store_images_json(const struct cr_store_image *images, size_t n, const char *mode);

void cr_store_images_release(struct cr_store_image *images, size_t n);

#endif
