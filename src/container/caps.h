#ifndef MEW_CONTAINER_CAPS_H
#define MEW_CONTAINER_CAPS_H

#include "base/error.h"

/* docker's default capability set, as names (CAP_CHOWN, ...); NULL-terminated. */
extern const char *const caps_default[];

/* Reduce the bounding set to names (NULL = the default set) and, for a root
 * process, make them its effective, permitted and inheritable sets.  Must run
 * before the switch to a non-root user, which clears the rest. */
int caps_apply(const char *const *names, struct mew_error **err);

#endif
