/* Median, mean, geometric mean and their 95% intervals, ratios with log-scale Welch or Fieller intervals, the exact rank-sum test. */
#include <math.h>

#include "stats.h"
#include "util.h"

/* clang-format off */
const char *const cr_ci_method_names[CR_CI__MAX] = {
	[CR_CI_NONE] = "none",
	[CR_CI_LOG_T] = "geometric mean, t on the logarithms",
	[CR_CI_T] = "mean, t",
	[CR_CI_T_BOUNDED] = "mean, t, bounded at 0",
};
/* clang-format on */

/* clang-format off */
const char *const cr_ratio_method_names[CR_RATIO__MAX] = {
	[CR_RATIO_NONE] = "none",
	[CR_RATIO_LOG_WELCH] = "ratio of geometric means, Welch t on the logarithms",
	[CR_RATIO_FIELLER] = "ratio of means, Fieller",
	[CR_RATIO_RUNS_PAIRED] = "geometric mean of the runs' ratios, t on the logarithms",
	[CR_RATIO_RUN_PREDICTED] = "one run over the runs' geometric mean, t prediction interval on the logarithms",
};
/* clang-format on */

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

/* The continued fraction of the regularized incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap, h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m < 500; m++) {
		double m2 = 2.0 * m,
		       aa[2] = { m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)) };

		for (int i = 0; i < 2; i++) {
			d = 1 + aa[i] * d;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = 1 + aa[i] / c;
			c = fabs(c) < tiny ? tiny : c;
			h *= d * c;
		}
		if (fabs(d * c - 1) < 1e-15)
			break;
	}
	return h;
}

/* I_x(a, b) */
static double ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

double cr_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(df))
		return 0.5 * erfc(-t / sqrt(2));
	tail = 0.5 * ibeta(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

double cr_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, sign = p < 0.5 ? -1 : 1, q = p < 0.5 ? 1 - p : p;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	while (cr_t_cdf(hi, df) < q && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-11 * (1 + hi); i++) {
		double mid = (lo + hi) / 2;

		if (cr_t_cdf(mid, df) < q)
			lo = mid;
		else
			hi = mid;
	}
	return sign * (lo + hi) / 2;
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

/* Mean and sample variance (n - 1) of x, or of log(x) with logs. */
static void moments(const double *x, size_t n, bool logs, double *mean, double *var)
{
	double s = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		s += logs ? log(x[i]) : x[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = (logs ? log(x[i]) : x[i]) - *mean;

		ss += d * d;
	}
	*var = n > 1 ? ss / (double)(n - 1) : NAN;
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return false;
	return true;
}

static bool none_negative(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i] < 0)
			return false;
	return true;
}

void cr_stats_compute(const double *x, size_t n, struct cr_stats *out)
{
	cleanup_free double *s = NULL;
	double var, lmean = NAN, lvar = NAN, half;

	*out = (struct cr_stats){ .n = n,
				  .median = NAN,
				  .mean = NAN,
				  .sd = NAN,
				  .gmean = NAN,
				  .estimate = NAN,
				  .ci_low = NAN,
				  .ci_high = NAN,
				  .cv = NAN,
				  .min = NAN,
				  .max = NAN };
	if (n == 0)
		return;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->min = s[0];
	out->max = s[n - 1];
	out->median = cr_quantile_sorted(s, n, 0.5);
	moments(s, n, false, &out->mean, &var);
	out->estimate = out->mean;
	if (s[0] > 0) {
		moments(s, n, true, &lmean, &lvar);
		out->gmean = out->estimate = exp(lmean);
	}
	if (n < 2)
		return;
	out->sd = sqrt(var);
	if (out->mean != 0)
		out->cv = 100 * out->sd / fabs(out->mean);
	if (s[0] > 0) {
		half = cr_t975(n - 1) * sqrt(lvar / (double)n);
		out->ci_low = exp(lmean - half);
		out->ci_high = exp(lmean + half);
		out->method = CR_CI_LOG_T;
		return;
	}
	cr_mean_interval(s, n, &out->ci_low, &out->ci_high);
	out->method = CR_CI_T;
	if (s[0] >= 0 && out->ci_low < 0) {
		out->ci_low = 0;
		out->method = CR_CI_T_BOUNDED;
	}
}

