/* Fuzz target: the plan parser, and the dump of every plan it accepts must parse back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL, *again = NULL;
	cleanup_free char *text = NULL, *text2 = NULL;

	if (cr_plan_parse("fuzz.ini", (const char *)data, size, &plan, &err) < 0) {
		/* every refusal names the file and a line */
		if (!err || strncmp(err->msg, "fuzz.ini:", 9) != 0)
			abort();
		return 0;
	}
	text = cr_plan_dump(plan);
	if (cr_plan_parse("fuzz.ini", text, strlen(text), &again, &err) < 0)
		abort();
	text2 = cr_plan_dump(again);
	if (strcmp(text, text2) != 0)
		abort();
	return 0;
}
