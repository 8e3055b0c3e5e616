/* virtio-9p (device 9): a 9P2000.L server sharing host directories, the
 * way WSL2 shares drives.  Every path is resolved inside its share's root
 * (openat2 RESOLVE_IN_ROOT), so neither a symlink nor ".." leads out of it,
 * and every message is parsed with bounds checks.  A read-only share is
 * enforced here, on the host: whatever the guest's mount flags say (a guest
 * root can remount rw), a request that would write is answered EROFS.
 *
 * One device serves either one directory as its root (the rootfs) or
 * several shares under a synthetic read-only root whose entries are named
 * "0", "1", ... (the volumes: Linux mounts a virtio-9p channel only once, so
 * the agent mounts the device once and bind-mounts each entry). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

#define MSIZE (128 * 1024 + 24)

enum {
	Tlerror = 6, Rlerror, Tstatfs = 8, Tlopen = 12, Tlcreate = 14, Tsymlink = 16, Treadlink = 22,
	Tgetattr = 24, Tsetattr = 26, Txattrwalk = 30, Treaddir = 40, Tfsync = 50, Tlock = 52,
	Tgetlock = 54, Tmkdir = 72, Trenameat = 74, Tunlinkat = 76, Tversion = 100, Tattach = 104,
	Tflush = 108, Twalk = 110, Tread = 116, Twrite = 118, Tclunk = 120,
};

struct fid {
	uint32_t id;
	int share;  /* index into p9.shares; -1 for the synthetic root */
	char *path; /* relative to the share's root, "" for the root itself */
	bool opened; /* the synthetic root, after lopen */
	int fd;	    /* after lopen / lcreate */
	DIR *dir;
	struct fid *next;
};

#define MAX_FIDS 65536 /* a guest cannot make the VMM hold more */

struct share {
	int root;  /* O_PATH of the shared directory (a shared file's directory) */
	char *top; /* "", or the shared file's name in root: nothing else is reachable */
	bool readonly;
};

struct p9 {
	struct virtio_dev dev;
	unsigned nfids;
	struct share *shares;
	int nshares;
	bool synthetic; /* shares under a synthetic root, else shares[0] is the root */
	uint32_t msize;
	struct fid *fids;
	uint8_t req[MSIZE], resp[MSIZE];
};

/* ---- message parsing: a cursor that fails closed ---- */

struct msg {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static const void *take(struct msg *m, size_t n)
{
	if (m->bad || n > m->len - m->off) {
		m->bad = 1;
		return NULL;
	}
	m->off += n;
	return m->p + m->off - n;
}

static uint64_t get(struct msg *m, size_t n)
{
	uint64_t v = 0;
	const void *p = take(m, n);
	if (p != NULL)
		memcpy(&v, p, n);
	return v;
}

/* A string, copied NUL-terminated; NULL when malformed or containing NUL. */
static char *gets_(struct msg *m)
{
	uint16_t n = (uint16_t)get(m, 2);
	const char *p = take(m, n);
	if (p == NULL || memchr(p, '\0', n) != NULL)
		return m->bad = 1, NULL;
	return strndup(p, n);
}

struct out {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct out *o, const void *v, size_t n)
{
	if (o->len + n <= o->cap)
		memcpy(o->p + o->len, v, n);
	o->len += n;
}

static void put8(struct out *o, uint8_t v) { put(o, &v, 1); }
static void put16(struct out *o, uint16_t v) { put(o, &v, 2); }
static void put32(struct out *o, uint32_t v) { put(o, &v, 4); }
static void put64(struct out *o, uint64_t v) { put(o, &v, 8); }

static void putstr(struct out *o, const char *s)
{
	size_t n = strlen(s);
	if (n > 0xffff)
		n = 0xffff;
	put16(o, (uint16_t)n);
	put(o, s, n);
}

static void putqid(struct out *o, const struct stat *st)
{
	uint8_t type = S_ISDIR(st->st_mode) ? 0x80 : S_ISLNK(st->st_mode) ? 0x02 : 0;
	put8(o, type);
	put32(o, 0);
	put64(o, st->st_ino);
}

/* ---- fids and paths ---- */

static struct fid *fid_get(struct p9 *s, uint32_t id)
{
	for (struct fid *f = s->fids; f != NULL; f = f->next)
		if (f->id == id)
			return f;
	return NULL;
}

static void fid_close(struct fid *f)
{
	if (f->dir != NULL)
		closedir(f->dir);
	else if (f->fd >= 0)
		close(f->fd);
	f->dir = NULL;
	f->fd = -1;
}

static void fid_del(struct p9 *s, uint32_t id)
{
	for (struct fid **pp = &s->fids; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct fid *f = *pp;
			*pp = f->next;
			fid_close(f);
			free(f->path);
			free(f);
			s->nfids--;
			return;
		}
}

static struct fid *fid_new(struct p9 *s, uint32_t id, int share, const char *path)
{
	struct fid *f;
	if (fid_get(s, id) != NULL || s->nfids >= MAX_FIDS)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		free(f);
		return NULL;
	}
	f->id = id;
	f->share = share;
	f->fd = -1;
	f->next = s->fids;
	s->fids = f;
	s->nfids++;
	return f;
}

