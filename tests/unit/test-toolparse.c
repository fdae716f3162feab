/* Unit tests for the benchmark tool parsers against output recorded from real runs (tests/data/tools). */
#include <math.h>

#include "test.h"

#include "toolparse.h"

/* Whole fixture, with its length: the parsers must not need a NUL terminator. */
static char *fixture(const char *rel, size_t *len)
{
	return test_data_read(rel, len);
}

/* A fixture with one piece of text replaced, for "what if this were missing" cases. */
static char *fixture_edit(const char *rel, const char *from, const char *to, size_t *len)
{
	cleanup_free char *text = fixture(rel, len);
	char *at = strstr(text, from);
	char *out;

	assert_non_null(at);
	out = xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	*len = strlen(out);
	return out;
}

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)) + 1e-12)
#define assert_error(e, text) \
	do { \
		assert_non_null(e); \
		assert_string_equal((e)->msg, text); \
		cr_error_free(&(e)); \
	} while (0)

static void iperf3_tcp(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_iperf3 r;
	size_t len;
	cleanup_free char *text = fixture("tools/iperf3/tcp.json", &len);

	assert_int_equal(cr_parse_iperf3(text, len, &r, &err), 0);
	assert_string_equal(r.version, "iperf 3.12");
	assert_string_equal(r.protocol, "TCP");
	assert_false(r.reverse);
	assert_int_equal(r.num_streams, 1);
	assert_near(r.duration, 3);
	/* "sum_sent": "bytes": 15912140800, "bits_per_second": 42429532687.97657, "retransmits": 1 */
	assert_true(r.sent.bytes == 15912140800ULL);
	assert_near(r.sent.seconds, 3.000201);
	assert_near(r.sent.bits_per_second, 42429532687.97657);
	assert_true(r.received.bytes == 15912140800ULL);
	assert_near(r.received.seconds, 3.000232);
	assert_near(r.received.bits_per_second, 42429094283.37542);
	assert_true(r.has_retransmits);
	assert_int_equal(r.retransmits, 1);
	assert_false(r.has_udp);
	assert_near(r.cpu_host_total, 99.48295452652202);
	assert_near(r.cpu_host_user, 0.8378289221582825);
	assert_near(r.cpu_host_system, 98.64512560436374);
	assert_near(r.cpu_remote_total, 77.089522415351);
	assert_near(r.cpu_remote_user, 2.853202223953193);
	assert_near(r.cpu_remote_system, 74.2362868607643);
}

static void iperf3_reverse_and_udp(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_iperf3 r;
	size_t len;
	cleanup_free char *rev = fixture("tools/iperf3/tcp-reverse.json", &len);

	assert_int_equal(cr_parse_iperf3(rev, len, &r, &err), 0);
	assert_true(r.reverse);
	assert_true(r.sent.bytes == 15871508480ULL);
	assert_true(r.received.bytes == 15870459904ULL);
	assert_near(r.received.bits_per_second, 42321099447.368324);
	assert_true(r.has_retransmits);
	assert_int_equal(r.retransmits, 0);
	assert_near(r.cpu_remote_total, 99.07284980006857);

	cleanup_free char *udp = fixture("tools/iperf3/udp.json", &len);
	assert_int_equal(cr_parse_iperf3(udp, len, &r, &err), 0);
	assert_string_equal(r.protocol, "UDP");
	assert_false(r.has_retransmits);
	assert_true(r.has_udp);
	assert_near(r.jitter_ms, 0.00739526070534771);
	assert_int_equal(r.lost_packets, 3);
	assert_int_equal(r.packets, 7627);
	assert_int_equal(r.sent.bytes, 249921536);
	assert_int_equal(r.received.bytes, 249823232);
	assert_near(r.received.bits_per_second, 999226479.4391173);
	assert_near(r.cpu_host_total, 4.664955899597233);
}

