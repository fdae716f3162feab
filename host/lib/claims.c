/* The findings of Kumar & Thangaraju and Cochak & Miers, each tested on the run's own samples with a rank test or Welch's t. */
#include <math.h>

#include "claims.h"
#include "report.h"
#include "util.h"

/* clang-format off */
const char *const cr_verdict_names[CR_VERDICT__MAX] = {
	[CR_VERDICT_HOLDS] = "holds",
	[CR_VERDICT_CONTRADICTED] = "contradicted",
	[CR_VERDICT_INCONCLUSIVE] = "inconclusive",
	[CR_VERDICT_NOT_TESTED] = "not tested",
};
/* clang-format on */

#define KUMAR "Kumar & Thangaraju 2020"
#define COCHAK "Cochak & Miers 2021"
#define RANK_TEST "exact rank-sum (Mann-Whitney)"

enum cr_verdict cr_claim_direction(double ratio, double p, int expect)
{
	if (!(p < CR_CLAIM_ALPHA) || !isfinite(ratio) || ratio == 1)
		return CR_VERDICT_INCONCLUSIVE;
	return (ratio > 1) == (expect > 0) ? CR_VERDICT_HOLDS : CR_VERDICT_CONTRADICTED;
}

enum cr_verdict cr_claim_similar(double low, double high)
{
	if (!isfinite(low) || !isfinite(high))
		return CR_VERDICT_INCONCLUSIVE;
	if (low >= 1 / CR_CLAIM_SIMILAR && high <= CR_CLAIM_SIMILAR)
		return CR_VERDICT_HOLDS;
	if (low > CR_CLAIM_SIMILAR || high < 1 / CR_CLAIM_SIMILAR)
		return CR_VERDICT_CONTRADICTED;
	return CR_VERDICT_INCONCLUSIVE;
}

struct claims {
	struct cr_claim *c;
	size_t n;
};

static struct cr_claim *add(struct claims *cs, const char *id, const char *source, char *text, char *compared)
{
	struct cr_claim *c;

	cs->c = xrealloc(cs->c, (cs->n + 1) * sizeof(*cs->c));
	c = &cs->c[cs->n++];
	*c = (struct cr_claim){ .id = id,
				.source = source,
				.text = text,
				.compared = compared,
				.effect = NAN,
				.low = NAN,
				.high = NAN,
				.p = NAN,
				.verdict = CR_VERDICT_NOT_TESTED };
	return c;
}

static const struct cr_report_cell *cell_of(const struct cr_report *r, const char *metric, size_t g)
{
	const struct cr_report_metric *m = cr_report_metric(r, metric);

	return m ? &m->cells[g] : NULL;
}

/* Why a cell cannot take part in a test, or NULL when it can. */
static char *unusable(const struct cr_report *r, const char *metric, size_t g, const struct cr_report_cell *c)
{
	if (!c)
		return xasprintf("%s is not in this run's plan", metric);
	if (c->n == 0)
		return xasprintf("%s of %s has no sample: %s", metric, r->guests[g].name,
				 c->reason ? c->reason : cr_cell_status_names[c->status]);
	return NULL;
}

static void set_effect(struct cr_claim *c, const struct cr_ratio *q)
{
	c->effect = q->ratio;
	c->low = q->low;
	c->high = q->high;
}

static char *fmt_p(double p)
{
	return p < 0.001 ? xstrdup("p < 0.001") : xasprintf("p = %.3f", p);
}

/*
 * a (guest ga) against b (guest gb) on one metric: the ratio of estimates
 * with its interval, the rank test, and the verdict for the side expected
 * (+1 above 1, -1 below, 0 similar).
 */
