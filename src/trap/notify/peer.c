/* The socket calls that name a peer (connect, sendto with an address,
 * sendmsg, sendmmsg), made by mew for the guest, never let run as they are.
 *
 * Landlock cannot wall them (it has no right for connect(2) or sendto(2) to
 * a socket file), so the filter sends every one of them here, from wherever
 * in the guest it comes, the stub's own instructions included.  mew copies
 * the call's arguments out of the guest once (the address, the data, the
 * control messages and the fds they pass), resolves an AF_UNIX path in the
 * guest's view (personality/pers_sock.h), and makes the call itself on a
 * copy of the guest's socket (pidfd_getfd): the kernel never reads the
 * guest's memory again, so a second guest thread that rewrites the address
 * meanwhile changes nothing (SECCOMP_USER_NOTIF_FLAG_CONTINUE would let the
 * kernel read it again).
 *
 * A call that would wait (a blocking socket, a full buffer, a connect) is
 * finished by a thread of its own, which answers the notification when it
 * is done, so that the notifier keeps answering the guest's other calls
 * (the reader of a full socket may need one).  A send that waits gives up
 * when the guest's call is interrupted (the notification is no longer
 * valid): nothing was sent, and the restarted call comes again.
 *
 * Abstract names: the kernel's scoping of the guest's domain does not hold
 * for mew, so mew refuses (EPERM) a name no guest process's socket is bound
 * to (abstract_is_guests).
 *
 * The peer's SO_PEERCRED would name mew's process, which made the connect:
 * mew keeps, for each connect it made, the socket's inode and the guest
 * process it made it for, with the ids it then had as the guest sees them
 * (struct connector); a guest's getsockopt(SOL_SOCKET, SO_PEERCRED) comes
 * here (the filters notify it), and an answer naming mew is given for the
 * connector of the socket's peer, found by its inode (sock_diag's
 * UNIX_DIAG_PEER, unprivileged).  What still differs from the guest making
 * the call: a server outside the guest (a host socket under a bind) sees
 * mew's pid and ids; SCM_CREDENTIALS of a send mew made, and SO_PEERPIDFD,
 * name mew; a send of more than PEER_DATA_MAX bytes is a short one. */
#include "trap/notify/notify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "base/cleanup.h"
#include "personality/pers_sock.h"
#include "wall/wall.h"

#define PEER_DATA_MAX (4u << 20)
#define PEER_CONTROL_MAX 65536u
#define PEER_MAXIOV 1024 /* UIO_MAXIOV */
#define PEER_WAIT 1	 /* run(): the call would wait */

struct peer_msg {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool named;  /* an address is given */
	int pathfd;  /* the AF_UNIX path's O_PATH fd (its address names it), or -1 */
	struct iovec iov;
	void *control;
	size_t controllen;
	int *fds; /* SCM_RIGHTS: mew's copies of the guest's fds, closed after */
	size_t nfds;
};

struct peer_call {
	int listener;
	uint64_t id;
	pid_t pid, tid;
	int nr;
	int sock;      /* mew's copy of the guest's socket */
	int flags;     /* the send flags */
	bool blocking; /* the guest's call would wait */
	bool null_addr; /* connect(fd, NULL, len) */
	uint64_t vec;  /* sendmmsg: the guest's vector */
	size_t nmsg, done;
	struct peer_msg *msg;
};

/* The connects mew made: the socket's inode, the guest process it made
 * it for and that process's ids then, as the guest saw them (SO_PEERCRED
 * names the connecting process's effective ids).  The oldest goes first. */
#define PEER_CONNECTORS 256
static struct connector {
	uint64_t ino;
	struct ucred cred;
} connectors[PEER_CONNECTORS];
static unsigned nconnectors;
static pthread_mutex_t connectors_lock = PTHREAD_MUTEX_INITIALIZER;

static void connector_add(struct notifier *n, const struct peer_call *c)
{
	struct pers_cred *cred = malloc(sizeof(*cred));
	struct stat st;

	if (cred == NULL || fstat(c->sock, &st) < 0 || notify_cred_of(n, c->tid, cred) < 0) {
		free(cred);
		return;
	}
	pthread_mutex_lock(&connectors_lock);
	connectors[nconnectors % PEER_CONNECTORS] =
		(struct connector){ st.st_ino, { c->pid, cred->euid, cred->egid } };
	nconnectors++;
	pthread_mutex_unlock(&connectors_lock);
	free(cred);
}

