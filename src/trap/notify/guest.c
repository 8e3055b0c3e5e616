/* The guest process behind a notification: its program, its paths. */
#include "trap/notify/notify.h"
#include "base/procstatus.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void status_of(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		int v;
		if (tgid != NULL && sscanf(line, "Tgid: %d", &v) == 1)
			*tgid = v;
		if (ppid != NULL && sscanf(line, "PPid: %d", &v) == 1)
			*ppid = v;
	}
	fclose(f);
}

/* Stub mode: nothing follows forks, so a thread first seen here is looked
 * up: its process's program is its leader's, or (a child that has not
 * exec'd) its nearest known ancestor's.  t->lock held. */
static struct tracee *stub_who(struct trap *t, pid_t tid)
{
	pid_t tgid = 0, ppid = 0;
	struct tracee *tr, *src = NULL;

	trap_tracee_sweep(t); /* (before src is taken) */
	status_of(tid, &tgid, &ppid);
	if (tgid != 0 && tgid != tid)
		src = trap_tracee(t, tgid, false);
	for (int i = 0; src == NULL && ppid > 1 && i < 32; i++) {
		pid_t up = 0;
		src = trap_tracee(t, ppid, false);
		if (src == NULL) {
			status_of(ppid, NULL, &up);
			ppid = up;
		}
	}
	tr = trap_tracee(t, tid, true);
	if (tr == NULL)
		return NULL;
	tr->tgid = tgid != 0 ? tgid : tid;
	if (src != NULL && src->exe != NULL)
		tr->exe = strdup(src->exe);
	return tr;
}

/* The guest process behind a notification, for /proc/self answers. */
void pers_for(struct notifier *n, pid_t tid)
{
	struct tracee *tr;

	n->pers.tid = tid;
	n->pers.pid = tid;
	n->pers.exe = NULL;
	/* its root, kept by its stub or in its record (none before a
	 * guest's first chroot) */
	n->pers.root[0] = '\0';
	if (n->t->stub_mode && __atomic_load_n(&n->t->chrooted, __ATOMIC_ACQUIRE) != 0 &&
	    trap_root_read(tid, n->pers.root, sizeof(n->pers.root)) < 0)
		n->pers.root[0] = '\0';
	pthread_mutex_lock(&n->t->lock);
	if (!n->t->stub_mode && __atomic_load_n(&n->t->chrooted, __ATOMIC_ACQUIRE) != 0)
		trap_tracee_root(n->t, tid, n->pers.root, sizeof(n->pers.root));
	tr = trap_tracee(n->t, tid, false);
	if (tr == NULL && n->t->stub_mode)
		tr = stub_who(n->t, tid);
	if (tr != NULL) {
		if (tr->tgid != 0)
			n->pers.pid = tr->tgid;
		if (tr->exe != NULL) {
			snprintf(n->exe, sizeof(n->exe), "%s", tr->exe);
			n->pers.exe = n->exe;
		}
	}
	pthread_mutex_unlock(&n->t->lock);
}

/* Path argument pi relative to dirfd argument di (-1: the cwd), translated.
 * Returns 0, 1 when the path is empty (the call is about the fd itself), or
 * -errno. */
int path_arg(struct notifier *n, const struct seccomp_notif *req, int pi, int di,
		    int flags, char *host)
{
	char path[PATH_MAX], base[PATH_MAX];
	const char *b = NULL;
	ssize_t len;
	int r;

	len = trap_mem_read_str(req->pid, req->data.args[pi], path, sizeof(path));
	if (len < 0)
		return (int)len;
	if (len == 0)
		return 1;
	pers_for(n, req->pid);
	if (pers_walk_needs_base(path, flags)) {
		int fd = di < 0 ? AT_FDCWD : (int)req->data.args[di];
		if (fd == AT_FDCWD)
			r = pers_getcwd(&n->pers, req->pid, base, sizeof(base));
		else
			r = fd < 0 ? -EBADF : pers_dirfd_path(&n->pers, req->pid, fd, base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
	}
	r = pers_translate(&n->pers, b, path, flags, host, PATH_MAX);
	/* the walk's search permission, for a guest that is no longer root */
	return r < 0 ? r : notify_check_lookup(n, req->pid, host);
}

const struct pers_call *call_row(const struct seccomp_notif *req)
{
	static const struct pers_call none = { .kind = PK_REFUSE, .path = { -1, -1 }, .dirfd = { -1, -1 },
					       .flag = -1, .err = ENOSYS };
	const struct pers_call *c = pers_call(&pers_abi_x86_64, req->data.nr);

	return c != NULL ? c : &none;
}

uint64_t call_flag(const struct seccomp_notif *req)
{
	return PERS_CALL_FLAG(call_row(req), req->data.args);
}

int call_follows(const struct seccomp_notif *req)
{
	return pers_call_follows(call_row(req), call_flag(req), pers_abi_x86_64.o_nofollow);
}

int call_path(struct notifier *n, const struct seccomp_notif *req, int slot, char *host)
{
	const struct pers_call *c = call_row(req);
	const uint64_t *args = (const uint64_t *)req->data.args;
	int r;

	if (c->path[slot] < 0)
		return -ENOSYS;
	if (slot == 0 && args[c->path[0]] == 0 && pers_call_on_fd(c, args, false) >= 0)
		r = 1; /* futimens: utimensat(fd, NULL, ...) */
	else
		r = path_arg(n, req, c->path[slot], c->dirfd[slot], slot == 0 ? call_follows(req) : 0, host);
	if (r == 1 && slot == 0) /* a write through the fd is checked */
		return (r = pers_call_fd_check(&n->pers, req->pid, c, args, true)) < 0 ? r : 1;
	return r == 0 ? pers_write_check(&n->pers, c, call_flag(req), slot, host) : r;
}

int guest_fd(struct notifier *n, const struct seccomp_notif *req, int fd, char *path, size_t len)
{
	int pidfd, copy;

	if (fd < 0)
		return -EBADF;
	pers_for(n, req->pid);
	pidfd = (int)syscall(SYS_pidfd_open, n->pers.pid, 0);
	if (pidfd < 0)
		return -errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	copy = copy < 0 ? -errno : copy;
	close(pidfd);
	if (copy >= 0)
		snprintf(path, len, "/proc/self/fd/%d", copy);
	return copy;
}

int put(const struct seccomp_notif *req, uint64_t addr, const void *buf, size_t len)
{
	return trap_mem_write(req->pid, addr, buf, len);
}

int umask_of(pid_t tid)
{
	char v[32];
	unsigned m;

	if (proc_status_field(tid, "Umask", v, sizeof(v)) < 0 || sscanf(v, "%o", &m) != 1)
		return 022;
	return (int)m;
}