static int valid_name(const char *n)
{
	return n[0] != '\0' && strchr(n, '/') == NULL && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

static char *join(const char *dir, const char *name)
{
	char *p = NULL;
	if (dir[0] == '\0')
		return strdup(name);
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int open_in_root(const struct share *sh, const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .mode = (flags & O_CREAT) ? mode : 0,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	return (int)syscall(SYS_openat2, sh->root, path[0] ? path : ".", &how, sizeof(how));
}

/* The directory holding path, opened inside the root; *base is the last name. */
static int parent_at(const struct share *sh, const char *path, char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (path[0] == '\0') {
		*base = strdup(".");
		return open_in_root(sh, "", O_PATH | O_DIRECTORY, 0);
	}
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	*base = strdup(slash ? slash + 1 : path);
	if (dir == NULL || *base == NULL) {
		free(dir);
		return -1;
	}
	fd = open_in_root(sh, dir, O_PATH | O_DIRECTORY, 0);
	free(dir);
	return fd;
}

/* The share a fid is in; NULL for the synthetic root. */
static const struct share *share_of(const struct p9 *s, const struct fid *f)
{
	return f->share >= 0 ? &s->shares[f->share] : NULL;
}

/* What the synthetic root and its entries look like to the guest: a
 * read-only directory (the entries' qids are their shares' own). */
static void synthetic_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_ino = 1;
	st->st_blksize = 4096;
}

static int stat_path(const struct share *sh, const char *path, struct stat *st)
{
	char *base = NULL;
	int dfd, r;

	if (sh == NULL) {
		synthetic_stat(st);
		return 0;
	}
	dfd = parent_at(sh, path, &base);
	if (dfd < 0) {
		free(base);
		return -errno;
	}
	r = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	close(dfd);
	free(base);
	return r;
}

/* ---- requests ---- */

/* The share named name under the synthetic root ("0", "1", ...), or -1. */
static int share_named(const struct p9 *s, const char *name)
{
	char *end;
	long i = strtol(name, &end, 10);

	if (!s->synthetic || name[0] < '0' || name[0] > '9' || *end != '\0' || (name[0] == '0' && name[1] != '\0'))
		return -1;
	return i < s->nshares ? (int)i : -1;
}

static int t_walk(struct p9 *s, struct msg *m, struct out *o)
{
	uint32_t fid = (uint32_t)get(m, 4), newfid = (uint32_t)get(m, 4);
	uint16_t n = (uint16_t)get(m, 2);
	struct fid *f = fid_get(s, fid);
	char *path, *name;
	struct stat st;
	uint16_t done = 0;
	size_t count_at;
	int share;

	if (m->bad || f == NULL || n > 16)
		return -EINVAL;
	if (newfid != fid && fid_get(s, newfid) != NULL)
		return -EEXIST;
	path = strdup(f->path);
	share = f->share;
	put16(o, 0);
	count_at = o->len - 2;
	for (; done < n; done++) {
		name = gets_(m);
		if (name == NULL) {
			free(path);
			return -EINVAL;
		}
		char *next;
		int next_share = share;
		if (strcmp(name, "..") == 0) {
			char *slash = strrchr(path, '/');
			/* .. of a share's top: the synthetic root, or the root itself */
			if (share >= 0 && s->synthetic && strcmp(path, s->shares[share].top) == 0) {
				next_share = -1;
				next = strdup("");
			} else {
				next = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
			}
		} else if (!valid_name(name)) {
			free(name);
			break;
		} else if (share < 0) {
			next_share = share_named(s, name);
			next = next_share >= 0 ? strdup(s->shares[next_share].top) : NULL;
		} else {
			next = join(path, name);
		}
		free(name);
		if (next == NULL || stat_path(next_share >= 0 ? &s->shares[next_share] : NULL, next, &st) < 0) {
			free(next);
			break;
		}
		free(path);
		path = next;
		share = next_share;
		putqid(o, &st);
	}
	if (done < n && done == 0) {
		free(path);
		return -ENOENT;
	}
	memcpy(o->p + count_at, &done, 2);
	if (done == n) {
		if (newfid == fid) {
			free(f->path);
			f->path = path;
			f->share = share;
			path = NULL;
		} else if (fid_new(s, newfid, share, path) == NULL) {
			free(path);
			return -ENOMEM;
		}
	}
	free(path);
	return 0;
}

static int t_getattr(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	struct stat st;
	int r;

	if (f == NULL)
		return -EBADF;
	r = f->fd >= 0 ? (fstat(f->fd, &st) < 0 ? -errno : 0) : stat_path(share_of(s, f), f->path, &st);
	if (r < 0)
		return r;
	put64(o, 0x3fff); /* P9_GETATTR_BASIC */
	putqid(o, &st);
	put32(o, st.st_mode);
	put32(o, st.st_uid);
	put32(o, st.st_gid);
	put64(o, st.st_nlink);
	put64(o, st.st_rdev);
	put64(o, (uint64_t)st.st_size);
	put64(o, (uint64_t)st.st_blksize);
	put64(o, (uint64_t)st.st_blocks);
	put64(o, (uint64_t)st.st_atim.tv_sec);
	put64(o, (uint64_t)st.st_atim.tv_nsec);
	put64(o, (uint64_t)st.st_mtim.tv_sec);
	put64(o, (uint64_t)st.st_mtim.tv_nsec);
	put64(o, (uint64_t)st.st_ctim.tv_sec);
	put64(o, (uint64_t)st.st_ctim.tv_nsec);
	for (int i = 0; i < 4; i++)
		put64(o, 0); /* btime, gen, data_version */
	return 0;
}

/* A share that is NULL (the synthetic root) is read-only too. */
static int open_flags(const struct share *sh, uint32_t fl)
{
	int flags = (int)(fl & (O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_EXCL));
	if ((sh == NULL || sh->readonly) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	return flags | O_NOFOLLOW;
}

static int reply_open(struct p9 *s, struct fid *f, int fd, struct out *o)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	fid_close(f);
	f->fd = fd;
	putqid(o, &st);
	put32(o, s->msize - 24);
	return 0;
}

static int t_lopen(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	uint32_t fl = (uint32_t)get(m, 4);
	int flags, fd;

	if (f == NULL)
		return -EBADF;
	flags = open_flags(share_of(s, f), fl);
	if (flags < 0)
		return flags;
	if (f->share < 0) {
		struct stat st;
		synthetic_stat(&st);
		f->opened = true;
		putqid(o, &st);
		put32(o, s->msize - 24);
		return 0;
	}
	fd = open_in_root(share_of(s, f), f->path, flags, 0);
	if (fd < 0)
		return -errno;
	return reply_open(s, f, fd, o);
}

static int t_lcreate(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	char *name = gets_(m), *path;
	uint32_t fl = (uint32_t)get(m, 4);
	uint32_t mode = (uint32_t)get(m, 4);
	int flags, r;

	if (m->bad || f == NULL || name == NULL || !valid_name(name)) {
		free(name);
		return -EINVAL;
	}
	flags = open_flags(share_of(s, f), fl);
	if (flags < 0 || f->share < 0 || s->shares[f->share].readonly) {
		free(name);
		return -EROFS;
	}
	path = join(f->path, name);
	free(name);
	if (path == NULL)
		return -ENOMEM;
	int fd = open_in_root(share_of(s, f), path, flags | O_CREAT, mode & 07777);
	if (fd < 0) {
		free(path);
		return -errno;
	}
	r = reply_open(s, f, fd, o);
	free(f->path);
	f->path = path;
	return r;
}

static int t_read(struct p9 *s, struct msg *m, struct out *o, size_t room)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	uint64_t off = get(m, 8);
	uint32_t count = (uint32_t)get(m, 4);
	ssize_t n;

	if (f == NULL || f->fd < 0)
		return -EBADF;
	if (count > s->msize - 11)
		count = s->msize - 11;
	if (count > room)
		count = (uint32_t)room;
	n = pread(f->fd, o->p + o->len + 4, count, (off_t)off);
	if (n < 0)
		return -errno;
	put32(o, (uint32_t)n);
	o->len += (size_t)n;
	return 0;
}

