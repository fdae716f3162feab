/* Disk IO (Kumar & Thangaraju, Table II): Bonnie++ in a container on the container's own file system. */
#include <math.h>

#include "agent.h"
#include "results.h"
#include "toolparse.h"
#include "util.h"

static json_t *value(const struct cr_bonnie_value *v, const char *field, json_t *not_measured)
{
	if (v->status == CR_BONNIE_MEASURED)
		return json_real(v->value);
	json_object_set_new(not_measured, field, json_string(v->status == CR_BONNIE_TOO_FAST ? "too fast to time" : "not run"));
	return json_null();
}

/* One bonnie++ run in a container: its numbers, command, output and time; direct adds -D (O_DIRECT for the block IO). */
static int bonnie(const struct cr_agent *a, bool direct, json_t **data, cr_error_t *err)
{
	uint64_t mib = a->plan->bonnie_size >> 20;
	/*
	 * -b: no write buffering (fsync after every write), as in the paper;
	 * -f: no per-character tests (the paper's Table II has block IO and
	 * seeks only; per-character IO is slow and measures libc); -n 0: no small-file tests; -r: the RAM bonnie++ assumes, half the file
	 * size, since it otherwise insists on twice the machine's memory; -q: the
	 * CSV line alone on stdout. The directory is in the container's own root
	 * file system: what the runtime gives a container (overlayfs, gVisor's
	 * gofer, Kata's shared file system) is what is measured.
	 */
	cleanup_free char *script = xasprintf(
		"mkdir -p /var/tmp/bonnie && exec bonnie++ -q -f -b -n 0 -x 1 -u root -d /var/tmp/bonnie "
		"-s %llu -r %llu%s",
		(unsigned long long)mib, (unsigned long long)(mib / 2 ? mib / 2 : 1), direct ? " -D" : "");
	json_t *config = cr_container_config(a, CR_BENCH_IMAGE, json_pack("[s, s, s]", "/bin/sh", "-c", script));
	struct cr_container_result res;
	struct cr_bonnie b;
	json_t *nm, *d;
	int ret = -1;

	if (cr_container_run(a, config, NULL, &res, err) < 0)
		goto out;
	if (res.exit_code != 0) {
		*data = cr_container_failed("bonnie++", script, &res, err);
		goto out;
	}
	if (cr_parse_bonnie(res.out, strlen(res.out), &b, err) < 0) {
		cr_error_prefix(err, "bonnie++ output");
		*data = json_pack("{s:s, s:I, s:o, s:o}", "command", script, "exit_code", (json_int_t)0, "stdout", cr_json_text(res.out),
				  "stderr", cr_json_text(res.err ? res.err : ""));
		goto out;
	}
	nm = json_object();
	d = json_pack("{s:s, s:s, s:I, s:s, s:s, s:f}", "tool", "bonnie++", "version", b.version, "size_bytes",
		      (json_int_t)a->plan->bonnie_size, "command", script, "raw", res.out, "seconds", res.seconds);
	json_object_set_new(d, "block_out_kps", value(&b.block_out, "block_out_kps", nm));
	json_object_set_new(d, "block_out_cpu", value(&b.block_out_cpu, "block_out_cpu", nm));
	json_object_set_new(d, "rewrite_kps", value(&b.rewrite, "rewrite_kps", nm));
	json_object_set_new(d, "rewrite_cpu", value(&b.rewrite_cpu, "rewrite_cpu", nm));
	json_object_set_new(d, "block_in_kps", value(&b.block_in, "block_in_kps", nm));
	json_object_set_new(d, "block_in_cpu", value(&b.block_in_cpu, "block_in_cpu", nm));
	json_object_set_new(d, "seeks_per_second", value(&b.seeks, "seeks_per_second", nm));
	json_object_set_new(d, "seeks_cpu", value(&b.seeks_cpu, "seeks_cpu", nm));
	json_object_set_new(d, "not_measured", nm);
	if (res.err && *res.err)
		json_object_set_new(d, "stderr", json_string(res.err));
	*data = d;
	ret = 0;
out:
	cr_container_result_release(&res);
	return ret;
}

/*
 * The paper's run, then with bonnie-direct the O_DIRECT one. A direct run
 * that fails (a file system without O_DIRECT, such as some shared file
 * systems) leaves the paper's numbers standing: "direct" then holds only
 * the reason, as "not_measured" of each of its fields.
 */
int cr_test_disk(const struct cr_agent *a, const struct cr_step *step, json_t **data, char **unsupported, cr_error_t *err)
{
	cleanup_error cr_error_t derr = NULL;
	json_t *direct = NULL;

	if (bonnie(a, false, data, err) < 0)
		return -1;
	if (!a->plan->bonnie_direct)
		return 0;
	if (bonnie(a, true, &direct, &derr) < 0) {
		/* what the failed run printed, when it ran: beside the reason */
		json_t *failed = direct;

		/* the message quotes bonnie++'s output, cut: maybe inside a character */
		direct = json_pack("{s:o, s:{s:o, s:o, s:o, s:o}}", "error", cr_json_text(derr->msg), "not_measured", "block_out_kps",
				   cr_json_text(derr->msg), "rewrite_kps", cr_json_text(derr->msg), "block_in_kps", cr_json_text(derr->msg),
				   "seeks_per_second", cr_json_text(derr->msg));
		if (failed)
			json_object_update_missing(direct, failed);
		json_decref(failed);
	}
	json_object_set_new(*data, "direct", direct);
	return 0;
}
