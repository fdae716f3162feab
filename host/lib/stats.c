/* Median, mean, standard deviation, t interval, CV, and the seeded bootstrap interval of a ratio of means. */
#include <math.h>

#include "rng.h"
#include "stats.h"
#include "util.h"

/* t(0.975, df) for df 1..30 to 12 digits (the inverse of the regularized incomplete beta; df 1 and 2 also in closed form). */
static const double t975[] = {
	12.7062047362, 4.30265272975, 3.18244630528, 2.7764451052,  2.57058183564, 2.44691185114, 2.36462425159, 2.3060041352,
	2.2621571628,  2.22813885199, 2.20098516009, 2.17881282967, 2.16036865646, 2.14478668792, 2.13144954556, 2.11990529922,
	2.10981557783, 2.10092204024, 2.09302405441, 2.08596344727, 2.07961384473, 2.0738730679,  2.06865761042, 2.06389856163,
	2.05953855275, 2.05552943864, 2.05183051648, 2.0484071418,  2.04522964213, 2.0422724563,
};

double cr_t975(size_t df)
{
	/* beyond the table, the Cornish-Fisher expansion about z is within 2e-6 */
	const double z = 1.959963984540054, z2 = z * z;
	double v = (double)df;

	if (df >= 1 && df <= ARRAY_SIZE(t975))
		return t975[df - 1];
	if (df == 0)
		return NAN;
	return z + z * (z2 + 1) / (4 * v) + z * ((5 * z2 + 16) * z2 + 3) / (96 * v * v) +
	       z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * v * v * v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double cr_quantile_sorted(const double *sorted, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);

	if (n == 0)
		return NAN;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

void cr_stats_compute(const double *x, size_t n, struct cr_stats *out)
{
	cleanup_free double *s = NULL;
	double ss = 0;

	*out = (struct cr_stats){ .n = n, .median = NAN, .mean = NAN, .sd = NAN, .ci_low = NAN, .ci_high = NAN, .cv = NAN,
				  .min = NAN, .max = NAN };
	if (n == 0)
		return;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->min = s[0];
	out->max = s[n - 1];
	out->median = cr_quantile_sorted(s, n, 0.5);
	out->mean = mean_of(s, n);
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->sd = sqrt(ss / (double)(n - 1));
	out->ci_low = out->mean - cr_t975(n - 1) * out->sd / sqrt((double)n);
	out->ci_high = out->mean + cr_t975(n - 1) * out->sd / sqrt((double)n);
	if (out->mean != 0)
		out->cv = 100 * out->sd / fabs(out->mean);
}

static double resampled_mean(const double *x, size_t n, uint64_t *state)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[cr_splitmix64_below(state, n)];
	return s / (double)n;
}

void cr_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb, uint64_t seed, size_t resamples, struct cr_ratio *out)
{
	cleanup_free double *r = NULL;
	uint64_t state = seed;
	size_t kept = 0;

	*out = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .seed = seed };
	if (na == 0 || nb == 0 || mean_of(b, nb) == 0)
		return;
	out->ratio = mean_of(a, na) / mean_of(b, nb);
	if (na < 2 || nb < 2 || resamples == 0)
		return;
	r = xmalloc(resamples * sizeof(*r));
	for (size_t i = 0; i < resamples; i++) {
		double ma = resampled_mean(a, na, &state), mb = resampled_mean(b, nb, &state);

		if (mb != 0)
			r[kept++] = ma / mb;
	}
	if (kept == 0)
		return;
	qsort(r, kept, sizeof(*r), cmp_double);
	out->low = cr_quantile_sorted(r, kept, 0.025);
	out->high = cr_quantile_sorted(r, kept, 0.975);
	out->resamples = kept;
}
