/* Plan file parser: inih reads the INI syntax, a key table validates every value. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "inifile.h"
#include "parse.h"
#include "plan.h"
#include "util.h"

/* clang-format off */
const char *const cr_test_names[CR_TEST__MAX] = {
	[CR_TEST_ENV] = "env",
	[CR_TEST_BOOT] = "boot",
	[CR_TEST_DISK] = "disk",
	[CR_TEST_CPU_MEM] = "cpu-mem",
	[CR_TEST_NET_IO] = "net-io",
	[CR_TEST_NET_MATRIX] = "net-matrix",
};
/* clang-format on */

/* clang-format off */
const char *const cr_net_pair_names[CR_NET__MAX] = {
	[CR_NET_BRIDGE_BRIDGE] = "bridge-bridge",
	[CR_NET_HOST_BRIDGE] = "host-bridge",
	[CR_NET_MACVLAN_MACVLAN] = "macvlan-macvlan",
	[CR_NET_OVERLAY_OVERLAY] = "overlay-overlay",
};
/* clang-format on */

/* clang-format off */
const char *const cr_net_load_names[CR_LOAD__MAX] = {
	[CR_LOAD_IDLE] = "idle",
	[CR_LOAD_STRESS] = "stress",
};
/* clang-format on */

const char *const cr_plan_runtimes[] = { "runc", "crun", "runsc", "kata", NULL };
const char *const cr_plan_profiles[] = { "smoke", "standard", "paper", NULL };
const char *const cr_kata_shared_fs_names[] = { "virtio-9p", "virtio-fs", NULL };
const char *const cr_plan_boots[] = { "once", "per-step", NULL };
static const char *const nested_names[] = { "auto", "yes", "no", NULL };
static const char *const yes_no[] = { "yes", "no", NULL };

#define GiB (1024ULL * 1024 * 1024)
#define MiB (1024ULL * 1024)
#define ALL_BITS(n) ((uint32_t)((1u << (n)) - 1))

/*
 * What a profile sets. A key written in the plan wins over its profile.
 * smoke fits the CI end-to-end run under TCG; paper is the papers' setup.
 */
struct profile {
	const char *name;
	uint64_t repetitions, warmup, bonnie_size, iperf_seconds, sockperf_seconds;
	uint64_t test_timeout, timeout, idle_seconds;
};

/* clang-format off */
static const struct profile profiles[] = {
	{ "smoke", 2, 1, 32 * MiB, 2, 2, 600, 2700, 2 },
	{ "standard", 5, 1, 512 * MiB, 10, 10, 1800, 6 * 3600, 10 },
	{ "paper", 15, 1, 2 * GiB, 10, 10, 3600, 24 * 3600, 30 },
};
/* clang-format on */

enum key_type {
	T_NAME,	  /* [a-z0-9][a-z0-9._-]*, at most MAX_NAME characters */
	T_ENUM,	  /* one of choices, stored as a string */
	T_NESTED, /* one of nested_names, stored as enum cr_nested */
	T_SET,	  /* comma-separated subset of choices, or "all" */
	T_U64,
	T_SIZE,
	T_DURATION,
	T_BOOL,
	T_SEED,	  /* u64, or "random" */
	T_SOURCE, /* a path, a file name or an http(s)/file URL, stored as a string */
	T_SHA256, /* 64 hex digits, stored lower-case */
	T_URI,	  /* a libvirt URI: scheme:// and printable characters, no space or ';' */
	T_POOL,	  /* a storage pool's name: letters, digits, '.', '_' and '-' */
};

enum key_scope { S_RUN, S_SUITE, S_GUEST };
static const char *const scope_names[] = { "run", "suite", "guest" };

struct key {
	enum key_scope scope;
	const char *name;
	enum key_type type;
	size_t offset; /* into struct cr_plan, or struct cr_guest_plan for S_GUEST */
	uint64_t min, max;
	const char *const *choices;
	size_t n_choices;
	bool required;
	const char *expect;
	size_t profile_offset; /* into struct profile; 0 when the profile does not set it */
};

#define P(f) offsetof(struct cr_plan, f)
#define G(f) offsetof(struct cr_guest_plan, f)
#define PR(f) offsetof(struct profile, f)

