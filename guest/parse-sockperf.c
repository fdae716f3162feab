/* Reads sockperf ping-pong's summary: average, spread, percentiles and counts of one run, or sockperf's own error. */
#include <math.h>

#include "parse-text.h"
#include "toolparse.h"
#include "util.h"

/* What a run must have printed for its numbers to be trusted. */
enum {
	SEEN_DURATION = 1 << 0,
	SEEN_AVG = 1 << 1,
	SEEN_DROPPED = 1 << 2,
	SEEN_TOTAL = 1 << 3,
	SEEN_MAX = 1 << 4,
	SEEN_MIN = 1 << 5,
};

static int bad_line(cr_error_t *err, const char *what)
{
	return cr_error(err, 0, "sockperf output has a malformed '%s' line", what);
}

/* "[Valid Duration] RunTime=2.550 sec; SentMessages=125027; ReceivedMessages=125027" */
static int duration_line(const char *p, struct cr_sockperf *out)
{
	if (tp_double(&p, &out->run_seconds) < 0 || !(p = tp_after(p, " sec; SentMessages=")) || tp_u64(&p, &out->sent) < 0 ||
	    !(p = tp_after(p, "; ReceivedMessages=")) || tp_u64(&p, &out->received) < 0)
		return -1;
	return 0;
}

/* "# dropped messages = 0; # duplicated messages = 0; # out-of-order messages = 0" */
static int dropped_line(const char *p, struct cr_sockperf *out)
{
	if (tp_u64(&p, &out->dropped) < 0 || !(p = tp_after(p, "; # duplicated messages = ")) || tp_u64(&p, &out->duplicated) < 0 ||
	    !(p = tp_after(p, "; # out-of-order messages = ")) || tp_u64(&p, &out->out_of_order) < 0)
		return -1;
	return 0;
}

/* "---> percentile 99.900 =   39.032": the label is matched as printed, not as a number */
static int percentile_line(const char *p, struct cr_sockperf *out)
{
	/* clang-format off */
	static const struct {
		const char *label;
		size_t off;
	} pct[] = {
		{ "25.000", offsetof(struct cr_sockperf, p25) },
		{ "50.000", offsetof(struct cr_sockperf, p50) },
		{ "75.000", offsetof(struct cr_sockperf, p75) },
		{ "90.000", offsetof(struct cr_sockperf, p90) },
		{ "99.000", offsetof(struct cr_sockperf, p99) },
		{ "99.900", offsetof(struct cr_sockperf, p99_9) },
		{ "99.990", offsetof(struct cr_sockperf, p99_99) },
		{ "99.999", offsetof(struct cr_sockperf, p99_999) },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(pct); i++) {
		const char *q = tp_after(p, pct[i].label);

		if (!q)
			continue;
		if (!(q = tp_after(q, " =")) || tp_double(&q, (double *)((char *)out + pct[i].off)) < 0 || !tp_blank(q))
			return -1;
		return 0;
	}
	/* a percentile crbench does not keep */
	return 0;
}

