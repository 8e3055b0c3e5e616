/* The rows of the call table (call.h), by name, for call.c and the ABI
 * number maps: X(name, kind, path0, dirfd0, path1, dirfd1, follow, flag,
 * writes, creates, owner, err, cred).  A call missing from an ABI is simply not mapped
 * there (aarch64 has no open, stat, mkdir... only their *at forms). */
#ifndef MEW_PERSONALITY_ABI_CALLS_H
#define MEW_PERSONALITY_ABI_CALLS_H

#include <errno.h>

#include "personality/call.h"
#include "personality/cred.h"

/* An identity call of the credential model (cred.h). */
#define PERS_CRED_ROW(X, name, id) X(name, PK_CRED, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, id)

#define PERS_CALLS(X)                                                                         \
	X(open, PK_PATH, 0, -1, -1, -1, PF_OPEN_FLAGS, 1, PW_OPEN_FLAGS, 0, 0, 0, 0)                  \
	X(openat, PK_PATH, 1, 0, -1, -1, PF_OPEN_FLAGS, 2, PW_OPEN_FLAGS, 0, 0, 0, 0)                 \
	X(creat, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                            \
	X(stat, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                              \
	X(lstat, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                           \
	X(newfstatat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_NO, 0, 0, 0, 0)                        \
	X(statx, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 2, PW_NO, 0, 0, 0, 0)                             \
	X(access, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                            \
	X(faccessat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                          \
	X(faccessat2, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_NO, 0, 0, 0, 0)                        \
	X(readlink, PK_READLINK, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                    \
	X(readlinkat, PK_READLINK, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                   \
	X(execve, PK_EXEC, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                            \
	X(execveat, PK_EXEC, 1, 0, -1, -1, PF_FOLLOW, 4, PW_NO, 0, 0, 0, 0)                            \
	X(chdir, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                             \
	X(chroot, PK_CHROOT, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                          \
	X(mkdir, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                          \
	X(mkdirat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                         \
	X(rmdir, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                          \
	X(unlink, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                         \
	X(unlinkat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                        \
	X(rename, PK_PATH, 0, -1, 1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                          \
	X(renameat, PK_PATH, 1, 0, 3, 2, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                          \
	X(renameat2, PK_PATH, 1, 0, 3, 2, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                         \
	X(link, PK_PATH, 0, -1, 1, -1, PF_NOFOLLOW, -1, PW_YES, 2, 0, 0, 0)                            \
	X(linkat, PK_PATH, 1, 0, 3, 2, PF_AT_FOLLOW, 4, PW_YES, 2, 0, 0, 0)                            \
	/* symlink(target, linkpath): the target is stored as the guest wrote it */              \
	X(symlink, PK_PATH, 1, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                        \
	X(symlinkat, PK_PATH, 2, 1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                       \
	X(chmod, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                            \
	X(fchmodat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                          \
	X(fchmodat2, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_YES, 0, 0, 0, 0)                        \
	X(chown, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 1, 0, 0)                            \
	X(lchown, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 1, 0, 0)                         \
	X(fchownat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 4, PW_YES, 0, 1, 0, 0)                         \
	/* through an fd: fchmod(fd, mode), fchown(fd, uid, gid), f*xattr(fd, name...) */      \
	X(fchmod, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                             \
	/* fstat(fd, buf), the raw call (Go, musl): the owner the guest sees */                \
	X(fstat, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                               \
	X(fchown, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 1, 0, 0)                             \
	X(fsetxattr, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                          \
	X(fremovexattr, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                       \
	/* reads through an fd: the admin's names and mew's own (personality/xattr.c) */          \
	X(fgetxattr, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                           \
	X(flistxattr, PK_FD, -1, 0, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                          \
	X(truncate, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                         \
	X(utime, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                            \
	X(utimes, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                           \
	X(futimesat, PK_PATH, 1, 0, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                         \
	X(utimensat, PK_PATH, 1, 0, -1, -1, PF_AT_FLAGS, 3, PW_YES, 0, 0, 0, 0)                        \
	X(mknod, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                          \
	X(mknodat, PK_PATH, 1, 0, -1, -1, PF_NOFOLLOW, -1, PW_YES, 1, 0, 0, 0)                         \
	X(statfs, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                            \
	X(getxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                          \
	X(lgetxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                       \
	X(setxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                         \
	X(lsetxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                      \
	X(listxattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                         \
	X(llistxattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                      \
	X(removexattr, PK_PATH, 0, -1, -1, -1, PF_FOLLOW, -1, PW_YES, 0, 0, 0, 0)                      \
	X(lremovexattr, PK_PATH, 0, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                   \
	X(inotify_add_watch, PK_PATH, 1, -1, -1, -1, PF_IN_FLAGS, 2, PW_NO, 0, 0, 0, 0)                \
	X(getcwd, PK_GETCWD, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                       \
	X(uname, PK_UNAME, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                         \
	/* the identity: the credential model's */                                             \
	PERS_CRED_ROW(X, getuid, PERS_GETUID)                                                     \
	PERS_CRED_ROW(X, geteuid, PERS_GETEUID)                                                   \
	PERS_CRED_ROW(X, getgid, PERS_GETGID)                                                     \
	PERS_CRED_ROW(X, getegid, PERS_GETEGID)                                                   \
	PERS_CRED_ROW(X, getresuid, PERS_GETRESUID)                                               \
	PERS_CRED_ROW(X, getresgid, PERS_GETRESGID)                                               \
	PERS_CRED_ROW(X, setuid, PERS_SETUID)                                                     \
	PERS_CRED_ROW(X, setgid, PERS_SETGID)                                                     \
	PERS_CRED_ROW(X, setreuid, PERS_SETREUID)                                                 \
	PERS_CRED_ROW(X, setregid, PERS_SETREGID)                                                 \
	PERS_CRED_ROW(X, setresuid, PERS_SETRESUID)                                               \
	PERS_CRED_ROW(X, setresgid, PERS_SETRESGID)                                               \
	PERS_CRED_ROW(X, setfsuid, PERS_SETFSUID)                                                 \
	PERS_CRED_ROW(X, setfsgid, PERS_SETFSGID)                                                 \
	PERS_CRED_ROW(X, getgroups, PERS_GETGROUPS)                                               \
	PERS_CRED_ROW(X, setgroups, PERS_SETGROUPS)                                               \
	PERS_CRED_ROW(X, capget, PERS_CAPGET)                                                     \
	PERS_CRED_ROW(X, capset, PERS_CAPSET)                                                     \
	PERS_CRED_ROW(X, prctl, PERS_PRCTL) /* PERS_CRED_NOT_MINE: not a credential option */    \
	/* kill(pid, sig), tgkill(tgid, tid, sig): the target's credentials decide */            \
	X(kill, PK_KILL, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                        \
	X(tgkill, PK_KILL, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, 0, 0)                      \
	X(bind, PK_SOCK, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_YES, 0, 0, 0, 0)                           \
	X(connect, PK_SOCK, -1, -1, -1, -1, PF_FOLLOW, -1, PW_NO, 0, 0, 0, 0)                        \
	/* openat2(dirfd, path, how, size): flags, mode and resolve in *how */                   \
	X(openat2, PK_OPENAT2, 1, 0, -1, -1, PF_OPEN_FLAGS, -1, PW_OPEN_FLAGS, 0, 0, 0, 0)              \
	X(ptrace, PK_PTRACE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)                  \
	/* not in a personality without mounts or handles: refused cleanly */                   \
	X(mount, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)                    \
	X(umount2, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)                  \
	X(pivot_root, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)               \
	X(name_to_handle_at, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EOPNOTSUPP, 0)   \
	X(open_by_handle_at, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)        \
	X(fanotify_mark, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)            \
	X(uselib, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, ENOSYS, 0)                  \
	X(acct, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)                     \
	X(swapon, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)                   \
	X(swapoff, PK_REFUSE, -1, -1, -1, -1, PF_NOFOLLOW, -1, PW_NO, 0, 0, EPERM, 0)

enum pers_call_id {
#define PERS_CALL_ID(name, ...) PC_##name,
	PERS_CALLS(PERS_CALL_ID)
#undef PERS_CALL_ID
	PC_COUNT
};

extern const struct pers_call pers_calls[PC_COUNT];

#endif
