/* Image recipe parser: an [image] section of settings and a [packages] section of version patterns. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>

#include "inifile.h"
#include "parse.h"
#include "recipe.h"
#include "util.h"

const char *const cr_suite_container_recipes[] = { "bench", "httpd", NULL };

#define MAX_PACKAGES 256

struct ctx {
	struct cr_recipe *r;
	unsigned image_line, packages_line;
	const char *section; /* "image" or "packages", as last seen */
	unsigned key_line[32];
};

enum type { STR, LIST, SIZE, U64, KIND, DIST, FPRS };

struct key {
	const char *name;
	enum type type;
	size_t offset;
	int kinds; /* bit 1 << kind where the key is allowed */
	int required_kinds;
	const char *expect;
};

#define R(f) offsetof(struct cr_recipe, f)
#define VM (1 << CR_RECIPE_VM)
#define CT (1 << CR_RECIPE_CONTAINER)

/* clang-format off */
static const struct key keys[] = {
	{ "kind", KIND, R(kind), VM | CT, VM | CT, "vm or container" },
	{ "description", STR, R(description), VM | CT, 0, "one line of text" },
	{ "distribution", DIST, R(distribution), VM | CT, VM | CT, "debian or ubuntu" },
	{ "suite", STR, R(suite), VM | CT, VM | CT, "a suite (codename) such as bookworm" },
	{ "extra-suites", LIST, R(extra_suites), VM | CT, 0, "comma-separated suites served by the same mirror, such as bookworm-updates" },
	{ "components", LIST, R(components), VM | CT, VM | CT, "comma-separated archive components, such as main, universe" },
	{ "keyring", STR, R(keyring), VM | CT, VM | CT, "the path of the archive's OpenPGP keyring" },
	{ "keyring-fingerprints", FPRS, R(fingerprints), VM | CT, 0, "comma-separated 40-hex-digit key fingerprints" },
	{ "variant", STR, R(variant), VM | CT, VM | CT, "an mmdebstrap variant such as minbase" },
	{ "size", SIZE, R(size), VM, VM, "a filesystem size from 1G to 1T, such as 4G" },
	{ "source-date-epoch", U64, R(source_date_epoch), VM | CT, VM | CT, "seconds since 1970, for SOURCE_DATE_EPOCH" },
	{ "runtimes", LIST, R(runtimes), VM, VM, "comma-separated OCI runtimes the image has: runc, crun, runsc, kata" },
	{ "tag", STR, R(tag), CT, CT, "an image name with a tag, such as crbench/bench:1" },
	{ "cmd", STR, R(cmd), CT, CT, "the container's command, words separated by spaces" },
	{ "files", STR, R(files), VM | CT, 0, "a directory of the source tree copied into the image's root" },
};
/* clang-format on */

static int section_cb(struct cr_ini *ini, void *user, const char *name)
{
	struct ctx *c = user;
	unsigned *line;

	if (strcmp(name, "image") == 0)
		line = &c->image_line;
	else if (strcmp(name, "packages") == 0)
		line = &c->packages_line;
	else
		return cr_ini_error(ini, cr_ini_line(ini), "unknown section [%s]: expected [image] or [packages]", name);
	if (*line)
		return cr_ini_error(ini, cr_ini_line(ini), "duplicate section [%s] (first on line %u)", name, *line);
	*line = cr_ini_line(ini);
	return 0;
}

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("._+-:/~*?[]", *s)))
			return false;
	return true;
}

static int set_key(struct cr_ini *ini, struct ctx *c, size_t ki, const char *value)
{
	const struct key *k = &keys[ki];
	void *field = (char *)c->r + k->offset;
	unsigned line = cr_ini_line(ini);

	switch (k->type) {
	case STR:
		if (!*value)
			break;
		if (k->offset == R(cmd)) {
			*(char ***)field = strv_split(value, ' ');
			/* strv_split keeps empty words from double spaces: refuse them */
			for (size_t i = 0; (*(char ***)field)[i]; i++)
				if (!*(*(char ***)field)[i])
					return cr_ini_error(ini, line, "bad value '%s' for 'cmd': expected %s", value, k->expect);
			return 0;
		}
		*(char **)field = xstrdup(value);
		return 0;
	case LIST:
	case FPRS: {
		char **v = strv_split(value, ',');

		*(char ***)field = v;
		for (size_t i = 0; v[i]; i++) {
			bool ok = plain_word(v[i]);

			if (k->type == FPRS) {
				ok = strlen(v[i]) == 40;
				for (char *p = v[i]; *p; p++) {
					*p = (char)toupper((unsigned char)*p);
					ok = ok && isxdigit((unsigned char)*p);
				}
			}
			if (!ok)
				return cr_ini_error(ini, line, "bad value '%s' in '%s': expected %s", v[i], k->name, k->expect);
		}
		return 0;
	}
	case SIZE:
		if (parse_size(value, 1ULL << 30, 1ULL << 40, (uint64_t *)field) < 0)
			break;
		return 0;
	case U64:
		if (parse_u64(value, 0, UINT64_MAX, (uint64_t *)field) < 0)
			break;
		return 0;
	case KIND:
		if (strcmp(value, "vm") == 0)
			c->r->kind = CR_RECIPE_VM;
		else if (strcmp(value, "container") == 0)
			c->r->kind = CR_RECIPE_CONTAINER;
		else
			break;
		return 0;
	case DIST:
		if (strcmp(value, "debian") != 0 && strcmp(value, "ubuntu") != 0)
			break;
		*(char **)field = xstrdup(value);
		return 0;
	}
	return cr_ini_error(ini, line, "bad value '%s' for '%s': expected %s", value, k->name, k->expect);
}

