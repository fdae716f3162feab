/* Preflight checks: probe the host, decide the accelerator, and check each tool crbench drives. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "build.h"
#include "gfs.h"
#include "kata.h"
#include "kvm.h"
#include "paths.h"
#include "plan.h"
#include "preflight.h"
#include "proc.h"
#include "recipe.h"
#include "util.h"
#include "virt.h"
#include "volume.h"

#define GiB (1024ULL * 1024 * 1024)
#define SPACE_FAIL (4 * GiB)
#define SPACE_WARN (20 * GiB)

const char *const cr_status_names[] = { "PASS", "WARN", "FAIL" };

const char *cr_accel_name(enum cr_accel a)
{
	switch (a) {
	case CR_ACCEL_KVM:
		return "kvm";
	case CR_ACCEL_TCG:
		return "tcg";
	case CR_ACCEL_AUTO:
		break;
	}
	return "auto";
}

int cr_accel_parse(const char *s, enum cr_accel *out)
{
	if (strcmp(s, "kvm") == 0)
		*out = CR_ACCEL_KVM;
	else if (strcmp(s, "tcg") == 0)
		*out = CR_ACCEL_TCG;
	else if (strcmp(s, "auto") == 0)
		*out = CR_ACCEL_AUTO;
	else
		return -1;
	return 0;
}

static char *read_small_file(const char *root, const char *path)
{
	cleanup_free char *full = xasprintf("%s%s", root, path);
	cleanup_fclose FILE *f = fopen(full, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f || getline(&line, &cap, f) < 0)
		return NULL;
	return xstrdup(strstrip(line));
}

static void probe_cpuinfo(const char *root, struct cr_host_facts *f)
{
	cleanup_free char *path = xasprintf("%s/proc/cpuinfo", root);
	cleanup_fclose FILE *fp = fopen(path, "re");
	cleanup_free char *line = NULL;
	bool have_flags = false;
	size_t cap = 0;

	if (!fp)
		return;
	/* The first processor's entry speaks for all of them. */
	while (getline(&line, &cap, fp) > 0 && !(have_flags && f->cpu_model)) {
		char *colon = strchr(line, ':');
		char *key, *value;

		if (!colon)
			continue;
		*colon = '\0';
		key = strstrip(line);
		value = strstrip(colon + 1);
		if (!f->cpu_model && strcmp(key, "model name") == 0) {
			f->cpu_model = xstrdup(value);
		} else if (!have_flags && strcmp(key, "flags") == 0) {
			cleanup_strv char **flags = strv_split(value, ' ');

			have_flags = true;
			f->cpu_vmx = strv_contains(flags, "vmx");
			f->cpu_svm = strv_contains(flags, "svm");
			f->cpu_hypervisor = strv_contains(flags, "hypervisor");
		}
	}
}

static void probe_kvm_device(const char *root, struct cr_host_facts *f)
{
	cleanup_free char *path = xasprintf("%s/dev/kvm", root);
	struct cr_kvm_state k;

	cr_kvm_probe(path, &k);
	f->kvm_exists = k.exists;
	f->kvm_usable = k.usable;
	f->kvm_errno = k.error;
}

static void probe_modules(const char *root, struct cr_host_facts *f)
{
	static const char *const vendor[] = { "kvm_intel", "kvm_amd" };
	cleanup_free char *dir = xasprintf("%s/sys/module", root);
	DIR *d;
	struct dirent *e;

	f->nested = -1;
	for (size_t i = 0; i < ARRAY_SIZE(vendor); i++) {
		cleanup_free char *param = xasprintf("/sys/module/%s/parameters/nested", vendor[i]);
		cleanup_free char *v = read_small_file(root, param);

		if (v) {
			f->kvm_module = xstrdup(vendor[i]);
			f->nested = (strcmp(v, "Y") == 0 || strcmp(v, "1") == 0) ? 1 : 0;
			return;
		}
	}
	/* Some other KVM provider, such as kvm_pvm. */
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (str_has_prefix(e->d_name, "kvm_")) {
			f->kvm_module = xstrdup(e->d_name);
			break;
		}
	}
	closedir(d);
}

int cr_host_facts_probe(const char *root, struct cr_host_facts *f, cr_error_t *err)
{
	cleanup_free char *cpuinfo = xasprintf("%s/proc/cpuinfo", root);

	memset(f, 0, sizeof(*f));
	if (access(cpuinfo, R_OK) < 0)
		return cr_error(err, errno, "cannot read '%s'", cpuinfo);
	probe_cpuinfo(root, f);
	probe_kvm_device(root, f);
	probe_modules(root, f);
	return 0;
}

void cr_host_facts_release(struct cr_host_facts *f)
{
	free(f->cpu_model);
	free(f->kvm_module);
	memset(f, 0, sizeof(*f));
}

static void item_set(struct cr_check_item *item, const char *name, enum cr_status status, char *message, char *fix)
{
	item->name = name;
	item->status = status;
	item->message = message;
	item->fix = fix;
}

/* Why guests cannot use KVM here, or NULL when they can. */
static char *kvm_unusable_reason(const struct cr_host_facts *f)
{
	if (!f->kvm_exists)
		return xasprintf("no /dev/kvm (%s)", strerror(f->kvm_errno));
	if (!f->kvm_usable)
		return xasprintf("/dev/kvm is not usable: %s", strerror(f->kvm_errno));
	if (!f->cpu_vmx && !f->cpu_svm)
		return xasprintf(
			"/dev/kvm is provided by %s but the CPU exposes neither vmx nor svm: "
			"a paravirtual or partial KVM on which ordinary guests hang",
			f->kvm_module ? f->kvm_module : "an unknown module");
	return NULL;
}

