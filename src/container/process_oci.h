/* What config.json says about the process, applied in the container just
 * before exec: rlimits, oom_score_adj, umask, the five capability sets, the
 * user with its additional groups, no_new_privs and the seccomp profile (the
 * full OCI syntax, through libseccomp).  Absent fields keep mew's defaults:
 * docker's capability set and mew's default seccomp policy. */
#ifndef MEW_CONTAINER_PROCESS_OCI_H
#define MEW_CONTAINER_PROCESS_OCI_H

#include <stdbool.h>

#include "base/error.h"
#include "spec/spec.h"

/* userns: the process is in a user namespace that may deny setgroups. */
int process_oci_apply(const struct spec *spec, bool userns, struct mew_error **err);

/* Build and load the OCI profile. */
int seccomp_oci_load(const struct spec_seccomp *profile, struct mew_error **err);

#endif
