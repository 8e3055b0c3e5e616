/* Walking a guest path in the rootfs as the guest's kernel would, and
 * knowing when the walk cannot be trusted (binds, the host's /proc): the
 * answer is then FALLBACK, and mew walks it. */
#include "guest.h"

/* If bind guest path g (canonical) is an ancestor of, or, path p
 * (absolute, not canonical), component by component: what of p is below
 * it; else 0. */
static const char *past(const char *p, const char *g)
{
	for (;;) {
		const char *gc, *pc;
		while (*g == '/')
			g++;
		for (;;) {
			while (*p == '/')
				p++;
			if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
				p++;
				continue;
			}
			break;
		}
		if (*g == '\0')
			return p;
		if (*p == '\0')
			return 0;
		gc = g;
		pc = p;
		while (*g != '\0' && *g != '/')
			g++;
		while (*p != '\0' && *p != '/')
			p++;
		if (g - gc != p - pc)
			return 0;
		for (long i = 0; i < g - gc; i++)
			if (gc[i] != pc[i])
				return 0;
	}
}

static int under(const char *p, const char *g)
{
	return past(p, g) != 0;
}

static int has_dotdot(const char *p)
{
	for (const char *s = p; *s != '\0';) {
		const char *c;
		while (*s == '/')
			s++;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		if (s - c == 2 && c[0] == '.' && c[1] == '.')
			return 1;
	}
	return 0;
}

/* Could a bind lie at or above p?  Not when its first component begins
 * with a character no bind's does (cfg.bind_first): most paths. */
static int bind_may_hold(const char *p)
{
	unsigned char c = stub_first_char(p);

	return (cfg.bind_first[c >> 6] >> (c & 63)) & 1;
}

/* An absolute path that, walked without symlinks, can reach no bind: no
 * `..`, and no bind at or above it. */
static int lexically_clear(const char *p)
{
	if (has_dotdot(p))
		return 0;
	if (!bind_may_hold(p))
		return 1;
	for (const char *g = cfg.binds; *g != '\0'; g += slen(g) + 1)
		if (under(p, g))
			return 0;
	return 1;
}

int shadowed(unsigned long dev, unsigned long ino)
{
	if (dev == cfg.proc_dev)
		return 1;
	if (!((cfg.shadow_bits[STUB_SHADOW_BIT(ino) / 64] >> (STUB_SHADOW_BIT(ino) % 64)) & 1))
		return 0;
	for (uint32_t i = 0; i < cfg.nshadow && i < STUB_MAX_SHADOW; i++)
		if (cfg.shadow[i].dev == dev && cfg.shadow[i].ino == ino)
			return 1;
	return 0;
}

/* Open path (our copy) as the guest's kernel would, when the walk provably
 * stays in the rootfs: an fd, -ENOENT when that is the answer, or FALLBACK.
 * An absolute path that lexically avoids every bind (no `..`, no bind at
 * or above it) is walked without symlinks first: if that ends, nothing a
 * bind hides can be there (*clear, when given, says so: no checked()
 * needed), and its ENOENT is the answer; a symlink on the way (ELOOP) walks
 * again, following it in the root. */
long walk_ex(long dirfd, const char *path, unsigned long flags, int *clear)
{
	struct open_how how = { .flags = flags, .mode = 0, .resolve = RESOLVE_NO_MAGICLINKS };
	long fd;

	if (clear != 0)
		*clear = 0;
	if (stub_root() < 0)
		return FALLBACK;
	if (path[0] != '/') {
		how.resolve |= RESOLVE_BENEATH;
		fd = S4(__NR_openat2, dirfd, path, &how, sizeof(how));
		return fd >= 0 ? fd : FALLBACK;
	}
	how.resolve |= RESOLVE_IN_ROOT;
	if (lexically_clear(path)) {
		how.resolve |= RESOLVE_NO_SYMLINKS;
		fd = S4(__NR_openat2, cfg.rootfd, path, &how, sizeof(how));
		if (fd >= 0 && clear != 0)
			*clear = 1;
		if (fd >= 0 || fd == -ENOENT)
			return fd;
		if (fd != -ELOOP)
			return FALLBACK;
		how.resolve &= ~(unsigned long long)RESOLVE_NO_SYMLINKS;
	}
	/* with too many hidden objects to list, only lexical walks */
	if (cfg.flags & STUB_F_NO_IN_ROOT)
		return FALLBACK;
	fd = S4(__NR_openat2, cfg.rootfd, path, &how, sizeof(how));
	return fd >= 0 ? fd : FALLBACK;
}

