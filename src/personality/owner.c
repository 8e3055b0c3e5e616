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
 * by device, inode and birth time), where it has such a table.
 *
 * Set-id bits: the host kernel drops S_ISUID and S_ISGID from mew's files
 * on each write and truncate (mew has no CAP_FSETID) and S_ISGID on a
 * chmod where mew is not in the file's group, where the guest's root
 * keeps them.  The bits the guest sees are kept in the same record
 * ("uid:gid:MODE") where the host does not hold them, or would drop them
 * on a write by a caller that may keep them (pers_setid_keep); stat
 * shows them in place of the host's.  Writes go straight to the host, so
 * the rule is applied when the write is seen coming, at the open for
 * writing or the truncate (pers_setid_write): a caller with CAP_FSETID
 * has the bits kept; one without has them handed to the host, whose
 * write then drops them as Linux drops them.  Not exact: a write through
 * an fd opened before the bits were recorded, or by another process than
 * the one that opened it, is judged by the opener's credentials.  Run as
 * root, mew's host keeps every bit, also where the guest's caller has no
 * CAP_FSETID: those are dropped at the open for writing, not at the first
 * write (an open that never writes drops them too). */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

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

/* The record of host (a regular file or directory of mode): true with
 * its fields; uid, gid and bits left as they are without one. */
static bool read_record(const char *host, bool follow, mode_t mode, uid_t *uid, gid_t *gid, int *bits)
{
	char v[32];
	struct record rec = { follow, v, sizeof(v), -1 };
	uint32_t u, g;
	long b;

	granted(host, mode, S_IRUSR, get_record, &rec);
	if (rec.n <= 0 || pers_owner_record_parse(v, rec.n, &u, &g, &b) < 0)
		return false;
	*uid = u, *gid = g, *bits = (int)b;
	return true;
}

/* Record uid:gid, and bits unless -1, on host (a regular file or
 * directory, st its host stat); what the default view shows (below) is
 * no record.  A file the caller may not write the attributes of (not
 * its own) or a filesystem without user attributes: unrecorded. */
static int write_record(const struct pers *p, const char *host, bool follow, const struct stat *st, uid_t uid,
			gid_t gid, int bits)
{
	char v[40];
	int n;

	if (bits < 0 && (st->st_uid == p->host_uid ? 0 : st->st_uid) == uid &&
	    (st->st_gid == p->host_gid ? 0 : st->st_gid) == gid) {
		int r = granted(host, st->st_mode, S_IWUSR, remove_record, &follow);
		return r < 0 && errno != ENODATA && errno != ENOTSUP && errno != EPERM ? -errno : 0;
	}
	n = bits < 0 ? snprintf(v, sizeof(v), "%u:%u", (unsigned)uid, (unsigned)gid)
		     : snprintf(v, sizeof(v), "%u:%u:%o", (unsigned)uid, (unsigned)gid, (unsigned)bits);
	if (granted(host, st->st_mode, S_IWUSR, set_record, &(struct record){ follow, v, (size_t)n, 0 }) < 0) {
		if (errno == EPERM || errno == EACCES || errno == ENOTSUP)
			return 0;
		return -errno;
	}
	return 0;
}

bool pers_owners_real(const struct pers *p)
{
	return !p->fake_root || p->host_uid == 0;
}

void pers_owner_view(const struct pers *p, const char *host, bool follow, struct stat *st)
{
	/* only mew's own files (the ones it could record on) change; the
	 * stub's stat (src/trap/guest/query.c) keeps the same rule */
	if (pers_owners_real(p) || st->st_uid != p->host_uid)
		return;
	st->st_uid = 0;
	if (st->st_gid == p->host_gid)
		st->st_gid = 0;
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
		int bits = -1;
		read_record(host, follow, st->st_mode, &st->st_uid, &st->st_gid, &bits);
		if (bits >= 0)
			st->st_mode = (st->st_mode & ~(mode_t)07000) | (mode_t)bits;
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
	uid_t u;
	gid_t g;
	int bits = -1;

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
	if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISLNK(st.st_mode)) {
		/* the default view needs no record */
		if ((st.st_uid == p->host_uid ? 0 : st.st_uid) == uid &&
		    (st.st_gid == p->host_gid ? 0 : st.st_gid) == gid)
			keep(p, host, follow, (uid_t)-1, (gid_t)-1);
		else
			return keep(p, host, follow, uid, gid);
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0; /* not recordable: the guest's chown succeeds unrecorded */
	/* the set-id bits kept stay kept */
	read_record(host, follow, st.st_mode, &u, &g, &bits);
	return write_record(p, host, follow, &st, uid, gid, bits);
}

