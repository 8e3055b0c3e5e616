/* open and openat, in the guest's own fd table. */
#include "guest.h"

/* open/openat: the fd, made in the guest's own table.  Writes to existing
 * files walk as reads do (O_TRUNC applied after the check, so that nothing
 * a bind hides is ever truncated); creations walk lexically.  Writes to an
 * executable file are mew's (ETXTBSY). */
__attribute__((noinline)) long do_open(long dirfd, unsigned long upath, long flags, long mode)
{
	char pbuf[PATH_MAX_];
	const char *path;
	struct stat st;
	unsigned long f = (unsigned int)flags;
	int creat = (f & O_CREAT) != 0, trunc = (f & O_TRUNC) != 0, write = (f & O_ACCMODE) != O_RDONLY;
	long len, fd, r;
	int clear = 0;

	if (f & __O_TMPFILE)
		return FALLBACK;
	if ((write || creat || trunc) && ((cfg.flags & STUB_F_READONLY) || (trunc && !write)))
		return FALLBACK;
	len = guest_path(upath, pbuf, &path);
	if (len <= 0)
		return len < 0 ? len : -ENOENT;
	if (f & O_PATH)
		f &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	else
		f = (f & VALID_OPEN) | O_LARGEFILE;
	if ((write || trunc) && path[0] != '/' && !writable_start(dirfd, creat))
		return FALLBACK;
	if (creat)
		fd = create(dirfd, path, f & ~(unsigned long)O_TRUNC, (unsigned long)mode);
	else
		fd = (write || trunc ? walk_ex : walk_read)(dirfd, path, f & ~(unsigned long)O_TRUNC, &clear);
	/* a lexical walk's end needs no look (walk.c), unless O_TRUNC asks
	 * what it is */
	if (fd < 0 || ((!clear || trunc || write) && (fd = checked(fd, &st)) < 0))
		return fd;
	/* writing a program: mew knows which ones guest processes run
	 * (ETXTBSY, personality/busy.c); a file O_EXCL made is none */
	if (write && !(f & O_EXCL) && (st.st_mode & S_IFMT) == S_IFREG && (st.st_mode & 0111)) {
		S1(__NR_close, fd);
		return FALLBACK;
	}
	if (trunc && (st.st_mode & S_IFMT) == S_IFREG && (r = S2(__NR_ftruncate, fd, 0)) < 0) {
		S1(__NR_close, fd);
		return r;
	}
	return fd;
}

/* openat2 is mew's: the notifier checks its struct, walks the path under
 * its RESOLVE rules and hands the fd over, as for an open it answers.  An
 * O_PATH fd it cannot hand over: then mew walks the path (the translate
 * upcall) and the stub opens what it names, as for an O_PATH openat. */
long do_openat2(const long *a)
{
	char host[PATH_MAX_];
	unsigned long flags;
	long r;

	if (copy_in(&flags, (unsigned long)a[2], sizeof(flags)) < 0 || !(flags & O_PATH))
		return slow(__NR_openat2, a);
	r = ask_mew(STUB_UPCALL_TRANSLATE, a[1], a[0], __NR_openat2, a[2], (long)host, a[3]);
	if (r < 0)
		return r;
	return S4(__NR_openat, AT_FDCWD, host, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), 0);
}
