/* Unit tests of the results disk: sha256, names, manifest, the agent's writer and the host's hardened reader. */
#include "test.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harvest.h"
#include "results.h"
#include "sha256.h"

/* ---- helpers ---- */

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/crbench-test-results-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory, joined by ' ' ("" when empty). */
static char *listing(const char *dir)
{
	char **names = NULL;
	size_t n = 0, len = 1;
	struct dirent *e;
	DIR *d = opendir(dir);
	char *out;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
		len += strlen(e->d_name) + 1;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	out = xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			memcpy(out + strlen(out), " ", 2);
		memcpy(out + strlen(out), names[i], strlen(names[i]) + 1);
		free(names[i]);
	}
	free(names);
	return out;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	assert_non_null(f);
	do {
		if (cap - *len < 65536)
			buf = xrealloc(buf, cap = cap * 2 + 65536);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf;
}

static void spill(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *make_disk(const char *dir, const char *name, off_t size)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	return path;
}

static bool file_equals(const char *path, const void *data, size_t len)
{
	size_t got_len;
	cleanup_free uint8_t *got = slurp(path, &got_len);

	return got_len == len && (len == 0 || memcmp(got, data, len) == 0);
}

static bool list_has(char *const *list, const char *needle)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strstr(list[i], needle))
			return true;
	return false;
}

/* ---- sha256 ---- */

static void sha256_vectors(void **state)
{
	char hex[CR_SHA256_HEX_LEN + 1];
	cleanup_free char *million = xmalloc(1000000);
	struct cr_sha256 ctx;
	uint8_t d[CR_SHA256_LEN];

	/* FIPS 180-2 appendix B */
	cr_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	cr_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	cr_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* fed in uneven pieces, the digest is the same */
	cr_sha256_init(&ctx);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 3 % 1000 + 1)
		cr_sha256_update(&ctx, million + off, off + step > 1000000 ? 1000000 - off : step);
	cr_sha256_final(&ctx, d);
	cr_sha256_to_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- names and manifest ---- */

static void step_names(void **state)
{
	(void)state;
	assert_true(cr_results_step_name("0001-env-r1.json"));
	assert_true(cr_results_step_name("0042-x.json"));
	assert_false(cr_results_step_name("environment.json"));
	assert_false(cr_results_step_name("001-env-r1.json"));
	assert_false(cr_results_step_name("00001-env-r1.json"));
	assert_false(cr_results_step_name("0001env-r1.json"));
	assert_false(cr_results_step_name("0001-env-r1.txt"));
	assert_false(cr_results_step_name("0001-.json"));
	assert_false(cr_results_step_name(""));
}

static void names(void **state)
{
	char longest[CR_RESULTS_NAME_MAX + 2];

	assert_true(cr_results_name_valid("0007-boot-httpd.json"));
	assert_true(cr_results_name_valid("environment.json"));
	assert_true(cr_results_name_valid("MANIFEST.json"));
	assert_true(cr_results_name_valid("a..b"));
	assert_false(cr_results_name_valid(""));
	assert_false(cr_results_name_valid(".hidden"));
	assert_false(cr_results_name_valid(".."));
	assert_false(cr_results_name_valid("a/b"));
	assert_false(cr_results_name_valid("a b"));
	assert_false(cr_results_name_valid("caf\xc3\xa9"));
	memset(longest, 'x', sizeof(longest));
	longest[CR_RESULTS_NAME_MAX] = '\0';
	assert_true(cr_results_name_valid(longest));
	longest[CR_RESULTS_NAME_MAX] = 'x';
	longest[CR_RESULTS_NAME_MAX + 1] = '\0';
	assert_false(cr_results_name_valid(longest));
}

