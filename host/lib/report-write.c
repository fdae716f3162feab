/* The report's files: report.md, report.html, one CSV per table, report.json, and the figures, drawn by gnuplot. */
#include <errno.h>
#include <math.h>
#include <sys/stat.h>

#include "proc.h"
#include "report.h"
#include "util.h"

/* ---- text of numbers and cells ---- */

char *cr_report_num(double x)
{
	double a = fabs(x);

	if (!isfinite(x))
		return xstrdup("—");
	if (a >= 1000)
		return xasprintf("%.0f", x);
	if (a >= 100)
		return xasprintf("%.1f", x);
	if (a >= 10)
		return xasprintf("%.2f", x);
	if (a >= 1)
		return xasprintf("%.3f", x);
	return xasprintf("%#.3g", x);
}

static char *fmt_interval(double lo, double hi)
{
	cleanup_free char *l = cr_report_num(lo), *h = cr_report_num(hi);

	return isfinite(lo) ? xasprintf("[%s, %s]", l, h) : xstrdup("—");
}

/* A scalar of run.json as text, "—" when absent. */
static char *jtext(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "yes" : "no");
	return xstrdup("—");
}

/* A byte count of run.json in GiB. */
static char *gib(json_t *v)
{
	return json_is_number(v) ? xasprintf("%.1f GiB", json_number_value(v) / (1 << 30)) : xstrdup("—");
}

/* The first line of a string member, "—" when absent. */
static char *first_line(json_t *v)
{
	const char *s = json_string_value(v);

	return s ? xstrndup(s, strcspn(s, "\n")) : xstrdup("—");
}

/*
 * What the agent set up for the runtime (the env record's runtime_setup):
 * Kata's VM size and shared file system, gVisor's platform, or why nothing
 * was measured; "—" when there is nothing to say.
 */
static char *runtime_setup(json_t *env)
{
	json_t *rs = json_object_get(env, "runtime_setup"), *kata = json_object_get(rs, "kata"), *runsc = json_object_get(rs, "runsc");
	const char *refused = json_string_value(json_object_get(rs, "refused"));
	cleanup_free char *what = NULL;

	if (kata)
		what = xasprintf("Kata: shared_fs %s, default_vcpus %lld, default_memory %lld MiB",
				 json_string_value(json_object_get(kata, "shared_fs"))
					 ? json_string_value(json_object_get(kata, "shared_fs"))
					 : "?",
				 (long long)json_integer_value(json_object_get(kata, "default_vcpus")),
				 (long long)json_integer_value(json_object_get(kata, "default_memory_mib")));
	else if (runsc)
		what = xasprintf("gVisor platform %s", json_string_value(json_object_get(runsc, "platform"))
							       ? json_string_value(json_object_get(runsc, "platform"))
							       : "?");
	if (refused)
		return xasprintf("%s%snothing measured: %s", what ? what : "", what ? "; " : "", refused);
	return what ? steal_pointer(&what) : xstrdup("—");
}

/* ---- a grid of text cells, rendered as Markdown or HTML ---- */

struct grid {
	size_t cols, n;
	char **cell; /* row-major, owned */
};

static void grid_push(struct grid *g, char *owned)
{
	g->cell = xrealloc(g->cell, (g->n + 1) * sizeof(char *));
	g->cell[g->n++] = owned;
}

static void grid_release(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->cell[i]);
	free(g->cell);
}

