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

/*
 * Runs pooled (cr_pool) under the two-level model the report assumes: log x
 * = mu + u (the run's effect, sd sb) + e (the round's, sd sw), n rounds per
 * run. The pooled interval covers exp(mu); the interval of all samples taken
 * as one cell (what a report of runs thrown together would say) does not
 * once the run level matters. Balanced runs of 5, and unbalanced ones.
 */
#define POOL_RUNS_MAX 5
#define POOL_N_MAX 8

struct pool_case {
	const char *name;
	size_t k;
	double sb, sw;
	size_t n[POOL_RUNS_MAX];
};

static const struct pool_case pool_cases[] = {
	{ "no run effect, sb 0, sw 0.2", 3, 0, 0.2, { 5, 5, 5 } },
	{ "sb 0.1, sw 0.2", 2, 0.1, 0.2, { 5, 5 } },
	{ "sb 0.1, sw 0.2", 3, 0.1, 0.2, { 5, 5, 5 } },
	{ "sb 0.2, sw 0.2", 3, 0.2, 0.2, { 5, 5, 5 } },
	{ "sb 0.3, sw 0.1", 3, 0.3, 0.1, { 5, 5, 5 } },
	{ "sb 0.3, sw 0.1", 5, 0.3, 0.1, { 5, 5, 5, 5, 5 } },
	{ "sb 0.2, sw 0.2, unbalanced", 3, 0.2, 0.2, { 2, 5, 8 } },
	{ "sb 0.05, sw 0.3, unbalanced", 5, 0.05, 0.3, { 8, 2, 5, 3, 5 } },
};

/* Draws one data set of case c into x[run][round] around exp(mu). */
static void pool_draw(const struct pool_case *c, double mu, double x[][POOL_N_MAX], uint64_t *seed)
{
	for (size_t j = 0; j < c->k; j++) {
		double u = c->sb * gauss(seed);

		for (size_t i = 0; i < c->n[j]; i++)
			x[j][i] = exp(mu + u + c->sw * gauss(seed));
	}
}

static void pool_band(const char *what, const struct pool_case *c, double rate, double lo, double hi)
{
	printf("# %s, %s, %zu runs: %.1f%% of %d\n", what, c->name, c->k, 100 * rate, DATASETS);
	if (!(rate >= lo && rate <= hi))
		fail_msg("%s, %s, %zu runs: %.2f%% is outside [%.0f%%, %.0f%%]", what, c->name, c->k, 100 * rate, 100 * lo, 100 * hi);
}

static void pooled_interval(void **state)
{
	uint64_t seed = 6;

	for (size_t ci = 0; ci < ARRAY_SIZE(pool_cases); ci++) {
		const struct pool_case *c = &pool_cases[ci];
		size_t covered = 0, naive = 0;
		double share_sum = 0, truth_share = c->sb * c->sb / (c->sb * c->sb + c->sw * c->sw);
		size_t shares = 0;

		for (int d = 0; d < DATASETS; d++) {
			double x[POOL_RUNS_MAX][POOL_N_MAX], all[POOL_RUNS_MAX * POOL_N_MAX], v[POOL_RUNS_MAX];
			const double *xs[POOL_RUNS_MAX];
			struct cr_pooled p;
			struct cr_stats st;
			size_t n_all = 0;

			pool_draw(c, 0, x, &seed);
			for (size_t j = 0; j < c->k; j++) {
				xs[j] = x[j];
				for (size_t i = 0; i < c->n[j]; i++)
					all[n_all++] = x[j][i];
			}
			cr_pool(c->k, xs, c->n, v, &p);
			assert_true(p.log_scale);
			assert_int_equal(p.k, c->k);
			assert_int_equal(p.stats.method, CR_CI_LOG_T);
			covered += p.stats.ci_low <= 1 && 1 <= p.stats.ci_high;
			cr_stats_compute(all, n_all, &st);
			naive += st.ci_low <= 1 && 1 <= st.ci_high;
			if (isfinite(p.between_share)) {
				share_sum += p.between_share;
				shares++;
			}
		}
		pool_band("coverage of a pooled cell's interval", c, (double)covered / DATASETS, 0.93, 0.97);
		printf("# ... all samples as one cell instead: %.1f%%; between-run share %.2f on average (true %.2f)\n",
		       100.0 * (double)naive / DATASETS, share_sum / (double)shares, truth_share);
		/* the reason to pool by run: with the run level dominant, one cell of all samples is far too narrow */
		if (c->sb >= 2 * c->sw)
			assert_true((double)naive / DATASETS < 0.8);
		/* the share is estimated without a gross bias once there are 3 runs or more */
		if (c->k >= 3 && c->n[0] == c->n[1])
			assert_true(fabs(share_sum / (double)shares - truth_share) < 0.15);
	}
}

/*
 * A guest over the baseline in pooled runs (cr_ratio_runs): both share each
 * run's effect (sd 0.3) and each has its own run-to-run part (sd 0.05);
 * rounds sd 0.2. The paired interval covers the true ratio; and compare's
 * unpaired interval between two sets of runs (cr_ratio_interval on the run
 * values) covers it too, and flags unchanged data at about 5%.
 */
