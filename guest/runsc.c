/*
 * gVisor before the suite: the platform its sandboxes run on, chosen from
 * what works in this guest (each tried with `runsc do true`) and recorded.
 * daemon.json registers runsc-ptrace, runsc-systrap and runsc-kvm; the
 * suite's containers use the one chosen.
 */
#include "agent.h"
#include "kvm.h"
#include "runtime.h"
#include "util.h"

const char *cr_runsc_choose(const struct cr_runsc_facts *f, char **why)
{
	if (f->dev_kvm_usable && f->kvm_status == 0) {
		*why = xstrdup("the guest's /dev/kvm works and runsc runs a sandbox on it");
		return "kvm";
	}
	if (f->systrap_status == 0) {
		*why = f->dev_kvm_usable
			       ? xasprintf("runsc does not run on the guest's /dev/kvm (exit status %d); systrap works", f->kvm_status)
			       : xstrdup("no working /dev/kvm in the guest; this runsc runs a sandbox with systrap");
		return "systrap";
	}
	*why = xasprintf("%s, and this runsc has no working systrap (exit status %d): ptrace, gVisor's platform that works anywhere",
			 f->dev_kvm_usable ? "runsc does not run on the guest's /dev/kvm" : "no working /dev/kvm in the guest",
			 f->systrap_status);
	return "ptrace";
}

/* runsc --platform=NAME do true: does this platform run a sandbox here? */
static json_t *probe(const char *platform, int *status)
{
	cleanup_free char *flag = xasprintf("--platform=%s", platform);
	/* a platform that hangs must not hang the suite */
	char *argv[] = { (char *)"timeout",	   (char *)"120", (char *)"runsc", flag,
			 (char *)"--network=none", (char *)"do",  (char *)"true",  NULL };

	return cr_command_record(argv, status, NULL);
}

void cr_runsc_prepare(const struct cr_plan *plan, const struct cr_guest_plan *g, struct cr_runtime_setup *out)
{
	char *version[] = { (char *)"runsc", (char *)"--version", NULL };
	struct cr_runsc_facts f = { .kvm_status = -1, .systrap_status = -1 };
	struct cr_kvm_state kvm;
	json_t *probes = json_object(), *r;
	cleanup_free char *why = NULL;
	const char *platform;

	cr_kvm_probe("/dev/kvm", &kvm);
	f.dev_kvm_usable = kvm.usable;
	if (kvm.usable)
		json_object_set_new(probes, "kvm", probe("kvm", &f.kvm_status));
	if (f.kvm_status != 0)
		json_object_set_new(probes, "systrap", probe("systrap", &f.systrap_status));
	platform = cr_runsc_choose(&f, &why);
	r = json_pack("{s:s, s:s, s:{s:b, s:b, s:s?}, s:o, s:o}", "platform", platform, "why", why, "dev_kvm", "exists", kvm.exists,
		      "usable", kvm.usable, "error", kvm.usable ? NULL : strerror(kvm.error), "probes", probes, "runsc_version",
		      cr_command_record(version, NULL, NULL));
	out->docker_runtime = xasprintf("runsc-%s", platform);
	out->record = json_pack("{s:o}", "runsc", r);
	(void)plan;
	(void)g;
}

/* The bench image's iperf3, run as the suite runs its containers: what `runsc do true` does not try. *code: its exit code, or -1. */
static int container_probe(const struct cr_agent *a, json_t **rec, long *code)
{
	struct cr_container_result res;
	cleanup_error cr_error_t err = NULL;
	double t0 = cr_now();
	json_t *cmd = json_pack("[s, s]", "iperf3", "--version");
	int ret = cr_container_run(a, cr_container_config(a, CR_BENCH_IMAGE, cmd), NULL, &res, &err);

	*code = ret == 0 ? res.exit_code : -1;
	*rec = json_pack("{s:s, s:s, s:b, s:f, s:o, s:s?}", "command", "iperf3 --version", "docker_runtime", cr_container_runtime(a, false),
			 "ok", ret == 0 && res.exit_code == 0, "seconds", cr_now() - t0, "exit_code",
			 ret == 0 ? json_integer(res.exit_code) : json_null(), "error", err ? err->msg : NULL);
	cr_container_result_release(&res);
	return ret == 0 && *code == 0 ? 0 : -1;
}

void cr_runsc_probe(const struct cr_agent *a, struct cr_runtime_setup *setup)
{
	json_t *runsc = json_object_get(setup->record, "runsc"), *rec;
	cleanup_free char *why = NULL;
	const char *platform;
	int systrap = -1, ran;
	long code;

	if (strcmp(setup->docker_runtime, "runsc-kvm") != 0)
		return;
	ran = container_probe(a, &rec, &code);
	json_object_set_new(runsc, "container_probe", rec);
	if (ran == 0)
		return;
	/* the KVM platform starts sandboxes but not the suite's containers: the next platform that works */
	json_object_set_new(json_object_get(runsc, "probes"), "systrap", probe("systrap", &systrap));
	platform = systrap == 0 ? "systrap" : "ptrace";
	why = xasprintf("runsc ran a sandbox on the guest's /dev/kvm, but the bench image's iperf3 did not run there (%s%ld%s); %s",
			code >= 0 ? "exit code " : "", code, code == 132 ? ": SIGILL" : "",
			systrap == 0 ? "systrap works"
				     : "this runsc has no working systrap: ptrace, gVisor's platform that works anywhere");
	json_object_set_new(runsc, "platform", json_string(platform));
	json_object_set_new(runsc, "why", json_string(why));
	free(setup->docker_runtime);
	free(setup->docker_runtime_host);
	setup->docker_runtime = xasprintf("runsc-%s", platform);
	setup->docker_runtime_host = xasprintf("runsc-%s-host", platform);
	json_object_set_new(setup->record, "docker_runtime", json_string(setup->docker_runtime));
	json_object_set_new(setup->record, "docker_runtime_host_network", json_string(setup->docker_runtime_host));
}