void cr_accel_decide(const struct cr_host_facts *f, enum cr_accel requested, enum cr_accel *accel, struct cr_check_item *item)
{
	cleanup_free char *why = kvm_unusable_reason(f);
	const char *ext = f->cpu_vmx ? "vmx" : "svm";

	switch (requested) {
	case CR_ACCEL_TCG:
		*accel = CR_ACCEL_TCG;
		item_set(item, "accelerator", CR_PASS, xstrdup("tcg, as requested by --accel tcg"), NULL);
		return;
	case CR_ACCEL_KVM:
		*accel = CR_ACCEL_KVM;
		if (why)
			item_set(item, "accelerator", CR_FAIL, xasprintf("kvm requested, but %s", why),
				 xstrdup("use --accel tcg (or --accel auto), or run on a host whose CPU exposes vmx or svm"));
		else
			item_set(item, "accelerator", CR_PASS, xasprintf("kvm, as requested: /dev/kvm is usable and the CPU has %s", ext),
				 NULL);
		return;
	case CR_ACCEL_AUTO:
		break;
	}
	if (why) {
		*accel = CR_ACCEL_TCG;
		item_set(item, "accelerator", CR_WARN, xasprintf("tcg: %s", why),
			 xstrdup("nothing to do to run here; TCG is many times slower than KVM, so compare only runs made "
				 "with the same accelerator, and use a host with vmx or svm for numbers comparable to the papers"));
	} else {
		*accel = CR_ACCEL_KVM;
		item_set(item, "accelerator", CR_PASS, xasprintf("kvm: /dev/kvm is usable and the CPU has %s", ext), NULL);
	}
}

void cr_accel_decide_remote(const char *host, bool kvm_type, bool cpu_virt, enum cr_accel requested, enum cr_accel *accel,
			    struct cr_check_item *item)
{
	const char *why = !kvm_type   ? "its libvirt cannot run guests of domain type 'kvm'"
			  : !cpu_virt ? "its CPU exposes neither vmx nor svm"
				      : NULL;

	switch (requested) {
	case CR_ACCEL_TCG:
		*accel = CR_ACCEL_TCG;
		item_set(item, "accelerator", CR_PASS, xasprintf("tcg on libvirt host '%s', as requested by --accel tcg", host), NULL);
		return;
	case CR_ACCEL_KVM:
		*accel = CR_ACCEL_KVM;
		if (!kvm_type)
			item_set(item, "accelerator", CR_FAIL, xasprintf("kvm requested, but on libvirt host '%s' %s", host, why),
				 xstrdup("use --accel tcg (or --accel auto), or a libvirt host with usable KVM"));
		else
			item_set(item, "accelerator", CR_PASS, xasprintf("kvm on libvirt host '%s', as requested", host), NULL);
		return;
	case CR_ACCEL_AUTO:
		break;
	}
	if (why) {
		*accel = CR_ACCEL_TCG;
		item_set(item, "accelerator", CR_WARN, xasprintf("tcg on libvirt host '%s': %s", host, why),
			 xstrdup("nothing to do to run there; TCG is many times slower than KVM, so compare only runs made with the "
				 "same accelerator"));
	} else {
		*accel = CR_ACCEL_KVM;
		item_set(item, "accelerator", CR_PASS,
			 xasprintf("kvm on libvirt host '%s': domain type 'kvm' and a CPU with vmx or svm", host), NULL);
	}
}

enum cr_accel cr_accel_resolve(enum cr_accel requested)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_host_facts f;
	struct cr_check_item item;
	enum cr_accel accel = CR_ACCEL_TCG;

	if (requested != CR_ACCEL_AUTO)
		return requested;
	if (cr_host_facts_probe("", &f, &err) == 0) {
		cr_accel_decide(&f, CR_ACCEL_AUTO, &accel, &item);
		free(item.message);
		free(item.fix);
		cr_host_facts_release(&f);
	}
	return accel;
}

/* How to turn nesting on in the host's KVM module. */
static char *nesting_fix(const char *mod)
{
	return xasprintf("as root, with no VM running: modprobe -r %s && modprobe %s nested=1", mod, mod);
}

void cr_nested_decide(const struct cr_host_facts *f, enum cr_accel accel, struct cr_check_item *item)
{
	if (accel == CR_ACCEL_TCG) {
		item_set(item, "nested", CR_PASS,
			 xstrdup("under TCG guests get the svm CPU feature, so Kata's VMs can run inside them (emulated, slowly)"), NULL);
		return;
	}
	if (f->nested == 1) {
		item_set(item, "nested", CR_PASS, xasprintf("%s nested=1: guests can run Kata's VMs", f->kvm_module), NULL);
	} else if (f->nested == 0) {
		item_set(item, "nested", CR_WARN, xasprintf("%s nested=0: guests cannot run Kata's VMs", f->kvm_module),
			 nesting_fix(f->kvm_module));
	} else {
		item_set(item, "nested", CR_WARN,
			 xstrdup("cannot tell whether nested virtualization is on (no kvm_intel or kvm_amd nested parameter)"),
			 xstrdup("load kvm_intel or kvm_amd with nested=1 if plans use Kata"));
	}
}

