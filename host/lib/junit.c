/* JUnit XML of a comparison and of a run: test suites of test cases, failures and skips with their reasons. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "junit.h"
#include "results.h"
#include "util.h"

enum outcome { PASSED, FAILED, SKIPPED };

struct testcase {
	char *classname, *name, *type, *message; /* type and message: of a failure or skip */
	double seconds;
	enum outcome outcome;
};

struct suite {
	char *name;
	struct testcase *cases;
	size_t n, failures, skipped;
	double seconds;
};

struct junit {
	char *name;
	struct suite *suites;
	size_t n;
};

static struct suite *add_suite(struct junit *j, const char *name)
{
	j->suites = xrealloc(j->suites, (j->n + 1) * sizeof(*j->suites));
	j->suites[j->n] = (struct suite){ .name = xstrdup(name) };
	return &j->suites[j->n++];
}

static void add_case(struct suite *s, const char *classname, const char *name, double seconds, enum outcome outcome, const char *type,
		     const char *message)
{
	s->cases = xrealloc(s->cases, (s->n + 1) * sizeof(*s->cases));
	s->cases[s->n++] = (struct testcase){ .classname = xstrdup(classname),
					      .name = xstrdup(name),
					      .type = type ? xstrdup(type) : NULL,
					      .message = message ? xstrdup(message) : NULL,
					      .seconds = isfinite(seconds) && seconds > 0 ? seconds : 0,
					      .outcome = outcome };
	s->failures += outcome == FAILED;
	s->skipped += outcome == SKIPPED;
	s->seconds += s->cases[s->n - 1].seconds;
}

static void junit_free(struct junit *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct suite *s = &j->suites[i];

		for (size_t k = 0; k < s->n; k++) {
			free(s->cases[k].classname);
			free(s->cases[k].name);
			free(s->cases[k].message);
			free(s->cases[k].type);
		}
		free(s->cases);
		free(s->name);
	}
	free(j->suites);
	free(j->name);
}

static void write_case(FILE *f, const struct testcase *c)
{
	cleanup_free char *cls = cr_xml_escape(c->classname), *name = cr_xml_escape(c->name);
	cleanup_free char *msg = cr_xml_escape(c->message ? c->message : ""), *type = cr_xml_escape(c->type ? c->type : "failure");

	fprintf(f, "    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"", cls, name, c->seconds);
	if (c->outcome == PASSED) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	if (c->outcome == FAILED)
		fprintf(f, "      <failure message=\"%s\" type=\"%s\">%s</failure>\n", msg, type, msg);
	else
		fprintf(f, "      <skipped message=\"%s\"/>\n", msg);
	fputs("    </testcase>\n", f);
}

/* Write to a temporary file beside path, then rename: a CI job never reads half a report. */
static int junit_write(const struct junit *j, const char *path, cr_error_t *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid()), *name = cr_xml_escape(j->name);
	size_t tests = 0, failures = 0, skipped = 0;
	double seconds = 0;
	FILE *f = fopen(tmp, "we");
	int bad;

	if (!f)
		return cr_error(err, errno, "cannot write '%s'", path);
	for (size_t i = 0; i < j->n; i++) {
		tests += j->suites[i].n;
		failures += j->suites[i].failures;
		skipped += j->suites[i].skipped;
		seconds += j->suites[i].seconds;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n", name, tests,
		failures, skipped, seconds);
	for (size_t i = 0; i < j->n; i++) {
		const struct suite *s = &j->suites[i];
		cleanup_free char *sname = cr_xml_escape(s->name);

		fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n", sname,
			s->n, s->failures, s->skipped, s->seconds);
		for (size_t k = 0; k < s->n; k++)
			write_case(f, &s->cases[k]);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		unlink(tmp);
		return cr_error(err, errno ? errno : EIO, "cannot write '%s'", path);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return cr_error(err, e, "cannot rename '%s' to '%s'", tmp, path);
	}
	return 0;
}

