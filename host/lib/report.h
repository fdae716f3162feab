/* The report: a run directory read into metrics per guest with their statistics, and the files a reviewer reads (docs/report.md). */
#ifndef CRBENCH_REPORT_H
#define CRBENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "claims.h"
#include "error.h"
#include "plan.h"
#include "stats.h"

/* The tables of the report, in the papers' order. */
enum cr_report_table {
	CR_TABLE_BOOT,
	CR_TABLE_DISK,
	CR_TABLE_CPU,
	CR_TABLE_MEMORY,
	CR_TABLE_NET_IO,
	CR_TABLE_NET_BANDWIDTH,
	CR_TABLE_NET_LATENCY,
	CR_TABLE__MAX,
};

struct cr_report_table_info {
	const char *name;   /* file stem: "boot" -> boot.csv */
	const char *title;  /* "Container boot time" */
	const char *source; /* the paper's table or figure it reproduces */
	const char *note;   /* what its numbers are, for the reader */
	enum cr_test test;  /* the suite's test that feeds it */
};
extern const struct cr_report_table_info cr_report_tables[CR_TABLE__MAX];

enum cr_cell_status {
	CR_CELL_OK,	      /* at least one sample */
	CR_CELL_UNSUPPORTED,  /* the runtime cannot do it */
	CR_CELL_FAILED,	      /* every measured entry failed or timed out */
	CR_CELL_NOT_MEASURED, /* entries ok, but the tool gave no value */
	CR_CELL_MISSING,      /* no entry: the guest did not run or stopped early */
};
extern const char *const cr_cell_status_names[];

/* One metric of one guest: its samples (warm-ups excluded) and what became of the rest. */
struct cr_report_cell {
	enum cr_cell_status status;
	double *samples; /* in entry order */
	size_t n, n_failed, n_unsupported, n_not_measured;
	char *reason; /* why it is not ok, or what failed among ok samples; NULL when nothing to say */
	struct cr_stats stats;
	struct cr_ratio ratio; /* mean of this guest / mean of the baseline guest; NAN for the baseline itself */
	double paper;	       /* the paper's number for this runtime (Kata's for a runtime in its place), NAN when it has none */
	const char *paper_source;
	const char *paper_runtime; /* the runtime the paper's number is of */
	char *paper_caveat;	   /* why ours / paper does not compare like with like, NULL when it does */
	/*
	 * A pooled report's cell (cr_report.n_runs > 0): samples holds the run
	 * values of the runs with a sample (n of them), stats their statistics
	 * (pooled.stats); run_values and run_n are per run of cr_report.runs,
	 * NAN and 0 where a run has none. NULL in a single run's report.
	 */
	double *run_values;
	size_t *run_n;
	struct cr_pooled pooled;
};

struct cr_report_metric {
	char *id;    /* "boot.httpd.first_200", "net.bridge-bridge.idle.bandwidth" */
	char *label; /* "httpd: create to first HTTP 200" */
	const char *unit;
	enum cr_report_table table;
	char *step; /* the step entries it is read from */
	char *path; /* the member of the entry, dotted ("data.httpd.first_200_seconds") */
	int how;    /* how the value is derived from the member (report.c) */
	double scale;
	struct cr_report_cell *cells; /* one per guest, in run.json order */
};

/* The reason of each cell of a refused guest (nothing measured): the guests table gives the refusal itself, once. */
#define CR_REPORT_REFUSED_CELL "the guest measured nothing: refused (the guests table says why)"

struct cr_report_guest {
	char *name, *runtime, *status, *reason; /* from run.json; reason may be NULL */
	json_t *entries;			/* the step entries of results/, warm-ups included */
	json_t *env;				/* the data of its env entry, or NULL */
	char *missing;				/* why it has no entries, or NULL when it has */
	size_t n_warmup;
	json_t *host; /* the libvirt host it ran on (run.json's guest "host"), or NULL: the run's */
};

/* One run of a pooled report. */
struct cr_report_run {
	char *dir;
	char *id;
	json_t *run; /* its run.json */
};

struct cr_report {
	char *dir;   /* a pooled report's: the run directories, joined by ", " */
	json_t *run; /* run.json */
	const char *run_id;
	struct cr_plan *plan; /* plan.ini, or NULL when it cannot be read (every test then counts as planned) */
	struct cr_report_guest *guests;
	size_t n_guests;
	size_t baseline; /* the guest ratios are taken against: the first runc guest, else the first */
	struct cr_report_metric *metrics;
	size_t n_metrics;
	size_t n_warmup;	 /* warm-up entries excluded, all guests */
	char **notes;		 /* what is missing from the run and why, NULL-terminated */
	struct cr_claim *claims; /* the papers' findings tested on this run (claims.h) */
	size_t n_claims;
	struct cr_report_run *runs; /* a pooled report's runs (cr_report_pool), else NULL */
	size_t n_runs;
};

/*
 * Read RUN_DIR (docs/run-format.md): run.json is required; plan.ini and the
 * guests' results are read when there; anything missing becomes a note or a
 * cell saying why, never an error.
 */
int cr_report_load(const char *run_dir, struct cr_report **out, cr_error_t *err);
void cr_report_free(struct cr_report *r);
static inline void cleanup_reportp(struct cr_report **r)
{
	cr_report_free(*r);
}
#define cleanup_report __attribute__((cleanup(cleanup_reportp)))

/*
 * Several runs of the same plan read into one report whose cells pool them
 * with the run as a level (cr_pool: one value per run, the estimate and its
 * interval from those, the between-run share of the variance; ratios
 * between guests paired by run, cr_ratio_runs). The plans must agree in
 * everything that shapes a measurement (all but the run's name, seed,
 * timeouts, repetitions and the Kata tarball's location): else an error
 * naming the first difference. n = 1 reads that run alone (cr_report_load).
 */
int cr_report_pool(const char *const *run_dirs, size_t n, struct cr_report **out, cr_error_t *err);

/* A run directory, or several joined by commas, pooled (a path that is a directory is one run, commas or not). */
int cr_report_load_set(const char *spec, struct cr_report **out, cr_error_t *err);

/* Add a note (taken) to the report's notes. */
void cr_report_note(struct cr_report *r, char *text);
/* The papers' numbers beside every cell (cr_report_cell.paper), from run.json's accelerator and the guests' runtimes. */
void cr_report_papers(struct cr_report *r);

/* The metric with this id, or NULL. */
const struct cr_report_metric *cr_report_metric(const struct cr_report *r, const char *id);
/* The guest with this name, or -1. */
ssize_t cr_report_guest(const struct cr_report *r, const char *name);

/* A number as the report prints it: 3 or 4 significant digits, every integer digit from 1000 up, "—" for NAN. */
char *cr_report_num(double x);

/* Every statistic of the report as one JSON document (report.json). */
json_t *cr_report_json(const struct cr_report *r);

/*
 * Write report.md, report.html, one CSV per table, report.json and the
 * figures (gnuplot, SVG and PNG, with their .gp and .dat files) into
 * out_dir, created when missing. Figures that cannot be made are said in
 * the report and in *warnings (NULL-terminated, may stay NULL); that is not
 * an error.
 */
int cr_report_write(const struct cr_report *r, const char *out_dir, char ***warnings, cr_error_t *err);

/* Load run_dir and write its report into out_dir (NULL: run_dir/report): what crbench report and crbench run do. */
int cr_report_make(const char *run_dir, const char *out_dir, char ***warnings, cr_error_t *err);

#endif
