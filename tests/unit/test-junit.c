/* JUnit XML of runs and comparisons: what CI reads, checked against docs/schema/junit.xsd with xmllint and counted here. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "junit.h"
#include "test.h"

/* xmllint --schema: 0 when the file is valid JUnit as crbench writes it. */
static int validate(const char *path)
{
	cleanup_free char *xsd = xasprintf("%s/docs/schema/junit.xsd", getenv("SRCDIR") ? getenv("SRCDIR") : ".");
	/* its words only when it fails, as TAP comments */
	cleanup_free char *cmd =
		xasprintf("out=$(xmllint --noout --schema '%s' '%s' 2>&1) || { printf '%%s\\n' \"$out\" | sed 's/^/# /'; exit 1; }", xsd,
			  path);
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static char *write_run(const char *fixture, char *dir)
{
	cleanup_free char *run = test_data(fixture);
	cleanup_error cr_error_t err = NULL;
	char *path = xasprintf("%s/junit.xml", dir);

	if (cr_junit_write_run(run, path, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(validate(path), 0);
	return path;
}

/*
 * The degraded fixture: runc complete (49 ok), kata complete with 8
 * unsupported and 5 failed steps, runsc panicked before any step, crun never
 * ran. A suite per guest, a case per step and one per guest.
 */
static void run_cases_follow_the_steps(void **state)
{
	char dir[] = "/tmp/crbench-test-junit-XXXXXX";
	cleanup_free char *path = NULL, *text = NULL;
	cleanup_error cr_error_t err = NULL;
	size_t len;

	assert_non_null(mkdtemp(dir));
	path = write_run("runs/degraded", dir);
	assert_int_equal(cr_read_file(path, 16 << 20, &text, &len, &err), 0);
	assert_int_equal(count(text, "<testsuite "), 4);
	assert_int_equal(count(text, "<testcase "), 49 + 49 + 4);
	assert_int_equal(count(text, "<failure "), 5 + 2);
	assert_int_equal(count(text, "<skipped "), 8);
	assert_non_null(strstr(text, "<testsuite name=\"runc (runc)\" tests=\"50\" failures=\"0\" errors=\"0\" skipped=\"0\""));
	assert_non_null(strstr(text, "<testsuite name=\"kata (kata)\" tests=\"50\" failures=\"5\" errors=\"0\" skipped=\"8\""));
	assert_non_null(strstr(text, "<failure message=\"failed: the guest kernel panicked (see console.log)\" type=\"failed\""));
	assert_non_null(strstr(text, "<failure message=\"not-run: "));
	assert_non_null(strstr(text, "classname=\"crbench.run.runc\" name=\"0001 env r0\""));
	assert_non_null(strstr(text, "tests=\"102\" failures=\"7\" errors=\"0\" skipped=\"8\""));
	unlink(path);
	rmdir(dir);
}

/* Every fixture run, each a valid report: the complete ones without a failure. */
static void every_fixture_is_valid(void **state)
{
	static const char *const runs[] = { "runs/complete", "runs/complete-b", "runs/runtimes", "runs/tcg-default" };

	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		char dir[] = "/tmp/crbench-test-junit-XXXXXX";
		cleanup_free char *path = NULL, *text = NULL;
		cleanup_error cr_error_t err = NULL;
		size_t len;

		assert_non_null(mkdtemp(dir));
		path = write_run(runs[i], dir);
		assert_int_equal(cr_read_file(path, 16 << 20, &text, &len, &err), 0);
		assert_true(count(text, "<testcase ") > 0);
		unlink(path);
		rmdir(dir);
	}
}

/* Text from a tool's output, whatever bytes it has, stays well-formed XML; a run that is not there is named. */
static void text_is_escaped_and_errors_named(void **state)
{
	char dir[] = "/tmp/crbench-test-junit-XXXXXX";
	cleanup_free char *path = NULL, *run = NULL, *gdir = NULL, *results = NULL, *text = NULL;
	cleanup_error cr_error_t err = NULL;
	size_t len;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	run = xasprintf("%s/run", dir);
	gdir = xasprintf("%s/run/g", dir);
	results = xasprintf("%s/run/g/results", dir);
	assert_int_equal(mkdir(run, 0755), 0);
	assert_int_equal(mkdir(gdir, 0755), 0);
	assert_int_equal(mkdir(results, 0755), 0);
	path = xasprintf("%s/run.json", run);
	f = fopen(path, "w");
	fputs("{\"run_id\":\"r<&>\",\"guests\":[{\"name\":\"g\",\"runtime\":\"runc\",\"status\":\"partial\","
	      "\"reason\":\"a \\\"quoted\\\" <tag> & \\u001b[31mcolour\\u0007\\nnext line\",\"wall_seconds\":3.5}]}",
	      f);
	fclose(f);
	free(path);
	path = xasprintf("%s/junit.xml", dir);
	assert_int_equal(cr_junit_write_run(run, path, &err), 0);
	assert_int_equal(validate(path), 0);
	assert_int_equal(cr_read_file(path, 1 << 20, &text, &len, &err), 0);
	assert_non_null(strstr(text, "partial: a &quot;quoted&quot; &lt;tag&gt; &amp; ?[31mcolour?\nnext line"));
	assert_null(strchr(text, '\x1b'));
	unlink(path);

	assert_int_equal(cr_junit_write_run(dir, path, &err), -1);
	assert_non_null(strstr(err->msg, "run.json"));
	assert_int_equal(access(path, F_OK), -1);
	cr_error_free(&err);
	{
		cleanup_free char *rj = xasprintf("%s/run.json", run);

		unlink(rj);
	}
	rmdir(results);
	rmdir(gdir);
	rmdir(run);
	rmdir(dir);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_cases_follow_the_steps),
		cmocka_unit_test(every_fixture_is_valid),
		cmocka_unit_test(text_is_escaped_and_errors_named),
	};
	/* clang-format on */

	return tap_run("junit", tests);
}
