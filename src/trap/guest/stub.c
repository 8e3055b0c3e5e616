/* The in-process fast path: mew's seccomp filter answers the guest's path
 * calls with SECCOMP_RET_TRAP, and this SIGSYS handler, living inside the
 * guest process (stub.h), answers them without leaving it:
 *
 *   - an absolute path is opened with openat2(rootfd, path, RESOLVE_IN_ROOT):
 *     the kernel itself walks it as inside a chroot (`..` stops at the root,
 *     absolute symlinks mean the rootfs, magic links refused);
 *   - a relative one with openat2(dirfd, path, RESOLVE_BENEATH): a walk that
 *     would leave the directory it starts from (`..`, an absolute symlink)
 *     fails, and goes to mew;
 *   - binds (-v, /proc, /sys, /dev) are mew's business: a walk that lands on
 *     what a bind hides in the rootfs (rootfs/proc, rootfs/dev/null...) or on
 *     the host's /proc is recognised by its device and inode and handed to
 *     mew; an ENOENT is believed only for an absolute path that lexically
 *     avoids every bind and meets no symlink;
 *   - the answer is then fstat/faccessat2/readlinkat on the fd, or the fd.
 * Anything else, and every doubt, goes to mew unchanged: the same call
 * issued from the stub's "slow" instruction, which the filter hands to
 * mew's notifier (or, for the calls that used to need ptrace, an upcall that
 * translates the path, after which the stub makes the call itself).
 *
 * Trust: the stub trusts the guest not to attack itself.  Its code and data
 * are in the guest's memory and its system call instruction is let through
 * by address, so a program that jumps there or rewrites them is no longer
 * translated (PRoot's model: the tracee is not hostile to itself).  What it
 * never trusts is a path: honest programs cannot leave the rootfs, because
 * the kernel does the walking under RESOLVE_IN_ROOT / RESOLVE_BENEATH.
 * Guest pointers are read through process_vm_readv, so a bad one is EFAULT,
 * not a crash.
 *
 * Signals: SIGSYS must never be blocked (the kernel kills a process whose
 * seccomp trap meets a blocked SIGSYS), so rt_sigprocmask, rt_sigsuspend and
 * rt_sigaction's masks are trapped too and have SIGSYS taken out; a guest's
 * own SIGSYS action is kept here and given every SIGSYS that is not mew's.
 * The handler runs with SA_NODEFER, an empty mask and SA_ONSTACK, on the
 * guest's stack or its sigaltstack; it is reentrant (no global scratch). */
#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <asm/stat.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>
#include <linux/stat.h>

#include "stub.h"

#pragma GCC visibility push(hidden)

#define FALLBACK (-100000L)

static long do_follow(long nr, const long *a);
static char *put_num(char *p, long v);

#define SIGSYS_ 31
#define SIGSYS_BIT (1UL << (SIGSYS_ - 1))
#define SA_SIGINFO_ 0x4UL
#define SA_ONSTACK_ 0x08000000UL
#define SA_RESTORER_ 0x04000000UL
#define SA_NODEFER_ 0x40000000UL
#define SA_RESETHAND_ 0x80000000UL
#define SIG_UNBLOCK_ 1
#define SYS_SECCOMP_ 1
#define SI_QUEUE_ (-1)
#define PROT_READ_ 1
#define PROT_WRITE_ 2
#define PROT_EXEC_ 4
#define MAP_PRIVATE_ 2
#define MAP_ANONYMOUS_ 0x20
#define W_OK_ 2
#define RLIMIT_NOFILE_ 7
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#define VALID_OPEN                                                                                 \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |      \
	 FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |        \
	 O_PATH | __O_TMPFILE | __O_SYNC)

/* ucontext_t: gregs start at byte 40; indexes as in <sys/ucontext.h>. */
enum { R8 = 0, R9 = 1, R10 = 2, RDI = 8, RSI = 9, RDX = 12, RAX = 13 };
/* uc_sigmask: after the 256-byte mcontext. */
#define UC_SIGMASK (40 + 256)
struct kucontext {
	unsigned long flags;
	void *link;
	struct {
		void *sp;
		int flags;
		unsigned long size;
	} stack;
	long gregs[23];
};
struct ksiginfo {
	int signo, err, code, pad;
	union {
		struct {
			void *call_addr;
			int syscall;
			unsigned arch;
		} sys;
		char bytes[112];
	} u;
};
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};
struct iov {
	void *base;
	unsigned long len;
};

extern long stub_syscall(long nr, long a, long b, long c, long d, long e, long f);
extern long stub_slow_syscall(long nr, long a, long b, long c, long d, long e, long f);
extern void stub_restorer(void);

__attribute__((section(".data.cfg"), used)) struct stub_config cfg;

#define S0(n) stub_syscall(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) stub_syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) stub_syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) stub_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) \
	stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

/* The guest's memory through the kernel: -EFAULT instead of a crash. */
static long copy_in(void *dst, unsigned long src, unsigned long len)
{
	struct iov l = { dst, len }, r = { (void *)src, len };
	long n = S6(__NR_process_vm_readv, S0(__NR_getpid), &l, 1, &r, 1, 0);
	return n == (long)len ? 0 : -EFAULT;
}

static long copy_out(unsigned long dst, const void *src, unsigned long len)
{
	struct iov l = { (void *)src, len }, r = { (void *)dst, len };
	long n = S6(__NR_process_vm_writev, S0(__NR_getpid), &l, 1, &r, 1, 0);
	return n == (long)len ? 0 : -EFAULT;
}

/* A guest path used in place: the kernel reads it (EFAULT for a bad one);
 * the stub itself only looks at its first byte, and at the whole of it
 * after the kernel found it ENOENT.  Pointers below mmap_min_addr or
 * outside user space are refused before (a pointer into unmapped memory
 * above that is the guest's own bug, and crashes it). */
static long guest_path(unsigned long p, const char **out)
{
	if (p < 65536 || p >= 0x800000000000UL)
		return -EFAULT;
	*out = (const char *)p;
	return (*out)[0] == '\0' ? 0 : 1;
}

