#include "vm/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"

/* What a bind's options may say: the agent binds and, for ro, remounts; the
 * 9p server holds read-only on the host.  Propagation has no meaning for a
 * share of a host directory. */
static int option_known(const char *o, bool *ro)
{
	static const char *const ignored[] = { "bind", "rbind", "rw", "private", "rprivate", "slave", "rslave", NULL };
	if (strcmp(o, "ro") == 0)
		return *ro = true, 1;
	for (int i = 0; ignored[i] != NULL; i++)
		if (strcmp(o, ignored[i]) == 0)
			return 1;
	return 0;
}

int vm_volumes(const struct spec *spec, struct virtio_9p_share **shares, int *n, struct mew_error **err)
{
	cleanup_close int root = -1;

	*shares = NULL;
	*n = 0;
	if (spec->nmounts == 0)
		return 0;
	*shares = calloc(spec->nmounts, sizeof(**shares));
	if (*shares == NULL)
		return mew_error(err, ENOMEM, "--volume");
	root = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return mew_error(err, errno, "--rootfs `%s`", spec->rootfs);
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		struct stat st;
		bool ro = false;

		if (strcmp(m->type, "bind") != 0)
			return mew_error(err, 0, "--volume: a %s mount at `%s`: the vm engine shares host paths only: use --engine container",
					 m->type, m->destination);
		for (size_t k = 0; m->options != NULL && m->options[k] != NULL; k++)
			if (!option_known(m->options[k], &ro))
				return mew_error(err, 0, "--volume: option `%s` of `%s`: the vm engine cannot apply it: use --engine container",
						 m->options[k], m->destination);
		if (stat(m->source, &st) < 0)
			return mew_error(err, errno, "--volume: `%s`", m->source);
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			return mew_error(err, 0, "--volume: `%s` is neither a directory nor a file: the vm engine shares only those: use --engine container",
					 m->source);
		int fd = file_open_in_root(root, m->destination, true, !S_ISDIR(st.st_mode), err);
		if (fd < 0)
			return -1;
		close(fd);
		(*shares)[(*n)++] = (struct virtio_9p_share){ m->source, ro };
	}
	return 0;
}