void cr_space_decide(const char *dir, uint64_t avail, struct cr_check_item *item)
{
	double gib = (double)avail / (double)GiB;

	if (avail < SPACE_FAIL)
		item_set(item, "disk space", CR_FAIL, xasprintf("%.1f GiB free for the cache in '%s'", gib, dir),
			 xasprintf("free space there or choose another cache with --cache-dir; a base image needs about %llu GiB",
				   SPACE_FAIL / GiB));
	else if (avail < SPACE_WARN)
		item_set(item, "disk space", CR_WARN, xasprintf("%.1f GiB free for the cache in '%s'", gib, dir),
			 xasprintf("builds of several images need up to %llu GiB: free space or use --cache-dir", SPACE_WARN / GiB));
	else
		item_set(item, "disk space", CR_PASS, xasprintf("%.1f GiB free for the cache in '%s'", gib, dir), NULL);
}

static struct cr_check_item *new_item(struct cr_preflight *p)
{
	p->items = xrealloc(p->items, (p->n_items + 1) * sizeof(*p->items));
	memset(&p->items[p->n_items], 0, sizeof(*p->items));
	return &p->items[p->n_items++];
}

/* The item called name, emptied to be set again (the local accelerator and nesting, replaced by the remote host's), or a new one. */
static struct cr_check_item *reuse_item(struct cr_preflight *p, const char *name)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (strcmp(p->items[i].name, name) == 0) {
			free(p->items[i].message);
			free(p->items[i].fix);
			return &p->items[i];
		}
	return new_item(p);
}

const char *cr_preflight_host_uri(const struct cr_preflight_host *h)
{
	return h->uri ? h->uri : CR_DEFAULT_URI;
}

const char *cr_preflight_host_pool(const struct cr_preflight_host *h)
{
	return h->pool ? h->pool : CR_DEFAULT_POOL;
}

/*
 * A libvirt host that is not this one (or upload): the guests' accelerator
 * and nesting are that host's, and their disks go up into its storage pool.
 * The run's host replaces the local accelerator and nesting items; a
 * guest's own host has items of its own.
 */
static void check_remote(const struct cr_preflight_opts *opts, virConnectPtr conn, const char *host, struct cr_preflight *p, size_t k)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_preflight_host *h = &p->hosts[k];
	const char *pool_name = cr_preflight_host_pool(h);
	virStoragePoolPtr pool = NULL;
	virStoragePoolInfo info;
	struct cr_check_item *item;
	unsigned cpus = 0;
	bool cpu_virt = false, kvm_type;

	h->remote = true;
	item = k == 0 ? reuse_item(p, "accelerator") : new_item(p);
	if (cr_virt_host_cpus(conn, &cpus, &cpu_virt, &err) < 0) {
		item_set(item, "accelerator", CR_FAIL, xstrdup(err->msg), xstrdup("check the libvirt daemon's log on that host"));
		return;
	}
	kvm_type = cr_virt_check_domain_type(conn, "kvm", &err) == 0;
	cr_accel_decide_remote(host, kvm_type, cpu_virt, opts->accel, &h->accel, item);
	item = k == 0 ? reuse_item(p, "nested") : new_item(p);
	if (h->accel == CR_ACCEL_TCG)
		item_set(item, "nested", CR_PASS, xstrdup("tcg emulates svm: guests can run nested VMs, slowly"), NULL);
	else
		item_set(item, "nested", CR_WARN,
			 xasprintf("cannot tell from here whether nested virtualization is on on libvirt host '%s'", host),
			 xstrdup("on that host: cat /sys/module/kvm_*/parameters/nested, and load kvm_intel or kvm_amd with nested=1 if "
				 "plans use Kata (the guest's agent refuses to measure Kata without it)"));
	if (k == 0) {
		p->host_nested = -1;
		free(p->host_kvm_module);
		p->host_kvm_module = NULL;
	}

	item = new_item(p);
	if (cr_pool_open(conn, pool_name, &pool, &err) < 0) {
		item_set(item, "storage pool", CR_FAIL, xstrdup(err->msg),
			 xasprintf("on the libvirt host, or with virsh -c %s: make a directory pool '%s' "
				   "(virsh pool-define-as %s dir --target /var/lib/libvirt/images; virsh pool-start %s), or name one with %s",
				   cr_preflight_host_uri(h), pool_name, pool_name, pool_name,
				   k == 0 ? "--pool" : "pool = in the guest's section"));
		return;
	}
	if (virStoragePoolGetInfo(pool, &info) < 0)
		info.available = 0;
	virStoragePoolFree(pool);
	/* a base image, the container images and a few runs' overlays and results disks */
	if (info.available < SPACE_FAIL)
		item_set(item, "storage pool", CR_WARN,
			 xasprintf("pool '%s' on '%s' has %.1f GiB free: the guests' disks may not fit", pool_name, host,
				   (double)info.available / (double)GiB),
			 xasprintf("free space in that pool's directory on '%s', or name another pool", host));
	else
		item_set(item, "storage pool", CR_PASS,
			 xasprintf("pool '%s' on '%s' (%u CPUs, %.1f GiB free): the guests' disks, kernel and initrd are uploaded "
				   "there, the results disks downloaded",
				   pool_name, host, cpus, (double)info.available / (double)GiB),
			 NULL);
}

