/* Unit tests for the preflight: host probing from recorded fixtures, accelerator and nesting decisions, libvirt via test:///default. */
#include <errno.h>
#include <sys/stat.h>

#include "test.h"

#include "preflight.h"
#include "virt.h"

static struct cr_host_facts probe(const char *root)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_host_facts f;

	if (cr_host_facts_probe(root, &f, &err) < 0)
		fail_msg("%s", err->msg);
	return f;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * A host with vmx and kvm_intel, made from the recorded pvm-tcg host by
 * adding "vmx" to every flags line (no such host could be recorded).
 */
static char *make_vmx_host(const char *nested)
{
	cleanup_free char *src = test_data("hosts/pvm-tcg/proc/cpuinfo");
	cleanup_fclose FILE *in = fopen(src, "re");
	char tmpl[] = "/tmp/crbench-test-XXXXXX";
	char *root = xstrdup(mkdtemp(tmpl));
	cleanup_free char *line = NULL, *dir = NULL, *path = NULL;
	FILE *out;
	size_t cap = 0;

	assert_non_null(in);
	dir = xasprintf("%s/proc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	path = xasprintf("%s/proc/cpuinfo", root);
	out = fopen(path, "we");
	assert_non_null(out);
	while (getline(&line, &cap, in) > 0) {
		if (str_has_prefix(line, "flags")) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(out, "%s vmx\n", line);
		} else {
			fputs(line, out);
		}
	}
	assert_int_equal(fclose(out), 0);
	free(dir);
	dir = xasprintf("mkdir -p %s/sys/module/kvm_intel/parameters", root);
	assert_int_equal(system(dir), 0);
	free(path);
	path = xasprintf("%s/sys/module/kvm_intel/parameters/nested", root);
	write_file(path, nested);
	return root;
}

static void remove_tree(const char *root)
{
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", root);

	assert_int_equal(system(cmd), 0);
}

static void probe_recorded_pvm_host(void **state)
{
	cleanup_free char *root = test_data("hosts/pvm-tcg");
	struct cr_host_facts f = probe(root);

	assert_string_equal(f.cpu_model, "AMD EPYC");
	assert_false(f.cpu_vmx);
	assert_false(f.cpu_svm);
	assert_true(f.cpu_hypervisor);
	assert_string_equal(f.kvm_module, "kvm_pvm");
	assert_int_equal(f.nested, -1);
	assert_false(f.kvm_exists);
	assert_int_equal(f.kvm_errno, ENOENT);
	cr_host_facts_release(&f);
}

static void pvm_host_gets_tcg_with_reason(void **state)
{
	cleanup_free char *root = test_data("hosts/pvm-tcg");
	struct cr_host_facts f = probe(root);
	struct cr_check_item item;
	enum cr_accel accel;

	/* as on the real machine: /dev/kvm opens and answers, but there is no vmx/svm */
	f.kvm_exists = f.kvm_usable = true;
	cr_accel_decide(&f, CR_ACCEL_AUTO, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_TCG);
	assert_int_equal(item.status, CR_WARN);
	assert_string_equal(item.message,
			    "tcg: /dev/kvm is provided by kvm_pvm but the CPU exposes neither vmx nor svm: "
			    "a paravirtual or partial KVM on which ordinary guests hang");
	assert_non_null(item.fix);
	free(item.message);
	free(item.fix);

	/* forcing KVM there is a FAIL that says what to do */
	cr_accel_decide(&f, CR_ACCEL_KVM, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_KVM);
	assert_int_equal(item.status, CR_FAIL);
	assert_true(str_has_prefix(item.message, "kvm requested, but /dev/kvm is provided by kvm_pvm"));
	assert_non_null(strstr(item.fix, "--accel tcg"));
	free(item.message);
	free(item.fix);

	/* forcing TCG is always fine */
	cr_accel_decide(&f, CR_ACCEL_TCG, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_TCG);
	assert_int_equal(item.status, CR_PASS);
	assert_null(item.fix);
	free(item.message);

	/* under TCG, guests get svm: nesting is a PASS */
	cr_nested_decide(&f, CR_ACCEL_TCG, &item);
	assert_int_equal(item.status, CR_PASS);
	free(item.message);
	cr_host_facts_release(&f);
}

