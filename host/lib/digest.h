/* SHA-256 of large files on the host, with OpenSSL's accelerated implementation. */
#ifndef CRBENCH_DIGEST_H
#define CRBENCH_DIGEST_H

#include "error.h"
#include "sha256.h"

int cr_sha256_file(const char *path, char hex[CR_SHA256_HEX_LEN + 1], cr_error_t *err);

#endif
