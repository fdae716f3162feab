/*
 * Kata before the suite: its configuration sized from the plan, the nested
 * virtualization it needs checked (kata-check, /dev/kvm), and a refusal to
 * measure anything when it would not run a real nested VM.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agent.h"
#include "kvm.h"
#include "proc.h"
#include "results.h"
#include "runtime.h"
#include "util.h"

#define SECTION "hypervisor.qemu"

/* "  default_vcpus = 1" -> true when the line sets key (comments do not). */
static bool sets_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, key, n) != 0)
		return false;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '=';
}

/* The value of a TOML string line (key = "value"), or NULL. */
static char *string_value(const char *line)
{
	const char *q = strchr(line, '"'), *end = q ? strchr(q + 1, '"') : NULL;

	return end ? xstrndup(q + 1, (size_t)(end - q - 1)) : NULL;
}

/* "[hypervisor.qemu]" -> "hypervisor.qemu"; NULL when the line is no section header. */
static char *section_of(const char *line)
{
	const char *end;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '[' || !(end = strchr(line, ']')))
		return NULL;
	return xstrndup(line + 1, (size_t)(end - line - 1));
}

/* The lines of text as they are (strv_split strips them); a final newline ends the last line, it does not start another. */
static char **split_lines(const char *text)
{
	size_t n = 0, cap = 16;
	char **v = xcalloc(cap, sizeof(*v));

	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);

		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = xstrndup(text, len);
		v[n] = NULL;
		text += len + (end ? 1 : 0);
	}
	return v;
}

int cr_kata_config_rewrite(const char *src_text, uint64_t vcpus, uint64_t memory_mib, const char *shared_fs, char **out,
			   char **src_shared_fs, cr_error_t *err)
{
	cleanup_strv char **lines = split_lines(src_text);
	cleanup_free char *vcpus_line = xasprintf("default_vcpus = %llu", (unsigned long long)vcpus);
	cleanup_free char *memory_line = xasprintf("default_memory = %llu", (unsigned long long)memory_mib);
	cleanup_free char *fs_line = xasprintf("shared_fs = \"%s\"", shared_fs);
	struct {
		const char *key, *line;
		bool seen;
	} set[] = { { "default_vcpus", vcpus_line, false }, { "default_memory", memory_line, false }, { "shared_fs", fs_line, false } };
	char *buf = NULL;
	size_t len = 0, n = strv_len(lines);
	bool in_section = false, found = false;
	FILE *f;

	*src_shared_fs = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	fprintf(f,
		"# Written by crbench-agent: default_vcpus and default_memory from the plan's container-cpus and\n"
		"# container-memory, shared_fs from its kata-shared-fs; everything else as the release ships it.\n");
	for (size_t i = 0; i <= n; i++) {
		cleanup_free char *section = i < n ? section_of(lines[i]) : NULL;
		bool replaced = false;

		/* leaving the section (a header or the end): add what it did not set */
		if (in_section && (section || i == n)) {
			for (size_t k = 0; k < ARRAY_SIZE(set); k++)
				if (!set[k].seen)
					fprintf(f, "%s\n", set[k].line);
			in_section = false;
		}
		if (i == n)
			break;
		if (section) {
			in_section = strcmp(section, SECTION) == 0;
			found = found || in_section;
		}
		for (size_t k = 0; in_section && !section && k < ARRAY_SIZE(set); k++) {
			if (!sets_key(lines[i], set[k].key))
				continue;
			if (strcmp(set[k].key, "shared_fs") == 0 && !*src_shared_fs)
				*src_shared_fs = string_value(lines[i]);
			fprintf(f, "%s\n", set[k].seen ? "# (set above by crbench-agent)" : set[k].line);
			set[k].seen = replaced = true;
		}
		if (!replaced)
			fprintf(f, "%s\n", lines[i]);
	}
	if (fclose(f) != 0)
		abort();
	if (!found) {
		free(buf);
		free(*src_shared_fs);
		*src_shared_fs = NULL;
		return cr_error(err, 0, "no [%s] section: not a Kata QEMU configuration", SECTION);
	}
	*out = buf;
	return 0;
}

/*
 * The value of key in a logrus text line (key=value or key="quoted \"value\""),
 * unescaped; NULL when the line has no such field.
 */
