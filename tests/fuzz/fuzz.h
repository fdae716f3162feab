/* What the fuzz targets of the tools' parsers share. */
#ifndef CRBENCH_FUZZ_H
#define CRBENCH_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size copy of the input, so that ASan sees any read past the end, even in the replay driver. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size ? size : 1);

	memcpy(text, data, size);
	return text;
}

/* A refusal must say why. */
static inline void fuzz_check_refusal(cr_error_t err)
{
	if (!err || !err->msg || !err->msg[0])
		abort();
}

#endif
