/* The calls that only ask (stat family, access, readlink, getcwd, uname,
 * getres*id) and chroot, answered on the translated host path. */
#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* chroot: the personality's rules; the new root kept for the process
 * (in its stub, or in mew's records of its threads). */
static int do_chroot(struct notifier *n, const struct seccomp_notif *req)
{
	char path[PATH_MAX], base[PATH_MAX], root[PATH_MAX];
	const char *b = NULL;
	ssize_t len = trap_mem_read_str(req->pid, req->data.args[0], path, sizeof(path));
	struct pers_cred *c;
	int r;

	if (len < 0)
		return (int)len;
	pers_for(n, req->pid);
	if (path[0] != '/' && path[0] != '\0') {
		if ((r = pers_getcwd(&n->pers, req->pid, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	if ((c = malloc(sizeof(*c))) == NULL) /* large: not on the stack */
		return -ENOMEM;
	r = notify_cred_of(n, req->pid, c);
	if (r == 0)
		r = pers_chroot(&n->pers, c, b, path, root, sizeof(root));
	free(c);
	if (r < 0 || strcmp(root, n->pers.root) == 0)
		return r;
	return trap_set_root(n->t, req->pid, root);
}

/* access: the guest's ids decide first (then what mew may do). */
static int check_access(struct notifier *n, const struct seccomp_notif *req, const char *host,
			bool follow, int mode, bool eaccess)
{
	struct pers_cred c;
	int r = notify_cred_of(n, req->pid, &c);
	return r < 0 ? r : pers_check_access(&n->pers, &c, host, follow, mode, eaccess);
}

/* fstat (raw, or glibc's newfstatat with AT_EMPTY_PATH): the guest's own
 * fd, with the owner it sees; a bad fd is the kernel's to answer. */
static int fd_stat(struct notifier *n, const struct seccomp_notif *req, int fd, uint64_t buf)
{
	char host[64];
	struct stat st;

	snprintf(host, sizeof(host), "/proc/%d/fd/%d", (int)req->pid, fd);
	if (fd < 0 || stat(host, &st) < 0)
		return 2;
	pers_owner_view(&n->pers, host, true, &st);
	return put(req, buf, &st, sizeof(st));
}

/* -ENOSYS when nr is none of these.  The paths are where the call table
 * says (call_path); the buffer, mode or flags after them. */
int notify_query(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const __u64 *a = req->data.args;
	const struct pers_call *call = call_row(req);
	const __u64 *after = call->path[0] >= 0 ? a + call->path[0] + 1 : a;
	bool follow = call_follows(req) != 0;
	int fl = (int)call_flag(req);
	char host[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	int r;

	*val = 0;
	switch (req->data.nr) {
	case SYS_stat:
	case SYS_lstat:
	case SYS_newfstatat:
		/* (path, buf) or (dirfd, path, buf, flags) */
		r = call_path(n, req, 0, host);
		if (r == 1 && (fl & AT_EMPTY_PATH))
			return fd_stat(n, req, (int)a[call->dirfd[0]], after[0]);
		if (r == 1)
			return -ENOENT;
		if (r < 0)
			return r;
		/* flags mew's own stat does not take: the kernel judges them
		 * (EINVAL for unknown ones: LTP's fstatat01) */
		if ((fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) && fstatat(AT_FDCWD, host, &st, fl & ~AT_EMPTY_PATH) < 0)
			return -errno;
		if ((r = pers_owner_stat(&n->pers, host, follow, &st)) < 0)
			return r;
		return put(req, after[0], &st, sizeof(st));
	case SYS_fstat:
		return fd_stat(n, req, (int)a[0], a[1]);
	case SYS_statx: {
		/* (dirfd, path, flags, mask, buf) */
		struct statx sx;
		r = call_path(n, req, 0, host);
		if (r == 1)
			return 2;
		if (r < 0)
			return r;
		if (statx(AT_FDCWD, host, fl & ~AT_EMPTY_PATH, (unsigned)after[1], &sx) < 0)
			return -errno;
		pers_owner_view_statx(&n->pers, host, follow, &sx);
		return put(req, after[2], &sx, sizeof(sx));
	}
	case SYS_access:
	case SYS_faccessat:
	case SYS_faccessat2:
		/* (path, mode) or (dirfd, path, mode[, flags]) */
		r = call_path(n, req, 0, host);
		if (r == 1)
			return fl & AT_EMPTY_PATH ? 2 : -ENOENT;
		if (r < 0)
			return r;
		if ((r = check_access(n, req, host, follow, (int)after[0], fl & AT_EACCESS)) < 0)
			return r;
		return faccessat(AT_FDCWD, host, (int)after[0], fl & ~AT_EMPTY_PATH) < 0 ? -errno : 0;
	case SYS_readlink:
	case SYS_readlinkat: {
		/* (path, buf, size) or (dirfd, path, buf, size) */
		char path[PATH_MAX], base[PATH_MAX];
		const char *b = NULL;
		ssize_t len = trap_mem_read_str(req->pid, a[call->path[0]], path, sizeof(path));
		if (len < 0)
			return (int)len;
		if (len == 0)
			return call->dirfd[0] >= 0 ? 2 : -ENOENT;
		pers_for(n, req->pid);
		if (path[0] != '/') {
			int fd = call->dirfd[0] < 0 ? AT_FDCWD : (int)a[call->dirfd[0]];
			r = fd == AT_FDCWD ? pers_getcwd(&n->pers, req->pid, base, sizeof(base))
					   : pers_dirfd_path(&n->pers, req->pid, fd, base, sizeof(base));
			if (r < 0)
				return r;
			b = base;
		}
		/* the walk's search permission, for a guest that is no longer
		 * root (LTP's readlink03) */
		if (pers_translate(&n->pers, b, path, 0, host, PATH_MAX) == 0 &&
		    (r = notify_check_lookup(n, req->pid, host)) < 0)
			return r;
		len = pers_readlink(&n->pers, b, path, buf, sizeof(buf));
		if (len < 0)
			return (int)len;
		if ((int64_t)after[1] <= 0)
			return -EINVAL;
		if ((uint64_t)len > after[1])
			len = (ssize_t)after[1];
		if ((r = put(req, after[0], buf, (size_t)len)) < 0)
			return r;
		*val = len;
		return 0;
	}
	case SYS_getcwd: {
		size_t len;
		pers_for(n, req->pid);
		if ((r = pers_getcwd_view(&n->pers, req->pid, buf, sizeof(buf))) < 0)
			return r;
		len = strlen(buf) + 1;
		if (len > a[1])
			return -ERANGE;
		if ((r = put(req, a[0], buf, len)) < 0)
			return r;
		*val = (int64_t)len;
		return 0;
	}
	case SYS_uname: {
		struct utsname u;
		pers_uname(&n->pers, &u);
		return put(req, a[0], &u, sizeof(u));
	}
	case SYS_chroot:
		return do_chroot(n, req);
	}
	return -ENOSYS;
}
