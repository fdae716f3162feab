/* Two runs compared metric by metric, and the bounds a run must stay within (docs/report.md, "Comparing runs"). */
#ifndef CRBENCH_COMPARE_H
#define CRBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "report.h"

/* One line of a bounds file: the mean of a metric must lie in [min, max] (either end may be open: -inf, inf). */
struct cr_bound {
	char *metric; /* a metric id of the report */
	char *guest;  /* NULL: every guest of the run */
	double min, max;
	unsigned line;
};

struct cr_bounds {
	char *path;
	struct cr_bound *b;
	size_t n;
};

/*
 * Lines "METRIC[@GUEST] MIN MAX" (either end "-" for open) or
 * "METRIC[@GUEST] MID ±PCT%" ("+-" for "±", "%" optional); blank lines and
 * "#" comments are skipped. Errors read "FILE:LINE: message".
 */
int cr_bounds_parse(const char *name, const char *text, size_t len, struct cr_bounds *out, cr_error_t *err);
int cr_bounds_load(const char *path, struct cr_bounds *out, cr_error_t *err);
void cr_bounds_release(struct cr_bounds *b);

/*
 * The comparison as JSON. "metrics": per metric and guest both runs have
 * (a may be NULL, then none), both means and intervals, the change of the
 * mean in percent, the ratio b/a with its interval (cr_ratio_interval)
 * and "outside_noise": that interval excludes 1.
 * "bounds": per bound and guest, the mean of run b and whether it is within.
 * *out_of_bounds tells whether any bound failed, a bound on a metric or
 * guest run b does not have included.
 */
json_t *cr_compare(const struct cr_report *a, const struct cr_report *b, const struct cr_bounds *bounds, bool *out_of_bounds);

#endif
