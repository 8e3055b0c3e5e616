/* The Linux security modules config.json can name: process.apparmorProfile,
 * process.selinuxLabel and linux.mountLabel.  Each is applied where the host
 * runs that module and refused by name where it does not, as runc does; a
 * mount label is refused everywhere (mew does not label mounts). */
#ifndef MEW_CONTAINER_LSM_OCI_H
#define MEW_CONTAINER_LSM_OCI_H

#include "base/error.h"
#include "spec/spec.h"

/* Before anything runs: what this host cannot honour. */
int lsm_oci_check(const struct spec *spec, struct mew_error **err);
/* In the container's process, last before exec: the profile and the label
 * its exec takes on. */
int lsm_oci_apply(const struct spec *spec, struct mew_error **err);

#endif
