/* What the guest sees of the stub's own fds (src/trap/guest/fds.c) and of
 * its socket names (sock.c); runs natively too.
 *   fds list               the numbers in /proc/self/fd
 * The stub's fds are at 1000 and up, or at the RLIMIT_NOFILE the guest
 * sees and up (trap_stub_fd_min): "the stub's numbers" are both ranges.
 *   fds poke PATH          fcntl(F_GETFD) and close of the stub's numbers
 *                          (how many answered), then stat(PATH)'s inode
 *   fds probe              each call on an fd (fstat, fstatat, statx, dup,
 *                          fchdir, openat, lseek, read, fstatfs, fchmod,
 *                          fsync, getdents64) and on /proc/self/fd/N and
 *                          fdinfo/N (readlink, stat, open) for N the stub's
 *                          numbers: how many did not fail as for a
 *                          closed fd (EBADF, ENOENT)
 *   fds child PATH         a child that closes everything from 3 up
 *                          (close_range, then close of each, as closefrom
 *                          and subprocess do) prints stat(PATH)'s inode
 *                          and /proc/self/fd, then execs `fds probe`
 *   fds dup2 PATH          the soft limit raised to the hard one (as Go
 *                          does: the stub's fds may then lie under it), dup2
 *                          onto 64..1100 and close_range(3, ~0), then
 *                          stat(PATH)'s inode and /proc/self/fd
 *   fds vfork PATH         the soft limit raised as dup2's; a vfork child
 *                          dup2s onto 3..1100 and stats PATH, then _exits;
 *                          the parent prints its /proc/self/fd, how many of
 *                          the stub's numbers answer fcntl(F_GETFD),
 *                          stat(PATH)'s inode, and the child's
 *   fds sock DIR           getsockname and getpeername of an AF_UNIX socket
 *                          bound at DIR/s; the peer's name from accept and
 *                          recvfrom, bound at DIR/c and DIR/e */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The stub's numbers, one after the other: 1000..1100, then the soft
 * limit and 110 above it; -1 after the last. */
static int stub_number(int fd)
{
	int lim = getdtablesize(), next = fd < 1000 ? 1000 : fd + 1;

	if (next <= 1100 || (next >= lim && next <= lim + 110))
		return next;
	return next < lim ? lim : -1;
}
#define FOR_STUB_NUMBERS(fd) for (int fd = stub_number(0); fd >= 0; fd = stub_number(fd))

static void raise_to_hard(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static void list(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n[4096], k = 0;

	if (d == NULL) {
		perror("/proc/self/fd");
		exit(1);
	}
	while ((e = readdir(d)) != NULL && k < 4096)
		if (e->d_name[0] != '.')
			n[k++] = atoi(e->d_name);
	closedir(d);
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && n[j - 1] > n[j]; j--) {
			int t = n[j];
			n[j] = n[j - 1];
			n[j - 1] = t;
		}
	printf("fds:");
	for (int i = 0; i < k; i++)
		printf(" %d", n[i]);
	printf("\n");
}

static void ino(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		printf("stat: %s\n", strerror(errno));
	else
		printf("ino %lu\n", (unsigned long)st.st_ino);
}

/* "call N" for each call, N the stub's numbers it did not answer as
 * closed: the call's result r is a closed fd's when r < 0 and errno is e */
static void probe(void)
{
	static const char *const calls[] = { "fstat", "fstatat", "statx", "dup", "fchdir", "openat", "lseek",
					     "read", "fstatfs", "fchmod", "fsync", "getdents64", "readlink",
					     "stat", "open", "fdinfo" };
	int seen[sizeof(calls) / sizeof(calls[0])] = { 0 };

	FOR_STUB_NUMBERS(fd) {
		char path[64], info[64], buf[256];
		struct stat st;
		struct statx stx;
		struct statfs sfs;
		long r[16];
		int e[16], bad = EBADF, gone = ENOENT;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
#define TRY(i, call, want) (errno = 0, r[i] = (call), e[i] = errno, seen[i] += !(r[i] < 0 && e[i] == (want)))
		TRY(0, syscall(SYS_fstat, fd, &st), bad);
		TRY(1, fstatat(fd, "", &st, AT_EMPTY_PATH), bad);
		TRY(2, statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), bad);
		TRY(3, dup(fd), bad);
		TRY(4, fchdir(fd), bad);
		TRY(5, openat(fd, "etc", O_RDONLY), bad);
		TRY(6, lseek(fd, 0, SEEK_CUR), bad);
		TRY(7, read(fd, buf, 1), bad);
		TRY(8, fstatfs(fd, &sfs), bad);
		TRY(9, fchmod(fd, 0755), bad);
		TRY(10, fsync(fd), bad);
		TRY(11, syscall(SYS_getdents64, fd, buf, sizeof(buf)), bad);
		TRY(12, readlink(path, buf, sizeof(buf)), gone);
		TRY(13, stat(path, &st), gone);
		TRY(14, open(path, O_RDONLY), gone);
		TRY(15, open(info, O_RDONLY), gone);
#undef TRY
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		printf("%s%s %d", i ? " " : "", calls[i], seen[i]);
	printf("\n");
}

