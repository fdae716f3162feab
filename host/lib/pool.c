/* Several runs of one plan read into one report, the run as a level of variance (docs/report.md, "Pooling runs"). */
#include <math.h>
#include <sys/stat.h>

#include "report.h"
#include "util.h"

/* Plan keys that may differ between runs pooled: they do not shape what a step measures. */
static const char *const free_keys[] = { "name",    "seed", "timeout", "progress-timeout", "repetitions", "test-timeout", "kata-tarball",
					 "connect", "pool", "upload" };

/* The plan's measuring keys as "[section] key" / value pairs, in the dump's order. */
struct plan_keys {
	char **key, **value;
	size_t n;
};

static void plan_keys(const struct cr_plan *plan, struct plan_keys *out)
{
	cleanup_free char *dump = cr_plan_dump(plan), *section = xstrdup("");
	char *save = NULL;

	*out = (struct plan_keys){ 0 };
	for (char *line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");
		bool skip = false;

		if (*line == '[') {
			free(section);
			section = xstrdup(line);
			/* a section with no measuring key must still be there */
			eq = NULL;
		}
		if (eq) {
			*eq = '\0';
			for (size_t i = 0; i < ARRAY_SIZE(free_keys); i++)
				skip |= strcmp(line, free_keys[i]) == 0;
			if (skip)
				continue;
		}
		out->key = xrealloc(out->key, (out->n + 1) * sizeof(char *));
		out->value = xrealloc(out->value, (out->n + 1) * sizeof(char *));
		out->key[out->n] = eq ? xasprintf("%s %s", section, line) : xstrdup(section);
		out->value[out->n++] = xstrdup(eq ? eq + 3 : "");
	}
}

static void plan_keys_release(struct plan_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->key[i]);
		free(k->value[i]);
	}
	free(k->key);
	free(k->value);
}

static ssize_t plan_key(const struct plan_keys *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->key[i], key) == 0)
			return (ssize_t)i;
	return -1;
}

/* The first difference of b's plan from a's, or NULL when they measure alike. */
static char *plan_difference(const struct cr_report *a, const struct cr_report *b)
{
	struct plan_keys ka, kb;
	char *why = NULL;

	plan_keys(a->plan, &ka);
	plan_keys(b->plan, &kb);
	for (size_t i = 0; i < ka.n && !why; i++) {
		ssize_t j = plan_key(&kb, ka.key[i]);
		bool section = ka.key[i][strlen(ka.key[i]) - 1] == ']';

		if (j < 0 && section)
			why = xasprintf("%s has %s, %s has not", a->dir, ka.key[i], b->dir);
		else if (j < 0)
			why = xasprintf("%s: %s in %s, not set in %s", ka.key[i], ka.value[i], a->dir, b->dir);
		else if (strcmp(ka.value[i], kb.value[j]) != 0)
			why = xasprintf("%s: %s in %s, %s in %s", ka.key[i], ka.value[i], a->dir, kb.value[j], b->dir);
	}
	for (size_t j = 0; j < kb.n && !why; j++)
		if (plan_key(&ka, kb.key[j]) < 0)
			why = xasprintf("%s has %s, %s has not", b->dir, kb.key[j], a->dir);
	plan_keys_release(&ka);
	plan_keys_release(&kb);
	return why;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The members every run's object o has with one value; the others are left out. */
static json_t *common_members(struct cr_report **parts, size_t n, json_t *(*pick)(const struct cr_report *))
{
	json_t *first = pick(parts[0]), *out = json_object(), *v;
	const char *key;

	json_object_foreach(first, key, v) {
		bool same = true;

		for (size_t j = 1; j < n && same; j++)
			same = json_equal(v, json_object_get(pick(parts[j]), key));
		if (same)
			json_object_set(out, key, v);
	}
	return out;
}

static json_t *run_of(const struct cr_report *r)
{
	return r->run;
}

static json_t *host_of(const struct cr_report *r)
{
	return json_object_get(r->run, "host");
}

/* What the runs' hosts differ in, named: "cpu_model, accel"; NULL when nothing. */
static char *host_differences(struct cr_report **parts, size_t n)
{
	static const char *const keys[] = { "cpu_model", "cpus", "memory_bytes", "accel", "kernel", "libvirt_version", "qemu_version" };
	char *out = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		bool same = true;

		for (size_t j = 1; j < n; j++)
			same &= json_equal(json_object_get(host_of(parts[0]), keys[i]), json_object_get(host_of(parts[j]), keys[i])) ||
				(!json_object_get(host_of(parts[0]), keys[i]) && !json_object_get(host_of(parts[j]), keys[i]));
		if (!same)
			str_append(&out, ", ", "%s", keys[i]);
	}
	return out;
}

