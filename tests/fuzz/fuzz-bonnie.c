/* Fuzz target: the bonnie++ CSV parser; a value is a number exactly when it was measured. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toolparse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct cr_bonnie_value *v)
{
	switch (v->status) {
	case CR_BONNIE_MEASURED:
		if (!isfinite(v->value) || v->value < 0)
			abort();
		break;
	case CR_BONNIE_TOO_FAST:
	case CR_BONNIE_NOT_RUN:
		if (!isnan(v->value))
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	/* an exact-size copy, so that ASan sees any read past the end, even in the replay driver */
	cleanup_free char *text = xmalloc(size ? size : 1);
	struct cr_bonnie r;

	memcpy(text, data, size);
	if (cr_parse_bonnie(text, size, &r, &err) < 0) {
		if (!err || !err->msg || !err->msg[0])
			abort();
		return 0;
	}
	if (err || strnlen(r.version, sizeof(r.version)) == sizeof(r.version) || r.file_size == 0)
		abort();
	check(&r.block_out);
	check(&r.block_out_cpu);
	check(&r.rewrite);
	check(&r.rewrite_cpu);
	check(&r.block_in);
	check(&r.block_in_cpu);
	check(&r.seeks);
	check(&r.seeks_cpu);
	return 0;
}
