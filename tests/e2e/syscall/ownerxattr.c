/* mew's owner records (user.mew.owner, kept by an unprivileged mew on a
 * file a guest chown()ed) are no xattrs of the guest's: run natively as
 * root, and under mew, this prints the same lines.
 *   ownerxattr DIR [fd]   DIR/f chowned to 1:2, then its xattrs by path
 *                         (and with "fd", through an fd too)
 * A record the guest could see would be copied with the file (Python's
 * shutil.copy2, cp --preserve=xattr: the copy shows the source's owner);
 * one it could write would choose the file's owner. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "want.h"

/* Does the list of n bytes hold a user.mew.* name? */
static int has_mews(const char *list, ssize_t n)
{
	for (ssize_t at = 0; at < n; at += (ssize_t)strlen(list + at) + 1)
		if (strncmp(list + at, "user.mew.", 9) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	char f[4096], list[1024], v[64];
	int by_fd = argc > 2 && strcmp(argv[2], "fd") == 0, fd;
	struct stat st;
	ssize_t n;

	if (argc < 2)
		return 2;
	snprintf(f, sizeof(f), "%s/f", argv[1]);
	unlink(f);
	fd = open(f, O_RDWR | O_CREAT, 0644);
	want("create", fd, 0);
	want("chown 1:2", chown(f, 1, 2), 0);
	want("setxattr user.test", setxattr(f, "user.test", "1", 1, 0), 0);
	n = listxattr(f, list, sizeof(list));
	check("listxattr: user.test, no user.mew.*", n > 0 && memmem(list, (size_t)n, "user.test", 10) && !has_mews(list, n));
	n = llistxattr(f, list, sizeof(list));
	check("llistxattr: no user.mew.*", n > 0 && !has_mews(list, n));
	want("getxattr user.mew.owner", getxattr(f, "user.mew.owner", v, sizeof(v)), ENODATA);
	want("lgetxattr user.mew.owner", lgetxattr(f, "user.mew.owner", v, sizeof(v)), ENODATA);
	want("removexattr user.mew.owner", removexattr(f, "user.mew.owner"), ENODATA);
	if (by_fd) {
		n = flistxattr(fd, list, sizeof(list));
		check("flistxattr: user.test, no user.mew.*", n > 0 && !has_mews(list, n));
		want("fgetxattr user.mew.owner", fgetxattr(fd, "user.mew.owner", v, sizeof(v)), ENODATA);
		want("fremovexattr user.mew.owner", fremovexattr(fd, "user.mew.owner"), ENODATA);
	}
	/* natively root may write it (it means nothing there); under mew it
	 * is refused: either way the owner stays */
	setxattr(f, "user.mew.owner", "0:0", 3, 0);
	if (by_fd)
		fsetxattr(fd, "user.mew.owner", "0:0", 3, 0);
	want("stat", stat(f, &st), 0);
	check("owner still 1:2", st.st_uid == 1 && st.st_gid == 2);
	removexattr(f, "user.mew.owner");
	close(fd);
	unlink(f);
	return failed;
}
