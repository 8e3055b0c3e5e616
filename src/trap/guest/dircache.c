/* The directory cache: the stat of "/a/b/c/name" in one call, as natively.
 *
 * The walk of an absolute path is the kernel's own under RESOLVE_IN_ROOT
 * (walk.c), then fstat and close: 3 calls.  Here a process keeps O_PATH fds
 * on directories it walked before, by their guest path, and stats the last
 * name in one: fstatat(fd of "/a/b/c", "name", AT_SYMLINK_NOFOLLOW), which
 * cannot leave the directory (query.c, stat_entry).  A directory is
 * cached the second time a process walks it, one component at a time
 * (RESOLVE_BENEATH, no symlinks, no mounts), with the same rules as the
 * walk: no `.` or `..`; under a directory bind that holds no other, from
 * the bind's fd (walk.c, walk_read), a name in the bind's root or the
 * root's in one call from its fd.
 *
 * What makes it exact is a generation counter in a page every guest
 * process and mew share (stub.h, struct stub_share), read before each use
 * (a memory read, no system call); entries walked under another gen are
 * not used, and the next fill drops them:
 *   - a rename or rmdir made by any guest process (made here, by mew's
 *     notifier or through its translation: stub.c, dispatch) bumps gen
 *     after it, before the call returns (a rename seen to have moved no
 *     directory, looked at in the very directories it was made in, bumps
 *     nothing).  A walk made meanwhile sees the change and is dropped
 *     anyway; a stat made meanwhile overlaps the call;
 *   - every change, made from outside the guest (host processes writing
 *     into the rootfs) or by a guest process killed before its bump: mew
 *     watches, with inotify, every directory a cached path goes through
 *     (each is watched before its child is looked up in it, so that a
 *     change after the lookup is reported), and bumps gen when a
 *     directory there is moved or removed: seen once mew's thread wakes.
 * A process whose memory another one shares without its fd table
 * (vfork's child) never fills nor drops it (fds.c's stub_owner: getpid
 * and kcmp, at fill time only).  The cache's fds are the stub's (fds.c):
 * hidden, closed by none of the guest's calls; each slot holds one from
 * the stub's init (a placeholder, a copy of the rootfs's fd, until a
 * directory takes its number with dup3), so that the stub holds as many
 * fds at every moment, which the guest's RLIMIT_NOFILE is shown less. */
#include "guest.h"

#define DC cfg.dcache
#define MAP_SHARED_ 1

static struct stub_share *shared(void)
{
	return (struct stub_share *)__atomic_load_n(&DC.share, __ATOMIC_ACQUIRE);
}

void dircache_init(void)
{
	for (int i = 0; i < STUB_DIRCACHE; i++)
		DC.fd[i] = -1;
}

int dircache_fd(long fd)
{
	for (int i = 0; i < STUB_DIRCACHE; i++)
		if (DC.fd[i] >= 0 && DC.fd[i] == fd)
			return 1;
	return 0;
}

