/* Inside the container's mount namespace: the rootfs bound on itself, /proc,
 * /sys, /dev, the spec's mounts, docker's masked and read-only paths, then
 * pivot_root.  Runs in the container process before it execs. */
#ifndef MEW_CONTAINER_ROOTFS_H
#define MEW_CONTAINER_ROOTFS_H

#include <stdbool.h>

#include "base/error.h"
#include "spec/spec.h"

struct rootfs_ctx {
	const struct spec *spec;
	bool userns;	     /* rootless: no mknod, locked mount flags */
	bool new_net;	     /* own network namespace: sysfs can be mounted */
	const char *console; /* host path of the terminal's slave, or NULL */
	/* /proc/self/cgroup as read before the cgroup namespace hid the host's
	 * paths: where our groups are in each v1 hierarchy.  NULL = unknown. */
	const char *self_cgroup;
	/* No mount namespace of the container's own (an OCI config that lists
	 * none): / stays as it is, the mounts are made in the runtime's
	 * namespace under the rootfs, and the root is a chroot, as runc does. */
	bool host_mounts;
};

int rootfs_setup(const struct rootfs_ctx *ctx, struct mew_error **err);

#endif
