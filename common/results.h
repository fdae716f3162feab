/* The results-disk format both sides follow (docs/results-format.md): names, limits, the manifest, and the agent's tar writer. */
#ifndef CRBENCH_RESULTS_H
#define CRBENCH_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sha256.h"

/* Every entry is a regular file named CR_RESULTS_PREFIX + a safe name. */
#define CR_RESULTS_DIR "crbench-results"
#define CR_RESULTS_PREFIX CR_RESULTS_DIR "/"
#define CR_RESULTS_MANIFEST "MANIFEST.json"
#define CR_RESULTS_ENVIRONMENT "environment.json"
#define CR_RESULTS_FORMAT "crbench-results"
#define CR_RESULTS_VERSION 1

/* A safe name fits the ustar name field alone, so no pax header is ever needed. */
#define CR_RESULTS_NAME_MAX 100
#define CR_RESULTS_MAX_ENTRIES 10000 /* headers the reader looks at, manifest included */
#define CR_RESULTS_MAX_ENTRY_SIZE (64ULL << 20)
#define CR_RESULTS_MAX_TOTAL (1ULL << 30) /* bytes of all entries together */

#define CR_TAR_BLOCK 512

/* [A-Za-z0-9._-], not starting with '.', 1 to CR_RESULTS_NAME_MAX bytes. */
bool cr_results_name_valid(const char *name);

/* Whether an entry is one step's result as the agent names it (guest/runner.c): "NNNN-....json", four digits and a dash. */
bool cr_results_step_name(const char *name);

/*
 * A JSON string of text that may not be UTF-8 (a tool's output, a message
 * cut by "%.300s" in the middle of a character): each byte of a broken
 * sequence becomes '?'. Never NULL: NULL text gives JSON null.
 */
json_t *cr_json_text(const char *s);

struct cr_results_manifest_entry {
	char *name; /* safe name, without the prefix */
	uint64_t size;
	char sha256[CR_SHA256_HEX_LEN + 1];
};

struct cr_results_manifest {
	struct cr_results_manifest_entry *entries;
	size_t n_entries;
};

/* The manifest's JSON text, newline-terminated; names are not checked here. */
char *cr_results_manifest_dump(const struct cr_results_manifest *m);
/* Parse and validate a manifest; on failure *m is empty and err says what is wrong. */
int cr_results_manifest_parse(const void *data, size_t len, struct cr_results_manifest *m, cr_error_t *err);
void cr_results_manifest_release(struct cr_results_manifest *m);

/*
 * The agent's writer: a ustar stream from offset 0 of the results disk,
 * durable after every append (see docs/results-format.md, "Durability").
 */
struct cr_results_writer;

/*
 * Open an existing results disk (block device or regular file) and write an
 * empty archive to it. The capacity is the device size, or the file size;
 * an empty regular file has no limit but the file system's.
 */
int cr_results_writer_open(const char *path, struct cr_results_writer **out, cr_error_t *err);
/* Append one entry; on failure the entries already appended stay readable. */
int cr_results_append(struct cr_results_writer *w, const char *name, const void *data, size_t len, cr_error_t *err);
/* Append doc as indented JSON with a final newline. */
int cr_results_append_json(struct cr_results_writer *w, const char *name, const json_t *doc, cr_error_t *err);
/* Append MANIFEST.json, which closes the archive; no append is possible after it. */
int cr_results_finish(struct cr_results_writer *w, cr_error_t *err);
/* Where the next entry's header goes, that is the offset of the end-of-archive marker. */
uint64_t cr_results_writer_offset(const struct cr_results_writer *w);
/* Close the disk; an unfinished archive stays valid but has no manifest. */
void cr_results_writer_free(struct cr_results_writer *w);

static inline void cleanup_results_writerp(struct cr_results_writer **w)
{
	cr_results_writer_free(*w);
}
#define cleanup_results_writer __attribute__((cleanup(cleanup_results_writerp)))

/*
 * Fill one ustar header block for path (at most 100 + 1 + 155 bytes, split
 * at a '/' when longer than 100). typeflag is '0' for a regular file.
 * Returns -1 when path does not fit. Exposed for tests that craft archives.
 */
int cr_tar_header(uint8_t block[CR_TAR_BLOCK], const char *path, char typeflag, uint64_t size, uint64_t mtime, const char *linkname);

#endif
