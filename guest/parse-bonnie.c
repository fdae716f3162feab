/* Reads bonnie++'s CSV line: block output, rewrite, block input and seeks, keeping "+++++" apart from numbers. */
#include <math.h>

#include "parse-text.h"
#include "parse.h"
#include "toolparse.h"
#include "util.h"

/*
 * Format 1.98 (bonnie++ 1.98, 2.00) has 50 fields; 1.97 lacks the two seek
 * settings, so every later field sits elsewhere and is refused rather than
 * misread. Indices follow bonnie++'s own header names.
 */
#define BONNIE_FORMAT "1.98"
#define BONNIE_FIELDS 50
#define F_VERSION 1
#define F_FILE_SIZE 5

static bool is_format_version(const char *s, size_t n)
{
	size_t i = 0, dots = 0;

	for (; i < n && s[i] != ','; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return i > 0 && i < n && dots == 1 && s[0] != '.' && s[i - 1] != '.';
}

static int get_value(char **f, size_t idx, const char *name, struct cr_bonnie_value *v, cr_error_t *err)
{
	const char *s = f[idx], *p = s;
	char quoted[32];

	v->value = NAN;
	if (!*s) {
		v->status = CR_BONNIE_NOT_RUN;
		return 0;
	}
	if (s[strspn(s, "+")] == '\0') {
		v->status = CR_BONNIE_TOO_FAST;
		return 0;
	}
	if (tp_double(&p, &v->value) < 0 || *p) {
		tp_copy(quoted, sizeof(quoted), s, strlen(s));
		return cr_error(err, 0, "bonnie++ csv has a malformed '%s' value '%s'", name, quoted);
	}
	v->status = CR_BONNIE_MEASURED;
	return 0;
}

int cr_parse_bonnie(const char *text, size_t len, struct cr_bonnie *out, cr_error_t *err)
{
	/* clang-format off */
	static const struct {
		size_t idx;
		const char *name;
		size_t off;
	} values[] = {
		{ 11, "put_block", offsetof(struct cr_bonnie, block_out) },
		{ 12, "put_block_cpu", offsetof(struct cr_bonnie, block_out_cpu) },
		{ 13, "rewrite", offsetof(struct cr_bonnie, rewrite) },
		{ 14, "rewrite_cpu", offsetof(struct cr_bonnie, rewrite_cpu) },
		{ 17, "get_block", offsetof(struct cr_bonnie, block_in) },
		{ 18, "get_block_cpu", offsetof(struct cr_bonnie, block_in_cpu) },
		{ 19, "seeks", offsetof(struct cr_bonnie, seeks) },
		{ 20, "seeks_cpu", offsetof(struct cr_bonnie, seeks_cpu) },
	};
	/* clang-format on */
	struct tp_lines it;
	char line[1024], quoted[32];
	char *f[BONNIE_FIELDS];
	size_t n = 0;
	char *p;

	memset(out, 0, sizeof(*out));
	if (len > CR_TOOL_OUTPUT_MAX)
		return cr_error(err, 0, "bonnie++ output is too large (%zu bytes)", len);

	/* without -q the text table comes first: the CSV line is the one starting "1.98," */
	tp_lines_init(&it, text, len);
	for (;;) {
		if (!tp_next_line(&it, line, sizeof(line)))
			return cr_error(err, 0, "bonnie++ output has no csv line");
		if (is_format_version(line, strlen(line)))
			break;
	}
	p = line;
	for (;;) {
		char *comma = strchr(p, ',');

		if (n < BONNIE_FIELDS)
			f[n] = p;
		n++;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	if (strcmp(f[0], BONNIE_FORMAT) != 0) {
		tp_copy(quoted, sizeof(quoted), f[0], strlen(f[0]));
		return cr_error(err, 0, "bonnie++ csv format '%s' is not supported, crbench reads '" BONNIE_FORMAT "'", quoted);
	}
	/* a cut line would still parse, with its last value cut short */
	if (n != BONNIE_FIELDS)
		return cr_error(err, 0, "bonnie++ csv line has %zu fields, expected %d", n, BONNIE_FIELDS);

	tp_copy(out->version, sizeof(out->version), f[F_VERSION], strlen(f[F_VERSION]));
	if (parse_size(f[F_FILE_SIZE], 1, UINT64_MAX, &out->file_size) < 0) {
		tp_copy(quoted, sizeof(quoted), f[F_FILE_SIZE], strlen(f[F_FILE_SIZE]));
		return cr_error(err, 0, "bonnie++ csv has a malformed 'file_size' value '%s'", quoted);
	}
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		if (get_value(f, values[i].idx, values[i].name, (struct cr_bonnie_value *)((char *)out + values[i].off), err) < 0)
			return -1;
	return 0;
}
