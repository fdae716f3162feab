/*
 * Unit tests of what the agent decides about the guest's runtime before the
 * suite: Kata's configuration rewrite (on an excerpt of Kata's own template),
 * when Kata must not be measured, gVisor's platform, and that a refused
 * runtime measures nothing. kata-check's outputs are recorded from a
 * kata-runtime 1.12.1 built from source (tests/data/kata/README.md); the
 * other facts below are the decisions' inputs, not tool output.
 */
#include <errno.h>
#include <sys/stat.h>

#include "test.h"

#include "agent.h"
#include "runtime.h"

static char *rewrite_ok(const char *src, uint64_t vcpus, uint64_t mib, const char *fs, char **src_fs)
{
	cleanup_error cr_error_t err = NULL;
	char *out = NULL;

	if (cr_kata_config_rewrite(src, vcpus, mib, fs, &out, src_fs, &err) < 0)
		fail_msg("%s", err->msg);
	return out;
}

/* Only the three keys of [hypervisor.qemu] change; every other line of Kata's template stays as it is. */
static void config_rewrite_of_kata_template(void **state)
{
	size_t len;
	cleanup_free char *src = test_data_read("kata/configuration-qemu.toml.in", &len);
	cleanup_free char *src_fs = NULL;
	cleanup_free char *out = rewrite_ok(src, 2, 1024, "virtio-9p", &src_fs);
	cleanup_strv char **in_lines = strv_split(src, '\n'), **out_lines = strv_split(out, '\n');
	size_t changed = 0;

	assert_string_equal(src_fs, "@DEFSHAREDFS@");
	assert_non_null(strstr(out, "\n[hypervisor.qemu]\n"));
	assert_non_null(strstr(out, "\ndefault_vcpus = 2\n"));
	assert_non_null(strstr(out, "\ndefault_memory = 1024\n"));
	assert_non_null(strstr(out, "\nshared_fs = \"virtio-9p\"\n"));
	assert_non_null(strstr(out, "\ndefault_maxvcpus = @DEFMAXVCPUS@\n")); /* a key that only starts alike */
	assert_non_null(strstr(out, "\n#memory_slots = @DEFMEMSLOTS@\n"));    /* comments are not keys */
	assert_true(str_has_prefix(out, "# Written by crbench-agent"));
	/* line by line: the two header lines added, three lines replaced, nothing else */
	assert_int_equal(strv_len(out_lines), strv_len(in_lines) + 2);
	for (size_t i = 0; in_lines[i]; i++) {
		const char *o = out_lines[i + 2];

		if (strcmp(in_lines[i], o) != 0) {
			changed++;
			assert_true(str_has_prefix(o, "default_vcpus = ") || str_has_prefix(o, "default_memory = ") ||
				    str_has_prefix(o, "shared_fs = "));
		}
	}
	assert_int_equal(changed, 3);
}

static void config_rewrite_cases(void **state)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *src_fs = NULL, *out = NULL;
	char *none = NULL, *none_fs = NULL;

	/* keys the section lacks are added at its end, before the next section; other sections keep theirs */
	out = rewrite_ok("[hypervisor.fc]\ndefault_vcpus = 8\n[hypervisor.qemu]\npath = \"/q\"\n[runtime]\nx = 1\n", 1, 2048, "virtio-fs",
			 &src_fs);
	assert_null(src_fs);
	assert_non_null(strstr(out,
			       "[hypervisor.fc]\ndefault_vcpus = 8\n[hypervisor.qemu]\npath = \"/q\"\n"
			       "default_vcpus = 1\ndefault_memory = 2048\nshared_fs = \"virtio-fs\"\n[runtime]\nx = 1\n"));
	free(out);
	out = NULL;
	/* no spaces around '=', indentation, a last line without newline, a key given twice */
	out = rewrite_ok("  [hypervisor.qemu]\n\tdefault_memory=512\nshared_fs = \"virtio-fs\"\ndefault_memory = 4\ndefault_vcpus= 3", 4,
			 1536, "virtio-9p", &src_fs);
	assert_string_equal(src_fs, "virtio-fs");
	assert_non_null(strstr(out,
			       "  [hypervisor.qemu]\ndefault_memory = 1536\nshared_fs = \"virtio-9p\"\n# (set above by crbench-agent)\n"
			       "default_vcpus = 4\n"));
	/* not a QEMU configuration */
	assert_int_equal(cr_kata_config_rewrite("[hypervisor.fc]\ndefault_vcpus = 1\n", 1, 1024, "virtio-9p", &none, &none_fs, &err), -1);
	assert_null(none);
	assert_null(none_fs);
	assert_string_equal(err->msg, "no [hypervisor.qemu] section: not a Kata QEMU configuration");
}

