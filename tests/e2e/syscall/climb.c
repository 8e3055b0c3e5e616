/* A guest that attacks the syscall engine's stub instead of asking it, to
 * reach the host (tests/e2e/syscall-hostile.bats).  One attack per run:
 *     climb ATTACK ARGS...
 * Each prints "walled: ATTACK: <error>" and exits 0 when the kernel refused
 * it with the expected error, "CLIMBED: ..." and exits 1 when it reached
 * the host, "WRONG: ..." and exits 2 on any other outcome.  `climb listen
 * NAME LOG` is the host side of the abstract-socket attack. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "trap/guest/stub.h"
#include "put.h"

#ifdef __x86_64__
typedef long (*fast_fn)(long, long, long, long, long, long, long);
static const fast_fn fast = (fast_fn)(uintptr_t)(STUB_BASE + STUB_ENTRY_SYSCALL);
#else
/* arm64, under the emulate engine: no stub, every call is the interpreter's */
static long fast(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r = syscall(nr, a1, a2, a3, a4, a5, a6);
	return r < 0 ? -errno : r;
}
#endif

/* r: the call's result (-1 and errno, or -errno from a raw call). */
static int verdict(const char *what, long r, int want)
{
	int e = r == -1 ? errno : r < 0 ? (int)-r : 0;

	if (r >= 0) {
		printf("CLIMBED: %s: succeeded (%ld)\n", what, r);
		return 1;
	}
	if (want != 0 && e != want) {
		printf("WRONG: %s: %s, want %s\n", what, strerror(e), strerror(want));
		return 2;
	}
	printf("walled: %s: %s\n", what, strerror(e));
	return 0;
}

/* An fd that the attack got: say what it reads. */
static int opened(const char *what, int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	printf("CLIMBED: %s: read `%s`\n", what, buf);
	return 1;
}

static int fast_open(const char *path, int flags)
{
	long fd = fast(SYS_openat, AT_FDCWD, (long)path, flags, 0, 0, 0);
	if (fd >= 0)
		return opened("the stub's fast syscall", (int)fd);
	return verdict("openat from the stub's fast syscall", fd, EACCES);
}

/* The attacker's own code at the stub's address: the same registers
 * shuffle, padded so that its `syscall` sits where the stub's did. */
static int rewrite(const char *path)
{
	static const unsigned char code[] = {
		0x48, 0x89, 0xf8, /* mov %rdi,%rax */
		0x48, 0x89, 0xf7, /* mov %rsi,%rdi */
		0x48, 0x89, 0xd6, /* mov %rdx,%rsi */
		0x48, 0x89, 0xca, /* mov %rcx,%rdx */
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		0x0f, 0x05, /* syscall, at STUB_BASE + 23 as in entry.S */
		0xc3,
	};
	struct stub_config *cfg = (struct stub_config *)(uintptr_t)STUB_DATA;
	long host_root, r;
	int fd;

	if (mprotect((void *)(uintptr_t)STUB_BASE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) < 0 ||
	    mprotect(cfg, sizeof(*cfg), PROT_READ | PROT_WRITE) < 0) {
		printf("WRONG: mprotect the stub: %s\n", strerror(errno));
		return 2;
	}
	memcpy((void *)(uintptr_t)STUB_BASE, code, sizeof(code));
	__builtin___clear_cache((char *)(uintptr_t)STUB_BASE, (char *)(uintptr_t)STUB_BASE + sizeof(code));
	/* data: the host's / as the stub's root, nothing hidden, no checks */
	host_root = fast(SYS_openat, AT_FDCWD, (long)"/", O_PATH | O_DIRECTORY, 0, 0, 0);
	if (host_root < 0) {
		printf("WRONG: O_PATH open of the host's /: %s\n", strerror((int)-host_root));
		return 2;
	}
	cfg->rootfd = (int32_t)host_root;
	cfg->flags = 0;
	cfg->nshadow = 0;
	cfg->nanc = 0;
	cfg->proc_dev = (uint64_t)-1;
	strcpy(cfg->rootfs, "/");
	r = fast(SYS_openat, AT_FDCWD, (long)path, O_RDONLY, 0, 0, 0);
	if (r >= 0)
		return opened("rewritten stub code", (int)r);
	if (verdict("openat from rewritten stub code", r, EACCES) != 0)
		return 2;
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		return opened("open through the rewritten stub data", fd);
	return verdict("open through the rewritten stub data", -1, 0);
}

