/* What more than one command prints the same way: a build's progress and result, a harvest's report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "display.h"
#include "harvest.h"
#include "results.h"
#include "util.h"

void build_display_progress(struct build_display *d, const char *image, const struct cr_build_progress *p)
{
	if (d->tty) {
		if (p->bytes && p->total)
			fprintf(stderr, "\r\033[K[%6.1fs] %s: %s %.0f/%.0f MiB", p->elapsed, image, p->stage, (double)p->bytes / 1048576.0,
				(double)p->total / 1048576.0);
		else if (p->bytes)
			fprintf(stderr, "\r\033[K[%6.1fs] %s: %s %.0f MiB", p->elapsed, image, p->stage, (double)p->bytes / 1048576.0);
		else
			fprintf(stderr, "\r\033[K[%6.1fs] %s: %s", p->elapsed, image, p->stage);
		return;
	}
	/* not a terminal: one line per stage */
	if (d->last_stage && strcmp(d->last_stage, p->stage) == 0)
		return;
	free(d->last_stage);
	d->last_stage = xstrdup(p->stage);
	fprintf(stderr, "[%6.1fs] %s: %s\n", p->elapsed, image, p->stage);
}

void build_display_end(struct build_display *d)
{
	if (d->tty)
		fprintf(stderr, "\r\033[K");
	free(d->last_stage);
	d->last_stage = NULL;
}

void build_display_built(const char *image, const struct cr_built *b)
{
	if (b->hit)
		printf("%s: cached: %s\n", image, b->dir);
	else
		printf("%s: built in %.1f s (mmdebstrap %.1f s, assembly %.1f s%s): %s\n", image,
		       b->build_seconds + b->assembly_seconds + b->verify_seconds, b->build_seconds, b->assembly_seconds,
		       b->verify_seconds > 0 ? ", libguestfs verification" : "", b->dir);
}

void harvest_print_report(const char *disk, const char *out, const struct cr_harvest_report *r)
{
	enum cr_harvest_status st = cr_harvest_status(r);
	size_t verified = 0;

	for (size_t i = 0; i < r->n_entries; i++)
		verified += r->entries[i].verified;
	printf("%s: %s: %zu %s kept in '%s', %zu verified, %zu refused", disk, cr_harvest_status_names[st], r->n_entries,
	       r->n_entries == 1 ? "entry" : "entries", out, verified, r->n_refused);
	if (r->manifest == CR_MANIFEST_MISSING)
		printf("; no " CR_RESULTS_MANIFEST ", the agent did not finish");
	putchar('\n');
	if (r->truncation)
		printf("  %s\n", r->truncation);
	for (size_t i = 0; r->refused && r->refused[i]; i++)
		printf("  %s\n", r->refused[i]);
	for (size_t i = 0; r->problems && r->problems[i]; i++)
		printf("  %s\n", r->problems[i]);
}
