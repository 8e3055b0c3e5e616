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

/* The calls that once took a ptrace stop (chdir, statfs, creat,
 * O_PATH opens...): mew translates the path, the stub makes the call. */
__attribute__((noinline)) long translate(long nr, const long *a)
{
	const struct pers_call *c = NULL;
	char host[4096];
	long b[6], r;

	for (uint32_t i = 0; i < cfg.ncalls && i < 48; i++)
		if (cfg.calls[i].nr == nr)
			c = &cfg.calls[i].call;
	if (c == NULL || c->path[0] < 0)
		return slow(nr, a);
	r = ask_mew(STUB_UPCALL_TRANSLATE, a[c->path[0]], c->dirfd[0] >= 0 ? a[c->dirfd[0]] : AT_FDCWD,
		    nr, (long)PERS_CALL_FLAG(c, a), (long)host, sizeof(host));
	if (r < 0)
		return r;
	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	if (r == 0) {
		b[(int)c->path[0]] = (long)host;
		if (c->dirfd[0] >= 0)
			b[(int)c->dirfd[0]] = AT_FDCWD;
	}
	return stub_syscall(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}
