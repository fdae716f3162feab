/* A run's temporary directory, <cache>/runs/<run id>/: made, recorded, pinned, disowned, and reaped when its run died. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "harvest.h"
#include "outcome.h"
#include "proc.h"
#include "run.h"
#include "rundir.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

/* One line appended and synced: a record a later run reads should this process die. */
static void append_line(const char *dir, const char *file, const char *line)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		/* the reaper then misses this record; nothing else to do */
	}
	close(fd);
}

int cr_rundir_create(const char *cache_dir, const char *name, const struct cr_rundir_info *info, char **path, cr_error_t *err)
{
	cleanup_free char *runs = xasprintf("%s/runs", cache_dir), *dir = xasprintf("%s/%s", runs, name);
	cleanup_free char *pid = xasprintf("%d", (int)getpid());

	if (mkdir(runs, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create '%s'", runs);
	if (mkdir(dir, 0755) < 0)
		return cr_error(err, errno, "cannot create '%s'", dir);
	append_line(dir, "owner", pid);
	if (info && info->out) {
		/* where the results go, for a later run to harvest this one's disks should this process die */
		cleanup_free char *abs = realpath(info->out, NULL);

		append_line(dir, "out", abs ? abs : info->out);
	}
	/* which libvirt host, for the pinning of runs beside this one and for the reaper */
	if (info && info->uri)
		append_line(dir, "uri", info->uri);
	if (info && info->host)
		append_line(dir, "host", info->host);
	if (info && info->pool)
		append_line(dir, "pool", info->pool);
	*path = dir;
	dir = NULL;
	return 0;
}

int cr_rundir_add_host(const char *dir, size_t k, const struct cr_rundir_info *info, char **path, cr_error_t *err)
{
	cleanup_free char *hdir = xasprintf("%s/" CR_RUNDIR_HOST_PREFIX "%zu", dir, k);

	if (mkdir(hdir, 0755) < 0)
		return cr_error(err, errno, "cannot create '%s'", hdir);
	if (info->uri)
		append_line(hdir, "uri", info->uri);
	if (info->host)
		append_line(hdir, "host", info->host);
	if (info->pool)
		append_line(hdir, "pool", info->pool);
	*path = steal_pointer(&hdir);
	return 0;
}

void cr_rundir_add_domain(const char *dir, const char *domain)
{
	append_line(dir, "domains", domain);
}

void cr_rundir_add_volume(const char *dir, const char *name, const char *local)
{
	cleanup_free char *line = xasprintf("%s\t%s", name, local ? local : "");

	append_line(dir, "volumes", line);
}

void cr_rundir_disown(const char *dir)
{
	cleanup_free char *owner = xasprintf("%s/owner", dir);

	unlink(owner);
}

int cr_runs_lock(const char *cache_dir, const char *what, int *fd, cr_error_t *err)
{
	cleanup_free char *runs = xasprintf("%s/runs", cache_dir), *lock = xasprintf("%s/.%s.lock", runs, what);

	if (mkdir(runs, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create '%s'", runs);
	*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0 || flock(*fd, LOCK_EX) < 0) {
		int e = errno;

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return cr_error(err, e, "cannot lock '%s'", lock);
	}
	return 0;
}

static bool pid_alive(pid_t pid);
static void busy_cpus(const char *cache_dir, const char *host, cpu_set_t *busy);

void cr_rundir_pin(const char *cache_dir, const char *dir, const char *host, const uint64_t *vcpus, size_t n, bool parallel,
		   unsigned host_cpus, const cpu_set_t *taken, unsigned ***pins, char **why)
{
	cleanup_free char *cpus = xasprintf("%s/cpus", dir);
	cpu_set_t busy;
	int fd = -1;
	FILE *f;

	/* under a lock, so that two runs started together do not pick the same CPUs (without it, the choice is only likelier to clash) */
	cr_runs_lock(cache_dir, "pin", &fd, NULL);
	busy_cpus(cache_dir, host, &busy);
	if (taken)
		CPU_OR(&busy, &busy, taken);
	cr_pin_plan(vcpus, n, parallel, host_cpus, &busy, pins, why);
	f = fopen(cpus, "we");
	for (size_t i = 0; f && *pins && i < n; i++)
		for (uint64_t v = 0; v < vcpus[i]; v++)
			fprintf(f, "%u\n", (*pins)[i][v]);
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd); /* and the lock with it */
}

static bool pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* A run's directory with an owner (not kept, not being made, not a lock file): true, and *pid is the owner's. */
static bool run_owner(const char *runs, const char *name, long *pid)
{
	cleanup_free char *owner = NULL, *text = NULL;
	size_t len;

	if (name[0] == '.')
		return false;
	owner = xasprintf("%s/%s/owner", runs, name);
	if (cr_read_file(owner, 64, &text, &len, NULL) < 0)
		return false;
	*pid = strtol(text, NULL, 10);
	return true;
}

/* The CPUs record dir (a run's directory, or one of its other hosts') says are pinned on libvirt host host (NULL: any). */
static void add_busy(const char *dir, const char *host, cpu_set_t *busy)
{
	cleanup_free char *cpus = xasprintf("%s/cpus", dir), *list = NULL, *host_file = xasprintf("%s/host", dir), *their = NULL;
	char *save = NULL;
	size_t len;

	if (cr_read_file(cpus, 1 << 16, &list, &len, NULL) < 0)
		return;
	/* a run on another libvirt host pins that host's CPUs (a run that did not say is taken as this one's) */
	if (host && cr_read_file(host_file, 1024, &their, &len, NULL) == 0 && strcmp(strstrip(their), host) != 0)
		return;
	for (char *w = strtok_r(list, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		long c = strtol(w, NULL, 10);

		if (c >= 0 && c < CPU_SETSIZE)
			CPU_SET((int)c, busy);
	}
}

/* The directories of a run's other libvirt hosts (CR_RUNDIR_HOST_PREFIX), NULL-terminated; an empty list when none. */
static char **host_dirs(const char *dir)
{
	char **out = xcalloc(1, sizeof(*out));
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!str_has_prefix(e->d_name, CR_RUNDIR_HOST_PREFIX))
			continue;
		out = xrealloc(out, (n + 2) * sizeof(*out));
		out[n++] = xasprintf("%s/%s", dir, e->d_name);
		out[n] = NULL;
	}
	if (d)
		closedir(d);
	return out;
}

/*
 * The host CPUs live crbench runs have pinned vCPUs to (the cpus records of
 * runs whose owner is alive, this process's excepted, on libvirt host host
 * as their record "host" says; NULL: any).
 */
static void busy_cpus(const char *cache_dir, const char *host, cpu_set_t *busy)
{
	cleanup_free char *runs = xasprintf("%s/runs", cache_dir);
	DIR *d = opendir(runs);
	struct dirent *e;

	CPU_ZERO(busy);
	if (!d)
		return;
	while ((e = readdir(d))) {
		cleanup_free char *dir = NULL;
		cleanup_strv char **hosts = NULL;
		long pid;

		if (!run_owner(runs, e->d_name, &pid) || pid == (long)getpid() || !pid_alive((pid_t)pid))
			continue;
		dir = xasprintf("%s/%s", runs, e->d_name);
		add_busy(dir, host, busy);
		hosts = host_dirs(dir);
		for (size_t i = 0; hosts[i]; i++)
			add_busy(hosts[i], host, busy);
	}
	closedir(d);
}

static void add_message(char ***messages, size_t *n_msg, char *msg)
{
	*messages = xrealloc(*messages, (*n_msg + 2) * sizeof(char *));
	(*messages)[(*n_msg)++] = msg;
	(*messages)[*n_msg] = NULL;
}

/*
 * run.json of a dead run, once a guest's disk was harvested: the guest that
 * was running is interrupted; one that had ended unharvested (its libvirt
 * host lost) keeps its status and says its results came later. Either way
 * with what the harvest found.
 */
static void mark_salvaged(const char *out, const char *guest, long pid, const struct cr_harvest_report *hr)
{
	cleanup_free char *path = xasprintf("%s/run.json", out);
	json_t *run = json_load_file(path, 0, NULL), *guests = run ? json_object_get(run, "guests") : NULL, *g;
	size_t i, steps = 0;
	bool changed = false;

	for (size_t k = 0; k < hr->n_entries; k++)
		steps += cr_results_step_name(hr->entries[k].name);
	json_array_foreach(guests, i, g) {
		const char *name = json_string_value(json_object_get(g, "name"));
		const char *status = json_string_value(json_object_get(g, "status"));
		const char *reason = json_string_value(json_object_get(g, "reason"));

		if (!name || strcmp(name, guest) != 0)
			continue;
		if (cr_guest_status_parse(status) == CR_GUEST_RUNNING) {
			json_object_set_new(g, "status", json_string(cr_guest_status_names[CR_GUEST_INTERRUPTED]));
			json_object_set_new(g, "reason",
					    json_sprintf("crbench run (pid %ld) died without ending the guest; a later run "
							 "destroyed it and harvested its results disk",
							 pid));
		} else {
			json_object_set_new(g, "reason",
					    json_sprintf("%s%sa later run reached its host again and harvested its results disk",
							 reason ? reason : "", reason ? "; " : ""));
		}
		json_object_set_new(g, "harvest", json_string(cr_harvest_status_names[cr_harvest_status(hr)]));
		json_object_set_new(g, "steps_harvested", json_integer((json_int_t)steps));
		changed = true;
	}
	if (changed) {
		const char *status = json_string_value(json_object_get(run, "status"));

		if (status && strcmp(status, "running") == 0)
			json_object_set_new(run, "status", json_string("interrupted"));
		cr_json_write_atomic(path, run, NULL);
	}
	json_decref(run);
}

/*
 * A dead run's guests were never harvested: each results disk (and console
 * log) goes to the run's own directory, as the run would have done, before
 * the disks are removed. Nothing a guest measured is lost to a SIGKILL.
 * Returns how many disks could not be harvested whole: the caller keeps them.
 */
/* "results-NNNN.raw": the results disk of a boot that ran step NNNN. */
static bool step_disk_name(const char *name, unsigned long long *step)
{
	static const char pattern[] = "results-0000.raw";

	if (strlen(name) != strlen(pattern) || !str_has_prefix(name, "results-") || !str_has_suffix(name, ".raw"))
		return false;
	for (size_t i = strlen("results-"); i < strlen("results-0000"); i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	*step = strtoull(name + strlen("results-"), NULL, 10);
	return true;
}

/*
 * The disk a dead run's guest left in gdir and where it is harvested to:
 * results.raw into the guest's directory gout; a boot per step's
 * results-NNNN.raw into gout/boots/NNNN (its entries then linked into
 * gout/results). NULL when there is none, or it was harvested already.
 */
static char *dead_disk(const char *gdir, const char *gout, char **target)
{
	cleanup_free char *disk = xasprintf("%s/results.raw", gdir), *results = xasprintf("%s/results", gout);
	struct dirent *e;
	struct stat st;
	DIR *d;

	*target = NULL;
	if (stat(disk, &st) == 0 && S_ISREG(st.st_mode)) {
		if (stat(results, &st) == 0)
			return NULL;
		*target = xstrdup(gout);
		return steal_pointer(&disk);
	}
	if (!(d = opendir(gdir)))
		return NULL;
	while (!*target && (e = readdir(d))) {
		unsigned long long step;
		cleanup_free char *boot = NULL, *boots = xasprintf("%s/boots", gout);

		if (!step_disk_name(e->d_name, &step))
			continue;
		boot = xasprintf("%s/%04llu", boots, step);
		if (stat(boot, &st) == 0)
			continue;
		mkdir(gout, 0755);
		mkdir(boots, 0755);
		*target = steal_pointer(&boot);
		free(disk);
		disk = xasprintf("%s/%s", gdir, e->d_name);
	}
	closedir(d);
	return *target ? steal_pointer(&disk) : NULL;
}

static size_t salvage(const char *dir, const char *id, long pid, char ***messages, size_t *n_msg)
{
	cleanup_free char *out_file = xasprintf("%s/out", dir), *out = NULL;
	size_t len, kept = 0;
	DIR *d;
	struct dirent *e;

	if (cr_read_file(out_file, PATH_MAX, &out, &len, NULL) < 0)
		return 0; /* a run from before crbench recorded where its results go */
	out[strcspn(out, "\n")] = '\0';
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		cleanup_free char *gdir = NULL, *disk = NULL, *gout = NULL, *target = NULL, *results = NULL, *console = NULL;
		cleanup_error cr_error_t err = NULL;
		struct cr_harvest_report hr;
		bool console_saved;
		int rc;

		if (e->d_name[0] == '.')
			continue;
		gdir = xasprintf("%s/%s", dir, e->d_name);
		gout = xasprintf("%s/%s", out, e->d_name);
		if (!(disk = dead_disk(gdir, gout, &target)))
			continue; /* no disk, or harvested already */
		results = xasprintf("%s/results", target);
		console = xasprintf("%s/console.log", gdir);
		rc = cr_guest_collect(disk, NULL, console, target, &hr, &console_saved, &err);
		if (rc == 0 && strcmp(target, gout) != 0) {
			cleanup_free char *merged = xasprintf("%s/results", gout);

			rc = cr_results_link(results, merged, &err);
		}
		if (rc < 0 || hr.capped) {
			kept++;
			add_message(messages, n_msg,
				    xasprintf("cannot harvest guest '%s' of dead run %s (pid %ld, gone)%s %s; kept its disk '%s'",
					      e->d_name, id, pid,
					      rc < 0 ? ":" : " whole:", rc < 0 ? err->msg : "it is past the host's limits", disk));
		}
		if (rc == 0) {
			mark_salvaged(out, e->d_name, pid, &hr);
			add_message(messages, n_msg,
				    xasprintf("harvested guest '%s' of dead run %s (pid %ld, gone): %zu entries, harvest %s, in '%s' "
					      "(crbench report '%s' reports them)",
					      e->d_name, id, pid, hr.n_entries, cr_harvest_status_names[cr_harvest_status(&hr)], results,
					      out));
		}
		cr_harvest_report_release(&hr);
	}
	closedir(d);
	return kept;
}

/* A dead run that cannot be cleaned up now: its directory stays, for a later run to try again. */
static void kept_dead_run(char ***messages, size_t *n_msg, const char *id, long pid, const char *why, const char *dir)
{
	add_message(messages, n_msg, xasprintf("cannot clean up dead run %s (pid %ld, gone): %s; kept '%s'", id, pid, why, dir));
}

/*
 * The libvirt connection of a dead run: conn, or one to the URI it recorded
 * when that is another (*their != conn then). -1 when it cannot be opened.
 */
static int dead_run_conn(const char *dir, virConnectPtr conn, virConnectPtr *their, cr_error_t *err)
{
	cleanup_free char *uri_file = xasprintf("%s/uri", dir), *uri = NULL, *ours = NULL;
	size_t len;

	*their = conn;
	if (cr_read_file(uri_file, 4096, &uri, &len, NULL) < 0)
		return 0; /* a run from before crbench recorded its URI */
	strstrip(uri);
	ours = conn ? virConnectGetURI(conn) : NULL;
	if (ours && strcmp(ours, uri) == 0)
		return 0;
	if (cr_virt_open(uri, their, err) < 0) {
		*their = NULL;
		return -1;
	}
	return 0;
}

/*
 * A dead run on a libvirt host reached by upload: its results volumes come
 * down into the run's directory, where salvage() finds them, then its
 * volumes are deleted. -1 when the pool cannot be reached or a results
 * volume cannot come down: the directory stays, for a later run to try
 * again.
 */
static int reap_volumes(const char *rec, const char *dir, virConnectPtr conn, const char *id, long pid, char ***messages, size_t *n_msg)
{
	cleanup_free char *pool_file = xasprintf("%s/pool", rec), *vols_file = xasprintf("%s/volumes", rec);
	cleanup_free char *pool_name = NULL, *list = NULL;
	cleanup_error cr_error_t err = NULL;
	virStoragePoolPtr pool = NULL;
	char *save = NULL;
	size_t len, kept = 0;

	if (cr_read_file(pool_file, 1024, &pool_name, &len, NULL) < 0 || cr_read_file(vols_file, 1 << 20, &list, &len, NULL) < 0)
		return 0; /* its guests' disks were files here */
	strstrip(pool_name);
	if (cr_pool_open(conn, pool_name, &pool, &err) < 0) {
		kept_dead_run(messages, n_msg, id, pid, err->msg, dir);
		return -1;
	}
	for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *local = strchr(line, '\t');
		int rc;

		if (local)
			*local++ = '\0';
		/* a results volume comes down whole (a copy the dead run made, whole or not, is replaced) */
		if (local && *local && !strstr(local, "..") && cr_vol_is_there(pool, line)) {
			cleanup_free char *path = xasprintf("%s/%s", dir, local);

			if (cr_vol_download(pool, line, path, &err) < 0) {
				add_message(messages, n_msg,
					    xasprintf("cannot download results volume '%s' of dead run %s: %s; kept it, and '%s'", line, id,
						      err->msg, dir));
				kept++;
				continue;
			}
		}
		rc = cr_vol_delete(pool, line, &err);
		if (rc < 0)
			add_message(messages, n_msg, xasprintf("dead run %s: %s", id, err->msg));
		else if (rc > 0)
			add_message(messages, n_msg, xasprintf("deleted volume '%s' left by run %s (pid %ld, gone)", line, id, pid));
	}
	virStoragePoolFree(pool);
	return kept ? -1 : 0;
}

