/* The seccomp filters of the syscall engine's three modes, written on one
 * label assembler (bpf.c) and compiled by the kernel's BPF JIT:
 * trap_filter for the ptrace and notifier modes, trap_filter_stub for the
 * stub mode.  Which calls they send to mew is the personality's call table
 * (calls.c's lists).  Calls from another ABI (int 0x80, x32) could name
 * files without going through the translation: they are refused, as is
 * io_uring, whose queued opens no filter sees.
 * tests/unit/test_trap_filter.c runs both on seccomp_data vectors. */
#include "trap/trap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "trap/bpf.h"

static const int refused[] = {
	425 /* io_uring_setup */, 426 /* io_uring_enter */, 427 /* io_uring_register */,
};

/* The labels of both filters (bpf.h). */
enum {
	L_ALLOW = 1, L_TRAP, L_TRACE, L_NOTIF, L_ENOSYS, L_EPERM, L_GUEST, L_IPLO, L_SLOW, L_IPHI,
	L_SENDTO, L_MASK3, L_MASK4, L_MASK5, L_SECCOMP, L_SIGACT, L_SIGMASK, L_CLONE, L_OPEN, L_OPENAT,
	L_FD0, L_FD01, L_FD1, L_FCNTL, L_DUPFD, L_RLIM0, L_RLIM1, L_PTR1, L_FSTAT, L_ALLOW0, L_ENOSYS0,
	L_SLOW_ALLOW, L_SLOW_NOTIF, L_PEER, L_PEER_SENDTO, L_PEERCRED, L_PEER_ALLOW, L_ERRNO0,
};

#define ARG_LO(i) ((unsigned)offsetof(struct seccomp_data, args) + 8u * (i))
#define ARG_HI(i) (ARG_LO(i) + 4u)
#define IP_LO ((unsigned)offsetof(struct seccomp_data, instruction_pointer))
#define IP_HI (IP_LO + 4u)
#define NS_FLAGS                                                                                      \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |      \
	 CLONE_NEWCGROUP)

/* A comparison with nr, unless this section already has one (seen: one
 * bit per call number): the first answer is the one that holds, and each
 * forward jump must stay within 255 instructions. */
static void jump_once(struct bpf *b, uint64_t *seen, unsigned nr, int lt, int lf)
{
	if (nr < 2048) {
		if (seen[nr / 64] & (1ULL << (nr % 64)))
			return;
		seen[nr / 64] |= 1ULL << (nr % 64);
	}
	bpf_jump(b, BPF_JEQ, nr, lt, lf);
}

/* Both filters start so: a call of another ABI (i386 through int 0x80,
 * x32) goes to label enosys; A is then the call's number. */
static void x86_64_only(struct bpf *b, int enosys)
{
	bpf_ld(b, offsetof(struct seccomp_data, arch));
	bpf_jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, BPF_NEXT, enosys);
	bpf_ld(b, offsetof(struct seccomp_data, nr));
	bpf_jump(b, BPF_JGE, 0x40000000, enosys, BPF_NEXT);
}

/* Namespaces: without the stub, unshare, setns and clone with a
 * CLONE_NEW* flag are EPERM (L_CLONE reads the flags); in the stub mode
 * unshare, setns and such a clone trap (ns_to_stub), and the stub makes the
 * network, UTS and IPC ones the personality allows inside a new user
 * namespace (guest/ns.c).  clone3, whose flags BPF cannot read, ENOSYS so
 * that libc falls back to clone; io_uring, whose queued opens no filter
 * sees, ENOSYS. */