static void kata_refusals(void **state)
{
	const char *v = "kata-runtime  : 1.12.1\n   commit   : <<unknown>>\n   OCI specs: 1.0.1-dev\n";
	struct cr_kata_facts ok = { .dev_kvm = true, .dev_kvm_usable = true, .version_output = v, .check_status = 0, .check_output = "" };
	static const struct {
		struct cr_kata_facts f;
		const char *want;
	} cases[] = {
		{ { .dev_kvm = false, .dev_kvm_error = ENOENT, .version_output = "kata-runtime  : 1.12.1\n" },
		  "Kata would not run a real nested VM: the guest has no /dev/kvm (No such file or directory); the host gave it no nested "
		  "virtualization" },
		{ { .dev_kvm = true, .dev_kvm_error = EACCES, .version_output = "kata-runtime  : 1.12.1\n" },
		  "Kata would not run a real nested VM: the guest's /dev/kvm does not work: Permission denied" },
		{ { .dev_kvm = true, .dev_kvm_usable = true, .version_output = "kata-runtime  : 2.0.0\n", .check_status = 0 },
		  "Kata Containers 2.0.0 cannot be driven by Docker 20.10, which needs Kata 1.x (1.12.1)" },
		{ { .dev_kvm = true,
		    .dev_kvm_usable = true,
		    .version_output = "cannot run '/opt/kata/bin/kata-runtime'",
		    .check_status = -1 },
		  "Kata is not usable: kata-runtime --version names no version: cannot run '/opt/kata/bin/kata-runtime'" },
		/* recorded in an Ubuntu 18.04 guest from a kata-runtime linked against Debian 12's glibc */
		{ { .dev_kvm = true,
		    .dev_kvm_usable = true,
		    .version_output = "/opt/kata/bin/kata-runtime: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.32' not found "
				      "(required by /opt/kata/bin/kata-runtime)\n/opt/kata/bin/kata-runtime: "
				      "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by "
				      "/opt/kata/bin/kata-runtime)\n",
		    .check_status = 1 },
		  "Kata is not usable: kata-runtime --version names no version: /opt/kata/bin/kata-runtime: "
		  "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /opt/kata/bin/kata-runtime)" },
		{ { .dev_kvm = true,
		    .dev_kvm_usable = true,
		    .version_output = "kata-runtime  : 1.12.1\n",
		    .check_status = 1,
		    .check_output = "first line\ntime=\"t\" level=error msg=\"a reason given by logrus\" name=kata-runtime\nlast line\n" },
		  "Kata would not run a real nested VM: kata-check says: a reason given by logrus (exit status 1)" },
		{ { .dev_kvm = true,
		    .dev_kvm_usable = true,
		    .version_output = "kata-runtime  : 1.12.1\n",
		    .check_status = 124,
		    .check_output = "\nsome output\n\n" },
		  "Kata would not run a real nested VM: kata-check says: some output (exit status 124)" },
		{ { .dev_kvm = true,
		    .dev_kvm_usable = true,
		    .version_output = "kata-runtime  : 1.12.1\n",
		    .check_status = -1,
		    .check_output = "cannot run 'timeout': No such file or directory" },
		  "Kata would not run a real nested VM: kata-runtime kata-check did not run: cannot run 'timeout': No such file or directory" },
		{ { .config_error = "'/opt/kata/share/defaults/kata-containers/configuration-qemu.toml': cannot open it" },
		  "Kata is not set up: cannot write its configuration: '/opt/kata/share/defaults/kata-containers/configuration-qemu.toml': "
		  "cannot open it" },
	};

	assert_null(cr_kata_refusal(&ok));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *why = cr_kata_refusal(&cases[i].f);

		assert_non_null(why);
		assert_string_equal(why, cases[i].want);
	}
}