static void two_cells(const struct cr_report *r, struct cr_claim *c, const char *metric, size_t ga, size_t gb, int expect)
{
	const struct cr_report_cell *a = cell_of(r, metric, ga), *b = cell_of(r, metric, gb);
	char *why = unusable(r, metric, ga, a);
	struct cr_ratio q;
	cleanup_free char *p = NULL;

	if (!why)
		why = unusable(r, metric, gb, b);
	c->effect_label = xasprintf("%s / %s, %s", r->guests[ga].name, r->guests[gb].name, metric);
	if (why) {
		c->why = why;
		return;
	}
	cr_ratio_interval(a->samples, a->n, b->samples, b->n, &q);
	set_effect(c, &q);
	c->test = RANK_TEST;
	c->p = cr_rank_test(a->samples, a->n, b->samples, b->n);
	p = fmt_p(c->p);
	if (expect) {
		c->verdict = cr_claim_direction(c->effect, c->p, expect);
		c->why = c->verdict == CR_VERDICT_INCONCLUSIVE
				 ? xasprintf("%s with n = %zu and %zu: not below %.2f, this run cannot tell", p, a->n, b->n, CR_CLAIM_ALPHA)
				 : xasprintf("%s: the ratio is %s 1", p, c->effect > 1 ? "above" : "below");
		return;
	}
	c->verdict = cr_claim_similar(c->low, c->high);
	c->why = xasprintf("%s; similar means the interval lies within [%.3g, %.3g]%s", p, 1 / CR_CLAIM_SIMILAR, CR_CLAIM_SIMILAR,
			   c->verdict == CR_VERDICT_HOLDS	   ? ", and it does"
			   : c->verdict == CR_VERDICT_CONTRADICTED ? ", and it lies wholly outside"
								   : ": it straddles a bound");
}

/* "runsc (where the paper had Kata)" or "kata" */
static char *stand_in(const struct cr_report *r, size_t g)
{
	const char *name = r->guests[g].name, *rt = r->guests[g].runtime;

	if (strcmp(rt, "kata") == 0)
		return strcmp(name, rt) == 0 ? xstrdup(name) : xasprintf("%s (kata)", name);
	if (strcmp(name, rt) == 0)
		return xasprintf("%s, where the paper had Kata", name);
	return xasprintf("%s (%s, where the paper had Kata)", name, rt);
}

static char *versus(const struct cr_report *r, size_t g)
{
	cleanup_free char *s = stand_in(r, g);

	const struct cr_report_guest *b = &r->guests[r->baseline];

	if (strcmp(b->name, b->runtime) == 0)
		return xasprintf("%s vs %s", s, b->name);
	return xasprintf("%s vs %s (%s)", s, b->name, b->runtime);
}

static void kumar(const struct cr_report *r, struct claims *cs, size_t g)
{
	/* clang-format off */
	static const struct {
		const char *id, *source, *text, *metric;
		int expect;
	} defs[] = {
		{ "kt.boot", KUMAR ", Table I", "runc starts a container sooner than Kata (0.633 s vs 3.707 s to serve httpd)", "boot.httpd.first_200", +1 },
		{ "kt.block_out", KUMAR ", Table II", "runc's Bonnie++ block output is higher than Kata's (1549371 vs 1103322 K/s)", "disk.block_out", -1 },
		{ "kt.block_in", KUMAR ", Table II", "runc's Bonnie++ block input is higher than Kata's (4512265 vs 3748241 K/s)", "disk.block_in", -1 },
		{ "kt.seeks", KUMAR ", Table II", "random seeks are similar (14779 vs 14841 /s)", "disk.seeks", 0 },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct cr_claim *c;

		if (!cr_report_metric(r, defs[i].metric))
			continue;
		c = add(cs, defs[i].id, defs[i].source, xstrdup(defs[i].text), versus(r, g));
		two_cells(r, c, defs[i].metric, g, r->baseline, defs[i].expect);
	}
}

/* The bandwidth or latency cells of one pair and load, in the plan's order. */
static void cochak_cells(const struct cr_report *r, struct claims *cs, size_t g)
{
	for (size_t k = 0; k < r->n_metrics; k++) {
		const struct cr_report_metric *m = &r->metrics[k];
		bool bw = m->table == CR_TABLE_NET_BANDWIDTH, lat = m->table == CR_TABLE_NET_LATENCY && str_has_suffix(m->id, ".avg");
		cleanup_free char *cell = NULL;
		struct cr_claim *c;

		if (!bw && !lat)
			continue;
		cell = xstrndup(m->id + 4, strlen(m->id) - 4 - (bw ? strlen(".bandwidth") : strlen(".avg")));
		*strchr(cell, '.') = ' '; /* "bridge-bridge idle" */
		c = add(cs, bw ? "cm.bandwidth" : "cm.latency", bw ? COCHAK ", Figures 3a and 4a" : COCHAK ", Figures 3b and 4b",
			xasprintf("runc has %s than Kata on %s", bw ? "higher bandwidth" : "lower latency", cell), versus(r, g));
		if (strcmp(r->guests[g].runtime, "kata") == 0 && m->cells[g].status == CR_CELL_UNSUPPORTED) {
			c->effect_label = xasprintf("%s / %s, %s", r->guests[g].name, r->guests[r->baseline].name, m->id);
			c->why = xstrdup("Kata cannot use the host's network: the paper has no number here either");
			continue;
		}
		two_cells(r, c, m->id, g, r->baseline, bw ? -1 : +1);
	}
}

