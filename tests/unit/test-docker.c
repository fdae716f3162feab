/* Unit tests for the Docker API client against a fake daemon replaying exchanges recorded from a real dockerd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "test.h"

#include "agent.h"
#include "docker.h"
#include "http.h"
#include "runtime.h"

/* A recorded exchange: what the client must ask, and dockerd's raw answer (tests/data/docker/<file>). */
struct exchange {
	const char *request; /* "METHOD /path" as on the request line */
	const char *file;
	const char *body; /* the JSON the request must carry; NULL: not checked */
};

struct fake {
	char dir[64];
	char socket[128];
	pid_t pid;
};

/* Read one request: its line, its headers, and as much body as Content-Length says, kept in *body_out. */
static int read_request(int fd, char *line, size_t linelen, char **body_out)
{
	char buf[65536];
	size_t used = 0;
	char *end = NULL;
	long body = 0;

	while (!end) {
		ssize_t n = read(fd, buf + used, sizeof(buf) - used - 1);

		if (n <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	{
		char *h = strcasestr(buf, "\r\ncontent-length:");

		if (h && h < end)
			body = strtol(h + 17, NULL, 10);
	}
	snprintf(line, linelen, "%.*s", (int)strcspn(buf, "\r"), buf);
	if (body < 0 || body > (1 << 20))
		return -1;
	{
		size_t have = used - (size_t)(end + 4 - buf);

		*body_out = xmalloc((size_t)body + 1);
		memcpy(*body_out, end + 4, have < (size_t)body ? have : (size_t)body);
		while ((long)have < body) {
			ssize_t n = read(fd, *body_out + have, (size_t)body - have);

			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
		(*body_out)[body] = '\0';
	}
	return 0;
}

/* The request's JSON body is the one expected, whatever the order of its members. */
static bool body_matches(const char *got, const char *want)
{
	json_t *g = json_loads(got, 0, NULL), *w = json_loads(want, 0, NULL);
	bool same = g && w && json_equal(g, w);

	if (!same)
		fprintf(stderr, "# fake dockerd: got body '%s', want '%s'\n", got, want);
	json_decref(g);
	json_decref(w);
	return same;
}

/*
 * Recordings are curl -i output: a chunked answer's body was de-chunked by
 * curl, so it goes back on the wire as one chunk, as dockerd sent it.
 */
static int send_answer(int fd, const char *answer, size_t len)
{
	const char *sep = strstr(answer, "\r\n\r\n");
	size_t head = sep ? (size_t)(sep - answer) + 4 : 0, body = len - head;
	cleanup_free char *headers = sep ? xstrndup(answer, head) : NULL;
	char size[32];

	if (!headers)
		return -1;
	if (write(fd, answer, head) != (ssize_t)head)
		return -1;
	if (!strcasestr(headers, "\r\nTransfer-Encoding: chunked\r\n"))
		return write(fd, answer + head, body) == (ssize_t)body ? 0 : -1;
	snprintf(size, sizeof(size), "%zx\r\n", body);
	if (body && (write(fd, size, strlen(size)) < 0 || write(fd, answer + head, body) != (ssize_t)body || write(fd, "\r\n", 2) != 2))
		return -1;
	return write(fd, "0\r\n\r\n", 5) == 5 ? 0 : -1;
}

/* The daemon: answer each request with the next exchange, after checking it is the expected one; close after each. */
static void serve(int lfd, const struct exchange *ex, size_t n)
{
	/* a client that has what it needs may close before the answer's last bytes: that is its business */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < n; i++) {
		int fd = accept(lfd, NULL, NULL);
		char line[512], want[512];
		size_t len;
		cleanup_free char *answer = NULL, *body = NULL;

		if (fd < 0 || read_request(fd, line, sizeof(line), &body) < 0)
			_exit(10);
		snprintf(want, sizeof(want), "%s HTTP/1.1", ex[i].request);
		if (strcmp(line, want) != 0) {
			fprintf(stderr, "# fake dockerd: got '%s', want '%s'\n", line, want);
			_exit(11);
		}
		if (ex[i].body && !body_matches(body, ex[i].body))
			_exit(13);
		answer = test_data_read(ex[i].file, &len);
		if (send_answer(fd, answer, len) < 0 && errno != EPIPE && errno != ECONNRESET)
			_exit(12);
		close(fd);
	}
	_exit(0);
}

static void fake_start(struct fake *f, const struct exchange *ex, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;

	snprintf(f->dir, sizeof(f->dir), "/tmp/crbench-docker-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->socket, sizeof(f->socket), "%s/docker.sock", f->dir);
	assert_true(strlen(f->socket) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, f->socket, strlen(f->socket) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		serve(lfd, ex, n);
	close(lfd);
}

/* The fake daemon, and a client connected to it. */
static struct cr_docker *fake_open(struct fake *f, const struct exchange *ex, size_t n)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_docker *d = NULL;

	fake_start(f, ex, n);
	if (cr_docker_open(f->socket, &d, &err) < 0)
		fail_msg("%s", err->msg);
	return d;
}

/* Close the client; every exchange was asked for, in order. */
static void fake_finish(struct fake *f, struct cr_docker *d)
{
	int status;

	cr_docker_close(d);
	assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(f->socket);
	rmdir(f->dir);
}

static void container_lifecycle(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "POST /v1.41/containers/create?name=fixture", "docker/create.http", NULL },
		{ "POST /v1.41/containers/fixture/start", "docker/start.http", NULL },
		{ "POST /v1.41/containers/fixture/wait", "docker/wait.http", NULL },
		{ "GET /v1.41/containers/fixture/logs?stdout=true&stderr=true", "docker/logs.http", NULL },
		{ "GET /v1.41/containers/fixture/json", "docker/inspect.http", NULL },
		{ "DELETE /v1.41/containers/fixture?force=true&v=true", "docker/delete.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_docker *d;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *id = NULL, *out = NULL, *errout = NULL;
	json_t *config = json_pack("{s:s, s:[s,s,s]}", "Image", "crbench/bench:1", "Cmd", "sh", "-c",
				   "echo to-stdout; echo to-stderr >&2; exit 3");
	json_t *inspect = NULL;
	double seconds = -1;
	long code = -1;

	d = fake_open(&f, ex, ARRAY_SIZE(ex));
	cr_docker_set_timeout(d, 20);
	if (cr_docker_create(d, "fixture", config, &id, &seconds, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(strlen(id), 64);
	assert_true(seconds >= 0);
	assert_int_equal(cr_docker_start(d, "fixture", &seconds, &err), 0);
	assert_int_equal(cr_docker_wait(d, "fixture", &code, NULL, &err), 0);
	assert_int_equal(code, 3);
	if (cr_docker_logs(d, "fixture", &out, &errout, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(out, "to-stdout\n");
	assert_string_equal(errout, "to-stderr\n");
	assert_int_equal(cr_docker_inspect(d, "fixture", &inspect, &err), 0);
	assert_string_equal(json_string_value(json_object_get(inspect, "Id")), id);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(inspect, "State"), "ExitCode")), 3);
	assert_int_equal(cr_docker_remove(d, "fixture", NULL, &err), 0);
	json_decref(config);
	json_decref(inspect);
	fake_finish(&f, d);
}

/* A container that never answered: its state and output are kept for the failed step (boot, net-io) */
static void unanswered_container_is_described(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "GET /v1.41/containers/fixture/json", "docker/inspect.http", NULL },
		{ "GET /v1.41/containers/fixture/logs?stdout=true&stderr=true", "docker/logs.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_plan plan = { .test_timeout = 600 };
	struct cr_agent a = { .plan = &plan };
	json_t *out, *st;

	a.docker = fake_open(&f, ex, ARRAY_SIZE(ex));
	out = cr_container_unanswered(&a, "fixture", "http://172.17.0.2/", 1577, "HTTP 503");
	assert_string_equal(json_string_value(json_object_get(out, "url")), "http://172.17.0.2/");
	assert_int_equal(json_integer_value(json_object_get(out, "attempts")), 1577);
	assert_string_equal(json_string_value(json_object_get(out, "last_answer")), "HTTP 503");
	st = json_object_get(out, "state");
	assert_int_equal(json_object_size(st), 5);
	assert_string_equal(json_string_value(json_object_get(st, "Status")), "exited");
	assert_true(json_is_false(json_object_get(st, "Running")));
	assert_int_equal(json_integer_value(json_object_get(st, "ExitCode")), 3);
	assert_true(json_is_false(json_object_get(st, "OOMKilled")));
	assert_string_equal(json_string_value(json_object_get(out, "stdout")), "to-stdout\n");
	assert_string_equal(json_string_value(json_object_get(out, "stderr")), "to-stderr\n");
	json_decref(out);
	fake_finish(&f, a.docker);

	/* no daemon to ask: what the step knows, and nothing else */
	a.docker = fake_open(&f, NULL, 0);
	out = cr_container_unanswered(&a, "fixture", "http://172.17.0.2/", 3, "Couldn't connect to server");
	assert_int_equal(json_object_size(out), 3);
	json_decref(out);
	fake_finish(&f, a.docker);
}

/*
 * The httpd container exited before it answered: the wait ends at the first
 * ask whether it is gone (t0 far enough back for the ask to be due), and
 * the error gives its exit code and the last line of its stderr.
 */
static void exited_httpd_ends_the_wait(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "GET /v1.41/containers/fixture/json", "docker/inspect.http", NULL },
		{ "GET /v1.41/containers/fixture/json", "docker/inspect.http", NULL },
		{ "GET /v1.41/containers/fixture/logs?stdout=true&stderr=true", "docker/logs.http", NULL },
		{ "GET /v1.41/containers/fixture/json", "docker/inspect.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_plan plan = { .test_timeout = 600, .container_cpus = 1, .container_memory = 1 << 30 };
	struct cr_guest_plan g = { .runtime = "runc" };
	struct cr_agent a = { .plan = &plan, .guest = &g };
	cleanup_error cr_error_t err = NULL;
	json_t *unanswered = NULL, *config, *ulimit;
	long attempts = 0;

	a.docker = fake_open(&f, ex, ARRAY_SIZE(ex));
	assert_true(cr_container_httpd_wait(&a, "fixture", "http://127.0.0.1:9/", cr_now() - CR_HTTP_GONE_FIRST, cr_now() + 60, &attempts,
					    &unanswered, &err) < 0);
	assert_int_equal(attempts, 1);
	assert_string_equal(err->msg,
			    "the httpd container exited with code 3 before it answered on http://127.0.0.1:9/; its stderr ends: to-stderr");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(unanswered, "state"), "ExitCode")), 3);
	json_decref(unanswered);
	cr_error_free(&err);
	/* an exited container has no address to fetch from: said, not "http:///" */
	assert_null(cr_container_httpd_url(&a, "fixture", &err));
	assert_string_equal(err->msg, "the httpd container has no IP address on Docker's bridge");
	fake_finish(&f, a.docker);

	/* its open-files limit is in its spec, the same for every runtime */
	config = cr_container_httpd_config(&a);
	ulimit = json_array_get(json_object_get(json_object_get(config, "HostConfig"), "Ulimits"), 0);
	assert_string_equal(json_string_value(json_object_get(ulimit, "Name")), "nofile");
	assert_int_equal(json_integer_value(json_object_get(ulimit, "Soft")), CR_HTTPD_NOFILE);
	assert_int_equal(json_integer_value(json_object_get(ulimit, "Hard")), CR_HTTPD_NOFILE);
	assert_string_equal(json_string_value(json_object_get(config, "Image")), CR_HTTPD_IMAGE);
	json_decref(config);
}

/*
 * The docker CLI's failures, as a Kata guest's boot step recorded one: its
 * exit code (not the raw wait status), its error past the swap-limit
 * warning, which Kata's explanations then still recognise.
 */
static void docker_cli_failure_is_told(void **state)
{
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *meaning = NULL;
	char out[] =
		"WARNING: Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without "
		"swap.\ndocker: Error response from daemon: OCI runtime create failed: Failed to check if grpc server is working: "
		"rpc error: code = Unavailable desc = transport is closing: unknown.\n";
	char none[] = "WARNING: only a warning\n";

	assert_int_equal(cr_docker_cli_failed("docker run of x", 125 << 8, out, &err), -1);
	assert_string_equal(err->msg,
			    "docker run of x exited with 125: docker: Error response from daemon: OCI runtime create failed: "
			    "Failed to check if grpc server is working: rpc error: code = Unavailable desc = transport is "
			    "closing: unknown.");
	meaning = cr_kata_start_explain(err->msg);
	assert_non_null(meaning);
	cr_error_free(&err);
	/* nothing but a warning: a last line is kept, not an empty reason */
	cr_docker_cli_failed("docker run of x", 1 << 8, none, &err);
	assert_string_equal(err->msg, "docker run of x exited with 1: WARNING: only a warning");
	cr_error_free(&err);
	cr_docker_cli_failed("docker run of x", SIGKILL, none, &err);
	assert_string_equal(err->msg, "docker run of x was killed by signal 9");
}

/* A tool's container that exited non-zero: the reason has the last line of stderr, else of stdout, and data keeps both */
static void failed_container_is_told(void **state)
{
	cleanup_error cr_error_t err = NULL;
	char big[CR_CONTAINER_LOG_TAIL + 100];
	struct cr_container_result res = { .exit_code = 1, .out = (char *)"Using uid:0, gid:0.\n", .err = (char *)"" };
	json_t *data;

	(void)state;
	/* bonnie++'s own words on stdout, nothing on stderr: they are the reason */
	res.out = (char *)"Using uid:0, gid:0.\nCan't write block.: Input/output error\n\n";
	data = cr_container_failed("bonnie++", "bonnie++ -q", &res, &err);
	assert_string_equal(err->msg, "bonnie++ exited with 1, nothing on stderr; its stdout ends: Can't write block.: Input/output error");
	assert_string_equal(json_string_value(json_object_get(data, "command")), "bonnie++ -q");
	assert_int_equal(json_integer_value(json_object_get(data, "exit_code")), 1);
	assert_string_equal(json_string_value(json_object_get(data, "stdout")), res.out);
	assert_string_equal(json_string_value(json_object_get(data, "stderr")), "");
	json_decref(data);
	cr_error_free(&err);
	/* stderr first; the data keeps the last CR_CONTAINER_LOG_TAIL bytes */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	res.err = (char *)"warning\nbonnie++: cannot open file\n";
	res.out = big;
	data = cr_container_failed("bonnie++", "bonnie++ -q", &res, &err);
	assert_string_equal(err->msg, "bonnie++ exited with 1; its stderr ends: bonnie++: cannot open file");
	assert_int_equal(strlen(json_string_value(json_object_get(data, "stdout"))), CR_CONTAINER_LOG_TAIL);
	json_decref(data);
	cr_error_free(&err);
	/* nothing at all: said so, not an empty reason */
	res.out = res.err = NULL;
	res.exit_code = 137;
	data = cr_container_failed("bonnie++", "bonnie++ -q", &res, &err);
	assert_string_equal(err->msg, "bonnie++ exited with 137, saying nothing");
	assert_string_equal(json_string_value(json_object_get(data, "stdout")), "");
	json_decref(data);
}

/* A loaded server found stopped under a failed cell: the line that says why, not the last, leads the reason */
static void gone_container_is_told(void **state)
{
	cleanup_error cr_error_t err = NULL;
	/*
	 * recorded: the bench image's stress-ng (0.15.06) under TCG on qemu64
	 * plus ssse3, sse4.1 and sse4.2 without popcnt, then the iperf3 server
	 */
	const char *stress_ng =
		"stress-ng: info:  [87] setting to a 8 second run per stressor\n"
		"stress-ng: info:  [87] dispatching hogs: 1 cpu\n"
		"stress-ng: info:  [88] stressor terminated with unexpected signal signal 4 'SIGILL'\n"
		"stress-ng: metrc: [87] stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo "
		"ops/s\n"
		"stress-ng: info:  [87] successful run completed in 0.05s\n"
		"-----------------------------------------------------------\n"
		"Server listening on 5201 (test #1)\n";
	json_t *gone;

	(void)state;
	cr_error(&err, 0, "the client container exited with 3");
	gone = cr_container_gone("the server container", 0, "---crbench-stress---\n", stress_ng, &err);
	assert_string_equal(err->msg,
			    "the server container had exited with 0 (its stderr: stress-ng: info:  [88] stressor terminated "
			    "with unexpected signal signal 4 'SIGILL'): the client container exited with 3");
	assert_int_equal(json_integer_value(json_object_get(gone, "exit_code")), 0);
	assert_string_equal(json_string_value(json_object_get(gone, "stderr")), stress_ng);
	assert_string_equal(json_string_value(json_object_get(gone, "stdout")), "---crbench-stress---\n");
	json_decref(gone);
	cr_error_free(&err);
	/* nothing telling: the last line; nothing at all: said so */
	cr_error(&err, 0, "x");
	json_decref(cr_container_gone("the server container", 137, "", "Server listening on 5201\n", &err));
	assert_string_equal(err->msg, "the server container had exited with 137 (its stderr: Server listening on 5201): x");
	cr_error_free(&err);
	cr_error(&err, 0, "x");
	json_decref(cr_container_gone("the server container", 137, NULL, NULL, &err));
	assert_string_equal(err->msg, "the server container had exited with 137, saying nothing: x");
}

#define FIXTURE_ID "12c0bbb5490b8e4f6cc0e0ccb12b120bdace6f7f11ab2fd45cef5d474fef4321"

/* Each created container's id goes to the sweep list; the sweep removes what is there and passes over what is gone */
static void created_containers_are_swept(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "POST /v1.41/containers/create?name=fixture", "docker/create.http", NULL },
		{ "DELETE /v1.41/containers/" FIXTURE_ID "?force=true&v=true", "docker/delete.http", NULL },
		{ "DELETE /v1.41/containers/fixture?force=true&v=true", "docker/delete-missing.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_docker *d;
	cleanup_error cr_error_t err = NULL;
	cleanup_free char *id = NULL;
	json_t *config = json_pack("{s:s}", "Image", "crbench/bench:1");
	char ids[256] = "";
	int p[2];
	size_t removed = 99;
	ssize_t n;

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	d = fake_open(&f, ex, ARRAY_SIZE(ex));
	cr_docker_log_created(d, p[1]);
	if (cr_docker_create(d, "fixture", config, &id, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	n = read(p[0], ids, sizeof(ids) - 1);
	assert_int_equal(n, 65);
	assert_string_equal(ids, FIXTURE_ID "\n");
	/* the fixture's id is still there (removed), the name is gone already (404: not counted, no error) */
	memcpy(ids + n, "fixture\n", sizeof("fixture\n"));
	if (cr_docker_sweep(d, ids, &removed, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(removed, 1);
	/* a line that is no container id is refused before any request */
	assert_int_equal(cr_docker_sweep(d, "../x\n", &removed, &err), -1);
	json_decref(config);
	close(p[0]);
	close(p[1]);
	fake_finish(&f, d);
}

/*
 * gVisor's KVM platform ran `runsc do true`, but the suite's container did
 * not run on it (the recorded wait says exit 3): the next platform is taken
 * and the record says why; a setup on another platform is left alone.
 */
static void runsc_kvm_checked_with_a_container(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "POST /v1.41/containers/create", "docker/create.http",
		  "{\"Image\": \"crbench/bench:1\", \"Cmd\": [\"iperf3\", \"--version\"], "
		  "\"HostConfig\": {\"NanoCpus\": 1000000000, \"Memory\": 536870912, \"Runtime\": \"runsc-kvm\"}}" },
		{ "POST /v1.41/containers/" FIXTURE_ID "/start", "docker/start.http", NULL },
		{ "POST /v1.41/containers/" FIXTURE_ID "/wait", "docker/wait.http", NULL },
		{ "GET /v1.41/containers/" FIXTURE_ID "/logs?stdout=true&stderr=true", "docker/logs.http", NULL },
		{ "DELETE /v1.41/containers/" FIXTURE_ID "?force=true&v=true", "docker/delete.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_plan plan = { .test_timeout = 600, .container_cpus = 1, .container_memory = 512 << 20 };
	struct cr_guest_plan guest = { .name = (char *)"runsc", .runtime = (char *)"runsc" };
	struct cr_runtime_setup setup = { .docker_runtime = xstrdup("runsc-kvm"), .docker_runtime_host = xstrdup("runsc-kvm-host") };
	struct cr_agent a = { .plan = &plan, .guest = &guest, .runtime = &setup };
	json_t *runsc, *probe;
	const char *platform;

	setup.record = json_pack("{s:{s:s, s:s, s:{}}}", "runsc", "platform", "kvm", "why", "the guest's /dev/kvm works", "probes");
	a.docker = fake_open(&f, ex, ARRAY_SIZE(ex));
	cr_runsc_probe(&a, &setup);
	fake_finish(&f, a.docker);
	runsc = json_object_get(setup.record, "runsc");
	probe = json_object_get(runsc, "container_probe");
	assert_true(json_is_false(json_object_get(probe, "ok")));
	assert_int_equal(json_integer_value(json_object_get(probe, "exit_code")), 3);
	assert_string_equal(json_string_value(json_object_get(probe, "docker_runtime")), "runsc-kvm");
	platform = json_string_value(json_object_get(runsc, "platform"));
	assert_true(strcmp(platform, "ptrace") == 0 || strcmp(platform, "systrap") == 0);
	assert_non_null(
		strstr(json_string_value(json_object_get(runsc, "why")), "the bench image's iperf3 did not run there (exit code 3)"));
	assert_non_null(json_object_get(json_object_get(runsc, "probes"), "systrap"));
	assert_true(str_has_prefix(setup.docker_runtime, "runsc-") && strcmp(setup.docker_runtime + 6, platform) == 0);
	assert_true(str_has_suffix(setup.docker_runtime_host, "-host") && str_has_prefix(setup.docker_runtime_host, setup.docker_runtime));
	assert_string_equal(json_string_value(json_object_get(setup.record, "docker_runtime")), setup.docker_runtime);

	/* ptrace chosen already: nothing to check, no request made */
	a.docker = fake_open(&f, NULL, 0);
	json_object_del(runsc, "container_probe");
	cr_runsc_probe(&a, &setup);
	fake_finish(&f, a.docker);
	assert_null(json_object_get(runsc, "container_probe"));
	cr_runtime_setup_release(&setup);
}

static void errors_carry_dockers_message(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "POST /v1.41/containers/create", "docker/create-no-image.http", NULL },
		{ "DELETE /v1.41/containers/fixture?force=true&v=true", "docker/delete-missing.http", NULL },
		{ "GET /v1.41/version", "docker/version.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_docker *d;
	cleanup_error cr_error_t err = NULL;
	json_t *config = json_pack("{s:s}", "Image", "crbench/none:1");
	struct cr_docker_response r;
	char *id = NULL;

	d = fake_open(&f, ex, ARRAY_SIZE(ex));
	assert_int_equal(cr_docker_create(d, NULL, config, &id, NULL, &err), -1);
	assert_null(id);
	assert_string_equal(err->msg, "docker: POST /containers/create: 404: No such image: crbench/none:1");
	assert_int_equal(cr_docker_remove(d, "fixture", NULL, &err), -1);
	assert_true(str_has_prefix(err->msg, "docker: DELETE /containers/fixture?force=true&v=true: 404: No such container: fixture"));
	assert_int_equal(cr_docker_call(d, "GET", "/version", NULL, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "ApiVersion")), "1.41");
	assert_true(str_has_prefix(json_string_value(json_object_get(r.json, "Version")), "20.10."));
	cr_docker_response_release(&r);
	json_decref(config);
	fake_finish(&f, d);
}

static void network_ensure(void **state)
{
	/* what the net-matrix test asks for macvlan, once missing, once there */
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "GET /v1.41/networks/crbench-macvlan", "docker/network-missing.http", NULL },
		{ "POST /v1.41/networks/create", "docker/network-create.http",
		  "{\"Name\": \"crbench-macvlan\", \"CheckDuplicate\": true, \"Driver\": \"macvlan\", \"Attachable\": false,"
		  " \"IPAM\": {\"Driver\": \"default\", \"Config\": [{\"Subnet\": \"10.98.0.0/24\"}]}, \"Options\": {\"parent\": \"crbench0\"}}" },
		{ "GET /v1.41/networks/crbench-macvlan", "docker/network-inspect.http", NULL },
		/* a 404 about something else is an error, not a missing network to create */
		{ "GET /v1.41/networks/crbench-macvlan", "docker/create-no-image.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_docker *d;
	cleanup_error cr_error_t err = NULL;
	json_t *body = json_pack("{s:s, s:b, s:{s:s, s:[{s:s}]}, s:{s:s}}", "Driver", "macvlan", "Attachable", 0, "IPAM", "Driver",
				 "default", "Config", "Subnet", "10.98.0.0/24", "Options", "parent", "crbench0");
	cleanup_free char *before = json_dumps(body, JSON_SORT_KEYS), *after = NULL;
	bool created = false;

	d = fake_open(&f, ex, ARRAY_SIZE(ex));
	if (cr_docker_network_ensure(d, "crbench-macvlan", body, &created, &err) < 0)
		fail_msg("%s", err->msg);
	assert_true(created);
	assert_int_equal(cr_docker_network_ensure(d, "crbench-macvlan", body, &created, &err), 0);
	assert_false(created);
	/* the caller's body is borrowed, not changed */
	after = json_dumps(body, JSON_SORT_KEYS);
	assert_string_equal(before, after);
	assert_int_equal(cr_docker_network_ensure(d, "crbench-macvlan", body, &created, &err), -1);
	assert_string_equal(err->msg, "docker: GET /networks/crbench-macvlan: 404: No such image: crbench/none:1");
	assert_int_equal(cr_docker_network_ensure(d, "../networks", body, NULL, &err), -1);
	assert_string_equal(err->msg, "bad network name '../networks'");
	json_decref(body);
	fake_finish(&f, d);
}

static void swarm_init_and_stop(void **state)
{
	static const char init[] = "{\"ListenAddr\": \"0.0.0.0:2377\", \"AdvertiseAddr\": \"10.99.0.1\"}";
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "POST /v1.41/swarm/init", "docker/swarm-init.http", init },
		{ "POST /v1.41/swarm/init", "docker/swarm-init-member.http", init },
		{ "POST /v1.41/containers/fixture-stop/stop?t=20", "docker/stop.http", NULL },
	};
	/* clang-format on */
	struct fake f = { 0 };
	struct cr_docker *d;
	cleanup_error cr_error_t err = NULL;
	bool created = false;
	double seconds = -1;

	d = fake_open(&f, ex, ARRAY_SIZE(ex));
	if (cr_docker_swarm_init(d, "10.99.0.1", "0.0.0.0:2377", &created, &err) < 0)
		fail_msg("%s", err->msg);
	assert_true(created);
	/* a node already in a swarm is what the caller wanted: no error left behind */
	assert_int_equal(cr_docker_swarm_init(d, "10.99.0.1", "0.0.0.0:2377", &created, &err), 0);
	assert_false(created);
	assert_null(err);
	assert_int_equal(cr_docker_stop(d, "fixture-stop", 20, &seconds, &err), 0);
	assert_true(seconds >= 0);
	fake_finish(&f, d);
}

/* The suite's images in a preloaded Docker store: only their ids are asked for; a wrong or missing one fails, saying which. */
static void images_checked_in_the_store(void **state)
{
	/* clang-format off */
	static const struct exchange ex[] = {
		{ "GET /v1.41/images/crbench/bench:1/json", "docker/image-inspect.http", NULL },
		{ "GET /v1.41/images/crbench/bench:1/json", "docker/image-inspect.http", NULL },
		{ "GET /v1.41/images/crbench/none:1/json", "docker/image-missing.http", NULL },
	};
	/* clang-format on */
	/* Docker's id of the bench image the recordings were made with (the sha256 of its config) */
	static const char id[] = "sha256:a689758ebe0400b276df223d483aef63c685ada46e7b3e3ac3ab4f8459dae152";
	struct cr_images_spec spec = { .mode = CR_IMAGES_STORE, .n = 1 };
	struct fake f = { 0 };
	struct cr_docker *d = fake_open(&f, ex, ARRAY_SIZE(ex));
	cleanup_error cr_error_t err = NULL;
	json_t *doc;

	spec.image[0] = (struct cr_image){ (char *)"bench.tar", (char *)"crbench/bench:1", (char *)id };
	doc = cr_images_prepare(d, "/nonexistent", &spec, &err);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "mode")), "store");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "bench.tar"), "id")), id);
	/* checked, not loaded: no load time */
	assert_null(json_object_get(json_object_get(doc, "bench.tar"), "seconds"));
	json_decref(doc);

	spec.image[0].id = (char *)"sha256:0000";
	assert_null(cr_images_prepare(d, "/nonexistent", &spec, &err));
	assert_string_equal(err->msg,
			    "crbench/bench:1 is sha256:a689758ebe0400b276df223d483aef63c685ada46e7b3e3ac3ab4f8459dae152 in the guest "
			    "image's Docker store, the run expects sha256:0000 (remove <cache>/images/store-* for the next run to "
			    "make it again)");
	cr_error_free(&err);

	spec.image[0] = (struct cr_image){ (char *)"none.tar", (char *)"crbench/none:1", (char *)id };
	assert_null(cr_images_prepare(d, "/nonexistent", &spec, &err));
	assert_string_equal(err->msg,
			    "crbench/none:1 is not in the guest image's Docker store: the store does not hold this run's images "
			    "(remove <cache>/images/store-* for the next run to make it again)");
	fake_finish(&f, d);
}

