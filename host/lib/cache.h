/*
 * The cache as a whole (docs/images.md, "The cache"): what it holds, how
 * big, when each entry was last used, and pruning what has not been used
 * for a while. The entries themselves are made by their owners (build.c,
 * store.c, run.c); each marks an entry used with cr_cache_used when a run
 * or build takes it, in the entry's file "used".
 *
 *   images/<name>-<key>/        a guest or container image (build.c)
 *   images/store-<key>/         a guest image with the suite's images in its Docker store (store.c)
 *   images/containers-<key>/    the disk of the suite's container images (run.c)
 *   images/.tmp-*-<pid>/        an entry being made
 *   logs/                       logs of failed builds
 *   downloads/                  Kata tarballs fetched by URL
 *   runs/<run id>/              a run's temporaries (rundir.c): in progress, dead, or kept with results
 */
#ifndef CRBENCH_CACHE_H
#define CRBENCH_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Mark the cache entry in dir used now (its file "used"); errors are ignored: it is a hint for pruning. */
void cr_cache_used(const char *dir);

enum cr_cache_kind {
	CR_CACHE_GUEST,	    /* a guest image */
	CR_CACHE_CONTAINER, /* a container image */
	CR_CACHE_STORE,	    /* a Docker store */
	CR_CACHE_IMAGES,    /* the container images' disk */
	CR_CACHE_BUILDING,  /* an entry being made, or left by a build that died */
	CR_CACHE_LOG,	    /* a failed build's log */
	CR_CACHE_DOWNLOAD,  /* a downloaded Kata tarball */
	CR_CACHE_RUN,	    /* a run's temporaries */
	CR_CACHE_OTHER,	    /* anything else under images/ */
	CR_CACHE__MAX,
};
extern const char *const cr_cache_kind_names[CR_CACHE__MAX];

struct cr_cache_entry {
	char *path; /* relative to the cache directory: "images/debian-12-bb7d73b51d7590bb" */
	enum cr_cache_kind kind;
	uint64_t bytes;	  /* on disk (allocated blocks: sparse disks count what they hold) */
	time_t last_used; /* its "used" file, else when it was made */
	pid_t pid;	  /* a run in progress or an entry being made: its crbench's pid, 0 otherwise */
	bool kept;	  /* a run directory without an owner: kept on request, or holding results not harvested */
};

struct cr_cache {
	char *dir;
	struct cr_cache_entry *e;
	size_t n;
	uint64_t bytes;
};

/* Read what the cache directory holds; a cache that does not exist yet is empty. */
int cr_cache_list(const char *cache_dir, struct cr_cache *out, cr_error_t *err);
void cr_cache_release(struct cr_cache *c);

/*
 * Remove the images, stores, images disks and logs not used for older_than
 * seconds or more (0: every one), and temporary entries of builds that
 * died. Never a run directory (a run in progress, or results not yet
 * harvested) nor a download. Refused while a run or build is in progress:
 * its guests boot on entries that would go (a run or build started while
 * it prunes is not: do not). With dry_run nothing is
 * removed. *removed (NULL-terminated, relative paths) says what went or
 * would go, *freed how many bytes.
 */
int cr_cache_prune(const char *cache_dir, uint64_t older_than, bool dry_run, char ***removed, uint64_t *freed, cr_error_t *err);

json_t *cr_cache_json(const struct cr_cache *c);

#endif
