/* Network matrix (Cochak & Miers, Figures 3 and 4): iperf3 and sockperf from a client to a server container over a pair of Docker networks, idle or with stress-ng loading the server. */
#include <arpa/inet.h>
#include <math.h>

#include "agent.h"
#include "proc.h"
#include "results.h"
#include "toolparse.h"
#include "util.h"

/*
 * The guest has no spare NIC and no route out: a dummy link is macvlan's
 * parent and holds the address the swarm advertises.
 */
#define LINK "crbench0"
#define LINK_ADDR "10.99.0.1"
#define SWARM_LISTEN "0.0.0.0:2377"

/* Fixed names, so that a step killed at its timeout cannot leave a server running into the next one. */
#define SERVER_NAME "crbench-net-server"
#define CLIENT_NAME "crbench-net-client"

/* What docker stop leaves stress-ng to write its metrics before SIGKILL. */
#define STOP_SECONDS 20
/* What a cell needs besides the tools' own seconds: two container starts (about 10 s each under TCG) and a stop. */
#define OVERHEAD_SECONDS 30

enum net { NET_BRIDGE, NET_HOST, NET_MACVLAN, NET_OVERLAY };

/* clang-format off */
static const struct network {
	const char *name;   /* the containers' HostConfig.NetworkMode */
	const char *driver; /* NULL: one of Docker's own networks, nothing to create */
	const char *subnet;
	const char *parent; /* macvlan's parent link */
	bool swarm;	    /* a swarm-scoped network, attachable by plain containers */
} networks[] = {
	[NET_BRIDGE] = { "bridge", NULL, NULL, NULL, false },
	[NET_HOST] = { "host", NULL, NULL, NULL, false },
	[NET_MACVLAN] = { "crbench-macvlan", "macvlan", "10.98.0.0/24", LINK, false },
	[NET_OVERLAY] = { "crbench-overlay", "overlay", "10.97.0.0/24", NULL, true },
};
/* clang-format on */

/* clang-format off */
static const struct {
	enum net client, server;
} pairs[CR_NET__MAX] = {
	[CR_NET_BRIDGE_BRIDGE] = { NET_BRIDGE, NET_BRIDGE },
	[CR_NET_HOST_BRIDGE] = { NET_HOST, NET_BRIDGE },
	[CR_NET_MACVLAN_MACVLAN] = { NET_MACVLAN, NET_MACVLAN },
	[CR_NET_OVERLAY_OVERLAY] = { NET_OVERLAY, NET_OVERLAY },
};
/* clang-format on */

/* The dummy link, up, with its address; a link an earlier step made is fine. */
static int link_ensure(cr_error_t *err)
{
	char *add[] = { (char *)"ip", (char *)"link", (char *)"add", (char *)LINK, (char *)"type", (char *)"dummy", NULL };
	char *up[] = { (char *)"ip", (char *)"link", (char *)"set", (char *)"dev", (char *)LINK, (char *)"up", NULL };
	char *addr[] = { (char *)"ip", (char *)"address", (char *)"replace", (char *)LINK_ADDR "/24", (char *)"dev", (char *)LINK, NULL };

	if (cr_run_checked(add, err) < 0) {
		if (!err || !*err || !strstr((*err)->msg, "File exists"))
			return cr_error_prefix(err, "cannot create the dummy link '%s'", LINK);
		cr_error_free(err);
	}
	if (cr_run_checked(up, err) < 0 || cr_run_checked(addr, err) < 0)
		return cr_error_prefix(err, "cannot set up the dummy link '%s'", LINK);
	return 0;
}

/* Create what network n needs, unless an earlier step did: every step may run alone. */
static int network_prepare(const struct cr_agent *a, const struct network *n, cr_error_t *err)
{
	json_t *body;
	int r;

	if (!n->driver)
		return 0;
	if (link_ensure(err) < 0)
		return -1;
	if (n->swarm && cr_docker_swarm_init(a->docker, LINK_ADDR, SWARM_LISTEN, NULL, err) < 0)
		return cr_error_prefix(err, "cannot make this guest a swarm manager for network '%s'", n->name);
	body = json_pack("{s:s, s:b, s:{s:s, s:[{s:s}]}}", "Driver", n->driver, "Attachable", n->swarm, "IPAM", "Driver", "default",
			 "Config", "Subnet", n->subnet);
	if (n->parent)
		json_object_set_new(body, "Options", json_pack("{s:s}", "parent", n->parent));
	r = cr_docker_network_ensure(a->docker, n->name, body, NULL, err);
	json_decref(body);
	return r < 0 ? cr_error_prefix(err, "cannot create network '%s'", n->name) : 0;
}

