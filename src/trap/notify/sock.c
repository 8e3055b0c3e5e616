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

#include "personality/pers_sock.h"

/* bind with an AF_UNIX path: resolved in the guest's view
 * (personality/pers_sock.h), then done by mew on a copy of the guest's
 * socket (pidfd_getfd): binding the copy binds the guest's socket.
 * Abstract names and other families run as they are (2).  (connect and
 * the sends: peer.c.) */
/* The host path the socket file has: its directory's (dirfd) and the
 * name at the end of the address. */
static int sock_host(int dirfd, const char *to, char *host)
{
	char link[64];
	ssize_t k;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	k = readlink(link, host, PATH_MAX - 1);
	if (k <= 0)
		return -ENOENT;
	host[k] = '\0';
	snprintf(host + k, PATH_MAX - (size_t)k, "/%s", strrchr(to, '/') + 1);
	return 0;
}

int notify_sock(struct notifier *n, const struct seccomp_notif *req)
{
	struct sockaddr_un sa, to;
	socklen_t len = (socklen_t)req->data.args[2], tolen;
	char base[PATH_MAX], host[PATH_MAX];
	const struct pers_call *call = pers_call(&pers_abi_x86_64, req->data.nr);
	struct pers_cred c;
	int r, sock, fd;

	if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(sa) ||
	    trap_mem_read(req->pid, req->data.args[1], &sa, len) < 0)
		return 2;
	if ((r = notify_cred_of(n, req->pid, &c)) < 0)
		return r;
	if (sa.sun_family != AF_UNIX)
		return (r = pers_sock_bind_port(&c, &sa, len)) < 0 ? r : 2;
	if (sa.sun_path[0] == '\0')
		return 2;
	pers_for(n, req->pid);
	if (sa.sun_path[0] != '/' && (r = pers_getcwd(&n->pers, req->pid, base, sizeof(base))) < 0)
		return r;
	r = pers_sock_addr(&n->pers, &c, sa.sun_path[0] == '/' ? NULL : base, &sa, len, true, &to, &tolen, &fd);
	if (r < 0)
		return r;
	if (r == 1)
		return 2;
	/* the read-only rules (EROFS) on the path it will have */
	if ((r = sock_host(fd, to.sun_path, host)) < 0 || (r = pers_write_check(&n->pers, call, 0, 0, host)) < 0) {
		close(fd);
		return r;
	}
	sock = guest_fd(n, req, (int)req->data.args[0], base, sizeof(base));
	r = sock < 0 ? sock : 0;
	if (r == 0) {
		/* The guest's umask, not mew's 0, for the socket file (this
		 * thread has its own: see serve). */
		mode_t old = umask((mode_t)umask_of(req->pid));
		r = bind(sock, (struct sockaddr *)&to, tolen) < 0 ? -errno : 0;
		umask(old);
		close(sock);
		/* the owner its creator gets (a root that dropped to nobody
		 * with seteuid: LTP's connect03) */
		if (r == 0)
			pers_owner_created(&n->pers, &c, host);
	}
	close(fd);
	return r;
}
