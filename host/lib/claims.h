/* The papers' findings, each tested on a run's own data: effect, interval, test, verdict (docs/report.md, "Claims"). */
#ifndef CRBENCH_CLAIMS_H
#define CRBENCH_CLAIMS_H

#include <jansson.h>
#include <stddef.h>

struct cr_report;

enum cr_verdict {
	CR_VERDICT_HOLDS,	 /* the run shows the paper's finding at the 5% level */
	CR_VERDICT_CONTRADICTED, /* the run shows the opposite at the 5% level */
	CR_VERDICT_INCONCLUSIVE, /* neither: too few samples, or too much noise, for this run to tell */
	CR_VERDICT_NOT_TESTED,	 /* the run lacks what the claim needs (why says what) */
	CR_VERDICT__MAX,
};
extern const char *const cr_verdict_names[CR_VERDICT__MAX];

/* The significance level of every verdict, and the margin of "similar": within a factor of 1.1 either way. */
#define CR_CLAIM_ALPHA 0.05
#define CR_CLAIM_SIMILAR 1.1

struct cr_claim {
	const char *id;		  /* "kt.boot", "cm.bandwidth" ... */
	const char *source;	  /* the paper and its table or figure */
	char *text;		  /* the finding, as the paper states it, with the cell it is read from */
	char *compared;		  /* which runtimes stood where the paper had runc and Kata */
	char *effect_label;	  /* what effect is: "runsc / runc boot time" */
	double effect, low, high; /* a ratio and its 95% interval; NAN when there is none */
	const char *test;	  /* the test behind p */
	double p;		  /* two-sided p value; NAN when not tested */
	enum cr_verdict verdict;
	char *why; /* how the verdict follows, in words */
};

/*
 * Verdict of a claim that the ratio lies on one side of 1 (expect +1:
 * above, -1: below), from its two-sided p value: holds when p < alpha and
 * the ratio is on that side, contradicted when p < alpha and it is on the
 * other, inconclusive otherwise (a NAN p or ratio included).
 */
enum cr_verdict cr_claim_direction(double ratio, double p, int expect);
/*
 * Verdict of a claim that two cells are similar: holds when the ratio's
 * interval lies within [1/CR_CLAIM_SIMILAR, CR_CLAIM_SIMILAR],
 * contradicted when it lies wholly outside it, inconclusive otherwise.
 */
enum cr_verdict cr_claim_similar(double low, double high);

/* Every claim of both papers that the run's plan touches, per guest compared with the baseline; *n set. */
struct cr_claim *cr_claims_make(const struct cr_report *r, size_t *n);
void cr_claims_free(struct cr_claim *c, size_t n);
json_t *cr_claims_json(const struct cr_claim *c, size_t n);

#endif