long walk(long dirfd, const char *path, unsigned long flags)
{
	return walk_ex(dirfd, path, flags, 0);
}

/* The innermost bind at or above absolute path p (no `..`): its index,
 * with *rest what of p is below it and *nested whether another bind lies
 * inside it; -1: none. */
long bind_of(const char *path, const char **rest, int *nested)
{
	unsigned char c = stub_first_char(path);
	size_t blen = 0;
	long best = -1;

	*nested = 0;
	if (!bind_may_hold(path))
		return -1;
	for (uint32_t k = 0; k < cfg.nbinds && k < STUB_MAX_BINDS; k++) {
		const char *r;
		/* (a bind of `/` holds every path) */
		if (cfg.bind_at[k].first != c && cfg.bind_at[k].first != 0)
			continue;
		r = past(path, cfg.binds + cfg.bind_at[k].off);
		if (r != 0 && cfg.bind_at[k].len >= blen) {
			best = k;
			*rest = r;
			blen = cfg.bind_at[k].len;
		}
	}
	*nested = best >= 0 && cfg.bind_at[best].nested;
	return best;
}

/* A walk that only reads (stat, access without W_OK, readlink, an open for
 * reading): an absolute path under a directory bind is walked from the
 * bind's own fd (cfg.bindfd) with RESOLVE_BENEATH, the innermost bind's,
 * as the kernel would walk it in the bind: `..` and absolute symlinks,
 * which may leave the bind, are refused by the kernel and go to mew, and
 * what a bind inside it hides is in cfg.shadow (checked() after).  When no
 * bind lies inside this one, the walk is tried first without symlinks and
 * without crossing a mount (the host's /proc under a bind of the host's
 * /): if that ends, nothing hidden can be there (*clear, as walk_ex's),
 * and its ENOENT is the answer.  Everything else walks as walk() does. */
