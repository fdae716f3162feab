/* Containers as the tests run them: the runtime and the limits every one gets, one run from create to remove. */
#include "agent.h"
#include "util.h"

const char *cr_container_runtime(const struct cr_agent *a, bool host_network)
{
	if (!a->runtime)
		return a->guest->runtime;
	return host_network ? a->runtime->docker_runtime_host : a->runtime->docker_runtime;
}

json_t *cr_container_config(const struct cr_agent *a, const char *image, json_t *cmd)
{
	const struct cr_plan *p = a->plan;

	/* NanoCpus: container-cpus whole CPUs; the same for every runtime */
	return json_pack("{s:s, s:o, s:{s:I, s:I, s:s}}", "Image", image, "Cmd", cmd ? cmd : json_null(), "HostConfig", "NanoCpus",
			 (json_int_t)(p->container_cpus * 1000000000ULL), "Memory", (json_int_t)p->container_memory, "Runtime",
			 cr_container_runtime(a, false));
}

int cr_container_run(const struct cr_agent *a, json_t *config, const char *name, struct cr_container_result *res, cr_error_t *err)
{
	cleanup_free char *id = NULL;
	int ret = -1;

	*res = (struct cr_container_result){ .exit_code = -1 };
	if (cr_docker_create(a->docker, name, config, &id, NULL, err) < 0)
		goto out;
	res->t_start = cr_now();
	if (cr_docker_start(a->docker, id, NULL, err) < 0 || cr_docker_wait(a->docker, id, &res->exit_code, NULL, err) < 0)
		goto out;
	res->seconds = cr_now() - res->t_start;
	if (cr_docker_logs(a->docker, id, &res->out, &res->err, err) < 0)
		goto out;
	ret = 0;
out:
	if (id)
		cr_docker_remove(a->docker, id, NULL, NULL);
	json_decref(config);
	return ret;
}

void cr_container_result_release(struct cr_container_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}
