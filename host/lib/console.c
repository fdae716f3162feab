/* Serial console logs: read what was appended since the last poll and split it into lines. */
#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "console.h"
#include "util.h"

/* Whether a kernel message begins at s: "[%5lu.%06lu]", as printk times it. */
static bool kernel_stamp(const char *s)
{
	const char *q = s + 1;

	if (*s != '[')
		return false;
	while (*q == ' ')
		q++;
	while (isdigit((unsigned char)*q))
		q++;
	if (q - s - 1 < 5 || !isdigit((unsigned char)q[-1]) || *q != '.')
		return false;
	for (int i = 1; i <= 6; i++)
		if (!isdigit((unsigned char)q[i]))
			return false;
	return q[7] == ']';
}

/*
 * Where a kernel message begins in line, after its start; NULL when none
 * does. The kernel writes each message to the serial port whole, its time
 * and text and a newline, between any two bytes of what user space writes
 * there: "CRBENCH1 20 start ... reps=1[  222.565425] veth0: renamed" and, on
 * the next line, the rest of the agent's line. A line that is a kernel
 * message from its start is one whole.
 */
static char *kernel_message(char *line)
{
	for (char *b = strchr(line, '['); b; b = strchr(b + 1, '['))
		if (kernel_stamp(b))
			return b == line ? NULL : b;
	return NULL;
}

size_t cr_console_poll(struct cr_console *c, cr_console_line_fn fn, void *data)
{
	cleanup_close int fd = open(c->path, O_RDONLY | O_CLOEXEC);
	char buf[8192];
	struct stat st;
	size_t lines = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	/* virtlogd rotates a log past its max_size (2 MiB by default): the new file from its start */
	if (fstat(fd, &st) == 0 && st.st_size < c->pos) {
		c->pos = 0;
		c->len = 0;
	}
	while ((n = pread(fd, buf, sizeof(buf), c->pos)) > 0) {
		c->pos += n;
		for (ssize_t i = 0; i < n; i++) {
			char ch = buf[i];

			if (ch == '\n') {
				char *k;

				while (c->len > 0 && c->line[c->len - 1] == '\r')
					c->len--;
				c->line[c->len] = '\0';
				/* a kernel message cut into a line: the message is a line, the cut line goes on after it */
				k = kernel_message(c->line);
				fn(data, k ? k : c->line);
				c->len = k ? (size_t)(k - c->line) : 0;
				lines++;
			} else if (c->len < sizeof(c->line) - 1) {
				c->line[c->len++] = ch;
			}
		}
	}
	return lines;
}
