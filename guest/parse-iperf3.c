/* Reads iperf3's -J report: throughput both ways, retransmits, UDP loss, CPU use, or iperf3's own error. */
#include <jansson.h>
#include <math.h>

#include "parse-text.h"
#include "toolparse.h"
#include "util.h"

/* Follow a dotted path of object members ("end.sum_sent.bytes"); NULL when one is missing. */
static json_t *member(json_t *root, const char *path)
{
	json_t *j = root;

	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		char key[64];

		if (n >= sizeof(key) || !json_is_object(j))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		j = json_object_get(j, key);
		if (!j)
			return NULL;
		path += dot ? n + 1 : n;
	}
	return j;
}

static int get_double(json_t *root, const char *path, double *out, cr_error_t *err)
{
	json_t *j = member(root, path);
	double v;

	if (!j)
		return cr_error(err, 0, "iperf3 output has no '%s'", path);
	if (!json_is_number(j))
		return cr_error(err, 0, "iperf3 output has a non-number '%s'", path);
	v = json_number_value(j);
	if (!isfinite(v) || v < 0)
		return cr_error(err, 0, "iperf3 output has an out of range '%s'", path);
	*out = v;
	return 0;
}

static int get_u64(json_t *root, const char *path, uint64_t *out, cr_error_t *err)
{
	json_t *j = member(root, path);

	if (!j)
		return cr_error(err, 0, "iperf3 output has no '%s'", path);
	if (!json_is_integer(j))
		return cr_error(err, 0, "iperf3 output has a non-integer '%s'", path);
	if (json_integer_value(j) < 0)
		return cr_error(err, 0, "iperf3 output has a negative '%s'", path);
	*out = (uint64_t)json_integer_value(j);
	return 0;
}

static int get_sum(json_t *root, const char *path, struct cr_iperf3_sum *sum, cr_error_t *err)
{
	char p[64];

	if (!member(root, path))
		return cr_error(err, 0, "iperf3 output has no '%s'", path);
	snprintf(p, sizeof(p), "%s.bytes", path);
	if (get_u64(root, p, &sum->bytes, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s.seconds", path);
	if (get_double(root, p, &sum->seconds, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s.bits_per_second", path);
	return get_double(root, p, &sum->bits_per_second, err);
}

static void get_string(json_t *root, const char *path, char *buf, size_t size)
{
	json_t *j = member(root, path);

	if (json_is_string(j))
		tp_copy(buf, size, json_string_value(j), json_string_length(j));
}

int cr_parse_iperf3(const char *text, size_t len, struct cr_iperf3 *out, cr_error_t *err)
{
	/* clang-format off */
	static const struct {
		const char *path;
		size_t off;
	} cpu[] = {
		{ "end.cpu_utilization_percent.host_total", offsetof(struct cr_iperf3, cpu_host_total) },
		{ "end.cpu_utilization_percent.host_user", offsetof(struct cr_iperf3, cpu_host_user) },
		{ "end.cpu_utilization_percent.host_system", offsetof(struct cr_iperf3, cpu_host_system) },
		{ "end.cpu_utilization_percent.remote_total", offsetof(struct cr_iperf3, cpu_remote_total) },
		{ "end.cpu_utilization_percent.remote_user", offsetof(struct cr_iperf3, cpu_remote_user) },
		{ "end.cpu_utilization_percent.remote_system", offsetof(struct cr_iperf3, cpu_remote_system) },
	};
	/* clang-format on */
	json_auto_t *root = NULL; /* jansson's own cleanup attribute */
	json_error_t jerr;
	json_t *j;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > CR_TOOL_OUTPUT_MAX)
		return cr_error(err, 0, "iperf3 output is too large (%zu bytes)", len);
	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'); i++)
		;
	if (i == len)
		return cr_error(err, 0, "iperf3 output is empty");
	/* jansson refuses NUL bytes, nesting deeper than 2048 and trailing garbage */
	root = json_loadb(text, len, 0, &jerr);
	if (!root) {
		char msg[sizeof(jerr.text)];

		tp_copy(msg, sizeof(msg), jerr.text, strnlen(jerr.text, sizeof(jerr.text)));
		return cr_error(err, 0, "cannot parse iperf3 output as json: %s (line %d, column %d)", msg, jerr.line, jerr.column);
	}
	if (!json_is_object(root))
		return cr_error(err, 0, "iperf3 output is not a json object");

	/* iperf3 exits 0 on some failures: its "error" member is what tells */
	j = json_object_get(root, "error");
	if (j) {
		char msg[256];

		if (!json_is_string(j))
			return cr_error(err, 0, "iperf3 failed with a non-string 'error'");
		tp_copy(msg, sizeof(msg), json_string_value(j), json_string_length(j));
		return cr_error(err, 0, "iperf3 failed: %s", msg);
	}

	get_string(root, "start.version", out->version, sizeof(out->version));
	get_string(root, "start.test_start.protocol", out->protocol, sizeof(out->protocol));
	j = member(root, "start.test_start.reverse");
	out->reverse = json_is_integer(j) && json_integer_value(j) != 0;
	j = member(root, "start.test_start.num_streams");
	if (json_is_integer(j) && json_integer_value(j) > 0 && json_integer_value(j) <= UINT32_MAX)
		out->num_streams = (unsigned)json_integer_value(j);
	j = member(root, "start.test_start.duration");
	if (json_is_number(j) && isfinite(json_number_value(j)) && json_number_value(j) >= 0)
		out->duration = json_number_value(j);

	if (!member(root, "end"))
		return cr_error(err, 0, "iperf3 output has no 'end'");
	if (get_sum(root, "end.sum_sent", &out->sent, err) < 0 || get_sum(root, "end.sum_received", &out->received, err) < 0)
		return -1;

	/* TCP senders count retransmits; UDP reports loss and jitter instead */
	if (member(root, "end.sum_sent.retransmits")) {
		if (get_u64(root, "end.sum_sent.retransmits", &out->retransmits, err) < 0)
			return -1;
		out->has_retransmits = true;
	}
	if (member(root, "end.sum_received.jitter_ms")) {
		if (get_double(root, "end.sum_received.jitter_ms", &out->jitter_ms, err) < 0 ||
		    get_u64(root, "end.sum_received.lost_packets", &out->lost_packets, err) < 0 ||
		    get_u64(root, "end.sum_received.packets", &out->packets, err) < 0)
			return -1;
		out->has_udp = true;
	}

	for (i = 0; i < ARRAY_SIZE(cpu); i++)
		if (get_double(root, cpu[i].path, (double *)((char *)out + cpu[i].off), err) < 0)
			return -1;
	return 0;
}
