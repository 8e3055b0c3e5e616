/* trusted.* and security.* xattrs, CAP_SYS_ADMIN's: a root sets, gets,
 * lists and removes them (by path, without following, through an fd), an
 * ordinary user gets EPERM for a write, ENODATA for a read of trusted.*,
 * and a list without them.  Run natively as root, and under mew (whose
 * fake root keeps them under mew's own names), this prints the same lines.
 *   adminxattr DIR [nolinks|keep]   in DIR/ax; nolinks: no symlink or FIFO
 *                                   (what the emulate engine keeps no table
 *                                   for); keep: DIR/ax/f left with trusted.a
 *                                   and security.b (for the host to see) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "want.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The n bytes of a list, sorted (the order is the filesystem's), on one
 * line; a name of mew's own fails. */
static void show(const char *what, const char *list, ssize_t n)
{
	const char *names[64];
	size_t k = 0;

	for (ssize_t at = 0; at < n && k < 64; at += (ssize_t)strlen(list + at) + 1) {
		check("no user.mew.* name listed", strncmp(list + at, "user.mew.", 9) != 0);
		names[k++] = list + at;
	}
	qsort(names, k, sizeof(names[0]), cmp);
	printf("%s:", what);
	for (size_t i = 0; i < k; i++)
		printf(" %s", names[i]);
	printf("\n");
}

/* A list by size-0 query, then too small (ERANGE), then whole. */
static void lists(const char *what, ssize_t (*ask)(const void *, char *, size_t), const void *at)
{
	char list[4096], label[128];
	ssize_t n = ask(at, NULL, 0), m;

	snprintf(label, sizeof(label), "%s: size 0 asks the length", what);
	check(label, n > 0);
	if (n <= 0)
		return;
	snprintf(label, sizeof(label), "%s: one byte short", what);
	want(label, ask(at, list, (size_t)n - 1), ERANGE);
	m = ask(at, list, sizeof(list));
	snprintf(label, sizeof(label), "%s: the length asked", what);
	check(label, m == n);
	show(what, list, m);
}

static ssize_t by_path(const void *p, char *l, size_t s) { return listxattr(p, l, s); }
static ssize_t by_lpath(const void *p, char *l, size_t s) { return llistxattr(p, l, s); }
static ssize_t by_fd(const void *p, char *l, size_t s) { return flistxattr(*(const int *)p, l, s); }

/* An ordinary user's answers (a child that gave up root). */
static void as_user(const char *f, int fd)
{
	char v[64], list[4096];
	ssize_t n;

	want("setresuid 65534", setresuid(65534, 65534, 65534), 0);
	want("user: setxattr trusted.*", setxattr(f, "trusted.u", "1", 1, 0), EPERM);
	want("user: setxattr security.*", setxattr(f, "security.u", "1", 1, 0), EPERM);
	want("user: fsetxattr trusted.*", fsetxattr(fd, "trusted.u", "1", 1, 0), EPERM);
	want("user: removexattr trusted.*", removexattr(f, "trusted.a"), EPERM);
	want("user: fremovexattr security.*", fremovexattr(fd, "security.b"), EPERM);
	want("user: getxattr trusted.* (there, not shown)", getxattr(f, "trusted.a", v, sizeof(v)), ENODATA);
	want("user: fgetxattr trusted.*", fgetxattr(fd, "trusted.a", v, sizeof(v)), ENODATA);
	n = getxattr(f, "security.b", v, sizeof(v));
	check("user: getxattr security.* is everyone's", n == 2 && memcmp(v, "xy", 2) == 0);
	n = listxattr(f, NULL, 0);
	check("user: size 0 counts no trusted.*", n == (ssize_t)(sizeof("security.b") + sizeof("user.t")));
	n = listxattr(f, list, sizeof(list));
	show("user: listxattr", list, n);
	n = flistxattr(fd, list, sizeof(list));
	show("user: flistxattr", list, n);
}

