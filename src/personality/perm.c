/* The kernel's permission checks for the guest's identity, on host paths
 * the engine has already translated (no symlink, no `..`): the host kernel
 * checks mew's own identity, so a guest that dropped to nobody must be
 * checked here, against the owners the guest sees (owner.c) and the rules
 * of cred.c.  A fake root with its capabilities passes every check without
 * a look at the file (pers_cred_fs_omnipotent), so the common case costs
 * nothing.  Every directory on the way is checked for search permission,
 * as the kernel's walk does: from the guest's `/` (or the top of the bind
 * the path is under) down to the parent; not those the translation only
 * passed through to read a symlink, and nothing under /proc, whose
 * permissions are the host kernel's. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Nothing to check: a fake root with its capabilities, or the host's own
 * identity (binfmt), which the host kernel checks. */
static bool omnipotent(const struct pers *p, const struct pers_cred *c)
{
	return !p->fake_root || pers_cred_fs_omnipotent(c);
}

/* The directory holding host path `host` (its string, cut at the last
 * slash; "/" for a top-level one). */
static void parent_of(const char *host, char *dir, size_t len)
{
	const char *slash = strrchr(host, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - host);
	/* a trailing slash names the same entry */
	while (slash != NULL && slash[1] == '\0' && n > 0) {
		const char *s = host + n;
		while (s > host && s[-1] != '/')
			s--;
		while (s > host && s[-1] == '/')
			s--;
		n = (size_t)(s - host);
		slash = NULL;
	}
	if (n == 0)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)n, host);
}

/* Where the guest's walk of host path `host` starts: the length of the
 * rootfs or bind source it is under (the longest), or 0 for a path under
 * /proc or outside both (not checked). */
static size_t walk_start(const struct pers *p, const char *host)
{
	size_t best = 0, n;
	bool proc = false;

	for (size_t i = 0; i < p->nbinds; i++) {
		n = strlen(p->binds[i].host);
		if (n > best && strncmp(host, p->binds[i].host, n) == 0 && (host[n] == '/' || host[n] == '\0')) {
			best = n;
			proc = strcmp(p->binds[i].guest, "/proc") == 0 ||
			       strncmp(p->binds[i].guest, "/proc/", 6) == 0;
		}
	}
	if (best > 0)
		return proc ? 0 : best;
	n = strlen(p->rootfs);
	if (strncmp(host, p->rootfs, n) == 0 && (host[n] == '/' || host[n] == '\0'))
		return n;
	return 0;
}

/* Search permission on every directory from the walk's start to the one
 * holding the last component: 0, or -EACCES at the first that refuses it
 * (a directory that is not there is the kernel's to answer).  real: with
 * access(2)'s ids. */
static int walk(const struct pers *p, const struct pers_cred *c, const char *host, bool real)
{
	char dir[PATH_MAX];
	size_t start = walk_start(p, host), end;
	struct stat st;
	int r;

	if (start == 0 || strlen(host) >= sizeof(dir))
		return 0;
	/* a process's own root (chroot): its walks start there */
	if (p->root[0] != '\0' && pers_translate(p, NULL, "/.", 0, dir, sizeof(dir)) == 0 &&
	    (end = strlen(dir)) > start && strncmp(host, dir, end) == 0 && (host[end] == '/' || host[end] == '\0'))
		start = end;
	parent_of(host, dir, sizeof(dir));
	end = strlen(dir);
	if (end < start)
		return 0; /* the start itself is the last component */
	for (size_t i = start; i <= end; i++) {
		if (i < end && dir[i] != '/')
			continue;
		char keep = dir[i];
		dir[i] = '\0';
		r = pers_owner_stat(p, i == 0 ? "/" : dir, true, &st);
		dir[i] = keep;
		if (r < 0 || !S_ISDIR(st.st_mode))
			return 0;
		r = real ? pers_cred_access(c, st.st_mode, st.st_uid, st.st_gid, PERS_MAY_EXEC)
			 : pers_cred_permission(c, st.st_mode, st.st_uid, st.st_gid, PERS_MAY_EXEC);
		if (r < 0)
			return r;
	}
	return 0;
}

