/* Writes through a guest's fd (fchmod, fchown, fsetxattr, fremovexattr,
 * futimens; fchownat and utimensat with AT_EMPTY_PATH), made by mew on a
 * copy of the fd (pidfd_getfd): the file it names when the call is
 * answered, so that another guest thread dup2()ing over the fd meanwhile
 * cannot make the write land on a file whose read-only rule was not the
 * one checked.  The read-only rule first (as the kernel asks the file's
 * mount, whatever the fd was opened for), then the guest's credentials,
 * as for the path forms. */
#include "trap/notify/notify.h"
#include "base/procstatus.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* xattr name and value: the kernel's limits and answers for them. */
static int xattr_name(const struct seccomp_notif *req, uint64_t addr, char *name)
{
	ssize_t len = trap_mem_read_str(req->pid, addr, name, XATTR_NAME_MAX + 1);

	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	return len < 0 ? (int)len : 0;
}

/* Has the guest's own process (not the model's fake root) capability cap?
 * What mew makes for it through an fd, it could not make by path
 * otherwise: the wall keeps CAP_SYS_ADMIN from it (src/wall/caps.c). */
static bool guest_capable(pid_t tid, int cap)
{
	char v[32];
	unsigned long long eff;

	return proc_status_field(tid, "CapEff", v, sizeof(v)) == 0 && sscanf(v, "%llx", &eff) == 1 &&
	       (eff & (1ULL << cap)) != 0;
}

/* trusted.* and security.* names: CAP_SYS_ADMIN, the model's and the
 * process's (as root, mew has it and the guest does not). */
static int xattr_admin(const struct seccomp_notif *req, const struct pers_cred *c, const char *name)
{
	if (!pers_xattr_needs_admin(name))
		return 0;
	return pers_cred_capable(c, CAP_SYS_ADMIN) && guest_capable((pid_t)req->pid, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static int do_write(struct notifier *n, const struct seccomp_notif *req, const struct pers_cred *c, int fd,
		    const char *host, const __u64 *after)
{
	char name[XATTR_NAME_MAX + 1];
	struct timespec ts[2];
	void *value;
	int r;

	switch (req->data.nr) {
	case SYS_fchmod: /* (fd, mode) */
		return pers_chmod(&n->pers, c, host, true, (mode_t)after[0]);
	case SYS_fchown: /* (fd, uid, gid), fchownat(fd, "", uid, gid, AT_EMPTY_PATH) */
	case SYS_fchownat:
		return pers_chown(&n->pers, c, host, true, (uid_t)after[0], (gid_t)after[1]);
	case SYS_fsetxattr: /* (fd, name, value, size, flags) */
		if ((r = xattr_name(req, after[0], name)) < 0 || (r = xattr_admin(req, c, name)) < 0)
			return r;
		if (pers_xattr_mews(name))
			return -EPERM;
		if (after[2] > XATTR_SIZE_MAX)
			return -E2BIG;
		value = malloc(after[2] + 1);
		if (value == NULL)
			return -ENOMEM;
		r = after[2] != 0 && trap_mem_read(req->pid, after[1], value, after[2]) < 0 ? -EFAULT : 0;
		if (r == 0 && fsetxattr(fd, name, value, after[2], (int)after[3]) < 0)
			r = -errno;
		free(value);
		return r;
	case SYS_fremovexattr: /* (fd, name) */
		if ((r = xattr_name(req, after[0], name)) < 0 || (r = xattr_admin(req, c, name)) < 0)
			return r;
		if (pers_xattr_mews(name))
			return -ENODATA;
		return fremovexattr(fd, name) < 0 ? -errno : 0;
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