int main(int argc, char **argv)
{
	char dir[4096], f[4200], l[4200], p[4200], v[64], big[300], *huge;
	int links = !(argc > 2 && strcmp(argv[2], "nolinks") == 0), keep = argc > 2 && strcmp(argv[2], "keep") == 0;
	int fd, status;
	ssize_t n;
	pid_t pid;

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s/ax", argv[1]);
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(l, sizeof(l), "%s/l", dir);
	snprintf(p, sizeof(p), "%s/p", dir);
	unlink(f), unlink(l), unlink(p), rmdir(dir);
	want("mkdir", mkdir(dir, 0755), 0);
	want("chmod 0755", chmod(dir, 0755), 0);
	fd = open(f, O_RDWR | O_CREAT, 0644);
	want("create", fd, 0);

	want("setxattr trusted.a XATTR_CREATE", setxattr(f, "trusted.a", "1234", 4, XATTR_CREATE), 0);
	want("setxattr trusted.a XATTR_CREATE again", setxattr(f, "trusted.a", "1234", 4, XATTR_CREATE), EEXIST);
	want("setxattr trusted.none XATTR_REPLACE", setxattr(f, "trusted.none", "1", 1, XATTR_REPLACE), ENODATA);
	want("setxattr trusted.a XATTR_REPLACE", setxattr(f, "trusted.a", "12345", 5, XATTR_REPLACE), 0);
	want("setxattr bad flags", setxattr(f, "trusted.a", "1", 1, 4), EINVAL);
	want("setxattr empty name", setxattr(f, "", "1", 1, 0), ERANGE);
	memset(big, 'n', sizeof(big));
	memcpy(big, "trusted.", 8);
	big[256] = '\0';
	want("setxattr name of 256 bytes", setxattr(f, big, "1", 1, 0), ERANGE);
	want("getxattr name of 256 bytes", getxattr(f, big, v, sizeof(v)), ERANGE);
	huge = calloc(1, 65537);
	want("setxattr value over XATTR_SIZE_MAX", setxattr(f, "trusted.h", huge, 65537, 0), E2BIG);
	free(huge);
	n = getxattr(f, "trusted.a", NULL, 0);
	check("getxattr size 0 asks the length", n == 5);
	want("getxattr one byte short", getxattr(f, "trusted.a", v, 4), ERANGE);
	n = getxattr(f, "trusted.a", v, sizeof(v));
	check("getxattr trusted.a", n == 5 && memcmp(v, "12345", 5) == 0);
	want("getxattr trusted.none", getxattr(f, "trusted.none", v, sizeof(v)), ENODATA);
	want("getxattr of an empty path", getxattr("", "trusted.a", v, sizeof(v)), ENOENT);
	want("listxattr of an empty path", listxattr("", v, sizeof(v)), ENOENT);
	want("removexattr of an empty path", removexattr("", "trusted.a"), ENOENT);
	want("fsetxattr security.b", fsetxattr(fd, "security.b", "xy", 2, 0), 0);
	n = fgetxattr(fd, "security.b", v, sizeof(v));
	check("fgetxattr security.b", n == 2 && memcmp(v, "xy", 2) == 0);
	n = lgetxattr(f, "trusted.a", NULL, 0);
	check("lgetxattr size 0", n == 5);
	want("setxattr user.t", setxattr(f, "user.t", "u", 1, 0), 0);
	/* mew's storage is never a name of the guest's */
	want("getxattr of a storage name", getxattr(f, "user.mew.x.trusted.a", v, sizeof(v)), ENODATA);
	lists("listxattr", by_path, f);
	lists("llistxattr", by_lpath, f);
	lists("flistxattr", by_fd, &fd);
	if (keep)
		return failed;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		as_user(f, fd);
		fflush(stdout);
		_exit(failed);
	}
	want("wait", waitpid(pid, &status, 0), 0);
	check("user's checks", WIFEXITED(status) && WEXITSTATUS(status) == 0);

	if (links) {
		/* no user.* name on a symlink or a FIFO: a root's trusted.* is */
		want("symlink", symlink("f", l), 0);
		want("lsetxattr trusted.s on the symlink", lsetxattr(l, "trusted.s", "sym", 3, 0), 0);
		want("lsetxattr XATTR_CREATE again", lsetxattr(l, "trusted.s", "sym", 3, XATTR_CREATE), EEXIST);
		n = lgetxattr(l, "trusted.s", v, sizeof(v));
		check("lgetxattr trusted.s", n == 3 && memcmp(v, "sym", 3) == 0);
		want("lgetxattr one byte short", lgetxattr(l, "trusted.s", v, 2), ERANGE);
		want("getxattr trusted.s follows to the file", getxattr(l, "trusted.s", v, sizeof(v)), ENODATA);
		lists("llistxattr of the symlink", by_lpath, l);
		lists("listxattr through the symlink", by_path, l);
		want("lremovexattr trusted.s", lremovexattr(l, "trusted.s"), 0);
		want("lremovexattr trusted.s again", lremovexattr(l, "trusted.s"), ENODATA);
		n = llistxattr(l, v, sizeof(v));
		check("llistxattr: none left", n == 0);
		want("mkfifo", mkfifo(p, 0644), 0);
		want("setxattr security.f on a FIFO", setxattr(p, "security.f", "ff", 2, 0), 0);
		n = getxattr(p, "security.f", v, sizeof(v));
		check("getxattr security.f", n == 2);
		lists("listxattr of the FIFO", by_path, p);
	}

	want("removexattr trusted.a", removexattr(f, "trusted.a"), 0);
	want("removexattr trusted.a again", removexattr(f, "trusted.a"), ENODATA);
	want("fremovexattr security.b", fremovexattr(fd, "security.b"), 0);
	want("lremovexattr user.t", lremovexattr(f, "user.t"), 0);
	n = listxattr(f, v, sizeof(v));
	check("listxattr: none left", n == 0);
	close(fd);
	unlink(f), unlink(l), unlink(p);
	want("rmdir", rmdir(dir), 0);
	return failed;
}
