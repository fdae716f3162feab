/* Network IO counters (Kumar & Thangaraju, Table V): /proc/net/dev across one HTTP fetch of the httpd container's page. */
#include "agent.h"
#include "http.h"
#include "procfs.h"
#include "util.h"

int cr_test_net_io(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	json_t *config = cr_container_httpd_config(a), *before = NULL, *after, *unanswered;
	cleanup_free char *id = NULL, *url = NULL;
	size_t bytes = 0;
	long code = 0, attempts = 0;
	char why[CR_HTTP_WHY_SIZE];
	int ret = -1;

	if (cr_docker_create(a->docker, NULL, config, &id, NULL, err) < 0 || cr_docker_start(a->docker, id, NULL, err) < 0 ||
	    !(url = cr_container_httpd_url(a, id, err)))
		goto out;
	/* wait until it serves, outside the measurement */
	if (cr_container_httpd_wait(a, id, url, cr_now(), cr_now() + (double)a->plan->test_timeout / 2, &attempts, &unanswered, err) < 0) {
		*data = json_pack("{s:o}", "httpd_unanswered", unanswered);
		goto out;
	}
	before = cr_sys_snapshot();
	if (cr_http_get(url, 30000, &code, &bytes, why) < 0 || code != 200) {
		cr_error(err, 0, "fetching '%s' failed (%s)", url, why);
		goto out;
	}
	after = cr_sys_snapshot();
	*data = json_pack("{s:s, s:I, s:o, s:o, s:o}", "url", url, "page_bytes", (json_int_t)bytes, "delta", cr_sys_delta(before, after),
			  "before", json_incref(before), "after", after);
	ret = 0;
out:
	if (id)
		cr_docker_remove(a->docker, id, NULL, NULL);
	json_decref(before);
	json_decref(config);
	return ret;
}
