/* Writes through a guest's fd (fchmod, fchown, futimens; fchownat and
 * utimensat with AT_EMPTY_PATH; the xattrs: xattr.c), made by mew on a
 * copy of the fd (pidfd_getfd): the file it names when the call is
 * answered, so that another guest thread dup2()ing over the fd meanwhile
 * cannot make the write land on a file whose read-only rule was not the
 * one checked.  The read-only rule first (as the kernel asks the file's
 * mount, whatever the fd was opened for), then the guest's credentials,
 * as for the path forms. */
#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int do_write(struct notifier *n, const struct seccomp_notif *req, const struct pers_cred *c, int fd,
		    const char *host, const __u64 *after)
{
	struct timespec ts[2];
	int r;

	switch (req->data.nr) {
	case SYS_fchmod: /* (fd, mode) */
		return pers_chmod(&n->pers, c, host, true, (mode_t)after[0]);
	case SYS_fchown: /* (fd, uid, gid), fchownat(fd, "", uid, gid, AT_EMPTY_PATH) */
	case SYS_fchownat:
		return pers_chown(&n->pers, c, host, true, (uid_t)after[0], (gid_t)after[1]);
	case SYS_utimensat: /* (fd, NULL or "", times, flags) */
		if (after[0] != 0 && trap_mem_read(req->pid, after[0], ts, sizeof(ts)) < 0)
			return -EFAULT;
		if ((r = pers_check_utimes(&n->pers, c, host, true,
					   after[0] == 0 || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW))) < 0)
			return r;
		/* on the copy itself, which may be an O_PATH one (AT_EMPTY_PATH) */
		return utimensat(fd, "", after[0] != 0 ? ts : NULL, AT_EMPTY_PATH) < 0 ? -errno : 0;
	}
	return 2;
}

int notify_fd_write(struct notifier *n, const struct seccomp_notif *req, const struct pers_cred *c, int fdarg,
		    const __u64 *after)
{
	char host[64], target[PATH_MAX];
	int fd = guest_fd(n, req, (int)req->data.args[fdarg], host, sizeof(host)), r;
	ssize_t len;

	if (fd < 0)
		return fd == -EBADF ? -EBADF : 2; /* the kernel's answer */
	len = readlink(host, target, sizeof(target) - 1);
	/* an O_PATH fd is no fd to these (EBADF), but for AT_EMPTY_PATH; a
	 * pipe or a socket is no file of the guest's places: the kernel's */
	if (((fcntl(fd, F_GETFL) & O_PATH) && !(call_flag(req) & AT_EMPTY_PATH)) || len <= 0 || target[0] != '/')
		r = 2;
	else if ((r = pers_fd_write_check(&n->pers, 0, fd)) == 0)
		r = do_write(n, req, c, fd, host, after);
	close(fd);
	return r;
}
