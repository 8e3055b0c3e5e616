/* The in-process fast path of the syscall engine: a small freestanding
 * stub mew maps into every guest process at a fixed address, right after
 * each execve.  Shared between mew (src/trap/stub.c) and the stub itself
 * (this folder, built without libc by the Makefile's rules).
 *
 * Layout (STUB_SIZE bytes at STUB_BASE):
 *   [BASE, BASE+64K)        code: the SIGSYS handler and the one system call
 *                           instruction the seccomp filter lets through
 *                           untranslated (by instruction pointer);
 *   [SLOW, SLOW+4K)         the "slow" system call instruction: calls made
 *                           from there meet the filter's ordinary rules (user
 *                           notification: mew's notifier answers them);
 *   [DATA, BASE+SIZE)       struct stub_config, written by mew, then state;
 *                           its credentials last (up to 256K of groups,
 *                           touched only as far as they are in use).
 */
#ifndef MEW_TRAP_GUEST_STUB_H
#define MEW_TRAP_GUEST_STUB_H

#include <stdint.h>

#include "personality/cred.h"
#include "personality/call.h"

#define STUB_BASE 0x6d6577000000ULL
#define STUB_SLOW (STUB_BASE + 0x10000)
#define STUB_DATA (STUB_BASE + 0x20000)
#define STUB_SIZE 0x70000ULL
/* The filter compares the instruction pointer's two halves. */
#define STUB_IP_HI 0x6d65u
#define STUB_IP_LO 0x77000000u

/* Entry points, as offsets from STUB_BASE. */
#define STUB_ENTRY_SYSCALL 0x00 /* long (long nr, long a1, ..., long a6) */
#define STUB_ENTRY_INIT 0x40	/* runs the stub's set-up, then int3 */

/* SECCOMP_RET_DATA of mew's SECCOMP_RET_TRAP (si_errno of the SIGSYS). */
#define STUB_TAG 0x4d57
/* si_errno of the SIGSYS the stub sends itself when an execve failed after
 * mew started watching for it. */
#define STUB_TAG_EXEC_FAILED 0x4d58

/* Calls the stub makes to mew through the slow instruction (numbers no
 * kernel uses; from anywhere else they are plain ENOSYS). */
/* translate: (path, dirfd, nr, flag, out, outlen): path translated for call
 * nr whose flag argument is flag, by the personality's call table (follow,
 * read-only rules); 0, 1 = empty path, -errno.  For openat2 flag is its
 * struct open_how and outlen the struct's size (out holds PATH_MAX bytes):
 * the struct checked, the path walked under its RESOLVE rules. */
#define STUB_UPCALL_TRANSLATE 1000
#define STUB_UPCALL_EXEC 1001	   /* (path, dirfd, argv, out, outlen, at_flags): 0 or -errno */
/* the directory cache (guest/dircache.c): (STUB_DIRCACHE_SHARE): an fd on
 * the run's shared page, installed by mew; (STUB_DIRCACHE_WATCH, fd): mew
 * watches directory fd for entries moved or removed; (STUB_DIRCACHE_BUMP):
 * mew bumps the generation for a process that could not map the page; 0
 * or -errno */
#define STUB_UPCALL_DIRCACHE 1002
#define STUB_DIRCACHE_SHARE 0
#define STUB_DIRCACHE_WATCH 1
#define STUB_DIRCACHE_BUMP 2

/* new namespaces (guest/ns.c): the calling process has just made a user
 * namespace for them; mew writes its ids map (personality/userns.c):
 * 0 or -errno */
#define STUB_UPCALL_USERNS 1003

/* What the exec upcall writes at out: this header, then the host path and
 * the nprefix argv strings, each NUL-terminated. */
struct stub_exec_answer {
	uint32_t nprefix;
	uint32_t argc; /* of the guest's argv */
};

/* A call the stub translates through mew: its number and its row of the
 * personality's call table (which arguments are paths, the follow and
 * write rules: src/personality/call.h). */
struct stub_path_call {
	uint16_t nr;
	struct pers_call call;
};

