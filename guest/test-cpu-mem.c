/* CPU times and memory (Kumar & Thangaraju, Tables III and IV): an idle baseline, as psutil reads /proc. */
#include <time.h>

#include "agent.h"
#include "procfs.h"
#include "util.h"

int cr_test_cpu_mem(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	json_t *before = cr_sys_snapshot(), *after;
	struct timespec ts = { (time_t)a->plan->idle_seconds, 0 };

	if (!json_object_get(before, "cpu_times") || !json_object_get(before, "memory")) {
		json_decref(before);
		return cr_error(err, 0, "cannot read /proc/stat or /proc/meminfo");
	}
	/* nothing of the suite runs meanwhile: the runner waits for this step */
	while (nanosleep(&ts, &ts) < 0)
		;
	after = cr_sys_snapshot();
	*data = json_pack("{s:s, s:I, s:o, s:o, s:o}", "phase", "idle", "seconds", (json_int_t)a->plan->idle_seconds, "delta",
			  cr_sys_delta(before, after), "before", before, "after", after);
	return 0;
}
