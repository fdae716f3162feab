/*
 * Simulation tests of every interval and test the report and compare use:
 * the share of 95% intervals that cover the true value, on normal and
 * log-normal data at n = 5 and n = 15, and the false-alarm rate of
 * compare's rule and of the rank test on unchanged data. docs/report.md
 * quotes the numbers printed here ("# coverage ...").
 */
#include <math.h>
#include <stdio.h>

#include "test.h"

#include "rng.h"
#include "stats.h"

#define DATASETS 4000

/* A uniform draw in (0, 1). */
static double uniform(uint64_t *s)
{
	return ((double)(cr_splitmix64(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller, one deviate per call (the second is dropped: simple and still exact). */
static double gauss(uint64_t *s)
{
	return sqrt(-2 * log(uniform(s))) * cos(2 * M_PI * uniform(s));
}

/* The distributions drawn from: normal(mu, sigma), or exp(normal(mu, sigma)). */
struct dist {
	const char *name;
	bool lognormal;
	double mu, sigma;
};

/* A normal is truncated at 0 (3.3 sd away at the widest): the report's samples are times and rates. */
static double draw(const struct dist *d, uint64_t *s)
{
	double z;

	do
		z = d->mu + d->sigma * gauss(s);
	while (!d->lognormal && z <= 0);
	return d->lognormal ? exp(z) : z;
}

/* The population's geometric mean exp(E log X): exp(mu) for log-normal; for the truncated normal, by Simpson's rule. */
static double pop_gmean(const struct dist *d)
{
	const int steps = 40000;
	double lo = fmax(d->mu - 10 * d->sigma, 1e-9 * d->mu), h = (d->mu + 10 * d->sigma - lo) / steps, sum = 0, mass = 0;

	if (d->lognormal)
		return exp(d->mu);
	for (int i = 0; i <= steps; i++) {
		double x = lo + i * h, w = i == 0 || i == steps ? 1 : i % 2 ? 4 : 2, f = exp(-0.5 * pow((x - d->mu) / d->sigma, 2));

		sum += w * log(x) * f;
		mass += w * f;
	}
	return exp(sum / mass);
}

/* Fieller is tried on normals far from 0 only, where the truncation does not move the mean. */
static double pop_mean(const struct dist *d)
{
	return d->lognormal ? exp(d->mu + d->sigma * d->sigma / 2) : d->mu;
}

static const struct dist normal = { "normal(100, 15)", false, 100, 15 };
static const struct dist normal_wide = { "normal(100, 30)", false, 100, 30 };
static const struct dist lognormal = { "log-normal(0, 0.5)", true, 0, 0.5 };
static const struct dist lognormal_wide = { "log-normal(0, 1)", true, 0, 1 };
static const size_t sizes[] = { 5, 15 };

static void in_band(const char *what, const struct dist *d, size_t n, double rate, double lo, double hi)
{
	printf("# %s, %s, n = %zu: %.1f%% of %d\n", what, d->name, n, 100 * rate, DATASETS);
	if (!(rate >= lo && rate <= hi))
		fail_msg("%s, %s, n = %zu: %.2f%% is outside [%.0f%%, %.0f%%]", what, d->name, n, 100 * rate, 100 * lo, 100 * hi);
}

/* The report's interval of a cell (geometric mean, t on the logarithms) covers the population's geometric mean. */
static void cell_interval(void **state)
{
	const struct dist *ds[] = { &normal, &normal_wide, &lognormal, &lognormal_wide };
	uint64_t seed = 1;

	for (size_t k = 0; k < ARRAY_SIZE(ds); k++) {
		double truth = pop_gmean(ds[k]);

		for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
			double x[15];
			size_t covered = 0;

			for (int i = 0; i < DATASETS; i++) {
				struct cr_stats st;

				for (size_t j = 0; j < sizes[z]; j++)
					x[j] = draw(ds[k], &seed);
				cr_stats_compute(x, sizes[z], &st);
				assert_int_equal(st.method, CR_CI_LOG_T);
				assert_true(st.ci_low > 0);
				covered += st.ci_low <= truth && truth <= st.ci_high;
			}
			in_band("coverage of a cell's interval", ds[k], sizes[z], (double)covered / DATASETS, 0.93, 0.97);
		}
	}
}

/* The fallback for samples <= 0, the t interval of the mean, on normal data. */
static void mean_interval(void **state)
{
	const struct dist zero = { "normal(0, 1)", false, 0, 1 };
	uint64_t seed = 2;

	for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
		double x[15], lo, hi;
		size_t covered = 0;

		for (int i = 0; i < DATASETS; i++) {
			for (size_t j = 0; j < sizes[z]; j++)
				x[j] = gauss(&seed);
			cr_mean_interval(x, sizes[z], &lo, &hi);
			covered += lo <= 0 && 0 <= hi;
		}
		in_band("coverage of the t interval of a mean", &zero, sizes[z], (double)covered / DATASETS, 0.93, 0.97);
	}
}

/* b is a scaled by factor (for log-normal, mu shifted by log factor), with b's spread times spread. */
static struct dist scaled(const struct dist *a, double factor, double spread)
{
	struct dist b = *a;

	if (a->lognormal) {
		b.mu += log(factor);
		b.sigma *= spread;
	} else {
		b.mu *= factor;
		b.sigma *= factor * spread;
	}
	return b;
}

/*
 * Share of intervals of a/b that cover the true ratio, for a ratio of 2.5
 * with equal spreads, and of 1 with b's spread doubled; and the share of
 * ratio-1 data sets that compare flags (its rule: the interval excludes 1).
 */
static void ratio_case(enum cr_ratio_method method, const struct dist *a, double *cover, double *flagged, size_t n, uint64_t *seed)
{
	const double factors[] = { 1 / 2.5, 1 }, spreads[] = { 1, 2 };
	size_t covered = 0, flags = 0;

	for (int c = 0; c < 2; c++) {
		struct dist b = scaled(a, factors[c], spreads[c]);
		double truth = method == CR_RATIO_LOG_WELCH ? pop_gmean(a) / pop_gmean(&b) : pop_mean(a) / pop_mean(&b);

		for (int i = 0; i < DATASETS / 2; i++) {
			double x[15], y[15];
			struct cr_ratio q;

			for (size_t j = 0; j < n; j++) {
				x[j] = draw(a, seed);
				y[j] = draw(&b, seed);
			}
			cr_ratio_interval_by(method, x, n, y, n, &q);
			covered += q.low <= truth && truth <= q.high;
			if (c == 1)
				flags += cr_ratio_excludes_one(&q);
		}
	}
	*cover = (double)covered / DATASETS;
	*flagged = (double)flags / (DATASETS / 2);
}

static void ratio_interval(void **state)
{
	const struct dist *ds[] = { &normal, &normal_wide, &lognormal, &lognormal_wide };
	uint64_t seed = 3;

	for (size_t k = 0; k < ARRAY_SIZE(ds); k++) {
		for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
			double cover, flagged;

			ratio_case(CR_RATIO_LOG_WELCH, ds[k], &cover, &flagged, sizes[z], &seed);
			in_band("coverage of a ratio's interval (log-scale Welch)", ds[k], sizes[z], cover, 0.93, 0.97);
			/* compare flags unchanged cells at most at the nominal 5% (and not at 0: the rule is not vacuous) */
			in_band("compare's false alarms on unchanged data", ds[k], sizes[z], flagged, 0.02, 0.07);
		}
	}
}

/* Fieller's interval, the fallback for samples <= 0, on normal data whose denominator is clearly away from 0. */
static void fieller_interval(void **state)
{
	uint64_t seed = 4;

	for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
		double cover, flagged;

		ratio_case(CR_RATIO_FIELLER, &normal, &cover, &flagged, sizes[z], &seed);
		in_band("coverage of a ratio's interval (Fieller)", &normal, sizes[z], cover, 0.93, 0.97);
		in_band("compare's false alarms on unchanged data (Fieller)", &normal, sizes[z], flagged, 0.02, 0.07);
	}
}