/* The inode of AF_UNIX socket sock's peer (sock_diag), 0 when none. */
static uint64_t peer_ino(int sock)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} q = { .h = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u, .udiag_show = UDIAG_SHOW_PEER,
		       .udiag_cookie = { ~0u, ~0u } } };
	union {
		struct nlmsghdr h;
		char b[4096];
	} a;
	struct stat st;
	cleanup_close int nl = -1;
	ssize_t len;

	if (fstat(sock, &st) < 0 ||
	    (nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) < 0)
		return 0;
	q.r.udiag_ino = (uint32_t)st.st_ino;
	if (send(nl, &q, sizeof(q), 0) < 0)
		return 0;
	len = recv(nl, &a, sizeof(a), 0);
	if (len < (ssize_t)NLMSG_LENGTH(sizeof(struct unix_diag_msg)) || a.h.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    a.h.nlmsg_len > (size_t)len)
		return 0;
	len = (ssize_t)a.h.nlmsg_len - NLMSG_LENGTH(sizeof(struct unix_diag_msg));
	for (struct rtattr *at = (struct rtattr *)((char *)NLMSG_DATA(&a.h) + sizeof(struct unix_diag_msg));
	     RTA_OK(at, len); at = RTA_NEXT(at, len))
		if (at->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(at) >= sizeof(uint32_t))
			return *(uint32_t *)RTA_DATA(at);
	return 0;
}

int notify_peercred(struct notifier *n, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	struct ucred u;
	socklen_t ulen = sizeof(u);
	int len;
	cleanup_close int sock = -1;

	/* the kernel's order: the fd, then the length */
	if ((sock = guest_fd(n, req, (int)a[0], NULL, 0)) < 0)
		return sock;
	if (trap_mem_read(req->pid, a[4], &len, sizeof(len)) < 0)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &u, &ulen) < 0)
		return -errno;
	if (u.pid == getpid()) {
		uint64_t peer = peer_ino(sock);
		pthread_mutex_lock(&connectors_lock);
		for (unsigned i = 0; peer != 0 && i < PEER_CONNECTORS && i < nconnectors; i++)
			if (connectors[i].ino == peer)
				u = connectors[i].cred;
		pthread_mutex_unlock(&connectors_lock);
	}
	if ((size_t)len > sizeof(u))
		len = sizeof(u);
	if (put(req, a[3], &u, (size_t)len) < 0 || put(req, a[4], &len, sizeof(len)) < 0)
		return -EFAULT;
	return 0;
}

