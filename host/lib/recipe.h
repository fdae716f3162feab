/* Image recipes (images/<name>.conf): what a guest base image or a suite container image is built from. */
#ifndef CRBENCH_RECIPE_H
#define CRBENCH_RECIPE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum cr_recipe_kind {
	CR_RECIPE_VM,	     /* a bootable guest base image */
	CR_RECIPE_CONTAINER, /* a container image for the suite */
};

struct cr_recipe_package {
	char *name;
	char *pattern; /* fnmatch pattern the installed version must match */
};

struct cr_recipe {
	char *name; /* file stem */
	char *path;
	char *text; /* the file's bytes, part of the cache key */
	enum cr_recipe_kind kind;
	char *description;
	char *distribution; /* debian or ubuntu */
	char *suite;
	char **extra_suites;
	char **components;
	char *keyring;
	char **fingerprints; /* upper-case hex, may be empty */
	char *variant;
	uint64_t size; /* filesystem size, vm only */
	uint64_t source_date_epoch;
	char **runtimes; /* vm only */
	char *tag;	 /* container only */
	char **cmd;	 /* container only */
	char *files;	 /* directory (relative to the source tree) copied into the root */
	struct cr_recipe_package *packages;
	size_t n_packages;
};

/* Load images/<name>.conf from images_dir; an unknown name lists the known ones. */
int cr_recipe_load(const char *images_dir, const char *name, struct cr_recipe **out, cr_error_t *err);
int cr_recipe_parse(const char *path, const char *name, const char *data, size_t len, struct cr_recipe **out, cr_error_t *err);
void cr_recipe_free(struct cr_recipe *r);
/* The suite's container recipes every run needs, NULL-terminated. */
extern const char *const cr_suite_container_recipes[];

static inline void cleanup_recipep(struct cr_recipe **r)
{
	cr_recipe_free(*r);
}
#define cleanup_recipe __attribute__((cleanup(cleanup_recipep)))

#endif