static void refuse_common(struct bpf *b, bool ns_to_stub)
{
	bpf_jump(b, BPF_JEQ, SYS_clone, L_CLONE, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, 435 /* clone3 */, L_ENOSYS, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, SYS_unshare, ns_to_stub ? L_TRAP : L_EPERM, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, SYS_setns, ns_to_stub ? L_TRAP : L_EPERM, BPF_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		bpf_jump(b, BPF_JEQ, (unsigned)refused[i], L_ENOSYS, BPF_NEXT);
}

/* At label l: to lt when argument i has any of bits, else to lf. */
static void jset_arg(struct bpf *b, int l, int i, unsigned bits, int lt, int lf)
{
	bpf_label(b, l);
	bpf_ld(b, ARG_LO(i));
	bpf_jump(b, BPF_JSET, bits, lt, lf);
}

/* The answers both filters end with: seccomp(op, flags, ...) with no
 * listener of the guest's own; clone's namespace flags (refuse_common). */
static void check_clone_and_seccomp(struct bpf *b, bool ns_to_stub)
{
	jset_arg(b, L_SECCOMP, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER, L_EPERM, L_ALLOW);
	jset_arg(b, L_CLONE, 0, NS_FLAGS, ns_to_stub ? L_TRAP : L_EPERM, L_ALLOW);
}

/* The calls that name a socket peer go to the notifier, from wherever
 * they come (in the stub mode the stub's fast instruction included): mew
 * makes them (notify/peer.c), as Landlock cannot wall a UNIX socket's
 * path; sendto only with an address (without: the connected peer, at
 * native speed); getsockopt's SO_PEERCRED, which names the process that
 * made the connect (mew answers with the guest's it made it for).
 * peer_answers() ends the section that jumps here. */
static void peer_calls(struct bpf *b, uint64_t *seen)
{
	jump_once(b, seen, SYS_connect, L_PEER, BPF_NEXT);
	jump_once(b, seen, SYS_sendmsg, L_PEER, BPF_NEXT);
	jump_once(b, seen, SYS_sendmmsg, L_PEER, BPF_NEXT);
	jump_once(b, seen, SYS_sendto, L_PEER_SENDTO, BPF_NEXT);
	jump_once(b, seen, SYS_getsockopt, L_PEERCRED, BPF_NEXT);
}

static void peer_answers(struct bpf *b)
{
	bpf_label(b, L_PEER_SENDTO);
	bpf_ld(b, ARG_LO(4));
	bpf_jump(b, BPF_JEQ, 0, BPF_NEXT, L_PEER);
	bpf_ld(b, ARG_HI(4));
	bpf_jump(b, BPF_JEQ, 0, BPF_NEXT, L_PEER);
	bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* getsockopt(fd, SOL_SOCKET, SO_PEERCRED): the peer mew connected for */
	bpf_label(b, L_PEERCRED);
	bpf_ld(b, ARG_LO(1));
	bpf_jump(b, BPF_JEQ, SOL_SOCKET, BPF_NEXT, L_PEER_ALLOW);
	bpf_ld(b, ARG_LO(2));
	bpf_jump(b, BPF_JEQ, SO_PEERCRED, L_PEER, BPF_NEXT);
	bpf_ret(b, L_PEER_ALLOW, SECCOMP_RET_ALLOW);
	bpf_ret(b, L_PEER, SECCOMP_RET_USER_NOTIF);
}

/* The filter of the ptrace and notifier modes:
 *   other ABIs (i386 through int 0x80, x32)   ERRNO|ENOSYS;
 *   the personality's calls (its table)       TRACE (a ptrace stop), or with
 *                                             notify USER_NOTIF for those the
 *                                             notifier answers (opens with
 *                                             O_PATH, and openat2, which may
 *                                             be one: TRACE, ADDFD cannot
 *                                             hand them over);
 *   namespaces (unshare, setns, clone with a  EPERM (clone3, whose flags BPF
 *   CLONE_NEW* flag), a guest listener        cannot read: ENOSYS, libc falls
 *                                             back to clone); io_uring ENOSYS;
 *   everything else                           ALLOW.
 * fstat_native: the raw fstat is allowed (the owners are real: mew has
 * nothing to rewrite in its answer). */
int trap_filter(bool notify, bool fstat_native, struct sock_fprog *prog)
{
	struct bpf *b = calloc(1, sizeof(*b));
	int traced[160], r;
	size_t ntraced = trap_traced_list(traced, ARRAY_SIZE(traced));

	if (b == NULL)
		return -1;
	x86_64_only(b, L_ENOSYS);
	/* A guest filter of its own with a listener would outrank ours
	 * (USER_NOTIF beats TRACE) and could let a call run untranslated. */
	bpf_jump(b, BPF_JEQ, SYS_seccomp, L_SECCOMP, BPF_NEXT);
	if (notify) {
		uint64_t seen[32] = { 0 };
		peer_calls(b, seen);
	}
	for (size_t i = 0; i < ntraced; i++) {
		int to = notify && trap_notified(traced[i]) ? L_NOTIF : L_TRACE;
		if (fstat_native && traced[i] == SYS_fstat)
			continue;
		if (notify && traced[i] == SYS_open)
			to = L_OPEN;
		if (notify && traced[i] == SYS_openat)
			to = L_OPENAT;
		/* openat2's flags are in a struct the filter cannot read, and
		 * O_PATH may be among them */
		if (notify && traced[i] == SYS_openat2)
			to = L_TRACE;
		bpf_jump(b, BPF_JEQ, (unsigned)traced[i], to, BPF_NEXT);
	}
	refuse_common(b, false);
	bpf_ret(b, L_ALLOW0, SECCOMP_RET_ALLOW);
	if (notify)
		peer_answers(b);
	/* open/openat with O_PATH: an O_PATH file cannot be handed over with
	 * SECCOMP_IOCTL_NOTIF_ADDFD, so those take the ptrace path. */
	jset_arg(b, L_OPEN, 1, O_PATH, L_TRACE, L_NOTIF);
	jset_arg(b, L_OPENAT, 2, O_PATH, L_TRACE, L_NOTIF);
	check_clone_and_seccomp(b, false);
	/* jumps go forward only: the answers last */
	bpf_ret(b, L_ALLOW, SECCOMP_RET_ALLOW);
	bpf_ret(b, L_TRACE, SECCOMP_RET_TRACE);
	bpf_ret(b, L_ENOSYS, SECCOMP_RET_ERRNO | ENOSYS);
	bpf_ret(b, L_NOTIF, SECCOMP_RET_USER_NOTIF);
	bpf_ret(b, L_EPERM, SECCOMP_RET_ERRNO | EPERM);
	r = bpf_finish(b, prog);
	free(b);
	return r;
}

/* The filter of the stub mode (guest/stub.h): by instruction pointer,
 *   the stub's fast instruction      ALLOW (its calls are already translated);
 *   the stub's slow instruction      USER_NOTIF for what the notifier answers
 *                                    (and the stub's upcalls), else ALLOW;
 *   anywhere else (the guest)        TRAP for the path calls the stub answers
 *                                    or translates, exec, and the signal-mask
 *                                    calls that could block SIGSYS, the identity
 *                                    calls and kill; USER_NOTIF
 *                                    for the rest the notifier answers;
 *                                    TRAP for unshare and a clone with a
 *                                    CLONE_NEW* flag (guest/ns.c makes
 *                                    the namespaces the personality allows;
 *                                    without ns, where the host allows no
 *                                    user namespace, EPERM as trap_filter's);
 *                                    ERRNO for the refused calls.
 * No SECCOMP_RET_TRACE: nothing is ptraced while it runs (a ptraced
 * process's every SIGSYS would stop for the tracer).  fstat_native: the
 * raw fstat (Go's, whose call sites cannot be patched) is allowed on its
 * number, as trap_filter's. */
static const int stub_trapped[] = {
	SYS_stat, SYS_lstat, SYS_newfstatat, SYS_fstat, 332 /* statx */, SYS_access, SYS_faccessat,
	439 /* faccessat2 */, SYS_readlink, SYS_readlinkat, SYS_open, SYS_openat, SYS_openat2,
	SYS_execve, 322 /* execveat */, SYS_rt_sigsuspend,
	/* bind of an AF_UNIX path: done in the process with the path mew
	 * translates (connect and the sends: peer_calls) */
	SYS_bind,
	/* entries named, not followed (the stub's do_entry) */
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_symlink, SYS_symlinkat,
	SYS_utimensat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_link, SYS_linkat,
	SYS_getcwd, SYS_chmod, SYS_fchmodat, SYS_truncate, SYS_uname,
	/* an AF_UNIX name given back as the guest's path; the stub's own fds
	 * taken out of /proc/N/fd listings (guest/sock.c, guest/fds.c) */
	SYS_getsockname, SYS_getpeername, SYS_getdents64,
};

/* At label l (BPF_NEXT: here): TRAP when argument i (a pointer) is not
 * NULL, else ALLOW. */
static void trap_if_pointer(struct bpf *b, int l, int i)
{
	if (l != BPF_NEXT)
		bpf_label(b, l);
	bpf_ld(b, ARG_LO(i));
	bpf_jump(b, BPF_JEQ, 0, BPF_NEXT, L_TRAP);
	bpf_ld(b, ARG_HI(i));
	bpf_jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
}

int trap_filter_stub(bool fstat_native, bool ns, struct sock_fprog *prog)
{
	struct bpf *b = calloc(1, sizeof(*b));
	struct stub_path_call calls[48];
	size_t ncalls = trap_stub_calls(calls, ARRAY_SIZE(calls));
	int traced[160], nrs[32], errs[32], ids[32];
	size_t ntraced = trap_traced_list(traced, ARRAY_SIZE(traced));
	size_t nerr = trap_kind_list(PK_REFUSE, nrs, errs, ARRAY_SIZE(nrs));
	size_t nids = trap_kind_list(PK_CRED, ids, NULL, ARRAY_SIZE(ids));
	int r;

	if (b == NULL)
		return -1;
	x86_64_only(b, L_ENOSYS0);
	uint64_t pre[32] = { 0 }, guest[32] = { 0 };
	/* the raw fstat allowed on its number but for the stub's own fds */
	if (fstat_native)
		jump_once(b, pre, SYS_fstat, L_FSTAT, BPF_NEXT);
	peer_calls(b, pre);
	/* Every other call is allowed before anything but its number is read,
	 * so that the kernel's seccomp cache lets it through without running
	 * the filter (getppid at native speed). */
	for (size_t i = 0; i < ARRAY_SIZE(stub_trapped); i++)
		jump_once(b, pre, (unsigned)stub_trapped[i], L_IPHI, BPF_NEXT);
	for (size_t i = 0; i < ncalls; i++)
		jump_once(b, pre, calls[i].nr, L_IPHI, BPF_NEXT);
	for (size_t i = 0; i < ntraced; i++)
		jump_once(b, pre, (unsigned)traced[i], L_IPHI, BPF_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		jump_once(b, pre, (unsigned)refused[i], L_IPHI, BPF_NEXT);
	{
		static const unsigned more[] = {
			SYS_seccomp, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sendto, SYS_clone, 435 /* clone3 */,
			SYS_ppoll, SYS_pselect6, SYS_epoll_pwait, 441 /* epoll_pwait2 */,
			SYS_unshare, SYS_setns, SYS_chroot,
			STUB_UPCALL_TRANSLATE, STUB_UPCALL_EXEC, STUB_UPCALL_DIRCACHE, STUB_UPCALL_USERNS,
			SYS_close, SYS_fcntl, SYS_dup, SYS_fchdir, SYS_fstatfs, SYS_dup2, SYS_dup3,
			436 /* close_range */, SYS_getrlimit, SYS_setrlimit, SYS_prlimit64,
			SYS_recvfrom, SYS_accept, SYS_accept4,
		};
		for (size_t i = 0; i < ARRAY_SIZE(more); i++)
			jump_once(b, pre, more[i], L_IPHI, BPF_NEXT);
	}
	if (fstat_native) {
		bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		bpf_label(b, L_FSTAT);
		bpf_ld(b, ARG_LO(0));
		bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_IPHI, BPF_NEXT);
	}
	bpf_ret(b, L_ALLOW0, SECCOMP_RET_ALLOW);
	bpf_ret(b, L_ENOSYS0, SECCOMP_RET_ERRNO | ENOSYS);
	peer_answers(b);
	bpf_label(b, L_IPHI);
	bpf_ld(b, IP_HI);
	bpf_jump(b, BPF_JEQ, STUB_IP_HI, L_IPLO, L_GUEST);
	bpf_label(b, L_IPLO);
	bpf_ld(b, IP_LO);
	bpf_jump(b, BPF_JGE, STUB_IP_LO, BPF_NEXT, L_GUEST);
	bpf_jump(b, BPF_JGE, STUB_IP_LO + 0x10000, BPF_NEXT, L_SLOW_ALLOW);
	bpf_jump(b, BPF_JGE, STUB_IP_LO + 0x11000, L_GUEST, L_SLOW);

	/* From the slow instruction: the notifier's calls and the upcalls
	 * (their answers here: a jump reaches 255 instructions at most). */
	bpf_label(b, L_SLOW);
	bpf_ld(b, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < ntraced; i++)
		if (trap_notified(traced[i]))
			bpf_jump(b, BPF_JEQ, (unsigned)traced[i], L_SLOW_NOTIF, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, STUB_UPCALL_TRANSLATE, L_SLOW_NOTIF, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, STUB_UPCALL_DIRCACHE, L_SLOW_NOTIF, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, STUB_UPCALL_USERNS, L_SLOW_NOTIF, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, STUB_UPCALL_EXEC, L_SLOW_NOTIF, L_SLOW_ALLOW);
	bpf_ret(b, L_SLOW_ALLOW, SECCOMP_RET_ALLOW);
	bpf_ret(b, L_SLOW_NOTIF, SECCOMP_RET_USER_NOTIF);

	/* From the guest. */
	bpf_label(b, L_GUEST);
	bpf_ld(b, offsetof(struct seccomp_data, nr));
	jump_once(b, guest, SYS_seccomp, L_SECCOMP, BPF_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(stub_trapped); i++)
		jump_once(b, guest, (unsigned)stub_trapped[i], L_TRAP, BPF_NEXT);
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].nr != SYS_open && calls[i].nr != SYS_openat)
			jump_once(b, guest, calls[i].nr, L_TRAP, BPF_NEXT);
	/* the identity, kept by the stub (personality/cred.h), and kill's
	 * check against the target's */
	nids += trap_kind_list(PK_KILL, ids + nids, NULL, ARRAY_SIZE(ids) - nids);
	for (size_t i = 0; i < nids; i++)
		jump_once(b, guest, (unsigned)ids[i], L_TRAP, BPF_NEXT);
	jump_once(b, guest, SYS_rt_sigaction, L_SIGACT, BPF_NEXT);
	jump_once(b, guest, SYS_rt_sigprocmask, L_SIGMASK, BPF_NEXT);
	jump_once(b, guest, SYS_sendto, L_SENDTO, BPF_NEXT);
	jump_once(b, guest, SYS_recvfrom, L_SENDTO, BPF_NEXT);
	jump_once(b, guest, SYS_accept, L_PTR1, BPF_NEXT);
	jump_once(b, guest, SYS_accept4, L_PTR1, BPF_NEXT);
	jump_once(b, guest, SYS_ppoll, L_MASK3, BPF_NEXT);
	jump_once(b, guest, SYS_pselect6, L_MASK5, BPF_NEXT);
	jump_once(b, guest, SYS_epoll_pwait, L_MASK4, BPF_NEXT);
	jump_once(b, guest, 441 /* epoll_pwait2 */, L_MASK4, BPF_NEXT);
	jump_once(b, guest, SYS_close, L_FD0, BPF_NEXT);
	jump_once(b, guest, SYS_fcntl, L_FCNTL, BPF_NEXT);
	jump_once(b, guest, SYS_dup, L_FD0, BPF_NEXT);
	/* fchdir always: a guest that is no longer root is checked as it
	 * (guest/query.c, do_fchdir) */
	jump_once(b, guest, SYS_fchdir, L_TRAP, BPF_NEXT);
	jump_once(b, guest, SYS_fstatfs, L_FD0, BPF_NEXT);
	jump_once(b, guest, SYS_dup2, L_FD01, BPF_NEXT);
	jump_once(b, guest, SYS_dup3, L_FD01, BPF_NEXT);
	jump_once(b, guest, 436 /* close_range */, L_FD1, BPF_NEXT);
	/* RLIMIT_NOFILE, shown less the stub's fds (guest/fds.c) */
	jump_once(b, guest, SYS_getrlimit, L_RLIM0, BPF_NEXT);
	jump_once(b, guest, SYS_setrlimit, L_RLIM0, BPF_NEXT);
	jump_once(b, guest, SYS_prlimit64, L_RLIM1, BPF_NEXT);
	for (size_t i = 0; i < ntraced; i++)
		if (trap_notified(traced[i]))
			jump_once(b, guest, (unsigned)traced[i], L_NOTIF, BPF_NEXT);
	jump_once(b, guest, SYS_chroot, L_NOTIF, BPF_NEXT);
	refuse_common(b, ns);
	/* The refused calls with their own errno: each a jeq over a ret. */
	for (size_t i = 0; i < nerr; i++) {
		bpf_jump(b, BPF_JEQ, (unsigned)nrs[i], BPF_NEXT, L_ERRNO0 + (int)i);
		bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errs[i]);
		bpf_label(b, L_ERRNO0 + (int)i);
	}
	bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	check_clone_and_seccomp(b, ns);
	/* rt_sigaction(sig, act, ...): trapped for the signals the stub
	 * handles (SIGSYS, SIGSEGV, SIGBUS: guest/signal.c) and whenever an
	 * act (whose mask could block SIGSYS) is given. */
	bpf_label(b, L_SIGACT);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JEQ, 31 /* SIGSYS */, L_TRAP, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, SIGSEGV, L_TRAP, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, SIGBUS, L_TRAP, BPF_NEXT);
	trap_if_pointer(b, BPF_NEXT, 1);
	/* rt_sigprocmask(how, set, ...): trapped when it may block. */
	bpf_label(b, L_SIGMASK);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JEQ, SIG_UNBLOCK, L_ALLOW, BPF_NEXT);
	trap_if_pointer(b, BPF_NEXT, 1);
	/* Waits that set a signal mask for their duration (argument 3, 4 or 5,
	 * a pointer): trapped with one, so that SIGSYS is never blocked. */
	trap_if_pointer(b, L_MASK3, 3);
	trap_if_pointer(b, L_MASK4, 4);
	trap_if_pointer(b, L_MASK5, 5);
	/* sendto and recvfrom(fd, buf, len, flags, addr, addrlen), accept(4)(fd,
	 * addr, ...): trapped with an address (guest/sock.c). */
	trap_if_pointer(b, L_SENDTO, 4);
	trap_if_pointer(b, L_PTR1, 1);
	/* close, fcntl, dup, fstatfs (fd 0), dup2, dup3 (0 or 1),
	 * close_range (its last):
	 * trapped when the number may be one of the stub's own (guest/fds.c) */
	bpf_label(b, L_FD0);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_TRAP, L_ALLOW);
	bpf_label(b, L_FD01);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_TRAP, BPF_NEXT);
	bpf_label(b, L_FD1);
	bpf_ld(b, ARG_LO(1));
	bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_TRAP, L_ALLOW);
	/* fcntl: on one of those numbers, or F_DUPFD onto them and above
	 * (the guest's limit may lie there: EINVAL at and above it) */
	bpf_label(b, L_FCNTL);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_TRAP, BPF_NEXT);
	bpf_ld(b, ARG_LO(1));
	bpf_jump(b, BPF_JEQ, F_DUPFD, L_DUPFD, BPF_NEXT);
	bpf_jump(b, BPF_JEQ, F_DUPFD_CLOEXEC, BPF_NEXT, L_ALLOW);
	bpf_label(b, L_DUPFD);
	bpf_ld(b, ARG_LO(2));
	bpf_jump(b, BPF_JGE, trap_stub_fd_min(), L_TRAP, L_ALLOW);
	/* getrlimit and setrlimit (resource first), prlimit64 (second):
	 * RLIMIT_NOFILE */
	bpf_label(b, L_RLIM0);
	bpf_ld(b, ARG_LO(0));
	bpf_jump(b, BPF_JEQ, RLIMIT_NOFILE, L_TRAP, L_ALLOW);
	bpf_label(b, L_RLIM1);
	bpf_ld(b, ARG_LO(1));
	bpf_jump(b, BPF_JEQ, RLIMIT_NOFILE, L_TRAP, L_ALLOW);
	bpf_ret(b, L_ALLOW, SECCOMP_RET_ALLOW);
	bpf_ret(b, L_TRAP, SECCOMP_RET_TRAP | STUB_TAG);
	bpf_ret(b, L_NOTIF, SECCOMP_RET_USER_NOTIF);
	bpf_ret(b, L_ENOSYS, SECCOMP_RET_ERRNO | ENOSYS);
	bpf_ret(b, L_EPERM, SECCOMP_RET_ERRNO | EPERM);

	r = bpf_finish(b, prog);
	free(b);
	return r;
}
