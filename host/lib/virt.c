/* Talking to libvirt; the only file that reads virGetLastError. */
#include <errno.h>
#include <libvirt/virterror.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"
#include "virt.h"

static void silent_handler(void *data, virErrorPtr e)
{
	/* errors are fetched with virGetLastError and returned to the caller */
}

/* "what: libvirt's message"; what has been formatted by the caller. */
static int virt_error(cr_error_t *err, const char *what)
{
	const char *msg = virGetLastErrorMessage();

	return cr_error(err, 0, "%s: %s", what, msg ? msg : "unknown libvirt error");
}

int cr_virt_error(cr_error_t *err, const char *fmt, ...)
{
	cleanup_free char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		abort();
	va_end(ap);
	return virt_error(err, what);
}

int cr_virt_open(const char *uri, virConnectPtr *out, cr_error_t *err)
{
	virConnectPtr conn;

	if (!uri)
		uri = CR_DEFAULT_URI;
	virSetErrorFunc(NULL, silent_handler);
	conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
	if (!conn) {
		cleanup_free char *what = xasprintf("cannot connect to libvirt at '%s'", uri);

		return virt_error(err, what);
	}
	*out = conn;
	return 0;
}

bool cr_virt_same_host(const char *host, const char *this_host)
{
	size_t a = strcspn(host, "."), b = strcspn(this_host, ".");

	if (strcasecmp(host, this_host) == 0)
		return true;
	/* "vm" and "vm.example.org": one of them without a domain */
	return a == b && strncasecmp(host, this_host, a) == 0 && (!host[a] || !this_host[b]);
}

int cr_virt_is_local(virConnectPtr conn, bool *local, char **host, cr_error_t *err)
{
	char here[256] = "";
	char *there = virConnectGetHostname(conn);

	if (!there)
		return virt_error(err, "cannot get the libvirt host's name");
	if (gethostname(here, sizeof(here) - 1) < 0) {
		free(there);
		return cr_error(err, errno, "cannot get this host's name");
	}
	*local = cr_virt_same_host(there, here);
	if (host)
		*host = there;
	else
		free(there);
	return 0;
}

int cr_virt_check_local(virConnectPtr conn, const char *uri, cr_error_t *err)
{
	char here[256] = "";
	cleanup_free char *there = NULL;
	bool local;

	if (cr_virt_is_local(conn, &local, &there, err) < 0)
		return -1;
	if (local)
		return 0;
	gethostname(here, sizeof(here) - 1);
	return cr_error(err, 0,
			"libvirt at '%s' runs on host '%s', not on this host ('%s'): crbench boot reads the console log as a file on "
			"this host; crbench run works with remote hosts",
			uri ? uri : CR_DEFAULT_URI, there, here);
}

/* Whether a <feature .../> element between begin and end names vmx or svm, and is not disabled or forbidden. */
static bool features_virt(const char *begin, const char *end)
{
	for (const char *f = begin; (f = strstr(f, "<feature ")) && f < end; f++) {
		const char *close = strchr(f, '>'), *off = strstr(f, "policy='disable'"), *forbid = strstr(f, "policy='forbid'");

		if (close && ((off && off < close) || (forbid && forbid < close)))
			continue; /* a feature turned off is not there */
		for (const char *const *n = (const char *const[]){ "name='vmx'", "name='svm'", NULL }; close && *n; n++) {
			const char *at = strstr(f, *n);

			if (at && at < close)
				return true;
		}
	}
	return false;
}

/* The <host><cpu> element of a capabilities XML, as [*begin, *end). */
static bool host_cpu(const char *caps, const char **begin, const char **end)
{
	const char *host = caps ? strstr(caps, "<host>") : NULL;

	*begin = host ? strstr(host, "<cpu>") : NULL;
	*end = *begin ? strstr(*begin, "</cpu>") : NULL;
	if (!*end)
		return false;
	*end += strlen("</cpu>");
	return true;
}

