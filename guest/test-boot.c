/* Container boot time (Kumar & Thangaraju, Table I): httpd to its first HTTP 200, a trivial container's start, removal. */
#include "agent.h"
#include "http.h"
#include "proc.h"
#include "util.h"

static int boot_httpd(const struct cr_agent *a, json_t *out, cr_error_t *err)
{
	json_t *config = cr_container_httpd_config(a), *unanswered;
	cleanup_free char *id = NULL, *url = NULL;
	double t0 = cr_now(), create, start, remove, to_200;
	long attempts = 0;
	int ret = -1;

	if (cr_docker_create(a->docker, NULL, config, &id, &create, err) < 0)
		goto out;
	if (cr_docker_start(a->docker, id, &start, err) < 0)
		goto out;
	if (!(url = cr_container_httpd_url(a, id, err)))
		goto out;
	to_200 = cr_container_httpd_wait(a, id, url, t0, t0 + (double)a->plan->test_timeout / 2, &attempts, &unanswered, err);
	if (to_200 < 0) {
		json_object_set_new(out, "httpd_unanswered", unanswered);
		goto out;
	}
	json_object_set_new(out, "httpd",
			    json_pack("{s:f, s:f, s:f, s:I}", "create_seconds", create, "start_seconds", start, "first_200_seconds", to_200,
				      "attempts", (json_int_t)attempts));
	ret = 0;
out:
	if (id && cr_docker_remove(a->docker, id, &remove, ret < 0 ? NULL : err) == 0 && ret == 0)
		json_object_set_new(json_object_get(out, "httpd"), "remove_seconds", json_real(remove));
	json_decref(config);
	return ret;
}

static int boot_trivial(const struct cr_agent *a, json_t *out, cr_error_t *err)
{
	json_t *config = cr_container_config(a, CR_BENCH_IMAGE, json_pack("[s]", "true"));
	cleanup_free char *id = NULL;
	double create, start, wait, remove;
	long code = -1;
	int ret = -1;

	if (cr_docker_create(a->docker, NULL, config, &id, &create, err) < 0)
		goto out;
	/* the start call returns once the runtime has the container running: the runtime's own cost */
	if (cr_docker_start(a->docker, id, &start, err) < 0 || cr_docker_wait(a->docker, id, &code, &wait, err) < 0)
		goto out;
	if (code != 0) {
		cr_error(err, 0, "a container running 'true' exited with %ld", code);
		goto out;
	}
	json_object_set_new(out, "trivial",
			    json_pack("{s:f, s:f, s:f}", "create_seconds", create, "start_seconds", start, "wait_seconds", wait));
	ret = 0;
out:
	if (id && cr_docker_remove(a->docker, id, &remove, ret < 0 ? NULL : err) == 0 && ret == 0) {
		json_object_set_new(json_object_get(out, "trivial"), "remove_seconds", json_real(remove));
		json_object_set_new(json_object_get(out, "trivial"), "api_run_seconds", json_real(create + start + wait + remove));
	}
	json_decref(config);
	return ret;
}

/*
 * The same trivial container run by the docker CLI, timed from outside: what
 * the agent's own timing must not exceed (the CLI's start-up is in it, the
 * agent's API calls avoid it). The API figure to compare is create + start +
 * wait + remove, as docker run --rm does all four.
 */
static int boot_docker_cli(const struct cr_agent *a, json_t *out, cr_error_t *err)
{
	cleanup_free char *cpus = xasprintf("%llu", (unsigned long long)a->plan->container_cpus);
	cleanup_free char *memory = xasprintf("%llu", (unsigned long long)a->plan->container_memory);
	/* the runtime Docker knows the agent's containers by (runsc-<platform> for gVisor): like for like */
	const char *runtime = cr_container_runtime(a, false);
	char *argv[] = { (char *)"docker", (char *)"run",	   (char *)"--rm", (char *)"--runtime",
			 (char *)runtime,  (char *)"--cpus",	   cpus,	   (char *)"--memory",
			 memory,	   (char *)CR_BENCH_IMAGE, (char *)"true", NULL };
	cleanup_free char *output = NULL;
	double t0 = cr_now(), seconds;
	int status = -1;

	if (cr_run_capture(argv, 1, 64 << 10, &output, &status, err) < 0)
		return -1;
	seconds = cr_now() - t0;
	if (status != 0)
		return cr_docker_cli_failed("docker run of a container running 'true'", status, output, err);
	json_object_set_new(out, "docker_cli",
			    json_pack("{s:f, s:s, s:s}", "run_seconds", seconds, "command",
				      "docker run --rm --runtime R --cpus N --memory M " CR_BENCH_IMAGE " true", "runtime", runtime));
	return 0;
}

int cr_test_boot(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	json_t *d = json_object();

	if (boot_httpd(a, d, err) < 0 || boot_trivial(a, d, err) < 0 || boot_docker_cli(a, d, err) < 0) {
		*data = d;
		return -1;
	}
	*data = d;
	return 0;
}
