/* Unit tests for the plan parser: shipped plans, profiles, every kind of refusal, dump round trip. */
#include <jansson.h>

#include "test.h"

#include "plan.h"

static const char minimal[] =
	"[suite]\n"
	"profile = smoke\n"
	"\n"
	"[guest runc]\n"
	"image = debian-12\n"
	"runtime = runc\n";

static struct cr_plan *parse_ok(const char *text)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_plan *plan = NULL;

	if (cr_plan_parse("t.ini", text, strlen(text), &plan, &err) < 0)
		fail_msg("unexpected error: %s", err->msg);
	return plan;
}

static void plan_free_ok(const char *text)
{
	cr_plan_free(parse_ok(text));
}

/* The plan must be refused with exactly this message; *out stays untouched. */
static void expect_error(const char *text, const char *msg)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_plan *sentinel = (struct cr_plan *)0x1;
	struct cr_plan *plan = sentinel;

	assert_int_equal(cr_plan_parse("t.ini", text, strlen(text), &plan, &err), -1);
	assert_ptr_equal(plan, sentinel);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
}

static void shipped_plans(void **state)
{
	/* clang-format off */
	static const struct {
		const char *name, *profile, *image, *runtimes[4];
	} shipped[] = {
		{ "smoke", "smoke", "debian-12", { "runc", "runsc" } },
		{ "default", "standard", "debian-12", { "runc", "runsc" } },
		{ "runtimes", "standard", "debian-12", { "runc", "crun", "runsc" } },
		{ "paper", "paper", "ubuntu-18.04", { "runc", "kata" } },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(shipped); i++) {
		const char *src = getenv("SRCDIR");
		cleanup_free char *path = xasprintf("%s/images/plans/%s.ini", src ? src : ".", shipped[i].name);
		cleanup_error cr_error_t err = NULL;
		cleanup_plan struct cr_plan *plan = NULL;
		size_t n = 0;

		if (cr_plan_load(path, &plan, &err) < 0)
			fail_msg("%s", err->msg);
		assert_string_equal(plan->name, shipped[i].name);
		assert_string_equal(plan->profile, shipped[i].profile);
		while (n < ARRAY_SIZE(shipped[i].runtimes) && shipped[i].runtimes[n])
			n++;
		assert_int_equal(plan->n_guests, n);
		for (size_t g = 0; g < n; g++) {
			assert_string_equal(plan->guests[g].runtime, shipped[i].runtimes[g]);
			assert_string_equal(plan->guests[g].image, shipped[i].image);
			/* every guest alike, as comparisons need */
			assert_int_equal(plan->guests[g].vcpus, plan->guests[0].vcpus);
			assert_int_equal(plan->guests[g].memory, plan->guests[0].memory);
		}
		if (strcmp(shipped[i].name, "paper") == 0) {
			/* Cochak & Miers' guests, both papers' 15 repetitions, Kata's tarball from the cache, no checksum shipped */
			assert_int_equal(plan->guests[1].vcpus, 2);
			assert_int_equal(plan->guests[1].memory, 4ULL << 30);
			assert_int_equal(plan->repetitions, 15);
			assert_int_equal(plan->tests, (1u << CR_TEST__MAX) - 1);
			assert_string_equal(plan->guests[1].kata_tarball, CR_KATA_TARBALL);
			assert_null(plan->guests[1].kata_sha256);
		}
	}
}

static void defaults_and_profile(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(minimal);

	assert_string_equal(plan->name, "t");
	assert_false(plan->seed_set);
	assert_string_equal(plan->profile, "smoke");
	/* the smoke profile's values */
	assert_int_equal(plan->repetitions, 2);
	assert_int_equal(plan->warmup, 1);
	assert_int_equal(plan->bonnie_size, 32ULL << 20);
	assert_int_equal(plan->timeout, 2700);
	/* format defaults */
	assert_int_equal(plan->tests, (1u << CR_TEST__MAX) - 1);
	assert_int_equal(plan->net_pairs, (1u << CR_NET__MAX) - 1);
	assert_int_equal(plan->container_cpus, 1);
	assert_int_equal(plan->progress_timeout, 600);
	assert_string_equal(plan->boot, "once");
	assert_false(cr_plan_per_step(plan));
	assert_int_equal(plan->guests[0].vcpus, 2);
	assert_int_equal(plan->guests[0].memory, 4ULL << 30);
	assert_int_equal(plan->guests[0].nested, CR_NESTED_AUTO);
	assert_int_equal(plan->guests[0].line, 4);
}