static void msg_free(struct peer_msg *m)
{
	if (m->pathfd >= 0)
		close(m->pathfd);
	for (size_t i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	free(m->fds);
	free(m->iov.iov_base);
	free(m->control);
}

static void call_free(struct peer_call *c)
{
	for (size_t i = 0; i < c->nmsg; i++)
		msg_free(&c->msg[i]);
	free(c->msg);
	if (c->sock >= 0)
		close(c->sock);
	if (c->listener >= 0)
		close(c->listener);
	free(c);
}

/* An abstract name (len bytes of sun_path, the leading NUL included) that
 * a socket of the guest's is bound to.  mew is outside the guest's
 * Landlock domain, which scopes abstract sockets (ABI 6): what the kernel
 * would refuse the guest (EPERM), mew refuses by this look, at
 * /proc/net/unix (the sockets bound to the name) and at the guest's
 * processes' fds (does one of them hold it).  Rare enough to be slow. */
static bool abstract_is_guests(struct notifier *n, const char *name, size_t len)
{
	char want[sizeof(((struct sockaddr_un *)0)->sun_path) + 1], line[512], link[320], target[64];
	unsigned long inodes[16];
	size_t ninodes = 0;
	cleanup_fclose FILE *f = fopen("/proc/net/unix", "re");
	cleanup_dir DIR *proc = NULL;
	struct dirent *e;

	/* /proc/net/unix shows an abstract name as '@' and its bytes, each
	 * NUL an '@' too */
	for (size_t i = 0; i < len; i++)
		want[i] = name[i] == '\0' ? '@' : name[i];
	want[len] = '\0';
	while (f != NULL && ninodes < ARRAY_SIZE(inodes) && fgets(line, sizeof(line), f) != NULL) {
		unsigned long ino;
		int at = 0;
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %n", &ino, &at) != 1 || at == 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line + at, want) == 0)
			inodes[ninodes++] = ino;
	}
	if (ninodes == 0 || (proc = opendir("/proc")) == NULL)
		return false;
	while ((e = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);
		cleanup_dir DIR *fds = NULL;
		struct dirent *fe;
		char dir[64];
		if (pid <= 0 || !pers_pid_in_guest(n->pers.guest_root, pid))
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
		if ((fds = opendir(dir)) == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			ssize_t k;
			snprintf(link, sizeof(link), "%s/%s", dir, fe->d_name);
			k = readlink(link, target, sizeof(target) - 1);
			if (k <= 0)
				continue;
			target[k] = '\0';
			for (size_t i = 0; i < ninodes; i++) {
				char sock[40];
				snprintf(sock, sizeof(sock), "socket:[%lu]", inodes[i]);
				if (strcmp(target, sock) == 0)
					return true;
			}
		}
	}
	return false;
}

/* The address at uaddr (len bytes): as the host kernel must get it. */
static int read_addr(struct notifier *n, pid_t tid, uint64_t uaddr, socklen_t len, struct peer_msg *m)
{
	const struct sockaddr_un *sa = (const struct sockaddr_un *)&m->addr;
	char base[PATH_MAX];
	struct sockaddr_un to;
	struct pers_cred c;
	socklen_t tolen;
	int r;

	if ((int)len < 0 || len > sizeof(m->addr))
		return -EINVAL;
	if (uaddr == 0 || len == 0)
		return 0;
	if (trap_mem_read(tid, uaddr, &m->addr, len) < 0)
		return -EFAULT;
	m->named = true;
	m->addrlen = len;
	if (m->addr.ss_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path))
		return 0;
	if (sa->sun_path[0] == '\0')
		return wall_abi() < 6 || abstract_is_guests(n, sa->sun_path, len - offsetof(struct sockaddr_un, sun_path))
			       ? 0
			       : -EPERM;
	if (sa->sun_path[0] != '\0' && sa->sun_path[0] != '/' &&
	    (r = pers_getcwd(&n->pers, tid, base, sizeof(base))) < 0)
		return r;
	if ((r = notify_cred_of(n, tid, &c)) < 0)
		return r;
	r = pers_sock_addr(&n->pers, &c, sa->sun_path[0] == '/' ? NULL : base, &m->addr, len, false, &to, &tolen,
			   &m->pathfd);
	if (r < 0)
		return r;
	if (r == 0) {
		memset(&m->addr, 0, sizeof(m->addr));
		memcpy(&m->addr, &to, tolen);
		m->addrlen = tolen;
	}
	return 0;
}

/* SCM_RIGHTS: the guest's fds, copied into mew (closed by msg_free). */
static int copy_fds(int pidfd, struct peer_msg *m)
{
	struct msghdr h = { .msg_control = m->control, .msg_controllen = m->controllen };

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&h); cm != NULL; cm = CMSG_NXTHDR(&h, cm)) {
		size_t k;
		int *fds;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = realloc(m->fds, (m->nfds + k) * sizeof(int));
		if (fds == NULL)
			return -ENOMEM;
		m->fds = fds;
		for (size_t i = 0; i < k; i++) {
			int *slot = (int *)CMSG_DATA(cm) + i, fd;
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, *slot, 0);
			if (fd < 0)
				return -EBADF;
			m->fds[m->nfds++] = fd;
			*slot = fd;
		}
	}
	return 0;
}

/* The data of iovlen iovecs at uiov, gathered (at most PEER_DATA_MAX). */
static int read_data(pid_t tid, uint64_t uiov, size_t iovlen, struct peer_msg *m)
{
	struct iovec *v;
	size_t total = 0;
	int r = 0;

	if (iovlen > PEER_MAXIOV)
		return -EMSGSIZE;
	if (iovlen == 0)
		return 0;
	v = calloc(iovlen, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (trap_mem_read(tid, uiov, v, iovlen * sizeof(*v)) < 0) {
		free(v);
		return -EFAULT;
	}
	for (size_t i = 0; i < iovlen; i++) {
		if ((ssize_t)v[i].iov_len < 0) {
			free(v);
			return -EINVAL;
		}
		total += v[i].iov_len < PEER_DATA_MAX ? v[i].iov_len : PEER_DATA_MAX;
	}
	total = total < PEER_DATA_MAX ? total : PEER_DATA_MAX;
	m->iov.iov_base = malloc(total > 0 ? total : 1);
	if (m->iov.iov_base == NULL) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < iovlen && m->iov.iov_len < total && r == 0; i++) {
		size_t k = v[i].iov_len < total - m->iov.iov_len ? v[i].iov_len : total - m->iov.iov_len;
		if (trap_mem_read(tid, (uint64_t)(uintptr_t)v[i].iov_base, (char *)m->iov.iov_base + m->iov.iov_len,
				  k) < 0)
			r = -EFAULT;
		else
			m->iov.iov_len += k;
	}
	free(v);
	return r;
}

