/* What the trap backend does at each stopped system call: translate its
 * path arguments into host paths written below the tracee's stack pointer,
 * or answer the call itself (getcwd, readlink, uname, getres*id). */
#include "trap/trap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_execveat
#define SYS_execveat 322
#endif
#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* How the last component of the first path is taken. */
enum follow {
	NOFOLLOW,   /* lstat, unlink, mkdir, rename... */
	FOLLOW,	    /* stat, chdir, chmod, truncate... */
	AT_FLAGS,   /* follow unless AT_SYMLINK_NOFOLLOW in args[flag] */
	AT_FOLLOW,  /* follow only with AT_SYMLINK_FOLLOW in args[flag] (linkat) */
	OPEN_FLAGS, /* follow unless O_NOFOLLOW or O_CREAT|O_EXCL in args[flag] */
	IN_FLAGS,   /* inotify: follow unless IN_DONT_FOLLOW */
};

enum kind {
	K_PATH,	    /* translate path arguments, let the kernel do the call */
	K_EXEC,
	K_EXECAT,
	K_GETCWD,
	K_READLINK,
	K_READLINKAT,
	K_UNAME,
	K_CRED,	  /* the identity calls: the tracee's credentials (personality/cred.h) */
	K_CHOWN,  /* chown, lchown, fchownat: checked and done (or recorded) by mew */
	K_FCHOWN,
	K_KILL,	  /* kill, tgkill: the kernel's rule against the target's credentials */
	K_ERRNO, /* answer -err without running it */
	K_CHROOT,
	K_SOCK, /* bind/connect: AF_UNIX paths, answered by the notifier only */
};

struct sc {
	int nr;
	enum kind kind;
	/* Up to two paths: argument index of the path and of its dirfd (-1:
	 * AT_FDCWD).  The second path is never followed. */
	signed char path[2], dirfd[2];
	enum follow follow;
	signed char flag; /* argument index of the flags for AT_/OPEN_/IN_FLAGS */
	int err;
	bool id_only; /* traced only when not answering as fake root (chown) */
};

/* Calls that write through their path: refused with EROFS on a read-only
 * path (open and openat decide by their flags). */
static bool writes(long nr)
{
	switch (nr) {
	case SYS_creat: case SYS_mkdir: case SYS_mkdirat: case SYS_rmdir: case SYS_unlink:
	case SYS_unlinkat: case SYS_rename: case SYS_renameat: case SYS_renameat2: case SYS_link:
	case SYS_linkat: case SYS_symlink: case SYS_symlinkat: case SYS_chmod: case SYS_fchmodat:
	case SYS_fchmodat2: case SYS_chown: case SYS_lchown: case SYS_fchownat: case SYS_truncate:
	case SYS_utime: case SYS_utimes: case SYS_futimesat: case SYS_utimensat: case SYS_mknod:
	case SYS_mknodat: case SYS_setxattr: case SYS_lsetxattr: case SYS_removexattr:
	case SYS_lremovexattr:
		return true;
	}
	return false;
}

#define P1(n, k, p, d, f, fl) { n, k, { p, -1 }, { d, -1 }, f, fl, 0, false }
#define P2(n, p, d, q, e, f, fl) { n, K_PATH, { p, q }, { d, e }, f, fl, 0, false }
#define ERR(n, e) { n, K_ERRNO, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, e, false }