/* The stub's rootfs fd replaced by the host's /: its number read from the
 * stub's data, the dup2 made from the stub's fast syscall (the guest's own
 * is EBADF there: the stub's fds sit at or above the limit it shows). */
static int dup2_root(const char *path)
{
	const struct stub_config *cfg = (const struct stub_config *)(uintptr_t)STUB_DATA;
	long host_root = fast(SYS_openat, AT_FDCWD, (long)"/", O_PATH | O_DIRECTORY, 0, 0, 0), r;
	int fd, rootfd = cfg->rootfd;

	r = host_root < 0 ? host_root : fast(SYS_dup3, host_root, rootfd, 0, 0, 0, 0);
	if (r < 0) {
		printf("WRONG: dup2 over the stub's rootfs fd (%d): %s\n", rootfd, strerror((int)-r));
		return 2;
	}
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		return opened("open after dup2 over the stub's rootfs fd", fd);
	return verdict("open after dup2 over the stub's rootfs fd", -1, 0);
}

/* openat through io_uring: no system call carries the path, so neither
 * the filter nor the stub ever sees it. */
static int uring_open(const char *path)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned *sq_tail, *sq_array, *cq_head, *cq_tail;
	char *sq, *cq;
	/* from the stub's fast syscall: mew's filter refuses io_uring */
	int ring = (int)fast(SYS_io_uring_setup, 4, (long)&p, 0, 0, 0, 0), res;

	if (ring < 0) {
		printf("WRONG: io_uring_setup from the fast syscall: %s\n", strerror(-ring));
		return 2;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE, MAP_SHARED, ring,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(*cqes), PROT_READ | PROT_WRITE, MAP_SHARED,
		  ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED, ring,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		printf("WRONG: io_uring mmap: %s\n", strerror(errno));
		return 2;
	}
	sq_tail = (unsigned *)(sq + p.sq_off.tail);
	sq_array = (unsigned *)(sq + p.sq_off.array);
	cq_head = (unsigned *)(cq + p.cq_off.head);
	cq_tail = (unsigned *)(cq + p.cq_off.tail);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (uint64_t)(uintptr_t)path;
	sqes[0].open_flags = O_RDONLY;
	sq_array[0] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if ((res = (int)fast(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, 0, 0)) < 0) {
		printf("WRONG: io_uring_enter: %s\n", strerror(-res));
		return 2;
	}
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		printf("WRONG: io_uring: no completion\n");
		return 2;
	}
	res = cqes[*cq_head & (p.cq_entries - 1)].res;
	if (res >= 0)
		return opened("io_uring openat", res);
	return verdict("io_uring openat (a path the stub never sees)", res, EACCES);
}

static int ptrace_host(pid_t pid)
{
	long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
	if (r == 0) {
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	return verdict("ptrace a host process", r, EPERM);
}

static int vmread_host(pid_t pid)
{
	char buf[64], path[64], line[256];
	unsigned long lo = 0;
	struct iovec local = { buf, sizeof(buf) }, remote;
	FILE *f;

	/* its stack's address, as the host's /proc knows it (best effort: the
	 * kernel refuses before it looks at the address anyway) */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	remote.iov_base = (void *)0x400000;
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL && sscanf(line, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %*u %*u %*d %*u %*u %*u %lu", &lo) == 1 && lo != 0)
			remote.iov_base = (void *)lo;
		fclose(f);
	}
	remote.iov_len = sizeof(buf);
	return verdict("process_vm_readv of a host process", process_vm_readv(pid, &local, 1, &remote, 1, 0),
		       EPERM);
}

static int abstract(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(sa.sun_path + 1, name, sizeof(sa.sun_path) - 2);
	return verdict("connect to a host abstract UNIX socket",
		       connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))),
		       EPERM);
}

