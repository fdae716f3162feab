/* Serial console logs: read what was appended since the last poll and split it into lines. */
#include <fcntl.h>
#include <sys/stat.h>

#include "console.h"
#include "util.h"

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
				while (c->len > 0 && c->line[c->len - 1] == '\r')
					c->len--;
				c->line[c->len] = '\0';
				fn(data, c->line);
				c->len = 0;
				lines++;
			} else if (c->len < sizeof(c->line) - 1) {
				c->line[c->len++] = ch;
			}
		}
	}
	return lines;
}
