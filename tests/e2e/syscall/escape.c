/* Every way out of the rootfs the syscall engine must close.  argv[1] is a
 * file that exists on the host, outside the rootfs; no path may reach it.
 * Prints each check; exits 1 if any escape worked. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int bad;

static void must_fail(const char *what, int dfd, const char *path)
{
	int fd = openat(dfd, path, O_RDONLY);
	if (fd >= 0) {
		printf("ESCAPE: %s: opened `%s`\n", what, path);
		bad++;
		close(fd);
	} else {
		printf("ok: %s\n", what);
	}
}

static void must_work(const char *what, int dfd, const char *path)
{
	int fd = openat(dfd, path, O_RDONLY);
	if (fd < 0) {
		printf("BROKEN: %s: cannot open `%s`\n", what, path);
		bad++;
	} else {
		printf("ok: %s\n", what);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	char p[8192], buf[4096];
	const char *secret = argv[1];
	int root, procroot;
	ssize_t n;

	if (argc < 2)
		return 2;
	chdir("/");
	snprintf(p, sizeof(p), "../../../../../../..%s", secret);
	must_fail("../ from /", AT_FDCWD, p);
	must_fail("the host path itself", AT_FDCWD, secret);
	/* a dirfd opened before a chdir */
	root = open("/", O_RDONLY | O_DIRECTORY);
	chdir("/tmp");
	must_fail("dirfd of / then ../", root, p);
	must_work("dirfd of / after chdir", root, "etc/debian_version");
	fchdir(root);
	must_fail("fchdir to / then ../", AT_FDCWD, p);
	/* symlinks inside the rootfs pointing out */
	unlink("/work/rootlink");
	unlink("/work/up");
	symlink("/", "/work/rootlink");
	symlink("../../../../../../../../..", "/work/up");
	snprintf(p, sizeof(p), "/work/rootlink/..%s", secret);
	must_fail("absolute symlink to / then ..", AT_FDCWD, p);
	snprintf(p, sizeof(p), "/work/up%s", secret);
	must_fail("relative symlink climbing", AT_FDCWD, p);
	must_work("relative symlink climbing lands on /", AT_FDCWD, "/work/up/etc/debian_version");
	/* /proc's view of the process */
	snprintf(p, sizeof(p), "/proc/self/root/..%s", secret);
	must_fail("/proc/self/root/..", AT_FDCWD, p);
	snprintf(p, sizeof(p), "/proc/self/cwd/../../../..%s", secret);
	must_fail("/proc/self/cwd/../..", AT_FDCWD, p);
	snprintf(p, sizeof(p), "/proc/1/root%s", secret);
	must_fail("/proc/1/root", AT_FDCWD, p);
	procroot = open("/proc/self/root", O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof(p), "../..%s", secret);
	must_fail("dirfd of /proc/self/root then ../", procroot, p);
	n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (strcmp(buf, "/") != 0) {
		printf("LEAK: /proc/self/root reads `%s`\n", buf);
		bad++;
	}
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (strcmp(buf, "/opt/t/escape") != 0) {
		printf("LEAK: /proc/self/exe reads `%s`\n", buf);
		bad++;
	}
	if (getcwd(buf, sizeof(buf)) == NULL || strcmp(buf, "/") != 0) {
		printf("LEAK: getcwd `%s`\n", buf);
		bad++;
	}
	unlink("/work/rootlink");
	unlink("/work/up");
	printf("%s\n", bad ? "escaped" : "contained");
	return bad ? 1 : 0;
}