static const struct sc table[] = {
	P1(SYS_open, K_PATH, 0, -1, OPEN_FLAGS, 1),
	P1(SYS_openat, K_PATH, 1, 0, OPEN_FLAGS, 2),
	P1(SYS_creat, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_stat, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_lstat, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_newfstatat, K_PATH, 1, 0, AT_FLAGS, 3),
	P1(SYS_statx, K_PATH, 1, 0, AT_FLAGS, 2),
	P1(SYS_access, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_faccessat, K_PATH, 1, 0, FOLLOW, -1),
	P1(SYS_faccessat2, K_PATH, 1, 0, AT_FLAGS, 3),
	P1(SYS_readlink, K_READLINK, 0, -1, NOFOLLOW, -1),
	P1(SYS_readlinkat, K_READLINKAT, 1, 0, NOFOLLOW, -1),
	P1(SYS_execve, K_EXEC, 0, -1, FOLLOW, -1),
	P1(SYS_execveat, K_EXECAT, 1, 0, FOLLOW, -1),
	P1(SYS_chdir, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_chroot, K_CHROOT, 0, -1, FOLLOW, -1),
	P1(SYS_mkdir, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_mkdirat, K_PATH, 1, 0, NOFOLLOW, -1),
	P1(SYS_rmdir, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_unlink, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_unlinkat, K_PATH, 1, 0, NOFOLLOW, -1),
	P2(SYS_rename, 0, -1, 1, -1, NOFOLLOW, -1),
	P2(SYS_renameat, 1, 0, 3, 2, NOFOLLOW, -1),
	P2(SYS_renameat2, 1, 0, 3, 2, NOFOLLOW, -1),
	P2(SYS_link, 0, -1, 1, -1, NOFOLLOW, -1),
	P2(SYS_linkat, 1, 0, 3, 2, AT_FOLLOW, 4),
	/* symlink(target, linkpath): the target is stored as the guest wrote it. */
	P1(SYS_symlink, K_PATH, 1, -1, NOFOLLOW, -1),
	P1(SYS_symlinkat, K_PATH, 2, 1, NOFOLLOW, -1),
	P1(SYS_chmod, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_fchmodat, K_PATH, 1, 0, FOLLOW, -1),
	P1(SYS_fchmodat2, K_PATH, 1, 0, AT_FLAGS, 3),
	{ SYS_chown, K_CHOWN, { 0, -1 }, { -1, -1 }, FOLLOW, -1, 0, false },
	{ SYS_lchown, K_CHOWN, { 0, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	{ SYS_fchownat, K_CHOWN, { 1, -1 }, { 0, -1 }, AT_FLAGS, 4, 0, false },
	{ SYS_fchown, K_FCHOWN, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	P1(SYS_truncate, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_utime, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_utimes, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_futimesat, K_PATH, 1, 0, FOLLOW, -1),
	P1(SYS_utimensat, K_PATH, 1, 0, AT_FLAGS, 3),
	P1(SYS_mknod, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_mknodat, K_PATH, 1, 0, NOFOLLOW, -1),
	P1(SYS_statfs, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_getxattr, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_lgetxattr, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_setxattr, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_lsetxattr, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_listxattr, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_llistxattr, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_removexattr, K_PATH, 0, -1, FOLLOW, -1),
	P1(SYS_lremovexattr, K_PATH, 0, -1, NOFOLLOW, -1),
	P1(SYS_inotify_add_watch, K_PATH, 1, -1, IN_FLAGS, 2),
	P1(SYS_getcwd, K_GETCWD, -1, -1, NOFOLLOW, -1),
	P1(SYS_uname, K_UNAME, -1, -1, NOFOLLOW, -1),
#define CRED(n) { n, K_CRED, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false }
	CRED(SYS_getuid), CRED(SYS_geteuid), CRED(SYS_getgid), CRED(SYS_getegid),
	CRED(SYS_getresuid), CRED(SYS_getresgid), CRED(SYS_setuid), CRED(SYS_setgid),
	CRED(SYS_setreuid), CRED(SYS_setregid), CRED(SYS_setresuid), CRED(SYS_setresgid),
	CRED(SYS_setfsuid), CRED(SYS_setfsgid), CRED(SYS_getgroups), CRED(SYS_setgroups),
	CRED(SYS_capget), CRED(SYS_capset), CRED(SYS_prctl),
	{ SYS_kill, K_KILL, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	{ SYS_tgkill, K_KILL, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	{ SYS_bind, K_SOCK, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	{ SYS_connect, K_SOCK, { -1, -1 }, { -1, -1 }, NOFOLLOW, -1, 0, false },
	/* Not in a personality without mounts or handles: refuse cleanly. */
	ERR(SYS_mount, EPERM),
	ERR(SYS_umount2, EPERM),
	ERR(SYS_pivot_root, EPERM),
	ERR(SYS_openat2, ENOSYS),
	ERR(SYS_name_to_handle_at, EOPNOTSUPP),
	ERR(SYS_open_by_handle_at, EPERM),
	ERR(SYS_fanotify_mark, EPERM),
	ERR(SYS_uselib, ENOSYS),
	ERR(SYS_acct, EPERM),
	ERR(SYS_swapon, EPERM),
	ERR(SYS_swapoff, EPERM),
};

size_t trap_traced_list(bool fake_root, int *nrs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]) && n < max; i++) {
		nrs[n++] = table[i].nr;
	}
	return n;
}

/* The stub's mode (see guest/stub.h): which calls it sends where.  Those
 * the notifier answers are its fast set or go straight to the notifier;
 * the other path calls (once ptrace stops) the stub translates through mew
 * and makes itself; K_ERRNO calls are answered by the filter. */
size_t trap_stub_calls(bool fake_root, struct stub_path_call *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]) && n < max; i++) {
		const struct sc *s = &table[i];
		if (s->kind != K_PATH || (s->id_only && fake_root) || s->path[1] >= 0)
			continue;
		if (trap_notified(s->nr) && s->nr != SYS_open && s->nr != SYS_openat)
			continue;
		/* the personality's row (the stub's translate upcall is answered
		 * by it); the path arguments as this table has them */
		out[n] = (struct stub_path_call){ .nr = (uint16_t)s->nr };
		if (pers_call(&pers_abi_x86_64, s->nr) != NULL)
			out[n].call = *pers_call(&pers_abi_x86_64, s->nr);
		out[n].call.path[0] = s->path[0];
		out[n].call.dirfd[0] = s->dirfd[0];
		n++;
	}
	return n;
}