static void explicit_keys_win(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"[run]\n"
		"name = mine\n"
		"seed = 18446744073709551615\n"
		"timeout = 2h\n"
		"parallel = yes\n"
		"[suite]\n"
		"repetitions = 7 ; inline comment\n"
		"profile = paper\n"
		"tests = disk,boot\n"
		"net-pairs = host-bridge\n"
		"net-load = stress\n"
		"bonnie-size = 4G\n"
		"# a comment\n"
		"[guest kata]\n"
		"image = ubuntu-18.04\n"
		"runtime = kata\n"
		"vcpus = 4\n"
		"memory = 8G\n"
		"nested = yes\n"
		"kata-tarball = kata-static-1.12.1-x86_64.tar.xz\n");

	assert_string_equal(plan->name, "mine");
	assert_true(plan->seed_set);
	assert_true(plan->seed == UINT64_MAX);
	assert_int_equal(plan->timeout, 7200);
	assert_true(plan->parallel);
	assert_int_equal(plan->repetitions, 7);	    /* written: wins over paper's 15 */
	assert_int_equal(plan->warmup, 1);	    /* from paper */
	assert_int_equal(plan->test_timeout, 3600); /* from paper */
	assert_int_equal(plan->tests, (1u << CR_TEST_DISK) | (1u << CR_TEST_BOOT));
	assert_int_equal(plan->net_pairs, 1u << CR_NET_HOST_BRIDGE);
	assert_int_equal(plan->net_loads, 1u << CR_LOAD_STRESS);
	assert_int_equal(plan->bonnie_size, 4ULL << 30);
	assert_string_equal(plan->guests[0].name, "kata");
	assert_string_equal(plan->guests[0].image, "ubuntu-18.04");
	assert_int_equal(plan->guests[0].vcpus, 4);
	assert_int_equal(plan->guests[0].memory, 8ULL << 30);
	assert_int_equal(plan->guests[0].nested, CR_NESTED_YES);
	assert_string_equal(plan->guests[0].kata_tarball, "kata-static-1.12.1-x86_64.tar.xz");
	assert_int_equal(plan->guests[0].kata_tarball_line, 20);
	assert_null(plan->guests[0].kata_sha256); /* valid here; the preflight refuses it */
	assert_string_equal(plan->guests[0].kata_shared_fs, "virtio-9p");
}

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* A guest's libvirt host: connect, pool, upload; kept in dumps and JSON only when given, each value checked. */
static void host_keys(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"[suite]\nprofile = smoke\n"
		"[guest a]\nimage = debian-12\nruntime = runc\n"
		"[guest b]\nimage = debian-12\nruntime = runc\n"
		"connect = qemu+unix:///session?socket=/run/user/1000/libvirt/libvirt-sock\npool = Pool_2.x\nupload = yes\n");
	cleanup_plan struct cr_plan *again = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = cr_plan_dump(plan), *text2 = NULL;
	json_t *j = cr_plan_to_json(plan), *guests = json_object_get(j, "guests");

	assert_null(plan->guests[0].connect);
	assert_null(plan->guests[0].upload);
	assert_string_equal(plan->guests[1].connect, "qemu+unix:///session?socket=/run/user/1000/libvirt/libvirt-sock");
	assert_string_equal(plan->guests[1].pool, "Pool_2.x");
	assert_string_equal(plan->guests[1].upload, "yes");
	assert_true(strstr(text, "connect = ") > strstr(text, "[guest b]"));
	assert_null(json_object_get(json_array_get(guests, 0), "connect"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(guests, 1), "pool")), "Pool_2.x");
	json_decref(j);
	if (cr_plan_parse("dump.ini", text, strlen(text), &again, &err) < 0)
		fail_msg("dump does not parse back: %s", err->msg);
	text2 = cr_plan_dump(again);
	assert_string_equal(text, text2);
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = { "kvmhost", "://h/system", "qemu+ssh://h/a b", "qemu:///system;x", "Qemu:///system" };
		cleanup_free char *t = xasprintf("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\nconnect = %s\n", bad[i]);
		cleanup_free char *m =
			xasprintf("t.ini:6: bad value '%s' for 'connect': expected a libvirt URI such as qemu+ssh://HOST/system", bad[i]);

		expect_error(t, m);
	}
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\npool = -x\n",
		     "t.ini:6: bad value '-x' for 'pool': expected a storage pool name of letters, digits, '.', '_' and '-'");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\nupload = maybe\n",
		     "t.ini:6: bad value 'maybe' for 'upload': expected yes or no");
}