static void manifest_format(void **state)
{
	/* clang-format off */
	struct cr_results_manifest_entry e[2] = {
		{ (char *)"a.json", 3, "" },
		{ (char *)"b.json", 0, "" },
	};
	/* clang-format on */
	struct cr_results_manifest m = { e, 2 }, back;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *text = NULL;
	/* clang-format off */
	static const char *const bad[] = {
		"",
		"[]",
		"{\"format\":\"crbench-results\",\"version\":2,\"entries\":[]}",
		"{\"format\":\"other\",\"version\":1,\"entries\":[]}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":{}}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":[{\"name\":\"../x\",\"size\":1,\"sha256\":"
		"\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}]}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":[{\"name\":\"x\",\"size\":-1,\"sha256\":"
		"\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}]}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":[{\"name\":\"x\",\"size\":1,\"sha256\":"
		"\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}]}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":[{\"name\":\"x\",\"size\":1,\"sha256\":"
		"\"e3b0\"}]}",
		"{\"format\":\"crbench-results\",\"version\":1,\"entries\":[{\"name\":\"x\",\"size\":1,\"sha256\":"
		"\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"},{\"name\":\"x\",\"size\":1,"
		"\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}]}",
		"{\"format\":\"crbench-results\",\"format\":\"crbench-results\",\"version\":1,\"entries\":[]}",
	};
	/* clang-format on */

	cr_sha256_hex("abc", 3, e[0].sha256);
	cr_sha256_hex("", 0, e[1].sha256);
	text = cr_results_manifest_dump(&m);
	assert_int_equal(cr_results_manifest_parse(text, strlen(text), &back, &err), 0);
	assert_int_equal(back.n_entries, 2);
	assert_string_equal(back.entries[0].name, "a.json");
	assert_int_equal(back.entries[0].size, 3);
	assert_string_equal(back.entries[0].sha256, e[0].sha256);
	assert_string_equal(back.entries[1].sha256, e[1].sha256);
	cr_results_manifest_release(&back);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cr_results_manifest_parse(bad[i], strlen(bad[i]), &back, &err), -1);
		assert_non_null(err);
		assert_int_equal(back.n_entries, 0);
	}
}

/* ---- writer and reader ---- */

struct sample {
	const char *name;
	const char *data;
	size_t len;
};

/* clang-format off */
static const struct sample samples[] = {
	{ "0001-boot-httpd.json", "{\"seconds\": 0.633}\n", 19 },
	{ "0002-empty", "", 0 },
	{ "0003-exactly-one-block.bin", NULL, 512 },
	{ "0004-binary.bin", "\0\1\2\3\0\0\377", 7 },
	{ "0005-a-name-of-exactly-one-hundred-characters-which-still-fits-the-ustar-name-field-alone-xxxxxxxxx",
	  "long name\n", 10 },
};
/* clang-format on */

static const void *sample_data(const struct sample *s)
{
	static char block[512];

	if (!s->data) {
		for (size_t i = 0; i < sizeof(block); i++)
			block[i] = (char)('a' + i % 26);
		return block;
	}
	return s->data;
}

static void write_samples(struct cr_results_writer *w, size_t n)
{
	cleanup_error cr_error_t err = NULL;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(cr_results_append(w, samples[i].name, sample_data(&samples[i]), samples[i].len, &err), 0);
}

/* Text cut in the middle of a character, or not UTF-8 at all, still becomes a JSON string, readable. */
static void json_text_lossy(void **state)
{
	/* clang-format off */
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },	      /* valid UTF-8 kept */
		{ "cut \xe2\x82", "cut ??" },	      /* "%.300s" in the middle of a 3-byte character */
		{ "latin1 \xe9t\xe9", "latin1 ?t?" },  /* not UTF-8 at all */
		{ "\xc0\xaf overlong", "?? overlong" }, /* jansson refuses overlong forms: ASCII only */
		{ "", "" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *j = cr_json_text(cases[i].in);

		assert_true(json_is_string(j));
		assert_string_equal(json_string_value(j), cases[i].want);
		json_decref(j);
	}
	assert_true(json_is_null(cr_json_text(NULL)));
}

/* A document whose indented form would pass the entry cap (a deep one: 200 spaces a line) is written compact. */
static void large_json_goes_compact(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "big.img", 4 << 20);
	cleanup_error cr_error_t err = NULL;
	cleanup_results_writer struct cr_results_writer *w = NULL;
	json_t *doc = json_array(), *inner = doc;
	cleanup_free char *indented = NULL;

	for (int d = 0; d < 100; d++) {
		json_t *a = json_array();

		json_array_append_new(inner, a);
		inner = a;
	}
	for (int i = 0; i < 350000; i++)
		json_array_append_new(inner, json_integer(1));
	indented = json_dumps(doc, JSON_INDENT(2));
	assert_true(strlen(indented) > CR_RESULTS_MAX_ENTRY_SIZE);
	assert_int_equal(cr_results_writer_open(disk, &w, &err), 0);
	assert_int_equal(cr_results_append_json(w, "0001-deep-r1.json", doc, &err), 0);
	assert_int_equal(cr_results_finish(w, &err), 0);
	json_decref(doc);
	rm_rf(dir);
}

static void round_trip(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "runc.img", 1 << 20);
	cleanup_free char *out = xasprintf("%s/out", dir);
	cleanup_free char *cmd = NULL, *names = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_results_writer struct cr_results_writer *w = NULL;
	struct cr_harvest_report r;
	json_t *env = json_pack("{s:s, s:i}", "kernel", "6.1.0-18-amd64", "vcpus", 4);
	struct stat st;

	assert_int_equal(cr_results_name_valid(samples[4].name), true);
	assert_int_equal(cr_results_writer_open(disk, &w, &err), 0);
	assert_int_equal(cr_results_append_json(w, CR_RESULTS_ENVIRONMENT, env, &err), 0);
	json_decref(env);
	write_samples(w, ARRAY_SIZE(samples));
	/* the writer refuses what the reader would refuse */
	assert_int_equal(cr_results_append(w, "../x", "x", 1, &err), -1);
	assert_int_equal(cr_results_append(w, CR_RESULTS_MANIFEST, "x", 1, &err), -1);
	assert_int_equal(cr_results_append(w, samples[0].name, "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "already in the archive"));
	assert_int_equal(cr_results_finish(w, &err), 0);
	assert_int_equal(cr_results_append(w, "late.json", "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "closed"));
	cr_results_writer_free(steal_pointer(&w));
	/* the disk keeps its size: the writer never grows a sized disk */
	assert_int_equal(stat(disk, &st), 0);
	assert_int_equal(st.st_size, 1 << 20);

	assert_int_equal(cr_harvest_disk(disk, out, &r, &err), 0);
	assert_int_equal(cr_harvest_status(&r), CR_HARVEST_VERIFIED);
	assert_int_equal(r.manifest, CR_MANIFEST_OK);
	assert_false(r.truncated);
	assert_false(r.capped);
	assert_int_equal(r.n_refused, 0);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_entries, ARRAY_SIZE(samples) + 1);
	assert_string_equal(r.entries[0].name, CR_RESULTS_ENVIRONMENT);
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		cleanup_free char *path = xasprintf("%s/%s", out, samples[i].name);

		assert_string_equal(r.entries[i + 1].name, samples[i].name);
		assert_true(r.entries[i + 1].verified);
		assert_true(file_equals(path, sample_data(&samples[i]), samples[i].len));
	}
	cr_harvest_report_release(&r);
	names = listing(out);
	assert_string_equal(names,
			    "0001-boot-httpd.json 0002-empty 0003-exactly-one-block.bin 0004-binary.bin "
			    "0005-a-name-of-exactly-one-hundred-characters-which-still-fits-the-ustar-name-field-"
			    "alone-xxxxxxxxx MANIFEST.json environment.json");
	/* a second harvest into the same, now full, directory is refused, not merged */
	assert_int_equal(cr_harvest_disk(disk, out, &r, &err), -1);
	assert_non_null(strstr(err->msg, "not empty"));
	cr_harvest_report_release(&r);

	/* GNU tar reads the writer's archive too (an independent reader) */
	if (access("/usr/bin/tar", X_OK) == 0 || access("/bin/tar", X_OK) == 0) {
		cmd = xasprintf("tar -tf '%s' | grep -c '^crbench-results/' | grep -qx 7", disk);
		assert_int_equal(system(cmd), 0);
	}
	rm_rf(dir);
}

/* An empty regular file has no size limit: the archive is exactly entries plus the end marker. */
static void growing_file(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "grow.img", 0);
	cleanup_error cr_error_t err = NULL;
	cleanup_results_writer struct cr_results_writer *w = NULL;
	struct stat st;

	assert_int_equal(cr_results_writer_open(disk, &w, &err), 0);
	assert_int_equal(stat(disk, &st), 0);
	assert_int_equal(st.st_size, 1024);
	write_samples(w, 2);
	/* 512 + 512 (19 bytes padded) + 512 (empty entry) */
	assert_int_equal(cr_results_writer_offset(w), 1536);
	assert_int_equal(stat(disk, &st), 0);
	assert_int_equal(st.st_size, 1536 + 1024);
	rm_rf(dir);
}

static void check_incomplete(const char *disk, const char *out, size_t n_entries, bool truncated)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_harvest_report r;

	assert_int_equal(cr_harvest_disk(disk, out, &r, &err), 0);
	assert_int_equal(cr_harvest_status(&r), CR_HARVEST_INCOMPLETE);
	assert_int_equal(r.manifest, CR_MANIFEST_MISSING);
	assert_int_equal(r.truncated, truncated);
	assert_int_equal(r.n_refused, 0);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_entries, n_entries);
	for (size_t i = 0; i < n_entries; i++) {
		cleanup_free char *path = xasprintf("%s/%s", out, samples[i].name);

		assert_string_equal(r.entries[i].name, samples[i].name);
		assert_false(r.entries[i].verified);
		assert_true(file_equals(path, sample_data(&samples[i]), samples[i].len));
	}
	cr_harvest_report_release(&r);
}

