/* The runtime's set-up before the suite: one function per runtime that needs one, behind one table. */
#include <sys/wait.h>

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