/*
 * What a dead run left on one libvirt host, as record directory rec says
 * (the run's directory dir, or one of its other hosts'): its domains
 * destroyed, its volumes down and gone. -1 when something stays.
 */
static int reap_host(const char *rec, const char *dir, virConnectPtr conn, const char *id, long pid, char ***messages, size_t *n_msg)
{
	cleanup_free char *domains = xasprintf("%s/domains", rec), *vols_file = xasprintf("%s/volumes", rec), *list = NULL;
	cleanup_error cr_error_t err = NULL;
	virConnectPtr their; /* the dead run's libvirt connection: this run's, or one to its own URI */
	size_t len;
	int vols;

	if (dead_run_conn(rec, conn, &their, &err) < 0) {
		kept_dead_run(messages, n_msg, id, pid, err->msg, dir);
		return -1;
	}
	if (!their && (access(domains, F_OK) == 0 || access(vols_file, F_OK) == 0)) {
		/* a run from before crbench recorded its URI, and this run has no connection to take for it */
		kept_dead_run(messages, n_msg, id, pid,
			      "it recorded no libvirt URI and this run does not use its own libvirt host: a run that does reaps it", dir);
		return -1;
	}
	if (their && cr_read_file(domains, 1 << 20, &list, &len, NULL) == 0) {
		char *save = NULL;

		for (char *name = strtok_r(list, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
			virDomainPtr dom;

			if (strncmp(name, CR_RUN_DOMAIN_PREFIX, strlen(CR_RUN_DOMAIN_PREFIX)) != 0)
				continue;
			dom = virDomainLookupByName(their, name);
			if (!dom)
				continue;
			if (virDomainDestroy(dom) == 0)
				add_message(messages, n_msg,
					    xasprintf("destroyed domain '%s' left running by run %s (pid %ld, gone)", name, id, pid));
			virDomainFree(dom);
		}
	}
	vols = their ? reap_volumes(rec, dir, their, id, pid, messages, n_msg) : 0;
	if (their != conn)
		cr_virt_close(their);
	return vols;
}

int cr_runs_reap(const char *cache_dir, virConnectPtr conn, char ***messages)
{
	cleanup_free char *runs = xasprintf("%s/runs", cache_dir);
	DIR *d = opendir(runs);
	struct dirent *e;
	size_t n_msg = 0;
	int reaped = 0;

	*messages = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		cleanup_free char *dir = NULL;
		cleanup_strv char **hosts = NULL;
		long pid;
		bool kept;

		/* not a run's directory, one being made, or one kept */
		if (!run_owner(runs, e->d_name, &pid) || pid_alive((pid_t)pid))
			continue;
		dir = xasprintf("%s/%s", runs, e->d_name);
		/* the run's libvirt host, then each other host its guests ran on */
		kept = reap_host(dir, dir, conn, e->d_name, pid, messages, &n_msg) < 0;
		hosts = host_dirs(dir);
		for (size_t i = 0; hosts[i]; i++)
			if (reap_host(hosts[i], dir, conn, e->d_name, pid, messages, &n_msg) < 0)
				kept = true;
		if (kept)
			continue;
		if (salvage(dir, e->d_name, pid, messages, &n_msg) > 0) {
			/* results that could not be harvested are never deleted: no owner, so that no later run reaps them */
			cr_rundir_disown(dir);
			continue;
		}
		cr_rmtree(dir);
		add_message(messages, &n_msg, xasprintf("removed '%s' left by run %s (pid %ld, gone)", dir, e->d_name, pid));
		reaped++;
	}
	closedir(d);
	return reaped;
}