/* A number of the comparison as text: "-" for none (null). */
static const char *num(const json_t *v, char buf[32])
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, 32, "%.6g", json_number_value(v));
	return buf;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int cr_junit_write_compare(const json_t *doc, const char *path, cr_error_t *err)
{
	struct junit j = { 0 };
	const char *a = json_string_value(json_object_get(doc, "a")), *b = str(doc, "b");
	json_t *row;
	size_t i;
	int ret;

	j.name = a ? xasprintf("crbench compare %s %s", a, b) : xasprintf("crbench compare --bounds %s", b);
	if (a) {
		struct suite *s = add_suite(&j, "changes");

		json_array_foreach(json_object_get(doc, "metrics"), i, row) {
			cleanup_free char *cls = xasprintf("crbench.compare.%s", str(row, "guest"));
			cleanup_free char *msg = NULL;
			bool changed = json_is_true(json_object_get(row, "outside_noise"));
			char n1[32], n2[32], n3[32], n4[32], n5[32];

			if (changed)
				msg = xasprintf("%s: %s -> %s %s, B/A %s [%s, %s]: %s", str(row, "label"),
						num(json_object_get(json_object_get(row, "a"), "mean"), n1),
						num(json_object_get(json_object_get(row, "b"), "mean"), n2), str(row, "unit"),
						num(json_object_get(row, "ratio"), n3), num(json_object_get(row, "ratio_low"), n4),
						num(json_object_get(row, "ratio_high"), n5), str(row, "verdict"));
			add_case(s, cls, str(row, "metric"), 0, changed ? FAILED : PASSED, "changed", msg);
		}
	}
	if (json_string_value(json_object_get(doc, "bounds_file"))) {
		struct suite *s = add_suite(&j, "bounds");

		json_array_foreach(json_object_get(doc, "bounds"), i, row) {
			cleanup_free char *cls = xasprintf("crbench.bounds.%s", *str(row, "guest") ? str(row, "guest") : "all");
			cleanup_free char *name = xasprintf("%s (%s line %lld)", str(row, "metric"), str(doc, "bounds_file"),
							    (long long)json_integer_value(json_object_get(row, "line")));
			bool ok = json_is_true(json_object_get(row, "ok"));
			char n1[32], n2[32], n3[32];
			cleanup_free char *msg =
				ok ? NULL
				   : xasprintf("mean %s, bounds [%s, %s]: %s", num(json_object_get(row, "mean"), n1),
					       json_is_null(json_object_get(row, "min")) ? "-inf" : num(json_object_get(row, "min"), n2),
					       json_is_null(json_object_get(row, "max")) ? "inf" : num(json_object_get(row, "max"), n3),
					       str(row, "why"));

			add_case(s, cls, name, 0, ok ? PASSED : FAILED, "out of bounds", msg);
		}
	}
	ret = junit_write(&j, path, err);
	junit_free(&j);
	return ret;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* One guest of run.json: its steps from its harvested entries, and the guest's own outcome. */
static void run_guest(struct junit *j, const char *run_dir, const json_t *g)
{
	const char *name = str(g, "name"), *status = str(g, "status");
	cleanup_free char *dir = xasprintf("%s/%s/results", run_dir, name), *sname = xasprintf("%s (%s)", name, str(g, "runtime"));
	cleanup_free char *cls = xasprintf("crbench.run.%s", name);
	struct dirent **ents = NULL;
	struct suite *s = add_suite(j, sname);
	int n = scandir(dir, &ents, NULL, by_name);

	for (int i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, ents[i]->d_name);
		json_t *doc = cr_results_step_name(ents[i]->d_name) ? json_load_file(path, 0, NULL) : NULL;

		if (doc) {
			const char *st = str(doc, "status"), *why = str(doc, "reason");
			cleanup_free char *case_name = xasprintf("%04lld %s r%lld%s",
								 (long long)json_integer_value(json_object_get(doc, "index")),
								 str(doc, "step"),
								 (long long)json_integer_value(json_object_get(doc, "round")),
								 json_is_true(json_object_get(doc, "warmup")) ? " (warm-up)" : "");
			enum outcome o = strcmp(st, "ok") == 0 ? PASSED : strcmp(st, "unsupported") == 0 ? SKIPPED : FAILED;
			cleanup_free char *msg = o == PASSED ? NULL : xasprintf("%s: %s", st, *why ? why : "no reason given");

			add_case(s, cls, case_name, json_number_value(json_object_get(doc, "seconds")), o, st, msg);
			json_decref(doc);
		}
		free(ents[i]);
	}
	free(ents);
	{
		bool complete = strcmp(status, "complete") == 0;
		cleanup_free char *msg = complete ? NULL
						  : xasprintf("%s: %s", status, *str(g, "reason") ? str(g, "reason") : "no reason given");

		add_case(s, cls, "guest", json_number_value(json_object_get(g, "wall_seconds")), complete ? PASSED : FAILED, status, msg);
	}
}

int cr_junit_write_run(const char *run_dir, const char *path, cr_error_t *err)
{
	cleanup_free char *manifest = xasprintf("%s/run.json", run_dir);
	json_error_t jerr;
	json_t *run = json_load_file(manifest, 0, &jerr), *g;
	struct junit j = { 0 };
	size_t i;
	int ret;

	if (!run)
		return cr_error(err, 0, "%s:%d: %s", manifest, jerr.line, jerr.text);
	j.name = xasprintf("crbench run %s", str(run, "run_id"));
	json_array_foreach(json_object_get(run, "guests"), i, g) {
		run_guest(&j, run_dir, g);
	}
	ret = junit_write(&j, path, err);
	junit_free(&j);
	json_decref(run);
	return ret;
}
