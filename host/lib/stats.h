/* Descriptive statistics of samples, their 95% intervals, ratios between samples and the rank test (docs/report.md, "Statistics"). */
#ifndef CRBENCH_STATS_H
#define CRBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How a 95% interval was made. Run times, throughputs and latencies are
 * positive and skewed: with every sample > 0 the estimate is the geometric
 * mean and its interval Student's t on the logarithms, back-transformed, so
 * it never goes below 0 and holds at n = 5 on log-normal data. A sample <= 0
 * (a CPU share of 0) leaves the arithmetic mean and its t interval, bounded
 * at 0 when no sample is negative.
 */
enum cr_ci_method {
	CR_CI_NONE,	 /* fewer than 2 samples */
	CR_CI_LOG_T,	 /* geometric mean, t on log(x) */
	CR_CI_T,	 /* mean, t */
	CR_CI_T_BOUNDED, /* mean, t, lower end raised to 0 (no sample < 0) */
	CR_CI__MAX,
};
extern const char *const cr_ci_method_names[CR_CI__MAX];

/*
 * What a cell of the report says about its samples. Fields that need more
 * samples than there are are NAN: sd, the interval and cv need n >= 2,
 * everything needs n >= 1; cv is also NAN when the mean is 0, gmean when a
 * sample is <= 0.
 */
struct cr_stats {
	size_t n;
	double median, mean;
	double sd;		/* sample standard deviation (n - 1) */
	double gmean;		/* geometric mean; NAN unless every sample > 0 */
	double estimate;	/* what the interval is for: gmean when there is one, else mean */
	double ci_low, ci_high; /* its 95% interval (method) */
	enum cr_ci_method method;
	double cv; /* coefficient of variation, sd / mean, in percent */
	double min, max;
};

void cr_stats_compute(const double *x, size_t n, struct cr_stats *out);
/* The t interval of the mean alone, whatever the signs (the interval cr_stats_compute falls back to); NAN for n < 2. */
void cr_mean_interval(const double *x, size_t n, double *low, double *high);

/* The 0.975 quantile of Student's t with df degrees of freedom (df >= 1). */
double cr_t975(size_t df);
/* P(T <= t) for Student's t with df > 0 degrees of freedom (df need not be whole). */
double cr_t_cdf(double t, double df);
/* The p quantile of Student's t with df > 0 degrees of freedom, 0 < p < 1; to 1e-10. */
double cr_t_quantile(double p, double df);

/* Quantile p of sorted x by linear interpolation between order statistics (Hyndman & Fan type 7). */
double cr_quantile_sorted(const double *sorted, size_t n, double p);

/*
 * The ratio of two cells' estimates and its 95% interval. With every sample
 * of both sides > 0: the ratio of geometric means, its interval Welch's t on
 * the difference of the mean logarithms (Satterthwaite's degrees of
 * freedom), back-transformed. Otherwise: the ratio of means with Fieller's
 * interval (Welch's degrees of freedom), which is unbounded when the
 * denominator's mean is not clearly away from 0.
 */
enum cr_ratio_method {
	CR_RATIO_NONE,		/* a side without samples, or a zero denominator */
	CR_RATIO_LOG_WELCH,	/* ratio of geometric means */
	CR_RATIO_FIELLER,	/* ratio of means */
	CR_RATIO_RUNS_PAIRED,	/* pooled runs: geometric mean of the runs' ratios, t on their logarithms */
	CR_RATIO_RUN_PREDICTED, /* one run against pooled runs: t prediction interval on the logarithms */
	CR_RATIO__MAX,
};
extern const char *const cr_ratio_method_names[CR_RATIO__MAX];

struct cr_ratio {
	double ratio;	  /* NAN when a side has no sample or the denominator is 0 */
	double low, high; /* NAN when a side has fewer than 2 samples, or Fieller's interval is unbounded */
	double df;	  /* degrees of freedom of the t quantile; INFINITY when both sides are constant */
	enum cr_ratio_method method;
	bool unbounded; /* Fieller: the denominator's interval reaches 0 */
};

