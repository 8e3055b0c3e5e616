/* Putting the in-process stub (guest/stub.h) into guest processes: its
 * configuration for this run, and the injection into a fresh image. */
#include "trap/trap.h"
#include "base/procstatus.h"

#include <dirent.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "base/cleanup.h"
#include "base/log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

extern const unsigned char mew_stub_text[], mew_stub_slow[];
extern const unsigned long mew_stub_text_len, mew_stub_slow_len;

/* Does the rootfs's filesystem give every change of an inode a ctime of its
 * own once the last one was read (multigrain timestamps: Linux 6.13 on
 * ext4, xfs, btrfs, tmpfs)?  Then the stubs may keep the owner records
 * they read by inode and ctime (guest/query.c).  Tried on an unnamed file
 * there (O_TMPFILE: nothing is left), with the xattr writes that change
 * records; a coarse clock repeats a ctime within its tick. */
static bool ctime_per_change(const char *rootfs)
{
	int fd = open(rootfs, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct stat a, b;
	bool fine = fd >= 0;

	for (int i = 0; fine && i < 16; i++)
		fine = fstat(fd, &a) == 0 && fsetxattr(fd, "user.mew.probe", &i, sizeof(i), 0) == 0 &&
		       fstat(fd, &b) == 0 &&
		       (a.st_ctim.tv_sec != b.st_ctim.tv_sec || a.st_ctim.tv_nsec != b.st_ctim.tv_nsec);
	if (fd >= 0)
		close(fd);
	return fine;
}

/* Bind g's first character (0: g is `/`), marked in c->bind_first
 * (stub.h). */
static unsigned char mark_first(struct stub_config *c, const char *g)
{
	unsigned char ch = stub_first_char(g);

	if (ch == '\0') {
		for (int i = 0; i < 4; i++)
			c->bind_first[i] = ~0ULL;
		return 0;
	}
	c->bind_first[ch >> 6] |= 1ULL << (ch & 63);
	return ch;
}

/* What a bind hides in the directory below it: the host object at host and,
 * for a directory, everything under it (a walk may land on any of them). */
static void add_shadow(struct stub_config *c, const char *host, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(host, &st) < 0)
		return;
	/* nothing on /proc is answered in process anyway (proc_dev) */
	if (st.st_dev == c->proc_dev)
		return;
	if (c->nshadow >= STUB_MAX_SHADOW || depth > 4) {
		c->flags |= STUB_F_NO_IN_ROOT;
		return;
	}
	c->shadow[c->nshadow].dev = st.st_dev;
	c->shadow[c->nshadow].ino = st.st_ino;
	c->nshadow++;
	c->shadow_bits[STUB_SHADOW_BIT(st.st_ino) / 64] |= 1ULL << (STUB_SHADOW_BIT(st.st_ino) % 64);
	if (!S_ISDIR(st.st_mode) || (d = opendir(host)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", host, e->d_name) >= (int)sizeof(sub))
			continue;
		add_shadow(c, sub, depth + 1);
	}
	closedir(d);
}

static bool guest_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

int trap_stub_config(struct trap *t, struct stub_config *c)
{
	const struct pers *p = &t->pers;
	size_t at = 0, hat = 0;
	struct stat st;

	/* (the cred is written last, only the part of it in use) */
	memset(c, 0, offsetof(struct stub_config, cred));
	c->magic = STUB_MAGIC;
	c->rootfd = -1;
	c->fd_min = (int32_t)trap_stub_fd_min();
	for (int i = 0; i < STUB_MAX_BINDFD; i++)
		c->bindfd[i] = -1;
	for (int i = 0; i < STUB_DIRCACHE; i++)
		c->dcache.fd[i] = -1;
	if (snprintf(c->rootfs, sizeof(c->rootfs), "%s", p->rootfs) >= (int)sizeof(c->rootfs))
		return -1;
	if (p->readonly_root)
		c->flags |= STUB_F_READONLY | STUB_F_ANY_RO;
	/* MEW_TRAP_PATCH=0: every call the stub answers takes the SIGSYS round
	 * trip (guest/patch.c), for measuring and for ruling patching out. */
	if (getenv("MEW_TRAP_PATCH") != NULL && strcmp(getenv("MEW_TRAP_PATCH"), "0") == 0)
		c->flags |= STUB_F_NO_PATCH;
	/* getxattrat (Linux 6.13) on a name it cannot find: ENOSYS where the
	 * kernel lacks it */
	if (syscall(464, AT_FDCWD, "", AT_EMPTY_PATH, "user.mew.probe", NULL, 0) < 0 && errno != ENOSYS)
		c->flags |= STUB_F_GETXATTRAT;
	/* (owner records exist only where mew runs unprivileged) */
	if (p->host_uid != 0 && ctime_per_change(p->rootfs))
		c->flags |= STUB_F_OWNER_CACHE;
	c->proc_dev = stat("/proc", &st) == 0 ? st.st_dev : (uint64_t)-1;
	c->root_dev = stat(p->rootfs, &st) == 0 ? st.st_dev : (uint64_t)-1;
	if (stat(p->rootfs, &st) == 0) {
		c->anc[0].dev = st.st_dev;
		c->anc[0].ino = st.st_ino;
		c->nanc = 1;
	}
	for (size_t i = 0; i < p->nbinds; i++) {
		const char *g = p->binds[i].guest;
		char host[PATH_MAX];
		size_t n = strlen(g) + 1;
		if (at + n + 1 > sizeof(c->binds) || i >= STUB_MAX_BINDS)
			return -1;
		c->bind_at[i].off = (uint16_t)at;
		c->bind_at[i].len = (uint16_t)(n - 1);
		c->bind_at[i].first = mark_first(c, g);
		c->nbinds++;
		memcpy(c->binds + at, g, n);
		at += n;
		if (hat + strlen(p->binds[i].host) + 2 > sizeof(c->bind_hosts))
			return -1;
		memcpy(c->bind_hosts + hat, p->binds[i].host, strlen(p->binds[i].host) + 1);
		hat += strlen(p->binds[i].host) + 1;
		snprintf(host, sizeof(host), "%s%s", strcmp(p->rootfs, "/") == 0 ? "" : p->rootfs, g);
		add_shadow(c, host, 0);
		/* the directories above it, up to the rootfs (one missing: a
		 * directory made later could be above it unrecognised) */
		for (char *slash = strrchr(host, '/'); slash != NULL && slash > host; slash = strrchr(host, '/')) {
			*slash = '\0';
			if (strlen(host) < strlen(p->rootfs))
				break;
			if (stat(host, &st) < 0)
				c->flags |= STUB_F_NO_ENTRY_OPS;
			else if (c->nanc < ARRAY_SIZE(c->anc)) {
				c->anc[c->nanc].dev = st.st_dev;
				c->anc[c->nanc].ino = st.st_ino;
				c->nanc++;
			} else {
				c->flags |= STUB_F_RO_BIND | STUB_F_NO_ENTRY_OPS; /* too many */
			}
		}
		if (p->binds[i].ro && stat(p->binds[i].host, &st) == 0 && st.st_dev == c->root_dev)
			c->flags |= STUB_F_RO_BIND;
		/* (the default /sys and /proc/sys are read-only too, and hold
		 * nothing of the guest's to futimens) */
		if (p->binds[i].ro && strcmp(g, "/sys") != 0 && strcmp(g, "/proc/sys") != 0)
			c->flags |= STUB_F_ANY_RO;
		/* A bind inside another bind hides part of that one's source
		 * (and the stub walks that one with symlinks and mounts in
		 * mind: bind_nested). */
		for (size_t j = 0; j < p->nbinds; j++)
			if (j != i &&
			    (strcmp(g, p->binds[j].guest) == 0 || strcmp(p->binds[j].guest, "/") == 0 ||
			     guest_under(g, p->binds[j].guest)))
				c->bind_at[j].nested = 1;
		for (size_t j = 0; j < p->nbinds; j++)
			if (j != i && guest_under(g, p->binds[j].guest)) {
				snprintf(host, sizeof(host), "%s%s", p->binds[j].host,
					 g + strlen(p->binds[j].guest));
				add_shadow(c, host, 0);
			}
	}
	c->ncalls = (uint32_t)trap_stub_calls(c->calls, ARRAY_SIZE(c->calls));
	trap_stub_fd_calls(c);
	pers_cred_copy(&c->cred, &p->cred);
	c->host_uid = p->host_uid;
	c->host_gid = p->host_gid;
	{
		struct utsname u;
		_Static_assert(sizeof(u) == sizeof(c->uts), "struct utsname");
		pers_uname(p, &u);
		memcpy(c->uts, &u, sizeof(u));
	}
	mew_debug("trap: stub: %u hidden objects under binds%s, %u translated calls", c->nshadow,
		  (c->flags & STUB_F_NO_IN_ROOT) ? " (too many: absolute paths without symlinks only)" : "",
		  c->ncalls);
	return 0;
}

/* The highest soft limit the guest is shown at its start (below);
 * MEW_TRAP_FD_TOP=N sets another, so that the tests can put a host's
 * 20000:20000 where Docker's 1048576:1048576 is. */
#define FD_TOP_MAX 32768

static rlim_t fd_top(void)
{
	const char *e = getenv("MEW_TRAP_FD_TOP");
	long v = e != NULL ? atol(e) : 0;

	return v >= 64 ? (rlim_t)v : FD_TOP_MAX;
}

unsigned trap_stub_fd_min(void)
{
	struct rlimit r;
	rlim_t soft;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return 1000;
	/* The stub holds STUB_HELD fds (guest/fds.c) right over the soft
	 * limit the guest sees, which is the real one less them: so the
	 * guest's numbers all lie under theirs, as natively (LTP's dup03 dups
	 * until it gets the number just under the limit), and it opens as
	 * many as it counts (pipe07, dup06).  When the guest moves its
	 * limit, they move with it; never under this number, from which the
	 * filter traps the calls on fds.  At the start: over the soft limit
	 * where the hard one leaves room (the guest sees the soft one), just
	 * under it where not (the guest's is lower by STUB_HELD).  Not over
	 * fd_top(): the kernel's fd table grows to the highest fd, and every
	 * fork copies it (8 MB a process at Docker's 1048576:1048576, which
	 * the guest starts under with its soft limit lowered to fd_top:
	 * trap_stub_nofile_start; one that raises it, as Go does, pays for
	 * it). */
	soft = r.rlim_cur < fd_top() ? r.rlim_cur : fd_top();
	if (r.rlim_max >= soft + STUB_HELD)
		return (unsigned)soft;
	if (soft >= 64 + STUB_HELD)
		return (unsigned)(soft - STUB_HELD);
	/* (too small for them: the stub has none, mew answers every path) */
	return (unsigned)soft;
}

void trap_stub_nofile_start(void)
{
	struct rlimit r;
	rlim_t top = (rlim_t)trap_stub_fd_min() + STUB_HELD;

	/* (a soft limit over it would put the stub's fds at its top) */
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur > top && r.rlim_max >= top) {
		r.rlim_cur = top;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int trap_stub_map_self(void)
{
	void *m = mmap((void *)STUB_BASE, STUB_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (m != (void *)STUB_BASE)
		return -1;
	memcpy(m, mew_stub_text, mew_stub_text_len);
	memcpy((char *)m + (STUB_SLOW - STUB_BASE), mew_stub_slow, mew_stub_slow_len);
	return 0;
}

/* Resume pid and wait for its breakpoint; other signals are kept for later. */
static int gone_status; /* the wait status of a tracee that ended during injection */

static int run_to_trap(pid_t pid, int *pending)
{
	int status;

	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
		return -1;
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			gone_status = status;
			return -2; /* gone (killed meanwhile) */
		}
		if (WSTOPSIG(status) == SIGTRAP && (status >> 16) == 0)
			return 0;
		if ((status >> 16) == 0)
			*pending = WSTOPSIG(status);
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			return -1;
	}
}

static int put(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { (void *)buf, len }, r = { (void *)(uintptr_t)addr, len };
	return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* At the exec stop the new image's first instruction is at rip: borrow it
 * for "mov $9, %eax; syscall; int3" (mmap the stub), copy the stub in, run
 * its init up to its int3, and put everything back as it was. */
int trap_stub_inject(pid_t pid, const struct stub_config *cfg, int *pending)
{
	static const unsigned char code[8] = { 0xb8, 9, 0, 0, 0, 0x0f, 0x05, 0xcc };
	struct user_regs_struct saved, r;
	long word, w;
	int k = 0;

	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0)
		return -1;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, saved.rip, 0);
	if (errno != 0)
		return -1;
	memcpy(&w, code, sizeof(w));
	if (ptrace(PTRACE_POKETEXT, pid, saved.rip, w) < 0)
		return -1;
	r = saved;
	r.rdi = STUB_BASE;
	r.rsi = STUB_SIZE;
	r.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
	r.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	r.r8 = (unsigned long long)-1;
	r.r9 = 0;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0 || (k = run_to_trap(pid, pending)) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return k < 0 ? k : -1;
	if (r.rax != STUB_BASE) {
		mew_debug("trap: stub: mmap in %d answered %lld", pid, (long long)r.rax);
		errno = -(long long)r.rax > 0 && -(long long)r.rax < 4096 ? (int)-(long long)r.rax : EINVAL;
		return -1;
	}
	if (put(pid, STUB_BASE, mew_stub_text, mew_stub_text_len) < 0 ||
	    put(pid, STUB_SLOW, mew_stub_slow, mew_stub_slow_len) < 0 ||
	    put(pid, STUB_DATA, cfg, offsetof(struct stub_config, cred) + pers_cred_size(&cfg->cred)) < 0)
		return -1;
	r = saved;
	r.rip = STUB_BASE + STUB_ENTRY_INIT;
	r.rsp = (saved.rsp - 4096) & ~15ULL;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0 || (k = run_to_trap(pid, pending)) < 0)
		return k < 0 ? k : -1;
	if (ptrace(PTRACE_POKETEXT, pid, saved.rip, word) < 0)
		return -1;
	saved.rax = 0; /* execve's answer */
	return ptrace(PTRACE_SETREGS, pid, 0, &saved) < 0 ? -1 : 0;
}

