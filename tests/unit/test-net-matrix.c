/* Unit tests for the net-matrix test's data (recorded tool output between its marker lines) and the cells it refuses to run. */
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test.h"

#include "agent.h"
#include "proc.h"

/* What a container printed: recorded tool outputs, the test's marker line between them. */
static char *output(const char *first, const char *mark, const char *second)
{
	size_t len;
	cleanup_free char *a = test_data_read(first, &len), *b = test_data_read(second, &len);

	return xasprintf("%s%s\n%s", a, mark, b);
}

/* Members of o that must be numbers near the values the recordings hold. */
struct number {
	const char *key;
	double want;
};

static void assert_numbers(const json_t *o, const struct number *n, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		json_t *got = json_object_get(o, n[i].key);

		if (!json_is_number(got) || fabs(json_number_value(got) - n[i].want) > 1e-9 * fabs(n[i].want))
			fail_msg("'%s' is %g, want %g", n[i].key, json_number_value(got), n[i].want);
	}
}

/* The members docs/run-format.md gives the object, and no others. */
static void assert_keys(const json_t *o, const char *const keys[], size_t n)
{
	assert_int_equal(json_object_size(o), n);
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(o, keys[i]))
			fail_msg("no member '%s'", keys[i]);
}

static void client_data(void **state)
{
	static const char *const iperf3_keys[] = { "bits_per_second", "sent_bits_per_second", "retransmits", "seconds", "raw" };
	static const char *const sockperf_keys[] = { "avg_us", "p50_us", "p99_us", "p99_9_us", "observations", "raw" };
	/* end.sum_received and end.sum_sent of the iperf3 recording; what sockperf printed */
	/* clang-format off */
	static const struct number iperf3_numbers[] = {
		{ "bits_per_second", 42429094283.37542 },
		{ "sent_bits_per_second", 42429532687.97657 },
		{ "retransmits", 1 },
		{ "seconds", 3.000232 },
	};
	/* clang-format on */
	static const struct number sockperf_numbers[] = {
		{ "avg_us", 9.092 }, { "p50_us", 8.871 }, { "p99_us", 13.991 }, { "p99_9_us", 17.833 }, { "observations", 139941 },
	};
	cleanup_free char *out = output("tools/iperf3/tcp.json", CR_NET_MATRIX_SOCKPERF_MARK, "tools/sockperf/udp-latency.txt");
	cleanup_free char *iperf3_raw = NULL, *sockperf_raw = NULL;
	cleanup_error cr_error_t err = NULL;
	json_t *iperf3 = NULL, *sockperf = NULL, *not_measured = NULL;
	size_t len;

	if (cr_net_matrix_client_data(out, 0, &iperf3, &sockperf, &not_measured, &err) < 0)
		fail_msg("%s", err->msg);
	assert_keys(iperf3, iperf3_keys, ARRAY_SIZE(iperf3_keys));
	assert_numbers(iperf3, iperf3_numbers, ARRAY_SIZE(iperf3_numbers));
	iperf3_raw = test_data_read("tools/iperf3/tcp.json", &len);
	assert_string_equal(json_string_value(json_object_get(iperf3, "raw")), iperf3_raw);

	assert_keys(sockperf, sockperf_keys, ARRAY_SIZE(sockperf_keys));
	assert_numbers(sockperf, sockperf_numbers, ARRAY_SIZE(sockperf_numbers));
	sockperf_raw = test_data_read("tools/sockperf/udp-latency.txt", &len);
	assert_string_equal(json_string_value(json_object_get(sockperf, "raw")), sockperf_raw);
	assert_null(not_measured);
	json_decref(iperf3);
	json_decref(sockperf);
}

