/* crbench-agent: the static program systemd starts in each guest to run the suite. */
#include <getopt.h>
#include <sys/random.h>
#include <time.h>

#include "agent.h"
#include "docker.h"

#include "error.h"
#include "plan.h"
#include "proc.h"
#include "util.h"

extern const char crbench_version[];

static const char agent_usage[] =
	"usage: crbench-agent --payload DIR --results DISK\n"
	"       crbench-agent --plan FILE --guest NAME --check\n"
	"\n"
	"Runs the measurement suite of one guest of a crbench plan. The guest's\n"
	"crbench-agent.service starts it with the payload disk the host attached\n"
	"(DIR holds plan.ini and images.json, which says whether the suite's\n"
	"images are in the guest's Docker store or are to be loaded; the guest's\n"
	"name is crbench.guest= on the kernel command line, or DIR/guest) and the\n"
	"results disk, where every finished step is appended\n"
	"(docs/results-format.md). Progress goes to the console\n"
	"(docs/progress-protocol.md). A payload whose images.json says \"preload\"\n"
	"only loads the images into Docker's store (docs/run-format.md).\n"
	"\n"
	"  --payload DIR  the mounted payload disk\n"
	"  --results DISK the results disk (a block device, or a file for tests)\n"
	"  --plan FILE    with --check: the plan file\n"
	"  --guest NAME   with --check: which [guest NAME] of the plan this guest is\n"
	"  --check        validate the plan and the guest name, then exit\n"
	"  -h, --help     show this help\n"
	"  -V, --version  show the version\n";

