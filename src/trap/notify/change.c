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

/* Path slot 0 or 1 of the call, by the call table (call_path): into host
 * (slot 0) or host2 (slot 1); an empty path is ENOENT. */
#define PATH(slot, into)                                         \
	do {                                                     \
		r = call_path(n, req, slot, into);               \
		if (r == 1)                                      \
			return -ENOENT;                          \
		if (r < 0)                                       \
			return r;                                \
		if ((r = bind_point(n, (int)req->data.nr, into)) < 0) \
			return r;                                \
	} while (0)
#define ONE() PATH(0, host)
#define TWO()                                                    \
	do {                                                     \
		PATH(0, host);                                   \
		PATH(1, host2);                                  \
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

/* The calls that change the filesystem, with the guest's umask.  Their
 * paths are where the call table says; the other arguments follow the
 * first path (mode, dev; uid, gid; times, flags). */
int notify_change(struct notifier *n, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	const struct pers_call *call = call_row(req);
	const __u64 *after = a + call->path[0] + 1; /* the arguments after the first path */
	char host[PATH_MAX], host2[PATH_MAX], target[PATH_MAX];
	mode_t mask = 0;
	struct pers_cred c;
	ssize_t len;
	int r;

	if ((r = notify_cred_of(n, req->pid, &c)) < 0)
		return r;
	/* fchown on an O_PATH fd is EBADF (fchownat's AT_EMPTY_PATH is the
	 * way to it) */
	if (call->kind == PK_FD && call->owner && pers_fd_is_opath(req->pid, (int)a[call->dirfd[0]]))
		return -EBADF;
	if (call->kind == PK_FD) /* fchmod, fchown, fsetxattr... */
		return notify_fd_write(n, req, &c, call->dirfd[0], a + call->dirfd[0] + 1);
	if (call->path[0] < 0)
		return -ENOSYS;
	if (call->creates)
		mask = (mode_t)umask_of(req->pid);
	switch (req->data.nr) {
	case SYS_mkdir:
	case SYS_mkdirat:
		ONE();
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mkdir(host, (mode_t)after[0] & ~mask));
	/* No device node is made for the guest: one in the rootfs would open
	 * the host's device past the wall (Landlock has no nodev). */
	case SYS_mknod:
	case SYS_mknodat:
		if (S_ISCHR((mode_t)after[0]) || S_ISBLK((mode_t)after[0]))
			return -EPERM;
		ONE();
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(mknod(host, (mode_t)after[0] & ~mask, (dev_t)after[1]));
	case SYS_rmdir:
		ONE();
		CHECK(pers_check_delete(&n->pers, &c, host));
		return SYS(rmdir(host));
	case SYS_unlink:
	case SYS_unlinkat:
		ONE();
		CHECK(pers_check_delete(&n->pers, &c, host));
		return SYS(unlinkat(AT_FDCWD, host, req->data.nr == SYS_unlinkat ? (int)after[0] : 0));
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
		TWO();
		CHECK(pers_check_rename(&n->pers, &c, host, host2));
		return SYS(renameat2(AT_FDCWD, host, AT_FDCWD, host2,
				     req->data.nr == SYS_renameat2 ? (unsigned)a[call->path[1] + 1] : 0));
	case SYS_link:
	case SYS_linkat:
		/* the kernel's flags check comes first (LTP's linkat01) */
		if (req->data.nr == SYS_linkat && (a[4] & ~(__u64)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)))
			return -EINVAL;
		TWO();
		CHECK(pers_check_create(&n->pers, &c, host2));
		return SYS(linkat(AT_FDCWD, host, AT_FDCWD, host2, call_follows(req) ? AT_SYMLINK_FOLLOW : 0));
	case SYS_symlink:
	case SYS_symlinkat:
		/* The target is stored as the guest wrote it: a guest path. */
		len = trap_mem_read_str(req->pid, a[0], target, sizeof(target));
		if (len < 0)
			return (int)len;
		if (len == 0)
			return -ENOENT;
		ONE();
		CHECK(pers_check_create(&n->pers, &c, host));
		return MADE(symlink(target, host));
	case SYS_chmod:
	case SYS_fchmodat:
		ONE();
		return pers_chmod(&n->pers, &c, host, true, (mode_t)after[0]);
	case SYS_truncate:
		ONE();
		CHECK(pers_check_write(&n->pers, &c, host, true));
		CHECK(pers_check_fsize(req->pid, host, (long long)after[0]));
		return SYS(truncate(host, (off_t)after[0]));
	case SYS_chown:
	case SYS_lchown:
	case SYS_fchownat:
		r = call_path(n, req, 0, host);
		if (r == 1 && (call_flag(req) & AT_EMPTY_PATH))
			return notify_fd_write(n, req, &c, call->dirfd[0], after);
		if (r == 1)
			return -ENOENT;
		if (r < 0 || (r = bind_point(n, (int)req->data.nr, host)) < 0)
			return r;
		return pers_chown(&n->pers, &c, host, call_follows(req) != 0, (uid_t)after[0], (gid_t)after[1]);
	case SYS_utimensat: {
		/* (dirfd, path, times, flags) */
		struct timespec ts[2];
		r = call_path(n, req, 0, host);
		if (r == 1) /* futimens, AT_EMPTY_PATH: the fd's file */
			return notify_fd_write(n, req, &c, call->dirfd[0], after);
		if (r < 0)
			return r;
		if (after[0] != 0 && trap_mem_read(req->pid, after[0], ts, sizeof(ts)) < 0)
			return -EFAULT;
		CHECK(pers_check_utimes(&n->pers, &c, host, call_follows(req) != 0,
					after[0] == 0 || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)));
		return SYS(utimensat(AT_FDCWD, host, after[0] != 0 ? ts : NULL,
				     call_follows(req) ? 0 : AT_SYMLINK_NOFOLLOW));
	}
	}
	return -ENOSYS;
}