/* The libvirt host k: reached, local or not, its accelerator, its domain type. */
static void check_libvirt(const struct cr_preflight_opts *opts, struct cr_preflight *p, size_t k)
{
	struct cr_preflight_host *h = &p->hosts[k];
	const char *uri = cr_preflight_host_uri(h);
	const char *virttype;
	cleanup_error cr_error_t err = NULL;
	cleanup_conn virConnectPtr conn = NULL;
	cleanup_free char *desc = NULL, *host = NULL;
	struct cr_check_item *item = new_item(p);
	bool local = true;

	h->accel = p->local_accel;
	if (cr_virt_open(uri, &conn, &err) < 0 && k > 0) {
		/* a guest's own host: the run goes on without it, its guests failed with the reason */
		item_set(item, "libvirt", CR_WARN,
			 xasprintf("%s; its guests (%s) will fail, the other hosts' guests run", err->msg, h->guests),
			 xasprintf("check that libvirtd runs on that host and that connect = %s in their sections is right", uri));
		return;
	} else if (!conn) {
		item_set(item, "libvirt", CR_FAIL, xstrdup(err->msg),
			 str_has_prefix(uri, "qemu:///")
				 ? xstrdup("start the daemons as root: virtlogd -d && libvirtd -d (make run and make check do it)")
				 : xstrdup("check that libvirtd runs on that host and that the URI (--connect) is right"));
		return;
	}
	if (cr_virt_describe(conn, &desc, &err) < 0 || cr_virt_is_local(conn, &local, &host, &err) < 0) {
		item_set(item, "libvirt", CR_FAIL, xstrdup(err->msg), xstrdup("check the libvirt daemon's log"));
		return;
	}
	if (local && !h->upload) {
		item_set(item, "libvirt", CR_PASS, xasprintf("%s: %s", uri, desc), NULL);
	} else {
		item_set(item, "libvirt", CR_PASS,
			 xasprintf("%s: %s, on %s: the guests' disks go up to it and the results come back", uri, desc,
				   local ? "this host, used as a remote one (upload)" : "another host"),
			 NULL);
		check_remote(opts, conn, host, p, k);
	}

	virttype = h->accel == CR_ACCEL_KVM ? "kvm" : "qemu";
	item = new_item(p);
	if (cr_virt_check_domain_type(conn, virttype, &err) < 0)
		item_set(item, "domain type", CR_FAIL, xstrdup(err->msg),
			 h->accel == CR_ACCEL_KVM ? xstrdup("install qemu-system-x86 on the libvirt host, or use --accel tcg")
						  : xstrdup("install qemu-system-x86 on the libvirt host"));
	else
		item_set(item, "domain type", CR_PASS,
			 xasprintf("libvirt can run x86_64 guests with domain type '%s' (%s)", virttype, cr_accel_name(h->accel)), NULL);
}

/* virtlogd's socket on this host, under the preflight's root. */
static char *virtlogd_sock(const struct cr_preflight_opts *opts)
{
	return xasprintf("%s/run/libvirt/virtlogd-sock", opts->root);
}

/*
 * Whether this machine's libvirt (qemu:///system, with virtlogd) can boot
 * the guest that loads the suite's container images into a Docker store:
 * probed once, the first time a host reached by upload asks.
 */
static bool store_here(const struct cr_preflight_opts *opts, struct cr_preflight *p, const char **why)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_conn virConnectPtr conn = NULL;
	cleanup_free char *sock = virtlogd_sock(opts);

	if (!p->store_probed) {
		p->store_probed = true;
		if (cr_virt_open(NULL, &conn, &err) < 0 ||
		    cr_virt_check_domain_type(conn, p->local_accel == CR_ACCEL_KVM ? "kvm" : "qemu", &err) < 0)
			p->store_why = xstrdup(err->msg);
		else if (access(sock, F_OK) < 0)
			p->store_why = xasprintf("no virtlogd socket '%s'", sock);
		p->store_here = !p->store_why;
	}
	*why = p->store_why;
	return p->store_here;
}

/*
 * The Docker store of the guests on host k, reached by upload: made here and
 * uploaded in place of the base image, or, when this machine's libvirt
 * cannot make it, the images loaded at every boot.
 */
static void check_store(const struct cr_preflight_opts *opts, struct cr_preflight *p, size_t k)
{
	const char *why;

	if (store_here(opts, p, &why))
		item_set(new_item(p), "docker store", CR_PASS,
			 xasprintf("the suite's container images go into each guest image's Docker store here (%s), once per "
				   "image, and that disk goes up in place of the base image: the guests (%s) do not load them",
				   CR_DEFAULT_URI, p->hosts[k].guests),
			 NULL);
	else
		item_set(new_item(p), "docker store", CR_WARN,
			 xasprintf("this machine's libvirt cannot boot the guest that loads the suite's container images into a "
				   "Docker store (%s): the guests (%s) load them at every boot, a minute or more under TCG",
				   why, p->hosts[k].guests),
			 xstrdup("start libvirtd and virtlogd on this machine as root (virtlogd -d && libvirtd -d), with "
				 "qemu-system-x86 installed"));
}

