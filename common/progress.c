/* Progress lines: "CRBENCH1 <seq> <event> key=value ...", written by the agent, parsed by the host. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>

#include "progress.h"
#include "util.h"

/* clang-format off */
const char *const cr_progress_event_names[CR_PROGRESS__MAX] = {
	[CR_PROGRESS_HELLO] = "hello",
	[CR_PROGRESS_START] = "start",
	[CR_PROGRESS_HEARTBEAT] = "heartbeat",
	[CR_PROGRESS_END] = "end",
	[CR_PROGRESS_DONE] = "done",
};
/* clang-format on */

/* clang-format off */
const char *const cr_progress_status_names[CR_STATUS__MAX] = {
	[CR_STATUS_NONE] = "none",
	[CR_STATUS_OK] = "ok",
	[CR_STATUS_FAILED] = "failed",
	[CR_STATUS_TIMEOUT] = "timeout",
	[CR_STATUS_UNSUPPORTED] = "unsupported",
};
/* clang-format on */

/* Which keys each event carries, in the order they are written. */
enum key { K_GUEST, K_I, K_N, K_TEST, K_REP, K_REPS, K_ELAPSED, K_STATUS, K_REASON, K__MAX };
static const char *const key_names[K__MAX] = { "guest", "i", "n", "test", "rep", "reps", "elapsed", "status", "reason" };
/* clang-format off */
static const unsigned event_keys[CR_PROGRESS__MAX] = {
	[CR_PROGRESS_HELLO] = 1u << K_GUEST | 1u << K_N,
	[CR_PROGRESS_START] = 1u << K_I | 1u << K_N | 1u << K_TEST | 1u << K_REP | 1u << K_REPS,
	[CR_PROGRESS_HEARTBEAT] = 1u << K_I | 1u << K_N | 1u << K_TEST | 1u << K_ELAPSED,
	[CR_PROGRESS_END] = 1u << K_I | 1u << K_N | 1u << K_TEST | 1u << K_REP | 1u << K_ELAPSED | 1u << K_STATUS | 1u << K_REASON,
	[CR_PROGRESS_DONE] = 1u << K_STATUS | 1u << K_REASON,
};
/* clang-format on */

/* Names: what a test or guest may be called, safe to print and to use in file names. */
static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > CR_PROGRESS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || (s[i] && strchr("._-", s[i]))))
			return false;
	return true;
}

/* Reasons are free text, percent-encoded so that a value is one word: '%', spaces, '=' and non-printables as %XX. */
static bool needs_escape(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || c == '%' || c == '=';
}

static int put(char *buf, size_t len, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*used >= len)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len - *used)
		return -1;
	*used += (size_t)r;
	return 0;
}