#define STUB_F_NO_IN_ROOT 1 /* absolute paths only without symlinks (see stub.c) */
#define STUB_F_READONLY 2   /* --read-only: writes are never answered in process */
#define STUB_F_RO_BIND 4    /* a :ro bind on the rootfs's filesystem: no relative writes */
#define STUB_F_NO_ENTRY_OPS 8 /* a bind whose directories the rootfs lacks: mkdir, unlink... go to mew */
#define STUB_F_NO_PATCH 16    /* MEW_TRAP_PATCH=0: call sites are never patched (guest/patch.c) */
#define STUB_F_ANY_RO 32      /* --read-only or a :ro volume: writes through an fd (futimens) go to mew */
#define STUB_F_GETXATTRAT 64  /* the kernel has getxattrat (Linux 6.13): owner records read without /proc */
#define STUB_F_OWNER_CACHE 128 /* the rootfs's filesystem gives each change a ctime of its own: records kept by inode and ctime */
#define STUB_PATCH_PAGES 16   /* pages of trampolines, each near the code it serves */
#define STUB_PATCH_FAILED 32  /* sites recently found unpatchable, not looked at again */
#define STUB_MAX_SHADOW 96
#define STUB_MAX_NR 512 /* x86-64's call numbers, below this */
#define STUB_SHADOW_BIT(ino) (((ino) ^ ((ino) >> 10)) & 1023)
#define STUB_MAX_BINDFD 16
/* as many binds as binds[] can hold: each at least `/x` and its NUL */
#define STUB_MAX_BINDS (2048 / 3)
#define STUB_MAX_FD_CALLS 64
#define STUB_MAX_VFORKED 4
#define STUB_MAGIC 0x6d65777374756231ULL

/* The page every guest process of a run and mew share (a memfd mew makes,
 * mapped by each stub at STUB_SHARE the first time it needs it): what
 * makes the directory cache exact (guest/dircache.c). */
#define STUB_SHARE (STUB_BASE + STUB_SIZE)
#define STUB_SHARE_SIZE 0x5000ULL
#define STUB_MAX_WATCHED 1000
#define STUB_MAX_KEPT 128
struct stub_share {
	/* bumped after each change that may move or remove a directory:
	 * by the stub that made it (rename, rmdir), before the call returns;
	 * by mew for what inotify reports of the watched directories (every
	 * change there, the guest's included: what a process killed before
	 * its bump made, and the host's) */
	uint64_t gen;
	/* set by mew when it no longer watches: the caches are not used */
	uint32_t off;
	/* odd while mew changes watched[] */
	uint32_t wseq;
	uint32_t nwatched;
	/* the (dev, ino) (dev as st_dev) of the sockets, FIFOs and symlinks
	 * whose owner mew keeps, which no attribute can hold: the stub asks
	 * mew for their stat (guest/query.c, owner_view).  Written by the
	 * personality (pers_owners_publish): a key, then nkept raised; never
	 * taken out; nkept > STUB_MAX_KEPT: more than fit, mew answers all. */
	uint32_t nkept;
	uint64_t kept[STUB_MAX_KEPT][2];
	/* the directories mew watches (its inotify instance) */
	struct {
		uint64_t dev, ino;
	} watched[STUB_MAX_WATCHED];
};
_Static_assert(sizeof(struct stub_share) <= STUB_SHARE_SIZE, "the shared page's size");

/* Directories cached per process, and the longest path one may have. */
#define STUB_DIRCACHE 96
#define STUB_DIRCACHE_KEY 118

/* The first character of path p's first component (past `/` and `.`;
 * 0: p is `/`): the binds' (mew) and a path's (the stub). */
static inline unsigned char stub_first_char(const char *p)
{
	while (*p == '/' || (p[0] == '.' && (p[1] == '/' || p[1] == '\0')))
		p++;
	return (unsigned char)*p;
}