/* Is bind guest path g (canonical) an ancestor of, or, path p (absolute,
 * not canonical)?  Component by component. */
static int under(const char *p, const char *g)
{
	for (;;) {
		const char *gc, *pc;
		while (*g == '/')
			g++;
		for (;;) {
			while (*p == '/')
				p++;
			if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
				p++;
				continue;
			}
			break;
		}
		if (*g == '\0')
			return 1;
		if (*p == '\0')
			return 0;
		gc = g;
		pc = p;
		while (*g != '\0' && *g != '/')
			g++;
		while (*p != '\0' && *p != '/')
			p++;
		if (g - gc != p - pc)
			return 0;
		for (long i = 0; i < g - gc; i++)
			if (gc[i] != pc[i])
				return 0;
	}
}

/* An absolute path that, walked without symlinks, can reach no bind: no
 * `..`, and no bind at or above it. */
static int lexically_clear(const char *p)
{
	for (const char *s = p; *s != '\0';) {
		const char *c;
		while (*s == '/')
			s++;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		if (s - c == 2 && c[0] == '.' && c[1] == '.')
			return 0;
	}
	for (const char *g = cfg.binds; *g != '\0'; g += slen(g) + 1)
		if (under(p, g))
			return 0;
	return 1;
}

static int shadowed(unsigned long dev, unsigned long ino)
{
	if (dev == cfg.proc_dev)
		return 1;
	for (uint32_t i = 0; i < cfg.nshadow && i < STUB_MAX_SHADOW; i++)
		if (cfg.shadow[i].dev == dev && cfg.shadow[i].ino == ino)
			return 1;
	return 0;
}

/* Open path (our copy) as the guest's kernel would, when the walk provably
 * stays in the rootfs: an fd, -ENOENT when that is the answer, or FALLBACK. */
static long walk(long dirfd, const char *path, unsigned long flags)
{
	struct open_how how = { .flags = flags, .mode = 0, .resolve = RESOLVE_NO_MAGICLINKS };
	long start, fd;
	int clear = 0;

	if (cfg.rootfd < 0)
		return FALLBACK;
	if (path[0] == '/') {
		start = cfg.rootfd;
		how.resolve |= RESOLVE_IN_ROOT;
		if (cfg.flags & STUB_F_NO_IN_ROOT) {
			if (!lexically_clear(path))
				return FALLBACK;
			how.resolve |= RESOLVE_NO_SYMLINKS;
			clear = 1;
		}
	} else {
		start = dirfd;
		how.resolve |= RESOLVE_BENEATH;
	}
	fd = S4(__NR_openat2, start, path, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (fd != -ENOENT || path[0] != '/')
		return FALLBACK;
	if (!clear) {
		/* Did the walk miss because it met a bind's hidden directory?
		 * Not if the path avoids binds lexically and has no symlink. */
		if (!lexically_clear(path))
			return FALLBACK;
		how.resolve |= RESOLVE_NO_SYMLINKS;
		fd = S4(__NR_openat2, start, path, &how, sizeof(how));
		if (fd >= 0) {
			S1(__NR_close, fd);
			return FALLBACK;
		}
	}
	return fd == -ENOENT ? -ENOENT : FALLBACK;
}

/* fd is answerable in process (not behind a bind, not the host's /proc)?
 * Otherwise it is closed and FALLBACK returned. */
static long checked(long fd, struct stat *st)
{
	if (S2(__NR_fstat, fd, st) < 0 || shadowed(st->st_dev, st->st_ino)) {
		S1(__NR_close, fd);
		return FALLBACK;
	}
	return fd;
}

#define STAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

/* stat, lstat, newfstatat (x = 0) and statx (x = 1). */
static __attribute__((noinline)) long do_stat(long nr, const long *a)
{
	const char *path;
	long dirfd = AT_FDCWD, flags = 0, mask = 0, r, fd, len;
	unsigned long upath, buf;
	int x = nr == __NR_statx;
	struct stat st;

	switch (nr) {
	case __NR_stat:
	case __NR_lstat:
		upath = (unsigned long)a[0];
		buf = (unsigned long)a[1];
		flags = nr == __NR_lstat ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case __NR_newfstatat:
		dirfd = a[0];
		upath = (unsigned long)a[1];
		buf = (unsigned long)a[2];
		flags = a[3];
		if (flags & ~(long)STAT_FLAGS)
			return FALLBACK;
		break;
	default: /* statx */
		dirfd = a[0];
		upath = (unsigned long)a[1];
		flags = a[2];
		mask = a[3];
		buf = (unsigned long)a[4];
		if (flags & ~(long)(STAT_FLAGS | AT_STATX_SYNC_TYPE))
			return FALLBACK;
		break;
	}
	len = upath == 0 && (flags & AT_EMPTY_PATH) ? 0 : guest_path(upath, &path);
	if (len < 0)
		return len;
	if (len == 0) {
		/* fstat(fd) as glibc does it: the guest's own fd, nothing to translate. */
		if (!(flags & AT_EMPTY_PATH) || nr == __NR_stat || nr == __NR_lstat)
			return -ENOENT;
		if (x)
			return S5(__NR_statx, dirfd, upath, flags, mask, buf);
		return S4(__NR_newfstatat, dirfd, upath, buf, flags);
	}
	fd = walk(dirfd, path, O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0));
	if (fd < 0)
		return fd;
	if (x) {
		if ((fd = checked(fd, &st)) < 0)
			return fd;
		r = S5(__NR_statx, fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, buf);
	} else {
		/* Into the guest's buffer (the kernel checks it), then looked at
		 * there: it was just written. */
		r = S2(__NR_fstat, fd, buf);
		if (r == 0 && shadowed(((struct stat *)buf)->st_dev, ((struct stat *)buf)->st_ino))
			r = FALLBACK;
	}
	S1(__NR_close, fd);
	return r;
}

