/* Reading a run directory into the report's metrics per guest, with statistics, ratios to the baseline and the papers' numbers. */
#include <dirent.h>
#include <errno.h>
#include <math.h>

#include "outcome.h"
#include "report.h"
#include "results.h"
#include "util.h"

#define KUMAR "Kumar & Thangaraju 2020"
#define COCHAK "Cochak & Miers 2021"

const struct cr_report_table_info cr_report_tables[CR_TABLE__MAX] = {
	[CR_TABLE_BOOT] = { "boot", "Container boot time", KUMAR ", Table I",
			    "httpd: from the create call to the first HTTP 200 the container serves (the paper's boot time), and its "
			    "create and start calls; trivial: a container running true, its create and start calls (the runtime's own "
			    "cost). Seconds.",
			    CR_TEST_BOOT },
	[CR_TABLE_DISK] = { "disk", "Disk IO (Bonnie++)", KUMAR ", Table II",
			    "Bonnie++ with -b (fsync after every write) in a container, on the container's own root file system: "
			    "sequential block output, rewrite and block input in K/s, random seeks per second, and the CPU Bonnie++ "
			    "reports for each, in percent. Block input reads back a file the guest's page cache can hold (the plan's "
			    "bonnie-size against the guest's memory): it measures the cache more than the disk, as the paper's 4.5 GB/s "
			    "(a 2 GB file in an 8 GB VM) did. Bonnie++ runs its random seeks in several processes at once and reports "
			    "their summed CPU time over the wall time from the first start to the last stop: above 100% on a "
			    "one-CPU container, it is not a share of the container's CPU. The paper's CPU % is not recorded in crbench.",
			    CR_TEST_DISK },
	[CR_TABLE_CPU] = { "cpu", "CPU times", KUMAR ", Table III",
			   "Percent of all CPU ticks of the guest (user, nice, system, idle, iowait, irq, softirq, steal; every CPU) "
			   "during a phase: idle is the cpu-mem test's idle baseline, the others the whole step of that test. The "
			   "paper printed psutil's cumulative counters, seconds since boot that depend on uptime: not comparable with "
			   "these shares, and not recorded in crbench; shares of the phase compare across runs of any length.",
			   CR_TEST_CPU_MEM },
	[CR_TABLE_MEMORY] = { "memory", "Memory", KUMAR ", Table IV",
			      "/proc/meminfo at the end of the idle baseline, in MiB; used is total - free - buffers - cached, as "
			      "psutil computes it. The paper printed MB of 10^6 bytes; its values are not recorded in crbench, so there is "
			      "no paper column.",
			      CR_TEST_CPU_MEM },
	[CR_TABLE_NET_IO] = { "net-io", "Network IO counters", KUMAR ", Table V",
			      "/proc/net/dev across one HTTP fetch of the httpd container's page, summed over every interface but "
			      "lo (the docker0 bridge and the container's veth both count the same packets). The paper's counters "
			      "are of its own page and are not recorded in crbench.",
			      CR_TEST_NET_IO },
	[CR_TABLE_NET_BANDWIDTH] = { "net-bandwidth", "Network bandwidth", COCHAK ", Figures 3a (idle) and 4a (stress-ng)",
				     "iperf3 between a client and a server container on each pair of Docker network drivers, "
				     "idle or with stress-ng loading the server container's CPUs: received Gbit/s.",
				     CR_TEST_NET_MATRIX },
	[CR_TABLE_NET_LATENCY] = { "net-latency", "Network latency", COCHAK ", Figures 3b (idle) and 4b (stress-ng)",
				   "sockperf ping-pong (UDP) on the same pairs and loads: average, median, 99th and 99.9th percentile "
				   "latency in microseconds. One-way latency: sockperf 3.7 reports half of each round trip unless "
				   "run with --full-rtt, and the agent runs it without.",
				   CR_TEST_NET_MATRIX },
};

/* clang-format off */
const char *const cr_cell_status_names[] = {
	[CR_CELL_OK] = "ok",
	[CR_CELL_UNSUPPORTED] = "unsupported",
	[CR_CELL_FAILED] = "failed",
	[CR_CELL_NOT_MEASURED] = "not measured",
	[CR_CELL_MISSING] = "missing",
};
/* clang-format on */

/* How a metric's value comes out of the member its path names. */
enum how {
	H_VALUE, /* the number, times scale */
	H_SHARE, /* percent of the sum of the integer counters beside it (CPU ticks) */
};

struct metric_def {
	enum cr_report_table table;
	const char *id, *label, *unit, *step, *path;
	enum how how;
	double scale;
};

