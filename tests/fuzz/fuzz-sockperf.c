/* Fuzz target: the sockperf ping-pong parser; refusals carry a message, results have the required figures. */
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
	struct cr_sockperf r;

	memcpy(text, data, size);
	if (cr_parse_sockperf(text, size, &r, &err) < 0) {
		if (!err || !err->msg || !err->msg[0])
			abort();
		return 0;
	}
	if (err || strnlen(r.version, sizeof(r.version)) == sizeof(r.version) ||
	    strnlen(r.protocol, sizeof(r.protocol)) == sizeof(r.protocol))
		abort();
	if (!isfinite(r.avg) || !isfinite(r.min) || !isfinite(r.max) || !isfinite(r.p50) ||
	    !isfinite(r.p99) || !isfinite(r.p99_9) || r.avg < 0)
		abort();
	return 0;
}