static int t_write(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	uint64_t off = get(m, 8);
	uint32_t count = (uint32_t)get(m, 4);
	const void *data = take(m, count);
	ssize_t n;

	if (f == NULL || f->fd < 0)
		return -EBADF;
	if (data == NULL)
		return -EINVAL;
	if (s->shares[f->share].readonly) /* an fd means a share */
		return -EROFS;
	n = pwrite(f->fd, data, count, (off_t)off);
	if (n < 0)
		return -errno;
	put32(o, (uint32_t)n);
	return 0;
}

/* The synthetic root lists its shares; an entry's offset is its index + 1. */
static int readdir_synthetic(struct p9 *s, uint64_t off, uint32_t count, struct out *o)
{
	size_t start;

	put32(o, 0);
	start = o->len;
	for (uint64_t i = off; i < (uint64_t)s->nshares; i++) {
		char name[16];
		struct stat st;
		int nl = snprintf(name, sizeof(name), "%llu", (unsigned long long)i);
		if (o->len - start + 24 + (size_t)nl > count || stat_path(&s->shares[i], s->shares[i].top, &st) < 0)
			break;
		putqid(o, &st);
		put64(o, i + 1);
		put8(o, S_ISDIR(st.st_mode) ? DT_DIR : DT_REG);
		putstr(o, name);
	}
	uint32_t n = (uint32_t)(o->len - start);
	memcpy(o->p + start - 4, &n, 4);
	return 0;
}

