/* Who owns a file, as the guest sees it.
 *
 * Run as root, mew's chown is real and a file's owner is its own.  Run as
 * an ordinary user, mew cannot give a file away, so the owner the guest
 * asked for is recorded on the file (PERS_OWNER_XATTR, "uid:gid", the way
 * fakeroot keeps a database) and answered by stat; without a record, the
 * caller's own files show as root's (as under PRoot -0: the fake root owns
 * what it made, so `git status` sees no "dubious ownership") and every
 * other file shows its real owner.  Records count only on the caller's own
 * files (the only ones it can write them on), and not when mew runs as
 * root.  Sockets, FIFOs and symlinks cannot carry a user.* attribute: the
 * owner given to one is kept by the engine for the run (p->owners, keyed
 * by device, inode and birth time), where it has such a table. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int parse(const char *v, ssize_t n, uid_t *uid, gid_t *gid)
{
	char buf[32];
	unsigned u, g;
	if (n <= 0 || n >= (ssize_t)sizeof(buf))
		return -1;
	memcpy(buf, v, (size_t)n);
	buf[n] = 0;
	if (sscanf(buf, "%u:%u", &u, &g) != 2)
		return -1;
	*uid = u;
	*gid = g;
	return 0;
}

/* A user.* attribute is read with read permission and written with write
 * permission on the file, which mew, its owner, may have taken from itself
 * for the guest (chmod 0222, mkdir 0444): given back for the one call.
 * Only regular files and directories carry the record, so host is never a
 * symlink here and chmod names the same file as the call. */
static int granted(const char *host, mode_t mode, mode_t need, int (*call)(const char *host, void *arg),
		   void *arg)
{
	int r = call(host, arg);

	if (r < 0 && errno == EACCES && (mode & need) != need && chmod(host, (mode & 07777) | need) == 0) {
		r = call(host, arg);
		int e = errno;
		chmod(host, mode & 07777);
		errno = e;
	}
	return r;
}

struct record {
	bool follow;
	char *v;
	size_t len;
	ssize_t n;
};

static int get_record(const char *host, void *arg)
{
	struct record *rec = arg;

	rec->n = rec->follow ? getxattr(host, PERS_OWNER_XATTR, rec->v, rec->len)
			     : lgetxattr(host, PERS_OWNER_XATTR, rec->v, rec->len);
	return rec->n < 0 ? -1 : 0;
}

static int set_record(const char *host, void *arg)
{
	struct record *rec = arg;

	return rec->follow ? setxattr(host, PERS_OWNER_XATTR, rec->v, rec->len, 0)
			   : lsetxattr(host, PERS_OWNER_XATTR, rec->v, rec->len, 0);
}

/* The owners of the objects no attribute can be put on, this run's. */
struct owner_rec {
	dev_t dev;
	ino_t ino;
	struct statx_timestamp born; /* an inode number used again is another object */
	uid_t uid;
	gid_t gid;
};

struct pers_owners {
	pthread_mutex_t lock;
	struct owner_rec *v;
	size_t n, cap;
	/* pers_owners_publish's table */
	uint32_t *shown_n, shown_cap;
	uint64_t (*shown)[2];
};

struct pers_owners *pers_owners_new(void)
{
	struct pers_owners *o = calloc(1, sizeof(*o));

	if (o != NULL)
		pthread_mutex_init(&o->lock, NULL);
	return o;
}

/* Put r's (dev, ino) in the published table (o->lock held: the only
 * writer; the readers see the key before the count that covers it). */
static void publish(struct pers_owners *o, const struct owner_rec *r)
{
	uint32_t n, i;

	if (o->shown_n == NULL)
		return;
	n = *o->shown_n;
	if (n > o->shown_cap)
		return;
	for (i = 0; i < n; i++)
		if (o->shown[i][0] == (uint64_t)r->dev && o->shown[i][1] == (uint64_t)r->ino)
			return;
	if (n < o->shown_cap) {
		o->shown[n][0] = (uint64_t)r->dev;
		o->shown[n][1] = (uint64_t)r->ino;
	}
	__atomic_store_n(o->shown_n, n + 1, __ATOMIC_RELEASE);
}

void pers_owners_publish(struct pers_owners *o, uint32_t *n, uint64_t (*keys)[2], uint32_t cap)
{
	if (o == NULL)
		return;
	pthread_mutex_lock(&o->lock);
	o->shown_n = n, o->shown = keys, o->shown_cap = cap;
	if (n != NULL) {
		__atomic_store_n(n, 0, __ATOMIC_RELEASE);
		for (size_t i = 0; i < o->n; i++)
			publish(o, &o->v[i]);
	}
	pthread_mutex_unlock(&o->lock);
}

