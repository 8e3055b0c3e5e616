#ifndef MEW_CONTAINER_MOUNTOPT_H
#define MEW_CONTAINER_MOUNTOPT_H

#include <stdbool.h>

struct mount_flags {
	unsigned long flags;	   /* MS_* for mount(2) */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... with MS_REC, or 0 */
	bool readonly;		   /* "ro": needs a remount for binds */
	char *data;		   /* options the filesystem itself takes, comma-joined */
};

/* Split fstab-style options ("ro", "nosuid", "rbind", "mode=755", ...) into
 * mount(2) flags and the filesystem's data string. */
int mount_flags_parse(char *const *options, struct mount_flags *out);
void mount_flags_free(struct mount_flags *mf);

/* The MS_* flags that statvfs reports for the mount at path: a remount in a
 * user namespace must keep them, since the kernel locks them. */
unsigned long mount_flags_locked(const char *path);

#endif
