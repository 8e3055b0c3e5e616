/* The seccomp filter: a flat list of comparisons, compiled by the kernel's
 * BPF JIT.  Three answers:
 *   SECCOMP_RET_TRACE       the calls the personality must see (paths, cwd,
 *                           uname, the identity calls and chown): a ptrace
 *                           stop, answered by calls.c (or a user
 *                           notification, answered by notify/);
 *   SECCOMP_RET_ALLOW       everything else, at native speed.
 * Calls from another ABI (int 0x80, x32) could name files without going
 * through the translation: they are refused, as is io_uring, whose queued
 * opens no filter sees. */
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
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "base/log.h"


static const int refused[] = {
	425 /* io_uring_setup */, 426 /* io_uring_enter */, 427 /* io_uring_register */,
};

int trap_filter(bool fake_root, bool notify, struct sock_fprog *prog)
{
	int traced[128];
	size_t ntraced = trap_traced_list(fake_root, traced, ARRAY_SIZE(traced));
	size_t n = 0, max = 32 + ntraced + ARRAY_SIZE(refused) + 8;
	struct sock_filter *f = calloc(max, sizeof(*f));
	/* Jump targets: the return instructions sit at the end, in this order. */
	size_t ret_allow, ret_trace, ret_zero, ret_enosys, ret_notif, ret_eperm, seccomp_check;
	size_t ncmp = ntraced + ARRAY_SIZE(refused) + 1 + 4;

	if (f == NULL)
		return -1;
	/* Layout: [0] ld arch, [1] jeq x86_64, [2] ld nr, [3] jge x32,
	 * [4 .. 4+ncmp) jeq, then ALLOW, TRACE, ERRNO|0, ERRNO|ENOSYS. */
	ret_allow = 4 + ncmp;
	ret_trace = ret_allow + 1;
	ret_zero = ret_allow + 2; /* no longer jumped to: the layout keeps its slot */
	(void)ret_zero;
	ret_enosys = ret_allow + 3;
	ret_notif = ret_allow + 4;
	seccomp_check = ret_allow + 5; /* ld args[1]; jset */
	ret_eperm = ret_allow + 7;	/* then ERRNO|EPERM, ALLOW */
	/* open/openat with O_PATH: an O_PATH file cannot be handed over with
	 * SECCOMP_IOCTL_NOTIF_ADDFD, so those take the ptrace path. */
	size_t open_check = ret_allow + 9, openat_check = ret_allow + 11;
	/* Namespaces do not exist in this personality (it is not a kernel):
	 * unshare and setns are refused, clone with a CLONE_NEW* flag too, and
	 * clone3 (whose flags BPF cannot read) answers ENOSYS so that libc
	 * falls back to clone. */
	size_t clone_check = ret_allow + 15;
#define JUMP(to) ((unsigned char)((to) - (n + 1)))
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, JUMP(ret_enosys));
	n++;
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, JUMP(ret_enosys), 0);
	n++;
	/* A guest filter of its own with a listener would outrank ours
	 * (USER_NOTIF beats TRACE) and could let a call run untranslated. */
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, JUMP(seccomp_check), 0);
	n++;
	for (size_t i = 0; i < ntraced; i++, n++) {
		size_t to = notify && trap_notified(traced[i]) ? ret_notif : ret_trace;
		if (notify && traced[i] == SYS_open)
			to = open_check;
		if (notify && traced[i] == SYS_openat)
			to = openat_check;
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)traced[i], JUMP(to), 0);
	}
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, JUMP(clone_check), 0);
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 435 /* clone3 */, JUMP(ret_enosys), 0);
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, JUMP(ret_eperm), 0);
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setns, JUMP(ret_eperm), 0);
	n++;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)refused[i], JUMP(ret_enosys), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	/* seccomp(op, flags, ...): refuse SECCOMP_FILTER_FLAG_NEW_LISTENER. */
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER,
					    JUMP(ret_eperm), JUMP(ret_eperm + 1));
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_PATH, JUMP(open_check + 4), JUMP(open_check + 5));
	n++;
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_PATH, JUMP(open_check + 4), JUMP(open_check + 5));
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	n++;
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
						    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP,
					    JUMP(clone_check + 2), JUMP(clone_check + 3));
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#undef JUMP
	prog->len = (unsigned short)n;
	prog->filter = f;
	return 0;
}

