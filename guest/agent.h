/* The agent's runner and its table of tests: one file per test behind one table. */
#ifndef CRBENCH_AGENT_H
#define CRBENCH_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "docker.h"
#include "error.h"
#include "outcome.h"
#include "plan.h"
#include "runtime.h"
#include "schedule.h"

/* The suite's container images (images/bench.conf, images/httpd.conf). */
#define CR_BENCH_IMAGE "crbench/bench:1"
#define CR_HTTPD_IMAGE "crbench/httpd:1"
/* The read-only disk holding them (bench.tar, httpd.tar) when the payload does not, and where the agent mounts it. */
#define CR_IMAGES_DISK "/dev/disk/by-id/virtio-crbench-images"
#define CR_IMAGES_MOUNT "/run/crbench/images"

/*
 * What the host says of the suite's images, in the payload's images.json
 * (docs/run-format.md): each image's file on the images disk, its tag and
 * Docker's id for it (sha256 of its config), and the mode: "store", the
 * guest image's Docker store already has them (the host preloaded it) and
 * they are only checked; "load", they are loaded from the images disk at
 * boot, then checked; "preload", the boot that fills the Docker store: load,
 * check, say so on the console, and run no suite.
 */
enum cr_images_mode { CR_IMAGES_LOAD, CR_IMAGES_STORE, CR_IMAGES_PRELOAD, CR_IMAGES__MAX };
#define CR_IMAGES_MAX 8
struct cr_image {
	char *file, *tag, *id; /* tag and id NULL: load it, check nothing (a payload without images.json) */
};
struct cr_images_spec {
	enum cr_images_mode mode;
	struct cr_image image[CR_IMAGES_MAX];
	size_t n;
};
/* The payload's images.json; without one, bench.tar and httpd.tar loaded and not checked. */
int cr_images_spec_load(const char *payload, struct cr_images_spec *s, cr_error_t *err);
void cr_images_spec_release(struct cr_images_spec *s);
static inline void cr_images_spec_cleanup(struct cr_images_spec *s)
{
	cr_images_spec_release(s);
}
#define cleanup_images_spec __attribute__((cleanup(cr_images_spec_cleanup)))
/* Load (unless in the store) and check the images: the document images.json records, or NULL and *err. */
json_t *cr_images_prepare(struct cr_docker *d, const char *payload, const struct cr_images_spec *s, cr_error_t *err);
/*
 * The preload boot: load and check, each image's id and time on the
 * console, trim the filesystem at trim (NULL: none), then "done".
 */
int cr_images_preload(struct cr_docker *d, const char *payload, const struct cr_images_spec *s, const char *trim, FILE *console,
		      cr_error_t *err);

/* What every test gets: the plan, its guest, the Docker connection. */
struct cr_agent {
	const struct cr_plan *plan;
	const struct cr_guest_plan *guest;
	uint64_t seed;
	const char *payload;		     /* directory of the payload disk */
	const struct cr_images_spec *images; /* the suite's container images, as the payload's images.json says (cr_images_spec_load) */
	struct cr_docker *docker;
	/* what cr_agent_run set up for the runtime before the suite; NULL before that (containers then use the plan's runtime name) */
	const struct cr_runtime_setup *runtime;
	/* crbench.fault= of the kernel command line: a fault to make happen, for the fault suite (tests/faults), or NULL */
	const char *fault;
	/* why the suite's container images could not be loaded, or NULL: steps that run a container then fail with it */
	const char *images_error;
	/*
	 * crbench.steps=FIRST-LAST of the kernel command line: run only those
	 * steps of the schedule (1-based, inclusive), each entry keeping its
	 * number, for a plan that boots each step afresh; 0 and 0: every step
	 */
	uint64_t first_step, last_step;
};

/* Parse "FIRST-LAST" (1 <= FIRST <= LAST) into a; -1 with err set when it is not that. */
int cr_agent_parse_steps(const char *text, struct cr_agent *a, cr_error_t *err);

/*
 * The fault suite's faults, made to happen for real (crbench run
 * --inject-fault): "docker-fail" breaks dockerd's configuration and restarts
 * it before the agent waits for it; "panic", "hang" and "agent-crash" strike
 * after the first step's entry is on the results disk.
 * cr_fault_before_docker returns -1 with err set when it cannot make its fault happen.
 */
int cr_fault_before_docker(const char *fault, cr_error_t *err);
void cr_fault_after_step(const char *fault, size_t done);

