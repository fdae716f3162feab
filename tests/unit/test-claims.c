/* Unit tests for host/lib/claims.c: each verdict path, and the claims made from the fixture runs. */
#include <math.h>

#include "test.h"

#include "claims.h"
#include "report.h"

static struct cr_report *load(const char *rel)
{
	cleanup_free char *dir = test_data(rel);
	cleanup_error cr_error_t err = NULL;
	struct cr_report *r = NULL;

	if (cr_report_load(dir, &r, &err) < 0)
		fail_msg("%s", err->msg);
	return r;
}

static const struct cr_claim *find(const struct cr_report *r, const char *id, const char *text_part)
{
	for (size_t i = 0; i < r->n_claims; i++)
		if (strcmp(r->claims[i].id, id) == 0 && (!text_part || strstr(r->claims[i].text, text_part)))
			return &r->claims[i];
	fail_msg("no claim %s (%s)", id, text_part ? text_part : "");
	return NULL;
}

static void direction(void **state)
{
	/* expected above 1 */
	assert_int_equal(cr_claim_direction(4.7, 0.008, +1), CR_VERDICT_HOLDS);
	assert_int_equal(cr_claim_direction(0.5, 0.008, +1), CR_VERDICT_CONTRADICTED);
	assert_int_equal(cr_claim_direction(4.7, 0.2, +1), CR_VERDICT_INCONCLUSIVE);
	/* expected below 1 */
	assert_int_equal(cr_claim_direction(0.1, 0.01, -1), CR_VERDICT_HOLDS);
	assert_int_equal(cr_claim_direction(3, 0.01, -1), CR_VERDICT_CONTRADICTED);
	/* exactly at the level is not below it; no p, no ratio, a ratio of 1 */
	assert_int_equal(cr_claim_direction(0.1, CR_CLAIM_ALPHA, -1), CR_VERDICT_INCONCLUSIVE);
	assert_int_equal(cr_claim_direction(0.1, NAN, -1), CR_VERDICT_INCONCLUSIVE);
	assert_int_equal(cr_claim_direction(NAN, 0.01, -1), CR_VERDICT_INCONCLUSIVE);
	assert_int_equal(cr_claim_direction(1, 0.01, -1), CR_VERDICT_INCONCLUSIVE);
}

static void similar(void **state)
{
	assert_int_equal(cr_claim_similar(0.95, 1.05), CR_VERDICT_HOLDS);
	assert_int_equal(cr_claim_similar(1 / CR_CLAIM_SIMILAR, CR_CLAIM_SIMILAR), CR_VERDICT_HOLDS);
	assert_int_equal(cr_claim_similar(0.06, 0.15), CR_VERDICT_CONTRADICTED);
	assert_int_equal(cr_claim_similar(1.2, 1.5), CR_VERDICT_CONTRADICTED);
	assert_int_equal(cr_claim_similar(0.8, 1.05), CR_VERDICT_INCONCLUSIVE);
	assert_int_equal(cr_claim_similar(NAN, NAN), CR_VERDICT_INCONCLUSIVE);
}

/* The recorded TCG run: runsc where the papers had Kata, named so; no Kata guest for the host-network claim. */
static void recorded_run(void **state)
{
	cleanup_report struct cr_report *r = load("runs/tcg-default");
	const struct cr_claim *c = find(r, "kt.boot", NULL);

	assert_string_equal(c->compared, "runsc, where the paper had Kata vs runc");
	assert_int_equal(c->verdict, CR_VERDICT_HOLDS);
	assert_true(c->effect > 1 && c->low > 1 && c->p < 0.01);
	/* runsc seeks a tenth as fast: not similar */
	assert_int_equal(find(r, "kt.seeks", NULL)->verdict, CR_VERDICT_CONTRADICTED);
	/* runsc's host-bridge cells failed: nothing to test, and why */
	c = find(r, "cm.bandwidth", "host-bridge stress");
	assert_int_equal(c->verdict, CR_VERDICT_NOT_TESTED);
	assert_non_null(strstr(c->why, "has no sample"));
	assert_true(isnan(c->p));
	/* one sample against five: the rank test cannot reach 5% */
	c = find(r, "cm.bandwidth", "host-bridge idle");
	assert_int_equal(c->verdict, CR_VERDICT_INCONCLUSIVE);
	assert_true(c->p > 0.3);
	c = find(r, "cm.stress_hurts_vm", "bridge-bridge");
	assert_string_equal(c->test, "Welch t on the logarithms");
	assert_true(c->p > 0 && c->p < 1);
	c = find(r, "cm.host_unsupported", NULL);
	assert_int_equal(c->verdict, CR_VERDICT_NOT_TESTED);
	assert_string_equal(c->compared, "no Kata guest");
}

/* A Kata guest whose host-network cells the agent recorded as unsupported: the claim holds, and those cells are not tested. */
static void kata_host_network(void **state)
{
	cleanup_report struct cr_report *r = load("runs/degraded");
	const struct cr_claim *c = find(r, "cm.host_unsupported", NULL);

	assert_int_equal(c->verdict, CR_VERDICT_HOLDS);
	assert_string_equal(c->compared, "kata");
	c = find(r, "cm.bandwidth", "host-bridge idle");
	assert_int_equal(c->verdict, CR_VERDICT_NOT_TESTED);
	assert_non_null(strstr(c->why, "cannot use the host's network"));
	/* Kata's Bonnie++ failed in every round */
	c = find(r, "kt.block_out", NULL);
	assert_int_equal(c->verdict, CR_VERDICT_NOT_TESTED);
	assert_non_null(strstr(c->why, "bonnie++ exited"));
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(direction),
		cmocka_unit_test(similar),
		cmocka_unit_test(recorded_run),
		cmocka_unit_test(kata_host_network),
	};
	/* clang-format on */

	return tap_run("claims", tests);
}
