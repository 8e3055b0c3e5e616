/* The capabilities a guest's process keeps when mew runs as root.
 *
 * The syscall and emulate engines make the guest's calls on a real process
 * of mew's user: run by root, that process had every capability, and the
 * calls that are not about files (sethostname, settimeofday, reboot,
 * init_module, swapon, open_by_handle_at, ...) reached the host itself, as
 * neither Landlock nor the personality answer them.  The guest keeps what a
 * root acting on the rootfs's files needs (Docker's default set without
 * MKNOD, AUDIT_WRITE and SETPCAP); everything else is dropped from the
 * bounding, permitted, effective, inheritable and ambient sets (by the
 * container engine's routine, which keeps no more than mew was given), so
 * the kernel says EPERM as it would to a container's root.  DAC_READ_SEARCH is
 * not kept: it allows open_by_handle_at, which reaches any host file by its
 * handle and is not a path Landlock sees. */
#include "wall/wall.h"

#include <errno.h>
#include <linux/capability.h>

#include "container/caps.h"

#define BIT(c) (1ULL << (c))

uint64_t wall_caps_kept(void)
{
	return caps_default() & ~(BIT(CAP_MKNOD) | BIT(CAP_AUDIT_WRITE) | BIT(CAP_SETPCAP));
}

int wall_drop_caps(void)
{
	struct mew_error *err = NULL;
	int r = caps_limit(wall_caps_kept(), false, &err);

	if (r < 0) {
		r = err != NULL && err->errnum != 0 ? -err->errnum : -EPERM;
		mew_error_free(err);
	}
	return r;
}