static void name(const char *what, int r, struct sockaddr_un *sa, socklen_t len)
{
	if (r != 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %.*s\n", what, (int)(len - offsetof(struct sockaddr_un, sun_path)), sa->sun_path);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "list") == 0) {
		list();
		return 0;
	}
	if (strcmp(argv[1], "probe") == 0) {
		probe();
		return 0;
	}
	if (strcmp(argv[1], "poke") == 0 && argc > 2) {
		int getfd = 0, closed = 0;
		FOR_STUB_NUMBERS(fd) {
			getfd += fcntl(fd, F_GETFD) >= 0;
			closed += close(fd) == 0;
		}
		printf("getfd %d close %d\n", getfd, closed);
		ino(argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "child") == 0 && argc > 2) {
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			syscall(SYS_close_range, 3, ~0U, 0);
			for (int fd = 3; fd <= 1100; fd++)
				close(fd);
			FOR_STUB_NUMBERS(fd)
				close(fd);
			ino(argv[2]);
			list();
			fflush(stdout);
			execl("/proc/self/exe", argv[0], "probe", (char *)NULL);
			perror("exec");
			_exit(1);
		}
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	if (strcmp(argv[1], "dup2") == 0 && argc > 2) {
		int fd = open("/", O_RDONLY | O_DIRECTORY), bad = 0;
		raise_to_hard();
		for (int to = 64; to <= 1100; to++)
			bad += dup2(fd, to) != to;
		printf("dup2 failed %d\n", bad);
		ino(argv[2]);
		bad = syscall(SYS_close_range, 3, ~0U, 0);
		printf("close_range %d\n", bad);
		ino(argv[2]);
		list();
		return 0;
	}
	if (strcmp(argv[1], "vfork") == 0 && argc > 2) {
		/* (volatile: written by the child in the memory it shares) */
		volatile unsigned long child_ino = 0;
		int getfd = 0, status;
		pid_t pid;
		raise_to_hard();
		pid = vfork();
		if (pid == 0) {
			struct stat st;
			for (int to = 3; to <= 1100; to++)
				dup2(0, to);
			if (stat(argv[2], &st) == 0)
				child_ino = st.st_ino;
			_exit(0);
		}
		waitpid(pid, &status, 0);
		list();
		FOR_STUB_NUMBERS(fd)
			getfd += fcntl(fd, F_GETFD) >= 0;
		printf("getfd %d\n", getfd);
		ino(argv[2]);
		printf("child ino %lu\n", child_ino);
		return 0;
	}
	if (strcmp(argv[1], "sock") == 0 && argc > 2) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX }, got;
		socklen_t len = sizeof(got);
		int s = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), a;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", argv[2]);
		unlink(sa.sun_path);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 1) != 0) {
			perror("bind");
			return 1;
		}
		name("getsockname", getsockname(s, (struct sockaddr *)&got, &len), &got, len);
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			perror("connect");
			return 1;
		}
		len = sizeof(got);
		name("getpeername", getpeername(c, (struct sockaddr *)&got, &len), &got, len);
		a = accept(s, NULL, NULL);
		len = sizeof(got);
		name("accepted getsockname", getsockname(a, (struct sockaddr *)&got, &len), &got, len);
		/* a short buffer: truncated, the whole length told */
		len = 6;
		memset(&got, 0, sizeof(got));
		getsockname(s, (struct sockaddr *)&got, &len);
		printf("short: %.4s %d\n", got.sun_path,
		       (int)len == (int)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1));
		{
			struct sockaddr_un ca = { .sun_family = AF_UNIX }, da = { .sun_family = AF_UNIX },
					   ea = { .sun_family = AF_UNIX };
			int c2 = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0),
			    e = socket(AF_UNIX, SOCK_DGRAM, 0);
			char b[4];
			snprintf(ca.sun_path, sizeof(ca.sun_path), "%s/c", argv[2]);
			snprintf(da.sun_path, sizeof(da.sun_path), "%s/d", argv[2]);
			snprintf(ea.sun_path, sizeof(ea.sun_path), "%s/e", argv[2]);
			unlink(ca.sun_path);
			unlink(da.sun_path);
			unlink(ea.sun_path);
			if (bind(c2, (struct sockaddr *)&ca, sizeof(ca)) != 0 ||
			    connect(c2, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
				perror("bound client");
				return 1;
			}
			len = sizeof(got);
			name("accept", accept(s, (struct sockaddr *)&got, &len) < 0, &got, len);
			if (bind(d, (struct sockaddr *)&da, sizeof(da)) != 0 || bind(e, (struct sockaddr *)&ea, sizeof(ea)) != 0 ||
			    sendto(e, "x", 1, 0, (struct sockaddr *)&da, sizeof(da)) != 1) {
				perror("datagram");
				return 1;
			}
			len = sizeof(got);
			name("recvfrom", recvfrom(d, b, sizeof(b), 0, (struct sockaddr *)&got, &len) != 1, &got, len);
			unlink(ca.sun_path);
			unlink(da.sun_path);
			unlink(ea.sun_path);
		}
		unlink(sa.sun_path);
		return 0;
	}
	return 2;
}