static void kata_keys(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"[suite]\nprofile = paper\n"
		"[guest runc]\nimage = ubuntu-18.04\nruntime = runc\n"
		"[guest kata]\nimage = ubuntu-18.04\nruntime = kata\n"
		"kata-tarball = https://example.org/r/1.12.1/kata-static-1.12.1-x86_64.tar.xz\n"
		"kata-sha256 = 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ABCDEF\n"
		"kata-shared-fs = virtio-fs\n"
		"[guest kata2]\nimage = ubuntu-18.04\nruntime = kata\n"
		"kata-tarball = https://example.org/r/1.12.1/kata-static-1.12.1-x86_64.tar.xz\n"
		"kata-sha256 = " SHA_A "\n");
	cleanup_plan struct cr_plan *again = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = cr_plan_dump(plan);
	cleanup_free char *text2 = NULL;
	json_t *j = cr_plan_to_json(plan), *guests = json_object_get(j, "guests");

	assert_null(plan->guests[0].kata_tarball);
	assert_string_equal(plan->guests[1].kata_sha256, SHA_A); /* lower-cased */
	assert_int_equal(plan->guests[1].kata_sha256_line, 10);
	assert_string_equal(plan->guests[1].kata_shared_fs, "virtio-fs");
	assert_string_equal(plan->guests[2].kata_shared_fs, "virtio-9p");
	/* the keys of other runtimes' guests are left out of dumps and JSON */
	assert_true(strstr(text, "kata-") > strstr(text, "[guest kata]"));
	assert_non_null(strstr(text, "kata-sha256 = " SHA_A "\nkata-shared-fs = virtio-fs\n"));
	assert_null(json_object_get(json_array_get(guests, 0), "kata-tarball"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(guests, 1), "kata-sha256")), SHA_A);
	json_decref(j);
	if (cr_plan_parse("dump.ini", text, strlen(text), &again, &err) < 0)
		fail_msg("dump does not parse back: %s", err->msg);
	text2 = cr_plan_dump(again);
	assert_string_equal(text, text2);

	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=kata\n",
		     "t.ini:3: [guest a] runs Kata and lacks required key 'kata-tarball': expected the Kata Containers 1.12.1 static "
		     "release tarball (kata-static-1.12.1-x86_64.tar.xz): a path, a file name in the cache's downloads/ directory, "
		     "or an http://, https:// or file:// URL");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\nkata-sha256 = " SHA_A "\n",
		     "t.ini:6: 'kata-sha256' is only for runtime = kata; [guest a] runs runc");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nkata-tarball = k.tar.xz\nruntime=runsc\n",
		     "t.ini:5: 'kata-tarball' is only for runtime = kata; [guest a] runs runsc");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=kata\nkata-tarball = k.tar.xz\nkata-sha256 = abc\n",
		     "t.ini:7: bad value 'abc' for 'kata-sha256': expected the tarball's SHA-256: 64 hexadecimal digits");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=kata\nkata-tarball = k.tar.xz\nkata-shared-fs = 9p\n",
		     "t.ini:7: bad value '9p' for 'kata-shared-fs': expected virtio-9p or virtio-fs");
	for (size_t i = 0; i < 6; i++) {
		/* ';' right after '=' is no comment to inih, but would be one in the plan's dump (a fuzzer found it) */
		static const char *const bad[] = { "ftp://h/k.tar.xz", "https://h/", "https://h/k.tar.xz?x=1", "dir/",
						   ";k.tar.xz",	       "a;b.tar.xz" };
		cleanup_free char *t = xasprintf("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=kata\nkata-tarball=%s\n", bad[i]);
		cleanup_free char *m = xasprintf(
			"t.ini:6: bad value '%s' for 'kata-tarball': expected the Kata Containers 1.12.1 "
			"static release tarball (kata-static-1.12.1-x86_64.tar.xz): a path, a file name in the "
			"cache's downloads/ directory, or an http://, https:// or file:// URL",
			bad[i]);

		expect_error(t, m);
	}
	expect_error(
		"[suite]\nprofile = smoke\n"
		"[guest a]\nimage=d\nruntime=kata\nkata-tarball = k.tar.xz\nkata-sha256 = " SHA_A
		"\n"
		"[guest b]\nimage=d\nruntime=kata\nkata-tarball = k.tar.xz\nkata-sha256 = " SHA_B "\n",
		"t.ini:11: [guest b] gives image 'd' another Kata than [guest a] (line 6): guests of one image boot the same "
		"disk and share its kata-tarball and kata-sha256");
	/* another image may hold another Kata */
	plan_free_ok(
		"[suite]\nprofile = smoke\n"
		"[guest a]\nimage=d\nruntime=kata\nkata-tarball = k.tar.xz\nkata-sha256 = " SHA_A
		"\n"
		"[guest b]\nimage=e\nruntime=kata\nkata-tarball = /srv/k.tar.xz\nkata-sha256 = " SHA_B "\n");
}