static void check_virtlogd(const struct cr_preflight_opts *opts, struct cr_preflight *p)
{
	cleanup_free char *sock = virtlogd_sock(opts);
	struct cr_check_item *item;
	size_t k;

	/* virtlogd is local to the libvirt host: only checked when guests run on this one's qemu:///system */
	for (k = 0; k < p->n_hosts; k++)
		if (!p->hosts[k].idle && strcmp(cr_preflight_host_uri(&p->hosts[k]), CR_DEFAULT_URI) == 0)
			break;
	if (k == p->n_hosts)
		return;
	item = new_item(p);
	if (access(sock, F_OK) < 0)
		item_set(item, "virtlogd", CR_FAIL, xasprintf("no virtlogd socket '%s': libvirt cannot start guests without it", sock),
			 xstrdup("start it as root: virtlogd -d (make run and make check do it)"));
	else
		item_set(item, "virtlogd", CR_PASS, xasprintf("socket '%s' is there", sock), NULL);
}

static void check_tool(struct cr_preflight *p, const char *name, const char *what, const char *package)
{
	char *argv[] = { (char *)name, (char *)"--version", NULL };
	cleanup_free char *line = cr_run_first_line(argv);
	struct cr_check_item *item = new_item(p);

	if (!line)
		item_set(item, name, CR_FAIL, xasprintf("'%s' is missing or does not run; it %s", name, what),
			 xasprintf("as root: apt-get install %s", package));
	else
		item_set(item, name, CR_PASS, xstrdup(line), NULL);
}

static void check_guestfs(const struct cr_preflight_opts *opts, enum cr_accel accel, struct cr_preflight *p)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *desc = NULL, *pattern = xasprintf("%s/boot/vmlinuz-*", opts->root);
	struct cr_check_item *item = new_item(p);
	const char *kernel = getenv("SUPERMIN_KERNEL");
	glob_t gl;
	size_t n;

	cr_gfs_configure(accel);
	if (cr_gfs_describe(&desc, &err) < 0) {
		item_set(item, "libguestfs", CR_FAIL, xstrdup(err->msg), xstrdup("as root: apt-get install libguestfs0"));
		return;
	}
	/* supermin builds the appliance from the host's kernel */
	n = glob(pattern, 0, NULL, &gl) == 0 ? gl.gl_pathc : 0;
	if (n)
		globfree(&gl);
	if (!n && !(kernel && *kernel))
		item_set(item, "libguestfs", CR_FAIL, xasprintf("%s; but no kernel in /boot for its appliance", desc),
			 xstrdup("as root: apt-get install linux-image-amd64"));
	else
		item_set(item, "libguestfs", CR_PASS, steal_pointer(&desc), NULL);
}

static void check_space(const struct cr_preflight_opts *opts, struct cr_preflight *p)
{
	cleanup_free char *dir = xstrdup(opts->cache_dir);
	struct cr_check_item *item = new_item(p);
	struct statvfs vfs;

	/* The cache may not exist yet: measure the filesystem it will be on. */
	while (statvfs(dir, &vfs) < 0) {
		char *slash = strrchr(dir, '/');

		if (errno != ENOENT || !slash) {
			item_set(item, "disk space", CR_FAIL,
				 xasprintf("cannot check free space for '%s': %s", opts->cache_dir, strerror(errno)),
				 xstrdup("choose a cache directory with --cache-dir"));
			return;
		}
		slash[slash == dir ? 1 : 0] = '\0';
	}
	cr_space_decide(opts->cache_dir, (uint64_t)vfs.f_bavail * vfs.f_frsize, item);
}

/* Every guest's image gives Docker the guest's runtime: its recipe lists it, or (Kata) the plan brings its tarball. */
static void check_runtimes(const struct cr_plan *plan, struct cr_preflight *p)
{
	cleanup_free char *datadir = cr_data_dir(), *images = xasprintf("%s/images", datadir);
	cleanup_free char *seen = xstrdup("");
	struct cr_check_item *item = new_item(p);

	for (size_t i = 0; i < plan->n_guests; i++) {
		const struct cr_guest_plan *g = &plan->guests[i];
		cleanup_error cr_error_t err = NULL;
		cleanup_recipe struct cr_recipe *r = NULL;
		cleanup_free char *offers = NULL;
		char *t;

		if (cr_recipe_load(images, g->image, &r, &err) < 0) {
			item_set(item, "runtimes", CR_FAIL, xasprintf("[guest %s]: %s", g->name, err->msg),
				 xasprintf("set image in [guest %s] of %s to a guest recipe of '%s'", g->name, plan->path, images));
			return;
		}
		if (r->kind != CR_RECIPE_VM) {
			item_set(item, "runtimes", CR_FAIL,
				 xasprintf("[guest %s]: image '%s' is a container recipe, not a guest image", g->name, g->image),
				 xasprintf("set image in [guest %s] of %s to a guest recipe (kind = vm) of '%s'", g->name, plan->path,
					   images));
			return;
		}
		offers = strv_join(r->runtimes, ", ");
		if (strcmp(g->runtime, "kata") != 0 && !strv_contains(r->runtimes, g->runtime)) {
			item_set(item, "runtimes", CR_FAIL,
				 xasprintf("[guest %s] runs %s, but image '%s' (%s) has %s", g->name, g->runtime, g->image, r->path,
					   offers),
				 xasprintf("choose an image whose recipe lists %s in 'runtimes', or another runtime for [guest %s]",
					   g->runtime, g->name));
			return;
		}
		t = xasprintf("%s%s%s on %s%s", seen, *seen ? "; " : "", g->runtime, g->image,
			      strcmp(g->runtime, "kata") == 0 ? " (from its tarball)" : "");
		free(seen);
		seen = t;
	}
	item_set(item, "runtimes", CR_PASS, xasprintf("every guest's image has its runtime: %s", seen), NULL);
}