static const struct key keys[] = {
	{ S_RUN, "name", T_NAME, P(name), 0, 0, NULL, 0, false, "a name of lower-case letters, digits, '.', '_' and '-'", 0 },
	{ S_RUN, "seed", T_SEED, P(seed), 0, UINT64_MAX, NULL, 0, false, "an unsigned 64-bit integer or 'random'", 0 },
	{ S_RUN, "timeout", T_DURATION, P(timeout), 60, 7 * 24 * 3600, NULL, 0, false, "a duration from 1m to 168h, such as 45m or 6h",
	  PR(timeout) },
	{ S_RUN, "progress-timeout", T_DURATION, P(progress_timeout), 10, 24 * 3600, NULL, 0, false, "a duration from 10s to 24h", 0 },
	{ S_RUN, "parallel", T_BOOL, P(parallel), 0, 0, NULL, 0, false, "yes or no", 0 },
	{ S_RUN, "boot", T_ENUM, P(boot), 0, 0, cr_plan_boots, 2, false, "once or per-step", 0 },

	{ S_SUITE, "profile", T_ENUM, P(profile), 0, 0, cr_plan_profiles, 3, true, "smoke, standard or paper", 0 },
	{ S_SUITE, "tests", T_SET, P(tests), 0, 0, cr_test_names, CR_TEST__MAX, false,
	  "'all' or a comma-separated list of env, boot, disk, cpu-mem, net-io, net-matrix", 0 },
	{ S_SUITE, "net-pairs", T_SET, P(net_pairs), 0, 0, cr_net_pair_names, CR_NET__MAX, false,
	  "'all' or a comma-separated list of bridge-bridge, host-bridge, macvlan-macvlan, overlay-overlay", 0 },
	{ S_SUITE, "net-load", T_SET, P(net_loads), 0, 0, cr_net_load_names, CR_LOAD__MAX, false,
	  "'all' or a comma-separated list of idle, stress", 0 },
	{ S_SUITE, "repetitions", T_U64, P(repetitions), 1, 1000, NULL, 0, false,
	  "an integer from 1 to 1000 (measured repetitions, warm-up not counted)", PR(repetitions) },
	{ S_SUITE, "warmup", T_U64, P(warmup), 0, 100, NULL, 0, false,
	  "an integer from 0 to 100 (discarded repetitions before the measured ones)", PR(warmup) },
	{ S_SUITE, "bonnie-size", T_SIZE, P(bonnie_size), 16 * MiB, 1024 * GiB, NULL, 0, false, "a size from 16M to 1T, such as 2G",
	  PR(bonnie_size) },
	{ S_SUITE, "bonnie-direct", T_BOOL, P(bonnie_direct), 0, 0, NULL, 0, false, "yes or no", 0 },
	{ S_SUITE, "iperf-seconds", T_DURATION, P(iperf_seconds), 1, 3600, NULL, 0, false, "a duration from 1s to 1h", PR(iperf_seconds) },
	{ S_SUITE, "sockperf-seconds", T_DURATION, P(sockperf_seconds), 1, 3600, NULL, 0, false, "a duration from 1s to 1h",
	  PR(sockperf_seconds) },
	{ S_SUITE, "idle-seconds", T_DURATION, P(idle_seconds), 1, 3600, NULL, 0, false, "a duration from 1s to 1h", PR(idle_seconds) },
	{ S_SUITE, "container-cpus", T_U64, P(container_cpus), 1, 256, NULL, 0, false, "an integer from 1 to 256", 0 },
	{ S_SUITE, "container-memory", T_SIZE, P(container_memory), 64 * MiB, 1024 * GiB, NULL, 0, false,
	  "a size from 64M to 1T, such as 1G", 0 },
	{ S_SUITE, "test-timeout", T_DURATION, P(test_timeout), 10, 24 * 3600, NULL, 0, false, "a duration from 10s to 24h",
	  PR(test_timeout) },

	{ S_GUEST, "image", T_NAME, G(image), 0, 0, NULL, 0, true, "an image recipe name such as debian-12 (images/<name>.conf)", 0 },
	{ S_GUEST, "runtime", T_ENUM, G(runtime), 0, 0, cr_plan_runtimes, 4, true, "runc, crun, runsc or kata", 0 },
	{ S_GUEST, "vcpus", T_U64, G(vcpus), 1, 256, NULL, 0, false, "an integer from 1 to 256", 0 },
	{ S_GUEST, "memory", T_SIZE, G(memory), 512 * MiB, 4096 * GiB, NULL, 0, false, "a size from 512M to 4T, such as 4G", 0 },
	{ S_GUEST, "nested", T_NESTED, G(nested), 0, 0, nested_names, 3, false, "auto, yes or no", 0 },
	{ S_GUEST, "kata-tarball", T_SOURCE, G(kata_tarball), 0, 0, NULL, 0, false,
	  "the Kata Containers " CR_KATA_VERSION " static release tarball (" CR_KATA_TARBALL "): a path, a file name in the cache's "
	  "downloads/ directory, or an http://, https:// or file:// URL",
	  0 },
	{ S_GUEST, "kata-sha256", T_SHA256, G(kata_sha256), 0, 0, NULL, 0, false, "the tarball's SHA-256: 64 hexadecimal digits", 0 },
	{ S_GUEST, "kata-shared-fs", T_ENUM, G(kata_shared_fs), 0, 0, cr_kata_shared_fs_names, 2, false, "virtio-9p or virtio-fs", 0 },
	{ S_GUEST, "connect", T_URI, G(connect), 0, 0, NULL, 0, false, "a libvirt URI such as qemu+ssh://HOST/system", 0 },
	{ S_GUEST, "pool", T_POOL, G(pool), 0, 0, NULL, 0, false, "a storage pool name of letters, digits, '.', '_' and '-'", 0 },
	{ S_GUEST, "upload", T_ENUM, G(upload), 0, 0, yes_no, 2, false, "yes or no", 0 },
};

