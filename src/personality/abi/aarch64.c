/* The aarch64 numbers of the call table's rows (abi/calls.h): the generic
 * ABI has only the *at forms of the path calls. */
#include "personality/abi/aarch64.h"
#include "personality/abi/calls.h"

#define A64_NMAX 512

static const uint16_t aarch64_calls[A64_NMAX] = {
#define M(name) [A64_NR_##name] = PC_##name + 1
	M(openat), [A64_NR_fstatat] = PC_newfstatat + 1, M(statx), M(faccessat), M(faccessat2), M(readlinkat),
	M(execve), M(execveat), M(chdir), M(chroot), M(mkdirat), M(unlinkat), M(renameat),
	M(renameat2), M(linkat), M(symlinkat), M(fchmodat), [452 /* fchmodat2 */] = PC_fchmodat2 + 1, M(fchownat),
	M(truncate), M(utimensat), M(mknodat), M(statfs), M(getxattr), M(lgetxattr),
	M(setxattr), M(lsetxattr), M(listxattr), M(llistxattr), M(removexattr),
	M(lremovexattr), M(inotify_add_watch), M(getcwd), M(uname), M(fchmod), M(fchown), M(fsetxattr), M(fremovexattr),
	M(fgetxattr), M(flistxattr),
	M(getuid), M(geteuid), M(getgid), M(getegid), M(getresuid), M(getresgid), M(setuid),
	M(setgid), M(setreuid), M(setregid), M(setresuid), M(setresgid), M(setfsuid), M(setfsgid),
	M(getgroups), M(setgroups), M(capget), M(capset), M(prctl), M(kill), M(tgkill), M(bind), M(connect), M(mount), M(umount2), M(pivot_root), M(openat2),
	M(name_to_handle_at), M(open_by_handle_at), M(fanotify_mark), M(acct), M(swapon),
	M(swapoff),
#undef M
};

const struct pers_abi pers_abi_aarch64 = {
	.name = "aarch64",
	.o_nofollow = 0100000,
	.nmax = A64_NMAX,
	.call = aarch64_calls,
};