/*
 * A test fills *data with what it measured (every raw sample included) and
 * returns 0, or returns -1 with err set; it may set *unsupported with a
 * reason when the runtime cannot do the step (never recorded as 0).
 * It runs in a child process of its own: a crash or a hang ends the step,
 * not the suite.
 */
typedef int (*cr_test_fn)(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);

struct cr_test_impl {
	enum cr_test test;
	cr_test_fn run;
};

/* NULL when this agent cannot run test yet. */
const struct cr_test_impl *cr_test_lookup(enum cr_test test);

int cr_test_env(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);
int cr_test_boot(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);
int cr_test_cpu_mem(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);
int cr_test_disk(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);
int cr_test_net_io(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);
int cr_test_net_matrix(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err);

/*
 * The network matrix's containers print one tool's output after another's,
 * a marker line between them: the client iperf3 -J, then sockperf; the
 * loaded server its servers' logs on stderr, then stress-ng's YAML.
 */
#define CR_NET_MATRIX_SOCKPERF_MARK "crbench-net-matrix: sockperf"
#define CR_NET_MATRIX_STRESS_MARK "crbench-net-matrix: stress-ng"
/*
 * The client's stdout (cut in place) as the "iperf3" and "sockperf" members
 * of the test's data. iperf3's failure fails the cell; sockperf's (a
 * non-zero exit, output without statistics) leaves the bandwidth measured
 * and the latency not, *not_measured saying why.
 */
int cr_net_matrix_client_data(char *out, long exit_code, json_t **iperf3, json_t **sockperf, json_t **not_measured, cr_error_t *err);
/* The loaded server's stdout (cut in place) as the "stress" member. */
int cr_net_matrix_stress_data(char *out, uint64_t instances, json_t **stress, cr_error_t *err);
/* Seconds the client probes for the server, elapsed seconds into its step; at least 1. */
unsigned long long cr_net_matrix_probe_seconds(const struct cr_plan *p, double elapsed);
/* The client's shell script: probe the iperf3 server at ip for probe_seconds, then measure. */
char *cr_net_matrix_client_script(const struct cr_plan *p, const char *ip, unsigned long long probe_seconds);

/* The runtime Docker runs a container of this guest with: what the agent set up (runtime.json), for the host's network or not. */
const char *cr_container_runtime(const struct cr_agent *a, bool host_network);

/* Limits every container gets, whatever the runtime: the plan's container-cpus and container-memory. */
json_t *cr_container_config(const struct cr_agent *a, const char *image, json_t *cmd);

/*
 * What a container that never answered looked like afterwards, for a failed
 * step's data: {"url", "attempts", "last_answer", "state": Docker's State
 * (Status, Running, ExitCode, Error, OOMKilled), "stdout", "stderr": the
 * last CR_CONTAINER_LOG_TAIL bytes of each}. Docker gets
 * CR_CONTAINER_DIAG_TIMEOUT seconds a call (then the plan's test-timeout
 * again); what cannot be read is left out; never fails.
 */
#define CR_CONTAINER_LOG_TAIL 2000
#define CR_CONTAINER_DIAG_TIMEOUT 30
json_t *cr_container_unanswered(const struct cr_agent *a, const char *id, const char *url, long attempts, const char *last_answer);

/*
 * The httpd container as boot and net-io run it: cr_container_config, and
 * an open-files limit of CR_HTTPD_NOFILE, soft and hard, for every runtime.
 * Debian's apache2ctl sets its limit to that with `ulimit -n` and exits
 * when it cannot: in a Kata VM the container inherited the VM's init
 * limits (hard 4096) and, without CAP_SYS_RESOURCE, could not raise them
 * (Kata 1.12.1, measured), where under runc it inherits dockerd's far
 * higher one and only lowers it. Given in the container's spec, the limit
 * is the one apache2ctl asks for, whatever the runtime.
 */
#define CR_HTTPD_NOFILE 8192
json_t *cr_container_httpd_config(const struct cr_agent *a);

/* "http://IP/" of the started httpd container id on Docker's bridge; NULL, err set, when it has no address. */
char *cr_container_httpd_url(const struct cr_agent *a, const char *id, cr_error_t *err);

/*
 * Wait for the started httpd container id to answer 200 on url (as
 * cr_http_wait_200: seconds from t0, or -1 by deadline), giving up as soon
 * as the container has exited. On -1, err says why in one line (the exit
 * code and the last line of its stderr when it exited, else the last
 * answer) and *unanswered is cr_container_unanswered's record of it.
 */
