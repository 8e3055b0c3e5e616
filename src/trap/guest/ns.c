/* New user, network, UTS, IPC and mount namespaces (unshare, clone with
 * those flags; setns but into a mount or user namespace, which would move
 * the root and cwd to the host's `/`, or name the model's):
 * a user namespace the guest asks for is the personality's model's
 * (pers_cred_userns_enter: its ids and maps, guest/userns.c its files);
 * for the others
 * the personality says whether the guest may have them
 * (pers_cred_new_ns: its CAP_SYS_ADMIN, which kinds); the stub makes them
 * in the guest's own process, inside a new user namespace of mew's user
 * when the process holds no capability of its own there, and mew writes
 * that namespace's ids map (STUB_UPCALL_USERNS) before the guest runs on:
 * the process keeps the ids the host knows it by, and its capabilities
 * reach only what the new namespaces hold.  The Landlock domain and the
 * seccomp filter stay (a new namespace inherits both).
 *
 * Its capabilities in that user namespace are made ambient, so that a
 * program it execs keeps them as a root there would (`unshare -n ip link
 * set lo up`): mew's user is not that namespace's root.
 *
 * Not made: a clone with CLONE_VM (the child would share the stack the
 * stub's signal frame is on; EPERM, as before); CLONE_FS with them, and a
 * process with threads, are EINVAL (the kernel's, for a user namespace). */
#include "guest.h"

#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/sched.h>

/* Every signal but SIGSYS blocked while the process's ids are not mapped
 * yet (the signal return gives the guest's mask back). */
static void block_signals(void)
{
	unsigned long all = ~SIGSYS_BIT;

	S4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, 0, 8);
}

/* The capabilities the process holds in the user namespace it is in
 * become ambient: a program it execs keeps them. */