/* kata-check's own output, recorded: what is missing named, with the likely cause */
static void kata_check_recorded(void **state)
{
	size_t len;
	cleanup_free char *version = test_data_read("kata/kata-runtime-version.out", &len);
	cleanup_free char *no_nested = test_data_read("kata/kata-check-no-nested.out", &len);
	cleanup_free char *no_qemu = test_data_read("kata/kata-check-missing-qemu.out", &len);
	struct cr_kata_facts f = { .dev_kvm = true, .dev_kvm_usable = true, .version_output = version, .check_status = 1 };
	cleanup_free char *why = NULL, *why_qemu = NULL, *hint = NULL, *found = NULL;

	f.check_output = no_nested;
	why = cr_kata_refusal(&f);
	assert_string_equal(why,
			    "Kata would not run a real nested VM: kata-check found no CPU flag svm (Virtualization support); no "
			    "kernel modules kvm_amd (AMD KVM), vhost (Host kernel accelerator for virtio), vhost_net (Host "
			    "kernel accelerator for virtio network), vhost_vsock (Host Support for Linux VM Sockets) (exit "
			    "status 1); likely cause: the host gave this guest no nested virtualization (on a KVM host, "
			    "kvm_amd or kvm_intel needs nested=1; crbench check says whether it is on)");
	{
		cleanup_free char *capable = test_data_read("kata/kata-check-capable.out", &len), *none_hint = NULL;
		cleanup_free char *none = cr_kata_check_findings(capable, &none_hint);
		struct cr_kata_facts ok = f;

		ok.check_status = 0;
		ok.check_output = capable;
		assert_null(cr_kata_refusal(&ok));
		assert_null(none);
		assert_null(none_hint);
	}
	f.check_output = no_qemu;
	why_qemu = cr_kata_refusal(&f);
	assert_string_equal(why_qemu,
			    "Kata would not run a real nested VM: kata-check says: "
			    "/work/kata-build/go/src/github.com/kata-containers/runtime/cli/config/configuration-qemu.toml: "
			    "file /opt/kata/bin/qemu-system-x86_64 does not exist (exit status 1)");

	/* the other findings, in kata-check 1.12.1's own format (cli/kata-check.go): one flag, a module, a parameter, KVM */
	found = cr_kata_check_findings(
		"time=\"t\" level=error msg=\"CPU property not found\" arch=amd64 description=\"SSE4.1\" name=sse4_1 pid=1 "
		"source=runtime type=flag\n"
		"time=\"t\" level=warning msg=\"modprobe insert module failed: modprobe: FATAL: x\\n\" arch=amd64 module=vhost_vsock\n"
		"time=\"t\" level=error msg=\"kernel module parameter has unexpected value\" arch=amd64 description=\"Intel KVM\" "
		"expected=Y name=kvm_intel parameter=unrestricted_guest pid=1 source=runtime type=module value=N\n"
		"time=\"t\" level=error msg=\"cannot create VM\" arch=amd64 check-type=full reason=\"another hypervisor running\"\n"
		"time=\"t\" level=error msg=\"ERROR: System is not capable of running Kata Containers\" arch=amd64\n",
		&hint);
	assert_string_equal(found,
			    "no CPU flag sse4_1 (SSE4.1); module kvm_intel parameter unrestricted_guest is N, not Y; KVM "
			    "cannot create a VM (another hypervisor running)");
	assert_string_equal(hint, "this guest's CPU model lacks CPU flags Kata 1.12 requires");
	free(found);
	free(hint);
	found = cr_kata_check_findings("System is capable of running Kata Containers\n", &hint);
	assert_null(found);
	assert_null(hint);
	found = cr_kata_check_findings(
		"time=\"t\" level=error msg=\"kernel property not found\" description=\"AMD KVM\" name=kvm_amd "
		"type=module\n",
		&hint);
	assert_string_equal(found, "no kernel module kvm_amd (AMD KVM)");
	assert_string_equal(hint, "this guest's kernel lacks modules Kata needs");
}

/*
 * Docker's error for a Kata container that did not start: "docker: POST
 * /containers/ID/start: 500: OCI runtime create failed: " + Kata's error +
 * ": unknown". Kata's errors are made here from the format strings of its
 * 1.12.1 source (file:line given); the first is the one a Kata guest under
 * nested TCG met in every step (issue 19).
 */
