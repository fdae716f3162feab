/* Preflight: what this host can do (accelerator, nesting, libvirt, tools, space), as PASS/WARN/FAIL items. */
#ifndef CRBENCH_PREFLIGHT_H
#define CRBENCH_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"

enum cr_accel {
	CR_ACCEL_AUTO, /* only as a request: decide from the host */
	CR_ACCEL_KVM,
	CR_ACCEL_TCG,
};

enum cr_status {
	CR_PASS,
	CR_WARN,
	CR_FAIL,
};

extern const char *const cr_status_names[];
const char *cr_accel_name(enum cr_accel a);
/* "kvm", "tcg" or "auto"; -1 on anything else. */
int cr_accel_parse(const char *s, enum cr_accel *out);

/* What the host offers, read from /proc, /sys and /dev under a root (tests pass a fixture tree). */
struct cr_host_facts {
	bool kvm_exists;
	bool kvm_usable; /* opened read-write and answered KVM_GET_API_VERSION */
	int kvm_errno;	 /* why not usable */
	bool cpu_vmx, cpu_svm, cpu_hypervisor;
	char *cpu_model;
	char *kvm_module; /* kvm_intel, kvm_amd, kvm_pvm, ... or NULL */
	int nested;	  /* nested parameter of kvm_intel/kvm_amd: 1, 0, or -1 unknown */
};

int cr_host_facts_probe(const char *root, struct cr_host_facts *f, cr_error_t *err);
void cr_host_facts_release(struct cr_host_facts *f);

struct cr_check_item {
	const char *name;
	size_t host; /* 0: this host and the run's libvirt host; k: cr_preflight's hosts[k], a guest's own (connect = in the plan) */
	enum cr_status status;
	char *message;
	char *fix; /* what to do about a WARN or FAIL, NULL on PASS */
};

/* The accelerator guests will use, and the item that says why. */
void cr_accel_decide(const struct cr_host_facts *f, enum cr_accel requested, enum cr_accel *accel, struct cr_check_item *item);
/*
 * The accelerator of guests on a libvirt host that is not this one: kvm_type
 * (its libvirt can run domain type kvm) and cpu_virt (its CPU has vmx or svm).
 */
void cr_accel_decide_remote(const char *host, bool kvm_type, bool cpu_virt, enum cr_accel requested, enum cr_accel *accel,
			    struct cr_check_item *item);
/* The accelerator for this host: requested unless auto, else as cr_accel_decide() on the real host. */
enum cr_accel cr_accel_resolve(enum cr_accel requested);
/* Whether guests can run nested VMs (Kata needs it). */
void cr_nested_decide(const struct cr_host_facts *f, enum cr_accel accel, struct cr_check_item *item);
/* Free space in the cache directory (or its nearest existing parent). */
void cr_space_decide(const char *dir, uint64_t avail, struct cr_check_item *item);

struct cr_preflight_opts {
	const char *root; /* "" for the real host */
	enum cr_accel accel;
	const char *connect_uri;
	const char *cache_dir;
	const char *plan_path;	     /* optional */
	bool upload;		     /* treat a libvirtd on this host as a remote one (crbench run --upload) */
	const char *pool;	     /* the storage pool for a remote libvirt host; NULL: "default" */
	const char *const *mirrors;  /* the --mirror values (cr_build_opts's) */
	const char *const *keyrings; /* the --keyring values */
};

/*
 * A libvirt host guests run on: the run's (hosts[0]: --connect, --pool,
 * --upload), or one a guest of the plan names (connect, pool, upload in its
 * section). Guests that name the same URI, pool and upload share one.
 */
struct cr_preflight_host {
	char *uri;   /* NULL: qemu:///system */
	char *pool;  /* NULL: default */
	bool upload; /* asked for: its disks go up to the pool even when it is this host */
	bool remote; /* decided: they go up (another host, or upload) */
	enum cr_accel accel;
	char *accel_reason; /* the accelerator item's message */
	char *guests;	    /* its guests' names, for the check's lines */
	/*
	 * No guest of the plan runs on it: the run's host, when every guest's
	 * section names another (connect, pool or upload). Neither checked,
	 * reached nor recorded in the run's directory.
	 */
	bool idle;
};

struct cr_preflight {
	enum cr_accel accel;		 /* the guests' on the run's host (hosts[0], or hosts[1] when it is idle) */
	enum cr_accel local_accel;	 /* this host's, for the image builds' appliance */
	bool remote;			 /* the run's host's: the guests run on another host (or --upload): their disks go up to its pool */
	struct cr_preflight_host *hosts; /* hosts[0] is the run's; more with a plan whose guests name theirs */
	size_t n_hosts;
	/*
	 * Whether this machine's libvirt can make the Docker stores of guests
	 * on hosts reached by upload (probed only when a plan with container
	 * steps has such guests); store_why: why not.
	 */
	bool store_probed, store_here;
	char *store_why;
	int host_nested;       /* the host's nested parameter: 1, 0, or -1 unknown */
	char *host_kvm_module; /* kvm_intel, kvm_amd, ... or NULL */
	struct cr_check_item *items;
	size_t n_items;
};

/* Runs every check; a failing check is an item, not an error. */
void cr_preflight_run(const struct cr_preflight_opts *opts, struct cr_preflight *out);
enum cr_status cr_preflight_worst(const struct cr_preflight *p);
/* Host h's URI and storage pool, the defaults (qemu:///system, default) when it names none. */
const char *cr_preflight_host_uri(const struct cr_preflight_host *h);
const char *cr_preflight_host_pool(const struct cr_preflight_host *h);
/*
 * The index of the host a run is described by (its accelerator, run.json's
 * top level): the run's, hosts[0], or when no guest runs there (idle) the
 * first guest's.
 */
size_t cr_preflight_run_host(const struct cr_preflight_host *hosts, size_t n_hosts);
/* The index in p->hosts of the host guest g runs on. */
size_t cr_preflight_host_of(const struct cr_preflight *p, const struct cr_guest_plan *g);
/* The message of the item with this name ("accelerator"), or NULL. */
const char *cr_preflight_message(const struct cr_preflight *p, const char *name);
void cr_preflight_release(struct cr_preflight *p);

#endif