/* The runtime of a container on network: gVisor on the host's network needs its --network=host variant (runtime.json). */
static const char *runtime_on(const struct cr_agent *a, const char *network)
{
	return cr_container_runtime(a, strcmp(network, "host") == 0);
}

/* A bench container on network running script; /tmp is a tmpfs, where iperf3 maps its buffers (it cannot on Kata 1.x's 9p). */
static json_t *bench_config(const struct cr_agent *a, const char *network, const char *script)
{
	json_t *config = cr_container_config(a, CR_BENCH_IMAGE, json_pack("[s, s, s]", "/bin/sh", "-c", script));
	json_t *host = json_object_get(config, "HostConfig");

	json_object_set_new(host, "NetworkMode", json_string(network));
	json_object_set_new(host, "Tmpfs", json_pack("{s:s}", "/tmp", "rw,size=64m"));
	json_object_set_new(host, "Runtime", json_string(runtime_on(a, network)));
	return config;
}

/*
 * The server: sockperf (UDP, its default) and iperf3 servers in the
 * background. Loaded, stress-ng runs in the foreground on container-cpus
 * CPUs until docker stop: the shell, as PID 1, turns the SIGTERM into the
 * SIGINT after which stress-ng still reports, then prints its metrics after
 * a marker line. Its own timeout, test-timeout, only bounds a lost server.
 */
static char *server_script(const struct cr_agent *a, enum cr_net_load load)
{
	static const char servers[] =
		"sockperf server -i 0.0.0.0 >&2 &\n"
		"iperf3 -s >&2 &\n";

	if (load == CR_LOAD_IDLE)
		return xasprintf("%swait\n", servers);
	return xasprintf(
		"stress-ng --cpu %llu --timeout %llus --metrics-brief --yaml /tmp/stress.yaml >&2 &\n"
		"s=$!\n"
		"trap 'kill -INT $s' TERM\n"
		"%s"
		"wait $s\n"
		"wait $s\n"
		"echo '" CR_NET_MATRIX_STRESS_MARK
		"'\n"
		"cat /tmp/stress.yaml\n",
		(unsigned long long)a->plan->container_cpus, (unsigned long long)a->plan->test_timeout, servers);
}

/*
 * How long the client probes the server for before it measures: half of
 * test-timeout, as boot waits for httpd, or what the step has left after
 * elapsed seconds, the tools' seconds and OVERHEAD_SECONDS, if less; at
 * least 1. Before, a fixed 100 probes (about 2 min) failed a loaded Kata
 * server's cell under nested TCG with most of its test-timeout unused.
 */
unsigned long long cr_net_matrix_probe_seconds(const struct cr_plan *p, double elapsed)
{
	double left = (double)p->test_timeout - elapsed - (double)(p->iperf_seconds + p->sockperf_seconds + OVERHEAD_SECONDS);
	unsigned long long half = p->test_timeout / 2;

	if (!(left >= 1))
		return 1;
	return left < (double)half ? (unsigned long long)left : half;
}

/*
 * The client: waits (bounded by probe_seconds on its own clock) until the
 * iperf3 server answers, outside the measurement, then iperf3 (TCP) for
 * iperf-seconds and sockperf ping-pong (UDP) for sockperf-seconds, a marker
 * line between their outputs. ip was checked to be an IPv4 address: nothing
 * in it can change the script.
 *
 * A probe is a 1 KiB iperf3 run, 0.2 s after the last, giving up a connect
 * after 1 s; the probes stop once probe_seconds have passed (counted in
 * the whole seconds of date +%s: up to one more). It waits on while iperf3
 * cannot connect or finds the server busy (iperf3 3.12's IECONNECT,
 * IEACCESSDENIED); any other end means the server answered. Under gVisor's host network a probe almost never ends
 * well: it connects, runs, then fails to read the server's results
 * ("unable to receive results: Resource temporarily unavailable", 2.3 s a
 * probe here). Waiting for a clean probe spun there for 8-24 s an attempt
 * idle, and loaded ran out of its probes and failed the cell with "no
 * iperf3 server answered".
 */
