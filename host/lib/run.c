/* The pieces of a run that touch files and the host: ids, disks, pinning, manifest, reaping dead runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

#include "cache.h"
#include "console.h"
#include "harvest.h"
#include "proc.h"
#include "run.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

char *cr_run_id(const struct cr_plan *plan, time_t now, uint32_t random)
{
	cleanup_free char *stem = NULL;
	char stamp[32];
	struct tm tm;
	const char *name = plan->name;

	if (!name) {
		const char *base = plan->path ? strrchr(plan->path, '/') : NULL;
		char *dot;

		stem = xstrdup(base ? base + 1 : plan->path ? plan->path : "run");
		dot = strrchr(stem, '.');
		if (dot && dot != stem)
			*dot = '\0';
		name = stem;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	{
		/* the id names directories and domains: keep [A-Za-z0-9_-] only */
		char *id = xasprintf("%.40s-%s-%04x", name, stamp, (unsigned)(random & 0xffff));

		for (char *c = id; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
				*c = '_';
		return id;
	}
}

static int link_or_copy(const char *src, const char *dest, cr_error_t *err)
{
	char *cp[] = { (char *)"cp", (char *)"--", (char *)src, (char *)dest, NULL };

	if (unlink(dest) < 0 && errno != ENOENT)
		return cr_error(err, errno, "cannot replace '%s'", dest);
	if (link(src, dest) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return cr_error(err, errno, "cannot link '%s' to '%s'", src, dest);
	return cr_run_checked(cp, err);
}

/* mkdir -p for the directories of a relative path under root. */
static int make_parents(const char *root, const char *rel, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);

	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return cr_error(err, errno, "cannot create directory '%s'", path);
		*s = '/';
	}
	return 0;
}

/* The bytes of the regular files under a directory, for the payload disk's size (nftw passes no data: one walk at a time). */
static uint64_t tree_bytes;
static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F && S_ISREG(st->st_mode))
		tree_bytes += (uint64_t)st->st_size;
	return 0;
}