size_t trap_errno_list(int *nrs, int *errs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]) && n < max; i++) {
		if (table[i].kind != K_ERRNO)
			continue;
		nrs[n] = table[i].nr;
		errs[n++] = table[i].err;
	}
	return n;
}

static const struct sc *lookup(long nr)
{
	static const struct sc *index[512];
	static bool built;

	if (!built) {
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			index[table[i].nr] = &table[i];
		built = true;
	}
	return nr >= 0 && nr < 512 ? index[nr] : NULL;
}

/* One stopped call being answered. */
struct call {
	struct trap *t;
	struct tracee *tr;
	struct user_regs_struct regs;
	uint64_t args[6];
	uint64_t scratch; /* next free byte going down below the red zone */
	bool modified;
	bool ro_check; /* the call writes: refuse on a read-only path */
	char host[2][PATH_MAX]; /* the translated paths, for the credential checks */
	int path1;		/* argument index of the second path */
};

static void load_args(struct call *c)
{
	c->args[0] = c->regs.rdi;
	c->args[1] = c->regs.rsi;
	c->args[2] = c->regs.rdx;
	c->args[3] = c->regs.r10;
	c->args[4] = c->regs.r8;
	c->args[5] = c->regs.r9;
}

static void store_args(struct call *c)
{
	c->regs.rdi = c->args[0];
	c->regs.rsi = c->args[1];
	c->regs.rdx = c->args[2];
	c->regs.r10 = c->args[3];
	c->regs.r8 = c->args[4];
	c->regs.r9 = c->args[5];
}

/* Copy buf into the tracee below its stack pointer (past the 128-byte red
 * zone the ABI lets a function keep there); its address or 0. */
static uint64_t push(struct call *c, const void *buf, size_t len)
{
	uint64_t a = (c->scratch - len) & ~(uint64_t)15;

	if (trap_mem_write(c->tr->tid, a, buf, len) < 0)
		return 0;
	c->scratch = a;
	return a;
}