static void missing_or_unusable_dev_kvm(void **state)
{
	struct cr_host_facts f = { .cpu_vmx = true, .kvm_errno = ENOENT };
	struct cr_check_item item;
	enum cr_accel accel;

	cr_accel_decide(&f, CR_ACCEL_AUTO, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_TCG);
	assert_string_equal(item.message, "tcg: no /dev/kvm (No such file or directory)");
	free(item.message);
	free(item.fix);

	f.kvm_exists = true;
	f.kvm_errno = EACCES;
	cr_accel_decide(&f, CR_ACCEL_AUTO, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_TCG);
	assert_string_equal(item.message, "tcg: /dev/kvm is not usable: Permission denied");
	free(item.message);
	free(item.fix);
}

static void vmx_host_gets_kvm(void **state)
{
	char *root = make_vmx_host("Y\n");
	struct cr_host_facts f = probe(root);
	struct cr_check_item item;
	enum cr_accel accel;

	assert_true(f.cpu_vmx);
	assert_string_equal(f.kvm_module, "kvm_intel");
	assert_int_equal(f.nested, 1);
	f.kvm_exists = f.kvm_usable = true;
	cr_accel_decide(&f, CR_ACCEL_AUTO, &accel, &item);
	assert_int_equal(accel, CR_ACCEL_KVM);
	assert_int_equal(item.status, CR_PASS);
	assert_string_equal(item.message, "kvm: /dev/kvm is usable and the CPU has vmx");
	free(item.message);

	cr_nested_decide(&f, CR_ACCEL_KVM, &item);
	assert_int_equal(item.status, CR_PASS);
	assert_string_equal(item.message, "kvm_intel nested=1: guests can run Kata's VMs");
	free(item.message);
	cr_host_facts_release(&f);
	remove_tree(root);
	free(root);
}

static void nesting_off_is_a_warning_with_the_fix(void **state)
{
	char *root = make_vmx_host("N\n");
	struct cr_host_facts f = probe(root);
	struct cr_check_item item;

	assert_int_equal(f.nested, 0);
	cr_nested_decide(&f, CR_ACCEL_KVM, &item);
	assert_int_equal(item.status, CR_WARN);
	assert_string_equal(item.fix, "as root, with no VM running: modprobe -r kvm_intel && modprobe kvm_intel nested=1");
	free(item.message);
	free(item.fix);
	cr_host_facts_release(&f);
	remove_tree(root);
	free(root);
}

static void space_thresholds(void **state)
{
	struct cr_check_item item;

	cr_space_decide("/c", 3ULL << 30, &item);
	assert_int_equal(item.status, CR_FAIL);
	assert_string_equal(item.message, "3.0 GiB free for the cache in '/c'");
	free(item.message);
	free(item.fix);
	cr_space_decide("/c", 10ULL << 30, &item);
	assert_int_equal(item.status, CR_WARN);
	free(item.message);
	free(item.fix);
	cr_space_decide("/c", 50ULL << 30, &item);
	assert_int_equal(item.status, CR_PASS);
	assert_null(item.fix);
	free(item.message);
}

static void accel_names(void **state)
{
	enum cr_accel a;

	assert_int_equal(cr_accel_parse("kvm", &a), 0);
	assert_int_equal(a, CR_ACCEL_KVM);
	assert_int_equal(cr_accel_parse("tcg", &a), 0);
	assert_int_equal(a, CR_ACCEL_TCG);
	assert_int_equal(cr_accel_parse("auto", &a), 0);
	assert_int_equal(a, CR_ACCEL_AUTO);
	assert_int_equal(cr_accel_parse("KVM", &a), -1);
	assert_string_equal(cr_accel_name(CR_ACCEL_TCG), "tcg");
}

