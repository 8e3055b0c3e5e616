/* The owner a layer gives a file, when mew unpacks without root and the
 * file is the user's: recorded in an xattr, for the personality's fake
 * owners (stat answers the recorded uid:gid).  One place, so that the
 * record follows the personality's scheme. */
#ifndef MEW_IMAGE_OWNER_H
#define MEW_IMAGE_OWNER_H

#include <stdbool.h>
#include <sys/types.h>

#define IMAGE_OWNER_XATTR "user.mew.owner"

/* Record uid:gid on the open file fd: 0, or -1 when the filesystem has no
 * user xattrs. */
int image_owner_record(int fd, uid_t uid, gid_t gid, mode_t mode);
/* Whether an xattr name belongs to the owner records (a layer may not set it). */
bool image_owner_xattr(const char *name);

#endif
