/* Guest domains: the libvirt domain XML crbench boots, and starting, watching and destroying it. */
#ifndef CRBENCH_DOMAIN_H
#define CRBENCH_DOMAIN_H

#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "preflight.h"

/* Kernel command line of every guest: root by label, serial console, a panic ends the domain. */
#define CR_GUEST_CMDLINE "root=LABEL=crbench-root ro console=ttyS0,115200 panic=-1 systemd.show_status=0"

struct cr_domain_spec {
	const char *name;
	enum cr_accel accel;
	uint64_t vcpus;
	uint64_t memory; /* bytes */
	bool nested;	 /* expose vmx/svm to the guest */
	const char *kernel, *initrd, *cmdline;
	const char *disk;	 /* the guest's qcow2 overlay (vda) */
	const char *payload;	 /* raw payload disk, read-only, or NULL */
	const char *results;	 /* raw results disk, or NULL */
	const char *images;	 /* raw container images disk, read-only, shared by runs, or NULL */
	const char *console_log; /* where libvirt copies the serial console, or NULL (read it with virDomainOpenConsole) */
	bool paused;		 /* start with the vCPUs stopped, for a console opened before the guest prints */
	const unsigned *pin;	 /* vCPU i runs on host CPU pin[i], for i < n_pin */
	size_t n_pin;
};

/* The domain XML for spec; values are XML-escaped. */
char *cr_domain_xml(const struct cr_domain_spec *spec);

/* Start a transient domain: it disappears when it stops. */
int cr_domain_start(virConnectPtr conn, const struct cr_domain_spec *spec, virDomainPtr *out, cr_error_t *err);

/* Whether the domain still runs (a transient domain that stopped is gone). */
bool cr_domain_running(virDomainPtr dom);

/* The seconds of CPU the domain's vCPUs have run so far, or -1 when libvirt cannot say. */
double cr_domain_cpu_seconds(virDomainPtr dom);

/* Destroy if still running, then drop the reference; accepts NULL. */
void cr_domain_destroy(virDomainPtr dom);

#endif