struct stub_config {
	uint64_t magic;
	int32_t rootfd; /* set by the stub's init: an O_PATH fd on the rootfs */
	uint32_t flags;
	/* set by the stub's init: an O_PATH fd on each directory bind's
	 * source, in the order of binds (-1: none) */
	int32_t bindfd[STUB_MAX_BINDFD];
	/* the lowest number the stub's fds ever take (trap_stub_fd_min: the
	 * filter traps close, fcntl, dup... from there); they sit right
	 * under the real soft limit where it lies over fd_min + STUB_HELD,
	 * at fd_min where not (guest/fds.c, window_of) */
	int32_t fd_min;
	uint64_t proc_dev; /* st_dev of the host's /proc: never answered in process */
	/* Directories and files of the rootfs hidden by binds (rootfs/proc,
	 * rootfs/dev/null...): a walk that lands there must go to mew. */
	uint32_t nshadow;
	uint32_t ncalls;
	struct {
		uint64_t dev, ino;
	} shadow[STUB_MAX_SHADOW];
	/* a bit for each hidden inode number's STUB_SHADOW_BIT: most stats
	 * and opens land on none, and look no further (guest/walk.c) */
	uint64_t shadow_bits[16];
	/* The rootfs's device, and the directories above what binds hide
	 * (rootfs/, rootfs/opt for a bind on /opt/t...): a file created from
	 * one of them could land in a hidden place. */
	uint64_t root_dev;
	uint32_t nanc;
	struct {
		uint64_t dev, ino;
	} anc[32];
	/* Guest paths of every bind, NUL-separated, an empty one ends; their
	 * host paths in the same order. */
	char binds[STUB_MAX_BINDS * 3];
	char bind_hosts[4096];
	/* The first characters of the binds' first components, a bit each
	 * (all of them for a bind of `/`): most paths begin with none, and
	 * then no bind lies at or above them (guest/walk.c). */
	uint64_t bind_first[4];
	/* The binds, looked up without a walk of the list: each one's place
	 * in binds, its length, its first component's first character
	 * (stub_first_char) and whether another bind lies at or below it. */
	uint32_t nbinds;
	struct {
		uint16_t off, len;
		uint8_t first, nested;
	} bind_at[STUB_MAX_BINDS];
	struct stub_path_call calls[48];
	/* The calls that look an fd up (the personality's rows with a dirfd):
	 * argument fd[i], used when path[i] is -1 (the call is on the fd),
	 * names a relative path, or is empty with AT_EMPTY_PATH in argument
	 * flag (-1: none); one of the stub's own fds there is EBADF
	 * (guest/fds.c, stub_fd_used). */
	struct {
		uint16_t nr;
		int8_t fd[2], path[2], flag;
	} fd_calls[STUB_MAX_FD_CALLS];
	uint32_t nfd_calls;
	/* each call number's entry of fd_calls, plus one (0: none) */
	uint8_t fd_call_of[STUB_MAX_NR];
	char rootfs[4096];
	char uts[6 * 65]; /* uname's answer (struct utsname) */

	/* mew's own ids, whose files show as root's. */
	uint32_t host_uid, host_gid;
	/* The process has a UTS namespace of its own (guest/ns.c): uname's
	 * nodename and domainname are the kernel's.  Set by mew at each exec
	 * (the process's namespace is not mew's), and by the stub that made it. */
	uint32_t own_uts;

	/* State of this process (not written by mew). */
	/* The actions the guest believes it has for the signals the stub
	 * handles itself: SIGSYS, SIGSEGV, SIGBUS (guest/signal.c). */
	struct {
		uint64_t handler, flags, restorer, mask;
	} guest_act[3];
	uint64_t nfast, nslow;
	/* Call-site patching (guest/patch.c): its lock (taken with a
	 * try-lock, never waited for), the trampoline pages, the sites that
	 * could not be patched. */
	struct {
		uint32_t lock, npages;
		uint64_t page[STUB_PATCH_PAGES];
		uint32_t used[STUB_PATCH_PAGES];
		uint64_t nsites, nfailed;
		uint64_t failed[STUB_PATCH_FAILED];
		/* the numbers of the calls the filter has trapped here (a
		 * bit each): a patched site whose number is in a register
		 * sends those to the stub, and makes the rest itself */
		uint64_t trapped[STUB_MAX_NR / 64];
	} patch;

