/*
 * A run's temporary directory, <cache>/runs/<name>/: the one module that
 * writes, reads and reaps it. It holds the run's overlays, results disks
 * and console logs, and the records a later run needs should this one die:
 *
 *   owner    the pid of the crbench that made it
 *   out      where its results go (the run directory, absolute)
 *   uri      its libvirt URI
 *   host     its libvirt host's name, for the pinning of runs beside it
 *   pool     the storage pool of a run on a libvirt host reached by upload
 *   domains  the domains it started, a line each
 *   volumes  its volumes in that pool: name, tab, and for a results volume
 *            the file to download it to, relative to the directory
 *   cpus     the host CPUs its vCPUs are pinned to
 *   .host-K/ the same records (uri, host, pool, domains, volumes, cpus) for
 *            each other libvirt host its guests run on (a guest's connect =)
 *
 * A directory without an owner is never reaped: a run kept on request, or
 * one whose results disks could not be harvested.
 */
#ifndef CRBENCH_RUNDIR_H
#define CRBENCH_RUNDIR_H

#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct cr_rundir_info {
	const char *out, *uri, *host, *pool; /* each NULL when not known or not needed */
};

/* Make <cache_dir>/runs/<name>/, owned by this process, with info recorded; *path is it. */
int cr_rundir_create(const char *cache_dir, const char *name, const struct cr_rundir_info *info, char **path, cr_error_t *err);
#define CR_RUNDIR_HOST_PREFIX ".host-"

/*
 * Make dir/.host-K/ for the run's K-th other libvirt host, with info
 * recorded; *path is it, where that host's domains, volumes and pinned
 * CPUs are recorded (cr_rundir_add_domain, cr_rundir_add_volume,
 * cr_rundir_pin). A volume's local file stays relative to dir.
 */
int cr_rundir_add_host(const char *dir, size_t k, const struct cr_rundir_info *info, char **path, cr_error_t *err);
/* Record a domain before it is started, a volume before it is made (dir: the run's directory or a host's). */
void cr_rundir_add_domain(const char *dir, const char *domain);
void cr_rundir_add_volume(const char *dir, const char *name, const char *local);
/* Remove the owner record: nothing will reap the directory. */
void cr_rundir_disown(const char *dir);

/*
 * Pin the guests' vCPUs (cr_pin_plan) to host CPUs no other live run on
 * libvirt host host has pinned, nor this run in taken (may be NULL: its
 * guests on another libvirtd of the same machine), and record them, under a
 * lock of the cache's runs/: two runs started together do not pick the
 * same CPUs.
 */
void cr_rundir_pin(const char *cache_dir, const char *dir, const char *host, const uint64_t *vcpus, size_t n, bool parallel,
		   unsigned host_cpus, const cpu_set_t *taken, unsigned ***pins, char **why);

/* Take the cache-wide lock <cache_dir>/runs/.<what>.lock; *fd holds it until closed. */
int cr_runs_lock(const char *cache_dir, const char *what, int *fd, cr_error_t *err);

/*
 * Each run keeps its temporaries in <cache>/runs/<run id>/ with a file
 * "owner" holding its pid and a file "domains" listing the domains it
 * started. A run killed without cleaning up (SIGKILL, power loss) leaves
 * them behind: destroy those domains (when still running) and remove the
 * directory. A run on a libvirt host reached by upload also has "uri",
 * "pool" and "volumes" (name, tab, and for a results volume the file to
 * download it to, relative to the run's directory): its results volumes
 * come down first, then every volume goes. The same for each of its other
 * libvirt hosts (.host-K/), each reached by its own recorded URI. A run
 * that lost a host mid-run keeps its owner for this: once it is gone, the
 * lost host's domain and volumes are reaped here when it answers again, its
 * guest's results harvested into the run's directory. Returns how many dead
 * runs were cleaned; *messages says what, and what stays for later.
 */
int cr_runs_reap(const char *cache_dir, virConnectPtr conn, char ***messages);

#endif
