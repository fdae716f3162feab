/* Fuzz target: the bytes are a results disk; the reader must keep only safe files inside its directory and never crash. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harvest.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check every file in out has a safe name, remove them, return how many there were. */
static size_t check_and_empty(const char *out)
{
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(out);

	if (!d)
		abort();
	while ((e = readdir(d))) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!cr_results_name_valid(e->d_name) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_size > (off_t)CR_RESULTS_MAX_ENTRY_SIZE)
			abort();
		if (unlinkat(dirfd(d), e->d_name, 0) < 0)
			abort();
		n++;
	}
	closedir(d);
	return n;
}

static void check_lines(char *const *v, size_t n, const char *start)
{
	size_t shown = 0;

	for (; v && v[shown]; shown++) {
		if (shown < CR_HARVEST_MAX_MESSAGES && strncmp(v[shown], start, strlen(start)) != 0)
			abort();
		for (const char *p = v[shown]; *p; p++)
			if (*p < 0x20 || *p >= 0x7f)
				abort();
	}
	if (shown != (n > CR_HARVEST_MAX_MESSAGES ? CR_HARVEST_MAX_MESSAGES + 1 : n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "/tmp/crbench-fuzz-results-XXXXXX";
	cleanup_free char *out = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_harvest_report r;
	size_t files, verified = 0;

	if (!mkdtemp(dir))
		abort();
	out = xasprintf("%s/out", dir);
	if (cr_harvest_memory(data, size, out, &r, &err) < 0)
		abort(); /* a fresh directory: only the guest's data can be wrong, and that is never an error */

	files = check_and_empty(out);
	if (rmdir(out) < 0 || rmdir(dir) < 0) /* fails if anything landed beside out */
		abort();
	if (files != r.n_entries + (r.manifest != CR_MANIFEST_MISSING))
		abort();
	check_lines(r.refused, r.n_refused, "entry '");
	check_lines(r.problems, r.n_problems, "");
	for (size_t i = 0; i < r.n_entries; i++) {
		if (!cr_results_name_valid(r.entries[i].name))
			abort();
		verified += r.entries[i].verified;
	}
	if (cr_harvest_status(&r) == CR_HARVEST_VERIFIED && verified != r.n_entries)
		abort();
	if (r.truncated != (r.truncation != NULL))
		abort();
	for (const char *p = r.truncation; p && *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
	cr_harvest_report_release(&r);
	return 0;
}
