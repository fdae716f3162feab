/* Fuzz target: the agent's rewrite of Kata's configuration, its reading of kata-check and kata-runtime --version output, and of Docker's errors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "runtime.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *text = xstrndup((const char *)data, size);
	cleanup_free char *out = NULL, *src_fs = NULL, *why = NULL, *why2 = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_kata_facts f = { .dev_kvm = true,
				   .dev_kvm_usable = true,
				   .version_output = "kata-runtime  : 1.12.1\n",
				   .check_status = 1,
				   .check_output = text };

	/* a failing kata-check always refuses: with what it found missing, or quoting some line of it */
	why = cr_kata_refusal(&f);
	if (!why || (!str_has_prefix(why, "Kata would not run a real nested VM: kata-check says: ") &&
		     !str_has_prefix(why, "Kata would not run a real nested VM: kata-check found ")))
		abort();
	/* any error text gets a meaning or none, never a crash */
	free(cr_kata_start_explain(text));
	/* any version output gives a decision, never a crash */
	f.version_output = text;
	f.check_status = 0;
	why2 = cr_kata_refusal(&f);
	if (cr_kata_config_rewrite(text, 3, 1536, "virtio-fs", &out, &src_fs, &err) < 0) {
		fuzz_check_refusal(err);
		if (out || src_fs)
			abort();
		return 0;
	}
	/* the three keys are set in the section, whatever it held */
	if (!strstr(out, "\ndefault_vcpus = 3\n") || !strstr(out, "\ndefault_memory = 1536\n") ||
	    !strstr(out, "\nshared_fs = \"virtio-fs\"\n"))
		abort();
	return 0;
}
