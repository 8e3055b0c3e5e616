/* Every kind of write through a path, and through an fd opened for
 * reading, one line each: "name errno" (0 when the call succeeded).  Run
 * on a read-only place (a :ro volume or the rootfs under --read-only)
 * holding a file f (with a user.keep extended attribute, where the
 * filesystem takes one) and a directory d: every line must say what the kernel
 * says on a read-only mount, EROFS (30), but ftruncate: an fd opened for
 * reading cannot be truncated (EINVAL, 22) wherever it is.  Built for
 * x86-64 (syscall engine) and aarch64 (emulate engine); raw system calls,
 * so that libc picks no other call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static char dir[4096];

static const char *p(const char *name)
{
	static char buf[4][4200];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void say(const char *what, long r)
{
	printf("%s %d\n", what, r < 0 ? errno : 0);
}

int main(int argc, char **argv)
{
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	int fd, dfd;

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	say("open-wronly", syscall(SYS_openat, AT_FDCWD, p("f"), O_WRONLY));
	say("open-rdwr", syscall(SYS_openat, AT_FDCWD, p("f"), O_RDWR));
	say("open-append", syscall(SYS_openat, AT_FDCWD, p("f"), O_WRONLY | O_APPEND));
	say("open-creat", syscall(SYS_openat, AT_FDCWD, p("new"), O_WRONLY | O_CREAT, 0644));
	say("open-trunc", syscall(SYS_openat, AT_FDCWD, p("f"), O_RDONLY | O_TRUNC));
	say("mkdir", syscall(SYS_mkdirat, AT_FDCWD, p("newdir"), 0755));
	say("unlink", syscall(SYS_unlinkat, AT_FDCWD, p("f"), 0));
	say("rmdir", syscall(SYS_unlinkat, AT_FDCWD, p("d"), AT_REMOVEDIR));
	say("rename", syscall(SYS_renameat, AT_FDCWD, p("f"), AT_FDCWD, p("g")));
	say("link", syscall(SYS_linkat, AT_FDCWD, p("f"), AT_FDCWD, p("h"), 0));
	say("symlink", syscall(SYS_symlinkat, "f", AT_FDCWD, p("s")));
	say("chmod", syscall(SYS_fchmodat, AT_FDCWD, p("f"), 0600));
	say("chown", syscall(SYS_fchownat, AT_FDCWD, p("f"), 0, 0, 0));
	say("truncate", syscall(SYS_truncate, p("f"), 0));
	say("utimes", syscall(SYS_utimensat, AT_FDCWD, p("f"), ts, 0));
	say("mknod", syscall(SYS_mknodat, AT_FDCWD, p("fifo"), S_IFIFO | 0644, 0));
	say("setxattr", syscall(SYS_setxattr, p("f"), "user.mew", "x", 1, 0));
	say("removexattr", syscall(SYS_removexattr, p("f"), "user.keep"));
	/* through fds opened for reading: the file's mount decides */
	fd = (int)syscall(SYS_openat, AT_FDCWD, p("f"), O_RDONLY);
	dfd = (int)syscall(SYS_openat, AT_FDCWD, p("d"), O_RDONLY | O_DIRECTORY);
	if (fd < 0 || dfd < 0)
		return 3;
	say("fchmod", syscall(SYS_fchmod, fd, 0600));
	say("fchmod-dir", syscall(SYS_fchmod, dfd, 0700));
	say("fchown", syscall(SYS_fchown, fd, 0, 0));
	say("fchownat-empty", syscall(SYS_fchownat, fd, "", 0, 0, AT_EMPTY_PATH));
	say("futimens", syscall(SYS_utimensat, fd, NULL, ts, 0));
	say("futimens-now", syscall(SYS_utimensat, fd, NULL, NULL, 0));
	say("utimensat-empty", syscall(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH));
	say("fsetxattr", syscall(SYS_fsetxattr, fd, "user.mew", "x", 1, 0));
	say("fremovexattr", syscall(SYS_fremovexattr, fd, "user.keep"));
	say("ftruncate", syscall(SYS_ftruncate, fd, 0));
	return 0;
}