char *cr_net_matrix_client_script(const struct cr_plan *p, const char *ip, unsigned long long probe_seconds)
{
	return xasprintf(
		"probe=${TMPDIR:-/tmp}/probe\n"
		"end=$(($(date +%%s) + %4$llu))\n"
		"n=1\n"
		"until iperf3 -c %1$s --connect-timeout 1000 -n 1K >\"$probe\" 2>&1 ||\n"
		"\t! grep -q -e 'unable to connect to server' -e 'the server is busy' \"$probe\"; do\n"
		"\tif [ \"$(date +%%s)\" -gt $end ]; then\n"
		"\t\techo \"no iperf3 server answered on %1$s port 5201 in %4$llu s ($n probes); the last: $(tail -c 200 \"$probe\")\" >&2\n"
		"\t\texit 3\n"
		"\tfi\n"
		"\tn=$((n + 1))\n"
		"\tsleep 0.2\n"
		"done\n"
		"iperf3 -c %1$s -t %2$llu -J\n"
		"echo '" CR_NET_MATRIX_SOCKPERF_MARK
		"'\n"
		"exec sockperf ping-pong -i %1$s -t %3$llu\n",
		ip, (unsigned long long)p->iperf_seconds, (unsigned long long)p->sockperf_seconds, probe_seconds);
}

struct server {
	char *id;
	char *ip;
	unsigned attach_retries;
};

static void server_release(const struct cr_agent *a, struct server *s)
{
	if (s->id)
		cr_docker_remove(a->docker, s->id, NULL, NULL);
	free(s->id);
	free(s->ip);
}

/* Create and start the server on network n, and find its address there. */
static int server_start(const struct cr_agent *a, enum cr_net_load load, const struct network *n, struct server *s, cr_error_t *err)
{
	cleanup_free char *script = server_script(a, load);
	json_t *config = bench_config(a, n->name, script), *inspect = NULL, *net;
	struct in_addr addr;
	const char *ip;
	int ret = -1;

	if (cr_container_start(a, SERVER_NAME, config, &s->id, &s->attach_retries, NULL, err) < 0 ||
	    cr_docker_inspect(a->docker, s->id, &inspect, err) < 0)
		goto out;
	net = json_object_get(json_object_get(json_object_get(inspect, "NetworkSettings"), "Networks"), n->name);
	ip = json_string_value(json_object_get(net, "IPAddress"));
	if (!ip || inet_pton(AF_INET, ip, &addr) != 1) {
		cr_error(err, 0, "the server container has no IPv4 address on network '%s'", n->name);
		goto out;
	}
	s->ip = xstrdup(ip);
	ret = 0;
out:
	json_decref(config);
	json_decref(inspect);
	return ret;
}

/*
 * Under a cell that failed with err: when the server container had already
 * stopped, err says so first, with the line of its output that tells why,
 * and its record is returned (else NULL). A server that dies at once (a
 * stress-ng killed by SIGILL ends its script) otherwise shows only as a
 * client that found nobody to measure. An error of Kata's that crbench
 * knows (its VM lost) is left as it is: the server went with the VM, and
 * the reason says what Kata's error means, then Docker's words.
 */
static json_t *server_gone(const struct cr_agent *a, const struct server *srv, cr_error_t *err)
{
	cleanup_free char *kata = NULL;

	if (!err || !*err)
		return NULL;
	kata = cr_kata_start_explain((*err)->msg);
	return cr_container_if_gone(a, srv->id, "the server container", kata ? NULL : err);
}

/* t_step: cr_now() when the step began, from which the probes' budget is counted */
static int client_run(const struct cr_agent *a, const struct network *n, const char *ip, double t_step, struct cr_container_result *res,
		      cr_error_t *err)
{
	cleanup_free char *script = cr_net_matrix_client_script(a->plan, ip, cr_net_matrix_probe_seconds(a->plan, cr_now() - t_step));

	if (cr_container_run(a, bench_config(a, n->name, script), CLIENT_NAME, res, err) < 0)
		return -1;
	/* past the marker, a non-zero exit is sockperf's, judged with its output */
	if (res->exit_code != 0 && !strstr(res->out ? res->out : "", CR_NET_MATRIX_SOCKPERF_MARK)) {
		const char *out = res->out ? res->out : "";
		size_t len = strlen(out);

		return cr_error(err, 0, "the client container exited with %ld: stderr '%.300s', stdout ends '%s'", res->exit_code,
				res->err ? res->err : "", out + (len > 400 ? len - 400 : 0));
	}
	return 0;
}

