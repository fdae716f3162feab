/* Line-numbered INI parsing on top of inih, shared by plan files and image recipes. */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>

#include "inifile.h"
#include "util.h"

struct cr_ini {
	const char *name;
	const char *data;
	size_t len, pos;
	unsigned lineno; /* lines handed to inih so far */
	const struct cr_ini_ops *ops;
	void *user;
	cr_error_t *err;
	unsigned err_line; /* first error wins; 0 when none */
	bool section_refused;
};

unsigned cr_ini_line(const struct cr_ini *ini)
{
	return ini->lineno ? ini->lineno : 1;
}

int cr_ini_error(struct cr_ini *ini, unsigned line, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	if (ini->err_line)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	ini->err_line = line ? line : 1;
	cr_error(ini->err, 0, "%s:%u: %s", ini->name, ini->err_line, msg);
	return -1;
}

size_t cr_ini_line_max(void)
{
	return INI_MAX_LINE - 3;
}

/*
 * fgets-style reader for inih. Counting lines here is how callbacks get line
 * numbers (the Debian build of inih has INI_HANDLER_LINENO off), and seeing
 * section headers here is how sections without keys are reported.
 */
static char *reader(char *str, int num, void *stream)
{
	struct cr_ini *ini = stream;
	const char *line;
	size_t n = 0, max = (size_t)num - 1;
	char *s;

	if (ini->pos >= ini->len)
		return NULL;
	line = ini->data + ini->pos;
	while (ini->pos < ini->len && ini->data[ini->pos] != '\n') {
		if (n < max)
			str[n] = ini->data[ini->pos];
		n++;
		ini->pos++;
	}
	if (ini->pos < ini->len)
		ini->pos++; /* the newline */
	ini->lineno++;
	if (memchr(line, '\0', n)) {
		cr_ini_error(ini, ini->lineno, "NUL byte in line");
		n = 0;
	}
	if (n > cr_ini_line_max() || n > (size_t)num - 3) {
		/* inih would read the rest as another line: refuse instead */
		cr_ini_error(ini, ini->lineno, "line too long: at most %zu characters", cr_ini_line_max());
		n = 0;
	}
	str[n] = '\0';

	s = str;
	if (ini->lineno == 1 && str_has_prefix(s, "\xEF\xBB\xBF"))
		s += 3; /* a UTF-8 BOM, which inih skips too */
	s = strstrip(s);
	if (*s == '[' && !ini->err_line) {
		char *end = strchr(s, ']');

		if (end) {
			/* unstripped, as inih will report it */
			cleanup_free char *name = xstrndup(s + 1, (size_t)(end - s - 1));

			ini->section_refused = ini->ops->section(ini, ini->user, name) < 0;
		}
	}
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct cr_ini *ini = user;

	/* after an error, or under a refused header, stay quiet: the first error is the one reported */
	if (ini->err_line || ini->section_refused)
		return 1;
	return ini->ops->key(ini, ini->user, section, name, value) < 0 ? 0 : 1;
}

int cr_ini_parse(const char *name, const char *data, size_t len, const struct cr_ini_ops *ops, void *user, cr_error_t *err)
{
	struct cr_ini ini = { .name = name, .data = data, .len = len, .ops = ops, .user = user, .err = err };
	int r;

	/* Continuation lines would let one key span lines and blur line numbers. */
	ini_allow_multiline = false;
	r = ini_parse_stream(reader, &ini, handler, &ini);
	if (r != 0 && !ini.err_line)
		cr_ini_error(&ini, r > 0 ? (unsigned)r : 0, "syntax error: expected '[section]', 'key = value' or a comment");
	if (!ini.err_line && ops->end)
		ops->end(&ini, user);
	return ini.err_line ? -1 : 0;
}