void cr_ratio_interval(const double *a, size_t na, const double *b, size_t nb, struct cr_ratio *out);
/* The same with the method given: CR_RATIO_LOG_WELCH needs every sample > 0 (else none), CR_RATIO_FIELLER takes any. */
void cr_ratio_interval_by(enum cr_ratio_method method, const double *a, size_t na, const double *b, size_t nb, struct cr_ratio *out);
/*
 * exp(sum of sign[i] * mean(log x[i])) over k independent cells, every
 * sample > 0 (else no ratio): a ratio of geometric means (k = 2, signs +1
 * -1), or a ratio of such ratios (k = 4). Its 95% interval is Welch's t on
 * the logarithms with Satterthwaite's degrees of freedom, when every cell
 * has 2 samples; *p (when p is not NULL) is that t test's two-sided p value
 * against a ratio of 1. cr_ratio_interval's log-scale method is this with
 * k = 2.
 */
void cr_log_contrast(size_t k, const double *const x[], const size_t n[], const int sign[], struct cr_ratio *out, double *p);
/* The interval lies wholly above or below 1: the rule of crbench compare and of the report's claims. */
bool cr_ratio_excludes_one(const struct cr_ratio *q);

/*
 * Several runs of one cell pooled, the run as a level (docs/report.md,
 * "Pooling runs"). Each run with a sample gives one value: with every sample
 * of every run > 0 its geometric mean (log_scale), else its mean. The
 * estimate and its 95% interval are those of the run values, k - 1 degrees
 * of freedom: the geometric mean of the runs' geometric means with t on
 * their logarithms (or the mean of the means with t, bounded at 0 when no
 * sample is negative). Under a two-level model (a run effect, then the
 * rounds within a run) each run value carries both levels of variance, so
 * the interval needs no estimate of either. between_share is the share of
 * the run level in the variance of one sample on that scale: the one-way
 * ANOVA (method of moments) estimate sb2 / (sb2 + sw2), sb2 floored at 0;
 * NAN with fewer than 2 runs, or no run with 2 samples.
 */
struct cr_pooled {
	size_t k;	       /* runs with a sample */
	size_t n;	       /* samples in all */
	bool log_scale;	       /* run values are geometric means */
	double between_share;  /* in [0, 1], or NAN */
	struct cr_stats stats; /* of the run values; n = k */
};

/* x[j], n[j]: run j's samples; run_value[j] gets its value, NAN when it has none. */
void cr_pool(size_t runs, const double *const x[], const size_t n[], double *run_value, struct cr_pooled *out);
/*
 * The ratio a/b of two pooled cells measured in the same runs (a guest over
 * the baseline): each run where both have a value gives the ratio of its
 * values; the estimate is their geometric mean, its 95% interval t on their
 * logarithms (k - 1 df; a run's shared conditions cancel in its ratio).
 * With a side not on the log scale: Fieller's interval of the run values'
 * means (unpaired).
 */
void cr_ratio_runs(const double *a, const double *b, size_t runs, bool log_scale, struct cr_ratio *out);

/*
 * One run's value against k pooled runs' values (every one > 0; else no
 * ratio): the ratio of the one to the runs' geometric mean (or its inverse,
 * with one_over_runs false), its 95% interval the prediction interval of a
 * new run on the logarithms, exp(d ± t(0.975, k - 1) · sd · √(1 + 1/k)):
 * an unchanged run falls outside it 5% of the time, its run-to-run
 * variation counted.
 */
void cr_ratio_run_predicted(const double *runs, size_t k, double one, bool one_over_runs, struct cr_ratio *out);

/*
 * Two-sided exact p value of the Wilcoxon-Mann-Whitney rank-sum test of a
 * against b: the share of all splits of the pooled samples into groups of
 * na and nb whose rank sum of the first group lies at least as far from its
 * expectation as a's does. Ties take mid-ranks and the permutation
 * distribution is of those, so ties are exact too. NAN when a side is empty.
 */
double cr_rank_test(const double *a, size_t na, const double *b, size_t nb);

#endif