#define N_KEYS ARRAY_SIZE(keys)
#define MAX_GUESTS 64
#define MAX_NAME 32 /* inih truncates section names at 50 characters */
#define MAX_SECTIONS (MAX_GUESTS + 8)

/* A section header as the line reader saw it; inih does not report empty sections. */
struct section {
	char *name;
	unsigned line;
	enum key_scope scope;
	size_t guest;		   /* index into plan->guests, S_GUEST only */
	unsigned key_line[N_KEYS]; /* where each key was set, 0 if not */
};

struct parse_ctx {
	struct cr_plan *plan;
	struct section sections[MAX_SECTIONS];
	size_t n_sections;
};

/* A libvirt URI as a plan may give it: a scheme, "://", then printable characters without space or ';' (a comment in a dump). */
static bool valid_uri(const char *s)
{
	const char *sep = strstr(s, "://");

	if (!sep || sep == s || strlen(s) > 1024 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789+") != (size_t)(sep - s))
		return false;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == ';')
			return false;
	return true;
}

static bool valid_pool(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && s[0] != '-' && s[0] != '.' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_NAME || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || strchr("._-", s[i])))
			return false;
	return true;
}

/*
 * Where a tarball comes from: printable, no spaces, and a URL only over
 * http, https or file with a file name at its end (the name it is cached as).
 * No ';' either: after "key = " in a dumped plan it would start a comment.
 */
static bool valid_source(const char *s)
{
	const char *scheme_end = strstr(s, "://");
	const char *name;

	if (!*s || strlen(s) > 1024)
		return false;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == ';')
			return false;
	if (!scheme_end)
		return s[strlen(s) - 1] != '/';
	if (!(str_has_prefix(s, "http://") || str_has_prefix(s, "https://") || str_has_prefix(s, "file://")))
		return false;
	name = strrchr(scheme_end + 3, '/');
	return name && name[1] && strcspn(name + 1, "?#") == strlen(name + 1) && strcmp(name + 1, "..") != 0 && strcmp(name + 1, ".") != 0;
}

static int find_choice(const char *const *choices, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(choices[i], s) == 0)
			return (int)i;
	return -1;
}