/* When sockperf fails (recorded under gVisor's host network) the bandwidth stands, and the latency says why it is missing. */
static void client_sockperf_fails_under_hostinet(void **state)
{
	static const char *const sockperf_keys[] = { "avg_us", "p50_us", "p99_us", "p99_9_us", "observations", "raw" };
	static const char why[] = "sockperf exited with 7: ERROR: program exits because of an error. (errno=22 Invalid argument)";
	cleanup_free char *out = output("tools/iperf3/tcp.json", CR_NET_MATRIX_SOCKPERF_MARK, "tools/sockperf/runsc-hostinet-einval.txt");
	cleanup_free char *none = output("tools/iperf3/tcp.json", CR_NET_MATRIX_SOCKPERF_MARK, "tools/sockperf/udp-no-server.txt");
	cleanup_error cr_error_t err = NULL;
	json_t *iperf3 = NULL, *sockperf = NULL, *not_measured = NULL;

	if (cr_net_matrix_client_data(out, 7, &iperf3, &sockperf, &not_measured, &err) < 0)
		fail_msg("%s", err->msg);
	assert_true(json_number_value(json_object_get(iperf3, "bits_per_second")) > 4e10);
	assert_keys(sockperf, sockperf_keys, ARRAY_SIZE(sockperf_keys));
	assert_true(json_is_null(json_object_get(sockperf, "avg_us")));
	assert_string_equal(json_string_value(json_object_get(not_measured, "avg_us")), why);
	assert_string_equal(json_string_value(json_object_get(not_measured, "p99_9_us")), why);
	json_decref(iperf3);
	json_decref(sockperf);
	json_decref(not_measured);
	/* sockperf that exits 0 without statistics (no server answered): the same, with the parser's reason */
	iperf3 = sockperf = not_measured = NULL;
	if (cr_net_matrix_client_data(none, 0, &iperf3, &sockperf, &not_measured, &err) < 0)
		fail_msg("%s", err->msg);
	assert_true(json_number_value(json_object_get(iperf3, "bits_per_second")) > 4e10);
	assert_true(str_has_prefix(json_string_value(json_object_get(not_measured, "avg_us")), "sockperf output: "));
	json_decref(iperf3);
	json_decref(sockperf);
	json_decref(not_measured);
}