double cr_container_httpd_wait(const struct cr_agent *a, const char *id, const char *url, double t0, double deadline, long *attempts,
			       json_t **unanswered, cr_error_t *err);

/*
 * Before the suite of a Kata guest that passed its checks: start one
 * container of the bench image (up to CR_KATA_PROBE_ATTEMPTS times) and
 * record it in setup's "kata" record as "probe"; when none started and the
 * error is one cr_kata_start_explain knows, the setup is refused with its
 * meaning and Docker's own words, once, instead of every step failing.
 */
#define CR_KATA_PROBE_ATTEMPTS 2
struct cr_runtime_setup;
void cr_kata_probe(const struct cr_agent *a, struct cr_runtime_setup *setup);

/*
 * Before the suite of a gVisor guest whose runsc chose its KVM platform
 * (`runsc do true` ran there): run the bench image's iperf3 as the suite
 * runs its containers, recorded as "container_probe"; when it fails, the
 * next platform that works is taken instead (systrap, else ptrace), and
 * the record says why. On TCG's emulated SVM every container died of
 * SIGILL where runsc's own probe passed.
 */
void cr_runsc_probe(const struct cr_agent *a, struct cr_runtime_setup *setup);

/*
 * A docker CLI command (what: "docker run of ...") that ended with wait
 * status; output is what it printed (cut in place): the error's one line
 * gives its exit code (or signal) and its words, past the CLI's leading
 * WARNING lines, at most 300 bytes. Returns -1.
 */
int cr_docker_cli_failed(const char *what, int status, char *output, cr_error_t *err);

/* A container run to its end: exit code, output, seconds from start to exit. */
struct cr_container_result {
	long exit_code;
	char *out, *err;
	double t_start, seconds;
	unsigned attach_retries; /* starts Docker gave up on attaching the container to a swarm network (cr_container_start) */
};

/*
 * Create (named name, or anonymous) and start a container of config (not
 * taken); *id is its id, to remove. Docker gives a swarm network's
 * attachment a fixed 20 s (moby's swarmRequestTimeout) and then fails the
 * start with "attaching to network failed ... context deadline exceeded",
 * which a guest under TCG, loaded, now and then needs more than; the failed
 * attachment stays registered under that container's id, so the container
 * is removed and made again, up to CR_ATTACH_ATTEMPTS times in all, before
 * anything is measured. *retries (may be NULL) counts the retries;
 * *t_start (may be NULL) is cr_now() when the start that worked was asked for.
 */
#define CR_ATTACH_ATTEMPTS 3
int cr_container_start(const struct cr_agent *a, const char *name, json_t *config, char **id, unsigned *retries, double *t_start,
		       cr_error_t *err);

/*
 * Create (named name, or anonymous), start, wait for, read the logs of and
 * remove a container; takes config. -1 only when Docker failed: a non-zero
 * exit is in res. Release res either way.
 */
int cr_container_run(const struct cr_agent *a, json_t *config, const char *name, struct cr_container_result *res, cr_error_t *err);
void cr_container_result_release(struct cr_container_result *res);
/*
 * A container run (of command, what ran: "bonnie++") that exited non-zero,
 * for a failed step: its data {"command", "exit_code", "stdout", "stderr"
 * (the last CR_CONTAINER_LOG_TAIL bytes of each)}, and in err why, with
 * the last line of its stderr (its first 200 bytes), or of its stdout when
 * stderr is empty.
 */
json_t *cr_container_failed(const char *what, const char *command, const struct cr_container_result *res, cr_error_t *err);
/*
 * A container (what: "the server container") found stopped, with exit_code
 * and its output, under a step that failed with err (NULL: not said): err is prefixed with
 * that and the line of its stderr (else stdout) that tells why (one naming
 * a signal, a failure or an error, else the last), and its record
 * {"exit_code", "stdout", "stderr"} (tails as above) is returned.
 */
json_t *cr_container_gone(const char *what, long exit_code, const char *out, const char *errout, cr_error_t *err);
/* cr_container_gone of container id when Docker says it has stopped, else NULL (err untouched); asked as cr_container_unanswered asks */
json_t *cr_container_if_gone(const struct cr_agent *a, const char *id, const char *what, cr_error_t *err);

/* The result of a step when the runtime's set-up refused to measure (every test but env), or NULL when the step runs. */
json_t *cr_step_refusal(const struct cr_agent *a, const struct cr_step *step);

/* Run the whole suite; results go to results_path, progress to the console. */
int cr_agent_run(struct cr_agent *a, const char *results_path, cr_error_t *err);

#endif
