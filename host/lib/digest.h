/* SHA-256 of large files on the host, with OpenSSL's accelerated implementation. */
#ifndef CRBENCH_DIGEST_H
#define CRBENCH_DIGEST_H

#include <stddef.h>

#include "error.h"
#include "sha256.h"

struct cr_digest;

/* Incremental hashing, for data that is also being copied somewhere. */
struct cr_digest *cr_digest_new(void);
void cr_digest_update(struct cr_digest *d, const void *data, size_t len);
/* Write the lower-case hex digest and free d. */
void cr_digest_finish(struct cr_digest *d, char hex[CR_SHA256_HEX_LEN + 1]);

/* Read fd to its end, handing each chunk to fn (which may be NULL) and to d (which may be NULL). */
int cr_read_chunks(int fd, const char *path, struct cr_digest *d, int (*fn)(void *data, const void *buf, size_t len, cr_error_t *err),
		   void *data, cr_error_t *err);

int cr_sha256_file(const char *path, char hex[CR_SHA256_HEX_LEN + 1], cr_error_t *err);

#endif