static void libvirt_test_driver(void **state)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_conn virConnectPtr conn = NULL;
	cleanup_free char *desc = NULL;

	assert_int_equal(cr_virt_open("test:///default", &conn, &err), 0);
	assert_int_equal(cr_virt_describe(conn, &desc, &err), 0);
	assert_true(str_has_prefix(desc, "libvirt "));
	assert_non_null(strstr(desc, ", TEST "));
	/* the test driver has no domain capabilities: the error is libvirt's, translated once */
	assert_int_equal(cr_virt_check_domain_type(conn, "qemu", &err), -1);
	assert_true(str_has_prefix(err->msg, "libvirt cannot run x86_64 guests of type 'qemu': this function is not supported"));
	/* the test driver runs in this process: its host is this host */
	cr_error_free(&err);
	assert_int_equal(cr_virt_check_local(conn, "test:///default", &err), 0);
}

/* A libvirtd on another host is told apart from this one, whatever the spelling of the name. */
static void libvirt_host_names(void **state)
{
	assert_true(cr_virt_same_host("vm", "vm"));
	assert_true(cr_virt_same_host("VM", "vm"));
	assert_true(cr_virt_same_host("vm.example.org", "vm"));
	assert_true(cr_virt_same_host("vm", "vm.example.org"));
	assert_true(cr_virt_same_host("vm.example.org", "VM.Example.Org"));
	assert_false(cr_virt_same_host("vm2", "vm"));
	assert_false(cr_virt_same_host("vm", "vm2.example.org"));
	assert_false(cr_virt_same_host("kvm-host.lab", "vm"));
	/* two domains, one first label: not the same machine */
	assert_false(cr_virt_same_host("vm.a.org", "vm.b.org"));
	assert_false(cr_virt_same_host("", "vm"));
}

/* On a remote libvirt host, the accelerator follows its domain types and its CPU. */
static void remote_accel(void **state)
{
	struct cr_check_item it = { 0 };
	enum cr_accel a;

	cr_accel_decide_remote("kvmhost", true, true, CR_ACCEL_AUTO, &a, &it);
	assert_int_equal(a, CR_ACCEL_KVM);
	assert_int_equal(it.status, CR_PASS);
	assert_non_null(strstr(it.message, "'kvmhost'"));
	free(it.message);
	cr_accel_decide_remote("pvm", true, false, CR_ACCEL_AUTO, &a, &it);
	assert_int_equal(a, CR_ACCEL_TCG);
	assert_int_equal(it.status, CR_WARN);
	assert_non_null(strstr(it.message, "neither vmx nor svm"));
	free(it.message);
	free(it.fix);
	cr_accel_decide_remote("old", false, true, CR_ACCEL_KVM, &a, &it);
	assert_int_equal(a, CR_ACCEL_KVM);
	assert_int_equal(it.status, CR_FAIL);
	assert_non_null(strstr(it.message, "domain type 'kvm'"));
	assert_non_null(it.fix);
	free(it.message);
	free(it.fix);
	cr_accel_decide_remote("any", false, false, CR_ACCEL_TCG, &a, &it);
	assert_int_equal(a, CR_ACCEL_TCG);
	assert_int_equal(it.status, CR_PASS);
	free(it.message);
}

