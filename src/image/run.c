/* `mew run --image REF`: the image's cached rootfs (unpacked on first use),
 * what its config says, and the run's own writable layer. */
#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

struct image_run {
	char *entry;
	int use_fd;
	struct image_writable *writable;
};

int image_run_prepare(struct spec *spec, struct image_run **out, struct mew_error **err)
{
	struct image_ref ref;
	struct image_config config = { 0 };
	struct image_run *r;
	cleanup_free char *rootfs = NULL;

	*out = NULL;
	if (spec->rootfs != NULL)
		return mew_error(err, 0, "--image and --rootfs: give one of them");
	/* (auto never picks vm: the name is enough to know before the image) */
	if (spec->persist && spec->vm.root_disk && spec->engine != NULL && strcmp(spec->engine, "vm") == 0)
		return mew_error(err, 0, "--persist: the vm engine cannot keep the run's writes with --root-disk "
				 "(they stay in the guest's memory): use --engine vm without --root-disk");
	if (image_ref_parse(spec->image, &ref, err) < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		image_ref_free(&ref);
		return mew_error(err, ENOMEM, "image");
	}
	r->use_fd = -1;
	*out = r;
	if (image_cache_get(&ref, spec->arch, &r->entry, &config, &r->use_fd, err) < 0) {
		image_ref_free(&ref);
		return -1;
	}
	image_ref_free(&ref);
	if (spec->arch == NULL) {
		if (spec_arch_name(config.arch) == NULL) {
			mew_error(err, 0, "--image %s: the image is for `%s`: mew runs amd64 and arm64",
				  spec->image, config.arch);
			goto fail;
		}
		spec->arch = strdup(config.arch);
	} else if (strcmp(spec->arch, config.arch) != 0) {
		mew_error(err, 0, "--arch %s: the image %s is %s", spec->arch, spec->image, config.arch);
		goto fail;
	}
	if (asprintf(&rootfs, "%s/rootfs", r->entry) < 0) {
		mew_error(err, ENOMEM, "image");
		goto fail;
	}
	if (image_config_apply(&config, rootfs, spec, err) < 0)
		goto fail;
	/* Until the writable layer: the cached rootfs, for validation and
	 * the engine's choice (auto looks at the program's ELF header). */
	spec->rootfs = steal_pointer(&rootfs);
	image_config_free(&config);
	return 0;
fail:
	image_config_free(&config);
	return -1;
}

int image_run_writable(struct image_run *r, const char *engine, struct spec *spec,
		       struct mew_error **err)
{
	return image_writable_setup(r->entry, spec->persist, engine, spec, &r->writable, err);
}

void image_run_release(struct image_run *r)
{
	if (r == NULL)
		return;
	image_writable_release(r->writable);
	if (r->use_fd >= 0)
		close(r->use_fd);
	free(r->entry);
	free(r);
}
