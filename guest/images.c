/*
 * The suite's container images in the guest's Docker: checked in the Docker
 * store the host preloaded into the guest's image, loaded from the images
 * disk only where the host says so, and the preload boot that fills the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "results.h"
#include "util.h"

/* The images a payload without images.json gets (an older host, a test's payload): loaded, not checked. */
static const char *const legacy_files[] = { "bench.tar", "httpd.tar" };

static const char *const mode_names[] = { [CR_IMAGES_LOAD] = "load", [CR_IMAGES_STORE] = "store", [CR_IMAGES_PRELOAD] = "preload" };

void cr_images_spec_release(struct cr_images_spec *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->image[i].file);
		free(s->image[i].tag);
		free(s->image[i].id);
	}
	*s = (struct cr_images_spec){ 0 };
}

static int spec_from_json(const json_t *doc, const char *path, struct cr_images_spec *s, cr_error_t *err)
{
	const char *mode = json_string_value(json_object_get(doc, "mode"));
	json_t *images = json_object_get(doc, "images"), *im;
	size_t i;

	s->mode = CR_IMAGES__MAX;
	for (int m = 0; mode && m < CR_IMAGES__MAX; m++)
		if (strcmp(mode, mode_names[m]) == 0)
			s->mode = (enum cr_images_mode)m;
	if (s->mode == CR_IMAGES__MAX)
		return cr_error(err, 0, "%s: \"mode\" must be \"load\", \"store\" or \"preload\"", path);
	if (!json_is_array(images) || json_array_size(images) == 0 || json_array_size(images) > CR_IMAGES_MAX)
		return cr_error(err, 0, "%s: \"images\" must be an array of 1 to %d images", path, CR_IMAGES_MAX);
	json_array_foreach(images, i, im) {
		const char *file = json_string_value(json_object_get(im, "file"));
		const char *tag = json_string_value(json_object_get(im, "tag"));
		const char *id = json_string_value(json_object_get(im, "id"));

		if (!file || !*file || strchr(file, '/') || !tag || !*tag || !id || strncmp(id, "sha256:", 7) != 0)
			return cr_error(err, 0, "%s: image %zu needs \"file\" (a name), \"tag\" and \"id\" (sha256:...)", path, i + 1);
		s->image[s->n++] = (struct cr_image){ xstrdup(file), xstrdup(tag), xstrdup(id) };
	}
	return 0;
}

int cr_images_spec_load(const char *payload, struct cr_images_spec *s, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/images.json", payload);
	json_error_t jerr;
	json_t *doc;
	int r;

	*s = (struct cr_images_spec){ .mode = CR_IMAGES_LOAD };
	if (access(path, F_OK) < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(legacy_files); i++)
			s->image[s->n++] = (struct cr_image){ xstrdup(legacy_files[i]), NULL, NULL };
		return 0;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return cr_error(err, 0, "%s:%d: %s", path, jerr.line, jerr.text);
	r = spec_from_json(doc, path, s, err);
	json_decref(doc);
	if (r < 0)
		cr_images_spec_release(s);
	return r;
}

/*
 * Where the image files are: the payload's images/ when it carries them,
 * else the read-only images disk the host attached (serial crbench-images;
 * the host makes it once and shares it between runs), mounted here. udev
 * may name the disk a moment after the agent starts.
 */
