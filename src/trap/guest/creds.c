/* The fake identity in the stub: the personality's credential model
 * (src/personality/cred.c, linked into the stub) on this process's
 * credentials, which mew writes into each new image (an exec keeps them,
 * with the exec's rules: pers_cred_exec). */
#include "guest.h"

#include <linux/capability.h>

static int in(void *ctx, void *dst, unsigned long src, unsigned long n)
{
	return copy_in(dst, src, n) < 0 ? -EFAULT : 0;
}

static int out(void *ctx, unsigned long dst, const void *src, unsigned long n)
{
	return copy_out(dst, src, n) < 0 ? -EFAULT : 0;
}

__attribute__((noinline)) long do_creds(long nr, const long *a)
{
	struct pers_cred_io io = { in, out, 0 };
	long r = pers_cred_syscall(&cfg.cred, pers_call(&pers_abi_x86_64, nr)->cred, a, &io);

	/* prctl's options that are not credentials */
	if (r == PERS_CRED_NOT_MINE)
		return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return r;
}

/* kill and tgkill: the kernel's rule for the guest's ids, against the
 * target's credentials as its own stub keeps them (a process without a
 * stub is not the guest's: the host kernel decides alone). */
__attribute__((noinline)) long do_kill(long nr, const long *a)
{
	/* the target's ids alone (the signal rule reads no groups) */
	uint64_t head[(PERS_CRED_HEAD + 7) / 8];
	const struct pers_cred *t = (const struct pers_cred *)head;
	struct iov l = { head, PERS_CRED_HEAD };
	struct iov r = { (void *)(STUB_DATA + offsetof(struct stub_config, cred)), PERS_CRED_HEAD };

	if (a[0] > 0 && a[0] != S0(__NR_getpid) && !pers_cred_capable(&cfg.cred, CAP_KILL) &&
	    S6(__NR_process_vm_readv, a[0], &l, 1, &r, 1, 0) == (long)PERS_CRED_HEAD &&
	    pers_cred_may_signal(&cfg.cred, t) < 0)
		return -EPERM;
	return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
