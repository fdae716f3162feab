/* The Docker Engine API (v1.41) over /var/run/docker.sock with libcurl: no CLI start-up in any timing. */
#ifndef CRBENCH_DOCKER_H
#define CRBENCH_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define CR_DOCKER_SOCKET "/var/run/docker.sock"
#define CR_DOCKER_API "/v1.41"
#define CR_DOCKER_BODY_MAX (64u << 20)

struct cr_docker;

struct cr_docker_response {
	long status; /* HTTP status */
	char *body;  /* NUL-terminated, at most CR_DOCKER_BODY_MAX bytes */
	size_t len;
	json_t *json;	/* the body parsed, when it is JSON */
	double seconds; /* CLOCK_MONOTONIC around the whole call */
};

int cr_docker_open(const char *socket_path, struct cr_docker **out, cr_error_t *err);
void cr_docker_close(struct cr_docker *d);
/* Per-call limit in seconds, 0 for none. */
void cr_docker_set_timeout(struct cr_docker *d, long seconds);

/*
 * METHOD /v1.41<path> with an optional JSON body. A status of 400 and above
 * is an error quoting Docker's message; r is filled either way (release it).
 */
int cr_docker_call(struct cr_docker *d, const char *method, const char *path, json_t *body, struct cr_docker_response *r, cr_error_t *err);
/* POST /v1.41<path> with the file as the body (application/x-tar): /images/load. */
int cr_docker_upload(struct cr_docker *d, const char *path, const char *file, struct cr_docker_response *r, cr_error_t *err);
void cr_docker_response_release(struct cr_docker_response *r);

/* Containers; id is Docker's id or a name. */
int cr_docker_create(struct cr_docker *d, const char *name, json_t *config, char **id, double *seconds, cr_error_t *err);
int cr_docker_start(struct cr_docker *d, const char *id, double *seconds, cr_error_t *err);
int cr_docker_wait(struct cr_docker *d, const char *id, long *exit_code, double *seconds, cr_error_t *err);
int cr_docker_remove(struct cr_docker *d, const char *id, double *seconds, cr_error_t *err);
/* Its StopSignal (SIGTERM) to the container's first process, SIGKILL after timeout seconds; returns once it has stopped. */
int cr_docker_stop(struct cr_docker *d, const char *id, long timeout, double *seconds, cr_error_t *err);
/* From now on, write each created container's id and a newline to fd (the runner's sweep list); -1 stops it. */
void cr_docker_log_created(struct cr_docker *d, int fd);
/*
 * Force-remove each container of ids (one id per line): those a step left
 * behind (killed at its timeout, crashed, or failed before its own clean-up).
 * One already gone is fine; *removed counts those that were still there.
 */
int cr_docker_sweep(struct cr_docker *d, const char *ids, size_t *removed, cr_error_t *err);
int cr_docker_inspect(struct cr_docker *d, const char *id, json_t **out, cr_error_t *err);
/* stdout and stderr of a container without a TTY (Docker's multiplexed stream, demultiplexed). */
int cr_docker_logs(struct cr_docker *d, const char *id, char **out, char **errout, cr_error_t *err);

/*
 * Make sure the network name exists: inspect it, and only when Docker has no
 * network of that name create it from body (a NetworkCreate object without
 * its Name; borrowed, unchanged). *created, when not NULL, says which happened.
 */
int cr_docker_network_ensure(struct cr_docker *d, const char *name, json_t *body, bool *created, cr_error_t *err);
/*
 * Make this node the manager of a single-node swarm (POST /swarm/init); a
 * node already in a swarm is left as it is. *created, when not NULL, says
 * whether this call made the swarm.
 */
int cr_docker_swarm_init(struct cr_docker *d, const char *advertise_addr, const char *listen_addr, bool *created, cr_error_t *err);

/*
 * Split Docker's multiplexed log stream (8-byte frame headers) into stdout
 * and stderr. The stream comes from a container: a truncated or malformed
 * frame is an error, and nothing is read past len.
 */
int cr_docker_demux(const char *raw, size_t len, char **out, char **errout, cr_error_t *err);

#endif
