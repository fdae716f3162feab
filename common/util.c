/* Allocation wrappers and string-vector helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t nmemb, size_t n)
{
	void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	return s;
}

void str_append(char **s, const char *sep, const char *fmt, ...)
{
	va_list ap;
	char *text, *joined;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	joined = xasprintf("%s%s%s", *s ? *s : "", *s && **s ? sep : "", text);
	free(text);
	free(*s);
	*s = joined;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void cleanup_strvp(char ***v)
{
	strv_free(*v);
}

/* Split on sep, strip each part; empty parts are kept so callers can reject them. */
char **strv_split(const char *s, char sep)
{
	size_t n = 1, i = 0;
	char **v;

	for (const char *p = s; *p; p++)
		n += *p == sep;
	v = xcalloc(n + 1, sizeof(*v));
	for (;;) {
		const char *end = strchr(s, sep);
		cleanup_free char *part = end ? xstrndup(s, (size_t)(end - s)) : xstrdup(s);

		v[i++] = xstrdup(strstrip(part));
		if (!end)
			break;
		s = end + 1;
	}
	return v;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

char *strv_join(char *const *v, const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	char *out, *p;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + seplen;
	p = out = xmalloc(len);
	for (size_t i = 0; v && v[i]; i++) {
		size_t n = strlen(v[i]);

		if (i) {
			memcpy(p, sep, seplen);
			p += seplen;
		}
		memcpy(p, v[i], n);
		p += n;
	}
	*p = '\0';
	return out;
}

char *strstrip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int cr_write_text(const char *path, const char *text, cr_error_t *err)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return cr_error(err, errno, "cannot write '%s'", path);
	ok = fputs(text, f) != EOF;
	if (fclose(f) != 0 || !ok)
		return cr_error(err, errno ? errno : EIO, "cannot write '%s'", path);
	return 0;
}

int cr_read_file(const char *path, size_t max, char **data, size_t *len, cr_error_t *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *buf = NULL;
	size_t used = 0, cap = 0;

	if (!f)
		return cr_error(err, errno, "cannot open '%s'", path);
	for (;;) {
		size_t n;

		if (cap - used < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (used > max)
			return cr_error(err, EFBIG, "cannot read '%s': larger than %zu bytes", path, max);
		if (n == 0) {
			if (ferror(f))
				return cr_error(err, EIO, "cannot read '%s'", path);
			break;
		}
	}
	buf[used] = '\0';
	*data = steal_pointer(&buf);
	*len = used;
	return 0;
}

double cr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cr_mkdir_p(const char *path, cr_error_t *err)
{
	cleanup_free char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return cr_error(err, errno, "cannot create directory '%s'", p);
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create directory '%s'", p);
	return 0;
}

bool cr_path_is_contained(const char *path)
{
	const char *p = path;

	if (!path || *path == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

char *cr_xml_escape(const char *s)
{
	size_t n = 0;
	char *out, *p;

	for (const char *c = s; *c; c++)
		n += *c == '&' ? 5 : (*c == '<' || *c == '>') ? 4 : (*c == '\'' || *c == '"') ? 6 : 1;
	p = out = xmalloc(n + 1);
	for (const char *c = s; *c; c++) {
		const char *rep = *c == '&'    ? "&amp;"
				  : *c == '<'  ? "&lt;"
				  : *c == '>'  ? "&gt;"
				  : *c == '\'' ? "&apos;"
				  : *c == '"'  ? "&quot;"
					       : NULL;

		if (rep) {
			memcpy(p, rep, strlen(rep));
			p += strlen(rep);
		} else {
			/* the control characters XML 1.0 forbids (a tool's colour codes, a bell) */
			*p++ = ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') || *c == 0x7f ? '?' : *c;
		}
	}
	*p = '\0';
	return out;
}