/* Cells for Markdown: a '|' would end the cell, a newline the row. */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* The first row is the header. */
static void grid_md(FILE *f, const struct grid *g, const char *class)
{
	for (size_t i = 0; i < g->n; i++) {
		fputs(i % g->cols ? " | " : "| ", f);
		md_text(f, g->cell[i]);
		if (i % g->cols == g->cols - 1) {
			fputs(" |\n", f);
			if (i + 1 == g->cols)
				for (size_t c = 0; c < g->cols; c++)
					fputs(c ? "---|" : "|---|", f);
			if (i + 1 == g->cols)
				fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void grid_html(FILE *f, const struct grid *g, const char *class)
{
	fprintf(f, "<table class=\"%s\">\n", class);
	for (size_t i = 0; i < g->n; i++) {
		const char *tag = i < g->cols ? "th" : "td";

		if (i % g->cols == 0)
			fputs("<tr>", f);
		fprintf(f, "<%s>", tag);
		html_text(f, g->cell[i]);
		fprintf(f, "</%s>", tag);
		if (i % g->cols == g->cols - 1)
			fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* ---- what the report says ---- */

static void environment_grid(const struct cr_report *r, struct grid *g)
{
	json_t *run = r->run, *host = json_object_get(run, "host"), *suite = json_object_get(json_object_get(run, "plan"), "suite");
	/* clang-format off */
	const struct {
		const char *label;
		json_t *value;
	} rows[] = {
		{ "run", json_object_get(run, "run_id") },
		{ "status", json_object_get(run, "status") },
		{ "started", json_object_get(run, "started") },
		{ "finished", json_object_get(run, "finished") },
		{ "crbench", json_object_get(run, "crbench_version") },
		{ "seed", json_object_get(run, "seed") },
		{ "profile", json_object_get(suite, "profile") },
		{ "repetitions", json_object_get(suite, "repetitions") },
		{ "warm-up rounds", json_object_get(suite, "warmup") },
		{ "host kernel", json_object_get(host, "kernel") },
		{ "host CPU", json_object_get(host, "cpu_model") },
		{ "host CPUs", json_object_get(host, "cpus") },
		{ "host memory", json_object_get(host, "memory_bytes") },
		{ "libvirt", json_object_get(host, "libvirt_version") },
		{ "QEMU", json_object_get(host, "qemu_version") },
		{ "accelerator", json_object_get(host, "accel") },
		{ "why", json_object_get(host, "accel_reason") },
		{ "vCPU pinning", json_object_get(run, "pinning") },
	};
	/* clang-format on */

	g->cols = 2;
	grid_push(g, xstrdup("environment"));
	grid_push(g, xstrdup("value"));
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		grid_push(g, xstrdup(rows[i].label));
		if (strcmp(rows[i].label, "why") == 0 && !rows[i].value && json_object_get(host, "accel"))
			grid_push(g, xstrdup("not recorded: the crbench that made this run did not write host.accel_reason"));
		else
			grid_push(g, strstr(rows[i].label, "memory") ? gib(rows[i].value) : jtext(rows[i].value));
	}
}

static void guests_grid(const struct cr_report *r, struct grid *g)
{
	static const char *const head[] = { "guest",	    "runtime",	"image",	   "vCPUs",	    "memory",
					    "status",	    "steps ok", "failed",	   "unsupported",   "warm-ups excluded",
					    "guest kernel", "Docker",	"runtime version", "runtime set-up" };
	json_t *guests = json_object_get(r->run, "guests");

	g->cols = ARRAY_SIZE(head);
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		grid_push(g, xstrdup(head[i]));
	for (size_t k = 0; k < r->n_guests; k++) {
		const struct cr_report_guest *rg = &r->guests[k];
		json_t *gj = NULL, *v;
		size_t i;

		json_array_foreach(guests, i, v)
			if (json_is_string(json_object_get(v, "name")) &&
			    strcmp(json_string_value(json_object_get(v, "name")), rg->name) == 0)
				gj = v;
		grid_push(g, xstrdup(rg->name));
		grid_push(g, xstrdup(rg->runtime));
		grid_push(g, jtext(json_object_get(gj, "image")));
		grid_push(g, jtext(json_object_get(gj, "vcpus")));
		grid_push(g, gib(json_object_get(gj, "memory_bytes")));
		grid_push(g, rg->reason ? xasprintf("%s: %s", rg->status, rg->reason) : xstrdup(rg->status));
		grid_push(g, jtext(json_object_get(gj, "steps_ok")));
		grid_push(g, jtext(json_object_get(gj, "steps_failed")));
		grid_push(g, jtext(json_object_get(gj, "steps_unsupported")));
		grid_push(g, xasprintf("%zu", rg->n_warmup));
		grid_push(g, jtext(json_object_get(json_object_get(rg->env, "kernel"), "release")));
		grid_push(g, jtext(json_object_get(json_object_get(rg->env, "docker_version"), "Version")));
		grid_push(g, first_line(json_object_get(json_object_get(rg->env, "runtime_version"), "output")));
		grid_push(g, runtime_setup(rg->env));
	}
}

/* A pooled report's runs, one row each, with what their hosts were. */
static void runs_grid(const struct cr_report *r, struct grid *g)
{
	static const char *const head[] = { "run",  "directory", "status",	"started",     "crbench", "host CPU",
					    "CPUs", "memory",	 "accelerator", "host kernel", "QEMU" };

	g->cols = ARRAY_SIZE(head);
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		grid_push(g, xstrdup(head[i]));
	for (size_t j = 0; j < r->n_runs; j++) {
		json_t *run = r->runs[j].run, *host = json_object_get(run, "host");

		grid_push(g, xstrdup(r->runs[j].id));
		grid_push(g, xstrdup(r->runs[j].dir));
		grid_push(g, jtext(json_object_get(run, "status")));
		grid_push(g, jtext(json_object_get(run, "started")));
		grid_push(g, jtext(json_object_get(run, "crbench_version")));
		grid_push(g, jtext(json_object_get(host, "cpu_model")));
		grid_push(g, jtext(json_object_get(host, "cpus")));
		grid_push(g, gib(json_object_get(host, "memory_bytes")));
		grid_push(g, jtext(json_object_get(host, "accel")));
		grid_push(g, jtext(json_object_get(host, "kernel")));
		grid_push(g, jtext(json_object_get(host, "qemu_version")));
	}
}

/* Per guest "runc: 2 vCPUs, 4.0 GiB, debian-12", joined by "; ". */
static char *guests_setup(const struct cr_report *r)
{
	json_t *guests = json_object_get(r->run, "guests"), *v;
	char *out = xstrdup("");
	size_t i;

	json_array_foreach(guests, i, v) {
		cleanup_free char *mem = gib(json_object_get(v, "memory_bytes")), *cpus = jtext(json_object_get(v, "vcpus"));
		cleanup_free char *image = jtext(json_object_get(v, "image")), *name = jtext(json_object_get(v, "name"));

		str_append(&out, "; ", "%s: %s vCPUs, %s, %s", name, cpus, mem, image);
	}
	return out;
}

/* "runsc (gVisor)": the runtimes of the guests other than the baseline. */
static char *stand_ins(const struct cr_report *r)
{
	char *out = xstrdup("");

	for (size_t g = 0; g < r->n_guests; g++)
		if (g != r->baseline)
			str_append(&out, ", ", "%s%s", r->guests[g].runtime,
				   strcmp(r->guests[g].runtime, "kata") == 0 ? "" : " (not Kata)");
	return out;
}

/* The fewest and most samples of a cell that has any. */
static char *n_range(const struct cr_report *r)
{
	size_t lo = SIZE_MAX, hi = 0;

	for (size_t k = 0; k < r->n_metrics; k++)
		for (size_t g = 0; g < r->n_guests; g++)
			if (r->metrics[k].cells[g].n) {
				lo = r->metrics[k].cells[g].n < lo ? r->metrics[k].cells[g].n : lo;
				hi = r->metrics[k].cells[g].n > hi ? r->metrics[k].cells[g].n : hi;
			}
	if (!hi)
		return xstrdup("no cell has a sample");
	return lo == hi ? xasprintf("%zu in every cell with samples", lo) : xasprintf("%zu to %zu (see n in each row)", lo, hi);
}

/*
 * This run beside the papers' set-ups, so that nobody reads "ours / paper"
 * without knowing what differs. The papers' side is what they state
 * (shared/design.md); Kata ran in their VMs, so those had hardware
 * virtualization.
 */
static void comparability_grid(const struct cr_report *r, struct grid *g)
{
	json_t *host = json_object_get(r->run, "host"), *suite = json_object_get(json_object_get(r->run, "plan"), "suite");
	const char *accel = json_string_value(json_object_get(host, "accel")),
		   *why = json_string_value(json_object_get(host, "accel_reason"));
	cleanup_free char *cpu = jtext(json_object_get(host, "cpu_model")), *reps = jtext(json_object_get(suite, "repetitions"));
	const char *base = r->n_guests ? r->guests[r->baseline].runtime : "—";
	const char *boot = json_string_value(json_object_get(json_object_get(json_object_get(r->run, "plan"), "run"), "boot"));
	/* clang-format off */
	const char *cells[][4] = {
		{ "", "this run", "Kumar & Thangaraju 2020", "Cochak & Miers 2021" },
		{ "accelerator", NULL, "hardware virtualization (Kata ran nested in their VMs)", "hardware virtualization (Kata ran nested in their VMs)" },
		{ "host CPU", cpu, "—", "—" },
		{ "guests", NULL, "2 VMs: 4 vCPUs, 8 GB, Ubuntu 18.04", "2 VMs: 2 vCPUs, 4 GB, 20 GB disk, Ubuntu 18.04.5" },
		{ "runtimes compared", NULL, "runc and Kata Containers", "runc and Kata Containers" },
		{ "rounds per cell", NULL, "15 runs", "15 runs per pair" },
		{ "boots", NULL, "each machine rebooted before each test", "not stated" },
	};
	/* clang-format on */
	/* the preflight's reason may name the accelerator already ("tcg: no /dev/kvm ...") */
	bool named = accel && why && str_has_prefix(why, accel) && why[strlen(accel)] == ':';
	cleanup_free char *acc = named ? xstrdup(why)
				       : xasprintf("%s%s%s", accel ? accel : "not recorded",
						   why	   ? ": "
						   : accel ? " (why not recorded)"
							   : "",
						   why ? why : "");
	cleanup_free char *guests = guests_setup(r), *others = stand_ins(r), *runtimes = xasprintf("%s and %s", base, others);
	cleanup_free char *ns = n_range(r),
			  *rounds = r->n_runs ? xasprintf("%zu runs pooled, each of %s rounds; runs per cell: %s", r->n_runs, reps, ns)
					      : xasprintf("n = %s; the plan asked for %s", ns, reps);

	cells[1][1] = acc;
	cells[3][1] = guests;
	cells[4][1] = runtimes;
	cells[5][1] = rounds;
	cells[6][1] = boot && strcmp(boot, "per-step") == 0 ? "a fresh overlay and boot for each step ([run] boot = per-step)"
							    : "one boot per guest for its whole suite ([run] boot = once)";
	g->cols = 4;
	for (size_t i = 0; i < ARRAY_SIZE(cells); i++)
		for (size_t c = 0; c < 4; c++)
			grid_push(g, xstrdup(cells[i][c]));
}

static const char comparability_text[] =
	"What differs from the papers' set-ups. Where the accelerator is not KVM or the runtime is not the paper's, the "
	"column ours / paper says not comparable: it then measures how far this host and runtime are from theirs, not a "
	"reproduction. crbench does not record the papers' host CPUs.";

static char *ratio_head(const struct cr_report *r)
{
	return xasprintf("vs %s: ratio [95%% CI]", r->n_guests ? r->guests[r->baseline].name : "baseline");
}

/* "1.23 [1.14, 1.35]": the estimate the interval is for; "(mean)" where it is not the geometric mean. */
static char *estimate_text(const struct cr_stats *s)
{
	cleanup_free char *e = cr_report_num(s->estimate), *ci = fmt_interval(s->ci_low, s->ci_high);

	if (!isfinite(s->estimate))
		return xstrdup("—");
	return xasprintf("%s %s%s", e, ci, isfinite(s->gmean) ? "" : " (mean)");
}

/* The ratio with its interval; "(means)" when it is Fieller's ratio of means. */
static char *ratio_text(const struct cr_ratio *q)
{
	cleanup_free char *ratio = cr_report_num(q->ratio), *ci = q->unbounded ? xstrdup("[unbounded]") : fmt_interval(q->low, q->high);

	if (!isfinite(q->ratio))
		return xstrdup("—");
	return xasprintf("%s %s%s", ratio, ci, q->method == CR_RATIO_FIELLER ? " (means)" : "");
}

/* The paper's number, "(kata)" after it when it is of another runtime than the guest's. */
static char *paper_text(const struct cr_report_cell *c, const char *runtime)
{
	cleanup_free char *v = cr_report_num(c->paper);

	if (!isfinite(c->paper) || strcmp(c->paper_runtime, runtime) == 0)
		return steal_pointer(&v);
	return xasprintf("%s (%s)", v, c->paper_runtime);
}

/* ours / paper, with why it does not compare like with like */
static char *ours_over_paper(const struct cr_report_cell *c)
{
	cleanup_free char *q = cr_report_num(c->stats.mean / c->paper);

	if (!isfinite(c->paper) || !c->n)
		return xstrdup("—");
	return c->paper_caveat ? xasprintf("%s, not comparable: %s", q, c->paper_caveat) : steal_pointer(&q);
}

/* "1.23 (5), 1.31 (5), —": each run's value with its number of samples. */
static char *per_run_text(const struct cr_report *r, const struct cr_report_cell *c)
{
	char *out = xstrdup("");

	for (size_t j = 0; j < r->n_runs; j++) {
		cleanup_free char *v = cr_report_num(c->run_values[j]);

		if (c->run_n[j])
			str_append(&out, ", ", "%s (%zu)", v, c->run_n[j]);
		else
			str_append(&out, ", ", "—");
	}
	return out;
}

static char *share_text(double share)
{
	return isfinite(share) ? xasprintf("%.0f%%", 100 * share) : xstrdup("—");
}

/* The columns between a row's guest and its ratio: a run's statistics of its rounds, or a pooled report's of its runs. */
static void stats_cells(const struct cr_report *r, const struct cr_report_cell *c, struct grid *g)
{
	const struct cr_stats *s = &c->stats;

	grid_push(g, xasprintf("%zu", c->n));
	if (r->n_runs) {
		grid_push(g, xasprintf("%zu", c->pooled.n));
		grid_push(g, estimate_text(s));
		grid_push(g, share_text(c->pooled.between_share));
		grid_push(g, per_run_text(r, c));
		return;
	}
	grid_push(g, cr_report_num(s->median));
	grid_push(g, cr_report_num(s->mean));
	grid_push(g, cr_report_num(s->sd));
	grid_push(g, cr_report_num(s->cv));
	grid_push(g, estimate_text(s));
	grid_push(g, cr_report_num(s->min));
	grid_push(g, cr_report_num(s->max));
}

static void table_grid(const struct cr_report *r, enum cr_report_table t, struct grid *g)
{
	static const char *const single[] = { "n", "median", "mean", "sd", "CV %", "geo. mean [95% CI]", "min", "max" };
	static const char *const pooled[] = { "runs", "n", "pooled estimate [95% CI]", "between-run share", "per run (n)" };
	const char *const *head = r->n_runs ? pooled : single;
	size_t n_head = r->n_runs ? ARRAY_SIZE(pooled) : ARRAY_SIZE(single);

	g->cols = n_head + 6;
	grid_push(g, xstrdup("metric"));
	grid_push(g, xstrdup("guest"));
	for (size_t i = 0; i < n_head; i++)
		grid_push(g, xstrdup(head[i]));
	grid_push(g, ratio_head(r));
	grid_push(g, xstrdup("paper"));
	grid_push(g, xstrdup("ours / paper"));
	grid_push(g, xstrdup("note"));
	for (size_t k = 0; k < r->n_metrics; k++) {
		const struct cr_report_metric *m = &r->metrics[k];

		if (m->table != t)
			continue;
		for (size_t gi = 0; gi < r->n_guests; gi++) {
			const struct cr_report_cell *c = &m->cells[gi];
			const char *said = NULL; /* this guest's note in the row above, when it has a row above */

			grid_push(g, gi ? xstrdup("") : *m->unit ? xasprintf("%s (%s)", m->label, m->unit) : xstrdup(m->label));
			grid_push(g, xstrdup(r->guests[gi].name));
			stats_cells(r, c, g);
			grid_push(g, gi == r->baseline ? xstrdup("baseline") : ratio_text(&c->ratio));
			grid_push(g, paper_text(c, r->guests[gi].runtime));
			grid_push(g, ours_over_paper(c));
			for (size_t up = k; up-- > 0 && !said;)
				if (r->metrics[up].table == t)
					said = r->metrics[up].cells[gi].reason ? r->metrics[up].cells[gi].reason : "";
			/* one failed step fails every metric it gives: its reason once, where the guest's first such row is */
			grid_push(g, xstrdup(!c->reason ? "" : said && !strcmp(said, c->reason) ? "the same as above" : c->reason));
		}
	}
}

static const char claims_text[] =
	"Each finding of the papers, tested on this run's samples. The ratio is of geometric means with its 95% interval "
	"(Welch t on the logarithms); p is two-sided, from the exact rank-sum test of the two cells (Welch's t for a ratio "
	"of ratios). A claim holds when p < 0.05 and the ratio lies on the paper's side of 1, is contradicted when p < 0.05 "
	"and it lies on the other, and is inconclusive otherwise; similar means the interval lies within [0.909, 1.1]. With "
	"5 rounds a side the smallest p the rank test can give is 0.008. A runtime that stood where the paper had Kata is "
	"named so: a finding about Kata is then tested on that runtime, which is not Kata.";

static void claims_grid(const struct cr_report *r, struct grid *g)
{
	static const char *const head[] = { "claim", "source", "compared", "effect", "ratio [95% CI]", "test", "p", "verdict", "why" };

	g->cols = ARRAY_SIZE(head);
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		grid_push(g, xstrdup(head[i]));
	for (size_t i = 0; i < r->n_claims; i++) {
		const struct cr_claim *c = &r->claims[i];
		cleanup_free char *ratio = cr_report_num(c->effect), *ci = fmt_interval(c->low, c->high);

		grid_push(g, xstrdup(c->text));
		grid_push(g, xstrdup(c->source));
		grid_push(g, xstrdup(c->compared));
		grid_push(g, xstrdup(c->effect_label ? c->effect_label : ""));
		grid_push(g, isfinite(c->effect) ? xasprintf("%s %s", ratio, ci) : xstrdup("—"));
		grid_push(g, xstrdup(c->test ? c->test : "—"));
		grid_push(g, isfinite(c->p) ? xasprintf("%.3g", c->p) : xstrdup("—"));
		grid_push(g, xstrdup(cr_verdict_names[c->verdict]));
		grid_push(g, xstrdup(c->why ? c->why : ""));
	}
}

static bool table_has_metrics(const struct cr_report *r, enum cr_report_table t)
{
	for (size_t k = 0; k < r->n_metrics; k++)
		if (r->metrics[k].table == t)
			return true;
	return false;
}

/* ---- figures ---- */

struct figure {
	const char *name, *title, *ylabel;
	enum cr_report_table table;
	const char *suffix; /* only metrics whose id ends so; NULL for all of the table */
	const char *load;   /* only metrics of this load (".idle."), as the paper splits its figures; NULL for all */
};

/* Cochak & Miers: Figure 3 is the idle case (3a bandwidth, 3b latency), Figure 4 under stress-ng (4a, 4b). */
static const struct figure figures[] = {
	{ "fig-boot", "Container boot time (Kumar & Thangaraju, Table I)", "seconds", CR_TABLE_BOOT, NULL, NULL },
	{ "fig-net-bandwidth-idle", "Network bandwidth, idle (Cochak & Miers, Figure 3a)", "Gbit/s", CR_TABLE_NET_BANDWIDTH, NULL,
	  ".idle." },
	{ "fig-net-latency-idle", "Average one-way latency, idle (Cochak & Miers, Figure 3b)", "microseconds", CR_TABLE_NET_LATENCY, ".avg",
	  ".idle." },
	{ "fig-net-bandwidth-stress", "Network bandwidth, server under stress-ng (Cochak & Miers, Figure 4a)", "Gbit/s",
	  CR_TABLE_NET_BANDWIDTH, NULL, ".stress." },
	{ "fig-net-latency-stress", "Average one-way latency, server under stress-ng (Cochak & Miers, Figure 4b)", "microseconds",
	  CR_TABLE_NET_LATENCY, ".avg", ".stress." },
};

static bool in_figure(const struct figure *fig, const struct cr_report_metric *m)
{
	return m->table == fig->table && (!fig->suffix || str_has_suffix(m->id, fig->suffix)) && (!fig->load || strstr(m->id, fig->load));
}

/* A gnuplot double-quoted string: backslash and quote escaped, control characters dropped, "\n" kept as a line break. */
static void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static int open_out(const char *dir, const char *name, FILE **f, char **path, cr_error_t *err)
{
	*path = xasprintf("%s/%s", dir, name);
	*f = fopen(*path, "we");
	if (!*f)
		return cr_error(err, errno, "cannot write '%s'", *path);
	return 0;
}

static int close_out(FILE *f, const char *path, cr_error_t *err)
{
	bool bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return cr_error(err, errno ? errno : EIO, "cannot write '%s'", path);
	return 0;
}

/*
 * The tick label of a metric, short enough not to overprint: from its id
 * ("boot.httpd.first_200" -> "httpd\nfirst 200", "net.bridge-bridge.idle.avg"
 * -> "bridge-bridge"), then the n of each guest drawn, in the key's order.
 */
static char *tick_label(const struct cr_report *r, const struct figure *fig, const struct cr_report_metric *m, const bool *shown)
{
	const char *id = strchr(m->id, '.') ? strchr(m->id, '.') + 1 : m->id;
	char *label = fig->table == CR_TABLE_BOOT ? xstrdup(id) : xstrndup(id, strcspn(id, "."));
	char *more;

	for (char *p = label; *p; p++)
		*p = *p == '.' ? '\n' : *p == '_' ? ' ' : *p;
	for (size_t g = 0, k = 0; g < r->n_guests; g++) {
		if (!shown[g])
			continue;
		more = xasprintf("%s%s%zu", label, k++ ? ", " : r->n_runs ? "\nruns = " : "\nn = ", m->cells[g].n);
		free(label);
		label = more;
	}
	return label;
}

/*
 * The y axis: logarithmic when what is drawn spans more than ten times
 * (a 0.03 Gbit/s bar beside a 3 Gbit/s one is then still seen), else
 * linear from 0; either way its range holds every bar and error bar whole.
 */
static void y_axis(FILE *gp, const struct cr_report *r, const struct figure *fig, const char **kind)
{
	double lo = INFINITY, hi = 0;

	for (size_t k = 0; k < r->n_metrics; k++) {
		if (!in_figure(fig, &r->metrics[k]))
			continue;
		for (size_t g = 0; g < r->n_guests; g++) {
			const struct cr_stats *st = &r->metrics[k].cells[g].stats;

			if (!r->metrics[k].cells[g].n)
				continue;
			lo = fmin(lo, isfinite(st->ci_low) ? st->ci_low : st->estimate);
			hi = fmax(hi, isfinite(st->ci_high) ? st->ci_high : st->estimate);
		}
	}
	if (lo > 0 && isfinite(lo) && hi / lo > 10) {
		*kind = "logarithmic y axis";
		fprintf(gp, "set logscale y\nset yrange [%.6g:%.6g]\n", lo / 1.5, hi * 1.5);
	} else {
		*kind = "linear y axis from 0";
		fprintf(gp, hi > 0 ? "set yrange [0:%.6g]\n" : "set yrange [0:*]\n", hi * 1.08);
	}
}

/*
 * NAME.dat (per row a metric; per guest with any sample in the figure, its
 * mean and interval, "-" where it has none) and NAME.gp. Cells without a
 * sample are named under their bar; guests without any, in the title.
 * Returns 1 and *why when there is nothing to draw.
 */
static int figure_files(const struct cr_report *r, const struct figure *fig, const char *dir, char **why, cr_error_t *err)
{
	cleanup_free char *dat_name = xasprintf("%s.dat", fig->name), *gp_name = xasprintf("%s.gp", fig->name);
	cleanup_free char *dat_path = NULL, *gp_path = NULL, *absent = xstrdup("");
	cleanup_free bool *shown = xcalloc(r->n_guests + 1, sizeof(bool));
	size_t rows = 0, col = 2, n_shown = 0;
	const char *axis = "";
	FILE *dat, *gp;
	int rc;

	for (size_t k = 0; k < r->n_metrics; k++)
		for (size_t g = 0; g < r->n_guests; g++)
			shown[g] |= in_figure(fig, &r->metrics[k]) && r->metrics[k].cells[g].n > 0;
	for (size_t g = 0; g < r->n_guests; g++) {
		char *more = xasprintf("%s%s%s", absent, *absent ? ", " : "\nno samples: ", r->guests[g].name);

		n_shown += shown[g];
		if (shown[g]) {
			free(more);
			continue;
		}
		free(absent);
		absent = more;
	}
	if (open_out(dir, dat_name, &dat, &dat_path, err) < 0)
		return -1;
	if (open_out(dir, gp_name, &gp, &gp_path, err) < 0) {
		fclose(dat);
		return -1;
	}
	fprintf(dat, "# %s\n# row, then per guest drawn: the estimate (geometric mean), low and high end of its 95%% interval\n",
		fig->title);
	fprintf(gp,
		"# %s; run with: gnuplot %s (in this directory)\n"
		"set encoding utf8\nset datafile missing \"-\"\nset style data histograms\n"
		"set style histogram errorbars gap 1 lw 1\nset style fill solid 0.7 border -1\n"
		"set key outside right top noenhanced\nset grid ytics\n"
		"set bmargin 8\nset format y \"%%g\"\n",
		fig->title, gp_name);
	y_axis(gp, r, fig, &axis);
	{
		cleanup_free char *title = xasprintf(
			"%s\nbars: %sgeometric mean (mean where a sample is <= 0); error bars: 95%% interval, none cut;%s"
			"%s; %s per guest under each group%s",
			fig->title, r->n_runs ? "pooled " : "", r->n_runs ? "\n" : " ", axis, r->n_runs ? "runs" : "n", absent);

		fputs("set title ", gp);
		gp_string(gp, title);
	}
	fputs(" noenhanced\nset ylabel ", gp);
	gp_string(gp, fig->ylabel);
	fputs(" noenhanced\nset xtics (", gp);
	for (size_t k = 0; k < r->n_metrics; k++) {
		const struct cr_report_metric *m = &r->metrics[k];
		cleanup_free char *label = NULL;

		if (!in_figure(fig, m))
			continue;
		label = tick_label(r, fig, m, shown);
		fprintf(dat, "%zu", rows);
		for (size_t g = 0; g < r->n_guests; g++) {
			const struct cr_report_cell *c = &m->cells[g];
			double lo = isfinite(c->stats.ci_low) ? c->stats.ci_low : c->stats.estimate;
			double hi = isfinite(c->stats.ci_high) ? c->stats.ci_high : c->stats.estimate;
			char *longer;

			if (!shown[g])
				continue;
			if (c->n) {
				fprintf(dat, " %.10g %.10g %.10g", c->stats.estimate, lo, hi);
				continue;
			}
			fputs(" - - -", dat);
			longer = xasprintf("%s\n%s:\n%s", label, r->guests[g].name, cr_cell_status_names[c->status]);
			free(label);
			label = longer;
		}
		fputc('\n', dat);
		fputs(rows ? ", " : "", gp);
		gp_string(gp, label);
		fprintf(gp, " %zu", rows++);
	}
	fputs(") noenhanced font \",9\"\n", gp);
	for (int t = 0; t < 2; t++) {
		fprintf(gp,
			t == 0 ? "set terminal svg size 1200,600 dynamic font \"sans,11\" background \"white\"\nset output \"%s.svg\"\n"
			       : "set terminal pngcairo size 1200,600 font \"sans,10\" background \"white\"\nset output \"%s.png\"\n",
			fig->name);
		col = 2;
		for (size_t g = 0; g < r->n_guests; g++) {
			if (!shown[g])
				continue;
			fprintf(gp, "%s\"%s\" using %zu:%zu:%zu title ", col > 2 ? ", " : "plot ", dat_name, col, col + 1, col + 2);
			gp_string(gp, r->guests[g].name);
			col += 3;
		}
		fputs("\nset output\n", gp);
	}
	rc = close_out(dat, dat_path, err);
	if (close_out(gp, gp_path, rc < 0 ? NULL : err) < 0 || rc < 0)
		return -1;
	if (n_shown)
		return 0;
	*why = xstrdup(rows ? "no guest has a sample of it" : "none of its metrics is in the plan");
	return 1;
}

/* Run gnuplot in dir on the script; *why says what went wrong. Returns -1, or -2 when gnuplot is not installed. */
static int run_gnuplot(const char *dir, const char *name, char **why)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *cd = NULL, *script = xasprintf("%s.gp", name), *q = NULL;
	size_t n = 0;
	char *argv[] = { (char *)"gnuplot", (char *)"-e", NULL, script, NULL };

	/* a gnuplot single-quoted string doubles its quotes */
	q = xmalloc(2 * strlen(dir) + 1);
	for (const char *s = dir; *s; s++) {
		if (*s == '\'')
			q[n++] = '\'';
		q[n++] = *s;
	}
	q[n] = '\0';
	cd = xasprintf("cd '%s'", q);
	argv[2] = cd;
	if (cr_run_checked(argv, &err) == 0)
		return 0;
	*why = xstrdup(err->msg);
	return err->code == ENOENT ? -2 : -1;
}

/* Every figure; what could not be drawn goes to *skipped (one line each). */
static int make_figures(const struct cr_report *r, const char *dir, bool *drawn, char ***skipped, cr_error_t *err)
{
	bool no_gnuplot = false;

	for (size_t i = 0; i < ARRAY_SIZE(figures); i++) {
		cleanup_free char *why = NULL;
		int rc;

		drawn[i] = false;
		rc = figure_files(r, &figures[i], dir, &why, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && !no_gnuplot) {
			rc = run_gnuplot(dir, figures[i].name, &why);
			if (rc == -2) {
				no_gnuplot = true;
				free(why);
				why = NULL;
			}
		}
		if (no_gnuplot && !why)
			why = xstrdup("gnuplot is not installed (Debian: apt-get install gnuplot-nox); its script and data are beside");
		drawn[i] = rc == 0;
		if (!drawn[i]) {
			size_t n = strv_len(*skipped);

			*skipped = xrealloc(*skipped, (n + 2) * sizeof(char *));
			(*skipped)[n] = xasprintf("figure %s skipped: %s", figures[i].name, why);
			(*skipped)[n + 1] = NULL;
		}
	}
	return 0;
}

/* ---- the documents ---- */

static const char stats_text[] =
	"Warm-up rounds are excluded from every number. n counts the measured rounds that gave a value. The estimate is the "
	"geometric mean with a 95% interval from Student's t on the logarithms (it never goes below 0); where a sample is 0 "
	"or less it is the mean with its t interval, bounded at 0, marked (mean). CV is sd/mean in percent. The ratio to the "
	"baseline guest is the ratio of the estimates, its 95% interval Welch's t on the logarithms (Fieller's for a ratio of "
	"means, marked (means)). In simulation these intervals cover 93.5-96% of the time at n = 5 and 15 "
	"(docs/report.md). Paper numbers are the means the papers published; ours / paper divides our mean by theirs.";

static const char pooled_text[] =
	"This report pools several runs of one plan. Each run gives one value per cell: the geometric mean of its rounds (the "
	"mean where a sample is 0 or less), warm-ups excluded. The pooled estimate is the geometric mean of those run values "
	"(runs is how many had one, n how many rounds they had in all), its 95% interval Student's t on their logarithms with "
	"runs - 1 degrees of freedom: it holds whatever share of the variance lies between runs (host, boot, day), which an "
	"interval of all rounds taken together does not. The between-run share is that share, estimated by one-way ANOVA; "
	"with few runs it reads low. The ratio to the baseline guest is the geometric mean of the runs' own ratios, its "
	"interval t on their logarithms: conditions a run shares between its guests cancel. In simulation these intervals "
	"cover 94-96% of the time with 2 to 5 runs (docs/report.md, 'Pooling runs'). The claims are tested on the run values: "
	"with 3 runs a side the smallest p the rank test can give is 0.1.";

/* Markdown and HTML say the same things: what differs is here. */
struct doc_format {
	void (*text)(FILE *, const char *);
	void (*grid)(FILE *, const struct grid *, const char *class);
	void (*begin)(FILE *, const char *title);
	void (*figure)(FILE *, const struct figure *);
	const char *end, *h2[2], *p[2], *ul[2], *li[2], *link[3]; /* link: before the target, between it and its text, after */
};

static void md_begin(FILE *f, const char *title)
{
	fputs("# ", f);
	md_text(f, title);
	fputs("\n\n", f);
}

static void md_figure(FILE *f, const struct figure *fig)
{
	fprintf(f, "![%s](%s.png)\n\n[SVG](%s.svg)\n\n", fig->title, fig->name, fig->name);
}

static const char html_style[] =
	"body{font-family:sans-serif;margin:2em auto;max-width:1400px;color:#222}"
	"table{border-collapse:collapse;margin:1em 0;font-size:13px}"
	"th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eee}"
	"table.stats td{text-align:right;font-variant-numeric:tabular-nums}"
	"table.stats td:first-child,table.stats td:nth-child(2),table.stats td:last-child{text-align:left}"
	"figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}p{max-width:60em}";

static void html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	html_text(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
	html_text(f, title);
	fputs("</h1>\n", f);
}

static void html_figure(FILE *f, const struct figure *fig)
{
	fprintf(f, "<figure><img src=\"%s.png\" alt=\"", fig->name);
	html_text(f, fig->title);
	fputs("\"><figcaption>", f);
	html_text(f, fig->title);
	fprintf(f, "; bars: geometric mean, error bars: its 95%% interval (<a href=\"%s.svg\">SVG</a>)</figcaption></figure>\n", fig->name);
}

static const struct doc_format md_format = {
	md_text,	   grid_md,	   md_begin,	 md_figure,	 "",
	{ "## ", "\n\n" }, { "", "\n\n" }, { "", "\n" }, { "- ", "\n" }, { "CSV: [", "](", ")\n\n" },
};
static const struct doc_format html_format = {
	html_text,
	grid_html,
	html_begin,
	html_figure,
	"</body>\n</html>\n",
	{ "<h2>", "</h2>\n" },
	{ "<p>", "</p>\n" },
	{ "<ul>\n", "</ul>\n" },
	{ "<li>", "</li>\n" },
	{ "<p><a href=\"", "\">", "</a></p>\n" },
};

static void doc_wrap(FILE *f, const struct doc_format *d, const char *const tag[2], const char *text)
{
	fputs(tag[0], f);
	d->text(f, text);
	fputs(tag[1], f);
}

static void write_doc(FILE *f, const struct doc_format *d, const struct cr_report *r, const bool *drawn, char **skipped)
{
	cleanup_free char *title = xasprintf("crbench report: %s", r->run_id),
			  *warmups = xasprintf("%zu warm-up entries excluded.", r->n_warmup);
	struct grid env = { 0 }, guests = { 0 }, cmp = { 0 };

	d->begin(f, title);
	environment_grid(r, &env);
	d->grid(f, &env, "env");
	if (r->n_runs) {
		struct grid runs = { 0 };

		doc_wrap(f, d, d->h2, "Runs pooled");
		runs_grid(r, &runs);
		d->grid(f, &runs, "env");
		grid_release(&runs);
	}
	guests_grid(r, &guests);
	d->grid(f, &guests, "env");
	grid_release(&env);
	grid_release(&guests);
	doc_wrap(f, d, d->h2, "Compared with the papers");
	doc_wrap(f, d, d->p, comparability_text);
	comparability_grid(r, &cmp);
	d->grid(f, &cmp, "env");
	grid_release(&cmp);
	doc_wrap(f, d, d->h2, "Notes");
	fputs(d->ul[0], f);
	doc_wrap(f, d, d->li, warmups);
	for (size_t i = 0; r->notes && r->notes[i]; i++)
		doc_wrap(f, d, d->li, r->notes[i]);
	for (size_t i = 0; skipped && skipped[i]; i++)
		doc_wrap(f, d, d->li, skipped[i]);
	fputs(d->ul[1], f);
	doc_wrap(f, d, d->p, r->n_runs ? pooled_text : stats_text);
	if (r->n_claims) {
		struct grid cg = { 0 };

		doc_wrap(f, d, d->h2, "The papers' claims, tested on this run");
		doc_wrap(f, d, d->p, claims_text);
		claims_grid(r, &cg);
		d->grid(f, &cg, "claims");
		grid_release(&cg);
	}
	for (int t = 0; t < CR_TABLE__MAX; t++) {
		const struct cr_report_table_info *ti = &cr_report_tables[t];
		cleanup_free char *head = xasprintf("%s (%s)", ti->title, ti->source), *absent = NULL;
		struct grid g = { 0 };

		doc_wrap(f, d, d->h2, head);
		doc_wrap(f, d, d->p, ti->note);
		if (!table_has_metrics(r, (enum cr_report_table)t)) {
			absent = xasprintf("Not in this run's plan (test %s).", cr_test_names[ti->test]);
			doc_wrap(f, d, d->p, absent);
			continue;
		}
		table_grid(r, (enum cr_report_table)t, &g);
		d->grid(f, &g, "stats");
		grid_release(&g);
		fprintf(f, "%s%s.csv%s%s.csv%s", d->link[0], ti->name, d->link[1], ti->name, d->link[2]);
		for (size_t i = 0; i < ARRAY_SIZE(figures); i++)
			if (figures[i].table == (enum cr_report_table)t && drawn[i])
				d->figure(f, &figures[i]);
	}
	fputs(d->end, f);
}

static void write_md(FILE *f, const struct cr_report *r, const bool *drawn, char **skipped)
{
	write_doc(f, &md_format, r, drawn, skipped);
}

static void write_html(FILE *f, const struct cr_report *r, const bool *drawn, char **skipped)
{
	write_doc(f, &html_format, r, drawn, skipped);
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static void csv_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.10g,", x);
	else
		fputc(',', f);
}

static void write_csv(FILE *f, const struct cr_report *r, enum cr_report_table t)
{
	fputs("metric,label,unit,guest,runtime,status,n,median,mean,sd,gmean,estimate,ci_low,ci_high,ci_method,cv_percent,min,max,"
	      "ratio_over,ratio,ratio_low,ratio_high,ratio_method,paper,ours_over_paper,paper_source,paper_runtime,paper_not_comparable,"
	      "note",
	      f);
	/* a pooled report: n counts runs; then the rounds in all, the between-run share, and each run's value and rounds */
	fputs(r->n_runs ? ",samples,between_run_share," : "\n", f);
	for (size_t j = 0; j < r->n_runs; j++) {
		cleanup_free char *v = xasprintf("value %s", r->runs[j].id), *n = xasprintf("n %s", r->runs[j].id);

		csv_field(f, v, false);
		csv_field(f, n, j + 1 == r->n_runs);
	}
	for (size_t k = 0; k < r->n_metrics; k++) {
		const struct cr_report_metric *m = &r->metrics[k];

		if (m->table != t)
			continue;
		for (size_t g = 0; g < r->n_guests; g++) {
			const struct cr_report_cell *c = &m->cells[g];
			const struct cr_stats *s = &c->stats;

			csv_field(f, m->id, false);
			csv_field(f, m->label, false);
			csv_field(f, m->unit, false);
			csv_field(f, r->guests[g].name, false);
			csv_field(f, r->guests[g].runtime, false);
			csv_field(f, cr_cell_status_names[c->status], false);
			fprintf(f, "%zu,", c->n);
			csv_num(f, s->median);
			csv_num(f, s->mean);
			csv_num(f, s->sd);
			csv_num(f, s->gmean);
			csv_num(f, s->estimate);
			csv_num(f, s->ci_low);
			csv_num(f, s->ci_high);
			csv_field(f, cr_ci_method_names[s->method], false);
			csv_num(f, s->cv);
			csv_num(f, s->min);
			csv_num(f, s->max);
			csv_field(f, g == r->baseline ? "" : r->guests[r->baseline].name, false);
			csv_num(f, c->ratio.ratio);
			csv_num(f, c->ratio.low);
			csv_num(f, c->ratio.high);
			csv_field(f, g == r->baseline ? "" : cr_ratio_method_names[c->ratio.method], false);
			csv_num(f, c->paper);
			csv_num(f, s->mean / c->paper);
			csv_field(f, c->paper_source ? c->paper_source : "", false);
			csv_field(f, c->paper_runtime ? c->paper_runtime : "", false);
			csv_field(f, c->paper_caveat ? c->paper_caveat : "", false);
			csv_field(f, c->reason ? c->reason : "", !r->n_runs);
			if (r->n_runs) {
				fprintf(f, "%zu,", c->pooled.n);
				csv_num(f, c->pooled.between_share);
			}
			for (size_t j = 0; j < r->n_runs; j++) {
				csv_num(f, c->run_values[j]);
				fprintf(f, "%zu%c", c->run_n[j], j + 1 == r->n_runs ? '\n' : ',');
			}
		}
	}
}

/* One output file, written by fn. */
static int write_file(const char *dir, const char *name, void (*fn)(FILE *, const struct cr_report *, const bool *, char **),
		      const struct cr_report *r, const bool *drawn, char **skipped, cr_error_t *err)
{
	cleanup_free char *path = NULL;
	FILE *f;

	if (open_out(dir, name, &f, &path, err) < 0)
		return -1;
	fn(f, r, drawn, skipped);
	return close_out(f, path, err);
}

static void write_json(FILE *f, const struct cr_report *r, const bool *drawn, char **skipped)
{
	json_t *doc = cr_report_json(r), *figs = json_array(), *sk = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(figures); i++)
		json_array_append_new(figs, json_pack("{s:s, s:s, s:s, s:b}", "name", figures[i].name, "title", figures[i].title, "table",
						      cr_report_tables[figures[i].table].name, "drawn", drawn[i]));
	for (size_t i = 0; skipped && skipped[i]; i++)
		json_array_append_new(sk, json_string(skipped[i]));
	json_object_set_new(doc, "figures", figs);
	json_object_set_new(doc, "figures_skipped", sk);
	json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(doc);
}

int cr_report_write(const struct cr_report *r, const char *out_dir, char ***warnings, cr_error_t *err)
{
	bool drawn[ARRAY_SIZE(figures)];
	cleanup_strv char **skipped = NULL;

	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create report directory '%s'", out_dir);
	if (make_figures(r, out_dir, drawn, &skipped, err) < 0)
		return -1;
	for (int t = 0; t < CR_TABLE__MAX; t++) {
		cleanup_free char *name = xasprintf("%s.csv", cr_report_tables[t].name), *path = NULL;
		FILE *f;

		if (!table_has_metrics(r, (enum cr_report_table)t))
			continue;
		if (open_out(out_dir, name, &f, &path, err) < 0)
			return -1;
		write_csv(f, r, (enum cr_report_table)t);
		if (close_out(f, path, err) < 0)
			return -1;
	}
	if (write_file(out_dir, "report.md", write_md, r, drawn, skipped, err) < 0 ||
	    write_file(out_dir, "report.html", write_html, r, drawn, skipped, err) < 0 ||
	    write_file(out_dir, "report.json", write_json, r, drawn, skipped, err) < 0)
		return -1;
	if (warnings)
		*warnings = steal_pointer(&skipped);
	return 0;
}

int cr_report_make(const char *run_dir, const char *out_dir, char ***warnings, cr_error_t *err)
{
	cleanup_report struct cr_report *r = NULL;
	cleanup_free char *def = xasprintf("%s/report", run_dir);

	if (cr_report_load(run_dir, &r, err) < 0)
		return -1;
	return cr_report_write(r, out_dir ? out_dir : def, warnings, err);
}