static void boot_per_step(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"[run]\nboot = per-step\n[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\n");
	cleanup_free char *dump = cr_plan_dump(plan);

	assert_true(cr_plan_per_step(plan));
	assert_non_null(strstr(dump, "\nboot = per-step\n"));
	expect_error("[run]\nboot = twice\n[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:2: bad value 'twice' for 'boot': expected once or per-step");
}

static void refusals(void **state)
{
	expect_error("[suite]\nprofile = smoke\nrepetitons = 3\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: unknown key 'repetitons' in [suite]: expected one of profile, tests, net-pairs, net-load, "
		     "repetitions, warmup, bonnie-size, bonnie-direct, iperf-seconds, sockperf-seconds, idle-seconds, container-cpus, "
		     "container-memory, test-timeout");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\nvcpus = 0\n",
		     "t.ini:6: bad value '0' for 'vcpus': expected an integer from 1 to 256");
	expect_error("[suite]\nprofile = fast\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:2: bad value 'fast' for 'profile': expected smoke, standard or paper");
	expect_error("[suite]\nprofile = smoke\nbonnie-size = 2 GB\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: bad value '2 GB' for 'bonnie-size': expected a size from 16M to 1T, such as 2G");
	expect_error("[suite]\nprofile = smoke\ntests = boot,dsk\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: bad value 'dsk' in 'tests': expected 'all' or a comma-separated list of env, boot, disk, "
		     "cpu-mem, net-io, net-matrix");
	expect_error("[suite]\nprofile = smoke\ntests = boot,boot\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: 'boot' listed twice in 'tests'");
	expect_error("[suite]\nprofile = smoke\ntests =\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: bad value '' in 'tests': expected 'all' or a comma-separated list of env, boot, disk, "
		     "cpu-mem, net-io, net-matrix");
	expect_error("[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:3: missing section [suite]: every plan chooses its suite, at least 'profile = smoke|standard|paper'");
	expect_error("[suite]\nprofile = smoke\n",
		     "t.ini:2: missing section [guest NAME]: a plan boots at least one guest (keys image and runtime)");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\n[guest b]\nimage=d\nruntime=runc\n",
		     "t.ini:3: [guest a] lacks required key 'runtime': expected runc, crun, runsc or kata");
	/* an empty section is seen although inih never reports it */
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=runc\n[guest b]\n",
		     "t.ini:6: [guest b] lacks required key 'image': expected an image recipe name such as debian-12 (images/<name>.conf)");
	expect_error("[suite]\n[guest a]\nimage=d\nruntime=runc\n",
		     "t.ini:1: [suite] lacks required key 'profile': expected smoke, standard or paper");
	expect_error("[suite]\nprofile = smoke\nprofile = paper\n", "t.ini:3: duplicate key 'profile' in [suite] (first set on line 2)");
	expect_error("[suite]\nprofile = smoke\n[suite]\n", "t.ini:3: duplicate section [suite] (first on line 1)");
	expect_error("[suite]\nprofile = smoke\n[guests a]\n",
		     "t.ini:3: unknown section [guests a]: expected [run], [suite] or [guest NAME]");
	expect_error("[guest A]\n",
		     "t.ini:1: bad guest name 'A' in [guest A]: expected lower-case letters, digits, '.', '_' and '-', at most 32");
	expect_error("seed = 1\n[suite]\n", "t.ini:1: key 'seed' outside of any section: put it under [run], [suite] or [guest NAME]");
	expect_error("[suite]\nprofile smoke\n", "t.ini:2: syntax error: expected '[section]', 'key = value' or a comment");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=d\nruntime=docker\n",
		     "t.ini:5: bad value 'docker' for 'runtime': expected runc, crun, runsc or kata");
	expect_error("[run]\nseed = -1\n", "t.ini:2: bad value '-1' for 'seed': expected an unsigned 64-bit integer or 'random'");
	expect_error("[suite]\nprofile = smoke\ncontainer-cpus = 4\n[guest a]\nimage=d\nruntime=runc\nvcpus=2\n",
		     "t.ini:4: [guest a] has 2 vCPUs, fewer than container-cpus = 4");
	expect_error("[suite]\nprofile = smoke\ncontainer-memory = 2G\n[guest a]\nimage=d\nruntime=runc\nmemory=2G\n",
		     "t.ini:4: [guest a] memory 2G is not above container-memory = 2G");
	expect_error("[suite]\nprofile = smoke\n[guest a]\nimage=../etc\nruntime=runc\n",
		     "t.ini:4: bad value '../etc' for 'image': expected an image recipe name such as debian-12 (images/<name>.conf)");
}

