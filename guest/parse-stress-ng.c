/* Reads the 'metrics' section of stress-ng's --yaml file: bogo ops and times per stressor. */
#include "parse-text.h"
#include "toolparse.h"
#include "util.h"

/*
 * stress-ng writes a fixed, flat shape (top-level keys at column 0, a list
 * of "- stressor: NAME" maps under 'metrics'), so a line reader suffices and
 * keeps a YAML library, with its aliases and tags, out of the static agent.
 */
enum section { S_OTHER, S_SYSINFO, S_METRICS };

/* clang-format off */
static const struct {
	const char *key;
	size_t off;
	bool integer;
} fields[] = {
	{ "bogo-ops", offsetof(struct cr_stress_ng_stressor, bogo_ops), true },
	{ "bogo-ops-per-second-real-time", offsetof(struct cr_stress_ng_stressor, bogo_ops_per_sec_real), false },
	{ "bogo-ops-per-second-usr-sys-time", offsetof(struct cr_stress_ng_stressor, bogo_ops_per_sec_usr_sys), false },
	{ "wall-clock-time", offsetof(struct cr_stress_ng_stressor, real_time), false },
	{ "user-time", offsetof(struct cr_stress_ng_stressor, usr_time), false },
	{ "system-time", offsetof(struct cr_stress_ng_stressor, sys_time), false },
};
/* clang-format on */

/* Split "key: value" in place; value loses surrounding blanks and quotes. */
static bool split_key(char *s, char **key, char **value)
{
	char *colon = strchr(s, ':');
	size_t n;

	if (!colon || (colon[1] != ' ' && colon[1] != '\0'))
		return false;
	*colon = '\0';
	*key = s;
	s = colon + 1;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		s++;
	}
	*value = s;
	return true;
}

static int check_stressor(const struct cr_stress_ng_stressor *s, unsigned seen, cr_error_t *err)
{
	if (!s->name[0])
		return cr_error(err, 0, "stress-ng output has a metrics entry without 'stressor'");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!(seen & (1u << i)))
			return cr_error(err, 0, "stress-ng output has no '%s' for stressor '%s'", fields[i].key, s->name);
	return 0;
}

static int set_field(struct cr_stress_ng_stressor *s, unsigned *seen, const char *key, const char *value, cr_error_t *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *p = value;
		int r;

		if (strcmp(key, fields[i].key) != 0)
			continue;
		if (fields[i].integer)
			r = tp_u64(&p, (uint64_t *)((char *)s + fields[i].off));
		else
			r = tp_double(&p, (double *)((char *)s + fields[i].off));
		if (r < 0 || !tp_blank(p))
			return cr_error(err, 0, "stress-ng output has a malformed '%s' for stressor '%s'", fields[i].key, s->name);
		*seen |= 1u << i;
		return 0;
	}
	/* stressor-specific metrics ("add-matrix-ops-per-sec") are not kept */
	return 0;
}

int cr_parse_stress_ng(const char *text, size_t len, struct cr_stress_ng *out, cr_error_t *err)
{
	struct cr_stress_ng_stressor *cur = NULL;
	enum section section = S_OTHER;
	bool have_metrics = false;
	struct tp_lines it;
	unsigned seen = 0;
	char line[512];

	memset(out, 0, sizeof(*out));
	if (len > CR_TOOL_OUTPUT_MAX)
		return cr_error(err, 0, "stress-ng output is too large (%zu bytes)", len);

	tp_lines_init(&it, text, len);
	while (tp_next_line(&it, line, sizeof(line))) {
		char *p = line, *key, *value;

		if (line[0] && line[0] != ' ' && line[0] != '#') {
			if (cur && check_stressor(cur, seen, err) < 0)
				return -1;
			cur = NULL;
			if (strcmp(line, "system-info:") == 0) {
				section = S_SYSINFO;
			} else if (strcmp(line, "metrics:") == 0) {
				section = S_METRICS;
				have_metrics = true;
			} else {
				section = S_OTHER;
			}
			continue;
		}
		while (*p == ' ')
			p++;
		if (section == S_OTHER || !*p || *p == '#')
			continue;

		if (section == S_METRICS && (p[0] == '-' && (p[1] == ' ' || p[1] == '\0'))) {
			if (cur && check_stressor(cur, seen, err) < 0)
				return -1;
			if (out->n == CR_STRESS_NG_MAX)
				return cr_error(err, 0, "stress-ng output has more than %d stressors", CR_STRESS_NG_MAX);
			cur = &out->stressors[out->n++];
			seen = 0;
			for (p++; *p == ' '; p++)
				;
			if (!*p)
				continue;
		}
		if (!split_key(p, &key, &value))
			continue;

		if (section == S_SYSINFO) {
			if (strcmp(key, "stress-ng-version") == 0)
				tp_copy(out->version, sizeof(out->version), value, strlen(value));
		} else if (!cur) {
			char quoted[64];

			tp_copy(quoted, sizeof(quoted), key, strlen(key));
			return cr_error(err, 0, "stress-ng output has '%s' outside a stressor under 'metrics'", quoted);
		} else if (strcmp(key, "stressor") == 0) {
			if (!*value || strlen(value) >= sizeof(cur->name))
				return cr_error(err, 0, "stress-ng output has a stressor name that is empty or too long");
			tp_copy(cur->name, sizeof(cur->name), value, strlen(value));
		} else if (set_field(cur, &seen, key, value, err) < 0) {
			return -1;
		}
	}
	if (cur && check_stressor(cur, seen, err) < 0)
		return -1;
	if (!have_metrics)
		return cr_error(err, 0, "stress-ng output has no 'metrics'");
	if (out->n == 0)
		return cr_error(err, 0, "stress-ng output has no stressor under 'metrics'");
	return 0;
}
