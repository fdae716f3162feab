/* Fuzz target: a step entry as a hostile guest may leave it, read into the report and its JSON. */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "report.h"
#include "run.h"

static char *dir, *entry;

/* One run directory for every input: run.json with one runc guest, whose only entry is the input. */
static void cleanup(void)
{
	cr_rmtree(dir);
	free(dir);
	free(entry);
}

static void setup(void)
{
	char tmpl[] = "/tmp/crbench-fuzz-report-XXXXXX";
	cleanup_free char *run = NULL, *results = NULL;
	FILE *f;

	if (!mkdtemp(tmpl))
		abort();
	dir = xstrdup(tmpl);
	run = xasprintf("%s/run.json", dir);
	f = fopen(run, "w");
	if (!f || fputs("{\"seed\": 1, \"guests\": [{\"name\": \"g\", \"runtime\": \"runc\"}]}\n", f) == EOF || fclose(f) != 0)
		abort();
	results = xasprintf("%s/g", dir);
	if (mkdir(results, 0755) < 0)
		abort();
	free(results);
	results = xasprintf("%s/g/results", dir);
	if (mkdir(results, 0755) < 0)
		abort();
	entry = xasprintf("%s/0001-boot-r0.json", results);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_report struct cr_report *r = NULL;
	FILE *f;
	json_t *doc;

	if (!dir)
		setup();
	f = fopen(entry, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	/* an entry is never an error: it is read or left out with a note */
	if (cr_report_load(dir, &r, &err) < 0)
		abort();
	doc = cr_report_json(r);
	if (!doc)
		abort();
	json_decref(doc);
	return 0;
}