/* Lines before iperf3's JSON document are kept apart as its preamble; the numbers come from the document. */
static void client_iperf3_preamble(void **state)
{
	cleanup_free char *recorded = output("tools/iperf3/tcp.json", CR_NET_MATRIX_SOCKPERF_MARK, "tools/sockperf/udp-latency.txt");
	cleanup_free char *out = xasprintf("WARNING: a line before the document\n%s", recorded);
	cleanup_error cr_error_t err = NULL;
	json_t *iperf3 = NULL, *sockperf = NULL, *not_measured = NULL;

	if (cr_net_matrix_client_data(out, 0, &iperf3, &sockperf, &not_measured, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(json_string_value(json_object_get(iperf3, "preamble")), "WARNING: a line before the document\n");
	assert_true(json_number_value(json_object_get(iperf3, "bits_per_second")) > 4e10);
	assert_int_equal(json_string_value(json_object_get(iperf3, "raw"))[0], '{');
	json_decref(iperf3);
	json_decref(sockperf);
}

static void client_failures(void **state)
{
	/* clang-format off */
	static const struct {
		const char *iperf3, *mark, *sockperf, *error;
	} cases[] = {
		{ "tools/iperf3/tcp.json", "crbench-net-matrix: something else", "tools/sockperf/udp-latency.txt",
		  "the client printed no 'crbench-net-matrix: sockperf' line after iperf3" },
		{ "tools/iperf3/error-refused.json", CR_NET_MATRIX_SOCKPERF_MARK, "tools/sockperf/udp-latency.txt",
		  "iperf3 output: " },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *out = output(cases[i].iperf3, cases[i].mark, cases[i].sockperf);
		cleanup_error cr_error_t err = NULL;
		json_t *iperf3 = NULL, *sockperf = NULL, *not_measured = NULL;

		assert_int_equal(cr_net_matrix_client_data(out, 0, &iperf3, &sockperf, &not_measured, &err), -1);
		if (!str_has_prefix(err->msg, cases[i].error))
			fail_msg("case %zu: '%s'", i, err->msg);
		json_decref(iperf3);
		json_decref(sockperf);
	}
}

static void stress_data(void **state)
{
	static const char *const keys[] = { "stressor", "instances", "bogo_ops_per_sec_real", "real_seconds", "raw" };
	static const struct number numbers[] = { { "instances", 2 },
						 { "bogo_ops_per_sec_real", 1587.601129 },
						 { "real_seconds", 5.000626 } };
	/* the servers' stderr goes to stderr: stdout is the marker and the YAML file */
	cleanup_free char *yaml = NULL, *out = NULL;
	cleanup_error cr_error_t err = NULL;
	json_t *stress = NULL;
	size_t len;

	yaml = test_data_read("tools/stress-ng/cpu2.yaml", &len);
	out = xasprintf("%s\n%s", CR_NET_MATRIX_STRESS_MARK, yaml);
	if (cr_net_matrix_stress_data(out, 2, &stress, &err) < 0)
		fail_msg("%s", err->msg);
	assert_keys(stress, keys, ARRAY_SIZE(keys));
	assert_string_equal(json_string_value(json_object_get(stress, "stressor")), "cpu");
	assert_numbers(stress, numbers, ARRAY_SIZE(numbers));
	assert_string_equal(json_string_value(json_object_get(stress, "raw")), yaml);
	json_decref(stress);
	stress = NULL;

	assert_int_equal(cr_net_matrix_stress_data(yaml, 2, &stress, &err), -1);
	assert_string_equal(err->msg, "the server printed no stress-ng metrics");
}

/* A cell the runtime cannot do is unsupported before anything runs: no Docker connection is needed. */
static void kata_host_network(void **state)
{
	struct cr_plan plan = { .iperf_seconds = 10, .sockperf_seconds = 10, .test_timeout = 600, .container_cpus = 1 };
	struct cr_guest_plan guest = { .name = (char *)"kata", .runtime = (char *)"kata" };
	struct cr_agent a = { .plan = &plan, .guest = &guest, .docker = NULL };
	struct cr_step step = { .test = CR_TEST_NET_MATRIX, .pair = CR_NET_HOST_BRIDGE, .load = CR_LOAD_STRESS };
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *unsupported = NULL;
	json_t *data = NULL;

	assert_int_equal(cr_test_net_matrix(&a, &step, &data, &unsupported, &err), 0);
	assert_string_equal(unsupported, "Kata Containers cannot use the host network namespace (--net=host)");
	assert_null(data);
	assert_null(err);

	/* a plan whose tools alone fill test-timeout is refused, also before Docker */
	plan.test_timeout = 40;
	guest.runtime = (char *)"runc";
	free(steal_pointer(&unsupported));
	assert_int_equal(cr_test_net_matrix(&a, &step, &data, &unsupported, &err), -1);
	assert_null(unsupported);
	assert_string_equal(err->msg,
			    "iperf-seconds (10) and sockperf-seconds (10) leave less than 30 s of test-timeout (40) to start and "
			    "stop the containers");
}

/* The probes' budget: half of test-timeout, or what the step has left for them, or 1 s. */
static void probe_seconds(void **state)
{
	struct cr_plan plan = { .iperf_seconds = 2, .sockperf_seconds = 2, .test_timeout = 600 };

	(void)state;
	assert_int_equal(cr_net_matrix_probe_seconds(&plan, 10), 300);
	/* 600 - 400 - 2 - 2 - 30 */
	assert_int_equal(cr_net_matrix_probe_seconds(&plan, 400), 166);
	assert_int_equal(cr_net_matrix_probe_seconds(&plan, 570), 1);
	assert_int_equal(cr_net_matrix_probe_seconds(&plan, 900), 1);
	plan.test_timeout = 3600;
	plan.iperf_seconds = plan.sockperf_seconds = 10;
	assert_int_equal(cr_net_matrix_probe_seconds(&plan, 0), 1800);
}

/*
 * The client's script, run by sh with stand-ins for iperf3 and sockperf:
 * iperf3's probes are refused (IECONNECT, then IEACCESSDENIED) as many
 * times as the file "refuse" says, then end as gVisor's host network ends
 * them, which is an answer.
 */
struct client {
	char dir[32];
	char *out;
	int status;
};

static void client_script_run(struct client *c, unsigned refusals, unsigned long long probe_seconds)
{
	static const char iperf3[] =
		"#!/bin/sh\n"
		"echo \"$*\" >> \"$TMPDIR/iperf3.args\"\n"
		"case \"$*\" in *' -n 1K') ;; *) echo '{\"end\": {}}'; exit 0 ;; esac\n"
		"n=$(cat \"$TMPDIR/refuse\")\n"
		"[ \"$n\" -gt 0 ] || { echo 'iperf3: error - unable to receive results: Resource temporarily unavailable'; exit 1; }\n"
		"echo $((n - 1)) > \"$TMPDIR/refuse\"\n"
		"if [ $((n % 2)) = 0 ]; then echo 'iperf3: error - the server is busy running a test. try again later'; else\n"
		"echo 'iperf3: error - unable to connect to server - server may have stopped running or use a different port, "
		"firewall issue, etc.: Connection refused'; fi\n"
		"exit 1\n";
	static const char sockperf[] = "#!/bin/sh\necho \"sockperf $*\"\n";
	struct cr_plan plan = { .iperf_seconds = 3, .sockperf_seconds = 4, .test_timeout = 600 };
	cleanup_free char *script = cr_net_matrix_client_script(&plan, "10.1.2.3", probe_seconds);
	cleanup_free char *refuse = xasprintf("%u\n", refusals);
	const char *files[][2] = { { "iperf3", iperf3 }, { "sockperf", sockperf }, { "refuse", refuse } };
	cleanup_error cr_error_t err = NULL;

	snprintf(c->dir, sizeof(c->dir), "/tmp/crbench-probe-XXXXXX");
	assert_non_null(mkdtemp(c->dir));

	cleanup_free char *path = xasprintf("PATH=%s:%s", c->dir, getenv("PATH")), *tmpdir = xasprintf("TMPDIR=%s", c->dir);
	char *argv[] = { (char *)"env", path, tmpdir, (char *)"/bin/sh", (char *)"-c", script, NULL };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *f = xasprintf("%s/%s", c->dir, files[i][0]);
		FILE *fp = fopen(f, "w");

		assert_non_null(fp);
		fputs(files[i][1], fp);
		assert_int_equal(fclose(fp), 0);
		assert_int_equal(chmod(f, 0755), 0);
	}
	assert_int_equal(cr_run_capture(argv, 1, 1 << 16, &c->out, &c->status, &err), 0);
}

static char *client_file(const struct client *c, const char *name)
{
	cleanup_free char *path = xasprintf("%s/%s", c->dir, name);
	char *text = NULL;
	size_t len;
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_int_equal(getdelim(&text, &len, '\0', fp) > 0, true);
	fclose(fp);
	return text;
}

static void client_release(struct client *c)
{
	char *rm[] = { (char *)"rm", (char *)"-rf", c->dir, NULL };

	assert_int_equal(cr_run_checked(rm, NULL), 0);
	free(c->out);
}

static void client_script_waits_for_the_server(void **state)
{
	struct client c = { .status = -1 };
	cleanup_free char *args = NULL;

	(void)state;
	/* refused three times, connect and busy, then answered: measured after the fourth probe */
	client_script_run(&c, 3, 60);
	assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
	assert_string_equal(c.out, "{\"end\": {}}\n" CR_NET_MATRIX_SOCKPERF_MARK "\nsockperf ping-pong -i 10.1.2.3 -t 4\n");
	args = client_file(&c, "iperf3.args");
	assert_string_equal(args,
			    "-c 10.1.2.3 --connect-timeout 1000 -n 1K\n"
			    "-c 10.1.2.3 --connect-timeout 1000 -n 1K\n"
			    "-c 10.1.2.3 --connect-timeout 1000 -n 1K\n"
			    "-c 10.1.2.3 --connect-timeout 1000 -n 1K\n"
			    "-c 10.1.2.3 -t 3 -J\n");
	client_release(&c);
}

static void client_script_gives_up(void **state)
{
	struct client c = { .status = -1 };
	cleanup_free char *args = NULL;
	unsigned probes = 0;
	const char *last;

	(void)state;
	/* never answered: it gives up after its 1 s, saying so, and measures nothing */
	client_script_run(&c, 1000000, 1);
	assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3);
	if (sscanf(c.out, "no iperf3 server answered on 10.1.2.3 port 5201 in 1 s (%u probes); the last: ", &probes) != 1)
		fail_msg("the client printed '%s'", c.out);
	args = client_file(&c, "iperf3.args");
	for (const char *p = args; (p = strchr(p, '\n')); p++)
		probes--;
	assert_int_equal(probes, 0);
	assert_null(strstr(args, "-J"));
	last = strstr(c.out, "the last: ");
	assert_non_null(last);
	assert_true(strstr(last, "unable to connect to server") || strstr(last, "the server is busy"));
	client_release(&c);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_data),
		cmocka_unit_test(client_sockperf_fails_under_hostinet),
		cmocka_unit_test(client_iperf3_preamble),
		cmocka_unit_test(client_failures),
		cmocka_unit_test(stress_data),
		cmocka_unit_test(kata_host_network),
		cmocka_unit_test(probe_seconds),
		cmocka_unit_test(client_script_waits_for_the_server),
		cmocka_unit_test(client_script_gives_up),
	};
	/* clang-format on */

	return tap_run("net-matrix", tests);
}