static char *logrus_field(const char *line, const char *key)
{
	size_t n = strlen(key);
	const char *p = line, *v;
	char *out, *o;

	for (;; p++) {
		p = strstr(p, key);
		if (!p)
			return NULL;
		if ((p == line || p[-1] == ' ') && p[n] == '=')
			break;
	}
	v = p + n + 1;
	if (*v != '"')
		return xstrndup(v, strcspn(v, " "));
	o = out = xmalloc(strlen(v));
	for (v++; *v && *v != '"'; v++) {
		if (*v == '\\' && v[1]) {
			v++;
			*o++ = *v == 'n' ? ' ' : *v;
		} else {
			*o++ = *v;
		}
	}
	*o = '\0';
	return out;
}

/* dst += (dst empty ? "" : sep) + text; dst is reallocated */
static void append(char **dst, const char *sep, const char *text)
{
	char *t = xasprintf("%s%s%s", *dst ? *dst : "", *dst ? sep : "", text);

	free(*dst);
	*dst = t;
}

char *cr_kata_check_findings(const char *output, char **hint)
{
	cleanup_strv char **lines = strv_split(output ? output : "", '\n');
	cleanup_free char *flags = NULL, *modules = NULL, *params = NULL, *vm = NULL;
	size_t n_flags = 0, n_modules = 0;
	bool no_virt = false;
	char *found = NULL;

	*hint = NULL;
	for (size_t i = 0; lines[i]; i++) {
		cleanup_free char *level = logrus_field(lines[i], "level"), *msg = logrus_field(lines[i], "msg");
		cleanup_free char *name = logrus_field(lines[i], "name"), *desc = logrus_field(lines[i], "description");
		cleanup_free char *item = NULL;

		if (!level || strcmp(level, "error") != 0 || !msg)
			continue;
		item = xasprintf("%s%s%s%s", name ? name : "?", desc ? " (" : "", desc ? desc : "", desc ? ")" : "");
		if (strcmp(msg, "CPU property not found") == 0) {
			append(&flags, ", ", item);
			n_flags++;
			no_virt = no_virt || (name && (strcmp(name, "svm") == 0 || strcmp(name, "vmx") == 0));
		} else if (strcmp(msg, "kernel property not found") == 0) {
			append(&modules, ", ", item);
			n_modules++;
		} else if (strcmp(msg, "kernel module parameter has unexpected value") == 0) {
			cleanup_free char *param = logrus_field(lines[i], "parameter"), *value = logrus_field(lines[i], "value");
			cleanup_free char *expected = logrus_field(lines[i], "expected");
			cleanup_free char *t = xasprintf("module %s parameter %s is %s, not %s", name ? name : "?", param ? param : "?",
							 value ? value : "?", expected ? expected : "?");

			append(&params, "; ", t);
		} else if (strcmp(msg, "cannot create VM") == 0) {
			cleanup_free char *reason = logrus_field(lines[i], "reason");
			cleanup_free char *t = xasprintf("KVM cannot create a VM (%s)", reason ? reason : "no reason given");

			append(&vm, "; ", t);
		}
	}
	if (flags) {
		cleanup_free char *t = xasprintf("no CPU flag%s %s", n_flags > 1 ? "s" : "", flags);

		append(&found, "; ", t);
	}
	if (modules) {
		cleanup_free char *t = xasprintf("no kernel module%s %s", n_modules > 1 ? "s" : "", modules);

		append(&found, "; ", t);
	}
	if (params)
		append(&found, "; ", params);
	if (vm)
		append(&found, "; ", vm);
	if (no_virt)
		*hint = xstrdup(
			"the host gave this guest no nested virtualization (on a KVM host, kvm_amd or kvm_intel needs "
			"nested=1; crbench check says whether it is on)");
	else if (flags)
		*hint = xstrdup("this guest's CPU model lacks CPU flags Kata 1.12 requires");
	else if (modules)
		*hint = xstrdup("this guest's kernel lacks modules Kata needs");
	return found;
}

/* The line of kata-check's output that says most: its last error, else its last line; logrus' msg="..." unwrapped. */
static char *telling_line(const char *output)
{
	cleanup_strv char **lines = strv_split(output ? output : "", '\n');
	const char *last = NULL, *last_error = NULL;
	const char *pick;
	char *msg;

	for (size_t i = 0; lines[i]; i++) {
		char *s = strstrip(lines[i]);

		if (!*s)
			continue;
		last = s;
		if (strstr(s, "level=error") || strstr(s, "level=fatal") || strstr(s, "ERROR"))
			last_error = s;
	}
	pick = last_error ? last_error : last;
	if (!pick)
		return xstrdup("(no output)");
	msg = logrus_field(pick, "msg");
	return msg ? msg : xstrndup(pick, 200);
}

