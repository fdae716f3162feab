/* The run's pieces: run ids, vCPU pinning, domain XML, payload and results disks, reaping dead runs. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "domain.h"
#include "plan.h"
#include "results.h"
#include "run.h"
#include "rundir.h"
#include "test.h"

static void run_id_from_name_and_stem(void **state)
{
	struct cr_plan p = { .name = (char *)"smoke", .path = (char *)"/x/default.ini" };
	cleanup_free char *a = cr_run_id(&p, 1795331702, 0x3fa9); /* 2026-11-22 07:15:02 UTC */
	cleanup_free char *b = NULL, *c = NULL;

	assert_string_equal(a, "smoke-20261122-071502-3fa9");
	p.name = NULL;
	b = cr_run_id(&p, 1795331702, 0x13fa9);
	assert_string_equal(b, "default-20261122-071502-3fa9");
	/* names with characters that do not belong in a domain or directory name */
	p.name = (char *)"a b/c";
	c = cr_run_id(&p, 1795331702, 1);
	assert_string_equal(c, "a_b_c-20261122-071502-0001");
}

static unsigned n_allowed_cpus(void)
{
	cpu_set_t set;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	return (unsigned)CPU_COUNT(&set);
}

static void pin_disjoint_or_refused(void **state)
{
	unsigned n = n_allowed_cpus();
	uint64_t one[2] = { 1, 1 }, big[1] = { (uint64_t)n + 1 };
	unsigned **pin = NULL;
	char *why = NULL;

	/* one guest at a time: each guest's vCPUs on distinct CPUs, the same set for every guest */
	cr_pin_plan(one, 2, false, 0, NULL, &pin, &why);
	assert_non_null(pin);
	assert_null(why);
	assert_int_equal(pin[0][0], pin[1][0]);
	cr_pin_free(pin, 2);
	/* at once: disjoint when the host has CPUs enough */
	cr_pin_plan(one, 2, true, 0, NULL, &pin, &why);
	if (n >= 2) {
		assert_non_null(pin);
		assert_int_not_equal(pin[0][0], pin[1][0]);
		cr_pin_free(pin, 2);
	} else {
		assert_null(pin);
		assert_non_null(strstr(why, "not pinned"));
		free(why);
	}
	/* more vCPUs than CPUs: nothing pinned, and why */
	cr_pin_plan(big, 1, false, 0, NULL, &pin, &why);
	assert_null(pin);
	assert_non_null(strstr(why, "not pinned"));
	free(why);
	/* a libvirt host that is not this one: its CPUs 0 .. host_cpus - 1, whatever this process may use */
	{
		uint64_t two[2] = { 2, 2 };

		cr_pin_plan(two, 2, true, 4, NULL, &pin, &why);
		assert_non_null(pin);
		assert_int_equal(pin[0][0], 0);
		assert_int_equal(pin[0][1], 1);
		assert_int_equal(pin[1][0], 2);
		assert_int_equal(pin[1][1], 3);
		cr_pin_free(pin, 2);
		cr_pin_plan(two, 2, true, 3, NULL, &pin, &why);
		assert_null(pin);
		assert_non_null(strstr(why, "this host offers 3 CPUs"));
		free(why);
	}
	/* CPUs another live run pinned are left alone; with none left, nothing is pinned, and why */
	{
		cpu_set_t allowed, busy;
		unsigned first = CPU_SETSIZE;

		assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
		for (unsigned c = 0; c < CPU_SETSIZE && first == CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &allowed))
				first = c;
		CPU_ZERO(&busy);
		CPU_SET(first, &busy);
		cr_pin_plan(one, 1, false, 0, &busy, &pin, &why);
		if (n >= 2) {
			assert_non_null(pin);
			assert_int_not_equal(pin[0][0], first);
			cr_pin_free(pin, 1);
		}
		cr_pin_plan(one, 1, false, 0, &allowed, &pin, &why);
		assert_null(pin);
		assert_non_null(strstr(why, "that other crbench runs have not pinned"));
		free(why);
	}
}

