/* What config.json says about the process, applied in the container just
 * before exec: rlimits, oom_score_adj, umask, the five capability sets, the
 * user with its additional groups, no_new_privs and the seccomp profile (the
 * full OCI syntax, through libseccomp).  Absent capabilities keep docker's
 * set; an absent linux.seccomp means no filter, as with runc. */
#ifndef MEW_CONTAINER_PROCESS_OCI_H
#define MEW_CONTAINER_PROCESS_OCI_H

#include <stdbool.h>

#include "base/error.h"
#include "spec/spec.h"

/* userns: the process is in a user namespace that may deny setgroups. */
int process_oci_apply(const struct spec *spec, bool userns, struct mew_error **err);

/* Build and load the OCI profile.  nnp: whether no_new_privs is wanted;
 * libseccomp would set it on its own otherwise. */
int seccomp_oci_load(const struct spec_seccomp *profile, bool nnp, struct mew_error **err);

#endif