static void crash(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "crash.img", 1 << 20);
	cleanup_free char *torn = xasprintf("%s/torn.img", dir), *early = xasprintf("%s/early.img", dir);
	cleanup_free char *out1 = xasprintf("%s/out1", dir), *out2 = xasprintf("%s/out2", dir);
	cleanup_free char *out3 = xasprintf("%s/out3", dir);
	cleanup_free uint8_t *img = NULL;
	cleanup_error cr_error_t err = NULL;
	cleanup_results_writer struct cr_results_writer *w = NULL;
	uint64_t fourth;
	size_t len;

	assert_int_equal(cr_results_writer_open(disk, &w, &err), 0);
	write_samples(w, 3);
	fourth = cr_results_writer_offset(w);
	write_samples(w, 0);
	assert_int_equal(cr_results_append(w, samples[3].name, samples[3].data, samples[3].len, &err), 0);
	/* the agent dies here: no manifest, but all four finished entries survive */
	cr_results_writer_free(steal_pointer(&w));
	check_incomplete(disk, out1, 4, false);

	img = slurp(disk, &len);
	/* power lost between the two writes of the 4th entry: data there, header not yet */
	memset(img + fourth, 0, CR_TAR_BLOCK);
	spill(early, img, len);
	check_incomplete(early, out2, 3, false);

	/* a disk that reordered writes: the 4th header landed, half its data did not */
	free(img);
	img = slurp(disk, &len);
	spill(torn, img, fourth + CR_TAR_BLOCK + 3);
	check_incomplete(torn, out3, 3, true);
	rm_rf(dir);
}