static int section_cb(struct cr_ini *ini, void *user, const char *name)
{
	struct parse_ctx *ctx = user;
	unsigned line = cr_ini_line(ini);
	struct section *sec;
	const char *guest_name = NULL;
	enum key_scope scope;

	if (strcmp(name, "run") == 0) {
		scope = S_RUN;
	} else if (strcmp(name, "suite") == 0) {
		scope = S_SUITE;
	} else if (str_has_prefix(name, "guest ")) {
		scope = S_GUEST;
		guest_name = name + strlen("guest ");
		while (*guest_name == ' ')
			guest_name++;
		if (!valid_name(guest_name)) {
			return cr_ini_error(ini, line,
					    "bad guest name '%s' in [%s]: expected lower-case letters, digits, '.', '_' and '-', at most 32",
					    guest_name, name);
		}
	} else {
		return cr_ini_error(ini, line, "unknown section [%s]: expected [run], [suite] or [guest NAME]", name);
	}

	for (size_t i = 0; i < ctx->n_sections; i++) {
		if (strcmp(ctx->sections[i].name, name) == 0) {
			return cr_ini_error(ini, line, "duplicate section [%s] (first on line %u)", name, ctx->sections[i].line);
		}
	}
	if (ctx->n_sections == MAX_SECTIONS || (scope == S_GUEST && ctx->plan->n_guests == MAX_GUESTS)) {
		return cr_ini_error(ini, line, "too many sections: at most %d guests", MAX_GUESTS);
	}

	sec = &ctx->sections[ctx->n_sections++];
	memset(sec, 0, sizeof(*sec));
	sec->name = xstrdup(name);
	sec->line = line;
	sec->scope = scope;
	if (scope == S_GUEST) {
		struct cr_plan *plan = ctx->plan;
		struct cr_guest_plan *g;

		plan->guests = xrealloc(plan->guests, (plan->n_guests + 1) * sizeof(*plan->guests));
		sec->guest = plan->n_guests;
		g = &plan->guests[plan->n_guests++];
		memset(g, 0, sizeof(*g));
		g->name = xstrdup(guest_name);
		g->line = line;
		g->vcpus = 2;
		g->memory = 4 * GiB;
		g->nested = CR_NESTED_AUTO;
	}
	return 0;
}

static struct section *current_section(struct parse_ctx *ctx, const char *name)
{
	/* inih reports the section of a key by name; the last header seen is it */
	if (ctx->n_sections == 0 || strcmp(ctx->sections[ctx->n_sections - 1].name, name) != 0)
		return NULL;
	return &ctx->sections[ctx->n_sections - 1];
}

static int set_value(struct cr_ini *ini, struct parse_ctx *ctx, const struct key *k, void *base, const char *value)
{
	unsigned line = cr_ini_line(ini);
	void *field = (char *)base + k->offset;
	uint64_t v;

	switch (k->type) {
	case T_NAME:
		if (!valid_name(value))
			goto bad;
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case T_ENUM:
		if (find_choice(k->choices, k->n_choices, value) < 0)
			goto bad;
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case T_NESTED: {
		int i = find_choice(k->choices, k->n_choices, value);

		if (i < 0)
			goto bad;
		*(enum cr_nested *)field = (enum cr_nested)i;
		return 0;
	}
	case T_SET: {
		cleanup_strv char **parts = NULL;
		uint32_t bits = 0;

		if (strcmp(value, "all") == 0) {
			*(uint32_t *)field = ALL_BITS(k->n_choices);
			return 0;
		}
		parts = strv_split(value, ',');
		for (size_t i = 0; parts[i]; i++) {
			int c = find_choice(k->choices, k->n_choices, parts[i]);

			if (c < 0) {
				cr_ini_error(ini, line, "bad value '%s' in '%s': expected %s", parts[i], k->name, k->expect);
				return -1;
			}
			if (bits & (1u << c)) {
				cr_ini_error(ini, line, "'%s' listed twice in '%s'", parts[i], k->name);
				return -1;
			}
			bits |= 1u << c;
		}
		*(uint32_t *)field = bits;
		return 0;
	}
	case T_SEED:
		if (strcmp(value, "random") == 0) {
			ctx->plan->seed_set = false;
			return 0;
		}
		if (parse_u64(value, k->min, k->max, &v) < 0)
			goto bad;
		ctx->plan->seed_set = true;
		*(uint64_t *)field = v;
		return 0;
	case T_U64:
		if (parse_u64(value, k->min, k->max, &v) < 0)
			goto bad;
		*(uint64_t *)field = v;
		return 0;
	case T_SIZE:
		if (parse_size(value, k->min, k->max, &v) < 0)
			goto bad;
		*(uint64_t *)field = v;
		return 0;
	case T_DURATION:
		if (parse_duration(value, k->min, k->max, &v) < 0)
			goto bad;
		*(uint64_t *)field = v;
		return 0;
	case T_BOOL:
		if (parse_bool(value, (bool *)field) < 0)
			goto bad;
		return 0;
	case T_SOURCE:
		if (!valid_source(value))
			goto bad;
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case T_URI:
	case T_POOL:
		if (!(k->type == T_URI ? valid_uri(value) : valid_pool(value)))
			goto bad;
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case T_SHA256: {
		char *hex;

		if (strlen(value) != 64 || strspn(value, "0123456789abcdefABCDEF") != 64)
			goto bad;
		hex = xstrdup(value);
		for (char *c = hex; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		free(*(char **)field);
		*(char **)field = hex;
		return 0;
	}
	}
bad:
	cr_ini_error(ini, line, "bad value '%s' for '%s': expected %s", value, k->name, k->expect);
	return -1;
}

static void known_keys(enum key_scope scope, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_KEYS && used < len; i++) {
		int r;

		if (keys[i].scope != scope)
			continue;
		r = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", keys[i].name);
		if (r < 0)
			break;
		used += (size_t)r;
	}
}

