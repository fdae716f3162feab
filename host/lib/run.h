/* The pieces of a run: run ids, the payload disk, per-guest disks, host CPU pinning, the run manifest, leftovers of dead runs. */
#ifndef CRBENCH_RUN_H
#define CRBENCH_RUN_H

#include <jansson.h>
#include <libvirt/libvirt.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"

/* Size of each guest's results disk. */
#define CR_RESULTS_DISK_SIZE (256ULL << 20)

/* Prefix of every domain crbench run defines: crbench-<run id>-<guest>. */
#define CR_RUN_DOMAIN_PREFIX "crbench-"

/* "<name>-<yyyymmdd-hhmmss UTC>-<4 hex digits>"; name is the plan's [run] name or its file stem. */
char *cr_run_id(const struct cr_plan *plan, time_t now, uint32_t random);

/* A file to put on the payload disk: dest is its path on the disk, relative. */
struct cr_payload_file {
	const char *src;
	const char *dest;
};

/*
 * Make the payload disk image (ext4, label crbench-payload, read-only in the
 * guest) at out from files, with mke2fs -d through a staging directory of
 * hard links (copies when linking fails). No appliance, no root needed.
 */
int cr_payload_make(const char *staging, const struct cr_payload_file *files, size_t n, const char *label, const char *out,
		    cr_error_t *err);
/* The same, of what is in directory dir. */
int cr_payload_make_dir(const char *dir, const char *label, const char *out, cr_error_t *err);

/*
 * The disk of the suite's container images (label crbench-images): made once
 * per set of images, named after their keys, kept in the cache's images/ and
 * attached read-only to every guest of every run, so that a run copies no
 * image. *path is the disk; *made tells whether this call made it.
 */
int cr_images_disk(const char *cache_dir, const struct cr_payload_file *files, size_t n, const char *key, char **path, bool *made,
		   cr_error_t *err);

/* A new results disk: a sparse raw file of zeros, which is an empty archive. */
int cr_results_disk_make(const char *path, uint64_t size, cr_error_t *err);

/* A qcow2 overlay on base (qemu-img create -b). */
int cr_overlay_make(const char *base, const char *overlay, cr_error_t *err);

/*
 * Host CPUs for the guests' vCPUs: disjoint sets, one host CPU per vCPU,
 * from the CPUs this process may run on, or, when host_cpus is not 0, from
 * CPUs 0 .. host_cpus - 1 of a libvirt host that is not this one. When the host has too few for
 * every guest that runs at the same time, nothing is pinned (*pin NULL) and
 * *why says so. CPUs in busy (may be NULL) are left alone.
 */
int cr_pin_plan(const uint64_t *vcpus, size_t n_guests, bool parallel, unsigned host_cpus, const cpu_set_t *busy, unsigned ***pin,
		char **why);

void cr_pin_free(unsigned **pin, size_t n_guests);

/* The host's side of the run manifest: kernel, CPU, memory, libvirt and QEMU versions. */
json_t *cr_host_json(virConnectPtr conn);
/*
 * The same of the libvirt host conn reaches: this host's as cr_host_json
 * when it is this one; else its libvirt's word (virNodeGetInfo, the CPU
 * model of its capabilities), its kernel null.
 */
json_t *cr_libvirt_host_json(virConnectPtr conn);

/* Write JSON to path atomically (temporary file, fsync, rename). */
int cr_json_write_atomic(const char *path, json_t *doc, cr_error_t *err);

/*
 * Link (or copy, across file systems) the step entries ("NNNN-*.json") of
 * harvested results directory from into to (created): a guest booted per
 * step has one results/ of all its steps. An entry already there stays.
 */
int cr_results_link(const char *from, const char *to, cr_error_t *err);

/*
 * What a guest leaves, into out_dir (created): its console log (with the
 * parts virtlogd rotated away) as console.log, readable by all; its results
 * disk harvested into results/; harvest.json saying how. disk_error, when
 * not NULL, says why there is no disk to harvest (and is the error). Returns
 * the harvest's result; *hr is filled either way and must be released;
 * *console_saved says whether the console log was copied.
 */
struct cr_harvest_report;
int cr_guest_collect(const char *disk, const char *disk_error, const char *console, const char *out_dir, struct cr_harvest_report *hr,
		     bool *console_saved, cr_error_t *err);

/* Remove a run's temporary directory and everything in it (no subdirectories expected beyond one level). */
void cr_rmtree(const char *dir);

#endif
