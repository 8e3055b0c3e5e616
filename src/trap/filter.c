/* The seccomp filter: a flat list of comparisons, compiled by the kernel's
 * BPF JIT.  Three answers:
 *   SECCOMP_RET_TRACE       the calls the personality must see (paths, cwd,
 *                           uname): a ptrace stop, answered by calls.c;
 *   SECCOMP_RET_ERRNO | 0   the fake root's identity calls (getuid... answer
 *                           0; set*id and chown succeed): no stop at all;
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
#include <stdlib.h>
#include <sys/syscall.h>

#include "base/cleanup.h"

size_t trap_traced_list(bool fake_root, int *nrs, size_t max);

static const int fake_root_zero[] = {
	SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
	SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid,
	SYS_setgroups, SYS_setfsuid, SYS_setfsgid,
	SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat,
};

static const int refused[] = {
	425 /* io_uring_setup */, 426 /* io_uring_enter */, 427 /* io_uring_register */,
};

int trap_filter(bool fake_root, bool notify, struct sock_fprog *prog)
{
	int traced[128];
	size_t ntraced = trap_traced_list(fake_root, traced, ARRAY_SIZE(traced));
	size_t nzero = fake_root ? ARRAY_SIZE(fake_root_zero) : 0;
	size_t n = 0, max = 32 + ntraced + nzero + ARRAY_SIZE(refused) + 8;
	struct sock_filter *f = calloc(max, sizeof(*f));
	/* Jump targets: the return instructions sit at the end, in this order. */
	size_t ret_allow, ret_trace, ret_zero, ret_enosys, ret_notif, ret_eperm, seccomp_check;
	size_t ncmp = ntraced + nzero + ARRAY_SIZE(refused) + 1 + 4;

	if (f == NULL)
		return -1;
	/* Layout: [0] ld arch, [1] jeq x86_64, [2] ld nr, [3] jge x32,
	 * [4 .. 4+ncmp) jeq, then ALLOW, TRACE, ERRNO|0, ERRNO|ENOSYS. */
	ret_allow = 4 + ncmp;
	ret_trace = ret_allow + 1;
	ret_zero = ret_allow + 2;
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
	for (size_t i = 0; i < nzero; i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)fake_root_zero[i], JUMP(ret_zero), 0);
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
