/* The calls that change an entry (mkdir, unlink, rmdir, symlink, rename,
 * link, lutimes) or a followed file (chmod, truncate, utimes). */
#include "guest.h"

__attribute__((noinline)) long do_entry(long nr, const long *a)
{
	char buf[4100];
	const char *name;
	long r, d = AT_FDCWD;
	int own = 1;

	switch (nr) {
	case __NR_mkdir:
	case __NR_rmdir:
	case __NR_unlink:
		r = parent_of(AT_FDCWD, (unsigned long)a[0], buf, &name, &d, &own);
		break;
	case __NR_utimensat:
		/* futimens (no path) is the guest's own fd, unless its file
		 * may be in a read-only place (mew's rule); a followed last
		 * component goes to mew */
		if (a[1] == 0)
			return (cfg.flags & STUB_F_ANY_RO) ? FALLBACK : S4(nr, a[0], a[1], a[2], a[3]);
		if (a[3] == 0)
			return do_follow(nr, a);
		if (a[3] != AT_SYMLINK_NOFOLLOW)
			return FALLBACK;
		/* fallthrough */
	case __NR_mkdirat:
	case __NR_unlinkat:
		r = parent_of(a[0], (unsigned long)a[1], buf, &name, &d, &own);
		break;
	case __NR_symlink:
		r = parent_of(AT_FDCWD, (unsigned long)a[1], buf, &name, &d, &own);
		break;
	default: /* symlinkat */
		r = parent_of(a[1], (unsigned long)a[2], buf, &name, &d, &own);
		break;
	}
	if (r < 0)
		return r;
	switch (nr) {
	case __NR_mkdir: r = S3(__NR_mkdirat, d, name, a[1]); break;
	case __NR_mkdirat: r = S3(__NR_mkdirat, d, name, a[2]); break;
	case __NR_rmdir: r = S3(__NR_unlinkat, d, name, AT_REMOVEDIR); break;
	case __NR_unlink: r = S3(__NR_unlinkat, d, name, 0); break;
	case __NR_unlinkat: r = S3(__NR_unlinkat, d, name, a[2]); break;
	case __NR_utimensat: r = S4(__NR_utimensat, d, name, a[2], a[3]); break;
	default: r = S3(__NR_symlinkat, nr == __NR_symlink ? a[0] : a[0], d, name); break;
	}
	if (!own)
		S1(__NR_close, d);
	return r;
}

/* Is entry name of directory dirfd a directory, or unknown?  (After a
 * rename: whether it moved one, for the directory cache.) */
static int maybe_dir(long dirfd, const char *name)
{
	struct stat st;

	return S4(__NR_newfstatat, dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode);
}

/* rename and link: both entries as in do_entry (link never follows here).
 * *dirs: 0 when a rename made here moved no directory (looked at in the
 * very directories it was made in), else left as it was. */
__attribute__((noinline)) long do_entry2(long nr, const long *a, int *dirs)
{
	char b1[4100], b2[4100];
	const char *n1, *n2;
	long d1 = AT_FDCWD, d2 = AT_FDCWD, r;
	int own1 = 1, own2 = 1, two = nr == __NR_rename || nr == __NR_link;

	if (nr == __NR_linkat && a[4] != 0)
		return FALLBACK; /* AT_SYMLINK_FOLLOW, AT_EMPTY_PATH: to mew */
	r = parent_of(two ? AT_FDCWD : a[0], (unsigned long)a[two ? 0 : 1], b1, &n1, &d1, &own1);
	if (r < 0)
		return r;
	r = parent_of(two ? AT_FDCWD : a[2], (unsigned long)a[two ? 1 : 3], b2, &n2, &d2, &own2);
	if (r == 0) {
		switch (nr) {
		case __NR_rename:
		case __NR_renameat: r = S4(__NR_renameat, d1, n1, d2, n2); break;
		case __NR_renameat2: r = S5(__NR_renameat2, d1, n1, d2, n2, a[4]); break;
		default: r = S5(__NR_linkat, d1, n1, d2, n2, 0); break;
		}
		if (r == 0 && nr != __NR_link && nr != __NR_linkat)
			*dirs = maybe_dir(d2, n2) || (nr == __NR_renameat2 && (a[4] & 2 /* RENAME_EXCHANGE */) &&
						      maybe_dir(d1, n1));
		if (!own2)
			S1(__NR_close, d2);
	}
	if (!own1)
		S1(__NR_close, d1);
	return r;
}

/* Run by an ordinary user, mew keeps the set-id bits its host does not
 * (personality/owner.c): a chmod that gives some or changes kept ones,
 * and a truncate that drops the host's, are mew's to make. */
static int setid_is_mews(long nr, const long *a, long fd, const struct stat *st)
{
	long mode;

	if (nr == __NR_truncate)
		return S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID));
	if (nr == __NR_utimensat || st->st_uid != cfg.host_uid || !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		return 0;
	mode = nr == __NR_chmod ? a[1] : a[2];
	return (mode & (S_ISUID | S_ISGID)) || kept_setid(fd, st->st_mode) != -1;
}

/* chmod, fchmodat(2), truncate, utimensat following the last component:
 * the file walked like any path (O_PATH), then changed through
 * /proc/self/fd/N (the kernel follows that link to the very inode). */
__attribute__((noinline)) long do_follow(long nr, const long *a)
{
	char pbuf[PATH_MAX_];
	const char *path;
	char proc[32], *p;
	struct stat st;
	long dirfd = AT_FDCWD, up, len, fd, r;

	switch (nr) {
	case __NR_chmod:
	case __NR_truncate:
		up = a[0];
		break;
	case 452: /* fchmodat2 */
		if (a[3] != 0)
			return FALLBACK;
		/* fallthrough */
	default: /* fchmodat, utimensat */
		dirfd = a[0];
		up = a[1];
		break;
	}
	if (cfg.flags & STUB_F_READONLY)
		return FALLBACK;
	len = guest_path((unsigned long)up, pbuf, &path);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	if (path[0] != '/' && !writable_start(dirfd, 0))
		return FALLBACK;
	fd = walk(dirfd, path, O_PATH | O_CLOEXEC);
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	if (cfg.host_uid != 0 && setid_is_mews(nr, a, fd, &st)) {
		S1(__NR_close, fd);
		return FALLBACK;
	}
	memcpy(proc, "/proc/self/fd/", 14);
	p = put_num(proc + 14, fd);
	*p = '\0';
	switch (nr) {
	case __NR_chmod: r = S2(__NR_chmod, proc, a[1]); break;
	case __NR_truncate: r = S2(__NR_truncate, proc, a[1]); break;
	case __NR_utimensat: r = S4(__NR_utimensat, AT_FDCWD, proc, a[2], 0); break;
	default: r = S2(__NR_chmod, proc, a[2]); break;
	}
	S1(__NR_close, fd);
	return r;
}
