/* A guest that hands the syscall engine garbage: bad pointers, paths with
 * no end, absurd argv, its own seccomp listener.  mew must answer each
 * with an error and keep running; prints "survived" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int bad;

static void expect_err(const char *what, long r, int e)
{
	if (r != -1 || errno != e) {
		printf("WRONG: %s: %ld (%s), want %s\n", what, r, strerror(errno), strerror(e));
		bad++;
	} else {
		printf("ok: %s\n", what);
	}
}

int main(void)
{
	struct stat st;
	char *page, *big;
	long ps = sysconf(_SC_PAGESIZE);

	expect_err("stat(NULL)", stat(NULL, &st), EFAULT);
	expect_err("stat(bad pointer)", stat((char *)16, &st), EFAULT);
	expect_err("open(bad pointer)", open((char *)16, O_RDONLY), EFAULT);
	expect_err("stat into a bad buffer", syscall(SYS_stat, "/etc/passwd", (void *)16), EFAULT);
	expect_err("readlink into a bad buffer", syscall(SYS_readlink, "/bin", (void *)16, 100), EFAULT);
	expect_err("getcwd into a bad buffer", syscall(SYS_getcwd, (void *)16, 100), EFAULT);
	/* a path that runs into an unmapped page without a NUL */
	page = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + ps, ps);
	memset(page, 'a', ps);
	expect_err("path without an end", open(page + 100, O_RDONLY), EFAULT);
	/* longer than PATH_MAX */
	big = malloc(3 * 4096);
	memset(big, 'a', 3 * 4096 - 1);
	big[3 * 4096 - 1] = '\0';
	expect_err("path over PATH_MAX", open(big, O_RDONLY), ENAMETOOLONG);
	expect_err("execve(bad argv)", syscall(SYS_execve, "/bin/true", (void *)16, NULL), EFAULT);
	expect_err("execve(bad path)", syscall(SYS_execve, (void *)16, NULL, NULL), EFAULT);
	expect_err("chdir to a file", chdir("/etc/passwd"), ENOTDIR);
	expect_err("mount", syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL), EPERM);
	{
		/* a filter of its own with a listener would outrank mew's */
		struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF) };
		struct sock_fprog p = { 1, f };
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		expect_err("seccomp listener", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
						       SECCOMP_FILTER_FLAG_NEW_LISTENER, &p), EPERM);
	}
	if (stat("/etc/debian_version", &st) != 0) {
		printf("BROKEN: stat after all that\n");
		bad++;
	}
	printf("%s\n", bad ? "misanswered" : "survived");
	return bad ? 1 : 0;
}
