/* The calls that only ask: stat family, access, readlink, getcwd. */
#include "guest.h"

#define STAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

#define NAME_MAX_ 255

/* The record (personality/owner.c) of the object fd names, or with name
 * (not a symlink) of the entry name of directory fd, into v: its length,
 * or -errno.  mode: the object's, for mew's own file made unreadable for
 * the guest (chmod 0222), whose read permission is given back for the one
 * read, as owner.c does.  Where the kernel has getxattrat it is one call on
 * fd (but an O_PATH one); else through /proc/self/fd/N, whose magic link
 * costs a few µs. */
static long read_record(long fd, const char *name, uint32_t mode, char *v, long size)
{
	char p[40 + NAME_MAX_ + 1] = "/proc/self/fd/", *e;
	struct {
		uint64_t value;
		uint32_t size, flags;
	} args = { (uint64_t)(unsigned long)v, (uint32_t)size, 0 };
	long n, i;

	if (cfg.flags & STUB_F_GETXATTRAT) {
		n = S6(__NR_getxattrat_, is_cwd(fd) ? AT_FDCWD : fd, name != 0 ? name : "",
		       name != 0 ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH, PERS_OWNER_XATTR, &args, sizeof(args));
		/* (an O_PATH fd, the walk's: EBADF, as for fgetxattr) */
		if ((n != -EACCES || (mode & 0400)) && n != -EBADF)
			return n;
	}
	if (name == 0) {
		*put_num(p + 14, fd) = '\0';
		n = S4(__NR_getxattr, p, PERS_OWNER_XATTR, v, size);
	} else {
		e = is_cwd(fd) ? p : put_num(p + 14, (int)fd);
		if (e != p)
			*e++ = '/';
		for (i = 0; name[i] != '\0'; i++)
			*e++ = name[i];
		*e = '\0';
		n = S4(__NR_lgetxattr, p, PERS_OWNER_XATTR, v, size);
	}
	if (n == -EACCES && !(mode & 0400) && S2(__NR_chmod, p, (mode & 07777) | 0400) == 0) {
		n = S4(name == 0 ? __NR_getxattr : __NR_lgetxattr, p, PERS_OWNER_XATTR, v, size);
		S2(__NR_chmod, p, mode & 07777);
	}
	return n;
}

/* Owner records read before, by inode and ctime (cfg.flags
 * STUB_F_OWNER_CACHE, on the rootfs's filesystem): a record only changes
 * by an xattr write, which gives the inode a new ctime there (mew checked
 * that it always does: multigrain timestamps), so a stat whose ctime is
 * the one seen with a record needs no second read.  Per process, shared by
 * its threads: each slot is a seqlock (odd while written). */
#define SEEN 256

static struct seen {
	uint32_t seq;
	uint32_t uid, gid;
	int32_t bits; /* the record's set-id bits, -1: none; -2: no record */
	uint64_t dev, ino, sec, nsec;
} seen[SEEN];

struct ctime_ {
	uint64_t sec, nsec;
};

static struct seen *slot_of(uint64_t dev, uint64_t ino)
{
	return &seen[(ino ^ (ino >> 8) ^ dev) % SEEN];
}

static int recall(uint64_t dev, uint64_t ino, const struct ctime_ *ct, uint32_t *uid, uint32_t *gid,
		  long *bits)
{
	struct seen *e = slot_of(dev, ino);
	uint32_t s = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE), u, g;
	int32_t b;
	int hit;

	if (s & 1)
		return 0;
	hit = __atomic_load_n(&e->dev, __ATOMIC_RELAXED) == dev && __atomic_load_n(&e->ino, __ATOMIC_RELAXED) == ino &&
	      __atomic_load_n(&e->sec, __ATOMIC_RELAXED) == ct->sec &&
	      __atomic_load_n(&e->nsec, __ATOMIC_RELAXED) == ct->nsec;
	u = __atomic_load_n(&e->uid, __ATOMIC_RELAXED);
	g = __atomic_load_n(&e->gid, __ATOMIC_RELAXED);
	b = __atomic_load_n(&e->bits, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!hit || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s)
		return 0;
	if (b != -2) {
		*uid = u;
		*gid = g;
	}
	*bits = b;
	return 1;
}