static void kata_start_errors(void **state)
{
	static const struct {
		const char *kata, *meaning_starts;
	} cases[] = {
		/* virtcontainers/kata_agent.go:1980, its check's context.WithTimeout(checkRequestTimeout = 30 s) expired */
		{ "Failed to check if grpc server is working: context deadline exceeded",
		  "Kata's VM did not answer its runtime within Kata 1.12's fixed 30 s (checkRequestTimeout" },
		{ "Failed to check if grpc server is working: rpc error: code = Unavailable desc = transport is closing",
		  "the connection to the agent inside Kata's VM closed before the agent answered" },
		{ "Failed to check if grpc server is working: rpc error: code = Unknown desc = something else",
		  "Kata's VM started, but the agent inside it did not answer" },
		/* virtcontainers/kata_agent.go:2138, a create's context.WithTimeout(defaultRequestTimeout = 60 s) expired */
		{ "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
		  "the agent inside Kata's VM did not finish the runtime's call within Kata 1.12's fixed 60 s" },
		/* virtcontainers/kata_agent.go:1935, as a Kata guest's boot step recorded it (nested, TCG) */
		{ "Proxy is not running",
		  "Kata's proxy (kata-proxy, which carries the runtime's calls to the agent inside the VM) had exited" },
		/* virtcontainers/qemu.go:838 */
		{ "failed to launch qemu: exit status 1, error messages from qemu log: Could not access KVM kernel module: No such "
		  "file or directory\nqemu-system-x86_64: failed to initialize KVM: No such file or directory",
		  "Kata's QEMU cannot use KVM in this guest" },
		{ "failed to launch qemu: exit status 1, error messages from qemu log: qemu-system-x86_64: -device "
		  "vhost-vsock-pci,id=vsock-1,guest-cid=3: vhost-vsock: failed to open vhost device: No such file or directory",
		  "Kata's QEMU cannot open a vsock to its VM" },
		{ "failed to launch qemu: exit status 1, error messages from qemu log: qemu-system-x86_64: unsupported machine type",
		  "Kata's QEMU would not start" },
		/* virtcontainers/qemu.go:906 */
		{ "Failed to connect to QEMU instance (timeout 30s): dial unix /run/vc/vm/x/qmp.sock: connect: no such file",
		  "Kata's QEMU did not answer on its control socket in time" },
		/* virtcontainers/qemu.go:209 */
		{ "QEMU path (/opt/kata/bin/qemu-system-x86_64) does not exist",
		  "the QEMU that Kata's configuration names is not in the guest image" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *docker = xasprintf("docker: POST /containers/0123/start: 500: OCI runtime create failed: %s: unknown",
						      cases[i].kata);
		cleanup_free char *meaning = cr_kata_start_explain(docker);

		assert_non_null(meaning);
		if (!str_has_prefix(meaning, cases[i].meaning_starts))
			fail_msg("%s\n  gives: %s\n  wants: %s...", cases[i].kata, meaning, cases[i].meaning_starts);
	}
	/* what crbench does not know is not explained: the steps then run, each with its own error */
	assert_null(cr_kata_start_explain("docker: POST /containers/0123/start: 500: OCI runtime create failed: no space left: unknown"));
	assert_null(cr_kata_start_explain(NULL));
}

/* A failed step of a Kata guest says what a known start error means before Docker's words; any other stays as it is. */
static void kata_step_reasons(void **state)
{
	/*
	 * recorded: a net-bridge-bridge-stress step of a crbench run of Kata 1.12.1 (built by
	 * contrib/kata-tarball.sh) under TCG with nested KVM, the client's VM starting while the
	 * server's ran stress-ng
	 */
	const char *closing =
		"docker: POST /containers/fcfd62e080bd/start: 500: failed to create shim task: OCI runtime create failed: "
		"Failed to check if grpc server is working: rpc error: code = Unavailable desc = transport is closing: unknown";
	cleanup_free char *kata = cr_kata_step_reason("kata", closing), *runc = cr_kata_step_reason("runc", closing);
	cleanup_free char *other = cr_kata_step_reason("kata", "bonnie++ exited with 1");
	cleanup_free char *want = xasprintf(
		"the connection to the agent inside Kata's VM closed before the agent answered: the VM, its "
		"QEMU or the agent had stopped (Docker said: %s)",
		closing);

	assert_string_equal(kata, want);
	assert_string_equal(runc, closing);
	assert_string_equal(other, "bonnie++ exited with 1");
}

/* Kata's journal lines of a failed step: those of the step's time only, the last CR_KATA_LOG_LINES, each cut */
static void kata_log_since(void **state)
{
	cleanup_free char *many = NULL, *long_line = NULL;
	const char *meaning = "unset";
	json_t *lines;

	(void)state;
	const char *text =
		"-- Logs begin at Mon 2026-12-07 18:20:01 UTC. --\n"
		"[   41.020304] crbench kata-runtime[801]: time=\"2026-12-07T18:20:41Z\" level=info msg=\"before the step\"\n"
		"[  120.500000] crbench kata-proxy[912]: time=\"2026-12-07T18:22:00Z\" level=fatal msg=\"channel error\"\n"
		"[  121.000001] crbench kata-runtime[930]: time=\"2026-12-07T18:22:01Z\" level=error msg=\"Container not ready\"";

	assert_null(cr_kata_log_since(text, 200, &meaning));
	assert_null(meaning);
	assert_null(cr_kata_log_since("", 0, &meaning));
	lines = cr_kata_log_since(text, 120.5, &meaning);
	assert_null(meaning);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(json_string_value(json_array_get(lines, 0)),
			    "[  120.500000] crbench kata-proxy[912]: time=\"2026-12-07T18:22:00Z\" level=fatal msg=\"channel error\"");
	assert_string_equal(json_string_value(json_array_get(lines, 1)),
			    "[  121.000001] crbench kata-runtime[930]: time=\"2026-12-07T18:22:01Z\" level=error msg=\"Container not ready\"");
	json_decref(lines);

	/* a busy log: the last lines are kept, a long one is cut */
	long_line = xasprintf("[  300.000000] crbench kata-runtime[1]: %0*d\n", CR_KATA_LOG_LINE_MAX, 7);
	many = xstrdup("");
	for (int i = 0; i < CR_KATA_LOG_LINES + 5; i++) {
		char *next = xasprintf("%s[  %d.000000] crbench kata-shim[2]: line %d\n", many, 200 + i, i);

		free(many);
		many = next;
	}
	{
		cleanup_free char *all = xasprintf("%s%s", many, long_line);

		lines = cr_kata_log_since(all, 0, &meaning);
	}
	assert_int_equal(json_array_size(lines), CR_KATA_LOG_LINES);
	assert_string_equal(json_string_value(json_array_get(lines, 0)), "[  206.000000] crbench kata-shim[2]: line 6");
	assert_int_equal(strlen(json_string_value(json_array_get(lines, CR_KATA_LOG_LINES - 1))), CR_KATA_LOG_LINE_MAX);
	json_decref(lines);
}

/* What recorded kata_logs say happened to the VM, and the reason the runner makes of it */
static void kata_log_explained(void **state)
{
	size_t len;
	cleanup_free char *shutdown = test_data_read("kata/journal-session-shutdown.txt", &len);
	cleanup_free char *reset = test_data_read("kata/journal-guest-reset.txt", &len);
	cleanup_free char *buried = NULL, *reason = NULL, *bare = NULL;
	const char *create_failed =
		"docker: POST /containers/93fc5a50cda7/start: 500: failed to create shim task: OCI runtime create "
		"failed: rpc error: code = Unavailable desc = transport is closing: unknown";
	cleanup_free char *start_meaning = cr_kata_start_explain(create_failed);
	cleanup_free char *deadline = test_data_read("kata/journal-deadline-exceeded.txt", &len);
	/* recorded with journal-deadline-exceeded.txt */
	cleanup_free char *slow_meaning = cr_kata_start_explain(
		"docker: POST /containers/6112acdbc6f9c397788bf66ae64262a999a7971c799fbd9c854b4db566dbbf46/start: 500: failed to "
		"create shim task: OCI runtime create failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded: "
		"unknown");
	const char *meaning = NULL, *gone = "Kata's VM went away under the container, the VM, its QEMU or its agent having stopped "
					    "(kata-proxy: channel error, session shutdown)";
	json_t *lines = cr_kata_log_since(shutdown, 0, &meaning);

	(void)state;
	assert_int_equal(json_array_size(lines), CR_KATA_LOG_LINES);
	assert_string_equal(meaning, gone);
	json_decref(lines);
	/* the reset comes before the proxy's channel error in the same log: the reset is said */
	lines = cr_kata_log_since(reset, 0, &meaning);
	assert_string_equal(meaning, "Kata's VM reset itself (QEMU's SHUTDOWN event, reason guest-reset)");
	json_decref(lines);
	/* the telling line pushed out of the kept 40 by a teardown's lines is still read */
	buried = xstrdup(shutdown);
	for (int i = 0; i < CR_KATA_LOG_LINES; i++) {
		char *next = xasprintf("%s[  %d.000000] crbench kata-runtime[9]: level=info msg=\"release sandbox\"\n", buried, 300 + i);

		free(buried);
		buried = next;
	}
	lines = cr_kata_log_since(buried, 0, &meaning);
	assert_string_equal(meaning, gone);
	assert_null(strstr(json_string_value(json_array_get(lines, 0)), "channel error"));
	json_decref(lines);
	/* a sandbox its runtime stopped ends kata-proxy another way: nothing is said */
	json_decref(
		cr_kata_log_since("[  99.0] crbench kata-proxy[957]: level=fatal msg=\"channel error\" error=\"accept unix "
				  "/run/vc/sbs/5a/proxy.sock: use of closed network connection\"\n",
				  0, &meaning));
	assert_null(meaning);
	/* the reason: the meaning first, then the step's own */
	reason = cr_kata_logged_reason(gone, "bonnie++ exited with 1, saying nothing");
	assert_string_equal(reason,
			    "Kata's VM went away under the container, the VM, its QEMU or its agent having "
			    "stopped (kata-proxy: channel error, session shutdown): bonnie++ exited with 1, saying nothing");
	bare = cr_kata_logged_reason("Kata's VM reset itself", NULL);
	assert_string_equal(bare, "Kata's VM reset itself");
	/* an agent too slow for the runtime's 60 s: its VM stayed, nothing is said of it, Docker's words are explained */
	lines = cr_kata_log_since(deadline, 0, &meaning);
	assert_int_equal(json_array_size(lines), CR_KATA_LOG_LINES);
	assert_null(meaning);
	json_decref(lines);
	assert_non_null(slow_meaning);
	assert_true(str_has_prefix(slow_meaning,
				   "the agent inside Kata's VM did not finish the runtime's call within Kata "
				   "1.12's fixed 60 s"));
	/* Docker's words for that create, without the grpc check's */
	assert_string_equal(start_meaning,
			    "the connection to the agent inside Kata's VM closed under the runtime's call: the VM, its "
			    "QEMU or the agent had stopped");
}

/*
 * The guest kernel's word on the VM: the message and stamp its console
 * recorded as a Kata VM went away (2026-12-07), in the journal's form, with
 * the proxy's line that followed; the kernel's other lines are left out.
 */
static void kata_log_kernel(void **state)
{
	const char *text =
		"[  110.000100] crbench kernel: docker0: port 1(veth1a2b3c4) entered forwarding state\n"
		"[  115.555878] crbench kernel: handle_exit: unexpected exit_int_info 0x800000ec exit_code 0x7f\n"
		"[  115.620567] crbench kata-proxy[786]: time=\"2026-12-07T18:32:04.57492355Z\" level=fatal msg=\"channel error\" "
		"error=\"session shutdown\" name=kata-proxy pid=786 sandbox=18f2d4acab21 source=proxy\n"
		"[  116.000000] crbench kernel: docker0: port 1(veth1a2b3c4) entered disabled state\n";
	const char *meaning = NULL;
	json_t *lines = cr_kata_log_since(text, 100, &meaning);

	(void)state;
	assert_string_equal(meaning,
			    "Kata's VM triple-faulted (the guest's KVM logged SVM's shutdown exit for it, exit_code 0x7f: "
			    "\"handle_exit: unexpected exit_int_info\")");
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(json_string_value(json_array_get(lines, 0)),
			    "[  115.555878] crbench kernel: handle_exit: unexpected exit_int_info 0x800000ec exit_code 0x7f");
	assert_non_null(strstr(json_string_value(json_array_get(lines, 1)), "kata-proxy[786]"));
	json_decref(lines);
	/* the kernel's lines alone, none telling: nothing */
	assert_null(cr_kata_log_since("[  110.0] crbench kernel: docker0: port 1(veth1) entered forwarding state\n", 0, &meaning));
	assert_null(meaning);
}

static void runsc_platform(void **state)
{
	/* clang-format off */
	static const struct {
		struct cr_runsc_facts f;
		const char *platform, *why;
	} cases[] = {
		{ { .dev_kvm_usable = true, .kvm_status = 0, .systrap_status = -1 }, "kvm", "the guest's /dev/kvm works and runsc runs a sandbox on it" },
		{ { .dev_kvm_usable = true, .kvm_status = 1, .systrap_status = 0 }, "systrap",
		  "runsc does not run on the guest's /dev/kvm (exit status 1); systrap works" },
		{ { .dev_kvm_usable = false, .kvm_status = -1, .systrap_status = 0 }, "systrap",
		  "no working /dev/kvm in the guest; this runsc runs a sandbox with systrap" },
		{ { .dev_kvm_usable = false, .kvm_status = -1, .systrap_status = 1 }, "ptrace",
		  "no working /dev/kvm in the guest, and this runsc has no working systrap (exit status 1): ptrace, gVisor's platform that "
		  "works anywhere" },
		/* a kvm answer without a usable /dev/kvm is not believed */
		{ { .dev_kvm_usable = false, .kvm_status = 0, .systrap_status = 124 }, "ptrace",
		  "no working /dev/kvm in the guest, and this runsc has no working systrap (exit status 124): ptrace, gVisor's platform that "
		  "works anywhere" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *why = NULL;

		assert_string_equal(cr_runsc_choose(&cases[i].f, &why), cases[i].platform);
		assert_string_equal(why, cases[i].why);
	}
}

/* A refused runtime measures nothing: every step but env fails with the reason; containers use Docker's name for the runtime. */
static void refused_measures_nothing(void **state)
{
	const char *text = "[suite]\nprofile = smoke\n[guest kata]\nimage = d\nruntime = kata\nkata-tarball = k.tar.xz\n";
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	cleanup_free struct cr_step *steps = NULL;
	struct cr_runtime_setup setup = { .docker_runtime = (char *)"kata", .refused = (char *)"Kata would not run a real nested VM: x" };
	struct cr_agent a = { 0 };
	json_t *config;
	size_t n;

	assert_int_equal(cr_plan_parse("t.ini", text, strlen(text), &plan, &err), 0);
	a.plan = plan;
	a.guest = &plan->guests[0];
	cr_schedule_make(plan, 1, &steps, &n);
	/* before the set-up: nothing refused */
	assert_null(cr_step_refusal(&a, &steps[1]));
	a.runtime = &setup;
	for (size_t i = 0; i < n; i++) {
		json_t *doc = cr_step_refusal(&a, &steps[i]);

		if (steps[i].test == CR_TEST_ENV) {
			assert_null(doc);
			continue;
		}
		assert_non_null(doc);
		assert_string_equal(json_string_value(json_object_get(doc, "status")), "failed");
		assert_string_equal(json_string_value(json_object_get(doc, "reason")), "Kata would not run a real nested VM: x");
		assert_null(json_object_get(doc, "data"));
		json_decref(doc);
	}
	setup.refused = NULL;
	assert_null(cr_step_refusal(&a, &steps[1]));
	setup.docker_runtime = (char *)"runsc-ptrace";
	setup.docker_runtime_host = (char *)"runsc-ptrace-host";
	config = cr_container_config(&a, CR_BENCH_IMAGE, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(config, "HostConfig"), "Runtime")), "runsc-ptrace");
	/* the plan's CPU and memory limits, the same whatever the runtime */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(config, "HostConfig"), "NanoCpus")),
			 (json_int_t)(plan->container_cpus * 1000000000ULL));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(config, "HostConfig"), "Memory")),
			 (json_int_t)plan->container_memory);
	assert_true(plan->container_cpus > 0 && plan->container_memory > 0);
	json_decref(config);
	assert_string_equal(cr_container_runtime(&a, true), "runsc-ptrace-host");
	a.runtime = NULL;
	assert_string_equal(cr_container_runtime(&a, true), "kata");
}

