/* mew images: the images unpacked in mew's cache (by `mew run --image`),
 * with their sizes; `mew images prune` removes those no run is using. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "image/image.h"

static const char usage_text[] =
	"Usage: mew images            list the unpacked images in mew's cache\n"
	"       mew images prune [--all]\n"
	"\n"
	"`mew run --image REF` unpacks an image once, by its digest, into mew's cache\n"
	"($MEW_CACHE/images).  prune removes the unpacks no run is using; those a\n"
	"--persist run wrote into are kept unless --all.\n";

int cmd_images(int argc, char **argv)
{
	struct mew_error *err = NULL;
	int r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "ls") == 0))
		r = image_cache_list(stdout, &err);
	else if (strcmp(argv[1], "prune") == 0 &&
		 (argc == 2 || (argc == 3 && strcmp(argv[2], "--all") == 0)))
		r = image_cache_prune(argc == 3, stdout, &err);
	else {
		fprintf(stderr, "mew: images: unknown arguments (see mew images --help)\n");
		return 125;
	}
	if (r < 0) {
		r = mew_error_report(err);
		mew_error_free(err);
		return r;
	}
	return 0;
}
