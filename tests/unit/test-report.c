/* Unit tests for host/lib/report.c and compare.c: the model of the fixture runs, bounds files, odd run directories. */
#include <math.h>
#include <sys/stat.h>

#include "test.h"

#include "compare.h"
#include "report.h"
#include "run.h"

static struct cr_report *load(const char *name)
{
	cleanup_free char *dir = test_data(name);
	cleanup_error cr_error_t err = NULL;
	struct cr_report *r = NULL;

	if (cr_report_load(dir, &r, &err) < 0)
		fail_msg("%s", err->msg);
	return r;
}

static const struct cr_report_cell *cell(const struct cr_report *r, const char *metric, const char *guest)
{
	const struct cr_report_metric *m = cr_report_metric(r, metric);
	ssize_t g = cr_report_guest(r, guest);

	assert_non_null(m);
	assert_true(g >= 0);
	return &m->cells[g];
}

static void degraded_run(void **state)
{
	cleanup_report struct cr_report *r = load("runs/degraded");
	const struct cr_report_cell *c;

	assert_int_equal(r->n_guests, 4);
	assert_string_equal(r->guests[r->baseline].name, "runc");
	assert_int_equal(r->n_warmup, 24);
	/* the run's status, runsc and crun */
	assert_int_equal(strv_len(r->notes), 3);
	c = cell(r, "net.host-bridge.idle.bandwidth", "kata");
	assert_int_equal(c->status, CR_CELL_UNSUPPORTED);
	assert_int_equal(c->n_unsupported, 3);
	assert_non_null(strstr(c->reason, "host's network namespace"));
	c = cell(r, "disk.block_out", "kata");
	assert_int_equal(c->status, CR_CELL_FAILED);
	assert_true(c->paper == 1103322);
	assert_true(isnan(c->ratio.ratio));
	c = cell(r, "boot.httpd.first_200", "kata");
	assert_int_equal(c->status, CR_CELL_OK);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->n_failed, 1);
	assert_true(c->paper == 3.707);
	assert_true(c->ratio.ratio > 4 && c->ratio.low < c->ratio.ratio && c->ratio.high > c->ratio.ratio);
	assert_int_equal(c->ratio.method, CR_RATIO_LOG_WELCH);
	c = cell(r, "disk.block_in", "runc");
	assert_int_equal(c->n, 2);
	assert_int_equal(c->n_not_measured, 1);
	assert_true(isnan(c->ratio.ratio)); /* the baseline */
	c = cell(r, "mem.used", "runsc");
	assert_int_equal(c->status, CR_CELL_MISSING);
	assert_non_null(strstr(c->reason, "kernel panicked"));
	c = cell(r, "mem.used", "crun");
	assert_non_null(strstr(c->reason, "did not run"));
	assert_null(cr_report_metric(r, "no.such.metric"));
	assert_int_equal(cr_report_guest(r, "nobody"), -1);
}

static void cpu_shares(void **state)
{
	cleanup_report struct cr_report *r = load("runs/complete");
	double sum = 0;
	const char *const fields[] = { "user", "nice", "system", "idle", "iowait" };

	/* user + nice + system + idle + iowait leave irq, softirq and steal out of 100 */
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		cleanup_free char *id = xasprintf("cpu.idle.%s", fields[i]);

		sum += cell(r, id, "runc")->samples[0];
	}
	assert_true(sum > 99 && sum < 100);
}

/* A run.json without guests, and a plan.ini that does not parse: a report all the same. */
static void odd_run(void **state)
{
	char dir[] = "/tmp/crbench-report-XXXXXX";
	cleanup_free char *run = NULL, *plan = NULL, *out = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_report struct cr_report *r = NULL;
	cleanup_strv char **warnings = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	run = xasprintf("%s/run.json", dir);
	plan = xasprintf("%s/plan.ini", dir);
	out = xasprintf("%s/report", dir);
	f = fopen(run, "w");
	fputs("{\"guests\": [{\"name\": \"../x\"}], \"status\": \"interrupted\"}\n", f);
	fclose(f);
	f = fopen(plan, "w");
	fputs("[nonsense\n", f);
	fclose(f);
	assert_int_equal(cr_report_load(dir, &r, &err), 0);
	assert_int_equal(r->n_guests, 0);
	/* the plan, the status, the guest left out */
	assert_int_equal(strv_len(r->notes), 3);
	assert_true(r->n_metrics > 0);
	assert_int_equal(cr_report_write(r, out, &warnings, &err), 0);
	assert_int_equal(strv_len(warnings), 5); /* no figure has a sample */
	cr_rmtree(out);
	unlink(run);
	unlink(plan);
	rmdir(dir);
}

