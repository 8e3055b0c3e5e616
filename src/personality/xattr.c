/* Extended attributes as Linux answers them to the guest's credentials.
 *
 * trusted.* and security.* (but security.capability) are CAP_SYS_ADMIN's
 * (xattr_permission, cap_inode_setxattr): a caller without it may not set
 * or remove them, nor read or list trusted.* (ENODATA; a list leaves them
 * out), while security.* reads stay everyone's.  The guest's root holds
 * CAP_SYS_ADMIN in the model (PERS_CAP_EMULATED), which the host refuses
 * mew's process: its names are kept under mew's own, PERS_XATTR_HIDDEN
 * followed by the name, on the host file ("user.mew.x.trusted.a"), and
 * answered back under their real names, with the kernel's sizes and
 * answers (ERANGE, E2BIG, ENODATA, XATTR_CREATE's EEXIST, XATTR_REPLACE's
 * ENODATA: the host's for the stored name).  Symlinks, device nodes,
 * FIFOs and sockets cannot carry a user.* name: theirs are kept for the
 * run in p->xattrs, keyed by device, inode and birth time as the owners
 * are (owner.c); an engine without that table (emulate) says EOPNOTSUPP
 * to a set there, as a filesystem without the namespace would.
 *
 * As root too the guest's names are stored as mew's, not as the real
 * ones, although mew's own process could write those: the host's trusted.*
 * and security.* mean something to the host (overlayfs keeps its
 * whiteouts and redirects in trusted.overlay.*, IMA, EVM and SELinux read
 * security.*), which the wall keeps from the guest (src/wall/caps.c); so
 * the host's own trusted.* names are not shown either (a process without
 * CAP_SYS_ADMIN never sees them), and its security.* names are read as
 * Linux lets anyone read them, after the guest's own.
 *
 * Not exact: a name longer than 244 bytes does not fit behind the prefix
 * (ERANGE for a set, ENODATA for a get); the run's table is this run's. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TRUSTED "trusted."

bool pers_xattr_needs_admin(const char *name)
{
	return strncmp(name, TRUSTED, 8) == 0 ||
	       (strncmp(name, "security.", 9) == 0 && strcmp(name, "security.capability") != 0);
}

/* ---- the host's calls, on a path (follow: its last symlink) ---- */

static long h_get(const char *h, bool follow, const char *name, void *v, size_t size)
{
	ssize_t r = follow ? getxattr(h, name, v, size) : lgetxattr(h, name, v, size);
	return r < 0 ? -errno : r;
}

static long h_set(const char *h, bool follow, const char *name, const void *v, size_t size, int flags)
{
	int r = follow ? setxattr(h, name, v, size, flags) : lsetxattr(h, name, v, size, flags);
	return r < 0 ? -errno : 0;
}

static long h_remove(const char *h, bool follow, const char *name)
{
	int r = follow ? removexattr(h, name) : lremovexattr(h, name);
	return r < 0 ? -errno : 0;
}

/* The host's list of h, whole, in a buffer of the caller's to free. */
static long h_list(const char *h, bool follow, char **out)
{
	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = follow ? listxattr(h, NULL, 0) : llistxattr(h, NULL, 0), m;
		char *v;
		if (n < 0)
			return -errno;
		if ((v = malloc((size_t)n + 1)) == NULL)
			return -ENOMEM;
		m = n == 0 ? 0 : follow ? listxattr(h, v, (size_t)n) : llistxattr(h, v, (size_t)n);
		if (m >= 0) {
			*out = v;
			return m;
		}
		free(v);
		if (errno != ERANGE) /* ERANGE: it grew meanwhile */
			return -errno;
	}
	return -ERANGE;
}

/* ---- the run's table, for what cannot carry a user.* name ---- */

struct kept {
	dev_t dev;
	ino_t ino;
	struct statx_timestamp born; /* an inode number used again is another object */
	char name[XATTR_NAME_MAX + 1];
	size_t size;
	char *value;
};

struct pers_xattrs {
	pthread_mutex_t lock;
	struct kept *v;
	size_t n, cap;
};

struct pers_xattrs *pers_xattrs_new(void)
{
	struct pers_xattrs *x = calloc(1, sizeof(*x));

	if (x != NULL)
		pthread_mutex_init(&x->lock, NULL);
	return x;
}

void pers_xattrs_free(struct pers_xattrs *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].value);
	free(x->v);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

static bool same(const struct kept *k, const struct statx *sx)
{
	return k->dev == makedev(sx->stx_dev_major, sx->stx_dev_minor) && k->ino == sx->stx_ino &&
	       k->born.tv_sec == sx->stx_btime.tv_sec && k->born.tv_nsec == sx->stx_btime.tv_nsec;
}

