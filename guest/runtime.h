/* What the agent sets up for the guest's runtime before the suite (Kata's VM size, gVisor's platform) and what it found. */
#ifndef CRBENCH_RUNTIME_H
#define CRBENCH_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"

/* Where the Kata tarball's files are in the guest, and the configuration the agent writes (daemon.json passes it with --kata-config). */
#define CR_GUEST_KATA_RUNTIME "/opt/kata/bin/kata-runtime"
#define CR_GUEST_KATA_DEFAULTS "/opt/kata/share/defaults/kata-containers"
#define CR_GUEST_KATA_CONFIG "/etc/kata-containers/configuration.toml"

struct cr_runtime_setup {
	char *docker_runtime;	   /* the name Docker knows the runtime by: "runc", "crun", "runsc-ptrace", "kata" ... */
	char *docker_runtime_host; /* the same for containers on the host's network ("runsc-ptrace-host": gVisor needs --network=host) */
	char *refused;		   /* why the guest measures nothing (Kata without a real nested VM), or NULL */
	json_t *record;		   /* what was set up and found: runtime.json, and the env record's "runtime_setup" */
};

/*
 * Prepare the guest's runtime for plan and guest. Never fails: what cannot
 * be set up makes the setup refused, with the reason.
 */
void cr_runtime_prepare(const struct cr_plan *plan, const struct cr_guest_plan *guest, struct cr_runtime_setup *out);
void cr_runtime_setup_release(struct cr_runtime_setup *s);

/* The empty cgroup with a CPU quota that keeps the kernel's CFS bandwidth code switched on for the whole run. */
#define CR_CFS_HOLD_CGROUP "crbench-hold"
/*
 * Under root (/sys/fs/cgroup: the cgroup v1 "cpu" hierarchy, else cgroup
 * v2), make that cgroup and give it a quota that limits nothing: {"held":
 * true, "cgroup", "setting", "value"}, or {"held": false, "error"}.
 */
json_t *cr_cfs_bandwidth_hold(const char *root);

/*
 * Run argv (stdout and stderr together) and record it: {"command",
 * "output", "exit_status"}, or {"command", "error"} when it cannot run.
 * *status gets the exit status (-1: did not run or was killed) and *output
 * what it printed; either may be NULL.
 */
json_t *cr_command_record(char *const argv[], int *status, char **output);

/* ---- Kata (guest/kata.c) ---- */

void cr_kata_prepare(const struct cr_plan *plan, const struct cr_guest_plan *guest, struct cr_runtime_setup *out);

/*
 * Kata's configuration for this plan: the [hypervisor.qemu] section of
 * src_text (a configuration-qemu*.toml of the release) with default_vcpus =
 * vcpus, default_memory = memory_mib and shared_fs = shared_fs; keys it
 * lacks are added, nothing else changes. *src_shared_fs gets what the file
 * said (NULL when it did not say). Fails when there is no such section.
 */
int cr_kata_config_rewrite(const char *src_text, uint64_t vcpus, uint64_t memory_mib, const char *shared_fs, char **out,
			   char **src_shared_fs, cr_error_t *err);

/* What the agent learned before it would measure Kata. */
struct cr_kata_facts {
	bool dev_kvm;		    /* /dev/kvm exists */
	bool dev_kvm_usable;	    /* and answers KVM's API */
	int dev_kvm_error;	    /* errno when not */
	const char *version_output; /* kata-runtime --version, NULL when it did not run */
	int check_status;	    /* kata-runtime kata-check's exit status, -1 when it did not run */
	const char *check_output;   /* what it printed */
	const char *config_error;   /* why the configuration could not be written, or NULL */
};

/*
 * What kata-check's output (Kata 1.12's logrus lines on stderr) says is
 * missing: "no CPU flag svm (Virtualization support); no kernel modules
 * kvm_amd (AMD KVM), vhost (...)", a module parameter with the wrong value,
 * KVM refusing a VM; NULL when it names none of these. *hint
 * gets the likely cause in words a user can act on, or NULL.
 */
char *cr_kata_check_findings(const char *output, char **hint);

/* NULL when Kata would run a real nested VM, else why nothing must be measured ("Kata would not run a real nested VM: ..."). */
char *cr_kata_refusal(const struct cr_kata_facts *f);

/*
 * What an error of Docker starting a Kata container means, in words a user
 * can act on, for the errors of Kata 1.12.1 crbench knows (its VM not
 * answering within Kata's fixed 30 s, QEMU without KVM or vsock, ...); NULL
 * for any other.
 */
char *cr_kata_start_explain(const char *error);
/*
 * A failed step's reason in a guest of runtime: for Kata and an error
 * cr_kata_start_explain knows, "<meaning> (Docker said: <error>)", so that
 * the report says what a failed cell means; else error as it is.
 */
char *cr_kata_step_reason(const char *runtime, const char *error);

/*
 * Kata's own words about a failed step: Kata 1.12's runtime, shim and proxy
 * log to syslog (info and above), which the guest's journal keeps, with
 * the kernel's. From text, `journalctl -o short-monotonic` output, the
 * lines stamped at or after since (CLOCK_MONOTONIC seconds, cr_now(): the
 * journal's monotonic clock in this boot), the kernel's only when they say
 * what happened to Kata's VM, at most the last CR_KATA_LOG_LINES, each cut
 * to CR_KATA_LOG_LINE_MAX bytes; NULL when there are none. *meaning: what
 * any of those lines, kept or not, says happened to Kata's VM, in words
 * ("Kata's VM reset itself ..."), for the lines crbench knows; else NULL.
 * cr_kata_log runs journalctl for this boot's lines; NULL when it cannot.
 */
#define CR_KATA_LOG_LINES 40
#define CR_KATA_LOG_LINE_MAX 600
json_t *cr_kata_log_since(const char *text, double since, const char **meaning);
json_t *cr_kata_log(double since, const char **meaning);
/* A failed step's reason with a meaning from its Kata log first: "<meaning>: <reason>". */
char *cr_kata_logged_reason(const char *meaning, const char *reason);

/* ---- gVisor (guest/runsc.c) ---- */

void cr_runsc_prepare(const struct cr_plan *plan, const struct cr_guest_plan *guest, struct cr_runtime_setup *out);

/* Which platforms work in this guest: each probed with runsc do; -1 when not probed. */
struct cr_runsc_facts {
	bool dev_kvm_usable;
	int kvm_status;	    /* exit status of runsc --platform=kvm do true */
	int systrap_status; /* of runsc --platform=systrap do true */
};

/* kvm when /dev/kvm works and runsc runs on it, else systrap when this runsc has it, else ptrace; *why says which and why. */
const char *cr_runsc_choose(const struct cr_runsc_facts *f, char **why);

#endif
