/* SIGSYS is never blocked, and the guest's own SIGSYS action is kept
 * here: the signal calls the stub answers (see stub.c).  SIGSEGV and
 * SIGBUS are the stub's too, so that a bad pointer the stub reads for the
 * guest is EFAULT (entry.S, guest_copy); the guest's own actions for them
 * are kept here and given every fault that is not the stub's. */
#include "guest.h"

#define SIGBUS_ 7
#define SIGSEGV_ 11

/* The action the guest believes it has for sig, kept by the stub; 0 for
 * a signal the kernel keeps. */
static struct ksigaction *kept(long sig)
{
	switch (sig) {
	case SIGSYS_: return (struct ksigaction *)&cfg.guest_act[0];
	case SIGSEGV_: return (struct ksigaction *)&cfg.guest_act[1];
	case SIGBUS_: return (struct ksigaction *)&cfg.guest_act[2];
	}
	return 0;
}

long do_sigaction(const long *a)
{
	struct ksigaction k, old, *g = kept(a[0]);

	if (a[3] != 8)
		return -EINVAL;
	if (g != 0) {
		old = *g;
		if (a[1] != 0 && copy_in(&k, (unsigned long)a[1], sizeof(k)) < 0)
			return -EFAULT;
		if (a[2] != 0 && copy_out((unsigned long)a[2], &old, sizeof(old)) < 0)
			return -EFAULT;
		if (a[1] != 0)
			*g = k;
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

/* Dies of sig as the kernel would kill with it: SIG_DFL, and the same
 * signal again, delivered as the handler returns, in the context it
 * restores (a fault's instruction, for the core). */
static void die_of(int sig, struct ksiginfo *si)
{
	struct ksigaction d = { 0, 0, 0, 0 };

	S4(__NR_rt_sigaction, sig, &d, 0, 8);
	S4(__NR_rt_tgsigqueueinfo, S0(__NR_getpid), S0(__NR_gettid), sig, si);
}

/* A signal of the stub's that is not its own: what the guest asked for.
 * Its handler runs inside the stub's, with the guest's mask added, and
 * whatever it does to the context (a longjmp out, a new instruction
 * pointer) holds. */
void forward(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	struct ksigaction *g = kept(sig);
	unsigned long h = g->handler, mask;

	if (sig == SIGSYS_ && si->code == SI_QUEUE_ && si->err == STUB_TAG_EXEC_FAILED)
		return;
	if (h == 1) { /* SIG_IGN: a fault the kernel raised kills all the same */
		if (sig != SIGSYS_ && si->code > 0)
			die_of(sig, si);
		return;
	}
	if (h == 0) {
		die_of(sig, si);
		return;
	}
	mask = g->mask & ~SIGSYS_BIT;
	if (!(g->flags & SA_NODEFER_))
		mask |= 1UL << (sig - 1);
	if (g->flags & SA_RESETHAND_)
		g->handler = 0;
	S4(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, &mask, 0, 8);
	if (g->flags & SA_SIGINFO_)
		((void (*)(int, void *, void *))h)(sig, si, uc);
	else
		((void (*)(int))h)(sig);
}

/* SIGSEGV and SIGBUS: a fault on the guest's memory inside guest_copy is
 * the guest's bad pointer (-EFAULT, as the kernel's exception table
 * answers it); anything else is the guest's. */
void stub_fault(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	unsigned long ip = (unsigned long)uc->gregs[RIP];

	if (ip == (unsigned long)guest_access_copy || ip == (unsigned long)guest_access_str) {
		uc->gregs[RIP] = (long)guest_access_fault;
		return;
	}
	forward(sig, si, uc);
}
