/* Through mew: a call made from the slow instruction (the notifier answers
 * it), or a path translated by mew's upcall and the call made here. */
#include "guest.h"

long slow(long nr, const long *a)
{
	cfg.nslow++;
	return stub_slow_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The calls that once took a ptrace stop (chdir, xattrs, statfs, creat,
 * O_PATH opens...): mew translates the path, the stub makes the call. */
__attribute__((noinline)) long translate(long nr, const long *a)
{
	const struct stub_path_call *c = NULL;
	char host[4096];
	long b[6], r;
	unsigned long f;
	int follow = 1, writes;

	for (uint32_t i = 0; i < cfg.ncalls && i < 48; i++)
		if (cfg.calls[i].nr == nr)
			c = &cfg.calls[i];
	if (c == NULL || c->path < 0)
		return slow(nr, a);
	f = c->flag >= 0 ? (unsigned long)a[c->flag] : 0;
	switch (c->follow) {
	case STUB_NOFOLLOW: follow = 0; break;
	case STUB_FOLLOW: follow = 1; break;
	case STUB_AT_FLAGS: follow = !(f & AT_SYMLINK_NOFOLLOW); break;
	case STUB_AT_FOLLOW: follow = !!(f & AT_SYMLINK_FOLLOW); break;
	case STUB_OPEN_FLAGS: follow = !(f & O_NOFOLLOW) && (f & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL); break;
	case STUB_IN_FLAGS: follow = !(f & 0x02000000); break;
	}
	writes = c->writes;
	if (nr == __NR_open || nr == __NR_openat)
		writes = (f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC));
	r = stub_slow_syscall(STUB_UPCALL_TRANSLATE, a[c->path], c->dirfd >= 0 ? a[c->dirfd] : AT_FDCWD,
			      (follow ? STUB_TR_FOLLOW : 0) | (writes ? STUB_TR_WRITES : 0), (long)host,
			      sizeof(host), 0);
	if (r < 0)
		return r;
	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	if (r == 0) {
		b[(int)c->path] = (long)host;
		if (c->dirfd >= 0)
			b[(int)c->dirfd] = AT_FDCWD;
	}
	return stub_syscall(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}