static void disk_full(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "full.img", 64 << 10);
	cleanup_free char *out = xasprintf("%s/out", dir), *out2 = xasprintf("%s/out2", dir);
	cleanup_free char *data = xmalloc(10000);
	cleanup_error cr_error_t err = NULL;
	cleanup_results_writer struct cr_results_writer *w = NULL;
	struct cr_harvest_report r;
	size_t n = 0;

	memset(data, 'r', 10000);
	assert_int_equal(cr_results_writer_open(disk, &w, &err), 0);
	for (;;) {
		cleanup_free char *name = xasprintf("%04zu-iperf.json", n);

		if (cr_results_append(w, name, data, 10000, &err) < 0)
			break;
		n++;
		assert_true(n < 10);
	}
	assert_int_equal(err->code, ENOSPC);
	assert_non_null(strstr(err->msg, "cannot append entry '"));
	assert_non_null(strstr(err->msg, "No space left on device"));
	assert_true(n >= 4);
	/* what fitted is readable before the manifest is written */
	assert_int_equal(cr_harvest_disk(disk, out2, &r, &err), 0);
	assert_int_equal(cr_harvest_status(&r), CR_HARVEST_INCOMPLETE);
	assert_int_equal(r.n_entries, n);
	assert_false(r.truncated);
	cr_harvest_report_release(&r);
	/* a small entry may still fit */
	assert_int_equal(cr_results_append(w, "small.json", "{}\n", 3, &err), 0);
	n++;
	/* room for the manifest was kept all along */
	assert_int_equal(cr_results_finish(w, &err), 0);

	assert_int_equal(cr_harvest_disk(disk, out, &r, &err), 0);
	assert_int_equal(cr_harvest_status(&r), CR_HARVEST_VERIFIED);
	assert_int_equal(r.n_entries, n);
	cr_harvest_report_release(&r);
	rm_rf(dir);
}

