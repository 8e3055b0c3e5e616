/* Guest path <-> host path: resolution in guest space (see pers.h). */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40
#define CACHE_SLOTS 4096

struct pers_cache {
	struct slot {
		char *guest;
		bool frozen; /* the directory itself cannot be written by us */
	} slot[CACHE_SLOTS];
	int root_frozen; /* -1 unknown */
	uid_t euid;
};

struct pers_cache *pers_cache_new(void)
{
	struct pers_cache *c = calloc(1, sizeof(*c));
	if (c != NULL) {
		c->root_frozen = -1;
		c->euid = geteuid();
	}
	return c;
}

void pers_cache_free(struct pers_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(c->slot[i].guest);
	free(c);
}

static size_t hash(const char *s, size_t n)
{
	size_t h = 5381;
	for (size_t i = 0; i < n; i++)
		h = h * 33 + (unsigned char)s[i];
	return h;
}

/* Is guest[0..n) a remembered directory?  1 frozen, 0 not frozen, -1 unknown. */
static int cache_get(struct pers_cache *c, const char *guest, size_t n)
{
	struct slot *sl = &c->slot[hash(guest, n) % CACHE_SLOTS];
	if (sl->guest != NULL && strncmp(sl->guest, guest, n) == 0 && sl->guest[n] == '\0')
		return sl->frozen;
	return -1;
}

static void cache_put(struct pers_cache *c, const char *guest, size_t n, bool frozen)
{
	struct slot *sl = &c->slot[hash(guest, n) % CACHE_SLOTS];
	char *g = strndup(guest, n);
	if (g == NULL)
		return;
	free(sl->guest);
	sl->guest = g;
	sl->frozen = frozen;
}

/* Can the caller change the directory at host (st its lstat)? */
static bool frozen(struct pers_cache *c, const char *host, const struct stat *st)
{
	return st->st_uid != c->euid && access(host, W_OK) != 0;
}

/* The root prefix to paste in front of a guest path: "" when the rootfs is "/". */
static size_t root_len(const struct pers *p)
{
	size_t n = strlen(p->rootfs);
	return n == 1 ? 0 : n;
}

/* Does path start with prefix as whole components?  Returns the length of the
 * rest (which starts with '/' or is empty) or -1. */
static ssize_t under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1 && prefix[0] == '/')
		return path[0] == '/' ? (ssize_t)strlen(path) : -1;
	if (strncmp(path, prefix, n) != 0)
		return -1;
	if (path[n] != '\0' && path[n] != '/')
		return -1;
	return (ssize_t)strlen(path + n);
}

static const struct pers_bind *bind_for_guest(const struct pers *p, const char *guest)
{
	const struct pers_bind *best = NULL;
	size_t bestlen = 0;

	for (size_t i = 0; i < p->nbinds; i++) {
		size_t n = strlen(p->binds[i].guest);
		if (n > bestlen && under(guest, p->binds[i].guest) >= 0) {
			best = &p->binds[i];
			bestlen = n;
		}
	}
	return best;
}

