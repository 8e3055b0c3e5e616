/* The fast path: calls that only ask (stat, access, readlink, getcwd,
 * uname) and opens are answered through seccomp user notification instead
 * of a ptrace stop.  mew does the call itself on the translated host path
 * and writes the result into the guest (an open's fd is installed in the
 * guest with SECCOMP_IOCTL_NOTIF_ADDFD), so the guest's registers are never
 * touched and no translated path is ever placed where another guest thread
 * could rewrite it.  One thread serves the listener; the ptrace loop keeps
 * exec, chdir and the calls that change the filesystem. */
#include "trap/trap.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

struct notifier {
	struct trap *t;
	int fd;
	int stopping;
	struct pers pers; /* this thread's copy: pid, tid, exe are per call */
	char exe[PATH_MAX];
};

static const int notified[] = {
	SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_access, SYS_faccessat,
	SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_getcwd, SYS_uname,
	SYS_open, SYS_openat,
	/* Calls that change the filesystem: done by mew on host paths, so no
	 * translated path ever sits in guest memory. */
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat,
	SYS_renameat2, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_chmod, SYS_fchmodat,
	SYS_truncate, SYS_utimensat, SYS_mknod, SYS_mknodat,
	/* AF_UNIX socket paths: no host socket is reachable by its path. */
	SYS_bind, SYS_connect,
};

bool trap_notified(int nr)
{
	for (size_t i = 0; i < sizeof(notified) / sizeof(notified[0]); i++)
		if (notified[i] == nr)
			return true;
	return false;
}

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
static void pers_for(struct notifier *n, pid_t tid)
{
	struct tracee *tr;

	n->pers.tid = tid;
	n->pers.pid = tid;
	n->pers.exe = NULL;
	pthread_mutex_lock(&n->t->lock);
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
static int path_arg(struct notifier *n, const struct seccomp_notif *req, int pi, int di,
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
	if (path[0] != '/') {
		int fd = di < 0 ? AT_FDCWD : (int)req->data.args[di];
		if (fd == AT_FDCWD)
			r = pers_getcwd(&n->pers, req->pid, base, sizeof(base));
		else
			r = fd < 0 ? -EBADF : pers_fd_path(&n->pers, req->pid, fd, base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
	}
	return pers_translate(&n->pers, b, path, flags, host, PATH_MAX);
}

static int put(const struct seccomp_notif *req, uint64_t addr, const void *buf, size_t len)
{
	return trap_mem_write(req->pid, addr, buf, len);
}

static int umask_of(pid_t tid)
{
	char path[64], line[128];
	unsigned m = 022;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (f == NULL)
		return 022;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &m) == 1)
			break;
	fclose(f);
	return (int)m;
}

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

/* /proc/N/cmdline of a dynamic program mew started through the rootfs's
 * loader reads "ld.so --argv0 ARGV0 PROGRAM ARGS": give the guest what the
 * kernel would have shown, "ARGV0 ARGS", in a memfd.  -1 when not such a
 * file (open it normally). */
