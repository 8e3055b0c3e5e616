/* The stub's directory cache (guest/dircache.c) seen from the guest: the
 * stat of a path through a directory it walked before, after the
 * directory was moved, removed, replaced by a symlink, by this process or
 * another; after close_range, dup2 over the stub's numbers, vfork, exec.
 * Runs natively too (where the answers are the kernel's own).
 *   dircache moved DIR       one line a step: "<step>: <answer>"
 *   dircache twoproc DIR     a child stats, the parent renames (mv) between
 *   dircache fds DIR         close_range, dup2 over every high number, vfork
 *   dircache exec DIR        the same path in a new image
 *   dircache wait DIR        stats until DIR/d/sub/f is gone (a host process
 *                            moves d away): "gone after N"; DIR/ready and
 *                            DIR/go are the handshake
 * An answer is ENOENT and the like, or "f same" / "f new" (the file of
 * the first step, or another), "d", "l". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[4096];
static ino_t first;

static const char *at(const char *rel)
{
	static char p[8][4200];
	static int k;
	char *b = p[k++ % 8];
	snprintf(b, 4200, "%s/%s", base, rel);
	return b;
}

/* stat path three times (the cache fills on the second), the last answer */
static const char *answer(const char *rel, int follow)
{
	static char out[64];
	struct stat st;
	int r = 0;

	for (int i = 0; i < 3; i++)
		r = follow ? stat(at(rel), &st) : lstat(at(rel), &st);
	if (r != 0)
		return strerrorname_np(errno);
	if (S_ISDIR(st.st_mode))
		return "d";
	if (S_ISLNK(st.st_mode))
		return "l";
	if (first == 0)
		first = st.st_ino;
	snprintf(out, sizeof(out), "f %s", st.st_ino == first ? "same" : "new");
	return out;
}

static void make_file(const char *rel)
{
	int fd = open(at(rel), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0) {
		perror(at(rel));
		exit(1);
	}
	close(fd);
}

static void tree(void)
{
	mkdir(at("d"), 0755);
	mkdir(at("d/sub"), 0755);
	make_file("d/sub/f");
}

