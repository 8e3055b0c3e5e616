/* Flags whose values differ between arm64 and x86-64 (O_DIRECTORY,
 * O_NOFOLLOW, O_DIRECT, O_LARGEFILE), both ways, and readlinkat's edges.
 * One line per check: NAME RESULT (an errno's name, or a value). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *name, long r)
{
	if (r < 0)
		printf("%s %s\n", name, strerrorname_np(errno));
	else
		printf("%s ok\n", name);
}

/* F_GETFL in octal, past the access mode: arm64's values (O_LARGEFILE is
 * 0400000 there, and the kernel sets it on every open) */
static void flags(const char *name, int fd)
{
	printf("%s %o\n", name, fcntl(fd, F_GETFL) & ~O_ACCMODE);
}

int main(void)
{
	int p[2], fd;
	char buf[64];
	ssize_t n;

	setvbuf(stdout, NULL, _IONBF, 0);
	show("pipe2-direct", pipe2(p, O_DIRECT | O_CLOEXEC));
	flags("pipe2-direct-getfl", p[1]);
	show("pipe2-nonblock", pipe2(p, O_NONBLOCK));
	flags("pipe2-nonblock-getfl", p[1]);
	fcntl(p[1], F_SETFL, O_DIRECT);
	flags("setfl-direct-getfl", p[1]);
	show("open-directory-dir", fd = open("/tmp", O_RDONLY | O_DIRECTORY));
	flags("open-directory-getfl", fd);
	close(open("/tmp/file", O_RDWR | O_CREAT, 0644));
	show("open-directory-file", open("/tmp/file", O_RDONLY | O_DIRECTORY));
	unlink("/tmp/link");
	symlink("/tmp/file", "/tmp/link");
	show("open-nofollow-link", open("/tmp/link", O_RDONLY | O_NOFOLLOW));
	show("open-nofollow-file", fd = open("/tmp/file", O_RDONLY | O_NOFOLLOW));
	flags("open-file-getfl", fd);
	show("open-tmpfile", fd = open("/tmp", O_TMPFILE | O_RDWR, 0600));
	/* a file without a name gets one through its /proc/self/fd link */
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	unlink("/tmp/named");
	show("linkat-tmpfile", linkat(AT_FDCWD, buf, AT_FDCWD, "/tmp/named", AT_SYMLINK_FOLLOW));
	show("eventfd-nonblock", fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	flags("eventfd-getfl", fd);
	show("socket-nonblock", fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	flags("socket-getfl", fd);

	show("readlinkat-size0", readlinkat(AT_FDCWD, "/tmp/link", buf, 0));
	fd = open("/tmp/link", O_PATH | O_NOFOLLOW);
	n = readlinkat(fd, "", buf, sizeof(buf));
	printf("readlinkat-empty %.*s\n", n < 0 ? 0 : (int)n, buf);
	show("readlinkat-empty-cwd", readlinkat(AT_FDCWD, "", buf, sizeof(buf)));
	show("readlinkat-notlink", readlinkat(AT_FDCWD, "/tmp/file", buf, sizeof(buf)));

	/* prctl: the thread's timer slack (LTP's prctl08), an unused argument
	 * of PR_SET_NO_NEW_PRIVS set (prctl02) */
	show("prctl-set-timerslack", prctl(PR_SET_TIMERSLACK, 70000, 0, 0, 0));
	printf("prctl-get-timerslack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	show("prctl-no-new-privs-arg3", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	show("prctl-get-no-new-privs-arg2", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));

	/* sigaltstack's mode and arm64's smallest stack (LTP's sigaltstack02);
	 * the old one is told only when the new one is taken */
	static char alt[8192];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0x1234 }, old = { .ss_flags = -1 };
	show("sigaltstack-bad-flags", sigaltstack(&ss, &old));
	printf("sigaltstack-bad-flags-old %d\n", old.ss_flags);
	ss.ss_flags = 0;
	ss.ss_size = 5119;
	show("sigaltstack-5119", sigaltstack(&ss, NULL));
	ss.ss_size = 5120;
	show("sigaltstack-5120", sigaltstack(&ss, &old));
	printf("sigaltstack-5120-old %d\n", old.ss_flags);

	/* sched_getattr and sched_setattr exist (LTP's sched_getattr02) */
	uint32_t attr[14] = { 0 };
	show("sched-getattr", syscall(SYS_sched_getattr, 0, attr, 48, 0));
	printf("sched-getattr-size-policy %u %u\n", attr[0], attr[1]);
	show("sched-getattr-small", syscall(SYS_sched_getattr, 0, attr, 47, 0));
	show("sched-setattr-same", syscall(SYS_sched_setattr, 0, attr, 0));

	/* a name under a dirfd that is a file (LTP's statx03): fd 9 is one
	 * outside the rootfs, given by the test */
	struct stat st;
	show("fstatat-file-dirfd", fstatat(9, "name", &st, 0));
	show("openat-file-dirfd", openat(9, "name", O_RDONLY));
	show("fstatat-file-empty-path", fstatat(9, "", &st, AT_EMPTY_PATH));
	puts("done");
	return 0;
}