/* The filter of the stub mode (guest/stub.h): by instruction pointer,
 *   the stub's fast instruction      ALLOW (its calls are already translated);
 *   the stub's slow instruction      USER_NOTIF for what the notifier answers
 *                                    (and the stub's upcalls), else ALLOW;
 *   anywhere else (the guest)        TRAP for the path calls the stub answers
 *                                    or translates, exec, and the signal-mask
 *                                    calls that could block SIGSYS; USER_NOTIF
 *                                    for the rest the notifier answers;
 *                                    ERRNO for fake-root and refused calls.
 * No SECCOMP_RET_TRACE: nothing is ptraced while it runs (a ptraced
 * process's every SIGSYS would stop for the tracer). */
struct bpf {
	struct sock_filter f[640];
	unsigned short jt[640], jf[640]; /* label numbers, 0 = the next instruction */
	int at[64];			 /* label -> instruction */
	size_t n;
	bool overflow;
};

enum {
	L_NEXT, L_ALLOW, L_TRAP, L_NOTIF, L_ZERO, L_ENOSYS, L_EPERM, L_GUEST, L_IPLO, L_SLOW,
	L_IPHI, L_SENDTO, L_MASK3, L_MASK4, L_MASK5, L_SECCOMP, L_SIGACT, L_SIGACT2, L_SIGMASK, L_SIGMASK2, L_CLONE, L_ALLOW0, L_ENOSYS0, L_ERRNO0,
};

static void stmt(struct bpf *b, unsigned short code, unsigned k)
{
	if (b->n >= ARRAY_SIZE(b->f)) {
		b->overflow = true;
		return;
	}
	b->f[b->n] = (struct sock_filter)BPF_STMT(code, k);
	b->jt[b->n] = b->jf[b->n] = L_NEXT;
	b->n++;
}

static void jump(struct bpf *b, unsigned short code, unsigned k, int lt, int lf)
{
	if (b->n >= ARRAY_SIZE(b->f)) {
		b->overflow = true;
		return;
	}
	b->f[b->n] = (struct sock_filter)BPF_JUMP(BPF_JMP | code | BPF_K, k, 0, 0);
	b->jt[b->n] = (unsigned short)lt;
	b->jf[b->n] = (unsigned short)lf;
	b->n++;
}

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
	jump(b, BPF_JEQ, nr, lt, lf);
}

static void label(struct bpf *b, int l)
{
	b->at[l] = (int)b->n;
}

static void ld(struct bpf *b, unsigned off)
{
	stmt(b, BPF_LD | BPF_W | BPF_ABS, off);
}

static void ret(struct bpf *b, int l, unsigned v)
{
	label(b, l);
	stmt(b, BPF_RET | BPF_K, v);
}

#define ARG_LO(i) ((unsigned)offsetof(struct seccomp_data, args) + 8u * (i))
#define ARG_HI(i) (ARG_LO(i) + 4u)
#define IP_LO ((unsigned)offsetof(struct seccomp_data, instruction_pointer))
#define IP_HI (IP_LO + 4u)

static const int stub_trapped[] = {
	SYS_stat, SYS_lstat, SYS_newfstatat, 332 /* statx */, SYS_access, SYS_faccessat,
	439 /* faccessat2 */, SYS_readlink, SYS_readlinkat, SYS_open, SYS_openat,
	SYS_execve, 322 /* execveat */, SYS_rt_sigsuspend,
	/* AF_UNIX paths: done in the process with the path mew translates */
	SYS_bind, SYS_connect, SYS_sendmsg,
	/* entries named, not followed (the stub's do_entry) */
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_symlink, SYS_symlinkat,
	SYS_utimensat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_link, SYS_linkat,
	SYS_getcwd, SYS_chmod, SYS_fchmodat, SYS_truncate, SYS_uname,
};

