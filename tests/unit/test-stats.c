/* Unit tests for host/lib/stats.c against values computed by hand from the definitions. */
#include <math.h>

#include "test.h"

#include "stats.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sd sqrt(32/7) */
static void descriptive(void **state)
{
	const double x[] = { 9, 4, 2, 4, 5, 7, 4, 5 };
	struct cr_stats s;
	double sd = sqrt(32.0 / 7), lm = 0, lv = 0, half;

	for (size_t i = 0; i < 8; i++)
		lm += log(x[i]) / 8;
	for (size_t i = 0; i < 8; i++)
		lv += (log(x[i]) - lm) * (log(x[i]) - lm) / 7;
	half = 2.36462425 * sqrt(lv / 8);
	cr_stats_compute(x, ARRAY_SIZE(x), &s);
	assert_int_equal(s.n, 8);
	assert_close(s.mean, 5, 1e-12);
	assert_close(s.median, 4.5, 1e-12);
	assert_close(s.sd, sd, 1e-12);
	/* every sample > 0: the geometric mean and t on the logarithms */
	assert_int_equal(s.method, CR_CI_LOG_T);
	assert_close(s.gmean, exp(lm), 1e-12);
	assert_close(s.estimate, s.gmean, 0);
	assert_close(s.ci_low, exp(lm - half), 1e-7);
	assert_close(s.ci_high, exp(lm + half), 1e-7);
	assert_close(s.cv, 100 * sd / 5, 1e-10);
	assert_close(s.min, 2, 0);
	assert_close(s.max, 9, 0);
}