/* The owner and group the guest sees of mew's own file host (st its host
 * stat), with its record's bits (-1: none). */
static void seen(const struct pers *p, const char *host, bool follow, const struct stat *st, uid_t *uid, gid_t *gid,
		 int *bits)
{
	*uid = 0;
	*gid = st->st_gid == p->host_gid ? 0 : st->st_gid;
	*bits = -1;
	read_record(host, follow, st->st_mode, uid, gid, bits);
}

/* Mew's own regular file or directory (where the record is), as the host
 * has it: 0, else -1. */
static int own_file(const struct pers *p, const char *host, bool follow, struct stat *st)
{
	if (pers_owners_real(p) || (follow ? stat(host, st) : lstat(host, st)) < 0 || st->st_uid != p->host_uid ||
	    !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		return -1;
	return 0;
}

int pers_setid_keep(const struct pers *p, const struct pers_cred *c, const char *host, bool follow, mode_t bits)
{
	struct stat st;
	uid_t uid;
	gid_t gid;
	int old, now;

	if (own_file(p, host, follow, &st) < 0)
		return 0;
	bits &= 07000;
	/* what the host does not hold, or a write by mew would drop where
	 * the caller may keep it */
	now = -1;
	if ((st.st_mode & 07000) != bits || (S_ISREG(st.st_mode) && (bits & 06000) && pers_cred_capable(c, CAP_FSETID)))
		now = (int)bits;
	seen(p, host, follow, &st, &uid, &gid, &old);
	return old == now ? 0 : write_record(p, host, follow, &st, uid, gid, now);
}

void pers_setid_write(const struct pers *p, const struct pers_cred *c, const char *host, bool follow, bool truncate)
{
	struct stat st;
	uid_t uid;
	gid_t gid;
	int kept;
	mode_t bits, drop;

	if (p->fake_root && pers_owners_real(p)) {
		/* mew runs as root, with the CAP_FSETID the guest may lack:
		 * the host keeps every bit, and the drop is made here */
		if (!pers_cred_capable(c, CAP_FSETID) && (follow ? stat(host, &st) : lstat(host, &st)) == 0 &&
		    (bits = (mode_t)pers_cred_setid_dropped(c, st.st_mode, st.st_gid)) != 0)
			chmod(host, st.st_mode & 07777 & ~bits);
		return;
	}
	if (own_file(p, host, follow, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	seen(p, host, follow, &st, &uid, &gid, &kept);
	bits = kept >= 0 ? (mode_t)kept : st.st_mode & 07000;
	if (!(bits & 06000))
		return;
	if (pers_cred_capable(c, CAP_FSETID)) {
		if (kept < 0)
			write_record(p, host, follow, &st, uid, gid, (int)bits);
		return;
	}
	/* handed to the host, whose write drops them as Linux drops them for
	 * a caller without CAP_FSETID; a truncate drops them now, and so
	 * does an open the bits the host would not take */
	drop = (mode_t)pers_cred_setid_dropped(c, (st.st_mode & ~(mode_t)07000) | bits, gid);
	if (truncate)
		bits &= ~drop;
	if ((st.st_mode & 07000) != bits && (chmod(host, (st.st_mode & 0777) | bits) < 0 || stat(host, &st) < 0))
		return;
	if ((st.st_mode & 07000) != bits)
		bits &= ~drop;
	pers_setid_keep(p, c, host, follow, bits);
}

void pers_owner_view_statx(const struct pers *p, const char *host, bool follow, struct statx *sx)
{
	struct stat st;

	if (!(sx->stx_mask & (STATX_UID | STATX_GID | STATX_MODE)))
		return;
	st.st_mode = sx->stx_mode;
	st.st_uid = sx->stx_uid;
	st.st_gid = sx->stx_gid;
	pers_owner_view(p, host, follow, &st);
	if (sx->stx_mask & STATX_UID)
		sx->stx_uid = st.st_uid;
	if (sx->stx_mask & STATX_GID)
		sx->stx_gid = st.st_gid;
	if (sx->stx_mask & STATX_MODE)
		sx->stx_mode = (uint16_t)st.st_mode;
}