static void remember(uint64_t dev, uint64_t ino, const struct ctime_ *ct, uint32_t uid, uint32_t gid, long bits)
{
	struct seen *e = slot_of(dev, ino);
	uint32_t s = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);

	/* (another thread writing it: this one is not kept) */
	if ((s & 1) || !__atomic_compare_exchange_n(&e->seq, &s, s + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&e->dev, dev, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ino, ino, __ATOMIC_RELAXED);
	__atomic_store_n(&e->sec, ct->sec, __ATOMIC_RELAXED);
	__atomic_store_n(&e->nsec, ct->nsec, __ATOMIC_RELAXED);
	__atomic_store_n(&e->uid, uid, __ATOMIC_RELAXED);
	__atomic_store_n(&e->gid, gid, __ATOMIC_RELAXED);
	__atomic_store_n(&e->bits, (int32_t)bits, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, s + 2, __ATOMIC_RELEASE);
}

/* The owner and mode the guest sees (personality/owner.c): run by an
 * ordinary user, mew's own files are root's unless they carry a record of
 * the owner the guest gave them, and of the set-id bits the host does not
 * keep for it.  (Run as root, chown is real: nothing to do.)  A socket,
 * FIFO or symlink cannot carry one: mew keeps theirs, and the stat of one
 * it keeps (dev, ino: the share's table) is its to answer (FALLBACK;
 * else 0). */
static long owner_view(long fd, const char *name, uint32_t *mode, uint64_t dev, uint64_t ino,
		       const struct ctime_ *ct, uint32_t *uid, uint32_t *gid)
{
	char v[24];
	long n, bits = -2;
	int keep;

	if (cfg.host_uid == 0 || *uid != cfg.host_uid)
		return 0;
	if ((S_ISSOCK(*mode) || S_ISFIFO(*mode) || S_ISLNK(*mode)) && dircache_owner_kept(dev, ino))
		return FALLBACK;
	*uid = 0;
	if (*gid == cfg.host_gid)
		*gid = 0;
	if (!S_ISREG(*mode) && !S_ISDIR(*mode))
		return 0;
	keep = ct != 0 && (cfg.flags & STUB_F_OWNER_CACHE) && dev == cfg.root_dev;
	if (!keep || !recall(dev, ino, ct, uid, gid, &bits)) {
		n = read_record(fd, name, *mode, v, sizeof(v));
		if (n > 0 && pers_owner_record_parse(v, n, uid, gid, &bits) < 0)
			return 0;
		if (keep && (n > 0 || n == -ENODATA))
			remember(dev, ino, ct, *uid, *gid, bits);
	}
	if (bits >= 0)
		*mode = (*mode & ~07000U) | (uint32_t)bits;
	return 0;
}

long kept_setid(long fd, uint32_t mode)
{
	char v[24];
	uint32_t u, g;
	long n = read_record(fd, 0, mode, v, sizeof(v)), bits;

	if (n == -ENODATA || n == -EOPNOTSUPP)
		return -1;
	if (n < 0 || pers_owner_record_parse(v, n, &u, &g, &bits) < 0)
		return FALLBACK;
	return bits;
}

/* 0, or FALLBACK: mew answers (owner_view) */
static long stat_view(long fd, const char *name, struct stat *st)
{
	uint32_t m = st->st_mode, u = st->st_uid, g = st->st_gid;
	struct ctime_ ct = { (uint64_t)st->st_ctime, (uint64_t)st->st_ctime_nsec };

	if (owner_view(fd, name, &m, st->st_dev, st->st_ino, &ct, &u, &g) == FALLBACK)
		return FALLBACK;
	st->st_mode = m;
	st->st_uid = u;
	st->st_gid = g;
	return 0;
}

