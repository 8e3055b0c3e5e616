/* The owner a layer gives a file, when mew unpacks without root and the
 * file is the user's: recorded the way the personality records a guest's
 * chown (PERS_OWNER_XATTR, "uid:gid"; src/personality/owner.c), so that
 * the syscall and emulate engines' stat answers it.  Without a record the
 * user's own files show as root's: only other owners are recorded. */
#ifndef MEW_IMAGE_OWNER_H
#define MEW_IMAGE_OWNER_H

#include <stdbool.h>
#include <sys/types.h>

/* Record uid:gid on the open file or directory fd (nothing for 0:0): 0, or
 * -1 when the filesystem has no user xattrs. */
int image_owner_record(int fd, uid_t uid, gid_t gid);
/* Whether an xattr name is mew's own (a layer may not set it). */
bool image_owner_xattr(const char *name);

#endif