static void iperf3_errors(void **state)
{
	cr_error_t err = NULL;
	struct cr_iperf3 r;
	size_t len;
	cleanup_free char *refused = fixture("tools/iperf3/error-refused.json", &len);
	cleanup_free char *tcp = fixture("tools/iperf3/tcp.json", &len);
	cleanup_free char *bonnie = NULL, *yaml = NULL, *no_recv = NULL, *no_cpu = NULL, *bad = NULL;

	/* iperf3's own message, not "no end.sum_sent" */
	assert_int_equal(cr_parse_iperf3(refused, strlen(refused), &r, &err), -1);
	assert_error(err, "iperf3 failed: unable to connect to server: Connection refused");

	assert_int_equal(cr_parse_iperf3("", 0, &r, &err), -1);
	assert_error(err, "iperf3 output is empty");
	assert_int_equal(cr_parse_iperf3(NULL, 0, &r, &err), -1);
	assert_error(err, "iperf3 output is empty");
	assert_int_equal(cr_parse_iperf3(" \n", 2, &r, &err), -1);
	assert_error(err, "iperf3 output is empty");

	/* cut in the middle, as by a killed container */
	assert_int_equal(cr_parse_iperf3(tcp, len / 2, &r, &err), -1);
	assert_non_null(err);
	assert_true(str_has_prefix(err->msg, "cannot parse iperf3 output as json: "));
	cr_error_free(&err);

	assert_int_equal(cr_parse_iperf3("[1, 2]", 6, &r, &err), -1);
	assert_error(err, "iperf3 output is not a json object");

	no_recv = fixture_edit("tools/iperf3/tcp.json", "\"sum_received\"", "\"sum_receivex\"", &len);
	assert_int_equal(cr_parse_iperf3(no_recv, len, &r, &err), -1);
	assert_error(err, "iperf3 output has no 'end.sum_received'");
	no_cpu = fixture_edit("tools/iperf3/tcp.json", "\"remote_system\"", "\"remote_systex\"", &len);
	assert_int_equal(cr_parse_iperf3(no_cpu, len, &r, &err), -1);
	assert_error(err, "iperf3 output has no 'end.cpu_utilization_percent.remote_system'");
	/* only end.sum_sent has "retransmits" followed by "sender" */
	bad = fixture_edit("tools/iperf3/tcp.json", "\"retransmits\":\t1,\n\t\t\t\"sender\"", "\"retransmits\":\t-1,\n\t\t\t\"sender\"",
			   &len);
	assert_int_equal(cr_parse_iperf3(bad, len, &r, &err), -1);
	assert_error(err, "iperf3 output has a negative 'end.sum_sent.retransmits'");

	/* other tools' output */
	bonnie = fixture("tools/bonnie/1G-f-b.csv", &len);
	assert_int_equal(cr_parse_iperf3(bonnie, len, &r, &err), -1);
	assert_true(str_has_prefix(err->msg, "cannot parse iperf3 output as json: "));
	cr_error_free(&err);
	yaml = fixture("tools/stress-ng/cpu2.yaml", &len);
	assert_int_equal(cr_parse_iperf3(yaml, len, &r, &err), -1);
	assert_true(str_has_prefix(err->msg, "cannot parse iperf3 output as json: "));
	cr_error_free(&err);
}

static void sockperf_tcp(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_sockperf r;
	size_t len;
	cleanup_free char *rtt = fixture("tools/sockperf/tcp-rtt.txt", &len);

	assert_int_equal(cr_parse_sockperf(rtt, len, &r, &err), 0);
	assert_string_equal(r.version, "3.7-no.git");
	assert_string_equal(r.protocol, "TCP");
	assert_true(r.rtt);
	/* "[Valid Duration] RunTime=2.550 sec; SentMessages=125027; ReceivedMessages=125027" */
	assert_near(r.run_seconds, 2.550);
	assert_int_equal(r.sent, 125027);
	assert_int_equal(r.received, 125027);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.duplicated, 0);
	assert_int_equal(r.out_of_order, 0);
	/* "====> avg-rtt=20.368 (std-dev=14.905)", behind colour escapes */
	assert_near(r.avg, 20.368);
	assert_near(r.stddev, 14.905);
	assert_int_equal(r.observations, 125027);
	assert_near(r.max, 4045.898);
	assert_near(r.min, 15.599);
	assert_near(r.p25, 19.787);
	assert_near(r.p50, 19.866);
	assert_near(r.p75, 19.947);
	assert_near(r.p90, 20.087);
	assert_near(r.p99, 31.208);
	assert_near(r.p99_9, 39.032);
	assert_near(r.p99_99, 133.539);
	assert_near(r.p99_999, 1959.831);

	cleanup_free char *lat = fixture("tools/sockperf/tcp-latency.txt", &len);
	assert_int_equal(cr_parse_sockperf(lat, len, &r, &err), 0);
	assert_false(r.rtt);
	assert_near(r.avg, 10.151);
	assert_near(r.stddev, 4.823);
	assert_int_equal(r.observations, 125414);
	assert_near(r.p50, 9.928);
	assert_near(r.p99, 15.779);
	assert_near(r.p99_9, 22.652);
	assert_near(r.max, 600.018);
	assert_near(r.min, 7.574);
}