static int key_cb(struct cr_ini *ini, void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;
	unsigned line = cr_ini_line(ini);
	struct section *sec;
	const struct key *k = NULL;
	size_t ki;
	char list[512];

	if (!*section)
		return cr_ini_error(ini, line, "key '%s' outside of any section: put it under [run], [suite] or [guest NAME]", name);
	sec = current_section(ctx, section);
	if (!sec) /* inih and the line reader disagree on the header */
		return cr_ini_error(ini, line, "syntax error: expected '[section]', 'key = value' or a comment");

	for (ki = 0; ki < N_KEYS; ki++) {
		if (keys[ki].scope == sec->scope && strcmp(keys[ki].name, name) == 0) {
			k = &keys[ki];
			break;
		}
	}
	if (!k) {
		known_keys(sec->scope, list, sizeof(list));
		return cr_ini_error(ini, line, "unknown key '%s' in [%s]: expected one of %s", name, sec->name, list);
	}
	if (sec->key_line[ki])
		return cr_ini_error(ini, line, "duplicate key '%s' in [%s] (first set on line %u)", name, sec->name, sec->key_line[ki]);
	/* the resolved plan writes "key = value": it must read back */
	if (strlen(name) + 3 + strlen(value) > cr_ini_line_max())
		return cr_ini_error(ini, line, "value of '%s' too long: at most %zu characters, so that '%s = VALUE' fits a line", name,
				    cr_ini_line_max() - 3 - strlen(name), name);
	sec->key_line[ki] = line;
	return set_value(ini, ctx, k, sec->scope == S_GUEST ? (void *)&ctx->plan->guests[sec->guest] : (void *)ctx->plan, value);
}

static size_t key_index(enum key_scope scope, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].scope == scope && strcmp(keys[i].name, name) == 0)
			return i;
	abort();
}

