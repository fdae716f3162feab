/* Unpacking helpers shared by the image builder and the Kata tarball. */
#include "untar.h"
#include "util.h"

int cr_untar_each(const char *tarball, cr_untar_fn fn, void *ctx, cr_error_t *err)
{
	struct archive *in = archive_read_new();
	struct archive_entry *e;
	int ret = -1, r;

	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open_filename(in, tarball, 1 << 20) != ARCHIVE_OK) {
		cr_error(err, 0, "cannot open '%s': %s", tarball, archive_error_string(in));
		goto out;
	}
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		int f = fn(ctx, in, e, err);

		if (f != 0) {
			ret = f > 0 ? 0 : -1;
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		cr_error(err, 0, "cannot read '%s': %s", tarball, archive_error_string(in));
		goto out;
	}
	ret = 0;
out:
	archive_read_free(in);
	return ret;
}

int cr_untar_copy_data(struct archive *in, struct archive *out, cr_error_t *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK) {
		if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_OK)
			return cr_error(err, 0, "cannot write: %s", archive_error_string(out));
	}
	if (r != ARCHIVE_EOF)
		return cr_error(err, 0, "cannot read: %s", archive_error_string(in));
	return 0;
}

int cr_untar_entry(struct archive *in, struct archive *out, struct archive_entry *e, const char *root, const char *tarball, cr_error_t *err)
{
	const char *name = archive_entry_pathname(e), *hardlink = archive_entry_hardlink(e);
	cleanup_free char *path = NULL, *link = NULL;

	if (!cr_path_is_contained(name) || (hardlink && !cr_path_is_contained(hardlink)))
		return cr_error(err, 0, "'%s' has an unsafe member '%s'", tarball, name ? name : "");
	path = xasprintf("%s/%s", root, name);
	archive_entry_set_pathname(e, path);
	if (hardlink) {
		link = xasprintf("%s/%s", root, hardlink);
		archive_entry_set_hardlink(e, link);
	}
	if (archive_write_header(out, e) < ARCHIVE_OK)
		return cr_error(err, 0, "cannot unpack '%s': %s", path, archive_error_string(out));
	if (archive_entry_size(e) > 0 && cr_untar_copy_data(in, out, err) < 0)
		return cr_error_prefix(err, "cannot unpack '%s'", path);
	if (archive_write_finish_entry(out) < ARCHIVE_OK)
		return cr_error(err, 0, "cannot unpack '%s': %s", path, archive_error_string(out));
	return 0;
}

const char *cr_untar_member_name(const char *name)
{
	while (str_has_prefix(name, "./"))
		name += 2;
	return strcmp(name, ".") == 0 ? "" : name;
}