/* '*' in a path sums that level's members, "lo" excepted. */
/* clang-format off */
static const struct metric_def fixed_metrics[] = {
	{ CR_TABLE_BOOT, "boot.httpd.first_200", "httpd: create to first HTTP 200", "s", "boot", "data.httpd.first_200_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.httpd.create", "httpd: create", "s", "boot", "data.httpd.create_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.httpd.start", "httpd: start", "s", "boot", "data.httpd.start_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.trivial.create", "trivial: create", "s", "boot", "data.trivial.create_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.trivial.start", "trivial: start", "s", "boot", "data.trivial.start_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.trivial.api_run", "trivial: create+start+wait+remove, the agent's API calls", "s", "boot",
	  "data.trivial.api_run_seconds", H_VALUE, 1 },
	{ CR_TABLE_BOOT, "boot.trivial.docker_run", "trivial: docker run --rm, timed from outside (CLI)", "s", "boot",
	  "data.docker_cli.run_seconds", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.block_out", "block output", "K/s", "disk", "data.block_out_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.block_out_cpu", "block output CPU", "%", "disk", "data.block_out_cpu", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.rewrite", "rewrite", "K/s", "disk", "data.rewrite_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.rewrite_cpu", "rewrite CPU", "%", "disk", "data.rewrite_cpu", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.block_in", "block input", "K/s", "disk", "data.block_in_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.block_in_cpu", "block input CPU", "%", "disk", "data.block_in_cpu", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.seeks", "random seeks", "/s", "disk", "data.seeks_per_second", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.seeks_cpu", "random seeks CPU, summed over the seeker processes", "%", "disk", "data.seeks_cpu", H_VALUE, 1 },
	{ CR_TABLE_MEMORY, "mem.total", "total", "MiB", "cpu-mem", "data.delta.memory.total", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.used", "used", "MiB", "cpu-mem", "data.delta.memory.used", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.free", "free", "MiB", "cpu-mem", "data.delta.memory.free", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.available", "available", "MiB", "cpu-mem", "data.delta.memory.available", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.active", "active", "MiB", "cpu-mem", "data.delta.memory.active", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.inactive", "inactive", "MiB", "cpu-mem", "data.delta.memory.inactive", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.buffers", "buffers", "MiB", "cpu-mem", "data.delta.memory.buffers", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_MEMORY, "mem.cached", "cached", "MiB", "cpu-mem", "data.delta.memory.cached", H_VALUE, 1.0 / 1048576 },
	{ CR_TABLE_NET_IO, "netio.bytes_sent", "bytes sent", "B", "net-io", "data.delta.net_io.*.bytes_sent", H_VALUE, 1 },
	{ CR_TABLE_NET_IO, "netio.bytes_recv", "bytes received", "B", "net-io", "data.delta.net_io.*.bytes_recv", H_VALUE, 1 },
	{ CR_TABLE_NET_IO, "netio.packets_sent", "packets sent", "", "net-io", "data.delta.net_io.*.packets_sent", H_VALUE, 1 },
	{ CR_TABLE_NET_IO, "netio.packets_recv", "packets received", "", "net-io", "data.delta.net_io.*.packets_recv", H_VALUE, 1 },
};
/* clang-format on */

/* With bonnie-direct: the same Bonnie++ with O_DIRECT, which bypasses the guest's page cache. Ours, not the paper's. */
/* clang-format off */
static const struct metric_def direct_metrics[] = {
	{ CR_TABLE_DISK, "disk.direct.block_out", "block output, O_DIRECT (ours, not in the paper)", "K/s", "disk", "data.direct.block_out_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.direct.rewrite", "rewrite, O_DIRECT (ours)", "K/s", "disk", "data.direct.rewrite_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.direct.block_in", "block input, O_DIRECT (ours, not in the paper)", "K/s", "disk", "data.direct.block_in_kps", H_VALUE, 1 },
	{ CR_TABLE_DISK, "disk.direct.seeks", "random seeks, O_DIRECT (ours)", "/s", "disk", "data.direct.seeks_per_second", H_VALUE, 1 },
};
/* clang-format on */

/* Phases of Table III: the idle baseline's own delta, and the system member of other steps. */
/* clang-format off */
static const struct {
	const char *phase, *step, *path;
	enum cr_test test;
} cpu_phases[] = {
	{ "idle", "cpu-mem", "data.delta.cpu_times", CR_TEST_CPU_MEM },
	{ "boot", "boot", "system.cpu_times", CR_TEST_BOOT },
	{ "disk", "disk", "system.cpu_times", CR_TEST_DISK },
	{ "net-io", "net-io", "system.cpu_times", CR_TEST_NET_IO },
};
/* clang-format on */
static const char *const cpu_fields[] = { "user", "nice", "system", "idle", "iowait" };

/* clang-format off */
static const struct {
	const char *key, *label;
} latencies[] = {
	{ "avg", "average" },
	{ "p50", "median" },
	{ "p99", "99th percentile" },
	{ "p99_9", "99.9th percentile" },
};
/* clang-format on */

/* Numbers the papers published, beside ours for the same runtime. Nothing here that the papers do not print. */
/* clang-format off */
static const struct {
	const char *metric, *runtime;
	double value;
	const char *source;
} paper_values[] = {
	{ "boot.httpd.first_200", "runc", 0.633, KUMAR ", Table I" },
	{ "boot.httpd.first_200", "kata", 3.707, KUMAR ", Table I" },
	{ "disk.block_out", "runc", 1549371, KUMAR ", Table II" },
	{ "disk.block_out", "kata", 1103322, KUMAR ", Table II" },
	{ "disk.block_in", "runc", 4512265, KUMAR ", Table II" },
	{ "disk.block_in", "kata", 3748241, KUMAR ", Table II" },
	{ "disk.seeks", "runc", 14779, KUMAR ", Table II" },
	{ "disk.seeks", "kata", 14841, KUMAR ", Table II" },
};
/* clang-format on */

/* ---- the catalogue of metrics ---- */

static bool planned(const struct cr_plan *plan, enum cr_test t)
{
	return !plan || (plan->tests & (1u << t));
}

static void add_metric(struct cr_report *r, enum cr_report_table table, char *id, char *label, const char *unit, char *step, char *path,
		       enum how how, double scale)
{
	struct cr_report_metric *m;

	r->metrics = xrealloc(r->metrics, (r->n_metrics + 1) * sizeof(*r->metrics));
	m = &r->metrics[r->n_metrics++];
	*m = (struct cr_report_metric){
		.id = id, .label = label, .unit = unit, .table = table, .step = step, .path = path, .how = how, .scale = scale
	};
	m->cells = xcalloc(r->n_guests ? r->n_guests : 1, sizeof(*m->cells));
}

static void make_catalogue(struct cr_report *r)
{
	const struct cr_plan *p = r->plan;

	for (size_t i = 0; i < ARRAY_SIZE(fixed_metrics); i++) {
		const struct metric_def *d = &fixed_metrics[i];

		if (planned(p, cr_report_tables[d->table].test))
			add_metric(r, d->table, xstrdup(d->id), xstrdup(d->label), d->unit, xstrdup(d->step), xstrdup(d->path), d->how,
				   d->scale);
	}
	for (size_t i = 0; i < ARRAY_SIZE(direct_metrics) && planned(p, CR_TEST_DISK) && (!p || p->bonnie_direct); i++) {
		const struct metric_def *d = &direct_metrics[i];

		add_metric(r, d->table, xstrdup(d->id), xstrdup(d->label), d->unit, xstrdup(d->step), xstrdup(d->path), d->how, d->scale);
	}
	for (size_t ph = 0; ph < ARRAY_SIZE(cpu_phases); ph++) {
		if (!planned(p, cpu_phases[ph].test))
			continue;
		for (size_t f = 0; f < ARRAY_SIZE(cpu_fields); f++)
			add_metric(r, CR_TABLE_CPU, xasprintf("cpu.%s.%s", cpu_phases[ph].phase, cpu_fields[f]),
				   xasprintf("%s: %s", cpu_phases[ph].phase, cpu_fields[f]), "%", xstrdup(cpu_phases[ph].step),
				   xasprintf("%s.%s", cpu_phases[ph].path, cpu_fields[f]), H_SHARE, 1);
	}
	if (!planned(p, CR_TEST_NET_MATRIX))
		return;
	for (int pair = 0; pair < CR_NET__MAX; pair++) {
		for (int load = 0; load < CR_LOAD__MAX; load++) {
			const char *pn = cr_net_pair_names[pair], *ln = cr_net_load_names[load];

			if (p && (!(p->net_pairs & (1u << pair)) || !(p->net_loads & (1u << load))))
				continue;
			add_metric(r, CR_TABLE_NET_BANDWIDTH, xasprintf("net.%s.%s.bandwidth", pn, ln), xasprintf("%s %s", pn, ln),
				   "Gbit/s", xasprintf("net-%s-%s", pn, ln), xstrdup("data.iperf3.bits_per_second"), H_VALUE, 1e-9);
			for (size_t q = 0; q < ARRAY_SIZE(latencies); q++)
				add_metric(r, CR_TABLE_NET_LATENCY, xasprintf("net.%s.%s.%s", pn, ln, latencies[q].key),
					   xasprintf("%s %s: %s", pn, ln, latencies[q].label), "µs", xasprintf("net-%s-%s", pn, ln),
					   xasprintf("data.sockperf.%s_us", latencies[q].key), H_VALUE, 1);
		}
	}
}

/* ---- values out of entries ---- */

/* The number at a dotted path of doc; '*' sums the members of that level but "lo". False when there is none. */
static bool walk(json_t *doc, const char *path, double *out)
{
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	cleanup_free char *key = xstrndup(path, len);

	if (strcmp(key, "*") == 0) {
		const char *k;
		json_t *v;
		bool any = false;
		double sum = 0, x;

		json_object_foreach(doc, k, v) {
			if (strcmp(k, "lo") != 0 && walk(v, dot ? dot + 1 : "", &x)) {
				sum += x;
				any = true;
			}
		}
		*out = sum;
		return any;
	}
	if (!json_is_object(doc) || !(doc = json_object_get(doc, key)))
		return false;
	if (dot)
		return walk(doc, dot + 1, out);
	if (!json_is_number(doc))
		return false;
	*out = json_number_value(doc);
	return true;
}

/* The object holding the member a dotted path names ("data.direct" for "data.direct.block_in_kps"), or NULL; *last is the member's own name. */
static json_t *member_parent(json_t *entry, const char *path, const char **last)
{
	const char *dot = strrchr(path, '.');
	cleanup_free char *parent = dot ? xstrndup(path, (size_t)(dot - path)) : xstrdup("");
	json_t *obj = entry;

	*last = dot ? dot + 1 : path;
	for (char *s = parent, *e; s && *s && obj; s = e ? e + 1 : NULL) {
		e = strchr(s, '.');
		if (e)
			*e = '\0';
		obj = json_object_get(obj, s);
	}
	return obj;
}

/* The member's value turned into the metric's: scaled, or as a share of its siblings. */
static bool metric_value(const struct cr_report_metric *m, json_t *entry, double *out)
{
	json_t *obj, *v;
	const char *k, *last;
	double total = 0;

	if (!walk(entry, m->path, out))
		return false;
	if (m->how == H_VALUE) {
		*out *= m->scale;
		return true;
	}
	obj = member_parent(entry, m->path, &last);
	json_object_foreach(obj, k, v)
		if (json_is_integer(v) && strcmp(k, "ticks_per_second") != 0)
			total += (double)json_integer_value(v);
	if (total <= 0)
		return false;
	*out = 100 * *out / total;
	return true;
}

/*
 * Why an ok entry has no value: the tool's own word when it gave one, in a
 * "not_measured" object beside the member (data.direct.not_measured for
 * data.direct.block_in_kps) or in data's own.
 */
static const char *not_measured_reason(const struct cr_report_metric *m, json_t *entry)
{
	const char *last;
	json_t *parent = member_parent(entry, m->path, &last);
	const char *why = json_string_value(json_object_get(json_object_get(parent, "not_measured"), last));

	if (!why)
		why = json_string_value(json_object_get(json_object_get(json_object_get(entry, "data"), "not_measured"), last));
	return why ? why : "the entry has no value for it";
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void fill_cell(const struct cr_report *r, const struct cr_report_metric *m, const struct cr_report_guest *g,
		      struct cr_report_cell *c)
{
	const char *first_failed = NULL, *first_unsupported = NULL, *first_nm = NULL;
	size_t n_entries = 0, i;
	json_t *e;

	json_array_foreach(g->entries, i, e) {
		const char *status = str(e, "status"), *reason = str(e, "reason");
		double v;

		if (!str(e, "step") || strcmp(str(e, "step"), m->step) != 0 || json_is_true(json_object_get(e, "warmup")))
			continue;
		n_entries++;
		if (status && strcmp(status, "ok") == 0) {
			if (metric_value(m, e, &v)) {
				c->samples = xrealloc(c->samples, (c->n + 1) * sizeof(double));
				c->samples[c->n++] = v;
			} else if (c->n_not_measured++ == 0) {
				first_nm = not_measured_reason(m, e);
			}
		} else if (status && strcmp(status, "unsupported") == 0) {
			if (c->n_unsupported++ == 0)
				first_unsupported = reason ? reason : "no reason given";
		} else if (c->n_failed++ == 0) {
			first_failed = reason ? reason : status ? status : "no status";
		}
	}
	cr_stats_compute(c->samples, c->n, &c->stats);
	c->ratio = (struct cr_ratio){ .ratio = NAN, .low = NAN, .high = NAN };
	c->paper = NAN;
	if (c->n) {
		c->status = CR_CELL_OK;
		if (c->n_failed && c->n_not_measured)
			c->reason = xasprintf("%zu of %zu rounds failed: %s; %zu not measured: %s", c->n_failed, n_entries, first_failed,
					      c->n_not_measured, first_nm);
		else if (c->n_failed)
			c->reason = xasprintf("%zu of %zu rounds failed: %s", c->n_failed, n_entries, first_failed);
		else if (c->n_not_measured)
			c->reason = xasprintf("%zu of %zu rounds not measured: %s", c->n_not_measured, n_entries, first_nm);
		else if (c->n_unsupported)
			c->reason = xasprintf("%zu of %zu rounds unsupported: %s", c->n_unsupported, n_entries, first_unsupported);
	} else if (c->n_unsupported) {
		c->status = CR_CELL_UNSUPPORTED;
		c->reason = xasprintf("not supported: %s", first_unsupported);
	} else if (c->n_failed && g->status && strcmp(g->status, "refused") == 0) {
		/* a refused guest's reason is said once, in the guests table, not in each of its cells */
		c->status = CR_CELL_FAILED;
		c->reason = xstrdup(CR_REPORT_REFUSED_CELL);
	} else if (c->n_failed) {
		/* the rounds that got as far as this metric's own tool say what it said: a failed step's reason may be another tool's */
		c->status = CR_CELL_FAILED;
		c->reason = c->n_not_measured ? xasprintf("failed in %zu of %zu rounds: %s; not measured in %zu: %s", c->n_failed,
							  n_entries, first_failed, c->n_not_measured, first_nm)
					      : xasprintf("failed in %zu of %zu rounds: %s", c->n_failed, n_entries, first_failed);
	} else if (c->n_not_measured) {
		c->status = CR_CELL_NOT_MEASURED;
		c->reason = xasprintf("not measured: %s", first_nm);
	} else {
		c->status = CR_CELL_MISSING;
		c->reason = g->missing ? xstrdup(g->missing) : xasprintf("no result for step '%s' outside the warm-ups", m->step);
	}
}

/* The paper_values row of this metric and runtime, or -1. */
static ssize_t paper_index(const char *metric, const char *runtime)
{
	for (size_t p = 0; p < ARRAY_SIZE(paper_values); p++)
		if (strcmp(paper_values[p].metric, metric) == 0 && strcmp(paper_values[p].runtime, runtime) == 0)
			return (ssize_t)p;
	return -1;
}

/*
 * The paper's number beside a cell: the paper's own runtime's, or for a
 * runtime other than runc standing where the paper had Kata, Kata's, said
 * to be not comparable; and never comparable when the guests were emulated.
 */
static void paper_value(const struct cr_report *r, const struct cr_report_metric *m, size_t g, struct cr_report_cell *c)
{
	json_t *host = r->guests[g].host ? r->guests[g].host : json_object_get(r->run, "host");
	const char *rt = r->guests[g].runtime, *accel = str(host, "accel") ? str(host, "accel") : str(r->run, "accel");
	ssize_t p = paper_index(m->id, rt);
	cleanup_free char *why_rt = NULL;

	if (p < 0 && strcmp(rt, "runc") != 0 && (p = paper_index(m->id, "kata")) >= 0)
		why_rt = xasprintf("%s is not Kata", rt);
	if (p < 0)
		return;
	c->paper = paper_values[p].value;
	c->paper_source = paper_values[p].source;
	c->paper_runtime = paper_values[p].runtime;
	if (!accel || strcmp(accel, "kvm") != 0)
		c->paper_caveat = xasprintf("%s%s%s guests, not hardware virtualization", why_rt ? why_rt : "", why_rt ? "; " : "",
					    accel ? accel : "unknown accelerator");
	else if (why_rt)
		c->paper_caveat = steal_pointer(&why_rt);
}

void cr_report_papers(struct cr_report *r)
{
	for (size_t k = 0; k < r->n_metrics; k++)
		for (size_t g = 0; g < r->n_guests; g++)
			paper_value(r, &r->metrics[k], g, &r->metrics[k].cells[g]);
}

static void compute(struct cr_report *r)
{
	for (size_t k = 0; k < r->n_metrics; k++) {
		struct cr_report_metric *m = &r->metrics[k];
		const struct cr_report_cell *base = &m->cells[r->baseline];

		for (size_t g = 0; g < r->n_guests; g++)
			fill_cell(r, m, &r->guests[g], &m->cells[g]);
		for (size_t g = 0; g < r->n_guests; g++)
			if (g != r->baseline)
				cr_ratio_interval(m->cells[g].samples, m->cells[g].n, base->samples, base->n, &m->cells[g].ratio);
	}
	cr_report_papers(r);
}

/*
 * Guests compared with the baseline that ran on a libvirt host that differs
 * from its host (CPU model, CPUs, memory, accelerator, kernel, QEMU): a
 * note naming the difference, since their ratios include it.
 */
static void guest_hosts(struct cr_report *r)
{
	static const char *const keys[] = { "cpu_model", "cpus", "memory_bytes", "accel", "kernel", "qemu_version" };
	const struct cr_report_guest *base = r->n_guests ? &r->guests[r->baseline] : NULL;

	for (size_t g = 0; base && g < r->n_guests; g++) {
		const struct cr_report_guest *o = &r->guests[g];
		cleanup_free char *diff = NULL;

		if (g == r->baseline || !o->host || !base->host)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			json_t *a = json_object_get(base->host, keys[i]), *b = json_object_get(o->host, keys[i]);

			if (json_is_null(a) || json_is_null(b) || !a || !b)
				continue; /* not known of one of them */
			if (!json_equal(a, b)) {
				cleanup_free char *va = json_dumps(a, JSON_ENCODE_ANY), *vb = json_dumps(b, JSON_ENCODE_ANY);

				str_append(&diff, ", ", "%s %s and %s", keys[i], va ? va : "?", vb ? vb : "?");
			}
		}
		if (diff)
			cr_report_note(r, xasprintf("guests '%s' and '%s' ran on libvirt hosts '%s' and '%s', which differ: %s; the ratios "
						    "of '%s' to '%s' include that difference",
						    base->name, o->name,
						    str(base->host, "libvirt_host") ? str(base->host, "libvirt_host") : "?",
						    str(o->host, "libvirt_host") ? str(o->host, "libvirt_host") : "?", diff, o->name,
						    base->name));
	}
}

/* ---- reading the run directory ---- */

/*
 * The agent's own create+start+wait+remove of a trivial container makes
 * fewer calls than `docker run --rm` of the same container timed from
 * outside, so it should not take longer; the rounds where it did are
 * counted in the notes, not hidden.
 */
static void api_over_cli(struct cr_report *r)
{
	const struct cr_report_metric *api = cr_report_metric(r, "boot.trivial.api_run"),
				      *cli = cr_report_metric(r, "boot.trivial.docker_run");

	for (size_t g = 0; api && cli && g < r->n_guests; g++) {
		size_t over = 0, rounds = 0, i;
		json_t *e;

		json_array_foreach(r->guests[g].entries, i, e) {
			double a, c;

			if (!str(e, "step") || strcmp(str(e, "step"), "boot") != 0 || json_is_true(json_object_get(e, "warmup")) ||
			    !str(e, "status") || strcmp(str(e, "status"), "ok") != 0 || !metric_value(api, e, &a) ||
			    !metric_value(cli, e, &c))
				continue;
			rounds++;
			over += a > c;
		}
		if (over)
			cr_report_note(
				r,
				xasprintf("guest '%s': the agent's API timing of a trivial container (boot.trivial.api_run) exceeded docker run's "
					  "timed from outside (boot.trivial.docker_run) in %zu of %zu rounds; it makes fewer calls and should not, "
					  "so read the boot times with that much noise in mind",
					  r->guests[g].name, over, rounds));
	}
}

void cr_report_note(struct cr_report *r, char *text)
{
	size_t n = strv_len(r->notes);

	r->notes = xrealloc(r->notes, (n + 2) * sizeof(char *));
	r->notes[n] = text;
	r->notes[n + 1] = NULL;
}

static const char *status_phrase(const char *status)
{
	int st = cr_guest_status_parse(status);

	return st < 0 ? "has no status" : cr_guest_status_phrases[st];
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_guest(struct cr_report *r, struct cr_report_guest *g)
{
	cleanup_free char *dir = xasprintf("%s/%s/results", r->dir, g->name);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, by_name);

	g->entries = json_array();
	for (int i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		json_error_t jerr;
		json_t *e;

		if (cr_results_step_name(names[i]->d_name)) {
			e = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
			if (!json_is_object(e))
				cr_report_note(r, xasprintf("entry '%s' is left out: %s", path, e ? "not a JSON object" : jerr.text));
			else if (str(e, "step") && strcmp(str(e, "step"), "env") == 0 && !g->env)
				g->env = json_incref(json_object_get(e, "data"));
			else if (json_is_true(json_object_get(e, "warmup")))
				g->n_warmup++;
			if (json_is_object(e))
				json_array_append(g->entries, e);
			json_decref(e);
		}
		free(names[i]);
	}
	free(names);
	if (json_array_size(g->entries))
		return;
	g->missing = xasprintf("guest '%s' %s%s%s; %s", g->name, status_phrase(g->status), g->reason ? ": " : "",
			       g->reason ? g->reason : "",
			       n < 0 ? "it has no results directory" : "its results directory has no step entries");
	cr_report_note(r, xstrdup(g->missing));
}

static bool safe_name(const char *s)
{
	return s && *s && *s != '.' && !strchr(s, '/');
}

int cr_report_load(const char *run_dir, struct cr_report **out, cr_error_t *err)
{
	cleanup_free char *run_path = xasprintf("%s/run.json", run_dir), *plan_path = xasprintf("%s/plan.ini", run_dir);
	cleanup_error cr_error_t perr = NULL;
	struct cr_report *r = xcalloc(1, sizeof(*r));
	json_t *guests, *g;
	json_error_t jerr;
	size_t i;

	r->dir = xstrdup(run_dir);
	r->run = json_load_file(run_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->run) {
		cr_report_free(r);
		if (jerr.line <= 0 && access(run_path, F_OK) < 0)
			return cr_error(err, errno, "cannot read run manifest '%s'", run_path);
		return cr_error(err, 0, "cannot read run manifest '%s': line %d: %s", run_path, jerr.line, jerr.text);
	}
	guests = json_object_get(r->run, "guests");
	if (!json_is_object(r->run) || !json_is_array(guests)) {
		cr_report_free(r);
		return cr_error(err, 0, "cannot read run manifest '%s': no \"guests\" array", run_path);
	}
	r->run_id = str(r->run, "run_id") ? str(r->run, "run_id") : "unnamed run";
	if (cr_plan_load(plan_path, &r->plan, &perr) < 0)
		cr_report_note(r, xasprintf("every test counts as planned: %s", perr->msg));
	if (str(r->run, "status") && strcmp(str(r->run, "status"), "complete") != 0)
		cr_report_note(r, xasprintf("the run's status is %s: some guest did not finish its suite", str(r->run, "status")));

	r->guests = xcalloc(json_array_size(guests) + 1, sizeof(*r->guests));
	json_array_foreach(guests, i, g) {
		struct cr_report_guest *rg = &r->guests[r->n_guests];

		if (!safe_name(str(g, "name"))) {
			cr_report_note(r,
				       xasprintf("guest %zu of run.json is left out: its name is missing or not a plain file name", i + 1));
			continue;
		}
		rg->name = xstrdup(str(g, "name"));
		rg->runtime = xstrdup(str(g, "runtime") ? str(g, "runtime") : "unknown");
		rg->status = xstrdup(str(g, "status") ? str(g, "status") : "unknown");
		rg->reason = str(g, "reason") ? xstrdup(str(g, "reason")) : NULL;
		rg->host = json_object_get(g, "host");
		r->n_guests++;
		load_guest(r, rg);
		r->n_warmup += rg->n_warmup;
	}
	for (i = r->n_guests; i-- > 0;)
		if (strcmp(r->guests[i].runtime, "runc") == 0)
			r->baseline = i;
	make_catalogue(r);
	compute(r);
	api_over_cli(r);
	guest_hosts(r);
	r->claims = cr_claims_make(r, &r->n_claims);
	*out = r;
	return 0;
}

void cr_report_free(struct cr_report *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->n_metrics; k++) {
		struct cr_report_metric *m = &r->metrics[k];

		for (size_t g = 0; g < r->n_guests; g++) {
			free(m->cells[g].samples);
			free(m->cells[g].reason);
			free(m->cells[g].paper_caveat);
			free(m->cells[g].run_values);
			free(m->cells[g].run_n);
		}
		free(m->cells);
		free(m->id);
		free(m->label);
		free(m->step);
		free(m->path);
	}
	free(r->metrics);
	cr_claims_free(r->claims, r->n_claims);
	for (size_t g = 0; g < r->n_guests; g++) {
		free(r->guests[g].name);
		free(r->guests[g].runtime);
		free(r->guests[g].status);
		free(r->guests[g].reason);
		free(r->guests[g].missing);
		json_decref(r->guests[g].entries);
		json_decref(r->guests[g].env);
	}
	free(r->guests);
	for (size_t j = 0; j < r->n_runs; j++) {
		free(r->runs[j].dir);
		free(r->runs[j].id);
		json_decref(r->runs[j].run);
	}
	free(r->runs);
	strv_free(r->notes);
	cr_plan_free(r->plan);
	json_decref(r->run);
	free(r->dir);
	free(r);
}

