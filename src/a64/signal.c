/* Guest signals: dispositions mirrored on the host (a handled signal is
 * caught by mew and made pending on the thread's CPU), delivery through
 * the aarch64 rt_sigframe (siginfo, ucontext with sigcontext and the FP/SIMD
 * record), sigreturn, alternate stacks, and synchronous faults. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <ucontext.h>
#include <unistd.h>

#include "a64/a64.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

enum {
	G_SA_NOCLDSTOP = 1,
	G_SA_SIGINFO = 4,
	G_SA_ONSTACK = 0x08000000,
	G_SA_RESTART = 0x10000000,
	G_SA_NODEFER = 0x40000000,
	G_SA_RESETHAND = 0x80000000,
	G_SA_RESTORER = 0x04000000,
};

/* The aarch64 frame, as arch/arm64/kernel/signal.c lays it out. */
struct g_sigcontext {
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	uint8_t reserved[4096] __attribute__((aligned(16)));
};

struct g_fpsimd_context {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	unsigned __int128 vregs[32];
};

struct g_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
	uint64_t uc_sigmask;
	uint8_t unused[1024 / 8 - 8];
	struct g_sigcontext uc_mcontext;
};

struct g_rt_sigframe {
	uint8_t info[128];
	struct g_ucontext uc;
};

_Static_assert(__builtin_offsetof(struct g_ucontext, uc_mcontext) == 176, "ucontext layout");
_Static_assert(__builtin_offsetof(struct g_sigcontext, reserved) == 288, "sigcontext layout");

void a64_signal_async(int sig, siginfo_t *si, void *uctx)
{
	struct a64_cpu *c = a64_current;
	if (c == NULL)
		return;
	c->pending_info[sig] = *si;
	__atomic_or_fetch(&c->pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
	c->budget = 0; /* chained blocks return to the run loop */
	a64_safe_syscall_fixup(uctx);
	/* blocked on the host until delivered: a second one (real-time
	 * signals queue, each with its own siginfo) waits in the kernel's
	 * queue instead of overwriting this one; set_blocked lets it in */
	if (sig != SIGSEGV && sig != SIGBUS)
		sigaddset(&((ucontext_t *)uctx)->uc_sigmask, sig);
}

/* Host mask = guest mask, except what mew needs for itself. */
static void host_mask(uint64_t guest)
{
	sigset_t set;
	sigemptyset(&set);
	for (int s = 1; s <= 64; s++)
		if ((guest & SIGBIT(s)) && s != SIGSEGV && s != SIGBUS && s != SIGKILL && s != SIGSTOP)
			sigaddset(&set, s);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
}

static void host_action(int sig, uint64_t handler)
{
	struct sigaction sa;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGKILL || sig == SIGSTOP)
		return; /* mew keeps its fault handlers; the guest's run from a64_signal_sync */
	memset(&sa, 0, sizeof(sa));
	if (handler == (uint64_t)(uintptr_t)SIG_DFL)
		sa.sa_handler = SIG_DFL;
	else if (handler == (uint64_t)(uintptr_t)SIG_IGN)
		sa.sa_handler = SIG_IGN;
	else {
		sa.sa_sigaction = a64_signal_async;
		sa.sa_flags = SA_SIGINFO;
		sigfillset(&sa.sa_mask);
	}
	sigaction(sig, &sa, NULL); /* fails for glibc's own 32 and 33: fine */
}

void a64_signal_init(void)
{
	/* Dispositions inherited over execve: ignored ones stay ignored. */
	for (int s = 1; s <= 64; s++) {
		struct sigaction old;
		if (sigaction(s, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			a64_self->sighand->act[s].handler = (uint64_t)(uintptr_t)SIG_IGN;
	}
}

/* A disposition is read whole, as Linux reads it under its lock: a
 * delivery never takes the handler of one and the flags (or a handler
 * checked before) of another that a thread set meanwhile (it jumped to
 * SIG_IGN, address 1).  Writers take turns on the seq count (odd: writing);
 * readers copy until no write came between. */
static struct a64_sigaction action_of(int sig)
{
	struct a64_sigaction a;
	unsigned seq;
	do {
		seq = __atomic_load_n(&a64_self->sighand->seq, __ATOMIC_ACQUIRE);
		a = a64_self->sighand->act[sig];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&a64_self->sighand->seq, __ATOMIC_RELAXED));
	return a;
}

void a64_sighand_copy(struct a64_sighand *to, const struct a64_sighand *from)
{
	unsigned seq;
	do {
		seq = __atomic_load_n(&from->seq, __ATOMIC_ACQUIRE);
		memcpy(to->act, from->act, sizeof(to->act));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&from->seq, __ATOMIC_RELAXED));
	to->seq = 0;
}

/* Set sig's disposition (guest's and host's together) to n, if not NULL;
 * the one it replaced in *old, if not NULL. */