static char *images_dir(const char *payload, cr_error_t *err)
{
	char *in_payload = xasprintf("%s/images", payload);

	if (access(in_payload, F_OK) == 0)
		return in_payload;
	free(in_payload);
	for (int i = 0; access(CR_IMAGES_DISK, F_OK) < 0; i++) {
		if (i == 100) {
			cr_error(err, errno, "no '%s/images' and no images disk '%s'", payload, CR_IMAGES_DISK);
			return NULL;
		}
		usleep(100 * 1000);
	}
	if (mkdir(CR_IMAGES_MOUNT, 0755) < 0 && errno != EEXIST) {
		cr_error(err, errno, "cannot create '%s'", CR_IMAGES_MOUNT);
		return NULL;
	}
	if (mount(CR_IMAGES_DISK, CR_IMAGES_MOUNT, "ext4", MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY) {
		cr_error(err, errno, "cannot mount the images disk '%s' on '%s'", CR_IMAGES_DISK, CR_IMAGES_MOUNT);
		return NULL;
	}
	return xstrdup(CR_IMAGES_MOUNT);
}

/* Docker's id of the image tagged tag: *id NULL when Docker has no such image. */
static int image_id(struct cr_docker *d, const char *tag, char **id, double *seconds, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("/images/%s/json", tag);
	struct cr_docker_response r;
	int ret = cr_docker_call(d, "GET", path, NULL, &r, err);

	*id = NULL;
	*seconds = r.seconds;
	if (ret < 0 && r.status == 404) {
		cr_error_free(err);
		ret = 0;
	} else if (ret == 0) {
		const char *s = json_string_value(json_object_get(r.json, "Id"));

		if (!s)
			ret = cr_error(err, 0, "docker: GET %s: no \"Id\" in the answer", path);
		else
			*id = xstrdup(s);
	}
	cr_docker_response_release(&r);
	return ret;
}

#define STALE "(remove <cache>/images/store-* for the next run to make it again)"

/* The image as the host said it must be, or an error that says what differs and what to do. */
static int check_one(struct cr_docker *d, const struct cr_image *im, enum cr_images_mode mode, json_t *rec, cr_error_t *err)
{
	cleanup_free char *id = NULL;
	double seconds;

	if (image_id(d, im->tag, &id, &seconds, err) < 0)
		return -1;
	json_object_set_new(rec, "tag", json_string(im->tag));
	json_object_set_new(rec, "id", id ? json_string(id) : json_null());
	json_object_set_new(rec, "check_seconds", json_real(seconds));
	if (mode == CR_IMAGES_STORE && !id)
		return cr_error(err, 0, "%s is not in the guest image's Docker store: the store does not hold this run's images " STALE,
				im->tag);
	if (mode == CR_IMAGES_STORE && strcmp(id, im->id) != 0)
		return cr_error(err, 0, "%s is %s in the guest image's Docker store, the run expects %s " STALE, im->tag, id, im->id);
	if (!id)
		return cr_error(err, 0, "Docker has no %s after loading '%s'", im->tag, im->file);
	if (strcmp(id, im->id) != 0)
		return cr_error(err, 0, "Docker loaded %s from '%s' as %s, the run expects %s", im->tag, im->file, id, im->id);
	return 0;
}

static int load_one(struct cr_docker *d, const char *dir, const struct cr_image *im, json_t *rec, cr_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, im->file);
	struct cr_docker_response resp;
	int r = cr_docker_upload(d, "/images/load?quiet=1", path, &resp, err);

	if (r < 0)
		cr_error_prefix(err, "cannot load the suite's image '%s'", path);
	else
		json_object_set_new(rec, "seconds", json_real(resp.seconds));
	if (resp.body)
		json_object_set_new(rec, "answer", cr_json_text(resp.body));
	cr_docker_response_release(&resp);
	return r;
}

json_t *cr_images_prepare(struct cr_docker *d, const char *payload, const struct cr_images_spec *s, cr_error_t *err)
{
	cleanup_free char *dir = NULL;
	json_t *doc = json_pack("{s:s}", "mode", mode_names[s->mode]);

	if (s->mode != CR_IMAGES_STORE) {
		dir = images_dir(payload, err);
		if (!dir) {
			json_decref(doc);
			return NULL;
		}
		json_object_set_new(doc, "from", json_string(dir));
	} else {
		json_object_set_new(doc, "from", json_string("store"));
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct cr_image *im = &s->image[i];
		json_t *rec = json_object();

		json_object_set_new(doc, im->file, rec);
		if ((dir && load_one(d, dir, im, rec, err) < 0) || (im->id && check_one(d, im, s->mode, rec, err) < 0)) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

/*
 * Discard the free blocks of the filesystem at path: those docker load's
 * temporary copies held are then holes in the guest's overlay (its disk
 * has discard='unmap'), and the host's flattened store leaves them out. A
 * kernel or disk that cannot discard only costs the store its size.
 */
static void trim_fs(const char *path, FILE *console)
{
	struct fstrim_range range = { .start = 0, .len = UINT64_MAX, .minlen = 0 };
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, FITRIM, &range) < 0)
		fprintf(console, CR_PRELOAD_MARK " cannot trim '%s' (%s): the store keeps its freed blocks\n", path, strerror(errno));
	else
		fprintf(console, CR_PRELOAD_MARK " trimmed %llu MiB of free space in '%s'\n", (unsigned long long)(range.len >> 20), path);
	if (fd >= 0)
		close(fd);
}

int cr_images_preload(struct cr_docker *d, const char *payload, const struct cr_images_spec *s, const char *trim, FILE *console,
		      cr_error_t *err)
{
	json_t *doc;
	const char *file;
	json_t *rec;

	fprintf(console, CR_PRELOAD_MARK " loading %zu images into Docker's store\n", s->n);
	fflush(console);
	doc = cr_images_prepare(d, payload, s, err);
	if (!doc)
		return -1;
	json_object_foreach(doc, file, rec)
		if (json_is_object(rec))
			fprintf(console, CR_PRELOAD_MARK " loaded %s %s in %.1f s\n", json_string_value(json_object_get(rec, "tag")),
				json_string_value(json_object_get(rec, "id")), json_number_value(json_object_get(rec, "seconds")));
	json_decref(doc);
	/* dockerd writes its store; systemd stops it cleanly at the power-off that follows */
	sync();
	if (trim)
		trim_fs(trim, console);
	fprintf(console, CR_PRELOAD_MARK " done\n");
	fflush(console);
	return 0;
}
