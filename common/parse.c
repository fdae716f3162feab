/* Parsers for numbers, sizes, durations and booleans. */
#include <ctype.h>
#include <errno.h>
#include <strings.h>

#include "parse.h"
#include "util.h"

/* Digits, then an optional suffix looked up in units; no sign, no spaces inside. */
struct unit {
	const char *suffix;
	uint64_t mult;
};

static int parse_scaled(const char *s, const struct unit *units, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		size_t i;

		for (i = 0; units && units[i].suffix; i++)
			if (strcasecmp(end, units[i].suffix) == 0)
				break;
		if (!units || !units[i].suffix)
			return -1;
		mult = units[i].mult;
	}
	if (v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_scaled(s, NULL, min, max, out);
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	/* clang-format off */
	static const struct unit units[] = {
		{ "B", 1ULL },
		{ "K", 1024ULL },
		{ "KiB", 1024ULL },
		{ "M", 1048576ULL },
		{ "MiB", 1048576ULL },
		{ "G", 1073741824ULL },
		{ "GiB", 1073741824ULL },
		{ "T", 1099511627776ULL },
		{ "TiB", 1099511627776ULL },
		{ NULL, 0 },
	};
	/* clang-format on */

	return parse_scaled(s, units, min, max, out);
}

int parse_duration(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	/* clang-format off */
	static const struct unit units[] = {
		{ "s", 1ULL },
		{ "m", 60ULL },
		{ "h", 3600ULL },
		{ NULL, 0 },
	};
	/* clang-format on */

	return parse_scaled(s, units, min, max, out);
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[u]);
}
