/* The libvirt wrapper: connections and capabilities, errors translated into cr_error_t. */
#ifndef CRBENCH_VIRT_H
#define CRBENCH_VIRT_H

#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "error.h"

#define CR_DEFAULT_URI "qemu:///system"

/* Open uri (NULL: CR_DEFAULT_URI). libvirt's own printing to stderr is turned off. */
int cr_virt_open(const char *uri, virConnectPtr *out, cr_error_t *err);
void cr_virt_close(virConnectPtr conn);

/* "libvirt 9.0.0, QEMU 7.2.0" for the connection's daemon and hypervisor. */
int cr_virt_describe(virConnectPtr conn, char **out, cr_error_t *err);

/* Whether the hypervisor can run x86_64 guests with virttype ("kvm" or "qemu"). */
int cr_virt_check_domain_type(virConnectPtr conn, const char *virttype, cr_error_t *err);

/*
 * Whether host names the same machine as this_host (case aside; a short name
 * and a fully qualified one with that first label match).
 */
bool cr_virt_same_host(const char *host, const char *this_host);

/* "what: libvirt's last error message" into *err; returns -1. */
int cr_virt_error(cr_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether conn's libvirtd runs on this host; *host (may be NULL) gets its name. */
int cr_virt_is_local(virConnectPtr conn, bool *local, char **host, cr_error_t *err);

/* The host CPU's vendor and model in capabilities XML ("AMD EPYC-Rome"), or NULL. */
char *cr_virt_caps_cpu_model(const char *caps);
/* The same, of the host conn reaches. */
char *cr_virt_host_cpu_model(virConnectPtr conn);
/* Whether the host CPU of a capabilities XML (virConnectGetCapabilities) has vmx or svm. */
bool cr_virt_caps_cpu_virt(const char *caps);
/* Whether a CPU XML (virConnectBaselineCPU's, features expanded) has vmx or svm. */
bool cr_virt_cpu_xml_virt(const char *cpu);

/* The libvirt host's CPU count (virNodeGetInfo) and whether its CPU has vmx or svm. */
int cr_virt_host_cpus(virConnectPtr conn, unsigned *cpus, bool *cpu_virt, cr_error_t *err);

/*
 * Refuse a connection to a libvirtd on another host, for crbench boot,
 * which reads the guest's console log as a file here.
 */
int cr_virt_check_local(virConnectPtr conn, const char *uri, cr_error_t *err);

/* Whether the last libvirt call of this thread failed because the domain no longer exists. */
bool cr_virt_error_is_no_domain(void);
/* Whether the last libvirt call of this thread failed because the storage volume does not exist. */
bool cr_virt_error_is_no_volume(void);

static inline void cleanup_connp(virConnectPtr *c)
{
	cr_virt_close(*c);
}
#define cleanup_conn __attribute__((cleanup(cleanup_connp)))

#endif
