/* Network IO counters (Kumar & Thangaraju, Table V): /proc/net/dev across one HTTP fetch of the httpd container's page. */
#include <curl/curl.h>

#include "agent.h"
#include "procfs.h"
#include "util.h"

static size_t count(char *ptr, size_t size, size_t nmemb, void *data)
{
	*(size_t *)data += size * nmemb;
	return size * nmemb;
}

/* GET url once; the body's size in *bytes. */
static int fetch(const char *url, size_t *bytes, long *code)
{
	CURL *c = curl_easy_init();
	int ok;

	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, bytes);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	ok = curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code) == CURLE_OK;
	curl_easy_cleanup(c);
	return ok ? 0 : -1;
}

int cr_test_net_io(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	json_t *config = cr_container_config(a, "crbench/httpd:1", NULL), *inspect = NULL, *before = NULL, *after;
	cleanup_free char *id = NULL, *url = NULL;
	size_t bytes = 0, warm = 0;
	long code = 0;
	const char *ip;
	int ret = -1, tries;

	if (cr_docker_create(a->docker, NULL, config, &id, NULL, err) < 0 || cr_docker_start(a->docker, id, NULL, err) < 0 ||
	    cr_docker_inspect(a->docker, id, &inspect, err) < 0)
		goto out;
	ip = json_string_value(json_object_get(json_object_get(inspect, "NetworkSettings"), "IPAddress"));
	if (!ip || !*ip || strlen(ip) > 45) {
		cr_error(err, 0, "the httpd container has no IP address on Docker's bridge");
		goto out;
	}
	url = xasprintf("http://%s/", ip);
	/* wait until it serves, outside the measurement */
	for (tries = 0; tries < 600; tries++) {
		warm = 0;
		if (fetch(url, &warm, &code) == 0 && code == 200)
			break;
		usleep(100 * 1000);
	}
	if (code != 200) {
		cr_error(err, 0, "the httpd container never served '%s'", url);
		goto out;
	}
	before = cr_sys_snapshot();
	if (fetch(url, &bytes, &code) < 0 || code != 200) {
		cr_error(err, 0, "fetching '%s' failed (HTTP %ld)", url, code);
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
	json_decref(inspect);
	return ret;
}