struct watch {
	struct trap *t;
	pid_t pid;
	int result;
	sem_t attached;
};

static void *watcher(void *arg)
{
	struct watch *w = arg;
	struct trap *t = w->t;
	pid_t pid = w->pid;
	struct tracee *tr;

	int r = ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0 ? -errno : 0;

	if (r == 0)
		__atomic_add_fetch(&t->watchers, 1, __ATOMIC_ACQ_REL);
	w->result = r;
	sem_post(&w->attached); /* w is the caller's: not to be touched after */
	if (r < 0)
		return NULL;
	trap_stub_follow_exec(t, -1, NULL);
	pthread_mutex_lock(&t->lock);
	if ((tr = trap_tracee(t, pid, false)) != NULL)
		tr->watched = false;
	pthread_mutex_unlock(&t->lock);
	/* the run's end waits for none to be left (engine.c) */
	if (__atomic_sub_fetch(&t->watchers, 1, __ATOMIC_ACQ_REL) == 0)
		syscall(SYS_futex, &t->watchers, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

/* ptrace between guest processes (strace, gdb inside the guest): a process
 * that another one traces cannot be seized for its exec, whose new image
 * would run without a stub.  Said once a run, by name; the exec fails with
 * EPERM. */
static void say_traced(pid_t pid)
{
	static int said;
	char v[32];
	long tracer = 0;

	if (proc_status_field(pid, "TracerPid", v, sizeof(v)) < 0 || sscanf(v, "%ld", &tracer) != 1)
		return;
	if (tracer > 0 && !__atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
		mew_warn("engine syscall: process %d, traced by process %ld (strace or gdb inside the guest), cannot exec: "
			 "the syscall engine puts its stub into every new program with ptrace; use --engine container",
			 (int)pid, tracer);
}

int trap_stub_watch(struct trap *t, pid_t pid)
{
	struct watch w = { .t = t, .pid = pid };
	pthread_attr_t a;
	pthread_t th;
	int r;

	sem_init(&w.attached, 0, 0);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &a, watcher, &w);
	pthread_attr_destroy(&a);
	if (r != 0) {
		sem_destroy(&w.attached);
		return -r;
	}
	while (sem_wait(&w.attached) < 0 && errno == EINTR)
		;
	sem_destroy(&w.attached);
	if (w.result == -EPERM)
		say_traced(pid);
	return w.result;
}

static void commit_exe(struct trap *t, pid_t pid, bool ok)
{
	struct tracee *tr;

	pthread_mutex_lock(&t->lock);
	tr = trap_tracee(t, pid, ok);
	if (tr != NULL && tr->pending_exe != NULL) {
		if (ok) {
			free(tr->exe);
			tr->exe = tr->pending_exe;
		} else {
			free(tr->pending_exe);
		}
		tr->pending_exe = NULL;
	}
	if (tr != NULL)
		tr->tgid = ok ? pid : tr->tgid;
	if (tr != NULL && ok && tr->exec_file.ino != 0)
		pers_busy_exec(t->pers.busy, pid, tr->exec_file.dev, tr->exec_file.ino);
	pers_busy_exec_done(t->pers.busy, pid, ok);
	pthread_mutex_unlock(&t->lock);
}

/* Process p is in a UTS namespace that is not mew's (one the guest made:
 * guest/ns.c). */
static bool own_uts(pid_t p)
{
	char path[64];
	struct stat self, other;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)p);
	return stat("/proc/self/ns/uts", &self) == 0 && stat(path, &other) == 0 && self.st_ino != other.st_ino;
}

