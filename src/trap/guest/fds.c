/* The stub's own fds (its O_PATH fds on the rootfs and on each directory
 * bind, numbered high: stub.c's init; its cached directories: dircache.c)
 * are not the guest's.  The guest
 * neither sees them nor breaks them:
 *   close, fcntl, dup2/dup3 from one of them: EBADF, as for a number the
 *   guest never opened;
 *   dup2/dup3 onto one, close_range over them: the guest's call is made,
 *   the stub's fd moved out of the way first (dup2) or left out (close_range);
 *   in a vfork child, which shares its parent's memory (where the stub
 *   keeps its numbers) and not its fd table, nothing is moved: the child
 *   records the numbers it took (cfg.vforked) and from then on the stub
 *   uses none of its fds there, as if it had none (stub_root);
 *   dup, fchdir, fstatfs of one, and every call the stub answers that
 *   would look one up as its fd or dirfd (fstat, fstatat, openat...): EBADF;
 *   getdents64 of a /proc/N/fd or /proc/N/fdinfo directory: their entries
 *   taken out (and mew answers /proc/N/fd/M of one as ENOENT: trap_hides_fd).
 * What an O_PATH fd cannot do (read, write, mmap, ioctl, the xattrs,
 * fchmod, fchown...) is EBADF from the kernel already.
 * They are STUB_HELD in number (the directory cache's slots hold
 * placeholders) and fill the window right under the real soft
 * RLIMIT_NOFILE, which the guest is shown less them (do_nofile): its
 * numbers all lie under theirs, it opens as many fds as it counts free,
 * and dup2 or fcntl(F_DUPFD) at or above the limit it sees fail as the
 * kernel's would (EBADF, EINVAL).  When the guest moves its soft limit
 * they move with it (settle); a number of the window the guest holds
 * (an fd inherited there) is one the stub does without until the guest
 * closes it.
 * The filter traps close, fcntl, dup, dup2, dup3, fchdir, fstatfs (and the
 * raw fstat where it is not trapped anyway) only for numbers at or above
 * the lowest the stub's fds take (trap_stub_fd_min), so that these calls
 * on ordinary fds cost nothing; getdents64 always (the entries are looked
 * at only when one is named as a stub fd). */
#include "guest.h"

struct kdirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

#define KCMP_VM_ 1
#define KCMP_FILES_ 2

/* The stub's fd i: 0 the rootfs's, 1 + b bind b's, 1 + STUB_MAX_BINDFD + c
 * cached directory c's; -1 when it has none there. */
static long fd_at(int i)
{
	if (i == 0)
		return cfg.rootfd;
	if (i <= STUB_MAX_BINDFD)
		return cfg.bindfd[i - 1];
	return cfg.dcache.fd[i - 1 - STUB_MAX_BINDFD];
}

static void set_fd_at(int i, long fd)
{
	if (i == 0)
		cfg.rootfd = (int32_t)fd;
	else if (i <= STUB_MAX_BINDFD)
		cfg.bindfd[i - 1] = (int32_t)fd;
	else
		dircache_move(i - 1 - STUB_MAX_BINDFD, fd);
}

static int index_of(long fd)
{
	/* (most calls name a guest's fd, all under the stub's) */
	if (fd < cfg.fd_min || fd > 0x7fffffff)
		return -1;
	for (int i = 0; i < STUB_NFDS; i++)
		if (fd_at(i) == fd)
			return i;
	return -1;
}

/* Is this process the one whose fd table holds the stub's fds?  A forked
 * child (its own copy of this memory and of the table) becomes it; one
 * that shares the owner's memory or its table (vfork, clone) does not. */
int stub_owner(void)
{
	long me = S0(__NR_getpid), vm, files;

	if (cfg.owner == me)
		return 1;
	if (cfg.owner != 0) {
		vm = S5(__NR_kcmp, me, cfg.owner, KCMP_VM_, 0, 0);
		files = S5(__NR_kcmp, me, cfg.owner, KCMP_FILES_, 0, 0);
		if (!(vm > 0 && files > 0) && !(vm == -ESRCH && files == -ESRCH))
			return 0;
	}
	cfg.owner = (int32_t)me;
	return 1;
}

