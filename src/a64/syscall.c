/* aarch64 Linux system calls answered on the x86-64 host: numbers mapped,
 * structure layouts converted where the two ABIs differ (struct stat,
 * epoll_event, open flags), paths through the rootfs view, memory calls on
 * the guest's (identity-mapped) address space. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/capability.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/vdso.h"
#include "personality/abi/aarch64.h"

#define ARG(n) (c->x[n])
#define PTR(n) ((void *)(uintptr_t)c->x[n])
#define STR(n) ((const char *)(uintptr_t)c->x[n])

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

/* Calls whose arguments mean the same on both sides: aarch64 -> host. */
static const short passthrough[A64_NR_rseq + 1] = {
#define P(n) [A64_NR_##n] = SYS_##n + 1 /* 0 = not passed through */
	P(eventfd2), P(epoll_create1), P(dup), P(dup3), P(inotify_init1),
	P(inotify_rm_watch), P(ioctl), P(ioprio_set), P(ioprio_get), P(flock),
	P(ftruncate), P(fallocate), P(fchmod), P(fchown), P(close),
	P(getdents64), P(lseek), P(read), P(write), P(readv), P(writev), P(pread64),
	P(pwrite64), P(preadv), P(pwritev), P(sendfile), P(pselect6), P(ppoll),
	P(signalfd4), P(vmsplice), P(splice), P(tee), P(sync), P(fsync), P(fdatasync),
	P(timerfd_create), P(timerfd_settime), P(timerfd_gettime), P(capget),
	P(waitid), P(nanosleep), P(getitimer), P(setitimer),
	P(timer_create), P(timer_gettime), P(timer_getoverrun), P(timer_settime),
	P(timer_delete), P(clock_gettime), P(clock_getres), P(clock_nanosleep),
	P(sched_setparam), P(sched_setscheduler), P(sched_getscheduler),
	P(sched_getparam), P(sched_setaffinity), P(sched_getaffinity), P(sched_yield),
	P(sched_get_priority_max), P(sched_get_priority_min), P(sched_rr_get_interval),
	P(sched_setattr), P(sched_getattr),
	P(kill), P(tkill), P(tgkill), P(rt_sigpending), P(rt_sigtimedwait),
	P(rt_sigqueueinfo), P(setpriority), P(getpriority), P(setregid), P(setgid),
	P(setreuid), P(setuid), P(setresuid), P(getresuid), P(setresgid), P(getresgid),
	P(setfsuid), P(setfsgid), P(times), P(setpgid), P(getpgid), P(getsid), P(setsid),
	P(getgroups), P(setgroups), P(getrlimit), P(setrlimit), P(getrusage), P(umask),
	P(getcpu), P(gettimeofday), P(getpid), P(getppid), P(getuid), P(geteuid),
	P(getgid), P(getegid), P(gettid), P(sysinfo), P(socket), P(socketpair),
	P(listen), P(accept), P(getsockname), P(getpeername),
	P(recvfrom), P(setsockopt), P(getsockopt), P(shutdown), P(recvmsg),
	P(readahead), P(madvise), P(msync), P(mlock), P(munlock), P(mlockall),
	P(munlockall), P(mincore), P(accept4), P(recvmmsg), P(wait4), P(prlimit64),
	P(syncfs), P(getrandom), P(memfd_create), P(copy_file_range),
	P(preadv2), P(pwritev2), P(msgget), P(msgctl), P(msgrcv), P(msgsnd),
	P(semget), P(semctl), P(semtimedop), P(semop), P(rt_tgsigqueueinfo),
	P(futex),
	[A64_NR_fadvise64] = SYS_fadvise64 + 1,
	P(shmget), P(shmctl), P(shmat), P(shmdt), P(membarrier),
#undef P
};

/* ---- flags that differ ---- */

#define G_O_DIRECTORY 0040000
#define G_O_NOFOLLOW 0100000
#define G_O_DIRECT 0200000
#define G_O_LARGEFILE 0400000
#define H_O_DIRECT 0040000
#define H_O_LARGEFILE 0100000
#define H_O_DIRECTORY 0200000
#define H_O_NOFOLLOW 0400000
#define DIFFER (0040000 | 0100000 | 0200000 | 0400000)

static int open_flags_in(uint64_t g)
{
	int h = g & ~DIFFER;
	if (g & G_O_DIRECTORY) h |= H_O_DIRECTORY;
	if (g & G_O_NOFOLLOW) h |= H_O_NOFOLLOW;
	if (g & G_O_DIRECT) h |= H_O_DIRECT;
	if (g & G_O_LARGEFILE) h |= H_O_LARGEFILE;
	return h;
}

static uint64_t open_flags_out(int h)
{
	uint64_t g = h & ~DIFFER;
	if (h & H_O_DIRECTORY) g |= G_O_DIRECTORY;
	if (h & H_O_NOFOLLOW) g |= G_O_NOFOLLOW;
	if (h & H_O_DIRECT) g |= G_O_DIRECT;
	if (h & H_O_LARGEFILE) g |= G_O_LARGEFILE;
	return g;
}

/* ---- struct stat ---- */

struct g_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct g_stat) == 128, "aarch64 struct stat");

static void stat_out(void *dst, const struct stat *s)
{
	struct g_stat g = {
		.dev = s->st_dev, .ino = s->st_ino, .mode = s->st_mode, .nlink = s->st_nlink,
		.uid = s->st_uid, .gid = s->st_gid, .rdev = s->st_rdev, .size = s->st_size,
		.blksize = s->st_blksize, .blocks = s->st_blocks,
		.atime = s->st_atim.tv_sec, .atime_ns = s->st_atim.tv_nsec,
		.mtime = s->st_mtim.tv_sec, .mtime_ns = s->st_mtim.tv_nsec,
		.ctime = s->st_ctim.tv_sec, .ctime_ns = s->st_ctim.tv_nsec,
	};
	memcpy(dst, &g, sizeof(g));
}

/* ---- memory ---- */

/* The guest's protection as given, so that /proc/self/maps shows it
 * (-wxp for write and exec, as arm64 Linux).  The interpreter reads the
 * code it runs: an x86-64 page that is writable is readable too, and one
 * that is exec only gets read added (shown r-x; with protection keys the
 * host kernel would make it unreadable). */