static void first_error_wins(void **state)
{
	/* line 2 and line 4 are both wrong: the first is reported */
	expect_error("[suite]\nbogus = 1\nprofile = smoke\nalso-bogus = 2\n",
		     "t.ini:2: unknown key 'bogus' in [suite]: expected one of profile, tests, net-pairs, net-load, "
		     "repetitions, warmup, bonnie-size, bonnie-direct, iperf-seconds, sockperf-seconds, idle-seconds, container-cpus, "
		     "container-memory, test-timeout");
}

static void long_and_binary_lines(void **state)
{
	cleanup_free char *line = xcalloc(1, 400);
	cleanup_free char *text = NULL;
	char with_nul[] = "[suite]\nprofile = smoke\0x\n";
	cleanup_error cr_error_t err = NULL;
	struct cr_plan *plan = NULL;

	memset(line, 'a', 300);
	text = xasprintf("[suite]\nprofile = smoke\n# %s\n", line);
	expect_error(text, "t.ini:3: line too long: at most 197 characters");

	assert_int_equal(cr_plan_parse("t.ini", with_nul, sizeof(with_nul) - 1, &plan, &err), -1);
	assert_string_equal(err->msg, "t.ini:2: NUL byte in line");
}

static void crlf_and_bom(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"\xEF\xBB\xBF[suite]\r\nprofile = smoke\r\n[guest a]\r\nimage = d\r\nruntime = crun\r\n");

	assert_string_equal(plan->guests[0].runtime, "crun");
	assert_string_equal(plan->guests[0].image, "d");
}