void cr_mean_interval(const double *x, size_t n, double *low, double *high)
{
	double mean, var, half;

	*low = *high = NAN;
	if (n < 2)
		return;
	moments(x, n, false, &mean, &var);
	half = cr_t975(n - 1) * sqrt(var / (double)n);
	*low = mean - half;
	*high = mean + half;
}

/* Welch-Satterthwaite degrees of freedom of v[0] + ... + v[k-1] (each a variance of a mean of n[i] samples); INFINITY when all are 0. */
static double welch_df(size_t k, const double v[], const size_t n[])
{
	double sum = 0, den = 0;

	for (size_t i = 0; i < k; i++) {
		sum += v[i];
		den += v[i] * v[i] / (double)(n[i] - 1);
	}
	return den > 0 ? sum * sum / den : INFINITY;
}

static double t975_real(double df)
{
	return isinf(df) ? 1.959963984540054 : cr_t_quantile(0.975, df);
}

/* Fieller: the rho with (ma - rho mb)^2 <= t^2 (va + rho^2 vb), when that set is an interval. */
static void fieller(double ma, double va, double mb, double vb, double t, struct cr_ratio *out)
{
	double a = mb * mb - t * t * vb, b = -2 * ma * mb, c = ma * ma - t * t * va, disc = b * b - 4 * a * c, r1, r2;

	if (!(a > 0) || disc < 0) {
		out->unbounded = true;
		return;
	}
	r1 = (-b - sqrt(disc)) / (2 * a);
	r2 = (-b + sqrt(disc)) / (2 * a);
	out->low = fmin(r1, r2);
	out->high = fmax(r1, r2);
}

void cr_ratio_interval(const double *a, size_t na, const double *b, size_t nb, struct cr_ratio *out)
{
	bool logs = all_positive(a, na) && all_positive(b, nb);

	cr_ratio_interval_by(logs ? CR_RATIO_LOG_WELCH : CR_RATIO_FIELLER, a, na, b, nb, out);
}

void cr_ratio_interval_by(enum cr_ratio_method method, const double *a, size_t na, const double *b, size_t nb, struct cr_ratio *out)
{
	const double *const x[] = { a, b };
	const size_t n[] = { na, nb };
	const int sign[] = { +1, -1 };
	double ma, va, mb, vb, v[2], t;

	*out = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .df = NAN };
	if (method == CR_RATIO_LOG_WELCH) {
		cr_log_contrast(2, x, n, sign, out, NULL);
		return;
	}
	if (na == 0 || nb == 0 || method == CR_RATIO_NONE)
		return;
	moments(a, na, false, &ma, &va);
	moments(b, nb, false, &mb, &vb);
	if (mb == 0)
		return;
	out->method = CR_RATIO_FIELLER;
	out->ratio = ma / mb;
	if (na < 2 || nb < 2)
		return;
	v[0] = va /= (double)na;
	v[1] = vb /= (double)nb;
	out->df = welch_df(2, v, n);
	t = t975_real(out->df);
	fieller(ma, va, mb, vb, t, out);
	if (!out->unbounded && out->low < 0 && none_negative(a, na) && none_negative(b, nb))
		out->low = 0;
}

void cr_log_contrast(size_t k, const double *const x[], const size_t n[], const int sign[], struct cr_ratio *out, double *p)
{
	cleanup_free double *v = xcalloc(k ? k : 1, sizeof(*v));
	double d = 0, var = 0, t;
	bool interval = true;

	*out = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .df = NAN };
	if (p)
		*p = NAN;
	for (size_t i = 0; i < k; i++)
		if (n[i] == 0 || !all_positive(x[i], n[i]))
			return;
	for (size_t i = 0; i < k; i++) {
		double m;

		moments(x[i], n[i], true, &m, &v[i]);
		d += sign[i] > 0 ? m : -m;
		interval &= n[i] >= 2;
	}
	out->method = CR_RATIO_LOG_WELCH;
	out->ratio = exp(d);
	if (!interval)
		return;
	for (size_t i = 0; i < k; i++) {
		v[i] /= (double)n[i];
		var += v[i];
	}
	out->df = welch_df(k, v, n);
	t = t975_real(out->df);
	out->low = exp(d - t * sqrt(var));
	out->high = exp(d + t * sqrt(var));
	if (p)
		*p = var > 0 ? 2 * (1 - cr_t_cdf(fabs(d) / sqrt(var), out->df)) : d == 0 ? 1 : 0;
}

