/* Line reading and number scanning shared by the tool output parsers. */
#include <errno.h>
#include <math.h>

#include "parse-text.h"
#include "util.h"

void tp_lines_init(struct tp_lines *it, const char *text, size_t len)
{
	it->p = text;
	it->end = text ? text + len : text;
}

/* Length of an ANSI CSI sequence ("\033[2;35m") at p, 0 when there is none. */
static size_t csi_len(const char *p, const char *end)
{
	const char *q = p + 2;

	if (end - p < 2 || p[0] != '\033' || p[1] != '[')
		return 0;
	while (q < end && ((*q >= '0' && *q <= '9') || *q == ';' || *q == '?'))
		q++;
	if (q < end && *q >= 0x40 && *q <= 0x7e)
		q++;
	return q - p;
}

bool tp_next_line(struct tp_lines *it, char *buf, size_t size)
{
	size_t n = 0;
	bool too_long = false;

	if (!it->p || it->p >= it->end)
		return false;
	while (it->p < it->end && *it->p != '\n') {
		size_t skip = csi_len(it->p, it->end);
		unsigned char c = (unsigned char)*it->p;

		if (skip) {
			it->p += skip;
			continue;
		}
		it->p++;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			continue;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			too_long = true;
	}
	if (it->p < it->end)
		it->p++;
	if (size)
		buf[too_long ? 0 : n] = '\0';
	return true;
}

const char *tp_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!s || strncmp(s, prefix, n) != 0)
		return NULL;
	return s + n;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int tp_double(const char **s, double *out)
{
	const char *p = *s, *start;
	char buf[64];
	double v;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	if (!is_digit(*p))
		return -1;
	while (is_digit(*p))
		p++;
	if (*p == '.')
		for (p++; is_digit(*p); p++)
			;
	if ((*p == 'e' || *p == 'E') && (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
		p += 2;
		while (is_digit(*p))
			p++;
	}
	if ((size_t)(p - start) >= sizeof(buf))
		return -1;
	memcpy(buf, start, p - start);
	buf[p - start] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end || !isfinite(v) || (errno == ERANGE && v != 0))
		return -1;
	*out = v;
	*s = p;
	return 0;
}

int tp_u64(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!is_digit(*p))
		return -1;
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	*s = p;
	return 0;
}

bool tp_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

void tp_copy(char *dst, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	if (!size)
		return;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
}
