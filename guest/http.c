/* HTTP GETs and polling for a first 200, shared by the tests that talk to the httpd container. */
#include <curl/curl.h>
#include <time.h>

#include "http.h"
#include "util.h"

static size_t count(char *ptr, size_t size, size_t nmemb, void *data)
{
	*(size_t *)data += size * nmemb;
	return size * nmemb;
}

int cr_http_get(const char *url, long timeout_ms, long *code, size_t *bytes, char *why)
{
	CURL *c = curl_easy_init();
	char buf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	int ok;

	*code = 0;
	*bytes = 0;
	if (why)
		snprintf(why, CR_HTTP_WHY_SIZE, "curl cannot start a request");
	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, bytes);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 1000 ? timeout_ms : 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, buf);
	rc = curl_easy_perform(c);
	ok = rc == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code) == CURLE_OK;
	if (why && ok)
		snprintf(why, CR_HTTP_WHY_SIZE, "HTTP %ld", *code);
	else if (why)
		snprintf(why, CR_HTTP_WHY_SIZE, "%s", *buf ? buf : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return ok ? 0 : -1;
}

double cr_http_wait_200(const char *url, double t0, double deadline, long *attempts, char *last, cr_http_gone_fn gone, void *arg)
{
	double ask = t0 + CR_HTTP_GONE_FIRST;

	if (last)
		snprintf(last, CR_HTTP_WHY_SIZE, "no attempt was made: the deadline had passed");
	while (cr_now() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		size_t bytes;
		long code;

		(*attempts)++;
		if (cr_http_get(url, 2000, &code, &bytes, last) == 0 && code == 200)
			return cr_now() - t0;
		if (gone && cr_now() >= ask) {
			if (gone(arg))
				return -1;
			ask = cr_now() + CR_HTTP_GONE_EVERY;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}