/* The host side: listen on the abstract name, log every connection. */
static int listen_abstract(const char *name, const char *log)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c;

	strncpy(sa.sun_path + 1, name, sizeof(sa.sun_path) - 2);
	if (bind(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) < 0 ||
	    listen(s, 4) < 0) {
		perror("listen");
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	while ((c = accept(s, NULL, NULL)) >= 0) {
		FILE *f = fopen(log, "a");
		if (f != NULL) {
			fprintf(f, "accepted\n");
			fclose(f);
		}
		close(c);
	}
	return 0;
}

/* UNIX sockets named by path.  Landlock has no right for connect(2) or
 * sendto(2) to a socket file, so mew's notifier makes these calls for the
 * guest (outside the domain, on the address as it copied it once, resolved
 * in the rootfs): from the fast syscall, from the guest's own `syscall`,
 * through an O_PATH fd of the host socket, with sendto, sendmsg and
 * sendmmsg, and with a second thread rewriting the address meanwhile.
 * Each must meet ENOENT, as the path does not exist in the rootfs. */
static long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
#ifndef __x86_64__
	return fast(nr, a1, a2, a3, a4, a5, a6);
#else
	register long r10 __asm__("r10") = a4, r8 __asm__("r8") = a5, r9 __asm__("r9") = a6;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
#endif
}

static socklen_t unix_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strncpy(sa->sun_path, path, sizeof(sa->sun_path) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

/* A second thread flips the address's family between AF_INET (not mew's
 * business, a careless notifier lets the call run as it is, and the kernel
 * reads the address again) and AF_UNIX. */
static struct sockaddr_un flip_sa;
static volatile int flipping;

static void *flipper(void *arg)
{
	(void)arg;
	for (unsigned i = 0; __atomic_load_n(&flipping, __ATOMIC_RELAXED); i++)
		__atomic_store_n(&flip_sa.sun_family, (i & 1) ? AF_UNIX : AF_INET, __ATOMIC_RELAXED);
	return NULL;
}

static int unix_path(const char *host)
{
	char dgram[sizeof(flip_sa.sun_path)], via[64];
	struct sockaddr_un sa;
	socklen_t len = unix_addr(&sa, host);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = m };
	int s, worst = 0, v;
	long r, opath;
	pthread_t th;

#define TRY(what, call, want)                                   \
	do {                                                    \
		v = verdict(what, call, want);                  \
		if (v == 1)                                     \
			return 1;                               \
		worst = v > worst ? v : worst;                  \
	} while (0)
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	TRY("connect to a host socket from the fast syscall",
	    fast(SYS_connect, s, (long)&sa, len, 0, 0, 0), ENOENT);
	TRY("connect to a host socket from the guest's own syscall",
	    raw6(SYS_connect, s, (long)&sa, len, 0, 0, 0), ENOENT);
	opath = fast(SYS_openat, AT_FDCWD, (long)host, O_PATH, 0, 0, 0);
	if (opath >= 0) {
		snprintf(via, sizeof(via), "/proc/self/fd/%ld", opath);
		len = unix_addr(&sa, via);
		TRY("connect to a host socket through its O_PATH fd",
		    fast(SYS_connect, s, (long)&sa, len, 0, 0, 0), 0);
	}
	close(s);
	snprintf(dgram, sizeof(dgram), "%s.dgram", host);
	len = unix_addr(&sa, dgram);
	m.msg_namelen = len;
	mm.msg_hdr = m;
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	TRY("sendto a host datagram socket from the fast syscall",
	    fast(SYS_sendto, s, (long)"x", 1, 0, (long)&sa, len), ENOENT);
	TRY("sendto a host datagram socket from the guest's own syscall",
	    raw6(SYS_sendto, s, (long)"x", 1, 0, (long)&sa, len), ENOENT);
	TRY("sendmsg to a host datagram socket from the fast syscall",
	    fast(SYS_sendmsg, s, (long)&m, 0, 0, 0, 0), ENOENT);
	TRY("sendmmsg to a host datagram socket from the fast syscall",
	    fast(SYS_sendmmsg, s, (long)&mm, 1, 0, 0, 0), ENOENT);
	/* the address rewritten by another thread while mew looks at it */
	unix_addr(&flip_sa, dgram);
	flipping = 1;
	pthread_create(&th, NULL, flipper, NULL);
	r = -1;
	for (int i = 0; i < 3000 && r < 0; i++)
		r = fast(SYS_sendto, s, (long)"x", 1, 0, (long)&flip_sa, sizeof(flip_sa));
	flipping = 0;
	pthread_join(th, NULL);
	TRY("sendto with its address rewritten meanwhile", r < 0 ? -ENOENT : r, 0);
	close(s);
	return worst;
#undef TRY
}