/* vmx or svm counts in the host's CPU only, not in a guest's CPU model list. */
static void caps_cpu_features(void **state)
{
	assert_true(
		cr_virt_caps_cpu_virt("<capabilities><host><uuid/><cpu><arch>x86_64</arch><feature name='ssse3'/>"
				      "<feature name='vmx'/></cpu></host></capabilities>"));
	assert_true(cr_virt_caps_cpu_virt("<capabilities><host><cpu><feature name='svm'/></cpu></host></capabilities>"));
	assert_false(
		cr_virt_caps_cpu_virt("<capabilities><host><cpu><feature name='hypervisor'/><feature name='vmxx'/></cpu>"
				      "</host><guest><feature name='vmx'/></guest></capabilities>"));
	assert_false(cr_virt_caps_cpu_virt("<capabilities><host></host></capabilities>"));
	assert_false(cr_virt_caps_cpu_virt(NULL));
	/* a baseline CPU with its features expanded (an EPYC model's svm is listed there, not in the capabilities) */
	assert_true(
		cr_virt_cpu_xml_virt("<cpu mode='custom' match='exact'><model fallback='forbid'>EPYC-Rome</model>"
				     "<feature policy='require' name='sse2'/><feature policy='require' name='svm'/></cpu>"));
	assert_false(
		cr_virt_cpu_xml_virt("<cpu mode='custom'><model>kvm64</model><feature policy='require' name='abm'/>"
				     "<feature policy='disable' name='svm'/><feature policy='forbid' name='vmx'/></cpu>"));
	assert_false(cr_virt_cpu_xml_virt(NULL));
	/* the CPU model of a host that is not this one, for run.json */
	{
		cleanup_free char *m = cr_virt_caps_cpu_model(
			"<capabilities><host><uuid/><cpu><arch>x86_64</arch>"
			"<model>EPYC-Rome</model><vendor>AMD</vendor></cpu></host></capabilities>");
		cleanup_free char *bare = cr_virt_caps_cpu_model(
			"<capabilities><host><cpu><model fallback='allow'>Skylake</model></cpu>"
			"</host></capabilities>");

		assert_string_equal(m, "AMD EPYC-Rome");
		assert_string_equal(bare, "Skylake");
		assert_null(
			cr_virt_caps_cpu_model("<capabilities><host><cpu><arch>x86_64</arch></cpu></host><guest><model>x</model></guest>"
					       "</capabilities>"));
		assert_null(cr_virt_caps_cpu_model(NULL));
	}
}

static void libvirt_unreachable(void **state)
{
	cleanup_error cr_error_t err = NULL;
	virConnectPtr conn = NULL;

	assert_int_equal(cr_virt_open("test:///nonexistent/host.xml", &conn, &err), -1);
	assert_null(conn);
	assert_true(str_has_prefix(err->msg, "cannot connect to libvirt at 'test:///nonexistent/host.xml': "));
}

