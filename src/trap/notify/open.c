/* open and openat: the fd opened by mew and installed in the guest (ADDFD). */
#include "trap/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wall/wall.h"

struct slow_open {
	int listener;
	uint64_t id;
	char host[PATH_MAX];
	int flags;
	uint32_t cloexec;
};

/* A FIFO's open waits for the other end: in its own thread, so the other
 * end (another guest call) can still be answered. */
static void *open_slowly(void *arg)
{
	struct slow_open *s = arg;
	int fd = open(s->host, s->flags | O_CLOEXEC);

	if (fd < 0) {
		struct seccomp_notif_resp resp = { .id = s->id, .error = -errno };
		ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	} else {
		struct seccomp_notif_addfd add = {
			.id = s->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)fd,
			.newfd_flags = s->cloexec,
		};
		if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
			struct seccomp_notif_resp resp = { .id = s->id, .error = -errno };
			ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
		close(fd);
	}
	free(s);
	return NULL;
}

/* Reopening an fd for writing through /proc/N/fd/M (magic: the kernel
 * follows it to the file): the file's own place says if it is read-only
 * (/proc/sys, a :ro bind). */
/* Is guest process pid in mew's own UTS namespace (not one it made)? */
static bool same_uts(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/uts", &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static bool reopens_readonly(struct notifier *n, const char *host)
{
	char target[PATH_MAX];
	const char *p = host + 6;
	ssize_t len;

	if (strncmp(host, "/proc/", 6) != 0 || *p < '1' || *p > '9')
		return false;
	p += strspn(p, "0123456789");
	if (strncmp(p, "/task/", 6) == 0) {
		p += 6;
		p += strspn(p, "0123456789");
	}
	if (strncmp(p, "/fd/", 4) != 0)
		return false;
	len = readlink(host, target, sizeof(target) - 1);
	if (len <= 0 || target[0] != '/')
		return false;
	target[len] = '\0';
	return pers_host_readonly(&n->pers, target);
}

int notify_openat2_path(struct notifier *n, const struct seccomp_notif *req, int pi, int di, uint64_t how_addr,
			uint64_t size, struct pers_open_how *how, char *host)
{
	int r;

	if ((r = trap_open_how(req->pid, how_addr, size, how)) < 0)
		return r;
	r = path_arg(n, req, pi, di, pers_open_how_walk(how), host);
	if (r != 0)
		return r == 1 ? -ENOENT : r;
	return pers_write_check(&n->pers, pers_call(&pers_abi_x86_64, SYS_openat2), how->flags, 0, host);
}

/* open/openat/openat2: 1 when the answer was sent (the fd installed), 0
 * with the fd's number in *val when n->hold says not to send it, else
 * -errno. */
int notify_open(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const struct pers_call *call = call_row(req);
	const __u64 *args = req->data.args;
	char host[PATH_MAX];
	int flags, fd, r, fresh;
	mode_t mode;
	struct pers_cred c;
	struct stat st;

	if (call->kind == PK_OPENAT2) {
		struct pers_open_how how;
		/* (dirfd, path, how, size) */
		r = notify_openat2_path(n, req, call->path[0], call->dirfd[0], args[2], args[3], &how, host);
		flags = (int)how.flags;
		mode = (mode_t)how.mode;
	} else {
		flags = (int)call_flag(req);
		mode = (mode_t)args[call->flag + 1]; /* (path, flags, mode) */
		r = call_path(n, req, 0, host);
		if (r == 1)
			return -ENOENT;
	}
	if (r < 0)
		return r;
	if (pers_call_writes(call, (uint64_t)flags) && reopens_readonly(n, host))
		return -EROFS;
	/* the guest's credentials, not mew's, decide */
	if ((r = notify_cred_of(n, req->pid, &c)) < 0 || (r = pers_check_open(&n->pers, &c, host, flags)) < 0)
		return r;
	fresh = (flags & O_CREAT) && lstat(host, &st) < 0;
	if ((flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE)
		mode &= ~(mode_t)umask_of(req->pid);
	if (!n->hold && !(flags & O_NONBLOCK) && !(flags & O_PATH) && stat(host, &st) == 0 && S_ISFIFO(st.st_mode)) {
		struct slow_open *s = calloc(1, sizeof(*s));
		pthread_attr_t a;
		pthread_t th;
		if (s == NULL)
			return -ENOMEM;
		s->listener = n->fd;
		s->id = req->id;
		strcpy(s->host, host);
		s->flags = flags;
		s->cloexec = (uint32_t)(flags & O_CLOEXEC);
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&th, &a, open_slowly, s);
		pthread_attr_destroy(&a);
		if (r != 0) {
			free(s);
			return -EAGAIN;
		}
		return 1;
	}
	if ((flags & O_ACCMODE) != O_RDONLY && (r = pers_proc_write_check(host)) < 0)
		return r;
	fd = -1;
	/* (a guest in a UTS namespace of its own, guest/ns.c, has its own
	 * names there, which only the kernel knows) */
	if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_PATH) &&
	    (strncmp(host, "/proc/sys/kernel/", 17) != 0 || same_uts(req->pid))) {
		/* /proc/N/status shows N's credentials, when N is a guest's */
		pid_t of = pers_proc_cred_pid(host);
		struct pers_cred *cred = of > 0 ? malloc(sizeof(*cred)) : NULL;
		if (cred != NULL && notify_guest_cred(n, of, cred) < 0) {
			free(cred);
			cred = NULL;
		}
		fd = pers_proc_open(&n->pers, host, cred);
		free(cred);
	}
	/* O_NOCTTY: a terminal the guest opens never becomes mew's. */
	if (fd < 0)
		fd = open(host, flags | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0)
		return -errno;
	/* mew is not in the guest's devices cgroup (src/wall/devcg.c): its
	 * answer, for a node the group refuses */
	if (fstat(fd, &st) == 0 && !wall_devcg_allows(st.st_mode, st.st_rdev)) {
		close(fd);
		return -EPERM;
	}
	if (fresh)
		pers_owner_created(&n->pers, &c, host);
	else if ((flags & __O_TMPFILE) == __O_TMPFILE) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		pers_owner_tmpfile(&n->pers, &c, host, link);
	}
	{
		struct seccomp_notif_addfd add = {
			.id = req->id, .flags = n->hold ? 0 : SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)fd,
			.newfd_flags = (uint32_t)(flags & O_CLOEXEC),
		};
		r = ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		if (r >= 0 && n->hold)
			*val = r, r = 0;
		else
			r = r < 0 ? -errno : 1;
	}
	close(fd);
	return r;
}