static void keep_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (S2(__NR_capget, &h, d) < 0)
		return;
	d[0].inheritable = d[0].permitted;
	d[1].inheritable = d[1].permitted;
	if (S2(__NR_capset, &h, d) < 0)
		return;
	for (int cap = 0; cap < 64; cap++)
		if ((cap < 32 ? d[0].permitted >> cap : d[1].permitted >> (cap - 32)) & 1)
			S5(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

/* In the process that made the user namespace: mew maps its ids. */
static long settle(void)
{
	long r = ask_mew(STUB_UPCALL_USERNS, 0, 0, 0, 0, 0, 0);

	if (r == 0)
		keep_caps();
	return r;
}

#define UTS_FIELD 65 /* struct utsname: sysname, nodename, release, version, machine, domainname */

/* A new UTS namespace starts as a copy of the one the guest saw, which is
 * the personality's (cfg.uts) until the process has its own. */
static void own_uts(long flags)
{
	if (!(flags & CLONE_NEWUTS))
		return;
	if (!cfg.own_uts) {
		S2(__NR_sethostname, cfg.uts + UTS_FIELD, slen(cfg.uts + UTS_FIELD));
		S2(__NR_setdomainname, cfg.uts + 5 * UTS_FIELD, slen(cfg.uts + 5 * UTS_FIELD));
	}
	cfg.own_uts = 1;
}

/* uname: the personality's answer, with the nodename and domainname of
 * the process's own UTS namespace where it has one. */
__attribute__((noinline)) long do_uname(const long *a)
{
	char u[6 * UTS_FIELD], k[6 * UTS_FIELD];

	memcpy(u, cfg.uts, sizeof(u));
	if (cfg.own_uts && S1(__NR_uname, k) == 0) {
		memcpy(u + UTS_FIELD, k + UTS_FIELD, UTS_FIELD);
		memcpy(u + 5 * UTS_FIELD, k + 5 * UTS_FIELD, UTS_FIELD);
	}
	return copy_out((unsigned long)a[0], u, sizeof(u));
}

/* The model's part of a user namespace the guest asks for (userns_enter),
 * and its way back where the kernel then refuses the rest. */
struct saved {
	uint32_t depth, securebits;
	uint64_t prm, eff, inh, bnd;
};

static long enter_userns(long flags, struct saved *s)
{
	uint64_t id = 0;

	*s = (struct saved){ cfg.cred.depth, cfg.cred.securebits, cfg.cred.cap_prm, cfg.cred.cap_eff,
			     cfg.cred.cap_inh, cfg.cred.cap_bnd };
	if (!(flags & CLONE_NEWUSER))
		return 0;
	S3(__NR_getrandom, &id, sizeof(id), 0);
	id ^= (uint64_t)S0(__NR_gettid) << 32 ^ (uint64_t)cfg.nfast;
	return pers_cred_userns_enter(&cfg.cred, id, cfg.root[0] != '\0');
}

static void leave_userns(const struct saved *s)
{
	cfg.cred.depth = s->depth;
	cfg.cred.securebits = s->securebits;
	cfg.cred.cap_prm = s->prm, cfg.cred.cap_eff = s->eff;
	cfg.cred.cap_inh = s->inh, cfg.cred.cap_bnd = s->bnd;
}

/* The flags the kernel is asked for: a user namespace is the model's
 * (the real one, where one is needed, is mew's: below), but the kernel's
 * EINVAL for one in a threaded process stays (unshare implies
 * CLONE_THREAD).  Not CLONE_FS, which it implies too: an fs struct
 * shared with another process (a CLONE_FS child) stays shared. */
static long real_flags(long flags)
{
	return flags & CLONE_NEWUSER ? (flags & ~(long)CLONE_NEWUSER) | CLONE_THREAD : flags;
}

__attribute__((noinline)) long do_unshare(const long *a)
{
	long r, ns = pers_cred_new_ns(&cfg.cred, (unsigned long)a[0], 0), flags = real_flags(a[0]);
	struct saved s;

	if (ns <= 0)
		return ns < 0 ? ns : S1(__NR_unshare, a[0]);
	if ((r = enter_userns(a[0], &s)) < 0)
		return r;
	/* a process of a user namespace mew made holds its capabilities */
	r = S1(__NR_unshare, flags);
	if (r == -EPERM && (flags & PERS_NS_MADE)) {
		block_signals();
		if ((r = S1(__NR_unshare, flags | CLONE_NEWUSER)) == 0)
			r = settle();
	}
	if (r == 0)
		own_uts(a[0]);
	else
		leave_userns(&s);
	return r;
}

/* clone(flags, stack, ptid, ctid, tls): made here without CLONE_VM, where
 * the child has its own copy of the stub's stack and signal frame: it
 * settles, then returns to the guest on the stack it asked for. */
__attribute__((noinline)) long do_clone(const long *a, struct kucontext *uc)
{
	long ns = pers_cred_new_ns(&cfg.cred, (unsigned long)a[0], 1), r, user = 0;
	long flags = a[0] & ~(long)CLONE_NEWUSER;
	struct saved s;

	if (ns < 0)
		return ns;
	if ((a[0] & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if (uc == NULL || (a[0] & CLONE_VM))
		return -EPERM;
	/* the child is made with the model's new namespace, the parent
	 * keeps its own */
	if ((r = enter_userns(a[0], &s)) < 0)
		return r;
	block_signals();
	r = S5(__NR_clone, flags, 0, a[2], a[3], a[4]);
	if (r == -EPERM && (flags & PERS_NS_MADE)) {
		user = CLONE_NEWUSER;
		r = S5(__NR_clone, flags | user, 0, a[2], a[3], a[4]);
	}
	if (r != 0) {
		leave_userns(&s);
		return r;
	}
	if (user != 0 && settle() < 0)
		S1(__NR_exit_group, 127);
	own_uts(a[0]);
	if (a[1] != 0)
		uc->gregs[RSP] = a[1];
	return 0;
}

/* setns(fd, type): the kernel's checks before the capability's (EBADF,
 * EINVAL for what is not a namespace of that type), then the
 * personality's rule for its kind; a namespace another guest process made
 * is joined from inside the user namespace mew made for it, which the
 * process may enter (mew's user owns it). */
#define NS_GET_USERNS 0xb701 /* _IO(0xb7, 1) */
#define NS_GET_NSTYPE 0xb703 /* _IO(0xb7, 3) */
__attribute__((noinline)) long do_setns(const long *a)
{
	long kind, user, r;

	if (S3(__NR_fcntl, a[0], F_GETFD, 0) < 0)
		return -EBADF;
	kind = S2(__NR_ioctl, a[0], NS_GET_NSTYPE);
	if (kind < 0) /* a pidfd, or no namespace (EINVAL): the kernel's */
		return S2(__NR_setns, a[0], a[1]);
	if (a[1] != 0 && a[1] != kind)
		return -EINVAL;
	if ((r = pers_cred_new_ns(&cfg.cred, (unsigned long)kind, 0)) < 0)
		return r;
	/* entering a mount namespace moves the root and cwd to its own:
	 * the host's `/`, not the guest's; a user namespace the guest made
	 * is the model's, which no fd names */
	if (kind == CLONE_NEWNS || kind == CLONE_NEWUSER)
		return -EPERM;
	r = S2(__NR_setns, a[0], a[1]);
	if (r == -EPERM && (user = S2(__NR_ioctl, a[0], NS_GET_USERNS)) >= 0) {
		if (S2(__NR_setns, user, CLONE_NEWUSER) == 0) {
			keep_caps();
			r = S2(__NR_setns, a[0], a[1]);
		}
		S1(__NR_close, user);
	}
	if (r == 0 && kind == CLONE_NEWUTS)
		cfg.own_uts = 1;
	return r;
}
