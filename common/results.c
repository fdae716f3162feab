/* The parts of the results format both sides share: safe names and the manifest. */
#include <errno.h>
#include <jansson.h>

#include "results.h"
#include "util.h"

bool cr_results_step_name(const char *name)
{
	size_t len = strlen(name);

	return len > 10 && strspn(name, "0123456789") == 4 && name[4] == '-' && strcmp(name + len - 5, ".json") == 0;
}

bool cr_results_name_valid(const char *name)
{
	size_t n = strnlen(name, CR_RESULTS_NAME_MAX + 1);

	if (n == 0 || n > CR_RESULTS_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

json_t *cr_json_text(const char *s)
{
	json_t *j;
	char *copy;
	size_t o = 0;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	copy = xmalloc(strlen(s) + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_seq(p);

		if (n) {
			memcpy(copy + o, p, n);
			o += n;
			p += n;
		} else {
			copy[o++] = '?';
			p++;
		}
	}
	copy[o] = '\0';
	j = json_string(copy);
	if (!j) {
		/* what the sequences above let through and jansson does not (overlong forms, surrogates): ASCII only */
		for (size_t i = 0; i < o; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		j = json_string(copy);
	}
	free(copy);
	return j ? j : json_null();
}

char *cr_results_manifest_dump(const struct cr_results_manifest *m)
{
	json_t *entries = json_array();
	json_t *root;
	char *text, *out;

	for (size_t i = 0; i < m->n_entries; i++) {
		const struct cr_results_manifest_entry *e = &m->entries[i];

		json_array_append_new(entries,
				      json_pack("{s:s, s:I, s:s}", "name", e->name, "size", (json_int_t)e->size, "sha256", e->sha256));
	}
	root = json_pack("{s:s, s:i, s:o}", "format", CR_RESULTS_FORMAT, "version", CR_RESULTS_VERSION, "entries", entries);
	if (!root)
		abort();
	text = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (!text)
		abort();
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

static bool is_sha256_hex(const char *s)
{
	size_t n = strlen(s);

	if (n != CR_SHA256_HEX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}

int cr_results_manifest_parse(const void *data, size_t len, struct cr_results_manifest *m, cr_error_t *err)
{
	__attribute__((cleanup(cleanup_jsonp))) json_t *root = NULL;
	__attribute__((cleanup(cleanup_jsonp))) json_t *seen = NULL;
	struct cr_results_manifest out = { NULL, 0 };
	json_error_t jerr;
	json_t *entries, *v;
	size_t n;

	*m = out;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cr_error(err, 0, "not valid JSON: line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(root))
		return cr_error(err, 0, "not a JSON object");
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), CR_RESULTS_FORMAT) != 0)
		return cr_error(err, 0, "'format' is not \"%s\"", CR_RESULTS_FORMAT);
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != CR_RESULTS_VERSION)
		return cr_error(err, 0, "'version' is not %d", CR_RESULTS_VERSION);
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries))
		return cr_error(err, 0, "'entries' is not an array");
	n = json_array_size(entries);
	if (n > CR_RESULTS_MAX_ENTRIES)
		return cr_error(err, 0, "'entries' lists %zu entries, more than %d", n, CR_RESULTS_MAX_ENTRIES);

	seen = json_object();
	out.entries = xcalloc(n, sizeof(*out.entries));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(entries, i);
		json_t *name = json_object_get(e, "name"), *size = json_object_get(e, "size");
		json_t *sha = json_object_get(e, "sha256");
		struct cr_results_manifest_entry *me = &out.entries[out.n_entries];

		if (!json_is_object(e) || !json_is_string(name) || !json_is_integer(size) || !json_is_string(sha)) {
			cr_results_manifest_release(&out);
			return cr_error(err, 0, "entry %zu: expected an object with 'name', 'size' and 'sha256'", i);
		}
		if (!cr_results_name_valid(json_string_value(name)) || strcmp(json_string_value(name), CR_RESULTS_MANIFEST) == 0) {
			cr_results_manifest_release(&out);
			return cr_error(err, 0, "entry %zu: 'name' is not a safe entry name", i);
		}
		if (json_integer_value(size) < 0 || (uint64_t)json_integer_value(size) > CR_RESULTS_MAX_ENTRY_SIZE) {
			cr_results_manifest_release(&out);
			return cr_error(err, 0, "entry %zu: 'size' is out of range", i);
		}
		if (!is_sha256_hex(json_string_value(sha))) {
			cr_results_manifest_release(&out);
			return cr_error(err, 0, "entry %zu: 'sha256' is not 64 lower-case hex digits", i);
		}
		if (json_object_get(seen, json_string_value(name))) {
			cr_results_manifest_release(&out);
			return cr_error(err, 0, "entry %zu: '%s' is listed twice", i, json_string_value(name));
		}
		json_object_set_new(seen, json_string_value(name), json_true());
		me->name = xstrdup(json_string_value(name));
		me->size = (uint64_t)json_integer_value(size);
		memcpy(me->sha256, json_string_value(sha), sizeof(me->sha256));
		out.n_entries++;
	}
	*m = out;
	return 0;
}

void cr_results_manifest_release(struct cr_results_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_entries; i++)
		free(m->entries[i].name);
	free(m->entries);
	m->entries = NULL;
	m->n_entries = 0;
}
