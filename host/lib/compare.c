/* Comparing two runs' metrics with their noise, and checking a run against a bounds file. */
#include <math.h>

#include "compare.h"
#include "util.h"

#define BOUNDS_MAX_SIZE (1 << 20)

static bool number(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

/* "5%", "5" -> 5 */
static bool percent(const char *s, double *out)
{
	cleanup_free char *copy = xstrdup(s);
	size_t n = strlen(copy);

	if (n && copy[n - 1] == '%')
		copy[n - 1] = '\0';
	return number(copy, out) && *out >= 0;
}

static int parse_line(const char *name, unsigned lineno, char *line, struct cr_bound *b, cr_error_t *err)
{
	char *tok[5], *save = NULL, *at;
	size_t n = 0;
	double mid, pct;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == ARRAY_SIZE(tok))
			return cr_error(err, 0, "%s:%u: too many fields: expected 'METRIC MIN MAX' or 'METRIC MID ±PCT%%'", name, lineno);
		tok[n++] = t;
	}
	/* "MID ± PCT" with the sign apart */
	if (n == 4 && (strcmp(tok[2], "±") == 0 || strcmp(tok[2], "+-") == 0)) {
		tok[2] = tok[3];
		n = 3;
		if (number(tok[1], &mid) && percent(tok[2], &pct))
			goto mid_pct;
	}
	if (n != 3)
		return cr_error(err, 0, "%s:%u: expected 'METRIC MIN MAX' or 'METRIC MID ±PCT%%'", name, lineno);
	*b = (struct cr_bound){ .line = lineno, .min = -INFINITY, .max = INFINITY };
	if ((str_has_prefix(tok[2], "±") && percent(tok[2] + strlen("±"), &pct)) ||
	    (str_has_prefix(tok[2], "+-") && percent(tok[2] + 2, &pct))) {
		if (!number(tok[1], &mid))
			return cr_error(err, 0, "%s:%u: '%s' is not a number", name, lineno, tok[1]);
		goto mid_pct;
	}
	if (strcmp(tok[1], "-") != 0 && !number(tok[1], &b->min))
		return cr_error(err, 0, "%s:%u: '%s' is not a number (or - for no minimum)", name, lineno, tok[1]);
	if (strcmp(tok[2], "-") != 0 && !number(tok[2], &b->max))
		return cr_error(err, 0, "%s:%u: '%s' is not a number, - for no maximum, or ±PCT%%", name, lineno, tok[2]);
	if (b->min > b->max)
		return cr_error(err, 0, "%s:%u: the minimum %s is above the maximum %s", name, lineno, tok[1], tok[2]);
	goto metric;
mid_pct:
	*b = (struct cr_bound){ .line = lineno, .min = mid - fabs(mid) * pct / 100, .max = mid + fabs(mid) * pct / 100 };
metric:
	at = strchr(tok[0], '@');
	if (at == tok[0] || (at && !at[1]))
		return cr_error(err, 0, "%s:%u: '%s' is not METRIC or METRIC@GUEST", name, lineno, tok[0]);
	b->metric = at ? xstrndup(tok[0], (size_t)(at - tok[0])) : xstrdup(tok[0]);
	b->guest = at ? xstrdup(at + 1) : NULL;
	return 0;
}

int cr_bounds_parse(const char *name, const char *text, size_t len, struct cr_bounds *out, cr_error_t *err)
{
	cleanup_free char *copy = xstrndup(text, len);
	unsigned lineno = 0;
	char *next;

	*out = (struct cr_bounds){ .path = xstrdup(name) };
	if (strlen(copy) != len) {
		cr_bounds_release(out);
		return cr_error(err, 0, "%s: a NUL byte: not a bounds file", name);
	}
	for (char *line = copy; line; line = next) {
		struct cr_bound b;
		char *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = strstrip(line);
		if (!*s || *s == '#')
			continue;
		if (parse_line(name, lineno, s, &b, err) < 0) {
			cr_bounds_release(out);
			return -1;
		}
		out->b = xrealloc(out->b, (out->n + 1) * sizeof(*out->b));
		out->b[out->n++] = b;
	}
	return 0;
}

int cr_bounds_load(const char *path, struct cr_bounds *out, cr_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (cr_read_file(path, BOUNDS_MAX_SIZE, &text, &len, err) < 0)
		return cr_error_prefix(err, "cannot read bounds file '%s': ", path);
	return cr_bounds_parse(path, text, len, out, err);
}

void cr_bounds_release(struct cr_bounds *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->b[i].metric);
		free(b->b[i].guest);
	}
	free(b->b);
	free(b->path);
	*b = (struct cr_bounds){ 0 };
}

/* ---- comparing ---- */

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* A side's cell; a pooled side's n counts its runs, "samples" its rounds in all. */
static json_t *side(const struct cr_report *r, const struct cr_report_cell *c)
{
	json_t *o = json_pack("{s:s, s:s?, s:I, s:o, s:o, s:o, s:o}", "status", cr_cell_status_names[c->status], "reason", c->reason, "n",
			      (json_int_t)c->n, "mean", num(c->stats.mean), "estimate", num(c->stats.estimate), "ci_low",
			      num(c->stats.ci_low), "ci_high", num(c->stats.ci_high));

	if (r->n_runs)
		json_object_set_new(o, "samples", json_integer((json_int_t)c->pooled.n));
	return o;
}

