/* SHA-256 (FIPS 180-2), small enough for the static agent; the results manifest checksums every entry with it. */
#ifndef CRBENCH_SHA256_H
#define CRBENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CR_SHA256_LEN 32
#define CR_SHA256_HEX_LEN (2 * CR_SHA256_LEN)

struct cr_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t n; /* bytes waiting in buf */
};

void cr_sha256_init(struct cr_sha256 *ctx);
void cr_sha256_update(struct cr_sha256 *ctx, const void *data, size_t len);
void cr_sha256_final(struct cr_sha256 *ctx, uint8_t out[CR_SHA256_LEN]);

/* One-shot: the digest of data as lower-case hex, NUL-terminated. */
void cr_sha256_hex(const void *data, size_t len, char out[CR_SHA256_HEX_LEN + 1]);
void cr_sha256_to_hex(const uint8_t digest[CR_SHA256_LEN], char out[CR_SHA256_HEX_LEN + 1]);

#endif