/* The value of KEY=value on the kernel command line at path, or NULL (err set only when the file cannot be read). */
static char *cmdline_value(const char *path, const char *key, cr_error_t *err)
{
	cleanup_free char *cmdline = NULL;
	char *save = NULL;
	size_t len, klen = strlen(key);

	if (cr_read_file(path, 64 << 10, &cmdline, &len, err) < 0)
		return NULL;
	for (char *w = strtok_r(cmdline, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (strncmp(w, key, klen) == 0 && w[klen] == '=' && w[klen + 1])
			return xstrdup(w + klen + 1);
	return NULL;
}

/*
 * The guest's name: the payload's "guest" file when present (a payload made
 * for one guest), else crbench.guest= on the kernel command line (one payload
 * disk shared by every guest of a run).
 */
static char *read_guest_name(const char *payload, const char *cmdline_path, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/guest", payload);
	char *data = NULL;
	size_t len;

	if (access(path, F_OK) == 0) {
		if (cr_read_file(path, 256, &data, &len, err) < 0)
			return NULL;
		memmove(data, strstrip(data), strlen(strstrip(data)) + 1);
		return data;
	}
	data = cmdline_value(cmdline_path, "crbench.guest", err);
	if (!data && !*err)
		cr_error(err, 0, "no '%s' and no crbench.guest= in '%s': which guest of the plan is this?", path, cmdline_path);
	return data;
}

static uint64_t pick_seed(const struct cr_plan *plan)
{
	uint64_t seed;

	if (plan->seed_set)
		return plan->seed;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	return seed;
}

/* Docker starts with the guest: wait for it to answer, at most a few minutes. */
/* Whether systemd gave up on docker.service; its last log lines in *why. */
static bool docker_failed(char **why)
{
	char *is_failed[] = { (char *)"systemctl", (char *)"is-failed", (char *)"--quiet", (char *)"docker.service", NULL };
	char *journal[] = { (char *)"journalctl", (char *)"-u",	 (char *)"docker.service", (char *)"-n", (char *)"3",
			    (char *)"-o",	  (char *)"cat", (char *)"--no-pager",	   NULL };
	int status = -1;

	if (cr_run_capture(is_failed, 1, 4096, why, &status, NULL) < 0 || status != 0) {
		free(*why);
		*why = NULL;
		return false;
	}
	free(*why);
	*why = NULL;
	if (cr_run_capture(journal, 1, 4096, why, &status, NULL) < 0)
		*why = xstrdup("");
	for (char *c = *why; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return true;
}

static int wait_for_docker(struct cr_docker *d, cr_error_t *err)
{
	/* a dockerd that takes the connection and never answers must not hold the agent: 5 s per ping */
	double deadline = cr_now() + 120;

	cr_docker_set_timeout(d, 5);
	for (;;) {
		struct cr_docker_response r;
		cleanup_free char *why = NULL;
		bool last = cr_now() >= deadline;
		int ok = cr_docker_call(d, "GET", "/_ping", NULL, &r, last ? err : NULL);

		cr_docker_response_release(&r);
		if (ok == 0)
			return 0;
		if (docker_failed(&why))
			return cr_error(err, 0, "docker.service failed to start: %.400s", why);
		if (last)
			return cr_error_prefix(err, "dockerd did not answer for 120 s");
		sleep(1);
	}
}

/* The boot that fills the guest image's Docker store (host/lib/store.c): no plan, no results, its outcome on the console. */
static int preload(const char *payload, const struct cr_images_spec *images)
{
	cleanup_error cr_error_t err = NULL;
	struct cr_docker *d = NULL;
	int r = cr_docker_open(NULL, &d, &err);

	if (r == 0)
		r = wait_for_docker(d, &err);
	if (r == 0) {
		/* a load takes minutes under TCG: the host's timeout for the whole boot bounds it */
		cr_docker_set_timeout(d, 0);
		r = cr_images_preload(d, payload, images, "/", stdout, &err);
	}
	if (r < 0) {
		printf(CR_PRELOAD_MARK " failed: %s\n", err->msg);
		fflush(stdout);
	}
	cr_docker_close(d);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static const struct cr_guest_plan *find_guest(const struct cr_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_guests; i++)
		if (strcmp(plan->guests[i].name, name) == 0)
			return &plan->guests[i];
	return NULL;
}

int main(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "payload", required_argument, NULL, 'P' },
		{ "results", required_argument, NULL, 'r' },
		{ "plan", required_argument, NULL, 'p' },
		{ "guest", required_argument, NULL, 'g' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_error cr_error_t err = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	cleanup_free char *plan_file = NULL, *guest_file = NULL, *fault = NULL;
	const char *plan_path = NULL, *guest = NULL, *payload = NULL, *results = NULL;
	const struct cr_guest_plan *g;
	cleanup_images_spec struct cr_images_spec images = { 0 };
	struct cr_agent a = { .images = &images };
	bool check = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			payload = optarg;
			break;
		case 'r':
			results = optarg;
			break;
		case 'p':
			plan_path = optarg;
			break;
		case 'g':
			guest = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			fputs(agent_usage, stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("crbench-agent %s\n", crbench_version);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try 'crbench-agent --help'.\n");
			return 2;
		}
	}
	if (payload && cr_images_spec_load(payload, &images, &err) < 0) {
		fprintf(stderr, "crbench-agent: %s\n", err->msg);
		return EXIT_FAILURE;
	}
	if (payload && images.mode == CR_IMAGES_PRELOAD)
		return preload(payload, &images);
	if (payload) {
		plan_file = xasprintf("%s/plan.ini", payload);
		plan_path = plan_file;
		guest_file = read_guest_name(payload, getenv("CRBENCH_AGENT_CMDLINE") ? getenv("CRBENCH_AGENT_CMDLINE") : "/proc/cmdline",
					     &err);
		if (!guest_file) {
			fprintf(stderr, "crbench-agent: %s\n", err->msg);
			return EXIT_FAILURE;
		}
		guest = guest_file;
	}
	if (!plan_path || !guest || (!check && !results)) {
		fprintf(stderr,
			"crbench-agent: give --payload and --results, or --plan, --guest and --check\nTry 'crbench-agent --help'.\n");
		return 2;
	}
	if (cr_plan_load(plan_path, &plan, &err) < 0) {
		fprintf(stderr, "crbench-agent: %s\n", err->msg);
		return EXIT_FAILURE;
	}
	g = find_guest(plan, guest);
	if (!g) {
		fprintf(stderr, "crbench-agent: plan '%s' has no [guest %s]\n", plan_path, guest);
		return EXIT_FAILURE;
	}
	if (check) {
		printf("crbench-agent: plan '%s' is valid; guest '%s' runs runtime %s\n", plan_path, guest, g->runtime);
		return EXIT_SUCCESS;
	}
	a.plan = plan;
	a.guest = g;
	a.payload = payload ? payload : ".";
	a.seed = pick_seed(plan);
	if (payload) {
		const char *cmdline = getenv("CRBENCH_AGENT_CMDLINE") ? getenv("CRBENCH_AGENT_CMDLINE") : "/proc/cmdline";
		cleanup_error cr_error_t ferr = NULL;
		cleanup_free char *steps = cmdline_value(cmdline, "crbench.steps", &ferr);

		if (steps && cr_agent_parse_steps(steps, &a, &err) < 0) {
			fprintf(stderr, "crbench-agent: %s\n", err->msg);
			return EXIT_FAILURE;
		}
		fault = cmdline_value(cmdline, "crbench.fault", &ferr);
		a.fault = fault;
		if (fault && cr_fault_before_docker(fault, &ferr) < 0)
			fprintf(stderr, "crbench-agent: fault '%s': could not be injected: %s\n", fault, ferr->msg);
	}
	if (cr_docker_open(NULL, &a.docker, &err) < 0 || wait_for_docker(a.docker, &err) < 0) {
		fprintf(stderr, "crbench-agent: %s\n", err->msg);
		cr_docker_close(a.docker);
		return EXIT_FAILURE;
	}
	/*
	 * the runner's own calls (image loads, sweeps after a step) are bounded
	 * as a step is: a dockerd stuck on a container must not hang the suite
	 * before the step's entry is written
	 */
	cr_docker_set_timeout(a.docker, (long)plan->test_timeout);
	ret = cr_agent_run(&a, results, &err);
	cr_docker_close(a.docker);
	if (ret < 0) {
		fprintf(stderr, "crbench-agent: %s\n", err->msg);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
