/* The suite runner and its table of tests: the images loaded, then each step in order with its progress lines and results entry. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "agent.h"
#include "isolate.h"
#include "procfs.h"
#include "progress.h"
#include "results.h"
#include "util.h"

extern const char crbench_version[];

/* clang-format off */
static const struct cr_test_impl tests[] = {
	{ CR_TEST_ENV, cr_test_env },
	{ CR_TEST_BOOT, cr_test_boot },
	{ CR_TEST_DISK, cr_test_disk },
	{ CR_TEST_CPU_MEM, cr_test_cpu_mem },
	{ CR_TEST_NET_IO, cr_test_net_io },
	{ CR_TEST_NET_MATRIX, cr_test_net_matrix },
};
/* clang-format on */

const struct cr_test_impl *cr_test_lookup(enum cr_test test)
{
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		if (tests[i].test == test)
			return &tests[i];
	return NULL;
}

struct console {
	int fd;
	uint64_t seq;
};

static void say(struct console *c, struct cr_progress *p)
{
	char line[CR_PROGRESS_LINE_MAX + 2];
	int n;

	p->seq = ++c->seq;
	n = cr_progress_format(p, line, sizeof(line) - 1);
	if (n < 0)
		return;
	line[n++] = '\n';
	/* progress is best effort: a console that fails must not stop the suite */
	if (write(c->fd, line, (size_t)n) < 0)
		return;
}

json_t *cr_step_refusal(const struct cr_agent *a, const struct cr_step *step)
{
	/* a runtime that cannot be measured honestly is not measured at all; the environment is still recorded */
	if (!a->runtime || !a->runtime->refused || step->test == CR_TEST_ENV)
		return NULL;
	return json_pack("{s:s, s:s, s:b, s:f}", "status", "failed", "reason", a->runtime->refused, "not_measured", true, "seconds", 0.0);
}

/* Whether a step runs a container, and so needs the suite's images: env and cpu-mem do not. */
static bool step_needs_images(const struct cr_step *s)
{
	return cr_test_runs_containers(s->test);
}

struct beat {
	struct console *con;
	const struct cr_step *step;
	uint64_t index, total;
	double t0, last;
};

/* A HEARTBEAT every 30 s while a step runs: the host's progress-timeout is for a silent agent, not a long step. */
static void heartbeat(void *opaque)
{
	struct beat *b = opaque;
	double t = cr_now();

	if (t - b->last >= 30) {
		struct cr_progress p = { .event = CR_PROGRESS_HEARTBEAT, .index = b->index, .total = b->total, .elapsed = t - b->t0 };

		snprintf(p.test, sizeof(p.test), "%s", b->step->name);
		say(b->con, &p);
		b->last = t;
	}
}

/* Run one step in a child of its own, heartbeats meanwhile; or say why it does not run. */
static json_t *run_step(const struct cr_agent *a, const struct cr_step *step, uint64_t index, uint64_t total, struct console *con)
{
	const struct cr_test_impl *impl = cr_test_lookup(step->test);
	double t0 = cr_now();
	struct beat beat = { con, step, index, total, t0, t0 };
	json_t *doc;

	if (!impl)
		return json_pack("{s:s, s:s, s:f}", "status", "failed", "reason", "this agent does not implement this test yet", "seconds",
				 0.0);
	if ((doc = cr_step_refusal(a, step)))
		return doc;
	if (a->images_error && step_needs_images(step))
		return json_pack("{s:s, s:o, s:b, s:f}", "status", "failed", "reason", cr_json_text(a->images_error), "not_measured", true,
				 "seconds", 0.0);
	return cr_step_run(a, step, impl, heartbeat, &beat);
}

/* A suite of env and cpu-mem alone loads no image. */
static bool needs_images(const struct cr_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (step_needs_images(&steps[i]))
			return true;
	return false;
}

