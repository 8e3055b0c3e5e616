/* execveat: a program by a dirfd and a relative name, by an fd of its own
 * (AT_EMPTY_PATH), and its errors.  Run as /execveat in a rootfs where it
 * is the only program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *const child_argv[] = { "execveat", "child", NULL };
static char *const env[] = { NULL };

static void run(const char *name, int dirfd, const char *path, int flags)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		syscall(SYS_execveat, dirfd, path, child_argv, env, flags);
		printf("%s %s\n", name, strerrorname_np(errno));
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

static void opened(const char *name, const char *path, int flags)
{
	int fd = open(path, flags);

	printf("%s %s\n", name, fd < 0 ? strerrorname_np(errno) : "ok");
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		char c;
		write(3, "r", 1); /* running, until fd 4 ends */
		read(4, &c, 1);
		return 0;
	}
	if (argc > 1) {
		puts("child ran");
		return 0;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	int root = open("/", O_RDONLY | O_DIRECTORY);
	int self = open("/execveat", O_RDONLY);
	int file = open("/execveat", O_PATH);
	symlink("/execveat", "/tmp/exec-link");
	run("relative", root, "execveat", 0);
	run("absolute", -1, "/execveat", 0);
	run("empty-path", self, "", AT_EMPTY_PATH);
	run("empty-no-flag", self, "", 0);
	run("nofollow-link", AT_FDCWD, "/tmp/exec-link", AT_SYMLINK_NOFOLLOW);
	run("follow-link", AT_FDCWD, "/tmp/exec-link", 0);
	run("bad-flags", root, "execveat", 0x4000);
	run("bad-dirfd", 99, "execveat", 0);
	run("file-dirfd", file, "execveat", 0);
	/* the guest's ids: nobody may not run what has no x for it, nor look
	 * into a directory without search permission */
	close(open("/tmp/plain", O_WRONLY | O_CREAT, 0744));
	chmod("/tmp/plain", 0744);
	mkdir("/tmp/private", 0700);
	symlink("/execveat", "/tmp/private/link");
	if (fork() == 0) {
		char buf[64];
		setuid(65534);
		execve("/tmp/plain", child_argv, env);
		printf("nobody-execve-0744 %s\n", strerrorname_np(errno));
		printf("nobody-readlink-0700 %s\n",
		       readlink("/tmp/private/link", buf, sizeof(buf)) < 0 ? strerrorname_np(errno) : "ok");
		_exit(0);
	}
	wait(NULL);
	/* a program some process has open for writing is not run (ETXTBSY,
	 * LTP's execve04); once closed it is */
	char code[1 << 16];
	ssize_t n;
	int in = open("/execveat", O_RDONLY), out = open("/tmp/busy", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	while ((n = read(in, code, sizeof(code))) > 0)
		write(out, code, n);
	close(in);
	run("open-for-writing", AT_FDCWD, "/tmp/busy", 0);
	close(out);
	run("closed-after-writing", AT_FDCWD, "/tmp/busy", 0);
	/* and the other way (LTP's creat07): a program a process runs is not
	 * opened for writing, by another process or by itself */
	int ready[2], release[2];
	char c;
	pipe(ready);
	pipe(release);
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(release[1]); /* its end is the parent's alone */
		dup2(ready[1], 3);
		dup2(release[0], 4);
		execl("/tmp/busy", "busy", "wait", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	close(release[0]);
	read(ready[0], &c, 1);
	opened("running-open-write", "/tmp/busy", O_WRONLY);
	opened("running-open-trunc", "/tmp/busy", O_RDONLY | O_TRUNC);
	opened("running-open-read", "/tmp/busy", O_RDONLY);
	opened("self-open-write", "/execveat", O_RDWR);
	close(release[1]);
	waitpid(pid, NULL, 0);
	opened("ended-open-write", "/tmp/busy", O_WRONLY);
	puts("done");
	return 0;
}
