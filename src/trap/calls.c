/* What the trap backend does at each stopped system call, by the call's
 * row of the personality's call table (personality/call.h): translate its
 * path arguments into host paths written below the tracee's stack pointer,
 * or answer the call itself (getcwd, readlink, uname, the identity, chown,
 * kill's check, the refused calls). */
#include "trap/trap.h"
#include "personality/pers_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* The personality's call table (personality/call.h), x86-64 numbering:
 * every call it has a row for is one the filter sends here or to the
 * notifier. */
size_t trap_traced_list(int *nrs, size_t max)
{
	return pers_call_list(&pers_abi_x86_64, nrs, NULL, max);
}

/* The stub's mode (see guest/stub.h): which calls it sends where.  Those
 * the notifier answers are its fast set or go straight to the notifier;
 * the other path calls of one path (once ptrace stops) the stub translates
 * through mew and makes itself; PK_REFUSE calls are answered by the
 * filter. */
size_t trap_stub_calls(struct stub_path_call *out, size_t max)
{
	int all[160];
	const struct pers_call *rows[160];
	size_t n = 0, k = pers_call_list(&pers_abi_x86_64, all, rows, ARRAY_SIZE(all));

	for (size_t i = 0; i < k && i < ARRAY_SIZE(all) && n < max; i++) {
		const struct pers_call *s = rows[i];
		if (s->kind != PK_PATH || s->path[1] >= 0)
			continue;
		if (trap_notified(all[i]) && all[i] != SYS_open && all[i] != SYS_openat)
			continue;
		out[n++] = (struct stub_path_call){ .nr = (uint16_t)all[i], .call = *s };
	}
	return n;
}

/* The calls that look an fd up, for the stub (stub.h, fd_calls): every row
 * with a dirfd, paired with its path (none: a call on the fd), and where
 * an AT_EMPTY_PATH flag would be (an open's flags hold none). */
void trap_stub_fd_calls(struct stub_config *c)
{
	int all[160];
	const struct pers_call *rows[160];
	size_t k = pers_call_list(&pers_abi_x86_64, all, rows, ARRAY_SIZE(all));

	c->nfd_calls = 0;
	for (size_t i = 0; i < k && i < ARRAY_SIZE(all) && c->nfd_calls < STUB_MAX_FD_CALLS; i++) {
		const struct pers_call *s = rows[i];
		if (s->dirfd[0] < 0 && s->dirfd[1] < 0)
			continue;
		c->fd_calls[c->nfd_calls].nr = (uint16_t)all[i];
		for (int j = 0; j < 2; j++) {
			c->fd_calls[c->nfd_calls].fd[j] = s->dirfd[j];
			c->fd_calls[c->nfd_calls].path[j] = s->kind == PK_FD ? -1 : s->path[j];
		}
		c->fd_calls[c->nfd_calls].flag = s->follow == PF_OPEN_FLAGS ? -1 : s->flag;
		c->nfd_calls++;
		if (all[i] >= 0 && all[i] < STUB_MAX_NR)
			c->fd_call_of[all[i]] = (uint8_t)c->nfd_calls;
	}
}

/* The calls of one kind (PK_REFUSE: with their errno in errs, if given). */
size_t trap_kind_list(int kind, int *nrs, int *errs, size_t max)
{
	int all[160];
	const struct pers_call *rows[160];
	size_t n = 0, k = pers_call_list(&pers_abi_x86_64, all, rows, ARRAY_SIZE(all));

	for (size_t i = 0; i < k && i < ARRAY_SIZE(all) && n < max; i++) {
		if (rows[i]->kind != kind)
			continue;
		if (errs != NULL)
			errs[n] = rows[i]->err;
		nrs[n++] = all[i];
	}
	return n;
}

long trap_ptrace_answer(uint64_t request)
{
	static bool said;

	if (!pers_ptrace_attaches(request))
		return 0;
	if (!__atomic_exchange_n(&said, true, __ATOMIC_RELAXED))
		fputs("mew: ptrace: the syscall engine does not run debuggers inside the guest (strace, gdb): "
		      "use --engine container\n", stderr);
	return -EPERM;
}