long walk_read(long dirfd, const char *path, unsigned long flags, int *clear)
{
	struct open_how how = { .flags = flags, .mode = 0, .resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH };
	const char *rest = 0;
	long fd, best;
	int nested = 0;

	if (clear != 0)
		*clear = 0;
	if (path[0] != '/' || (cfg.flags & STUB_F_NO_IN_ROOT) || has_dotdot(path))
		return walk_ex(dirfd, path, flags, clear);
	best = bind_of(path, &rest, &nested);
	if (best < 0)
		return walk_ex(dirfd, path, flags, clear);
	if (best >= STUB_MAX_BINDFD || cfg.bindfd[best] < 0 || stub_root() < 0)
		return FALLBACK;
	if (*rest == '\0')
		rest = ".";
	if (!nested) {
		how.resolve |= RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
		fd = S4(__NR_openat2, cfg.bindfd[best], rest, &how, sizeof(how));
		if (fd >= 0 && clear != 0)
			*clear = 1;
		if (fd >= 0 || fd == -ENOENT)
			return fd;
		if (fd != -ELOOP && fd != -EXDEV)
			return FALLBACK;
		how.resolve &= ~(unsigned long long)(RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	}
	/* (an ENOENT met a symlink, a mount or a bind inside: mew's) */
	fd = S4(__NR_openat2, cfg.bindfd[best], rest, &how, sizeof(how));
	return fd >= 0 ? fd : FALLBACK;
}

/* fd is answerable in process (not behind a bind, not the host's /proc)?
 * Otherwise it is closed and FALLBACK returned. */
long checked(long fd, struct stat *st)
{
	if (S2(__NR_fstat, fd, st) < 0 || shadowed(st->st_dev, st->st_ino)) {
		S1(__NR_close, fd);
		return FALLBACK;
	}
	return fd;
}

/* A relative write may start from dirfd: its directory is on the rootfs's
 * own filesystem (not /proc, /sys, /dev, nor a :ro bind there) and, for a
 * creation (create = 1), above no place a bind hides. */
int writable_start(long dirfd, int create)
{
	struct stat sd;

	if (cfg.flags & STUB_F_RO_BIND)
		return 0;
	if ((is_cwd(dirfd) ? S4(__NR_newfstatat, AT_FDCWD, ".", &sd, 0) : S2(__NR_fstat, dirfd, &sd)) < 0)
		return 0;
	if (sd.st_dev != cfg.root_dev)
		return 0;
	if (create)
		for (uint32_t i = 0; i < cfg.nanc && i < 32; i++)
			if (cfg.anc[i].dev == sd.st_dev && cfg.anc[i].ino == sd.st_ino)
				return 0;
	return 1;
}

/* Run by an ordinary user, mew records the owners the guest gives
 * (personality/owner.c): a new inode in a set-group-id directory takes the
 * group the guest sees on the directory, which only mew can record.  Is
 * the directory that would hold path (walked from start as create walks
 * it) set-group-id? */
static int sgid_parent(long start, const char *path, const struct open_how *how)
{
	char dir[4096];
	struct open_how h = *how;
	struct stat st;
	long n = 0, slash = -1, fd, r;

	for (; path[n] != '\0'; n++) {
		if (n >= 4095)
			return 1; /* (mew decides) */
		dir[n] = path[n];
		if (path[n] == '/')
			slash = n;
	}
	if (slash < 0) {
		r = is_cwd(start) ? S4(__NR_newfstatat, AT_FDCWD, ".", &st, 0) : S2(__NR_fstat, start, &st);
	} else {
		dir[slash == 0 ? 1 : slash] = '\0';
		h.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
		h.mode = 0;
		if ((fd = S4(__NR_openat2, start, dir, &h, sizeof(h))) < 0)
			return 0; /* the creation's own walk answers */
		r = S2(__NR_fstat, fd, &st);
		S1(__NR_close, fd);
	}
	return r == 0 && (st.st_mode & S_ISGID);
}

/* Creating: the walk must be lexical (no symlink, no `..`) and provably
 * miss every bind, so that nothing is ever created in what a bind hides. */
long create(long dirfd, const char *path, unsigned long flags, unsigned long mode)
{
	struct open_how how = { .flags = flags, .mode = mode & 07777,
				.resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS };
	long start, fd;

	if (stub_root() < 0)
		return FALLBACK;
	if (path[0] == '/') {
		if (!lexically_clear(path))
			return FALLBACK;
		start = cfg.rootfd;
		how.resolve |= RESOLVE_IN_ROOT;
	} else {
		if (has_dotdot(path) || !writable_start(dirfd, 1))
			return FALLBACK;
		start = dirfd;
		how.resolve |= RESOLVE_BENEATH;
	}
	if (cfg.host_uid != 0 && sgid_parent(start, path, &how))
		return FALLBACK;
	fd = S4(__NR_openat2, start, path, &how, sizeof(how));
	if (fd >= 0 || fd == -ENOENT || fd == -EEXIST || fd == -EISDIR || fd == -ENOTDIR || fd == -EACCES)
		return fd;
	return FALLBACK;
}

/* Calls that name an entry without following it (mkdir, unlink, rmdir,
 * symlink, lutimes): the entry's directory is walked like any path, and
 * must be in the rootfs proper: on its filesystem, not what a bind hides
 * nor a directory above a bind (so the entry itself cannot be a bind),
 * writes allowed.  0 with *dfd (to close when *own is 0) and *name (in
 * buf), or FALLBACK / -errno. */
long parent_of(long dirfd, unsigned long upath, char *buf, const char **name, long *dfd, int *own)
{
	long len, fd, n, slash = -1;
	struct stat st;

	if (cfg.flags & (STUB_F_READONLY | STUB_F_RO_BIND | STUB_F_NO_ENTRY_OPS))
		return FALLBACK;
	len = copy_path(buf, upath);
	if (len <= 0)
		return len < 0 ? len : FALLBACK;
	for (n = 0; n < len; n++)
		if (buf[n] == '/')
			slash = n;
	if (buf[len - 1] == '/' || slash == 0)
		return FALLBACK; /* "x/" or "/x": the root is above every bind anyway */
	*name = buf + slash + 1;
	if ((*name)[0] == '.' && ((*name)[1] == '\0' || ((*name)[1] == '.' && (*name)[2] == '\0')))
		return FALLBACK;
	*own = slash < 0;
	if (*own) {
		fd = dirfd;
	} else {
		buf[slash] = '\0';
		fd = walk(dirfd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return FALLBACK;
	}
	if ((*own && is_cwd(fd) ? S4(__NR_newfstatat, AT_FDCWD, ".", &st, 0) : S2(__NR_fstat, fd, &st)) < 0)
		goto no;
	if (st.st_dev != cfg.root_dev || shadowed(st.st_dev, st.st_ino))
		goto no;
	/* a new entry's group in a set-group-id directory: mew's to record
	 * (see sgid_parent) */
	if (cfg.host_uid != 0 && (st.st_mode & S_ISGID))
		goto no;
	for (uint32_t i = 0; i < cfg.nanc && i < 32; i++)
		if (cfg.anc[i].dev == st.st_dev && cfg.anc[i].ino == st.st_ino)
			goto no;
	*dfd = fd;
	return 0;
no:
	if (!*own)
		S1(__NR_close, fd);
	return FALLBACK;
}