static int prot_in(uint64_t p)
{
	int h = p & (PROT_READ | PROT_WRITE | PROT_EXEC);
	if (h == PROT_EXEC)
		h |= PROT_READ;
	return h;
}

/* The break grows into its room, reserved at load (elf.c), and past it
 * where nothing is mapped; it shrinks back into the room. */
static long sys_brk(uint64_t want)
{
	struct a64_proc *p = a64_self;
	if (want < p->brk_start)
		return p->brk_cur;
	uint64_t need = (want + 4095) & ~4095ull, room = p->brk_room;
	if (need > p->brk_mapped) {
		uint64_t from = p->brk_mapped > room ? p->brk_mapped : room;
		if (need > from && mmap((void *)(uintptr_t)from, need - from, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED)
			return p->brk_cur;
		if (p->brk_mapped < room &&
		    mmap((void *)(uintptr_t)p->brk_mapped, (need < room ? need : room) - p->brk_mapped,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
			if (need > from)
				munmap((void *)(uintptr_t)from, need - from);
			return p->brk_cur;
		}
		p->brk_mapped = need;
	} else if (need < p->brk_mapped) {
		if (p->brk_mapped > room && p->brk_mapped > need) {
			uint64_t from = need > room ? need : room;
			munmap((void *)(uintptr_t)from, p->brk_mapped - from);
		}
		if (need < room) /* back to reserved, its memory freed */
			mmap((void *)(uintptr_t)need, (p->brk_mapped < room ? p->brk_mapped : room) - need, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
		p->brk_mapped = need;
	}
	p->brk_cur = want;
	return want;
}

/* Huge pages for the guest's large private anonymous mappings (a heap
 * allocation of megabytes: xz's match finder, a sort's array), as the
 * host would give them with transparent huge pages "always": on a host
 * set to "madvise" (as this one) a translated program's random accesses
 * there otherwise pay a page fault per 4 KiB and a TLB miss per access,
 * which native code pays too.  Not for stacks (grown sparsely, from the
 * top) nor below 2 MiB, which holds no huge page; the guest's own
 * madvise(MADV_NOHUGEPAGE) still wins (it comes after).  MEW_A64_THP=0:
 * the host's default. */
static void advise_huge(void *at, uint64_t len, int prot, int flags)
{
	static int on = -1;
	if (on < 0) {
		const char *v = getenv("MEW_A64_THP");
		on = v == NULL || strcmp(v, "0") != 0;
	}
	if (on && len >= (2u << 20) && (prot & PROT_WRITE) &&
	    (flags & (MAP_ANONYMOUS | MAP_SHARED | MAP_STACK | MAP_GROWSDOWN)) == MAP_ANONYMOUS)
		madvise(at, len, MADV_HUGEPAGE);
}

static long sys_mmap(struct a64_cpu *c)
{
	int flags = ARG(3);
	void *r = mmap(PTR(0), ARG(1), prot_in(ARG(2)), flags, (int)ARG(4), ARG(5));
	if (r == MAP_FAILED && (ARG(2) & PROT_EXEC) && errno == EPERM) /* a noexec mount: the host never runs it */
		r = mmap(PTR(0), ARG(1), prot_in(ARG(2)) & ~PROT_EXEC, flags, (int)ARG(4), ARG(5));
	if (r == MAP_FAILED)
		return -errno;
	advise_huge(r, ARG(1), (int)ARG(2), flags);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		a64_code_changed(ARG(0), ARG(1));
		a64_vdso_unmapped(ARG(0), ARG(1));
	}
	return (long)(uintptr_t)r;
}

/* ---- paths ---- */

/* An xattr call (personality/xattr.c): on host, or through the guest's
 * fd (host NULL: the kernel's call where pers_xattr_fd says so). */
static long xattr(struct a64_cpu *c, int op, const char *host, bool follow)
{
	char name[PATH_MAX], fdpath[64];
	int r = 0;

	if (host == NULL) {
		if (pers_xattr_fd(0, (int)ARG(0), fdpath, sizeof(fdpath)) != 0)
			return ret(syscall(op == PERS_XATTR_GET ? SYS_fgetxattr : op == PERS_XATTR_SET ? SYS_fsetxattr
							: op == PERS_XATTR_LIST ? SYS_flistxattr : SYS_fremovexattr,
					   ARG(0), ARG(1), ARG(2), ARG(3), ARG(4)));
		host = fdpath, follow = true;
	}
	if (op == PERS_XATTR_LIST)
		return pers_xattr(&a64_self->pers, &a64_self->pers.cred, op, host, follow, NULL, PTR(1), ARG(2), 0);
	if ((r = a64_path_copy(STR(1), name)) < 0)
		return r == -ENAMETOOLONG ? -ERANGE : r;
	return pers_xattr(&a64_self->pers, &a64_self->pers.cred, op, host, follow, name, PTR(2), ARG(3), (int)ARG(4));
}

/* Path slot 0 or 1 of the call, as the personality's call table says
 * (argument, dirfd, follow, read-only refusal): the host path, or return
 * -errno from the dispatch. */
#define TPATH(slot, buf)                                                       \
	do {                                                                   \
		int _r = a64_call_path(c, pc, slot, buf, sizeof(buf));        \
		if (_r < 0)                                                    \
			return _r;                                             \
	} while (0)

static long sys_readlinkat(struct a64_cpu *c)
{
	char base[PATH_MAX], path[PATH_MAX];
	const char *b = NULL;
	int r;

	if ((int)ARG(3) <= 0) /* the kernel's bufsiz is an int */
		return -EINVAL;
	if ((r = a64_path_copy(STR(1), path)) < 0)
		return r;
	if (path[0] != '/' && (int)ARG(0) != AT_FDCWD) {
		r = pers_fd_path(&a64_self->pers, 0, ARG(0), base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
		/* an empty path: the symlink dirfd is (an O_PATH|O_NOFOLLOW fd),
		 * its directory's guest path as base (the walk does not follow
		 * a base's last name) */
		if (path[0] == '\0')
			snprintf(path, sizeof(path), ".");
	}
	a64_self->pers.exe = a64_self->exe;
	if (a64_self->pers.fake_root) { /* search permission on the walk, for the guest's ids */
		char hp[PATH_MAX];
		if (pers_translate(&a64_self->pers, b, path, 0, hp, sizeof(hp)) == 0 &&
		    (r = pers_check_lookup(&a64_self->pers, &a64_self->pers.cred, hp)) < 0)
			return r;
	}
	return pers_readlink(&a64_self->pers, b, path, PTR(2), ARG(3));
}

static long sys_getcwd(struct a64_cpu *c)
{
	char g[PATH_MAX];
	int r = pers_getcwd_view(&a64_self->pers, 0, g, sizeof(g));
	if (r < 0)
		return r;
	size_t n = strlen(g) + 1;
	if (n > ARG(1))
		return -ERANGE;
	memcpy(PTR(0), g, n);
	return n;
}

/* After chdir, fchdir or chroot: a cwd and root shared with another
 * process are its too. */
static long cwd_set(long r)
{
	char host[PATH_MAX];

	if (r == 0 && a64_self->fs != NULL)
		a64_fs_push();
	/* the host process's cwd follows, for /proc/N/cwd (the guest's
	 * relative paths are translated from pers.cwd all the same) */
	if (r == 0 && a64_path(AT_FDCWD, ".", 1, host, sizeof(host)) == AT_FDCWD && chdir(host) < 0)
		a64_debug("chdir `%s`: %s", host, strerror(errno));
	return r;
}

static long sys_fchdir(struct a64_cpu *c)
{
	char g[PATH_MAX];
	int r = pers_fd_path(&a64_self->pers, 0, ARG(0), g, sizeof(g));
	if (r < 0)
		return r;
	/* (the fd's directory, even outside the process's root) */
	return pers_set_cwd_at(&a64_self->pers, g, ".");
}

/* Run the guest program at guest path (absolute, or relative to the cwd)
 * with the guest's argv and envp: only returns on failure. */
static long exec_guest(const char *path, char *const *gargv, char *const *genv)
{
	char hp[PATH_MAX], exe[PATH_MAX];
	char self[64];
	snprintf(self, sizeof(self), "/proc/%d/exe", getpid());
	/* the new mew cannot ask this one: the program by its name under
	 * this process's root */
	if ((strcmp(path, "/proc/self/exe") == 0 || strcmp(path, self) == 0) &&
	    pers_view(&a64_self->pers, a64_self->exe, exe, sizeof(exe)) == 0)
		path = exe;
	int r = a64_path(AT_FDCWD, path, 1, hp, sizeof(hp));
	if (r < 0 && r != AT_FDCWD)
		return r;
	/* the guest's ids: the walk and the program's execute permission */
	if ((r = pers_exec_permission(&a64_self->pers, &a64_self->pers.cred, NULL, path)) < 0)
		return r;
	if (a64_self->binfmt) /* the kernel picks the interpreter (mew binfmt) */
		return execve(hp, gargv, genv) < 0 ? -errno : 0;
	r = a64_check_exec(hp);
	if (r < 0)
		return r;
	size_t n = 0;
	while (gargv != NULL && gargv[n] != NULL)
		n++;
	char **av = calloc(n + 16 + 3 * a64_self->pers.nbinds, sizeof(char *));
	if (av == NULL)
		return -ENOMEM;
	size_t k = 0;
	av[k++] = "mew";
	av[k++] = "__a64-exec";
	k += a64_exec_args(av + k);
	av[k++] = (char *)path;
	for (size_t j = 0; j < n; j++)
		av[k++] = gargv[j];
	if (n == 0)
		av[k++] = (char *)path;
	av[k] = NULL;
	execve("/proc/self/exe", av, genv);
	r = -errno;
	a64_exec_args_done();
	free(av);
	return r;
}


static long sys_execve(struct a64_cpu *c)
{
	char path[PATH_MAX];
	int r = a64_path_copy(STR(0), path);
	return r < 0 ? r : exec_guest(path, PTR(1), PTR(2));
}

/* execveat(dirfd, path, argv, envp, flags): the program by its guest path
 * (AT_EMPTY_PATH: dirfd's file itself). */
static long sys_execveat(struct a64_cpu *c)
{
	char path[PATH_MAX], base[PATH_MAX], guest[PATH_MAX];
	const char *b = NULL;
	int fd = (int)ARG(0), flags = (int)ARG(4), r;

	if ((r = a64_path_copy(STR(1), path)) < 0 || (r = pers_exec_flags(flags)) < 0)
		return r;
	if (path[0] != '/' && fd != AT_FDCWD) {
		if ((r = pers_fd_path(&a64_self->pers, 0, fd, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	if (path[0] == '\0') {
		if (!(flags & AT_EMPTY_PATH) || b == NULL)
			return -ENOENT;
		snprintf(guest, sizeof(guest), "%s", base);
	} else {
		if ((flags & AT_SYMLINK_NOFOLLOW) && (r = pers_exec_nofollow(&a64_self->pers, b, path)) < 0)
			return r;
		if ((r = pers_resolve(&a64_self->pers, b, path, PERS_FOLLOW, guest, sizeof(guest))) < 0)
			return r;
	}
	/* exec_guest takes the program by its name under the process's
	 * root (one outside it has none) */
	if ((r = pers_view(&a64_self->pers, guest, base, sizeof(base))) != 0)
		return r < 0 ? r : -ENOENT;
	return exec_guest(base, PTR(2), PTR(3));
}

static long sys_uname(struct a64_cpu *c)
{
	struct utsname u;
	pers_uname(&a64_self->pers, &u);
	snprintf(u.machine, sizeof(u.machine), "aarch64");
	memcpy(PTR(0), &u, sizeof(u));
	return 0;
}

struct g_epoll_event {
	uint32_t events;
	uint32_t pad;
	uint64_t data;
};

static long sys_epoll_ctl(struct a64_cpu *c)
{
	struct epoll_event ev, *evp = NULL;
	if (PTR(3) != NULL) {
		struct g_epoll_event g;
		memcpy(&g, PTR(3), sizeof(g));
		ev.events = g.events;
		ev.data.u64 = g.data;
		evp = &ev;
	}
	return ret(epoll_ctl(ARG(0), ARG(1), ARG(2), evp));
}

static long sys_epoll_pwait(struct a64_cpu *c)
{
	int max = ARG(2);
	if (max <= 0 || max > 1024)
		max = max <= 0 ? 1 : 1024;
	struct epoll_event ev[1024];
	struct a64_safe_args sa = {
		.nr = SYS_epoll_pwait,
		.a = { ARG(0), (long)ev, max, ARG(3), ARG(4), ARG(5) },
		.pending = &c->pending,
		.blocked = &c->blocked,
	};
	long r = a64_safe_syscall(&sa);
	if (r < 0)
		return r;
	struct g_epoll_event *g = PTR(1);
	for (long k = 0; k < r; k++) {
		g[k].events = ev[k].events;
		g[k].pad = 0;
		g[k].data = ev[k].data.u64;
	}
	return r;
}

static long sys_fcntl(struct a64_cpu *c)
{
	int cmd = ARG(1);
	switch (cmd) {
	case F_GETFL: {
		long r = fcntl(ARG(0), F_GETFL);
		return r < 0 ? -errno : (long)open_flags_out(r);
	}
	case F_SETFL:
		return ret(fcntl(ARG(0), F_SETFL, open_flags_in(ARG(2))));
	default:
		return ret(syscall(SYS_fcntl, ARG(0), ARG(1), ARG(2)));
	}
}

/* The guest's memory is this process's (identity-mapped). */
static int mem_in(void *ctx, void *dst, unsigned long src, unsigned long n)
{
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return 0;
}

static int mem_out(void *ctx, unsigned long dst, const void *src, unsigned long n)
{
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}

static const struct pers_cred_io guest_mem = { mem_in, mem_out, NULL };

#define CRED (&a64_self->pers.cred)
#define PERS (&a64_self->pers)

/* The host path of one of this process's fds, for the personality's
 * checks and owners; -EBADF for a closed one. */
static int fd_host(int fd, char *buf, size_t len)
{
	int fl = fcntl(fd, F_GETFL);

	/* an O_PATH fd is no fd to fchmod, fchown, futimens (the kernel's
	 * EBADF), but AT_EMPTY_PATH takes one (fd_or_path) */
	if (fl < 0 || (fl & O_PATH))
		return -EBADF;
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return 0;
}

/* The host file a call names: its first path translated, or for a call on
 * its dirfd (futimens; AT_EMPTY_PATH with an empty path: pers_call_on_fd)
 * the fd's (*on_fd). */
static int fd_or_path(struct a64_cpu *c, const struct pers_call *pc, char *buf, size_t len, bool *on_fd)
{
	const char *path = (const char *)(uintptr_t)c->x[pc->path[0]];
	int i = pers_call_on_fd(pc, c->x, path != NULL && path[0] == '\0');

	*on_fd = i >= 0;
	if (i < 0)
		return a64_call_path(c, pc, 0, buf, len);
	if (path == NULL)
		return fd_host((int)c->x[i], buf, len);
	if (fcntl((int)c->x[i], F_GETFD) < 0)
		return -EBADF;
	snprintf(buf, len, "/proc/self/fd/%d", (int)c->x[i]);
	return 0;
}

/* stat's owner as the guest sees it (recorded, or mew's own as root's). */
static long stat_view(void *dst, const char *host, bool follow, struct stat *st)
{
	pers_owner_view(PERS, host, follow, st);
	stat_out(dst, st);
	return 0;
}

static long statx_view(long r, const char *host, bool follow, void *buf)
{
	if (r >= 0)
		pers_owner_view_statx(PERS, host, follow, buf);
	return r;
}

/* A call that made host: its new inode gets the owner the kernel gives. */
static long created(long r, const char *host)
{
	if (r >= 0)
		pers_owner_created(PERS, CRED, host);
	return r;
}

/* Where this program (mew) is mapped in process pid: the start of its
 * first mapping, or 0. */
static uintptr_t image_base(pid_t pid, const char *exe)
{
	char path[64], line[PATH_MAX + 128];
	uintptr_t base = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (base == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *name = strchr(line, '/');
		unsigned long lo;
		if (name == NULL)
			continue;
		name[strcspn(name, "\n")] = 0;
		if (strcmp(name, exe) == 0 && sscanf(line, "%lx-", &lo) == 1)
			base = lo;
	}
	fclose(f);
	return base;
}

/* Read len bytes at what is *mine in this process from the same place in
 * guest process pid (the same program: its a64_proc sits at the same
 * offset from its image).  0, or -1 when pid is no guest of this run's
 * kind. */
int a64_peer_read(pid_t pid, const void *mine, void *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	uintptr_t base = image_base(getpid(), exe), theirs = image_base(pid, exe);
	if (base == 0 || theirs == 0)
		return -1;
	struct iovec local = { out, len };
	struct iovec remote = { (void *)(theirs + ((uintptr_t)mine - base)), len };
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* kill and tgkill of one process: the kernel's rule for the guest's ids,
 * against the other guest process's (its ids alone: no groups needed). */
static int may_signal(pid_t pid, int sig)
{
	uint64_t head[(PERS_CRED_HEAD + 7) / 8];
	if (!a64_self->pers.fake_root || pid <= 0 || pid == getpid() || sig < 0 || sig > 64)
		return 0;
	if (pers_cred_capable(CRED, CAP_KILL) || a64_peer_read(pid, &a64_proc_static.pers.cred, head, PERS_CRED_HEAD) < 0)
		return 0;
	return pers_cred_may_signal(CRED, (const struct pers_cred *)head);
}

/* The process a pidfd names, for may_signal: a pidfd's fdinfo says its
 * Pid; a /proc/PID directory (which pidfd_send_signal takes too) is named
 * by its link.  0 for anything else: the host's call answers (EBADF). */
static pid_t pidfd_pid(int fd)
{
	char path[64], line[256];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (fd < 0 || (f = fopen(path, "re")) == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pid: %ld", &pid) != 1)
			pid = 0;
	fclose(f);
	if (pid == 0) {
		ssize_t n;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((n = readlink(path, line, sizeof(line) - 1)) > 6 && strncmp(line, "/proc/", 6) == 0) {
			char *end;
			line[n] = 0;
			pid = strtol(line + 6, &end, 10);
			if (*end != '\0')
				pid = 0;
		}
	}
	return pid > 0 ? (pid_t)pid : 0;
}

/* sched_setparam, sched_setscheduler, sched_setaffinity, sched_setattr of
 * another guest process: the kernel's owner rule for the guest's ids (every guest
 * process is the same host user, which the host lets through). */
static int may_sched(pid_t pid)
{
	uint64_t head[(PERS_CRED_HEAD + 7) / 8];
	if (!a64_self->pers.fake_root || pid <= 0 || pid == getpid())
		return 0;
	if (a64_peer_read(pid, &a64_proc_static.pers.cred, head, PERS_CRED_HEAD) < 0)
		return 0; /* not a guest process: the host's answer (ESRCH) */
	return pers_cred_may_sched(CRED, (const struct pers_cred *)head);
}

/* The identity calls: answered by the personality's credential model. */
static long cred_call(struct a64_cpu *c, enum pers_cred_call call)
{
	const long a[6] = { (long)ARG(0), (long)ARG(1), (long)ARG(2), (long)ARG(3), (long)ARG(4), (long)ARG(5) };
	return pers_cred_syscall(&a64_self->pers.cred, call, a, &guest_mem);
}

/* An open of host path hp with the host's flags fl (openat, openat2):
 * the personality's view of /proc files that name host paths, its checks
 * for the guest's credentials, a new file's owner. */
static long open_host(const char *hp, int fl, mode_t mode)
{
	int r, fresh;

	if ((fl & (O_ACCMODE | O_PATH)) == O_RDONLY) {
		int fd = pers_proc_open(PERS, hp, pers_proc_cred_pid(hp) == getpid() ? CRED : NULL);
		if (fd >= 0) {
			if (!(fl & O_CLOEXEC))
				fcntl(fd, F_SETFD, 0);
			return fd;
		}
	}
	if ((r = pers_check_open(PERS, CRED, hp, fl)) < 0)
		return r;
	fresh = (fl & O_CREAT) && faccessat(AT_FDCWD, hp, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
	r = ret(openat(AT_FDCWD, hp, fl, mode));
	if (r >= 0 && (fl & __O_TMPFILE) == __O_TMPFILE) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", r);
		pers_owner_tmpfile(PERS, CRED, hp, link);
	}
	return fresh ? created(r, hp) : r;
}

/* openat2(dirfd, path, how, size): the struct (arm64's flags made the
 * host's, every other bit kept for the checks) read and checked, the path
 * walked under its RESOLVE rules, then an open as openat's. */
static long sys_openat2(struct a64_cpu *c, const struct pers_call *pc)
{
	static __thread unsigned char buf[4096];
	char path[PATH_MAX], base[PATH_MAX], hp[PATH_MAX];
	const char *b = NULL;
	struct pers_open_how how;
	uint64_t flags;
	int r, walk;

	if ((r = pers_open_how_size(ARG(3))) < 0)
		return r;
	memcpy(buf, PTR(2), ARG(3)); /* a fault: the call's -EFAULT */
	memcpy(&flags, buf, sizeof(flags));
	flags = (flags & ~(uint64_t)UINT32_MAX) | (uint32_t)open_flags_in(flags);
	memcpy(buf, &flags, sizeof(flags));
	if ((r = pers_open_how(buf, ARG(3), &how)) < 0 || (r = a64_path_copy(STR(1), path)) < 0)
		return r;
	if (path[0] == '\0')
		return -ENOENT;
	walk = pers_open_how_walk(&how);
	if (pers_walk_needs_base(path, walk) && (int)ARG(0) != AT_FDCWD) {
		if ((r = pers_dirfd_path(PERS, 0, (int)ARG(0), base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	if ((r = pers_translate(PERS, b, path, walk, hp, sizeof(hp))) < 0)
		return r;
	/* the walk's search permission, for a guest that is no longer root */
	if (PERS->fake_root && (r = pers_check_lookup(PERS, CRED, hp)) < 0)
		return r;
	if ((r = pers_write_check(PERS, pc, how.flags, 0, hp)) < 0)
		return r;
	return open_host(hp, (int)how.flags, (mode_t)how.mode);
}

/* /proc/self/fd/N (or /proc/PID/fd/N of this process), followed, names the
 * fd's file itself, which may have no name left (O_TMPFILE, unlinked: the
 * way to give one a name is linkat of it): the host's own link, since the
 * guest's fds are this process's.  0 with it in host, else -1. */
static int own_fd_link(const char *guest, char *host, size_t len)
{
	char path[PATH_MAX], *end;
	const char *rest;
	long fd;

	if (a64_path_copy(guest, path) < 0)
		return -1;
	if (strncmp(path, "/proc/self/fd/", 14) == 0)
		rest = path + 14;
	else {
		long pid = strncmp(path, "/proc/", 6) == 0 ? strtol(path + 6, &end, 10) : -1;
		if (pid != getpid() || strncmp(end, "/fd/", 4) != 0)
			return -1;
		rest = end + 4;
	}
	fd = strtol(rest, &end, 10);
	if (end == rest || *end != '\0' || fd < 0 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	snprintf(host, len, "/proc/self/fd/%ld", fd);
	return 0;
}

/* unshare: the guest's process is a host process, so the host's call does
 * it (fds, fs, the namespaces but the user's), after the guest's own
 * CAP_SYS_ADMIN for a namespace.  A user namespace would take mew's own
 * rights on the host files away: EPERM, as where they are disabled. */
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

/* A new namespace (but the user's) needs the guest's CAP_SYS_ADMIN. */
static int may_new_ns(uint64_t flags)
{
	if ((flags & NS_FLAGS) && a64_self->pers.fake_root && !pers_cred_capable(CRED, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static long sys_unshare(uint64_t flags)
{
	int r;

	if (flags & ~(uint64_t)(NS_FLAGS | CLONE_NEWUSER | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM |
				CLONE_THREAD | CLONE_SIGHAND | CLONE_VM))
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		return -EPERM;
	if ((r = may_new_ns(flags)) < 0)
		return r;
	return ret(unshare((int)flags));
}

long a64_dispatch(struct a64_cpu *c, uint64_t nr)
{
	const struct pers_call *pc = pers_call(&pers_abi_aarch64, (long)nr);
	char hp[PATH_MAX], hp2[PATH_MAX];
	int d, d2;
	struct stat st;

	if (pc != NULL && pc->kind == PK_REFUSE)
		return -pc->err;
	if (a64_self->fs != NULL) /* another process may have changed the cwd it shares */
		a64_fs_pull();
	/* a write through an fd (fchmod, fchown, fsetxattr, futimens, an
	 * AT_EMPTY_PATH call): the read-only rules of the fd's file */
	if (pc != NULL && (pc->kind == PK_FD || pers_call_on_fd(pc, c->x, false) >= 0 ||
			   (PERS_CALL_FLAG(pc, c->x) & PERS_AT_EMPTY_PATH))) {
		bool empty = pc->path[0] >= 0 && STR(pc->path[0]) != NULL && STR(pc->path[0])[0] == '\0';
		if ((d = pers_call_fd_check(PERS, 0, pc, c->x, empty)) < 0)
			return d;
	}
	switch (nr) {
	case A64_NR_openat:
		TPATH(0, hp);
		return open_host(hp, open_flags_in(ARG(2)), (mode_t)ARG(3));
	case A64_NR_openat2:
		return sys_openat2(c, pc);
	case A64_NR_fstat:
		if (fstat(ARG(0), &st) < 0)
			return -errno;
		snprintf(hp, sizeof(hp), "/proc/self/fd/%d", (int)ARG(0));
		return stat_view(PTR(1), hp, true, &st);
	case A64_NR_fstatat: {
		int fl = ARG(3);
		if ((fl & AT_EMPTY_PATH) && STR(1)[0] == '\0') {
			if (fstat(ARG(0), &st) < 0)
				return -errno;
			snprintf(hp, sizeof(hp), "/proc/self/fd/%d", (int)ARG(0));
			fl = 0;
		} else {
			TPATH(0, hp);
			if (fstatat(AT_FDCWD, hp, &st, fl) < 0)
				return -errno;
		}
		return stat_view(PTR(2), hp, !(fl & AT_SYMLINK_NOFOLLOW), &st);
	}
	case A64_NR_statx:
		if ((ARG(2) & AT_EMPTY_PATH) && STR(1)[0] == '\0') {
			snprintf(hp, sizeof(hp), "/proc/self/fd/%d", (int)ARG(0));
			return statx_view(ret(syscall(SYS_statx, ARG(0), "", ARG(2), ARG(3), PTR(4))), hp,
					  true, PTR(4));
		}
		TPATH(0, hp);
		d = AT_FDCWD;
		return statx_view(ret(syscall(SYS_statx, d, hp, ARG(2), ARG(3), PTR(4))), hp,
				  !(ARG(2) & AT_SYMLINK_NOFOLLOW), PTR(4));
	case A64_NR_faccessat:
	case A64_NR_faccessat2: {
		int fl = nr == A64_NR_faccessat ? 0 : ARG(3), r;
		TPATH(0, hp);
		d = AT_FDCWD;
		/* the guest's ids decide, and what mew itself may do */
		if ((r = pers_check_access(PERS, CRED, hp, !(fl & AT_SYMLINK_NOFOLLOW), ARG(2),
					   fl & AT_EACCESS)) < 0)
			return r;
		return ret(faccessat(d, hp, ARG(2), fl));
	}
	case A64_NR_readlinkat:
		return sys_readlinkat(c);
	case A64_NR_mkdirat:
		TPATH(0, hp);
		d = AT_FDCWD;
		if ((d2 = pers_check_create(PERS, CRED, hp)) < 0)
			return d2;
		return created(ret(mkdirat(d, hp, ARG(2))), hp);
	case A64_NR_mknodat:
		TPATH(0, hp);
		d = AT_FDCWD;
		if ((d2 = pers_check_create(PERS, CRED, hp)) < 0)
			return d2;
		return created(ret(mknodat(d, hp, ARG(2), ARG(3))), hp);
	case A64_NR_unlinkat:
		TPATH(0, hp);
		d = AT_FDCWD;
		if ((d2 = pers_check_delete(PERS, CRED, hp)) < 0)
			return d2;
		return ret(unlinkat(d, hp, ARG(2)));
	case A64_NR_symlinkat:
		TPATH(0, hp);
		d = AT_FDCWD;
		if ((d2 = pers_check_create(PERS, CRED, hp)) < 0)
			return d2;
		return created(ret(symlinkat(STR(0), d, hp)), hp);
	case A64_NR_linkat:
		if (!(ARG(4) & AT_SYMLINK_FOLLOW) || (d = own_fd_link(STR(1), hp, sizeof(hp))) < 0)
			TPATH(0, hp);
		d = AT_FDCWD;
		TPATH(1, hp2);
		if ((d2 = pers_check_create(PERS, CRED, hp2)) < 0)
			return d2;
		return ret(linkat(d, hp, AT_FDCWD, hp2, ARG(4)));
	case A64_NR_renameat:
	case A64_NR_renameat2:
		TPATH(0, hp);
		d = AT_FDCWD;
		TPATH(1, hp2);
		if ((d2 = pers_check_rename(PERS, CRED, hp, hp2)) < 0)
			return d2;
		return ret(syscall(SYS_renameat2, d, hp, AT_FDCWD, hp2, nr == A64_NR_renameat ? 0 : ARG(4)));
	case A64_NR_fchmodat:
		TPATH(0, hp);
		return pers_chmod(PERS, CRED, hp, true, ARG(2));
	case A64_NR_fchmod:
		if ((d = fd_host(ARG(0), hp, sizeof(hp))) < 0)
			return d;
		return pers_chmod(PERS, CRED, hp, true, ARG(1));
	case A64_NR_fchownat: {
		bool on_fd;
		if ((d = fd_or_path(c, pc, hp, sizeof(hp), &on_fd)) < 0)
			return d;
		return pers_chown(PERS, CRED, hp, on_fd || !(ARG(4) & AT_SYMLINK_NOFOLLOW), ARG(2), ARG(3));
	}
	case A64_NR_fchown:
		if ((d = fd_host(ARG(0), hp, sizeof(hp))) < 0)
			return d;
		return pers_chown(PERS, CRED, hp, true, ARG(1), ARG(2));
	case A64_NR_utimensat: {
		const struct timespec *ts = PTR(2);
		bool now = ts == NULL || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW);
		bool on_fd;
		if ((d2 = fd_or_path(c, pc, hp, sizeof(hp), &on_fd)) < 0)
			return d2;
		if ((d2 = pers_check_utimes(PERS, CRED, hp, on_fd || !(ARG(3) & AT_SYMLINK_NOFOLLOW), now)) < 0)
			return d2;
		if (on_fd) /* the guest's fd is mew's: the call as it is */
			return ret(syscall(SYS_utimensat, ARG(0), PTR(1), PTR(2), ARG(3)));
		return ret(syscall(SYS_utimensat, AT_FDCWD, hp, PTR(2), ARG(3)));
	}
	case A64_NR_truncate:
		TPATH(0, hp);
		if ((d2 = pers_check_write(PERS, CRED, hp, true)) < 0)
			return d2;
		return ret(truncate(hp, ARG(1)));
	case A64_NR_statfs:
		TPATH(0, hp);
		return ret(syscall(SYS_statfs, hp, PTR(1)));
	case A64_NR_fstatfs:
		return ret(syscall(SYS_fstatfs, ARG(0), PTR(1)));
	case A64_NR_chdir:
		if ((d = a64_path_copy(STR(0), hp)) < 0)
			return d;
		return cwd_set(pers_set_cwd(&a64_self->pers, hp));
	case A64_NR_fchdir:
		return cwd_set(sys_fchdir(c));
	case A64_NR_chroot:
		if ((d = a64_path_copy(STR(0), hp)) < 0)
			return d;
		if ((d = pers_chroot(&a64_self->pers, CRED, NULL, hp, hp2, sizeof(hp2))) < 0)
			return d;
		strcpy(a64_self->pers.root, hp2);
		return cwd_set(0);
	case A64_NR_getcwd:
		return sys_getcwd(c);
	case A64_NR_execve:
		return sys_execve(c);
	case A64_NR_execveat:
		return sys_execveat(c);
	case A64_NR_inotify_add_watch:
		TPATH(0, hp);
		return ret(syscall(SYS_inotify_add_watch, ARG(0), hp, ARG(2)));
	case A64_NR_setxattr: case A64_NR_lsetxattr:
		TPATH(0, hp);
		return xattr(c, PERS_XATTR_SET, hp, nr == A64_NR_setxattr);
	case A64_NR_getxattr: case A64_NR_lgetxattr:
		TPATH(0, hp);
		return xattr(c, PERS_XATTR_GET, hp, nr == A64_NR_getxattr);
	case A64_NR_listxattr: case A64_NR_llistxattr:
		TPATH(0, hp);
		return xattr(c, PERS_XATTR_LIST, hp, nr == A64_NR_listxattr);
	case A64_NR_removexattr: case A64_NR_lremovexattr:
		TPATH(0, hp);
		return xattr(c, PERS_XATTR_REMOVE, hp, nr == A64_NR_removexattr);
	case A64_NR_fsetxattr:
		return xattr(c, PERS_XATTR_SET, NULL, true);
	case A64_NR_fgetxattr:
		return xattr(c, PERS_XATTR_GET, NULL, true);
	case A64_NR_flistxattr:
		return xattr(c, PERS_XATTR_LIST, NULL, true);
	case A64_NR_fremovexattr:
		return xattr(c, PERS_XATTR_REMOVE, NULL, true);
	case A64_NR_sync_file_range2: /* fd, flags, offset, nbytes */
		return ret(syscall(SYS_sync_file_range, ARG(0), ARG(2), ARG(3), ARG(1)));
	case A64_NR_fcntl:
		return sys_fcntl(c);
	case A64_NR_pipe2: /* O_DIRECT (a packet pipe) has another value */
		return ret(syscall(SYS_pipe2, PTR(0), open_flags_in(ARG(1))));
	case A64_NR_epoll_ctl:
		return sys_epoll_ctl(c);
	case A64_NR_epoll_pwait:
		return sys_epoll_pwait(c);
	case A64_NR_uname:
		return sys_uname(c);
	case A64_NR_brk:
		return sys_brk(ARG(0));
	case A64_NR_mmap:
		return sys_mmap(c);
	case A64_NR_munmap:
		a64_code_changed(ARG(0), ARG(1));
		a64_vdso_unmapped(ARG(0), ARG(1));
		return ret(munmap(PTR(0), ARG(1)));
	case A64_NR_mprotect:
		a64_code_changed(ARG(0), ARG(1));
		if (mprotect(PTR(0), ARG(1), prot_in(ARG(2))) < 0 && (errno != EACCES || !(ARG(2) & PROT_EXEC) ||
								       mprotect(PTR(0), ARG(1), prot_in(ARG(2)) & ~PROT_EXEC) < 0))
			return -errno;
		return 0;
	case A64_NR_mremap:
		a64_code_changed(ARG(0), ARG(1));
		a64_vdso_unmapped(ARG(0), ARG(1));
		if (ARG(3) & MREMAP_FIXED)
			a64_vdso_unmapped(ARG(4), ARG(2));
		{
			void *r = mremap(PTR(0), ARG(1), ARG(2), ARG(3), PTR(4));
			return r == MAP_FAILED ? -errno : (long)(uintptr_t)r;
		}
	case A64_NR_clone:
		if ((d = may_new_ns(ARG(0))) < 0)
			return d;
		return a64_clone(c, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4));
	case A64_NR_exit:
		a64_thread_exit(c, ARG(0));
	case A64_NR_exit_group:
		a64_debug("%lu system calls", __atomic_load_n(&a64_self->syscalls, __ATOMIC_RELAXED));
		fflush(NULL);
		_exit(ARG(0) & 0xff);
	case A64_NR_set_tid_address:
		c->clear_child_tid = ARG(0);
		return gettid();
	case A64_NR_set_robust_list:
	case A64_NR_get_robust_list:
		return 0;
	case A64_NR_rseq:
		return -ENOSYS;
	case A64_NR_rt_sigaction:
		return a64_sys_rt_sigaction(c, ARG(0), ARG(1), ARG(2), ARG(3));
	case A64_NR_rt_sigprocmask:
		return a64_sys_rt_sigprocmask(c, ARG(0), ARG(1), ARG(2), ARG(3));
	case A64_NR_rt_sigreturn:
		return a64_sys_rt_sigreturn(c);
	case A64_NR_sigaltstack:
		return a64_sys_sigaltstack(c, ARG(0), ARG(1));
	case A64_NR_rt_sigsuspend:
		return a64_sys_rt_sigsuspend(c, ARG(0), ARG(1));
	case A64_NR_prctl:
		if (a64_self->pers.fake_root) {
			long r = cred_call(c, PERS_PRCTL);
			if (r != PERS_CRED_NOT_MINE)
				return r;
		}
		switch (ARG(0)) {
		case PR_SET_NAME: case PR_GET_NAME: case PR_SET_PDEATHSIG: case PR_GET_PDEATHSIG:
		case PR_SET_DUMPABLE: case PR_GET_DUMPABLE: case PR_SET_CHILD_SUBREAPER:
		case PR_GET_CHILD_SUBREAPER: case PR_SET_NO_NEW_PRIVS: case PR_GET_NO_NEW_PRIVS:
		/* the calling thread's own, which is the guest thread's host one */
		case PR_SET_TIMERSLACK: case PR_GET_TIMERSLACK: case PR_SET_THP_DISABLE:
		case PR_GET_THP_DISABLE: case PR_SET_TIMING: case PR_GET_TIMING:
			return ret(syscall(SYS_prctl, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4)));
		default:
			return -EINVAL;
		}
	case A64_NR_getuid: case A64_NR_geteuid: case A64_NR_getgid: case A64_NR_getegid:
	case A64_NR_getresuid: case A64_NR_getresgid: case A64_NR_setuid: case A64_NR_setgid:
	case A64_NR_setreuid: case A64_NR_setregid: case A64_NR_setresuid: case A64_NR_setresgid:
	case A64_NR_setfsuid: case A64_NR_setfsgid: case A64_NR_setgroups: case A64_NR_getgroups:
	case A64_NR_capget: case A64_NR_capset:
		if (!a64_self->pers.fake_root) /* binfmt: the real identity */
			break;
		return cred_call(c, pc->cred);
	case A64_NR_sched_setparam:
	case A64_NR_sched_setscheduler:
	case A64_NR_sched_setaffinity:
	case A64_NR_sched_setattr:
		if ((d = may_sched((pid_t)ARG(0))) < 0)
			return d;
		break; /* the host's call, below */
	case A64_NR_kill:
		if ((d = may_signal(ARG(0), ARG(1))) < 0)
			return d;
		return ret(kill(ARG(0), ARG(1)));
	case A64_NR_tgkill:
		if ((d = may_signal(ARG(0), ARG(2))) < 0)
			return d;
		return ret(syscall(SYS_tgkill, ARG(0), ARG(1), ARG(2)));
	case A64_NR_pidfd_open: /* PIDFD_NONBLOCK and PIDFD_THREAD: the same values */
		return ret(syscall(SYS_pidfd_open, ARG(0), ARG(1)));
	case A64_NR_pidfd_send_signal:
		if ((d = may_signal(pidfd_pid(ARG(0)), ARG(1))) < 0)
			return d;
		return ret(syscall(SYS_pidfd_send_signal, ARG(0), ARG(1), PTR(2), ARG(3)));
	case A64_NR_personality:
		return 0;
	case A64_NR_unshare:
		return sys_unshare(ARG(0));
	case A64_NR_getsockname:
	case A64_NR_getpeername:
	case A64_NR_accept:
	case A64_NR_accept4:
	case A64_NR_recvfrom:
	case A64_NR_bind:
	case A64_NR_connect:
	case A64_NR_sendto:
	case A64_NR_sendmsg:
	case A64_NR_sendmmsg:
		return a64_sock(c, nr);
	case A64_NR_close_range:
		return ret(syscall(SYS_close_range, ARG(0), ARG(1), ARG(2)));
	}
	if (nr < sizeof(passthrough) / sizeof(passthrough[0]) && passthrough[nr] != 0) {
		struct a64_safe_args sa = {
			.nr = passthrough[nr] - 1,
			.a = { ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5) },
			.pending = &c->pending,
			.blocked = &c->blocked,
		};
		return a64_safe_syscall(&sa);
	}
	a64_debug("unimplemented system call %lu", (unsigned long)nr);
	return -ENOSYS;
}

/* The calls Linux answers EINTR after a handler ran, SA_RESTART or not
 * (signal(7)): the sleeps, the multiplexers, the waits for a signal, System
 * V IPC, io_getevents.  Made again, a sleep would start over in full
 * (LTP's nanosleep02, clock_nanosleep01: a signal every 500 ms and a sleep
 * that never ended). */
static bool never_restarted(uint64_t nr)
{
	switch (nr) {
	case A64_NR_nanosleep:
	case A64_NR_clock_nanosleep:
	case A64_NR_ppoll:
	case A64_NR_pselect6:
	case A64_NR_epoll_pwait:
	case A64_NR_epoll_pwait2:
	case A64_NR_rt_sigsuspend:
	case A64_NR_rt_sigtimedwait:
	case A64_NR_msgrcv:
	case A64_NR_msgsnd:
	case A64_NR_semop:
	case A64_NR_semtimedop:
	case A64_NR_io_getevents:
	case A64_NR_io_pgetevents:
		return true;
	default:
		return false;
	}
}

void a64_syscall(struct a64_cpu *c)
{
	uint64_t nr = c->x[8];
	long r;

	__atomic_add_fetch(&a64_self->syscalls, 1, __ATOMIC_RELAXED);
	/* a bad sigreturn frame is the guest's SIGSEGV, as on Linux */
	if (sigsetjmp(c->sys_fault_jmp, 0) == 0) {
		c->in_syscall = nr != A64_NR_rt_sigreturn;
		r = a64_dispatch(c, nr);
	} else {
		a64_debug("system call %lu: bad address %#lx: EFAULT", (unsigned long)nr,
			  (unsigned long)c->fault_addr);
		r = -EFAULT;
	}
	c->in_syscall = 0;
	if (nr == A64_NR_rt_sigreturn)
		return; /* x0 is the restored one */
	if (r == A64_NOT_MADE) {
		c->pc -= 4; /* a signal came first: deliver it, then make the call */
		return;
	}
	if (r == -EINTR && !never_restarted(nr) && a64_signal_restart(c))
		c->pc -= 4;
	else
		c->x[0] = r;
}