/* The rank test rejects unchanged data at most at its level, and finds a shift of two standard deviations. */
static void rank_test_level(void **state)
{
	const struct dist *ds[] = { &normal, &lognormal_wide };
	uint64_t seed = 5;

	for (size_t k = 0; k < ARRAY_SIZE(ds); k++) {
		for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
			size_t n = sizes[z], rejected = 0, found = 0;
			struct dist shifted = scaled(ds[k], ds[k]->lognormal ? exp(2 * ds[k]->sigma) : 1 + 2 * ds[k]->sigma / ds[k]->mu, 1);

			for (int i = 0; i < DATASETS; i++) {
				double x[15], y[15], w[15];

				for (size_t j = 0; j < n; j++) {
					x[j] = draw(ds[k], &seed);
					y[j] = draw(ds[k], &seed);
					w[j] = draw(&shifted, &seed);
				}
				rejected += cr_rank_test(x, n, y, n) < 0.05;
				found += cr_rank_test(w, n, x, n) < 0.05;
			}
			/* exact at n = 5: P(p < 0.05) = 8/252 = 3.2% */
			in_band("rank test's false alarms on unchanged data", ds[k], n, (double)rejected / DATASETS, 0.02, 0.05);
			in_band("rank test's power for a shift of 2 sd", ds[k], n, (double)found / DATASETS, n == 5 ? 0.5 : 0.95, 1);
		}
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cell_interval),    cmocka_unit_test(mean_interval),   cmocka_unit_test(ratio_interval),
		cmocka_unit_test(fieller_interval), cmocka_unit_test(rank_test_level),
	};
	/* clang-format on */

	return tap_run("coverage", tests);
}
