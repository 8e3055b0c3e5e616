#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* bind/connect with an AF_UNIX path: translated like any path, then done
 * by mew on a copy of the guest's socket (pidfd_getfd): binding or
 * connecting the copy binds or connects the guest's socket.  The host path
 * may be longer than sun_path holds, so it is reached through
 * /proc/self/fd/N of its directory (bind) or of the socket file (connect).
 * Abstract names and other families run as they are (2). */
int notify_sock(struct notifier *n, const struct seccomp_notif *req)
{
	struct sockaddr_un sa;
	socklen_t len = (socklen_t)req->data.args[2];
	size_t off = offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(sa.sun_path) + 1], host[PATH_MAX], base[PATH_MAX];
	const char *b = NULL;
	const struct pers_call *call;
	bool bind_ = req->data.nr == SYS_bind;
	int r, sock, fd;
	struct sockaddr_un to = { .sun_family = AF_UNIX };

	if (len <= off || len > sizeof(sa) || trap_mem_read(req->pid, req->data.args[1], &sa, len) < 0)
		return 2;
	if (sa.sun_family != AF_UNIX || sa.sun_path[0] == '\0')
		return 2;
	memcpy(path, sa.sun_path, len - off);
	path[len - off] = '\0';
	pers_for(n, req->pid);
	if (path[0] != '/') {
		if ((r = pers_getcwd(&n->pers, req->pid, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	call = pers_call(&pers_abi_x86_64, req->data.nr);
	if ((r = pers_translate(&n->pers, b, path, pers_call_follows(call, 0, O_NOFOLLOW), host, sizeof(host))) < 0 ||
	    (r = pers_write_check(&n->pers, call, 0, 0, host)) < 0)
		return r;
	if (bind_) {
		/* a new inode: the guest's credentials decide */
		struct pers_cred c;
		if ((r = notify_cred_of(n, req->pid, &c)) < 0 || (r = pers_check_create(&n->pers, &c, host)) < 0)
			return r;
	}
	if (bind_) {
		char *slash = strrchr(host, '/');
		*slash = '\0';
		fd = open(slash == host ? "/" : host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = snprintf(to.sun_path, sizeof(to.sun_path), "/proc/self/fd/%d/%s", fd, slash + 1);
	} else {
		fd = open(host, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = snprintf(to.sun_path, sizeof(to.sun_path), "/proc/self/fd/%d", fd);
	}
	if (r < 0 || (size_t)r >= sizeof(to.sun_path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	sock = guest_fd(n, req, (int)req->data.args[0], path, sizeof(path));
	r = sock < 0 ? sock : 0;
	if (r == 0) {
		if (bind_) {
			/* The guest's umask, not mew's 0, for the socket file
			 * (this thread has its own: see serve). */
			mode_t old = umask((mode_t)umask_of(req->pid));
			r = bind(sock, (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
			umask(old);
		} else {
			r = connect(sock, (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
		}
		close(sock);
	}
	close(fd);
	return r;
}
