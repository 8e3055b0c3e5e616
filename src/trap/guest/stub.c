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
 * Guest memory is read and written by guest_copy (entry.S), whose faults
 * the stub's SIGSEGV handler turns into EFAULT: a bad pointer is not a
 * crash.
 *
 * Signals: SIGSYS must never be blocked (the kernel kills a process whose
 * seccomp trap meets a blocked SIGSYS), so rt_sigprocmask, rt_sigsuspend and
 * rt_sigaction's masks are trapped too and have SIGSYS taken out; a guest's
 * own SIGSYS action is kept here and given every SIGSYS that is not mew's.
 * The handler runs with SA_NODEFER, an empty mask and SA_ONSTACK, on the
 * guest's stack or its sigaltstack; it is reentrant (no global scratch). */
#include "guest.h"

__attribute__((section(".data.cfg"), used)) struct stub_config cfg;

/* Calls the kernel checks against the caller's identity: for a process
 * that is no longer root they go to mew, which checks them against its
 * credentials and the owners the guest sees (personality/perm.c); for a
 * root of another group too, so that what it makes gets that group. */
static int checked_by_mew(long nr, const long *a)
{
	switch (nr) {
	case __NR_access: case __NR_faccessat: case __NR_faccessat2:
	case __NR_mkdir: case __NR_mkdirat: case __NR_rmdir: case __NR_unlink: case __NR_unlinkat:
	case __NR_symlink: case __NR_symlinkat: case __NR_rename: case __NR_renameat:
	case __NR_renameat2: case __NR_link: case __NR_linkat: case __NR_chmod: case __NR_fchmodat:
	case __NR_truncate: case __NR_utimensat: case __NR_bind:
		return 1;
	case __NR_open:
		return !(a[1] & O_PATH);
	case __NR_openat:
		return !(a[2] & O_PATH);
	}
	return 0;
}

/* Calls that only look a path up: the walk's search permission, which
 * mew checks for a process that is no longer root. */
static int looked_up_by_mew(long nr)
{
	switch (nr) {
	case __NR_stat: case __NR_lstat: case __NR_newfstatat: case __NR_statx:
	case __NR_readlink: case __NR_readlinkat:
		return 1;
	}
	return 0;
}

/* Calls whose path the stub walks itself, from the rootfs's fd, its
 * directory cache, or a cwd it untranslates: a process with a root of its
 * own (cfg.root) has them walked by mew. */
static int walks_path(long nr)
{
	switch (nr) {
	case __NR_stat: case __NR_lstat: case __NR_newfstatat: case __NR_statx:
	case __NR_access: case __NR_faccessat: case __NR_faccessat2:
	case __NR_readlink: case __NR_readlinkat: case __NR_open: case __NR_openat:
	case __NR_mkdir: case __NR_mkdirat: case __NR_rmdir: case __NR_unlink: case __NR_unlinkat:
	case __NR_symlink: case __NR_symlinkat: case __NR_utimensat:
	case __NR_rename: case __NR_renameat: case __NR_renameat2: case __NR_link: case __NR_linkat:
	case __NR_getcwd: case __NR_chmod: case __NR_fchmodat: case 452 /* fchmodat2 */:
	case __NR_truncate:
		return 1;
	}
	return 0;
}

/* *dirs: may the call have moved or removed a directory (rename, rmdir)?
 * Set to 0 where the answer knows it did not. */
