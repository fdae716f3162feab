/* The domain XML of a crbench guest (direct kernel boot, virtio disks, serial console) and its lifecycle. */
#include <libvirt/virterror.h>

#include "domain.h"
#include "util.h"
#include "virt.h"

/*
 * cache: "unsafe" for the throw-away overlay and the read-only payload;
 * "writeback" for the results disk, so that the agent's fdatasync reaches the
 * host's disk and a host crash loses nothing the guest had synced.
 */
static void disk_xml(FILE *f, const char *path, const char *format, const char *cache, const char *dev, const char *serial, bool readonly)
{
	cleanup_free char *p = cr_xml_escape(path);

	fprintf(f,
		"    <disk type='file' device='disk'>\n"
		"      <driver name='qemu' type='%s' cache='%s' discard='unmap'/>\n"
		"      <source file='%s'/>\n"
		"      <target dev='%s' bus='virtio'/>\n",
		format, cache, p, dev);
	if (serial)
		fprintf(f, "      <serial>%s</serial>\n", serial);
	if (readonly)
		fprintf(f, "      <readonly/>\n");
	fprintf(f, "    </disk>\n");
}

char *cr_domain_xml(const struct cr_domain_spec *s)
{
	cleanup_free char *name = cr_xml_escape(s->name), *kernel = cr_xml_escape(s->kernel), *initrd = cr_xml_escape(s->initrd);
	cleanup_free char *cmdline = cr_xml_escape(s->cmdline ? s->cmdline : CR_GUEST_CMDLINE);
	cleanup_free char *log = s->console_log ? cr_xml_escape(s->console_log) : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fprintf(f,
		"<domain type='%s'>\n"
		"  <name>%s</name>\n"
		"  <memory unit='KiB'>%llu</memory>\n"
		"  <vcpu placement='static'>%llu</vcpu>\n"
		"  <os>\n"
		"    <type arch='x86_64' machine='pc'>hvm</type>\n"
		"    <kernel>%s</kernel>\n"
		"    <initrd>%s</initrd>\n"
		"    <cmdline>%s</cmdline>\n"
		"  </os>\n"
		"  <features><acpi/></features>\n",
		s->accel == CR_ACCEL_KVM ? "kvm" : "qemu", name, (unsigned long long)(s->memory / 1024), (unsigned long long)s->vcpus,
		kernel, initrd, cmdline);
	if (s->n_pin) {
		fprintf(f, "  <cputune>\n");
		for (size_t i = 0; i < s->n_pin; i++)
			fprintf(f, "    <vcpupin vcpu='%zu' cpuset='%u'/>\n", i, s->pin[i]);
		fprintf(f, "  </cputune>\n");
	}
	/*
	 * KVM: the host's CPU, with its vmx/svm when nesting is wanted. TCG:
	 * qemu64 (stock kernels hang on anything fancier here) made a whole
	 * x86-64-v2 with ssse3, sse4.1, sse4.2 and popcnt, the same for every
	 * guest, so that the runtimes of one run are compared on one
	 * instruction set: Kata's kata-check requires sse4.1 (qemu64 has
	 * none), Ubuntu 18.04's 4.15 kernel and Debian's 6.1 boot with them,
	 * and popcnt must come with sse4.2: without it the set looks like
	 * x86-64-v2 without being it, and stress-ng's cpu stressor, picking
	 * its x86-64-v2 code by those flags, died at once of SIGILL. A guest
	 * that runs nested VMs also gets svm, which TCG emulates, so that
	 * kvm_amd loads, and npt, so that its VMs do not run on shadow paging.
	 * Any other guest has svm taken away: QEMU's qemu64 carries it, so
	 * kvm_amd loaded in every guest and gVisor chose its KVM platform on
	 * TCG's emulated SVM without nested paging, where every container of
	 * the suite died of SIGILL (exit 132) while runsc's own probe passed.
	 */
	if (s->accel == CR_ACCEL_KVM)
		fprintf(f, "  <cpu mode='host-passthrough' check='none' migratable='off'/>\n");
	else
		fprintf(f,
			"  <cpu mode='custom' match='exact' check='none'>\n"
			"    <model fallback='forbid'>qemu64</model>\n"
			"    <feature policy='require' name='ssse3'/>\n"
			"    <feature policy='require' name='sse4.1'/>\n"
			"    <feature policy='require' name='sse4.2'/>\n"
			"    <feature policy='require' name='popcnt'/>\n"
			"%s"
			"  </cpu>\n",
			s->nested ? "    <feature policy='require' name='svm'/>\n"
				    "    <feature policy='require' name='npt'/>\n"
				  : "    <feature policy='disable' name='svm'/>\n");
	/* a guest that stops for any reason, a panic included (panic=-1 reboots), ends its domain */
	fprintf(f,
		"  <on_poweroff>destroy</on_poweroff>\n"
		"  <on_reboot>destroy</on_reboot>\n"
		"  <on_crash>destroy</on_crash>\n"
		"  <devices>\n");
	disk_xml(f, s->disk, "qcow2", "unsafe", "vda", NULL, false);
	if (s->payload)
		disk_xml(f, s->payload, "raw", "unsafe", "vdb", "crbench-payload", true);
	if (s->results)
		disk_xml(f, s->results, "raw", "writeback", "vdc", "crbench-results", false);
	if (s->images)
		disk_xml(f, s->images, "raw", "unsafe", "vdd", "crbench-images", true);
	fprintf(f, "    <serial type='pty'>\n");
	if (log)
		fprintf(f, "      <log file='%s' append='off'/>\n", log);
	fprintf(f,
		"      <target port='0'/>\n"
		"    </serial>\n"
		"    <console type='pty'><target type='serial' port='0'/></console>\n"
		"    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n"
		"    <memballoon model='none'/>\n"
		/* pvpanic: a guest kernel panic is a crash event, not a hang */
		"    <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n"
		"  </devices>\n"
		"</domain>\n");
	if (fclose(f) != 0)
		abort();
	return buf;
}

int cr_domain_start(virConnectPtr conn, const struct cr_domain_spec *spec, virDomainPtr *out, cr_error_t *err)
{
	cleanup_free char *xml = cr_domain_xml(spec);
	virDomainPtr dom = virDomainCreateXML(conn, xml, spec->paused ? VIR_DOMAIN_START_PAUSED : 0);

	if (!dom) {
		const char *msg = virGetLastErrorMessage();

		return cr_error(err, 0, "cannot start guest '%s': %s", spec->name, msg ? msg : "unknown libvirt error");
	}
	*out = dom;
	return 0;
}

bool cr_domain_running(virDomainPtr dom)
{
	int state, reason;

	if (virDomainGetState(dom, &state, &reason, 0) < 0)
		/*
		 * a transient domain that stopped no longer exists; any other error
		 * (a libvirtd restarting) says nothing of the guest, which may still
		 * be writing its results disk: running, until the timeouts say otherwise
		 */
		return !cr_virt_error_is_no_domain();
	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED;
}

double cr_domain_cpu_seconds(virDomainPtr dom)
{
	virDomainInfo info;

	if (virDomainGetInfo(dom, &info) < 0)
		return -1;
	return (double)info.cpuTime / 1e9;
}

void cr_domain_destroy(virDomainPtr dom)
{
	if (!dom)
		return;
	if (cr_domain_running(dom))
		virDomainDestroy(dom);
	virDomainFree(dom);
}
