/* Containers as the tests run them: the runtime and the limits every one gets, one run from create to remove. */
#include <sys/wait.h>

#include "agent.h"
#include "http.h"
#include "results.h"
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

/* The last CR_CONTAINER_LOG_TAIL bytes of s, from the start of a UTF-8 character. */
static const char *tail(const char *s)
{
	size_t n = strlen(s);

	if (n <= CR_CONTAINER_LOG_TAIL)
		return s;
	s += n - CR_CONTAINER_LOG_TAIL;
	for (int k = 0; k < 3 && (*s & 0xC0) == 0x80; k++)
		s++;
	return s;
}

/*
 * Under a step that is failing, what Docker says of a container: *state its
 * inspect's "State" (a new reference, NULL when inspect failed), and its
 * whole output; false when the logs could not be read. Each call waits
 * CR_CONTAINER_DIAG_TIMEOUT at most: a daemon that hangs now must not take
 * the rest of the step, and the reason with it.
 */
static bool container_diagnosed(const struct cr_agent *a, const char *id, json_t **state, char **out, char **errout)
{
	json_t *inspect = NULL;
	bool logs;

	cr_docker_set_timeout(a->docker, CR_CONTAINER_DIAG_TIMEOUT);
	*state = cr_docker_inspect(a->docker, id, &inspect, NULL) == 0 ? json_incref(json_object_get(inspect, "State")) : NULL;
	logs = cr_docker_logs(a->docker, id, out, errout, NULL) == 0;
	cr_docker_set_timeout(a->docker, (long)a->plan->test_timeout);
	json_decref(inspect);
	return logs;
}

json_t *cr_container_unanswered(const struct cr_agent *a, const char *id, const char *url, long attempts, const char *last_answer)
{
	static const char *const keys[] = { "Status", "Running", "ExitCode", "Error", "OOMKilled" };
	json_t *out = json_pack("{s:s, s:I, s:s}", "url", url, "attempts", (json_int_t)attempts, "last_answer", last_answer);
	json_t *state, *kept = json_object();
	cleanup_free char *stdout_text = NULL, *stderr_text = NULL;
	/* after half the step's time went into waiting */
	bool logs = container_diagnosed(a, id, &state, &stdout_text, &stderr_text);

	if (state) {
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			if (json_object_get(state, keys[k]))
				json_object_set(kept, keys[k], json_object_get(state, keys[k]));
		json_object_set(out, "state", kept);
	}
	if (logs) {
		json_object_set_new(out, "stdout", cr_json_text(tail(stdout_text)));
		json_object_set_new(out, "stderr", cr_json_text(tail(stderr_text)));
	}
	json_decref(kept);
	json_decref(state);
	return out;
}

json_t *cr_container_httpd_config(const struct cr_agent *a)
{
	json_t *config = cr_container_config(a, CR_HTTPD_IMAGE, NULL);

	json_object_set_new(json_object_get(config, "HostConfig"), "Ulimits",
			    json_pack("[{s:s, s:I, s:I}]", "Name", "nofile", "Soft", (json_int_t)CR_HTTPD_NOFILE, "Hard",
				      (json_int_t)CR_HTTPD_NOFILE));
	return config;
}

char *cr_container_httpd_url(const struct cr_agent *a, const char *id, cr_error_t *err)
{
	json_t *inspect = NULL;
	const char *ip;
	char *url = NULL;

	if (cr_docker_inspect(a->docker, id, &inspect, err) < 0)
		return NULL;
	ip = json_string_value(json_object_get(json_object_get(inspect, "NetworkSettings"), "IPAddress"));
	if (ip && *ip && strlen(ip) <= 45)
		url = xasprintf("http://%s/", ip);
	else
		cr_error(err, 0, "the httpd container has no IP address on Docker's bridge");
	json_decref(inspect);
	return url;
}

struct watched {
	const struct cr_agent *a;
	const char *id;
};

/* The container has stopped: Docker says it is not running (a failed inspect is no answer, the wait goes on) */
static bool exited(void *arg)
{
	struct watched *w = arg;
	json_t *inspect = NULL;
	bool gone;

	if (cr_docker_inspect(w->a->docker, w->id, &inspect, NULL) < 0)
		return false;
	gone = json_is_false(json_object_get(json_object_get(inspect, "State"), "Running"));
	json_decref(inspect);
	return gone;
}

/* The last non-empty line of text, at most 200 bytes of it, into buf */
static const char *last_line(const char *text, char *buf, size_t size)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	for (start = end; start > text && start[-1] != '\n';)
		start--;
	snprintf(buf, size, "%.*s", (int)(end - start > 200 ? 200 : end - start), start);
	return buf;
}

/*
 * The line of a stopped container's output that says why, into buf: the
 * first that tells of a signal, a failure or an error (stress-ng says
 * "stressor terminated with unexpected signal" and then, as if all were
 * well, "successful run completed"), else the last.
 */
static const char *telling_line(const char *text, char *buf, size_t size)
{
	static const char *const signs[] = { "signal", "fail", "error", "Error", "Killed" };

	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		for (size_t k = 0; k < ARRAY_SIZE(signs); k++)
			if (memmem(line, len, signs[k], strlen(signs[k]))) {
				snprintf(buf, size, "%.*s", (int)(len > 200 ? 200 : len), line);
				return buf;
			}
		line += len + (line[len] == '\n');
	}
	return last_line(text, buf, size);
}

