/* Reading /proc the way psutil does, for the papers' CPU, memory and network tables. */
#include <ctype.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

/* One line at a time from text of length len; *pos advances. NULL at the end. */
static const char *next_line(const char *text, size_t len, size_t *pos, size_t *linelen)
{
	const char *line, *nl;

	if (*pos >= len)
		return NULL;
	line = text + *pos;
	nl = memchr(line, '\n', len - *pos);
	*linelen = nl ? (size_t)(nl - line) : len - *pos;
	*pos += *linelen + (nl ? 1 : 0);
	return line;
}

/* Up to max unsigned decimal fields of line, after its first word when skip_word; returns how many. */
static size_t numbers(const char *line, size_t len, bool skip_word, uint64_t *v, size_t max, bool *bad)
{
	size_t i = 0, n = 0;

	while (skip_word && i < len && !isspace((unsigned char)line[i]))
		i++;
	while (n < max) {
		uint64_t x = 0;
		size_t digits = 0;

		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i >= len)
			break;
		while (i < len && isdigit((unsigned char)line[i])) {
			if (x > (UINT64_MAX - 9) / 10) {
				*bad = true;
				return n;
			}
			x = x * 10 + (uint64_t)(line[i++] - '0');
			digits++;
		}
		if (!digits || (i < len && !isspace((unsigned char)line[i]))) {
			*bad = true;
			return n;
		}
		v[n++] = x;
	}
	return n;
}

int cr_parse_proc_stat(const char *text, size_t len, struct cr_cpu_times *out, cr_error_t *err)
{
	size_t pos = 0, ll;
	const char *line;

	while ((line = next_line(text, len, &pos, &ll))) {
		uint64_t v[8] = { 0 };
		bool bad = false;
		size_t n;

		if (ll < 4 || memcmp(line, "cpu ", 4) != 0)
			continue;
		n = numbers(line, ll, true, v, 8, &bad);
		/* kernels since 2.6.11 have at least these eight */
		if (bad || n < 8)
			return cr_error(err, 0, "/proc/stat: malformed 'cpu' line");
		*out = (struct cr_cpu_times){ v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
		return 0;
	}
	return cr_error(err, 0, "/proc/stat: no 'cpu' line");
}

int cr_parse_meminfo(const char *text, size_t len, struct cr_mem *out, cr_error_t *err)
{
	/* clang-format off */
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{ "MemTotal:", offsetof(struct cr_mem, total) },	  { "MemFree:", offsetof(struct cr_mem, free) },
		{ "MemAvailable:", offsetof(struct cr_mem, available) }, { "Buffers:", offsetof(struct cr_mem, buffers) },
		{ "Cached:", offsetof(struct cr_mem, cached) },	  { "Active:", offsetof(struct cr_mem, active) },
		{ "Inactive:", offsetof(struct cr_mem, inactive) },
	};
	/* clang-format on */
	unsigned seen = 0;
	size_t pos = 0, ll;
	const char *line;

	uint64_t sreclaimable = 0;

	memset(out, 0, sizeof(*out));
	while ((line = next_line(text, len, &pos, &ll))) {
		/* psutil counts reclaimable slab as cached; kernels before 2.6.19 lack the line */
		if (ll > 13 && memcmp(line, "SReclaimable:", 13) == 0) {
			uint64_t v;
			bool bad = false;

			if (numbers(line, ll, true, &v, 1, &bad) != 1 || bad || v > UINT64_MAX / 2048)
				return cr_error(err, 0, "/proc/meminfo: malformed 'SReclaimable:' line");
			sreclaimable = v * 1024;
			continue;
		}
		for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
			size_t kl = strlen(fields[f].key);
			uint64_t v;
			bool bad = false;

			if (ll <= kl || memcmp(line, fields[f].key, kl) != 0)
				continue;
			if (numbers(line, ll, true, &v, 1, &bad) != 1 || bad || v > UINT64_MAX / 1024)
				return cr_error(err, 0, "/proc/meminfo: malformed '%s' line", fields[f].key);
			*(uint64_t *)((char *)out + fields[f].offset) = v * 1024; /* kB */
			seen |= 1u << f;
		}
	}
	if (seen != (1u << ARRAY_SIZE(fields)) - 1)
		return cr_error(err, 0, "/proc/meminfo: lacks MemTotal, MemFree, MemAvailable, Buffers, Cached, Active or Inactive");
	if (out->free > out->total || out->available > out->total)
		return cr_error(err, 0, "/proc/meminfo: MemFree or MemAvailable above MemTotal");
	/* psutil's Linux "cached" is Cached + SReclaimable, and its "used" is total - free - buffers - cached,
	 * or total - free where that would go below zero */
	if (out->cached > UINT64_MAX - sreclaimable)
		return cr_error(err, 0, "/proc/meminfo: Cached plus SReclaimable overflows");
	out->cached += sreclaimable;
	out->used = out->total - out->free - out->buffers - out->cached;
	if (out->free + out->buffers + out->cached > out->total)
		out->used = out->total - out->free;
	return 0;
}