int cr_parse_sockperf(const char *text, size_t len, struct cr_sockperf *out, cr_error_t *err)
{
	/* clang-format off */
	static const struct {
		unsigned bit;
		const char *what;
	} need[] = {
		{ SEEN_DURATION, "[Valid Duration]" },
		{ SEEN_AVG, "avg-rtt' or 'avg-latency" },
		{ SEEN_DROPPED, "# dropped messages" },
		{ SEEN_TOTAL, "Total N observations" },
		{ SEEN_MAX, "<MAX> observation" },
		{ SEEN_MIN, "<MIN> observation" },
	};
	/* clang-format on */
	struct tp_lines it;
	unsigned seen = 0, servers = 0;
	char line[512];

	memset(out, 0, sizeof(*out));
	out->p25 = out->p50 = out->p75 = out->p90 = NAN;
	out->p99 = out->p99_9 = out->p99_99 = out->p99_999 = NAN;
	if (len > CR_TOOL_OUTPUT_MAX)
		return cr_error(err, 0, "sockperf output is too large (%zu bytes)", len);

	tp_lines_init(&it, text, len);
	while (tp_next_line(&it, line, sizeof(line))) {
		const char *p = line, *q;

		if ((q = tp_after(p, "sockperf: ")))
			p = q;
		while (*p == ' ')
			p++;

		/* sockperf exits 0 after these, so they must not pass for a run */
		q = tp_after(p, "ERROR: ");
		if (q || tp_after(p, "No messages were received")) {
			char msg[256];

			tp_copy(msg, sizeof(msg), q ? q : p, strlen(q ? q : p));
			return cr_error(err, 0, "sockperf failed: %s", msg);
		}

		if ((q = tp_after(p, "== version #"))) {
			tp_copy(out->version, sizeof(out->version), q, strcspn(q, " "));
		} else if (line[0] == '[' && (q = strstr(line, " # ")) && !out->protocol[0]) {
			/* "[ 0] IP = 127.0.0.1       PORT = 11111 # TCP" */
			q += 3;
			if (strcmp(q, "TCP") == 0 || strcmp(q, "UDP") == 0)
				tp_copy(out->protocol, sizeof(out->protocol), q, 3);
		} else if (tp_after(p, "========= Printing statistics for Server No:")) {
			/* several servers (-f) would mix their numbers */
			if (++servers > 1)
				return cr_error(err, 0, "sockperf output has statistics of more than one server");
		} else if ((q = tp_after(p, "[Valid Duration] RunTime="))) {
			if (duration_line(q, out) < 0)
				return bad_line(err, "[Valid Duration]");
			seen |= SEEN_DURATION;
		} else if ((q = tp_after(p, "====> avg-"))) {
			const char *v;

			/* --full-rtt prints avg-rtt; without it avg-latency (avg-lat in old sockperf) */
			if ((v = tp_after(q, "rtt=")))
				out->rtt = true;
			else if (!(v = tp_after(q, "latency=")) && !(v = tp_after(q, "lat=")))
				return bad_line(err, "avg-");
			if (tp_double(&v, &out->avg) < 0 || !(v = tp_after(v, " (std-dev=")) || tp_double(&v, &out->stddev) < 0)
				return bad_line(err, "avg-");
			seen |= SEEN_AVG;
		} else if ((q = tp_after(p, "# dropped messages = "))) {
			if (dropped_line(q, out) < 0)
				return bad_line(err, "# dropped messages");
			seen |= SEEN_DROPPED;
		} else if ((q = tp_after(p, "Total "))) {
			if (tp_u64(&q, &out->observations) < 0 || !tp_after(q, " observations"))
				return bad_line(err, "Total N observations");
			seen |= SEEN_TOTAL;
		} else if ((q = tp_after(p, "---> <MAX> observation ="))) {
			if (tp_double(&q, &out->max) < 0 || !tp_blank(q))
				return bad_line(err, "<MAX> observation");
			seen |= SEEN_MAX;
		} else if ((q = tp_after(p, "---> <MIN> observation ="))) {
			if (tp_double(&q, &out->min) < 0 || !tp_blank(q))
				return bad_line(err, "<MIN> observation");
			seen |= SEEN_MIN;
		} else if ((q = tp_after(p, "---> percentile "))) {
			if (percentile_line(q, out) < 0)
				return bad_line(err, "percentile");
		}
	}

	if (!seen)
		return cr_error(err, 0, "sockperf output has no ping-pong statistics");
	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (!(seen & need[i].bit))
			return cr_error(err, 0, "sockperf output has no '%s' line", need[i].what);
	if (isnan(out->p50))
		return cr_error(err, 0, "sockperf output has no 'percentile 50.000' line");
	if (isnan(out->p99))
		return cr_error(err, 0, "sockperf output has no 'percentile 99.000' line");
	if (isnan(out->p99_9))
		return cr_error(err, 0, "sockperf output has no 'percentile 99.900' line");
	return 0;
}
