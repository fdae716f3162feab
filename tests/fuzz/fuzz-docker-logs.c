/* Fuzz target: splitting Docker's multiplexed log stream, which a container controls. */
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = fuzz_copy(data, size);
	char *out = NULL, *errout = NULL;

	if (cr_docker_demux(text, size, &out, &errout, &err) < 0) {
		fuzz_check_refusal(err);
		return 0;
	}
	/* nothing is invented: the two streams together are never longer than the input */
	if (strlen(out) + strlen(errout) > size)
		abort();
	free(out);
	free(errout);
	return 0;
}
