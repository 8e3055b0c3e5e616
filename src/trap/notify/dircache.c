/* The stub's directory cache upcall (guest/dircache.c, trap/dircache.c):
 * the shared page's fd installed in the guest for its one mmap, a
 * directory the guest holds an fd on watched, a change told by a process
 * without the page. */
#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int notify_upcall_dircache(struct notifier *n, const struct seccomp_notif *req)
{
	struct trap_dircache *d = n->t->dircache;
	char path[64];
	int fd, r;

	if (d == NULL)
		return -ENOSYS;
	switch (req->data.args[0]) {
	case STUB_DIRCACHE_SHARE: {
		struct seccomp_notif_addfd add = { .id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND,
						   .srcfd = (uint32_t)trap_dircache_memfd(d), .newfd_flags = O_CLOEXEC };
		return ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 ? -errno : 1;
	}
	case STUB_DIRCACHE_WATCH:
		if ((fd = guest_fd(n, req, (int)req->data.args[1], path, sizeof(path))) < 0)
			return fd;
		r = trap_dircache_watch(d, path);
		close(fd);
		/* (not the kernel's EACCES, which would have mew try the call
		 * again with permissions given back) */
		return r == -EACCES ? -EPERM : r;
	case STUB_DIRCACHE_BUMP:
		trap_dircache_bump(d);
		return 0;
	}
	return -EINVAL;
}
