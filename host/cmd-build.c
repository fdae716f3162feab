/* crbench build: build (or find in the cache) the guest base images and the suite's container images. */
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "build.h"
#include "commands.h"
#include "display.h"
#include "gfs.h"
#include "paths.h"
#include "plan.h"
#include "preflight.h"
#include "recipe.h"
#include "util.h"

static const char build_usage[] =
	"usage: crbench build [--image NAME]... [--plan FILE] [--rebuild] [--no-verify]\n"
	"                     [--mirror [DIST=]URL]... [--keyring [DIST=]FILE]... [--cache-dir DIR]\n"
	"                     [--accel kvm|tcg|auto] [--keep-rootfs FILE]\n"
	"\n"
	"Builds guest base images and the suite's container images from the recipes\n"
	"in images/ (images/NAME.conf) with mmdebstrap, or finds them in the cache.\n"
	"A guest image (kind = vm) also builds the container images every run loads\n"
	"(bench, httpd). Without --image or --plan, builds debian-12.\n"
	"\n"
	"The cache is content-addressed: the recipe, the files it uses, the mirror,\n"
	"the keyring and the builder version make the key, so a second build is a\n"
	"hit. Entries appear whole (written aside, then renamed) or not at all.\n"
	"With --plan, an image a Kata guest runs on gets that guest's Kata tarball\n"
	"(kata-tarball, downloaded when a URL, refused unless its SHA-256 is the\n"
	"plan's kata-sha256) under /opt/kata; the tarball is part of the key.\n"
	"\n"
	"  --image NAME      build images/NAME.conf (repeatable)\n"
	"  --plan FILE       build every image the plan's guests use\n"
	"  --rebuild         build even when the cache has the image\n"
	"  --no-verify       do not inspect new guest images with libguestfs\n"
	"  --mirror [DIST=]URL  archive mirror of every image, or with DIST (debian or\n"
	"                    ubuntu) of that distribution's images; repeatable (default:\n"
	"                    the host's apt mirror for the suite, else mmdebstrap's\n"
	"                    default for the distribution)\n"
	"  --keyring [DIST=]FILE  archive keyring instead of the recipe's, the same way\n"
	"  --cache-dir DIR   image cache (default $CRBENCH_CACHE_DIR, $XDG_CACHE_HOME/crbench,\n"
	"                    /var/cache/crbench for root, ~/.cache/crbench for others)\n"
	"  --accel MODE      kvm, tcg or auto: how the libguestfs appliance runs\n"
	"  --keep-rootfs FILE  keep mmdebstrap's root tarball of the first image as FILE,\n"
	"                    for bench/build.sh\n"
	"  -h, --help        show this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void add_name(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return;
	*names = xrealloc(*names, (*n + 2) * sizeof(**names));
	(*names)[(*n)++] = xstrdup(name);
	(*names)[*n] = NULL;
}

struct progress {
	struct build_display d;
	const char *image;
};

static void show_progress(void *data, const struct cr_build_progress *p)
{
	struct progress *pr = data;

	build_display_progress(&pr->d, pr->image, p);
}

/* Build one image (or find it cached), with a progress display on stderr. Returns an exit code. */
static int build_one(struct cr_build_opts *o, const char *images_dir, const struct cr_plan *plan, const char *name)
{
	cleanup_error cr_error_t err = NULL;
	struct progress pr = { .d = { .tty = isatty(2) }, .image = name };
	struct cr_built b;
	int ret;

	o->progress = show_progress;
	o->progress_data = &pr;
	ret = cr_build_image(o, images_dir, plan, name, &b, &err);
	/* pr ends with this call: o outlives it */
	o->progress = NULL;
	o->progress_data = NULL;
	build_display_end(&pr.d);
	if (ret < 0) {
		report_error(err);
		return o->interrupted && *o->interrupted ? 128 + *o->interrupted : EXIT_FAILURE;
	}
	build_display_built(name, &b);
	cr_built_release(&b);
	return EXIT_SUCCESS;
}

int cmd_build(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "plan", required_argument, NULL, 'p' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "accel", required_argument, NULL, 'a' },
		{ "keep-rootfs", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	cleanup_free char *cache_dir = NULL, *datadir = cr_data_dir(), *images_dir = NULL;
	const char *cache_override = NULL, *plan_path = NULL;
	struct cr_build_opts o = { .verify = true, .interrupted = &stop };
	cleanup_free const char **mirrors = NULL, **keyrings = NULL;
	enum cr_accel accel = CR_ACCEL_AUTO;
	cleanup_strv char **names = NULL;
	cleanup_plan struct cr_plan *plan = NULL;
	size_t n = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, ret = EXIT_SUCCESS;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			add_name(&names, &n, optarg);
			break;
		case 'p':
			plan_path = optarg;
			break;
		case 'r':
			o.rebuild = true;
			break;
		case 'n':
			o.verify = false;
			break;
		case 'm':
			if (parse_source_option("build", "--mirror", optarg, &mirrors))
				return EXIT_USAGE;
			break;
		case 'k':
			if (parse_source_option("build", "--keyring", optarg, &keyrings))
				return EXIT_USAGE;
			break;
		case 'C':
			cache_override = optarg;
			break;
		case 'K':
			o.keep_rootfs = optarg;
			break;
		case 'a':
			if (parse_accel_option("build", optarg, &accel))
				return EXIT_USAGE;
			break;
		default:
			return option_default("build", build_usage, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("build", "unexpected argument '%s'", argv[optind]);
	if (plan_path) {
		cleanup_error cr_error_t err = NULL;

		if (cr_plan_load(plan_path, &plan, &err) < 0)
			return report_error(err);
		for (size_t i = 0; i < plan->n_guests; i++)
			add_name(&names, &n, plan->guests[i].image);
	}
	if (n == 0)
		add_name(&names, &n, "debian-12");

	/* guest images need the suite's container images beside them */
	images_dir = xasprintf("%s/images", datadir);
	for (size_t i = 0, m = n; i < m; i++) {
		cleanup_error cr_error_t err = NULL;
		cleanup_recipe struct cr_recipe *r = NULL;

		if (cr_recipe_load(images_dir, names[i], &r, &err) < 0)
			return report_error(err);
		if (r->kind == CR_RECIPE_VM)
			for (size_t k = 0; cr_suite_container_recipes[k]; k++)
				add_name(&names, &n, cr_suite_container_recipes[k]);
	}

	cache_dir = cr_cache_dir(cache_override);
	o.cache_dir = cache_dir;
	o.srcdir = datadir;
	o.mirrors = mirrors;
	o.keyrings = keyrings;
	accel = cr_accel_resolve(accel);
	cr_gfs_configure(accel);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (size_t i = 0; i < n && ret == EXIT_SUCCESS; i++) {
		/* the tarball kept is the first image's, the one asked for, not a container image's */
		if (i == 1)
			o.keep_rootfs = NULL;
		ret = build_one(&o, images_dir, plan, names[i]);
	}
	return ret;
}
