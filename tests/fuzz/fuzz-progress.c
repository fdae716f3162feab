/* Fuzz target: the host's parser of the guest's console lines; what it accepts must format back to an accepted line. */
#include "fuzz.h"
#include "progress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = fuzz_copy(data, size);
	struct cr_progress p, q;
	char line[CR_PROGRESS_LINE_MAX * 4];
	int r = cr_progress_parse(text, size, &p, &err), n;

	if (r < 0) {
		fuzz_check_refusal(err);
		return 0;
	}
	if (r == 0)
		return 0;
	/* what was believed is safe to show: names and reasons are printable */
	for (const char *c = p.reason; *c; c++)
		if (*c < ' ' || *c > '~')
			abort();
	n = cr_progress_format(&p, line, sizeof(line));
	if (n < 0 || cr_progress_parse(line, (size_t)n, &q, &err) != 1 || q.event != p.event || q.seq != p.seq ||
	    strcmp(q.test, p.test) != 0 || strcmp(q.guest, p.guest) != 0 || strcmp(q.reason, p.reason) != 0)
		abort();
	return 0;
}