/* "kata-runtime  : 1.12.1" -> 1; -1 when the output says no version. */
static int major_version(const char *output, char **version)
{
	const char *colon = output ? strchr(output, ':') : NULL;
	size_t n;

	*version = NULL;
	if (!colon || !str_has_prefix(output, "kata-runtime"))
		return -1;
	colon++;
	while (*colon == ' ')
		colon++;
	n = strcspn(colon, " \n");
	if (!n || !isdigit((unsigned char)*colon))
		return -1;
	*version = xstrndup(colon, n);
	return (int)strtol(colon, NULL, 10);
}

char *cr_kata_refusal(const struct cr_kata_facts *f)
{
	cleanup_free char *version = NULL;
	int major;

	if (f->config_error)
		return xasprintf("Kata is not set up: cannot write its configuration: %s", f->config_error);
	if (!f->dev_kvm)
		return xasprintf(
			"Kata would not run a real nested VM: the guest has no /dev/kvm (%s); the host gave it no nested "
			"virtualization",
			strerror(f->dev_kvm_error));
	if (!f->dev_kvm_usable)
		return xasprintf("Kata would not run a real nested VM: the guest's /dev/kvm does not work: %s", strerror(f->dev_kvm_error));
	major = major_version(f->version_output, &version);
	if (major < 0) {
		cleanup_free char *line = telling_line(f->version_output);

		return xasprintf("Kata is not usable: kata-runtime --version names no version: %s", line);
	}
	if (major != 1)
		return xasprintf("Kata Containers %s cannot be driven by Docker 20.10, which needs Kata 1.x (1.12.1)", version);
	if (f->check_status != 0) {
		cleanup_free char *line = telling_line(f->check_output), *hint = NULL;
		cleanup_free char *found = f->check_status > 0 ? cr_kata_check_findings(f->check_output, &hint) : NULL;

		if (f->check_status < 0)
			return xasprintf("Kata would not run a real nested VM: kata-runtime kata-check did not run: %s", line);
		if (found)
			return xasprintf("Kata would not run a real nested VM: kata-check found %s (exit status %d)%s%s", found,
					 f->check_status, hint ? "; likely cause: " : "", hint ? hint : "");
		return xasprintf("Kata would not run a real nested VM: kata-check says: %s (exit status %d)", line, f->check_status);
	}
	return NULL;
}

/* Write text to path through a temporary file, so that kata-runtime never reads half a configuration. */
static int write_config(const char *path, const char *text, cr_error_t *err)
{
	cleanup_free char *dir = xstrdup(path), *tmp = xasprintf("%s.tmp", path);
	cleanup_close int fd = -1;
	size_t len = strlen(text), off = 0;

	*strrchr(dir, '/') = '\0';
	if (cr_mkdir_p(dir, err) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cr_error(err, errno, "cannot create '%s'", tmp);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cr_error(err, errno, "cannot write '%s'", tmp);
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0)
		return cr_error(err, errno, "cannot write '%s'", path);
	return 0;
}

