/* SIGSYS is never blocked, and the guest's own SIGSYS action is kept
 * here: the signal calls the stub answers (see stub.c). */
#include "guest.h"

long do_sigaction(const long *a)
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
long do_sigprocmask(const long *a, struct kucontext *uc)
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
long do_sigsuspend(const long *a)
{
	unsigned long set;

	if (a[1] != 8)
		return -EINVAL;
	if (copy_in(&set, (unsigned long)a[0], 8) < 0)
		return -EFAULT;
	set &= ~SIGSYS_BIT;
	return S2(__NR_rt_sigsuspend, &set, 8);
}

/* ppoll, pselect6, epoll_pwait(2) with a signal mask: SIGSYS taken out of it. */
__attribute__((noinline)) long do_masked_wait(long nr, const long *a)
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

/* A SIGSYS that is not mew's trap: what the guest asked for. */
void forward(int sig, struct ksiginfo *si, struct kucontext *uc)
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