int cr_payload_make_dir(const char *dir, const char *label, const char *out, cr_error_t *err)
{
	cleanup_free char *size = NULL;
	struct stat st;

	if (stat(dir, &st) < 0)
		return cr_error(err, errno, "cannot make a payload disk of '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return cr_error(err, 0, "cannot make a payload disk of '%s': not a directory", dir);
	tree_bytes = 0;
	nftw(dir, add_bytes, 16, FTW_PHYS);
	/* room for the files, ext4's metadata and slack; the file is sparse */
	size = xasprintf("%lluk", (unsigned long long)((tree_bytes + tree_bytes / 8 + (64ULL << 20)) >> 10));
	{
		char *mke2fs[] = { (char *)"mke2fs",
				   (char *)"-q",
				   (char *)"-F",
				   (char *)"-t",
				   (char *)"ext4",
				   (char *)"-O",
				   (char *)"^has_journal",
				   (char *)"-L",
				   (char *)label,
				   (char *)"-E",
				   (char *)"root_owner=0:0",
				   (char *)"-d",
				   (char *)dir,
				   (char *)out,
				   size,
				   NULL };

		if (cr_run_checked(mke2fs, err) < 0)
			return cr_error_prefix(err, "cannot make the payload disk '%s'", out);
	}
	return 0;
}

int cr_payload_make(const char *staging, const struct cr_payload_file *files, size_t n, const char *label, const char *out, cr_error_t *err)
{
	if (mkdir(staging, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create directory '%s'", staging);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dest = xasprintf("%s/%s", staging, files[i].dest);
		struct stat st;

		if (stat(files[i].src, &st) < 0)
			return cr_error(err, errno, "cannot put '%s' on the payload disk", files[i].src);
		if (!S_ISREG(st.st_mode))
			return cr_error(err, 0, "cannot put '%s' on the payload disk: not a regular file", files[i].src);
		if (make_parents(staging, files[i].dest, err) < 0 || link_or_copy(files[i].src, dest, err) < 0)
			return -1;
	}
	return cr_payload_make_dir(staging, label, out, err);
}

int cr_images_disk(const char *cache_dir, const struct cr_payload_file *files, size_t n, const char *key, char **path, bool *made,
		   cr_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/images/containers-%s", cache_dir, key);
	cleanup_free char *tmp = xasprintf("%s/images/.tmp-containers-%s-%d", cache_dir, key, (int)getpid());
	cleanup_free char *staging = xasprintf("%s/staging", tmp), *disk = xasprintf("%s/disk.raw", tmp);
	int ret;

	*made = false;
	*path = xasprintf("%s/disk.raw", dir);
	if (access(*path, R_OK) == 0) {
		cr_cache_used(dir);
		return 0;
	}
	cr_rmtree(tmp);
	{
		cleanup_free char *images = xasprintf("%s/images", cache_dir);

		if (mkdir(images, 0755) < 0 && errno != EEXIST) {
			cr_error(err, errno, "cannot create '%s'", images);
			goto fail;
		}
	}
	if (mkdir(tmp, 0755) < 0) {
		cr_error(err, errno, "cannot create '%s'", tmp);
		goto fail;
	}
	ret = cr_payload_make(staging, files, n, "crbench-images", disk, err);
	cr_rmtree(staging);
	/* a concurrent run may have made it first: theirs stands */
	if (ret < 0 || (rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)) {
		if (ret == 0)
			cr_error(err, errno, "cannot rename '%s' to '%s'", tmp, dir);
		cr_rmtree(tmp);
		goto fail;
	}
	cr_rmtree(tmp);
	cr_cache_used(dir);
	*made = true;
	return 0;
fail:
	free(*path);
	*path = NULL;
	return -1;
}

int cr_results_disk_make(const char *path, uint64_t size, cr_error_t *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return cr_error(err, errno, "cannot create results disk '%s'", path);
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return cr_error(err, e, "cannot size results disk '%s'", path);
	}
	close(fd);
	return 0;
}

int cr_overlay_make(const char *base, const char *overlay, cr_error_t *err)
{
	char *create[] = {
		(char *)"qemu-img", (char *)"create", (char *)"-q",    (char *)"-f", (char *)"qcow2", (char *)"-F", (char *)"qcow2",
		(char *)"-b",	    (char *)base,     (char *)overlay, NULL
	};

	if (cr_run_checked(create, err) < 0)
		return cr_error_prefix(err, "cannot make the overlay '%s'", overlay);
	return 0;
}

int cr_pin_plan(const uint64_t *vcpus, size_t n_guests, bool parallel, unsigned host_cpus, const cpu_set_t *busy, unsigned ***pin,
		char **why)
{
	cpu_set_t set;
	unsigned cpus[CPU_SETSIZE], n_cpus = 0, n_busy = 0;
	uint64_t need = 0, most = 0;

	*pin = NULL;
	*why = NULL;
	CPU_ZERO(&set);
	for (unsigned c = 0; c < host_cpus && c < CPU_SETSIZE; c++)
		CPU_SET(c, &set);
	if (!host_cpus && sched_getaffinity(0, sizeof(set), &set) < 0) {
		*why = xasprintf("cannot read this process's CPU affinity: %s", strerror(errno));
		return 0;
	}
	for (unsigned c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (busy && CPU_ISSET(c, busy))
			n_busy++;
		else
			cpus[n_cpus++] = c;
	}
	for (size_t i = 0; i < n_guests; i++) {
		need += vcpus[i];
		most = vcpus[i] > most ? vcpus[i] : most;
	}
	if (!parallel)
		need = most; /* one guest at a time: each may use the same CPUs */
	if (need > n_cpus) {
		*why = xasprintf("not pinned: %llu vCPUs %s but this host offers %u CPUs%s", (unsigned long long)need,
				 parallel ? "run at once" : "in the largest guest", n_cpus,
				 n_busy ? " that other crbench runs have not pinned" : "");
		return 0;
	}
	*pin = xcalloc(n_guests, sizeof(**pin));
	for (size_t i = 0, next = 0; i < n_guests; i++) {
		(*pin)[i] = xcalloc(vcpus[i], sizeof(unsigned));
		if (!parallel)
			next = 0;
		for (uint64_t v = 0; v < vcpus[i]; v++)
			(*pin)[i][v] = cpus[next++];
	}
	return 0;
}

void cr_pin_free(unsigned **pin, size_t n_guests)
{
	if (!pin)
		return;
	for (size_t i = 0; i < n_guests; i++)
		free(pin[i]);
	free(pin);
}

static char *cpu_model(void)
{
	cleanup_fclose FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon)
			return xstrdup(strstrip(colon + 1));
	}
	return NULL;
}

