/* chroot(2).  The personality has one root, the guest's own: a chroot to
 * any other directory is EPERM (mew would have to translate each process's
 * paths against a root of its own).  The kernel's checks come first, in
 * its order, so that a wrong call fails as natively: the walk (ENOENT,
 * ENOTDIR, ELOOP...), search permission on the directory (EACCES), then
 * CAP_SYS_CHROOT (EPERM). */
#include "personality/pers.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/stat.h>

int pers_chroot(const struct pers *p, const struct pers_cred *c, const char *base, const char *path)
{
	char host[PATH_MAX], guest[PATH_MAX];
	struct stat st;
	int r;

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
	if ((r = pers_resolve(p, base, path, PERS_FOLLOW, guest, sizeof(guest))) < 0)
		return r;
	return strcmp(guest, "/") == 0 ? 0 : -EPERM;
}
