#include "image/owner.h"

#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

#include "personality/pers.h"

int image_owner_record(int fd, uid_t uid, gid_t gid)
{
	char v[32];
	int n;

	if (uid == 0 && gid == 0)
		return 0;
	n = snprintf(v, sizeof(v), "%u:%u", (unsigned)uid, (unsigned)gid);
	return fsetxattr(fd, PERS_OWNER_XATTR, v, (size_t)n, 0);
}

bool image_owner_xattr(const char *name)
{
	return pers_xattr_mews(name);
}