/* Append name to the list *list, after sep unless the list is empty, and after a space. */
static void list_add(char **list, const char *sep, const char *name)
{
	char *t = xasprintf("%s%s %s", *list, **list ? sep : "", name);

	free(*list);
	*list = t;
}

/* The recipes a run of plan builds when the cache lacks them, each once: every guest's image, then the suite's container images. */
static char **plan_images(const struct cr_plan *plan)
{
	char **names = xcalloc(plan->n_guests + 8, sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < plan->n_guests; i++)
		if (!strv_contains(names, plan->guests[i].image))
			names[n++] = xstrdup(plan->guests[i].image);
	for (size_t k = 0; cr_suite_container_recipes[k] && n < plan->n_guests + 7; k++)
		names[n++] = xstrdup(cr_suite_container_recipes[k]);
	return names;
}

/*
 * Every image the plan builds can be built here: its archive keyring is
 * there and holds the keys its recipe requires (Ubuntu's comes from a
 * Debian package newer than this host's). Found now, not after minutes of a
 * run.
 */
static bool check_image_keyrings(const struct cr_preflight_opts *opts, const struct cr_plan *plan, struct cr_preflight *p)
{
	cleanup_free char *datadir = cr_data_dir(), *images = xasprintf("%s/images", datadir), *seen = xstrdup("");
	cleanup_strv char **names = plan_images(plan);

	for (size_t i = 0; names[i]; i++) {
		cleanup_error cr_error_t err = NULL;
		cleanup_recipe struct cr_recipe *r = NULL;
		const char *given;

		if (cr_recipe_load(images, names[i], &r, &err) < 0)
			continue; /* check_runtimes says what is wrong with the recipe */
		list_add(&seen, "", r->name);
		given = cr_build_source_for(opts->keyrings, r->distribution);
		if (cr_build_check_keyring(r, given, &err) < 0) {
			item_set(new_item(p), "image keyrings", CR_FAIL,
				 xasprintf("image '%s' cannot be built here: %s", r->name, err->msg),
				 given ? xasprintf("give a keyring that holds the recipe's keys (--keyring %s=FILE), or none for the recipe's own",
						   r->distribution)
				 : strcmp(r->distribution, "ubuntu") == 0
					 ? xstrdup("as root, run ci/ubuntu-keyring.sh from crbench's source (make run does it for a plan "
						   "with an Ubuntu image): it installs Debian's ubuntu-keyring package from the host's Debian mirror")
					 : xasprintf("install the keyring '%s' names (Debian's debian-archive-keyring for Debian images)",
						     r->path));
			return false;
		}
	}
	if (*seen)
		item_set(new_item(p), "image keyrings", CR_PASS,
			 xasprintf("the archive keyring of every image the plan builds is there:%s", seen), NULL);
	return true;
}

/*
 * The mirror of every image the plan builds serves its suite: probed once
 * per mirror and suite (cr_build_probe_mirror), only for what the cache
 * lacks. An unreachable archive is found now, not after a run has waited on
 * mmdebstrap.
 */
static void check_image_mirrors(const struct cr_preflight_opts *opts, const struct cr_plan *plan, struct cr_preflight *p)
{
	cleanup_free char *datadir = cr_data_dir(), *images = xasprintf("%s/images", datadir);
	cleanup_free char *cached = xstrdup(""), *probed = xstrdup(""), *unprobed = NULL;
	cleanup_strv char **names = plan_images(plan), **done = xcalloc(1, sizeof(*done));
	struct cr_build_opts bo = { .srcdir = datadir, .cache_dir = opts->cache_dir, .mirrors = opts->mirrors, .keyrings = opts->keyrings };
	size_t n_done = 0;

	for (size_t i = 0; names[i]; i++) {
		cleanup_error cr_error_t err = NULL;
		cleanup_recipe struct cr_recipe *r = NULL;
		cleanup_free char *what = NULL, *token = NULL;
		struct cr_built b;
		int rc;

		if (cr_recipe_load(images, names[i], &r, &err) < 0)
			continue;
		rc = cr_build_cached(&bo, plan, r, &b, &err);
		if (rc < 0) {
			item_set(new_item(p), "image mirrors", CR_FAIL,
				 xasprintf("image '%s': cannot compute its cache key: %s", r->name, err->msg),
				 xstrdup("make the files the message names readable"));
			return;
		}
		token = xasprintf("%s\n%s", b.mirror, r->suite);
		if (rc == 1) {
			list_add(&cached, "", r->name);
		} else if (strv_contains(done, token)) {
			/* that mirror served this suite for an image before */
		} else if ((rc = cr_build_probe_mirror(&bo, r, b.mirror, &what, &err)) < 0) {
			item_set(new_item(p), "image mirrors", CR_FAIL,
				 xasprintf("image '%s' is not in the cache and cannot be built here: %s", r->name, err->msg),
				 xasprintf("choose a reachable mirror with --mirror %s=URL (crbench run, crbench build and crbench check take it)",
					   r->distribution));
			cr_built_release(&b);
			return;
		} else if (rc == 0) {
			list_add(&probed, ";", what);
			done = xrealloc(done, (n_done + 2) * sizeof(*done));
			done[n_done++] = steal_pointer(&token);
			done[n_done] = NULL;
		} else if (!unprobed) {
			unprobed = xasprintf("image '%s' is not in the cache and its mirror was not probed: %s", r->name, err->msg);
		}
		cr_built_release(&b);
	}
	if (unprobed)
		item_set(new_item(p), "image mirrors", CR_WARN, steal_pointer(&unprobed),
			 xstrdup("install curl and mmdebstrap to have the mirrors probed before a build"));
	else if (*probed)
		item_set(new_item(p), "image mirrors", CR_PASS,
			 xasprintf("the images the cache lacks can be fetched:%s%s%s", probed, *cached ? "; in the cache:" : "", cached),
			 NULL);
	else
		item_set(new_item(p), "image mirrors", CR_PASS, xasprintf("every image the plan builds is in the cache:%s", cached), NULL);
}

