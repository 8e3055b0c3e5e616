#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* The stub's exec upcall (guest/stub.h): resolve the program in the rootfs,
 * write the host path and argv prefix for the stub, and have the thread
 * watched so that its new image gets a stub. */
int notify_upcall_exec(struct notifier *n, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	char path[PATH_MAX], base[PATH_MAX], argv0[PATH_MAX];
	static struct pers_exec ex;
	static char out[8192];
	struct stub_exec_answer h = { 0 };
	const char *b = NULL;
	size_t at;
	uint64_t v = 0;
	ssize_t len;
	int r;
	struct tracee *tr;

	pers_for(n, req->pid);
	len = trap_mem_read_str(req->pid, a[0], path, sizeof(path));
	if (len < 0)
		return (int)len;
	if ((r = pers_exec_flags((int)a[5])) < 0)
		return r;
	if (len == 0) {
		if (!(a[5] & AT_EMPTY_PATH))
			return -ENOENT;
		/* fexecve: the program is the fd itself. */
		if ((r = pers_fd_path(&n->pers, req->pid, (int)a[1], base, sizeof(base))) < 0)
			return r;
		/* by its name under the process's root (one outside has none) */
		if ((r = pers_view(&n->pers, base, path, sizeof(path))) != 0)
			return r < 0 ? r : -ENOENT;
	} else if (path[0] != '/') {
		int fd = (int)a[1];
		r = fd == AT_FDCWD ? pers_getcwd(&n->pers, req->pid, base, sizeof(base))
				   : pers_dirfd_path(&n->pers, req->pid, fd, base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
	}
	/* execveat's AT_SYMLINK_NOFOLLOW: a symlink named is ELOOP */
	if (len > 0 && (a[5] & AT_SYMLINK_NOFOLLOW) && (r = pers_exec_nofollow(&n->pers, b, path)) < 0)
		return r;
	/* the guest's ids, not mew's */
	{
		struct pers_cred *c = malloc(sizeof(*c));
		r = c == NULL ? -ENOMEM : notify_cred_of(n, req->pid, c);
		if (r == 0)
			r = pers_exec_permission(&n->pers, c, b, path);
		free(c);
		if (r < 0)
			return r;
	}
	/* argv: counted (the stub copies argv[1..]) and argv[0] kept. */
	argv0[0] = '\0';
	if (a[2] != 0) {
		for (;; h.argc++) {
			if (h.argc > (1u << 20))
				return -E2BIG;
			if (trap_mem_read(req->pid, a[2] + 8ull * h.argc, &v, 8) < 0)
				return -EFAULT;
			if (v == 0)
				break;
			if (h.argc == 0 && trap_mem_read_str(req->pid, v, argv0, sizeof(argv0)) < 0)
				return -EFAULT;
		}
	}
	r = pers_exec_resolve(&n->pers, b, path, h.argc > 0 ? argv0 : path, &ex);
	if (r < 0)
		return r;
	h.nprefix = (uint32_t)ex.nprefix;
	memcpy(out, &h, sizeof(h));
	at = sizeof(h);
	for (int i = -1; i < ex.nprefix; i++) {
		const char *s = i < 0 ? ex.host : ex.prefix[i];
		size_t l = strlen(s) + 1;
		if (at + l > sizeof(out) || at + l > a[4])
			return -E2BIG;
		memcpy(out + at, s, l);
		at += l;
	}
	if ((r = put(req, a[3], out, at)) < 0)
		return r;
	/* the kernel takes the program at the start of an execve */
	pers_busy_exec(n->pers.busy, req->pid, ex.dev, ex.ino);
	pthread_mutex_lock(&n->t->lock);
	tr = trap_tracee(n->t, req->pid, false);
	if (tr != NULL && !tr->watched) {
		/* A watcher thread of its own ptraces it until its exec, so that
		 * the notifier keeps answering meanwhile (a signal handler that
		 * runs before the exec may need it). */
		if ((r = trap_stub_watch(n->t, req->pid)) < 0) {
			pthread_mutex_unlock(&n->t->lock);
			mew_debug("trap: stub: cannot watch %d's exec: %s", req->pid, strerror(-r));
			return -EPERM;
		}
		tr->watched = true;
	}
	if (tr != NULL) {
		free(tr->pending_exe);
		tr->pending_exe = strdup(ex.guest);
		tr->exec_file.mode = ex.mode, tr->exec_file.uid = ex.uid, tr->exec_file.gid = ex.gid;
		tr->exec_file.dev = ex.dev, tr->exec_file.ino = ex.ino;
		/* The identity survives the exec: taken from the old stub. */
		tr->has_creds = trap_cred_read(req->pid, &tr->cred) == 0;
		/* and so does its root (pers_for read it) */
		free(tr->root);
		tr->root = n->pers.root[0] != '\0' ? strdup(n->pers.root) : NULL;
	}
	pthread_mutex_unlock(&n->t->lock);
	return 0;
}
