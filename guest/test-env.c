/* The environment record: kernel, CPU, memory, Docker, the runtime, its version and set-up, packages, /dev/kvm, plan, seed. */
#include <errno.h>
#include <sys/utsname.h>

#include "agent.h"
#include "util.h"

extern const char crbench_version[];

/* A file's text, or null when it cannot be read. */
static json_t *file_text(const char *path, size_t max)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *data = NULL;
	size_t len;

	json_t *s;

	if (cr_read_file(path, max, &data, &len, &err) < 0)
		return json_null();
	s = json_stringn(data, len); /* NULL for text that is not UTF-8 */
	return s ? s : json_null();
}

/* What a command prints (stdout and stderr), with its exit status. */
static json_t *command(char *const argv[])
{
	return cr_command_record(argv, NULL, NULL);
}

static json_t *runtime_version(const char *runtime)
{
	char *runc[] = { (char *)"runc", (char *)"--version", NULL };
	char *crun[] = { (char *)"crun", (char *)"--version", NULL };
	char *runsc[] = { (char *)"runsc", (char *)"--version", NULL };
	char *kata[] = { (char *)CR_GUEST_KATA_RUNTIME, (char *)"--version", NULL };

	if (strcmp(runtime, "crun") == 0)
		return command(crun);
	if (strcmp(runtime, "runsc") == 0)
		return command(runsc);
	if (strcmp(runtime, "kata") == 0)
		return command(kata);
	return command(runc);
}

int cr_test_env(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	struct cr_docker_response version, info;
	char *runc_version[] = { (char *)"runc", (char *)"--version", NULL };
	struct utsname u;
	json_t *d;
	int r;

	if (uname(&u) < 0)
		return cr_error(err, errno, "cannot read the kernel's name");
	memset(&info, 0, sizeof(info));
	r = cr_docker_call(a->docker, "GET", "/version", NULL, &version, err);
	if (r == 0)
		r = cr_docker_call(a->docker, "GET", "/info", NULL, &info, err);
	if (r < 0) {
		cr_docker_response_release(&version);
		cr_docker_response_release(&info);
		return -1;
	}
	d = json_object();
	json_object_set_new(d, "agent_version", json_string(crbench_version));
	json_object_set_new(d, "kernel", json_pack("{s:s, s:s, s:s}", "release", u.release, "version", u.version, "machine", u.machine));
	json_object_set_new(d, "cpuinfo", file_text("/proc/cpuinfo", 4 << 20));
	json_object_set_new(d, "meminfo", file_text("/proc/meminfo", 1 << 20));
	json_object_set_new(d, "os_release", file_text("/etc/os-release", 64 << 10));
	json_object_set_new(d, "cmdline", file_text("/proc/cmdline", 64 << 10));
	json_object_set_new(d, "dev_kvm", json_boolean(access("/dev/kvm", F_OK) == 0));
	json_object_set_new(d, "docker_version", json_incref(version.json));
	json_object_set_new(d, "docker_info", json_incref(info.json));
	json_object_set_new(d, "runtime", json_string(a->guest->runtime));
	json_object_set_new(d, "runtime_version", runtime_version(a->guest->runtime));
	json_object_set_new(d, "runc_version", command(runc_version));
	/* Kata's configuration and kata-check, gVisor's platform: what the agent set up before the suite */
	json_object_set_new(d, "runtime_setup", a->runtime ? json_incref(a->runtime->record) : json_null());
	json_object_set_new(d, "dpkg_status", file_text("/var/lib/dpkg/status", 16 << 20));
	json_object_set_new(d, "plan", cr_plan_to_json(a->plan));
	json_object_set_new(d, "seed", json_integer((json_int_t)a->seed));
	cr_docker_response_release(&version);
	cr_docker_response_release(&info);
	*data = d;
	return 0;
}