/* This process's entry among the vfork children's (cfg.vforked), -1 when
 * it has none: a getpid only while some child has one.  The entries of
 * children gone (exited, or in an image of their own) are emptied. */
static int vforked_here(void)
{
	long me;
	int here = -1;

	if (__atomic_load_n(&cfg.nvforked, __ATOMIC_ACQUIRE) == 0)
		return -1;
	me = S0(__NR_getpid);
	for (int v = 0; v < STUB_MAX_VFORKED; v++) {
		int32_t pid = __atomic_load_n(&cfg.vforked[v].pid, __ATOMIC_ACQUIRE);
		if (pid == me)
			here = v;
		else if (pid != 0 && S5(__NR_kcmp, me, pid, KCMP_VM_, 0, 0) != 0 &&
			 __atomic_compare_exchange_n(&cfg.vforked[v].pid, &pid, 0, 0, __ATOMIC_ACQ_REL,
						     __ATOMIC_ACQUIRE))
			__atomic_sub_fetch(&cfg.nvforked, 1, __ATOMIC_SEQ_CST);
	}
	return here;
}

/* This vfork child's entry, made when it has none: where it records the
 * stub's numbers it makes its own (in its copy of the table), for it
 * alone; its parent's stub looks past it.  -1: all taken. */
static int vfork_entry(void)
{
	int v = vforked_here();
	long me = S0(__NR_getpid);

	for (int k = 0; v < 0 && k < STUB_MAX_VFORKED; k++) {
		int32_t none = 0;
		if (!__atomic_compare_exchange_n(&cfg.vforked[k].pid, &none, (int32_t)me, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			continue;
		cfg.vforked[k].took[0] = cfg.vforked[k].took[1] = 0;
		__atomic_add_fetch(&cfg.nvforked, 1, __ATOMIC_SEQ_CST);
		v = k;
	}
	return v;
}

int stub_fd(long fd)
{
	int i = index_of(fd), v;

	if (i < 0)
		return 0;
	v = vforked_here();
	return v < 0 || !((cfg.vforked[v].took[i / 64] >> (i % 64)) & 1);
}

long stub_root(void)
{
	return cfg.rootfd >= 0 && vforked_here() < 0 ? cfg.rootfd : -1;
}

/* Would call nr with arguments a look one of the stub's fds up (as its fd,
 * or as the dirfd of a relative or empty path)?  The kernel ignores the
 * dirfd of an absolute path, and an empty one without AT_EMPTY_PATH is
 * ENOENT before the fd is looked at. */
int stub_fd_used(long nr, const long *a)
{
	uint32_t i;

	if (nr < 0 || nr >= STUB_MAX_NR || cfg.fd_call_of[nr] == 0)
		return 0;
	i = cfg.fd_call_of[nr] - 1u;
	if (i >= cfg.nfd_calls || i >= STUB_MAX_FD_CALLS)
		return 0;
	for (int j = 0; j < 2; j++) {
		int fd = cfg.fd_calls[i].fd[j], path = cfg.fd_calls[i].path[j], flag = cfg.fd_calls[i].flag;
		char c;
		if (fd < 0 || !stub_fd((int)a[fd]))
			continue;
		if (path < 0)
			return 1;
		if (copy_in(&c, (unsigned long)a[path], 1) < 0 || c == '/')
			continue;
		if (c != '\0' || (flag >= 0 && (a[flag] & PERS_AT_EMPTY_PATH)))
			return 1;
	}
	return 0;
}

/* The guest is about to make fd its own (dup2/dup3 onto it): the stub's fd
 * there moves to the next free number above (a cached directory's entry is
 * forgotten, its slot kept: dircache.c), and fd is closed.  With no number
 * free the stub holds one fd fewer (and shows the guest one more). */
static void move_away(long fd)
{
	long n = S3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, fd + 1);

	if (n < 0) {
		n = -1;
		cfg.held--;
	}
	if (dircache_fd(fd))
		dircache_renumber(fd, n);
	if (cfg.rootfd == fd)
		cfg.rootfd = (int32_t)n; /* -1: everything goes to mew */
	for (int i = 0; i < STUB_MAX_BINDFD; i++)
		if (cfg.bindfd[i] == fd)
			cfg.bindfd[i] = (int32_t)n;
	S1(__NR_close, fd);
}

/* RLIMIT_NOFILE as the guest sees it, from the real one (soft or hard),
 * the same in every guest process (another's is translated alike): the
 * stub's STUB_HELD fds are not the guest's, and where they sit under the
 * real limit (over fd_min + STUB_HELD) it is shown less them; a real limit
 * among them (the init raises one there over them) is the guest's
 * fd_min; under fd_min they sit above it, and the guest's is its own. */
static unsigned long guest_nofile(unsigned long real)
{
	unsigned long min = (unsigned long)cfg.fd_min, k = STUB_HELD;

	if (cfg.held <= 0 || real < min || real == ~0UL)
		return real;
	return real < min + k ? min : real - k;
}

static unsigned long real_nofile(unsigned long guest)
{
	unsigned long min = (unsigned long)cfg.fd_min, k = STUB_HELD;

	if (cfg.held <= 0 || guest < min || guest == ~0UL)
		return guest;
	return guest + k < guest ? ~0UL : guest + k;
}

/* The lowest number of the window the stub's fds fill under real soft
 * limit real: [real - STUB_HELD, real); -1 where the guest's limit lies
 * under fd_min (its fds stay over it, where they are). */
long window_of(unsigned long real)
{
	if (real == ~0UL || real > 0x7fffffff || real < (unsigned long)cfg.fd_min + STUB_HELD)
		return -1;
	return (long)(real - STUB_HELD);
}

/* The stub's fds moved into the window from lo (up to the soft limit,
 * which bounds F_DUPFD), each new number published before the old one is
 * closed, and its free numbers filled with placeholders, so that the
 * guest gets none of them.  A number the guest holds there is one fd
 * fewer for the stub: a cache slot goes without, the rootfs's and the
 * binds' fds stay where they were.  Under the cache's lock: no fill
 * meanwhile (another thread walking from an fd it read before the move
 * finds it closed: the fd table is the process's, this memory too). */
static void take_window(long lo)
{
	long hi = lo + STUB_HELD, fd, to;
	int held = 0, spins = 0;

	while (__atomic_exchange_n(&cfg.dcache.lock, 1, __ATOMIC_ACQUIRE) && spins++ < 10000)
		S0(__NR_sched_yield);
	for (int i = 0; i < STUB_NFDS; i++) {
		if ((fd = fd_at(i)) < 0)
			continue;
		if (fd < lo || fd >= hi) {
			if ((to = S3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, lo)) < 0 && i <= STUB_MAX_BINDFD) {
				held++;
				continue;
			}
			set_fd_at(i, to < 0 ? -1 : to);
			S1(__NR_close, fd);
			if (to < 0)
				continue;
		}
		held++;
	}
	for (int c = 0; c < STUB_DIRCACHE && cfg.rootfd >= 0 && held < STUB_HELD; c++)
		if (cfg.dcache.fd[c] < 0) {
			if ((to = S3(__NR_fcntl, cfg.rootfd, F_DUPFD_CLOEXEC, lo)) < 0)
				break;
			dircache_move(c, to);
			held++;
		}
	cfg.held = held;
	cfg.win = (int32_t)lo;
	__atomic_store_n(&cfg.dcache.lock, 0, __ATOMIC_RELEASE);
}