/* A struct msghdr of the guest's at uaddr. */
static int read_msg(struct notifier *n, pid_t tid, int pidfd, uint64_t uaddr, struct peer_msg *m)
{
	struct msghdr h;
	int r;

	if (trap_mem_read(tid, uaddr, &h, sizeof(h)) < 0)
		return -EFAULT;
	/* the kernel's rules: no name, no length; a longer one is cut */
	if (h.msg_name == NULL)
		h.msg_namelen = 0;
	if ((int)h.msg_namelen < 0)
		return -EINVAL;
	if (h.msg_namelen > sizeof(m->addr))
		h.msg_namelen = sizeof(m->addr);
	if ((r = read_addr(n, tid, (uint64_t)(uintptr_t)h.msg_name, h.msg_namelen, m)) < 0 ||
	    (r = read_data(tid, (uint64_t)(uintptr_t)h.msg_iov, h.msg_iovlen, m)) < 0)
		return r;
	if (h.msg_controllen > PEER_CONTROL_MAX)
		return -ENOBUFS;
	if (h.msg_controllen > 0) {
		m->control = calloc(1, h.msg_controllen);
		if (m->control == NULL)
			return -ENOMEM;
		m->controllen = h.msg_controllen;
		if (trap_mem_read(tid, (uint64_t)(uintptr_t)h.msg_control, m->control, h.msg_controllen) < 0)
			return -EFAULT;
		return copy_fds(pidfd, m);
	}
	return 0;
}

/* The call, as far as it goes without waiting (wait: as the guest's would).
 * 0 with *val, PEER_WAIT, or -errno. */