static void bounds(void **state)
{
	const char text[] =
		"# comment\n\n"
		"boot.httpd.first_200@runc 0.5 1.0\n"
		"disk.block_out  1000 ±10%\n"
		"disk.block_in 200 +-5\n"
		"disk.seeks 100 ± 50%\n"
		"  mem.used - 2000  \n"
		"mem.free 10 -\n";
	struct cr_bounds b;
	cleanup_error cr_error_t err = NULL;

	assert_int_equal(cr_bounds_parse("b.txt", text, strlen(text), &b, &err), 0);
	assert_int_equal(b.n, 6);
	assert_string_equal(b.b[0].metric, "boot.httpd.first_200");
	assert_string_equal(b.b[0].guest, "runc");
	assert_int_equal(b.b[0].line, 3);
	assert_true(b.b[0].min == 0.5 && b.b[0].max == 1.0);
	assert_null(b.b[1].guest);
	assert_true(b.b[1].min == 900 && b.b[1].max == 1100);
	assert_true(b.b[2].min == 190 && b.b[2].max == 210);
	assert_true(b.b[3].min == 50 && b.b[3].max == 150);
	assert_true(isinf(b.b[4].min) && b.b[4].max == 2000);
	assert_true(b.b[5].min == 10 && isinf(b.b[5].max));
	cr_bounds_release(&b);
}

static void bad_bounds(void **state)
{
	/* clang-format off */
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "a 1\n", "x:1: expected 'METRIC MIN MAX'" },
		{ "\na 1 2 3\n", "x:2: expected 'METRIC MIN MAX'" },
		{ "a one 2\n", "x:1: 'one' is not a number" },
		{ "a 1 two\n", "x:1: 'two' is not a number" },
		{ "a 2 1\n", "x:1: the minimum 2 is above the maximum 1" },
		{ "a 1 ±x%\n", "x:1: '±x%' is not a number" },
		{ "@runc 1 2\n", "x:1: '@runc' is not METRIC or METRIC@GUEST" },
		{ "a@ 1 2\n", "x:1: 'a@' is not METRIC or METRIC@GUEST" },
		{ "a nan 2\n", "x:1: 'nan' is not a number" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_error cr_error_t err = NULL;
		struct cr_bounds b;

		assert_int_equal(cr_bounds_parse("x", cases[i].text, strlen(cases[i].text), &b, &err), -1);
		if (!strstr(err->msg, cases[i].msg))
			fail_msg("'%s': got '%s'", cases[i].text, err->msg);
		assert_int_equal(b.n, 0);
	}
	{
		cleanup_error cr_error_t err = NULL;
		struct cr_bounds b;

		assert_int_equal(cr_bounds_parse("x", "a 1 2\0", 6, &b, &err), -1);
		assert_non_null(strstr(err->msg, "NUL"));
	}
}

static void compare_runs(void **state)
{
	cleanup_report struct cr_report *a = load("runs/complete"), *b = load("runs/complete-b");
	const char text[] = "boot.httpd.first_200@runsc 1.2 ±10%\nboot.httpd.first_200@nobody 0 9\n";
	struct cr_bounds bd;
	cleanup_error cr_error_t err = NULL;
	bool out;
	json_t *doc, *row, *checks;
	size_t i;
	bool found = false;

	assert_int_equal(cr_bounds_parse("b", text, strlen(text), &bd, &err), 0);
	doc = cr_compare(a, b, &bd, &out);
	assert_true(out);
	json_array_foreach(json_object_get(doc, "metrics"), i, row) {
		if (strcmp(json_string_value(json_object_get(row, "metric")), "boot.httpd.first_200") == 0 &&
		    strcmp(json_string_value(json_object_get(row, "guest")), "runsc") == 0) {
			found = true;
			assert_true(json_is_true(json_object_get(row, "outside_noise")));
			assert_true(json_real_value(json_object_get(row, "ratio_low")) > 1);
		}
	}
	assert_true(found);
	checks = json_object_get(doc, "bounds");
	assert_int_equal(json_array_size(checks), 2);
	assert_true(json_is_false(json_object_get(json_array_get(checks, 0), "ok")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(checks, 1), "why")), "run b has no guest 'nobody'");
	json_decref(doc);
	/* a run against itself: nothing leaves the noise */
	doc = cr_compare(a, a, NULL, &out);
	assert_false(out);
	assert_int_equal(json_integer_value(json_object_get(doc, "changed_outside_noise")), 0);
	json_decref(doc);
	cr_bounds_release(&bd);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(degraded_run), cmocka_unit_test(cpu_shares), cmocka_unit_test(odd_run),
		cmocka_unit_test(bounds),	cmocka_unit_test(bad_bounds), cmocka_unit_test(compare_runs),
	};
	/* clang-format on */

	return tap_run("report", tests);
}
