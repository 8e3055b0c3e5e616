#include "image/owner.h"

#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

int image_owner_record(int fd, uid_t uid, gid_t gid, mode_t mode)
{
	char v[32];
	int n = snprintf(v, sizeof(v), "%u:%u", (unsigned)uid, (unsigned)gid);

	(void)mode;
	return fsetxattr(fd, IMAGE_OWNER_XATTR, v, (size_t)n, 0);
}

bool image_owner_xattr(const char *name)
{
	return strncmp(name, "user.mew.", 9) == 0;
}