static void sockperf_udp(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_sockperf r;
	size_t len;
	cleanup_free char *rtt = fixture("tools/sockperf/udp-rtt.txt", &len);
	cleanup_free char *lat = fixture("tools/sockperf/udp-latency.txt", &len);

	assert_int_equal(cr_parse_sockperf(rtt, strlen(rtt), &r, &err), 0);
	assert_string_equal(r.protocol, "UDP");
	assert_true(r.rtt);
	assert_near(r.avg, 18.237);
	assert_int_equal(r.observations, 139577);
	assert_near(r.p50, 17.763);
	assert_near(r.p99, 29.034);
	assert_near(r.p99_9, 36.498);
	assert_near(r.max, 1238.368);
	assert_near(r.min, 13.585);

	assert_int_equal(cr_parse_sockperf(lat, len, &r, &err), 0);
	assert_string_equal(r.protocol, "UDP");
	assert_false(r.rtt);
	assert_near(r.avg, 9.092);
	assert_near(r.stddev, 4.739);
	assert_int_equal(r.sent, 139941);
	assert_int_equal(r.observations, 139941);
	assert_near(r.p50, 8.871);
	assert_near(r.p99, 13.991);
	assert_near(r.p99_9, 17.833);
	assert_near(r.max, 653.390);
	assert_near(r.min, 6.356);
}

static void sockperf_errors(void **state)
{
	cr_error_t err = NULL;
	struct cr_sockperf r;
	size_t len;
	cleanup_free char *refused = fixture("tools/sockperf/tcp-refused.txt", &len);
	cleanup_free char *noserver = NULL, *tcp = NULL, *json = NULL, *bad = NULL, *no_p99 = NULL;
	char *cut;

	assert_int_equal(cr_parse_sockperf(refused, len, &r, &err), -1);
	assert_error(err, "sockperf failed: Can`t connect socket (errno=111 Connection refused)");
	noserver = fixture("tools/sockperf/udp-no-server.txt", &len);
	assert_int_equal(cr_parse_sockperf(noserver, len, &r, &err), -1);
	assert_error(err, "sockperf failed: No messages were received from the server. Is the server down?");

	assert_int_equal(cr_parse_sockperf("", 0, &r, &err), -1);
	assert_error(err, "sockperf output has no ping-pong statistics");
	assert_int_equal(cr_parse_sockperf(NULL, 0, &r, &err), -1);
	assert_error(err, "sockperf output has no ping-pong statistics");

	/* cut just before the <MAX> line */
	tcp = fixture("tools/sockperf/tcp-rtt.txt", &len);
	cut = strstr(tcp, "sockperf: ---> <MAX>");
	assert_non_null(cut);
	assert_int_equal(cr_parse_sockperf(tcp, (size_t)(cut - tcp), &r, &err), -1);
	assert_error(err, "sockperf output has no '<MAX> observation' line");
	/* cut inside a number: "= 4045.898" becomes "= 40", still a number, but the percentiles are gone */
	cut = strstr(tcp, "4045.898");
	assert_int_equal(cr_parse_sockperf(tcp, (size_t)(cut - tcp) + 2, &r, &err), -1);
	assert_error(err, "sockperf output has no '<MIN> observation' line");

	no_p99 = fixture_edit("tools/sockperf/tcp-rtt.txt", "percentile 99.000", "percentile 98.000", &len);
	assert_int_equal(cr_parse_sockperf(no_p99, len, &r, &err), -1);
	assert_error(err, "sockperf output has no 'percentile 99.000' line");
	bad = fixture_edit("tools/sockperf/tcp-rtt.txt", "avg-rtt=20.368", "avg-rtt=nan", &len);
	assert_int_equal(cr_parse_sockperf(bad, len, &r, &err), -1);
	assert_error(err, "sockperf output has a malformed 'avg-' line");

	json = fixture("tools/iperf3/tcp.json", &len);
	assert_int_equal(cr_parse_sockperf(json, len, &r, &err), -1);
	assert_error(err, "sockperf output has no ping-pong statistics");
}

