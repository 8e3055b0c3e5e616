/* The ABI-neutral system call table of the personality: for each call that
 * names a path or asks who/where the process is, which arguments are paths
 * (and their dirfds), whether the last component is followed, whether the
 * call writes, which identity call of the credential model it is, and how
 * the personality answers it.  Written once (call.c),
 * used by every engine: the syscall engine's ptrace, notifier and stub
 * modes and the emulate engine's interpreter.  The numbers are per ABI
 * (abi/x86_64.c, abi/aarch64.c); argument positions are the same on both.
 *
 * Freestanding (no libc): the syscall engine's in-guest stub includes it
 * and evaluates the same rules (pers_call_follows, pers_call_writes). */
#ifndef MEW_PERSONALITY_CALL_H
#define MEW_PERSONALITY_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Follow the last component if it is a symlink (stat, open, chdir, exec...);
 * without it the last component is named, not followed (lstat, readlink,
 * unlink, rename, mkdir, symlink's link path, O_NOFOLLOW). */
#define PERS_FOLLOW 0x1

/* How the personality answers a call. */
enum pers_kind {
	PK_PATH,     /* translate the path arguments; the call is made on host paths */
	PK_EXEC,     /* execve, execveat: pers_exec_resolve */
	PK_READLINK, /* pers_readlink */
	PK_GETCWD,   /* pers_getcwd */
	PK_UNAME,    /* pers_uname */
	PK_CRED,     /* the identity calls: pers_cred_syscall(.cred) */
	PK_KILL,     /* kill, tgkill: pers_cred_may_signal against the target */
	PK_FD,	     /* a call on the fd in dirfd[0] (fchown, fchmod, fsetxattr...):
		      * no path; one that writes meets the read-only rules of the
		      * fd's file (pers_fd_write_check) */
	PK_CHROOT,   /* only to the guest's own root */
	PK_SOCK,     /* bind, connect: an AF_UNIX path in the address (the rules
		      * apply to it: bind writes, connect follows) */
	PK_REFUSE,   /* not in a personality without mounts or handles: -err */
	PK_PTRACE,   /* ptrace: a request that would attach a tracer is EPERM
		      * (pers_ptrace_attaches); the others are the kernel's */
	PK_OPENAT2,  /* openat2(dirfd, path, how, size): its flags, mode and
		      * RESOLVE_* rules in a struct (pers_open_how), then an
		      * openat of the host path (the row has no flag argument) */
};

/* How the last component of the first path is taken. */
enum pers_follow {
	PF_NOFOLLOW,   /* lstat, unlink, mkdir, rename... */
	PF_FOLLOW,     /* stat, chdir, chmod, truncate... */
	PF_AT_FLAGS,   /* follow unless AT_SYMLINK_NOFOLLOW in the flag argument */
	PF_AT_FOLLOW,  /* follow only with AT_SYMLINK_FOLLOW (linkat) */
	PF_OPEN_FLAGS, /* follow unless O_NOFOLLOW or O_CREAT|O_EXCL */
	PF_IN_FLAGS,   /* inotify: follow unless IN_DONT_FOLLOW */
};

/* Whether the call writes through its paths (a read-only path: EROFS). */
enum pers_writes {
	PW_NO,
	PW_YES,
	PW_OPEN_FLAGS, /* open: by its flags (write access, O_CREAT, O_TRUNC) */
};

struct pers_call {
	uint8_t kind;	       /* enum pers_kind */
	int8_t path[2], dirfd[2]; /* argument indexes, -1 none (dirfd: AT_FDCWD);
				   * the second path is never followed */
	uint8_t follow;	       /* enum pers_follow, for the first path */
	int8_t flag;	       /* argument index of the flags it reads, -1 none */
	uint8_t writes;	       /* enum pers_writes */
	uint8_t creates;       /* 1 + the path slot it creates (mkdir, mknod,
				* symlink, link's new path), 0 none */
	uint8_t owner;	       /* chown family: changes owners (pers_chown; the
				* uid and gid follow the path or fd argument) */
	uint8_t err;	       /* PK_REFUSE: the errno */
	uint8_t cred;	       /* PK_CRED: enum pers_cred_call (cred.h) */
};

/* The flag bits the rules read, the same on every Linux ABI but one
 * (O_NOFOLLOW, given by the ABI: struct pers_abi). */
#define PERS_AT_SYMLINK_NOFOLLOW 0x100
#define PERS_AT_SYMLINK_FOLLOW 0x400
#define PERS_O_ACCMODE 03
#define PERS_O_CREAT 0100
#define PERS_O_EXCL 0200
#define PERS_O_TRUNC 01000
#define PERS_IN_DONT_FOLLOW 0x02000000
#define PERS_AT_EMPTY_PATH 0x1000

/* A tracer inside the guest (strace, gdb) would see the engine's own
 * traps (the stub's SIGSYS), and a process has one tracer, which the
 * engine may need: the requests that make one are refused with EPERM. */
static inline bool pers_ptrace_attaches(uint64_t request)
{
	return request == 0 /* PTRACE_TRACEME */ || request == 16 /* PTRACE_ATTACH */ ||
	       request == 0x4206 /* PTRACE_SEIZE */;
}

/* The flag argument's value, for the two rules below. */
#define PERS_CALL_FLAG(c, args) ((c)->flag >= 0 ? (uint64_t)(args)[(int)(c)->flag] : 0)

/* PERS_FOLLOW when the first path's last symlink is followed. */
static inline int pers_call_follows(const struct pers_call *c, uint64_t f, uint64_t o_nofollow)
{
	switch (c->follow) {
	case PF_NOFOLLOW: return 0;
	case PF_AT_FLAGS: return (f & PERS_AT_SYMLINK_NOFOLLOW) ? 0 : PERS_FOLLOW;
	case PF_AT_FOLLOW: return (f & PERS_AT_SYMLINK_FOLLOW) ? PERS_FOLLOW : 0;
	case PF_OPEN_FLAGS:
		if ((f & o_nofollow) || (f & (PERS_O_CREAT | PERS_O_EXCL)) == (PERS_O_CREAT | PERS_O_EXCL))
			return 0;
		return PERS_FOLLOW;
	case PF_IN_FLAGS: return (f & PERS_IN_DONT_FOLLOW) ? 0 : PERS_FOLLOW;
	}
	return PERS_FOLLOW;
}

static inline bool pers_call_writes(const struct pers_call *c, uint64_t f)
{
	if (c->writes == PW_OPEN_FLAGS)
		return (f & PERS_O_ACCMODE) != 0 || (f & (PERS_O_CREAT | PERS_O_TRUNC)) != 0;
	return c->writes == PW_YES;
}

/* A call that acts on the fd in its dirfd argument when its first path is
 * NULL or empty: futimens is utimensat(fd, NULL, ...) (and so the other
 * calls that write); AT_EMPTY_PATH (fchownat, utimensat, fchmodat2; with a
 * NULL path too, newfstatat and statx, as Linux 6.11 takes it).  With empty
 * (the path was read as ""), that argument's index, else -1 (an empty path
 * is then ENOENT, a NULL one EFAULT: lstat(NULL), LTP's lstat02). */
static inline int pers_call_on_fd(const struct pers_call *c, const uint64_t *args, bool empty)
{
	bool on_fd = PERS_CALL_FLAG(c, args) & PERS_AT_EMPTY_PATH;

	if (c->path[0] < 0 || c->dirfd[0] < 0 || (c->follow != PF_AT_FLAGS && c->follow != PF_AT_FOLLOW))
		return -1;
	if ((args[(int)c->path[0]] == 0 && (on_fd || c->writes == PW_YES)) || (empty && on_fd))
		return c->dirfd[0];
	return -1;
}

/* An ABI's numbering of the calls. */
struct pers_abi {
	const char *name;
	uint64_t o_nofollow;	       /* O_NOFOLLOW's value on this ABI */
	unsigned nmax;		       /* numbers below nmax */
	const uint16_t *call;	       /* [nr]: index into the table + 1, 0 = none */
};
extern const struct pers_abi pers_abi_x86_64, pers_abi_aarch64;

/* The entry for system call nr of abi, or NULL (not the personality's). */
const struct pers_call *pers_call(const struct pers_abi *abi, long nr);
/* The calls of abi in the table, as numbers (for filters): up to max, how
 * many there are.  Each entry's table row in rows (may be NULL). */
size_t pers_call_list(const struct pers_abi *abi, int *nrs, const struct pers_call **rows, size_t max);

#endif
