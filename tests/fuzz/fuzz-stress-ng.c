/* Fuzz target: the stress-ng YAML parser; every accepted stressor is named and has finite figures. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toolparse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	/* an exact-size copy, so that ASan sees any read past the end, even in the replay driver */
	cleanup_free char *text = xmalloc(size ? size : 1);
	cleanup_free struct cr_stress_ng *r = xmalloc(sizeof(*r));

	memcpy(text, data, size);
	if (cr_parse_stress_ng(text, size, r, &err) < 0) {
		if (!err || !err->msg || !err->msg[0])
			abort();
		return 0;
	}
	if (err || r->n == 0 || r->n > CR_STRESS_NG_MAX ||
	    strnlen(r->version, sizeof(r->version)) == sizeof(r->version))
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct cr_stress_ng_stressor *s = &r->stressors[i];
		size_t n = strnlen(s->name, sizeof(s->name));

		if (n == 0 || n == sizeof(s->name) || !isfinite(s->real_time) || !isfinite(s->usr_time) ||
		    !isfinite(s->sys_time) || !isfinite(s->bogo_ops_per_sec_real) ||
		    !isfinite(s->bogo_ops_per_sec_usr_sys))
			abort();
	}
	return 0;
}