/* A real write error (the file size limit: EFBIG) mid-append leaves the earlier entries readable. */
static void write_error(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *disk = make_disk(dir, "limit.img", 0);
	cleanup_free char *out = xasprintf("%s/out", dir);
	struct cr_harvest_report r;
	cleanup_error cr_error_t err = NULL;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim = { 40 << 10, 40 << 10 };
		struct cr_results_writer *w;
		char data[8000];
		int n = 0;

		memset(data, 'w', sizeof(data));
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) < 0 || cr_results_writer_open(disk, &w, &err) < 0)
			_exit(100);
		for (;;) {
			cleanup_free char *name = xasprintf("%04d.json", n);

			if (cr_results_append(w, name, data, sizeof(data), &err) < 0)
				break;
			n++;
		}
		if (err->code != EFBIG || !strstr(err->msg, "cannot append entry"))
			_exit(101);
		cr_results_writer_free(w);
		_exit(n);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_true(WEXITSTATUS(status) >= 3 && WEXITSTATUS(status) < 10);
	assert_int_equal(cr_harvest_disk(disk, out, &r, &err), 0);
	assert_int_equal(cr_harvest_status(&r), CR_HARVEST_INCOMPLETE);
	assert_int_equal(r.n_entries, (size_t)WEXITSTATUS(status));
	assert_false(r.truncated);
	cr_harvest_report_release(&r);
	rm_rf(dir);
}

/* ---- hostile archives ---- */

struct tarbuf {
	uint8_t *data;
	size_t len, cap;
};

static void tb_put(struct tarbuf *t, const void *p, size_t n)
{
	if (t->len + n > t->cap || !t->data) {
		t->cap = (t->len + n) * 2 + 1;
		t->data = xrealloc(t->data, t->cap);
	}
	if (p && n)
		memcpy(t->data + t->len, p, n);
	else if (n)
		memset(t->data + t->len, 0, n);
	t->len += n;
}

/* One entry declaring `declared` bytes and carrying len bytes of data. */
static void tb_entry(struct tarbuf *t, const char *path, char type, const char *link, const void *data, size_t len, uint64_t declared)
{
	uint8_t h[CR_TAR_BLOCK];

	assert_int_equal(cr_tar_header(h, path, type, declared, 0, link), 0);
	tb_put(t, h, sizeof(h));
	tb_put(t, data, len);
	tb_put(t, NULL, (CR_TAR_BLOCK - len % CR_TAR_BLOCK) % CR_TAR_BLOCK);
}

static void tb_file(struct tarbuf *t, const char *path, const char *text)
{
	tb_entry(t, path, '0', NULL, text, strlen(text), strlen(text));
}

static void tb_end(struct tarbuf *t)
{
	tb_put(t, NULL, 2 * CR_TAR_BLOCK);
}

static void tb_manifest(struct tarbuf *t, const char *const *names, const char *const *texts, size_t n)
{
	struct cr_results_manifest_entry e[8];
	struct cr_results_manifest m = { e, n };
	cleanup_free char *text = NULL;

	for (size_t i = 0; i < n; i++) {
		e[i].name = (char *)names[i];
		e[i].size = strlen(texts[i]);
		cr_sha256_hex(texts[i], strlen(texts[i]), e[i].sha256);
	}
	text = cr_results_manifest_dump(&m);
	tb_file(t, CR_RESULTS_PREFIX CR_RESULTS_MANIFEST, text);
}

/*
 * Harvest t into a fresh directory; the parent must end up holding only
 * "out", and out exactly `kept` (sorted, space-separated).
 */