/* sockperf leaves out percentiles it has too few observations for: NaN, null in JSON. */
static json_t *real_json(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Cut text at the line holding mark alone; what followed that line, or NULL when there is no such line. */
static char *split_at(char *text, const char *mark)
{
	size_t n = strlen(mark);

	for (char *p = strstr(text, mark); p; p = strstr(p + 1, mark)) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n') {
			*p = '\0';
			return p + n + 1;
		}
	}
	return NULL;
}

/* sockperf's last "ERROR:" line, for the reason it measured nothing. */
static char *sockperf_error(const char *text)
{
	const char *e = NULL;

	for (const char *p = strstr(text, "ERROR: "); p; p = strstr(p + 1, "ERROR: "))
		e = p;
	return e ? xstrndup(e, strcspn(e, "\n")) : xstrdup("no ERROR line");
}

/* sockperf measured nothing: its members null, and why, so that the bandwidth of the same round stands. */
static int sockperf_not_measured(const char *rest, const char *reason, json_t **sockperf, json_t **not_measured)
{
	*sockperf = json_pack("{s:n, s:n, s:n, s:n, s:n, s:o}", "avg_us", "p50_us", "p99_us", "p99_9_us", "observations", "raw",
			      cr_json_text(rest));
	*not_measured = json_pack("{s:s, s:s, s:s, s:s}", "avg_us", reason, "p50_us", reason, "p99_us", reason, "p99_9_us", reason);
	return *sockperf && *not_measured ? 0 : -1;
}

int cr_net_matrix_client_data(char *out, long exit_code, json_t **iperf3, json_t **sockperf, json_t **not_measured, cr_error_t *err)
{
	char *rest = split_at(out, CR_NET_MATRIX_SOCKPERF_MARK), *json_start = out;
	cleanup_free char *preamble = NULL, *reason = NULL;
	cleanup_error cr_error_t serr = NULL;
	struct cr_iperf3 i;
	struct cr_sockperf s;

	*not_measured = NULL;
	if (!rest)
		return cr_error(err, 0, "the client printed no '%s' line after iperf3", CR_NET_MATRIX_SOCKPERF_MARK);
	/*
	 * Lines before the JSON document (seen under gVisor's ptrace platform
	 * with host networking: a WARNING line) are kept as the preamble; the
	 * document itself must be whole.
	 */
	if (*out != '{') {
		char *doc = strstr(out, "\n{");

		if (!doc)
			return cr_error(err, 0, "iperf3 output: no JSON document; it begins '%.300s'", out);
		preamble = xstrndup(out, (size_t)(doc + 1 - out));
		json_start = doc + 1;
	}
	if (cr_parse_iperf3(json_start, strlen(json_start), &i, err) < 0)
		return cr_error_prefix(err, "iperf3 output");
	*iperf3 = json_pack("{s:f, s:f, s:o, s:f, s:o, s:s*}", "bits_per_second", i.received.bits_per_second, "sent_bits_per_second",
			    i.sent.bits_per_second, "retransmits",
			    i.has_retransmits ? json_integer((json_int_t)i.retransmits) : json_null(), "seconds", i.received.seconds, "raw",
			    cr_json_text(json_start), "preamble", preamble);
	if (!*iperf3)
		return cr_error(err, 0, "cannot encode the iperf3 results as JSON");
	/*
	 * The two tools measure apart: when sockperf fails (gVisor's host
	 * network fails its recvfrom() with EINVAL; a loaded guest now and
	 * then gives no ping-pong statistics) the round's bandwidth stands and
	 * the latency is not measured, with sockperf's own reason.
	 */
	if (exit_code != 0) {
		cleanup_free char *why = sockperf_error(rest);

		reason = xasprintf("sockperf exited with %ld: %s", exit_code, why);
	} else if (cr_parse_sockperf(rest, strlen(rest), &s, &serr) < 0) {
		reason = xasprintf("sockperf output: %s", serr->msg);
	}
	if (reason)
		return sockperf_not_measured(rest, reason, sockperf, not_measured) == 0
			       ? 0
			       : cr_error(err, 0, "cannot encode the sockperf results as JSON");
	*sockperf = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "avg_us", real_json(s.avg), "p50_us", real_json(s.p50), "p99_us",
			      real_json(s.p99), "p99_9_us", real_json(s.p99_9), "observations", (json_int_t)s.observations, "raw",
			      cr_json_text(rest));
	return *sockperf ? 0 : cr_error(err, 0, "cannot encode the sockperf results as JSON");
}