/* An honest program: a socket of the rootfs (a host process listens on it)
 * is reached by its guest path. */
static int unix_honest(const char *path)
{
	char dgram[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sa;
	socklen_t len = unix_addr(&sa, path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr m = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };

	if (connect(s, (struct sockaddr *)&sa, len) < 0) {
		printf("WRONG: connect to %s: %s\n", path, strerror(errno));
		return 2;
	}
	close(s);
	snprintf(dgram, sizeof(dgram), "%s.dgram", path);
	len = unix_addr(&sa, dgram);
	m.msg_namelen = len;
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (sendto(s, "s", 1, 0, (struct sockaddr *)&sa, len) != 1 || sendmsg(s, &m, 0) != 1) {
		printf("WRONG: send to %s: %s\n", dgram, strerror(errno));
		return 2;
	}
	/* the guest's own abstract socket, reached by the guest */
	{
		struct sockaddr_un ab = { .sun_family = AF_UNIX };
		socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
					     (size_t)snprintf(ab.sun_path + 1, sizeof(ab.sun_path) - 1, "mew-honest-%d", (int)getpid()));
		int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(l, (struct sockaddr *)&ab, alen) < 0 || listen(l, 1) < 0 || connect(c, (struct sockaddr *)&ab, alen) < 0) {
			printf("WRONG: the guest's own abstract socket: %s\n", strerror(errno));
			return 2;
		}
	}
	printf("honest: connected and sent\n");
	return 0;
}

/* The host side: a stream socket at PATH and a datagram one at
 * PATH.dgram; every connection and datagram is logged. */
static int listen_path(const char *path, const char *log)
{
	char dgram[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sa;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(dgram, sizeof(dgram), "%s.dgram", path);
	unlink(path);
	unlink(dgram);
	if (bind(s, (struct sockaddr *)&sa, unix_addr(&sa, path)) < 0 || listen(s, 8) < 0 ||
	    bind(d, (struct sockaddr *)&sa, unix_addr(&sa, dgram)) < 0) {
		perror("listen");
		return 2;
	}
	chmod(path, 0777);
	chmod(dgram, 0777);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		fd_set set;
		char buf[64];
		FILE *f;
		FD_ZERO(&set);
		FD_SET(s, &set);
		FD_SET(d, &set);
		if (select(d > s ? d + 1 : s + 1, &set, NULL, NULL, NULL) < 0)
			return 2;
		f = fopen(log, "a");
		if (FD_ISSET(s, &set)) {
			int c = accept(s, NULL, NULL);
			if (c >= 0)
				close(c);
			if (f != NULL)
				fprintf(f, "accepted\n");
		}
		if (FD_ISSET(d, &set) && recv(d, buf, sizeof(buf), 0) >= 0 && f != NULL)
			fprintf(f, "received\n");
		if (f != NULL)
			fclose(f);
	}
}

/* A device node in the rootfs, outside mew's /dev (a rootfs unpacked as
 * root may hold any): opened by its guest path and, past the stub, by its
 * host path; the devices cgroup of a root mew refuses both (EPERM). */
static int dev_node(const char *path, const char *host)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), v;
	long r;

	if (fd >= 0)
		return opened("a device node of the rootfs", fd);
	v = verdict("open a device node of the rootfs", -1, EPERM);
	r = fast(SYS_openat, AT_FDCWD, (long)host, O_RDONLY | O_NONBLOCK, 0, 0, 0);
	if (r >= 0)
		return opened("a device node of the rootfs from the fast syscall", (int)r);
	r = verdict("open a device node of the rootfs from the fast syscall", r, EPERM);
	return v > r ? v : (int)r;
}

