/* Ownership helpers, allocation wrappers and small string utilities shared by host and guest. */
#ifndef CRBENCH_UTIL_H
#define CRBENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
void cleanup_strvp(char ***v);

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

/* Hand a cleanup-owned pointer to someone else. */
#define steal_pointer(pp) \
	({ \
		__typeof__(*(pp)) _p = *(pp); \
		*(pp) = NULL; \
		_p; \
	})
#define steal_fd(fdp) \
	({ \
		int _fd = *(fdp); \
		*(fdp) = -1; \
		_fd; \
	})

/* Allocation failure is not an error crbench can report usefully: abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_split(const char *s, char sep);
bool strv_contains(char *const *v, const char *s);
/* The strings of v separated by sep; "" for an empty or NULL v. */
char *strv_join(char *const *v, const char *sep);

/* Append the formatted text to *s (NULL counts as empty), after sep when *s is not empty. */
void str_append(char **s, const char *sep, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Strip leading and trailing whitespace in place; returns s advanced. */
char *strstrip(char *s);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);

/* Seconds on CLOCK_MONOTONIC: every duration crbench measures or waits for. */
double cr_now(void);

/* mkdir -p: every missing directory of path, mode 0755. */
int cr_mkdir_p(const char *path, cr_error_t *err);
/* A relative path without ".." components: one that stays inside the directory it is joined to. */
bool cr_path_is_contained(const char *path);

/* Read a whole file of at most max bytes, NUL-terminated (the NUL is not counted in *len). */
int cr_read_file(const char *path, size_t max, char **data, size_t *len, cr_error_t *err);
/* XML-escape s for an attribute or element text; the control characters XML 1.0 forbids become '?'. */
char *cr_xml_escape(const char *s);
/* Create or truncate path and write text to it. */
int cr_write_text(const char *path, const char *text, cr_error_t *err);

#include "banned.h"
#endif
