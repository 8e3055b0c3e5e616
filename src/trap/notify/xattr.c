/* The xattr calls, every form, answered by the personality
 * (personality/xattr.c): the guest's CAP_SYS_ADMIN is the model's, which
 * the host refuses mew, and a list shows names the kernel's does not.
 * By path: translated, the read-only rules and the walk's search
 * permission; through an fd: on a copy of it (pidfd_getfd), whose file's
 * read-only rule applies to the writes (as notify_fd_write's). */
#include "trap/notify/notify.h"

#include <errno.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <unistd.h>

int notify_xattr(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const struct pers_call *call = call_row(req);
	char host[PATH_MAX], fdpath[64];
	struct pers_cred *c;
	int fd = -1;
	long r;

	if (call->kind == PK_FD) {
		fd = guest_fd(n, req, (int)req->data.args[call->dirfd[0]], fdpath, sizeof(fdpath));
		if (fd < 0)
			return fd == -EBADF ? -EBADF : 2; /* the kernel's answer */
		r = pers_xattr_fd(0, fd, host, sizeof(host));
		if (r == 0 && pers_call_writes(call, 0))
			r = pers_fd_write_check(&n->pers, 0, fd);
		if (r == 1) { /* an O_PATH fd, a pipe...: the kernel's call as it is */
			close(fd);
			return 2;
		}
	} else {
		/* (the walk's search permission too); an empty path is the
		 * kernel's ENOENT, said here: a path let through to the kernel
		 * could be another by the time it reads it */
		if ((r = call_path(n, req, 0, host)) == 1)
			return -ENOENT;
	}
	if (r == 0 && (c = malloc(sizeof(*c))) == NULL) /* large: not on the stack */
		r = -ENOMEM;
	if (r == 0) {
		if ((r = notify_cred_of(n, req->pid, c)) == 0)
			r = trap_xattr(&n->pers, c, req->pid, req->data.nr, (const uint64_t *)req->data.args, host,
				       call->kind == PK_FD || call_follows(req) != 0);
		free(c);
	}
	if (fd >= 0)
		close(fd);
	*val = r;
	return r < 0 ? (int)r : 0;
}