/* runc and crun need nothing prepared: Docker knows them by their own names. */
static void plain_runtimes(void **state)
{
	static const char *const names[] = { "runc", "crun" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct cr_guest_plan g = { .name = (char *)"g", .runtime = (char *)names[i] };
		struct cr_plan plan = { .container_cpus = 1, .container_memory = 1 << 30 };
		struct cr_runtime_setup s;

		cr_runtime_prepare(&plan, &g, &s);
		assert_string_equal(s.docker_runtime, names[i]);
		assert_string_equal(s.docker_runtime_host, names[i]);
		assert_null(s.refused);
		assert_string_equal(json_string_value(json_object_get(s.record, "docker_runtime")), names[i]);
		assert_true(json_is_null(json_object_get(s.record, "refused")));
		cr_runtime_setup_release(&s);
	}
}

static void put(const char *dir, const char *name, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *got(const char *dir, const char *name)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_error cr_error_t err = NULL;
	char *text = NULL;
	size_t len;

	assert_int_equal(cr_read_file(path, 4096, &text, &len, &err), 0);
	return text;
}

/* The cgroup that keeps the CFS bandwidth key on: cgroup v1's cpu hierarchy, cgroup v2, and neither. */
static void cfs_bandwidth_hold(void **state)
{
	char v1[] = "/tmp/crbench-cfs-XXXXXX", v2[] = "/tmp/crbench-cfs-XXXXXX", none[] = "/tmp/crbench-cfs-XXXXXX";
	cleanup_free char *cpu = NULL, *hold1 = NULL, *hold2 = NULL, *quota = NULL, *max = NULL, *subtree = NULL, *cmd = NULL;
	json_t *r;

	assert_non_null(mkdtemp(v1));
	assert_non_null(mkdtemp(v2));
	assert_non_null(mkdtemp(none));
	/* v1: the hierarchy's control files (the kernel makes the new cgroup's; here the test does) */
	cpu = xasprintf("%s/cpu", v1);
	hold1 = xasprintf("%s/" CR_CFS_HOLD_CGROUP, cpu);
	assert_int_equal(mkdir(cpu, 0755), 0);
	assert_int_equal(mkdir(hold1, 0755), 0);
	put(cpu, "cpu.cfs_quota_us", "-1\n");
	put(hold1, "cpu.cfs_quota_us", "-1\n");
	r = cr_cfs_bandwidth_hold(v1);
	assert_true(json_is_true(json_object_get(r, "held")));
	assert_string_equal(json_string_value(json_object_get(r, "cgroup")), hold1);
	assert_string_equal(json_string_value(json_object_get(r, "setting")), "cpu.cfs_quota_us");
	quota = got(hold1, "cpu.cfs_quota_us");
	assert_string_equal(quota, "1000000");
	json_decref(r);

	/* v2: cpu switched on for the root's children, then the quota */
	hold2 = xasprintf("%s/" CR_CFS_HOLD_CGROUP, v2);
	put(v2, "cgroup.controllers", "cpuset cpu io memory pids\n");
	put(v2, "cgroup.subtree_control", "");
	assert_int_equal(mkdir(hold2, 0755), 0);
	put(hold2, "cpu.max", "max 100000\n");
	r = cr_cfs_bandwidth_hold(v2);
	assert_true(json_is_true(json_object_get(r, "held")));
	assert_string_equal(json_string_value(json_object_get(r, "setting")), "cpu.max");
	max = got(hold2, "cpu.max");
	assert_string_equal(max, "1000000 100000");
	subtree = got(v2, "cgroup.subtree_control");
	assert_string_equal(subtree, "+cpu");
	json_decref(r);

	/* v2 without the cpu controller ("cpuset" is not "cpu"), and no cgroup file system at all: why, not held */
	put(none, "cgroup.controllers", "cpuset io memory\n");
	r = cr_cfs_bandwidth_hold(none);
	assert_true(json_is_false(json_object_get(r, "held")));
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "no cgroup CPU controller"));
	json_decref(r);
	r = cr_cfs_bandwidth_hold("/nonexistent/crbench");
	assert_true(json_is_false(json_object_get(r, "held")));
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "/nonexistent/crbench/cgroup.controllers"));
	json_decref(r);

	cmd = xasprintf("rm -rf %s %s %s", v1, v2, none);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_rewrite_of_kata_template),
		cmocka_unit_test(config_rewrite_cases),
		cmocka_unit_test(kata_refusals),
		cmocka_unit_test(kata_check_recorded),
		cmocka_unit_test(kata_start_errors),
		cmocka_unit_test(kata_step_reasons),
		cmocka_unit_test(runsc_platform),
		cmocka_unit_test(refused_measures_nothing),
		cmocka_unit_test(plain_runtimes),
		cmocka_unit_test(cfs_bandwidth_hold),
		cmocka_unit_test(kata_log_since),
		cmocka_unit_test(kata_log_explained),
		cmocka_unit_test(kata_log_kernel),
	};
	/* clang-format on */

	return tap_run("runtime", tests);
}