int cr_net_matrix_stress_data(char *out, uint64_t instances, json_t **stress, cr_error_t *err)
{
	char *yaml = split_at(out, CR_NET_MATRIX_STRESS_MARK);
	const struct cr_stress_ng_stressor *cpu = NULL;
	struct cr_stress_ng s;

	if (!yaml)
		return cr_error(err, 0, "the server printed no stress-ng metrics");
	if (cr_parse_stress_ng(yaml, strlen(yaml), &s, err) < 0)
		return cr_error_prefix(err, "stress-ng output");
	for (size_t k = 0; k < s.n && !cpu; k++)
		if (strcmp(s.stressors[k].name, "cpu") == 0)
			cpu = &s.stressors[k];
	if (!cpu)
		return cr_error(err, 0, "stress-ng output has no 'cpu' stressor");
	*stress = json_pack("{s:s, s:I, s:f, s:f, s:o}", "stressor", "cpu", "instances", (json_int_t)instances, "bogo_ops_per_sec_real",
			    cpu->bogo_ops_per_sec_real, "real_seconds", cpu->real_time, "raw", cr_json_text(yaml));
	return *stress ? 0 : cr_error(err, 0, "cannot encode the stress-ng results as JSON");
}

/*
 * Stop the loaded server, which makes stress-ng report, and read the report
 * from its output. stress-ng is the server's foreground process, started
 * before the client: the server still running when the client has ended
 * means the load covered the whole measurement. (Its own real time cannot
 * be compared with the client's: gVisor keeps its own clock.)
 */
static int stress_collect(const struct cr_agent *a, const struct server *srv, json_t **stress, cr_error_t *err)
{
	cleanup_free char *out = NULL, *errout = NULL;
	json_t *inspect = NULL;
	bool running;
	size_t len;

	if (cr_docker_inspect(a->docker, srv->id, &inspect, err) < 0)
		return -1;
	running = json_is_true(json_object_get(json_object_get(inspect, "State"), "Running"));
	json_decref(inspect);
	if (!running)
		return cr_error(err, 0, "the loaded server had stopped before the client finished: the load did not cover the measurement");
	if (cr_docker_stop(a->docker, srv->id, STOP_SECONDS, NULL, err) < 0 || cr_docker_logs(a->docker, srv->id, &out, &errout, err) < 0)
		return -1;
	if (cr_net_matrix_stress_data(out, a->plan->container_cpus, stress, err) < 0) {
		len = strlen(errout);
		return cr_error(err, 0, "%s (the server's stderr ends '%s')", err && *err ? (*err)->msg : "",
				errout + (len > 300 ? len - 300 : 0));
	}
	return 0;
}

/* One cell: server, client, and with load the server's stress-ng report. */
static int measure(const struct cr_agent *a, const struct cr_step *step, double t_step, const struct network *cn, const struct network *sn,
		   json_t **data, char **unsupported, cr_error_t *err)
{
	struct cr_container_result res = { .exit_code = -1 };
	struct server srv = { 0 };
	json_t *iperf3 = NULL, *sockperf = NULL, *stress = json_null(), *not_measured = NULL, *failed_attempts = json_array();
	/*
	 * gVisor's host network passthrough (runsc --network=host, the client's
	 * here) fails iperf3 in most rounds ("unable to receive results:
	 * Resource temporarily unavailable") and sockperf in every one
	 * (recvfrom: EINVAL), where runc with the same containers and commands
	 * measures every round: the client gets up to three attempts there,
	 * each failed one recorded, and a cell that fails them all is recorded
	 * as that runtime's limitation, with the evidence, not as a failure.
	 */
	bool gvisor_host = strcmp(runtime_on(a, cn->name), cr_container_runtime(a, false)) != 0;
	int attempts = gvisor_host ? 3 : 1, ret = -1;
	cleanup_free char *client_out = NULL;
	json_t *gone;

	if (server_start(a, step->load, sn, &srv, err) < 0)
		goto out;
	for (int i = 0;; i++) {
		cr_container_result_release(&res);
		json_decref(iperf3);
		json_decref(sockperf);
		json_decref(not_measured);
		iperf3 = sockperf = not_measured = NULL;
		free(client_out);
		client_out = NULL;
		if (client_run(a, cn, srv.ip, t_step, &res, err) == 0) {
			/* the parsers cut the text where they read it: the whole of it, for a cell that fails */
			client_out = xstrdup(res.out ? res.out : "");
			if (cr_net_matrix_client_data(res.out, res.exit_code, &iperf3, &sockperf, &not_measured, err) == 0)
				break;
		}
		if (i + 1 == attempts && gvisor_host && client_out) {
			json_array_append_new(failed_attempts, json_string((*err)->msg));
			*unsupported = xasprintf(
				"gVisor's host network passthrough (runsc --network=host) failed the client's tools in %d of %d "
				"attempts (last: %s); runc measures this cell with the same containers",
				attempts, attempts, (*err)->msg);
			*data = json_pack("{s:s, s:s, s:s, s:I, s:O, s:o, s:o}", "pair", cr_net_pair_names[step->pair], "client_runtime",
					  runtime_on(a, cn->name), "server_runtime", runtime_on(a, sn->name), "client_exit_code",
					  (json_int_t)res.exit_code, "failed_attempts", failed_attempts, "client_stdout",
					  cr_json_text(client_out), "client_stderr", cr_json_text(res.err ? res.err : ""));
			cr_error_free(err);
			*err = NULL;
			ret = 0;
			goto out;
		}
		if (i + 1 == attempts)
			goto out;
		json_array_append_new(failed_attempts, json_string((*err)->msg));
		cr_error_free(err);
		*err = NULL;
	}
	if (step->load == CR_LOAD_STRESS && stress_collect(a, &srv, &stress, err) < 0)
		goto out;
	*data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:O}", "pair", cr_net_pair_names[step->pair], "client_network",
			  cn->name, "server_network", sn->name, "client_runtime", runtime_on(a, cn->name), "server_runtime",
			  runtime_on(a, sn->name), "load", cr_net_load_names[step->load], "iperf3", iperf3, "sockperf", sockperf, "stress",
			  stress);
	if (*data && not_measured)
		json_object_set(*data, "not_measured", not_measured);
	if (*data && json_array_size(failed_attempts))
		json_object_set(*data, "failed_attempts", failed_attempts);
	if (*data && (srv.attach_retries || res.attach_retries))
		json_object_set_new(*data, "attach_retries", json_integer((json_int_t)(srv.attach_retries + res.attach_retries)));
	ret = *data ? 0 : cr_error(err, 0, "cannot encode the measurements as JSON");