static void assert_measured(const struct cr_bonnie_value *v, double expect)
{
	assert_int_equal(v->status, CR_BONNIE_MEASURED);
	assert_near(v->value, expect);
}

static void assert_too_fast(const struct cr_bonnie_value *v)
{
	assert_int_equal(v->status, CR_BONNIE_TOO_FAST);
	assert_true(isnan(v->value));
}

static void bonnie_measured(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_bonnie r;
	size_t len;
	cleanup_free char *g1 = fixture("tools/bonnie/1G-f-b.csv", &len);

	/* 1.98,2.00a,vm,1,...,1G,,8192,5,,,414880,62,901042,41,,,+++++,+++,14871,55,... */
	assert_int_equal(cr_parse_bonnie(g1, len, &r, &err), 0);
	assert_string_equal(r.version, "2.00a");
	assert_true(r.file_size == 1ULL << 30);
	assert_measured(&r.block_out, 414880);
	assert_measured(&r.block_out_cpu, 62);
	assert_measured(&r.rewrite, 901042);
	assert_measured(&r.rewrite_cpu, 41);
	assert_too_fast(&r.block_in);
	assert_too_fast(&r.block_in_cpu);
	assert_measured(&r.seeks, 14871);
	assert_measured(&r.seeks_cpu, 55);

	cleanup_free char *g2 = fixture("tools/bonnie/2G-f-b.csv", &len);
	assert_int_equal(cr_parse_bonnie(g2, len, &r, &err), 0);
	assert_true(r.file_size == 2ULL << 30);
	assert_measured(&r.block_out, 423045);
	assert_measured(&r.block_out_cpu, 66);
	assert_measured(&r.rewrite, 975292);
	assert_too_fast(&r.block_in);
	assert_measured(&r.seeks, 8146);
	assert_measured(&r.seeks_cpu, 42);

	cleanup_free char *direct = fixture("tools/bonnie/1G-f-b-D.csv", &len);
	assert_int_equal(cr_parse_bonnie(direct, len, &r, &err), 0);
	assert_measured(&r.block_out, 146843);
	assert_measured(&r.block_out_cpu, 30);
	assert_measured(&r.seeks, 13881);
	assert_measured(&r.seeks_cpu, 67);

	/* without -q: the table first, the CSV line last */
	cleanup_free char *noq = fixture("tools/bonnie/512M-f-b-noq.stdout", &len);
	assert_int_equal(cr_parse_bonnie(noq, len, &r, &err), 0);
	assert_true(r.file_size == 512ULL << 20);
	assert_measured(&r.block_out, 382424);
	assert_measured(&r.block_out_cpu, 65);
	assert_measured(&r.rewrite, 970551);
	assert_too_fast(&r.block_in);
	assert_too_fast(&r.seeks);
	assert_too_fast(&r.seeks_cpu);
}