bool cr_ratio_excludes_one(const struct cr_ratio *q)
{
	return isfinite(q->low) && isfinite(q->high) && (q->low > 1 || q->high < 1);
}

/* ---- pooling runs ---- */

/* The mean with its t interval, bounded at 0 when nonneg: the fallback estimate, whatever the signs. */
static void mean_stats(const double *x, size_t n, bool nonneg, struct cr_stats *out)
{
	cr_stats_compute(x, n, out);
	out->gmean = NAN;
	out->estimate = out->mean;
	if (n < 2) {
		out->method = CR_CI_NONE;
		out->ci_low = out->ci_high = NAN;
		return;
	}
	cr_mean_interval(x, n, &out->ci_low, &out->ci_high);
	out->method = CR_CI_T;
	if (nonneg && out->ci_low < 0) {
		out->ci_low = 0;
		out->method = CR_CI_T_BOUNDED;
	}
}

/*
 * One-way random-effects ANOVA on y (log x or x), from each run's mean m[j]
 * and variance v[j] of y: the run level's share of the variance, or NAN.
 */
static double between_share(size_t runs, const double *const x[], const size_t n[], bool logs, const double *m, const double *v)
{
	double total = 0, grand = 0, ssb = 0, ssw = 0, sum_n2 = 0, n0, msb, msw, sb2, lo = INFINITY, hi = -INFINITY;
	size_t k = 0;

	for (size_t j = 0; j < runs; j++) {
		for (size_t i = 0; i < n[j]; i++) {
			double y = logs ? log(x[j][i]) : x[j][i];

			lo = fmin(lo, y);
			hi = fmax(hi, y);
		}
		if (n[j])
			grand += (double)n[j] * m[j];
		total += (double)n[j];
		sum_n2 += (double)n[j] * (double)n[j];
		k += n[j] > 0;
	}
	/* every sample alike: no variance to share (rounding would make some of it up) */
	if (k < 2 || total <= (double)k || lo == hi)
		return NAN;
	grand /= total;
	for (size_t j = 0; j < runs; j++) {
		if (!n[j])
			continue;
		ssb += (double)n[j] * (m[j] - grand) * (m[j] - grand);
		ssw += n[j] > 1 ? v[j] * (double)(n[j] - 1) : 0;
	}
	msb = ssb / (double)(k - 1);
	msw = ssw / (total - (double)k);
	n0 = (total - sum_n2 / total) / (double)(k - 1);
	sb2 = fmax(0, (msb - msw) / n0);
	return sb2 + msw > 0 ? sb2 / (sb2 + msw) : NAN;
}

void cr_pool(size_t runs, const double *const x[], const size_t n[], double *run_value, struct cr_pooled *out)
{
	cleanup_free double *v = xcalloc(runs ? runs : 1, sizeof(*v)), *m = xcalloc(runs ? runs : 1, sizeof(*m)),
			    *var = xcalloc(runs ? runs : 1, sizeof(*var));
	bool logs = true, nonneg = true;

	*out = (struct cr_pooled){ .between_share = NAN };
	for (size_t j = 0; j < runs; j++) {
		logs &= all_positive(x[j], n[j]);
		nonneg &= none_negative(x[j], n[j]);
		out->n += n[j];
	}
	for (size_t j = 0; j < runs; j++) {
		run_value[j] = NAN;
		if (!n[j])
			continue;
		moments(x[j], n[j], logs, &m[j], &var[j]);
		run_value[j] = v[out->k++] = logs ? exp(m[j]) : m[j];
	}
	out->log_scale = logs && out->k;
	if (out->log_scale)
		cr_stats_compute(v, out->k, &out->stats);
	else
		mean_stats(v, out->k, nonneg, &out->stats);
	out->between_share = between_share(runs, x, n, logs, m, var);
}