static uint32_t hash_of(const char *s, long n)
{
	uint32_t h = 2166136261u;

	for (long i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* The entry of directory key[0, len), and its seq then; -1: none. */
static int find(const char *key, long len, uint32_t h, uint32_t *seq)
{
	for (int i = 0; i < STUB_DIRCACHE; i++) {
		uint32_t s = __atomic_load_n(&DC.e[i].seq, __ATOMIC_ACQUIRE);
		long k = 0;
		if ((s & 1) || DC.fd[i] < 0 || DC.e[i].len != len || DC.e[i].hash != h)
			continue;
		while (k < len && DC.e[i].key[k] == key[k])
			k++;
		if (k == len) {
			*seq = s;
			return i;
		}
	}
	return -1;
}

/* The share's gen, when the cache may be used (mew watches). */
static int usable(uint64_t *gen)
{
	struct stub_share *s = shared();

	if (s == 0)
		return 0;
	*gen = __atomic_load_n(&s->gen, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&s->off, __ATOMIC_SEQ_CST) == 0;
}

/* The share mapped here (mew installs an fd on it for the one mmap). */
static struct stub_share *map_share(long *err)
{
	struct stub_share *s = shared();
	uint64_t none = 0;
	long fd, m;

	if (s != 0)
		return s;
	if (DC.absent) {
		*err = -ENOSYS;
		return 0;
	}
	fd = ask_mew(STUB_UPCALL_DIRCACHE, STUB_DIRCACHE_SHARE, 0, 0, 0, 0, 0);
	if (fd < 0) {
		DC.absent = fd == -ENOSYS;
		*err = fd;
		return 0;
	}
	m = S6(__NR_mmap, 0, STUB_SHARE_SIZE, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, fd, 0);
	S1(__NR_close, fd);
	if (m < 0 && m > -4096) {
		*err = m;
		return 0;
	}
	/* another thread may have mapped it meanwhile: the same page */
	if (!__atomic_compare_exchange_n(&DC.share, &none, (uint64_t)m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		S2(__NR_munmap, m, STUB_SHARE_SIZE);
	return shared();
}

/* Does mew keep the owner of socket, FIFO or symlink (dev, ino) (the
 * share's kept)?  Without the share (no cache in this run, or no page
 * here) it might. */
int dircache_owner_kept(uint64_t dev, uint64_t ino)
{
	long err = 0;
	struct stub_share *s = map_share(&err);
	uint32_t n;

	if (s == 0)
		return 1;
	n = __atomic_load_n(&s->nkept, __ATOMIC_ACQUIRE);
	if (n > STUB_MAX_KEPT)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		if (s->kept[i][0] == dev && s->kept[i][1] == ino)
			return 1;
	return 0;
}

/* Before a change that may move or remove a directory: the page mapped,
 * so that the change can be told once made (dircache_change_end, given
 * what this returned). */
long dircache_change_begin(void)
{
	long err = 0;

	if (map_share(&err) != 0)
		return 1;
	/* no cache anywhere in this run, or no page here (no fd number free
	 * for it, no memory): then mew bumps */
	return err == -ENOSYS ? 0 : 2;
}

void dircache_change_end(long begun, int dirs)
{
	struct stub_share *s = shared();

	if (!dirs || begun == 0)
		return;
	if (begun == 1 && s != 0)
		__atomic_add_fetch(&s->gen, 1, __ATOMIC_SEQ_CST);
	else
		ask_mew(STUB_UPCALL_DIRCACHE, STUB_DIRCACHE_BUMP, 0, 0, 0, 0, 0);
}

/* Entry i emptied: its slot holds a placeholder again (a copy of the
 * rootfs's fd, put in its number: the count of fds the stub holds does not
 * change, fds.c). */
static void forget(int i)
{
	__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
	DC.e[i].len = 0;
	__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
	if (DC.fd[i] >= 0)
		S3(__NR_dup3, cfg.rootfd, DC.fd[i], O_CLOEXEC);
}

/* The guest makes fd its own (dup2 onto it): its slot's fd moved to number
 * to (-1: none), its entry gone, and so is every process's cache (one
 * sharing this fd table, clone(CLONE_FILES), would still have the entry). */
void dircache_renumber(long fd, long to)
{
	struct stub_share *s = shared();

	for (int i = 0; i < STUB_DIRCACHE; i++)
		if (DC.fd[i] >= 0 && DC.fd[i] == fd) {
			__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
			DC.e[i].len = 0;
			DC.fd[i] = (int32_t)to;
			__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
		}
	if (s != 0)
		__atomic_add_fetch(&s->gen, 1, __ATOMIC_SEQ_CST);
}

/* Slot's fd now at number to (-1: the slot goes without): a cached
 * directory's entry kept, a reader that read the old number then sees
 * its seq change (the stub moved its fds: fds.c, take_window). */
void dircache_move(int slot, long to)
{
	__atomic_add_fetch(&DC.e[slot].seq, 1, __ATOMIC_SEQ_CST);
	if (to < 0)
		DC.e[slot].len = 0;
	DC.fd[slot] = (int32_t)to;
	__atomic_add_fetch(&DC.e[slot].seq, 1, __ATOMIC_SEQ_CST);
}

/* Has a process seen directory hash h before?  (A path stat'ed once by a
 * short-lived process costs no fill.)  Recorded when not. */
static int seen_before(uint32_t h)
{
	for (int i = 0; i < 32; i++)
		if (DC.seen[i] == h)
			return 1;
	DC.seen[DC.nseen++ % 32] = h;
	return 0;
}

/* Does mew watch directory (dev, ino)? */
static int watched(struct stub_share *s, uint64_t dev, uint64_t ino)
{
	uint32_t seq = __atomic_load_n(&s->wseq, __ATOMIC_ACQUIRE), n;
	int found = 0;

	if (seq & 1)
		return 0;
	n = __atomic_load_n(&s->nwatched, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n && i < STUB_MAX_WATCHED && !found; i++)
		found = s->watched[i].dev == dev && s->watched[i].ino == ino;
	return found && __atomic_load_n(&s->wseq, __ATOMIC_ACQUIRE) == seq;
}

static void insert(int i, const char *key, long len, long fd, uint64_t dev, uint64_t ino)
{
	__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
	memcpy(DC.e[i].key, key, (size_t)len);
	DC.e[i].len = (uint16_t)len;
	DC.e[i].hash = hash_of(key, len);
	DC.e[i].dev = dev;
	DC.e[i].ino = ino;
	DC.fd[i] = (int32_t)fd;
	__atomic_add_fetch(&DC.e[i].seq, 1, __ATOMIC_SEQ_CST);
}

/* Cache directory path[0, len) and those above it, under DC.lock: each
 * component looked up in its parent once mew watches the parent.  1, 0
 * when it cannot be, -1 when not by this process or not now. */
static int fill_locked(const char *path, long len, long base, long start)
{
	struct stub_share *s;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, .mode = 0,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
					   RESOLVE_NO_XDEV };
	uint64_t gen, pdev = 0, pino = 0;
	long at = base, pfd = start, err;
	uint32_t seq;

	if (cfg.nanc < 1 || !stub_owner() || (s = map_share(&err)) == 0 || !usable(&gen))
		return -1; /* (not now) */
	if (DC.gen != gen) {
		for (int i = 0; i < STUB_DIRCACHE; i++)
			if (DC.e[i].len > 0)
				forget(i);
		DC.gen = gen;
	}
	if (base == 0) {
		pdev = cfg.anc[0].dev; /* the rootfs (stub.c's config) */
		pino = cfg.anc[0].ino;
	}
	for (long k = len; k > base; k--) {
		int i;
		if (k < len && path[k] != '/')
			continue;
		if ((i = find(path, k, hash_of(path, k), &seq)) >= 0) {
			at = k;
			pfd = DC.fd[i];
			pdev = DC.e[i].dev;
			pino = DC.e[i].ino;
			break;
		}
	}
	if (pdev == 0 && pino == 0) {
		/* a bind's source */
		struct stat st;
		if (S2(__NR_fstat, pfd, &st) < 0)
			return 0;
		pdev = st.st_dev;
		pino = st.st_ino;
	}
	while (at < len) {
		char name[256];
		long end = at + 1, fd, hi, n = 0;
		struct stat st;
		int slot = 0;
		while (end < len && path[end] != '/')
			end++;
		if (end - at - 1 > 255)
			return 0;
		for (long k = at + 1; k < end; k++)
			name[n++] = path[k];
		name[n] = '\0';
		/* a placeholder's slot */
		while (slot < STUB_DIRCACHE && (DC.fd[slot] < 0 || DC.e[slot].len > 0))
			slot++;
		if (slot == STUB_DIRCACHE)
			return 0;
		if (!watched(s, pdev, pino) && ask_mew(STUB_UPCALL_DIRCACHE, STUB_DIRCACHE_WATCH, pfd, 0, 0, 0, 0) != 0)
			return 0;
		if ((fd = S4(__NR_openat2, pfd, name, &how, sizeof(how))) < 0)
			return 0;
		/* in the placeholder's number (under the soft limit, as the
		 * stub's init leaves it: not under a guest's that is lower) */
		hi = S3(__NR_dup3, fd, DC.fd[slot], O_CLOEXEC);
		S1(__NR_close, fd);
		if (hi < 0)
			return 0;
		if (S2(__NR_fstat, hi, &st) < 0 || shadowed(st.st_dev, st.st_ino)) {
			S3(__NR_dup3, cfg.rootfd, hi, O_CLOEXEC);
			return 0;
		}
		insert(slot, path, end, hi, st.st_dev, st.st_ino);
		pfd = hi;
		pdev = st.st_dev;
		pino = st.st_ino;
		at = end;
	}
	return 1;
}

/* Directory hash h could not be cached under this gen (a symlink on the
 * way, merged /usr's /bin; a directory mew cannot watch): not tried again
 * until a change. */
static int no_fill(uint32_t h, uint64_t gen)
{
	if (DC.nofill_gen != gen)
		return 0;
	for (int i = 0; i < 16; i++)
		if (DC.nofill[i] == h)
			return 1;
	return 0;
}

static int fill(const char *path, long len, long base, long start)
{
	uint32_t h = hash_of(path, len);
	uint64_t gen = 0;
	int ok;

	if (DC.absent || (shared() != 0 && !usable(&gen)) || no_fill(h, gen) || !seen_before(h) ||
	    __atomic_exchange_n(&DC.lock, 1, __ATOMIC_ACQUIRE))
		return 0;
	ok = fill_locked(path, len, base, start);
	if (ok == 0) {
		if (DC.nofill_gen != gen) {
			memset(DC.nofill, 0, sizeof(DC.nofill));
			DC.nofill_gen = gen;
		}
		DC.nofill[DC.nnofill++ % 16] = h;
	}
	__atomic_store_n(&DC.lock, 0, __ATOMIC_RELEASE);
	return ok > 0;
}

/* "/a/b/name": no empty component, no `.` or `..`, no trailing slash;
 * the offset of the last slash, or -1. */
static long last_slash(const char *p)
{
	long n = 0, slash = -1;

	for (; p[n] != '\0'; n++) {
		if (p[n] != '/')
			continue;
		if (p[n + 1] == '/' || p[n + 1] == '\0' ||
		    (p[n + 1] == '.' && (p[n + 2] == '/' || p[n + 2] == '\0' ||
					 (p[n + 2] == '.' && (p[n + 3] == '/' || p[n + 3] == '\0')))))
			return -1;
		slash = n;
	}
	return n - slash - 1 > 255 ? -1 : slash;
}

/* stat of an absolute path (our copy) through its directory's cached fd:
 * the answer, or FALLBACK (walk it).  Under a directory bind with no bind
 * inside it, the walk starts from the bind's fd as walk_read's does. */
long dircache_stat(const char *path, long flags, long mask, unsigned long buf, int x)
{
	long slash = last_slash(path), r, fd, start = cfg.rootfd, base = 0, bind;
	const char *rest = 0;
	uint64_t gen;
	uint32_t h, seq;
	int i, nested;

	if (stub_root() < 0 || slash < 0)
		return FALLBACK;
	if ((bind = bind_of(path, &rest, &nested)) >= 0) {
		if (nested || bind >= STUB_MAX_BINDFD || cfg.bindfd[bind] < 0 || *rest == '\0' ||
		    (cfg.flags & STUB_F_NO_IN_ROOT))
			return FALLBACK;
		start = cfg.bindfd[bind];
		base = rest - path - 1; /* (the slash before it: the path is canonical) */
	}
	if (slash == base) {
		/* a name in the root or in the bind's: its fd is the directory */
		r = stat_entry(start, path + slash + 1, flags, mask, buf, x);
		return r == WALK ? FALLBACK : r;
	}
	if (slash > STUB_DIRCACHE_KEY)
		return FALLBACK;
	h = hash_of(path, slash);
	for (int tries = 0; tries < 2; tries++) {
		if (usable(&gen) && __atomic_load_n(&DC.gen, __ATOMIC_ACQUIRE) == gen &&
		    (i = find(path, slash, h, &seq)) >= 0) {
			fd = DC.fd[i];
			r = fd >= 0 ? stat_entry(fd, path + slash + 1, flags, mask, buf, x) : FALLBACK;
			/* dropped meanwhile (its number may be another's by now) */
			if (__atomic_load_n(&DC.e[i].seq, __ATOMIC_SEQ_CST) != seq)
				return FALLBACK;
			return r == WALK ? FALLBACK : r;
		}
		if (tries > 0 || !fill(path, slash, base, start))
			break;
	}
	return FALLBACK;
}
