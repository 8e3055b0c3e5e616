/* chroot(2) as Linux answers it (LTP's chroot01-04, realpath01): the
 * kernel's errors first, in its order, then a root of the process's own:
 * absolute paths and absolute symlinks start there, `..` stops there, a
 * cwd or fd outside it still reaches out (getcwd says "(unreachable)"),
 * /proc/N/root and /proc/N/cwd name paths from the reader's root, fork
 * and exec keep it, a nested chroot, and the classic escape (a cwd
 * outside, `..` up, chroot(".")), which under mew ends at the run's `/`.
 * One line a check, "ok WHAT" or "FAILED WHAT: ...".  Run as root in a
 * writable directory, natively and under mew alike; static, so that it
 * can run itself inside the new root:
 *     chroot DIR
 *     chroot inner PROCFD (run by itself in the new root) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../syscall/want.h"

/* The file at path holds text (and nothing more). */
static int file_is(int dirfd, const char *path, const char *text)
{
	char buf[256];
	int fd = openat(dirfd, path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* The link at path (from dirfd) reads text. */
static int link_is(int dirfd, const char *path, const char *text)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	if (strcmp(buf, text) != 0)
		printf("  (%s reads %s, want %s)\n", path, buf, text);
	return strcmp(buf, text) == 0;
}

/* The kernel's getcwd (glibc's refuses an answer without a leading `/`). */
static int cwd_is(const char *text)
{
	char buf[PATH_MAX];
	long n = syscall(SYS_getcwd, buf, sizeof(buf));

	if (n < 0)
		return 0;
	if (strcmp(buf, text) != 0)
		printf("  (getcwd says %s, want %s)\n", buf, text);
	return strcmp(buf, text) == 0;
}

static int same(const struct stat *a, const char *path)
{
	struct stat b;

	return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static int copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	ssize_t n;
	int ok = in >= 0 && out >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	close(in);
	close(out);
	return ok;
}

static int waited(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* In the new root, exec'd by the program itself from there. */
static int inner(int procfd)
{
	check("exec keeps the root: /etc/marker is the new root's", file_is(AT_FDCWD, "/etc/marker", "inside\n"));
	check("exec keeps the root: /proc/self/root (from an fd on /proc from before) reads /", link_is(procfd, "self/root", "/"));
	check("exec keeps the root: /proc/self/exe reads /prog", link_is(procfd, "self/exe", "/prog"));
	return failed;
}

/* The errors, in the kernel's order (LTP's chroot01, chroot03, chroot04). */
static void errors(void)
{
	char longname[PATH_MAX + 2];
	pid_t pid;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	want("chroot of a file is ENOTDIR", chroot("f"), ENOTDIR);
	want("chroot of a missing directory is ENOENT", chroot("missing"), ENOENT);
	want("chroot through a missing directory is ENOENT", chroot("missing/d"), ENOENT);
	want("chroot of a symlink loop is ELOOP", chroot("loop"), ELOOP);
	want("chroot of a name too long is ENAMETOOLONG", chroot(longname), ENAMETOOLONG);
	want("chroot of a bad pointer is EFAULT", chroot((const char *)8), EFAULT);
	want("chroot of an empty path is ENOENT", chroot(""), ENOENT);
	want("chroot to / is the root it has", chroot("/"), 0);
	want("chroot to / by .. is too", chroot("../../../../.."), 0);
	pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(3);
		want("nobody: no search permission on the walk is EACCES", chroot("closed/in"), EACCES);
		want("nobody: chroot to / is EPERM (no CAP_SYS_CHROOT)", chroot("/"), EPERM);
		want("nobody: chroot to a directory is EPERM", chroot("d"), EPERM);
		want("nobody: ENOENT still comes first", chroot("missing"), ENOENT);
		_exit(failed);
	}
	check("the child as nobody", waited(pid));
}

int main(int argc, char **argv)
{
	char cwd0[PATH_MAX], want_cwd[PATH_MAX + 32], want_root[PATH_MAX + 8], link[64], fdarg[16];
	struct stat up0, root0;
	int procfd, outfd, go[2], done[2];
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "inner") == 0)
		return inner(atoi(argv[2]));
	if (argc != 2 || chdir(argv[1]) < 0 || getcwd(cwd0, sizeof(cwd0)) == NULL)
		return 2;
	mkdir("d", 0755);
	mkdir("d/etc", 0755);
	mkdir("d/sub", 0755);
	mkdir("d/sub/deeper", 0755);
	mkdir("closed", 0700);
	mkdir("closed/in", 0755);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	symlink("loop", "loop");
	symlink("/etc/marker", "d/abs");
	if (!copy("/proc/self/exe", "d/prog"))
		return 2;
	{
		int fd = open("d/etc/marker", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "inside\n", 7) != 7)
			return 2;
		close(fd);
	}
	chmod(".", 0755);
	errors();

	if (stat("..", &up0) < 0 || stat("/", &root0) < 0 || pipe(go) < 0 || pipe(done) < 0)
		return 2;
	procfd = open("/proc", O_PATH | O_DIRECTORY);
	outfd = open(".", O_PATH | O_DIRECTORY);
	snprintf(want_cwd, sizeof(want_cwd), "(unreachable)%s", cwd0);
	snprintf(want_root, sizeof(want_root), "%s/d", cwd0);

	chmod(".", 0700); /* (above the child's root) */
	pid = fork();
	if (pid == 0) {
		char c = 0;
		pid_t child;

		want("chroot to a directory", chroot("d"), 0);
		check("a cwd outside the new root: getcwd says (unreachable) and its path", cwd_is(want_cwd));
		check("a cwd outside the new root: /proc/self/cwd (from an fd on /proc from before) reads its path", link_is(procfd, "self/cwd", cwd0));
		check("/proc/self/root reads /", link_is(procfd, "self/root", "/"));
		check("an absolute path is the new root's", file_is(AT_FDCWD, "/etc/marker", "inside\n"));
		check("an absolute symlink resolves in the new root", file_is(AT_FDCWD, "/abs", "inside\n"));
		{
			char *rp = realpath("/abs", NULL);
			check("realpath of the symlink is /etc/marker", rp != NULL && strcmp(rp, "/etc/marker") == 0);
			free(rp);
		}
		check("`..` from a cwd outside the root goes above it, as Linux's", same(&up0, ".."));
		check("an fd from before still reaches outside (openat from it)", file_is(outfd, "d/etc/marker", "inside\n"));
		/* the parent looks at /proc/N/root */
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		want("chdir to /", chdir("/"), 0);
		check("getcwd at the root says /", cwd_is("/"));
		{
			struct stat r;
			check("`..` at the root stays there", stat("/", &r) == 0 && same(&r, "..") && same(&r, "../../.."));
		}
		check("/../../etc/marker is the root's", file_is(AT_FDCWD, "/../../etc/marker", "inside\n"));
		child = fork();
		if (child == 0)
			_exit(file_is(AT_FDCWD, "/etc/marker", "inside\n") ? 0 : 1);
		check("a forked child has the root", waited(child));
		child = fork();
		if (child == 0)
			_exit(setuid(65534) == 0 && file_is(AT_FDCWD, "/etc/marker", "inside\n") ? 0 : 1);
		check("nobody's walk starts at the root: a directory above it closed to nobody is not on it", waited(child));
		child = fork();
		if (child == 0) {
			snprintf(fdarg, sizeof(fdarg), "%d", procfd);
			execl("/prog", "prog", "inner", fdarg, (char *)NULL);
			_exit(5);
		}
		check("exec of a program of the new root", waited(child));
		want("a nested chroot, to /sub", chroot("/sub"), 0);
		check("nested: /deeper is the inner root's", access("/deeper", F_OK) == 0);
		check("nested: /etc/marker is not there", access("/etc/marker", F_OK) < 0 && errno == ENOENT);
		snprintf(want_cwd, sizeof(want_cwd), "(unreachable)%s/d", cwd0);
		check("nested: getcwd of the cwd left outside (the old root)", cwd_is(want_cwd));
		/* the escape Linux allows: a cwd outside the root */
		want("fchdir to an fd from before", fchdir(outfd), 0);
		for (int i = 0; i < 64; i++)
			chdir("..");
		want("chroot(.) at the top", chroot("."), 0);
		check("the escape ends at the first /", same(&root0, "/") && same(&root0, "/.."));
		_exit(failed);
	}
	{
		char c;
		if (read(done[0], &c, 1) == 1) {
			snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
			check("another process's /proc/N/root reads its root", link_is(AT_FDCWD, link, want_root));
			snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
			check("another process's /proc/N/cwd reads its cwd", link_is(AT_FDCWD, link, cwd0));
		}
		if (write(go[1], "g", 1) != 1)
			return 2;
	}
	check("the chrooted child", waited(pid));
	chmod(".", 0755);
	check("the parent's root is unchanged", file_is(AT_FDCWD, "d/etc/marker", "inside\n") && same(&root0, "/"));
	return failed;
}