static void expect(struct tarbuf *t, const char *kept, enum cr_harvest_status status, const char *refused, const char *problem,
		   struct cr_harvest_report *rep)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *out = xasprintf("%s/out", dir);
	cleanup_free char *parent = NULL, *names = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_harvest_report r;

	assert_int_equal(cr_harvest_memory(t->data, t->len, out, &r, &err), 0);
	parent = listing(dir);
	assert_string_equal(parent, "out");
	names = listing(out);
	assert_string_equal(names, kept);
	assert_int_equal(cr_harvest_status(&r), status);
	if (refused && !list_has(r.refused, refused))
		fail_msg("no refusal mentions \"%s\"; first: %s", refused, r.refused ? r.refused[0] : "(none)");
	if (problem && !list_has(r.problems, problem))
		fail_msg("no problem mentions \"%s\"; first: %s", problem, r.problems ? r.problems[0] : "(none)");
	/* whatever the guest wrote, what the host prints is plain ASCII */
	for (size_t i = 0; r.refused && r.refused[i]; i++)
		for (const char *p = r.refused[i]; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
	for (size_t i = 0; r.problems && r.problems[i]; i++)
		for (const char *p = r.problems[i]; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
	for (const char *p = r.truncation; p && *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	if (rep)
		*rep = r;
	else
		cr_harvest_report_release(&r);
	rm_rf(dir);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

#define GOOD CR_RESULTS_PREFIX "good.json"

static void hostile_paths(void **state)
{
	/* clang-format off */
	static const struct {
		const char *path, *reason;
	} cases[] = {
		{ "../escape", "refused: '..' in the path" },
		{ "/abs", "refused: absolute path" },
		{ "/" CR_RESULTS_PREFIX "abs.json", "refused: absolute path" },
		{ CR_RESULTS_PREFIX "../x", "refused: '..' in the path" },
		{ CR_RESULTS_PREFIX "..", "refused: '..' in the path" },
		{ "other/x.json", "refused: not under 'crbench-results/'" },
		{ "x.json", "refused: not under 'crbench-results/'" },
		{ CR_RESULTS_PREFIX ".hidden", "refused: unsafe name" },
		{ CR_RESULTS_PREFIX "sub/x.json", "refused: unsafe name" },
		{ CR_RESULTS_PREFIX "a b", "refused: unsafe name" },
		{ CR_RESULTS_PREFIX "\x1b[31mred", "entry 'crbench-results/\\x1b[31mred': refused: unsafe name" },
		{ CR_RESULTS_PREFIX "it's", "entry 'crbench-results/it\\x27s'" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tarbuf t = { 0 };

		tb_file(&t, GOOD, "{}\n");
		tb_file(&t, cases[i].path, "evil\n");
		tb_end(&t);
		expect(&t, "good.json", CR_HARVEST_FAILED, cases[i].reason, NULL, NULL);
	}
}

static void hostile_types(void **state)
{
	/* clang-format off */
	static const struct {
		char type;
		const char *link, *reason;
	} cases[] = {
		{ '2', "/etc/passwd", "refused: a symbolic link" },
		{ '1', GOOD, "refused: a hard link" },
		{ '3', NULL, "refused: a character device" },
		{ '4', NULL, "refused: a block device" },
		{ '6', NULL, "refused: a fifo" },
		{ '5', NULL, "refused: a directory" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tarbuf t = { 0 };

		tb_file(&t, GOOD, "{}\n");
		tb_entry(&t, CR_RESULTS_PREFIX "odd.json", cases[i].type, cases[i].link, NULL, 0, 0);
		tb_end(&t);
		expect(&t, "good.json", CR_HARVEST_FAILED, cases[i].reason, NULL, NULL);
	}
	/* the directory entry a plain `tar cf x crbench-results` would add */
	{
		struct tarbuf t = { 0 };

		tb_entry(&t, CR_RESULTS_PREFIX, '5', NULL, NULL, 0, 0);
		tb_file(&t, GOOD, "{}\n");
		tb_end(&t);
		expect(&t, "good.json", CR_HARVEST_FAILED, "entry 'crbench-results/': refused: a directory", NULL, NULL);
	}
}

/* Names that only pax headers can carry, written by libarchive itself. */
static void hostile_pax(void **state)
{
	struct tarbuf t = { 0 };
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = 1 << 20, used = 0;
	char longname[300];

	t.data = xmalloc(cap);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, t.data, cap, &used), ARCHIVE_OK);
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, CR_RESULTS_PREFIX, strlen(CR_RESULTS_PREFIX));
	longname[sizeof(longname) - 1] = '\0';
	const char *paths[] = { longname, CR_RESULTS_PREFIX "../../../../../../tmp/pax-escape", GOOD };
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, paths[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, 3);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, "{}\n", 3), 3);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	t.len = used;
	expect(&t, "good.json", CR_HARVEST_FAILED, "nnn...': refused: unsafe name", NULL, NULL);
}