static void action_set(int sig, const struct a64_sigaction *n, struct a64_sigaction *old)
{
	unsigned seq = __atomic_load_n(&a64_self->sighand->seq, __ATOMIC_RELAXED);
	while ((seq & 1) ||
	       !__atomic_compare_exchange_n(&a64_self->sighand->seq, &seq, seq + 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		seq = __atomic_load_n(&a64_self->sighand->seq, __ATOMIC_RELAXED);
	if (old != NULL)
		*old = a64_self->sighand->act[sig];
	if (n != NULL) {
		a64_self->sighand->act[sig] = *n;
		host_action(sig, n->handler);
	}
	__atomic_store_n(&a64_self->sighand->seq, seq + 2, __ATOMIC_RELEASE);
}

long a64_sys_rt_sigaction(struct a64_cpu *c, int sig, uint64_t act, uint64_t oact, uint64_t size)
{
	if (sig < 1 || sig > 64 || size != 8)
		return -EINVAL;
	if (act != 0 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct a64_sigaction old, n;
	if (act != 0)
		memcpy(&n, (void *)act, sizeof(n));
	action_set(sig, act != 0 ? &n : NULL, &old);
	if (oact != 0)
		memcpy((void *)oact, &old, sizeof(old));
	return 0;
}

static void set_blocked(struct a64_cpu *c, uint64_t m)
{
	c->blocked = m & ~UNBLOCKABLE;
	host_mask(c->blocked | c->pending); /* pending: see a64_signal_async */
}

long a64_sys_rt_sigprocmask(struct a64_cpu *c, int how, uint64_t set, uint64_t oset, uint64_t size)
{
	uint64_t old = c->blocked;
	if (size != 8)
		return -EINVAL;
	if (set != 0) {
		uint64_t s;
		memcpy(&s, (void *)set, 8);
		switch (how) {
		case SIG_BLOCK: set_blocked(c, old | s); break;
		case SIG_UNBLOCK: set_blocked(c, old & ~s); break;
		case SIG_SETMASK: set_blocked(c, s); break;
		default: return -EINVAL;
		}
	}
	if (oset != 0)
		memcpy((void *)oset, &old, 8);
	return 0;
}

long a64_sys_sigaltstack(struct a64_cpu *c, uint64_t ss, uint64_t oss)
{
	enum { A64_MINSIGSTKSZ = 5120, A64_SS_AUTODISARM = 1u << 31 }; /* arm64 Linux's */
	uint64_t sp = c->x[A64_SP];
	int on = c->altstack_size != 0 && sp > c->altstack_sp && sp <= c->altstack_sp + c->altstack_size;
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } o = {
		c->altstack_sp, on ? SS_ONSTACK : (c->altstack_size ? 0 : SS_DISABLE), 0, c->altstack_size
	};
	if (ss != 0) {
		struct { uint64_t sp; int32_t flags, pad; uint64_t size; } n;
		memcpy(&n, (void *)ss, sizeof(n));
		if (on)
			return -EPERM;
		/* as do_sigaltstack: a mode of 0, SS_ONSTACK or SS_DISABLE, and
		 * the old stack is told only when the new one was taken */
		int mode = n.flags & ~A64_SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			c->altstack_sp = 0;
			c->altstack_size = 0;
		} else {
			if (n.size < A64_MINSIGSTKSZ)
				return -ENOMEM;
			c->altstack_sp = n.sp;
			c->altstack_size = n.size;
		}
	}
	if (oss != 0)
		memcpy((void *)oss, &o, sizeof(o));
	return 0;
}

static _Noreturn void die_by(int sig)
{
	sigset_t set;
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* a stopping or ignored signal: be killed anyway */
	_exit(128 + sig);
}

static void setup_frame(struct a64_cpu *c, int sig, const siginfo_t *info, uint64_t mask,
			const struct a64_sigaction *act)
{
	uint64_t sp = c->x[A64_SP];
	int on = c->altstack_size != 0 && sp > c->altstack_sp && sp <= c->altstack_sp + c->altstack_size;

	if ((act->flags & G_SA_ONSTACK) && c->altstack_size != 0 && !on)
		sp = c->altstack_sp + c->altstack_size;
	sp = (sp - 16) & ~15ull;
	uint64_t record = sp;
	sp = (sp - sizeof(struct g_rt_sigframe)) & ~15ull;

	struct g_rt_sigframe *f = (struct g_rt_sigframe *)(uintptr_t)sp;
	memset(f, 0, offsetof(struct g_rt_sigframe, uc.uc_mcontext.reserved) + sizeof(struct g_fpsimd_context) + 16);
	memcpy(f->info, info, 128);
	f->uc.ss_sp = c->altstack_sp;
	f->uc.ss_size = c->altstack_size;
	f->uc.ss_flags = c->altstack_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE;
	f->uc.uc_sigmask = mask;
	struct g_sigcontext *m = &f->uc.uc_mcontext;
	m->fault_address = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) ? (uint64_t)(uintptr_t)info->si_addr : 0;
	memcpy(m->regs, c->x, 31 * 8);
	m->sp = c->x[A64_SP];
	m->pc = c->pc;
	m->pstate = c->nzcv;
	struct g_fpsimd_context *fp = (struct g_fpsimd_context *)m->reserved;
	fp->magic = 0x46508001;
	fp->size = sizeof(*fp);
	fp->fpsr = a64_fpsr_read(c);
	fp->fpcr = c->fpcr;
	for (int r = 0; r < 32; r++)
		fp->vregs[r] = c->v[r].q;
	/* the terminating null record follows: already zero */

	uint64_t *rec = (uint64_t *)(uintptr_t)record;
	rec[0] = c->x[29];
	rec[1] = c->x[30];

	c->x[0] = sig;
	c->x[1] = (uint64_t)(uintptr_t)f->info;
	c->x[2] = (uint64_t)(uintptr_t)&f->uc;
	c->x[29] = record;
	c->x[30] = (act->flags & G_SA_RESTORER) ? act->restorer : a64_self->sigreturn_tramp;
	c->x[A64_SP] = sp;
	c->pc = act->handler;

	uint64_t nb = c->blocked | act->mask;
	if (!(act->flags & G_SA_NODEFER))
		nb |= SIGBIT(sig);
	set_blocked(c, nb);
	if (act->flags & G_SA_RESETHAND) {
		struct a64_sigaction dfl = *act;
		dfl.handler = (uint64_t)(uintptr_t)SIG_DFL;
		action_set(sig, &dfl, NULL);
	}
}