int cr_progress_format(const struct cr_progress *p, char *buf, size_t len)
{
	unsigned keys;
	size_t used = 0;

	if (p->event >= CR_PROGRESS__MAX || len == 0)
		return -1;
	keys = event_keys[p->event];
	if (put(buf, len, &used, "%s%llu %s", CR_PROGRESS_MARKER, (unsigned long long)p->seq, cr_progress_event_names[p->event]) < 0)
		return -1;
	for (int k = 0; k < K__MAX; k++) {
		int r = 0;

		if (!(keys & (1u << k)))
			continue;
		switch (k) {
		case K_GUEST:
			r = put(buf, len, &used, " guest=%s", p->guest);
			break;
		case K_TEST:
			r = put(buf, len, &used, " test=%s", p->test);
			break;
		case K_I:
			r = put(buf, len, &used, " i=%llu", (unsigned long long)p->index);
			break;
		case K_N:
			r = put(buf, len, &used, " n=%llu", (unsigned long long)p->total);
			break;
		case K_REP:
			r = put(buf, len, &used, " rep=%llu", (unsigned long long)p->rep);
			break;
		case K_REPS:
			r = put(buf, len, &used, " reps=%llu", (unsigned long long)p->reps);
			break;
		case K_ELAPSED:
			r = put(buf, len, &used, " elapsed=%.3f", p->elapsed);
			break;
		case K_STATUS:
			r = put(buf, len, &used, " status=%s", cr_progress_status_names[p->status < CR_STATUS__MAX ? p->status : 0]);
			break;
		case K_REASON:
			if (!p->reason[0])
				break;
			r = put(buf, len, &used, " reason=");
			for (const unsigned char *c = (const unsigned char *)p->reason; !r && *c; c++)
				r = needs_escape(*c) ? put(buf, len, &used, "%%%02X", *c) : put(buf, len, &used, "%c", *c);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (used > CR_PROGRESS_LINE_MAX)
		return -1;
	return (int)used;
}

static int bad(cr_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(cr_error_t *err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cr_error(err, 0, "bad progress line: %s", msg);
}

static int parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* "123.456": digits, an optional fraction of up to 9 digits; no sign, exponent, inf or nan. */
static int parse_seconds(const char *s, size_t n, double *out)
{
	size_t dot = n;
	uint64_t whole, frac = 0;
	double scale = 1;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '.') {
			dot = i;
			break;
		}
	if (parse_uint(s, dot, 10ULL * 365 * 24 * 3600, &whole) < 0)
		return -1;
	if (dot < n) {
		if (n - dot - 1 == 0 || n - dot - 1 > 9)
			return -1;
		for (size_t i = dot + 1; i < n; i++) {
			if (!isdigit((unsigned char)s[i]))
				return -1;
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			scale *= 10;
		}
	}
	*out = (double)whole + (double)frac / scale;
	return 0;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int cr_progress_parse(const char *line, size_t len, struct cr_progress *p, cr_error_t *err)
{
	const char *start = NULL, *s, *end;
	unsigned seen = 0, want;
	size_t mlen = strlen(CR_PROGRESS_MARKER);

	/* find the marker without assuming a NUL terminator */
	for (size_t i = 0; i + mlen <= len; i++)
		if (memcmp(line + i, CR_PROGRESS_MARKER, mlen) == 0) {
			start = line + i;
			break;
		}
	if (!start)
		return 0;
	end = line + len;
	while (end > start && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if ((size_t)(end - start) > CR_PROGRESS_LINE_MAX)
		return bad(err, "longer than %d bytes", CR_PROGRESS_LINE_MAX);
	memset(p, 0, sizeof(*p));
	s = start + mlen;
	/* trimming may have eaten the marker's own space */
	if (s >= end)
		return bad(err, "expected a sequence number from 1 after the marker");

	/* seq and event */
	{
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		const char *ev;
		size_t evlen;
		int e;

		if (!sp || parse_uint(s, (size_t)(sp - s), UINT64_MAX, &p->seq) < 0 || p->seq == 0)
			return bad(err, "expected a sequence number from 1 after the marker");
		ev = sp + 1;
		sp = memchr(ev, ' ', (size_t)(end - ev));
		evlen = sp ? (size_t)(sp - ev) : (size_t)(end - ev);
		for (e = 0; e < CR_PROGRESS__MAX; e++)
			if (strlen(cr_progress_event_names[e]) == evlen && memcmp(ev, cr_progress_event_names[e], evlen) == 0)
				break;
		if (e == CR_PROGRESS__MAX)
			return bad(err, "unknown event '%.*s'", (int)(evlen > 32 ? 32 : evlen), valid_name(ev, evlen) ? ev : "?");
		p->event = (enum cr_progress_event)e;
		s = sp ? sp + 1 : end;
	}

	/* key=value words */
	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		const char *word_end = sp ? sp : end;
		const char *eq = memchr(s, '=', (size_t)(word_end - s));
		const char *v;
		size_t klen, vlen;
		int k;

		if (!eq)
			return bad(err, "expected key=value");
		klen = (size_t)(eq - s);
		v = eq + 1;
		vlen = (size_t)(word_end - v);
		for (k = 0; k < K__MAX; k++)
			if (strlen(key_names[k]) == klen && memcmp(s, key_names[k], klen) == 0)
				break;
		if (k == K__MAX || !(event_keys[p->event] & (1u << k)))
			return bad(err, "key '%.*s' does not belong to event '%s'", (int)(klen > 32 ? 32 : klen),
				   valid_name(s, klen) ? s : "?", cr_progress_event_names[p->event]);
		if (seen & (1u << k))
			return bad(err, "key '%s' given twice", key_names[k]);
		seen |= 1u << k;
		switch (k) {
		case K_GUEST:
		case K_TEST:
			if (!valid_name(v, vlen))
				return bad(err, "bad %s name", key_names[k]);
			memcpy(k == K_GUEST ? p->guest : p->test, v, vlen);
			break;
		case K_I:
		case K_N:
		case K_REP:
		case K_REPS:
			if (parse_uint(v, vlen, 1000000, k == K_I ? &p->index : k == K_N ? &p->total : k == K_REP ? &p->rep : &p->reps) < 0)
				return bad(err, "bad number for '%s'", key_names[k]);
			break;
		case K_ELAPSED:
			if (parse_seconds(v, vlen, &p->elapsed) < 0)
				return bad(err, "bad seconds for 'elapsed'");
			break;
		case K_STATUS: {
			int st;

			for (st = 1; st < CR_STATUS__MAX; st++)
				if (strlen(cr_progress_status_names[st]) == vlen && memcmp(v, cr_progress_status_names[st], vlen) == 0)
					break;
			if (st == CR_STATUS__MAX)
				return bad(err, "bad status");
			p->status = (enum cr_progress_status)st;
			break;
		}
		case K_REASON: {
			size_t o = 0;

			for (size_t i = 0; i < vlen; i++) {
				unsigned char c = (unsigned char)v[i];

				if (c == '%') {
					int hi = i + 2 < vlen ? hexval(v[i + 1]) : -1, lo = i + 2 < vlen ? hexval(v[i + 2]) : -1;

					if (hi < 0 || lo < 0)
						return bad(err, "bad escape in 'reason'");
					c = (unsigned char)(hi * 16 + lo);
					i += 2;
				} else if (needs_escape(c)) {
					return bad(err, "unescaped byte in 'reason'");
				}
				/* the decoded reason is kept printable: it will be shown to a person */
				if (o < CR_PROGRESS_REASON_MAX)
					p->reason[o++] = (c >= ' ' && c < 0x7f) ? (char)c : '?';
			}
			p->reason[o] = '\0';
			break;
		}
		}
		s = sp ? sp + 1 : end;
	}

	want = event_keys[p->event] & ~(1u << K_REASON);
	if ((seen & want) != want) {
		for (int k = 0; k < K__MAX; k++)
			if ((want & (1u << k)) && !(seen & (1u << k)))
				return bad(err, "event '%s' lacks '%s'", cr_progress_event_names[p->event], key_names[k]);
	}
	if (p->event == CR_PROGRESS_START || p->event == CR_PROGRESS_HEARTBEAT || p->event == CR_PROGRESS_END) {
		if (p->index == 0 || p->index > p->total)
			return bad(err, "test %llu of %llu", (unsigned long long)p->index, (unsigned long long)p->total);
		if (p->event == CR_PROGRESS_START && p->rep > p->reps)
			return bad(err, "repetition %llu of %llu", (unsigned long long)p->rep, (unsigned long long)p->reps);
	}
	return 1;
}