/*
 * The suite's images, checked in the guest's Docker store (or loaded, where
 * the host says so), kept out of every measurement: the document
 * images.json records, or NULL and *err when they are not there. Writing it
 * is the caller's: a results disk that cannot take it is not an image that
 * did not load.
 */
static json_t *prepare_images(const struct cr_agent *a, const struct cr_step *steps, size_t n, cr_error_t *err)
{
	if (!needs_images(steps, n))
		return json_pack("{s:s}", "skipped", "no selected test runs a container");
	return cr_images_prepare(a->docker, a->payload, a->images, err);
}

static enum cr_progress_status status_of(const json_t *doc)
{
	const char *s = json_string_value(json_object_get(doc, "status"));

	for (int i = 1; s && i < CR_STATUS__MAX; i++)
		if (strcmp(s, cr_progress_status_names[i]) == 0)
			return (enum cr_progress_status)i;
	return CR_STATUS_FAILED;
}

/* Every step in order, then the summary; the results entries as they finish, the progress lines as they happen. */
static int run_suite(const struct cr_agent *a, struct cr_results_writer *w, const struct cr_step *steps, size_t first, size_t last,
		     size_t n, struct console *con, double t0, cr_error_t *err)
{
	struct cr_progress p;
	size_t failed = 0;
	double t_steps, cpu, cpu_steps, wall, wall_steps;
	struct rusage ru, ru0;
	double child_cpu = 0;	  /* the step children's own CPU time, as each measured it */
	json_int_t child_rss = 0; /* and the largest peak RSS among them */
	size_t unaccounted = 0;
	json_t *summary;

	/* the image upload is libcurl's work for dockerd: the agent's share is also reported without it */
	getrusage(RUSAGE_SELF, &ru0);
	t_steps = cr_now();

	for (size_t i = first; i < last; i++) {
		const struct cr_step *s = &steps[i];
		struct cr_progress st = { .event = CR_PROGRESS_START,
					  .index = i + 1,
					  .total = n,
					  .rep = s->round,
					  .reps = a->plan->warmup + a->plan->repetitions };
		struct cr_progress en = { .event = CR_PROGRESS_END, .index = i + 1, .total = n, .rep = s->round };
		cleanup_free char *name = xasprintf("%04zu-%s-r%llu.json", i + 1, s->name, (unsigned long long)s->round);
		json_t *doc, *before, *after, *kata_log;
		const char *meaning;
		double t_step;
		bool bad;

		if (st.reps == 0 || st.rep > st.reps)
			st.rep = st.reps = 0;
		snprintf(st.test, sizeof(st.test), "%s", s->name);
		say(con, &st);
		/* every phase of the suite gets its CPU times, memory and network counters (Tables III-V) */
		before = cr_sys_snapshot();
		t_step = cr_now();
		doc = run_step(a, s, i + 1, n, con);
		after = cr_sys_snapshot();
		{
			json_t *ag = json_object_get(doc, "agent");

			unaccounted += !ag && !json_is_true(json_object_get(doc, "not_measured"));
			child_cpu += json_number_value(json_object_get(ag, "cpu_seconds"));
			if (json_integer_value(json_object_get(ag, "max_rss_kib")) > child_rss)
				child_rss = json_integer_value(json_object_get(ag, "max_rss_kib"));
		}
		json_object_set_new(doc, "system", cr_sys_delta(before, after));
		json_decref(before);
		json_decref(after);
		json_object_set_new(doc, "test", json_string(cr_test_names[s->test]));
		json_object_set_new(doc, "step", json_string(s->name));
		json_object_set_new(doc, "index", json_integer((json_int_t)(i + 1)));
		json_object_set_new(doc, "round", json_integer((json_int_t)s->round));
		json_object_set_new(doc, "warmup", json_boolean(s->warmup));
		json_object_set_new(doc, "runtime", json_string(a->guest->runtime));
		json_object_set_new(doc, "guest", json_string(a->guest->name));
		en.status = status_of(doc);
		en.elapsed = json_real_value(json_object_get(doc, "seconds"));
		bad = en.status == CR_STATUS_FAILED || en.status == CR_STATUS_TIMEOUT;
		failed += bad;
		/* what Kata itself logged meanwhile: Docker passes on only the runtime's last error, or nothing */
		if (bad && strcmp(a->guest->runtime, "kata") == 0 && (kata_log = cr_kata_log(t_step, &meaning))) {
			json_object_set_new(doc, "kata_log", kata_log);
			if (meaning) {
				cleanup_free char *reason = cr_kata_logged_reason(meaning,
										  json_string_value(json_object_get(doc, "reason")));

				json_object_set_new(doc, "reason", cr_json_text(reason));
			}
		}
		if (en.status != CR_STATUS_OK && json_string_value(json_object_get(doc, "reason")))
			snprintf(en.reason, sizeof(en.reason), "%s", json_string_value(json_object_get(doc, "reason")));
		snprintf(en.test, sizeof(en.test), "%s", s->name);
		if (cr_results_append_json(w, name, doc, err) < 0) {
			json_decref(doc);
			return -1; /* the results disk is the one thing that must work */
		}
		json_decref(doc);
		say(con, &en);
		cr_fault_after_step(a->fault, i + 1);
	}

	/*
	 * The agent's own footprint, measured by itself: the runner plus each
	 * step's child (its Docker API calls, HTTP polling, parsing), not the
	 * tools those run. A child killed at its timeout cannot say: its share
	 * is missing, and steps_unaccounted counts those.
	 */
	getrusage(RUSAGE_SELF, &ru);
	cpu = cr_rusage_seconds(&ru) + child_cpu;
	cpu_steps = cpu - cr_rusage_seconds(&ru0);
	wall = cr_now() - t0;
	wall_steps = cr_now() - t_steps;
	summary = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:f, s:f}", "agent_version", crbench_version, "guest",
			    a->guest->name, "runtime", a->guest->runtime, "docker_runtime", a->runtime->docker_runtime, "refused",
			    a->runtime->refused, "seed", (json_int_t)a->seed, "steps", (json_int_t)(last - first), "failed",
			    (json_int_t)failed, "wall_seconds", wall, "steps_wall_seconds", wall_steps);
	/* which steps of the schedule this boot ran (all of them unless the plan boots each step afresh) */
	json_object_set_new(summary, "first_step", json_integer((json_int_t)first + 1));
	json_object_set_new(summary, "last_step", json_integer((json_int_t)last));
	json_object_set_new(summary, "agent",
			    json_pack("{s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I}", "cpu_seconds", cpu, "cpu_fraction",
				      wall > 0 ? cpu / wall : 0.0, "steps_cpu_seconds", cpu_steps, "steps_cpu_fraction",
				      wall_steps > 0 ? cpu_steps / wall_steps : 0.0, "runner_cpu_seconds", cr_rusage_seconds(&ru),
				      "max_rss_kib", (json_int_t)(ru.ru_maxrss > child_rss ? ru.ru_maxrss : child_rss),
				      "runner_max_rss_kib", (json_int_t)ru.ru_maxrss, "steps_unaccounted", (json_int_t)unaccounted));
	if (cr_results_append_json(w, "summary.json", summary, err) < 0 || cr_results_finish(w, err) < 0) {
		json_decref(summary);
		return -1;
	}
	json_decref(summary);
	p = (struct cr_progress){ .event = CR_PROGRESS_DONE, .status = failed ? CR_STATUS_FAILED : CR_STATUS_OK };
	if (a->runtime->refused)
		snprintf(p.reason, sizeof(p.reason), CR_AGENT_REFUSED "%s", a->runtime->refused);
	else if (failed)
		snprintf(p.reason, sizeof(p.reason), "%zu of %zu steps failed or timed out", failed, last - first);
	say(con, &p);
	return 0;
}