int cr_parse_net_dev(const char *text, size_t len, struct cr_netdevs *out, cr_error_t *err)
{
	size_t pos = 0, ll, lineno = 0;
	const char *line;

	out->n = 0;
	while ((line = next_line(text, len, &pos, &ll))) {
		const char *colon = memchr(line, ':', ll);
		const char *name = line;
		size_t nl;
		uint64_t v[16];
		bool bad = false;
		struct cr_netdev *d;

		if (++lineno <= 2) /* the two header lines */
			continue;
		if (!colon)
			return cr_error(err, 0, "/proc/net/dev: line %zu has no interface name", lineno);
		while (name < colon && *name == ' ')
			name++;
		nl = (size_t)(colon - name);
		if (nl == 0 || nl >= sizeof(out->dev[0].name))
			return cr_error(err, 0, "/proc/net/dev: line %zu has a bad interface name", lineno);
		for (size_t i = 0; i < nl; i++)
			if (!isgraph((unsigned char)name[i]))
				return cr_error(err, 0, "/proc/net/dev: line %zu has a bad interface name", lineno);
		/* large counters touch the colon: "eth0:123456" */
		if (numbers(colon + 1, ll - (size_t)(colon - line) - 1, false, v, 16, &bad) != 16 || bad)
			return cr_error(err, 0, "/proc/net/dev: line %zu does not have 16 counters", lineno);
		if (out->n == CR_NETDEV_MAX)
			return cr_error(err, 0, "/proc/net/dev: more than %d interfaces", CR_NETDEV_MAX);
		d = &out->dev[out->n++];
		memcpy(d->name, name, nl);
		d->name[nl] = '\0';
		d->rx_bytes = v[0];
		d->rx_packets = v[1];
		d->tx_bytes = v[8];
		d->tx_packets = v[9];
	}
	return 0;
}

static json_t *read_and(const char *path, json_t *(*fn)(const char *, size_t))
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = NULL;
	size_t len;

	if (cr_read_file(path, 1 << 20, &text, &len, &err) < 0)
		return NULL;
	return fn(text, len);
}

static json_t *cpu_json(const char *text, size_t len)
{
	struct cr_cpu_times c;

	if (cr_parse_proc_stat(text, len, &c, NULL) < 0)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "user", (json_int_t)c.user, "nice", (json_int_t)c.nice, "system",
			 (json_int_t)c.system, "idle", (json_int_t)c.idle, "iowait", (json_int_t)c.iowait, "irq", (json_int_t)c.irq,
			 "softirq", (json_int_t)c.softirq, "steal", (json_int_t)c.steal, "ticks_per_second",
			 (json_int_t)sysconf(_SC_CLK_TCK));
}

static json_t *mem_json(const char *text, size_t len)
{
	struct cr_mem m;

	if (cr_parse_meminfo(text, len, &m, NULL) < 0)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)m.total, "free", (json_int_t)m.free, "available",
			 (json_int_t)m.available, "buffers", (json_int_t)m.buffers, "cached", (json_int_t)m.cached, "active",
			 (json_int_t)m.active, "inactive", (json_int_t)m.inactive, "used", (json_int_t)m.used);
}

static json_t *net_json(const char *text, size_t len)
{
	struct cr_netdevs *n = xmalloc(sizeof(*n));
	json_t *o = NULL;

	if (cr_parse_net_dev(text, len, n, NULL) == 0) {
		o = json_object();
		for (size_t i = 0; i < n->n; i++)
			json_object_set_new(o, n->dev[i].name,
					    json_pack("{s:I, s:I, s:I, s:I}", "bytes_recv", (json_int_t)n->dev[i].rx_bytes, "packets_recv",
						      (json_int_t)n->dev[i].rx_packets, "bytes_sent", (json_int_t)n->dev[i].tx_bytes,
						      "packets_sent", (json_int_t)n->dev[i].tx_packets));
	}
	free(n);
	return o;
}

json_t *cr_sys_snapshot(void)
{
	json_t *s = json_object();
	json_t *cpu = read_and("/proc/stat", cpu_json), *mem = read_and("/proc/meminfo", mem_json),
	       *net = read_and("/proc/net/dev", net_json);

	if (cpu)
		json_object_set_new(s, "cpu_times", cpu);
	if (mem)
		json_object_set_new(s, "memory", mem);
	if (net)
		json_object_set_new(s, "net_io", net);
	return s;
}

/* after - before for every integer member both objects have (one level of nesting). */
static json_t *diff(const json_t *before, const json_t *after)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)after, key, v) {
		json_t *b = json_object_get(before, key);

		if (json_is_integer(v) && json_is_integer(b))
			json_object_set_new(out, key, json_integer(json_integer_value(v) - json_integer_value(b)));
		else if (json_is_object(v) && json_is_object(b))
			json_object_set_new(out, key, diff(b, v));
	}
	return out;
}

json_t *cr_sys_delta(const json_t *before, const json_t *after)
{
	json_t *d = json_object();
	json_t *cpu_b = json_object_get(before, "cpu_times"), *cpu_a = json_object_get(after, "cpu_times");
	json_t *net_b = json_object_get(before, "net_io"), *net_a = json_object_get(after, "net_io");

	if (cpu_b && cpu_a) {
		json_t *cd = diff(cpu_b, cpu_a);

		/* ticks per second is a rate, not a counter */
		json_object_set(cd, "ticks_per_second", json_object_get(cpu_a, "ticks_per_second"));
		json_object_set_new(d, "cpu_times", cd);
	}
	if (net_b && net_a)
		json_object_set_new(d, "net_io", diff(net_b, net_a));
	if (json_object_get(after, "memory"))
		json_object_set(d, "memory", json_object_get(after, "memory"));
	return d;
}
