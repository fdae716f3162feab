/* The image builder: recipe -> mmdebstrap -> cached guest base image or suite container image. */
#ifndef CRBENCH_BUILD_H
#define CRBENCH_BUILD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "recipe.h"

/* Bumped whenever the builder's output for the same inputs changes: part of the cache key. */
#define CR_BUILDER_VERSION "1"

struct cr_build_progress {
	const char *stage;
	uint64_t bytes; /* done in this stage, 0 when unknown */
	uint64_t total; /* 0 when unknown */
	double elapsed; /* seconds since the build started */
};

typedef void (*cr_progress_fn)(void *data, const struct cr_build_progress *p);

struct cr_build_opts {
	const char *srcdir;    /* source tree with images/ and builder/ */
	const char *cache_dir; /* images go to <cache_dir>/images/ */
	/*
	 * The --mirror and --keyring values (cr_build_source_add), NULL or
	 * NULL-terminated. A recipe without one of its distribution's takes
	 * the host's apt mirror for its suite, else mmdebstrap's default, and
	 * its own keyring.
	 */
	const char *const *mirrors;
	const char *const *keyrings;
	bool rebuild;
	bool verify;		 /* inspect a new VM image with libguestfs before it enters the cache */
	const char *keep_rootfs; /* keep mmdebstrap's tarball there (benchmarks compare assembly methods on it) */
	/*
	 * Guest images only: a Kata release tarball already checked against
	 * kata_sha256 (cr_kata_fetch), unpacked under /opt/kata and registered
	 * with Docker as runtime kata; its SHA-256 is part of the cache key.
	 * NULL for an image without Kata.
	 */
	const char *kata_tarball;
	const char *kata_sha256;
	cr_progress_fn progress;
	void *progress_data;
	volatile sig_atomic_t *interrupted; /* set by a signal handler: stop, clean up, fail */
};

/*
 * Add a --mirror or --keyring value (flag names it in errors) to the
 * NULL-terminated *list: "VALUE" for every image, or "DIST=VALUE" for the
 * images of one distribution (debian or ubuntu: a plan may build both, and
 * one archive serves one). A distribution, or every image, given twice is
 * an error.
 */
int cr_build_source_add(const char ***list, const char *flag, const char *value, cr_error_t *err);
/* The value of list for images of distribution: its own, else the one for every image, else NULL. */
const char *cr_build_source_for(const char *const *list, const char *distribution);

struct cr_built {
	char *dir;		 /* the cache entry */
	char *key;		 /* its content address (hex) */
	bool hit;		 /* found in the cache */
	char *mirror;		 /* what mmdebstrap was given, or "(mmdebstrap default)" */
	double build_seconds;	 /* mmdebstrap */
	double assembly_seconds; /* everything after mmdebstrap */
	double verify_seconds;
};

/* cr_built.mirror when mmdebstrap was given none and chose its distribution's default */
#define CR_BUILD_MIRROR_DEFAULT "(mmdebstrap default)"

/* Files of a cache entry. */
#define CR_IMAGE_DISK "disk.qcow2"
#define CR_IMAGE_KERNEL "vmlinuz"
#define CR_IMAGE_INITRD "initrd.img"
#define CR_IMAGE_CONTAINER "image.tar"
#define CR_IMAGE_MANIFEST "manifest.json"

/* The content address of what building r would produce; no build. */
int cr_build_key(const struct cr_build_opts *o, const struct cr_recipe *r, char **key, char **mirror, cr_error_t *err);

/* On success *out describes the entry (release it with cr_built_release); on failure nothing is left to release. */
int cr_build(const struct cr_build_opts *o, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err);
/*
 * Build the image a plan's guests boot (or any recipe, plan NULL), found in
 * images_dir: the recipe, plus Kata when a Kata guest of the plan runs on it
 * (its tarball fetched and checked first).
 */
struct cr_plan;
int cr_build_image(struct cr_build_opts *o, const char *images_dir, const struct cr_plan *plan, const char *image, struct cr_built *out,
		   cr_error_t *err);
/*
 * Whether the cache holds what building recipe r for plan (NULL: no plan)
 * would make, without building or downloading anything: 1 it does, 0 it
 * does not, -1 the key cannot be computed (its keyring is unreadable).
 * out's dir, key and mirror are set (cr_built_release them) unless -1.
 */
int cr_build_cached(struct cr_build_opts *o, const struct cr_plan *plan, const struct cr_recipe *r, struct cr_built *out, cr_error_t *err);
/*
 * Whether mirror (as cr_built.mirror has it) serves recipe r's suite: for
 * an http, https or file URL, curl fetches its dists/<suite>/Release (at
 * most 30 s); for anything else (mmdebstrap's default, a sources line)
 * mmdebstrap --simulate resolves the suite's essential set from it, as the
 * build would pass it, fetching only apt's indices. 0 it does, -1 it does
 * not (err quotes curl or apt), 1 the tool is not installed (err says so).
 * *what says what was probed (free it).
 */
int cr_build_probe_mirror(const struct cr_build_opts *o, const struct cr_recipe *r, const char *mirror, char **what, cr_error_t *err);
/* The recipe's archive keyring (keyring, or the recipe's own when NULL) is readable and holds every key it requires (gpg). */
int cr_build_check_keyring(const struct cr_recipe *recipe, const char *keyring, cr_error_t *err);
void cr_built_release(struct cr_built *b);
/* A suite container image's tag and Docker's id for it ("sha256:" and its config's SHA-256), from the image.tar of cache entry dir. */
int cr_container_image_id(const char *dir, char **tag, char **id, cr_error_t *err);

#endif