static void domain_xml_escapes_and_pins(void **state)
{
	unsigned pin[2] = { 0, 1 };
	struct cr_domain_spec s = {
		.name = "crbench-x-runc",
		.accel = CR_ACCEL_TCG,
		.vcpus = 2,
		.memory = 2ULL << 30,
		.kernel = "/c/vmlinuz",
		.initrd = "/c/initrd.img",
		.cmdline = CR_GUEST_CMDLINE " crbench.guest=runc",
		.disk = "/c/a&b'<>.qcow2",
		.payload = "/c/payload.raw",
		.results = "/c/results.raw",
		.images = "/c/containers.raw",
		.console_log = "/c/console.log",
		.pin = pin,
		.n_pin = 2,
	};
	cleanup_free char *xml = cr_domain_xml(&s);

	assert_non_null(strstr(xml, "<domain type='qemu'>"));
	assert_non_null(strstr(xml, "<source file='/c/a&amp;b&apos;&lt;&gt;.qcow2'/>"));
	assert_non_null(strstr(xml, "crbench.guest=runc</cmdline>"));
	assert_non_null(strstr(xml, "<vcpupin vcpu='0' cpuset='0'/>"));
	assert_non_null(strstr(xml, "<vcpupin vcpu='1' cpuset='1'/>"));
	assert_non_null(strstr(xml, "<memory unit='KiB'>2097152</memory>"));
	/* the results disk honours the guest's flushes; the others need not */
	assert_non_null(strstr(xml, "cache='writeback' discard='unmap'/>\n      <source file='/c/results.raw'/>"));
	assert_non_null(strstr(xml, "<serial>crbench-results</serial>"));
	assert_non_null(strstr(xml, "<serial>crbench-payload</serial>\n      <readonly/>"));
	assert_non_null(strstr(
		xml,
		"<source file='/c/containers.raw'/>\n      <target dev='vdd' bus='virtio'/>\n      <serial>crbench-images</serial>\n      <readonly/>"));
	assert_non_null(strstr(xml, "<on_crash>destroy</on_crash>"));
	assert_non_null(strstr(xml, "<panic model='isa'>"));
	/*
	 * every TCG guest: qemu64 made a whole x86-64-v2 (sse4.1 for kata-check;
	 * popcnt, without which stress-ng's x86-64-v2 code dies of SIGILL), the
	 * same for the runtimes compared; no nested VMs: qemu64's svm is taken
	 * away, so that no runtime in the guest finds a /dev/kvm
	 */
	static const char *const v2[] = { "ssse3", "sse4.1", "sse4.2", "popcnt" };

	assert_non_null(strstr(xml, "<model fallback='forbid'>qemu64</model>"));
	for (size_t i = 0; i < ARRAY_SIZE(v2); i++) {
		cleanup_free char *want = xasprintf("<feature policy='require' name='%s'/>", v2[i]);

		assert_non_null(strstr(xml, want));
	}
	assert_non_null(strstr(xml, "<feature policy='disable' name='svm'/>"));
	assert_null(strstr(xml, "name='npt'"));
	/* no way into the guest but its disks: no network interface, no display */
	assert_null(strstr(xml, "<interface"));
	assert_null(strstr(xml, "<graphics"));
	assert_non_null(strstr(xml, "<log file='/c/console.log' append='off'/>"));
	s.nested = true;
	{
		cleanup_free char *nested = cr_domain_xml(&s);

		/* a nested KVM under TCG: svm, and npt (no shadow paging); the rest as any guest's */
		static const char *const features[] = { "svm", "npt", "ssse3", "sse4.1", "sse4.2", "popcnt" };

		assert_non_null(strstr(nested, "<model fallback='forbid'>qemu64</model>"));
		for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
			cleanup_free char *want = xasprintf("<feature policy='require' name='%s'/>", features[i]);

			assert_non_null(strstr(nested, want));
		}
		assert_null(strstr(nested, "policy='disable'"));
	}
	s.accel = CR_ACCEL_KVM;
	s.n_pin = 0;
	{
		cleanup_free char *kvm = NULL;

		/* a remote libvirt host: no log file there, the console is read through libvirt */
		s.console_log = NULL;
		kvm = cr_domain_xml(&s);
		assert_null(strstr(kvm, "<log "));
		assert_non_null(strstr(kvm, "<serial type='pty'>\n      <target port='0'/>"));

		assert_non_null(strstr(kvm, "<domain type='kvm'>"));
		assert_non_null(strstr(kvm, "host-passthrough"));
		assert_null(strstr(kvm, "cputune"));
	}
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/crbench-test-run-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void count_line(void *data, const char *line)
{
	(void)line;
	++*(int *)data;
}