void cr_kata_prepare(const struct cr_plan *plan, const struct cr_guest_plan *g, struct cr_runtime_setup *out)
{
	bool virtiofs = strcmp(g->kata_shared_fs, "virtio-fs") == 0;
	cleanup_free char *src = xasprintf("%s/configuration-qemu%s.toml", CR_GUEST_KATA_DEFAULTS, virtiofs ? "-virtiofs" : "");
	cleanup_free char *text = NULL, *config = NULL, *src_fs = NULL, *version = NULL, *check = NULL;
	cleanup_error cr_error_t err = NULL;
	char *modprobe[] = { (char *)"modprobe", (char *)"-a", (char *)"vhost", (char *)"vhost_net", (char *)"vhost_vsock", NULL };
	char *version_argv[] = { (char *)CR_GUEST_KATA_RUNTIME, (char *)"--version", NULL };
	/* kata-check has no time limit of its own; a hung one must not hang the suite */
	char *check_argv[] = {
		(char *)"timeout",    (char *)"300", (char *)CR_GUEST_KATA_RUNTIME, (char *)"--kata-config", (char *)CR_GUEST_KATA_CONFIG,
		(char *)"kata-check", NULL
	};
	uint64_t mib = plan->container_memory >> 20;
	struct cr_kvm_state kvm;
	struct cr_kata_facts f = { .check_status = -1 };
	json_t *rec = json_object(), *k;
	size_t len;

	k = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "version_expected", CR_KATA_VERSION, "config_source", src, "config",
		      CR_GUEST_KATA_CONFIG, "default_vcpus", (json_int_t)plan->container_cpus, "default_memory_mib", (json_int_t)mib,
		      "shared_fs", g->kata_shared_fs, "vm_size",
		      "Kata 1.12 boots each container's VM with default_vcpus and default_memory and hot-adds the container's own "
		      "CPU and memory limits to them; inside the VM the container is held to container-cpus and container-memory "
		      "by the same cgroup limits as with runc");
	if (cr_read_file(src, 1 << 20, &text, &len, &err) < 0 ||
	    cr_kata_config_rewrite(text, plan->container_cpus, mib, g->kata_shared_fs, &config, &src_fs, &err) < 0 ||
	    write_config(CR_GUEST_KATA_CONFIG, config, &err) < 0) {
		cr_error_prefix(&err, "'%s'", src);
		f.config_error = err->msg;
	}
	json_object_set_new(k, "config_source_shared_fs", src_fs ? json_string(src_fs) : json_null());
	json_object_set_new(k, "config_text", config ? json_string(config) : json_null());
	json_object_set_new(k, "modprobe", cr_command_record(modprobe, NULL, NULL));

	cr_kvm_probe("/dev/kvm", &kvm);
	f.dev_kvm = kvm.exists;
	f.dev_kvm_usable = kvm.usable;
	f.dev_kvm_error = kvm.error;
	json_object_set_new(k, "dev_kvm",
			    json_pack("{s:b, s:b, s:s?}", "exists", kvm.exists, "usable", kvm.usable, "error",
				      kvm.usable ? NULL : strerror(kvm.error)));
	json_object_set_new(k, "kata_runtime_version", cr_command_record(version_argv, NULL, &version));
	f.version_output = version;
	if (!f.config_error) {
		json_object_set_new(k, "kata_check", cr_command_record(check_argv, &f.check_status, &check));
		f.check_output = check;
	}
	json_object_set_new(rec, "kata", k);
	out->docker_runtime = xstrdup("kata");
	out->refused = cr_kata_refusal(&f);
	out->record = rec;
}

/*
 * Kata 1.12.1's own errors when a container cannot start (its source:
 * virtcontainers/kata_agent.go, qemu.go), as Docker passes them on, with
 * what they mean here. The first needle found in the error wins.
 */
struct sign {
	const char *needle, *also; /* also: a second needle that must be there too, or NULL */
	const char *meaning;
};

/* The first of signs whose needles are both in the len bytes of text, or n */
static size_t sign_in(const struct sign *signs, size_t n, const char *text, size_t len)
{
	for (size_t k = 0; k < n; k++)
		if (memmem(text, len, signs[k].needle, strlen(signs[k].needle)) &&
		    (!signs[k].also || memmem(text, len, signs[k].also, strlen(signs[k].also))))
			return k;
	return n;
}

