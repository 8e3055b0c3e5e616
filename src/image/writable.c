/* Each run of an image writes on a layer of its own, thrown away after it,
 * so that the cached unpack stays as the image made it.  Per engine:
 *   - as root, every engine: an overlay (the cache's rootfs as its lower
 *     directory) mounted in a mount namespace of mew's own, so that the
 *     mount dies with mew even when it is killed; the container engine's
 *     namespaces, the syscall and emulate engines' path translation and the
 *     vm engine's 9p server all see the merged directory;
 *   - the vm engine with --root-disk: its own copy-on-write (the ext4 image
 *     built from the cached rootfs is never written), so nothing here;
 *   - without root: a copy (cp -a --reflink=auto: instant where the
 *     filesystem shares extents), since an overlay would need a user
 *     namespace that changes the identity the syscall engine sees.
 * The upper directory or copy is in $MEW_CACHE/images/run/<pid>-*: removed
 * after the run, or by the next run when mew was killed.
 * --persist: no layer; the run writes into the cached rootfs, marked as
 * persisted (mew images shows it; prune keeps it unless --all). */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"

struct image_writable {
	char *dir;    /* run/<pid>-XXXXXX, removed on release */
	char *merged; /* the overlay's mount point, or NULL */
};

static int copy_tree(const char *from, const char *to, struct mew_error **err)
{
	cleanup_free char *src = NULL;
	int status;
	pid_t pid;

	if (asprintf(&src, "%s/.", from) < 0)
		return mew_error(err, ENOMEM, "image");
	pid = fork();
	if (pid < 0)
		return mew_error(err, errno, "fork");
	if (pid == 0) {
		execlp("cp", "cp", "-a", "--reflink=auto", "--", src, to, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return mew_error(err, errno, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return mew_error(err, 0, "copying the image's rootfs `%s` to `%s` for the run failed", from, to);
	return 0;
}

static int overlay(struct image_writable *w, const char *lower, struct mew_error **err)
{
	cleanup_free char *upper = NULL, *work = NULL, *opts = NULL;

	if (asprintf(&upper, "%s/upper", w->dir) < 0 || asprintf(&work, "%s/work", w->dir) < 0 ||
	    asprintf(&w->merged, "%s/merged", w->dir) < 0 ||
	    asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work) < 0)
		return mew_error(err, ENOMEM, "image");
	if (strpbrk(lower, ",:") != NULL || strpbrk(w->dir, ",:") != NULL)
		return mew_error(err, 0, "the image cache path `%s` has a `,` or `:`, which overlayfs options cannot hold", lower);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 || mkdir(w->merged, 0755) < 0)
		return mew_error(err, errno, "mkdir in `%s`", w->dir);
	/* A mount namespace of mew's own: the overlay is gone when mew is. */
	if (unshare(CLONE_NEWNS) < 0)
		return mew_error(err, errno, "unshare(CLONE_NEWNS) for the image's overlay");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return mew_error(err, errno, "make mew's mounts private");
	if (mount("overlay", w->merged, "overlay", 0, opts) < 0)
		return mew_error(err, errno, "mount an overlay over `%s` at `%s`", lower, w->merged);
	return 0;
}

int image_writable_setup(const char *entry, bool persist, const char *engine, struct spec *spec,
			 struct image_writable **out, struct mew_error **err)
{
	cleanup_free char *lower = NULL, *runs = NULL;
	struct image_writable *w;

	*out = NULL;
	if (asprintf(&lower, "%s/rootfs", entry) < 0)
		return mew_error(err, ENOMEM, "image");
	if (persist || (strcmp(engine, "vm") == 0 && spec->vm.root_disk)) {
		if (persist) {
			cleanup_free char *mark = NULL;
			if (asprintf(&mark, "%s/persisted", entry) < 0 || file_touch(mark, 0644, err) < 0)
				return mew_error(err, ENOMEM, "image");
		}
		free(spec->rootfs);
		spec->rootfs = steal_pointer(&lower);
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return mew_error(err, ENOMEM, "image");
	*out = w;
	if (asprintf(&runs, "%s/../run", entry) < 0 || file_mkdir_p(runs, 0755, err) < 0 ||
	    asprintf(&w->dir, "%s/%d-XXXXXX", runs, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "image");
	if (mkdtemp(w->dir) == NULL) {
		int e = errno;
		free(w->dir);
		w->dir = NULL;
		return mew_error(err, e, "mkdtemp in `%s`", runs);
	}
	free(spec->rootfs);
	spec->rootfs = NULL;
	if (geteuid() == 0) {
		struct mew_error *why = NULL;
		if (overlay(w, lower, &why) == 0) {
			spec->rootfs = strdup(w->merged);
			return spec->rootfs == NULL ? mew_error(err, ENOMEM, "image") : 0;
		}
		/* A cache on a filesystem overlayfs cannot use as its upper
		 * layer: the run gets a copy instead. */
		mew_warn("image: %s; the run writes on a copy instead", why->msg);
		mew_error_free(why);
		free(w->merged);
		w->merged = NULL;
	}
	if (asprintf(&spec->rootfs, "%s/rootfs", w->dir) < 0) {
		spec->rootfs = NULL;
		return mew_error(err, ENOMEM, "image");
	}
	if (mkdir(spec->rootfs, 0755) < 0)
		return mew_error(err, errno, "mkdir `%s`", spec->rootfs);
	return copy_tree(lower, spec->rootfs, err);
}

void image_writable_release(struct image_writable *w)
{
	if (w == NULL)
		return;
	if (w->merged != NULL)
		umount2(w->merged, MNT_DETACH);
	if (w->dir != NULL)
		image_remove_dir(w->dir);
	free(w->merged);
	free(w->dir);
	free(w);
}