static bool same_string(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * The kata-* keys belong to Kata guests, which need a tarball. Guests of one
 * image boot the same disk, which holds one Kata: its guests share it.
 */
static int check_guest_kata(struct cr_ini *ini, struct parse_ctx *ctx, const struct section *sec)
{
	static const char *const kata_keys[] = { "kata-tarball", "kata-sha256", "kata-shared-fs" };
	struct cr_guest_plan *g = &ctx->plan->guests[sec->guest];
	size_t ki = key_index(S_GUEST, "kata-tarball");

	g->kata_tarball_line = sec->key_line[ki];
	g->kata_sha256_line = sec->key_line[key_index(S_GUEST, "kata-sha256")];
	if (strcmp(g->runtime, "kata") != 0) {
		for (size_t i = 0; i < ARRAY_SIZE(kata_keys); i++) {
			unsigned line = sec->key_line[key_index(S_GUEST, kata_keys[i])];

			if (line)
				return cr_ini_error(ini, line, "'%s' is only for runtime = kata; [%s] runs %s", kata_keys[i], sec->name,
						    g->runtime);
		}
		return 0;
	}
	if (!g->kata_tarball)
		return cr_ini_error(ini, sec->line, "[%s] runs Kata and lacks required key 'kata-tarball': expected %s", sec->name,
				    keys[ki].expect);
	if (!g->kata_shared_fs)
		g->kata_shared_fs = xstrdup(cr_kata_shared_fs_names[0]);
	for (size_t i = 0; i < sec->guest; i++) {
		const struct cr_guest_plan *o = &ctx->plan->guests[i];

		if (strcmp(o->runtime, "kata") != 0 || strcmp(o->image, g->image) != 0)
			continue;
		if (strcmp(o->kata_tarball, g->kata_tarball) != 0 || !same_string(o->kata_sha256, g->kata_sha256))
			return cr_ini_error(ini, g->kata_tarball_line,
					    "[%s] gives image '%s' another Kata than [guest %s] (line %u): guests of one image boot the same "
					    "disk and share its kata-tarball and kata-sha256",
					    sec->name, g->image, o->name, o->kata_tarball_line);
	}
	return 0;
}

static const struct section *find_scope(const struct parse_ctx *ctx, enum key_scope scope)
{
	for (size_t i = 0; i < ctx->n_sections; i++)
		if (ctx->sections[i].scope == scope)
			return &ctx->sections[i];
	return NULL;
}

/* Fill what neither the plan nor the profile set, then check keys against each other. */
static int end_cb(struct cr_ini *ini, void *user)
{
	struct parse_ctx *ctx = user;
	struct cr_plan *plan = ctx->plan;
	const struct section *suite = find_scope(ctx, S_SUITE);
	const struct section *run = find_scope(ctx, S_RUN);
	const struct profile *prof = NULL;
	unsigned eof_line = cr_ini_line(ini);

	if (!suite)
		return cr_ini_error(ini, eof_line,
				    "missing section [suite]: every plan chooses its suite, at least 'profile = smoke|standard|paper'");
	if (plan->n_guests == 0)
		return cr_ini_error(ini, eof_line,
				    "missing section [guest NAME]: a plan boots at least one guest (keys image and runtime)");

	for (size_t s = 0; s < ctx->n_sections; s++) {
		const struct section *sec = &ctx->sections[s];

		for (size_t i = 0; i < N_KEYS; i++)
			if (keys[i].scope == sec->scope && keys[i].required && !sec->key_line[i])
				return cr_ini_error(ini, sec->line, "[%s] lacks required key '%s': expected %s", sec->name, keys[i].name,
						    keys[i].expect);
	}

	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (strcmp(profiles[i].name, plan->profile) == 0)
			prof = &profiles[i];
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct section *sec = keys[i].scope == S_RUN ? run : suite;

		if (keys[i].scope == S_GUEST || !keys[i].profile_offset || (sec && sec->key_line[i]))
			continue;
		*(uint64_t *)((char *)plan + keys[i].offset) = *(const uint64_t *)((const char *)prof + keys[i].profile_offset);
	}

	for (size_t s = 0; s < ctx->n_sections; s++)
		if (ctx->sections[s].scope == S_GUEST && check_guest_kata(ini, ctx, &ctx->sections[s]) < 0)
			return -1;

	for (size_t i = 0; i < plan->n_guests; i++) {
		const struct cr_guest_plan *g = &plan->guests[i];
		char a[32], b[32];

		if (g->vcpus < plan->container_cpus)
			return cr_ini_error(ini, g->line, "[guest %s] has %llu vCPUs, fewer than container-cpus = %llu", g->name,
					    (unsigned long long)g->vcpus, (unsigned long long)plan->container_cpus);
		if (g->memory <= plan->container_memory) {
			format_size(g->memory, a, sizeof(a));
			format_size(plan->container_memory, b, sizeof(b));
			return cr_ini_error(ini, g->line, "[guest %s] memory %s is not above container-memory = %s", g->name, a, b);
		}
	}
	return 0;
}

static void release_ctx(struct parse_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_sections; i++)
		free(ctx->sections[i].name);
}