/* "+++++" is a test too fast to time: never a 0 */
static void bonnie_too_fast(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_bonnie r;
	size_t len;
	cleanup_free char *m256 = fixture("tools/bonnie/256M.csv", &len);
	cleanup_free char *m256b = fixture("tools/bonnie/256M-b.csv", &len);
	cleanup_free char *skipped = NULL;

	assert_int_equal(cr_parse_bonnie(m256, strlen(m256), &r, &err), 0);
	assert_true(r.file_size == 256ULL << 20);
	assert_too_fast(&r.block_out);
	assert_too_fast(&r.block_out_cpu);
	assert_too_fast(&r.rewrite);
	assert_too_fast(&r.block_in);
	assert_too_fast(&r.block_in_cpu);
	assert_too_fast(&r.seeks);
	assert_too_fast(&r.seeks_cpu);

	assert_int_equal(cr_parse_bonnie(m256b, strlen(m256b), &r, &err), 0);
	assert_too_fast(&r.block_out);
	assert_too_fast(&r.seeks);

	/* an empty field is a test that did not run, told apart from too fast */
	skipped = fixture_edit("tools/bonnie/1G-f-b.csv", ",14871,55,", ",,,", &len);
	assert_int_equal(cr_parse_bonnie(skipped, len, &r, &err), 0);
	assert_int_equal(r.seeks.status, CR_BONNIE_NOT_RUN);
	assert_true(isnan(r.seeks.value));
	assert_int_equal(r.seeks_cpu.status, CR_BONNIE_NOT_RUN);
	assert_measured(&r.block_out, 414880);
}

static void bonnie_errors(void **state)
{
	cr_error_t err = NULL;
	struct cr_bonnie r;
	size_t len;
	cleanup_free char *csv = fixture("tools/bonnie/1G-f-b.csv", &len);
	cleanup_free char *table = NULL, *json = NULL, *old = NULL, *bad = NULL;
	char *cut;

	assert_int_equal(cr_parse_bonnie("", 0, &r, &err), -1);
	assert_error(err, "bonnie++ output has no csv line");
	assert_int_equal(cr_parse_bonnie(NULL, 0, &r, &err), -1);
	assert_error(err, "bonnie++ output has no csv line");

	/* cut inside "414880": the value would read as 41 were the fields not counted */
	cut = strstr(csv, "414880");
	assert_int_equal(cr_parse_bonnie(csv, (size_t)(cut - csv) + 2, &r, &err), -1);
	assert_error(err, "bonnie++ csv line has 12 fields, expected 50");

	old = fixture_edit("tools/bonnie/1G-f-b.csv", "1.98,", "1.97,", &len);
	assert_int_equal(cr_parse_bonnie(old, len, &r, &err), -1);
	assert_error(err, "bonnie++ csv format '1.97' is not supported, crbench reads '1.98'");
	bad = fixture_edit("tools/bonnie/1G-f-b.csv", ",414880,", ",414880x,", &len);
	assert_int_equal(cr_parse_bonnie(bad, len, &r, &err), -1);
	assert_error(err, "bonnie++ csv has a malformed 'put_block' value '414880x'");

	/* the -q table on stderr is not the CSV */
	table = fixture("tools/bonnie/1G-f-b.stderr", &len);
	assert_int_equal(cr_parse_bonnie(table, len, &r, &err), -1);
	assert_error(err, "bonnie++ output has no csv line");
	json = fixture("tools/iperf3/tcp.json", &len);
	assert_int_equal(cr_parse_bonnie(json, len, &r, &err), -1);
	assert_error(err, "bonnie++ output has no csv line");
}

static void stress_ng_runs(void **state)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free struct cr_stress_ng *r = xmalloc(sizeof(*r));
	size_t len;
	cleanup_free char *cpu2 = fixture("tools/stress-ng/cpu2.yaml", &len);

	assert_int_equal(cr_parse_stress_ng(cpu2, len, r, &err), 0);
	assert_string_equal(r->version, "0.15.06");
	assert_int_equal(r->n, 1);
	assert_string_equal(r->stressors[0].name, "cpu");
	assert_int_equal(r->stressors[0].bogo_ops, 7939);
	assert_near(r->stressors[0].real_time, 5.000626);
	assert_near(r->stressors[0].usr_time, 5.239008);
	assert_near(r->stressors[0].sys_time, 0.007081);
	assert_near(r->stressors[0].bogo_ops_per_sec_real, 1587.601129);
	assert_near(r->stressors[0].bogo_ops_per_sec_usr_sys, 1513.317826);

	cleanup_free char *mix = fixture("tools/stress-ng/cpu-matrix.yaml", &len);
	assert_int_equal(cr_parse_stress_ng(mix, len, r, &err), 0);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->stressors[0].name, "cpu");
	assert_int_equal(r->stressors[0].bogo_ops, 4499);
	assert_near(r->stressors[0].sys_time, 0);
	assert_string_equal(r->stressors[1].name, "matrix");
	assert_int_equal(r->stressors[1].bogo_ops, 8104);
	assert_near(r->stressors[1].real_time, 3.000116);
	assert_near(r->stressors[1].usr_time, 2.964146);
	assert_near(r->stressors[1].bogo_ops_per_sec_real, 2701.228787);
	assert_near(r->stressors[1].bogo_ops_per_sec_usr_sys, 2734.008379);

	cleanup_free char *load = fixture("tools/stress-ng/cpu2-load50.yaml", &len);
	assert_int_equal(cr_parse_stress_ng(load, len, r, &err), 0);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->stressors[0].bogo_ops, 4524);
	assert_near(r->stressors[0].bogo_ops_per_sec_real, 1505.255876);
}

