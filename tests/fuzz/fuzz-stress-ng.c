/* Fuzz target: the stress-ng YAML parser; every accepted stressor is named and has finite figures. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "toolparse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = fuzz_copy(data, size);
	cleanup_free struct cr_stress_ng *r = xmalloc(sizeof(*r));

	if (cr_parse_stress_ng(text, size, r, &err) < 0) {
		fuzz_check_refusal(err);
		return 0;
	}
	if (err || r->n == 0 || r->n > CR_STRESS_NG_MAX || strnlen(r->version, sizeof(r->version)) == sizeof(r->version))
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct cr_stress_ng_stressor *s = &r->stressors[i];
		size_t n = strnlen(s->name, sizeof(s->name));

		if (n == 0 || n == sizeof(s->name) || !isfinite(s->real_time) || !isfinite(s->usr_time) || !isfinite(s->sys_time) ||
		    !isfinite(s->bogo_ops_per_sec_real) || !isfinite(s->bogo_ops_per_sec_usr_sys))
			abort();
	}
	return 0;
}
