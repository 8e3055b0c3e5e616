/* chroot(2): a root of the calling process's own.  The kernel's checks
 * come first, in its order, so that a wrong call fails as natively: the
 * walk (ENOENT, ENOTDIR, ELOOP...), search permission on the directory
 * (EACCES), then CAP_SYS_CHROOT (EPERM).  The new root is the directory's
 * canonical guest path, which the walker then starts absolute paths from
 * (path.c); it is never above the run's `/`, which no walk leaves. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pers_chroot(const struct pers *p, const struct pers_cred *c, const char *base, const char *path,
		char *root, size_t len)
{
	char host[PATH_MAX], guest[PATH_MAX], real[PATH_MAX], link[64];
	struct stat st;
	ssize_t n;
	int r, fd;

	if (path[0] == '\0')
		return -ENOENT;
	if ((r = pers_translate(p, base, path, PERS_FOLLOW, host, sizeof(host))) < 0)
		return r;
	if (stat(host, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((r = pers_check_chdir(p, c, host)) < 0)
		return r;
	if (!pers_cred_capable(c, CAP_SYS_CHROOT))
		return -EPERM;
	/* a directory the guest's tree does not hold (one a magic link,
	 * /proc/self/fd/N, reaches from outside) cannot be a root of the
	 * personality's: the host's own name of it says where it is */
	if ((fd = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	real[n] = '\0';
	if ((r = pers_untranslate(p, real, guest, sizeof(guest))) != 0)
		return r < 0 ? r : -EPERM;
	/* its guest path as the walk names it (a bind of the rootfs's own
	 * directory is itself, not the directory it shows) */
	if ((r = pers_resolve(p, base, path, PERS_FOLLOW, guest, sizeof(guest))) < 0)
		return r;
	if (strcmp(guest, "/") == 0)
		guest[0] = '\0';
	if (strlen(guest) >= len)
		return -ENAMETOOLONG;
	strcpy(root, guest);
	return 0;
}