static int t_readdir(struct p9 *s, struct msg *m, struct out *o, size_t room)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	uint64_t off = get(m, 8);
	uint32_t count = (uint32_t)get(m, 4);
	size_t start;
	struct dirent *de;

	if (f != NULL && f->opened)
		return readdir_synthetic(s, off, count < room ? count : (uint32_t)room, o);
	if (f == NULL || f->fd < 0)
		return -EBADF;
	if (f->dir == NULL) {
		int fd = dup(f->fd);
		if (fd < 0 || (f->dir = fdopendir(fd)) == NULL) {
			if (fd >= 0)
				close(fd);
			return -ENOTDIR;
		}
	}
	if (count > room)
		count = (uint32_t)room;
	if (off == 0)
		rewinddir(f->dir);
	else
		seekdir(f->dir, (long)off);
	put32(o, 0);
	start = o->len;
	for (;;) {
		long pos = telldir(f->dir);
		if ((de = readdir(f->dir)) == NULL)
			break;
		size_t nl = strlen(de->d_name);
		if (o->len - start + 24 + nl > count) {
			seekdir(f->dir, pos); /* not consumed: hand it out next time */
			break;
		}
		struct stat st = { .st_ino = de->d_ino,
				   .st_mode = de->d_type == DT_DIR ? S_IFDIR : de->d_type == DT_LNK ? S_IFLNK : S_IFREG };
		putqid(o, &st);
		put64(o, (uint64_t)telldir(f->dir));
		put8(o, de->d_type);
		putstr(o, de->d_name);
	}
	uint32_t n = (uint32_t)(o->len - start);
	memcpy(o->p + start - 4, &n, 4);
	return 0;
}

