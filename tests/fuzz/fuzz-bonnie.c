/* Fuzz target: the bonnie++ CSV parser; a value is a number exactly when it was measured. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "toolparse.h"
#include "util.h"

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
	cleanup_free char *text = fuzz_copy(data, size);
	struct cr_bonnie r;

	if (cr_parse_bonnie(text, size, &r, &err) < 0) {
		fuzz_check_refusal(err);
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