static const struct sign start_errors[] = {
	{ "Failed to check if grpc server is working", "deadline exceeded",
	  "Kata's VM did not answer its runtime within Kata 1.12's fixed 30 s (checkRequestTimeout in "
	  "virtcontainers/kata_agent.go, which no configuration key changes): the nested VM boots slower than that "
	  "here, as nested VMs do under TCG; on a host with KVM (vmx or svm) it boots in about a second" },
	/* gRPC's words for a connection that closed under the call: the proxy's or the VM's end went away */
	{ "Failed to check if grpc server is working", "transport is closing",
	  "the connection to the agent inside Kata's VM closed before the agent answered: the VM, its QEMU or the agent "
	  "had stopped" },
	{ "Failed to check if grpc server is working", NULL, "Kata's VM started, but the agent inside it did not answer its runtime" },
	/*
	 * every other call of the runtime to the agent (creating the sandbox and
	 * the container, starting it) has Kata 1.12's fixed 60 s
	 * (defaultRequestTimeout, virtcontainers/kata_agent.go: getReqContext);
	 * the check above has passed by then
	 */
	{ "rpc error: code = DeadlineExceeded", NULL,
	  "the agent inside Kata's VM did not finish the runtime's call within Kata 1.12's fixed 60 s (defaultRequestTimeout "
	  "in virtcontainers/kata_agent.go, which no configuration key changes): the VM had booted and its agent had "
	  "answered, but ran too slowly to create or start the container in time, as a nested VM under TCG may while its "
	  "guest is loaded" },
	{ "OCI runtime create failed", "transport is closing",
	  "the connection to the agent inside Kata's VM closed under the runtime's call: the VM, its QEMU or the agent had "
	  "stopped" },
	/* virtcontainers/kata_agent.go:1935: the sandbox's kata-proxy process no longer exists */
	{ "Proxy is not running", NULL,
	  "Kata's proxy (kata-proxy, which carries the runtime's calls to the agent inside the VM) had exited, as it does "
	  "when its VM stops: the sandbox's VM was gone" },
	{ "failed to launch qemu", "KVM",
	  "Kata's QEMU cannot use KVM in this guest: the host gave the guest no working nested virtualization" },
	{ "failed to launch qemu", "vhost-vsock",
	  "Kata's QEMU cannot open a vsock to its VM: the guest kernel's vhost_vsock module is not loaded" },
	{ "failed to launch qemu", NULL, "Kata's QEMU would not start" },
	{ "Failed to connect to QEMU instance", NULL,
	  "Kata's QEMU did not answer on its control socket in time (a nested QEMU that slow, or one that died)" },
	{ "QEMU path (", "does not exist", "the QEMU that Kata's configuration names is not in the guest image" },
};

char *cr_kata_start_explain(const char *error)
{
	size_t k = error ? sign_in(start_errors, ARRAY_SIZE(start_errors), error, strlen(error)) : ARRAY_SIZE(start_errors);

	return k < ARRAY_SIZE(start_errors) ? xstrdup(start_errors[k].meaning) : NULL;
}

char *cr_kata_step_reason(const char *runtime, const char *error)
{
	cleanup_free char *meaning = strcmp(runtime, "kata") == 0 ? cr_kata_start_explain(error) : NULL;

	return meaning ? xasprintf("%s (Docker said: %s)", meaning, error) : xstrdup(error);
}

/*
 * Lines of Kata 1.12.1's log, and of the guest's kernel, that say what
 * happened to Kata's VM, most telling first: needle and also in one line.
 */
static const struct sign log_signs[] = {
	/*
	 * The guest's KVM (arch/x86/kvm/svm: handle_exit) on a nested VM's
	 * SVM_EXIT_SHUTDOWN (0x7f) taken while an event was being delivered:
	 * the VM triple-faulted. Seen here under QEMU's TCG as each Kata VM
	 * went away; a kernel line is kept only when it is one of these.
	 */
	{ "handle_exit: unexpected exit_int_info", "exit_code 0x7f",
	  "Kata's VM triple-faulted (the guest's KVM logged SVM's shutdown exit for it, exit_code 0x7f: \"handle_exit: "
	  "unexpected exit_int_info\")" },
	/* the runtime's QMP reader, virtcontainers/qemu.go: QEMU's SHUTDOWN event for a reset inside the VM */
	{ "SHUTDOWN", "guest-reset", "Kata's VM reset itself (QEMU's SHUTDOWN event, reason guest-reset)" },
	/*
	 * kata-proxy's yamux session to the VM's agent ended (proxy.go's fatal
	 * "channel error"); a sandbox stopped by its runtime ends the proxy's
	 * listener instead ("use of closed network connection")
	 */
	{ "msg=\"channel error\"", "error=\"session shutdown\"",
	  "Kata's VM went away under the container, the VM, its QEMU or its agent having stopped (kata-proxy: channel error, "
	  "session shutdown)" },
};

/* Whether a short-monotonic line ("[  1.5] host tag[pid]: ...") is the kernel's: its tag "kernel" */
static bool kernel_line(const char *line)
{
	const char *p = strchr(line, ']');

	if (!p)
		return false;
	p += 1 + strspn(p + 1, " ");
	p += strcspn(p, " \n");
	return strncmp(p, " kernel: ", 9) == 0;
}