static char *version_string(unsigned long v)
{
	return xasprintf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

json_t *cr_host_json(virConnectPtr conn)
{
	struct utsname u;
	struct sysinfo si;
	unsigned long lib = 0, hv = 0;
	cleanup_free char *model = cpu_model(), *libv = NULL, *hvv = NULL, *uri = NULL, *hostname = NULL;
	json_t *h = json_object();

	if (uname(&u) == 0) {
		json_object_set_new(h, "kernel", json_string(u.release));
		json_object_set_new(h, "kernel_version", json_string(u.version));
		json_object_set_new(h, "machine", json_string(u.machine));
	}
	json_object_set_new(h, "cpu_model", model ? json_string(model) : json_null());
	json_object_set_new(h, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	if (sysinfo(&si) == 0)
		json_object_set_new(h, "memory_bytes", json_integer((json_int_t)((uint64_t)si.totalram * si.mem_unit)));
	if (conn) {
		if (virConnectGetLibVersion(conn, &lib) == 0)
			libv = version_string(lib);
		if (virConnectGetVersion(conn, &hv) == 0)
			hvv = version_string(hv);
		uri = virConnectGetURI(conn);
		hostname = virConnectGetHostname(conn);
	}
	json_object_set_new(h, "libvirt_version", libv ? json_string(libv) : json_null());
	json_object_set_new(h, "qemu_version", hvv ? json_string(hvv) : json_null());
	json_object_set_new(h, "uri", uri ? json_string(uri) : json_null());
	json_object_set_new(h, "libvirt_host", hostname ? json_string(hostname) : json_null());
	return h;
}

json_t *cr_libvirt_host_json(virConnectPtr conn)
{
	bool local = true;
	json_t *h;
	virNodeInfo info;
	cleanup_free char *model = NULL;

	if (cr_virt_is_local(conn, &local, NULL, NULL) < 0 || local)
		return cr_host_json(conn);
	/* another host: what its libvirt says of it; its kernel is not among that */
	h = cr_host_json(conn);
	model = cr_virt_host_cpu_model(conn);
	json_object_set_new(h, "kernel", json_null());
	json_object_del(h, "kernel_version");
	json_object_del(h, "machine");
	json_object_set_new(h, "cpu_model", model ? json_string(model) : json_null());
	if (virNodeGetInfo(conn, &info) == 0) {
		json_object_set_new(h, "cpus", json_integer(info.cpus));
		json_object_set_new(h, "memory_bytes", json_integer((json_int_t)info.memory * 1024));
	} else {
		json_object_set_new(h, "cpus", json_null());
		json_object_set_new(h, "memory_bytes", json_null());
	}
	return h;
}

int cr_json_write_atomic(const char *path, json_t *doc, cr_error_t *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	int bad;

	if (!f)
		return cr_error(err, errno, "cannot write '%s'", tmp);
	bad = json_dumpf(doc, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fileno(f)) < 0;
	if (fclose(f) != 0 || bad) {
		int e = errno;

		unlink(tmp);
		return cr_error(err, e, "cannot write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return cr_error(err, e, "cannot rename '%s' to '%s'", tmp, path);
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void cr_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int copy_file(const char *src, const char *dest)
{
	char *cp[] = { (char *)"cp", (char *)"--", (char *)src, (char *)dest, NULL };

	return cr_run_checked(cp, NULL);
}

int cr_results_link(const char *from, const char *to, cr_error_t *err)
{
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (mkdir(to, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create '%s'", to);
	if (!(d = opendir(from)))
		return cr_error(err, errno, "cannot open '%s'", from);
	while (ret == 0 && (e = readdir(d))) {
		cleanup_free char *src = NULL, *dest = NULL;

		if (!cr_results_step_name(e->d_name))
			continue;
		src = xasprintf("%s/%s", from, e->d_name);
		dest = xasprintf("%s/%s", to, e->d_name);
		/* the same entry linked before (a dead run's disk harvested again) stays as it was */
		if (link(src, dest) < 0 && errno != EEXIST && (errno != EXDEV || copy_file(src, dest) < 0))
			ret = cr_error(err, errno, "cannot link '%s' to '%s'", src, dest);
	}
	closedir(d);
	return ret;
}

int cr_guest_collect(const char *disk, const char *disk_error, const char *console, const char *out_dir, struct cr_harvest_report *hr,
		     bool *console_saved, cr_error_t *err)
{
	cleanup_free char *log = xasprintf("%s/console.log", out_dir), *results = xasprintf("%s/results", out_dir);
	cleanup_free char *hjson = xasprintf("%s/harvest.json", out_dir);
	json_t *hj;
	int rc;

	memset(hr, 0, sizeof(*hr));
	*console_saved = false;
	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
		return cr_error(err, errno, "cannot create '%s'", out_dir);
	*console_saved = copy_file(console, log) == 0;
	chmod(log, 0644);			     /* virtlogd makes it private; the results directory is for reading */
	for (int k = 0; k < CR_CONSOLE_PARTS; k++) { /* what virtlogd rotated away, as console.log.0 (newest) ... */
		cleanup_free char *part = xasprintf("%s.%d", console, k), *dest = xasprintf("%s.%d", log, k);

		if (access(part, F_OK) == 0 && copy_file(part, dest) == 0)
			chmod(dest, 0644);
	}
	rc = disk_error ? cr_error(err, 0, "%s", disk_error) : cr_harvest_disk(disk, results, hr, err);
	hj = cr_harvest_report_json(disk, results, hr, rc < 0 ? (*err)->msg : NULL);
	json_dump_file(hj, hjson, JSON_INDENT(2));
	json_decref(hj);
	return rc;
}