static int cmdline_fd(const char *host)
{
	static char buf[1 << 17];
	const char *p = host + 6, *args[4];
	char *end;
	ssize_t n, at = 0;
	int fd, k = 0, m;

	if (strncmp(host, "/proc/", 6) != 0 || *p < '0' || *p > '9')
		return -1;
	strtol(p, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	if (strcmp(end, "/cmdline") != 0)
		return -1;
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (at < (ssize_t)sizeof(buf) && (n = read(fd, buf + at, sizeof(buf) - (size_t)at)) > 0)
		at += n;
	close(fd);
	/* the first four strings */
	for (ssize_t i = 0; k < 4 && i < at; k++) {
		args[k] = buf + i;
		while (i < at && buf[i] != '\0')
			i++;
		i++;
	}
	if (k < 4 || args[0][0] != '/' || strncmp(strrchr(args[0], '/') + 1, "ld-", 3) != 0 ||
	    strcmp(args[1], "--argv0") != 0)
		return -1;
	m = memfd_create("cmdline", MFD_CLOEXEC);
	if (m < 0)
		return -1;
	{
		const char *rest = args[3] + strlen(args[3]) + 1;
		size_t alen = strlen(args[2]) + 1;
		if (write(m, args[2], alen) != (ssize_t)alen ||
		    (rest < buf + at && write(m, rest, (size_t)(buf + at - rest)) < 0)) {
			close(m);
			return -1;
		}
	}
	lseek(m, 0, SEEK_SET);
	return m;
}

/* The whole of a /proc file (they are small), NUL-terminated; NULL on error. */
static char *slurp(const char *host, size_t *len)
{
	size_t cap = 1 << 16, at = 0;
	char *buf = malloc(cap);
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (buf == NULL || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + at, cap - at - 1)) > 0) {
		at += (size_t)n;
		if (cap - at < 4096) {
			char *b = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
			if (b == NULL)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[at] = '\0';
	*len = at;
	return buf;
}

/* Does path (a host mount point) contain dir as whole components? */
static bool host_under(const char *dir, const char *path)
{
	size_t n = strlen(path);
	if (n == 1)
		return dir[0] == '/';
	return strncmp(dir, path, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
}

/* /proc/N/{maps,mountinfo,mounts} with guest paths: file names in maps
 * untranslated; of the mounts, those the guest can see (under the rootfs
 * or a bind), the one holding the rootfs shown as `/`.  -1 when host is
 * none of them. */
static int proc_view_fd(struct notifier *n, const char *host)
{
	const char *p = host + 6, *what;
	char *end, *buf, *line, *save = NULL, guest[PATH_MAX];
	size_t len, best = 0;
	int m, field;
	FILE *out;

	if (strncmp(host, "/proc/", 6) != 0 || *p < '0' || *p > '9')
		return -1;
	strtol(p, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	what = end;
	if (strcmp(what, "/maps") == 0)
		field = 0;
	else if (strcmp(what, "/mountinfo") == 0)
		field = 5;
	else if (strcmp(what, "/mounts") == 0)
		field = 2;
	else
		return -1;
	buf = slurp(host, &len);
	if (buf == NULL)
		return -1;
	m = memfd_create(what + 1, MFD_CLOEXEC);
	out = m < 0 ? NULL : fdopen(dup(m), "w");
	if (out == NULL) {
		free(buf);
		if (m >= 0)
			close(m);
		return -1;
	}
	if (field != 0) {
		/* The mount the rootfs lives on: the longest mount point above it. */
		char *copy = strdup(buf), *l, *sv = NULL;
		for (l = copy != NULL ? strtok_r(copy, "\n", &sv) : NULL; l != NULL; l = strtok_r(NULL, "\n", &sv)) {
			char mp[PATH_MAX];
			if (sscanf(l, field == 5 ? "%*s %*s %*s %*s %4095s" : "%*s %4095s", mp) == 1 &&
			    host_under(n->pers.rootfs, mp) && strlen(mp) > best)
				best = strlen(mp);
		}
		free(copy);
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int a = 0, b = 0;
		if (field == 0) {
			/* address perms offset dev inode   pathname */
			if (sscanf(line, "%*s %*s %*s %*s %*s %n", &a) >= 0 && a > 0 && line[a] == '/') {
				char *del = strstr(line + a, " (deleted)");
				if (del != NULL)
					*del = '\0';
				if (pers_untranslate(&n->pers, line + a, guest, sizeof(guest)) == 0) {
					fprintf(out, "%.*s%s%s\n", a, line, guest, del != NULL ? " (deleted)" : "");
					continue;
				}
				if (del != NULL)
					*del = ' ';
			}
			fprintf(out, "%s\n", line);
			continue;
		}
		/* the mount point: field 5 of mountinfo, 2 of mounts */
		{
			char *f = line;
			for (int i = 1; i < field && f != NULL; i++) {
				f = strchr(f, ' ');
				if (f != NULL)
					f++;
			}
			if (f == NULL)
				continue;
			a = (int)(f - line);
			b = a;
			while (line[b] != '\0' && line[b] != ' ')
				b++;
		}
		{
			char mp[PATH_MAX];
			snprintf(mp, sizeof(mp), "%.*s", b - a, line + a);
			if (strlen(mp) == best && best > 0 && host_under(n->pers.rootfs, mp))
				snprintf(guest, sizeof(guest), "/");
			else if (strcmp(mp, n->pers.rootfs) != 0 && host_under(mp, n->pers.rootfs) &&
				 pers_untranslate(&n->pers, mp, guest, sizeof(guest)) == 0)
				;
			else if (pers_untranslate(&n->pers, mp, guest, sizeof(guest)) != 0 ||
				 host_under(n->pers.rootfs, mp))
				continue; /* not the guest's to see */
			fprintf(out, "%.*s%s%s\n", a, line, guest, line + b);
		}
	}
	fclose(out);
	free(buf);
	lseek(m, 0, SEEK_SET);
	return m;
}

/* open/openat: 1 when the answer was sent (the fd installed), else -errno. */
static int do_open(struct notifier *n, const struct seccomp_notif *req, int pi, int di)
{
	char host[PATH_MAX];
	int flags = (int)req->data.args[pi + 1];
	mode_t mode = (mode_t)req->data.args[pi + 2];
	int follow = PERS_FOLLOW, fd, r;
	struct stat st;

	if ((flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		follow = 0;
	r = path_arg(n, req, pi, di, follow, host);
	if (r == 1)
		return -ENOENT;
	if (r < 0)
		return r;
	if (((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC))) &&
	    pers_host_readonly(&n->pers, host))
		return -EROFS;
	if ((flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE)
		mode &= ~(mode_t)umask_of(req->pid);
	if (!(flags & O_NONBLOCK) && !(flags & O_PATH) && stat(host, &st) == 0 && S_ISFIFO(st.st_mode)) {
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
	fd = (flags & O_ACCMODE) == O_RDONLY ? cmdline_fd(host) : -1;
	if (fd < 0 && (flags & O_ACCMODE) == O_RDONLY && !(flags & O_PATH))
		fd = proc_view_fd(n, host);
	/* O_NOCTTY: a terminal the guest opens never becomes mew's. */
	if (fd < 0)
		fd = open(host, flags | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0)
		return -errno;
	{
		struct seccomp_notif_addfd add = {
			.id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)fd,
			.newfd_flags = (uint32_t)(flags & O_CLOEXEC),
		};
		r = ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		r = r < 0 ? -errno : 1;
	}
	close(fd);
	return r;
}

#define ONE(pi, di, fl)                                          \
	do {                                                     \
		r = path_arg(n, req, pi, di, fl, host);          \
		if (r == 1)                                      \
			return -ENOENT;                          \
		if (r < 0)                                       \
			return r;                                \
		if (pers_host_readonly(&n->pers, host))          \
			return -EROFS;                           \
	} while (0)
#define TWO(pi, di, qi, ei, fl)                                  \
	do {                                                     \
		ONE(pi, di, fl);                                 \
		r = path_arg(n, req, qi, ei, 0, host2);          \
		if (r == 1)                                      \
			return -ENOENT;                          \
		if (r < 0)                                       \
			return r;                                \
		if (pers_host_readonly(&n->pers, host2))         \
			return -EROFS;                           \
	} while (0)
#define SYS(call) ((call) < 0 ? -errno : 0)

/* The calls that change the filesystem, with the guest's umask. */
static int change(struct notifier *n, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	char host[PATH_MAX], host2[PATH_MAX], target[PATH_MAX];
	ssize_t len;
	int r;

	switch (req->data.nr) {
	case SYS_mkdir:
		ONE(0, -1, 0);
		return SYS(mkdir(host, (mode_t)a[1] & ~(mode_t)umask_of(req->pid)));
	case SYS_mkdirat:
		ONE(1, 0, 0);
		return SYS(mkdir(host, (mode_t)a[2] & ~(mode_t)umask_of(req->pid)));
	case SYS_mknod:
		ONE(0, -1, 0);
		return SYS(mknod(host, (mode_t)a[1] & ~(mode_t)umask_of(req->pid), (dev_t)a[2]));
	case SYS_mknodat:
		ONE(1, 0, 0);
		return SYS(mknod(host, (mode_t)a[2] & ~(mode_t)umask_of(req->pid), (dev_t)a[3]));
	case SYS_rmdir:
		ONE(0, -1, 0);
		return SYS(rmdir(host));
	case SYS_unlink:
		ONE(0, -1, 0);
		return SYS(unlink(host));
	case SYS_unlinkat:
		ONE(1, 0, 0);
		return SYS(unlinkat(AT_FDCWD, host, (int)a[2]));
	case SYS_rename:
		TWO(0, -1, 1, -1, 0);
		return SYS(rename(host, host2));
	case SYS_renameat:
		TWO(1, 0, 3, 2, 0);
		return SYS(rename(host, host2));
	case SYS_renameat2:
		TWO(1, 0, 3, 2, 0);
		return SYS(renameat2(AT_FDCWD, host, AT_FDCWD, host2, (unsigned)a[4]));
	case SYS_link:
		TWO(0, -1, 1, -1, 0);
		return SYS(link(host, host2));
	case SYS_linkat:
		TWO(1, 0, 3, 2, (a[4] & AT_SYMLINK_FOLLOW) ? PERS_FOLLOW : 0);
		return SYS(linkat(AT_FDCWD, host, AT_FDCWD, host2, (int)(a[4] & AT_SYMLINK_FOLLOW)));
	case SYS_symlink:
	case SYS_symlinkat:
		/* The target is stored as the guest wrote it: a guest path. */
		len = trap_mem_read_str(req->pid, a[0], target, sizeof(target));
		if (len < 0)
			return (int)len;
		if (len == 0)
			return -ENOENT;
		if (req->data.nr == SYS_symlink)
			ONE(1, -1, 0);
		else
			ONE(2, 1, 0);
		return SYS(symlink(target, host));
	case SYS_chmod:
		ONE(0, -1, PERS_FOLLOW);
		return SYS(chmod(host, (mode_t)a[1]));
	case SYS_fchmodat:
		ONE(1, 0, PERS_FOLLOW);
		return SYS(chmod(host, (mode_t)a[2]));
	case SYS_truncate:
		ONE(0, -1, PERS_FOLLOW);
		return SYS(truncate(host, (off_t)a[1]));
	case SYS_utimensat: {
		struct timespec ts[2];
		if (a[1] == 0)
			return 2; /* futimens: the fd is the guest's own */
		r = path_arg(n, req, 1, 0, (a[3] & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW, host);
		if (r == 1)
			return 2;
		if (r < 0)
			return r;
		if (pers_host_readonly(&n->pers, host))
			return -EROFS;
		if (a[2] != 0 && trap_mem_read(req->pid, a[2], ts, sizeof(ts)) < 0)
			return -EFAULT;
		return SYS(utimensat(AT_FDCWD, host, a[2] != 0 ? ts : NULL,
				     (int)(a[3] & AT_SYMLINK_NOFOLLOW)));
	}
	}
	return -ENOSYS;
}

/* bind/connect with an AF_UNIX path: translated like any path, then done
 * by mew on a copy of the guest's socket (pidfd_getfd): binding or
 * connecting the copy binds or connects the guest's socket.  The host path
 * may be longer than sun_path holds, so it is reached through
 * /proc/self/fd/N of its directory (bind) or of the socket file (connect).
 * Abstract names and other families run as they are (2). */
static int do_sock(struct notifier *n, const struct seccomp_notif *req)
{
	struct sockaddr_un sa;
	socklen_t len = (socklen_t)req->data.args[2];
	size_t off = offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(sa.sun_path) + 1], host[PATH_MAX], base[PATH_MAX];
	const char *b = NULL;
	bool bind_ = req->data.nr == SYS_bind;
	int r, pidfd, sock, fd;
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
	if ((r = pers_translate(&n->pers, b, path, bind_ ? 0 : PERS_FOLLOW, host, sizeof(host))) < 0)
		return r;
	if (bind_ && pers_host_readonly(&n->pers, host))
		return -EROFS;
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
	pidfd = (int)syscall(SYS_pidfd_open, n->pers.pid, 0);
	sock = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, (int)req->data.args[0], 0);
	r = sock < 0 ? -errno : 0;
	if (pidfd >= 0)
		close(pidfd);
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

/* chroot: only to the guest's own root, which it already has. */
static int do_chroot(struct notifier *n, const struct seccomp_notif *req)
{
	char path[PATH_MAX], base[PATH_MAX], guest[PATH_MAX];
	const char *b = NULL;
	ssize_t len = trap_mem_read_str(req->pid, req->data.args[0], path, sizeof(path));
	int r;

	if (len < 0)
		return (int)len;
	if (len == 0)
		return -ENOENT;
	pers_for(n, req->pid);
	if (path[0] != '/') {
		if ((r = pers_getcwd(&n->pers, req->pid, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	if ((r = pers_resolve(&n->pers, b, path, PERS_FOLLOW, guest, sizeof(guest))) < 0)
		return r;
	return strcmp(guest, "/") == 0 ? 0 : -EPERM;
}

/* The stub's exec upcall (guest/stub.h): resolve the program in the rootfs,
 * write the host path and argv prefix for the stub, and have the thread
 * watched so that its new image gets a stub. */
static int upcall_exec(struct notifier *n, const struct seccomp_notif *req)
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
	if (len == 0) {
		if (!(a[5] & AT_EMPTY_PATH))
			return -ENOENT;
		/* fexecve: the program is the fd itself. */
		if ((r = pers_fd_path(&n->pers, req->pid, (int)a[1], path, sizeof(path))) < 0)
			return r;
	} else if (path[0] != '/') {
		int fd = (int)a[1];
		r = fd == AT_FDCWD ? pers_getcwd(&n->pers, req->pid, base, sizeof(base))
				   : pers_fd_path(&n->pers, req->pid, fd, base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
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
		uint32_t ids[8];
		free(tr->pending_exe);
		tr->pending_exe = strdup(ex.guest);
		/* The identity survives the exec: taken from the old stub. */
		tr->has_creds = trap_mem_read(req->pid, STUB_DATA + offsetof(struct stub_config, uid), ids,
					      sizeof(ids)) == 0;
		if (tr->has_creds) {
			memcpy(tr->uid, ids, 16);
			memcpy(tr->gid, ids + 4, 16);
		}
	}
	pthread_mutex_unlock(&n->t->lock);
	return 0;
}

/* Answer one notification: *val is the call's result when 0 is returned;
 * 1 means the answer is already sent; 2 means let the call run as it is. */
static int answer(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const __u64 *a = req->data.args;
	char host[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	int r;

	*val = 0;
	switch (req->data.nr) {
	case SYS_stat:
	case SYS_lstat:
		r = path_arg(n, req, 0, -1, req->data.nr == SYS_stat ? PERS_FOLLOW : 0, host);
		if (r == 1)
			return -ENOENT;
		if (r < 0)
			return r;
		if ((req->data.nr == SYS_stat ? stat(host, &st) : lstat(host, &st)) < 0)
			return -errno;
		return put(req, a[1], &st, sizeof(st));
	case SYS_newfstatat:
		r = path_arg(n, req, 1, 0, (a[3] & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW, host);
		if (r == 1)
			return 2; /* fstat: the fd is the guest's own */
		if (r < 0)
			return r;
		if (fstatat(AT_FDCWD, host, &st, (int)(a[3] & AT_SYMLINK_NOFOLLOW)) < 0)
			return -errno;
		return put(req, a[2], &st, sizeof(st));
	case SYS_statx: {
		struct statx sx;
		r = path_arg(n, req, 1, 0, (a[2] & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW, host);
		if (r == 1)
			return 2;
		if (r < 0)
			return r;
		if (statx(AT_FDCWD, host, (int)(a[2] & ~(uint64_t)AT_EMPTY_PATH), (unsigned)a[3], &sx) < 0)
			return -errno;
		return put(req, a[4], &sx, sizeof(sx));
	}
	case SYS_access:
		r = path_arg(n, req, 0, -1, PERS_FOLLOW, host);
		if (r == 1)
			return -ENOENT;
		if (r < 0)
			return r;
		return access(host, (int)a[1]) < 0 ? -errno : 0;
	case SYS_faccessat:
	case SYS_faccessat2: {
		int fl = req->data.nr == SYS_faccessat2 ? (int)a[3] : 0;
		r = path_arg(n, req, 1, 0, (fl & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW, host);
		if (r == 1)
			return fl & AT_EMPTY_PATH ? 2 : -ENOENT;
		if (r < 0)
			return r;
		return faccessat(AT_FDCWD, host, (int)a[2], fl & ~AT_EMPTY_PATH) < 0 ? -errno : 0;
	}
	case SYS_readlink:
	case SYS_readlinkat: {
		int pi = req->data.nr == SYS_readlink ? 0 : 1;
		char path[PATH_MAX], base[PATH_MAX];
		const char *b = NULL;
		ssize_t len = trap_mem_read_str(req->pid, a[pi], path, sizeof(path));
		if (len < 0)
			return (int)len;
		if (len == 0)
			return pi == 1 ? 2 : -ENOENT;
		pers_for(n, req->pid);
		if (path[0] != '/') {
			int fd = pi == 0 ? AT_FDCWD : (int)a[0];
			r = fd == AT_FDCWD ? pers_getcwd(&n->pers, req->pid, base, sizeof(base))
					   : pers_fd_path(&n->pers, req->pid, fd, base, sizeof(base));
			if (r < 0)
				return r;
			b = base;
		}
		len = pers_readlink(&n->pers, b, path, buf, sizeof(buf));
		if (len < 0)
			return (int)len;
		if ((int64_t)a[pi + 2] <= 0)
			return -EINVAL;
		if ((uint64_t)len > a[pi + 2])
			len = (ssize_t)a[pi + 2];
		if ((r = put(req, a[pi + 1], buf, (size_t)len)) < 0)
			return r;
		*val = len;
		return 0;
	}
	case SYS_getcwd: {
		size_t len;
		pers_for(n, req->pid);
		if ((r = pers_getcwd(&n->pers, req->pid, buf, sizeof(buf))) < 0)
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
	case SYS_open:
		return do_open(n, req, 0, -1);
	case SYS_openat:
		return do_open(n, req, 1, 0);
	case SYS_chroot:
		return do_chroot(n, req);
	case SYS_bind:
	case SYS_connect:
		return do_sock(n, req);
	case SYS_getresuid:
	case SYS_getresgid: {
		uint32_t v = req->data.nr == SYS_getresuid ? n->pers.uid : n->pers.gid;
		for (int i = 0; i < 3; i++)
			if ((r = put(req, a[i], &v, 4)) < 0)
				return r;
		return 0;
	}
	case STUB_UPCALL_TRANSLATE:
		r = path_arg(n, req, 0, 1, (a[2] & STUB_TR_FOLLOW) ? PERS_FOLLOW : 0, host);
		if (r == 1) {
			*val = 1;
			return 0;
		}
		if (r < 0)
			return r;
		if ((a[2] & STUB_TR_WRITES) && pers_host_readonly(&n->pers, host))
			return -EROFS;
		if (strlen(host) + 1 > a[4])
			return -ENAMETOOLONG;
		return put(req, a[3], host, strlen(host) + 1);
	case STUB_UPCALL_EXEC:
		return upcall_exec(n, req);
	default:
		return change(n, req);
	}
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
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		r = answer(n, req, &val);
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
	struct notifier *n = calloc(1, sizeof(*n));
	struct sigaction sa = { .sa_handler = wake }; /* no SA_RESTART: RECV returns EINTR */

	if (n == NULL)
		return mew_error(err, ENOMEM, "notifier");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	n->t = t;
	n->fd = listener;
	n->pers = t->pers; /* shares rootfs and binds, read-only */
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
	/* Until it is seen out of RECV: the signal may land just before it. */
	while (pthread_tryjoin_np(t->notify_thread, NULL) == EBUSY) {
		pthread_kill(t->notify_thread, SIGUSR2);
		usleep(1000);
	}
	close(n->fd);
	pers_cache_free(n->pers.cache);
	free(n);
	t->notifier = NULL;
}
