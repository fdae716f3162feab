/* Reading a results disk written by an untrusted guest: libarchive, strict checks, every refusal reported. */
#ifndef CRBENCH_HARVEST_H
#define CRBENCH_HARVEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "results.h"

/* Lines kept in each list of a report; the counts go on past it. */
#define CR_HARVEST_MAX_MESSAGES 200

enum cr_harvest_status {
	CR_HARVEST_VERIFIED,   /* manifest read, every entry kept and matching it */
	CR_HARVEST_INCOMPLETE, /* no manifest or a truncated archive, nothing refused: the agent did not finish */
	CR_HARVEST_FAILED,     /* something refused, a checksum failed, or the manifest is wrong */
};
extern const char *const cr_harvest_status_names[]; /* "verified", "incomplete", "failed" */

enum cr_manifest_state {
	CR_MANIFEST_MISSING,
	CR_MANIFEST_MALFORMED,
	CR_MANIFEST_OK,
};
extern const char *const cr_manifest_state_names[]; /* "missing", "malformed", "ok" */

struct cr_harvest_entry {
	char *name; /* safe name, the file's name in the output directory */
	uint64_t size;
	char sha256[CR_SHA256_HEX_LEN + 1];
	bool verified; /* listed in the manifest with this size and sha256 */
	bool dropped;  /* contradicted by the manifest: removed again (internal to the reader) */
};

struct cr_harvest_report {
	/* kept entries in archive order; MANIFEST.json is kept as a file but not listed here */
	struct cr_harvest_entry *entries;
	size_t n_entries;
	/* "entry 'x': refused: reason", not kept (also what a valid manifest contradicts); at most CR_HARVEST_MAX_MESSAGES lines, NULL-terminated */
	char **refused;
	size_t n_refused;
	/* wrong without a file to refuse: listed entries missing, a bad manifest, a bad archive */
	char **problems;
	size_t n_problems;
	enum cr_manifest_state manifest;
	bool truncated;	  /* the archive stops inside an entry or a header is damaged */
	char *truncation; /* what the truncation looked like, NULL when not truncated */
	bool capped;	  /* a limit of the host (entry size, total size, entry count) left part of the disk unread */
};

/*
 * Read the results disk (a raw image file or block device) and write each
 * acceptable entry to out_dir, which is created if absent and must be empty.
 * Returns -1 only when the disk cannot be read or out_dir cannot be written;
 * whatever the guest put on the disk ends up in *r, never in err. *r is
 * filled even on failure and must be released.
 */
int cr_harvest_disk(const char *disk, const char *out_dir, struct cr_harvest_report *r, cr_error_t *err);
/* The same from memory; no sync of out_dir (tests and the fuzz target). */
int cr_harvest_memory(const void *data, size_t len, const char *out_dir, struct cr_harvest_report *r, cr_error_t *err);

enum cr_harvest_status cr_harvest_status(const struct cr_harvest_report *r);

/* The report as `crbench harvest --json` prints it for one disk; error: why the disk could not be read, or NULL. */
struct json_t;
struct json_t *cr_harvest_report_json(const char *disk, const char *out, const struct cr_harvest_report *r, const char *error);
void cr_harvest_report_release(struct cr_harvest_report *r);

#endif