/* The entry of name on sx's object (x->lock held), or x->n. */
static size_t find(const struct pers_xattrs *x, const struct statx *sx, const char *name)
{
	size_t i;

	for (i = 0; i < x->n && !(same(&x->v[i], sx) && strcmp(x->v[i].name, name) == 0); i++)
		;
	return i;
}

static long kept_get(struct pers_xattrs *x, const struct statx *sx, const char *name, void *v, size_t size)
{
	size_t i;
	long r;

	pthread_mutex_lock(&x->lock);
	i = find(x, sx, name);
	if (i == x->n)
		r = -ENODATA;
	else if (size == 0)
		r = (long)x->v[i].size;
	else if (size < x->v[i].size)
		r = -ERANGE;
	else
		memcpy(v, x->v[i].value, x->v[i].size), r = (long)x->v[i].size;
	pthread_mutex_unlock(&x->lock);
	return r;
}

static long kept_set(struct pers_xattrs *x, const struct statx *sx, const char *name, const void *v, size_t size,
		     int flags)
{
	char *copy = malloc(size + 1);
	size_t i;
	long r = 0;

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, v, size);
	pthread_mutex_lock(&x->lock);
	i = find(x, sx, name);
	if (i < x->n && (flags & XATTR_CREATE))
		r = -EEXIST;
	else if (i == x->n && (flags & XATTR_REPLACE))
		r = -ENODATA;
	else if (i == x->n && x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;
		struct kept *nv = realloc(x->v, cap * sizeof(*nv));
		if (nv == NULL)
			r = -ENOMEM;
		else
			x->v = nv, x->cap = cap;
	}
	if (r == 0) {
		if (i == x->n) {
			x->v[x->n++] = (struct kept){ makedev(sx->stx_dev_major, sx->stx_dev_minor), sx->stx_ino,
						      sx->stx_btime, "", 0, NULL };
			snprintf(x->v[i].name, sizeof(x->v[i].name), "%s", name);
		}
		free(x->v[i].value);
		x->v[i].value = copy, x->v[i].size = size;
		copy = NULL;
	}
	pthread_mutex_unlock(&x->lock);
	free(copy);
	return r;
}

static long kept_remove(struct pers_xattrs *x, const struct statx *sx, const char *name)
{
	size_t i;
	long r = 0;

	pthread_mutex_lock(&x->lock);
	i = find(x, sx, name);
	if (i == x->n) {
		r = -ENODATA;
	} else {
		free(x->v[i].value);
		x->v[i] = x->v[--x->n];
	}
	pthread_mutex_unlock(&x->lock);
	return r;
}

/* ---- the rules ---- */

/* The name the guest's admin name is stored under. */
static int hidden(const char *name, char out[XATTR_NAME_MAX + 1])
{
	int n = snprintf(out, XATTR_NAME_MAX + 1, PERS_XATTR_HIDDEN "%s", name);
	return n < 0 || n > XATTR_NAME_MAX ? -ERANGE : 0;
}

/* Does the caller see name in a list? mew's own names not (but those it
 * keeps for the guest, under their real names: *real), the host's
 * trusted.* not, the guest's trusted.* only with CAP_SYS_ADMIN. */
static bool listed(const char *name, bool admin, const char **real)
{
	*real = name;
	if (strncmp(name, PERS_XATTR_HIDDEN, sizeof(PERS_XATTR_HIDDEN) - 1) == 0)
		*real = name + sizeof(PERS_XATTR_HIDDEN) - 1;
	else if (pers_xattr_mews(name) || strncmp(name, TRUSTED, 8) == 0)
		return false;
	return admin || strncmp(*real, TRUSTED, 8) != 0;
}

static long list(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
		 const struct statx *sx, bool carries, char *out, size_t size)
{
	bool admin = pers_cred_capable(c, CAP_SYS_ADMIN);
	struct pers_xattrs *x = p->xattrs;
	char *names = NULL, *view;
	const char *real;
	long n = h_list(host, follow, &names), len = 0, more = 0;

	if (n < 0)
		return n;
	if (!carries && x != NULL) {
		pthread_mutex_lock(&x->lock);
		for (size_t i = 0; i < x->n; i++)
			if (same(&x->v[i], sx))
				more += (long)strlen(x->v[i].name) + 1;
	}
	view = malloc((size_t)(n + more) + 1);
	if (view != NULL) {
		for (long at = 0; at < n; at += (long)strnlen(names + at, (size_t)(n - at)) + 1)
			if (listed(names + at, admin, &real))
				len += sprintf(view + len, "%s", real) + 1;
		for (size_t i = 0; !carries && x != NULL && i < x->n; i++)
			if (same(&x->v[i], sx) && (admin || strncmp(x->v[i].name, TRUSTED, 8) != 0))
				len += sprintf(view + len, "%s", x->v[i].name) + 1;
	}
	if (!carries && x != NULL)
		pthread_mutex_unlock(&x->lock);
	free(names);
	if (view == NULL)
		return -ENOMEM;
	/* listxattr's: size 0 asks the length; a buffer over XATTR_LIST_MAX
	 * counts as that much, and a list that does not fit it is E2BIG */
	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	if (size != 0 && len > (long)size)
		len = size == XATTR_LIST_MAX ? -E2BIG : -ERANGE;
	else if (size != 0)
		memcpy(out, view, (size_t)len);
	free(view);
	return len;
}

