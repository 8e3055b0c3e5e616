/* All layers of an image, in order, into one directory, each blob's digest
 * checked as it streams.  A progress line on stderr: rewritten in place on
 * a terminal; elsewhere, only when the unpack takes long, a line every few
 * seconds. */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

struct progress {
	size_t layer, nlayers;
	int64_t size;
	double start, last;
	bool tty, shown;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show(void *arg, uint64_t offset)
{
	struct progress *p = arg;
	double t = now();

	if (p->tty ? t - p->last < 0.2 : t - p->start < 3 || t - p->last < 5)
		return;
	p->last = t;
	p->shown = true;
	fprintf(stderr, "%smew: image: layer %zu/%zu: %.1f", p->tty ? "\r\033[K" : "", p->layer + 1,
		p->nlayers, (double)offset / (1 << 20));
	if (p->size > 0)
		fprintf(stderr, " of %.1f MiB (%d%%)", (double)p->size / (1 << 20),
			(int)(100.0 * (double)offset / (double)p->size));
	else
		fputs(" MiB", stderr);
	if (!p->tty)
		fputc('\n', stderr);
}

int image_unpack(struct image_source *src, const struct image *img, const char *dir,
		 struct image_layer_stats *out, struct mew_error **err)
{
	cleanup_close int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct image_layer_stats st = { .progress = show };
	struct progress p = { .nlayers = img->nlayers, .tty = isatty(STDERR_FILENO) };

	if (root < 0)
		return mew_error(err, errno, "open `%s`", dir);
	/* The root is world-readable, as an image's / is, unless a layer says. */
	if (fchmod(root, 0755) < 0)
		return mew_error(err, errno, "chmod `%s`", dir);
	p.start = p.last = now();
	st.progress_arg = &p;
	for (size_t i = 0; i < img->nlayers; i++) {
		const struct image_layer *l = &img->layers[i];
		struct image_blob *b;
		char what[128];

		p.layer = i;
		p.size = l->size;
		snprintf(what, sizeof(what), "layer %zu (%.19s)", i + 1,
			 l->digest != NULL ? l->digest : l->blob);
		if (image_blob_open(src, l->blob, l->digest, &b, err) < 0)
			return -1;
		if (image_layer_apply(root, b, what, &st, err) < 0) {
			image_blob_close(b, NULL);
			if (p.tty && p.shown)
				fputs("\r\033[K", stderr);
			return -1;
		}
		if (image_blob_close(b, err) < 0)
			return mew_error_wrap(err, "%s", what);
	}
	if (p.tty && p.shown)
		fputs("\r\033[K", stderr);
	if (p.shown)
		fprintf(stderr, "mew: image: %zu layers, %.1f MiB in %llu files, %.1f s\n", img->nlayers,
			(double)st.bytes / (1 << 20), (unsigned long long)st.entries, now() - p.start);
	if (out != NULL)
		*out = st;
	if (st.devices_skipped > 0)
		mew_warn("image: %llu device nodes skipped (creating them needs root)",
			 (unsigned long long)st.devices_skipped);
	if (st.xattrs_skipped > 0)
		mew_debug("image: %llu xattrs not set (refused by the filesystem or reserved)",
			  (unsigned long long)st.xattrs_skipped);
	return 0;
}