const struct cr_report_metric *cr_report_metric(const struct cr_report *r, const char *id)
{
	for (size_t k = 0; k < r->n_metrics; k++)
		if (strcmp(r->metrics[k].id, id) == 0)
			return &r->metrics[k];
	return NULL;
}

ssize_t cr_report_guest(const struct cr_report *r, const char *name)
{
	for (size_t g = 0; g < r->n_guests; g++)
		if (strcmp(r->guests[g].name, name) == 0)
			return (ssize_t)g;
	return -1;
}

/* ---- report.json ---- */

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *cell_json(const struct cr_report *r, const struct cr_report_cell *c, size_t g)
{
	const struct cr_stats *s = &c->stats;
	json_t *samples = json_array(), *o;

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(samples, json_real(c->samples[i]));
	o = json_pack("{s:s, s:s?, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:I, s:I, s:I}", "status",
		      cr_cell_status_names[c->status], "reason", c->reason, "n", (json_int_t)c->n, "samples", samples, "median",
		      num(s->median), "mean", num(s->mean), "sd", num(s->sd), "gmean", num(s->gmean), "estimate", num(s->estimate),
		      "ci_low", num(s->ci_low), "ci_high", num(s->ci_high), "ci_method", cr_ci_method_names[s->method], "cv_percent",
		      num(s->cv), "min", num(s->min), "max", num(s->max), "n_failed", (json_int_t)c->n_failed, "n_unsupported",
		      (json_int_t)c->n_unsupported, "n_not_measured", (json_int_t)c->n_not_measured);
	if (g != r->baseline)
		json_object_set_new(o, "ratio",
				    json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:b}", "over", r->guests[r->baseline].name, "value",
					      num(c->ratio.ratio), "low", num(c->ratio.low), "high", num(c->ratio.high), "method",
					      cr_ratio_method_names[c->ratio.method], "df", num(c->ratio.df), "unbounded",
					      c->ratio.unbounded));
	if (r->n_runs) {
		json_t *per_run = json_array();

		for (size_t j = 0; j < r->n_runs; j++)
			json_array_append_new(per_run, json_pack("{s:s, s:I, s:o}", "run", r->runs[j].id, "n", (json_int_t)c->run_n[j],
								 "value", num(c->run_values[j])));
		json_object_set_new(o, "pooled",
				    json_pack("{s:I, s:I, s:s, s:o, s:o}", "runs", (json_int_t)c->pooled.k, "samples",
					      (json_int_t)c->pooled.n, "run_value", c->pooled.log_scale ? "geometric mean" : "mean",
					      "between_run_share", num(c->pooled.between_share), "per_run", per_run));
	}
	if (isfinite(c->paper))
		json_object_set_new(o, "paper",
				    json_pack("{s:f, s:s, s:s, s:o, s:b, s:s?}", "value", c->paper, "source", c->paper_source, "runtime",
					      c->paper_runtime, "ours_over_paper", num(s->mean / c->paper), "comparable", !c->paper_caveat,
					      "not_comparable", c->paper_caveat));
	return o;
}