static void hostile_sizes(void **state)
{
	struct tarbuf t = { 0 };
	struct cr_harvest_report r;
	cleanup_free char *kept = NULL;
	size_t klen = 0;

	/* declares 100 MiB and carries nothing: refused unread, then the archive is cut short */
	tb_file(&t, GOOD, "{}\n");
	tb_entry(&t, CR_RESULTS_PREFIX "huge.json", '0', NULL, "x", 1, 100ULL << 20);
	tb_end(&t);
	expect(&t, "good.json", CR_HARVEST_FAILED, "refused: declares 104857600 bytes, more than the limit", NULL, &r);
	assert_true(r.truncated);
	assert_true(r.capped);
	cr_harvest_report_release(&r);

	/* 20000 tiny entries: the first 10000 are kept, the rest is not even read */
	for (size_t i = 0; i < 20000; i++) {
		char path[64];

		snprintf(path, sizeof(path), CR_RESULTS_PREFIX "%05zu", i);
		tb_file(&t, path, "1");
	}
	tb_end(&t);
	kept = xcalloc(1, 10000 * 6);
	for (size_t i = 0; i < 10000; i++)
		klen += (size_t)snprintf(kept + klen, 10000 * 6 - klen, "%s%05zu", i ? " " : "", i);
	expect(&t, kept, CR_HARVEST_FAILED, NULL, "archive: more than 10000 entries, the rest was not read", &r);
	assert_int_equal(r.n_entries, 10000);
	assert_int_equal(r.n_refused, 0);
	assert_true(r.capped);
	cr_harvest_report_release(&r);
}