/* /proc/PID of a host process: its root, its environment, its memory. */
static int proc_host(pid_t pid, const char *path)
{
	char p[4200];
	int fd, worst = 0, v;

	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, path);
	if ((fd = open(p, O_RDONLY)) >= 0)
		return opened("/proc/PID/root of a host process", fd);
	worst = verdict("open /proc/PID/root/... of a host process", -1, EACCES);
	snprintf(p, sizeof(p), "/proc/%d/environ", (int)pid);
	if ((fd = open(p, O_RDONLY)) >= 0)
		return opened("/proc/PID/environ of a host process", fd);
	v = verdict("open /proc/PID/environ of a host process", -1, EACCES);
	worst = v > worst ? v : worst;
	snprintf(p, sizeof(p), "/proc/%d/mem", (int)pid);
	if ((fd = open(p, O_RDWR)) >= 0)
		return opened("/proc/PID/mem of a host process", fd);
	v = verdict("open /proc/PID/mem of a host process", -1, EACCES);
	return v > worst ? v : worst;
}

/* Write to a read-only place, asking the stub for the guest's path
 * (EROFS) and past it for the host's (EACCES). */
static int write_ro(const char *path, const char *host)
{
	int fd = open(path, O_WRONLY | O_TRUNC), v;
	long r;

	if (fd >= 0) {
		(void)!write(fd, "climbed\n", 8);
		printf("CLIMBED: opened `%s` for writing\n", path);
		return 1;
	}
	v = verdict("open for writing", -1, EROFS);
	r = fast(SYS_openat, AT_FDCWD, (long)host, O_WRONLY | O_TRUNC, 0, 0, 0);
	if (r >= 0) {
		(void)!write((int)r, "climbed\n", 8);
		printf("CLIMBED: opened `%s` for writing from the fast syscall\n", host);
		return 1;
	}
	r = verdict("open for writing from the stub's fast syscall", r, EACCES);
	return v > r ? v : (int)r;
}

static int exec_host(char **argv)
{
	long r = fast(SYS_execve, (long)argv[0], (long)argv, (long)environ, 0, 0, 0);
	return verdict("execve of a host program by its host path", r, EACCES);
}

/* The stub turns its faults on the guest's memory into EFAULT (its own
 * SIGSEGV handler): a guest that takes that handler over, or is handed a
 * fault by it, holds nothing more than before; from its handler, inside
 * the stub's call, the host is still out of reach. */
static const char *fault_target;

static void fault_open(int sig)
{
	long fd = fast(SYS_openat, AT_FDCWD, (long)fault_target, O_RDONLY, 0, 0, 0);

	(void)sig;
	if (fd >= 0)
		_exit(opened("from a SIGSEGV handler inside the stub's call", (int)fd));
	_exit(verdict("openat from a SIGSEGV handler inside the stub's call", fd, EACCES));
}

#ifdef __x86_64__
void fault_restorer(void);
__asm__(".text\nfault_restorer:\n\tmov $15, %eax\n\tsyscall\n\thlt\n");

