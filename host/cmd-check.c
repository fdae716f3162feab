/* crbench check: the preflight report, as lines or JSON. */
#include <getopt.h>
#include <jansson.h>

#include "commands.h"
#include "paths.h"
#include "preflight.h"
#include "util.h"

static const char check_usage[] =
	"usage: crbench check [--accel kvm|tcg|auto] [--connect URI] [--upload] [--pool NAME]\n"
	"                     [--cache-dir DIR] [--plan FILE] [--mirror [DIST=]URL]...\n"
	"                     [--keyring [DIST=]FILE]... [--json]\n"
	"\n"
	"Checks, one line each, what runs need from this host: the accelerator\n"
	"(KVM only where /dev/kvm works and the CPU has vmx or svm, TCG otherwise),\n"
	"nested virtualization, the libvirt connection, virtlogd, qemu-img,\n"
	"mmdebstrap, libguestfs and free space in the cache; with --plan, the plan,\n"
	"whether each guest's image has its runtime, the Kata tarball of Kata\n"
	"guests (there, with the plan's kata-sha256, a Kata static release), and\n"
	"whether the Docker store of guests on a host reached by upload can be\n"
	"made here (else they load the container images at every boot). Each\n"
	"item is PASS, WARN or FAIL with the fix to apply. Exits 1 only when an\n"
	"item is FAIL.\n"
	"\n"
	"  --accel MODE      kvm or tcg to force the accelerator; auto (default) decides\n"
	"  --connect URI     libvirt URI (default qemu:///system); for one on another\n"
	"                    host, the accelerator is that host's and its storage pool\n"
	"                    is checked, as crbench run uses it\n"
	"  --upload          check as crbench run --upload would (a local libvirtd\n"
	"                    used as a remote one)\n"
	"  --pool NAME       the storage pool on a remote host (default: default)\n"
	"  --cache-dir DIR   image cache (default $CRBENCH_CACHE_DIR, $XDG_CACHE_HOME/crbench,\n"
	"                    /var/cache/crbench for root, ~/.cache/crbench for others)\n"
	"  --plan FILE       also check this plan file and what it needs: each image's\n"
	"                    keyring, and for each the cache lacks, that its mirror\n"
	"                    serves its suite (curl, or mmdebstrap --simulate)\n"
	"  --mirror [DIST=]URL  the mirror the plan's images are built from, as for\n"
	"                    crbench build and crbench run\n"
	"  --keyring [DIST=]FILE  their archive keyring, as for crbench build\n"
	"  --json            print one JSON object instead of lines\n"
	"  -h, --help        show this help\n";

static int print_json(const struct cr_preflight *p, const char *cache_dir)
{
	json_t *items = json_array(), *hosts = json_array();
	json_t *root;
	int r;

	for (size_t i = 0; i < p->n_items; i++) {
		const struct cr_check_item *it = &p->items[i];

		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:s, s:s?, s:I}", "name", it->name, "status", cr_status_names[it->status],
						"message", it->message, "fix", it->fix, "host", (json_int_t)it->host));
	}
	for (size_t k = 0; k < p->n_hosts; k++) {
		const struct cr_preflight_host *h = &p->hosts[k];

		json_array_append_new(hosts, json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:b}", "uri", cr_preflight_host_uri(h), "pool",
						       cr_preflight_host_pool(h), "upload", h->upload, "remote", h->remote, "accelerator",
						       cr_accel_name(h->accel), "guests", h->guests, "used", !h->idle));
	}
	root = json_pack("{s:s, s:s, s:b, s:s, s:o}", "status", cr_status_names[cr_preflight_worst(p)], "accelerator",
			 cr_accel_name(p->accel), "remote", p->remote, "cache_dir", cache_dir, "items", items);
	json_object_set_new(root, "hosts", hosts);
	r = json_dumpf(root, stdout, JSON_INDENT(2));
	json_decref(root);
	putchar('\n');
	return r;
}

static void print_lines(const struct cr_preflight *p)
{
	size_t count[3] = { 0, 0, 0 };

	for (size_t i = 0; i < p->n_items; i++) {
		const struct cr_check_item *it = &p->items[i];

		count[it->status]++;
		if (it->host && (i == 0 || p->items[i - 1].host != it->host))
			printf("libvirt host %s, pool %s, for [guest %s]:\n", cr_preflight_host_uri(&p->hosts[it->host]),
			       cr_preflight_host_pool(&p->hosts[it->host]), p->hosts[it->host].guests);
		else if (!it->host && i > 0 && p->items[i - 1].host)
			printf("this host:\n");
		printf("%s %s: %s", cr_status_names[it->status], it->name, it->message);
		if (it->fix)
			printf("; fix: %s", it->fix);
		putchar('\n');
	}
	printf("%zu passed, %zu warnings, %zu failed; guests will use %s\n", count[CR_PASS], count[CR_WARN], count[CR_FAIL],
	       cr_accel_name(p->accel));
}

int cmd_check(int argc, char **argv)
{
	/* clang-format off */
	static const struct option opts[] = {
		{ "accel", required_argument, NULL, 'a' },
		{ "connect", required_argument, NULL, 'c' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "plan", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "upload", no_argument, NULL, 'U' },
		{ "pool", required_argument, NULL, 'L' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* clang-format on */
	struct cr_preflight_opts po = { .root = "", .accel = CR_ACCEL_AUTO };
	cleanup_free const char **mirrors = NULL, **keyrings = NULL;
	cleanup_free char *cache_dir = NULL;
	const char *cache_override = NULL;
	struct cr_preflight p;
	bool json = false;
	int c, worst;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_accel_option("check", optarg, &po.accel))
				return EXIT_USAGE;
			break;
		case 'c':
			po.connect_uri = optarg;
			break;
		case 'C':
			cache_override = optarg;
			break;
		case 'p':
			po.plan_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'U':
			po.upload = true;
			break;
		case 'L':
			po.pool = optarg;
			break;
		case 'm':
			if (parse_source_option("check", "--mirror", optarg, &mirrors))
				return EXIT_USAGE;
			break;
		case 'K':
			if (parse_source_option("check", "--keyring", optarg, &keyrings))
				return EXIT_USAGE;
			break;
		default:
			return option_default("check", check_usage, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("check", "unexpected argument '%s'", argv[optind]);

	cache_dir = cr_cache_dir(cache_override);
	po.cache_dir = cache_dir;
	po.mirrors = mirrors;
	po.keyrings = keyrings;
	cr_preflight_run(&po, &p);
	if (json)
		print_json(&p, cache_dir);
	else
		print_lines(&p);
	worst = cr_preflight_worst(&p);
	cr_preflight_release(&p);
	return worst == CR_FAIL ? EXIT_FAILURE : EXIT_SUCCESS;
}
