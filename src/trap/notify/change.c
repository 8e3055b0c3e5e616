#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* A bind's mount point (the host's /dev/null, a -v source): mew never
 * removes, renames or re-modes the host's object itself; a mount point is
 * busy, and the host's device nodes are not the guest's (src/wall). */
static int bind_point(struct notifier *n, int nr, const char *host)
{
	struct stat st;

	for (size_t i = 0; i < n->pers.nbinds; i++) {
		if (strcmp(n->pers.binds[i].host, host) != 0)
			continue;
		if (nr != SYS_chmod && nr != SYS_fchmodat && nr != SYS_truncate && nr != SYS_utimensat &&
		    nr != SYS_chown && nr != SYS_lchown && nr != SYS_fchownat)
			return -EBUSY;
		if (stat(host, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			return -EPERM;
	}
	return 0;
}

#define ONE(pi, di, fl)                                          \
	do {                                                     \
		r = path_arg(n, req, pi, di, fl, host);          \
		if (r == 1)                                      \
			return -ENOENT;                          \
		if (r < 0)                                       \
			return r;                                \
		if (pers_host_readonly(&n->pers, host))          \
			return -EROFS;                           \
		if ((r = bind_point(n, (int)req->data.nr, host)) < 0) \
			return r;                                \
	} while (0)
#define TWO(pi, di, qi, ei, fl)                                  \
	do {                                                     \
		ONE(pi, di, fl);                                 \
		r = path_arg(n, req, qi, ei, 0, host2);          \
		if (r == 1)                                      \
			return -ENOENT;                          \
		if (r < 0)                                       \
			return r;                                \
		if (pers_host_readonly(&n->pers, host2))         \
			return -EROFS;                           \
		if ((r = bind_point(n, (int)req->data.nr, host2)) < 0) \
			return r;                                \
	} while (0)
#define SYS(call) ((call) < 0 ? -errno : 0)
/* checked against the caller's credentials first (personality/perm.c) */
#define CHECK(call)                                              \
	do {                                                     \
		if ((r = (call)) < 0)                            \
			return r;                                \
	} while (0)
/* a new inode: the owner the kernel would give it */
#define MADE(call) ((r = SYS(call)) == 0 ? pers_owner_created(&n->pers, &c, host), 0 : r)

/* The calls that change the filesystem, with the guest's umask. */
int notify_change(struct notifier *n, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	char host[PATH_MAX], host2[PATH_MAX], target[PATH_MAX];
	struct pers_cred c;
	ssize_t len;
	int r;

	if ((r = notify_cred_of(n, req->pid, &c)) < 0)
		return r;
	switch (req->data.nr) {
	case SYS_mkdir:
		ONE(0, -1, 0);
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mkdir(host, (mode_t)a[1] & ~(mode_t)umask_of(req->pid)));
	case SYS_mkdirat:
		ONE(1, 0, 0);
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mkdir(host, (mode_t)a[2] & ~(mode_t)umask_of(req->pid)));
	/* No device node is made for the guest: one in the rootfs would open
	 * the host's device past the wall (Landlock has no nodev). */
	case SYS_mknod:
		if (S_ISCHR((mode_t)a[1]) || S_ISBLK((mode_t)a[1]))
			return -EPERM;
		ONE(0, -1, 0);
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mknod(host, (mode_t)a[1] & ~(mode_t)umask_of(req->pid), (dev_t)a[2]));
	case SYS_mknodat:
		if (S_ISCHR((mode_t)a[2]) || S_ISBLK((mode_t)a[2]))
			return -EPERM;
		ONE(1, 0, 0);
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mknod(host, (mode_t)a[2] & ~(mode_t)umask_of(req->pid), (dev_t)a[3]));
	case SYS_rmdir:
		ONE(0, -1, 0);
		CHECK(pers_check_delete(&n->pers, &c, host));
		return SYS(rmdir(host));
	case SYS_unlink:
		ONE(0, -1, 0);
		CHECK(pers_check_delete(&n->pers, &c, host));
		return SYS(unlink(host));
	case SYS_unlinkat:
		ONE(1, 0, 0);
		CHECK(pers_check_delete(&n->pers, &c, host));
		return SYS(unlinkat(AT_FDCWD, host, (int)a[2]));
	case SYS_rename:
		TWO(0, -1, 1, -1, 0);
		CHECK(pers_check_rename(&n->pers, &c, host, host2));
		return SYS(rename(host, host2));
	case SYS_renameat:
		TWO(1, 0, 3, 2, 0);
		CHECK(pers_check_rename(&n->pers, &c, host, host2));
		return SYS(rename(host, host2));
	case SYS_renameat2:
		TWO(1, 0, 3, 2, 0);
		CHECK(pers_check_rename(&n->pers, &c, host, host2));
		return SYS(renameat2(AT_FDCWD, host, AT_FDCWD, host2, (unsigned)a[4]));
	case SYS_link:
		TWO(0, -1, 1, -1, 0);
		CHECK(pers_check_create(&n->pers, &c, host2));
		return SYS(link(host, host2));
	case SYS_linkat:
		TWO(1, 0, 3, 2, (a[4] & AT_SYMLINK_FOLLOW) ? PERS_FOLLOW : 0);
		CHECK(pers_check_create(&n->pers, &c, host2));
		return SYS(linkat(AT_FDCWD, host, AT_FDCWD, host2, (int)(a[4] & AT_SYMLINK_FOLLOW)));
	case SYS_symlink:
	case SYS_symlinkat:
		/* The target is stored as the guest wrote it: a guest path. */
		len = trap_mem_read_str(req->pid, a[0], target, sizeof(target));
		if (len < 0)
			return (int)len;
		if (len == 0)
			return -ENOENT;
		if (req->data.nr == SYS_symlink)
			ONE(1, -1, 0);
		else
			ONE(2, 1, 0);
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(symlink(target, host));
	case SYS_chmod:
		ONE(0, -1, PERS_FOLLOW);
		return pers_chmod(&n->pers, &c, host, true, (mode_t)a[1]);
	case SYS_fchmodat:
		ONE(1, 0, PERS_FOLLOW);
		return pers_chmod(&n->pers, &c, host, true, (mode_t)a[2]);
	case SYS_truncate:
		ONE(0, -1, PERS_FOLLOW);
		CHECK(pers_check_write(&n->pers, &c, host, true));
		return SYS(truncate(host, (off_t)a[1]));
	case SYS_chown:
	case SYS_lchown:
		ONE(0, -1, req->data.nr == SYS_chown ? PERS_FOLLOW : 0);
		return pers_chown(&n->pers, &c, host, req->data.nr == SYS_chown, (uid_t)a[1], (gid_t)a[2]);
	case SYS_fchownat:
		if ((a[4] & AT_EMPTY_PATH) && trap_mem_read_str(req->pid, a[1], target, 2) == 1)
			goto fchown;
		ONE(1, 0, (a[4] & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW);
		return pers_chown(&n->pers, &c, host, !(a[4] & AT_SYMLINK_NOFOLLOW), (uid_t)a[2],
				  (gid_t)a[3]);
	case SYS_fchown: {
		struct stat st;
	fchown:
		snprintf(host, sizeof(host), "/proc/%d/fd/%d", (int)req->pid, (int)a[0]);
		if ((int)a[0] < 0 || stat(host, &st) < 0)
			return -EBADF;
		return pers_chown(&n->pers, &c, host, true,
				  (uid_t)a[req->data.nr == SYS_fchown ? 1 : 2],
				  (gid_t)a[req->data.nr == SYS_fchown ? 2 : 3]);
	}
	case SYS_utimensat: {
		struct timespec ts[2];
		if (a[1] == 0)
			return 2; /* futimens: the fd is the guest's own */
		r = path_arg(n, req, 1, 0, (a[3] & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW, host);
		if (r == 1)
			return 2;
		if (r < 0)
			return r;
		if (pers_host_readonly(&n->pers, host))
			return -EROFS;
		if (a[2] != 0 && trap_mem_read(req->pid, a[2], ts, sizeof(ts)) < 0)
			return -EFAULT;
		CHECK(pers_check_utimes(&n->pers, &c, host, !(a[3] & AT_SYMLINK_NOFOLLOW),
					a[2] == 0 || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)));
		return SYS(utimensat(AT_FDCWD, host, a[2] != 0 ? ts : NULL,
				     (int)(a[3] & AT_SYMLINK_NOFOLLOW)));
	}
	}
	return -ENOSYS;
}
