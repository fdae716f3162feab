/* Unit tests for the /proc parsers, on files copied from a real host and a real crbench guest. */
#include "test.h"

#include "procfs.h"

static void stat_recorded(void **state)
{
	size_t len;
	cleanup_free char *text = test_data_read("proc/stat", &len);
	cleanup_error cr_error_t err = NULL;
	struct cr_cpu_times c;

	assert_int_equal(cr_parse_proc_stat(text, len, &c, &err), 0);
	/* the first line of tests/data/proc/stat: cpu  359310 28002 186842 738975 22736 0 6222 3066 0 0 */
	assert_int_equal(c.user, 359310);
	assert_int_equal(c.nice, 28002);
	assert_int_equal(c.system, 186842);
	assert_int_equal(c.idle, 738975);
	assert_int_equal(c.iowait, 22736);
	assert_int_equal(c.softirq, 6222);
	assert_int_equal(c.steal, 3066);
}

static void meminfo_recorded(void **state)
{
	size_t len;
	cleanup_free char *host = test_data_read("proc/meminfo", &len);
	cleanup_error cr_error_t err = NULL;
	struct cr_mem m;

	assert_int_equal(cr_parse_meminfo(host, len, &m, &err), 0);
	assert_int_equal(m.total, 24683656ULL * 1024);
	assert_int_equal(m.free, 23264884ULL * 1024);
	assert_int_equal(m.available, 24198200ULL * 1024);
	assert_int_equal(m.buffers, 40768ULL * 1024);
	/* psutil's cached: Cached + SReclaimable */
	assert_int_equal(m.cached, (991268ULL + 226156ULL) * 1024);
	assert_int_equal(m.used, m.total - m.free - m.buffers - m.cached);
	{
		cleanup_free char *guest = test_data_read("proc/meminfo-guest", &len);

		assert_int_equal(cr_parse_meminfo(guest, len, &m, &err), 0);
		assert_int_equal(m.total, 2014144ULL * 1024);
		assert_true(m.active > 0 && m.inactive > 0);
	}
}

static void net_dev_recorded(void **state)
{
	size_t len;
	cleanup_free char *text = test_data_read("proc/net-dev", &len);
	cleanup_error cr_error_t err = NULL;
	struct cr_netdevs *n = xmalloc(sizeof(*n));

	assert_int_equal(cr_parse_net_dev(text, len, n, &err), 0);
	assert_true(n->n >= 2);
	/* lo: 32160297079 2407134 ... 32160297079 2407134 */
	assert_string_equal(n->dev[0].name, "lo");
	assert_true(n->dev[0].rx_bytes == 32160297079ULL);
	assert_int_equal(n->dev[0].rx_packets, 2407134);
	assert_true(n->dev[0].tx_bytes == 32160297079ULL);
	assert_string_equal(n->dev[1].name, "ifb0");
	free(n);
}

static void refusals(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_cpu_times c;
	struct cr_mem m;
	struct cr_netdevs *n = xmalloc(sizeof(*n));
	static const char hdr[] = "Inter-| Receive\n face |bytes\n";
	char buf[512];

	assert_int_equal(cr_parse_proc_stat("intr 1 2 3\n", 11, &c, &err), -1);
	assert_string_equal(err->msg, "/proc/stat: no 'cpu' line");
	assert_int_equal(cr_parse_proc_stat("cpu  1 2 3\n", 11, &c, &err), -1);
	assert_string_equal(err->msg, "/proc/stat: malformed 'cpu' line");
	assert_int_equal(cr_parse_proc_stat("cpu  1 2 3 4 5 6 7 -8\n", 22, &c, &err), -1);
	assert_int_equal(cr_parse_proc_stat("cpu  1 2 3 4 5 6 7 99999999999999999999999\n", 43, &c, &err), -1);
	assert_int_equal(cr_parse_meminfo("MemTotal: 10 kB\n", 16, &m, &err), -1);
	assert_int_equal(cr_parse_meminfo("MemTotal: x kB\n", 15, &m, &err), -1);
	assert_string_equal(err->msg, "/proc/meminfo: malformed 'MemTotal:' line");
	{
		/* found by fuzzing: free above total made "used" wrap around */
		static const char odd[] =
			"MemTotal: 1 kB\nMemFree: 5 kB\nMemAvailable: 1 kB\nBuffers: 0 kB\nCached: 0 kB\n"
			"Active: 0 kB\nInactive: 0 kB\n";

		assert_int_equal(cr_parse_meminfo(odd, sizeof(odd) - 1, &m, &err), -1);
		assert_string_equal(err->msg, "/proc/meminfo: MemFree or MemAvailable above MemTotal");
	}
	/* counters touching the colon, as the kernel prints large ones */
	snprintf(buf, sizeof(buf), "%seth0:123456 7 0 0 0 0 0 0 654321 8 0 0 0 0 0 0\n", hdr);
	assert_int_equal(cr_parse_net_dev(buf, strlen(buf), n, &err), 0);
	assert_int_equal(n->dev[0].rx_bytes, 123456);
	assert_int_equal(n->dev[0].tx_packets, 8);
	snprintf(buf, sizeof(buf), "%seth0: 1 2 3\n", hdr);
	assert_int_equal(cr_parse_net_dev(buf, strlen(buf), n, &err), -1);
	assert_string_equal(err->msg, "/proc/net/dev: line 3 does not have 16 counters");
	snprintf(buf, sizeof(buf), "%s\x1b[2J: 1 2 3\n", hdr);
	assert_int_equal(cr_parse_net_dev(buf, strlen(buf), n, &err), -1);
	assert_string_equal(err->msg, "/proc/net/dev: line 3 has a bad interface name");
	free(n);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_recorded),
		cmocka_unit_test(meminfo_recorded),
		cmocka_unit_test(net_dev_recorded),
		cmocka_unit_test(refusals),
	};
	/* clang-format on */

	return tap_run("procfs", tests);
}