/* A guest's entry of run.json's guests, or NULL. */
static json_t *run_guest(const struct cr_report *r, const char *name)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(r->run, "guests"), i, g)
		if (str(g, "name") && strcmp(str(g, "name"), name) == 0)
			return g;
	return NULL;
}

/* The pooled run.json: the first run's, with what differs between the runs left out, the guests' step counts summed. */
static json_t *pooled_manifest(struct cr_report **parts, size_t n, const struct cr_report *r)
{
	static const char *const sums[] = { "steps_ok", "steps_failed", "steps_unsupported" };
	json_t *run = common_members(parts, n, run_of), *guests = json_array();
	const char *status = "complete";
	cleanup_free char *id = xasprintf("%zu runs of plan %s", n, r->plan->name);

	for (size_t j = 0; j < n; j++)
		if (!str(parts[j]->run, "status") || strcmp(str(parts[j]->run, "status"), "complete") != 0)
			status = str(parts[j]->run, "status") ? str(parts[j]->run, "status") : "unknown";
	json_object_set_new(run, "run_id", json_string(id));
	json_object_set_new(run, "status", json_string(status));
	json_object_set_new(run, "host", common_members(parts, n, host_of));
	json_object_set(run, "plan", json_object_get(parts[0]->run, "plan"));
	for (size_t g = 0; g < r->n_guests; g++) {
		json_t *pg = json_deep_copy(run_guest(parts[0], r->guests[g].name));

		if (!pg)
			pg = json_object();
		for (size_t i = 0; i < ARRAY_SIZE(sums); i++) {
			json_int_t total = 0;

			for (size_t j = 0; j < n; j++)
				total += json_integer_value(json_object_get(run_guest(parts[j], r->guests[g].name), sums[i]));
			json_object_set_new(pg, sums[i], json_integer(total));
		}
		json_array_append_new(guests, pg);
	}
	json_object_set_new(run, "guests", guests);
	return run;
}

/* "complete" when every run's guest was; else "STATUS in run ID" of the first that was not. */
static void pooled_guest(struct cr_report **parts, size_t n, struct cr_report_guest *pg, size_t g)
{
	const struct cr_report_guest *first = &parts[0]->guests[g];
	size_t missing = 0;

	pg->name = xstrdup(first->name);
	pg->runtime = xstrdup(first->runtime);
	pg->entries = json_array();
	pg->env = json_incref(first->env);
	for (size_t j = 0; j < n; j++) {
		const struct cr_report_guest *rg = &parts[j]->guests[g];

		json_array_extend(pg->entries, rg->entries);
		pg->n_warmup += rg->n_warmup;
		if (!pg->status && strcmp(rg->status, "complete") != 0) {
			pg->status = xstrdup(rg->status);
			pg->reason = xasprintf("in run %s%s%s", parts[j]->run_id, rg->reason ? ": " : "", rg->reason ? rg->reason : "");
		}
		missing += rg->missing != NULL;
	}
	if (missing == n)
		pg->missing = xasprintf("in every run: %s", first->missing);
	if (!pg->status)
		pg->status = xstrdup("complete");
}

/* Notes of a run's env record that differ between the runs for one guest: the guest kernel, Docker, the runtime. */
static void env_differences(struct cr_report *r, struct cr_report **parts, size_t n)
{
	static const char *const what[][3] = {
		{ "kernel", "release", "guest kernel" },
		{ "docker_version", "Version", "Docker" },
		{ "runtime_version", "output", "runtime version" },
	};

	for (size_t g = 0; g < r->n_guests; g++)
		for (size_t i = 0; i < ARRAY_SIZE(what); i++) {
			json_t *v0 = json_object_get(json_object_get(parts[0]->guests[g].env, what[i][0]), what[i][1]);

			for (size_t j = 1; j < n; j++) {
				json_t *v = json_object_get(json_object_get(parts[j]->guests[g].env, what[i][0]), what[i][1]);

				if (v0 && v && !json_equal(v0, v)) {
					cr_report_note(r, xasprintf("guest '%s': its %s differs between runs %s and %s: read its pooled "
								    "cells as of different software",
								    r->guests[g].name, what[i][2], parts[0]->run_id, parts[j]->run_id));
					break;
				}
			}
		}
}

