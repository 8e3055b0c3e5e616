/* Writes through fds on a writable place, one line each: "name errno"
 * (0 when the call succeeded) and what it left ("mode", "mtime", an xattr's
 * value).  Run natively and under an engine on a directory holding a file
 * f owned by the caller: the lines must be the same (mew makes some of
 * these writes itself, on a copy of the guest's fd).  Raw system calls, so
 * that libc picks no other call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static void say(const char *what, long r)
{
	printf("%s %d\n", what, r < 0 ? errno : 0);
}

static void show(int fd, int mtime)
{
	struct stat st;
	char v[16] = "";
	long n;

	if (fstat(fd, &st) < 0)
		return;
	n = syscall(SYS_fgetxattr, fd, "user.t", v, sizeof(v) - 1);
	printf("  mode %o mtime %ld xattr %s\n", st.st_mode & 07777, mtime ? (long)st.st_mtime : 0L,
	       n >= 0 ? v : strerror(errno));
}

int main(int argc, char **argv)
{
	struct timespec t5[2] = { { 5, 0 }, { 5, 0 } }, t7[2] = { { 7, 0 }, { 7, 0 } };
	char path[4200], longname[300];
	int fd, pfd;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/f", argv[1]);
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	pfd = (int)syscall(SYS_openat, AT_FDCWD, path, O_PATH);
	if (fd < 0 || pfd < 0)
		return 3;
	say("fchmod", syscall(SYS_fchmod, fd, 0640));
	show(fd, 0);
	say("fchmod-opath", syscall(SYS_fchmod, pfd, 0600));
	say("fchmod-closed", syscall(SYS_fchmod, 999, 0600));
	say("fchown-same", syscall(SYS_fchown, fd, -1, -1));
	say("fchownat-empty-opath", syscall(SYS_fchownat, pfd, "", -1, -1, AT_EMPTY_PATH));
	say("futimens", syscall(SYS_utimensat, fd, NULL, t5, 0));
	show(fd, 1);
	say("futimens-opath", syscall(SYS_utimensat, pfd, NULL, t7, 0));
	say("utimensat-empty-opath", syscall(SYS_utimensat, pfd, "", t7, AT_EMPTY_PATH));
	show(fd, 1);
	say("fsetxattr", syscall(SYS_fsetxattr, fd, "user.t", "v", 1, 0));
	show(fd, 1);
	say("fsetxattr-create", syscall(SYS_fsetxattr, fd, "user.t", "w", 1, XATTR_CREATE));
	memset(longname, 'n', sizeof(longname) - 1);
	memcpy(longname, "user.", 5);
	longname[sizeof(longname) - 1] = '\0';
	say("fsetxattr-longname", syscall(SYS_fsetxattr, fd, longname, "v", 1, 0));
	say("fsetxattr-badvalue", syscall(SYS_fsetxattr, fd, "user.u", (void *)8, 1, 0));
	say("fremovexattr", syscall(SYS_fremovexattr, fd, "user.t"));
	say("fremovexattr-again", syscall(SYS_fremovexattr, fd, "user.t"));
	show(fd, 1);
	return 0;
}