static void pooled_ratio(void **state)
{
	const size_t ks[] = { 3, 5 };
	uint64_t seed = 7;

	for (size_t z = 0; z < ARRAY_SIZE(ks); z++) {
		struct pool_case c = { "shared sb 0.3, own 0.05, sw 0.2", ks[z], 0, 0.2, { 5, 5, 5, 5, 5 } };
		size_t covered = 0, covered_sets = 0, flags = 0;

		for (int d = 0; d < DATASETS; d++) {
			double x[2][POOL_RUNS_MAX][POOL_N_MAX], v[2][POOL_RUNS_MAX], w[2][POOL_RUNS_MAX];
			const double *xs[2][POOL_RUNS_MAX];
			const double mu[2] = { log(2.5), 0 };
			struct cr_pooled p[2];
			struct cr_ratio q;

			for (size_t j = 0; j < c.k; j++) {
				double u = 0.3 * gauss(&seed);

				for (int g = 0; g < 2; g++) {
					double own = 0.05 * gauss(&seed);

					for (size_t i = 0; i < c.n[j]; i++)
						x[g][j][i] = exp(mu[g] + u + own + c.sw * gauss(&seed));
					xs[g][j] = x[g][j];
				}
			}
			for (int g = 0; g < 2; g++)
				cr_pool(c.k, xs[g], c.n, v[g], &p[g]);
			cr_ratio_runs(v[0], v[1], c.k, true, &q);
			assert_int_equal(q.method, CR_RATIO_RUNS_PAIRED);
			covered += q.low <= 2.5 && 2.5 <= q.high;
			/* two independent sets of runs of one guest: run values of the baseline, unchanged */
			for (size_t j = 0; j < c.k; j++) {
				double u = 0.3 * gauss(&seed);

				for (size_t i = 0; i < c.n[j]; i++)
					x[0][j][i] = exp(u + 0.05 * gauss(&seed) + c.sw * gauss(&seed));
			}
			for (int g = 0; g < 2; g++)
				cr_pool(c.k, xs[g], c.n, w[g], &p[g]);
			cr_ratio_interval(w[0], c.k, w[1], c.k, &q);
			covered_sets += q.low <= 1 && 1 <= q.high;
			flags += cr_ratio_excludes_one(&q);
		}
		pool_band("coverage of a pooled ratio's interval (paired by run)", &c, (double)covered / DATASETS, 0.93, 0.97);
		pool_band("coverage of compare's interval between two sets of runs", &c, (double)covered_sets / DATASETS, 0.93, 0.97);
		pool_band("compare's false alarms between two sets of runs, unchanged", &c, (double)flags / DATASETS, 0.03, 0.07);
	}
}

/*
 * One new run against k earlier runs of the same cell, unchanged
 * (cr_ratio_run_predicted): the new run's value falls outside the
 * prediction interval about 5% of the time, whatever share of the variance
 * lies between runs; and a slowdown of three run-level sd is found.
 */
static void run_predicted(void **state)
{
	const struct pool_case cases[] = {
		{ "sb 0.2, sw 0.2", 3, 0.2, 0.2, { 5, 5, 5 } },
		{ "sb 0.3, sw 0.1", 5, 0.3, 0.1, { 5, 5, 5, 5, 5 } },
		{ "sb 0, sw 0.2", 5, 0, 0.2, { 5, 5, 5, 5, 5 } },
	};
	uint64_t seed = 8;

	for (size_t ci = 0; ci < ARRAY_SIZE(cases); ci++) {
		const struct pool_case *c = &cases[ci];
		size_t flags = 0, found = 0;
		/* the sd of one run's log geometric mean */
		double shift = 3 * sqrt(c->sb * c->sb + c->sw * c->sw / (double)c->n[0]);

		for (int d = 0; d < DATASETS; d++) {
			double x[POOL_RUNS_MAX][POOL_N_MAX], v[POOL_RUNS_MAX], one[POOL_N_MAX], slow[POOL_N_MAX];
			const double *xs[POOL_RUNS_MAX];
			double u = c->sb * gauss(&seed), gm = 0, gs = 0;
			struct cr_pooled p;
			struct cr_ratio q;

			pool_draw(c, 0, x, &seed);
			for (size_t j = 0; j < c->k; j++)
				xs[j] = x[j];
			cr_pool(c->k, xs, c->n, v, &p);
			for (size_t i = 0; i < c->n[0]; i++) {
				double e = c->sw * gauss(&seed);

				one[i] = exp(u + e);
				slow[i] = exp(u + e + shift);
				gm += log(one[i]) / (double)c->n[0];
				gs += log(slow[i]) / (double)c->n[0];
			}
			cr_ratio_run_predicted(v, c->k, exp(gm), true, &q);
			assert_int_equal(q.method, CR_RATIO_RUN_PREDICTED);
			flags += cr_ratio_excludes_one(&q);
			cr_ratio_run_predicted(v, c->k, exp(gs), true, &q);
			found += q.low > 1;
		}
		pool_band("compare's false alarms, one unchanged run against earlier runs", c, (double)flags / DATASETS, 0.03, 0.07);
		printf("# ... a run 3 run-level sd slower is flagged in %.1f%%\n", 100.0 * (double)found / DATASETS);
		assert_true((double)found / DATASETS > 0.25);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cell_interval),    cmocka_unit_test(mean_interval),   cmocka_unit_test(ratio_interval),
		cmocka_unit_test(fieller_interval), cmocka_unit_test(rank_test_level), cmocka_unit_test(pooled_interval),
		cmocka_unit_test(pooled_ratio), cmocka_unit_test(run_predicted),
	};
	/* clang-format on */

	return tap_run("coverage", tests);
}