static long answer(long nr, const long *a, struct kucontext *uc, int *dirs)
{
	int omnipotent = pers_cred_fs_omnipotent(&cfg.cred);
	long r, b[6] = { 0 };

	/* creat is open's O_CREAT|O_WRONLY|O_TRUNC: its checks, its owner */
	if (nr == __NR_creat) {
		b[0] = a[0];
		b[1] = O_CREAT | O_WRONLY | O_TRUNC;
		b[2] = a[1];
		nr = __NR_open;
		a = b;
	}

	/* the files of a user namespace of the guest's own (userns.c) */
	switch (nr) {
	case __NR_write: case __NR_pwrite64: case __NR_writev: case __NR_pwritev: case __NR_pwritev2:
		return userns_write(nr, a);
	case __NR_open:
	case __NR_openat:
		if (cfg.cred.depth > 0 && (r = userns_open(nr, a)) != FALLBACK)
			return r;
	}

	/* the stub's own fds are not the guest's (fds.c) */
	if (stub_fd_used(nr, a))
		return -EBADF;
	if (cfg.root[0] != '\0' && walks_path(nr)) {
		/* mew's notifier cannot hand over an O_PATH fd */
		if ((nr == __NR_open && (a[1] & O_PATH)) || (nr == __NR_openat && (a[2] & O_PATH)))
			return translate(nr, a);
		return slow(nr, a);
	}
	if (((cfg.cred.fsgid != 0 || !omnipotent) && checked_by_mew(nr, a)) ||
	    (!omnipotent && looked_up_by_mew(nr)))
		return slow(nr, a);
	switch (nr) {
	case __NR_stat:
	case __NR_lstat:
	case __NR_newfstatat:
	case __NR_fstat:
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
	case __NR_openat2:
		return do_openat2(a);
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
		r = do_entry2(nr, a, dirs);
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
		r = do_uname(a);
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
	case __NR_setgroups:
	case __NR_getgroups:
	case __NR_capget:
	case __NR_capset:
	case __NR_prctl:
		return do_creds(nr, a);
	case __NR_kill:
	case __NR_tgkill:
		return do_kill(nr, a);
	case __NR_unshare:
		return do_unshare(a);
	case __NR_clone:
		return do_clone(a, uc);
	case __NR_setns:
		return do_setns(a);
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
	case __NR_getsockname:
	case __NR_getpeername:
		return do_sockname(nr, a);
	case __NR_recvfrom:
	case __NR_accept:
	case __NR_accept4:
		return do_peer_addr(nr, a);
	case __NR_close:
	case __NR_fcntl:
	case __NR_dup:
	case __NR_fchdir:
	case __NR_fstatfs:
	case __NR_dup2:
	case __NR_dup3:
	case 436: /* close_range */
	case __NR_getdents64:
		return do_fds(nr, a);
	case __NR_getrlimit:
	case __NR_setrlimit:
	case __NR_prlimit64:
		return do_nofile(nr, a);
	case __NR_rt_sigprocmask:
		return do_sigprocmask(a, uc);
	case __NR_rt_sigsuspend:
		return do_sigsuspend(a);
	default:
		return translate(nr, a);
	}
	/* the kernel's refusal of mew's own file, whose owner's permissions
	 * the guest's root took (mkdir 0444): mew gives them back for the
	 * call (personality/grant.c) */
	if (r == -EACCES && omnipotent && cfg.host_uid != 0)
		return slow(nr, a);
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

/* Calls that may move or remove a directory: every guest process's
 * directory cache must see them before they return (dircache.c). */
static int moves_dirs(long nr, const long *a)
{
	switch (nr) {
	case __NR_rename:
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_rmdir:
		return 1;
	case __NR_unlinkat:
		return (a[2] & AT_REMOVEDIR) != 0;
	}
	return 0;
}

/* A stat's owner as a process in a user namespace of its own sees it
 * (pers_cred_to_ns: 65534 where its namespace maps none). */
static void owner_in_ns(long nr, const long *a)
{
	unsigned long buf = (unsigned long)(nr == __NR_newfstatat ? a[2] : nr == 332 /* statx */ ? a[4] : a[1]);
	unsigned long off = nr == 332 ? 20 : 28; /* stx_uid, st_uid; then the gid */
	uint32_t id[2];

	if (copy_in(id, buf + off, sizeof(id)) < 0)
		return;
	id[0] = pers_cred_to_ns(&cfg.cred, 0, id[0]);
	id[1] = pers_cred_to_ns(&cfg.cred, 1, id[1]);
	copy_out(buf + off, id, sizeof(id));
}

static long dispatch(long nr, const long *a, struct kucontext *uc)
{
	int dirs = 1;
	long r, begun;

	if (cfg.cred.depth > 0 && (nr == __NR_stat || nr == __NR_lstat || nr == __NR_fstat ||
				   nr == __NR_newfstatat || nr == 332 /* statx */)) {
		if ((r = answer(nr, a, uc, &dirs)) == 0)
			owner_in_ns(nr, a);
		return r;
	}
	if (!moves_dirs(nr, a))
		return answer(nr, a, uc, &dirs);
	begun = dircache_change_begin();
	r = answer(nr, a, uc, &dirs);
	dircache_change_end(begun, r == 0 && dirs);
	return r;
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
	patch_site((unsigned long)si->u.sys.call_addr, si->u.sys.syscall);
}

/* A patched site's call (entry.S, patch.c): the guest's registers a[0..5]. */
long stub_fast(long nr, const long *a)
{
	return dispatch(nr, a, NULL);
}

/* An O_PATH fd on directory path at min or above (-1: none), never on the
 * host's /proc (answered by mew). */
static long high_fd(const char *path, long min)
{
	struct stat st;
	long fd = S4(__NR_openat, AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0), r = -1;

	if (fd < 0)
		return -1;
	if (min >= 64 && S2(__NR_fstat, fd, &st) == 0 && st.st_dev != cfg.proc_dev)
		r = S3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, min);
	S1(__NR_close, fd);
	return r >= 0 ? r : -1;
}

