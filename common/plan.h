/* The plan file: which guests to boot and which suite they run; shared by host and agent. */
#ifndef CRBENCH_PLAN_H
#define CRBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Tests of the suite, in the order docs/plan.md lists them. */
enum cr_test {
	CR_TEST_ENV,
	CR_TEST_BOOT,
	CR_TEST_DISK,
	CR_TEST_CPU_MEM,
	CR_TEST_NET_IO,
	CR_TEST_NET_MATRIX,
	CR_TEST__MAX,
};

/* Docker network drivers of the client/server pairs of the network matrix. */
enum cr_net_pair {
	CR_NET_BRIDGE_BRIDGE,
	CR_NET_HOST_BRIDGE,
	CR_NET_MACVLAN_MACVLAN,
	CR_NET_OVERLAY_OVERLAY,
	CR_NET__MAX,
};

enum cr_net_load {
	CR_LOAD_IDLE,
	CR_LOAD_STRESS,
	CR_LOAD__MAX,
};

enum cr_nested {
	CR_NESTED_AUTO,
	CR_NESTED_YES,
	CR_NESTED_NO,
};

/*
 * Docker 20.10 drives OCI runtimes through runc's command line, which Kata
 * dropped after 1.x: 1.12.1 is the last release it can use, shipped as one
 * static tarball that unpacks under /opt/kata.
 */
#define CR_KATA_VERSION "1.12.1"
#define CR_KATA_TARBALL "kata-static-" CR_KATA_VERSION "-x86_64.tar.xz"
#define CR_KATA_RELEASE_URL "https://github.com/kata-containers/runtime/releases/download/" CR_KATA_VERSION "/" CR_KATA_TARBALL
extern const char *const cr_kata_shared_fs_names[]; /* virtio-9p, virtio-fs */

struct cr_guest_plan {
	char *name;    /* from the section header [guest NAME] */
	char *image;   /* image recipe, images/<image>.conf */
	char *runtime; /* one of cr_plan_runtimes */
	uint64_t vcpus;
	uint64_t memory; /* bytes */
	enum cr_nested nested;
	unsigned line; /* line of the section header */
	/* runtime = kata only, else NULL */
	char *kata_tarball;   /* a path, a file name in the cache's downloads/, or an http(s):// or file:// URL */
	char *kata_sha256;    /* its SHA-256, lower-case hex; NULL when the plan does not give it (the preflight then fails) */
	char *kata_shared_fs; /* virtio-9p or virtio-fs: how container root file systems reach Kata's VM */
	unsigned kata_tarball_line, kata_sha256_line;
	/* the libvirt host it runs on; NULL: the run's (--connect, --pool) */
	char *connect; /* a libvirt URI */
	char *pool;    /* a storage pool on that host, for its disks when they go up to it */
	char *upload;  /* "yes": its disks go up to the pool even when the host is this one; "no" or NULL: only when it is not */
};

struct cr_plan {
	char *path;
	/* [run] */
	char *name;
	bool seed_set; /* without a seed the run picks one and records it */
	uint64_t seed;
	uint64_t timeout;	   /* seconds, wall clock per guest */
	uint64_t progress_timeout; /* seconds without a progress line */
	bool parallel;
	char *boot; /* "once": one boot per guest; "per-step": a fresh overlay and boot for each step (Kumar & Thangaraju rebooted before each test) */
	/* [suite] */
	char *profile;
	uint32_t tests;	    /* bit (1 << enum cr_test) */
	uint32_t net_pairs; /* bit (1 << enum cr_net_pair) */
	uint32_t net_loads; /* bit (1 << enum cr_net_load) */
	uint64_t repetitions;
	uint64_t warmup;
	uint64_t bonnie_size; /* bytes */
	bool bonnie_direct;   /* also run Bonnie++ with O_DIRECT (-D): the disk, not the page cache; ours, not the paper's */
	uint64_t iperf_seconds;
	uint64_t sockperf_seconds;
	uint64_t idle_seconds; /* the idle baseline of cpu-mem */
	uint64_t container_cpus;
	uint64_t container_memory; /* bytes */
	uint64_t test_timeout;	   /* seconds */
	/* [guest NAME] sections, in file order */
	struct cr_guest_plan *guests;
	size_t n_guests;
};

extern const char *const cr_test_names[CR_TEST__MAX];
/* Whether the test runs containers of the suite's images (all but env and cpu-mem). */
bool cr_test_runs_containers(enum cr_test t);
/* Whether any test of the plan's suite does. */
bool cr_plan_runs_containers(const struct cr_plan *p);
extern const char *const cr_net_pair_names[CR_NET__MAX];
extern const char *const cr_net_load_names[CR_LOAD__MAX];
extern const char *const cr_plan_runtimes[];
extern const char *const cr_plan_boots[]; /* "once", "per-step" */
/* True when the plan boots each guest afresh for each step. */
bool cr_plan_per_step(const struct cr_plan *plan);
extern const char *const cr_plan_profiles[];

/*
 * Parse and validate a whole plan. On error *err reads "FILE:LINE: message"
 * and *out is untouched: a plan is used whole or not at all.
 */
int cr_plan_load(const char *path, struct cr_plan **out, cr_error_t *err);
/* Same, from memory; name stands for the file in messages. */
int cr_plan_parse(const char *name, const char *data, size_t len, struct cr_plan **out, cr_error_t *err);

void cr_plan_free(struct cr_plan *plan);
static inline void cleanup_planp(struct cr_plan **p)
{
	cr_plan_free(*p);
}
#define cleanup_plan __attribute__((cleanup(cleanup_planp)))

/* The plan as a plan file with every key spelled out (profile values resolved); parses back to the same plan. */
char *cr_plan_dump(const struct cr_plan *plan);

/* The resolved plan as JSON: {"path", "run": {...}, "suite": {...}, "guests": [...]}. */
struct json_t;
struct json_t *cr_plan_to_json(const struct cr_plan *plan);

/* Every key the format knows, for docs checks and `--help` text. */
struct cr_plan_key_info {
	const char *section; /* "run", "suite" or "guest" */
	const char *name;
	const char *expect; /* human description of valid values */
};
size_t cr_plan_keys(const struct cr_plan_key_info **keys);

/* Whether a guest gets virtualization: asked for, or left to auto and its runtime is Kata. */
bool cr_guest_nested(const struct cr_guest_plan *g);

#endif
