/* Through mew: a call made from the slow instruction (the notifier answers
 * it), or a path translated by mew's upcall and the call made here. */
#include "guest.h"

/* A call through the slow instruction, again if it was interrupted: mew's
 * listener makes the guest wait killable only once mew has the call
 * (engine.c), so EINTR here means a signal came before mew received it:
 * nothing was done, and the guest's handler has run.  Linux would not have
 * interrupted an open of /dev/null or a path lookup. */
long ask_mew(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;

	do
		r = stub_slow_syscall(nr, a, b, c, d, e, f);
	while (r == -EINTR);
	return r;
}

long slow(long nr, const long *a)
{
	cfg.nslow++;
	return ask_mew(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* An xattr call's name (its second argument) when it is one of mew's own
 * (personality/cred.h): the answer the guest gets instead, else 0. */
static long mews_xattr(long nr, const long *a)
{
	char name[256];

	switch (nr) {
	case __NR_getxattr:
	case __NR_lgetxattr:
	case __NR_fgetxattr:
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_setxattr:
	case __NR_lsetxattr:
		break;
	default:
		return 0;
	}
	if (!guest_range((unsigned long)a[1], 1) || guest_copy_str(name, (const char *)a[1], sizeof(name)) < 0)
		return -EFAULT;
	name[sizeof(name) - 1] = '\0';
	if (!pers_xattr_mews(name))
		return 0;
	return nr == __NR_setxattr || nr == __NR_lsetxattr ? -EPERM : -ENODATA;
}

/* listxattr's n bytes of names in the guest's list, mew's own taken out
 * there: the new length. */
static long hide_mews_xattrs(unsigned long list, long n)
{
	char name[256];
	long at = 0, len;

	while (at < n) {
		len = guest_copy_str(name, (const char *)(list + at), sizeof(name));
		if (len < 0 || len >= (long)sizeof(name) || at + len >= n)
			break;
		if (!pers_xattr_mews(name)) {
			at += len + 1;
			continue;
		}
		if (guest_copy((void *)(list + at), (const void *)(list + at + len + 1),
			       (unsigned long)(n - at - len - 1)) < 0)
			break;
		n -= len + 1;
	}
	return n;
}

/* The calls that once took a ptrace stop (chdir, xattrs, statfs, creat,
 * O_PATH opens...): mew translates the path, the stub makes the call. */
__attribute__((noinline)) long translate(long nr, const long *a)
{
	const struct pers_call *c = NULL;
	char host[4096];
	long b[6], r, hidden;

	for (uint32_t i = 0; i < cfg.ncalls && i < 48; i++)
		if (cfg.calls[i].nr == nr)
			c = &cfg.calls[i].call;
	if (c == NULL || c->path[0] < 0)
		return slow(nr, a);
	r = ask_mew(STUB_UPCALL_TRANSLATE, a[c->path[0]], c->dirfd[0] >= 0 ? a[c->dirfd[0]] : AT_FDCWD,
		    nr, (long)PERS_CALL_FLAG(c, a), (long)host, sizeof(host));
	if (r < 0)
		return r;
	if ((hidden = mews_xattr(nr, a)) < 0)
		return hidden;
	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	if (r == 0) {
		b[(int)c->path[0]] = (long)host;
		if (c->dirfd[0] >= 0)
			b[(int)c->dirfd[0]] = AT_FDCWD;
	}
	r = stub_syscall(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
	if ((nr == __NR_listxattr || nr == __NR_llistxattr) && r > 0 && a[1] != 0 && a[2] != 0)
		r = hide_mews_xattrs((unsigned long)a[1], r);
	return r;
}

/* fgetxattr and flistxattr: the kernel's answer, without mew's own names. */
long do_fxattr(long nr, const long *a)
{
	long r;

	if ((r = mews_xattr(nr, a)) < 0)
		return r;
	r = stub_syscall(nr, a[0], a[1], a[2], a[3], 0, 0);
	if (nr == __NR_flistxattr && r > 0 && a[1] != 0 && a[2] != 0)
		r = hide_mews_xattrs((unsigned long)a[1], r);
	return r;
}