static json_t *compare_cell(const struct cr_report *a, const struct cr_report *b, const struct cr_report_metric *ma,
			    const struct cr_report_metric *mb, size_t ga, size_t gb)
{
	const struct cr_report_cell *ca = &ma->cells[ga], *cb = &mb->cells[gb];
	struct cr_ratio q;
	const char *verdict;
	bool outside = false, overlap;

	bool one_against_runs = !a->n_runs != !b->n_runs;

	/* a single run against pooled runs: its value (the geometric mean of its rounds) against theirs, predicted */
	if (one_against_runs) {
		const struct cr_report_cell *runs = a->n_runs ? ca : cb, *one = a->n_runs ? cb : ca;

		cr_ratio_run_predicted(runs->samples, runs->n, one->stats.gmean, runs == ca, &q);
	} else {
		cr_ratio_interval(cb->samples, cb->n, ca->samples, ca->n, &q);
	}
	overlap = !(cb->stats.ci_low > ca->stats.ci_high || cb->stats.ci_high < ca->stats.ci_low);
	if (!ca->n || !cb->n)
		verdict = "no comparison: a side has no sample";
	else if (q.unbounded)
		verdict = "no interval: run A's mean is not clearly away from 0";
	else if (!isfinite(q.ratio) && q.method == CR_RATIO_NONE && one_against_runs)
		verdict = "no comparison: a sample is 0 or less, and a run against runs compares geometric means";
	else if (!isfinite(q.low))
		verdict = a->n_runs || b->n_runs ? "no interval: a side has fewer than 2 runs"
						 : "no interval: a side has fewer than 2 samples";
	else if ((outside = cr_ratio_excludes_one(&q)))
		verdict = q.low > 1 ? "higher, outside the noise" : "lower, outside the noise";
	else
		verdict = "within the noise";
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:b, s:b, s:s}", "metric", mb->id, "label", mb->label,
			 "unit", mb->unit, "guest", b->guests[gb].name, "a", side(a, ca), "b", side(b, cb), "change_percent",
			 num(100 * (cb->stats.mean - ca->stats.mean) / ca->stats.mean), "ratio", num(q.ratio), "ratio_low", num(q.low),
			 "ratio_high", num(q.high), "ratio_method", cr_ratio_method_names[q.method], "outside_noise", outside,
			 "intervals_overlap", overlap, "verdict", verdict);
}

/* The bound checked on one guest's cell of run b; m NULL when run b has no such metric. */
static json_t *check(const struct cr_bound *bd, const struct cr_report *b, const struct cr_report_metric *m, size_t g, bool *failed)
{
	const char *guest = g < b->n_guests ? b->guests[g].name : bd->guest;
	const struct cr_report_cell *c = m && g < b->n_guests ? &m->cells[g] : NULL;
	double v = c && c->n ? c->stats.mean : NAN;
	bool ok = isfinite(v) && v >= bd->min && v <= bd->max;
	cleanup_free char *why = NULL;

	if (!m)
		why = xasprintf("run b has no metric '%s' (crbench report lists them in report.json)", bd->metric);
	else if (!c)
		why = xasprintf("run b has no guest '%s'", bd->guest);
	else if (!c->n)
		why = xasprintf("no sample: %s", c->reason ? c->reason : cr_cell_status_names[c->status]);
	else
		why = xstrdup(ok ? "within" : v < bd->min ? "below the minimum" : "above the maximum");
	*failed |= !ok;
	return json_pack("{s:I, s:s, s:s?, s:o, s:o, s:o, s:b, s:s}", "line", (json_int_t)bd->line, "metric", bd->metric, "guest", guest,
			 "min", num(bd->min), "max", num(bd->max), "mean", num(v), "ok", ok, "why", why);
}

json_t *cr_compare(const struct cr_report *a, const struct cr_report *b, const struct cr_bounds *bounds, bool *out_of_bounds)
{
	json_t *metrics = json_array(), *checks = json_array();
	size_t changed = 0;

	*out_of_bounds = false;
	for (size_t k = 0; a && k < b->n_metrics; k++) {
		const struct cr_report_metric *mb = &b->metrics[k], *ma = cr_report_metric(a, mb->id);

		for (size_t gb = 0; ma && gb < b->n_guests; gb++) {
			ssize_t ga = cr_report_guest(a, b->guests[gb].name);
			json_t *row;

			if (ga < 0)
				continue;
			row = compare_cell(a, b, ma, mb, (size_t)ga, gb);
			changed += json_is_true(json_object_get(row, "outside_noise"));
			json_array_append_new(metrics, row);
		}
	}
	for (size_t i = 0; bounds && i < bounds->n; i++) {
		const struct cr_bound *bd = &bounds->b[i];
		const struct cr_report_metric *m = cr_report_metric(b, bd->metric);
		ssize_t g = bd->guest ? cr_report_guest(b, bd->guest) : -1;

		if (bd->guest || !m) {
			json_array_append_new(checks, check(bd, b, m, g < 0 ? b->n_guests : (size_t)g, out_of_bounds));
			continue;
		}
		for (size_t gi = 0; gi < b->n_guests; gi++)
			json_array_append_new(checks, check(bd, b, m, gi, out_of_bounds));
	}
	return json_pack("{s:s?, s:s, s:I, s:o, s:s?, s:o, s:b}", "a", a ? a->run_id : NULL, "b", b->run_id, "changed_outside_noise",
			 (json_int_t)changed, "metrics", metrics, "bounds_file", bounds ? bounds->path : NULL, "bounds", checks,
			 "out_of_bounds", *out_of_bounds);
}