static void stress_ng_errors(void **state)
{
	cr_error_t err = NULL;
	cleanup_free struct cr_stress_ng *r = xmalloc(sizeof(*r));
	size_t len;
	cleanup_free char *yaml = fixture("tools/stress-ng/cpu2.yaml", &len);
	cleanup_free char *brief = NULL, *json = NULL, *bad = NULL, *noname = NULL;
	char *cut;

	assert_int_equal(cr_parse_stress_ng("", 0, r, &err), -1);
	assert_error(err, "stress-ng output has no 'metrics'");
	assert_int_equal(cr_parse_stress_ng(NULL, 0, r, &err), -1);
	assert_error(err, "stress-ng output has no 'metrics'");

	/* cut after the bogo ops of the only stressor */
	cut = strstr(yaml, "bogo-ops-per-second-usr-sys-time");
	assert_int_equal(cr_parse_stress_ng(yaml, (size_t)(cut - yaml), r, &err), -1);
	assert_error(err, "stress-ng output has no 'bogo-ops-per-second-real-time' for stressor 'cpu'");
	cut = strstr(yaml, "    - stressor");
	assert_int_equal(cr_parse_stress_ng(yaml, (size_t)(cut - yaml), r, &err), -1);
	assert_error(err, "stress-ng output has no stressor under 'metrics'");

	bad = fixture_edit("tools/stress-ng/cpu2.yaml", "bogo-ops: 7939", "bogo-ops: -7939", &len);
	assert_int_equal(cr_parse_stress_ng(bad, len, r, &err), -1);
	assert_error(err, "stress-ng output has a malformed 'bogo-ops' for stressor 'cpu'");
	noname = fixture_edit("tools/stress-ng/cpu2.yaml", "- stressor: cpu", "- stressed: cpu", &len);
	assert_int_equal(cr_parse_stress_ng(noname, len, r, &err), -1);
	assert_error(err, "stress-ng output has a metrics entry without 'stressor'");

	/* the --metrics-brief table is not what crbench reads */
	brief = fixture("tools/stress-ng/cpu2.stderr", &len);
	assert_int_equal(cr_parse_stress_ng(brief, len, r, &err), -1);
	assert_error(err, "stress-ng output has no 'metrics'");
	json = fixture("tools/iperf3/tcp.json", &len);
	assert_int_equal(cr_parse_stress_ng(json, len, r, &err), -1);
	assert_error(err, "stress-ng output has no 'metrics'");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iperf3_tcp),
		cmocka_unit_test(iperf3_reverse_and_udp),
		cmocka_unit_test(iperf3_errors),
		cmocka_unit_test(sockperf_tcp),
		cmocka_unit_test(sockperf_udp),
		cmocka_unit_test(sockperf_errors),
		cmocka_unit_test(bonnie_measured),
		cmocka_unit_test(bonnie_too_fast),
		cmocka_unit_test(bonnie_errors),
		cmocka_unit_test(stress_ng_runs),
		cmocka_unit_test(stress_ng_errors),
	};
	/* clang-format on */

	return tap_run("toolparse", tests);
}