static void dump_round_trip(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(
		"[run]\nseed = 42\ntimeout = 90m\nprogress-timeout = 45s\n"
		"[suite]\nprofile = standard\ntests = net-matrix\n"
		"container-memory = 1536M\n"
		"[guest x]\nimage = debian-12\nruntime = runsc\nnested = no\n"
		"[guest y]\nimage = debian-12\nruntime = runc\n");
	cleanup_plan struct cr_plan *again = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = cr_plan_dump(plan);
	cleanup_free char *text2 = NULL;

	assert_non_null(strstr(text, "timeout = 90m\n"));
	assert_non_null(strstr(text, "progress-timeout = 45s\n"));
	assert_non_null(strstr(text, "container-memory = 1536M\n"));
	assert_non_null(strstr(text, "[guest y]\n"));
	if (cr_plan_parse("dump.ini", text, strlen(text), &again, &err) < 0)
		fail_msg("dump does not parse back: %s", err->msg);
	assert_int_equal(again->seed, 42);
	assert_int_equal(again->timeout, 5400);
	assert_int_equal(again->tests, 1u << CR_TEST_NET_MATRIX);
	assert_int_equal(again->guests[0].nested, CR_NESTED_NO);
	text2 = cr_plan_dump(again);
	assert_string_equal(text, text2);
}

static void to_json(void **state)
{
	cleanup_plan struct cr_plan *plan = parse_ok(minimal);
	json_t *j = cr_plan_to_json(plan);
	json_t *g;

	assert_string_equal(json_string_value(json_object_get(j, "path")), "t.ini");
	assert_true(json_is_null(json_object_get(json_object_get(j, "run"), "seed")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "suite"), "bonnie-size")), 32 << 20);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "suite"), "tests")), CR_TEST__MAX);
	g = json_array_get(json_object_get(j, "guests"), 0);
	assert_string_equal(json_string_value(json_object_get(g, "name")), "runc");
	assert_string_equal(json_string_value(json_object_get(g, "runtime")), "runc");
	assert_string_equal(json_string_value(json_object_get(g, "nested")), "auto");
	json_decref(j);
}

static void missing_file(void **state)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_plan *plan = NULL;

	assert_int_equal(cr_plan_load("/nonexistent/p.ini", &plan, &err), -1);
	assert_string_equal(err->msg, "cannot load plan: cannot open '/nonexistent/p.ini': No such file or directory");
}

/* docs/plan.md documents every key the parser knows. */
static void documented(void **state)
{
	const char *src = getenv("SRCDIR");
	cleanup_free char *path = xasprintf("%s/docs/plan.md", src ? src : ".");
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *doc = xcalloc(1, 1 << 20);
	const struct cr_plan_key_info *keys;
	size_t n = cr_plan_keys(&keys);

	assert_non_null(f);
	assert_true(fread(doc, 1, (1 << 20) - 1, f) > 0);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *needle = xasprintf("| `%s` |", keys[i].name);

		if (!strstr(doc, needle))
			fail_msg("docs/plan.md does not document [%s] %s", keys[i].section, keys[i].name);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_plans),
		cmocka_unit_test(defaults_and_profile),
		cmocka_unit_test(explicit_keys_win),
		cmocka_unit_test(host_keys),
		cmocka_unit_test(kata_keys),
		cmocka_unit_test(boot_per_step),
		cmocka_unit_test(refusals),
		cmocka_unit_test(first_error_wins),
		cmocka_unit_test(long_and_binary_lines),
		cmocka_unit_test(crlf_and_bom),
		cmocka_unit_test(dump_round_trip),
		cmocka_unit_test(to_json),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(documented),
	};
	/* clang-format on */

	return tap_run("plan", tests);
}