static void no_daemon(void **state)
{
	struct cr_docker *d = NULL;
	cleanup_error cr_error_t err = NULL;
	struct cr_docker_response r;

	assert_int_equal(cr_docker_open("/nonexistent/docker.sock", &d, &err), 0);
	assert_int_equal(cr_docker_call(d, "GET", "/version", NULL, &r, &err), -1);
	assert_true(str_has_prefix(err->msg, "docker: GET /version: "));
	assert_non_null(strstr(err->msg, "(is dockerd running on '/nonexistent/docker.sock'?)"));
	cr_docker_response_release(&r);
	/* ids that would change the URL are refused before any request */
	assert_int_equal(cr_docker_start(d, "../../images/x", NULL, &err), -1);
	assert_string_equal(err->msg, "bad container id '../../images/x'");
	cr_docker_close(d);
}

static void demux(void **state)
{
	/* split literals: a hex escape would swallow the hex digits after it */
	static const char good[] =
		"\x01\0\0\0\0\0\0\x03"
		"out"
		"\x02\0\0\0\0\0\0\x04"
		"err\n"
		"\x01\0\0\0\0\0\0\x01"
		"!";
	static const char truncated[] =
		"\x01\0\0\0\0\0\0\x09"
		"out";
	static const char badtype[] = "\x07\0\0\0\0\0\0\x01x";
	cleanup_error cr_error_t err = NULL;
	char *out = NULL, *errout = NULL;

	assert_int_equal(cr_docker_demux(good, sizeof(good) - 1, &out, &errout, &err), 0);
	assert_string_equal(out, "out!");
	assert_string_equal(errout, "err\n");
	free(out);
	free(errout);
	assert_int_equal(cr_docker_demux(truncated, sizeof(truncated) - 1, &out, &errout, &err), -1);
	assert_string_equal(err->msg, "docker log stream: bad frame at byte 0");
	assert_int_equal(cr_docker_demux(badtype, sizeof(badtype) - 1, &out, &errout, &err), -1);
	assert_int_equal(cr_docker_demux("\x01\0\0", 3, &out, &errout, &err), -1);
	assert_string_equal(err->msg, "docker log stream: truncated frame header at byte 0");
	assert_int_equal(cr_docker_demux("", 0, &out, &errout, &err), 0);
	assert_string_equal(out, "");
	free(out);
	free(errout);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_lifecycle),
		cmocka_unit_test(created_containers_are_swept),
		cmocka_unit_test(errors_carry_dockers_message),
		cmocka_unit_test(network_ensure),
		cmocka_unit_test(swarm_init_and_stop),
		cmocka_unit_test(images_checked_in_the_store),
		cmocka_unit_test(no_daemon),
		cmocka_unit_test(demux),
		cmocka_unit_test(unanswered_container_is_described),
		cmocka_unit_test(exited_httpd_ends_the_wait),
		cmocka_unit_test(docker_cli_failure_is_told),
		cmocka_unit_test(failed_container_is_told),
		cmocka_unit_test(gone_container_is_told),
		cmocka_unit_test(runsc_kvm_checked_with_a_container),
	};
	/* clang-format on */

	signal(SIGPIPE, SIG_IGN);
	return tap_run("docker", tests);
}