/* The stub's fds where real soft limit real wants them: in its window,
 * moved there when the guest moved its limit (here, or another process
 * through prlimit64: seen at this process's next look at its limit), and
 * its numbers taken again when the guest closes one it held (again).
 * Left where they are under a limit below fd_min (then over it).  Not
 * in a vfork child, whose memory is its parent's. */
static void settle(unsigned long real, int again)
{
	long lo = window_of(real);

	if (cfg.held <= 0 || cfg.rootfd < 0 || !stub_owner())
		return;
	if (lo < 0)
		cfg.win = -1;
	else if (lo != cfg.win || again)
		take_window(lo);
}

/* The guest's soft RLIMIT_NOFILE (the stub's fds settled under it). */
static unsigned long nofile(void)
{
	unsigned long lim[2];

	if (S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, 0, lim) < 0)
		return ~0UL;
	settle(lim[0], 0);
	return guest_nofile(lim[0]);
}

/* The numbers of the stub's window the guest no longer holds, taken. */
static void nofile_retake(void)
{
	unsigned long lim[2];

	if (S4(__NR_prlimit64, 0, RLIMIT_NOFILE_, 0, lim) == 0)
		settle(lim[0], 1);
}

/* getrlimit, setrlimit, prlimit64 of RLIMIT_NOFILE (the filter traps no
 * other resource): the limit the guest sees.  Another process's is
 * another guest's, whose stub holds as many fds from the same number. */