/* Under KVM a guest that needs nesting (Kata) needs it on in the host's module: without it, a FAIL, not a run that measures nothing. */
static void check_plan_nested(const struct cr_plan *plan, struct cr_preflight *p)
{
	const char *mod = p->host_kvm_module ? p->host_kvm_module : "kvm_intel";

	if (p->host_nested == 1)
		return;
	for (size_t i = 0; i < plan->n_guests; i++) {
		const struct cr_guest_plan *g = &plan->guests[i];
		const struct cr_preflight_host *h = &p->hosts[cr_preflight_host_of(p, g)];

		/* a host reached by upload has its own nesting item */
		if (!cr_guest_nested(g) || h->accel != CR_ACCEL_KVM || (h->remote && h != &p->hosts[0]))
			continue;
		if (p->host_nested == 0)
			item_set(new_item(p), "nested guests", CR_FAIL,
				 xasprintf("[guest %s] (runtime %s) needs nested virtualization and %s has nested=0", g->name, g->runtime,
					   mod),
				 nesting_fix(mod));
		else
			item_set(new_item(p), "nested guests", CR_WARN,
				 xasprintf("[guest %s] (runtime %s) needs nested virtualization and crbench cannot tell whether it is on",
					   g->name, g->runtime),
				 xstrdup("load kvm_intel or kvm_amd with nested=1; the guest's agent refuses to measure without it"));
		return;
	}
}

static void check_plan(const struct cr_preflight_opts *opts, const struct cr_plan *plan, const cr_error_t plan_err, struct cr_preflight *p)
{
	struct cr_check_item *item;

	if (!opts->plan_path)
		return;
	item = new_item(p);
	if (!plan) {
		item_set(item, "plan", CR_FAIL, xstrdup(plan_err->msg), xstrdup("fix the plan; its format is in docs/plan.md"));
		return;
	}
	item_set(item, "plan", CR_PASS,
		 xasprintf("'%s': %zu guest%s, profile %s", opts->plan_path, plan->n_guests, plan->n_guests == 1 ? "" : "s", plan->profile),
		 NULL);
	check_runtimes(plan, p);
	if (check_image_keyrings(opts, plan, p))
		check_image_mirrors(opts, plan, p);
	check_plan_nested(plan, p);
	/* one item per tarball: the Kata guests of one image share theirs */
	for (size_t i = 0; i < plan->n_guests; i++)
		if (cr_kata_guest_of_image(plan, plan->guests[i].image) == &plan->guests[i])
			cr_kata_decide(plan, &plan->guests[i], opts->cache_dir, new_item(p));
}

/* Whether host h is the one named by uri, pool and upload (NULL: the defaults). */
static bool same_host(const struct cr_preflight_host *h, const char *uri, const char *pool, bool upload)
{
	return strcmp(cr_preflight_host_uri(h), uri ? uri : CR_DEFAULT_URI) == 0 &&
	       strcmp(cr_preflight_host_pool(h), pool ? pool : CR_DEFAULT_POOL) == 0 && h->upload == upload;
}

/* The URI, pool and upload of guest g: its own keys, else the run's (hosts[0]). */
static void guest_host(const struct cr_preflight *p, const struct cr_guest_plan *g, const char **uri, const char **pool, bool *upload)
{
	*uri = g->connect ? g->connect : p->hosts[0].uri;
	*pool = g->pool ? g->pool : p->hosts[0].pool;
	*upload = g->upload ? strcmp(g->upload, "yes") == 0 : p->hosts[0].upload;
}

size_t cr_preflight_run_host(const struct cr_preflight_host *hosts, size_t n_hosts)
{
	return hosts[0].idle && n_hosts > 1 ? 1 : 0;
}

size_t cr_preflight_host_of(const struct cr_preflight *p, const struct cr_guest_plan *g)
{
	const char *uri, *pool;
	bool upload;

	guest_host(p, g, &uri, &pool, &upload);
	for (size_t k = 0; k < p->n_hosts; k++)
		if (same_host(&p->hosts[k], uri, pool, upload))
			return k;
	return 0;
}

