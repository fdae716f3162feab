/* Parsers for the value syntaxes used in plan files and on the command line. */
#ifndef CRBENCH_PARSE_H
#define CRBENCH_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns 0 on success, -1 when s is not a valid value in [min, max]. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "512M", "2G", "4GiB", "1048576": binary units K, M, G, T; bytes without suffix. */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "90", "90s", "15m", "2h": seconds. */
int parse_duration(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* yes/no, true/false, on/off, 1/0. */
int parse_bool(const char *s, bool *out);

/* Format bytes with the largest exact binary unit ("4G", "1536M", "100"). */
void format_size(uint64_t bytes, char *buf, size_t len);

#endif
