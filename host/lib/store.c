/* The guest image with the suite's images in its Docker store: keyed, made by one boot, flattened, cached. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "console.h"
#include "domain.h"
#include "outcome.h"
#include "paths.h"
#include "proc.h"
#include "run.h"
#include "rundir.h"
#include "sha256.h"
#include "store.h"
#include "util.h"
#include "virt.h"

#define STORE_VCPUS 2
#define STORE_MEMORY (2ULL << 30)

char *cr_store_key(const struct cr_built *vm, const struct cr_store_image *images, size_t n)
{
	cleanup_free char *text = xasprintf("crbench-store %d\nvm %s\n", CR_STORE_FORMAT_VERSION, vm->key);
	char hex[CR_SHA256_HEX_LEN + 1];

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%simage %s %s %s\n", text, images[i].file, images[i].tag, images[i].id);

		free(text);
		text = next;
	}
	cr_sha256_hex(text, strlen(text), hex);
	hex[16] = '\0';
	return xstrdup(hex);
}

char *cr_store_images_json(const struct cr_store_image *images, size_t n, const char *mode)
{
	json_t *doc = json_pack("{s:s, s:i, s:s, s:[]}", "format", "crbench-images", "version", 1, "mode", mode, "images");
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(json_object_get(doc, "images"),
				      json_pack("{s:s, s:s, s:s}", "file", images[i].file, "tag", images[i].tag, "id", images[i].id));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

void cr_store_images_release(struct cr_store_image *images, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(images[i].file);
		free(images[i].tag);
		free(images[i].id);
		images[i] = (struct cr_store_image){ 0 };
	}
}

void cr_store_release(struct cr_store *s)
{
	free(s->dir);
	free(s->key);
	free(s->disk);
	*s = (struct cr_store){ 0 };
}

/* What the loading boot said. */
struct watch {
	const struct cr_store_opts *o;
	json_t *loaded; /* tag -> {id, seconds} */
	bool done, panic;
	char *failed;
};

static void on_line(void *data, const char *line)
{
	struct watch *w = data;
	const char *rest;

	if (strstr(line, "Kernel panic"))
		w->panic = true;
	/* systemd puts its "[uptime] agent-launch[pid]: " before the agent's line on the console */
	rest = strstr(line, CR_PRELOAD_MARK " ");
	if (!rest)
		return;
	rest += strlen(CR_PRELOAD_MARK) + 1;
	if (w->o->on_line)
		w->o->on_line(w->o->data, rest);
	if (strcmp(rest, "done") == 0) {
		w->done = true;
	} else if (strncmp(rest, "failed: ", 8) == 0) {
		free(w->failed);
		w->failed = xstrdup(rest + 8);
	} else if (strncmp(rest, "loaded ", 7) == 0) {
		char tag[256], id[128];
		double seconds;

		if (sscanf(rest + 7, "%255s %127s in %lf s", tag, id, &seconds) == 3)
			json_object_set_new(w->loaded, tag, json_pack("{s:s, s:f}", "id", id, "seconds", seconds));
	}
}

