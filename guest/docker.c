/* Docker Engine API client: one keep-alive libcurl handle on the unix socket, JSON with jansson. */
#include <curl/curl.h>
#include <errno.h>
#include <time.h>

#include "docker.h"
#include "util.h"

struct cr_docker {
	CURL *curl;
	char *socket;
	long timeout;
	int created_fd; /* each created container's id goes here, or -1 */
};

struct buffer {
	char *data;
	size_t len, cap;
	bool overflow;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct buffer *b = data;
	size_t n = size * nmemb;

	if (b->len + n > CR_DOCKER_BODY_MAX) {
		b->overflow = true;
		return 0; /* makes curl fail the transfer */
	}
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

int cr_docker_open(const char *socket_path, struct cr_docker **out, cr_error_t *err)
{
	struct cr_docker *d;
	static bool initialized;

	if (!initialized) {
		if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
			return cr_error(err, 0, "cannot initialize libcurl");
		initialized = true;
	}
	d = xcalloc(1, sizeof(*d));
	d->curl = curl_easy_init();
	if (!d->curl) {
		free(d);
		return cr_error(err, 0, "cannot create a libcurl handle");
	}
	d->socket = xstrdup(socket_path ? socket_path : CR_DOCKER_SOCKET);
	d->created_fd = -1;
	*out = d;
	return 0;
}

void cr_docker_close(struct cr_docker *d)
{
	if (!d)
		return;
	curl_easy_cleanup(d->curl);
	free(d->socket);
	free(d);
}

void cr_docker_set_timeout(struct cr_docker *d, long seconds)
{
	d->timeout = seconds;
}

void cr_docker_response_release(struct cr_docker_response *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* Set up the handle for METHOD path; the caller adds the body. */
static void prepare(struct cr_docker *d, const char *method, const char *path, struct buffer *b, char *url, size_t urllen)
{
	curl_easy_reset(d->curl);
	snprintf(url, urllen, "http://localhost%s%s", CR_DOCKER_API, path);
	curl_easy_setopt(d->curl, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, d->timeout);
}

static int perform(struct cr_docker *d, const char *method, const char *path, struct buffer *b, struct cr_docker_response *r,
		   cr_error_t *err)
{
	double t0 = cr_now();
	CURLcode rc = curl_easy_perform(d->curl);

	r->seconds = cr_now() - t0;
	r->body = b->data ? b->data : xstrdup("");
	r->len = b->len;
	b->data = NULL;
	if (rc != CURLE_OK) {
		if (b->overflow)
			return cr_error(err, 0, "docker: %s %s: response larger than %u bytes", method, path, CR_DOCKER_BODY_MAX);
		return cr_error(err, 0, "docker: %s %s: %s (is dockerd running on '%s'?)", method, path, curl_easy_strerror(rc), d->socket);
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->json = r->len ? json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL) : NULL;
	if (r->status >= 400) {
		const char *msg = json_string_value(json_object_get(r->json, "message"));

		return cr_error(err, 0, "docker: %s %s: %ld: %s", method, path, r->status, msg ? msg : "(no message)");
	}
	return 0;
}

int cr_docker_call(struct cr_docker *d, const char *method, const char *path, json_t *body, struct cr_docker_response *r, cr_error_t *err)
{
	struct buffer b = { 0 };
	cleanup_free char *text = NULL;
	struct curl_slist *headers = NULL;
	char url[1024];
	int ret;

	memset(r, 0, sizeof(*r));
	prepare(d, method, path, &b, url, sizeof(url));
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
	}
	ret = perform(d, method, path, &b, r, err);
	curl_slist_free_all(headers);
	return ret;
}

int cr_docker_upload(struct cr_docker *d, const char *path, const char *file, struct cr_docker_response *r, cr_error_t *err)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	struct buffer b = { 0 };
	struct curl_slist *headers = NULL;
	char url[1024];
	long size;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!f)
		return cr_error(err, errno, "cannot open '%s'", file);
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		return cr_error(err, errno, "cannot size '%s'", file);
	prepare(d, "POST", path, &b, url, sizeof(url));
	headers = curl_slist_append(headers, "Content-Type: application/x-tar");
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(d->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(d->curl, CURLOPT_READDATA, f);
	curl_easy_setopt(d->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
	/* curl's largest upload buffer: fewer, larger writes (image uploads are hundreds of MiB) */
	curl_easy_setopt(d->curl, CURLOPT_UPLOAD_BUFFERSIZE, 2L << 20);
	ret = perform(d, "POST", path, &b, r, err);
	curl_slist_free_all(headers);
	return ret;
}

/* Ids and names of containers and networks are [A-Za-z0-9_.-]: anything else would change the URL. */
static int check_name(const char *what, const char *id, cr_error_t *err)
{
	if (!*id || strlen(id) > 128)
		return cr_error(err, 0, "bad %s '%s'", what, id);
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return cr_error(err, 0, "bad %s '%s'", what, id);
	return 0;
}

static int check_id(const char *id, cr_error_t *err)
{
	return check_name("container id", id, err);
}

int cr_docker_create(struct cr_docker *d, const char *name, json_t *config, char **id, double *seconds, cr_error_t *err)
{
	struct cr_docker_response r;
	cleanup_free char *path = NULL;
	const char *got;
	int ret;

	if (name && check_id(name, err) < 0)
		return -1;
	path = name ? xasprintf("/containers/create?name=%s", name) : xstrdup("/containers/create");
	ret = cr_docker_call(d, "POST", path, config, &r, err);
	if (seconds)
		*seconds = r.seconds;
	got = json_string_value(json_object_get(r.json, "Id"));
	if (ret == 0 && (!got || check_id(got, err) < 0))
		ret = cr_error(err, 0, "docker: POST %s: no container id in the answer", path);
	if (ret == 0) {
		*id = xstrdup(got);
		if (d->created_fd >= 0) {
			cleanup_free char *line = xasprintf("%s\n", got);

			/* never blocking (O_NONBLOCK): a full or closed pipe costs the sweep this id, not the step */
			ssize_t w = write(d->created_fd, line, strlen(line));

			(void)w;
		}
	}
	cr_docker_response_release(&r);
	return ret;
}

void cr_docker_log_created(struct cr_docker *d, int fd)
{
	d->created_fd = fd;
}

int cr_docker_sweep(struct cr_docker *d, const char *ids, size_t *removed, cr_error_t *err)
{
	size_t n = 0;

	for (const char *p = ids; p && *p;) {
		size_t len = strcspn(p, "\n");
		cleanup_free char *id = xstrndup(p, len);

		p += len + (p[len] == '\n');
		if (!*id)
			continue;
		if (check_id(id, err) < 0)
			return -1;
		{
			struct cr_docker_response r;
			cleanup_free char *path = xasprintf("/containers/%s?force=true&v=true", id);
			cleanup_error cr_error_t e = NULL;
			int ret = cr_docker_call(d, "DELETE", path, NULL, &r, &e);
			long status = r.status;

			cr_docker_response_release(&r);
			/* 404: the test removed it itself, as it should */
			if (ret < 0 && status != 404) {
				*removed = n;
				return cr_error(err, 0, "cannot remove container '%s' a step left: %s", id, e->msg);
			}
			n += ret == 0;
		}
	}
	*removed = n;
	return 0;
}

/* A call whose answer carries nothing but its status. */
static int simple(struct cr_docker *d, const char *method, const char *path, double *seconds, cr_error_t *err)
{
	struct cr_docker_response r;
	int ret;

	ret = cr_docker_call(d, method, path, NULL, &r, err);
	if (seconds)
		*seconds = r.seconds;
	cr_docker_response_release(&r);
	return ret;
}

int cr_docker_start(struct cr_docker *d, const char *id, double *seconds, cr_error_t *err)
{
	cleanup_free char *path = NULL;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s/start", id);
	return simple(d, "POST", path, seconds, err);
}

int cr_docker_remove(struct cr_docker *d, const char *id, double *seconds, cr_error_t *err)
{
	cleanup_free char *path = NULL;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s?force=true&v=true", id);
	return simple(d, "DELETE", path, seconds, err);
}

int cr_docker_stop(struct cr_docker *d, const char *id, long timeout, double *seconds, cr_error_t *err)
{
	cleanup_free char *path = NULL;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s/stop?t=%ld", id, timeout);
	return simple(d, "POST", path, seconds, err);
}

int cr_docker_wait(struct cr_docker *d, const char *id, long *exit_code, double *seconds, cr_error_t *err)
{
	struct cr_docker_response r;
	cleanup_free char *path = NULL;
	json_t *code;
	int ret;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s/wait", id);
	ret = cr_docker_call(d, "POST", path, NULL, &r, err);
	if (seconds)
		*seconds = r.seconds;
	code = json_object_get(r.json, "StatusCode");
	if (ret == 0 && !json_is_integer(code))
		ret = cr_error(err, 0, "docker: POST %s: no StatusCode in the answer", path);
	if (ret == 0)
		*exit_code = (long)json_integer_value(code);
	cr_docker_response_release(&r);
	return ret;
}

int cr_docker_inspect(struct cr_docker *d, const char *id, json_t **out, cr_error_t *err)
{
	struct cr_docker_response r;
	cleanup_free char *path = NULL;
	int ret;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s/json", id);
	ret = cr_docker_call(d, "GET", path, NULL, &r, err);
	if (ret == 0 && !json_is_object(r.json))
		ret = cr_error(err, 0, "docker: GET %s: the answer is not a JSON object", path);
	if (ret == 0)
		*out = json_incref(r.json);
	cr_docker_response_release(&r);
	return ret;
}

int cr_docker_logs(struct cr_docker *d, const char *id, char **out, char **errout, cr_error_t *err)
{
	struct cr_docker_response r;
	cleanup_free char *path = NULL;
	int ret;

	if (check_id(id, err) < 0)
		return -1;
	path = xasprintf("/containers/%s/logs?stdout=true&stderr=true", id);
	ret = cr_docker_call(d, "GET", path, NULL, &r, err);
	if (ret == 0)
		ret = cr_docker_demux(r.body, r.len, out, errout, err);
	cr_docker_response_release(&r);
	return ret;
}

/*
 * A call for which one refusal is an expected outcome, not a failure:
 * Docker answering status with a message holding text. *refused says
 * whether that answer came.
 */
static int call_tolerating(struct cr_docker *d, const char *method, const char *path, json_t *body, long status, const char *text,
			   bool *refused, cr_error_t *err)
{
	struct cr_docker_response r;
	const char *msg;
	int ret;

	ret = cr_docker_call(d, method, path, body, &r, err);
	msg = json_string_value(json_object_get(r.json, "message"));
	*refused = ret < 0 && r.status == status && msg && strstr(msg, text);
	if (*refused) {
		cr_error_free(err);
		ret = 0;
	}
	cr_docker_response_release(&r);
	return ret;
}

int cr_docker_network_ensure(struct cr_docker *d, const char *name, json_t *body, bool *created, cr_error_t *err)
{
	struct cr_docker_response r;
	cleanup_free char *path = NULL;
	bool missing;
	json_t *req;
	int ret;

	if (check_name("network name", name, err) < 0)
		return -1;
	path = xasprintf("/networks/%s", name);
	if (call_tolerating(d, "GET", path, NULL, 404, "not found", &missing, err) < 0)
		return -1;
	if (created)
		*created = missing;
	if (!missing)
		return 0;
	req = json_object();
	json_object_update(req, body);
	json_object_set_new(req, "Name", json_string(name));
	json_object_set_new(req, "CheckDuplicate", json_true());
	ret = cr_docker_call(d, "POST", "/networks/create", req, &r, err);
	if (ret == 0 && !json_string_value(json_object_get(r.json, "Id")))
		ret = cr_error(err, 0, "docker: POST /networks/create: no network id in the answer");
	cr_docker_response_release(&r);
	json_decref(req);
	return ret;
}

int cr_docker_swarm_init(struct cr_docker *d, const char *advertise_addr, const char *listen_addr, bool *created, cr_error_t *err)
{
	json_t *body = json_pack("{s:s, s:s}", "ListenAddr", listen_addr, "AdvertiseAddr", advertise_addr);
	bool member;
	int ret;

	ret = call_tolerating(d, "POST", "/swarm/init", body, 503, "already part of a swarm", &member, err);
	if (created)
		*created = ret == 0 && !member;
	json_decref(body);
	return ret;
}

int cr_docker_demux(const char *raw, size_t len, char **out, char **errout, cr_error_t *err)
{
	struct buffer o = { 0 }, e = { 0 };
	size_t pos = 0;

	while (pos < len) {
		const unsigned char *h = (const unsigned char *)raw + pos;
		size_t n;

		if (len - pos < 8) {
			free(o.data);
			free(e.data);
			return cr_error(err, 0, "docker log stream: truncated frame header at byte %zu", pos);
		}
		n = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | (size_t)h[7];
		if ((h[0] != 1 && h[0] != 2 && h[0] != 0) || h[1] || h[2] || h[3] || n > len - pos - 8) {
			free(o.data);
			free(e.data);
			return cr_error(err, 0, "docker log stream: bad frame at byte %zu", pos);
		}
		on_body((char *)h + 8, 1, n, h[0] == 2 ? &e : &o);
		pos += 8 + n;
	}
	*out = o.data ? o.data : xstrdup("");
	*errout = e.data ? e.data : xstrdup("");
	return 0;
}
