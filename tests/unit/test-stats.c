/* Unit tests for host/lib/stats.c against values computed by hand and by an independent Python bootstrap. */
#include <math.h>

#include "test.h"

#include "stats.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sd sqrt(32/7) */
static void descriptive(void **state)
{
	const double x[] = { 9, 4, 2, 4, 5, 7, 4, 5 };
	struct cr_stats s;
	double sd = sqrt(32.0 / 7), half = 2.36462425 * sd / sqrt(8);

	cr_stats_compute(x, ARRAY_SIZE(x), &s);
	assert_int_equal(s.n, 8);
	assert_close(s.mean, 5, 1e-12);
	assert_close(s.median, 4.5, 1e-12);
	assert_close(s.sd, sd, 1e-12);
	assert_close(s.ci_low, 5 - half, 1e-7);
	assert_close(s.ci_high, 5 + half, 1e-7);
	assert_close(s.cv, 100 * sd / 5, 1e-10);
	assert_close(s.min, 2, 0);
	assert_close(s.max, 9, 0);
}

static void small_samples(void **state)
{
	const double one[] = { 0.633 }, odd[] = { 3, 1, 2 }, zeros[] = { 0, 0 };
	struct cr_stats s;

	cr_stats_compute(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.min));
	cr_stats_compute(one, 1, &s);
	assert_close(s.mean, 0.633, 0);
	assert_close(s.median, 0.633, 0);
	assert_true(isnan(s.sd) && isnan(s.ci_low) && isnan(s.ci_high) && isnan(s.cv));
	cr_stats_compute(odd, 3, &s);
	assert_close(s.median, 2, 0);
	assert_close(s.sd, 1, 1e-12);
	/* t(0.975, 2) = 4.30265273 */
	assert_close(s.ci_high - s.mean, 4.30265273 / sqrt(3), 1e-8);
	cr_stats_compute(zeros, 2, &s);
	assert_close(s.sd, 0, 0);
	assert_true(isnan(s.cv));
}

static void t_quantiles(void **state)
{
	assert_close(cr_t975(1), tan(M_PI * 0.475), 1e-10);
	assert_close(cr_t975(2), 0.95 * sqrt(2 / (1 - 0.95 * 0.95)), 1e-10);
	assert_close(cr_t975(14), 2.14478669, 1e-8);
	assert_close(cr_t975(30), 2.04227246, 1e-8);
	/* qt(0.975, df): 40 -> 2.021075390, 120 -> 1.979930405; large df tends to z */
	assert_close(cr_t975(40), 2.021075390, 2e-6);
	assert_close(cr_t975(120), 1.979930405, 1e-7);
	assert_close(cr_t975(1000000), 1.959963985, 1e-5);
	assert_true(isnan(cr_t975(0)));
}

static void quantiles(void **state)
{
	const double x[] = { 1, 2, 3, 4 };

	/* type 7: h = (n - 1) p */
	assert_close(cr_quantile_sorted(x, 4, 0), 1, 0);
	assert_close(cr_quantile_sorted(x, 4, 0.5), 2.5, 1e-12);
	assert_close(cr_quantile_sorted(x, 4, 0.025), 1.075, 1e-12);
	assert_close(cr_quantile_sorted(x, 4, 0.975), 3.925, 1e-12);
	assert_close(cr_quantile_sorted(x, 4, 1), 4, 0);
}

/*
 * The intervals were computed by a separate Python implementation of the
 * documented procedure (splitmix64, rejection draws, a's indices then b's,
 * type 7 quantiles), not by this code.
 */
static void bootstrap(void **state)
{
	const double a[] = { 1, 2, 3, 4 }, b[] = { 2, 2, 3, 5 };
	const double c[] = { 10.5, 11.2, 9.8 }, d[] = { 3.1, 3.3, 2.9, 3.0 };
	struct cr_ratio r, again;

	cr_ratio_bootstrap(a, 4, b, 4, 1, 2000, &r);
	assert_close(r.ratio, 2.5 / 3, 1e-12);
	assert_close(r.low, 0.4444444444444444, 1e-12);
	assert_close(r.high, 1.5, 1e-12);
	assert_int_equal(r.resamples, 2000);
	cr_ratio_bootstrap(c, 3, d, 4, 42, 2000, &r);
	assert_close(r.ratio, (31.5 / 3) / (12.3 / 4), 1e-12);
	assert_close(r.low, 3.1601049868766404, 1e-12);
	assert_close(r.high, 3.6862745098039214, 1e-12);
	assert_true(r.seed == 42);
	/* the same seed gives the same interval */
	cr_ratio_bootstrap(c, 3, d, 4, 42, 2000, &again);
	assert_true(again.low == r.low && again.high == r.high);
}

static void bootstrap_edges(void **state)
{
	const double two[] = { 2, 2, 2 }, one[] = { 1, 1 }, zero[] = { 0, 0 }, single[] = { 5 };
	struct cr_ratio r;

	cr_ratio_bootstrap(two, 3, one, 2, 7, 100, &r);
	assert_close(r.ratio, 2, 0);
	assert_close(r.low, 2, 0);
	assert_close(r.high, 2, 0);
	/* one sample: a ratio but no interval */
	cr_ratio_bootstrap(single, 1, one, 2, 7, 100, &r);
	assert_close(r.ratio, 5, 0);
	assert_true(isnan(r.low) && isnan(r.high));
	assert_int_equal(r.resamples, 0);
	/* a zero denominator: nothing */
	cr_ratio_bootstrap(two, 3, zero, 2, 7, 100, &r);
	assert_true(isnan(r.ratio) && isnan(r.low));
	cr_ratio_bootstrap(two, 3, NULL, 0, 7, 100, &r);
	assert_true(isnan(r.ratio));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptive), cmocka_unit_test(small_samples), cmocka_unit_test(t_quantiles),
		cmocka_unit_test(quantiles),   cmocka_unit_test(bootstrap),	cmocka_unit_test(bootstrap_edges),
	};

	return tap_run("stats", tests);
}
