/*
 * Unit tests of the agent's HTTP polling (guest/http.c) against a server on
 * the loopback made here: what a failed boot or net-io step says about the
 * last attempt, an HTTP status or curl's reason, and a first 200 timed.
 */
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "http.h"

/* A listening socket on 127.0.0.1 and a free port; *port is where it listens. */
static int listen_loopback(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A child answering every connection with status (an HTTP/1.0 status line's code and text) and a short body. */
static pid_t serve(int fd, const char *status)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* never outlive the test, nor hold prove's pipe open if an assertion ends it first */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		close(1);
		close(2);
		for (;;) {
			char buf[4096], reply[256];
			int c = accept(fd, NULL, NULL), n;

			if (c < 0)
				_exit(1);
			(void)!read(c, buf, sizeof(buf));
			n = snprintf(reply, sizeof(reply), "HTTP/1.0 %s\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", status);
			(void)!write(c, reply, (size_t)n);
			close(c);
		}
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Nobody listening: no answer, and curl's reason says the connection failed. */
static void refused(void **state)
{
	char why[CR_HTTP_WHY_SIZE], last[CR_HTTP_WHY_SIZE];
	cleanup_free char *url = NULL;
	size_t bytes = 1;
	long code = 1, attempts = 0;
	int port, fd = listen_loopback(&port);

	close(fd); /* the port is free now, and nothing listens on it */
	url = xasprintf("http://127.0.0.1:%d/", port);
	assert_int_equal(cr_http_get(url, 500, &code, &bytes, why), -1);
	assert_int_equal(code, 0);
	assert_int_equal(bytes, 0);
	assert_non_null(strstr(why, "onnect"));
	assert_true(cr_http_wait_200(url, cr_now(), cr_now() + 0.2, &attempts, last, NULL, NULL) < 0);
	assert_true(attempts >= 1);
	assert_non_null(strstr(last, "onnect")); /* curl's words again; its "after N ms" may differ */
}

/* A server that answers, but not 200: its status is the last answer, and the wait goes on to its deadline. */
static void not_200(void **state)
{
	char why[CR_HTTP_WHY_SIZE], last[CR_HTTP_WHY_SIZE];
	cleanup_free char *url = NULL;
	size_t bytes;
	long code, attempts = 0;
	int port, fd = listen_loopback(&port);
	pid_t pid = serve(fd, "503 Service Unavailable");
	double t0 = cr_now();

	url = xasprintf("http://127.0.0.1:%d/", port);
	assert_int_equal(cr_http_get(url, 2000, &code, &bytes, why), 0);
	assert_int_equal(code, 503);
	assert_string_equal(why, "HTTP 503");
	assert_true(cr_http_wait_200(url, t0, t0 + 0.3, &attempts, last, NULL, NULL) < 0);
	assert_true(cr_now() - t0 >= 0.3);
	assert_true(attempts >= 2);
	assert_string_equal(last, "HTTP 503");
	stop(pid);
	close(fd);
}

/* A 200: its seconds from t0, the body counted, one attempt. */
static void first_200(void **state)
{
	char last[CR_HTTP_WHY_SIZE];
	cleanup_free char *url = NULL;
	size_t bytes;
	long code, attempts = 0;
	int port, fd = listen_loopback(&port);
	pid_t pid = serve(fd, "200 OK");
	double t0 = cr_now(), s;

	url = xasprintf("http://127.0.0.1:%d/", port);
	s = cr_http_wait_200(url, t0, t0 + 10, &attempts, last, NULL, NULL);
	assert_true(s >= 0 && s < 10);
	assert_int_equal(attempts, 1);
	assert_string_equal(last, "HTTP 200");
	assert_int_equal(cr_http_get(url, 2000, &code, &bytes, NULL), 0);
	assert_int_equal(code, 200);
	assert_int_equal(bytes, 5);
	stop(pid);
	close(fd);
}

/* A deadline already past makes no attempt, and says none was made. */
static void no_attempt(void **state)
{
	char last[CR_HTTP_WHY_SIZE] = "stale";
	long attempts = 0;

	assert_true(cr_http_wait_200("http://127.0.0.1:9/", cr_now(), cr_now() - 1, &attempts, last, NULL, NULL) < 0);
	assert_int_equal(attempts, 0);
	assert_string_equal(last, "no attempt was made: the deadline had passed");
}

static bool gone_now(void *arg)
{
	(*(int *)arg)++;
	return true;
}

static bool still_there(void *arg)
{
	(*(int *)arg)++;
	return false;
}

/*
 * A server whose container is gone ends the wait at its first ask, which
 * comes CR_HTTP_GONE_FIRST seconds after t0 and not before; one still there
 * is asked again only CR_HTTP_GONE_EVERY seconds later.
 */
static void gone_server(void **state)
{
	char last[CR_HTTP_WHY_SIZE];
	cleanup_free char *url = NULL;
	long attempts = 0;
	int port, fd = listen_loopback(&port), asked = 0;
	double t0;

	close(fd);
	url = xasprintf("http://127.0.0.1:%d/", port);
	/* not asked before its time: t0 now, deadline well before the first ask */
	t0 = cr_now();
	assert_true(cr_http_wait_200(url, t0, t0 + 0.2, &attempts, last, gone_now, &asked) < 0);
	assert_int_equal(asked, 0);
	/* asked once it is due, and the wait ends there, long before its deadline */
	t0 = cr_now() - CR_HTTP_GONE_FIRST;
	attempts = 0;
	assert_true(cr_http_wait_200(url, t0, cr_now() + 30, &attempts, last, gone_now, &asked) < 0);
	assert_int_equal(asked, 1);
	assert_int_equal(attempts, 1);
	assert_true(cr_now() - t0 < CR_HTTP_GONE_FIRST + 10);
	/* still there: one ask, then none until CR_HTTP_GONE_EVERY has passed */
	asked = 0;
	assert_true(cr_http_wait_200(url, t0, cr_now() + 0.3, &attempts, last, still_there, &asked) < 0);
	assert_int_equal(asked, 1);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused),
		cmocka_unit_test(not_200),
		cmocka_unit_test(first_200),
		cmocka_unit_test(no_attempt),
		cmocka_unit_test(gone_server),
	};
	/* clang-format on */

	return tap_run("http", tests);
}
