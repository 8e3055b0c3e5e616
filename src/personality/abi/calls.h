/* The rows of the call table (call.h), by name, for call.c and the ABI
 * number maps: X(name, kind, path0, dirfd0, path1, dirfd1, follow, flag,
 * writes, owner, 0, err).  A call missing from an ABI is simply not mapped
 * there (aarch64 has no open, stat, mkdir... only their *at forms). */
#ifndef MEW_PERSONALITY_ABI_CALLS_H
#define MEW_PERSONALITY_ABI_CALLS_H

#include <errno.h>

#include "personality/call.h"

#define PERS_CALLS(X)                                                                         \
	X(open, PK_PATH, 0, -1, -1, -1, PF_OPEN_FLAGS, 1, PW_OPEN_FLAGS, 0, 0, 0)                  \
	X(openat, PK_PATH, 1, 0, -1, -1, PF_OPEN_FLAGS, 2, PW_OPEN_FLAGS, 0, 0, 0)                 \
	X(creat, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                            \
	X(stat, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                              \
	X(lstat, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                           \
	X(newfstatat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_NO, 0, 0, 0)                        \
	X(statx, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 2, PW_NO, 0, 0, 0)                             \
	X(access, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                            \
	X(faccessat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                          \
	X(faccessat2, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_NO, 0, 0, 0)                        \
	X(readlink, PK_READLINK, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                    \
	X(readlinkat, PK_READLINK, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                   \
	X(execve, PK_EXEC, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                            \
	X(execveat, PK_EXEC, 1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                           \
	X(chdir, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                             \
	X(chroot, PK_CHROOT, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                          \
	X(mkdir, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                          \
	X(mkdirat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                         \
	X(rmdir, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                          \
	X(unlink, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                         \
	X(unlinkat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                        \
	X(rename, PK_PATH, 0, -1, 1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                          \
	X(renameat, PK_PATH, 1, 0, 3, 2, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                          \
	X(renameat2, PK_PATH, 1, 0, 3, 2, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                         \
	X(link, PK_PATH, 0, -1, 1, -1, PF_NOFOLLOW, -1, PW_YES, 2, 0, 0)                            \
	X(linkat, PK_PATH, 1, 0, 3, 2, PF_AT_FOLLOW, 4, PW_YES, 2, 0, 0)                            \
	/* symlink(target, linkpath): the target is stored as the guest wrote it */              \
	X(symlink, PK_PATH, 1, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                        \
	X(symlinkat, PK_PATH, 2, 1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                       \
	X(chmod, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                            \
	X(fchmodat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                          \
	X(fchmodat2, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_YES, 0, 0, 0)                        \
	X(chown, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 1, 0)                            \
	X(lchown, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 1, 0)                         \
	X(fchownat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 4, PW_YES, 0, 1, 0)                         \
	X(truncate, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                         \
	X(utime, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                            \
	X(utimes, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                           \
	X(futimesat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                         \
	X(utimensat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_YES, 0, 0, 0)                        \
	X(mknod, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                          \
	X(mknodat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0)                         \
	X(statfs, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                            \
	X(getxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                          \
	X(lgetxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                       \
	X(setxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                         \
	X(lsetxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                      \
	X(listxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                         \
	X(llistxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                      \
	X(removexattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0)                      \
	X(lremovexattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                   \
	X(inotify_add_watch, PK_PATH, 1, -1, -1, -1, PF_IN_FLAGS, 2, PW_NO, 0, 0, 0)                \
	X(getcwd, PK_GETCWD, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                       \
	X(uname, PK_UNAME, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                         \
	X(getresuid, PK_GETRESID, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                  \
	X(getresgid, PK_GETRESID, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0)                  \
	X(bind, PK_SOCK, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0)                           \
	X(connect, PK_SOCK, -1, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0)                        \
	/* not in a personality without mounts or handles: refused cleanly */                   \
	X(mount, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)                    \
	X(umount2, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)                  \
	X(pivot_root, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)               \
	X(openat2, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, ENOSYS)                 \
	X(name_to_handle_at, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EOPNOTSUPP)   \
	X(open_by_handle_at, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)        \
	X(fanotify_mark, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)            \
	X(uselib, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, ENOSYS)                  \
	X(acct, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)                     \
	X(swapon, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)                   \
	X(swapoff, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM)

enum pers_call_id {
#define PERS_CALL_ID(name, ...) PC_##name,
	PERS_CALLS(PERS_CALL_ID)
#undef PERS_CALL_ID
	PC_COUNT
};

extern const struct pers_call pers_calls[PC_COUNT];

#endif