/* The guest directory a relative path in this call is relative to. */
static int base_of(struct call *c, int dirfd_idx, char *base, size_t len)
{
	int fd = dirfd_idx < 0 ? AT_FDCWD : (int)c->args[dirfd_idx];

	if (fd == AT_FDCWD)
		return pers_getcwd(&c->t->pers, c->tr->tid, base, len);
	if (fd < 0)
		return -EBADF;
	return pers_fd_path(&c->t->pers, c->tr->tid, fd, base, len);
}

static void pers_for(struct call *c)
{
	c->t->pers.pid = trap_tgid(c->tr);
	c->t->pers.tid = c->tr->tid;
	c->t->pers.exe = c->tr->exe;
}

/* Read path argument i (a guest path); 0 with *skip when it is NULL or
 * empty (the kernel's own answer is right: the call acts on the fd). */
static int read_path(struct call *c, int i, char *path, bool *skip)
{
	ssize_t n;

	*skip = false;
	if (c->args[i] == 0) {
		*skip = true;
		return 0;
	}
	n = trap_mem_read_str(c->tr->tid, c->args[i], path, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		*skip = true;
	return 0;
}

/* Translate path argument pi (dirfd argument di) in place. */
static int translate_arg(struct call *c, int pi, int di, int flags)
{
	char path[PATH_MAX], base[PATH_MAX], host[PATH_MAX];
	const char *b = NULL;
	bool skip;
	uint64_t a;
	int r;

	if ((r = read_path(c, pi, path, &skip)) < 0 || skip)
		return r;
	if (path[0] != '/') {
		if ((r = base_of(c, di, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	r = pers_translate(&c->t->pers, b, path, flags, host, sizeof(host));
	if (r < 0)
		return r;
	if (c->ro_check && pers_host_readonly(&c->t->pers, host))
		return -EROFS;
	snprintf(c->host[pi == c->path1 ? 1 : 0], PATH_MAX, "%s", host);
	a = push(c, host, strlen(host) + 1);
	if (a == 0)
		return -ENOMEM;
	c->args[pi] = a;
	c->modified = true;
	return 0;
}

static int follow_flags(const struct sc *s, const struct call *c)
{
	uint64_t f = s->flag >= 0 ? c->args[s->flag] : 0;

	switch (s->follow) {
	case NOFOLLOW: return 0;
	case FOLLOW: return PERS_FOLLOW;
	case AT_FLAGS: return (f & AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW;
	case AT_FOLLOW: return (f & AT_SYMLINK_FOLLOW) ? PERS_FOLLOW : 0;
	case OPEN_FLAGS:
		if (f & O_NOFOLLOW)
			return 0;
		if ((f & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return 0;
		return PERS_FOLLOW;
	case IN_FLAGS: return (f & 0x02000000 /* IN_DONT_FOLLOW */) ? 0 : PERS_FOLLOW;
	}
	return PERS_FOLLOW;
}

/* execve(path, argv, envp) / execveat(dirfd, path, argv, envp, flags). */
static int do_exec(struct call *c, bool at)
{
	int pi = at ? 1 : 0, ai = at ? 2 : 1;
	char path[PATH_MAX], base[PATH_MAX], argv0[PATH_MAX];
	const char *b = NULL;
	static struct pers_exec ex;
	uint64_t *argv = NULL, strs[ARRAY_SIZE(ex.prefix)], a;
	size_t argc = 0, cap = 0, total;
	ssize_t n;
	int r;

	n = trap_mem_read_str(c->tr->tid, c->args[pi], path, sizeof(path));
	if (n < 0)
		return (int)n;
	if (n == 0) {
		if (!at || !(c->args[4] & AT_EMPTY_PATH))
			return -ENOENT;
		/* fexecve: the program is the fd itself. */
		if ((r = pers_fd_path(&c->t->pers, c->tr->tid, (int)c->args[0], path, sizeof(path))) < 0)
			return r;
	} else if (path[0] != '/') {
		if ((r = base_of(c, at ? 0 : -1, base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	/* The original argv's pointers; its argv[0] is kept for the program. */
	for (uint64_t p = c->args[ai]; p != 0; argc++) {
		uint64_t v;
		if (trap_mem_read(c->tr->tid, p + argc * 8, &v, 8) < 0) {
			free(argv);
			return -EFAULT;
		}
		if (argc + 1 >= cap) {
			uint64_t *g;
			cap = cap ? cap * 2 : 64;
			if (cap > (1u << 20) || (g = realloc(argv, cap * 8)) == NULL) {
				free(argv);
				return -E2BIG;
			}
			argv = g;
		}
		argv[argc] = v;
		if (v == 0)
			break;
	}
	argv0[0] = '\0';
	if (argc > 0 && trap_mem_read_str(c->tr->tid, argv[0], argv0, sizeof(argv0)) < 0)
		argv0[0] = '\0';
	pers_for(c);
	r = pers_exec_resolve(&c->t->pers, b, path, argc > 0 ? argv0 : path, &ex);
	if (r < 0) {
		free(argv);
		return r;
	}
	for (int i = 0; i < ex.nprefix; i++) {
		strs[i] = push(c, ex.prefix[i], strlen(ex.prefix[i]) + 1);
		if (strs[i] == 0) {
			free(argv);
			return -ENOMEM;
		}
	}
	/* new argv = prefix + argv[1..] + NULL */
	total = (size_t)ex.nprefix + (argc > 0 ? argc - 1 : 0) + 1;
	{
		uint64_t *nv = malloc(total * 8);
		size_t k = 0;
		if (nv == NULL) {
			free(argv);
			return -ENOMEM;
		}
		for (int i = 0; i < ex.nprefix; i++)
			nv[k++] = strs[i];
		for (size_t i = 1; i < argc; i++)
			nv[k++] = argv[i];
		nv[k++] = 0;
		a = push(c, nv, total * 8);
		free(nv);
	}
	free(argv);
	if (a == 0)
		return -ENOMEM;
	c->args[ai] = a;
	c->args[pi] = push(c, ex.host, strlen(ex.host) + 1);
	if (c->args[pi] == 0)
		return -ENOMEM;
	if (at) {
		/* Become a plain execve of the host path. */
		c->regs.orig_rax = SYS_execve;
		c->args[0] = c->args[1];
		c->args[1] = c->args[2];
		c->args[2] = c->args[3];
	}
	free(c->tr->pending_exe);
	c->tr->pending_exe = strdup(ex.guest);
	c->modified = true;
	return 0;
}

static long answer(struct call *c, const struct sc *s)
{
	char path[PATH_MAX], base[PATH_MAX], buf[PATH_MAX];
	const char *b = NULL;
	bool skip;
	ssize_t n;
	int r, pi = s->path[0];

	switch (s->kind) {
	case K_GETCWD:
		pers_for(c);
		if ((r = pers_getcwd(&c->t->pers, c->tr->tid, buf, sizeof(buf))) < 0)
			return r;
		n = (ssize_t)strlen(buf) + 1;
		if ((uint64_t)n > c->args[1])
			return -ERANGE;
		if (trap_mem_write(c->tr->tid, c->args[0], buf, (size_t)n) < 0)
			return -EFAULT;
		return n;
	case K_READLINK:
	case K_READLINKAT:
		if ((r = read_path(c, pi, path, &skip)) < 0)
			return r;
		if (skip)
			return -ENOENT;
		if (path[0] != '/') {
			if ((r = base_of(c, s->dirfd[0], base, sizeof(base))) < 0)
				return r;
			b = base;
		}
		pers_for(c);
		n = pers_readlink(&c->t->pers, b, path, buf, sizeof(buf));
		if (n < 0)
			return n;
		{
			uint64_t size = c->args[pi + 2];
			if ((int64_t)size <= 0)
				return -EINVAL;
			if ((uint64_t)n > size)
				n = (ssize_t)size;
			if (trap_mem_write(c->tr->tid, c->args[pi + 1], buf, (size_t)n) < 0)
				return -EFAULT;
		}
		return n;
	case K_UNAME: {
		struct utsname u;
		pers_uname(&c->t->pers, &u);
		if (trap_mem_write(c->tr->tid, c->args[0], &u, sizeof(u)) < 0)
			return -EFAULT;
		return 0;
	}
	case K_CHOWN:
		if ((r = read_path(c, s->path[0], path, &skip)) < 0)
			return r;
		if (skip && !(s->flag >= 0 && (c->args[s->flag] & AT_EMPTY_PATH)))
			return -ENOENT;
		if (skip) {
			snprintf(buf, sizeof(buf), "/proc/%d/fd/%d", (int)c->tr->tid, (int)c->args[0]);
		} else {
			if (path[0] != '/') {
				if ((r = base_of(c, s->dirfd[0], base, sizeof(base))) < 0)
					return r;
				b = base;
			}
			pers_for(c);
			if ((r = pers_translate(&c->t->pers, b, path, follow_flags(s, c), buf, sizeof(buf))) < 0)
				return r;
			if (pers_host_readonly(&c->t->pers, buf))
				return -EROFS;
		}
		return pers_chown(&c->t->pers, &c->tr->cred, buf, follow_flags(s, c) != 0,
				  (uid_t)c->args[s->path[0] + 1], (gid_t)c->args[s->path[0] + 2]);
	case K_FCHOWN: {
		struct stat st;
		snprintf(buf, sizeof(buf), "/proc/%d/fd/%d", (int)c->tr->tid, (int)c->args[0]);
		if ((int)c->args[0] < 0 || stat(buf, &st) < 0)
			return -EBADF;
		return pers_chown(&c->t->pers, &c->tr->cred, buf, true, (uid_t)c->args[1], (gid_t)c->args[2]);
	}
	case K_CHROOT:
		/* Only the guest's own root is a root this personality has. */
		if ((r = read_path(c, 0, path, &skip)) < 0)
			return r;
		if (path[0] != '/') {
			if ((r = base_of(c, -1, base, sizeof(base))) < 0)
				return r;
			b = base;
		}
		pers_for(c);
		if ((r = pers_resolve(&c->t->pers, b, path, PERS_FOLLOW, buf, sizeof(buf))) < 0)
			return r;
		return strcmp(buf, "/") == 0 ? 0 : -EPERM;
	case K_ERRNO:
		return -s->err;
	default:
		return -ENOSYS;
	}
}

/* A guest that is no longer root: what the kernel checks for its identity
 * (personality/perm.c), before the kernel makes the call on the
 * translated paths.  chmod is made here (*done). */
static int check_path_call(struct call *c, const struct sc *s, bool *done)
{
	const struct pers *p = &c->t->pers;
	const struct pers_cred *cr = &c->tr->cred;
	const char *h = c->host[0];
	bool follow = follow_flags(s, c) != 0;
	uint64_t f = s->flag >= 0 ? c->args[s->flag] : 0;

	switch (s->nr) {
	case SYS_open: case SYS_openat:
		return pers_check_open(p, cr, h, (int)f);
	case SYS_creat:
		return pers_check_open(p, cr, h, O_CREAT | O_WRONLY | O_TRUNC);
	case SYS_access:
		return pers_check_access(p, cr, h, true, (int)c->args[1], false);
	case SYS_faccessat: case SYS_faccessat2:
		return pers_check_access(p, cr, h, follow, (int)c->args[2],
					 s->nr == SYS_faccessat2 && (c->args[3] & AT_EACCESS));
	case SYS_mkdir: case SYS_mkdirat: case SYS_mknod: case SYS_mknodat:
	case SYS_symlink: case SYS_symlinkat:
		return pers_check_create(p, cr, h);
	case SYS_rmdir: case SYS_unlink: case SYS_unlinkat:
		return pers_check_delete(p, cr, h);
	case SYS_rename: case SYS_renameat: case SYS_renameat2:
		return pers_check_rename(p, cr, h, c->host[1]);
	case SYS_link: case SYS_linkat:
		return pers_check_create(p, cr, c->host[1]);
	case SYS_truncate:
		return pers_check_write(p, cr, h, true);
	case SYS_utime: case SYS_utimes: case SYS_futimesat: case SYS_utimensat:
		/* to the current time (no times given): write permission is enough */
		return pers_check_utimes(p, cr, h, follow,
					 c->args[s->nr == SYS_utime || s->nr == SYS_utimes ? 1 : 2] == 0);
	case SYS_chmod: case SYS_fchmodat: case SYS_fchmodat2:
		*done = true;
		return pers_chmod(p, cr, h, follow, (mode_t)c->args[s->nr == SYS_chmod ? 1 : 2]);
	}
	return 0;
}

/* The identity calls, on the tracee's own credentials. */
static long cred_call(struct call *c, const struct sc *s)
{
	const long a[6] = { (long)c->args[0], (long)c->args[1], (long)c->args[2],
			    (long)c->args[3], (long)c->args[4], (long)c->args[5] };
	struct pers_cred_io io = trap_cred_io(&c->tr->tid);

	c->tr->cred_known = true;
	return pers_cred_syscall(&c->tr->cred, pers_cred_call_host(s->nr), a, &io);
}

void trap_syscall(struct trap *t, struct tracee *tr)
{
	struct call c = { .t = t, .tr = tr };
	const struct sc *s;
	long ret = 0;
	bool answered = false;
	int r;

	if (ptrace(PTRACE_GETREGS, tr->tid, 0, &c.regs) < 0)
		return; /* gone: its exit will be reported */
	load_args(&c);
	c.scratch = c.regs.rsp - 128;
	s = lookup((long)c.regs.orig_rax);
	if (s == NULL) {
		/* Not ours (a filter the guest added itself asked for a tracer). */
		return;
	}
	switch (s->kind) {
	case K_SOCK:
		return; /* ptrace only: socket paths are not translated (notify/sock.c does) */
	case K_CRED:
		ret = cred_call(&c, s);
		if (ret == PERS_CRED_NOT_MINE)
			return; /* prctl's other options */
		answered = true;
		break;
	case K_KILL: {
		struct tracee *target = (pid_t)c.args[0] > 0 ? trap_tracee(t, (pid_t)c.args[0], false) : NULL;
		if (target == NULL || pers_cred_may_signal(&tr->cred, &target->cred) == 0)
			return; /* not the guest's, or allowed: the kernel's call */
		ret = -EPERM;
		answered = true;
		break;
	}
	case K_PATH:
		pers_for(&c);
		c.ro_check = writes(s->nr);
		if (s->nr == SYS_open || s->nr == SYS_openat) {
			uint64_t f = c.args[s->nr == SYS_open ? 1 : 2];
			c.ro_check = (f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC));
		}
		c.path1 = s->path[1];
		r = translate_arg(&c, s->path[0], s->dirfd[0], follow_flags(s, &c));
		if (r == 0 && s->path[1] >= 0)
			r = translate_arg(&c, s->path[1], s->dirfd[1], 0);
		if (r == 0 && !pers_cred_fs_omnipotent(&tr->cred) && c.host[0][0] != '\0')
			r = check_path_call(&c, s, &answered);
		if (r < 0 || answered) {
			ret = r;
			answered = true;
		}
		break;
	case K_EXEC:
	case K_EXECAT:
		r = do_exec(&c, s->kind == K_EXECAT);
		if (r < 0) {
			ret = r;
			answered = true;
		}
		break;
	default:
		ret = answer(&c, s);
		answered = true;
		break;
	}
	if (answered) {
		c.regs.orig_rax = (uint64_t)-1;
		c.regs.rax = (uint64_t)ret;
	} else if (c.modified) {
		store_args(&c);
	} else {
		return;
	}
	if (ptrace(PTRACE_SETREGS, tr->tid, 0, &c.regs) < 0 && errno != ESRCH)
		mew_debug("trap: setregs %d: %s", tr->tid, strerror(errno));
}