/* One stopped call being answered. */
struct call {
	struct trap *t;
	struct tracee *tr;
	struct user_regs_struct regs;
	uint64_t args[6];
	uint64_t scratch; /* next free byte going down below the red zone */
	bool modified;
	const struct pers_call *s; /* its row of the personality's call table */
	uint64_t flag;		   /* its flag argument (PERS_CALL_FLAG) */
	char host[2][PATH_MAX];	   /* the translated paths, for the credential checks */
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
	return pers_dirfd_path(&c->t->pers, c->tr->tid, fd, base, len);
}

static void pers_for(struct call *c)
{
	c->t->pers.pid = trap_tgid(c->tr);
	c->t->pers.tid = c->tr->tid;
	c->t->pers.exe = c->tr->exe;
	/* (the notifier's thread changes the records' roots at a chroot) */
	pthread_mutex_lock(&c->t->lock);
	snprintf(c->t->pers.root, sizeof(c->t->pers.root), "%s", c->tr->root != NULL ? c->tr->root : "");
	pthread_mutex_unlock(&c->t->lock);
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

/* Whether the call follows its first path's last symlink (PERS_FOLLOW). */
static int follows(const struct call *c)
{
	return pers_call_follows(c->s, c->flag, pers_abi_x86_64.o_nofollow);
}

/* Path slot (0 or 1) of the call, as its row says, read and translated
 * into host: 0, 1 when it is NULL or empty (the call is about the fd), or
 * -errno; the read-only rules applied (pers_write_check, and for a write
 * through the fd, pers_call_fd_check). */
static int call_path(struct call *c, int slot, char *host)
{
	char path[PATH_MAX], base[PATH_MAX];
	const char *b = NULL;
	bool skip;
	int r;

	if ((r = read_path(c, c->s->path[slot], path, &skip)) < 0)
		return r;
	if (skip) /* futimens, AT_EMPTY_PATH: a write through the fd is checked */
		return slot == 0 && (r = pers_call_fd_check(&c->t->pers, c->tr->tid, c->s, c->args, true)) < 0 ? r : 1;
	if (path[0] != '/') {
		if ((r = base_of(c, c->s->dirfd[slot], base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	pers_for(c);
	r = pers_translate(&c->t->pers, b, path, slot == 0 ? follows(c) : 0, host, PATH_MAX);
	if (r < 0)
		return r;
	return pers_write_check(&c->t->pers, c->s, c->flag, slot, host);
}

/* Translate path slot 0 or 1 in place (the translated path below the
 * tracee's stack pointer). */
static int translate_arg(struct call *c, int slot)
{
	uint64_t a;
	int r = call_path(c, slot, c->host[slot]);

	if (r != 0)
		return r == 1 ? 0 : r;
	a = push(c, c->host[slot], strlen(c->host[slot]) + 1);
	if (a == 0)
		return -ENOMEM;
	c->args[c->s->path[slot]] = a;
	c->modified = true;
	return 0;
}

/* execve(path, argv, envp) / execveat(dirfd, path, argv, envp, flags). */
static int do_exec(struct call *c)
{
	bool at = c->s->dirfd[0] >= 0;
	int pi = c->s->path[0], ai = pi + 1; /* (path, argv, envp) */
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
	if (at && (r = pers_exec_flags((int)c->flag)) < 0)
		return r;
	pers_for(c);
	if (n == 0) {
		if (!at || !(c->flag & AT_EMPTY_PATH))
			return -ENOENT;
		/* fexecve: the program is the fd itself. */
		if ((r = pers_fd_path(&c->t->pers, c->tr->tid, (int)c->args[c->s->dirfd[0]], base, sizeof(base))) < 0)
			return r;
		/* by its name under the process's root (one outside has none) */
		if ((r = pers_view(&c->t->pers, base, path, sizeof(path))) != 0)
			return r < 0 ? r : -ENOENT;
	} else if (path[0] != '/') {
		if ((r = base_of(c, c->s->dirfd[0], base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	if (at && n > 0 && (c->flag & AT_SYMLINK_NOFOLLOW) && (r = pers_exec_nofollow(&c->t->pers, b, path)) < 0)
		return r;
	if ((r = pers_exec_permission(&c->t->pers, &c->tr->cred, b, path)) < 0)
		return r;
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
	c->tr->exec_file.mode = ex.mode, c->tr->exec_file.uid = ex.uid, c->tr->exec_file.gid = ex.gid;
	c->tr->exec_file.dev = ex.dev, c->tr->exec_file.ino = ex.ino;
	c->modified = true;
	return 0;
}

/* openat2(dirfd, path, how, size): the struct checked, the path walked
 * under its RESOLVE rules, and the kernel's checks for the caller; then
 * the same call on the host path with the flags and mode only (a struct
 * below the stack pointer), which is an openat's.  With the notifier
 * (which opens what the guest's Landlock domain does not hold: /proc),
 * an open that is not O_PATH becomes an openat of the canonical guest
 * path the walk ended on, which the filter sends it, checked again for
 * the seccomp stop's change of call. */
static int do_openat2(struct call *c)
{
	struct pers_open_how how, plain;
	char path[PATH_MAX], base[PATH_MAX];
	const char *b = NULL;
	uint64_t a;
	bool skip;
	int r;

	if ((r = trap_open_how(c->tr->tid, c->args[2], c->args[3], &how)) < 0)
		return r;
	c->flag = how.flags;
	if ((r = read_path(c, c->s->path[0], path, &skip)) < 0)
		return r;
	if (skip)
		return c->args[c->s->path[0]] == 0 ? -EFAULT : -ENOENT;
	if (pers_walk_needs_base(path, pers_open_how_walk(&how))) {
		if ((r = base_of(c, c->s->dirfd[0], base, sizeof(base))) < 0)
			return r;
		b = base;
	}
	pers_for(c);
	if (c->t->notifier != NULL && !(how.flags & O_PATH)) {
		char guest[PATH_MAX];
		size_t n;
		if ((r = pers_resolve(&c->t->pers, b, path, pers_open_how_walk(&how), guest, sizeof(guest) - 1)) < 0)
			return r;
		/* a trailing slash says the name is a directory's */
		n = strlen(guest);
		if (path[strlen(path) - 1] == '/' && guest[n - 1] != '/')
			memcpy(guest + n, "/", 2);
		if ((a = push(c, guest, strlen(guest) + 1)) == 0)
			return -ENOMEM;
		c->regs.orig_rax = SYS_openat;
		c->args[0] = (uint64_t)AT_FDCWD;
		c->args[1] = a;
		c->args[2] = how.flags;
		c->args[3] = how.mode;
		c->modified = true;
		return 0;
	}
	if ((r = pers_translate(&c->t->pers, b, path, pers_open_how_walk(&how), c->host[0], PATH_MAX)) < 0 ||
	    (r = pers_write_check(&c->t->pers, c->s, how.flags, 0, c->host[0])) < 0)
		return r;
	if (!pers_cred_fs_omnipotent(&c->tr->cred) &&
	    (r = pers_check_open(&c->t->pers, &c->tr->cred, c->host[0], (int)how.flags)) < 0)
		return r;
	/* a program a guest process runs, whoever the caller is */
	if ((r = pers_busy_check(&c->t->pers, c->host[0], (int)how.flags)) < 0)
		return r;
	plain = (struct pers_open_how){ .flags = how.flags, .mode = how.mode };
	if ((a = push(c, c->host[0], strlen(c->host[0]) + 1)) == 0)
		return -ENOMEM;
	c->args[c->s->dirfd[0]] = (uint64_t)AT_FDCWD;
	c->args[c->s->path[0]] = a;
	if ((a = push(c, &plain, sizeof(plain))) == 0)
		return -ENOMEM;
	c->args[2] = a;
	c->args[3] = sizeof(plain);
	c->modified = true;
	return 0;
}

/* chown, lchown, fchownat (a path) and fchown (an fd): the owner change is
 * mew's (pers_chown: the kernel's rules, then real or recorded); uid and
 * gid are the two arguments after the path or fd. */
static long do_chown(struct call *c)
{
	const struct pers_call *s = c->s;
	bool on_fd = s->kind == PK_FD;
	int ids = (on_fd ? s->dirfd[0] : s->path[0]) + 1, fd, r;
	char buf[PATH_MAX];
	struct stat st;

	if (!on_fd) {
		if ((r = call_path(c, 0, buf)) < 0)
			return r;
		if (r == 1 && !(c->flag & AT_EMPTY_PATH))
			return -ENOENT;
		on_fd = r == 1; /* fchownat(fd, "", ..., AT_EMPTY_PATH) */
	}
	if (on_fd) {
		fd = (int)c->args[s->dirfd[0]];
		if (s->kind == PK_FD && pers_fd_is_opath(c->tr->tid, fd))
			return -EBADF; /* fchown; fchownat's AT_EMPTY_PATH is the way */
		snprintf(buf, sizeof(buf), "/proc/%d/fd/%d", (int)c->tr->tid, fd);
		if (fd < 0 || stat(buf, &st) < 0)
			return -EBADF;
		if ((r = pers_fd_write_check(&c->t->pers, c->tr->tid, fd)) < 0)
			return r;
	}
	return pers_chown(&c->t->pers, &c->tr->cred, buf, on_fd || follows(c) != 0, (uid_t)c->args[ids],
			  (gid_t)c->args[ids + 1]);
}

/* fchmod: the guest's credentials' rules and the set-id bits mew keeps
 * (pers_chmod), on the fd's file. */
static long do_fchmod(struct call *c)
{
	int fd = (int)c->args[0];
	char buf[64];
	struct stat st;

	snprintf(buf, sizeof(buf), "/proc/%d/fd/%d", (int)c->tr->tid, fd);
	if (fd < 0 || pers_fd_is_opath(c->tr->tid, fd) || stat(buf, &st) < 0)
		return -EBADF;
	return pers_chmod(&c->t->pers, &c->tr->cred, buf, true, (mode_t)c->args[1]);
}

/* The calls the personality answers itself. */
static long answer(struct call *c)
{
	const struct pers_call *s = c->s;
	char path[PATH_MAX], base[PATH_MAX], buf[PATH_MAX];
	const char *b = NULL;
	bool skip;
	ssize_t n;
	int r, pi = s->path[0];

	switch (s->kind) {
	case PK_GETCWD:
		pers_for(c);
		if ((r = pers_getcwd_view(&c->t->pers, c->tr->tid, buf, sizeof(buf))) < 0)
			return r;
		n = (ssize_t)strlen(buf) + 1;
		if ((uint64_t)n > c->args[1])
			return -ERANGE;
		if (trap_mem_write(c->tr->tid, c->args[0], buf, (size_t)n) < 0)
			return -EFAULT;
		return n;
	case PK_READLINK:
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
		/* the walk's search permission, for a guest that is no longer root */
		if (!pers_cred_fs_omnipotent(&c->tr->cred) &&
		    pers_translate(&c->t->pers, b, path, 0, buf, sizeof(buf)) == 0 &&
		    (r = pers_check_lookup(&c->t->pers, &c->tr->cred, buf)) < 0)
			return r;
		n = pers_readlink(&c->t->pers, b, path, buf, sizeof(buf));
		if (n < 0)
			return n;
		{
			/* (path, buf, size) */
			uint64_t size = c->args[pi + 2];
			if ((int64_t)size <= 0)
				return -EINVAL;
			if ((uint64_t)n > size)
				n = (ssize_t)size;
			if (trap_mem_write(c->tr->tid, c->args[pi + 1], buf, (size_t)n) < 0)
				return -EFAULT;
		}
		return n;
	case PK_UNAME: {
		struct utsname u;
		pers_uname(&c->t->pers, &u);
		if (trap_mem_write(c->tr->tid, c->args[0], &u, sizeof(u)) < 0)
			return -EFAULT;
		return 0;
	}
	case PK_CHROOT:
		if ((r = read_path(c, pi, path, &skip)) < 0)
			return r;
		if (path[0] != '/' && path[0] != '\0') {
			if ((r = base_of(c, s->dirfd[0], base, sizeof(base))) < 0)
				return r;
			b = base;
		}
		pers_for(c);
		if ((r = pers_chroot(&c->t->pers, &c->tr->cred, b, path, buf, sizeof(buf))) < 0)
			return r;
		return strcmp(buf, c->t->pers.root) == 0 ? 0 : trap_set_root(c->t, c->tr->tid, buf);
	case PK_REFUSE:
		return -s->err;
	default:
		return -ENOSYS;
	}
}

/* A guest that is no longer root: what the kernel checks for its identity
 * (personality/perm.c), before the kernel makes the call on the
 * translated paths.  chmod is made here (*done). */
static int check_path_call(struct call *c, long nr, bool *done)
{
	const struct pers *p = &c->t->pers;
	const struct pers_cred *cr = &c->tr->cred;
	const char *h = c->host[0];
	bool follow = follows(c) != 0;
	uint64_t f = c->flag;
	const uint64_t *after = c->args + c->s->path[0] + 1; /* mode, times... */

	switch (nr) {
	case SYS_open: case SYS_openat:
		return pers_check_open(p, cr, h, (int)f);
	case SYS_creat:
		return pers_check_open(p, cr, h, O_CREAT | O_WRONLY | O_TRUNC);
	case SYS_access: case SYS_faccessat: case SYS_faccessat2:
		return pers_check_access(p, cr, h, follow, (int)after[0], f & AT_EACCESS);
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
		return pers_check_utimes(p, cr, h, follow, after[0] == 0);
	case SYS_chmod: case SYS_fchmodat: case 452 /* fchmodat2 */:
		*done = true;
		return pers_chmod(p, cr, h, follow, (mode_t)after[0]);
	case SYS_chdir:
		return pers_check_chdir(p, cr, h);
	}
	/* stat, xattrs...: the walk's search permission */
	return pers_check_lookup(p, cr, h);
}

/* The xattr calls, answered by the personality (personality/xattr.c) on
 * the translated path or the fd's; *done false: the kernel's call stands
 * (an empty path, an O_PATH fd, a pipe's). */
static long do_xattr(struct call *c, long nr, bool *done)
{
	char fdpath[64];
	const char *h = c->host[0];
	bool follow = follows(c) != 0;

	*done = false;
	if (trap_xattr_op(nr) < 0)
		return 0;
	if (c->s->kind == PK_FD) {
		if (pers_xattr_fd(c->tr->tid, (int)c->args[0], fdpath, sizeof(fdpath)) != 0)
			return 0;
		h = fdpath, follow = true;
	} else if (h[0] == '\0') {
		return 0;
	}
	*done = true;
	return trap_xattr(&c->t->pers, &c->tr->cred, c->tr->tid, nr, c->args, h, follow);
}

/* Run by an ordinary user, mew records the owners the guest gives
 * (personality/owner.c), which the kernel does not show: the stat family
 * is answered here with the owners the guest sees.  (Run as root, the
 * owners are real and the kernel answers.)  *done false: the kernel's
 * answer stands (as root, a bad fd, an empty path it refuses itself). */
static long do_stat(struct call *c, long nr, bool *done)
{
	const struct pers *p = &c->t->pers;
	const uint64_t *after = c->s->path[0] >= 0 ? c->args + c->s->path[0] + 1 : c->args + 1;
	const char *h = c->host[0];
	bool follow = follows(c) != 0;
	char fdpath[64];
	struct stat st;
	int r;

	*done = false;
	if (pers_owners_real(p))
		return 0;
	if (nr == SYS_fstat || h[0] == '\0') {
		int fd = (int)c->args[nr == SYS_fstat ? 0 : c->s->dirfd[0]];
		if (nr != SYS_fstat && (c->s->dirfd[0] < 0 || !(c->flag & AT_EMPTY_PATH)))
			return 0;
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%d", (int)c->tr->tid, fd);
		if (fd < 0 || stat(fdpath, &st) < 0)
			return 0;
		h = fdpath;
		follow = true;
	}
	*done = true;
	if (nr == SYS_statx) {
		struct statx sx;
		int fl = (int)(c->flag & ~(uint64_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
		if (statx(AT_FDCWD, h, fl | (follow ? 0 : AT_SYMLINK_NOFOLLOW), (unsigned)after[1], &sx) < 0)
			return -errno;
		pers_owner_view_statx(p, h, follow, &sx);
		return trap_mem_write(c->tr->tid, after[2], &sx, sizeof(sx));
	}
	/* flags pers_owner_stat does not take: the kernel judges them (EINVAL
	 * for unknown ones) */
	if ((c->flag & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) && nr == SYS_newfstatat &&
	    fstatat(AT_FDCWD, h, &st, (int)(c->flag & ~(uint64_t)AT_EMPTY_PATH)) < 0)
		return -errno;
	if ((r = pers_owner_stat(p, h, follow, &st)) < 0)
		return r;
	return trap_mem_write(c->tr->tid, after[0], &st, sizeof(st));
}

/* A creation whose new inode's owner the kernel cannot give (a root of
 * another group, a set-group-id directory, an unprivileged mew's
 * records): looked at again when the call ends (trap_syscall_exit). */
static void owner_at_exit(struct call *c, long nr)
{
	const char *h = c->host[0];
	struct stat st;

	bool tmpfile = c->s->writes == PW_OPEN_FLAGS && (c->flag & __O_TMPFILE) == __O_TMPFILE;

	if (c->s->creates != 1 && !(c->s->writes == PW_OPEN_FLAGS && (c->flag & O_CREAT)) && nr != SYS_creat &&
	    !tmpfile)
		return;
	if (h[0] == '\0' || (tmpfile ? !c->t->pers.fake_root
			    : lstat(h, &st) == 0 || !pers_owner_create_matters(&c->t->pers, &c->tr->cred, h)))
		return;
	free(c->tr->created);
	c->tr->created = strdup(h);
	c->tr->tmpfile = tmpfile;
}

void trap_syscall_exit(struct trap *t, struct tracee *tr)
{
	struct user_regs_struct regs;

	if (tr->created != NULL && ptrace(PTRACE_GETREGS, tr->tid, 0, &regs) == 0 && (int64_t)regs.rax >= 0) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/%d/fd/%lld", (int)tr->tid, (long long)regs.rax);
		if (tr->tmpfile)
			pers_owner_tmpfile(&t->pers, &tr->cred, tr->created, link);
		else
			pers_owner_created(&t->pers, &tr->cred, tr->created);
	}
	free(tr->created);
	tr->created = NULL;
}

/* The identity calls, on the tracee's own credentials. */
static long cred_call(struct call *c)
{
	const long a[6] = { (long)c->args[0], (long)c->args[1], (long)c->args[2],
			    (long)c->args[3], (long)c->args[4], (long)c->args[5] };
	struct pers_cred_io io = trap_cred_io(&c->tr->tid);

	c->tr->cred_known = true;
	return pers_cred_syscall(&c->tr->cred, c->s->cred, a, &io);
}

bool trap_syscall(struct trap *t, struct tracee *tr)
{
	struct call c = { .t = t, .tr = tr };
	const struct pers_call *s;
	long nr, ret = 0;
	bool answered = false;
	int r;

	free(tr->created); /* (a call whose end was never seen) */
	tr->created = NULL;
	if (ptrace(PTRACE_GETREGS, tr->tid, 0, &c.regs) < 0)
		return false; /* gone: its exit will be reported */
	load_args(&c);
	c.scratch = c.regs.rsp - 128;
	nr = (long)c.regs.orig_rax;
	s = pers_call(&pers_abi_x86_64, nr);
	if (s == NULL) {
		/* Not ours (a filter the guest added itself asked for a tracer). */
		return false;
	}
	c.s = s;
	c.flag = PERS_CALL_FLAG(s, c.args);
	switch (s->kind) {
	case PK_SOCK:
		/* ptrace only: socket paths are not translated (notify/sock.c
		 * does); a privileged port is the guest's credentials' to bind */
		if (nr == SYS_bind) {
			struct sockaddr_in6 a;
			size_t l = c.args[2] < sizeof(a) ? (size_t)c.args[2] : sizeof(a);
			if (trap_mem_read(tr->tid, c.args[1], &a, l) == 0 && (ret = pers_sock_bind_port(&tr->cred, &a, l)) < 0) {
				answered = true;
				break;
			}
		}
		return false;
	case PK_CRED:
		ret = cred_call(&c);
		if (ret == PERS_CRED_NOT_MINE)
			return false; /* prctl's other options */
		answered = true;
		break;
	case PK_KILL: {
		struct tracee *target = (pid_t)c.args[0] > 0 ? trap_tracee(t, (pid_t)c.args[0], false) : NULL;
		if (target == NULL || pers_cred_may_signal(&tr->cred, &target->cred) == 0)
			return false; /* not the guest's, or allowed: the kernel's call */
		ret = -EPERM;
		answered = true;
		break;
	}
	case PK_PATH:
		if (s->owner) {
			ret = do_chown(&c);
			answered = true;
			break;
		}
		pers_for(&c);
		r = translate_arg(&c, 0);
		if (r == 0 && s->path[1] >= 0)
			r = translate_arg(&c, 1);
		/* (a root's too where mew keeps set-id bits: chmod, the opens
		 * and truncates that drop them) */
		if (r == 0 && (!pers_cred_fs_omnipotent(&tr->cred) || !pers_owners_real(&c.t->pers)) &&
		    c.host[0][0] != '\0')
			r = check_path_call(&c, nr, &answered);
		/* a program a guest process runs, whoever the caller is */
		if (r == 0 && (nr == SYS_open || nr == SYS_openat || nr == SYS_creat) && c.host[0][0] != '\0')
			r = pers_busy_check(&c.t->pers, c.host[0], nr == SYS_creat ? O_WRONLY | O_TRUNC : (int)c.flag);
		if (r == 0 && !answered && (nr == SYS_stat || nr == SYS_lstat || nr == SYS_newfstatat ||
					    nr == SYS_statx))
			r = (int)do_stat(&c, nr, &answered);
		if (r == 0 && !answered) {
			ret = do_xattr(&c, nr, &answered);
			if (answered)
				break;
		}
		if (r < 0 || answered) {
			ret = r;
			answered = true;
		} else {
			owner_at_exit(&c, nr);
		}
		break;
	case PK_FD:
		/* through an fd (fchmod, fsetxattr...): a read-only file's
		 * refused, else the kernel's call; fchown is mew's */
		if (nr == SYS_fstat) {
			ret = do_stat(&c, nr, &answered);
			if (!answered)
				return false;
			break;
		}
		r = s->owner ? 0 : pers_call_fd_check(&t->pers, tr->tid, s, c.args, false);
		if (r == 0 && nr == SYS_fchmod && t->pers.fake_root) {
			ret = do_fchmod(&c);
			answered = true;
			break;
		}
		if (r == 0 && !s->owner) { /* the xattrs */
			ret = do_xattr(&c, nr, &answered);
			if (!answered)
				return false;
			break;
		}
		ret = r < 0 ? r : do_chown(&c);
		answered = true;
		break;
	case PK_PTRACE:
		ret = trap_ptrace_answer(c.args[0]);
		if (ret == 0)
			return false;
		answered = true;
		break;
	case PK_OPENAT2:
		if ((r = do_openat2(&c)) < 0) {
			ret = r;
			answered = true;
		} else {
			owner_at_exit(&c, nr);
		}
		break;
	case PK_EXEC:
		r = do_exec(&c);
		if (r < 0) {
			ret = r;
			answered = true;
		}
		break;
	default:
		ret = answer(&c);
		answered = true;
		break;
	}
	if (answered) {
		c.regs.orig_rax = (uint64_t)-1;
		c.regs.rax = (uint64_t)ret;
	} else if (c.modified) {
		store_args(&c);
	} else {
		return tr->created != NULL;
	}
	if (ptrace(PTRACE_SETREGS, tr->tid, 0, &c.regs) < 0 && errno != ESRCH)
		mew_debug("trap: setregs %d: %s", tr->tid, strerror(errno));
	return !answered && tr->created != NULL;
}