/* Overlay has the lowest bandwidth of the pairs, per guest and load: lower than each other pair (the largest p of those tests). */
static void overlay_lowest(const struct cr_report *r, struct claims *cs, size_t g, const char *load)
{
	cleanup_free char *oid = xasprintf("net.overlay-overlay.%s.bandwidth", load), *suffix = xasprintf(".%s.bandwidth", load);
	const struct cr_report_cell *o = cell_of(r, oid, g), *lowest = NULL;
	const char *lowest_id = NULL;
	size_t others = 0;
	double pmax = 0;
	bool below_all = true, above_one = false;
	struct cr_claim *c;
	struct cr_ratio q;

	if (!o)
		return;
	c = add(cs, "cm.overlay_lowest", COCHAK ", Figures 3a and 4a", xasprintf("the overlay pair has the lowest bandwidth (%s)", load),
		xasprintf("%s alone", r->guests[g].name));
	c->effect_label = xasprintf("%s: overlay / the lowest other pair, %s", r->guests[g].name, load);
	if ((c->why = unusable(r, oid, g, o)))
		return;
	for (size_t k = 0; k < r->n_metrics; k++) {
		const struct cr_report_metric *m = &r->metrics[k];
		const struct cr_report_cell *x = &m->cells[g];
		double p;

		if (m->table != CR_TABLE_NET_BANDWIDTH || strcmp(m->id, oid) == 0 || !str_has_suffix(m->id, suffix) || x->n == 0)
			continue;
		others++;
		p = cr_rank_test(o->samples, o->n, x->samples, x->n);
		pmax = fmax(pmax, p);
		below_all &= p < CR_CLAIM_ALPHA && o->stats.estimate < x->stats.estimate;
		above_one |= p < CR_CLAIM_ALPHA && o->stats.estimate > x->stats.estimate;
		if (!lowest || x->stats.estimate < lowest->stats.estimate) {
			lowest = x;
			lowest_id = m->id;
		}
	}
	if (!others) {
		c->why = xasprintf("no other pair of %s has a sample under %s", r->guests[g].name, load);
		return;
	}
	cr_ratio_interval(o->samples, o->n, lowest->samples, lowest->n, &q);
	set_effect(c, &q);
	c->test = RANK_TEST ", against each other pair";
	c->p = pmax;
	c->verdict = above_one ? CR_VERDICT_CONTRADICTED : below_all ? CR_VERDICT_HOLDS : CR_VERDICT_INCONCLUSIVE;
	c->why = xasprintf("%zu other pairs; the lowest is %s; %s", others, lowest_id,
			   above_one   ? "another pair is lower than overlay at the 5% level"
			   : below_all ? "overlay is lower than each at the 5% level (p is the largest of those tests)"
				       : "overlay is not lower than every other pair at the 5% level");
}

/*
 * stress-ng hurts the VM runtime's bandwidth more than runc's, per pair:
 * (guest stress / guest idle) / (runc stress / runc idle) below 1. Four
 * independent cells: Welch's t on the logarithms, Satterthwaite's degrees
 * of freedom; a rank test does not apply to a ratio of ratios.
 */