int trap_filter_stub(bool fake_root, struct sock_fprog *prog)
{
	struct bpf *b = calloc(1, sizeof(*b));
	struct stub_path_call calls[48];
	size_t ncalls = trap_stub_calls(fake_root, calls, ARRAY_SIZE(calls));
	int traced[128], nrs[32], errs[32];
	size_t ntraced = trap_traced_list(fake_root, traced, ARRAY_SIZE(traced));
	size_t nerr = trap_errno_list(nrs, errs, ARRAY_SIZE(nrs));
	struct sock_filter *f;

	if (b == NULL)
		return -1;
	ld(b, offsetof(struct seccomp_data, arch));
	jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, L_NEXT, L_ENOSYS0);
	ld(b, offsetof(struct seccomp_data, nr));
	jump(b, BPF_JGE, 0x40000000, L_ENOSYS0, L_NEXT);
	uint64_t pre[32] = { 0 }, guest[32] = { 0 };
	/* Every other call is allowed before anything but its number is read,
	 * so that the kernel's seccomp cache lets it through without running
	 * the filter (getppid at native speed). */
	for (size_t i = 0; i < ARRAY_SIZE(stub_trapped); i++)
		jump_once(b, pre, (unsigned)stub_trapped[i], L_IPHI, L_NEXT);
	for (size_t i = 0; i < ncalls; i++)
		jump_once(b, pre, calls[i].nr, L_IPHI, L_NEXT);
	for (size_t i = 0; i < ntraced; i++)
		jump_once(b, pre, (unsigned)traced[i], L_IPHI, L_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		jump_once(b, pre, (unsigned)refused[i], L_IPHI, L_NEXT);
	{
		static const unsigned more[] = {
			SYS_seccomp, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sendto, SYS_clone, 435 /* clone3 */,
			SYS_ppoll, SYS_pselect6, SYS_epoll_pwait, 441 /* epoll_pwait2 */,
			SYS_unshare, SYS_setns, SYS_chroot,
			STUB_UPCALL_TRANSLATE, STUB_UPCALL_EXEC,
		};
		for (size_t i = 0; i < ARRAY_SIZE(more); i++)
			jump_once(b, pre, more[i], L_IPHI, L_NEXT);
	}
	ret(b, L_ALLOW0, SECCOMP_RET_ALLOW);
	ret(b, L_ENOSYS0, SECCOMP_RET_ERRNO | ENOSYS);
	label(b, L_IPHI);
	ld(b, IP_HI);
	jump(b, BPF_JEQ, STUB_IP_HI, L_IPLO, L_GUEST);
	label(b, L_IPLO);
	ld(b, IP_LO);
	jump(b, BPF_JGE, STUB_IP_LO, L_NEXT, L_GUEST);
	jump(b, BPF_JGE, STUB_IP_LO + 0x10000, L_NEXT, L_ALLOW);
	jump(b, BPF_JGE, STUB_IP_LO + 0x11000, L_GUEST, L_SLOW);

	/* From the slow instruction: the notifier's calls and the upcalls. */
	label(b, L_SLOW);
	ld(b, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < ntraced; i++)
		if (trap_notified(traced[i]))
			jump(b, BPF_JEQ, (unsigned)traced[i], L_NOTIF, L_NEXT);
	jump(b, BPF_JEQ, STUB_UPCALL_TRANSLATE, L_NOTIF, L_NEXT);
	jump(b, BPF_JEQ, STUB_UPCALL_EXEC, L_NOTIF, L_ALLOW);

	/* From the guest. */
	label(b, L_GUEST);
	ld(b, offsetof(struct seccomp_data, nr));
	jump_once(b, guest, SYS_seccomp, L_SECCOMP, L_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(stub_trapped); i++)
		jump_once(b, guest, (unsigned)stub_trapped[i], L_TRAP, L_NEXT);
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].nr != SYS_open && calls[i].nr != SYS_openat)
			jump_once(b, guest, calls[i].nr, L_TRAP, L_NEXT);
	if (fake_root) {
		/* the identity, kept by the stub (personality/cred.h) */
		static const int ids[] = {
			SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid, SYS_getresgid,
			SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid,
			SYS_setfsuid, SYS_setfsgid, SYS_getgroups, SYS_setgroups, SYS_capget, SYS_capset,
			SYS_prctl, SYS_kill, SYS_tgkill,
		};
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
			jump_once(b, guest, (unsigned)ids[i], L_TRAP, L_NEXT);
	}
	jump_once(b, guest, SYS_rt_sigaction, L_SIGACT, L_NEXT);
	jump_once(b, guest, SYS_rt_sigprocmask, L_SIGMASK, L_NEXT);
	jump_once(b, guest, SYS_sendto, L_SENDTO, L_NEXT);
	jump_once(b, guest, SYS_ppoll, L_MASK3, L_NEXT);
	jump_once(b, guest, SYS_pselect6, L_MASK5, L_NEXT);
	jump_once(b, guest, SYS_epoll_pwait, L_MASK4, L_NEXT);
	jump_once(b, guest, 441 /* epoll_pwait2 */, L_MASK4, L_NEXT);
	for (size_t i = 0; i < ntraced; i++)
		if (trap_notified(traced[i]))
			jump_once(b, guest, (unsigned)traced[i], L_NOTIF, L_NEXT);
	jump_once(b, guest, SYS_chroot, L_NOTIF, L_NEXT);
	jump(b, BPF_JEQ, SYS_clone, L_CLONE, L_NEXT);
	jump(b, BPF_JEQ, 435 /* clone3 */, L_ENOSYS, L_NEXT);
	jump(b, BPF_JEQ, SYS_unshare, L_EPERM, L_NEXT);
	jump(b, BPF_JEQ, SYS_setns, L_EPERM, L_NEXT);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		jump(b, BPF_JEQ, (unsigned)refused[i], L_ENOSYS, L_NEXT);
	/* The refused calls with their own errno: each a jeq over a ret. */
	for (size_t i = 0; i < nerr; i++) {
		jump(b, BPF_JEQ, (unsigned)nrs[i], L_NEXT, L_ERRNO0 + (int)i);
		stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errs[i]);
		label(b, L_ERRNO0 + (int)i);
	}
	stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* seccomp(op, flags, ...): no listener of the guest's own. */
	label(b, L_SECCOMP);
	ld(b, ARG_LO(1));
	jump(b, BPF_JSET, SECCOMP_FILTER_FLAG_NEW_LISTENER, L_EPERM, L_ALLOW);
	/* rt_sigaction(sig, act, ...): trapped for SIGSYS and whenever an act
	 * (whose mask could block SIGSYS) is given. */
	label(b, L_SIGACT);
	ld(b, ARG_LO(0));
	jump(b, BPF_JEQ, 31 /* SIGSYS */, L_TRAP, L_NEXT);
	ld(b, ARG_LO(1));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(1));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	/* rt_sigprocmask(how, set, ...): trapped when it may block. */
	label(b, L_SIGMASK);
	ld(b, ARG_LO(0));
	jump(b, BPF_JEQ, SIG_UNBLOCK, L_ALLOW, L_NEXT);
	ld(b, ARG_LO(1));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(1));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	/* Waits that set a signal mask for their duration (argument 3, 4 or 5,
	 * a pointer): trapped with one, so that SIGSYS is never blocked. */
	label(b, L_MASK3);
	ld(b, ARG_LO(3));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(3));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	label(b, L_MASK4);
	ld(b, ARG_LO(4));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(4));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	label(b, L_MASK5);
	ld(b, ARG_LO(5));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(5));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	/* sendto(fd, buf, len, flags, addr, addrlen): trapped with an address. */
	label(b, L_SENDTO);
	ld(b, ARG_LO(4));
	jump(b, BPF_JEQ, 0, L_NEXT, L_TRAP);
	ld(b, ARG_HI(4));
	jump(b, BPF_JEQ, 0, L_ALLOW, L_TRAP);
	label(b, L_CLONE);
	ld(b, ARG_LO(0));
	jump(b, BPF_JSET,
	     CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
		     CLONE_NEWCGROUP,
	     L_EPERM, L_ALLOW);
	ret(b, L_ALLOW, SECCOMP_RET_ALLOW);
	ret(b, L_TRAP, SECCOMP_RET_TRAP | STUB_TAG);
	ret(b, L_NOTIF, SECCOMP_RET_USER_NOTIF);
	ret(b, L_ZERO, SECCOMP_RET_ERRNO | 0);
	ret(b, L_ENOSYS, SECCOMP_RET_ERRNO | ENOSYS);
	ret(b, L_EPERM, SECCOMP_RET_ERRNO | EPERM);

	if (b->overflow) {
		free(b);
		return -1;
	}
	f = calloc(b->n, sizeof(*f));
	if (f == NULL) {
		free(b);
		return -1;
	}
	for (size_t i = 0; i < b->n; i++) {
		f[i] = b->f[i];
		if (BPF_CLASS(f[i].code) == BPF_JMP) {
			int t = b->jt[i] == L_NEXT ? (int)i + 1 : b->at[b->jt[i]];
			int e = b->jf[i] == L_NEXT ? (int)i + 1 : b->at[b->jf[i]];
			if (t - (int)i - 1 < 0 || t - (int)i - 1 > 255 || e - (int)i - 1 < 0 || e - (int)i - 1 > 255) {
				mew_debug("trap: filter: jump at %zu of %zu to %d/%d is too far", i, b->n, t, e);
				free(f);
				free(b);
				errno = E2BIG;
				return -1;
			}
			f[i].jt = (unsigned char)(t - (int)i - 1);
			f[i].jf = (unsigned char)(e - (int)i - 1);
		}
	}
	prog->len = (unsigned short)b->n;
	prog->filter = f;
	free(b);
	return 0;
}