/* The boot that loads the images: until it powers off, the timeout or a stop; the domain is gone afterwards. */
static int load_boot(const struct cr_store_opts *o, const char *rundir, const char *overlay, struct watch *w, double *seconds,
		     cr_error_t *err)
{
	cleanup_free char *kernel = xasprintf("%s/%s", o->vm->dir, CR_IMAGE_KERNEL),
			  *initrd = xasprintf("%s/%s", o->vm->dir, CR_IMAGE_INITRD);
	cleanup_free char *payload_dir = xasprintf("%s/payload", rundir), *payload = xasprintf("%s/payload.raw", rundir);
	cleanup_free char *agent = cr_agent_path(), *json_path = xasprintf("%s/images.json", rundir);
	cleanup_free char *json = cr_store_images_json(o->images, o->n_images, "preload");
	cleanup_free char *console = xasprintf("%s/console.log", rundir), *name = xasprintf("crbench-store-%d", (int)getpid());
	cleanup_conn virConnectPtr conn = NULL;
	struct cr_payload_file files[] = { { agent, "crbench-agent" }, { json_path, "images.json" } };
	struct cr_console con = { .path = console };
	struct cr_domain_spec spec = { .name = name,
				       .accel = o->accel,
				       .vcpus = STORE_VCPUS,
				       .memory = STORE_MEMORY,
				       .kernel = kernel,
				       .initrd = initrd,
				       .disk = overlay,
				       .payload = payload,
				       .images = o->images_disk,
				       .console_log = console };
	virDomainPtr dom = NULL;
	double t0;
	bool stopped = false;

	if (cr_write_text(json_path, json, err) < 0 ||
	    cr_payload_make(payload_dir, files, ARRAY_SIZE(files), "crbench-payload", payload, err) < 0)
		return -1;
	cr_rundir_add_domain(rundir, name);
	if (cr_virt_open(NULL, &conn, err) < 0 || cr_domain_start(conn, &spec, &dom, err) < 0)
		return -1;
	t0 = cr_now();
	for (;;) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };

		cr_console_poll(&con, on_line, w);
		if (!cr_domain_running(dom))
			break;
		if ((o->stop && *o->stop) || cr_now() - t0 > o->timeout) {
			stopped = true;
			break;
		}
		nanosleep(&ts, NULL);
	}
	cr_console_poll(&con, on_line, w);
	cr_domain_destroy(dom);
	*seconds = cr_now() - t0;
	if (stopped && o->stop && *o->stop)
		return cr_error(err, 0, "interrupted while loading the images into %s's Docker store", o->vm_name);
	if (stopped)
		return cr_error(err, 0, "loading the images into %s's Docker store took over %.0f s", o->vm_name, o->timeout);
	if (w->failed)
		return cr_error(err, 0, "the guest could not load the images into %s's Docker store: %s", o->vm_name, w->failed);
	if (w->panic)
		return cr_error(err, 0, "the guest of %s panicked while loading the images into its Docker store", o->vm_name);
	if (!w->done)
		return cr_error(err, 0, "the guest of %s powered off without loading the images into its Docker store", o->vm_name);
	for (size_t i = 0; i < o->n_images; i++) {
		const char *id = json_string_value(json_object_get(json_object_get(w->loaded, o->images[i].tag), "id"));

		if (!id || strcmp(id, o->images[i].id) != 0)
			return cr_error(err, 0, "the guest of %s loaded %s as %s, expected %s", o->vm_name, o->images[i].tag,
					id ? id : "nothing", o->images[i].id);
	}
	return 0;
}

static int write_manifest(const struct cr_store_opts *o, const char *path, const char *key, const struct watch *w, double boot_seconds,
			  double convert_seconds, cr_error_t *err)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *images = json_array(), *doc;
	int ret;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < o->n_images; i++)
		json_array_append_new(images, json_pack("{s:s, s:s, s:s, s:O}", "file", o->images[i].file, "tag", o->images[i].tag, "id",
							o->images[i].id, "loaded", json_object_get(w->loaded, o->images[i].tag)));
	doc = json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:{s:f, s:f}}", "format", "crbench-store", "version",
			CR_STORE_FORMAT_VERSION, "key", key, "image", "recipe", o->vm_name, "key", o->vm->key, "images", images, "accel",
			cr_accel_name(o->accel), "built_at", when, "seconds", "boot", boot_seconds, "flatten", convert_seconds);
	ret = json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (ret < 0)
		return cr_error(err, errno, "cannot write '%s'", path);
	return 0;
}

