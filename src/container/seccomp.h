#ifndef MEW_CONTAINER_SECCOMP_H
#define MEW_CONTAINER_SECCOMP_H

#include "base/error.h"

/* Load docker's default policy, as a deny list: what it refuses to a
 * container without CAP_SYS_ADMIN fails with EPERM; the rest is allowed.
 * Calls that this architecture lacks are skipped. */
int seccomp_load_default(struct mew_error **err);

#endif
