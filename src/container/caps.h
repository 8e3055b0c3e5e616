#ifndef MEW_CONTAINER_CAPS_H
#define MEW_CONTAINER_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

/* docker's default capability set, as a mask of CAP_* bits. */
uint64_t caps_default(void);

/* Limit this process's capabilities to keep (a mask of CAP_* bits): every
 * other leaves the bounding, effective, permitted and inheritable sets, the
 * ambient set is emptied, and with strict the capabilities of keep become
 * the effective, permitted and inheritable sets: one this process does not
 * hold fails, naming it (a container's set, as runc fails).  Without strict,
 * what of keep this process lacks stays out, and a process without
 * CAP_SETPCAP leaves its bounding set as it is (the wall keeps whatever of
 * its set this host gave mew, as root or not).  For a root process, before
 * the switch to another user. */
int caps_limit(uint64_t keep, bool strict, struct mew_error **err);

/* Drop every capability not in keep from the bounding set. */
int caps_drop_bounding(uint64_t keep, struct mew_error **err);

#endif