void cr_ratio_runs(const double *a, const double *b, size_t runs, bool log_scale, struct cr_ratio *out)
{
	cleanup_free double *q = xcalloc(runs ? runs : 1, sizeof(*q)), *va = xcalloc(runs ? runs : 1, sizeof(*va)),
			    *vb = xcalloc(runs ? runs : 1, sizeof(*vb));
	size_t k = 0, ka = 0, kb = 0;
	struct cr_stats s;

	*out = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .df = NAN };
	if (!log_scale) {
		for (size_t j = 0; j < runs; j++) {
			if (isfinite(a[j]))
				va[ka++] = a[j];
			if (isfinite(b[j]))
				vb[kb++] = b[j];
		}
		cr_ratio_interval_by(CR_RATIO_FIELLER, va, ka, vb, kb, out);
		return;
	}
	for (size_t j = 0; j < runs; j++)
		if (a[j] > 0 && b[j] > 0)
			q[k++] = a[j] / b[j];
	if (!k)
		return;
	cr_stats_compute(q, k, &s);
	out->method = CR_RATIO_RUNS_PAIRED;
	out->ratio = s.gmean;
	if (k < 2)
		return;
	out->low = s.ci_low;
	out->high = s.ci_high;
	out->df = (double)(k - 1);
}

void cr_ratio_run_predicted(const double *runs, size_t k, double one, bool one_over_runs, struct cr_ratio *out)
{
	double m, v, d, half;

	*out = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .df = NAN };
	if (!k || !(one > 0) || !all_positive(runs, k))
		return;
	moments(runs, k, true, &m, &v);
	d = one_over_runs ? log(one) - m : m - log(one);
	out->method = CR_RATIO_RUN_PREDICTED;
	out->ratio = exp(d);
	if (k < 2)
		return;
	out->df = (double)(k - 1);
	half = cr_t975(k - 1) * sqrt(v * (1 + 1.0 / (double)k));
	out->low = exp(d - half);
	out->high = exp(d + half);
}

/* ---- the rank-sum test ---- */

struct ranked {
	double v;
	bool in_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v, &((const struct ranked *)y)->v);
}

/* The exact permutation distribution is counted for at most this many samples in all; beyond, the normal approximation. */
#define RANK_EXACT_MAX 60

double cr_rank_test(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, maxsum, obs = 0;
	cleanup_free struct ranked *p = NULL;
	cleanup_free unsigned *r2 = NULL; /* doubled mid-ranks, whole numbers */
	cleanup_free double *count = NULL;
	double expect, total = 0, extreme = 0, ties = 0;

	if (na == 0 || nb == 0)
		return NAN;
	p = xmalloc(n * sizeof(*p));
	r2 = xmalloc(n * sizeof(*r2));
	for (size_t i = 0; i < n; i++)
		p[i] = (struct ranked){ i < na ? a[i] : b[i - na], i < na };
	qsort(p, n, sizeof(*p), cmp_ranked);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && p[j].v == p[i].v; j++)
			;
		for (size_t k = i; k < j; k++)
			r2[k] = (unsigned)(i + j + 1); /* 2 * mid-rank of ranks i+1..j */
		ties += (double)(j - i) * ((double)(j - i) * (double)(j - i) - 1);
	}
	for (size_t i = 0; i < n; i++)
		obs += p[i].in_a ? r2[i] : 0;
	expect = (double)na * (double)(n + 1); /* doubled */
	if (n > RANK_EXACT_MAX) {
		/* doubled rank sum: variance 4 na nb (n + 1) / 12, less the tie correction */
		double var = 4.0 * (double)na * (double)nb / 12 * ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
		double z = var > 0 ? fabs((double)obs - expect) / sqrt(var) : 0;

		return var > 0 ? erfc(z / sqrt(2)) : 1;
	}
	maxsum = n * (n + 1);
	/* count[k][s]: subsets of k of the samples seen so far with doubled rank sum s */
	count = xcalloc((na + 1) * (maxsum + 1), sizeof(*count));
	count[0] = 1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = (i + 1 < na ? i + 1 : na); k >= 1; k--)
			for (size_t s = r2[i]; s <= maxsum; s++)
				count[k * (maxsum + 1) + s] += count[(k - 1) * (maxsum + 1) + s - r2[i]];
	for (size_t s = 0; s <= maxsum; s++) {
		double c = count[na * (maxsum + 1) + s];

		total += c;
		/* sums are whole numbers in doubled units: a half unit of slack is exact */
		if (fabs((double)s - expect) >= fabs((double)obs - expect) - 0.5)
			extreme += c;
	}
	return fmin(1, extreme / total);
}
