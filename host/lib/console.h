/* Following a guest's serial console log as libvirt writes it, line by line. */
#ifndef CRBENCH_CONSOLE_H
#define CRBENCH_CONSOLE_H

#include <stddef.h>
#include <sys/types.h>

struct cr_console {
	const char *path;
	off_t pos;
	char line[4096];
	size_t len;
};

/* virtlogd keeps this many rotated parts of a log (max_backups, 3 by default): FILE.0 (newest) .. FILE.2 */
#define CR_CONSOLE_PARTS 3

typedef void (*cr_console_line_fn)(void *data, const char *line);

/*
 * Hand every complete new line (without its CR/LF) to fn; a line over 4 KiB
 * is cut. A kernel message the serial port wrote into the middle of a line
 * is handed over as a line of its own, and the line it cut is handed over
 * whole once it ends. Returns lines read.
 */
size_t cr_console_poll(struct cr_console *c, cr_console_line_fn fn, void *data);

#endif
