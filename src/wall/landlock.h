/* Landlock's kernel interface as mew uses it.  Debian 12's headers stop at
 * ABI 2 (REFER); what later kernels added is defined here, once, with the
 * values of the kernel's include/uapi/linux/landlock.h. */
#ifndef MEW_WALL_LANDLOCK_H
#define MEW_WALL_LANDLOCK_H

#include <linux/landlock.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)		 /* ABI 6 */
#endif

/* struct landlock_ruleset_attr as of ABI 6 (the kernel takes a shorter one
 * from older callers, and refuses fields it does not know). */
struct wall_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4; mew leaves the network alone */
	uint64_t scoped;	     /* ABI 6 */
};

#endif