/*
 * A pooled cell's reason: each run's that has one, its run named. Its
 * status: ok with a sample; else the runs' status when they agree, failed
 * when they do not.
 */
static void pooled_reason(struct cr_report_cell *c, struct cr_report **parts, size_t n, const struct cr_report_cell *const *rc)
{
	for (size_t j = 0; j < n; j++) {
		const char *why = rc[j] ? rc[j]->reason : "the run has no such metric";

		if (why)
			str_append(&c->reason, "; ", "run %s: %s", parts[j]->run_id, why);
	}
	if (c->n) {
		c->status = CR_CELL_OK;
		return;
	}
	c->status = rc[0] ? rc[0]->status : CR_CELL_MISSING;
	for (size_t j = 1; j < n; j++)
		if (!rc[j] || rc[j]->status != c->status)
			c->status = CR_CELL_FAILED;
}

static void pool_cell(struct cr_report **parts, size_t n, const char *id, size_t g, struct cr_report_cell *c)
{
	cleanup_free const struct cr_report_cell **rc = xcalloc(n, sizeof(*rc));
	cleanup_free const double **x = xcalloc(n, sizeof(*x));

	c->run_values = xcalloc(n, sizeof(double));
	c->run_n = xcalloc(n, sizeof(size_t));
	for (size_t j = 0; j < n; j++) {
		const struct cr_report_metric *m = cr_report_metric(parts[j], id);

		rc[j] = m ? &m->cells[g] : NULL;
		x[j] = rc[j] ? rc[j]->samples : NULL;
		c->run_n[j] = rc[j] ? rc[j]->n : 0;
		if (rc[j]) {
			c->n_failed += rc[j]->n_failed;
			c->n_unsupported += rc[j]->n_unsupported;
			c->n_not_measured += rc[j]->n_not_measured;
		}
	}
	cr_pool(n, x, c->run_n, c->run_values, &c->pooled);
	c->stats = c->pooled.stats;
	c->samples = xcalloc(n, sizeof(double));
	for (size_t j = 0; j < n; j++)
		if (c->run_n[j])
			c->samples[c->n++] = c->run_values[j];
	c->ratio = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN, .df = NAN };
	c->paper = NAN;
	pooled_reason(c, parts, n, rc);
}

static void pool_metrics(struct cr_report *r, struct cr_report **parts, size_t n)
{
	const struct cr_report *first = parts[0];

	r->metrics = xcalloc(first->n_metrics + 1, sizeof(*r->metrics));
	for (size_t k = 0; k < first->n_metrics; k++) {
		const struct cr_report_metric *fm = &first->metrics[k];
		struct cr_report_metric *m = &r->metrics[r->n_metrics++];

		*m = (struct cr_report_metric){ .id = xstrdup(fm->id),
						.label = xstrdup(fm->label),
						.unit = fm->unit,
						.table = fm->table,
						.step = xstrdup(fm->step),
						.path = xstrdup(fm->path),
						.how = fm->how,
						.scale = fm->scale,
						.cells = xcalloc(r->n_guests + 1, sizeof(*m->cells)) };
		for (size_t g = 0; g < r->n_guests; g++)
			pool_cell(parts, n, m->id, g, &m->cells[g]);
		for (size_t g = 0; g < r->n_guests; g++) {
			const struct cr_report_cell *base = &m->cells[r->baseline];
			struct cr_report_cell *c = &m->cells[g];

			if (g != r->baseline)
				cr_ratio_runs(c->run_values, base->run_values, n, c->pooled.log_scale && base->pooled.log_scale, &c->ratio);
		}
	}
}

/* The runs' guests must be the plan's, by name and runtime, in one order: the plans agree, so this only guards run.json. */
static char *guest_difference(struct cr_report **parts, size_t n)
{
	for (size_t j = 1; j < n; j++) {
		if (parts[j]->n_guests != parts[0]->n_guests)
			return xasprintf("%s has %zu guests, %s has %zu", parts[0]->dir, parts[0]->n_guests, parts[j]->dir,
					 parts[j]->n_guests);
		for (size_t g = 0; g < parts[0]->n_guests; g++)
			if (strcmp(parts[j]->guests[g].name, parts[0]->guests[g].name) != 0 ||
			    strcmp(parts[j]->guests[g].runtime, parts[0]->guests[g].runtime) != 0)
				return xasprintf("guest %zu is '%s' (%s) in %s, '%s' (%s) in %s", g + 1, parts[0]->guests[g].name,
						 parts[0]->guests[g].runtime, parts[0]->dir, parts[j]->guests[g].name,
						 parts[j]->guests[g].runtime, parts[j]->dir);
	}
	return NULL;
}