static __attribute__((noinline)) long do_access(long dirfd, unsigned long upath, long mode, long flags)
{
	const char *path;
	struct stat st;
	long len, fd, r;

	if (flags & ~(long)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return FALLBACK;
	if ((mode & W_OK_) && (cfg.flags & STUB_F_READONLY))
		return FALLBACK;
	len = guest_path(upath, &path);
	if (len < 0)
		return len;
	if (len == 0)
		return (flags & AT_EMPTY_PATH) ? S4(__NR_faccessat2, dirfd, upath, mode, flags) : -ENOENT;
	fd = walk(dirfd, path, O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0));
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	r = S4(__NR_faccessat2, fd, "", mode, AT_EMPTY_PATH | (flags & (AT_EACCESS | AT_SYMLINK_NOFOLLOW)));
	S1(__NR_close, fd);
	return r;
}

static __attribute__((noinline)) long do_readlink(long dirfd, unsigned long upath, long buf, long size)
{
	const char *path;
	struct stat st;
	long len, fd, r;

	if (size <= 0)
		return FALLBACK;
	len = guest_path(upath, &path);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	fd = walk(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	if ((st.st_mode & S_IFMT) != S_IFLNK)
		r = -EINVAL;
	else
		r = S4(__NR_readlinkat, fd, "", buf, size);
	S1(__NR_close, fd);
	return r;
}

static int has_dotdot(const char *p)
{
	for (const char *s = p; *s != '\0';) {
		const char *c;
		while (*s == '/')
			s++;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		if (s - c == 2 && c[0] == '.' && c[1] == '.')
			return 1;
	}
	return 0;
}

/* A relative write may start from dirfd: its directory is on the rootfs's
 * own filesystem (not /proc, /sys, /dev, nor a :ro bind there) and, for a
 * creation (create = 1), above no place a bind hides. */
static int writable_start(long dirfd, int create)
{
	struct stat sd;

	if (cfg.flags & STUB_F_RO_BIND)
		return 0;
	if ((dirfd == AT_FDCWD ? S4(__NR_newfstatat, AT_FDCWD, ".", &sd, 0) : S2(__NR_fstat, dirfd, &sd)) < 0)
		return 0;
	if (sd.st_dev != cfg.root_dev)
		return 0;
	if (create)
		for (uint32_t i = 0; i < cfg.nanc && i < 32; i++)
			if (cfg.anc[i].dev == sd.st_dev && cfg.anc[i].ino == sd.st_ino)
				return 0;
	return 1;
}

/* Creating: the walk must be lexical (no symlink, no `..`) and provably
 * miss every bind, so that nothing is ever created in what a bind hides. */
static long create(long dirfd, const char *path, unsigned long flags, unsigned long mode)
{
	struct open_how how = { .flags = flags, .mode = mode & 07777,
				.resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS };
	long start, fd;

	if (cfg.rootfd < 0)
		return FALLBACK;
	if (path[0] == '/') {
		if (!lexically_clear(path))
			return FALLBACK;
		start = cfg.rootfd;
		how.resolve |= RESOLVE_IN_ROOT;
	} else {
		if (has_dotdot(path) || !writable_start(dirfd, 1))
			return FALLBACK;
		start = dirfd;
		how.resolve |= RESOLVE_BENEATH;
	}
	fd = S4(__NR_openat2, start, path, &how, sizeof(how));
	if (fd >= 0 || fd == -ENOENT || fd == -EEXIST || fd == -EISDIR || fd == -ENOTDIR || fd == -EACCES)
		return fd;
	return FALLBACK;
}

/* open/openat: the fd, made in the guest's own table.  Writes to existing
 * files walk as reads do (O_TRUNC applied after the check, so that nothing
 * a bind hides is ever truncated); creations walk lexically. */
static __attribute__((noinline)) long do_open(long dirfd, unsigned long upath, long flags, long mode)
{
	const char *path;
	struct stat st;
	unsigned long f = (unsigned int)flags;
	int creat = (f & O_CREAT) != 0, trunc = (f & O_TRUNC) != 0, write = (f & O_ACCMODE) != O_RDONLY;
	long len, fd, r;

	if (f & __O_TMPFILE)
		return FALLBACK;
	if ((write || creat || trunc) && ((cfg.flags & STUB_F_READONLY) || (trunc && !write)))
		return FALLBACK;
	len = guest_path(upath, &path);
	if (len <= 0)
		return len < 0 ? len : -ENOENT;
	if (f & O_PATH)
		f &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	else
		f = (f & VALID_OPEN) | O_LARGEFILE;
	if ((write || trunc) && path[0] != '/' && !writable_start(dirfd, creat))
		return FALLBACK;
	if (creat)
		fd = create(dirfd, path, f & ~(unsigned long)O_TRUNC, (unsigned long)mode);
	else
		fd = walk(dirfd, path, f & ~(unsigned long)O_TRUNC);
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	if (trunc && (st.st_mode & S_IFMT) == S_IFREG && (r = S2(__NR_ftruncate, fd, 0)) < 0) {
		S1(__NR_close, fd);
		return r;
	}
	return fd;
}

/* Calls that name an entry without following it (mkdir, unlink, rmdir,
 * symlink, lutimes): the entry's directory is walked like any path, and
 * must be in the rootfs proper: on its filesystem, not what a bind hides
 * nor a directory above a bind (so the entry itself cannot be a bind),
 * writes allowed.  0 with *dfd (to close when *own is 0) and *name (in
 * buf), or FALLBACK / -errno. */
static long parent_of(long dirfd, unsigned long upath, char *buf, const char **name, long *dfd, int *own)
{
	const char *path;
	long len, fd, n = 0, slash = -1;
	struct stat st;

	if (cfg.flags & (STUB_F_READONLY | STUB_F_RO_BIND | STUB_F_NO_ENTRY_OPS))
		return FALLBACK;
	len = guest_path(upath, &path);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	while (path[n] != '\0') {
		if (n >= 4095)
			return FALLBACK;
		buf[n] = path[n];
		if (buf[n] == '/')
			slash = n;
		n++;
	}
	buf[n] = '\0';
	if (buf[n - 1] == '/' || slash == 0)
		return FALLBACK; /* "x/" or "/x": the root is above every bind anyway */
	*name = buf + slash + 1;
	if ((*name)[0] == '.' && ((*name)[1] == '\0' || ((*name)[1] == '.' && (*name)[2] == '\0')))
		return FALLBACK;
	*own = slash < 0;
	if (*own) {
		fd = dirfd;
	} else {
		buf[slash] = '\0';
		fd = walk(dirfd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return FALLBACK;
	}
	if ((*own && fd == AT_FDCWD ? S4(__NR_newfstatat, AT_FDCWD, ".", &st, 0) : S2(__NR_fstat, fd, &st)) < 0)
		goto no;
	if (st.st_dev != cfg.root_dev || shadowed(st.st_dev, st.st_ino))
		goto no;
	for (uint32_t i = 0; i < cfg.nanc && i < 32; i++)
		if (cfg.anc[i].dev == st.st_dev && cfg.anc[i].ino == st.st_ino)
			goto no;
	*dfd = fd;
	return 0;
no:
	if (!*own)
		S1(__NR_close, fd);
	return FALLBACK;
}

static __attribute__((noinline)) long do_entry(long nr, const long *a)
{
	char buf[4100];
	const char *name;
	long r, d = AT_FDCWD;
	int own = 1;

	switch (nr) {
	case __NR_mkdir:
	case __NR_rmdir:
	case __NR_unlink:
		r = parent_of(AT_FDCWD, (unsigned long)a[0], buf, &name, &d, &own);
		break;
	case __NR_utimensat:
		/* futimens (no path) is the guest's own fd; a followed last
		 * component goes to mew */
		if (a[1] == 0)
			return S4(nr, a[0], a[1], a[2], a[3]);
		if (a[3] == 0)
			return do_follow(nr, a);
		if (a[3] != AT_SYMLINK_NOFOLLOW)
			return FALLBACK;
		/* fallthrough */
	case __NR_mkdirat:
	case __NR_unlinkat:
		r = parent_of(a[0], (unsigned long)a[1], buf, &name, &d, &own);
		break;
	case __NR_symlink:
		r = parent_of(AT_FDCWD, (unsigned long)a[1], buf, &name, &d, &own);
		break;
	default: /* symlinkat */
		r = parent_of(a[1], (unsigned long)a[2], buf, &name, &d, &own);
		break;
	}
	if (r < 0)
		return r;
	switch (nr) {
	case __NR_mkdir: r = S3(__NR_mkdirat, d, name, a[1]); break;
	case __NR_mkdirat: r = S3(__NR_mkdirat, d, name, a[2]); break;
	case __NR_rmdir: r = S3(__NR_unlinkat, d, name, AT_REMOVEDIR); break;
	case __NR_unlink: r = S3(__NR_unlinkat, d, name, 0); break;
	case __NR_unlinkat: r = S3(__NR_unlinkat, d, name, a[2]); break;
	case __NR_utimensat: r = S4(__NR_utimensat, d, name, a[2], a[3]); break;
	default: r = S3(__NR_symlinkat, nr == __NR_symlink ? a[0] : a[0], d, name); break;
	}
	if (!own)
		S1(__NR_close, d);
	return r;
}

/* rename and link: both entries as in do_entry (link never follows here). */
static __attribute__((noinline)) long do_entry2(long nr, const long *a)
{
	char b1[4100], b2[4100];
	const char *n1, *n2;
	long d1 = AT_FDCWD, d2 = AT_FDCWD, r;
	int own1 = 1, own2 = 1, two = nr == __NR_rename || nr == __NR_link;

	if (nr == __NR_linkat && a[4] != 0)
		return FALLBACK; /* AT_SYMLINK_FOLLOW, AT_EMPTY_PATH: to mew */
	r = parent_of(two ? AT_FDCWD : a[0], (unsigned long)a[two ? 0 : 1], b1, &n1, &d1, &own1);
	if (r < 0)
		return r;
	r = parent_of(two ? AT_FDCWD : a[2], (unsigned long)a[two ? 1 : 3], b2, &n2, &d2, &own2);
	if (r == 0) {
		switch (nr) {
		case __NR_rename:
		case __NR_renameat: r = S4(__NR_renameat, d1, n1, d2, n2); break;
		case __NR_renameat2: r = S5(__NR_renameat2, d1, n1, d2, n2, a[4]); break;
		default: r = S5(__NR_linkat, d1, n1, d2, n2, 0); break;
		}
		if (!own2)
			S1(__NR_close, d2);
	}
	if (!own1)
		S1(__NR_close, d1);
	return r;
}

/* Does host path h start with dir d as whole components?  The rest's
 * offset in h, or -1. */
static long host_under(const char *h, const char *d)
{
	size_t n = slen(d);
	if (n == 1 && d[0] == '/')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (h[i] != d[i])
			return -1;
	return h[n] == '/' || h[n] == '\0' ? (long)n : -1;
}

/* getcwd: the kernel's (a host path), untranslated as pers_untranslate does
 * (the longest bind source, unless the rootfs is more specific). */
static __attribute__((noinline)) long do_getcwd(const long *a)
{
	char host[4096], out[4096];
	const char *g = cfg.binds, *h = cfg.bind_hosts, *bg = 0;
	long r = S2(__NR_getcwd, host, sizeof(host)), best = -1, root, n = 0;

	if (r < 0 || host[0] != '/')
		return FALLBACK;
	for (; *g != '\0' && *h != '\0'; g += slen(g) + 1, h += slen(h) + 1) {
		long k = host_under(host, h);
		if (k > best) {
			best = k;
			bg = g;
		}
	}
	root = host_under(host, cfg.rootfs);
	if (bg != 0 && (best > root || root < 0)) {
		for (const char *q = bg; *q != '\0'; q++)
			out[n++] = *q;
		for (const char *q = host + best; *q != '\0' && n < 4095; q++)
			out[n++] = *q;
	} else if (root >= 0) {
		for (const char *q = host + root; *q != '\0' && n < 4095; q++)
			out[n++] = *q;
		if (n == 0)
			out[n++] = '/';
	} else {
		return FALLBACK;
	}
	out[n++] = '\0';
	if ((unsigned long)n > (unsigned long)a[1])
		return -ERANGE;
	return copy_out((unsigned long)a[0], out, (unsigned long)n) < 0 ? -EFAULT : n;
}

/* chmod, fchmodat(2), truncate, utimensat following the last component:
 * the file walked like any path (O_PATH), then changed through
 * /proc/self/fd/N (the kernel follows that link to the very inode). */
static __attribute__((noinline)) long do_follow(long nr, const long *a)
{
	const char *path;
	char proc[32], *p;
	struct stat st;
	long dirfd = AT_FDCWD, up, len, fd, r;

	switch (nr) {
	case __NR_chmod:
	case __NR_truncate:
		up = a[0];
		break;
	case 452: /* fchmodat2 */
		if (a[3] != 0)
			return FALLBACK;
		/* fallthrough */
	default: /* fchmodat, utimensat */
		dirfd = a[0];
		up = a[1];
		break;
	}
	if (cfg.flags & STUB_F_READONLY)
		return FALLBACK;
	len = guest_path((unsigned long)up, &path);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	if (path[0] != '/' && !writable_start(dirfd, 0))
		return FALLBACK;
	fd = walk(dirfd, path, O_PATH | O_CLOEXEC);
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	memcpy(proc, "/proc/self/fd/", 14);
	p = put_num(proc + 14, fd);
	*p = '\0';
	switch (nr) {
	case __NR_chmod: r = S2(__NR_chmod, proc, a[1]); break;
	case __NR_truncate: r = S2(__NR_truncate, proc, a[1]); break;
	case __NR_utimensat: r = S4(__NR_utimensat, AT_FDCWD, proc, a[2], 0); break;
	default: r = S2(__NR_chmod, proc, a[2]); break;
	}
	S1(__NR_close, fd);
	return r;
}

/* ppoll, pselect6, epoll_pwait(2) with a signal mask: SIGSYS taken out of it. */
static __attribute__((noinline)) long do_masked_wait(long nr, const long *a)
{
	unsigned long set;
	struct {
		unsigned long ss, len;
	} ps;

	switch (nr) {
	case __NR_pselect6:
		if (copy_in(&ps, (unsigned long)a[5], sizeof(ps)) < 0)
			return -EFAULT;
		if (ps.ss == 0)
			break;
		if (ps.len != 8)
			return -EINVAL;
		if (copy_in(&set, ps.ss, 8) < 0)
			return -EFAULT;
		set &= ~SIGSYS_BIT;
		ps.ss = (unsigned long)&set;
		return S6(nr, a[0], a[1], a[2], a[3], a[4], &ps);
	case __NR_ppoll:
		if (a[4] != 8)
			return -EINVAL;
		if (copy_in(&set, (unsigned long)a[3], 8) < 0)
			return -EFAULT;
		set &= ~SIGSYS_BIT;
		return S5(nr, a[0], a[1], a[2], &set, 8);
	default: /* epoll_pwait, epoll_pwait2 */
		if (a[5] != 8)
			return -EINVAL;
		if (copy_in(&set, (unsigned long)a[4], 8) < 0)
			return -EFAULT;
		set &= ~SIGSYS_BIT;
		return S6(nr, a[0], a[1], a[2], a[3], &set, 8);
	}
	return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long slow(long nr, const long *a)
{
	cfg.nslow++;
	return stub_slow_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The calls that once took a ptrace stop (chdir, xattrs, statfs, creat,
 * O_PATH opens...): mew translates the path, the stub makes the call. */
static __attribute__((noinline)) long translate(long nr, const long *a)
{
	const struct stub_path_call *c = NULL;
	char host[4096];
	long b[6], r;
	unsigned long f;
	int follow = 1, writes;

	for (uint32_t i = 0; i < cfg.ncalls && i < 48; i++)
		if (cfg.calls[i].nr == nr)
			c = &cfg.calls[i];
	if (c == NULL || c->path < 0)
		return slow(nr, a);
	f = c->flag >= 0 ? (unsigned long)a[c->flag] : 0;
	switch (c->follow) {
	case STUB_NOFOLLOW: follow = 0; break;
	case STUB_FOLLOW: follow = 1; break;
	case STUB_AT_FLAGS: follow = !(f & AT_SYMLINK_NOFOLLOW); break;
	case STUB_AT_FOLLOW: follow = !!(f & AT_SYMLINK_FOLLOW); break;
	case STUB_OPEN_FLAGS: follow = !(f & O_NOFOLLOW) && (f & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL); break;
	case STUB_IN_FLAGS: follow = !(f & 0x02000000); break;
	}
	writes = c->writes;
	if (nr == __NR_open || nr == __NR_openat)
		writes = (f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC));
	r = stub_slow_syscall(STUB_UPCALL_TRANSLATE, a[c->path], c->dirfd >= 0 ? a[c->dirfd] : AT_FDCWD,
			      (follow ? STUB_TR_FOLLOW : 0) | (writes ? STUB_TR_WRITES : 0), (long)host,
			      sizeof(host), 0);
	if (r < 0)
		return r;
	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	if (r == 0) {
		b[(int)c->path] = (long)host;
		if (c->dirfd >= 0)
			b[(int)c->dirfd] = AT_FDCWD;
	}
	return stub_syscall(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* AF_UNIX socket paths (bind, connect, sendto, sendmsg): mew translates
 * the path; the call is made here with /proc/self/fd/N of the socket file
 * (or of its directory, for bind), which fits in sun_path whatever the
 * host path's length. */
struct ksockaddr_un {
	unsigned short family;
	char path[108];
};
struct kmsghdr {
	void *name;
	int namelen;
	void *iov;
	unsigned long iovlen;
	void *control;
	unsigned long controllen;
	int flags;
};

static char *put_num(char *p, long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static __attribute__((noinline)) long do_sock(long nr, const long *a)
{
	struct ksockaddr_un sa, to;
	struct kmsghdr m;
	char path[sizeof(sa.path) + 1], host[4096], *p, *name = 0;
	unsigned long uaddr, len;
	int bind = nr == __NR_bind;
	long r, fd;

	switch (nr) {
	case __NR_bind:
	case __NR_connect:
		uaddr = (unsigned long)a[1];
		len = (unsigned long)a[2];
		break;
	case __NR_sendto:
		uaddr = (unsigned long)a[4];
		len = (unsigned long)a[5];
		break;
	default: /* sendmsg */
		if (copy_in(&m, (unsigned long)a[1], sizeof(m)) < 0)
			goto as_is;
		uaddr = (unsigned long)m.name;
		len = (unsigned int)m.namelen;
		break;
	}
	if (uaddr == 0 || len <= 2 || len > sizeof(sa) || copy_in(&sa, uaddr, len) < 0 ||
	    sa.family != 1 /* AF_UNIX */ || sa.path[0] == '\0')
		goto as_is;
	memcpy(path, sa.path, len - 2);
	path[len - 2] = '\0';
	r = stub_slow_syscall(STUB_UPCALL_TRANSLATE, (long)path, AT_FDCWD, bind ? STUB_TR_WRITES : STUB_TR_FOLLOW,
			      (long)host, sizeof(host), 0);
	if (r < 0)
		return r;
	if (bind) {
		char *slash = host;
		for (char *q = host; *q != '\0'; q++)
			if (*q == '/')
				slash = q;
		*slash = '\0';
		name = slash + 1;
		fd = S4(__NR_openat, AT_FDCWD, slash == host ? "/" : host, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	} else {
		fd = S4(__NR_openat, AT_FDCWD, host, O_PATH | O_CLOEXEC, 0);
	}
	if (fd < 0)
		return fd;
	memset(&to, 0, sizeof(to));
	to.family = 1;
	memcpy(to.path, "/proc/self/fd/", 14);
	p = put_num(to.path + 14, fd);
	if (name != 0) {
		size_t n = slen(name);
		if ((size_t)(p - to.path) + 1 + n >= sizeof(to.path)) {
			S1(__NR_close, fd);
			return -ENAMETOOLONG;
		}
		*p++ = '/';
		memcpy(p, name, n);
		p += n;
	}
	*p = '\0';
	len = (unsigned long)(p - to.path) + 3;
	switch (nr) {
	case __NR_bind:
	case __NR_connect:
		r = S3(nr, a[0], &to, len);
		break;
	case __NR_sendto:
		r = S6(nr, a[0], a[1], a[2], a[3], &to, len);
		break;
	default:
		m.name = &to;
		m.namelen = (int)len;
		r = S3(nr, a[0], &m, a[2]);
		break;
	}
	S1(__NR_close, fd);
	return r;
as_is:
	return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The fake identity's set*id, with the kernel's rules for uids: an
 * effective uid 0 may take any, others only one of their own (a dropped
 * root stays dropped).  Group ids may always change: capabilities kept
 * over a uid change (PR_SET_KEEPCAPS, as setpriv does) are not followed. */
static int own_id(const uint32_t *ids, uint32_t v)
{
	return v == ids[0] || v == ids[1] || v == ids[2];
}

static __attribute__((noinline)) long do_creds(long nr, const long *a)
{
	int gid = 0, priv = cfg.uid[1] == 0;
	uint32_t *ids = cfg.uid, v[3];

	switch (nr) {
	case __NR_getgid:
	case __NR_getegid:
		return cfg.gid[nr == __NR_getgid ? 0 : 1];
	case __NR_getuid:
	case __NR_geteuid:
		return cfg.uid[nr == __NR_getuid ? 0 : 1];
	case __NR_getresgid:
		ids = cfg.gid;
		/* fallthrough */
	case __NR_getresuid:
		for (int i = 0; i < 3; i++)
			if (copy_out((unsigned long)a[i], &ids[i], 4) < 0)
				return -EFAULT;
		return 0;
	case __NR_setgid:
	case __NR_setregid:
	case __NR_setresgid:
	case __NR_setfsgid:
		gid = 1;
		ids = cfg.gid;
		priv = 1;
		break;
	}
	switch (nr) {
	case __NR_setuid:
	case __NR_setgid:
		if (priv) {
			ids[0] = ids[1] = ids[2] = ids[3] = (uint32_t)a[0];
		} else if ((uint32_t)a[0] == ids[0] || (uint32_t)a[0] == ids[2]) {
			ids[1] = ids[3] = (uint32_t)a[0];
		} else {
			return -EPERM;
		}
		return 0;
	case __NR_setreuid:
	case __NR_setregid: {
		uint32_t r = (uint32_t)a[0], e = (uint32_t)a[1];
		if (!priv && ((r != (uint32_t)-1 && r != ids[0] && r != ids[1]) ||
			      (e != (uint32_t)-1 && !own_id(ids, e))))
			return -EPERM;
		v[0] = r != (uint32_t)-1 ? r : ids[0];
		v[1] = e != (uint32_t)-1 ? e : ids[1];
		v[2] = (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != ids[0])) ? v[1] : ids[2];
		break;
	}
	case __NR_setresuid:
	case __NR_setresgid:
		for (int i = 0; i < 3; i++) {
			uint32_t x = (uint32_t)a[i];
			if (x != (uint32_t)-1 && !priv && !own_id(ids, x))
				return -EPERM;
			v[i] = x != (uint32_t)-1 ? x : ids[i];
		}
		break;
	default: { /* setfsuid, setfsgid: the old one, whatever happens */
		uint32_t old = ids[3], x = (uint32_t)a[0];
		if (priv || own_id(ids, x) || x == ids[3])
			ids[3] = x;
		return old;
	}
	}
	ids[0] = v[0];
	ids[1] = v[1];
	ids[2] = v[2];
	ids[3] = v[1];
	(void)gid;
	return 0;
}

/* Tell mew, which watches this execve with ptrace, that it failed. */
static void exec_failed(void)
{
	struct ksiginfo si;
	long pid = S0(__NR_getpid);

	memset(&si, 0, sizeof(si));
	si.signo = SIGSYS_;
	si.err = STUB_TAG_EXEC_FAILED;
	si.code = SI_QUEUE_;
	S4(__NR_rt_tgsigqueueinfo, pid, S0(__NR_gettid), SIGSYS_, &si);
}

/* execve/execveat: mew resolves the program (#!, the ELF interpreter in the
 * rootfs), starts watching for the exec to put a fresh stub into the new
 * image, and the stub execs the host path with the argv mew prefixed. */
static __attribute__((noinline)) long do_exec(long nr, const long *a)
{
	char out[8192];
	int at = nr == __NR_execveat;
	struct stub_exec_answer *h = (struct stub_exec_answer *)out;
	const unsigned long *gargv = (const unsigned long *)a[at + 1];
	unsigned long n, size, k = 0;
	char *host, *s, **v;
	long r, mem;

	r = stub_slow_syscall(STUB_UPCALL_EXEC, a[at], at ? a[0] : AT_FDCWD, a[at + 1], (long)out,
			      sizeof(out), at ? a[4] : 0);
	if (r < 0)
		return r;
	host = out + sizeof(*h);
	s = host + slen(host) + 1;
	for (uint32_t i = 0; i < h->nprefix; i++)
		s += slen(s) + 1;
	n = h->nprefix + (h->argc > 0 ? h->argc - 1 : 0) + 1;
	/* The new argv after the strings, in this frame: a vfork child shares
	 * its parent's memory, so a mapping made here would stay with the
	 * parent.  Only a very long argv takes a mapping. */
	mem = ((long)s + 7) & ~7L;
	size = 0;
	if (mem + (long)(n * sizeof(char *)) > (long)(out + sizeof(out))) {
		size = (n * sizeof(char *) + 4095) & ~4095UL;
		mem = S6(__NR_mmap, 0, size, PROT_READ_ | PROT_WRITE_, MAP_PRIVATE_ | MAP_ANONYMOUS_, -1, 0);
		if (mem < 0 && mem > -4096) {
			exec_failed();
			return mem;
		}
	}
	v = (char **)mem;
	s = host + slen(host) + 1;
	for (uint32_t i = 0; i < h->nprefix; i++) {
		v[k++] = s;
		s += slen(s) + 1;
	}
	/* mew has just read these pointers: they are there. */
	for (uint32_t i = 1; i < h->argc; i++)
		v[k++] = (char *)gargv[i];
	v[k] = 0;
	r = S3(__NR_execve, host, v, a[at + 2]);
	if (size != 0)
		S2(__NR_munmap, mem, size);
	exec_failed();
	return r;
}

static long do_sigaction(const long *a)
{
	struct ksigaction k, old;

	if (a[3] != 8)
		return -EINVAL;
	if (a[0] == SIGSYS_) {
		old.handler = cfg.guest_sigsys.handler;
		old.flags = cfg.guest_sigsys.flags;
		old.restorer = cfg.guest_sigsys.restorer;
		old.mask = cfg.guest_sigsys.mask;
		if (a[1] != 0 && copy_in(&k, (unsigned long)a[1], sizeof(k)) < 0)
			return -EFAULT;
		if (a[2] != 0 && copy_out((unsigned long)a[2], &old, sizeof(old)) < 0)
			return -EFAULT;
		if (a[1] != 0) {
			cfg.guest_sigsys.handler = k.handler;
			cfg.guest_sigsys.flags = k.flags;
			cfg.guest_sigsys.restorer = k.restorer;
			cfg.guest_sigsys.mask = k.mask;
		}
		return 0;
	}
	if (a[1] == 0)
		return S4(__NR_rt_sigaction, a[0], 0, a[2], 8);
	if (copy_in(&k, (unsigned long)a[1], sizeof(k)) < 0)
		return -EFAULT;
	k.mask &= ~SIGSYS_BIT;
	return S4(__NR_rt_sigaction, a[0], &k, a[2], 8);
}

/* The mask the guest will run with is the one sigreturn restores from the
 * signal frame: rt_sigprocmask is answered there (a real call made inside
 * the handler would be undone on its return). */
static long do_sigprocmask(const long *a, struct kucontext *uc)
{
	unsigned long *cur = (unsigned long *)((char *)uc + UC_SIGMASK), set = 0, old = *cur, n = old;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1] != 0) {
		if (copy_in(&set, (unsigned long)a[1], 8) < 0)
			return -EFAULT;
		switch (a[0]) {
		case 0: n = old | set; break;	  /* SIG_BLOCK */
		case 1: n = old & ~set; break;	  /* SIG_UNBLOCK */
		case 2: n = set; break;		  /* SIG_SETMASK */
		default: return -EINVAL;
		}
		n &= ~(SIGSYS_BIT | (1UL << 8) | (1UL << 18)); /* SIGSYS, SIGKILL, SIGSTOP */
	}
	if (a[2] != 0 && copy_out((unsigned long)a[2], &old, 8) < 0)
		return -EFAULT;
	*cur = n;
	return 0;
}

/* rt_sigsuspend inside the handler: its mask lasts until a handler ran,
 * then the frame's mask comes back, as it should. */
static long do_sigsuspend(const long *a)
{
	unsigned long set;

	if (a[1] != 8)
		return -EINVAL;
	if (copy_in(&set, (unsigned long)a[0], 8) < 0)
		return -EFAULT;
	set &= ~SIGSYS_BIT;
	return S2(__NR_rt_sigsuspend, &set, 8);
}

static long dispatch(long nr, const long *a, struct kucontext *uc)
{
	long r;

	switch (nr) {
	case __NR_stat:
	case __NR_lstat:
	case __NR_newfstatat:
	case __NR_statx:
		r = do_stat(nr, a);
		break;
	case __NR_access:
		r = do_access(AT_FDCWD, (unsigned long)a[0], a[1], 0);
		break;
	case __NR_faccessat:
		r = do_access(a[0], (unsigned long)a[1], a[2], 0);
		break;
	case __NR_faccessat2:
		r = do_access(a[0], (unsigned long)a[1], a[2], a[3]);
		break;
	case __NR_readlink:
		r = do_readlink(AT_FDCWD, (unsigned long)a[0], a[1], a[2]);
		break;
	case __NR_readlinkat:
		r = do_readlink(a[0], (unsigned long)a[1], a[2], a[3]);
		break;
	case __NR_open:
	case __NR_openat: {
		int o = nr == __NR_openat;
		r = do_open(o ? a[0] : AT_FDCWD, (unsigned long)a[o], a[o + 1], a[o + 2]);
		/* mew's notifier cannot hand over an O_PATH fd. */
		if (r == FALLBACK && (a[o + 1] & O_PATH))
			return translate(nr, a);
		break;
	}
	case __NR_mkdir:
	case __NR_mkdirat:
	case __NR_rmdir:
	case __NR_unlink:
	case __NR_unlinkat:
	case __NR_symlink:
	case __NR_symlinkat:
	case __NR_utimensat:
		r = do_entry(nr, a);
		break;
	case __NR_rename:
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_link:
	case __NR_linkat:
		r = do_entry2(nr, a);
		break;
	case __NR_execve:
	case __NR_execveat:
		return do_exec(nr, a);
	case __NR_rt_sigaction:
		return do_sigaction(a);
	case __NR_getcwd:
		r = do_getcwd(a);
		break;
	case __NR_uname:
		r = copy_out((unsigned long)a[0], cfg.uts, sizeof(cfg.uts));
		break;
	case __NR_chmod:
	case __NR_fchmodat:
	case 452: /* fchmodat2 */
	case __NR_truncate:
		r = do_follow(nr, a);
		break;
	case __NR_getuid:
	case __NR_geteuid:
	case __NR_getgid:
	case __NR_getegid:
	case __NR_getresuid:
	case __NR_getresgid:
	case __NR_setuid:
	case __NR_setgid:
	case __NR_setreuid:
	case __NR_setregid:
	case __NR_setresuid:
	case __NR_setresgid:
	case __NR_setfsuid:
	case __NR_setfsgid:
		return do_creds(nr, a);
	case __NR_ppoll:
	case __NR_pselect6:
	case __NR_epoll_pwait:
	case 441: /* epoll_pwait2 */
		return do_masked_wait(nr, a);
	case __NR_bind:
	case __NR_connect:
	case __NR_sendto:
	case __NR_sendmsg:
		return do_sock(nr, a);
	case __NR_rt_sigprocmask:
		return do_sigprocmask(a, uc);
	case __NR_rt_sigsuspend:
		return do_sigsuspend(a);
	default:
		return translate(nr, a);
	}
	if (r == FALLBACK) {
		/* opens to the notifier (its /proc views); the calls mew
		 * translates for the stub, translated; the rest to the notifier */
		if (nr == __NR_open || nr == __NR_openat)
			return slow(nr, a);
		return translate(nr, a);
	}
	cfg.nfast++;
	return r;
}

/* A SIGSYS that is not mew's trap: what the guest asked for. */
static void forward(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	unsigned long h = cfg.guest_sigsys.handler;

	if (si->code == SI_QUEUE_ && si->err == STUB_TAG_EXEC_FAILED)
		return;
	if (h == 1) /* SIG_IGN */
		return;
	if (h == 0) {
		/* SIG_DFL: die of it, as the guest would have. */
		struct ksigaction d = { 0, 0, 0, 0 };
		S4(__NR_rt_sigaction, SIGSYS_, &d, 0, 8);
		S3(__NR_tgkill, S0(__NR_getpid), S0(__NR_gettid), SIGSYS_);
		return;
	}
	if (cfg.guest_sigsys.flags & SA_RESETHAND_)
		cfg.guest_sigsys.handler = 0;
	if (cfg.guest_sigsys.flags & SA_SIGINFO_)
		((void (*)(int, void *, void *))h)(sig, si, uc);
	else
		((void (*)(int))h)(sig);
}

void stub_handler(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	long a[6];

	if (si->code != SYS_SECCOMP_ || si->err != STUB_TAG) {
		forward(sig, si, uc);
		return;
	}
	a[0] = uc->gregs[RDI];
	a[1] = uc->gregs[RSI];
	a[2] = uc->gregs[RDX];
	a[3] = uc->gregs[R10];
	a[4] = uc->gregs[R8];
	a[5] = uc->gregs[R9];
	uc->gregs[RAX] = dispatch(si->u.sys.syscall, a, uc);
}

/* Run once in a fresh image, by mew (ptrace), at the program's entry. */
void stub_init(void)
{
	struct ksigaction sa = { (unsigned long)stub_handler,
				 SA_SIGINFO_ | SA_NODEFER_ | SA_ONSTACK_ | SA_RESTORER_,
				 (unsigned long)stub_restorer, 0 };
	unsigned long m = SIGSYS_BIT, lim[2];
	long fd, min, r;

	S3(__NR_mprotect, STUB_BASE, 0x11000, PROT_READ_ | PROT_EXEC_);
	S3(__NR_mprotect, STUB_BASE + 0x11000, STUB_DATA - STUB_BASE - 0x11000, 0);
	S3(__NR_mprotect, STUB_DATA, STUB_BASE + STUB_SIZE - STUB_DATA, PROT_READ_ | PROT_WRITE_);
	cfg.rootfd = -1;
	if (cfg.magic == STUB_MAGIC) {
		fd = S4(__NR_openat, AT_FDCWD, cfg.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd >= 0) {
			/* High, out of the way of the guest's own numbering. */
			min = 1000;
			if (S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, 0, lim) == 0 && lim[0] < 1024)
				min = (long)lim[0] - 24;
			r = min >= 64 ? S3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, min) : -1;
			S1(__NR_close, fd);
			cfg.rootfd = r >= 0 ? (int32_t)r : -1;
		}
	}
	S4(__NR_rt_sigaction, SIGSYS_, &sa, 0, 8);
	S4(__NR_rt_sigprocmask, SIG_UNBLOCK_, &m, 0, 8);
}
