/* The fast path: calls that only ask (stat, access, readlink, getcwd,
 * uname) and opens are answered through seccomp user notification instead
 * of a ptrace stop.  mew does the call itself on the translated host path
 * and writes the result into the guest (an open's fd is installed in the
 * guest with SECCOMP_IOCTL_NOTIF_ADDFD), so the guest's registers are never
 * touched and no translated path is ever placed where another guest thread
 * could rewrite it.  One thread serves the listener (this file); the
 * answers are in the folder's other files, one concept each. */
#include "trap/notify/notify.h"
#include "base/thread.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int notified[] = {
	SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_access, SYS_faccessat,
	SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_getcwd, SYS_uname,
	SYS_open, SYS_openat, SYS_openat2,
	/* Calls that change the filesystem: done by mew on host paths, so no
	 * translated path ever sits in guest memory. */
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat,
	SYS_renameat2, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_chmod, SYS_fchmodat,
	SYS_truncate, SYS_utimensat, SYS_mknod, SYS_mknodat,
	/* the xattrs, whose admin's names and list are the personality's
	 * (the fd forms by their rows) */
	SYS_getxattr, SYS_lgetxattr, SYS_setxattr, SYS_lsetxattr, SYS_listxattr, SYS_llistxattr,
	SYS_removexattr, SYS_lremovexattr,
	/* AF_UNIX socket paths: no host socket is reachable by its path
	 * (sendto with an address, sendmsg and sendmmsg: the filter's). */
	SYS_bind, SYS_connect,
};

bool trap_notified(int nr)
{
	const struct pers_call *c = pers_call(&pers_abi_x86_64, nr);

	/* Owners (checked against the caller's credentials, then done or
	 * recorded: personality/perm.c), the identity (without the stub: the
	 * thread's credentials here), kill's check and the writes through an
	 * fd (refused where its file is read-only): by their rows. */
	if (c != NULL && (c->owner || c->kind == PK_CRED || c->kind == PK_KILL || c->kind == PK_FD ||
			  c->kind == PK_PTRACE))
		return true;
	for (size_t i = 0; i < sizeof(notified) / sizeof(notified[0]); i++)
		if (notified[i] == nr)
			return true;
	return false;
}

/* Answer one notification: *val is the call's result when 0 is returned;
 * 1 means the answer is already sent; 2 means let the call run as it is. */
static int answer(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const __u64 *a = req->data.args;
	char host[PATH_MAX];
	int r;

	*val = 0;
	switch (req->data.nr) {
	case SYS_open:
	case SYS_openat:
	case SYS_openat2:
		return notify_open(n, req, val);
	case SYS_bind:
		return notify_sock(n, req);
	case SYS_connect:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		return notify_peer(n, req, val);
	case SYS_getsockopt:
		return notify_peercred(n, req);
	case STUB_UPCALL_TRANSLATE: {
		const struct pers_call *c = pers_call(&pers_abi_x86_64, (long)a[2]);
		if (c == NULL)
			return -ENOSYS;
		if (c->kind == PK_OPENAT2) {
			/* (path, dirfd, nr, how, out, how's size): out holds PATH_MAX */
			struct pers_open_how how;
			if ((r = notify_openat2_path(n, req, 0, 1, a[3], a[5], &how, host)) < 0)
				return r;
			return put(req, a[4], host, strlen(host) + 1);
		}
		r = path_arg(n, req, 0, 1, pers_call_follows(c, a[3], O_NOFOLLOW), host);
		if (r == 1) {
			/* the call is about the fd (AT_EMPTY_PATH): the call's
			 * arguments as its row has them, for the fd's rule */
			uint64_t args[6] = { 0 };
			args[(int)c->path[0]] = a[0];
			if (c->dirfd[0] >= 0)
				args[(int)c->dirfd[0]] = a[1];
			if (c->flag >= 0)
				args[(int)c->flag] = a[3];
			if ((r = pers_call_fd_check(&n->pers, req->pid, c, args, true)) < 0)
				return r;
			*val = 1;
			return 0;
		}
		if (r < 0 || (r = pers_write_check(&n->pers, c, a[3], 0, host)) < 0)
			return r;
		if (strlen(host) + 1 > a[5])
			return -ENAMETOOLONG;
		return put(req, a[4], host, strlen(host) + 1);
	}
	case STUB_UPCALL_EXEC:
		return notify_upcall_exec(n, req);
	case STUB_UPCALL_DIRCACHE:
		return notify_upcall_dircache(n, req);
	case STUB_UPCALL_USERNS:
		/* the kernel refuses a map of any process but one whose new
		 * user namespace is a child of mew's, written once */
		return pers_userns_map((pid_t)req->pid);
	case SYS_ptrace:
		r = (int)trap_ptrace_answer(a[0]);
		return r < 0 ? r : 2;
	}
	if (trap_xattr_op((long)req->data.nr) >= 0)
		return notify_xattr(n, req, val);
	r = notify_cred(n, req, val);
	if (r != -ENOSYS)
		return r;
	r = notify_query(n, req, val);
	return r != -ENOSYS ? r : notify_change(n, req);
}

