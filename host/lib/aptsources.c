/* Reading apt's sources.list and deb822 .sources files. */
#include <dirent.h>

#include "aptsources.h"
#include "util.h"

/* "deb [options] URI SUITE COMPONENTS..." */
static char *from_one_line(FILE *f, const char *suite)
{
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0) {
		cleanup_strv char **w = NULL;
		char *s = strstrip(line);
		size_t i = 1;

		if (!str_has_prefix(s, "deb ") && !str_has_prefix(s, "deb\t"))
			continue;
		for (char *p = s; *p; p++)
			if (*p == '\t')
				*p = ' ';
		w = strv_split(s, ' ');
		while (w[i] && !*w[i])
			i++;
		if (w[i] && w[i][0] == '[') { /* options, up to the word ending in ']' */
			while (w[i] && !strchr(w[i], ']'))
				i++;
			if (w[i])
				i++;
		}
		while (w[i] && !*w[i])
			i++;
		if (!w[i])
			continue;
		{
			size_t j = i + 1;

			/* empty words from repeated spaces may sit between URI and suite */
			while (w[j] && !*w[j])
				j++;
			if (w[j] && strcmp(w[j], suite) == 0)
				return xstrdup(w[i]);
		}
	}
	return NULL;
}

static bool field_has_word(const char *value, const char *word)
{
	cleanup_free char *copy = xstrdup(value);

	for (char *p = copy; *p; p++)
		if (*p == '\t')
			*p = ' ';
	{
		cleanup_strv char **w = strv_split(copy, ' ');

		return strv_contains(w, word);
	}
}

/* deb822: stanzas of "Types:", "URIs:", "Suites:" separated by blank lines. */
static char *from_deb822(FILE *f, const char *suite)
{
	cleanup_free char *line = NULL, *types = NULL, *uris = NULL, *suites = NULL;
	size_t cap = 0;
	bool more = true;

	while (more) {
		char *s;

		more = getline(&line, &cap, f) > 0;
		s = more ? strstrip(line) : (char *)"";
		if (*s == '#')
			continue;
		if (!*s) {
			if (types && uris && suites && field_has_word(types, "deb") && field_has_word(suites, suite)) {
				cleanup_strv char **w = strv_split(uris, ' ');

				return xstrdup(w[0]);
			}
			free(types);
			free(uris);
			free(suites);
			types = uris = suites = NULL;
			continue;
		}
		if (str_has_prefix(s, "Types:")) {
			free(types);
			types = xstrdup(strstrip(s + 6));
		} else if (str_has_prefix(s, "URIs:")) {
			free(uris);
			uris = xstrdup(strstrip(s + 5));
		} else if (str_has_prefix(s, "Suites:")) {
			free(suites);
			suites = xstrdup(strstrip(s + 7));
		}
	}
	return NULL;
}

static char *from_file(const char *path, const char *suite, bool deb822)
{
	cleanup_fclose FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	return deb822 ? from_deb822(f, suite) : from_one_line(f, suite);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *cr_apt_mirror_for_suite(const char *root, const char *suite)
{
	cleanup_free char *main_list = xasprintf("%s/etc/apt/sources.list", root);
	cleanup_free char *dir = xasprintf("%s/etc/apt/sources.list.d", root);
	char **names = NULL;
	size_t n = 0;
	char *uri = from_file(main_list, suite, false);
	struct dirent *e;
	DIR *d;

	if (uri)
		return uri;
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if ((len > 5 && strcmp(e->d_name + len - 5, ".list") == 0) || (len > 8 && strcmp(e->d_name + len - 8, ".sources") == 0)) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	/* apt reads them in alphabetical order */
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, names[i]);
		size_t len = strlen(names[i]);

		if (!uri)
			uri = from_file(path, suite, len > 8 && strcmp(names[i] + len - 8, ".sources") == 0);
		free(names[i]);
	}
	free(names);
	return uri;
}
