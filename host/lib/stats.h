/* Descriptive statistics of samples and the bootstrap interval of a ratio of means (docs/report.md, "Statistics"). */
#ifndef CRBENCH_STATS_H
#define CRBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Resamples of every bootstrap interval crbench reports. */
#define CR_BOOTSTRAP_RESAMPLES 2000

/*
 * What a cell of the report says about its samples. Fields that need more
 * samples than there are are NAN: sd, the interval and cv need n >= 2,
 * everything needs n >= 1; cv is also NAN when the mean is 0.
 */
struct cr_stats {
	size_t n;
	double median, mean;
	double sd;		/* sample standard deviation (n - 1) */
	double ci_low, ci_high; /* 95% interval of the mean: mean -+ t(0.975, n - 1) sd / sqrt(n) */
	double cv;		/* coefficient of variation, sd / mean, in percent */
	double min, max;
};

void cr_stats_compute(const double *x, size_t n, struct cr_stats *out);

/* The 0.975 quantile of Student's t with df degrees of freedom (df >= 1). */
double cr_t975(size_t df);

/* Quantile p of sorted x by linear interpolation between order statistics (Hyndman & Fan type 7). */
double cr_quantile_sorted(const double *sorted, size_t n, double p);

/* mean(a) / mean(b) and its 95% percentile-bootstrap interval. */
struct cr_ratio {
	double ratio;	   /* NAN when a side has no sample or mean(b) is 0 */
	double low, high;  /* NAN when a side has fewer than 2 samples */
	size_t resamples;  /* 0 when there is no interval */
	uint64_t seed;
};

/*
 * Each of `resamples` rounds draws len(a) indices into a, then len(b)
 * indices into b, uniformly with replacement (cr_splitmix64_below from one
 * splitmix64 state started at seed), and takes the ratio of the resampled
 * means; the interval is the type 7 quantiles 0.025 and 0.975 of those
 * ratios. Rounds whose resampled mean(b) is 0 are dropped.
 */
void cr_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb, uint64_t seed, size_t resamples, struct cr_ratio *out);

#endif