static int search(const struct pers *p, const struct pers_cred *c, const char *host)
{
	return walk(p, c, host, false);
}

int pers_check_lookup(const struct pers *p, const struct pers_cred *c, const char *host)
{
	return omnipotent(p, c) ? 0 : search(p, c, host);
}

static int may(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
	       int mask, struct stat *st)
{
	int r = pers_owner_stat(p, host, follow, st);
	if (r < 0)
		return r;
	return pers_cred_permission(c, st->st_mode, st->st_uid, st->st_gid, mask);
}

int pers_check_chdir(const struct pers *p, const struct pers_cred *c, const char *host)
{
	struct stat st;
	int r;

	if (omnipotent(p, c))
		return 0;
	if ((r = search(p, c, host)) < 0)
		return r;
	r = may(p, c, host, true, PERS_MAY_EXEC, &st);
	return r == -ENOENT ? 0 : r;
}

int pers_check_access(const struct pers *p, const struct pers_cred *c, const char *host,
		      bool follow, int mode, bool eaccess)
{
	struct stat st;
	int r;

	if (eaccess) {
		if (omnipotent(p, c))
			return 0;
		if ((r = search(p, c, host)) < 0 || (mode & 7) == 0)
			return r;
		if ((r = pers_owner_stat(p, host, follow, &st)) < 0)
			return r;
		return pers_cred_permission(c, st.st_mode, st.st_uid, st.st_gid, mode & 7);
	}
	/* access(2) checks with the real ids (access_override_creds), the
	 * walk's directories too */
	if (!p->fake_root || pers_cred_access_omnipotent(c))
		return 0;
	if ((r = walk(p, c, host, true)) < 0 || (mode & 7) == 0)
		return r;
	if ((r = pers_owner_stat(p, host, follow, &st)) < 0)
		return r;
	return pers_cred_access(c, st.st_mode, st.st_uid, st.st_gid, mode & 7);
}

static int check_open(const struct pers *p, const struct pers_cred *c, const char *host, int flags)
{
	struct stat st;
	char dir[PATH_MAX];
	int mask = 0, r;

	if (omnipotent(p, c))
		return 0;
	if ((r = search(p, c, host)) < 0 || (flags & O_PATH))
		return r;
	r = pers_owner_stat(p, host, !(flags & O_NOFOLLOW), &st);
	if (r == -ENOENT && (flags & O_CREAT)) {
		parent_of(host, dir, sizeof(dir));
		return may(p, c, dir, true, PERS_MAY_WRITE | PERS_MAY_EXEC, &st);
	}
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* the kernel's own answer */
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return 0; /* EEXIST */
	if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		return 0; /* ENOTDIR, before any permission (LTP's open08) */
	if ((flags & O_ACCMODE) != O_WRONLY)
		mask |= PERS_MAY_READ;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		mask |= PERS_MAY_WRITE;
	if (S_ISLNK(st.st_mode) || S_ISSOCK(st.st_mode))
		return 0;
	if ((r = pers_cred_permission(c, st.st_mode, st.st_uid, st.st_gid, mask)) < 0)
		return r;
	/* may_open: O_NOATIME only by the owner or with CAP_FOWNER (open02) */
	if ((flags & O_NOATIME) && st.st_uid != c->fsuid && !pers_cred_capable(c, CAP_FOWNER))
		return -EPERM;
	return 0;
}