long do_nofile(long nr, const long *a)
{
	unsigned long lim[2], old[2];
	long pid = 0, r;
	unsigned long unew = 0, uold = 0;

	if (nr == __NR_getrlimit)
		uold = (unsigned long)a[1];
	else if (nr == __NR_setrlimit)
		unew = (unsigned long)a[1];
	else {
		pid = a[0];
		unew = (unsigned long)a[2];
		uold = (unsigned long)a[3];
	}
	if (unew != 0) {
		if (copy_in(lim, unew, sizeof(lim)) < 0)
			return -EFAULT;
		lim[0] = real_nofile(lim[0]);
		lim[1] = real_nofile(lim[1]);
	}
	r = S4(__NR_prlimit64, pid, RLIMIT_NOFILE_, unew != 0 ? lim : 0, uold != 0 ? old : 0);
	/* this process's own: the stub's fds follow its new soft limit */
	if (r == 0 && unew != 0 && (pid == 0 || pid == S0(__NR_getpid)))
		settle(lim[0], 0);
	if (r < 0 || uold == 0)
		return r;
	old[0] = guest_nofile(old[0]);
	old[1] = guest_nofile(old[1]);
	return copy_out(uold, old, sizeof(old)) < 0 ? -EFAULT : 0;
}

/* close_range(first, last, flags) of everything in it but the stub's fds. */
static long close_range_around(unsigned long first, unsigned long last, long flags)
{
	unsigned long from = first;
	long r = 0;

	if (first > last)
		return -EINVAL;
	for (;;) {
		/* the lowest stub fd in [from, last] */
		unsigned long low = ~0UL;
		for (int i = 0; i < STUB_NFDS; i++) {
			long fd = fd_at(i);
			if (fd >= 0 && (unsigned long)fd >= from && (unsigned long)fd <= last &&
			    (unsigned long)fd < low && stub_fd(fd))
				low = (unsigned long)fd;
		}
		if (low == ~0UL)
			return S3(__NR_close_range, from, last, flags);
		if (low > from && (r = S3(__NR_close_range, from, low - 1, flags)) < 0)
			return r;
		if (low == last)
			return r;
		from = low + 1;
	}
}

/* Is dirfd a /proc/N/fd or /proc/N/fdinfo directory? */
static int fd_dir(long dirfd)
{
	char link[40] = "/proc/self/fd/", target[64];
	struct stat st;
	long n;

	if (S2(__NR_fstat, dirfd, &st) < 0 || st.st_dev != cfg.proc_dev || (st.st_mode & S_IFMT) != S_IFDIR)
		return 0;
	*put_num(link + 14, dirfd) = '\0';
	n = S4(__NR_readlinkat, AT_FDCWD, link, target, sizeof(target) - 1);
	if (n < 4)
		return 0;
	target[n] = '\0';
	return (n >= 3 && target[n - 3] == '/' && target[n - 2] == 'f' && target[n - 1] == 'd') ||
	       (n >= 7 && target[n - 7] == '/' && target[n - 6] == 'f' && target[n - 5] == 'd' &&
		target[n - 4] == 'i' && target[n - 3] == 'n' && target[n - 2] == 'f' && target[n - 1] == 'o');
}

static long name_num(const char *s)
{
	long v = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 0x7fffffff)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Does the buffer name one of the stub's fds? */