static void small_samples(void **state)
{
	const double one[] = { 0.633 }, odd[] = { 3, 1, 2 }, zeros[] = { 0, 0 }, with_zero[] = { 0, 1, 2 }, negative[] = { 0, -1, -2 };
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
	/* a sample <= 0: the mean, t(0.975, 2) = 4.30265273, bounded at 0 when no sample is negative */
	cr_stats_compute(with_zero, 3, &s);
	assert_int_equal(s.method, CR_CI_T_BOUNDED);
	assert_true(isnan(s.gmean));
	assert_close(s.estimate, 1, 1e-12);
	assert_close(s.ci_low, 0, 0);
	assert_close(s.ci_high, 1 + 4.30265273 * 1 / sqrt(3), 1e-8);
	cr_stats_compute(negative, 3, &s);
	assert_int_equal(s.method, CR_CI_T);
	assert_close(s.ci_low, -1 - 4.30265273 / sqrt(3), 1e-8);
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

/* Log-scale Welch: checked against values computed by hand from the definition (scipy's t.ppf for the df). */
static void ratio_log_welch(void **state)
{
	const double a[] = { 2, 4, 8 }, b[] = { 1, 1, 1, 1 }, c[] = { 10.5, 11.2, 9.8 }, d[] = { 3.1, 3.3, 2.9, 3.0 };
	struct cr_ratio r;
	double la = (log(10.5) + log(11.2) + log(9.8)) / 3, lb = (log(3.1) + log(3.3) + log(2.9) + log(3.0)) / 4, va = 0, vb = 0, se, df, t;

	/* b constant: the interval is a's own t interval on the logarithms, with a's n - 1 = 2 degrees of freedom */
	cr_ratio_interval(a, 3, b, 4, &r);
	assert_int_equal(r.method, CR_RATIO_LOG_WELCH);
	assert_close(r.ratio, 4, 1e-12);
	assert_close(r.df, 2, 1e-12);
	assert_close(r.low, exp(log(4) - 4.30265272975 * log(2) / sqrt(3)), 1e-7);
	assert_close(r.high, exp(log(4) + 4.30265272975 * log(2) / sqrt(3)), 1e-7);
	for (int i = 0; i < 3; i++)
		va += (log(c[i]) - la) * (log(c[i]) - la) / 2 / 3;
	for (int i = 0; i < 4; i++)
		vb += (log(d[i]) - lb) * (log(d[i]) - lb) / 3 / 4;
	se = sqrt(va + vb);
	df = (va + vb) * (va + vb) / (va * va / 2 + vb * vb / 3);
	t = cr_t_quantile(0.975, df);
	cr_ratio_interval(c, 3, d, 4, &r);
	assert_close(r.ratio, exp(la - lb), 1e-12);
	assert_close(r.df, df, 1e-9);
	assert_close(r.low, exp(la - lb - t * se), 1e-9);
	assert_close(r.high, exp(la - lb + t * se), 1e-9);
	assert_true(cr_ratio_excludes_one(&r));
}

static void ratio_edges(void **state)
{
	const double two[] = { 2, 2, 2 }, one[] = { 1, 1 }, zero[] = { 0, 0 }, single[] = { 5 }, with_zero[] = { 0, 2, 4 },
		     near0[] = { -1, 0, 1.5 }, ten[] = { 9, 10, 11 };
	struct cr_ratio r;

	cr_ratio_interval(two, 3, one, 2, &r);
	assert_close(r.ratio, 2, 0);
	assert_close(r.low, 2, 1e-12);
	assert_close(r.high, 2, 1e-12);
	assert_true(isinf(r.df));
	/* one sample: a ratio but no interval */
	cr_ratio_interval(single, 1, one, 2, &r);
	assert_close(r.ratio, 5, 1e-12);
	assert_true(isnan(r.low) && isnan(r.high));
	/* a zero denominator: nothing */
	cr_ratio_interval(two, 3, zero, 2, &r);
	assert_true(isnan(r.ratio) && isnan(r.low));
	assert_int_equal(r.method, CR_RATIO_NONE);
	cr_ratio_interval(two, 3, NULL, 0, &r);
	assert_true(isnan(r.ratio));
	/* a sample of 0: the ratio of means, Fieller, its lower end bounded at 0 (no sample is negative); mean 2 over mean 10 */
	cr_ratio_interval(with_zero, 3, ten, 3, &r);
	assert_int_equal(r.method, CR_RATIO_FIELLER);
	assert_close(r.ratio, 0.2, 1e-12);
	assert_true(r.low == 0 && r.high > 0.2 && r.high < 1);
	/* a denominator not clearly away from 0: unbounded, said so */
	cr_ratio_interval(with_zero, 3, near0, 3, &r);
	assert_true(r.unbounded && isnan(r.low) && isnan(r.high));
	assert_false(cr_ratio_excludes_one(&r));
	/* the log method is refused on samples <= 0 */
	cr_ratio_interval_by(CR_RATIO_LOG_WELCH, with_zero, 3, two, 3, &r);
	assert_true(isnan(r.ratio));
}

/* Fieller by hand: (ma - rho mb)^2 = t^2 (va + rho^2 vb) at both ends. */
static void ratio_fieller(void **state)
{
	const double a[] = { 9, 11, 10, 12 }, b[] = { 4, 6, 5, 5 };
	struct cr_ratio r;
	double va = (1 + 1 + 0 + 4 - 2.5 * 0) / 1, t;

	cr_ratio_interval_by(CR_RATIO_FIELLER, a, 4, b, 4, &r);
	/* a: mean 10.5, var 5/3; b: mean 5, var 2/3 */
	va = 5.0 / 3 / 4;
	t = cr_t_quantile(0.975, r.df);
	assert_close(r.ratio, 2.1, 1e-12);
	for (int i = 0; i < 2; i++) {
		double rho = i ? r.high : r.low;

		assert_close(pow(10.5 - rho * 5, 2), t * t * (va + rho * rho * (2.0 / 3 / 4)), 1e-9);
	}
	assert_close(r.df, pow(va + 2.0 / 12, 2) / (va * va / 3 + pow(2.0 / 12, 2) / 3), 1e-9);
}

static void t_distribution(void **state)
{
	/* the table and the quantile function agree; df need not be whole */
	for (size_t df = 1; df <= 40; df++)
		assert_close(cr_t_quantile(0.975, (double)df), cr_t975(df), 2e-6);
	assert_close(cr_t_cdf(0, 3.5), 0.5, 1e-15);
	assert_close(cr_t_cdf(2.5705818356, 5), 0.975, 1e-9);
	assert_close(cr_t_cdf(-2.5705818356, 5), 0.025, 1e-9);
	/* qt(0.975, 7.5) = 2.3338... between df 7 and 8 */
	assert_true(cr_t_quantile(0.975, 7.5) < cr_t975(7) && cr_t_quantile(0.975, 7.5) > cr_t975(8));
	assert_close(cr_t_quantile(0.025, 4), -cr_t975(4), 1e-9);
	assert_true(isnan(cr_t_quantile(1, 4)) && isnan(cr_t_cdf(1, 0)));
}

/* Exact rank-sum p values, counted by hand. */
static void rank_test(void **state)
{
	const double lo[] = { 1, 2, 3, 4, 5 }, hi[] = { 6, 7, 8, 9, 10 }, mixed[] = { 1, 3, 5, 7, 9 }, other[] = { 2, 4, 6, 8, 10 };
	const double tied_a[] = { 1, 1, 2 }, tied_b[] = { 2, 3, 3 };

	/* complete separation of 5 and 5: 2 of C(10, 5) = 252 splits are as extreme */
	assert_close(cr_rank_test(lo, 5, hi, 5), 2.0 / 252, 1e-12);
	assert_close(cr_rank_test(hi, 5, lo, 5), 2.0 / 252, 1e-12);
	/* interleaved: rank sum 25 of 27.5 expected; P(|W - 27.5| >= 2.5) */
	assert_true(cr_rank_test(mixed, 5, other, 5) > 0.5);
	assert_close(cr_rank_test(lo, 5, lo, 5), 1, 1e-12);
	/* ties: mid-ranks 1.5 1.5 3.5 | 3.5 5.5 5.5, sum 6.5 of 10.5; of the 20 splits, 2 reach 6.5 and 2 reach 14.5 */
	assert_close(cr_rank_test(tied_a, 3, tied_b, 3), 4.0 / 20, 1e-12);
	assert_true(isnan(cr_rank_test(lo, 5, NULL, 0)));
}

/* Pooling runs: by hand on small numbers, and the edges (a run without samples, a zero, one run, every sample alike). */
static void pooling(void **state)
{
	const double r1[] = { 1, 4 }, r2[] = { 2, 8 }, r3[] = { 0, 2 }, same[] = { 3, 3 };
	const double *x[] = { r1, r2, NULL };
	const size_t n[] = { 2, 2, 0 };
	double v[3];
	struct cr_pooled p;
	struct cr_ratio q;

	cr_pool(3, x, n, v, &p);
	assert_int_equal(p.k, 2);
	assert_int_equal(p.n, 4);
	assert_true(p.log_scale);
	/* run values 2 and 4: pooled geometric mean sqrt(8), interval exp(log sqrt 8 ± t(1) · sd(log 2, log 4) / √2) */
	assert_close(v[0], 2, 1e-12);
	assert_close(v[1], 4, 1e-12);
	assert_true(isnan(v[2]));
	assert_close(p.stats.estimate, sqrt(8), 1e-12);
	assert_close(p.stats.ci_high, exp(log(sqrt(8)) + 12.7062047362 * (log(2) / sqrt(2)) / sqrt(2)), 1e-9);
	/* logs: runs (0, 1.386) and (0.693, 2.079); MSB = 2 · 0.240 = 0.480, MSW = 0.961, so the share is 0 */
	assert_close(p.between_share, 0, 1e-12);

	x[1] = r3; /* a zero: run means, t on the means */
	cr_pool(2, x, n, v, &p);
	assert_false(p.log_scale);
	assert_close(v[1], 1, 1e-12);
	assert_true(isnan(p.stats.gmean));
	assert_close(p.stats.estimate, 1.75, 1e-12);
	assert_int_equal(p.stats.method, CR_CI_T_BOUNDED);
	assert_close(p.stats.ci_low, 0, 0);

	cr_pool(1, x, n, v, &p); /* one run: an estimate, no interval, no share */
	assert_int_equal(p.k, 1);
	assert_int_equal(p.stats.method, CR_CI_NONE);
	assert_true(isnan(p.stats.ci_low) && isnan(p.between_share));

	x[0] = same;
	x[1] = same;
	cr_pool(2, x, n, v, &p); /* nothing varies: no share made up of rounding */
	assert_true(isnan(p.between_share));

	/* a guest over the baseline, paired by run: ratios 2 and 2 and a run where the guest has nothing */
	{
		const double a[] = { 4, 8, NAN }, b[] = { 2, 4, 3 };

		cr_ratio_runs(a, b, 3, true, &q);
		assert_int_equal(q.method, CR_RATIO_RUNS_PAIRED);
		assert_close(q.ratio, 2, 1e-12);
		assert_close(q.low, 2, 1e-12);
		assert_close(q.high, 2, 1e-12);
		assert_close(q.df, 1, 0);
		cr_ratio_runs(a, b, 1, true, &q); /* one run: a ratio without an interval */
		assert_close(q.ratio, 2, 1e-12);
		assert_true(isnan(q.low));
		cr_ratio_runs(a, b, 3, false, &q); /* not on the log scale: Fieller on the run values */
		assert_int_equal(q.method, CR_RATIO_FIELLER);
		assert_close(q.ratio, 6.0 / 3, 1e-12);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptive), cmocka_unit_test(small_samples), cmocka_unit_test(t_quantiles),
		cmocka_unit_test(quantiles),   cmocka_unit_test(ratio_log_welch), cmocka_unit_test(ratio_edges),
		cmocka_unit_test(ratio_fieller), cmocka_unit_test(t_distribution), cmocka_unit_test(rank_test), cmocka_unit_test(pooling),
	};
	/* clang-format on */

	return tap_run("stats", tests);
}
