/* The syscall engine's seccomp filters, run on seccomp_data vectors by a
 * small classic-BPF interpreter (the subset the assembler emits): the
 * action each call gets, in each mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "trap/trap.h"

static uint32_t run_bpf(const struct sock_fprog *p, const struct seccomp_data *d)
{
	uint32_t a = 0;

	for (unsigned pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->filter[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(f->k + 4 <= sizeof(*d));
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) ? f->jt : f->jf;
			break;
		default:
			fail_msg("instruction %u: code %#x not interpreted", pc, f->code);
		}
	}
	fail_msg("ran off the end of the filter");
	return 0;
}

#define GUEST_IP 0x401000ULL

static uint32_t act(const struct sock_fprog *p, int nr, uint64_t ip, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = ip,
				  .args = { a0, a1, a2 } };
	return run_bpf(p, &d);
}

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* Common to every mode: other ABIs, namespaces, io_uring.  Namespaces:
 * refused, or in the stub mode (ns_to_stub) trapped for the stub to make
 * the ones the personality allows (guest/ns.c). */
static void common(const struct sock_fprog *p, uint64_t ip, bool ns_to_stub)
{
	uint32_t ns = ns_to_stub ? SECCOMP_RET_TRAP | STUB_TAG : ERRNO(EPERM);

	struct seccomp_data d = { .nr = 20, .arch = AUDIT_ARCH_I386, .instruction_pointer = ip };

	assert_int_equal(run_bpf(p, &d), ERRNO(ENOSYS));
	assert_int_equal(act(p, 0x40000000 | SYS_openat, ip, 0, 0, 0), ERRNO(ENOSYS)); /* x32 */
	assert_int_equal(act(p, SYS_getppid, ip, 0, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(p, 425 /* io_uring_setup */, ip, 0, 0, 0), ERRNO(ENOSYS));
	assert_int_equal(act(p, SYS_unshare, ip, CLONE_NEWUSER, 0, 0), ns);
	assert_int_equal(act(p, SYS_unshare, ip, CLONE_NEWNET, 0, 0), ns);
	assert_int_equal(act(p, SYS_clone, ip, CLONE_NEWNET | SIGCHLD, 0, 0), ns);
	assert_int_equal(act(p, SYS_clone, ip, CLONE_NEWNS | SIGCHLD, 0, 0), ns);
	assert_int_equal(act(p, SYS_setns, ip, 3, CLONE_NEWNET, 0), ns);
	assert_int_equal(act(p, SYS_clone, ip, CLONE_VM | CLONE_THREAD, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(p, 435 /* clone3 */, ip, 0, 0, 0), ERRNO(ENOSYS));
	assert_int_equal(act(p, SYS_seccomp, ip, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0),
			 ERRNO(EPERM));
	assert_int_equal(act(p, SYS_seccomp, ip, SECCOMP_SET_MODE_FILTER, 0, 0), SECCOMP_RET_ALLOW);
}

static void ptrace_mode(void **state)
{
	struct sock_fprog p;

	assert_int_equal(trap_filter(false, false, &p), 0);
	common(&p, GUEST_IP, false);
	assert_int_equal(act(&p, SYS_openat, GUEST_IP, AT_FDCWD, 0, O_RDONLY), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_execve, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_mount, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE); /* refused by the answer */
	/* the identity is the credential model's: answered by mew */
	assert_int_equal(act(&p, SYS_getuid, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_setuid, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_chown, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_fchown, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_getgroups, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_kill, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	/* writes through an fd: their file may be read-only */
	assert_int_equal(act(&p, SYS_fchmod, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_fsetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	/* the xattrs' reads too: the admin's names and mew's own */
	assert_int_equal(act(&p, SYS_fgetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_flistxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_listxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_read, GUEST_IP, 0, 0, 0), SECCOMP_RET_ALLOW);
	/* the raw fstat shows the owners the guest sees */
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRACE);
	free(p.filter);
}

static void notifier_mode(void **state)
{
	struct sock_fprog p;

	assert_int_equal(trap_filter(true, false, &p), 0);
	common(&p, GUEST_IP, false);
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_mkdir, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_openat, GUEST_IP, AT_FDCWD, 0, O_RDONLY), SECCOMP_RET_USER_NOTIF);
	/* an O_PATH fd cannot be handed over by ADDFD: a ptrace stop */
	assert_int_equal(act(&p, SYS_openat, GUEST_IP, AT_FDCWD, 0, O_PATH), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_open, GUEST_IP, 0, O_PATH, 0), SECCOMP_RET_TRACE);
	/* openat2's flags, O_PATH perhaps, are in a struct the filter cannot read */
	assert_int_equal(act(&p, 437 /* openat2 */, GUEST_IP, AT_FDCWD, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_chdir, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	assert_int_equal(act(&p, SYS_execve, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	/* the identity, owners and kill: the notifier's */
	assert_int_equal(act(&p, SYS_setuid, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fchown, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_tgkill, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fchmod, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fremovexattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	/* the xattrs, every form: the personality's (admin's names, lists) */
	assert_int_equal(act(&p, SYS_fgetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_flistxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_lsetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_getxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_USER_NOTIF);
	free(p.filter);
}

static void stub_mode(void **state)
{
	struct sock_fprog p;
	uint64_t fast = STUB_BASE + 0x100, slow = STUB_SLOW;

	assert_int_equal(trap_filter_stub(false, true, &p), 0);
	common(&p, GUEST_IP, true);
	/* from the guest: the stub answers */
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_openat, GUEST_IP, AT_FDCWD, 0, O_RDONLY), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_execve, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_getuid, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_capset, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_kill, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_mknod, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fchown, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fchmod, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_fsetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	/* the xattrs: the notifier's, from the guest and the slow instruction */
	assert_int_equal(act(&p, SYS_fgetxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_llistxattr, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_setxattr, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_ftruncate, GUEST_IP, 0, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_mount, GUEST_IP, 0, 0, 0), ERRNO(EPERM));
	/* openat2: the stub's (to the notifier, or translated for O_PATH) */
	assert_int_equal(act(&p, 437 /* openat2 */, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, 437 /* openat2 */, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	/* the signal mask calls, only when they could block SIGSYS */
	assert_int_equal(act(&p, SYS_rt_sigprocmask, GUEST_IP, SIG_UNBLOCK, 0x1000, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_rt_sigprocmask, GUEST_IP, SIG_BLOCK, 0x1000, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_rt_sigprocmask, GUEST_IP, SIG_BLOCK, 0, 0x1000), SECCOMP_RET_ALLOW);
	/* the stub's own fds: calls that may name one (guest/fds.c) */
	unsigned m = trap_stub_fd_min();
	assert_int_equal(act(&p, SYS_close, GUEST_IP, 5, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_close, GUEST_IP, m, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, m - 1, F_GETFD, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, m + 3, F_GETFD, 0), SECCOMP_RET_TRAP | STUB_TAG);
	/* F_DUPFD onto them and above (the guest's limit may lie there) */
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, 3, F_DUPFD, m), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, 3, F_DUPFD_CLOEXEC, m + 50), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, 3, F_DUPFD_CLOEXEC, m - 1), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_fcntl, GUEST_IP, 3, F_GETFD, m), SECCOMP_RET_ALLOW);
	/* RLIMIT_NOFILE, shown less them; no other resource */
	assert_int_equal(act(&p, SYS_getrlimit, GUEST_IP, RLIMIT_NOFILE, 0x1000, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_setrlimit, GUEST_IP, RLIMIT_NOFILE, 0x1000, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_getrlimit, GUEST_IP, RLIMIT_STACK, 0x1000, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_prlimit64, GUEST_IP, 0, RLIMIT_NOFILE, 0x1000), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_prlimit64, GUEST_IP, 0, RLIMIT_CPU, 0x1000), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_prlimit64, STUB_BASE + 0x100, 0, RLIMIT_NOFILE, 0x1000), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_dup, GUEST_IP, 3, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_dup, GUEST_IP, m, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	/* fchdir on any fd: the search permission of a guest no longer root */
	assert_int_equal(act(&p, SYS_fchdir, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fchdir, GUEST_IP, m + 1, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fstatfs, GUEST_IP, 3, 0x1000, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_fstatfs, GUEST_IP, m, 0x1000, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_dup2, GUEST_IP, 3, 4, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_dup2, GUEST_IP, 3, m, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_dup3, GUEST_IP, m, 3, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, 436 /* close_range */, GUEST_IP, 3, 10, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, 436 /* close_range */, GUEST_IP, 3, ~0U, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_getdents64, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_getsockname, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_getpeername, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	/* a peer's address given back (guest/sock.c), only when asked for */
	assert_int_equal(act(&p, SYS_accept, GUEST_IP, 3, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_accept4, GUEST_IP, 3, 0x1000, 0x2000), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_recvfrom, GUEST_IP, 3, 0x1000, 10), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_close, fast, m, 0, 0), SECCOMP_RET_ALLOW);
	/* the stub's own fast instruction: already translated */
	assert_int_equal(act(&p, SYS_stat, fast, 0, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_execve, fast, 0, 0, 0), SECCOMP_RET_ALLOW);
	/* its slow instruction: the notifier's rules, the upcalls */
	assert_int_equal(act(&p, SYS_stat, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, STUB_UPCALL_TRANSLATE, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, STUB_UPCALL_EXEC, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, STUB_UPCALL_DIRCACHE, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, STUB_UPCALL_USERNS, slow, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	/* namespaces made by the stub itself, from its fast instruction */
	assert_int_equal(act(&p, SYS_unshare, fast, CLONE_NEWUSER | CLONE_NEWNET, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_clone, fast, CLONE_NEWUSER | CLONE_NEWNET, 0, 0), SECCOMP_RET_ALLOW);
	/* the upcalls from anywhere else are nothing */
	assert_int_equal(act(&p, STUB_UPCALL_USERNS, GUEST_IP, 0, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, STUB_UPCALL_TRANSLATE, GUEST_IP, 0, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, STUB_UPCALL_DIRCACHE, GUEST_IP, 0, 0, 0), SECCOMP_RET_ALLOW);
	/* an address just past the slow page is the guest's */
	assert_int_equal(act(&p, SYS_stat, STUB_SLOW + 0x1000, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	free(p.filter);
}

/* Run by root, the owners are real: the raw fstat (Go's, whose call sites
 * are never patched) is let through in every mode, and the rest is as
 * before. */
/* Where the host allows no user namespace the stub makes none: the
 * namespace calls are refused as without the stub. */
static void stub_without_namespaces(void **state)
{
	struct sock_fprog p;

	assert_int_equal(trap_filter_stub(false, false, &p), 0);
	common(&p, GUEST_IP, false);
	free(p.filter);
}

static void fstat_native(void **state)
{
	struct sock_fprog p;

	assert_int_equal(trap_filter_stub(true, true, &p), 0);
	common(&p, GUEST_IP, true);
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_fstat, STUB_SLOW, 3, 0, 0), SECCOMP_RET_ALLOW);
	/* but on the stub's own fds (guest/fds.c) */
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, trap_stub_fd_min(), 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_fstat, STUB_BASE + 0x100, trap_stub_fd_min(), 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_newfstatat, GUEST_IP, 3, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRAP | STUB_TAG);
	free(p.filter);
	assert_int_equal(trap_filter(true, true, &p), 0);
	common(&p, GUEST_IP, false);
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	free(p.filter);
	assert_int_equal(trap_filter(false, true, &p), 0);
	assert_int_equal(act(&p, SYS_fstat, GUEST_IP, 3, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(act(&p, SYS_stat, GUEST_IP, 0, 0, 0), SECCOMP_RET_TRACE);
	free(p.filter);
}

/* The calls that name a socket peer go to the notifier from every
 * instruction, the stub's fast one included (Landlock cannot wall a UNIX
 * socket's path, so no guest process makes them: notify/peer.c). */
static void peer_calls(void **state)
{
	struct sock_fprog p;
	const uint64_t ips[] = { GUEST_IP, STUB_BASE + 0x100, STUB_SLOW };

	assert_int_equal(trap_filter_stub(false, true, &p), 0);
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		struct seccomp_data d = { .nr = SYS_sendto, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = ips[i],
					  .args = { 3, 0x1000, 1, 0, 0x2000, 16 } };
		assert_int_equal(act(&p, SYS_connect, ips[i], 3, 0x1000, 16), SECCOMP_RET_USER_NOTIF);
		assert_int_equal(act(&p, SYS_sendmsg, ips[i], 3, 0x1000, 0), SECCOMP_RET_USER_NOTIF);
		assert_int_equal(act(&p, SYS_sendmmsg, ips[i], 3, 0x1000, 2), SECCOMP_RET_USER_NOTIF);
		assert_int_equal(run_bpf(&p, &d), SECCOMP_RET_USER_NOTIF);
		d.args[4] = 0x7fff00000000ULL; /* a pointer whose low word is 0 */
		assert_int_equal(run_bpf(&p, &d), SECCOMP_RET_USER_NOTIF);
		d.args[4] = 0; /* no address: the connected peer, at native speed */
		assert_int_equal(run_bpf(&p, &d), SECCOMP_RET_ALLOW);
		/* SO_PEERCRED, which names the process that made the connect */
		assert_int_equal(act(&p, SYS_getsockopt, ips[i], 3, SOL_SOCKET, SO_PEERCRED), SECCOMP_RET_USER_NOTIF);
		assert_int_equal(act(&p, SYS_getsockopt, ips[i], 3, SOL_SOCKET, SO_RCVBUF), SECCOMP_RET_ALLOW);
		assert_int_equal(act(&p, SYS_getsockopt, ips[i], 3, 6 /* IPPROTO_TCP */, SO_PEERCRED), SECCOMP_RET_ALLOW);
	}
	free(p.filter);
	/* the notifier mode too; the ptrace mode has no notifier (a gap,
	 * counted by --sandbox strict) */
	assert_int_equal(trap_filter(true, false, &p), 0);
	assert_int_equal(act(&p, SYS_connect, GUEST_IP, 3, 0x1000, 16), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_sendmsg, GUEST_IP, 3, 0x1000, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_sendmmsg, GUEST_IP, 3, 0x1000, 2), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(act(&p, SYS_getsockopt, GUEST_IP, 3, SOL_SOCKET, SO_PEERCRED), SECCOMP_RET_USER_NOTIF);
	{
		struct seccomp_data d = { .nr = SYS_sendto, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = GUEST_IP,
					  .args = { 3, 0x1000, 1, 0, 0x2000, 16 } };
		assert_int_equal(run_bpf(&p, &d), SECCOMP_RET_USER_NOTIF);
		d.args[4] = 0;
		assert_int_equal(run_bpf(&p, &d), SECCOMP_RET_ALLOW);
	}
	free(p.filter);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ptrace_mode),
		cmocka_unit_test(notifier_mode),
		cmocka_unit_test(stub_mode),
		cmocka_unit_test(stub_without_namespaces),
		cmocka_unit_test(fstat_native),
		cmocka_unit_test(peer_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