int pers_check_open(const struct pers *p, const struct pers_cred *c, const char *host, int flags)
{
	int r = check_open(p, c, host, flags);

	if (r == 0)
		r = pers_busy_check(p, host, flags);
	if (r == 0 && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) && !(flags & O_PATH) &&
	    (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
		pers_setid_write(p, c, host, !(flags & O_NOFOLLOW), (flags & O_TRUNC) != 0);
	return r;
}

int pers_check_create(const struct pers *p, const struct pers_cred *c, const char *host)
{
	struct stat st;
	char dir[PATH_MAX];
	int r;

	if (omnipotent(p, c))
		return 0;
	if ((r = search(p, c, host)) < 0)
		return r;
	if (lstat(host, &st) == 0)
		return -EEXIST;
	parent_of(host, dir, sizeof(dir));
	return may(p, c, dir, true, PERS_MAY_WRITE | PERS_MAY_EXEC, &st);
}

int pers_check_delete(const struct pers *p, const struct pers_cred *c, const char *host)
{
	struct stat st, dst;
	char dir[PATH_MAX];
	int r;

	if (omnipotent(p, c))
		return 0;
	if ((r = search(p, c, host)) < 0 || (r = pers_owner_stat(p, host, false, &st)) < 0)
		return r;
	parent_of(host, dir, sizeof(dir));
	if ((r = pers_owner_stat(p, dir, true, &dst)) < 0)
		return r;
	return pers_cred_may_delete(c, dst.st_mode, dst.st_uid, dst.st_gid, st.st_uid);
}

int pers_check_rename(const struct pers *p, const struct pers_cred *c, const char *from,
		      const char *to)
{
	struct stat st;
	char dir[PATH_MAX];
	int r;

	if (omnipotent(p, c))
		return 0;
	if ((r = pers_check_delete(p, c, from)) < 0)
		return r;
	if (lstat(to, &st) == 0)
		return pers_check_delete(p, c, to);
	if ((r = search(p, c, to)) < 0)
		return r;
	parent_of(to, dir, sizeof(dir));
	return may(p, c, dir, true, PERS_MAY_WRITE | PERS_MAY_EXEC, &st);
}

int pers_check_write(const struct pers *p, const struct pers_cred *c, const char *host, bool follow)
{
	struct stat st;
	int r = 0;

	if (!omnipotent(p, c) && ((r = search(p, c, host)) < 0 || (r = may(p, c, host, follow, PERS_MAY_WRITE, &st)) < 0))
		return r;
	pers_setid_write(p, c, host, follow, true);
	return 0;
}

int pers_check_fsize(pid_t tid, const char *host, long long length)
{
	struct rlimit rl;
	struct stat st;

	if (length < 0 || prlimit(tid, RLIMIT_FSIZE, NULL, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    (unsigned long long)length <= rl.rlim_cur)
		return 0;
	if (stat(host, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size >= length)
		return 0;
	syscall(SYS_tkill, tid, SIGXFSZ);
	return -EFBIG;
}

int pers_check_utimes(const struct pers *p, const struct pers_cred *c, const char *host,
		      bool follow, bool now)
{
	struct stat st;
	int r;

	if (omnipotent(p, c))
		return 0;
	if ((r = search(p, c, host)) < 0 || (r = pers_owner_stat(p, host, follow, &st)) < 0)
		return r;
	if (pers_cred_owner_or_capable(c, st.st_uid) == 0)
		return 0;
	/* to the current time: write permission is enough */
	if (now && pers_cred_permission(c, st.st_mode, st.st_uid, st.st_gid, PERS_MAY_WRITE) == 0)
		return 0;
	return now ? -EACCES : -EPERM;
}

int pers_chmod(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
	       mode_t mode)
{
	struct stat st;
	uint32_t m = mode & 07777;
	int r;

	if ((r = pers_check_lookup(p, c, host)) < 0 || (r = pers_owner_stat(p, host, follow, &st)) < 0)
		return r;
	if (!omnipotent(p, c) &&
	    (r = pers_cred_chmod(c, st.st_uid, st.st_gid, &m)) < 0)
		return r;
	if (!follow && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;
	if (fchmodat(AT_FDCWD, host, m, 0) < 0)
		return -errno;
	return pers_setid_keep(p, c, host, true, m);
}

/* Give host (not a symlink) the guest's mode, set-id bits the host does
 * not keep recorded. */
static int give_mode(const struct pers *p, const struct pers_cred *c, const char *host, bool follow, mode_t mode)
{
	struct stat st;

	if ((follow ? stat(host, &st) : lstat(host, &st)) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	if ((st.st_mode & 07777) != (mode & 07777) && chmod(host, mode & 07777) < 0)
		return -errno;
	return pers_setid_keep(p, c, host, follow, mode);
}

int pers_chown(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
	       uid_t uid, gid_t gid)
{
	struct stat st;
	uint32_t m;
	int r = 0;

	if (!p->fake_root)
		return (follow ? chown(host, uid, gid) : lchown(host, uid, gid)) < 0 ? -errno : 0;
	/* ids given in a user namespace of the guest's own: the run's, or
	 * EINVAL where it maps none (chown_common's make_kuid) */
	if (c->depth > 0) {
		uint32_t u = pers_cred_from_ns(c, false, uid), g = pers_cred_from_ns(c, true, gid);
		if ((u == PERS_ID_NONE && uid != (uid_t)-1) || (g == PERS_ID_NONE && gid != (gid_t)-1))
			return -EINVAL;
		uid = u, gid = g;
	}
	if ((r = pers_check_lookup(p, c, host)) < 0 || (r = pers_owner_stat(p, host, follow, &st)) < 0)
		return r;
	m = st.st_mode;
	if ((r = pers_cred_chown(c, st.st_uid, st.st_gid, uid, gid, &m)) < 0)
		return r;
	if (uid != (uid_t)-1 || gid != (gid_t)-1)
		r = pers_owner_set(p, host, follow, uid == (uid_t)-1 ? st.st_uid : uid,
				   gid == (gid_t)-1 ? st.st_gid : gid);
	/* chown(-1, -1) drops set-id bits too */
	if (r == 0 && m != st.st_mode)
		r = give_mode(p, c, host, follow, m);
	return r;
}

/* The directory dir holds an inode whose owner the kernel would give
 * otherwise than mew's own call did. */
static bool create_matters(const struct pers *p, const struct pers_cred *c, const char *dir)
{
	struct stat dst;

	if (!p->fake_root)
		return false;
	if (c->fsuid != 0 || c->fsgid != 0)
		return true;
	/* a root's file in an ordinary directory: the host's owner is the view */
	return stat(dir, &dst) == 0 && (dst.st_mode & S_ISGID);
}

bool pers_owner_create_matters(const struct pers *p, const struct pers_cred *c, const char *host)
{
	char dir[PATH_MAX];

	/* (an unprivileged mew: the set-id bits it was made with) */
	if (p->fake_root && !pers_owners_real(p))
		return true;
	parent_of(host, dir, sizeof(dir));
	return create_matters(p, c, dir);
}

/* host (follow: its last symlink followed) made in directory dir */
static int made(const struct pers *p, const struct pers_cred *c, const char *dir, const char *host, bool follow)
{
	struct stat st, dst;
	uint32_t mode, uid, gid;

	if (!create_matters(p, c, dir)) {
		/* a root's: set-id bits it keeps and a write by mew would drop */
		if (!p->fake_root || pers_owners_real(p) || (follow ? stat(host, &st) : lstat(host, &st)) < 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 06000))
			return 0;
		return pers_setid_keep(p, c, host, follow, st.st_mode);
	}
	if (pers_owner_stat(p, dir, true, &dst) < 0 || pers_owner_stat(p, host, follow, &st) < 0)
		return 0;
	mode = st.st_mode;
	pers_cred_new_inode(c, dst.st_mode, dst.st_gid, &mode, &uid, &gid);
	if (uid != st.st_uid || gid != st.st_gid) {
		int r = pers_owner_set(p, host, follow, uid, gid);
		if (r < 0)
			return r;
	}
	/* (after a real chown, which drops set-id bits the creator keeps:
	 * LTP's creat08) */
	return give_mode(p, c, host, follow, mode);
}

int pers_owner_created(const struct pers *p, const struct pers_cred *c, const char *host)
{
	char dir[PATH_MAX];

	parent_of(host, dir, sizeof(dir));
	return made(p, c, dir, host, false);
}

int pers_owner_tmpfile(const struct pers *p, const struct pers_cred *c, const char *dir, const char *fd_link)
{
	return made(p, c, dir, fd_link, true);
}