json_t *cr_report_json(const struct cr_report *r)
{
	json_t *tables = json_array(), *guests = json_array(), *notes = json_array(), *doc;

	for (size_t g = 0; g < r->n_guests; g++) {
		const struct cr_report_guest *rg = &r->guests[g];

		json_array_append_new(guests,
				      json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:I}", "name", rg->name, "runtime", rg->runtime, "status",
						rg->status, "reason", rg->reason, "missing", rg->missing, "entries",
						(json_int_t)json_array_size(rg->entries), "warmups_excluded", (json_int_t)rg->n_warmup));
	}
	for (size_t i = 0; r->notes && r->notes[i]; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	for (int t = 0; t < CR_TABLE__MAX; t++) {
		const struct cr_report_table_info *ti = &cr_report_tables[t];
		json_t *metrics = json_array();

		for (size_t k = 0; k < r->n_metrics; k++) {
			const struct cr_report_metric *m = &r->metrics[k];
			json_t *cells;

			if (m->table != (enum cr_report_table)t)
				continue;
			cells = json_object();
			for (size_t g = 0; g < r->n_guests; g++)
				json_object_set_new(cells, r->guests[g].name, cell_json(r, &m->cells[g], g));
			json_array_append_new(metrics, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", m->id, "label", m->label, "unit",
								 m->unit, "step", m->step, "path", m->path, "cells", cells));
		}
		json_array_append_new(tables,
				      json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "name", ti->name, "title", ti->title, "source",
						ti->source, "note", ti->note, "planned", planned(r->plan, ti->test), "metrics", metrics));
	}
	doc = json_pack("{s:s, s:i, s:s, s:s, s:s?, s:O?, s:O?, s:{s:s}, s:s, s:I, s:s?, s:o, s:o, s:o}", "format", "crbench-report",
			"version", 2, "run_id", r->run_id, "run_dir", r->dir, "run_status", str(r->run, "status"), "host",
			json_object_get(r->run, "host"), "plan", json_object_get(r->run, "plan"), "ratio_interval", "method",
			"95%: Welch t on the logarithms (ratio of geometric means) when every sample is > 0, else Fieller (ratio of means)",
			"cell_interval",
			"95%: t on the logarithms (geometric mean) when every sample is > 0, else t (mean), bounded at 0 "
			"when no sample is negative",
			"warmups_excluded", (json_int_t)r->n_warmup, "baseline", r->n_guests ? r->guests[r->baseline].name : NULL, "guests",
			guests, "notes", notes, "tables", tables);
	json_object_set_new(doc, "claims", cr_claims_json(r->claims, r->n_claims));
	if (r->n_runs) {
		json_t *runs = json_array();

		for (size_t j = 0; j < r->n_runs; j++)
			json_array_append_new(runs, json_pack("{s:s, s:s, s:O?, s:O?}", "run_id", r->runs[j].id, "run_dir", r->runs[j].dir,
							      "status", json_object_get(r->runs[j].run, "status"), "host",
							      json_object_get(r->runs[j].run, "host")));
		json_object_set_new(doc, "runs", runs);
		json_object_set_new(doc, "cell_interval",
				    json_string("95%: pooled runs: one value per run (its geometric mean, or its mean when a sample "
						"is <= 0); the geometric mean of the run values with t on their logarithms, runs - 1 "
						"degrees of freedom (else their mean, t)"));
		json_object_set_new(json_object_get(doc, "ratio_interval"), "method",
				    json_string("95%: pooled runs: the geometric mean of the runs' ratios with t on their logarithms "
						"(paired by run), else Fieller on the run values"));
	}
	return doc;
}