char *cr_virt_caps_cpu_model(const char *caps)
{
	const char *begin, *end, *vendor, *model;
	size_t nv = 0, nm = 0;

	if (!host_cpu(caps, &begin, &end))
		return NULL;
	vendor = strstr(begin, "<vendor>");
	model = strstr(begin, "<model");
	if (vendor && vendor < end) {
		vendor += strlen("<vendor>");
		nv = strcspn(vendor, "<");
	}
	if (model && model < end && (model = strchr(model, '>')) && model < end) {
		model++;
		nm = strcspn(model, "<");
	}
	if (!nm)
		return NULL;
	return nv ? xasprintf("%.*s %.*s", (int)nv, vendor, (int)nm, model) : xasprintf("%.*s", (int)nm, model);
}

char *cr_virt_host_cpu_model(virConnectPtr conn)
{
	cleanup_free char *caps = virConnectGetCapabilities(conn);

	return caps ? cr_virt_caps_cpu_model(caps) : NULL;
}

bool cr_virt_caps_cpu_virt(const char *caps)
{
	const char *begin, *end;

	return host_cpu(caps, &begin, &end) && features_virt(begin, end);
}

bool cr_virt_cpu_xml_virt(const char *cpu)
{
	return cpu && features_virt(cpu, cpu + strlen(cpu));
}

int cr_virt_host_cpus(virConnectPtr conn, unsigned *cpus, bool *cpu_virt, cr_error_t *err)
{
	virNodeInfo info;
	const char *begin, *end;
	char *caps;

	if (virNodeGetInfo(conn, &info) < 0)
		return virt_error(err, "cannot get the libvirt host's CPUs");
	*cpus = info.cpus;
	caps = virConnectGetCapabilities(conn);
	if (!caps)
		return virt_error(err, "cannot get the libvirt host's capabilities");
	*cpu_virt = cr_virt_caps_cpu_virt(caps);
	/*
	 * Capabilities list only the features beyond the CPU model's (an EPYC
	 * model has svm in it): the model with its features expanded says all.
	 */
	if (!*cpu_virt && host_cpu(caps, &begin, &end)) {
		cleanup_free char *one = strndup(begin, (size_t)(end - begin));
		const char *xml[] = { one };
		cleanup_free char *expanded = one ? virConnectBaselineCPU(conn, xml, 1, VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES) : NULL;

		*cpu_virt = cr_virt_cpu_xml_virt(expanded);
	}
	free(caps);
	return 0;
}

bool cr_virt_error_is_no_volume(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->code == VIR_ERR_NO_STORAGE_VOL;
}

bool cr_virt_error_is_no_domain(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->code == VIR_ERR_NO_DOMAIN;
}

void cr_virt_close(virConnectPtr conn)
{
	if (conn)
		virConnectClose(conn);
}

static char *version_string(unsigned long v)
{
	return xasprintf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

int cr_virt_describe(virConnectPtr conn, char **out, cr_error_t *err)
{
	cleanup_free char *lib = NULL, *hv = NULL;
	unsigned long libver = 0, hvver = 0;
	const char *type;

	if (virConnectGetLibVersion(conn, &libver) < 0)
		return virt_error(err, "cannot get the libvirt version");
	type = virConnectGetType(conn);
	if (!type)
		return virt_error(err, "cannot get the hypervisor type");
	if (virConnectGetVersion(conn, &hvver) < 0)
		return virt_error(err, "cannot get the hypervisor version");
	lib = version_string(libver);
	hv = version_string(hvver);
	*out = xasprintf("libvirt %s, %s %s", lib, type, hv);
	return 0;
}

int cr_virt_check_domain_type(virConnectPtr conn, const char *virttype, cr_error_t *err)
{
	char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", NULL, virttype, 0);

	if (!caps) {
		cleanup_free char *what = xasprintf("libvirt cannot run x86_64 guests of type '%s'", virttype);

		return virt_error(err, what);
	}
	free(caps);
	return 0;
}