/* st_dev's encoding (the kernel's new_encode_dev) */
static uint64_t statx_dev(const struct statx *x)
{
	return (x->stx_dev_minor & 0xffUL) | ((uint64_t)x->stx_dev_major << 8) | ((x->stx_dev_minor & ~0xffUL) << 12);
}

static long statx_view(long fd, const char *name, struct statx *x)
{
	uint32_t m = x->stx_mode;
	struct ctime_ ct;
	long r;

	if (!(x->stx_mask & (STATX_UID | STATX_GID | STATX_MODE)))
		return 0;
	/* no inode number to look up (never seen on a local filesystem) */
	if (!(x->stx_mask & STATX_INO) && !S_ISREG(x->stx_mode) && !S_ISDIR(x->stx_mode))
		return FALLBACK;
	ct.sec = (uint64_t)x->stx_ctime.tv_sec;
	ct.nsec = x->stx_ctime.tv_nsec;
	r = owner_view(fd, name, &m, statx_dev(x), x->stx_ino, (x->stx_mask & STATX_CTIME) ? &ct : 0, &x->stx_uid,
		       &x->stx_gid);
	if (x->stx_mask & STATX_MODE)
		x->stx_mode = (uint16_t)m;
	return r;
}

/* One entry of a directory: no `/`, not `.` or `..`. */
static int one_name(const char *path)
{
	long n = 0;

	if (path[0] == '.' && (path[1] == '\0' || (path[1] == '.' && path[2] == '\0')))
		return 0;
	for (; path[n] != '\0'; n++)
		if (path[n] == '/' || n >= NAME_MAX_)
			return 0;
	return 1;
}

/* The stat of one name in a directory, in one call: the kernel looks the
 * name up in dirfd without following it, so there is nothing to walk and
 * nothing can leave the directory, as under RESOLVE_BENEATH.  0, the
 * kernel's -errno, WALK for a symlink the call follows (the walk's), or
 * FALLBACK for what a bind hides (the host's /proc, the rootfs's own /proc
 * or /dev/null...). */
long stat_entry(long dirfd, const char *name, long flags, long mask, unsigned long buf, int x)
{
	unsigned long dev, ino;
	uint32_t mode;
	long r;

	if (x) {
		struct statx *sx = (struct statx *)buf;
		r = S5(__NR_statx, dirfd, name, flags | AT_SYMLINK_NOFOLLOW, mask, buf);
		if (r < 0)
			return r;
		mode = sx->stx_mode;
		dev = statx_dev(sx);
		ino = sx->stx_ino;
	} else {
		struct stat *st = (struct stat *)buf;
		r = S4(__NR_newfstatat, dirfd, name, buf, flags | AT_SYMLINK_NOFOLLOW);
		if (r < 0)
			return r;
		mode = st->st_mode;
		dev = st->st_dev;
		ino = st->st_ino;
	}
	if (S_ISLNK(mode) && !(flags & AT_SYMLINK_NOFOLLOW))
		return WALK;
	if (shadowed(dev, ino))
		return FALLBACK;
	if (x)
		return statx_view(dirfd, name, (struct statx *)buf);
	return stat_view(dirfd, name, (struct stat *)buf);
}

/* tar's, find's, rm -r's fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW): every
 * error is mew's (FALLBACK), as the walk, relative, would end the same way
 * one call later. */
static long stat_name(long dirfd, const char *name, long flags, long mask, unsigned long buf, int x)
{
	long r = stat_entry(dirfd, name, flags, mask, buf, x);

	return r < 0 ? FALLBACK : r;
}