/* A root's call the kernel refused mew on mew's own files (the guest's
 * root took their owner's permissions: mkdir 0444), made again with them
 * given back (personality/grant.c).  Only for a caller with a root's file
 * capabilities: for another, the personality's checks on the modes the
 * guest set decide, and the grant must not change what they see. */
static int answer_as_root(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const struct pers_call *call = call_row(req);
	char host[PATH_MAX];
	struct pers_cred *c;
	struct pers_grant *g;
	int r = answer(n, req, val);

	if (r != -EACCES || n->pers.host_uid == 0 || call->path[0] < 0)
		return r;
	c = malloc(sizeof(*c));
	g = calloc(1, sizeof(*g));
	if (c != NULL && g != NULL && notify_cred_of(n, req->pid, c) == 0 && pers_cred_fs_omnipotent(c)) {
		/* the walks, which give themselves search permission, then
		 * the entries' directories and the objects */
		n->pers.grant = g;
		for (int slot = 0; slot < 2 && call->path[slot] >= 0; slot++)
			if (call_path(n, req, slot, host) == 0)
				pers_grant(&n->pers, host, g);
		n->pers.grant = NULL;
		n->hold = true;
		if (g->n > 0)
			r = answer(n, req, val);
		n->hold = false;
		pers_grant_undo(g);
	}
	free(c);
	free(g);
	return r;
}

/* RECV says ENOENT both for a request whose guest was interrupted and, at
 * once and for ever, when no process holds the filter any more (it cannot
 * gain one again: only a holder's children inherit it); the listener then
 * polls as hung up.  Looping on the second spins a core until stop. */
static bool guests_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

static void *serve(void *arg)
{
	struct notifier *n = arg;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return NULL;
	/* A umask of this thread's own, for the calls that cannot be given a
	 * mode (bind of an AF_UNIX path). */
	unshare(CLONE_FS);
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								   : sizeof(*resp));
	if (req == NULL || resp == NULL)
		goto out;
	/* Blocking in RECV (no poll first: one system call less per guest
	 * call); trap_notify_stop interrupts it with SIGUSR2. */
	while (!__atomic_load_n(&n->stopping, __ATOMIC_ACQUIRE)) {
		int64_t val;
		int r;

		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == ENOENT && guests_gone(n->fd))
				break;
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		r = answer_as_root(n, req, &val);
		__atomic_add_fetch(&n->t->notified, 1, __ATOMIC_RELAXED);
		if (r == 1)
			continue;
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		if (r == 2) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		} else if (r < 0) {
			resp->error = r;
		} else {
			resp->val = val;
		}
		/* ENOENT: the guest was interrupted or died meanwhile; fine (an
		 * interrupted exec upcall comes again, already watched). */
		ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
out:
	free(req);
	free(resp);
	return NULL;
}

static void wake(int sig)
{
	(void)sig;
}

int trap_notify_start(struct trap *t, int listener, struct mew_error **err)
{
	/* (zeroed but for its pers, whose cred's unused groups stay untouched) */
	struct notifier *n = malloc(sizeof(*n));
	struct sigaction sa = { .sa_handler = wake }; /* no SA_RESTART: RECV returns EINTR */

	if (n == NULL)
		return mew_error(err, ENOMEM, "notifier");
	memset(n, 0, offsetof(struct notifier, pers));
	memset(&n->pers + 1, 0, sizeof(*n) - offsetof(struct notifier, pers) - sizeof(n->pers));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	n->t = t;
	n->fd = listener;
	pers_copy(&n->pers, &t->pers); /* shares rootfs and binds, read-only */
	n->pers.cache = pers_cache_new();
	t->notifier = n;
	if (pthread_create(&t->notify_thread, NULL, serve, n) != 0) {
		pers_cache_free(n->pers.cache);
		free(n);
		t->notifier = NULL;
		return mew_error(err, EAGAIN, "notifier thread");
	}
	return 0;
}

void trap_notify_stop(struct trap *t)
{
	struct notifier *n = t->notifier;

	if (n == NULL)
		return;
	__atomic_store_n(&n->stopping, 1, __ATOMIC_RELEASE);
	/* out of RECV (the signal may land just before it) */
	thread_stop(t->notify_thread, SIGUSR2);
	close(n->fd);
	pers_cache_free(n->pers.cache);
	free(n);
	t->notifier = NULL;
}