out:
	/* a cell that failed keeps what its client printed: the reason alone cannot say what the tools saw */
	if (ret < 0 && !*data && client_out)
		*data = json_pack("{s:s, s:I, s:o, s:o, s:O}", "pair", cr_net_pair_names[step->pair], "client_exit_code",
				  (json_int_t)res.exit_code, "client_stdout", cr_json_text(client_out), "client_stderr",
				  cr_json_text(res.err ? res.err : ""), "failed_attempts", failed_attempts);
	/* and what its server printed, when it had gone after it started (srv.ip: one that did not start is the reason itself) */
	if (ret < 0 && srv.ip && (gone = server_gone(a, &srv, err))) {
		if (!*data)
			*data = json_pack("{s:s}", "pair", cr_net_pair_names[step->pair]);
		json_object_set_new(*data, "server", gone);
	}
	json_decref(failed_attempts);
	json_decref(not_measured);
	server_release(a, &srv);
	cr_container_result_release(&res);
	json_decref(iperf3);
	json_decref(sockperf);
	json_decref(stress);
	return ret;
}

int cr_test_net_matrix(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	const struct network *cn = &networks[pairs[step->pair].client], *sn = &networks[pairs[step->pair].server];
	const struct cr_plan *p = a->plan;
	double t_step = cr_now();

	if (strcmp(a->guest->runtime, "kata") == 0 && (cn == &networks[NET_HOST] || sn == &networks[NET_HOST])) {
		*unsupported = xstrdup("Kata Containers cannot use the host network namespace (--net=host)");
		return 0;
	}
	if (p->iperf_seconds + p->sockperf_seconds + OVERHEAD_SECONDS > p->test_timeout)
		return cr_error(err, 0,
				"iperf-seconds (%llu) and sockperf-seconds (%llu) leave less than %d s of test-timeout (%llu) to start "
				"and stop the containers",
				(unsigned long long)p->iperf_seconds, (unsigned long long)p->sockperf_seconds, OVERHEAD_SECONDS,
				(unsigned long long)p->test_timeout);
	/* what a step killed at its timeout left behind; usually there is nothing */
	cr_docker_remove(a->docker, SERVER_NAME, NULL, NULL);
	cr_docker_remove(a->docker, CLIENT_NAME, NULL, NULL);
	if (network_prepare(a, cn, err) < 0 || (sn != cn && network_prepare(a, sn, err) < 0))
		return -1;
	return measure(a, step, t_step, cn, sn, data, unsupported, err);
}