/* stat, lstat, newfstatat, fstat (x = 0) and statx (x = 1). */
__attribute__((noinline)) long do_stat(long nr, const long *a)
{
	char pbuf[PATH_MAX_];
	const char *path;
	long dirfd = AT_FDCWD, flags = 0, mask = 0, r, fd, len;
	unsigned long upath, buf;
	int x = nr == __NR_statx, clear = 0;
	struct stat st;

	switch (nr) {
	case __NR_fstat:
		/* the raw call (Go, musl): the guest's own fd, the owner it sees */
		r = S2(__NR_fstat, a[0], a[1]);
		if (r == 0)
			r = stat_view(a[0], 0, (struct stat *)a[1]);
		return r;
	case __NR_stat:
	case __NR_lstat:
		upath = (unsigned long)a[0];
		buf = (unsigned long)a[1];
		flags = nr == __NR_lstat ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case __NR_newfstatat:
		dirfd = a[0];
		upath = (unsigned long)a[1];
		buf = (unsigned long)a[2];
		flags = a[3];
		if (flags & ~(long)STAT_FLAGS)
			return FALLBACK;
		break;
	default: /* statx */
		dirfd = a[0];
		upath = (unsigned long)a[1];
		flags = a[2];
		mask = a[3];
		buf = (unsigned long)a[4];
		if (flags & ~(long)(STAT_FLAGS | AT_STATX_SYNC_TYPE))
			return FALLBACK;
		break;
	}
	len = upath == 0 && (flags & AT_EMPTY_PATH) ? 0 : guest_path(upath, pbuf, &path);
	if (len < 0)
		return len;
	if (len == 0) {
		/* fstat(fd) as glibc does it: the guest's own fd, nothing to translate. */
		if (!(flags & AT_EMPTY_PATH) || nr == __NR_stat || nr == __NR_lstat)
			return -ENOENT;
		if (x) {
			r = S5(__NR_statx, dirfd, upath, flags, mask, buf);
			if (r == 0)
				r = statx_view(dirfd, 0, (struct statx *)buf);
			return r;
		}
		r = S4(__NR_newfstatat, dirfd, upath, buf, flags);
		if (r == 0)
			r = stat_view(dirfd, 0, (struct stat *)buf);
		return r;
	}
	if (one_name(path) && (r = stat_name(dirfd, path, flags, mask, buf, x)) != WALK)
		return r;
	/* an absolute path through a directory walked before (dircache.c) */
	if (path[0] == '/' && (r = dircache_stat(path, flags, mask, buf, x)) != FALLBACK)
		return r;
	fd = walk_read(dirfd, path, O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), &clear);
	if (fd < 0)
		return fd;
	if (x) {
		if (!clear && (fd = checked(fd, &st)) < 0)
			return fd;
		r = S5(__NR_statx, fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, buf);
		if (r == 0)
			r = statx_view(fd, 0, (struct statx *)buf);
	} else {
		/* Into the guest's buffer (the kernel checks it), then looked at
		 * there: it was just written. */
		r = S2(__NR_fstat, fd, buf);
		if (r == 0 && shadowed(((struct stat *)buf)->st_dev, ((struct stat *)buf)->st_ino))
			r = FALLBACK;
		else if (r == 0)
			r = stat_view(fd, 0, (struct stat *)buf);
	}
	S1(__NR_close, fd);
	return r;
}

/* fchdir: the kernel checks the host process, whose ids are not the
 * guest's (a root mew's, or an ordinary user's who owns every file): a
 * guest that is no longer root needs search permission on the directory
 * as it sees it (LTP's fchdir03). */
__attribute__((noinline)) long do_fchdir(long fd)
{
	struct stat st;
	long r;

	if (!pers_cred_fs_omnipotent(&cfg.cred)) {
		if ((r = S2(__NR_fstat, fd, &st)) < 0)
			return r;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		stat_view(fd, 0, &st);
		if ((r = pers_cred_permission(&cfg.cred, st.st_mode, st.st_uid, st.st_gid, PERS_MAY_EXEC)) < 0)
			return r;
	}
	return S1(__NR_fchdir, fd);
}