/* The stamp of a `journalctl -o short-monotonic` line, "[  123.456789] host tag[pid]: ...", or -1 */
static double mono_stamp(const char *line)
{
	char *end;
	double t;

	if (line[0] != '[')
		return -1;
	t = strtod(line + 1, &end); /* after the spaces it skips */
	return end > line + 1 && *end == ']' && t >= 0 ? t : -1;
}

json_t *cr_kata_log_since(const char *text, double since, const char **meaning)
{
	json_t *lines = json_array();
	size_t sign = ARRAY_SIZE(log_signs); /* the most telling seen, in any line since since: not only those kept */

	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		double stamp = mono_stamp(line);
		bool in_step = stamp >= 0 && stamp >= since;
		size_t k = in_step ? sign_in(log_signs, ARRAY_SIZE(log_signs), line, len) : ARRAY_SIZE(log_signs);

		/* the kernel's lines (network devices coming and going) only when they tell */
		if (in_step && (k < ARRAY_SIZE(log_signs) || !kernel_line(line))) {
			/* cut anywhere: cr_json_text mends a broken character */
			cleanup_free char *kept = xstrndup(line, len > CR_KATA_LOG_LINE_MAX ? CR_KATA_LOG_LINE_MAX : len);

			if (k < sign)
				sign = k;
			if (json_array_size(lines) == CR_KATA_LOG_LINES)
				json_array_remove(lines, 0);
			json_array_append_new(lines, cr_json_text(kept));
		}
		line = end ? end + 1 : NULL;
	}
	*meaning = sign < ARRAY_SIZE(log_signs) ? log_signs[sign].meaning : NULL;
	if (json_array_size(lines) == 0) {
		json_decref(lines);
		return NULL;
	}
	return lines;
}

char *cr_kata_logged_reason(const char *meaning, const char *reason)
{
	return reason ? xasprintf("%s: %s", meaning, reason) : xstrdup(meaning);
}

json_t *cr_kata_log(double since, const char **meaning)
{
	/* this boot's (a journal kept across boots has others, on other monotonic clocks), the newest lines */
	static const char *const args[] = { "journalctl", "--no-pager",	  "-q", "-b",	     "-o", "short-monotonic",
					    "-t",	  "kata-runtime", "-t", "kata-shim", "-t", "kata-proxy",
					    "-t",	  "kernel",	  "-n", "2000",	     NULL };
	char **argv = (char **)args;
	cleanup_free char *out = NULL;
	int status;

	*meaning = NULL;
	/* 2000 lines of at most a few KiB each: the cap never cuts off the newest */
	if (cr_run_capture(argv, 0, 16 << 20, &out, &status, NULL) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NULL;
	return cr_kata_log_since(out, since, meaning);
}

void cr_kata_probe(const struct cr_agent *a, struct cr_runtime_setup *setup)
{
	json_t *attempts = json_array(), *probe;
	cleanup_free char *meaning = NULL, *last = NULL;
	int ok = 0;

	for (int i = 0; i < CR_KATA_PROBE_ATTEMPTS && !ok; i++) {
		struct cr_container_result res;
		cleanup_error cr_error_t err = NULL;
		double t0 = cr_now();
		json_t *cmd = json_pack("[s]", "true");

		if (cr_container_run(a, cr_container_config(a, CR_BENCH_IMAGE, cmd), NULL, &res, &err) == 0 && res.exit_code == 0) {
			ok = 1;
			json_array_append_new(attempts, json_pack("{s:b, s:f}", "ok", true, "seconds", cr_now() - t0));
		} else {
			free(last);
			last = err ? xstrdup(err->msg) : xasprintf("the container exited with status %ld", res.exit_code);
			json_array_append_new(attempts, json_pack("{s:b, s:f, s:s}", "ok", false, "seconds", cr_now() - t0, "error", last));
		}
		cr_container_result_release(&res);
	}
	if (!ok)
		meaning = cr_kata_start_explain(last);
	probe = json_pack("{s:s, s:o, s:s?}", "why",
			  "one container of the bench image running true, before the suite: a Kata that cannot start any container "
			  "is refused once here, with the reason, instead of failing every step",
			  "attempts", attempts, "meaning", meaning);
	json_object_set_new(json_object_get(setup->record, "kata"), "probe", probe);
	/* an error crbench does not know is left to the steps, each with its own: they may fare better */
	if (meaning)
		setup->refused = xasprintf("Kata cannot start a container in this guest: %s (Docker said: %s)", meaning, last);
}