static void hostile_structure(void **state)
{
	static const char *const names2[] = { "good.json", "gone.json" };
	static const char *const texts2[] = { "{}\n", "{}\n" };
	static const char *const names1[] = { "good.json" };
	static const char *const lie[] = { "{\"forged\": true}\n" };
	static const char *const texts1[] = { "{}\n" };
	struct tarbuf t = { 0 };
	struct cr_harvest_report r;
	uint8_t junk[4096];

	/* truncated inside an entry: what came before is kept */
	tb_file(&t, GOOD, "{}\n");
	tb_entry(&t, CR_RESULTS_PREFIX "cut.json", '0', NULL, "0123456789", 10, 2000);
	expect(&t, "good.json", CR_HARVEST_INCOMPLETE, NULL, NULL, &r);
	assert_true(r.truncated);
	assert_non_null(strstr(r.truncation, "archive ends inside entry 'crbench-results/cut.json'"));
	cr_harvest_report_release(&r);

	/* truncated inside a header */
	tb_file(&t, GOOD, "{}\n");
	tb_file(&t, CR_RESULTS_PREFIX "next.json", "{}\n");
	t.len -= 1024 - 100;
	expect(&t, "good.json", CR_HARVEST_INCOMPLETE, NULL, NULL, &r);
	assert_true(r.truncated);
	cr_harvest_report_release(&r);

	/* a damaged header after a good entry */
	tb_file(&t, GOOD, "{}\n");
	tb_file(&t, CR_RESULTS_PREFIX "next.json", "{}\n");
	t.data[512 + 512 + 148] ^= 1;
	tb_end(&t);
	expect(&t, "good.json", CR_HARVEST_INCOMPLETE, NULL, NULL, &r);
	assert_true(r.truncated);
	cr_harvest_report_release(&r);

	/* malformed manifest: entries kept, unverified, the manifest kept as a file too */
	tb_file(&t, GOOD, "{}\n");
	tb_file(&t, CR_RESULTS_PREFIX CR_RESULTS_MANIFEST, "{\"format\": \"crbench-results\", ");
	tb_end(&t);
	expect(&t, "MANIFEST.json good.json", CR_HARVEST_FAILED, NULL, "entry 'MANIFEST.json': malformed: not valid JSON", &r);
	assert_int_equal(r.manifest, CR_MANIFEST_MALFORMED);
	assert_false(r.entries[0].verified);
	cr_harvest_report_release(&r);

	/* jansson quotes the bad bytes in its message: they are escaped too (found by the fuzzer) */
	tb_file(&t, CR_RESULTS_PREFIX CR_RESULTS_MANIFEST, "{\"format\": \"crbench-results\",\n \a\x1b]0;pwned\a}");
	tb_end(&t);
	expect(&t, "MANIFEST.json", CR_HARVEST_FAILED, NULL, "near '\\x07'", NULL);

	/* wrong sha256: refused, its file removed again, so that no report reads it */
	tb_file(&t, GOOD, "{}\n");
	tb_manifest(&t, names1, lie, 1);
	tb_end(&t);
	expect(&t, "MANIFEST.json", CR_HARVEST_FAILED, "entry 'crbench-results/good.json': refused: checksum mismatch", NULL, &r);
	assert_int_equal(r.n_entries, 0);
	cr_harvest_report_release(&r);

	/* listed but missing */
	tb_file(&t, GOOD, "{}\n");
	tb_manifest(&t, names2, texts2, 2);
	tb_end(&t);
	expect(&t, "MANIFEST.json good.json", CR_HARVEST_FAILED, NULL,
	       "entry 'gone.json': listed in the manifest but missing from the disk", &r);
	assert_true(r.entries[0].verified);
	cr_harvest_report_release(&r);

	/* on the disk but not in the manifest */
	tb_file(&t, GOOD, "{}\n");
	tb_file(&t, CR_RESULTS_PREFIX "extra.json", "{}\n");
	tb_manifest(&t, names1, texts1, 1);
	tb_end(&t);
	expect(&t, "MANIFEST.json good.json", CR_HARVEST_FAILED, "entry 'crbench-results/extra.json': refused: not listed in the manifest",
	       NULL, &r);
	assert_int_equal(r.n_entries, 1);
	assert_true(r.entries[0].verified);
	cr_harvest_report_release(&r);

	/* duplicate names: the first copy wins, the second is refused */
	tb_file(&t, CR_RESULTS_PREFIX "dup.json", "first\n");
	tb_file(&t, CR_RESULTS_PREFIX "dup.json", "second\n");
	tb_file(&t, CR_RESULTS_PREFIX CR_RESULTS_MANIFEST, "{}");
	tb_file(&t, CR_RESULTS_PREFIX CR_RESULTS_MANIFEST, "{}");
	tb_end(&t);
	expect(&t, "MANIFEST.json dup.json", CR_HARVEST_FAILED, "entry 'crbench-results/dup.json': refused: duplicate name", NULL, &r);
	assert_int_equal(r.n_refused, 2);
	assert_int_equal(r.entries[0].size, 6);
	cr_harvest_report_release(&r);

	/* an all-zero disk (the agent never wrote) is an empty, incomplete archive */
	tb_put(&t, NULL, 64 << 10);
	expect(&t, "", CR_HARVEST_INCOMPLETE, NULL, NULL, NULL);

	/* not tar at all */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 1);
	tb_put(&t, junk, sizeof(junk));
	expect(&t, "", CR_HARVEST_FAILED, NULL, "archive: not a tar archive", NULL);
	tb_put(&t, NULL, 0);
	expect(&t, "", CR_HARVEST_FAILED, NULL, "archive: not a tar archive", NULL);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),
		cmocka_unit_test(names),
		cmocka_unit_test(step_names),
		cmocka_unit_test(manifest_format),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(large_json_goes_compact),
		cmocka_unit_test(json_text_lossy),
		cmocka_unit_test(growing_file),
		cmocka_unit_test(crash),
		cmocka_unit_test(disk_full),
		cmocka_unit_test(write_error),
		cmocka_unit_test(hostile_paths),
		cmocka_unit_test(hostile_types),
		cmocka_unit_test(hostile_pax),
		cmocka_unit_test(hostile_sizes),
		cmocka_unit_test(hostile_structure),
	};
	/* clang-format on */

	return tap_run("results", tests);
}
