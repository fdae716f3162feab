/* Fuzz target: the sockperf ping-pong parser; refusals carry a message, results have the required figures. */
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
	struct cr_sockperf r;

	if (cr_parse_sockperf(text, size, &r, &err) < 0) {
		fuzz_check_refusal(err);
		return 0;
	}
	if (err || strnlen(r.version, sizeof(r.version)) == sizeof(r.version) ||
	    strnlen(r.protocol, sizeof(r.protocol)) == sizeof(r.protocol))
		abort();
	if (!isfinite(r.avg) || !isfinite(r.min) || !isfinite(r.max) || !isfinite(r.p50) || !isfinite(r.p99) || !isfinite(r.p99_9) ||
	    r.avg < 0)
		abort();
	return 0;
}
