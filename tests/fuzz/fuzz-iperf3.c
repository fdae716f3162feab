/* Fuzz target: the iperf3 -J parser; every refusal carries a message, every result is finite. */
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
	struct cr_iperf3 r;

	if (cr_parse_iperf3(text, size, &r, &err) < 0) {
		fuzz_check_refusal(err);
		return 0;
	}
	if (err || strnlen(r.version, sizeof(r.version)) == sizeof(r.version) ||
	    strnlen(r.protocol, sizeof(r.protocol)) == sizeof(r.protocol))
		abort();
	if (!isfinite(r.sent.bits_per_second) || !isfinite(r.received.bits_per_second) || r.sent.seconds < 0 || r.received.seconds < 0 ||
	    !isfinite(r.cpu_host_total) || !isfinite(r.cpu_remote_total) || (r.has_udp && !isfinite(r.jitter_ms)))
		abort();
	return 0;
}