static int key_cb(struct cr_ini *ini, void *user, const char *section, const char *name, const char *value)
{
	struct ctx *c = user;
	unsigned line = cr_ini_line(ini);
	struct cr_recipe *r = c->r;

	if (strcmp(section, "packages") == 0) {
		struct cr_recipe_package *p;

		if (!plain_word(name) || strpbrk(name, "*?[]/:~"))
			return cr_ini_error(ini, line, "bad package name '%s'", name);
		if (!plain_word(value))
			return cr_ini_error(ini, line, "bad version pattern '%s' for package '%s': expected a pattern such as 20.10.* or *",
					    value, name);
		for (size_t i = 0; i < r->n_packages; i++)
			if (strcmp(r->packages[i].name, name) == 0)
				return cr_ini_error(ini, line, "package '%s' listed twice", name);
		if (r->n_packages == MAX_PACKAGES)
			return cr_ini_error(ini, line, "too many packages: at most %d", MAX_PACKAGES);
		r->packages = xrealloc(r->packages, (r->n_packages + 1) * sizeof(*r->packages));
		p = &r->packages[r->n_packages++];
		p->name = xstrdup(name);
		p->pattern = xstrdup(value);
		return 0;
	}
	if (strcmp(section, "image") != 0)
		return cr_ini_error(ini, line, "key '%s' outside of any section: put it under [image] or [packages]", name);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].name, name) != 0)
			continue;
		if (c->key_line[i])
			return cr_ini_error(ini, line, "duplicate key '%s' in [image] (first set on line %u)", name, c->key_line[i]);
		c->key_line[i] = line;
		return set_key(ini, c, i, value);
	}
	return cr_ini_error(ini, line,
			    "unknown key '%s' in [image]: expected one of kind, description, distribution, suite, "
			    "extra-suites, components, keyring, keyring-fingerprints, variant, size, "
			    "source-date-epoch, runtimes, tag, cmd, files",
			    name);
}

static int end_cb(struct cr_ini *ini, void *user)
{
	struct ctx *c = user;
	int kind;

	if (!c->image_line)
		return cr_ini_error(ini, cr_ini_line(ini), "missing section [image]");
	if (!c->key_line[0])
		return cr_ini_error(ini, c->image_line, "[image] lacks required key 'kind': expected vm or container");
	kind = 1 << c->r->kind;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if ((keys[i].required_kinds & kind) && !c->key_line[i])
			return cr_ini_error(ini, c->image_line, "[image] lacks required key '%s': expected %s", keys[i].name,
					    keys[i].expect);
		if (!(keys[i].kinds & kind) && c->key_line[i])
			return cr_ini_error(ini, c->key_line[i], "key '%s' does not apply to a %s image", keys[i].name,
					    c->r->kind == CR_RECIPE_VM ? "vm" : "container");
	}
	if (c->r->n_packages == 0)
		return cr_ini_error(ini, c->packages_line ? c->packages_line : cr_ini_line(ini),
				    "the recipe lists no packages: expected a [packages] section of 'name = version-pattern'");
	return 0;
}

int cr_recipe_parse(const char *path, const char *name, const char *data, size_t len, struct cr_recipe **out, cr_error_t *err)
{
	static const struct cr_ini_ops ops = { .section = section_cb, .key = key_cb, .end = end_cb };
	struct cr_recipe *r = xcalloc(1, sizeof(*r));
	struct ctx c = { .r = r };

	r->name = xstrdup(name);
	r->path = xstrdup(path);
	r->text = xstrndup(data, len);
	if (cr_ini_parse(path, data, len, &ops, &c, err) < 0) {
		cr_recipe_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* "debian-12, ubuntu-18.04": the recipes present, for the unknown-recipe error. */
static char *known_recipes(const char *images_dir)
{
	DIR *d = opendir(images_dir);
	struct dirent *e;
	char *list = xstrdup("");

	if (!d)
		return list;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char *t;

		if (n < 6 || strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		t = xasprintf("%s%s%.*s", list, *list ? ", " : "", (int)(n - 5), e->d_name);
		free(list);
		list = t;
	}
	closedir(d);
	return list;
}

int cr_recipe_load(const char *images_dir, const char *name, struct cr_recipe **out, cr_error_t *err)
{
	cleanup_free char *path = NULL, *data = NULL;
	size_t len;

	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._-", *p)) || (p == name && *p == '.'))
			return cr_error(err, 0, "bad image recipe name '%s': expected lower-case letters, digits, '.', '_' and '-'", name);
	path = xasprintf("%s/%s.conf", images_dir, name);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		cleanup_free char *known = known_recipes(images_dir);

		return cr_error(err, 0, "unknown image recipe '%s': there is no '%s'; known recipes: %s", name, path,
				*known ? known : "none");
	}
	if (cr_read_file(path, 256 * 1024, &data, &len, err) < 0)
		return cr_error_prefix(err, "cannot load image recipe");
	return cr_recipe_parse(path, name, data, len, out, err);
}

void cr_recipe_free(struct cr_recipe *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_packages; i++) {
		free(r->packages[i].name);
		free(r->packages[i].pattern);
	}
	free(r->packages);
	free(r->name);
	free(r->path);
	free(r->text);
	free(r->description);
	free(r->distribution);
	free(r->suite);
	strv_free(r->extra_suites);
	strv_free(r->components);
	free(r->keyring);
	strv_free(r->fingerprints);
	free(r->variant);
	strv_free(r->runtimes);
	free(r->tag);
	strv_free(r->cmd);
	free(r->files);
	free(r);
}