struct lines {
	char text[8][128];
	int n;
};

static void keep_line(void *data, const char *line)
{
	struct lines *l = data;

	assert_true(l->n < 8);
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
}

/*
 * Kernel messages the serial port wrote into the agent's progress lines: the
 * first as a guest's console.log had it, the second two messages into one
 * line. Each message is a line, each progress line is whole again.
 */
static void console_kernel_message_cut_into_a_line(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *path = xasprintf("%s/console.log", dir);
	struct cr_console c = { .path = path };
	struct lines l = { .n = 0 };
	FILE *f = fopen(path, "w");

	fputs("CRBENCH1 20 start i=9 n=13 test=disk rep=0 reps=1[  222.565425] vethe70e1fa: renamed from veth0\r\n\r\n"
	      "[  222.646842] veth3a369af: renamed from eth0\r\n"
	      "CRBENCH1 21 end i=9 n=1[  223.000001] one\r\n[123456.000002] two [  1.5] [ 12345.123456]\r\n"
	      "3 test=disk rep=0 elapsed=1.5 status=ok\r\n"
	      "[  OK  ] a user's line [    1.123456] cut\r\nand its end [1.000000]\r\n",
	      f);
	fclose(f);
	assert_int_equal(cr_console_poll(&c, keep_line, &l), 8);
	assert_int_equal(l.n, 8);
	assert_string_equal(l.text[0], "[  222.565425] vethe70e1fa: renamed from veth0");
	assert_string_equal(l.text[1], "CRBENCH1 20 start i=9 n=13 test=disk rep=0 reps=1");
	assert_string_equal(l.text[2], "[  222.646842] veth3a369af: renamed from eth0");
	assert_string_equal(l.text[3], "[  223.000001] one");
	assert_string_equal(l.text[4], "[123456.000002] two [  1.5] [ 12345.123456]");
	assert_string_equal(l.text[5], "CRBENCH1 21 end i=9 n=13 test=disk rep=0 elapsed=1.5 status=ok");
	assert_string_equal(l.text[6], "[    1.123456] cut");
	/* not kernel messages: "[  OK  ]" and a time too narrow for printk's */
	assert_string_equal(l.text[7], "[  OK  ] a user's line and its end [1.000000]");
	unlink(path);
	rmdir(dir);
}

/* A console log that virtlogd rotated (shorter than what was read) is read again from its start. */
static void console_log_rotated(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *path = xasprintf("%s/console.log", dir);
	struct cr_console c = { .path = path };
	int n = 0;
	FILE *f = fopen(path, "w");

	fputs("one\ntwo\nthree\n", f);
	fclose(f);
	assert_int_equal(cr_console_poll(&c, count_line, &n), 3);
	/* rotated: a new, shorter file */
	f = fopen(path, "w");
	fputs("four\nfi", f);
	fclose(f);
	assert_int_equal(cr_console_poll(&c, count_line, &n), 1);
	f = fopen(path, "a");
	fputs("ve\n", f);
	fclose(f);
	assert_int_equal(cr_console_poll(&c, count_line, &n), 1);
	assert_string_equal(c.line, "five");
	assert_int_equal(n, 5);
	unlink(path);
	rmdir(dir);
}

