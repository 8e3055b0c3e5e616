#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "image/image.h"
#include "spec/flags.h"

static int stdin_from_null(struct mew_error **err)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mew_error(err, errno, "open /dev/null");
	if (dup2(fd, STDIN_FILENO) < 0) {
		close(fd);
		return mew_error(err, errno, "standard input from /dev/null");
	}
	close(fd);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct spec spec;
	const struct engine *engine;
	struct image_run *image = NULL;
	char why[256];
	int r;

	spec_init(&spec);
	r = spec_parse_run_flags(argc, argv, &spec, &err);
	if (r == 1) {
		fputs(spec_run_usage, stdout);
		spec_free(&spec);
		return 0;
	}
	if (r < 0)
		goto fail;
	/* --image: the cached rootfs, and what the image's config says. */
	if (spec.image != NULL && image_run_prepare(&spec, &image, &err) < 0)
		goto fail;
	/* The emulate engine exists to run arm64 programs: that is its default. */
	if (spec.arch == NULL && spec.engine != NULL && strcmp(spec.engine, "emulate") == 0)
		spec.arch = strdup("arm64");
	/* What a named engine cannot honour is refused by name before anything
	 * else is looked at, the rootfs included (`auto` reads the rootfs to
	 * choose, so it is refused after). */
	engine = NULL;
	if (spec.engine != NULL && strcmp(spec.engine, "auto") != 0) {
		engine = engine_for_spec(&spec);
		if (engine_fit_spec(engine, &spec, &err) < 0)
			goto fail;
	}
	if (spec.rootfs == NULL) {
		spec.rootfs = spec_default_rootfs(spec.arch);
		if (spec.rootfs != NULL && !file_is_dir(spec.rootfs)) {
			mew_error(&err, 0,
				  "no default rootfs at `%s`: build it with `scripts/rootfs-busybox.sh %s` or pass --rootfs DIR",
				  spec.rootfs, spec.arch != NULL ? spec.arch : spec_host_arch());
			goto fail;
		}
	}
	if (spec_validate(&spec, &err) < 0)
		goto fail;
	if (engine == NULL) {
		engine = engine_for_spec(&spec);
		if (engine_fit_spec(engine, &spec, &err) < 0)
			goto fail;
	}
	if (engine->probe(why, sizeof(why)) < 0) {
		mew_error(&err, 0, "engine %s cannot run on this host: %s (see mew engines)",
			  engine->name, why);
		goto fail;
	}
	if (image != NULL && image_run_writable(image, engine->name, &spec, &err) < 0)
		goto fail;
	/* Without -i the command reads nothing, as with docker, under every
	 * engine: the ones that hand the command mew's own descriptors (syscall,
	 * emulate) would otherwise pass mew's standard input on. */
	if (!spec.interactive && !spec.tty && !spec.vm.console && stdin_from_null(&err) < 0)
		goto fail;
	r = engine->run(&spec, &err);
	if (r < 0)
		goto fail;
	image_run_release(image);
	spec_free(&spec);
	return r;
fail:
	r = mew_error_report(err);
	mew_error_free(err);
	image_run_release(image);
	spec_free(&spec);
	return r;
}
