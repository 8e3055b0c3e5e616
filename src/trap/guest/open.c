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
	/* set-id bits its writes would drop from the host's file, which mew
	 * keeps for a root (personality/owner.c) */
	if (creat && (mode & (S_ISUID | S_ISGID)) && cfg.host_uid != 0)
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
	 * (ETXTBSY, personality/busy.c); a file O_EXCL made is none.  And
	 * the set-id bits the writes would drop, as above */
	if (write && !(f & O_EXCL) && (st.st_mode & S_IFMT) == S_IFREG &&
	    ((st.st_mode & 0111) || (cfg.host_uid != 0 && (st.st_mode & (S_ISUID | S_ISGID))))) {
		S1(__NR_close, fd);
		return FALLBACK;
	}
	if (trunc && (st.st_mode & S_IFMT) == S_IFREG && (r = S2(__NR_ftruncate, fd, 0)) < 0) {
		S1(__NR_close, fd);
		return r;
	}
	return fd;
}

/* A read through openat2 that the guest's own kernel answers as the
 * guest's would: a relative path (or any under RESOLVE_IN_ROOT) from the
 * guest's dirfd, walked by the kernel with RESOLVE_BENEATH added (the walk
 * cannot leave dirfd) and the guest's other rules, which mean the same on
 * the host but RESOLVE_NO_XDEV (a bind is a mount to the guest); for a
 * root (the kernel checks mew's ids).  An fd on nothing a bind hides
 * (cfg.shadow, when the list is whole) is the answer; every error, and the
 * rest, FALLBACK: mew's. */
static long openat2_read(long dirfd, unsigned long upath, struct open_how how)
{
	char pbuf[PATH_MAX_];
	const char *path;
	struct stat st;
	long len, fd;

	if (cfg.rootfd < 0 || (cfg.flags & STUB_F_NO_IN_ROOT) || !pers_cred_fs_omnipotent(&cfg.cred) ||
	    cfg.cred.fsgid != 0 ||
	    (how.flags & (O_ACCMODE | O_CREAT | O_TRUNC | __O_TMPFILE)) != 0 ||
	    (how.resolve & ~(unsigned long long)(RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
						  RESOLVE_IN_ROOT)) != 0)
		return FALLBACK;
	len = guest_path(upath, pbuf, &path);
	if (len <= 0 || (path[0] == '/' && !(how.resolve & RESOLVE_IN_ROOT)))
		return FALLBACK;
	if (!(how.resolve & RESOLVE_IN_ROOT))
		how.resolve |= RESOLVE_BENEATH;
	fd = S4(__NR_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? FALLBACK : checked(fd, &st);
}

/* openat2 is mew's: the notifier checks its struct, walks the path under
 * its RESOLVE rules and hands the fd over, as for an open it answers; a
 * read that stays under its dirfd is the kernel's (openat2_read).  An
 * O_PATH fd the notifier cannot hand over: then mew walks the path (the
 * translate upcall) and the stub opens what it names, as for an O_PATH
 * openat. */
long do_openat2(const long *a)
{
	char host[PATH_MAX_];
	struct open_how how;
	long r;

	if (copy_in(&how, (unsigned long)a[2], sizeof(how)) < 0)
		return slow(__NR_openat2, a);
	/* (a process with a root of its own has its paths walked by mew) */
	if (cfg.root[0] == '\0' && a[3] == sizeof(how) && (r = openat2_read(a[0], (unsigned long)a[1], how)) != FALLBACK) {
		cfg.nfast++;
		return r;
	}
	if (!(how.flags & O_PATH))
		return slow(__NR_openat2, a);
	r = ask_mew(STUB_UPCALL_TRANSLATE, a[1], a[0], __NR_openat2, a[2], (long)host, a[3]);
	if (r < 0)
		return r;
	return S4(__NR_openat, AT_FDCWD, host, how.flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), 0);
}