static int check_poolable(struct cr_report **parts, size_t n, cr_error_t *err)
{
	for (size_t j = 0; j < n; j++) {
		cleanup_free char *why = NULL;

		if (!parts[j]->plan)
			return cr_error(err, 0,
					"cannot pool %s: its plan.ini cannot be read, so it cannot be shown to be the plan of the others",
					parts[j]->dir);
		for (size_t i = 0; i < j; i++)
			if (strcmp(parts[i]->run_id, parts[j]->run_id) == 0)
				return cr_error(err, 0, "cannot pool run %s twice (%s and %s)", parts[j]->run_id, parts[i]->dir,
						parts[j]->dir);
		if (j && (why = plan_difference(parts[0], parts[j])))
			return cr_error(err, 0, "cannot pool runs of different plans: %s", why);
	}
	{
		cleanup_free char *why = guest_difference(parts, n);

		if (why)
			return cr_error(err, 0, "cannot pool runs of different guests: %s", why);
	}
	return 0;
}

static void free_parts(struct cr_report **parts, size_t n)
{
	for (size_t j = 0; j < n; j++)
		cr_report_free(parts[j]);
	free(parts);
}

int cr_report_pool(const char *const *run_dirs, size_t n, struct cr_report **out, cr_error_t *err)
{
	struct cr_report **parts, *r;
	cleanup_free char *hosts = NULL;

	if (n == 1)
		return cr_report_load(run_dirs[0], out, err);
	if (n == 0)
		return cr_error(err, 0, "no run directory to pool");
	parts = xcalloc(n, sizeof(*parts));
	for (size_t j = 0; j < n; j++)
		if (cr_report_load(run_dirs[j], &parts[j], err) < 0) {
			free_parts(parts, n);
			return -1;
		}
	if (check_poolable(parts, n, err) < 0) {
		free_parts(parts, n);
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	for (size_t j = 0; j < n; j++)
		str_append(&r->dir, ", ", "%s", run_dirs[j]);
	/* the plans agree: the first run's is the pooled report's */
	r->plan = steal_pointer(&parts[0]->plan);
	r->runs = xcalloc(n, sizeof(*r->runs));
	r->n_runs = n;
	for (size_t j = 0; j < n; j++)
		r->runs[j] = (struct cr_report_run){ .dir = xstrdup(run_dirs[j]),
						     .id = xstrdup(parts[j]->run_id),
						     .run = json_incref(parts[j]->run) };
	r->n_guests = parts[0]->n_guests;
	r->baseline = parts[0]->baseline;
	r->guests = xcalloc(r->n_guests + 1, sizeof(*r->guests));
	for (size_t g = 0; g < r->n_guests; g++)
		pooled_guest(parts, n, &r->guests[g], g);
	r->run = pooled_manifest(parts, n, r);
	r->run_id = str(r->run, "run_id");
	for (size_t j = 0; j < n; j++) {
		r->n_warmup += parts[j]->n_warmup;
		for (size_t i = 0; parts[j]->notes && parts[j]->notes[i]; i++)
			cr_report_note(r, xasprintf("run %s: %s", parts[j]->run_id, parts[j]->notes[i]));
	}
	hosts = host_differences(parts, n);
	if (hosts)
		cr_report_note(r, xasprintf("the runs' hosts differ in %s (the runs table): the between-run share includes that difference",
					    hosts));
	env_differences(r, parts, n);
	pool_metrics(r, parts, n);
	cr_report_papers(r);
	r->claims = cr_claims_make(r, &r->n_claims);
	free_parts(parts, n);
	*out = r;
	return 0;
}

int cr_report_load_set(const char *spec, struct cr_report **out, cr_error_t *err)
{
	cleanup_free char *copy = xstrdup(spec);
	cleanup_free const char **dirs = NULL;
	char *save = NULL;
	size_t n = 0;
	struct stat st;

	/* a directory is one run, whatever its name holds */
	if (!strchr(spec, ',') || (stat(spec, &st) == 0 && S_ISDIR(st.st_mode)))
		return cr_report_load(spec, out, err);
	for (char *d = strtok_r(copy, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
		dirs = xrealloc(dirs, (n + 1) * sizeof(*dirs));
		dirs[n++] = d;
	}
	if (!n)
		return cr_error(err, 0, "'%s' names no run directory", spec);
	return cr_report_pool(dirs, n, out, err);
}