json_t *cr_container_gone(const char *what, long exit_code, const char *out, const char *errout, cr_error_t *err)
{
	char line[256];

	out = out ? out : "";
	errout = errout ? errout : "";
	if (*telling_line(errout, line, sizeof(line)))
		cr_error_prefix(err, "%s had exited with %ld (its stderr: %s)", what, exit_code, line);
	else if (*telling_line(out, line, sizeof(line)))
		cr_error_prefix(err, "%s had exited with %ld (its stdout: %s)", what, exit_code, line);
	else
		cr_error_prefix(err, "%s had exited with %ld, saying nothing", what, exit_code);
	return json_pack("{s:I, s:o, s:o}", "exit_code", (json_int_t)exit_code, "stdout", cr_json_text(tail(out)), "stderr",
			 cr_json_text(tail(errout)));
}

json_t *cr_container_if_gone(const struct cr_agent *a, const char *id, const char *what, cr_error_t *err)
{
	cleanup_free char *out = NULL, *errout = NULL;
	json_t *state, *gone = NULL;

	if (container_diagnosed(a, id, &state, &out, &errout) && json_is_false(json_object_get(state, "Running")))
		gone = cr_container_gone(what, (long)json_integer_value(json_object_get(state, "ExitCode")), out, errout, err);
	json_decref(state);
	return gone;
}

json_t *cr_container_failed(const char *what, const char *command, const struct cr_container_result *res, cr_error_t *err)
{
	const char *out = res->out ? res->out : "", *errout = res->err ? res->err : "";
	char line[256];

	if (*last_line(errout, line, sizeof(line)))
		cr_error(err, 0, "%s exited with %ld; its stderr ends: %s", what, res->exit_code, line);
	else if (*last_line(out, line, sizeof(line)))
		cr_error(err, 0, "%s exited with %ld, nothing on stderr; its stdout ends: %s", what, res->exit_code, line);
	else
		cr_error(err, 0, "%s exited with %ld, saying nothing", what, res->exit_code);
	return json_pack("{s:s, s:I, s:o, s:o}", "command", command, "exit_code", (json_int_t)res->exit_code, "stdout",
			 cr_json_text(tail(out)), "stderr", cr_json_text(tail(errout)));
}

double cr_container_httpd_wait(const struct cr_agent *a, const char *id, const char *url, double t0, double deadline, long *attempts,
			       json_t **unanswered, cr_error_t *err)
{
	struct watched w = { a, id };
	char last[CR_HTTP_WHY_SIZE], line[256];
	double s = cr_http_wait_200(url, t0, deadline, attempts, last, exited, &w);
	json_t *state, *stderr_text;

	*unanswered = NULL;
	if (s >= 0)
		return s;
	*unanswered = cr_container_unanswered(a, id, url, *attempts, last);
	state = json_object_get(*unanswered, "state");
	stderr_text = json_object_get(*unanswered, "stderr");
	if (!json_is_false(json_object_get(state, "Running")))
		cr_error(err, 0, "the httpd container never answered 200 on %s (%ld attempts; the last got: %s)", url, *attempts, last);
	else if (json_string_value(stderr_text) && *last_line(json_string_value(stderr_text), line, sizeof(line)))
		cr_error(err, 0,
			 "the httpd container exited with code %" JSON_INTEGER_FORMAT " before it answered on %s; its stderr ends: %s",
			 json_integer_value(json_object_get(state, "ExitCode")), url, line);
	else
		cr_error(err, 0, "the httpd container exited with code %" JSON_INTEGER_FORMAT " before it answered on %s, saying nothing",
			 json_integer_value(json_object_get(state, "ExitCode")), url);
	return -1;
}

int cr_docker_cli_failed(const char *what, int status, char *output, cr_error_t *err)
{
	char *said = output, *nl;

	/* past the CLI's warnings (no swap limit, ...): its error comes after them */
	while (!strncmp(said, "WARNING:", 8) && (nl = strchr(said, '\n')) && nl[1])
		said = nl + 1;
	said = strstrip(said);
	if (WIFSIGNALED(status))
		return cr_error(err, 0, "%s was killed by signal %d", what, WTERMSIG(status));
	return cr_error(err, 0, "%s exited with %d: %.300s", what, WEXITSTATUS(status), *said ? said : "(no output)");
}

int cr_container_start(const struct cr_agent *a, const char *name, json_t *config, char **id, unsigned *retries, double *t_start,
		       cr_error_t *err)
{
	for (unsigned i = 1;; i++) {
		*id = NULL;
		if (cr_docker_create(a->docker, name, config, id, NULL, err) < 0)
			return -1;
		if (t_start)
			*t_start = cr_now();
		if (cr_docker_start(a->docker, *id, NULL, err) == 0)
			return 0;
		if (i == CR_ATTACH_ATTEMPTS || !strstr((*err)->msg, "attaching to network failed"))
			return -1;
		cr_docker_remove(a->docker, *id, NULL, NULL);
		free(*id);
		if (retries)
			(*retries)++;
	}
}

int cr_container_run(const struct cr_agent *a, json_t *config, const char *name, struct cr_container_result *res, cr_error_t *err)
{
	cleanup_free char *id = NULL;
	int ret = -1;

	*res = (struct cr_container_result){ .exit_code = -1 };
	if (cr_container_start(a, name, config, &id, &res->attach_retries, &res->t_start, err) < 0 ||
	    cr_docker_wait(a->docker, id, &res->exit_code, NULL, err) < 0)
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