__attribute__((noinline)) long do_access(long dirfd, unsigned long upath, long mode, long flags)
{
	char pbuf[PATH_MAX_];
	const char *path;
	struct stat st;
	long len, fd, r;
	int clear = 0;

	if (flags & ~(long)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return FALLBACK;
	if ((mode & W_OK_) && (cfg.flags & STUB_F_READONLY))
		return FALLBACK;
	len = guest_path(upath, pbuf, &path);
	if (len < 0)
		return len;
	if (len == 0)
		return (flags & AT_EMPTY_PATH) ? S4(__NR_faccessat2, dirfd, upath, mode, flags) : -ENOENT;
	/* W_OK under a :ro bind is EROFS: mew's */
	fd = ((mode & W_OK_) ? walk_ex : walk_read)(dirfd, path,
						     O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), &clear);
	if (fd < 0 || (!clear && (fd = checked(fd, &st)) < 0))
		return fd;
	r = S4(__NR_faccessat2, fd, "", mode, AT_EMPTY_PATH | (flags & (AT_EACCESS | AT_SYMLINK_NOFOLLOW)));
	S1(__NR_close, fd);
	return r;
}

__attribute__((noinline)) long do_readlink(long dirfd, unsigned long upath, long buf, long size)
{
	char pbuf[PATH_MAX_];
	const char *path;
	struct stat st;
	long len, fd, r;

	if (size <= 0)
		return FALLBACK;
	len = guest_path(upath, pbuf, &path);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	fd = walk_read(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0 || (fd = checked(fd, &st)) < 0)
		return fd;
	if ((st.st_mode & S_IFMT) != S_IFLNK)
		r = -EINVAL;
	else
		r = S4(__NR_readlinkat, fd, "", buf, size);
	S1(__NR_close, fd);
	return r;
}

/* Does host path h start with dir d as whole components?  The rest's
 * offset in h, or -1. */
static long host_under(const char *h, const char *d)
{
	size_t n = slen(d);
	if (n == 1 && d[0] == '/')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (h[i] != d[i])
			return -1;
	return h[n] == '/' || h[n] == '\0' ? (long)n : -1;
}

/* Host path host as the guest names it (pers_untranslate's rule: the
 * longest bind source, unless the rootfs is more specific; then below the
 * process's root, pers_view's rule), into out (4096 bytes): its length
 * with the NUL, or -1 when it is neither. */
long untranslate(const char *host, char *out)
{
	const char *g = cfg.binds, *h = cfg.bind_hosts, *bg = 0;
	long best = -1, root, n = 0;

	if (host[0] != '/')
		return -1;
	for (; *g != '\0' && *h != '\0'; g += slen(g) + 1, h += slen(h) + 1) {
		long k = host_under(host, h);
		if (k > best) {
			best = k;
			bg = g;
		}
	}
	root = host_under(host, cfg.rootfs);
	if (bg != 0 && (best > root || root < 0)) {
		for (const char *q = bg; *q != '\0'; q++)
			out[n++] = *q;
		for (const char *q = host + best; *q != '\0' && n < 4095; q++)
			out[n++] = *q;
	} else if (root >= 0) {
		for (const char *q = host + root; *q != '\0' && n < 4095; q++)
			out[n++] = *q;
		if (n == 0)
			out[n++] = '/';
	} else {
		return -1;
	}
	out[n] = '\0';
	if (cfg.root[0] != '\0' && (root = host_under(out, cfg.root)) >= 0) {
		long k = 0;
		for (const char *q = out + root; *q != '\0'; q++)
			out[k++] = *q;
		n = k;
		if (n == 0)
			out[n++] = '/';
		out[n] = '\0';
	}
	return n + 1;
}

/* getcwd: the kernel's (a host path), untranslated. */
__attribute__((noinline)) long do_getcwd(const long *a)
{
	char host[4096], out[4096];
	long r = S2(__NR_getcwd, host, sizeof(host)), n;

	if (r < 0 || (n = untranslate(host, out)) < 0)
		return FALLBACK;
	if ((unsigned long)n > (unsigned long)a[1])
		return -ERANGE;
	return copy_out((unsigned long)a[0], out, (unsigned long)n) < 0 ? -EFAULT : n;
}