/* get, set or remove of a name of the admin's namespaces, c allowed. */
static long admin_call(const struct pers *p, int op, const char *host, bool follow, const struct statx *sx,
		       bool carries, const char *name, void *value, size_t size, int flags)
{
	char h[XATTR_NAME_MAX + 1];
	long r;

	if (!carries) {
		if (p->xattrs == NULL)
			return op == PERS_XATTR_SET ? -EOPNOTSUPP : -ENODATA;
		if (op == PERS_XATTR_GET)
			return kept_get(p->xattrs, sx, name, value, size);
		if (op == PERS_XATTR_SET)
			return kept_set(p->xattrs, sx, name, value, size, flags);
		return kept_remove(p->xattrs, sx, name);
	}
	if (hidden(name, h) < 0)
		return op == PERS_XATTR_SET ? -ERANGE : -ENODATA;
	if (op == PERS_XATTR_SET)
		return h_set(host, follow, h, value, size, flags);
	if (op == PERS_XATTR_REMOVE)
		return h_remove(host, follow, h);
	r = h_get(host, follow, h, value, size);
	/* the host's own security.* names are everyone's to read */
	if (r == -ENODATA && strncmp(name, TRUSTED, 8) != 0)
		r = h_get(host, follow, name, value, size);
	return r;
}

long pers_xattr(const struct pers *p, const struct pers_cred *c, int op, const char *host, bool follow,
		const char *name, void *value, size_t size, int flags)
{
	bool admin = pers_cred_capable(c, CAP_SYS_ADMIN), carries;
	struct statx sx;
	size_t len = name != NULL ? strnlen(name, XATTR_NAME_MAX + 1) : 0;

	/* the kernel's order: the flags, the name, the value's size */
	if (op == PERS_XATTR_SET && (flags & ~(XATTR_CREATE | XATTR_REPLACE)))
		return -EINVAL;
	if (op != PERS_XATTR_LIST && (len == 0 || len > XATTR_NAME_MAX))
		return -ERANGE;
	if (op == PERS_XATTR_SET && size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (op == PERS_XATTR_GET && size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	if (statx(AT_FDCWD, host, follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_BTIME, &sx) < 0)
		return -errno;
	/* only regular files and directories carry user.* names */
	carries = S_ISREG(sx.stx_mode) || S_ISDIR(sx.stx_mode);
	if (op == PERS_XATTR_LIST)
		return list(p, c, host, follow, &sx, carries, value, size);
	if (pers_xattr_mews(name))
		return op == PERS_XATTR_SET ? -EPERM : -ENODATA;
	if (!pers_xattr_needs_admin(name)) {
		/* mew makes the call: the file capability is the caller's
		 * (cap_inode_setxattr, cap_inode_removexattr) */
		if (op != PERS_XATTR_GET && strcmp(name, "security.capability") == 0 &&
		    !pers_cred_capable(c, CAP_SETFCAP))
			return -EPERM;
		if (op == PERS_XATTR_GET)
			return h_get(host, follow, name, value, size);
		if (op == PERS_XATTR_SET)
			return h_set(host, follow, name, value, size, flags);
		return h_remove(host, follow, name);
	}
	/* xattr_permission: trusted.* is the admin's to read too (ENODATA);
	 * cap_inode_setxattr: security.* is the admin's to write */
	if (!admin && strncmp(name, TRUSTED, 8) == 0)
		return op == PERS_XATTR_GET ? -ENODATA : -EPERM;
	if (!admin && op != PERS_XATTR_GET)
		return -EPERM;
	return admin_call(p, op, host, follow, &sx, carries, name, value, size, flags);
}

int pers_xattr_fd(pid_t pid, int fd, char *host, size_t len)
{
	char link[64], target[8];

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid != 0 ? (int)pid : (int)getpid(), fd);
	/* an O_PATH fd is EBADF to these; a pipe's or a socket's name is no
	 * path: both the kernel's */
	if (fd < 0 || pers_fd_is_opath(pid != 0 ? pid : getpid(), fd) || readlink(link, target, sizeof(target)) <= 0 ||
	    target[0] != '/')
		return 1;
	snprintf(host, len, "%s", link);
	return 0;
}