/* The whole preflight against fixtures: every item is there, in order, and only real failures FAIL. */
static void whole_preflight(void **state)
{
	cleanup_free char *root = test_data("hosts/pvm-tcg");
	struct cr_preflight_opts opts = {
		.root = root,
		.accel = CR_ACCEL_AUTO,
		.connect_uri = "test:///default",
		.cache_dir = "/tmp/crbench-test-cache-does-not-exist/sub",
	};
	static const char *const names[] = { "accelerator", "nested",	  "libvirt",	"domain type",
					     "qemu-img",    "mmdebstrap", "libguestfs", "disk space" };
	struct cr_preflight p;

	cr_preflight_run(&opts, &p);
	assert_int_equal(p.n_items, ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(p.items[i].name, names[i]);
	assert_int_equal(p.accel, CR_ACCEL_TCG);
	assert_int_equal(p.items[0].status, CR_WARN);
	assert_int_equal(p.items[2].status, CR_PASS);
	/* no domain capabilities in the test driver */
	assert_int_equal(p.items[3].status, CR_FAIL);
	/* the fixture has no /boot: the libguestfs appliance has no kernel */
	if (!getenv("SUPERMIN_KERNEL")) {
		assert_int_equal(p.items[6].status, CR_FAIL);
		assert_string_equal(p.items[6].fix, "as root: apt-get install linux-image-amd64");
	}
	/* a cache directory that does not exist yet is measured on its parent */
	assert_non_null(strstr(p.items[7].message, "GiB free for the cache in '/tmp/crbench-test-cache-does-not-exist/sub'"));
	assert_int_equal(cr_preflight_worst(&p), CR_FAIL);
	cr_preflight_release(&p);
}

/* The preflight of the plan at plan_path on the fake host root, with the run's host at uri */
static struct cr_preflight_opts plan_opts(const char *root, const char *plan_path, enum cr_accel accel, const char *uri)
{
	/* probed by curl at once: no network in a unit test */
	static const char *const mirrors[] = { "file:///nonexistent/mirror", NULL };

	return (struct cr_preflight_opts){
		.root = root, .accel = accel, .connect_uri = uri, .cache_dir = root, .plan_path = plan_path, .mirrors = mirrors
	};
}

/* Under KVM with nesting off, a plan guest that needs it is a FAIL naming the guest, with the fix */
static void plan_needing_nesting_fails_without_it(void **state)
{
	char *root = make_vmx_host("N\n");
	cleanup_free char *plan = xasprintf("%s/p.ini", root);
	struct cr_preflight_opts opts = plan_opts(root, plan, CR_ACCEL_KVM, "test:///default");
	struct cr_preflight p;
	const struct cr_check_item *item = NULL;

	write_file(plan,
		   "[suite]\nprofile = smoke\n[guest plain]\nimage = debian-12\nruntime = runc\n"
		   "[guest nest]\nimage = debian-12\nruntime = runc\nnested = yes\n");
	cr_preflight_run(&opts, &p);
	for (size_t i = 0; i < p.n_items; i++)
		if (strcmp(p.items[i].name, "nested guests") == 0)
			item = &p.items[i];
	assert_non_null(item);
	assert_int_equal(item->status, CR_FAIL);
	assert_string_equal(item->message, "[guest nest] (runtime runc) needs nested virtualization and kvm_intel has nested=0");
	assert_string_equal(item->fix, "as root, with no VM running: modprobe -r kvm_intel && modprobe kvm_intel nested=1");
	cr_preflight_release(&p);

	/* nesting on: no such item */
	remove_tree(root);
	free(root);
	root = make_vmx_host("Y\n");
	free(plan);
	plan = xasprintf("%s/p.ini", root);
	opts.root = opts.cache_dir = root;
	opts.plan_path = plan;
	write_file(plan, "[suite]\nprofile = smoke\n[guest nest]\nimage = debian-12\nruntime = runc\nnested = yes\n");
	cr_preflight_run(&opts, &p);
	for (size_t i = 0; i < p.n_items; i++)
		assert_string_not_equal(p.items[i].name, "nested guests");
	cr_preflight_release(&p);
	remove_tree(root);
	free(root);
}

/*
 * Guests that name their libvirt host: one host per URI, pool and upload,
 * checked in blocks of their own; one that cannot be reached is a WARN
 * naming its guests; one reached by upload says whether its Docker store
 * can be made here.
 */
static void guests_on_hosts(void **state)
{
	char *root = make_vmx_host("Y\n");
	cleanup_free char *plan_path = xasprintf("%s/p.ini", root);
	cleanup_plan struct cr_plan *plan = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_preflight_opts opts = plan_opts(root, plan_path, CR_ACCEL_TCG, "test:///default");
	struct cr_preflight p;
	const struct cr_check_item *item;
	size_t libvirt_items[3] = { 0, 0, 0 };

	write_file(plan_path,
		   "[suite]\nprofile = smoke\n"
		   "[guest a]\nimage = debian-12\nruntime = runc\n"
		   "[guest b]\nimage = debian-12\nruntime = runc\nupload = yes\n"
		   "[guest c]\nimage = debian-12\nruntime = runc\nconnect = test:///nonexistent/host.xml\n"
		   "[guest d]\nimage = debian-12\nruntime = runsc\nconnect = test:///nonexistent/host.xml\n"
		   "[guest e]\nimage = debian-12\nruntime = runc\nconnect = test:///default\npool = default\n");
	assert_int_equal(cr_plan_load(plan_path, &plan, &err), 0);
	cr_preflight_run(&opts, &p);
	assert_int_equal(p.n_hosts, 3);
	assert_int_equal(cr_preflight_host_of(&p, &plan->guests[0]), 0);
	assert_int_equal(cr_preflight_host_of(&p, &plan->guests[1]), 1);
	assert_int_equal(cr_preflight_host_of(&p, &plan->guests[2]), 2);
	assert_int_equal(cr_preflight_host_of(&p, &plan->guests[3]), 2);
	/* the run's URI and the default pool, named: the run's host */
	assert_int_equal(cr_preflight_host_of(&p, &plan->guests[4]), 0);
	assert_string_equal(p.hosts[0].guests, "a, e");
	assert_string_equal(p.hosts[2].guests, "c, d");
	assert_true(p.hosts[1].upload && p.hosts[1].remote);
	assert_false(p.hosts[0].remote);
	assert_int_equal(p.hosts[2].accel, CR_ACCEL_TCG);
	for (size_t i = 0; i < p.n_items; i++) {
		if (strcmp(p.items[i].name, "libvirt") != 0)
			continue;
		libvirt_items[p.items[i].host]++;
		if (p.items[i].host == 2) {
			assert_int_equal(p.items[i].status, CR_WARN);
			assert_non_null(strstr(p.items[i].message, "its guests (c, d) will fail, the other hosts' guests run"));
			assert_non_null(strstr(p.items[i].fix, "connect = test:///nonexistent/host.xml"));
		}
	}
	/* one libvirt item per host, each in its block */
	assert_int_equal(libvirt_items[0], 1);
	assert_int_equal(libvirt_items[1], 1);
	assert_int_equal(libvirt_items[2], 1);
	for (size_t i = 1; i < p.n_items; i++)
		assert_true(p.items[i].host >= p.items[i - 1].host || p.items[i].host == 0);
	/*
	 * The plan's steps run containers: the host reached by upload has a
	 * docker store item. The fixture root has no virtlogd socket, so this
	 * machine cannot make the store: a WARN naming its guest and the fix.
	 */
	item = NULL;
	for (size_t i = 0; i < p.n_items; i++)
		if (strcmp(p.items[i].name, "docker store") == 0) {
			assert_null(item);
			item = &p.items[i];
		}
	assert_non_null(item);
	assert_int_equal(item->host, 1);
	assert_int_equal(item->status, CR_WARN);
	assert_non_null(strstr(item->message, "this machine's libvirt cannot boot the guest that loads the suite's container images"));
	assert_non_null(strstr(item->message, "the guests (b) load them at every boot"));
	assert_non_null(strstr(item->fix, "virtlogd -d && libvirtd -d"));
	assert_false(p.store_here);
	cr_preflight_release(&p);

	/* no step runs a container: no store, no item */
	write_file(plan_path,
		   "[suite]\nprofile = smoke\ntests = env, cpu-mem\n[guest b]\nimage = debian-12\nruntime = runc\nupload = yes\n");
	cr_preflight_run(&opts, &p);
	for (size_t i = 0; i < p.n_items; i++)
		assert_string_not_equal(p.items[i].name, "docker store");
	cr_preflight_release(&p);
	remove_tree(root);
	free(root);
}

/*
 * Every guest names its own host: the run's is not used, so neither
 * checked nor reached; one that cannot be reached fails nothing.
 */
static void run_host_unused(void **state)
{
	char *root = make_vmx_host("Y\n");
	cleanup_free char *plan_path = xasprintf("%s/p.ini", root);
	struct cr_preflight_opts opts = plan_opts(root, plan_path, CR_ACCEL_TCG, "test:///nonexistent/host.xml");
	struct cr_preflight p;
	size_t n_libvirt = 0;

	write_file(plan_path,
		   "[suite]\nprofile = smoke\ntests = env\n"
		   "[guest a]\nimage = debian-12\nruntime = runc\nconnect = test:///default\n");
	cr_preflight_run(&opts, &p);
	assert_int_equal(p.n_hosts, 2);
	assert_true(p.hosts[0].idle);
	assert_false(p.hosts[1].idle);
	assert_string_equal(p.hosts[0].guests, "");
	for (size_t i = 0; i < p.n_items; i++) {
		/* not checked: no domain type item (the test driver's, on hosts[1], fails: no domain capabilities) */
		assert_false(p.items[i].host == 0 && strcmp(p.items[i].name, "domain type") == 0);
		if (strcmp(p.items[i].name, "libvirt") != 0)
			continue;
		assert_int_equal(p.items[i].status, CR_PASS);
		if (p.items[i].host == 0) {
			n_libvirt++;
			assert_string_equal(p.items[i].message,
					    "test:///nonexistent/host.xml: not used: no guest of the plan runs on it "
					    "(their sections name their hosts: connect, pool, upload)");
		}
	}
	assert_int_equal(n_libvirt, 1);
	assert_int_equal(p.accel, p.hosts[1].accel);
	assert_int_equal(p.remote, p.hosts[1].remote);
	cr_preflight_release(&p);

	/* virtlogd is checked where guests run on this machine's qemu:///system: not for the unused run's host there... */
	opts.connect_uri = NULL;
	cr_preflight_run(&opts, &p);
	assert_true(p.hosts[0].idle);
	assert_null(cr_preflight_message(&p, "virtlogd"));
	cr_preflight_release(&p);
	/* ...but for a guest there while the run's host is another (the fixture root has no socket) */
	opts.connect_uri = "test:///default";
	write_file(plan_path,
		   "[suite]\nprofile = smoke\ntests = env\n"
		   "[guest a]\nimage = debian-12\nruntime = runc\nconnect = qemu:///system\n");
	cr_preflight_run(&opts, &p);
	assert_true(p.hosts[0].idle);
	assert_non_null(cr_preflight_message(&p, "virtlogd"));
	assert_non_null(strstr(cr_preflight_message(&p, "virtlogd"), "/run/libvirt/virtlogd-sock': libvirt cannot start guests"));
	cr_preflight_release(&p);
	opts.connect_uri = "test:///nonexistent/host.xml";

	/* a guest on it: it is checked, and one that cannot be reached fails the run */
	write_file(plan_path, "[suite]\nprofile = smoke\ntests = env\n[guest a]\nimage = debian-12\nruntime = runc\n");
	cr_preflight_run(&opts, &p);
	assert_int_equal(p.n_hosts, 1);
	assert_false(p.hosts[0].idle);
	n_libvirt = 0;
	for (size_t i = 0; i < p.n_items; i++)
		if (strcmp(p.items[i].name, "libvirt") == 0) {
			assert_int_equal(p.items[i].status, CR_FAIL);
			n_libvirt++;
		}
	assert_int_equal(n_libvirt, 1);
	cr_preflight_release(&p);
	remove_tree(root);
	free(root);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_recorded_pvm_host),
		cmocka_unit_test(pvm_host_gets_tcg_with_reason),
		cmocka_unit_test(missing_or_unusable_dev_kvm),
		cmocka_unit_test(vmx_host_gets_kvm),
		cmocka_unit_test(nesting_off_is_a_warning_with_the_fix),
		cmocka_unit_test(space_thresholds),
		cmocka_unit_test(accel_names),
		cmocka_unit_test(libvirt_test_driver),
		cmocka_unit_test(libvirt_unreachable),
		cmocka_unit_test(libvirt_host_names),
		cmocka_unit_test(remote_accel),
		cmocka_unit_test(caps_cpu_features),
		cmocka_unit_test(guests_on_hosts),
		cmocka_unit_test(run_host_unused),
		cmocka_unit_test(whole_preflight),
		cmocka_unit_test(plan_needing_nesting_fails_without_it),
	};
	/* clang-format on */

	return tap_run("preflight", tests);
}
