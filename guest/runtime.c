/* The runtime's set-up before the suite: one function per runtime that needs one, behind one table. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "results.h"
#include "runtime.h"
#include "util.h"

/* clang-format off */
static const struct {
	const char *runtime;
	void (*prepare)(const struct cr_plan *plan, const struct cr_guest_plan *guest, struct cr_runtime_setup *out);
} runtimes[] = {
	{ "runsc", cr_runsc_prepare },
	{ "kata", cr_kata_prepare },
};
/* clang-format on */

/*
 * The kernel runs its CFS bandwidth code only while some cgroup has a CPU
 * quota: a static key, switched on when the first cgroup gets one and off
 * when the last loses it, by patching the scheduler's code (update_curr,
 * its hottest path) while the other CPUs run it. Every container of the
 * suite has a quota (container-cpus), so every container start and removal
 * in a guest that has no other would patch it. Under TCG, Ubuntu 18.04's
 * 4.15 kernel livelocked doing so now and then: both vCPUs spinning at
 * update_curr with interrupts off, in the int3 the patching leaves, until
 * the host's progress-timeout (seen in one run of six with a stress-ng
 * server starting). An empty cgroup with a quota keeps the key on for the
 * whole run: the code is patched once, here, while the guest is quiet, and
 * never while a step runs. What a step measures runs the same code as
 * before: its containers had quotas, so the key was on while they ran.
 */
json_t *cr_cfs_bandwidth_hold(const char *root)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *v1 = xasprintf("%s/cpu/cpu.cfs_quota_us", root), *controllers = NULL, *dir = NULL, *file = NULL;
	const char *setting, *value;
	size_t len;

	if (access(v1, F_OK) == 0) {
		/* 10 CPUs' worth of the default 100 ms period: a cgroup with no task is limited in nothing */
		dir = xasprintf("%s/cpu/" CR_CFS_HOLD_CGROUP, root);
		setting = "cpu.cfs_quota_us";
		value = "1000000";
	} else {
		cleanup_free char *list = xasprintf("%s/cgroup.controllers", root), *subtree = xasprintf("%s/cgroup.subtree_control", root);
		cleanup_strv char **names = NULL;

		if (cr_read_file(list, 4096, &controllers, &len, &err) == 0)
			names = strv_split(controllers, ' ');
		if (!names || !strv_contains(names, "cpu"))
			return json_pack("{s:b, s:s}", "held", false, "error",
					 err ? err->msg
					     : "no cgroup CPU controller: neither cgroup v1's cpu hierarchy nor cpu in cgroup v2");
		if (cr_write_text(subtree, "+cpu", &err) < 0)
			return json_pack("{s:b, s:s}", "held", false, "error", err->msg);
		dir = xasprintf("%s/" CR_CFS_HOLD_CGROUP, root);
		setting = "cpu.max";
		value = "1000000 100000";
	}
	file = xasprintf("%s/%s", dir, setting);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		cr_error(&err, errno, "cannot create '%s'", dir);
	else
		cr_write_text(file, value, &err);
	if (err)
		return json_pack("{s:b, s:s}", "held", false, "error", err->msg);
	return json_pack("{s:b, s:s, s:s, s:s}", "held", true, "cgroup", dir, "setting", setting, "value", value);
}

void cr_runtime_prepare(const struct cr_plan *plan, const struct cr_guest_plan *guest, struct cr_runtime_setup *out)
{
	*out = (struct cr_runtime_setup){ 0 };
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		if (strcmp(runtimes[i].runtime, guest->runtime) == 0) {
			runtimes[i].prepare(plan, guest, out);
			break;
		}
	}
	/* runc and crun run as daemon.json registers them, with nothing to choose */
	if (!out->docker_runtime)
		out->docker_runtime = xstrdup(guest->runtime);
	/* gVisor's own network stack refuses the host's namespace: builder/hooks/docker-runtimes.sh registers runsc*-host */
	out->docker_runtime_host = strcmp(guest->runtime, "runsc") == 0 ? xasprintf("%s-host", out->docker_runtime)
									: xstrdup(out->docker_runtime);
	if (!out->record)
		out->record = json_object();
	json_object_set_new(out->record, "runtime", json_string(guest->runtime));
	json_object_set_new(out->record, "docker_runtime", json_string(out->docker_runtime));
	json_object_set_new(out->record, "docker_runtime_host_network", json_string(out->docker_runtime_host));
	json_object_set_new(out->record, "refused", out->refused ? json_string(out->refused) : json_null());
}

void cr_runtime_setup_release(struct cr_runtime_setup *s)
{
	free(s->docker_runtime);
	free(s->docker_runtime_host);
	free(s->refused);
	json_decref(s->record);
	*s = (struct cr_runtime_setup){ 0 };
}

json_t *cr_command_record(char *const argv[], int *status, char **output)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *out = NULL, *command = strv_join(argv, " ");
	json_t *text;
	int st, code;

	if (cr_run_capture(argv, 1, 1 << 20, &out, &st, &err) < 0) {
		if (status)
			*status = -1;
		if (output)
			*output = xstrdup(err->msg);
		return json_pack("{s:s, s:o}", "command", command, "error", cr_json_text(err->msg));
	}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	text = cr_json_text(out); /* not UTF-8: readable all the same */
	if (status)
		*status = code;
	if (output)
		*output = xstrdup(out);
	return json_pack("{s:s, s:o, s:i}", "command", command, "output", text, "exit_status", code);
}
