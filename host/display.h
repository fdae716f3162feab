/* What more than one command prints the same way: a build's progress and result, a harvest's report. */
#ifndef CRBENCH_DISPLAY_H
#define CRBENCH_DISPLAY_H

#include <stdbool.h>

struct cr_build_progress;
struct cr_built;
struct cr_harvest_report;

/* A build's progress on stderr: one line redrawn on a terminal, one line per stage elsewhere. */
struct build_display {
	bool tty;
	char *last_stage;
};
void build_display_progress(struct build_display *d, const char *image, const struct cr_build_progress *p);
/* Clear the progress line (on a terminal) and forget the last stage. */
void build_display_end(struct build_display *d);
/* "NAME: cached: DIR" or "NAME: built in ...: DIR", on stdout. */
void build_display_built(const char *image, const struct cr_built *b);

/* The lines crbench harvest prints for one disk, on stdout. */
void harvest_print_report(const char *disk, const char *out, const struct cr_harvest_report *r);

#endif