/* Boot, check, flatten into tmp; keep the console log in the cache's logs/ when it fails. */
static int make(const struct cr_store_opts *o, const char *key, const char *tmp, cr_error_t *err)
{
	cleanup_free char *base = xasprintf("%s/%s", o->vm->dir, CR_IMAGE_DISK), *rundir = NULL, *runname = NULL;
	cleanup_free char *overlay = NULL, *disk = xasprintf("%s/%s", tmp, CR_IMAGE_DISK);
	cleanup_free char *manifest = xasprintf("%s/%s", tmp, CR_IMAGE_MANIFEST);
	struct watch w = { .o = o, .loaded = json_object() };
	double boot_seconds = 0, t;
	int ret = -1;

	runname = xasprintf("store-%s-%d", key, (int)getpid());
	if (cr_rundir_create(o->cache_dir, runname, NULL, &rundir, err) < 0)
		goto out;
	overlay = xasprintf("%s/overlay.qcow2", rundir);
	if (cr_overlay_make(base, overlay, err) < 0)
		goto out;
	ret = load_boot(o, rundir, overlay, &w, &boot_seconds, err);
	{
		cleanup_free char *from = xasprintf("%s/console.log", rundir);
		cleanup_free char *logs = xasprintf("%s/logs", o->cache_dir);
		cleanup_free char *to = ret == 0 ? xasprintf("%s/console.log", tmp) : xasprintf("%s/store-%s-console.log", logs, key);
		cleanup_error cr_error_t cerr = NULL;
		char *cp[] = { (char *)"cp", (char *)"--", from, to, NULL };

		if (ret < 0)
			mkdir(logs, 0755);
		if (access(from, F_OK) == 0 && cr_run_checked(cp, &cerr) == 0 && ret < 0)
			cr_error_prefix(err, "(its console: %s)", to);
	}
	if (ret < 0)
		goto out;
	t = cr_now();
	{
		char *convert[] = { (char *)"qemu-img", (char *)"convert", (char *)"-O", (char *)"qcow2", overlay, disk, NULL };

		ret = cr_run_checked(convert, err);
		if (ret < 0)
			cr_error_prefix(err, "cannot flatten '%s' into '%s'", overlay, disk);
	}
	if (ret == 0)
		ret = write_manifest(o, manifest, key, &w, boot_seconds, cr_now() - t, err);
out:
	if (rundir)
		cr_rmtree(rundir);
	json_decref(w.loaded);
	free(w.failed);
	return ret;
}

int cr_store_get(const struct cr_store_opts *o, struct cr_store *out, cr_error_t *err)
{
	cleanup_free char *tmp = NULL, *images = xasprintf("%s/images", o->cache_dir);
	double t = cr_now();

	*out = (struct cr_store){ .key = cr_store_key(o->vm, o->images, o->n_images) };
	out->dir = xasprintf("%s/store-%s", images, out->key);
	out->disk = xasprintf("%s/%s", out->dir, CR_IMAGE_DISK);
	{
		cleanup_free char *manifest = xasprintf("%s/%s", out->dir, CR_IMAGE_MANIFEST);

		if (access(manifest, R_OK) == 0 && access(out->disk, R_OK) == 0) {
			cr_cache_used(out->dir);
			return 0;
		}
	}
	if (o->on_line)
		o->on_line(o->data,
			   "not in the cache: one boot of the image loads the suite's images into its Docker store (once per "
			   "image: no guest loads them again)");
	tmp = xasprintf("%s/.tmp-store-%s-%d", images, out->key, (int)getpid());
	cr_rmtree(tmp);
	if ((mkdir(images, 0755) < 0 && errno != EEXIST) || mkdir(tmp, 0755) < 0) {
		cr_error(err, errno, "cannot create '%s'", tmp);
		goto fail;
	}
	if (make(o, out->key, tmp, err) < 0) {
		cr_rmtree(tmp);
		goto fail;
	}
	/* a concurrent run may have made it first: theirs stands */
	if (rename(tmp, out->dir) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
		cr_error(err, errno, "cannot rename '%s' to '%s'", tmp, out->dir);
		cr_rmtree(tmp);
		goto fail;
	}
	cr_rmtree(tmp);
	cr_cache_used(out->dir);
	out->made = true;
	out->seconds = cr_now() - t;
	return 0;
fail:
	cr_store_release(out);
	return -1;
}