	/* The process whose fd table holds the stub's fds (rootfd, bindfd[],
	 * dcache.fd[]): set by the init; a forked child, which has its own
	 * copy of this memory, takes it over; a vfork child, which shares it
	 * with its own fd table, never does (guest/fds.c, stub_owner). */
	int32_t owner;
	/* How many fds this process's stub holds: STUB_HELD, fewer when the
	 * guest's own fds hold some of their numbers, none when the hard
	 * limit left no room (guest/fds.c: the limit the guest sees) */
	int32_t held;
	/* The lowest number of the window right under the real soft limit
	 * that the stub's fds fill (guest/fds.c, settle); -1: none (the
	 * guest's limit lies under fd_min, the fds over it). */
	int32_t win;
	/* vfork children that made some of the stub's numbers their own
	 * (dup2 onto them, in their copy of the fd table): bit i of took is
	 * the stub's fd i (guest/fds.c, fd_at); such a child uses none of the
	 * stub's fds, and its parent's stay where they are. */
	uint32_t nvforked;
	struct {
		int32_t pid;
		uint32_t pad;
		uint64_t took[2];
	} vforked[STUB_MAX_VFORKED];

	/* The directory cache (guest/dircache.c): O_PATH fds on directories
	 * of the rootfs by their guest path; fd[] as stub_fd() and mew's
	 * trap_stub_hides_fd read them (-1: none). */
	struct {
		int32_t fd[STUB_DIRCACHE];
		uint32_t lock;	  /* fills and drops: a try-lock */
		uint64_t gen;	  /* the share's gen they were walked under */
		uint64_t share;	  /* where the share is mapped here (0: not yet) */
		uint32_t nseen;
		uint32_t absent; /* mew keeps no cache in this run (ENOSYS) */
		uint32_t seen[32]; /* hashes of directories walked once */
		uint32_t nnofill;
		uint64_t nofill_gen; /* the gen nofill[] holds for */
		uint32_t nofill[16]; /* ... that could not be cached (a symlink on the way) */
		struct {
			uint32_t seq; /* odd while the entry changes */
			uint32_t hash;
			uint64_t dev, ino;
			uint16_t len;
			char key[STUB_DIRCACHE_KEY];
		} e[STUB_DIRCACHE];
	} dcache;

	/* The files of the process's own user namespace open for writing
	 * (guest/userns.c): the pipe behind each of its map fds (by inode;
	 * 0: none), which file, the position; and whether its filter that
	 * traps their writes is in place. */
	struct {
		uint32_t which, pad;
		uint64_t ino;
		int64_t pos;
	} mapfd[3];
	uint32_t mapfilter;

	/* This process's root (chroot(2), personality/chroot.c): its
	 * canonical guest path, empty for the run's `/`.  Written by mew at
	 * the chroot and at each exec (it survives it); a fork's child has it
	 * in its copy, threads share it.  While it is set, every path is
	 * mew's to walk: the stub's rootfs fd and directory cache know only
	 * the run's `/`. */
	char root[4096];

	/* This process's credentials (personality/cred.h), kept by the stub
	 * so that a program that drops to another user sees it did (written
	 * by mew at each exec: they survive it).  Last: with the kernel's
	 * 65536 groups it is large, and only the part in use is written. */
	struct pers_cred cred;
};
/* The fds the stub holds (guest/fds.c): the rootfs's, each directory
 * bind's, and the directory cache's slots, each a cached directory or a
 * placeholder (a copy of the rootfs's): a fixed count, which the guest's
 * RLIMIT_NOFILE is shown less. */
#define STUB_HELD (1 + STUB_DIRCACHE)
/* The stub's fds, numbered as fds.c's fd_at: the rootfs's, each bind's,
 * each cached directory's. */
#define STUB_NFDS (1 + STUB_MAX_BINDFD + STUB_DIRCACHE)
_Static_assert(STUB_NFDS <= 128, "a vfork child's took[] has a bit for each of the stub's fds");
_Static_assert(STUB_DATA - STUB_BASE + sizeof(struct stub_config) <= STUB_SIZE,
	       "the stub's data fits its mapping");

#endif
