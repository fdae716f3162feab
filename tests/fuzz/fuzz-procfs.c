/* Fuzz target: the /proc parsers (a container can make /proc/net/dev show odd interface names). */
#include "fuzz.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *text = fuzz_copy(data, size);
	struct cr_netdevs *n = xmalloc(sizeof(*n));
	struct cr_cpu_times c;
	struct cr_mem m;
	cr_error_t err = NULL;

	if (cr_parse_proc_stat(text, size, &c, &err) < 0)
		fuzz_check_refusal(err);
	cr_error_free(&err);
	if (cr_parse_meminfo(text, size, &m, &err) < 0)
		fuzz_check_refusal(err);
	else if (m.used > m.total)
		abort();
	cr_error_free(&err);
	if (cr_parse_net_dev(text, size, n, &err) < 0) {
		fuzz_check_refusal(err);
	} else {
		for (size_t i = 0; i < n->n; i++)
			if (!n->dev[i].name[0] || strlen(n->dev[i].name) >= sizeof(n->dev[i].name))
				abort();
	}
	cr_error_free(&err);
	free(n);
	return 0;
}