/* Run once in a fresh image, by mew (ptrace), at the program's entry. */
void stub_init(void)
{
	struct ksigaction sa = { (unsigned long)stub_handler,
				 SA_SIGINFO_ | SA_NODEFER_ | SA_ONSTACK_ | SA_RESTORER_,
				 (unsigned long)stub_restorer, 0 };
	unsigned long m = SIGSYS_BIT, lim[2], need[2];
	long fd, min;
	int raised = 0, held = 0;

	S3(__NR_mprotect, STUB_BASE, 0x11000, PROT_READ_ | PROT_EXEC_);
	S3(__NR_mprotect, STUB_BASE + 0x11000, STUB_DATA - STUB_BASE - 0x11000, 0);
	S3(__NR_mprotect, STUB_DATA, STUB_BASE + STUB_SIZE - STUB_DATA, PROT_READ_ | PROT_WRITE_);
	cfg.rootfd = -1;
	for (int i = 0; i < STUB_MAX_BINDFD; i++)
		cfg.bindfd[i] = -1;
	cfg.owner = (int32_t)S0(__NR_getpid);
	dircache_init();
	cfg.win = -1;
	if (cfg.magic == STUB_MAGIC && S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, 0, lim) == 0) {
		/* STUB_HELD fds, out of the way of the guest's own numbering,
		 * where the filter traps the calls on them (fds.c): in the
		 * window right under the soft limit, which the guest is shown
		 * less them (fds.c, guest_nofile).  A soft limit under fd_min +
		 * STUB_HELD puts them at fd_min: raised there for good where it
		 * lay among them (the same to the guest as one over them; the
		 * directory cache replaces its placeholders with dup3, which the
		 * limit bounds), for the time it takes where under them (a
		 * guest that lowered its limit); under a hard limit too low for
		 * them the stub has none, and mew answers every path call.  A
		 * number of the window an inherited fd holds is one fewer. */
		min = window_of(lim[0]);
		if (min < 0) {
			need[0] = (unsigned long)cfg.fd_min + STUB_HELD;
			need[1] = lim[1];
			if (lim[1] >= need[0] && S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, need, 0) == 0) {
				raised = 1;
				min = cfg.fd_min;
				if (lim[0] >= (unsigned long)min) {
					lim[0] = need[0];
					cfg.win = (int32_t)min;
				}
			}
		} else
			cfg.win = (int32_t)min;
		cfg.rootfd = (int32_t)high_fd(cfg.rootfs, min);
		if (cfg.rootfd >= 0) {
			const char *h = cfg.bind_hosts;
			held = 1;
			for (int i = 0; i < STUB_MAX_BINDFD && *h != '\0'; h += slen(h) + 1, i++)
				if ((fd = high_fd(h, min)) >= 0) {
					cfg.bindfd[i] = (int32_t)fd;
					held++;
				}
			/* the directory cache's slots, placeholders until used */
			for (int i = 0; i < STUB_DIRCACHE && held < STUB_HELD; i++)
				if ((fd = S3(__NR_fcntl, cfg.rootfd, F_DUPFD_CLOEXEC, min)) >= 0) {
					cfg.dcache.fd[i] = (int32_t)fd;
					held++;
				}
		} else
			cfg.win = -1;
		cfg.held = held;
		if (raised)
			S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, lim, 0);
	}
	S4(__NR_rt_sigaction, SIGSYS_, &sa, 0, 8);
	S4(__NR_rt_sigprocmask, SIG_UNBLOCK_, &m, 0, 8);
	/* the guest's bad pointers (signal.c, stub_fault) */
	sa.handler = (unsigned long)stub_fault;
	S4(__NR_rt_sigaction, 11 /* SIGSEGV */, &sa, 0, 8);
	S4(__NR_rt_sigaction, 7 /* SIGBUS */, &sa, 0, 8);
}
