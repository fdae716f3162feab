/* Runs every file of a fuzz target's corpus through it once, printing TAP; used by `make check`. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0;

	*data = NULL;
	*len = 0;
	if (!f)
		return -1;
	for (;;) {
		size_t n;

		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 8192;
			*data = realloc(*data, cap);
			if (!*data)
				abort();
		}
		n = fread(*data + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("SRCDIR");
	const char *base = strrchr(argv[0], '/');
	const char *target;
	char dir[4096];
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	/* build/tests/replay-fuzz-NAME replays tests/fuzz/corpus/NAME */
	base = base ? base + 1 : argv[0];
	target = strstr(base, "fuzz-");
	if (!target) {
		printf("1..0 # SKIP cannot tell the target from '%s'\n", base);
		return 0;
	}
	target += strlen("fuzz-");
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", srcdir ? srcdir : ".", target);
	d = opendir(dir);
	if (!d) {
		printf("Bail out! cannot open corpus '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);

	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		uint8_t *data;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_file(path, &data, &len) < 0) {
			printf("not ok %zu - %s: cannot read\n", i + 1, names[i]);
			continue;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("ok %zu - %s/%s\n", i + 1, target, names[i]);
		free(names[i]);
	}
	free(names);
	(void)argc;
	return 0;
}