static int run(struct peer_call *c, bool wait, int64_t *val)
{
	if (c->nr == SYS_connect) {
		struct peer_msg *m = &c->msg[0];
		if (connect(c->sock, c->null_addr ? NULL : (struct sockaddr *)&m->addr, m->addrlen) < 0)
			return -errno;
		*val = 0;
		return 0;
	}
	for (; c->done < c->nmsg; c->done++) {
		struct peer_msg *m = &c->msg[c->done];
		struct msghdr h = {
			.msg_name = m->named ? &m->addr : NULL,
			.msg_namelen = m->named ? m->addrlen : 0,
			.msg_iov = &m->iov,
			.msg_iovlen = 1,
			.msg_control = m->control,
			.msg_controllen = m->controllen,
		};
		/* SIGPIPE is the guest's, not mew's */
		ssize_t r = sendmsg(c->sock, &h, c->flags | MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
		if (r < 0) {
			int e = errno;
			if ((e == EAGAIN || e == EWOULDBLOCK) && !wait && c->blocking)
				return PEER_WAIT;
			if (e == EPIPE && !(c->flags & MSG_NOSIGNAL))
				syscall(SYS_tgkill, c->pid, c->tid, SIGPIPE);
			if (c->done > 0)
				break;
			return -e;
		}
		if (c->nr != SYS_sendmmsg) {
			*val = r;
			return 0;
		}
		/* struct mmsghdr: msg_len follows the struct msghdr */
		unsigned len = (unsigned)r;
		trap_mem_write(c->tid, c->vec + c->done * sizeof(struct mmsghdr) + sizeof(struct msghdr), &len,
			       sizeof(len));
	}
	*val = (int64_t)c->done;
	return 0;
}

static void respond(struct peer_call *c, int r, int64_t val)
{
	struct seccomp_notif_resp resp = { .id = c->id };

	if (r < 0)
		resp.error = r;
	else
		resp.val = val;
	ioctl(c->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void *finish(void *arg)
{
	struct peer_call *c = arg;
	int64_t val = 0;
	int r;

	if (c->nr == SYS_connect) {
		r = run(c, true, &val);
		respond(c, r, val);
		call_free(c);
		return NULL;
	}
	for (;;) {
		struct pollfd p = { .fd = c->sock, .events = POLLOUT };
		r = run(c, false, &val);
		if (r != PEER_WAIT)
			break;
		/* unconnected datagrams: POLLOUT says little; do not spin */
		if (poll(&p, 1, 200) > 0)
			usleep(1000);
		if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->id) < 0) {
			call_free(c); /* interrupted, or gone: nothing sent */
			return NULL;
		}
	}
	respond(c, r, val);
	call_free(c);
	return NULL;
}

/* The arguments of the call behind req, copied. */
static int read_call(struct notifier *n, const struct seccomp_notif *req, int pidfd, struct peer_call *c)
{
	const __u64 *a = req->data.args;
	int r;

	switch (c->nr) {
	case SYS_connect:
		c->nmsg = 1;
		break;
	case SYS_sendto:
	case SYS_sendmsg:
		c->nmsg = 1;
		c->flags = (int)(c->nr == SYS_sendto ? a[3] : a[2]);
		break;
	default: /* sendmmsg */
		c->vec = a[1];
		c->nmsg = (unsigned)a[2] < PEER_MAXIOV ? (unsigned)a[2] : PEER_MAXIOV;
		c->flags = (int)a[3];
		if (c->nmsg == 0)
			return 0;
		break;
	}
	c->msg = calloc(c->nmsg, sizeof(*c->msg));
	if (c->msg == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->nmsg; i++)
		c->msg[i].pathfd = -1;
	switch (c->nr) {
	case SYS_connect:
		c->null_addr = a[1] == 0;
		r = read_addr(n, req->pid, a[1], (socklen_t)a[2], &c->msg[0]);
		if (r == 0 && c->null_addr)
			c->msg[0].addrlen = (socklen_t)a[2]; /* the kernel's EFAULT */
		return r;
	case SYS_sendto:
		if ((r = read_addr(n, req->pid, a[4], (socklen_t)a[5], &c->msg[0])) < 0)
			return r;
		{
			struct iovec v = { (void *)(uintptr_t)a[1], (size_t)a[2] };
			struct peer_msg *m = &c->msg[0];
			size_t k = v.iov_len < PEER_DATA_MAX ? v.iov_len : PEER_DATA_MAX;
			m->iov.iov_base = malloc(k > 0 ? k : 1);
			if (m->iov.iov_base == NULL)
				return -ENOMEM;
			if (trap_mem_read(req->pid, a[1], m->iov.iov_base, k) < 0)
				return -EFAULT;
			m->iov.iov_len = k;
		}
		return 0;
	case SYS_sendmsg:
		return read_msg(n, req->pid, pidfd, a[1], &c->msg[0]);
	default:
		for (size_t i = 0; i < c->nmsg; i++) {
			r = read_msg(n, req->pid, pidfd, c->vec + i * sizeof(struct mmsghdr), &c->msg[i]);
			if (r < 0) {
				/* sent up to the unreadable one; the first: its error */
				if (i == 0)
					return r;
				for (size_t j = i; j < c->nmsg; j++)
					msg_free(&c->msg[j]);
				c->nmsg = i;
				break;
			}
		}
		return 0;
	}
}

int notify_peer(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	struct peer_call *c = calloc(1, sizeof(*c));
	int pidfd, r, fl;

	if (c == NULL)
		return -ENOMEM;
	c->sock = c->listener = -1;
	c->id = req->id;
	c->tid = req->pid;
	c->nr = req->data.nr;
	pers_for(n, req->pid);
	c->pid = n->pers.pid;
	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0) {
		r = -errno;
		goto out;
	}
	c->sock = (int)syscall(SYS_pidfd_getfd, pidfd, (int)req->data.args[0], 0);
	if (c->sock < 0) {
		r = -errno;
		close(pidfd);
		goto out;
	}
	r = read_call(n, req, pidfd, c);
	close(pidfd);
	if (r < 0)
		goto out;
	/* before: the server may ask as soon as it accepts */
	if (c->nr == SYS_connect)
		connector_add(n, c);
	fl = fcntl(c->sock, F_GETFL);
	c->blocking = fl >= 0 && !(fl & O_NONBLOCK) && !(c->flags & MSG_DONTWAIT);
	if (c->nr == SYS_connect && c->blocking)
		r = PEER_WAIT;
	else
		r = run(c, false, val);
	if (r == PEER_WAIT) {
		pthread_t th;
		pthread_attr_t at;
		c->listener = fcntl(n->fd, F_DUPFD_CLOEXEC, 0);
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (c->listener >= 0 && pthread_create(&th, &at, finish, c) == 0) {
			pthread_attr_destroy(&at);
			return 1; /* finish() answers */
		}
		pthread_attr_destroy(&at);
		r = -EAGAIN;
	}
out:
	call_free(c);
	return r;
}