static void payload_and_results_disks(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *a = xasprintf("%s/a.bin", dir), *out = xasprintf("%s/payload.raw", dir);
	cleanup_free char *staging = xasprintf("%s/staging", dir), *results = xasprintf("%s/results.raw", dir);
	cleanup_free char *listing = NULL, *cmd = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_payload_file files[] = { { a, "crbench-agent" }, { a, "images/bench.tar" } };
	struct stat st;
	FILE *f = fopen(a, "w");

	assert_non_null(f);
	fputs("payload\n", f);
	fclose(f);
	assert_int_equal(cr_payload_make(staging, files, 2, "crbench-payload", out, &err), 0);
	/* the files are on the ext4 image, where the guest's agent-launch looks */
	cmd = xasprintf("debugfs -R 'ls -l /images' %s 2>/dev/null | grep -c bench.tar", out);
	f = popen(cmd, "r");
	assert_non_null(f);
	listing = xcalloc(1, 16);
	assert_non_null(fgets(listing, 16, f));
	assert_int_equal(WEXITSTATUS(pclose(f)), 0);
	assert_string_equal(listing, "1\n");
	{
		cleanup_free char *label = xasprintf("e2label %s", out);
		char buf[64] = "";

		f = popen(label, "r");
		assert_non_null(fgets(buf, sizeof(buf), f));
		pclose(f);
		assert_string_equal(buf, "crbench-payload\n");
	}
	/* a file that is not there names itself */
	files[1].src = "/nonexistent/bench.tar";
	assert_int_equal(cr_payload_make(staging, files, 2, "crbench-payload", out, &err), -1);
	assert_non_null(strstr(err->msg, "/nonexistent/bench.tar"));

	assert_int_equal(cr_results_disk_make(results, CR_RESULTS_DISK_SIZE, &err), 0);
	assert_int_equal(stat(results, &st), 0);
	assert_int_equal((uint64_t)st.st_size, CR_RESULTS_DISK_SIZE);
	assert_true((uint64_t)st.st_blocks * 512 < (1 << 20)); /* sparse */
	/* never over an existing disk */
	cr_error_free(&err);
	err = NULL;
	assert_int_equal(cr_results_disk_make(results, CR_RESULTS_DISK_SIZE, &err), -1);
	assert_int_equal(err->code, EEXIST);
	cr_rmtree(dir);
	assert_int_equal(access(dir, F_OK), -1);
}