int cr_plan_parse(const char *name, const char *data, size_t len, struct cr_plan **out, cr_error_t *err)
{
	static const struct cr_ini_ops ops = { .section = section_cb, .key = key_cb, .end = end_cb };
	struct cr_plan *plan = xcalloc(1, sizeof(*plan));
	struct parse_ctx ctx = { .plan = plan };
	int r;

	plan->path = xstrdup(name);
	plan->progress_timeout = 600;
	plan->tests = ALL_BITS(CR_TEST__MAX);
	plan->net_pairs = ALL_BITS(CR_NET__MAX);
	plan->net_loads = ALL_BITS(CR_LOAD__MAX);
	plan->container_cpus = 1;
	plan->container_memory = 1 * GiB;

	r = cr_ini_parse(name, data, len, &ops, &ctx, err);
	release_ctx(&ctx);
	if (r < 0) {
		cr_plan_free(plan);
		return -1;
	}
	if (!plan->boot)
		plan->boot = xstrdup(cr_plan_boots[0]);
	if (!plan->name) {
		const char *base = strrchr(name, '/');
		cleanup_free char *stem = xstrdup(base ? base + 1 : name);
		char *dot = strrchr(stem, '.');

		if (dot)
			*dot = '\0';
		plan->name = xstrdup(valid_name(stem) ? stem : "plan");
	}
	*out = plan;
	return 0;
}

int cr_plan_load(const char *path, struct cr_plan **out, cr_error_t *err)
{
	cleanup_free char *data = NULL;
	size_t len;

	if (cr_read_file(path, 1024 * 1024, &data, &len, err) < 0)
		return cr_error_prefix(err, "cannot load plan");
	return cr_plan_parse(path, data, len, out, err);
}

void cr_plan_free(struct cr_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_guests; i++) {
		free(plan->guests[i].name);
		free(plan->guests[i].image);
		free(plan->guests[i].runtime);
		free(plan->guests[i].kata_tarball);
		free(plan->guests[i].kata_sha256);
		free(plan->guests[i].kata_shared_fs);
		free(plan->guests[i].connect);
		free(plan->guests[i].pool);
		free(plan->guests[i].upload);
	}
	free(plan->guests);
	free(plan->path);
	free(plan->name);
	free(plan->profile);
	free(plan->boot);
	free(plan);
}

size_t cr_plan_keys(const struct cr_plan_key_info **out)
{
	static struct cr_plan_key_info info[N_KEYS];

	for (size_t i = 0; i < N_KEYS; i++) {
		info[i].section = scope_names[keys[i].scope];
		info[i].name = keys[i].name;
		info[i].expect = keys[i].expect;
	}
	*out = info;
	return N_KEYS;
}

/* The canonical text of one value, as the plan file would spell it. */
static char *format_value(const struct key *k, const struct cr_plan *plan, const void *base)
{
	const void *field = (const char *)base + k->offset;
	uint64_t v;
	char buf[32];

	switch (k->type) {
	case T_NAME:
	case T_ENUM:
	case T_SOURCE:
	case T_SHA256:
	case T_URI:
	case T_POOL:
		return xstrdup(*(char *const *)field ? *(char *const *)field : "");
	case T_NESTED:
		return xstrdup(nested_names[*(const enum cr_nested *)field]);
	case T_SET: {
		uint32_t bits = *(const uint32_t *)field;
		char *s = xstrdup("");

		for (size_t i = 0; i < k->n_choices; i++) {
			char *t;

			if (!(bits & (1u << i)))
				continue;
			t = xasprintf("%s%s%s", s, *s ? "," : "", k->choices[i]);
			free(s);
			s = t;
		}
		return s;
	}
	case T_SEED:
		if (!plan->seed_set)
			return xstrdup("random");
		/* fall through */
	case T_U64:
		return xasprintf("%llu", (unsigned long long)*(const uint64_t *)field);
	case T_SIZE:
		format_size(*(const uint64_t *)field, buf, sizeof(buf));
		return xstrdup(buf);
	case T_DURATION:
		v = *(const uint64_t *)field;
		if (v % 3600 == 0)
			return xasprintf("%lluh", (unsigned long long)(v / 3600));
		if (v % 60 == 0)
			return xasprintf("%llum", (unsigned long long)(v / 60));
		return xasprintf("%llus", (unsigned long long)v);
	case T_BOOL:
		return xstrdup(*(const bool *)field ? "yes" : "no");
	}
	return xstrdup("");
}

