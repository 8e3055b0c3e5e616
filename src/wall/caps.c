/* The capabilities a guest's process keeps when mew runs as root.
 *
 * The syscall and emulate engines make the guest's calls on a real process
 * of mew's user: run by root, that process had every capability, and the
 * calls that are not about files (sethostname, settimeofday, reboot,
 * init_module, swapon, open_by_handle_at, ...) reached the host itself, as
 * neither Landlock nor the personality answer them.  The guest keeps what a
 * root acting on the rootfs's files needs (Docker's default set without
 * MKNOD, AUDIT_WRITE and SETPCAP); everything else is dropped from the
 * bounding, permitted, effective, inheritable and ambient sets, so the
 * kernel says EPERM as it would to a container's root.  DAC_READ_SEARCH is
 * not kept: it allows open_by_handle_at, which reaches any host file by its
 * handle and is not a path Landlock sees. */
#include "wall/wall.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#define BIT(c) (1ULL << (c))

uint64_t wall_caps_kept(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) | BIT(CAP_FSETID) | BIT(CAP_KILL) |
	       BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETFCAP) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) |
	       BIT(CAP_SYS_CHROOT);
}

int wall_drop_caps(void)
{
	uint64_t keep = wall_caps_kept();
	int last = (int)cap_max_bits() - 1;
	cap_flag_value_t v;
	cap_t caps;
	int r;

	caps = cap_get_proc();
	if (caps == NULL)
		return -errno;
	/* the bounding set first (that needs SETPCAP, dropped below) */
	if (cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
		for (int c = 0; c <= last; c++)
			if (!(keep & BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
				r = -errno;
				cap_free(caps);
				return r;
			}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int c = 0; c <= last; c++) {
		cap_value_t one = c;
		if (!(keep & BIT(c)) &&
		    (cap_set_flag(caps, CAP_EFFECTIVE, 1, &one, CAP_CLEAR) < 0 ||
		     cap_set_flag(caps, CAP_PERMITTED, 1, &one, CAP_CLEAR) < 0 ||
		     cap_set_flag(caps, CAP_INHERITABLE, 1, &one, CAP_CLEAR) < 0)) {
			cap_free(caps);
			return -EINVAL;
		}
	}
	r = cap_set_proc(caps) < 0 ? -errno : 0;
	cap_free(caps);
	return r;
}
