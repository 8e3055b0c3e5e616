/* The cgroup of an OCI container: linux.cgroupsPath in every v1 hierarchy
 * (or the one v2 tree), with linux.resources written into it.  Unlike `mew
 * run`'s groups it outlives the process that made it (create -> delete), so
 * every function works from the path alone. */
#ifndef MEW_CONTAINER_CGROUP_OCI_H
#define MEW_CONTAINER_CGROUP_OCI_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "cgroup/cgroup.h"
#include "spec/spec.h"

/* cgroupsPath as given ("/libpod_parent/libpod-ID"; systemd's
 * "slice:prefix:name" becomes "slice/prefix-name.scope"), or
 * "/mew-runtime/ID" when the config names none.  Caller frees. */
char *cgroup_oci_path(const struct spec *spec, const char *id);

/* Create the groups and write the limits; *birth (cgroup_birth_init'ed)
 * says how the container's first process enters them (cgroup/cgroup.h).
 * On failure the groups are removed. */
int cgroup_oci_create(const char *path, const struct spec *spec, struct cgroup_birth *birth,
		      struct mew_error **err);
/* Write the limits of spec again into the existing groups (runc update). */
int cgroup_oci_update(const char *path, const struct spec *spec, struct mew_error **err);
/* How a new process enters the container's existing groups (runc exec):
 * *birth (cgroup_birth_init'ed) gets each of them. */
int cgroup_oci_birth(const char *path, struct cgroup_birth *birth, struct mew_error **err);
/* The pids in the group; -1 when there is no group.  Caller frees *pids. */
int cgroup_oci_pids(const char *path, pid_t **pids, size_t *n);
/* Freeze or thaw every process in the group. */
int cgroup_oci_freeze(const char *path, bool frozen, struct mew_error **err);
bool cgroup_oci_frozen(const char *path);
/* SIGKILL what is left, then remove the groups. */
void cgroup_oci_destroy(const char *path);

#endif
