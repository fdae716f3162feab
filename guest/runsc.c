/*
 * gVisor before the suite: the platform its sandboxes run on, chosen from
 * what works in this guest (each tried with `runsc do true`) and recorded.
 * daemon.json registers runsc-ptrace, runsc-systrap and runsc-kvm; the
 * suite's containers use the one chosen.
 */
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