/* The container images' disk is made once per key and then found in the cache. */
static void images_disk_made_once(void **state)
{
	cleanup_free char *dir = tmpdir();
	cleanup_free char *a = xasprintf("%s/bench.tar", dir), *path = NULL, *again = NULL, *tmp = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_payload_file files[] = { { a, "bench.tar" } };
	bool made = false;
	struct stat st1, st2;
	FILE *f = fopen(a, "w");

	assert_non_null(f);
	fputs("image\n", f);
	fclose(f);
	assert_int_equal(cr_images_disk(dir, files, 1, "k1-k2", &path, &made, &err), 0);
	assert_true(made);
	assert_non_null(strstr(path, "/images/containers-k1-k2/disk.raw"));
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(cr_images_disk(dir, files, 1, "k1-k2", &again, &made, &err), 0);
	assert_false(made);
	assert_string_equal(path, again);
	assert_int_equal(stat(again, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* no temporary entry is left */
	tmp = xasprintf("%s/images/.tmp-containers-k1-k2-%d", dir, (int)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
	cr_rmtree(dir);
}

/* path holds text, or is empty for NULL */
static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (text)
		fputs(text, f);
	fclose(f);
}

/* An owner file naming a pid that existed and is gone: the run of a crbench that died. */
static void put_dead_owner(const char *path)
{
	cleanup_free char *text = NULL;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	text = xasprintf("%d\n", (int)child);
	put(path, text);
}

/* <cache>/runs/dead as a crbench run that died left it: its owner gone, its results bound for out, its guest's directory guest */
static void dead_run(const char *cache, const char *guest, const char *out)
{
	cleanup_free char *runs = xasprintf("%s/runs", cache), *dead = xasprintf("%s/dead", runs), *g = xasprintf("%s/%s", dead, guest);
	cleanup_free char *owner = xasprintf("%s/owner", dead), *out_file = xasprintf("%s/out", dead), *out_line = xasprintf("%s\n", out);

	assert_true(mkdir(runs, 0755) == 0 || errno == EEXIST);
	assert_int_equal(mkdir(dead, 0755), 0);
	assert_int_equal(mkdir(g, 0755), 0);
	put_dead_owner(owner);
	put(out_file, out_line);
}

static void reap_only_dead_runs(void **state)
{
	cleanup_free char *cache = tmpdir();
	cleanup_free char *runs = xasprintf("%s/runs", cache), *dead = xasprintf("%s/runs/dead", cache);
	cleanup_free char *alive = xasprintf("%s/runs/alive", cache), *kept = xasprintf("%s/runs/kept", cache);
	cleanup_strv char **msgs = NULL;

	assert_int_equal(mkdir(runs, 0755), 0);
	assert_int_equal(mkdir(dead, 0755), 0);
	assert_int_equal(mkdir(alive, 0755), 0);
	assert_int_equal(mkdir(kept, 0755), 0);
	{
		cleanup_free char *o = xasprintf("%s/owner", dead), *o2 = xasprintf("%s/owner", alive),
				  *d = xasprintf("%s/overlay.qcow2", dead);
		cleanup_free char *me = xasprintf("%d\n", (int)getpid());

		put_dead_owner(o);
		put(d, NULL);
		put(o2, me);
	}
	assert_int_equal(cr_runs_reap(cache, NULL, &msgs), 1);
	assert_non_null(msgs);
	assert_non_null(strstr(msgs[0], "runs/dead"));
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(alive, F_OK), 0);
	assert_int_equal(access(kept, F_OK), 0); /* no owner: kept with --keep, never reaped */
	strv_free(steal_pointer(&msgs));

	/* a dead run whose results disk cannot be harvested (its results directory cannot be made): the disk stays, ownerless */
	{
		cleanup_free char *o = xasprintf("%s/owner", dead), *disk = xasprintf("%s/runc/results.raw", dead);

		dead_run(cache, "runc", "/nonexistent/results/run");
		put(disk, NULL);
		assert_int_equal(cr_runs_reap(cache, NULL, &msgs), 0);
		assert_non_null(msgs);
		assert_non_null(strstr(msgs[0], "cannot harvest guest 'runc' of dead run dead"));
		assert_non_null(strstr(msgs[0], "kept its disk"));
		assert_int_equal(access(disk, F_OK), 0);
		assert_int_equal(access(o, F_OK), -1);
	}
	cr_rmtree(cache);
}

/*
 * A dead run that recorded its domains but no libvirt URI (from before
 * crbench recorded it), met by a run with no libvirt connection of its own
 * (its run's host not used): kept whole, saying why, for a run that has one.
 */
static void reap_without_a_connection(void **state)
{
	cleanup_free char *cache = tmpdir(), *out = tmpdir();
	cleanup_free char *dead = xasprintf("%s/runs/dead", cache), *domains = xasprintf("%s/domains", dead);
	cleanup_free char *overlay = xasprintf("%s/runc/overlay.qcow2", dead);
	cleanup_strv char **msgs = NULL;

	dead_run(cache, "runc", out);
	put(domains, "crbench-dead-runc\n");
	put(overlay, NULL);
	assert_int_equal(cr_runs_reap(cache, NULL, &msgs), 0);
	assert_non_null(msgs);
	assert_non_null(strstr(msgs[0], "cannot clean up dead run dead"));
	assert_non_null(strstr(msgs[0], "it recorded no libvirt URI and this run does not use its own libvirt host"));
	assert_int_equal(access(overlay, F_OK), 0);
	cr_rmtree(cache);
	cr_rmtree(out);
}

/* A results disk holding one step entry, finished: what one boot of a boot-per-step guest leaves. */
static void step_disk(const char *path, const char *entry)
{
	cleanup_results_writer struct cr_results_writer *w = NULL;
	cleanup_error cr_error_t err = NULL;
	json_t *doc = json_pack("{s:s}", "status", "ok");

	put(path, NULL);
	assert_int_equal(truncate(path, 1 << 20), 0);
	if (cr_results_writer_open(path, &w, &err) < 0 || cr_results_append_json(w, entry, doc, &err) < 0 || cr_results_finish(w, &err) < 0)
		fail_msg("%s", err->msg);
	json_decref(doc);
}

/* A dead run booting a guest per step: its boot's disk goes to boots/NNNN/, its entry is linked into results/ beside the others. */
static void reap_a_boot_per_step(void **state)
{
	cleanup_free char *cache = tmpdir(), *out = tmpdir();
	cleanup_free char *dead = xasprintf("%s/runs/dead", cache), *g = xasprintf("%s/runc", dead);
	cleanup_free char *disk = xasprintf("%s/results-0003.raw", g), *gout = xasprintf("%s/runc", out);
	cleanup_free char *earlier = xasprintf("%s/results", gout), *earlier_entry = xasprintf("%s/0002-env-r0.json", earlier);
	cleanup_free char *boot_entry = xasprintf("%s/boots/0003/results/0003-cpu-mem-r1.json", gout);
	cleanup_free char *linked = xasprintf("%s/0003-cpu-mem-r1.json", earlier);
	cleanup_strv char **msgs = NULL;

	dead_run(cache, "runc", out);
	assert_int_equal(mkdir(gout, 0755), 0);
	assert_int_equal(mkdir(earlier, 0755), 0);
	put(earlier_entry, "{}");
	step_disk(disk, "0003-cpu-mem-r1.json");
	assert_int_equal(cr_runs_reap(cache, NULL, &msgs), 1);
	assert_non_null(msgs);
	assert_non_null(strstr(msgs[0], "harvested guest 'runc' of dead run dead"));
	assert_int_equal(access(boot_entry, F_OK), 0);
	assert_int_equal(access(linked, F_OK), 0);
	assert_int_equal(access(earlier_entry, F_OK), 0);
	assert_int_equal(access(dead, F_OK), -1);
	cr_rmtree(cache);
	cr_rmtree(out);
}

/*
 * A run that lost guest b's libvirt host ended with b failed and its results
 * volume there; once the host answered again, a later run brought the
 * volume down (here: the disk is in place) and the reaper harvests it: b
 * keeps its status, its reason says the results came later, and its
 * harvest and steps are what the disk held. A guest that was running is
 * interrupted, as for any dead run.
 */
static void reap_a_lost_hosts_guest(void **state)
{
	cleanup_free char *cache = tmpdir(), *out = tmpdir();
	cleanup_free char *dead = xasprintf("%s/runs/dead", cache);
	cleanup_free char *disk = xasprintf("%s/b/results.raw", dead), *manifest = xasprintf("%s/run.json", out);
	cleanup_free char *entry = xasprintf("%s/b/results/0001-env-r0.json", out);
	cleanup_strv char **msgs = NULL;
	json_t *run, *b, *a;

	dead_run(cache, "b", out);
	put(manifest,
	    "{\"status\": \"failed\", \"guests\": ["
	    "{\"name\": \"a\", \"status\": \"running\"},"
	    "{\"name\": \"b\", \"status\": \"failed\", \"reason\": \"lost libvirt host 'h2' while the guest ran\","
	    " \"harvest\": \"error\", \"steps_harvested\": 0}]}");
	step_disk(disk, "0001-env-r0.json");
	assert_int_equal(cr_runs_reap(cache, NULL, &msgs), 1);
	assert_non_null(msgs);
	assert_non_null(strstr(msgs[0], "harvested guest 'b' of dead run dead"));
	assert_non_null(strstr(msgs[0], "crbench report"));
	assert_int_equal(access(entry, F_OK), 0);
	assert_int_equal(access(dead, F_OK), -1);
	run = json_load_file(manifest, 0, NULL);
	assert_non_null(run);
	b = json_array_get(json_object_get(run, "guests"), 1);
	a = json_array_get(json_object_get(run, "guests"), 0);
	assert_string_equal(json_string_value(json_object_get(b, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(b, "reason")),
			    "lost libvirt host 'h2' while the guest ran; a later run reached its host again and harvested its results disk");
	assert_int_equal(json_integer_value(json_object_get(b, "steps_harvested")), 1);
	assert_string_not_equal(json_string_value(json_object_get(b, "harvest")), "error");
	assert_string_equal(json_string_value(json_object_get(a, "status")), "running"); /* it had no disk here */
	assert_string_equal(json_string_value(json_object_get(run, "status")), "failed");
	json_decref(run);
	cr_rmtree(cache);
	cr_rmtree(out);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_id_from_name_and_stem),
		cmocka_unit_test(pin_disjoint_or_refused),
		cmocka_unit_test(domain_xml_escapes_and_pins),
		cmocka_unit_test(console_log_rotated),
		cmocka_unit_test(console_kernel_message_cut_into_a_line),
		cmocka_unit_test(payload_and_results_disks),
		cmocka_unit_test(images_disk_made_once),
		cmocka_unit_test(reap_only_dead_runs),
		cmocka_unit_test(reap_without_a_connection),
		cmocka_unit_test(reap_a_boot_per_step),
		cmocka_unit_test(reap_a_lost_hosts_guest),
	};
	/* clang-format on */

	return tap_run("run", tests);
}