static int moved(void)
{
	tree();
	printf("start: %s\n", answer("d/sub/f", 1));
	rename(at("d"), at("d2"));
	mkdir(at("d"), 0755);
	printf("after mv d d2; mkdir d: %s\n", answer("d/sub/f", 1));
	printf("d2: %s\n", answer("d2/sub/f", 1));
	mkdir(at("d/sub"), 0755);
	make_file("d/sub/f");
	printf("new d/sub/f: %s\n", answer("d/sub/f", 1));
	unlink(at("d/sub/f"));
	rmdir(at("d/sub"));
	printf("after rmdir d/sub: %s\n", answer("d/sub/f", 1));
	if (symlink("/etc", at("d/sub")) != 0)
		perror("symlink");
	printf("d/sub a symlink: %s\n", answer("d/sub", 0));
	{
		struct stat st;
		for (int i = 0; i < 3; i++)
			stat(at("d/sub/debian_version"), &st);
		printf("d/sub/debian_version: %lu:%lu\n", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	}
	if (renameat2(AT_FDCWD, at("d"), AT_FDCWD, at("d2"), RENAME_EXCHANGE) != 0)
		perror("renameat2");
	printf("exchanged: %s\n", answer("d/sub/f", 1));
	mkdir(at("d3"), 0755);
	printf("empty d3: %s\n", answer("d3/x", 1));
	mkdir(at("e"), 0755);
	make_file("e/x");
	rename(at("e"), at("d3"));
	printf("renamed over d3: %s\n", answer("d3/x", 1));
	return 0;
}

static int twoproc(void)
{
	int ready[2], go[2];
	char c;
	pid_t pid;
	int st;

	tree();
	answer("d/sub/f", 1);
	if (pipe(ready) != 0 || pipe(go) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		printf("child before: %s\n", answer("d/sub/f", 1));
		fflush(stdout);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		printf("child after mv: %s\n", answer("d/sub/f", 1));
		fflush(stdout);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		printf("child after rmdir: %s\n", answer("d2/sub/f", 1));
		_exit(0);
	}
	read(ready[0], &c, 1);
	{
		char cmd[9000];
		snprintf(cmd, sizeof(cmd), "mv '%s' '%s' && mkdir '%s'", at("d"), at("d2"), at("d"));
		if (system(cmd) != 0)
			return 1;
	}
	write(go[1], "g", 1);
	read(ready[0], &c, 1);
	unlink(at("d2/sub/f"));
	rmdir(at("d2/sub"));
	make_file("d2/sub");
	write(go[1], "g", 1);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* fds the program can use besides 0-2 */
static int usable_fds(void)
{
	int n = 0, lim = (int)sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < lim && fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static int fds(void)
{
	int lim = (int)sysconf(_SC_OPEN_MAX), hi = lim < 4096 ? lim : 4096, opened = 0;
	pid_t pid;

	close_range(3, ~0U, 0); /* (what the test's shell left open) */
	tree();
	printf("start: %s\n", answer("d/sub/f", 1));
	printf("usable fds: %d\n", usable_fds());
	for (int fd = 3; fd < hi; fd++) {
		struct stat st;
		if (fchdir(fd) == 0 || fstat(fd, &st) == 0 || openat(fd, "etc", O_PATH) >= 0)
			opened++;
	}
	printf("fds reached: %d\n", opened);
	close_range(3, ~0U, 0);
	printf("after close_range: %s\n", answer("d/sub/f", 1));
	/* dup2 over every number the stub's fds may have */
	for (int fd = 3; fd < hi; fd++)
		dup2(0, fd);
	printf("after dup2 over all: %s\n", answer("d/sub/f", 1));
	close_range(3, ~0U, 0);
	printf("after close again: %s\n", answer("d/sub/f", 1));
	pid = vfork();
	if (pid == 0) {
		for (int fd = 3; fd < hi; fd++)
			dup2(0, fd);
		struct stat st;
		for (int i = 0; i < 3; i++)
			stat(at("d/sub/f"), &st);
		_exit(st.st_ino == first ? 0 : 1);
	}
	{
		int st;
		waitpid(pid, &st, 0);
		printf("vfork child: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "f same" : "wrong");
	}
	printf("after vfork: %s\n", answer("d/sub/f", 1));
	rename(at("d"), at("d2"));
	mkdir(at("d"), 0755);
	printf("after mv d d2; mkdir d: %s\n", answer("d/sub/f", 1));
	printf("usable fds: %d\n", usable_fds());
	return 0;
}

static int exec_(char **argv)
{
	if (strcmp(argv[1], "exec") == 0) {
		tree();
		printf("start: %s\n", answer("d/sub/f", 1));
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "exec2", base, (char *)NULL);
		perror("exec");
		return 1;
	}
	close_range(3, ~0U, 0);
	printf("usable fds in the new image: %d\n", usable_fds());
	first = 0;
	printf("new image: %s\n", answer("d/sub/f", 1));
	rename(at("d"), at("d2"));
	mkdir(at("d"), 0755);
	printf("after mv d d2; mkdir d: %s\n", answer("d/sub/f", 1));
	return 0;
}

static int wait_gone(void)
{
	struct stat st;
	int n;

	tree();
	printf("start: %s\n", answer("d/sub/f", 1));
	fflush(stdout);
	make_file("ready");
	while (stat(at("go"), &st) != 0)
		usleep(10000);
	/* mew's thread bumps the generation once inotify wakes it */
	for (n = 0; n < 6000 && stat(at("d/sub/f"), &st) == 0; n++)
		usleep(10000);
	printf("%s\n", n < 6000 ? "gone" : "still there after 60 s");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || snprintf(base, sizeof(base), "%s", argv[2]) >= (int)sizeof(base))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "moved") == 0)
		return moved();
	if (strcmp(argv[1], "twoproc") == 0)
		return twoproc();
	if (strcmp(argv[1], "fds") == 0)
		return fds();
	if (strcmp(argv[1], "exec") == 0 || strcmp(argv[1], "exec2") == 0)
		return exec_(argv);
	if (strcmp(argv[1], "wait") == 0)
		return wait_gone();
	return 2;
}