/* The new image's stub, with the identity the process had (an exec keeps
 * it; the saved and fs ids become the effective ones). */
static int inject_with_creds(struct trap *t, pid_t p, int *pending)
{
	struct stub_config *c = malloc(sizeof(*c));
	struct tracee *tr;
	int k, e;

	if (c == NULL)
		return -1;
	memcpy(c, t->stub_cfg, offsetof(struct stub_config, cred));
	pers_cred_copy(&c->cred, &t->stub_cfg->cred);
	pthread_mutex_lock(&t->lock);
	tr = trap_tracee(t, p, false);
	if (tr != NULL && tr->has_creds) {
		pers_cred_copy(&c->cred, &tr->cred);
		pers_cred_exec(&c->cred, tr->exec_file.mode, tr->exec_file.uid, tr->exec_file.gid);
		tr->has_creds = false;
	}
	if (tr != NULL && tr->root != NULL) {
		snprintf(c->root, sizeof(c->root), "%s", tr->root);
		free(tr->root);
		tr->root = NULL;
	}
	pthread_mutex_unlock(&t->lock);
	c->own_uts = own_uts(p);
	k = trap_stub_inject(p, c, pending);
	e = errno;
	free(c);
	errno = e;
	return k;
}

int trap_stub_follow_exec(struct trap *t, pid_t pid, int *ended)
{
	int status;

	for (;;) {
		pid_t p = waitpid(pid, &status, __WALL | __WNOTHREAD);
		unsigned event;
		int sig;

		if (p < 0) {
			/* Interrupted by trap_notify_stop: the run is over. */
			if (errno == EINTR && t->main_status < 0)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			if (pid < 0 || p == pid) {
				if (ended != NULL)
					*ended = status;
				return 1;
			}
			continue;
		}
		event = (unsigned)status >> 16;
		sig = WSTOPSIG(status);
		if (event == PTRACE_EVENT_EXEC) {
			unsigned long former = 0;
			int pending = 0, k;
			/* A thread other than the leader exec'd: it is the leader now. */
			if (ptrace(PTRACE_GETEVENTMSG, p, 0, &former) == 0 && (pid_t)former != p) {
				struct tracee *old;
				pthread_mutex_lock(&t->lock);
				old = trap_tracee(t, (pid_t)former, false);
				if (old != NULL) {
					struct tracee *tr = trap_tracee(t, p, true);
					if (tr != NULL) {
						free(tr->pending_exe);
						tr->pending_exe = old->pending_exe;
						old->pending_exe = NULL;
					}
				}
				pthread_mutex_unlock(&t->lock);
			}
			commit_exe(t, p, true);
			k = inject_with_creds(t, p, &pending);
			if (k < 0) {
				if (k == -2) {
					/* killed meanwhile */
					if (pid < 0 || p == pid) {
						if (ended != NULL)
							*ended = gone_status;
						return 1;
					}
					continue;
				}
				/* Killed meanwhile (SIGKILL takes a tracee out of its
				 * stop: every ptrace call is ESRCH): its end is the
				 * next wait's to report.  ECHILD: the stub mode's loop,
				 * ending the run, reaped it first. */
				if (errno == ESRCH || errno == ECHILD)
					continue;
				/* Without its stub the program's first path call would
				 * kill it with SIGSYS: say why instead. */
				mew_warn("engine syscall: cannot put the fast path into process %d (%s; not an x86-64 program?); killing it",
					 (int)p, strerror(errno));
				kill(p, SIGKILL);
				ptrace(PTRACE_DETACH, p, 0, 0);
				continue;
			}
			ptrace(PTRACE_DETACH, p, 0, pending);
			return 0;
		}
		if (event == 0 && sig == SIGSYS) {
			siginfo_t si;
			if (ptrace(PTRACE_GETSIGINFO, p, 0, &si) == 0 && si.si_code == SI_QUEUE &&
			    si.si_errno == STUB_TAG_EXEC_FAILED) {
				commit_exe(t, p, false);
				ptrace(PTRACE_DETACH, p, 0, 0);
				return 0;
			}
		}
		/* Anything else: as if we were not there. */
		ptrace(PTRACE_CONT, p, 0, event == 0 ? sig : 0);
	}
}
