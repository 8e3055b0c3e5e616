/* The image code's entry points in the static builds (build/mew-aarch64,
 * build/vm/mew-static), which run a rootfs they are given and link neither
 * libarchive nor libcrypto: Debian ships no static libzstd, liblz4 or libacl,
 * so a static libarchive would link with their calls unresolved, and a zstd
 * or lz4 layer would jump to address 0.  Each command that would reach the
 * image code says so instead; the rest are never reached. */
#include "image/image.h"

static int absent(struct mew_error **err, const char *what)
{
	return mew_error(err, 0, "%s: this mew is the static build, without the image code: use build/mew", what);
}

int image_ref_parse(const char *s, struct image_ref *ref, struct mew_error **err)
{
	return absent(err, "rootfs create --from image");
}

void image_ref_free(struct image_ref *ref)
{
}

int image_source_open(const struct image_ref *ref, struct image_source **out, struct mew_error **err)
{
	return absent(err, "rootfs create --from image");
}

void image_source_close(struct image_source *src)
{
}

int image_load(struct image_source *src, const struct image_ref *ref, const char *arch, struct image *img,
	       struct mew_error **err)
{
	return absent(err, "rootfs create --from image");
}

void image_free(struct image *img)
{
}

int image_unpack(struct image_source *src, const struct image *img, const char *dir,
		 struct image_layer_stats *st, struct mew_error **err)
{
	return absent(err, "rootfs create --from image");
}

int image_cache_list(FILE *out, struct mew_error **err)
{
	return absent(err, "images");
}

int image_cache_prune(bool all, FILE *out, struct mew_error **err)
{
	return absent(err, "images prune");
}

int image_run_prepare(struct spec *spec, struct image_run **out, struct mew_error **err)
{
	*out = NULL;
	return absent(err, "--image");
}

int image_run_writable(struct image_run *r, const char *engine, struct spec *spec, struct mew_error **err)
{
	return absent(err, "--image");
}

void image_run_release(struct image_run *r)
{
}