static int fault_escape(const char *path)
{
	struct {
		unsigned long handler, flags, restorer, mask;
	} ka = { (unsigned long)fault_open, 0x04000000 /* SA_RESTORER */, (unsigned long)fault_restorer, 0 };
	long ps = sysconf(_SC_PAGESIZE);
	char *none = mmap(NULL, (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stat st;
	long r;

	fault_target = path;
	/* the stub's way: a bad path is EFAULT, no signal reaches the guest */
	signal(SIGSEGV, fault_open);
	r = syscall(SYS_stat, none, &st);
	if (r != -1 || errno != EFAULT) {
		printf("WRONG: stat of an unreadable page: %ld (%s), want EFAULT\n", r, strerror(errno));
		return 2;
	}
	/* the handler taken over through the stub's fast syscall: the stub's
	 * own fault on the guest's path is the guest's to handle */
	fast(SYS_rt_sigaction, SIGSEGV, (long)&ka, 0, 8, 0, 0);
	syscall(SYS_stat, none, &st);
	printf("WRONG: the stub's fault did not reach the guest's own handler\n");
	return 2;
}
#else
static int fault_escape(const char *path)
{
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fault_target = path;
	signal(SIGSEGV, fault_open);
	*(volatile char *)none = 1;
	return 2;
}
#endif

/* A root's calls about the host itself, not its files: the host's hostname,
 * and open_by_handle_at (the "shocker" escape: a file handle names any
 * inode of the filesystem the rootfs is on, here the root directory, inode
 * 2 on ext2/3/4, with no path for Landlock to see).  Both from the stub's
 * fast syscall too. */
static int root_calls(void)
{
	struct {
		struct file_handle h;
		uint32_t ino, gen;
	} fh = { { 8, 1 /* FILEID_INO32_GEN */ }, 2, 0 };
	int mnt = open("/", O_RDONLY | O_DIRECTORY);
	int bad = 0;
	long r;

	/* fast() answers -errno, which verdict() would take for -1 and errno */
	r = fast(SYS_sethostname, (long)"climbed", 7, 0, 0, 0, 0);
	bad |= verdict("sethostname", r < 0 ? (errno = (int)-r, -1) : r, EPERM);
	bad |= verdict("sethostname (libc)", sethostname("climbed", 7), EPERM);
	r = fast(SYS_open_by_handle_at, mnt, (long)&fh, O_RDONLY, 0, 0, 0);
	bad |= verdict("open_by_handle_at", r < 0 ? (errno = (int)-r, -1) : r, EPERM);
	/* the xattr namespaces of CAP_SYS_ADMIN, which the wall keeps from a
	 * root guest: the model's, kept under mew's own names
	 * (personality/xattr.c), never the host's; those names are not the
	 * guest's to write, by path or through an fd (made by mew, as root) */
	{
		int f = open("/climb-xattr", O_CREAT | O_RDWR, 0644);
		setxattr("/climb-xattr", "trusted.climbed", "1", 1, 0);
		bad |= verdict("setxattr of its storage name",
			       setxattr("/climb-xattr", "user.mew.x.trusted.climbed", "2", 1, 0), EPERM);
		bad |= verdict("fsetxattr of its storage name", fsetxattr(f, "user.mew.x.trusted.climbed", "2", 1, 0), EPERM);
		bad |= verdict("fremovexattr of its storage name", fremovexattr(f, "user.mew.x.trusted.climbed"), ENODATA);
		close(f);
		unlink("/climb-xattr");
	}
	return bad;
}

/* fast() answers -errno; verdict() wants -1 and errno */
static long fast_r(long r)
{
	return r < 0 ? (errno = (int)-r, -1) : r;
}

/* /proc/self/uid_map := "0 0 1" (uid 0 inside is the host's root), by an
 * open mew answers and by one from the stub's fast syscall. */
static int map_host_root(const char *what)
{
	char label[128];
	int bad = 0, fd;
	long r;

	fd = open("/proc/self/uid_map", O_WRONLY);
	snprintf(label, sizeof(label), "%s: write uid_map mapping host root", what);
	r = fd < 0 ? -1 : write(fd, "0 0 1\n", 6);
	bad |= verdict(label, r, 0);
	if (fd >= 0)
		close(fd);
	fd = (int)fast_r(fast(SYS_openat, AT_FDCWD, (long)"/proc/self/uid_map", O_WRONLY, 0, 0, 0));
	snprintf(label, sizeof(label), "%s: write uid_map mapping host root (fast open)", what);
	r = fd < 0 ? -1 : write(fd, "0 0 1\n", 6);
	bad |= verdict(label, r, 0);
	if (fd >= 0)
		close(fd);
	return bad;
}

/* A guest that made its own network and UTS namespaces (mew made them in a
 * user namespace of the run's user) and tries to leave them for the
 * host's, or to use the capabilities it holds there on the host. */
static int namespaces(pid_t host, const char *abstract_name)
{
	char path[64];
	int bad = 0, before, fd;
	long r;

	/* an fd on the host's network namespace, kept from before */
	before = open("/proc/self/ns/net", O_RDONLY);
	if (unshare(CLONE_NEWNET | CLONE_NEWUTS) < 0) {
		printf("WRONG: unshare(CLONE_NEWNET | CLONE_NEWUTS): %s\n", strerror(errno));
		return 2;
	}
	if (sethostname("climbed", 7) < 0) {
		printf("WRONG: sethostname in the guest's own UTS namespace: %s\n", strerror(errno));
		return 2;
	}
	bad |= verdict("mount", mount("none", "/tmp", "tmpfs", 0, NULL), EPERM);
	bad |= verdict("mount (fast)", fast_r(fast(SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0, 0)),
		       EPERM);
	bad |= verdict("pivot_root", fast_r(fast(SYS_pivot_root, (long)"/", (long)"/", 0, 0, 0, 0)), EPERM);
	bad |= verdict("umount /proc", fast_r(fast(SYS_umount2, (long)"/proc", MNT_DETACH, 0, 0, 0, 0)), EPERM);
	/* a mount namespace of its own (the kernel lets the owner of a user
	 * namespace make one) does not let it mount either */
	if (fast(SYS_unshare, CLONE_NEWNS, 0, 0, 0, 0, 0) == 0)
		bad |= verdict("mount in a mount namespace of its own (fast)",
			       fast_r(fast(SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0, 0)), EPERM);
	if (before >= 0) {
		bad |= verdict("setns back into the host's network namespace", setns(before, CLONE_NEWNET), EPERM);
		bad |= verdict("setns back into the host's network namespace (fast)",
			       fast_r(fast(SYS_setns, before, CLONE_NEWNET, 0, 0, 0, 0)), EPERM);
	}
	/* the host's namespaces by pid: pid 1, and a host process of the user */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", i == 0 ? 1 : (int)host);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			fd = (int)fast_r(fast(SYS_openat, AT_FDCWD, (long)path, O_RDONLY, 0, 0, 0));
		if (fd < 0) {
			bad |= verdict(path, -1, 0);
			continue;
		}
		r = fast_r(fast(SYS_setns, fd, 0, 0, 0, 0, 0));
		bad |= verdict(i == 0 ? "setns into pid 1's network namespace" : "setns into a host process's", r, EPERM);
		close(fd);
	}
	bad |= map_host_root("in the user namespace mew made");
	bad |= verdict("kill a host process", kill(host, SIGTERM), EPERM);
	bad |= ptrace_host(host);
	bad |= abstract(abstract_name);
	/* a user namespace of the guest's own (from the fast syscall: the
	 * personality would refuse it), whose map is not written yet */
	r = fast_r(fast(SYS_unshare, CLONE_NEWUSER, 0, 0, 0, 0, 0));
	if (r == 0)
		bad |= map_host_root("in a new user namespace of its own");
	else
		bad |= verdict("unshare(CLONE_NEWUSER) (fast)", r, 0);
	return bad;
}

/* A user and network namespace of the guest's own (the personality's,
 * asked through libc as a program asks), by an ordinary guest user
 * (--user 1000:1000), which then holds every capability there: the maps
 * Linux refuses it stay refused, and nothing outside answers to those
 * capabilities. */
static int own_userns(pid_t host, const char *abstract_name)
{
	int bad = 0, before = open("/proc/self/ns/net", O_RDONLY), fd;
	char path[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		printf("WRONG: unshare(CLONE_NEWUSER | CLONE_NEWNET): %s\n", strerror(errno));
		return 2;
	}
	bad |= verdict("own map of host root (0 0 1)", put("/proc/self/uid_map", "0 0 1\n"), EPERM);
	bad |= verdict("own map of every id", put("/proc/self/uid_map", "0 0 4294967295\n"), EPERM);
	bad |= verdict("gid_map before setgroups is denied", put("/proc/self/gid_map", "0 1000 1\n"), EPERM);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)host);
	bad |= verdict("a host process's uid_map", put(path, "0 1000 1\n"), EPERM);
	bad |= verdict("pid 1's uid_map", put("/proc/1/uid_map", "0 1000 1\n"), EPERM);
	if (put("/proc/self/setgroups", "deny") < 0 || put("/proc/self/uid_map", "0 1000 1\n") < 0 ||
	    put("/proc/self/gid_map", "0 1000 1\n") < 0 || getuid() != 0) {
		printf("WRONG: its own map: %s (uid %d)\n", strerror(errno), (int)getuid());
		return 2;
	}
	bad |= verdict("a second uid_map", put("/proc/self/uid_map", "0 1000 1\n"), EPERM);
	bad |= verdict("setgroups allowed again", put("/proc/self/setgroups", "allow"), EPERM);
	bad |= verdict("setgroups(0)", setgroups(0, NULL), EPERM);
	bad |= verdict("setuid to an unmapped id", setuid(1), EINVAL);
	/* the kernel's own file, behind the wall */
	fd = (int)fast_r(fast(SYS_openat, AT_FDCWD, (long)"/proc/self/uid_map", O_WRONLY, 0, 0, 0));
	bad |= verdict("uid_map (fast open)", fd < 0 ? -1 : write(fd, "0 0 1\n", 6), 0);
	if (fd >= 0)
		close(fd);
	/* its capabilities over what the namespace does not map */
	bad |= verdict("open root's /etc/passwd for writing", open("/etc/passwd", O_WRONLY), EACCES);
	bad |= verdict("chown root's /etc/passwd", chown("/etc/passwd", 0, 0), EPERM);
	if (before >= 0)
		bad |= verdict("setns back into the host's network namespace", setns(before, CLONE_NEWNET), EPERM);
	bad |= verdict("kill a host process", kill(host, SIGTERM), EPERM);
	bad |= ptrace_host(host);
	bad |= abstract(abstract_name);
	return bad;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(a, "fast") == 0 && argc == 3)
		return fast_open(argv[2], O_RDONLY);
	if (strcmp(a, "rewrite") == 0 && argc == 3)
		return rewrite(argv[2]);
	if (strcmp(a, "dup2") == 0 && argc == 3)
		return dup2_root(argv[2]);
	if (strcmp(a, "uring") == 0 && argc == 3)
		return uring_open(argv[2]);
	if (strcmp(a, "ptrace") == 0 && argc == 3)
		return ptrace_host(atoi(argv[2]));
	if (strcmp(a, "kill") == 0 && argc == 3)
		return verdict("kill a host process", kill(atoi(argv[2]), SIGTERM), EPERM);
	if (strcmp(a, "vmread") == 0 && argc == 3)
		return vmread_host(atoi(argv[2]));
	if (strcmp(a, "abstract") == 0 && argc == 3)
		return abstract(argv[2]);
	if (strcmp(a, "listen") == 0 && argc == 4)
		return listen_abstract(argv[2], argv[3]);
	if (strcmp(a, "unix") == 0 && argc == 3)
		return unix_path(argv[2]);
	if (strcmp(a, "honest") == 0 && argc == 3)
		return unix_honest(argv[2]);
	if (strcmp(a, "listen-path") == 0 && argc == 4)
		return listen_path(argv[2], argv[3]);
	if (strcmp(a, "dev") == 0 && argc == 4)
		return dev_node(argv[2], argv[3]);
	if (strcmp(a, "proc") == 0 && argc == 4)
		return proc_host(atoi(argv[2]), argv[3]);
	if (strcmp(a, "write") == 0 && argc == 4)
		return write_ro(argv[2], argv[3]);
	if (strcmp(a, "fault") == 0 && argc == 3)
		return fault_escape(argv[2]);
	if (strcmp(a, "root") == 0 && argc == 2)
		return root_calls();
	if (strcmp(a, "userns") == 0 && argc == 2) {
		/* a user namespace of its own, made first, from the fast syscall */
		long r = fast(SYS_unshare, CLONE_NEWUSER, 0, 0, 0, 0, 0);
		if (r < 0)
			return verdict("unshare(CLONE_NEWUSER) (fast)", fast_r(r), 0);
		return map_host_root("in a new user namespace of its own");
	}
	if (strcmp(a, "ns") == 0 && argc == 4)
		return namespaces(atoi(argv[2]), argv[3]);
	if (strcmp(a, "ownuserns") == 0 && argc == 4)
		return own_userns(atoi(argv[2]), argv[3]);
	if (strcmp(a, "exec") == 0 && argc >= 3)
		return exec_host(argv + 2);
	fprintf(stderr, "usage: climb fast|rewrite|dup2|uring|fault PATH | ptrace|kill|vmread PID | abstract NAME |\n"
			"       listen NAME LOG | unix HOSTPATH | honest PATH | listen-path PATH LOG |\n"
			"       dev PATH HOSTPATH | proc PID PATH | write PATH HOSTPATH | exec PATH ARGS... | root |\n"
			"       ns PID NAME | userns | ownuserns PID NAME\n");
	return 2;
}
