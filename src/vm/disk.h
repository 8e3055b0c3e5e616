/* Disk images for the vm engine's virtio-blk. */
#ifndef MEW_VM_DISK_H
#define MEW_VM_DISK_H

#include "base/error.h"

/* The path of an ext4 image of the directory rootfs (the root's files,
 * owners and modes), built by `mke2fs -d` without root and cached by the
 * tree's contents: an unchanged rootfs reuses its image.  *image is malloc'd. */
int vm_disk_from_rootfs(const char *rootfs, char **image, struct mew_error **err);

#endif
