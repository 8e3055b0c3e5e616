#ifndef MEW_CONTAINER_IDENTITY_H
#define MEW_CONTAINER_IDENTITY_H

#include <stdbool.h>

#include "base/error.h"
#include "spec/spec.h"

/* Become the spec's user: supplementary groups, gid, then uid (uid 0 when
 * the spec names no user).  origin names where the user came from in
 * errors ("--user", "config.json: process.user"); userns says the
 * container is rootless, where only id 0 is mapped and setgroups is denied. */
int identity_switch(const struct spec *spec, bool userns, const char *origin,
		    struct mew_error **err);

#endif
