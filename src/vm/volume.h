/* The run's volumes (-v HOST:GUEST[:ro]) as the vm engine gives them to the
 * guest: every one a share of one virtio-9p device (VM_VOLUME_TAG), which the
 * agent mounts once and bind-mounts from at each destination.  A read-only
 * volume is read-only in the 9p server on the host, so a guest root that
 * remounts it rw still cannot write. */
#ifndef MEW_VM_VOLUME_H
#define MEW_VM_VOLUME_H

#include "base/error.h"
#include "spec/spec.h"
#include "vm/virtio/devices.h"

#define VM_VOLUME_TAG "mewvol"

/* The shares for spec's mounts, in order (share i is the i-th mount), with
 * their mount points made in the rootfs (as the container engine makes
 * them, inside the rootfs: the guest cannot make one in a read-only root).
 * A mount the vm engine cannot give (not a bind, an option it does not
 * know) is refused by name.  *shares is freed by the caller. */
int vm_volumes(const struct spec *spec, struct virtio_9p_share **shares, int *n, struct mew_error **err);

#endif