static int names_stub_fd(unsigned long buf, long r)
{
	for (long at = 0; at < r;) {
		struct kdirent64 *d = (struct kdirent64 *)(buf + (unsigned long)at);
		if (d->reclen == 0)
			return 0;
		if (stub_fd(name_num(d->name)))
			return 1;
		at += d->reclen;
	}
	return 0;
}

/* getdents64 without the stub's fds' entries (looked at only when one of
 * its numbers is there); a buffer they filled alone is read again (0 would
 * say the directory ended). */
static long getdents_hiding(long fd, unsigned long buf, long count)
{
	int dir = -1;

	for (;;) {
		long r = S3(__NR_getdents64, fd, buf, count), at = 0, kept = 0;
		if (r <= 0 || !names_stub_fd(buf, r))
			return r;
		if (dir < 0)
			dir = fd_dir(fd);
		if (!dir)
			return r;
		while (at < r) {
			struct kdirent64 *d = (struct kdirent64 *)(buf + (unsigned long)at);
			unsigned short len = d->reclen;
			if (len == 0 || at + len > r)
				return r;
			if (!stub_fd(name_num(d->name))) {
				if (kept != at)
					memcpy((void *)(buf + (unsigned long)kept), d, len);
				kept += len;
			}
			at += len;
		}
		if (kept > 0)
			return kept;
	}
}

__attribute__((noinline)) long do_fds(long nr, const long *a)
{
	switch (nr) {
	case __NR_close: {
		long r;
		if (stub_fd(a[0]))
			return -EBADF;
		/* one the guest held in the stub's window: its number the stub's again */
		if ((r = S1(nr, a[0])) == 0 && cfg.win >= 0 && a[0] >= cfg.win && a[0] < cfg.win + STUB_HELD)
			nofile_retake();
		return r;
	}
	case __NR_fcntl:
		if (stub_fd(a[0]))
			return -EBADF;
		/* F_DUPFD at or above the guest's limit */
		if ((a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) && (unsigned long)a[2] >= nofile())
			return -EINVAL;
		return S3(nr, a[0], a[1], a[2]);
	case __NR_fchdir:
		return stub_fd(a[0]) ? -EBADF : do_fchdir(a[0]);
	case __NR_dup:
	case __NR_fstatfs:
		return stub_fd(a[0]) ? -EBADF : S2(nr, a[0], a[1]);
	case __NR_dup2:
	case __NR_dup3: {
		int i, v;
		long r;
		/* the kernel's order: dup3's flags and same numbers, then a
		 * number at or above the limit */
		if (nr == __NR_dup3 && ((a[2] & ~(long)O_CLOEXEC) != 0 || a[0] == a[1]))
			return -EINVAL;
		if (a[0] == a[1])
			return stub_fd(a[0]) ? -EBADF : S3(nr, a[0], a[1], a[2]);
		if ((unsigned long)(unsigned int)a[1] >= nofile() || stub_fd(a[0]))
			return -EBADF;
		if (!stub_fd(a[1]))
			return S3(nr, a[0], a[1], a[2]);
		if (stub_owner()) {
			move_away(a[1]);
			return S3(nr, a[0], a[1], a[2]);
		}
		/* a vfork child: the numbers in the memory it shares are its
		 * parent's fds, and stay so; this child's stub uses none of its
		 * own (stub_root) */
		if ((v = vfork_entry()) < 0)
			return -EMFILE; /* (more vfork children at once than the stub keeps) */
		i = index_of(a[1]);
		if ((r = S3(nr, a[0], a[1], a[2])) >= 0 && i >= 0)
			__atomic_or_fetch(&cfg.vforked[v].took[i / 64], 1ULL << (i % 64), __ATOMIC_SEQ_CST);
		return r;
	}
	case __NR_close_range: {
		long r = close_range_around((unsigned int)a[0], (unsigned int)a[1], a[2]);
		if (r == 0 && cfg.win >= 0 && (unsigned int)a[1] >= (unsigned long)cfg.win &&
		    (unsigned int)a[0] < (unsigned long)cfg.win + STUB_HELD)
			nofile_retake();
		return r;
	}
	default: /* getdents64 */
		return getdents_hiding(a[0], (unsigned long)a[1], a[2]);
	}
}