void pers_owners_free(struct pers_owners *o)
{
	if (o == NULL)
		return;
	free(o->v);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static int born(const char *host, bool follow, struct statx *sx)
{
	return statx(AT_FDCWD, host, follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, sx);
}

static bool same(const struct owner_rec *r, const struct statx *sx)
{
	return r->dev == makedev(sx->stx_dev_major, sx->stx_dev_minor) && r->ino == sx->stx_ino &&
	       r->born.tv_sec == sx->stx_btime.tv_sec && r->born.tv_nsec == sx->stx_btime.tv_nsec;
}

/* Keep (uid, gid) for host; (-1, -1): forget it.  0 or -errno. */
static int keep(const struct pers *p, const char *host, bool follow, uid_t uid, gid_t gid)
{
	struct pers_owners *o = p->owners;
	struct statx sx;
	size_t i;

	if (o == NULL)
		return 0; /* not recordable: the guest's chown succeeds unrecorded */
	if (born(host, follow, &sx) < 0)
		return -errno;
	pthread_mutex_lock(&o->lock);
	for (i = 0; i < o->n && !same(&o->v[i], &sx); i++)
		;
	if (uid == (uid_t)-1) {
		if (i < o->n)
			o->v[i] = o->v[--o->n];
	} else {
		if (i == o->n && o->n == o->cap) {
			size_t cap = o->cap ? 2 * o->cap : 16;
			struct owner_rec *v = realloc(o->v, cap * sizeof(*v));
			if (v == NULL) {
				pthread_mutex_unlock(&o->lock);
				return -ENOMEM;
			}
			o->v = v, o->cap = cap;
		}
		if (i == o->n)
			o->n++;
		o->v[i] = (struct owner_rec){ makedev(sx.stx_dev_major, sx.stx_dev_minor), sx.stx_ino, sx.stx_btime,
					      uid, gid };
		publish(o, &o->v[i]);
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static bool kept(const struct pers *p, const char *host, bool follow, struct stat *st)
{
	struct pers_owners *o = p->owners;
	struct statx sx;
	bool found = false;

	if (o == NULL || born(host, follow, &sx) < 0)
		return false;
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < o->n && !found; i++) {
		if (same(&o->v[i], &sx)) {
			st->st_uid = o->v[i].uid;
			st->st_gid = o->v[i].gid;
			found = true;
		}
	}
	pthread_mutex_unlock(&o->lock);
	return found;
}

static int remove_record(const char *host, void *arg)
{
	return *(bool *)arg ? removexattr(host, PERS_OWNER_XATTR) : lremovexattr(host, PERS_OWNER_XATTR);
}

bool pers_owners_real(const struct pers *p)
{
	return !p->fake_root || p->host_uid == 0;
}

void pers_owner_view(const struct pers *p, const char *host, bool follow, struct stat *st)
{
	char v[32];
	ssize_t n;

	/* only mew's own files (the ones it could record on) change; the
	 * stub's stat (src/trap/guest/query.c) keeps the same rule */
	if (pers_owners_real(p) || st->st_uid != p->host_uid)
		return;
	st->st_uid = 0;
	if (st->st_gid == p->host_gid)
		st->st_gid = 0;
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
		struct record rec = { follow, v, sizeof(v), -1 };
		granted(host, st->st_mode, S_IRUSR, get_record, &rec);
		n = rec.n;
		if (n > 0)
			parse(v, n, &st->st_uid, &st->st_gid);
	} else if (S_ISSOCK(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISLNK(st->st_mode)) {
		kept(p, host, follow, st);
	}
}

int pers_owner_stat(const struct pers *p, const char *host, bool follow, struct stat *st)
{
	if ((follow ? stat(host, st) : lstat(host, st)) < 0)
		return -errno;
	pers_owner_view(p, host, follow, st);
	return 0;
}

int pers_owner_set(const struct pers *p, const char *host, bool follow, uid_t uid, gid_t gid)
{
	struct stat st;
	char v[32];
	int n;

	if (pers_owners_real(p)) {
		if ((follow ? chown(host, uid, gid) : lchown(host, uid, gid)) < 0)
			return -errno;
		if (follow)
			removexattr(host, PERS_OWNER_XATTR);
		else
			lremovexattr(host, PERS_OWNER_XATTR);
		return 0;
	}
	if ((follow ? stat(host, &st) : lstat(host, &st)) < 0)
		return -errno;
	/* the default view needs no record */
	if ((st.st_uid == p->host_uid ? 0 : st.st_uid) == uid &&
	    (st.st_gid == p->host_gid ? 0 : st.st_gid) == gid) {
		int r = S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? granted(host, st.st_mode, S_IWUSR, remove_record, &follow)
								   : keep(p, host, follow, (uid_t)-1, (gid_t)-1);
		return r < 0 && errno != ENODATA && errno != ENOTSUP && errno != EPERM ? -errno : 0;
	}
	if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISLNK(st.st_mode))
		return keep(p, host, follow, uid, gid);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0; /* not recordable: the guest's chown succeeds unrecorded */
	n = snprintf(v, sizeof(v), "%u:%u", (unsigned)uid, (unsigned)gid);
	if (granted(host, st.st_mode, S_IWUSR, set_record, &(struct record){ follow, v, (size_t)n, 0 }) < 0) {
		/* a file the caller may not write the attributes of (not its own)
		 * or a filesystem without user attributes: unrecorded */
		if (errno == EPERM || errno == EACCES || errno == ENOTSUP)
			return 0;
		return -errno;
	}
	return 0;
}
