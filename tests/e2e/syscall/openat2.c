/* openat2(2) as Linux answers it (man 2 openat2, fs/namei.c; LTP's
 * openat201-203): the struct's checks, then each RESOLVE_* rule on a tree
 * of its own.  One line a check, "ok WHAT" or "FAILED WHAT: ...".  Run in
 * a writable directory DIR, with MNT a mount point whose parent is on
 * another mount (natively /proc; under mew a -v bind counts as one):
 *     openat2 DIR MNT
 * Built for x86-64 and arm64 (the syscall and emulate engines).
 *     openat2 cat NAME
 * prints the file openat2(AT_FDCWD, NAME, O_RDONLY, RESOLVE_BENEATH) opens. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "want.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };

	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* The call's fd names the same file as path (and is closed). */
static int same(long fd, const char *path)
{
	struct stat a, b;
	int r = fd >= 0 && fstat((int)fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		a.st_ino == b.st_ino;

	if (fd >= 0)
		close((int)fd);
	return r;
}

/* want() of an fd, which is closed. */
static void want_fd(const char *what, long fd, int err)
{
	want(what, fd, err);
	if (fd >= 0)
		close((int)fd);
}

int main(int argc, char **argv)
{
	unsigned char big[64] = { 0 };
	struct open_how *bh = (struct open_how *)big;
	char self_fd[64], parent[256], *base;
	int dir, a, proc, mnt, up, file;
	long r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "cat") == 0) {
		char buf[256];
		long n, fd = o2(AT_FDCWD, argv[2], O_RDONLY, 0, RESOLVE_BENEATH);
		if (fd < 0) {
			printf("%s\n", strerror(errno));
			return 1;
		}
		while ((n = read((int)fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		return 0;
	}
	if (argc != 3 || chdir(argv[1]) < 0)
		return 2;
	/* DIR/top, DIR/a/b/file; in a: rel -> b/file, up -> ../top, abs ->
	 * /b/file, esc -> ../../../../..; DIR/lnk -> a; DIR/dangling -> new */
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	close(open("top", O_CREAT | O_WRONLY, 0644));
	close(open("a/b/file", O_CREAT | O_WRONLY, 0644));
	symlink("b/file", "a/rel");
	symlink("../top", "a/up");
	symlink("/b/file", "a/abs");
	symlink("../../../../..", "a/esc");
	symlink("a", "lnk");
	symlink("new", "dangling");
	dir = open(".", O_PATH | O_DIRECTORY);
	a = open("a", O_PATH | O_DIRECTORY);
	umask(022);

	/* the struct: its size, its fields (the kernel's order) */
	r = syscall(SYS_openat2, dir, "top", big, 16);
	want("a struct smaller than its first version is EINVAL", r, EINVAL);
	r = syscall(SYS_openat2, dir, "top", big, 8192);
	want("a struct larger than a page is E2BIG", r, E2BIG);
	big[40] = 1;
	r = syscall(SYS_openat2, dir, "top", big, 48);
	want("a larger struct with a nonzero byte past the fields is E2BIG", r, E2BIG);
	big[40] = 0;
	r = syscall(SYS_openat2, dir, "top", big, 48);
	want_fd("a larger struct whose extra bytes are zero is taken", r, 0);
	r = syscall(SYS_openat2, dir, "top", (void *)8, 24);
	want("a struct at a bad address is EFAULT", r, EFAULT);
	bh->flags = O_RDONLY;
	r = syscall(SYS_openat2, dir, (const char *)8, big, 24);
	want("a path at a bad address is EFAULT", r, EFAULT);
	want("an unknown flag is EINVAL", o2(dir, "top", 1ULL << 40, 0, 0), EINVAL);
	want("an unknown low flag is EINVAL", o2(dir, "top", 04, 0, 0), EINVAL);
	want("an unknown resolve bit is EINVAL", o2(dir, "top", O_RDONLY, 0, 0x40), EINVAL);
	want("RESOLVE_BENEATH with RESOLVE_IN_ROOT is EINVAL",
	     o2(dir, "top", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	want("a mode without O_CREAT or O_TMPFILE is EINVAL", o2(dir, "top", O_RDONLY, 0644, 0), EINVAL);
	want("a mode beyond 07777 is EINVAL", o2(dir, "new0", O_CREAT | O_WRONLY, 010644, 0), EINVAL);
	want("O_CREAT with O_DIRECTORY is EINVAL", o2(dir, "new0", O_CREAT | O_DIRECTORY, 0, 0), EINVAL);
	want("O_TMPFILE for reading is EINVAL", o2(dir, ".", O_TMPFILE | O_RDONLY, 0600, 0), EINVAL);
	want("O_PATH with O_RDWR is EINVAL", o2(dir, "top", O_PATH | O_RDWR, 0, 0), EINVAL);
	want("O_PATH with O_CREAT is EINVAL", o2(dir, "top", O_PATH | O_CREAT, 0600, 0), EINVAL);
	want("RESOLVE_CACHED with O_CREAT is EAGAIN", o2(dir, "top", O_CREAT | O_WRONLY, 0600, RESOLVE_CACHED),
	     EAGAIN);
	want("an empty path is ENOENT", o2(dir, "", O_RDONLY, 0, 0), ENOENT);
	want("a dirfd that is no fd is EBADF", o2(999, "top", O_RDONLY, 0, 0), EBADF);
	file = open("top", O_RDONLY);
	want("a dirfd that is a file is ENOTDIR", o2(file, "x", O_RDONLY, 0, 0), ENOTDIR);

	/* opens, as openat's */
	check("a plain openat2 opens the file", same(o2(dir, "a/b/file", O_RDONLY, 0, 0), "a/b/file"));
	r = o2(dir, "made", O_CREAT | O_EXCL | O_WRONLY, 0640, 0);
	{
		struct stat st;
		check("O_CREAT makes the file with its mode", r >= 0 && stat("made", &st) == 0 &&
								       (st.st_mode & 07777) == 0640);
	}
	if (r >= 0)
		close((int)r);
	{
		struct stat st;
		r = o2(dir, "lnk", O_PATH | O_NOFOLLOW, 0, 0);
		check("O_PATH | O_NOFOLLOW opens the symlink itself",
		      r >= 0 && fstatat((int)r, "", &st, AT_EMPTY_PATH) == 0 && S_ISLNK(st.st_mode));
		if (r >= 0)
			close((int)r);
	}
	want("a file named with a trailing slash is ENOTDIR", o2(dir, "top/", O_RDONLY, 0, 0), ENOTDIR);
	check("a directory named with a trailing slash", same(o2(dir, "a/b/", O_RDONLY | O_DIRECTORY, 0, 0), "a/b"));
	want("a creation named with a trailing slash is EISDIR", o2(dir, "new2/", O_CREAT | O_WRONLY, 0600, 0), EISDIR);
	r = o2(dir, "top", O_RDONLY, 0, RESOLVE_CACHED);
	check("RESOLVE_CACHED opens, or says EAGAIN", r >= 0 || errno == EAGAIN);
	if (r >= 0)
		close((int)r);

	/* RESOLVE_BENEATH */
	check("BENEATH: a name below", same(o2(a, "b/file", O_RDONLY, 0, RESOLVE_BENEATH), "a/b/file"));
	check("BENEATH: .. that comes back", same(o2(a, "b/../b/file", O_RDONLY, 0, RESOLVE_BENEATH), "a/b/file"));
	check("BENEATH: a relative symlink inside", same(o2(a, "rel", O_RDONLY, 0, RESOLVE_BENEATH), "a/b/file"));
	check("BENEATH: a symlink's .. that stays inside", same(o2(dir, "a/up", O_RDONLY, 0, RESOLVE_BENEATH), "top"));
	want("BENEATH: .. above is EXDEV", o2(a, "../top", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	want("BENEATH: an absolute path is EXDEV", o2(a, "/", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	want("BENEATH: a symlink out by .. is EXDEV", o2(a, "up", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	want("BENEATH: an absolute symlink is EXDEV", o2(a, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	want_fd("BENEATH: an absolute symlink not followed is opened (O_PATH | O_NOFOLLOW)",
		o2(a, "abs", O_PATH | O_NOFOLLOW, 0, RESOLVE_BENEATH), 0);
	want("BENEATH: a creation above is EXDEV", o2(a, "../new1", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH), EXDEV);
	want_fd("BENEATH: a creation below", o2(a, "b/new1", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH), 0);

	/* RESOLVE_IN_ROOT: dirfd is `/` */
	check("IN_ROOT: an absolute path starts at dirfd", same(o2(a, "/b/file", O_RDONLY, 0, RESOLVE_IN_ROOT), "a/b/file"));
	check("IN_ROOT: .. stops at dirfd", same(o2(a, "../../b/file", O_RDONLY, 0, RESOLVE_IN_ROOT), "a/b/file"));
	check("IN_ROOT: an absolute symlink means dirfd", same(o2(a, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT), "a/b/file"));
	check("IN_ROOT: a symlink that climbs stops at dirfd",
	      same(o2(a, "esc/b/file", O_RDONLY, 0, RESOLVE_IN_ROOT), "a/b/file"));
	want("IN_ROOT: ../top is a's own top, not there", o2(a, "../top", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);

	/* RESOLVE_NO_SYMLINKS */
	check("NO_SYMLINKS: no symlink on the way", same(o2(dir, "a/b/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), "a/b/file"));
	want("NO_SYMLINKS: the last symlink is ELOOP", o2(dir, "a/rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	want("NO_SYMLINKS: a symlink on the way is ELOOP", o2(dir, "lnk/b/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	want("NO_SYMLINKS: a dangling one created through is ELOOP",
	     o2(dir, "dangling", O_CREAT | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS), ELOOP);
	want_fd("NO_SYMLINKS: the last one named (O_PATH | O_NOFOLLOW)",
		o2(dir, "a/rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS), 0);
	want("NO_SYMLINKS: O_NOFOLLOW's own ELOOP", o2(dir, "a/rel", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS), ELOOP);

	/* magic links: /proc/self/fd/N, /proc/self/exe */
	snprintf(self_fd, sizeof(self_fd), "/proc/self/fd/%d", file);
	check("a magic link is followed", same(o2(AT_FDCWD, self_fd, O_RDONLY, 0, 0), "top"));
	want("NO_MAGICLINKS: /proc/self/fd/N is ELOOP", o2(AT_FDCWD, self_fd, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
	want("NO_MAGICLINKS: /proc/self/exe is ELOOP", o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS),
	     ELOOP);
	want("NO_SYMLINKS: /proc/self/fd/N is ELOOP", o2(AT_FDCWD, self_fd, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	want_fd("NO_MAGICLINKS: /proc/self (a symlink, not magic) is followed",
		o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), 0);
	want_fd("NO_MAGICLINKS: the link itself (O_PATH | O_NOFOLLOW)",
		o2(AT_FDCWD, self_fd, O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_MAGICLINKS), 0);
	want_fd("NO_MAGICLINKS: an ordinary symlink is followed", o2(dir, "a/rel", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), 0);
	proc = open("/proc/self/fd", O_PATH | O_DIRECTORY);
	snprintf(self_fd, sizeof(self_fd), "%d", file);
	want("BENEATH: a magic link is EXDEV", o2(proc, self_fd, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	want("IN_ROOT: a magic link is EXDEV", o2(proc, self_fd, O_RDONLY, 0, RESOLVE_IN_ROOT), EXDEV);
	want("NO_XDEV: a magic link to another mount is EXDEV", o2(proc, self_fd, O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);

	/* RESOLVE_NO_XDEV, at MNT */
	snprintf(parent, sizeof(parent), "%s", argv[2]);
	base = strrchr(parent, '/');
	*base++ = '\0';
	up = open(parent[0] != '\0' ? parent : "/", O_PATH | O_DIRECTORY);
	mnt = open(argv[2], O_PATH | O_DIRECTORY);
	want_fd("NO_XDEV: within a mount", o2(dir, "a/b/file", O_RDONLY, 0, RESOLVE_NO_XDEV), 0);
	want("NO_XDEV: into a mount is EXDEV", o2(up, base, O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	want("NO_XDEV: .. out of a mount is EXDEV", o2(mnt, "..", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	want_fd("NO_XDEV: the mount's own root", o2(mnt, ".", O_PATH, 0, RESOLVE_NO_XDEV), 0);
	want("NO_XDEV: an absolute path into a mount is EXDEV", o2(AT_FDCWD, argv[2], O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	want("NO_XDEV with IN_ROOT: .. at dirfd stays", ({
		     long f = o2(mnt, "..", O_PATH, 0, RESOLVE_NO_XDEV | RESOLVE_IN_ROOT);
		     if (f >= 0) close((int)f);
		     f; }), 0);
	return failed;
}