/* A key whose value is a string the plan did not set (the kata-* keys of other runtimes): left out of dumps. */
static bool unset(const struct key *k, const void *base)
{
	switch (k->type) {
	case T_NAME:
	case T_ENUM:
	case T_SOURCE:
	case T_SHA256:
	case T_URI:
	case T_POOL:
		return !*(char *const *)((const char *)base + k->offset);
	default:
		return false;
	}
}

static void dump_scope(FILE *f, const struct cr_plan *plan, enum key_scope scope, const void *base)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		cleanup_free char *v = NULL;

		if (keys[i].scope != scope || unset(&keys[i], base))
			continue;
		v = format_value(&keys[i], plan, base);
		fprintf(f, "%s = %s\n", keys[i].name, v);
	}
}

char *cr_plan_dump(const struct cr_plan *plan)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fprintf(f, "[run]\n");
	dump_scope(f, plan, S_RUN, plan);
	fprintf(f, "\n[suite]\n");
	dump_scope(f, plan, S_SUITE, plan);
	for (size_t g = 0; g < plan->n_guests; g++) {
		fprintf(f, "\n[guest %s]\n", plan->guests[g].name);
		dump_scope(f, plan, S_GUEST, &plan->guests[g]);
	}
	if (fclose(f) != 0)
		abort();
	return buf;
}

static json_t *json_value(const struct key *k, const struct cr_plan *plan, const void *base)
{
	const void *field = (const char *)base + k->offset;

	switch (k->type) {
	case T_NAME:
	case T_ENUM:
	case T_NESTED:
	case T_SOURCE:
	case T_SHA256:
	case T_URI:
	case T_POOL:
		break;
	case T_SET: {
		uint32_t bits = *(const uint32_t *)field;
		json_t *a = json_array();

		for (size_t i = 0; i < k->n_choices; i++)
			if (bits & (1u << i))
				json_array_append_new(a, json_string(k->choices[i]));
		return a;
	}
	case T_SEED:
		if (!plan->seed_set)
			return json_null();
		/* fall through */
	case T_U64:
	case T_SIZE:
	case T_DURATION:
		/* jansson integers are signed 64-bit; plan bounds keep every value but the seed below 2^63 */
		if (*(const uint64_t *)field > INT64_MAX)
			break;
		return json_integer((json_int_t) * (const uint64_t *)field);
	case T_BOOL:
		return json_boolean(*(const bool *)field);
	}
	{
		cleanup_free char *s = format_value(k, plan, base);

		return json_string(s);
	}
}

static json_t *json_scope(const struct cr_plan *plan, enum key_scope scope, const void *base)
{
	json_t *o = json_object();

	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].scope == scope && !unset(&keys[i], base))
			json_object_set_new(o, keys[i].name, json_value(&keys[i], plan, base));
	return o;
}

json_t *cr_plan_to_json(const struct cr_plan *plan)
{
	json_t *guests = json_array();

	for (size_t g = 0; g < plan->n_guests; g++) {
		json_t *o = json_scope(plan, S_GUEST, &plan->guests[g]);

		json_object_set_new(o, "name", json_string(plan->guests[g].name));
		json_array_append_new(guests, o);
	}
	return json_pack("{s:s, s:o, s:o, s:o}", "path", plan->path, "run", json_scope(plan, S_RUN, plan), "suite",
			 json_scope(plan, S_SUITE, plan), "guests", guests);
}

bool cr_guest_nested(const struct cr_guest_plan *g)
{
	return g->nested == CR_NESTED_YES || (g->nested == CR_NESTED_AUTO && strcmp(g->runtime, "kata") == 0);
}

bool cr_plan_per_step(const struct cr_plan *plan)
{
	return plan->boot && strcmp(plan->boot, "per-step") == 0;
}

bool cr_test_runs_containers(enum cr_test t)
{
	return t != CR_TEST_ENV && t != CR_TEST_CPU_MEM;
}

bool cr_plan_runs_containers(const struct cr_plan *p)
{
	for (int t = 0; t < CR_TEST__MAX; t++)
		if ((p->tests & (1u << t)) && cr_test_runs_containers((enum cr_test)t))
			return true;
	return false;
}