static int default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG || sig == SIGCONT || sig >= 32;
}

void a64_signal_deliver(struct a64_cpu *c)
{
	uint64_t ready = c->pending & ~c->blocked;
	if (ready == 0)
		return;
	int sig = __builtin_ctzll(ready) + 1;
	__atomic_and_fetch(&c->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
	siginfo_t info = c->pending_info[sig];
	struct a64_sigaction a = action_of(sig), *act = &a;
	uint64_t mask = c->blocked;
	if (c->in_suspend) {
		mask = c->suspend_saved;
		c->in_suspend = 0;
	}
	if (act->handler == (uint64_t)(uintptr_t)SIG_IGN) {
		set_blocked(c, mask);
		return;
	}
	if (act->handler == (uint64_t)(uintptr_t)SIG_DFL) {
		set_blocked(c, mask);
		if (default_ignored(sig) && sig < 32)
			return;
		die_by(sig);
	}
	setup_frame(c, sig, &info, mask, act);
}

void a64_signal_sync(struct a64_cpu *c, int sig, int code, uint64_t addr)
{
	struct a64_sigaction a = action_of(sig), *act = &a;
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void *)(uintptr_t)addr;
	if ((c->blocked & SIGBIT(sig)) || act->handler == (uint64_t)(uintptr_t)SIG_DFL ||
	    act->handler == (uint64_t)(uintptr_t)SIG_IGN)
		die_by(sig);
	setup_frame(c, sig, &info, c->blocked, act);
}

long a64_sys_rt_sigreturn(struct a64_cpu *c)
{
	struct g_rt_sigframe *f = (struct g_rt_sigframe *)(uintptr_t)c->x[A64_SP];
	struct g_sigcontext *m = &f->uc.uc_mcontext;
	memcpy(c->x, m->regs, 31 * 8);
	c->x[A64_SP] = m->sp;
	c->pc = m->pc;
	c->nzcv = m->pstate & 0xf0000000;
	struct g_fpsimd_context *fp = (struct g_fpsimd_context *)m->reserved;
	if (fp->magic == 0x46508001) {
		for (int r = 0; r < 32; r++)
			c->v[r].q = fp->vregs[r];
		a64_fpsr_write(c, fp->fpsr);
		a64_fpcr_write(c, fp->fpcr);
	}
	set_blocked(c, f->uc.uc_sigmask);
	return c->x[0];
}

long a64_sys_rt_sigsuspend(struct a64_cpu *c, uint64_t maskp, uint64_t size)
{
	uint64_t m;
	if (size != 8)
		return -EINVAL;
	memcpy(&m, (void *)maskp, 8);
	c->suspend_saved = c->blocked;
	c->in_suspend = 1;
	c->blocked = m & ~UNBLOCKABLE;
	sigset_t set;
	sigemptyset(&set);
	for (int s = 1; s <= 64; s++)
		if ((c->blocked & SIGBIT(s)) && s != SIGSEGV && s != SIGBUS)
			sigaddset(&set, s);
	while ((c->pending & ~c->blocked) == 0)
		sigsuspend(&set);
	host_mask(c->blocked | c->pending);
	return -EINTR;
}

int a64_signal_restart(struct a64_cpu *c)
{
	uint64_t ready = c->pending & ~c->blocked;
	if (ready == 0)
		return 0;
	int sig = __builtin_ctzll(ready) + 1;
	return (a64_self->sighand->act[sig].flags & G_SA_RESTART) != 0;
}
