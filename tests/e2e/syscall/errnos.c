/* The kernel's answers the personality must give as they are (LTP's
 * linkat01, open13, execveat02, creat07, execve04, open14, bind04, lstat02,
 * fstatat01, truncate03): one line each,
 * "ok WHAT" or "FAILED WHAT: got X, want Y".  Run in a writable directory:
 *     errnos DIR
 * (`errnos wait` is the running program of the ETXTBSY case.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "want.h"

int main(int argc, char **argv)
{
	char p[256], q[256];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, dfd, s;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && strcmp(argv[1], "wait") == 0) {
		pause();
		return 0;
	}
	if (argc != 2 || chdir(argv[1]) < 0)
		return 2;
	mkdir("d", 0755);
	want("a hard link to a directory is EPERM", link("d", "dl"), EPERM);
	want("linkat of a directory is EPERM", linkat(AT_FDCWD, "d", AT_FDCWD, "dl", 0), EPERM);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	fd = open("f", O_PATH);
	want("fchown on an O_PATH fd is EBADF", fchown(fd, getuid(), getgid()), EBADF);
	want("fchownat(AT_EMPTY_PATH) on an O_PATH fd works", fchownat(fd, "", getuid(), getgid(), AT_EMPTY_PATH), 0);
	symlink("/bin/true", "tl");
	want("execveat(AT_SYMLINK_NOFOLLOW) of a symlink is ELOOP",
	     syscall(SYS_execveat, AT_FDCWD, "tl", argv, NULL, AT_SYMLINK_NOFOLLOW), ELOOP);
	/* LTP's execveat02: run, /bin/true would end this program early */
	want("execveat with unknown flags is EINVAL", syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, NULL, -1),
	     EINVAL);
	{
		/* LTP's creat07 and execve04 with a dynamic program (the rootfs's
		 * sleep), which the syscall engine runs through ld.so */
		char buf[65536];
		int in = open("/bin/sleep", O_RDONLY), out = open("dprog", O_CREAT | O_WRONLY, 0755), st;
		ssize_t n;
		pid_t pid;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			(void)!write(out, buf, (size_t)n);
		close(in);
		pid = fork();
		if (pid == 0) {
			/* out, still open for writing here */
			execl("./dprog", "dprog", "1000", (char *)NULL);
			_exit(errno);
		}
		waitpid(pid, &st, 0);
		errno = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
		want("executing a program open for writing is ETXTBSY", -1, ETXTBSY);
		close(out);
		pid = fork();
		if (pid == 0) {
			execl("./dprog", "dprog", "1000", (char *)NULL);
			_exit(127);
		}
		/* running once /proc/N/exe names it */
		snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
		for (int i = 0; i < 1000; i++) {
			n = readlink(p, q, sizeof(q) - 1);
			q[n > 0 ? n : 0] = '\0';
			if (strstr(q, "/dprog") != NULL)
				break;
			usleep(10000);
		}
		want("opening a running dynamic program for writing is ETXTBSY", open("dprog", O_WRONLY), ETXTBSY);
		want("truncating it by open(O_TRUNC) is ETXTBSY", open("dprog", O_RDONLY | O_TRUNC), ETXTBSY);
		want("creat of it is ETXTBSY", creat("dprog", 0755), ETXTBSY);
		{
			struct stat sb;
			check("... and it was left whole", stat("dprog", &sb) == 0 && sb.st_size > 0);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fd = open("dprog", O_WRONLY);
		want("once it ended, it opens for writing", fd, 0);
		close(fd);
	}
	{
		/* a program of the caller's own, running */
		char buf[65536];
		int in = open("/proc/self/exe", O_RDONLY), out = open("prog", O_CREAT | O_WRONLY, 0755), pipefd[2];
		ssize_t n;
		pid_t pid;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			(void)!write(out, buf, (size_t)n);
		close(in);
		close(out);
		(void)!pipe2(pipefd, O_CLOEXEC);
		pid = fork();
		if (pid == 0) {
			execl("./prog", "prog", "wait", (char *)NULL);
			_exit(127);
		}
		close(pipefd[1]);
		(void)!read(pipefd[0], buf, 1); /* closed at the exec */
		want("opening a running program for writing is ETXTBSY", open("prog", O_WRONLY), ETXTBSY);
		want("creat of a running program is ETXTBSY", creat("prog", 0755), ETXTBSY);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	dfd = open(".", O_PATH | O_DIRECTORY);
	snprintf(p, sizeof(p), "/proc/self/fd/%d/f", dfd);
	snprintf(q, sizeof(q), "/proc/self/fd/%d/f2", dfd);
	want("linkat through /proc/self/fd/N/...", linkat(AT_FDCWD, p, AT_FDCWD, q, 0), 0);
	want("linkat with an unknown flag is EINVAL", linkat(AT_FDCWD, "f", AT_FDCWD, "f3", 1), EINVAL);
	/* LTP's statx03: a path relative to an fd that is no directory */
	fd = open("f", O_RDONLY);
	{
		struct stat st;
		want("fstatat relative to a file's fd is ENOTDIR", fstatat(fd, "x", &st, 0), ENOTDIR);
		want("fstatat relative to stdout (a pipe or a host file) is ENOTDIR", fstatat(1, "x", &st, 0), ENOTDIR);
	}
	close(fd);
	{
		/* LTP's lstat02 (a NULL path, after seteuid(nobody): mew answers
		 * it then) and fstatat01 (flags Linux does not know) */
		struct stat st;
		const char *volatile null_path = NULL; /* (libc's header says nonnull) */
		pid_t pid;
		int status;
		want("lstat(NULL) is EFAULT", lstat(null_path, &st), EFAULT);
		want("fstatat with unknown flags is EINVAL", fstatat(AT_FDCWD, ".", &st, 9999), EINVAL);
		close(open("big", O_CREAT | O_WRONLY, 0666));
		chmod("big", 0666);
		chmod(".", 0755);
		pid = fork();
		if (pid == 0) {
			/* LTP's truncate03: mew makes this truncate, under its own limit */
			struct rlimit rl = { 4096, 4096 };
			sigset_t xfsz, pending;
			sigemptyset(&xfsz);
			sigaddset(&xfsz, SIGXFSZ);
			sigprocmask(SIG_BLOCK, &xfsz, NULL);
			if (seteuid(65534) < 0 || setrlimit(RLIMIT_FSIZE, &rl) < 0)
				_exit(3);
			want("no longer root: lstat(NULL) is EFAULT", lstat(null_path, &st), EFAULT);
			want("no longer root: fstatat with unknown flags is EINVAL",
			     fstatat(AT_FDCWD, "/", &st, 9999), EINVAL);
			want("no longer root: truncate past RLIMIT_FSIZE is EFBIG", truncate("big", 8192), EFBIG);
			check("... and SIGXFSZ is pending", sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ));
			_exit(failed);
		}
		waitpid(pid, &status, 0);
		check("... (the child)", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* LTP's openat03: an O_TMPFILE file given a name through its magic
	 * link (no name reaches it: the link's text ends in " (deleted)") */
	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	want("linkat of an O_TMPFILE file through /proc/self/fd/N",
	     linkat(AT_FDCWD, p, AT_FDCWD, "tmpfile", AT_SYMLINK_FOLLOW), 0);
	close(fd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/sock", dfd);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	want("bind through /proc/self/fd/N/...", bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	want("... and the socket is there", access("sock", F_OK), 0);
	return failed;
}