/* Where progress lines go: the console, or stderr when there is none (a test). */
static int console_open(void)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	return fd >= 0 ? fd : dup(2);
}

int cr_agent_run(struct cr_agent *a, const char *results_path, cr_error_t *err)
{
	cleanup_results_writer struct cr_results_writer *w = NULL;
	cleanup_free struct cr_step *steps = NULL;
	cleanup_close int console_fd = console_open();
	struct console con = { .fd = console_fd };
	struct cr_progress p = { .event = CR_PROGRESS_HELLO };
	struct cr_runtime_setup setup;
	cleanup_free char *images_error = NULL;
	json_t *images, *hold;
	const char *cgroups;
	size_t n, first = 0, last;
	double t0 = cr_now();
	int r;

	if (cr_results_writer_open(results_path, &w, err) < 0)
		return -1;
	/* hello first: the host counts image loading as progress, not as silence */
	cr_schedule_make(a->plan, a->seed, &steps, &n);
	last = n;
	if (a->first_step) {
		if (a->last_step > n)
			return cr_error(err, 0, "crbench.steps=%llu-%llu: the schedule has %zu steps", (unsigned long long)a->first_step,
					(unsigned long long)a->last_step, n);
		first = (size_t)a->first_step - 1;
		last = (size_t)a->last_step;
	}
	snprintf(p.guest, sizeof(p.guest), "%s", a->guest->name);
	p.total = n;
	say(&con, &p);
	/* only the images this boot's steps need: a step that runs no container loads none */
	images = prepare_images(a, steps + first, last - first, err);
	if (!images) {
		/* the suite goes on without them: env and cpu-mem need none, the others fail with this reason */
		images_error = xasprintf("the suite's container images are not ready: %s", (*err)->msg);
		cr_error_free(err);
		images = json_pack("{s:o}", "error", cr_json_text(images_error));
	}
	r = cr_results_append_json(w, "images.json", images, err);
	json_decref(images);
	if (r < 0)
		return -1;
	a->images_error = images_error;
	/* the scheduler patched once, now, not at each container of a step (guest/runtime.c) */
	cgroups = getenv("CRBENCH_AGENT_CGROUP_ROOT");
	hold = cr_cfs_bandwidth_hold(cgroups ? cgroups : "/sys/fs/cgroup");
	/* Kata's VM size and checks, gVisor's platform: before any step, recorded whatever comes of it */
	cr_runtime_prepare(a->plan, a->guest, &setup);
	json_object_set_new(setup.record, "cfs_bandwidth_hold", hold);
	a->runtime = &setup;
	if (strcmp(a->guest->runtime, "kata") == 0 && !setup.refused && !images_error && needs_images(steps + first, last - first))
		cr_kata_probe(a, &setup);
	if (strcmp(a->guest->runtime, "runsc") == 0 && !images_error && needs_images(steps + first, last - first))
		cr_runsc_probe(a, &setup);
	r = cr_results_append_json(w, "runtime.json", setup.record, err);
	if (r == 0)
		r = run_suite(a, w, steps, first, last, n, &con, t0, err);
	a->runtime = NULL;
	a->images_error = NULL;
	cr_runtime_setup_release(&setup);
	return r;
}

int cr_agent_parse_steps(const char *text, struct cr_agent *a, cr_error_t *err)
{
	char *end;
	unsigned long long first, last = 0;

	errno = 0;
	first = isdigit((unsigned char)*text) ? strtoull(text, &end, 10) : 0;
	if (first && !errno && *end == '-' && isdigit((unsigned char)end[1]))
		last = strtoull(end + 1, &end, 10);
	if (errno || !first || !last || *end || last < first)
		return cr_error(err, 0, "bad crbench.steps=%s: expected FIRST-LAST with 1 <= FIRST <= LAST, such as 3-3", text);
	a->first_step = first;
	a->last_step = last;
	return 0;
}