static int t_statfs(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	struct statfs sf = { .f_bsize = 4096 };

	if (f == NULL)
		return -EBADF;
	if (f->share >= 0 && fstatfs(s->shares[f->share].root, &sf) < 0)
		return -errno;
	put32(o, (uint32_t)sf.f_type);
	put32(o, (uint32_t)sf.f_bsize);
	put64(o, sf.f_blocks);
	put64(o, sf.f_bfree);
	put64(o, sf.f_bavail);
	put64(o, sf.f_files);
	put64(o, sf.f_ffree);
	put64(o, 0);
	put32(o, 255);
	return 0;
}

/* Operations on a name in the directory fid: mkdir, symlink, unlinkat. */
static int at_dir(struct p9 *s, struct fid *d, const char *name)
{
	if (d == NULL)
		return -EBADF;
	if (name == NULL || !valid_name(name))
		return -EINVAL;
	if (d->share < 0 || s->shares[d->share].readonly)
		return -EROFS;
	int fd = open_in_root(share_of(s, d), d->path, O_PATH | O_DIRECTORY, 0);
	return fd < 0 ? -errno : fd;
}

static int t_mkdir(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *d = fid_get(s, (uint32_t)get(m, 4));
	char *name = gets_(m);
	uint32_t mode = (uint32_t)get(m, 4);
	struct stat st;
	int dfd = at_dir(s, d, name), r = 0;

	if (dfd >= 0) {
		if (mkdirat(dfd, name, mode & 07777) < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else
			putqid(o, &st);
		close(dfd);
	} else {
		r = dfd;
	}
	free(name);
	return r;
}

static int t_symlink(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *d = fid_get(s, (uint32_t)get(m, 4));
	char *name = gets_(m), *target = gets_(m);
	struct stat st;
	int dfd = target ? at_dir(s, d, name) : -EINVAL, r = 0;

	if (dfd >= 0) {
		if (symlinkat(target, dfd, name) < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else
			putqid(o, &st);
		close(dfd);
	} else {
		r = dfd;
	}
	free(name);
	free(target);
	return r;
}

static int t_unlinkat(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *d = fid_get(s, (uint32_t)get(m, 4));
	char *name = gets_(m);
	uint32_t flags = (uint32_t)get(m, 4);
	int dfd = at_dir(s, d, name), r = 0;

	if (dfd >= 0) {
		if (unlinkat(dfd, name, (flags & AT_REMOVEDIR) ? AT_REMOVEDIR : 0) < 0)
			r = -errno;
		close(dfd);
	} else {
		r = dfd;
	}
	free(name);
	return r;
}

static int t_renameat(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *od = fid_get(s, (uint32_t)get(m, 4));
	char *oname = gets_(m);
	struct fid *nd = fid_get(s, (uint32_t)get(m, 4));
	char *nname = gets_(m);
	int ofd = at_dir(s, od, oname), nfd = ofd >= 0 ? at_dir(s, nd, nname) : -1, r = 0;

	if (ofd < 0)
		r = ofd;
	else if (nfd < 0)
		r = nfd;
	else if (od->share != nd->share)
		r = -EXDEV;
	else if (renameat(ofd, oname, nfd, nname) < 0)
		r = -errno;
	if (ofd >= 0)
		close(ofd);
	if (nfd >= 0)
		close(nfd);
	free(oname);
	free(nname);
	return r;
}

static int t_readlink(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	char buf[4096], *base = NULL;
	ssize_t n;
	int dfd;

	if (f == NULL)
		return -EBADF;
	if (f->share < 0)
		return -EINVAL;
	dfd = parent_at(share_of(s, f), f->path, &base);
	if (dfd < 0) {
		free(base);
		return -errno;
	}
	n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
	int e = errno;
	close(dfd);
	free(base);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	putstr(o, buf);
	return 0;
}

static int t_setattr(struct p9 *s, struct msg *m, struct out *o)
{
	struct fid *f = fid_get(s, (uint32_t)get(m, 4));
	uint32_t valid = (uint32_t)get(m, 4), mode = (uint32_t)get(m, 4), uid = (uint32_t)get(m, 4),
		 gid = (uint32_t)get(m, 4);
	uint64_t size = get(m, 8);
	struct timespec ts[2];
	ts[0].tv_sec = (time_t)get(m, 8), ts[0].tv_nsec = (long)get(m, 8);
	ts[1].tv_sec = (time_t)get(m, 8), ts[1].tv_nsec = (long)get(m, 8);
	char *base = NULL;
	int dfd, r = 0;

	if (f == NULL || m->bad)
		return -EBADF;
	if (f->share < 0 || s->shares[f->share].readonly)
		return -EROFS;
	dfd = parent_at(share_of(s, f), f->path, &base);
	if (dfd < 0) {
		free(base);
		return -errno;
	}
	/* Never through a symlink: its target is a host path (glibc refuses
	 * symlinks here with EOPNOTSUPP, and Linux has no symlink modes). */
	if ((valid & 1) && fchmodat(dfd, base, mode & 07777, AT_SYMLINK_NOFOLLOW) < 0 && errno != EOPNOTSUPP)
		r = -errno;
	if (r == 0 && (valid & 6) &&
	    fchownat(dfd, base, (valid & 2) ? uid : (uid_t)-1, (valid & 4) ? gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	if (r == 0 && (valid & 8)) {
		int fd = f->fd >= 0 ? f->fd : openat(dfd, base, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
			r = -errno;
		if (fd >= 0 && fd != f->fd)
			close(fd);
	}
	if (r == 0 && (valid & 0x30)) {
		if (!(valid & 0x10))
			ts[0].tv_nsec = UTIME_OMIT;
		else if (!(valid & 0x80))
			ts[0].tv_nsec = UTIME_NOW;
		if (!(valid & 0x20))
			ts[1].tv_nsec = UTIME_OMIT;
		else if (!(valid & 0x100))
			ts[1].tv_nsec = UTIME_NOW;
		if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	}
	close(dfd);
	free(base);
	return r;
}

static int t_version(struct p9 *s, struct msg *m, struct out *o)
{
	uint32_t msize = (uint32_t)get(m, 4);
	char *v = gets_(m);

	if (v == NULL)
		return -EINVAL;
	while (s->fids != NULL)
		fid_del(s, s->fids->id);
	s->msize = msize < MSIZE ? msize : MSIZE;
	if (s->msize < 4096)
		s->msize = 4096;
	put32(o, s->msize);
	putstr(o, strcmp(v, "9P2000.L") == 0 ? "9P2000.L" : "unknown");
	free(v);
	return 0;
}

static int t_attach(struct p9 *s, struct msg *m, struct out *o)
{
	uint32_t fid = (uint32_t)get(m, 4);
	struct stat st;

	if (s->synthetic)
		synthetic_stat(&st);
	else if (fstat(s->shares[0].root, &st) < 0)
		return -errno;
	if (fid_new(s, fid, s->synthetic ? -1 : 0, "") == NULL)
		return -EEXIST;
	putqid(o, &st);
	return 0;
}

static size_t handle(struct p9 *s, size_t len, size_t room)
{
	struct msg m = { .p = s->req, .len = len, .off = 7 };
	struct out o = { .p = s->resp, .len = 7, .cap = room };
	uint8_t type = s->req[4];
	uint16_t tag;
	int r;

	memcpy(&tag, s->req + 5, 2);
	switch (type) {
	case Tversion: r = t_version(s, &m, &o); break;
	case Tattach: r = t_attach(s, &m, &o); break;
	case Twalk: r = t_walk(s, &m, &o); break;
	case Tgetattr: r = t_getattr(s, &m, &o); break;
	case Tlopen: r = t_lopen(s, &m, &o); break;
	case Tlcreate: r = t_lcreate(s, &m, &o); break;
	case Tread: r = t_read(s, &m, &o, room > 11 ? room - 11 : 0); break;
	case Twrite: r = t_write(s, &m, &o); break;
	case Treaddir: r = t_readdir(s, &m, &o, room > 11 ? room - 11 : 0); break;
	case Tstatfs: r = t_statfs(s, &m, &o); break;
	case Tmkdir: r = t_mkdir(s, &m, &o); break;
	case Tsymlink: r = t_symlink(s, &m, &o); break;
	case Tunlinkat: r = t_unlinkat(s, &m, &o); break;
	case Trenameat: r = t_renameat(s, &m, &o); break;
	case Treadlink: r = t_readlink(s, &m, &o); break;
	case Tsetattr: r = t_setattr(s, &m, &o); break;
	case Tfsync: {
		struct fid *f = fid_get(s, (uint32_t)get(&m, 4));
		r = f == NULL || f->fd < 0 ? -EBADF : fsync(f->fd) < 0 ? -errno : 0;
		break;
	}
	case Tflush: r = 0; break;
	case Tclunk: {
		uint32_t id = (uint32_t)get(&m, 4);
		r = fid_get(s, id) == NULL ? -EBADF : 0;
		fid_del(s, id);
		break;
	}
	default: r = -EOPNOTSUPP; break;
	}
	if (r == 0 && (m.bad || o.len > o.cap))
		r = m.bad ? -EINVAL : -EMSGSIZE;
	if (r < 0) {
		o.len = 7;
		put32(&o, (uint32_t)-r);
		type = Rlerror - 1;
	}
	uint32_t total = (uint32_t)o.len;
	memcpy(s->resp, &total, 4);
	s->resp[4] = type + 1;
	memcpy(s->resp + 5, &tag, 2);
	return o.len;
}

static void p9_notify(struct virtio_dev *d, int q)
{
	struct p9 *s = d->priv;
	struct vq_chain ch;
	const char *why;
	int r, used = 0;

	while ((r = vq_pop(d->mem, &d->vq[0], &ch, &why)) > 0) {
		size_t len = iov_to_buf(ch.out, ch.nout, 0, s->req, sizeof(s->req));
		size_t room = ch.in_len < sizeof(s->resp) ? (size_t)ch.in_len : sizeof(s->resp);
		uint32_t size = 0;
		size_t n = 0;
		if (len >= 7)
			memcpy(&size, s->req, 4);
		/* A message must say its own size truly, and leave room for an error reply. */
		if (len >= 7 && size == len && room >= 11)
			n = iov_from_buf(ch.in, ch.nin, 0, s->resp, handle(s, len, room));
		vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)n);
		used = 1;
	}
	if (r < 0)
		virtio_fail(d, why);
	if (used)
		virtio_signal_used(d);
}

static void p9_reset(struct virtio_dev *d)
{
	struct p9 *s = d->priv;
	while (s->fids != NULL)
		fid_del(s, s->fids->id);
}

static void free_shares(struct p9 *s)
{
	for (int i = 0; i < s->nshares; i++) {
		close(s->shares[i].root);
		free(s->shares[i].top);
	}
	free(s->shares);
}

static void p9_free(struct virtio_dev *d)
{
	struct p9 *s = d->priv;
	p9_reset(d);
	free_shares(s);
	free(s);
}

static const struct virtio_ops p9_ops = {
	.name = "9p",
	.device_id = VIRTIO_ID_9P,
	.features = 1, /* VIRTIO_9P_MOUNT_TAG */
	.nqueues = 1,
	.notify = p9_notify,
	.reset = p9_reset,
	.free = p9_free,
};

/* A directory is its own root; a file (only under the synthetic root) is
 * reached through its directory, by its name alone. */
static int share_open(struct share *sh, const struct virtio_9p_share *want, bool synthetic, struct mew_error **err)
{
	struct stat st;
	const char *slash;
	char *dir;

	sh->readonly = want->readonly;
	if (stat(want->host, &st) < 0)
		return mew_error(err, errno, "9p share `%s`", want->host);
	if (S_ISDIR(st.st_mode) || !synthetic) {
		sh->root = open(want->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		sh->top = strdup("");
	} else {
		slash = strrchr(want->host, '/');
		dir = slash == NULL ? strdup(".") : slash == want->host ? strdup("/") : strndup(want->host, (size_t)(slash - want->host));
		sh->root = dir != NULL ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
		sh->top = strdup(slash ? slash + 1 : want->host);
		free(dir);
		if (sh->top != NULL && !valid_name(sh->top)) {
			free(sh->top);
			sh->top = NULL;
			errno = EINVAL;
		}
	}
	if (sh->root < 0 || sh->top == NULL) {
		int e = errno;
		if (sh->root >= 0)
			close(sh->root);
		free(sh->top);
		return mew_error(err, e, "9p share `%s`", want->host);
	}
	return 0;
}

static struct virtio_dev *p9_new(const struct gmem *mem, const struct virtio_9p_share *shares, int n,
			       bool synthetic, const char *tag, virtio_irq_fn irq, void *opaque,
			       struct mew_error **err)
{
	struct p9 *s;
	size_t tl = strlen(tag);

	if (tl > 64)
		return mew_error(err, 0, "virtio-9p: tag `%s` is too long", tag), NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (n > 0 && (s->shares = calloc((size_t)n, sizeof(*s->shares))) == NULL)) {
		free(s);
		return mew_error(err, ENOMEM, "virtio-9p"), NULL;
	}
	for (; s->nshares < n; s->nshares++) {
		if (share_open(&s->shares[s->nshares], &shares[s->nshares], synthetic, err) < 0) {
			free_shares(s);
			free(s);
			return NULL;
		}
	}
	virtio_dev_init(&s->dev, &p9_ops, s, mem, irq, opaque);
	s->synthetic = synthetic;
	s->msize = 8192;
	uint16_t tn = (uint16_t)tl;
	memcpy(s->dev.config, &tn, 2);
	memcpy(s->dev.config + 2, tag, tl);
	s->dev.config_len = (uint32_t)(2 + tl);
	return &s->dev;
}

struct virtio_dev *virtio_9p_new(const struct gmem *mem, const char *root, const char *tag, int readonly,
				 virtio_irq_fn irq, void *opaque, struct mew_error **err)
{
	const struct virtio_9p_share one = { root, readonly };
	return p9_new(mem, &one, 1, false, tag, irq, opaque, err);
}

struct virtio_dev *virtio_9p_new_shares(const struct gmem *mem, const struct virtio_9p_share *shares, int n,
					const char *tag, virtio_irq_fn irq, void *opaque, struct mew_error **err)
{
	return p9_new(mem, shares, n, true, tag, irq, opaque, err);
}