/* Canonical guest path ("" = the root) -> host path. */
static int map(const struct pers *p, const char *guest, char *host, size_t len)
{
	const struct pers_bind *b = bind_for_guest(p, guest);
	int n;

	if (b != NULL)
		n = snprintf(host, len, "%s%s", b->host, guest + strlen(b->guest));
	else if (guest[0] == '\0')
		n = snprintf(host, len, "%s", root_len(p) == 0 ? "/" : p->rootfs);
	else
		n = snprintf(host, len, "%.*s%s", (int)root_len(p), p->rootfs, guest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Is guest (canonical) inside the host's /proc, as bound?  Returns the host
 * path's part after "/proc" or NULL. */
static const char *host_proc_rest(const struct pers *p, const char *guest)
{
	const struct pers_bind *b = bind_for_guest(p, guest);
	const char *rest;

	if (b == NULL || strcmp(b->host, "/proc") != 0)
		return NULL;
	rest = guest + strlen(b->guest);
	return rest;
}

static pid_t self_pid(const struct pers *p)
{
	return p->pid != 0 ? p->pid : getpid();
}

static pid_t self_tid(const struct pers *p)
{
	return p->tid != 0 ? p->tid : (p->pid != 0 ? p->pid : gettid());
}

/* The root of guest process pid as a guest path ("/" for the run's). */
static void root_of(const struct pers *p, pid_t pid, char *root, size_t len)
{
	if (pid == self_pid(p))
		snprintf(root, len, "%s", p->root);
	else if (p->root_of == NULL || p->root_of(p, pid, root, len) != 0)
		root[0] = '\0';
	if (root[0] == '\0')
		snprintf(root, len, "/");
}

/* /proc answers that are not the host's: /proc/self and /proc/thread-self
 * (which on the host would name mew), /proc/<pid>/exe when the engine knows
 * better, /proc/<pid>/root (the process's root: its chroot's, else the
 * guest's `/`).  Fills target (a guest symlink target, the run's path of
 * a magic link's) and returns 1, or 0 when guest is not one of them. */
static int proc_special(const struct pers *p, const char *guest, char *target, size_t len)
{
	const char *rest = host_proc_rest(p, guest);
	char *end;
	long pid;

	if (rest == NULL)
		return 0;
	if (strcmp(rest, "/self") == 0) {
		snprintf(target, len, "%d", (int)self_pid(p));
		return 1;
	}
	if (strcmp(rest, "/thread-self") == 0) {
		snprintf(target, len, "%d/task/%d", (int)self_pid(p), (int)self_tid(p));
		return 1;
	}
	if (rest[0] != '/' || rest[1] < '0' || rest[1] > '9')
		return 0;
	pid = strtol(rest + 1, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	if (strcmp(end, "/root") == 0) {
		root_of(p, (pid_t)pid, target, len);
		return 1;
	}
	if (strcmp(end, "/exe") == 0 && p->exe != NULL && pid == self_pid(p)) {
		snprintf(target, len, "%s", p->exe);
		return 1;
	}
	/* another guest process: the engine knows what it runs */
	if (strcmp(end, "/exe") == 0 && pid != self_pid(p) && p->exe_of != NULL &&
	    p->exe_of(p, (pid_t)pid, target, len) == 0)
		return 1;
	return 0;
}

/* A kernel "magic" link: /proc/<pid>/{exe,cwd,fd/N,...}, whose text is a
 * host path or an object name like pipe:[123], not a guest symlink. */
static bool proc_magic(const struct pers *p, const char *guest)
{
	const char *rest = host_proc_rest(p, guest);
	return rest != NULL && rest[0] == '/' && strchr(rest + 1, '/') != NULL;
}

/* A magic link's file that has no name left: its text is the kernel's
 * " (deleted)" one and the file it reaches has no links. */
static bool unnamed(const char *host, const char *text, size_t len)
{
	static const char deleted[] = " (deleted)";
	struct stat st;

	return len >= sizeof(deleted) - 1 && strcmp(text + len - (sizeof(deleted) - 1), deleted) == 0 &&
	       stat(host, &st) == 0 && st.st_nlink == 0;
}

/* Does end, what follows /proc/N, name fd/M or fdinfo/M (of N or of its
 * task/T, which *pid becomes) for an fd M the engine hides? */
static bool hidden_fd_entry(const struct pers *p, long *pid, const char *end)
{
	char *e;
	long fd;

	if (p->hides_fd == NULL)
		return false;
	if (strncmp(end, "/task/", 6) == 0) {
		if (end[6] < '1' || end[6] > '9')
			return false;
		*pid = strtol(end + 6, &e, 10);
		end = e;
	}
	if (strncmp(end, "/fd/", 4) == 0)
		end += 4;
	else if (strncmp(end, "/fdinfo/", 8) == 0)
		end += 8;
	else
		return false;
	if (end[0] < '0' || end[0] > '9')
		return false;
	fd = strtol(end, &e, 10);
	return *e == '\0' && fd <= INT_MAX && p->hides_fd(p, (pid_t)*pid, (int)fd);
}

/* What is in /proc/N of a process that is not the guest's (guest_root
 * set): refused, as a Landlock domain refuses what is outside it.  The
 * directory itself may be looked at (ls /proc).  The engine's own fds of
 * a guest process are not there. */
static int proc_visible(const struct pers *p, const char *guest)
{
	const char *rest = host_proc_rest(p, guest);
	char *end;
	long pid;

	if (rest == NULL || rest[0] != '/' || rest[1] < '1' || rest[1] > '9')
		return 0;
	pid = strtol(rest + 1, &end, 10);
	if (*end != '/')
		return 0;
	if (p->guest_root > 0 && pid != self_pid(p) && pid != self_tid(p) &&
	    !pers_pid_in_guest(p->guest_root, (pid_t)pid))
		return -EACCES;
	return hidden_fd_entry(p, &pid, end) ? -ENOENT : 0;
}

/* The mount a canonical guest path is on, for RESOLVE_NO_XDEV: the bind
 * it is under (a bind is a mount in the guest's view) and the host's
 * mount of its host path (a host mount under a bind's source, or under
 * the rootfs, is one too).  A name not there is on its directory's: prev. */
struct mount_key {
	const struct pers_bind *bind;
	uint64_t id;
};

static struct mount_key mount_of(const struct pers *p, const char *guest, struct mount_key prev)
{
	struct mount_key k = { bind_for_guest(p, guest), 0 };
	char host[PATH_MAX];
	struct statx sx;

	if (map(p, guest, host, sizeof(host)) < 0 ||
	    statx(AT_FDCWD, host, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return prev;
	k.id = sx.stx_mnt_id;
	return k;
}

struct walk {
	char guest[PATH_MAX]; /* canonical, "" = root */
	size_t glen;
	char host[PATH_MAX];  /* set when the last step landed on an opaque /proc object */
	bool opaque;
	/* the RESOLVE rules (PERS_BENEATH...): where `..` and a jump to `/`
	 * stop (the process's root, p->root, of length top; or base's length
	 * with a scope), and with PERS_NO_XDEV the mount guest is on */
	int flags;
	size_t top;
	const char *root;
	struct mount_key mnt;
};

/* A step to canonical guest path to: with PERS_NO_XDEV, -EXDEV when it
 * is on another mount than the walk's start (so every step before it). */
static int crossed_to(const struct pers *p, const struct walk *w, const char *to)
{
	struct mount_key k;

	if (!(w->flags & PERS_NO_XDEV))
		return 0;
	k = mount_of(p, to, w->mnt);
	return k.bind != w->mnt.bind || k.id != w->mnt.id ? -EXDEV : 0;
}

static int crossed(const struct pers *p, const struct walk *w)
{
	return crossed_to(p, w, w->guest);
}

static bool scoped(const struct walk *w)
{
	return (w->flags & (PERS_BENEATH | PERS_IN_ROOT)) != 0;
}

/* Is the walk at its `/`: the scope's (which it never leaves), or the
 * process's root (a walk from a cwd or fd outside it is not there)? */
static bool at_top(const struct walk *w)
{
	return w->glen == w->top && (scoped(w) || memcmp(w->guest, w->root, w->top) == 0);
}

/* A jump to the walk's `/` (an absolute symlink): EXDEV under
 * RESOLVE_BENEATH, else the scope's root or the process's. */
static int jump_root(const struct pers *p, struct walk *w)
{
	if (w->flags & PERS_BENEATH)
		return -EXDEV;
	if (!scoped(w))
		memcpy(w->guest, w->root, w->top);
	w->glen = w->top;
	w->guest[w->glen] = '\0';
	return crossed(p, w);
}

/* A magic link followed (/proc/N/fd/M, exe, cwd, root...): refused by
 * RESOLVE_NO_MAGICLINKS (ELOOP), by a scope (EXDEV), by NO_XDEV to
 * another mount (guest: its target, NULL for an object no path names). */
static int magic_jump(const struct pers *p, const struct walk *w, const char *guest)
{
	int r;

	if (w->flags & PERS_NO_MAGICLINKS)
		return -ELOOP;
	if ((w->flags & PERS_NO_XDEV) && guest == NULL)
		return -EXDEV;
	if (guest != NULL && (r = crossed_to(p, w, strcmp(guest, "/") == 0 ? "" : guest)) < 0)
		return r;
	return (w->flags & (PERS_BENEATH | PERS_IN_ROOT)) ? -EXDEV : 0;
}

static void pop(struct walk *w)
{
	while (w->glen > 0 && w->guest[w->glen - 1] != '/')
		w->glen--;
	if (w->glen > 0)
		w->glen--; /* the slash */
	w->guest[w->glen] = '\0';
}

static int push(struct walk *w, const char *c, size_t n)
{
	if (w->glen + 1 + n >= sizeof(w->guest))
		return -ENAMETOOLONG;
	w->guest[w->glen++] = '/';
	memcpy(w->guest + w->glen, c, n);
	w->glen += n;
	w->guest[w->glen] = '\0';
	return 0;
}

static int set_base(const struct pers *p, struct walk *w, const char *base)
{
	const char *s = base != NULL ? base : p->cwd;

	w->glen = 0;
	w->guest[0] = '\0';
	/* The base is a guest path we produced (canonical), but do not trust it:
	 * walk it lexically so a bad one cannot carry `..` out. */
	while (*s != '\0') {
		const char *c;
		size_t n;
		while (*s == '/')
			s++;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		n = (size_t)(s - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			pop(w);
			continue;
		}
		if (push(w, c, n) < 0)
			return -ENAMETOOLONG;
	}
	return 0;
}

/* /proc/self and /proc/thread-self: ordinary symlinks (their text is a
 * name), not magic links. */
static bool proc_self_link(const struct pers *p, const char *guest)
{
	const char *rest = host_proc_rest(p, guest);

	return rest != NULL && (strcmp(rest, "/self") == 0 || strcmp(rest, "/thread-self") == 0);
}

static int resolve(const struct pers *p, const char *base, const char *path, int flags,
		   struct walk *w)
{
	char rest[2 * PATH_MAX], tmp[2 * PATH_MAX], target[PATH_MAX], host[PATH_MAX];
	size_t plen, quiet = 0; /* rest's first bytes are a magic link's target */
	int links = 0, r;
	char *s;
	struct pers_cache *cache = p->cache;
	int parent_frozen = -1; /* of the directory w->guest names before a push */

	w->opaque = false;
	w->flags = flags;
	if (path == NULL || path[0] == '\0')
		return -ENOENT;
	plen = strlen(path);
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (path[plen - 1] == '/')
		flags |= PERS_FOLLOW;
	if (path[0] == '/' && (flags & PERS_BENEATH))
		return -EXDEV;
	w->root = p->root;
	if (path[0] == '/' && !(flags & PERS_IN_ROOT)) {
		w->glen = strlen(p->root);
		memcpy(w->guest, p->root, w->glen + 1);
	} else if ((r = set_base(p, w, base)) < 0) {
		return r;
	}
	w->top = scoped(w) ? w->glen : strlen(p->root);
	if (flags & PERS_NO_XDEV)
		w->mnt = mount_of(p, w->guest, (struct mount_key){ NULL, 0 });
	memcpy(rest, path, plen + 1);
	s = rest;
	for (;;) {
		const char *c;
		size_t n;
		bool last, magic = false;
		struct stat st;
		ssize_t tl;

		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		n = (size_t)(s - c);
		{
			const char *t = s;
			while (*t == '/')
				t++;
			last = *t == '\0';
		}
		if (w->opaque)
			return -ENOTDIR;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* at the walk's root: stay, or leave the scope;
			 * at the run's, which nothing is above: stay */
			if (at_top(w)) {
				if (flags & PERS_BENEATH)
					return -EXDEV;
				continue;
			}
			if (w->glen == 0)
				continue;
			pop(w);
			if ((r = crossed(p, w)) < 0)
				return r;
			continue;
		}
		if (cache != NULL) {
			/* The directory we are in: frozen? */
			if (w->glen == 0) {
				if (cache->root_frozen < 0) {
					struct stat rs;
					cache->root_frozen = lstat(p->rootfs, &rs) == 0 && frozen(cache, p->rootfs, &rs);
				}
				parent_frozen = cache->root_frozen;
			} else {
				parent_frozen = cache_get(cache, w->guest, w->glen);
			}
		}
		if ((r = push(w, c, n)) < 0 || (r = proc_visible(p, w->guest)) < 0)
			return r;
		/* (a magic link's target is checked whole, where it jumps) */
		if ((size_t)(s - rest) > quiet && (r = crossed(p, w)) < 0)
			return r;
		if (last && !(flags & PERS_FOLLOW))
			break;
		if (cache != NULL && cache_get(cache, w->guest, w->glen) >= 0)
			continue; /* a directory that cannot have changed */
		if (proc_special(p, w->guest, target, sizeof(target))) {
			if (flags & PERS_NO_SYMLINKS)
				return -ELOOP;
			tl = (ssize_t)strlen(target);
			magic = !proc_self_link(p, w->guest);
			if (magic && (r = magic_jump(p, w, target)) < 0)
				return r;
		} else {
			if ((r = map(p, w->guest, host, sizeof(host))) < 0)
				return r;
			if (lstat(host, &st) < 0 && (errno != EACCES || !pers_grant_search(p, host) ||
						       lstat(host, &st) < 0)) {
				if (last)
					break; /* a new name: the caller's call decides */
				return -errno;
			}
			if (!S_ISLNK(st.st_mode)) {
				if (!last && !S_ISDIR(st.st_mode))
					return -ENOTDIR;
				if (cache != NULL && parent_frozen == 1 && S_ISDIR(st.st_mode) &&
				    host_proc_rest(p, w->guest) == NULL)
					cache_put(cache, w->guest, w->glen, frozen(cache, host, &st));
				continue;
			}
			if (flags & PERS_NO_SYMLINKS)
				return -ELOOP;
			tl = readlink(host, target, sizeof(target) - 1);
			if (tl < 0)
				return -errno;
			target[tl] = '\0';
			if (proc_magic(p, w->guest)) {
				char g[PATH_MAX];
				magic = true;
				/* A host path: back to guest space.  An object
				 * (pipe:[1]), a path the guest cannot name, or a
				 * file no name reaches any more (an O_TMPFILE or
				 * deleted file: its text ends in " (deleted)") is
				 * reached only through the link itself. */
				if (target[0] != '/' || pers_untranslate(p, target, g, sizeof(g)) != 0 ||
				    unnamed(host, target, (size_t)tl)) {
					if ((r = magic_jump(p, w, NULL)) < 0)
						return r;
					memcpy(w->host, host, strlen(host) + 1);
					w->opaque = true;
					continue;
				}
				if ((r = magic_jump(p, w, g)) < 0)
					return r;
				tl = (ssize_t)strlen(g);
				memcpy(target, g, (size_t)tl + 1);
			}
		}
		if (++links > MAX_LINKS)
			return -ELOOP;
		if (tl == 0)
			return -ENOENT;
		/* rest = target + "/" + what remains after this component */
		r = snprintf(tmp, sizeof(tmp), "%s/%s", target, s);
		if (r < 0 || (size_t)r >= sizeof(tmp) || (size_t)r >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(rest, tmp, (size_t)r + 1);
		s = rest;
		quiet = magic ? (size_t)tl : 0;
		if (magic) {
			/* (a scope refused it: magic_jump) */
			w->glen = 0;
			w->guest[0] = '\0';
		} else if (target[0] == '/') {
			if ((r = jump_root(p, w)) < 0)
				return r;
		} else {
			pop(w);
		}
	}
	return 0;
}

static int finish_host(const struct pers *p, const struct walk *w, const char *path, char *host,
		       size_t len)
{
	size_t plen = strlen(path), n;
	int r;

	if (w->opaque) {
		n = strlen(w->host);
		if (n >= len)
			return -ENAMETOOLONG;
		memcpy(host, w->host, n + 1);
		return 0;
	}
	if ((r = map(p, w->guest, host, len)) < 0)
		return r;
	n = strlen(host);
	if (plen > 0 && path[plen - 1] == '/' && w->glen > 0 && host[n - 1] != '/') {
		if (n + 2 > len)
			return -ENAMETOOLONG;
		host[n] = '/';
		host[n + 1] = '\0';
	}
	return 0;
}

int pers_translate(const struct pers *p, const char *base, const char *path, int flags,
		   char *host, size_t len)
{
	struct walk w;
	int r = resolve(p, base, path, flags, &w);

	if (r < 0)
		return r;
	return finish_host(p, &w, path, host, len);
}

int pers_resolve(const struct pers *p, const char *base, const char *path, int flags,
		 char *guest, size_t len)
{
	struct walk w;
	int r = resolve(p, base, path, flags, &w);
	const char *g;

	if (r < 0)
		return r;
	g = w.glen == 0 ? "/" : w.guest;
	if (strlen(g) >= len)
		return -ENAMETOOLONG;
	strcpy(guest, g);
	return 0;
}

int pers_untranslate(const struct pers *p, const char *host, char *guest, size_t len)
{
	const struct pers_bind *best = NULL;
	size_t bestlen = 0;
	ssize_t rest;
	int n;

	for (size_t i = 0; i < p->nbinds; i++) {
		size_t l = strlen(p->binds[i].host);
		if (l > bestlen && under(host, p->binds[i].host) >= 0) {
			best = &p->binds[i];
			bestlen = l;
		}
	}
	/* The most specific match wins: a bind inside the rootfs's tree, or a
	 * bind whose source is elsewhere on the host. */
	if (best != NULL && (bestlen > root_len(p) || (root_len(p) > 0 && under(host, p->rootfs) < 0))) {
		const char *r = host + (bestlen == 1 ? 0 : bestlen);
		n = snprintf(guest, len, "%s%s", best->guest, r);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if (root_len(p) == 0) {
		rest = host[0] == '/' ? 0 : -1;
	} else {
		rest = under(host, p->rootfs);
		rest = rest < 0 ? -1 : (ssize_t)root_len(p);
	}
	if (rest >= 0) {
		const char *r = host + rest;
		n = snprintf(guest, len, "%s", r[0] == '\0' ? "/" : r);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	n = snprintf(guest, len, "%s", host);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 1;
}

bool pers_host_readonly(const struct pers *p, const char *host)
{
	const struct pers_bind *best = NULL;
	size_t bestlen = 0;

	for (size_t i = 0; i < p->nbinds; i++) {
		size_t l = strlen(p->binds[i].host);
		if (l > bestlen && under(host, p->binds[i].host) >= 0) {
			best = &p->binds[i];
			bestlen = l;
		}
	}
	if (best != NULL && (bestlen > root_len(p) || (root_len(p) > 0 && under(host, p->rootfs) < 0)))
		return best->ro;
	return p->readonly_root && (root_len(p) == 0 || under(host, p->rootfs) >= 0);
}

ssize_t pers_readlink(const struct pers *p, const char *base, const char *path, char *buf,
		      size_t len)
{
	struct walk w;
	char host[PATH_MAX], target[PATH_MAX], g[PATH_MAX];
	const char *answer = target;
	ssize_t n;
	int r = resolve(p, base, path, 0, &w);

	if (r < 0)
		return r;
	if (w.opaque)
		return -EINVAL; /* resolve only follows non-last components */
	if (w.glen > 0 && proc_special(p, w.guest, target, sizeof(target))) {
		/* a magic link's target as this process names it */
		if (!proc_self_link(p, w.guest) && pers_view(p, target, g, sizeof(g)) >= 0)
			answer = g;
		n = (ssize_t)strlen(answer);
	} else {
		if ((r = map(p, w.guest, host, sizeof(host))) < 0)
			return r;
		n = readlink(host, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (proc_magic(p, w.guest) && target[0] == '/') {
			/* The host's text may end in " (deleted)": keep it. */
			if (pers_untranslate(p, target, host, sizeof(host)) == 0 &&
			    pers_view(p, host, g, sizeof(g)) >= 0) {
				answer = g;
				n = (ssize_t)strlen(g);
			}
		}
	}
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(buf, answer, (size_t)n);
	return n;
}

int pers_set_cwd(struct pers *p, const char *path)
{
	return pers_set_cwd_at(p, NULL, path);
}

int pers_set_cwd_at(struct pers *p, const char *base, const char *path)
{
	char guest[PATH_MAX], host[PATH_MAX];
	struct stat st;
	int r;

	if ((r = pers_resolve(p, base, path, PERS_FOLLOW, guest, sizeof(guest))) < 0)
		return r;
	if ((r = pers_translate(p, base, path, PERS_FOLLOW, host, sizeof(host))) < 0)
		return r;
	if (stat(host, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(host, X_OK) < 0)
		return -errno;
	if (p->fake_root && (r = pers_check_chdir(p, &p->cred, host)) < 0)
		return r;
	strcpy(p->cwd, guest);
	return 0;
}

int pers_fd_path(const struct pers *p, pid_t pid, int fd, char *guest, size_t len)
{
	char link[64], host[PATH_MAX];
	ssize_t n;

	if (p->hides_fd != NULL && p->hides_fd(p, pid, fd))
		return -EBADF;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid != 0 ? (int)pid : (int)getpid(), fd);
	n = readlink(link, host, sizeof(host) - 1);
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	host[n] = '\0';
	if (host[0] != '/')
		return -ENOTDIR;
	if (pers_untranslate(p, host, guest, len) != 0)
		return -ENOENT;
	return 0;
}

int pers_dirfd_path(const struct pers *p, pid_t pid, int fd, char *guest, size_t len)
{
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid != 0 ? (int)pid : (int)getpid(), fd);
	if (stat(link, &st) == 0 && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return pers_fd_path(p, pid, fd, guest, len);
}

int pers_getcwd(const struct pers *p, pid_t pid, char *guest, size_t len)
{
	char link[64], host[PATH_MAX];
	ssize_t n;

	if (pid == 0) {
		if (strlen(p->cwd) >= len)
			return -ERANGE;
		strcpy(guest, p->cwd);
		return 0;
	}
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	n = readlink(link, host, sizeof(host) - 1);
	if (n < 0)
		return -errno;
	host[n] = '\0';
	n = pers_untranslate(p, host, guest, len);
	if (n < 0)
		return (int)n;
	if (n == 1) {
		/* Outside anything the guest can name: it sees its root. */
		if (len < 2)
			return -ERANGE;
		strcpy(guest, "/");
	}
	return 0;
}

int pers_view(const struct pers *p, const char *guest, char *out, size_t len)
{
	ssize_t rest = p->root[0] == '\0' ? -1 : under(guest, p->root);
	const char *shown = guest;
	int r = 0;

	if (rest == 0)
		shown = "/";
	else if (rest > 0)
		shown = guest + strlen(p->root);
	else if (p->root[0] != '\0')
		r = 1;
	if (strlen(shown) >= len)
		return -ENAMETOOLONG;
	strcpy(out, shown);
	return r;
}

int pers_getcwd_view(const struct pers *p, pid_t pid, char *out, size_t len)
{
	static const char unreachable[] = "(unreachable)";
	char guest[PATH_MAX];
	int r = pers_getcwd(p, pid, guest, sizeof(guest));

	if (r < 0 || (r = pers_view(p, guest, out, len)) <= 0)
		return r == -ENAMETOOLONG ? -ERANGE : r;
	if (strlen(out) + sizeof(unreachable) > len)
		return -ERANGE;
	memmove(out + sizeof(unreachable) - 1, out, strlen(out) + 1);
	memcpy(out, unreachable, sizeof(unreachable) - 1);
	return 0;
}

bool pers_fd_is_opath(pid_t pid, int fd)
{
	char path[64], line[128];
	unsigned long flags = 0;
	bool found = false;
	FILE *f;

	if (fd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "flags: %lo", &flags) == 1;
	fclose(f);
	return found && (flags & O_PATH);
}