static void add_host(struct cr_preflight *p, const char *uri, const char *pool, bool upload)
{
	struct cr_preflight_host *h;

	p->hosts = xrealloc(p->hosts, (p->n_hosts + 1) * sizeof(*p->hosts));
	h = &p->hosts[p->n_hosts++];
	*h = (struct cr_preflight_host){ .uri = uri ? xstrdup(uri) : NULL,
					 .pool = pool ? xstrdup(pool) : NULL,
					 .upload = upload,
					 .accel = p->local_accel,
					 .guests = xstrdup("") };
}

/* hosts[0], the run's, then each other host a guest of plan names, with the names of their guests. */
static void find_hosts(const struct cr_preflight_opts *opts, const struct cr_plan *plan, struct cr_preflight *p)
{
	add_host(p, opts->connect_uri, opts->pool, opts->upload);
	for (size_t i = 0; plan && i < plan->n_guests; i++) {
		const struct cr_guest_plan *g = &plan->guests[i];
		const char *uri, *pool;
		bool upload;
		size_t k;
		char *t;

		guest_host(p, g, &uri, &pool, &upload);
		for (k = 0; k < p->n_hosts && !same_host(&p->hosts[k], uri, pool, upload); k++)
			;
		if (k == p->n_hosts)
			add_host(p, uri, pool, upload);
		t = xasprintf("%s%s%s", p->hosts[k].guests, *p->hosts[k].guests ? ", " : "", g->name);
		free(p->hosts[k].guests);
		p->hosts[k].guests = t;
	}
	p->hosts[0].idle = plan && plan->n_guests && !*p->hosts[0].guests;
}

void cr_preflight_run(const struct cr_preflight_opts *opts, struct cr_preflight *p)
{
	struct cr_host_facts facts;
	cleanup_error cr_error_t err = NULL, plan_err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	cleanup_free char *local_reason = NULL;
	const struct cr_preflight_host *run_host;

	memset(p, 0, sizeof(*p));
	p->host_nested = -1;
	if (cr_host_facts_probe(opts->root, &facts, &err) < 0) {
		struct cr_check_item *item = new_item(p);

		item_set(item, "accelerator", CR_FAIL, xstrdup(err->msg), xstrdup("crbench runs on Linux hosts with /proc mounted"));
		p->accel = opts->accel == CR_ACCEL_KVM ? CR_ACCEL_KVM : CR_ACCEL_TCG;
	} else {
		cr_accel_decide(&facts, opts->accel, &p->accel, new_item(p));
		cr_nested_decide(&facts, p->accel, new_item(p));
		p->host_nested = facts.nested;
		p->host_kvm_module = facts.kvm_module ? xstrdup(facts.kvm_module) : NULL;
		cr_host_facts_release(&facts);
	}
	p->local_accel = p->accel;
	local_reason = xstrdup(p->items[0].message);
	if (opts->plan_path && cr_plan_load(opts->plan_path, &plan, &plan_err) < 0)
		plan = NULL;
	find_hosts(opts, plan, p);
	for (size_t k = 0; k < p->n_hosts; k++) {
		size_t first = p->n_items;
		const char *reason;

		if (p->hosts[k].idle)
			item_set(new_item(p), "libvirt", CR_PASS,
				 xasprintf("%s: not used: no guest of the plan runs on it (their sections name their hosts: connect, pool, upload)",
					   cr_preflight_host_uri(&p->hosts[k])),
				 NULL);
		else
			check_libvirt(opts, p, k);
		if (p->hosts[k].remote && *p->hosts[k].guests && plan && cr_plan_runs_containers(plan))
			check_store(opts, p, k);
		for (size_t i = first; i < p->n_items; i++)
			p->items[i].host = k;
		reason = k == 0 ? cr_preflight_message(p, "accelerator") : NULL;
		for (size_t i = first; k > 0 && i < p->n_items; i++)
			if (strcmp(p->items[i].name, "accelerator") == 0)
				reason = p->items[i].message;
		p->hosts[k].accel_reason = xstrdup(reason ? reason : local_reason);
	}
	run_host = &p->hosts[cr_preflight_run_host(p->hosts, p->n_hosts)];
	p->accel = run_host->accel;
	p->remote = run_host->remote;
	check_virtlogd(opts, p);
	check_tool(p, "qemu-img", "makes the guests' disks", "qemu-utils");
	check_tool(p, "mmdebstrap", "builds root filesystems from the distribution archive", "mmdebstrap");
	check_guestfs(opts, p->local_accel, p);
	check_space(opts, p);
	check_plan(opts, plan, plan_err, p);
}

enum cr_status cr_preflight_worst(const struct cr_preflight *p)
{
	enum cr_status worst = CR_PASS;

	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].status > worst)
			worst = p->items[i].status;
	return worst;
}

const char *cr_preflight_message(const struct cr_preflight *p, const char *name)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return p->items[i].message;
	return NULL;
}

void cr_preflight_release(struct cr_preflight *p)
{
	for (size_t i = 0; i < p->n_items; i++) {
		free(p->items[i].message);
		free(p->items[i].fix);
	}
	free(p->items);
	for (size_t k = 0; k < p->n_hosts; k++) {
		free(p->hosts[k].uri);
		free(p->hosts[k].pool);
		free(p->hosts[k].accel_reason);
		free(p->hosts[k].guests);
	}
	free(p->hosts);
	free(p->host_kvm_module);
	free(p->store_why);
	memset(p, 0, sizeof(*p));
}