static void stress_hurts(const struct cr_report *r, struct claims *cs, size_t g, const char *pair)
{
	cleanup_free char *idle = xasprintf("net.%s.idle.bandwidth", pair), *stress = xasprintf("net.%s.stress.bandwidth", pair);
	const struct cr_report_cell *cells[4] = { cell_of(r, stress, g), cell_of(r, idle, g), cell_of(r, stress, r->baseline),
						  cell_of(r, idle, r->baseline) };
	const char *ids[4] = { stress, idle, stress, idle };
	size_t gs[4] = { g, g, r->baseline, r->baseline }, n[4];
	const double *x[4];
	static const int sign[4] = { +1, -1, -1, +1 };
	struct cr_claim *c;
	struct cr_ratio q;

	if (!cells[0] || !cells[1])
		return;
	c = add(cs, "cm.stress_hurts_vm", COCHAK ", Figures 3a and 4a",
		xasprintf("stress-ng lowers Kata's bandwidth more than runc's (%s)", pair), versus(r, g));
	c->effect_label = xasprintf("(%s stress / idle) / (%s stress / idle)", r->guests[g].name, r->guests[r->baseline].name);
	for (int i = 0; i < 4; i++) {
		if ((c->why = unusable(r, ids[i], gs[i], cells[i])))
			return;
		if (cells[i]->n < 2 || !isfinite(cells[i]->stats.gmean)) {
			c->why = xasprintf("%s of %s needs 2 samples > 0", ids[i], r->guests[gs[i]].name);
			return;
		}
		x[i] = cells[i]->samples;
		n[i] = cells[i]->n;
	}
	cr_log_contrast(4, x, n, sign, &q, &c->p);
	set_effect(c, &q);
	c->test = "Welch t on the logarithms";
	c->verdict = cr_claim_direction(c->effect, c->p, -1);
	c->why = c->verdict == CR_VERDICT_INCONCLUSIVE
			 ? xstrdup("not at the 5% level: this run cannot tell")
			 : xasprintf("the ratio of ratios is %s 1 at the 5%% level", c->effect < 1 ? "below" : "above");
}

/* Kata cannot use host networking: its host-bridge cells are unsupported. */
static void host_unsupported(const struct cr_report *r, struct claims *cs)
{
	bool any = false;

	for (size_t g = 0; g < r->n_guests; g++) {
		size_t unsupported = 0, measured = 0;
		struct cr_claim *c;

		if (strcmp(r->guests[g].runtime, "kata") != 0)
			continue;
		any = true;
		for (size_t k = 0; k < r->n_metrics; k++) {
			const struct cr_report_metric *m = &r->metrics[k];

			if (m->table == CR_TABLE_NET_BANDWIDTH && str_has_prefix(m->id, "net.host-bridge.")) {
				unsupported += m->cells[g].status == CR_CELL_UNSUPPORTED;
				measured += m->cells[g].n > 0;
			}
		}
		c = add(cs, "cm.host_unsupported", COCHAK, xstrdup("Kata cannot use Docker's host network"), stand_in(r, g));
		c->effect_label = xstrdup("host-bridge cells unsupported");
		if (measured)
			c->verdict = CR_VERDICT_CONTRADICTED;
		else if (unsupported)
			c->verdict = CR_VERDICT_HOLDS;
		c->why = measured      ? xasprintf("%zu host-bridge cells of %s were measured", measured, r->guests[g].name)
			 : unsupported ? xasprintf("the agent recorded %zu host-bridge cells as not supported", unsupported)
				       : xstrdup("no host-bridge cell of this guest ran");
	}
	if (!any && cr_report_metric(r, "net.host-bridge.idle.bandwidth")) {
		struct cr_claim *c = add(cs, "cm.host_unsupported", COCHAK, xstrdup("Kata cannot use Docker's host network"),
					 xstrdup("no Kata guest"));

		c->effect_label = xstrdup("host-bridge cells unsupported");
		c->why = xstrdup("this run has no Kata guest; the runtime in its place is not Kata");
	}
}

struct cr_claim *cr_claims_make(const struct cr_report *r, size_t *n)
{
	struct claims cs = { 0 };

	for (size_t g = 0; g < r->n_guests; g++) {
		if (g == r->baseline)
			continue;
		kumar(r, &cs, g);
		cochak_cells(r, &cs, g);
		for (int pair = 0; pair < CR_NET__MAX; pair++)
			stress_hurts(r, &cs, g, cr_net_pair_names[pair]);
	}
	for (size_t g = 0; g < r->n_guests; g++)
		for (int load = 0; load < CR_LOAD__MAX; load++)
			overlay_lowest(r, &cs, g, cr_net_load_names[load]);
	host_unsupported(r, &cs);
	*n = cs.n;
	return cs.c;
}

void cr_claims_free(struct cr_claim *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].text);
		free(c[i].compared);
		free(c[i].effect_label);
		free(c[i].why);
	}
	free(c);
}

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *cr_claims_json(const struct cr_claim *c, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:s?, s:o, s:s, s:s?}", "id", c[i].id, "source",
						c[i].source, "claim", c[i].text, "compared", c[i].compared, "effect", c[i].effect_label,
						"ratio", num(c[i].effect), "low", num(c[i].low), "high", num(c[i].high), "test", c[i].test,
						"p", num(c[i].p), "verdict", cr_verdict_names[c[i].verdict], "why", c[i].why));
	return a;
}
