/* The guest's credentials: one model of what the kernel keeps per process
 * (real, effective, saved and filesystem uids and gids, supplementary
 * groups, the capability sets a root has and loses) and of the kernel's
 * rules over it: who may take which id (set*id), what a uid change does to
 * the capabilities, what exec keeps, and who may read, write, chown, chmod,
 * delete or signal what.
 *
 * mew's personality answers the guest's identity calls from this model,
 * never from the host's identity: the guest starts as a fake root (uid 0,
 * every capability) or as --user's uid:gid, and a program that drops to
 * nobody is checked as nobody, as the kernel would check it.
 *
 * Freestanding (no libc; only <stdint.h> and the kernel's uapi headers):
 * the syscall engine's in-guest stub (src/trap/guest) links it too, and
 * keeps its process's credentials in its own data page.  Errors are
 * negative errno values, as the system call returns them. */
#ifndef MEW_PERSONALITY_CRED_H
#define MEW_PERSONALITY_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERS_CRED_NGROUPS 65536    /* supplementary groups: the kernel's NGROUPS_MAX */
#define PERS_ID_NONE 0xffffffffu    /* (uid_t)-1: "no change" for setre*id, setres*id, chown */
#define PERS_CAP_ALL 0x1ffffffffffULL /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE (40) */
/* The capabilities the personality grants itself, whatever the host
 * process may do: the file rules (perm.c: CHOWN, DAC_OVERRIDE,
 * DAC_READ_SEARCH, FOWNER, FSETID), signals (KILL), the identity
 * (SETGID, SETUID, SETPCAP), chroot to the guest's own root, and
 * SYS_ADMIN: the one rule of every engine and mode for a fake root's
 * CAP_SYS_ADMIN.  What it is asked for the personality answers: the
 * xattr namespaces of the admin (xattr.c), everywhere; new network, UTS,
 * IPC and mount namespaces (pers_cred_new_ns) where the engine makes them
 * (the syscall engine's stub mode, where user namespaces are allowed;
 * elsewhere the engine's EPERM, as for a root whose kernel refuses them).
 * The others the kernel checks on the real process (an rlimit raised,
 * oom_score_adj lowered, a raw socket): a root claims them only when the
 * host process has them (pers_cred_bound). */
#define PERS_CAP_EMULATED 0x2401ffULL
#define PERS_SECBIT_KEEP_CAPS (1u << 4)

/* A user namespace the guest made itself (unshare or clone with
 * CLONE_NEWUSER), as the kernel keeps one (kernel/user_namespace.c): its
 * creator's effective ids, its maps as written (one extent each: the one
 * a process may write for its own namespace), whether setgroups is denied
 * in it.  The ids of struct pers_cred stay the run's (the kernel's kuids);
 * what a process in the namespace sees and gives is mapped through these
 * (pers_cred_to_ns, pers_cred_from_ns). */
/* nested namespaces the model keeps (the kernel's limit is 32): EUSERS
 * beyond, as the kernel's beyond its own */
#define PERS_USERNS_MAX 8
#define PERS_OVERFLOW_ID 65534u /* an id the namespace does not map */
#define PERS_USERNS_SETGROUPS_DENIED 1u
struct pers_idmap {
	uint32_t first, lower, count; /* count 0: not written yet */
};
struct pers_userns {
	uint64_t id; /* tells namespaces apart (the signal rule) */
	uint32_t owner, group; /* the creator's euid and egid */
	uint32_t flags;
	struct pers_idmap uid, gid;
};

struct pers_cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_prm, cap_eff, cap_inh;
	uint64_t cap_bnd; /* the bounding set: a root's permitted set at exec */
	uint32_t securebits; /* only SECBIT_KEEP_CAPS has an effect here */
	/* no_new_privs as the guest set it (prctl): set-id bits are ignored
	 * at exec.  The guest's own, not mew's (which the syscall engine sets
	 * for its seccomp filter and Landlock, as a mechanism). */
	uint32_t no_new_privs;
	/* the user namespaces the process is in, outermost first (0: the
	 * run's own, which has no entry) */
	uint32_t depth;
	struct pers_userns userns[PERS_USERNS_MAX];
	uint32_t ngroups;
	uint32_t groups[PERS_CRED_NGROUPS]; /* sorted; only ngroups of them in use */
};

/* A struct pers_cred is large (the kernel's 65536 groups) but only its
 * first pers_cred_size bytes are in use: the ids, then ngroups groups.
 * Copy, carry and read only those (pers_cred_copy), never the whole
 * struct, and never put one on a small stack: the rest of groups[] stays
 * untouched, so it costs address space, not memory.  PERS_CRED_HEAD: the
 * ids alone (what the signal rule needs of a target). */
#define PERS_CRED_HEAD offsetof(struct pers_cred, groups)
unsigned long pers_cred_size(const struct pers_cred *c);
void pers_cred_copy(struct pers_cred *dst, const struct pers_cred *src);
/* A head read from elsewhere (another process, a file) is usable:
 * ngroups within bounds. */
int pers_cred_valid(const struct pers_cred *c);

/* A process of uid:gid as a login would start it: uid 0 has every
 * capability, others none; the supplementary groups are empty. */
void pers_cred_init(struct pers_cred *c, uint32_t uid, uint32_t gid);
/* The bounding set of a run: what the personality emulates and what the
 * host process can do (its effective set); the sets narrowed to it. */
void pers_cred_bound(struct pers_cred *c, uint64_t host_eff);

/* The capability (CAP_*, <linux/capability.h>) is in the effective set. */
int pers_cred_capable(const struct pers_cred *c, int cap);
/* gid is the filesystem gid or a supplementary group (in_group_p). */
int pers_cred_in_group(const struct pers_cred *c, uint32_t gid);

/* The set*id family; 0 or -EPERM / -EINVAL, as the kernel answers.
 * setfs[ug]id return the previous fs id, whatever happens. */
int pers_cred_setuid(struct pers_cred *c, uint32_t uid);
int pers_cred_setgid(struct pers_cred *c, uint32_t gid);
int pers_cred_setreuid(struct pers_cred *c, uint32_t ruid, uint32_t euid);
int pers_cred_setregid(struct pers_cred *c, uint32_t rgid, uint32_t egid);
int pers_cred_setresuid(struct pers_cred *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int pers_cred_setresgid(struct pers_cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
uint32_t pers_cred_setfsuid(struct pers_cred *c, uint32_t uid);
uint32_t pers_cred_setfsgid(struct pers_cred *c, uint32_t gid);
/* setgroups(n, list) with list already read from the guest (n checked
 * against PERS_CRED_NGROUPS first: -EINVAL).  Kept sorted, as the kernel
 * keeps them (groups_sort), and searched by halves (groups_search). */
int pers_cred_setgroups(struct pers_cred *c, long n, const uint32_t *list);
/* getgroups(n, list): the count with n 0, else -EINVAL when n is too
 * small; fills list with n >= the count. */
long pers_cred_getgroups(const struct pers_cred *c, long n, uint32_t *list);
/* capset: permitted and inheritable may only shrink (without CAP_SETPCAP
 * for the latter), effective within permitted.  0 or -EPERM. */
int pers_cred_capset(struct pers_cred *c, uint64_t eff, uint64_t prm, uint64_t inh);
/* prctl's credential options (PR_GET/SET_KEEPCAPS, PR_GET/SET_SECUREBITS,
 * PR_GET/SET_NO_NEW_PRIVS), arg2 and whether any of arg3..arg5 is set:
 * the answer, or PERS_CRED_NOT_MINE for any other option. */
#define PERS_CRED_NOT_MINE (-100001L)
long pers_cred_prctl(struct pers_cred *c, long option, unsigned long arg, bool more_args);

/* execve of a program of mode `mode` owned by fuid:fgid (as the guest sees
 * them): a set-user-id file makes its owner the effective uid, a
 * set-group-id one (with group execute) its group the effective gid,
 * unless no_new_privs (then the bits are ignored, as the kernel ignores
 * them); saved and fs ids follow the effective ones; a root (real or
 * effective uid 0) gets every capability, effective with euid 0, others
 * none; KEEP_CAPS is cleared.  mode 0: a program without set-id bits. */
void pers_cred_exec(struct pers_cred *c, uint32_t mode, uint32_t fuid, uint32_t fgid);

/* Files: the kernel's checks against an inode's mode, owner and group as
 * the guest sees them. */
#define PERS_MAY_EXEC 1
#define PERS_MAY_WRITE 2
#define PERS_MAY_READ 4
/* generic_permission: 0 or -EACCES. */
int pers_cred_permission(const struct pers_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
			 int mask);
/* The same with access(2)'s ids: the real ones (and a real root's
 * permitted capabilities). */
int pers_cred_access(const struct pers_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
		     int mask);
/* Whether every file check passes for access(2)'s ids. */
int pers_cred_access_omnipotent(const struct pers_cred *c);
/* Removing or renaming an entry of a directory: write and search on the
 * directory (-EACCES), and the sticky bit's owner rule (-EPERM). */
int pers_cred_may_delete(const struct pers_cred *c, uint32_t dmode, uint32_t duid, uint32_t dgid,
			 uint32_t victim_uid);
/* chown(uid, gid) of an inode owned by fuid:fgid with mode *mode
 * (PERS_ID_NONE: unchanged; -1, -1 included): 0 or -EPERM; *mode loses
 * set-user-id (and set-group-id where the kernel drops it) for a
 * non-directory. */
int pers_cred_chown(const struct pers_cred *c, uint32_t fuid, uint32_t fgid, uint32_t uid,
		    uint32_t gid, uint32_t *mode);
/* The set-id bits a write or truncate by c drops from an inode of mode
 * (type bits included) and group gid: set-user-id, set-group-id with
 * group execute or outside the caller's groups; none for a caller with
 * CAP_FSETID or on what is not a regular file. */
uint32_t pers_cred_setid_dropped(const struct pers_cred *c, uint32_t mode, uint32_t gid);
/* chmod to *mode of an inode owned by fuid:fgid: 0 or -EPERM (not the owner,
 * without CAP_FOWNER); *mode loses set-group-id when the caller is not in
 * the file's group and lacks CAP_FSETID. */
int pers_cred_chmod(const struct pers_cred *c, uint32_t fuid, uint32_t fgid, uint32_t *mode);
/* The owner the kernel gives a new inode of *mode (type bits included) in a
 * directory of mode dmode and group dgid: the fs uid, and the fs gid or
 * the directory's for a set-group-id directory (whose subdirectories
 * inherit the bit); a set-group-id file the creator may not have loses it. */
void pers_cred_new_inode(const struct pers_cred *c, uint32_t dmode, uint32_t dgid, uint32_t *mode,
			 uint32_t *uid, uint32_t *gid);
/* Owner or CAP_FOWNER (utimes to a given time, setting flags): 0 or -EPERM. */
int pers_cred_owner_or_capable(const struct pers_cred *c, uint32_t fuid);
/* kill: the sender's real or effective uid is the target's real or saved
 * one, or CAP_KILL in the target's user namespace (the sender's own or
 * one below it; the owner of a namespace has every capability there).
 * 0 or -EPERM.  Only the target's head is read. */
int pers_cred_may_signal(const struct pers_cred *c, const struct pers_cred *target);
/* May c change target's scheduling (sched_setparam, sched_setscheduler,
 * sched_setaffinity)?  Its owner (c's euid is target's euid or uid), or
 * CAP_SYS_NICE: 0 or -EPERM. */
int pers_cred_may_sched(const struct pers_cred *c, const struct pers_cred *target);
/* The identity calls, ABI-neutral: the call table's row of a call number
 * says which (personality/call.h: .cred of a PK_CRED row); each engine
 * hands the arguments to pers_cred_syscall, with a way to reach the
 * guest's memory. */
enum pers_cred_call {
	PERS_CRED_NONE,
	PERS_GETUID, PERS_GETEUID, PERS_GETGID, PERS_GETEGID, PERS_GETRESUID, PERS_GETRESGID,
	PERS_SETUID, PERS_SETGID, PERS_SETREUID, PERS_SETREGID, PERS_SETRESUID, PERS_SETRESGID,
	PERS_SETFSUID, PERS_SETFSGID, PERS_GETGROUPS, PERS_SETGROUPS, PERS_CAPGET, PERS_CAPSET,
	PERS_PRCTL, /* answers PERS_CRED_NOT_MINE for the options that are not credentials */
};
struct pers_cred_io {
	/* copy from / to guest memory: 0 or -EFAULT */
	int (*in)(void *ctx, void *dst, unsigned long src, unsigned long n);
	int (*out)(void *ctx, unsigned long dst, const void *src, unsigned long n);
	void *ctx;
};
/* The system call's answer (a value or -errno). */
long pers_cred_syscall(struct pers_cred *c, enum pers_cred_call call, const long *a,
		       const struct pers_cred_io *io);

/* New namespaces (unshare, clone): a guest's new network, UTS, IPC and
 * mount namespaces are real ones, which the engine makes inside a new user
 * namespace of mew's user (its ids mapped to themselves), so that no host
 * resource answers to the guest's capabilities there (a mount namespace:
 * the guest mounts nothing in any, the wall refuses mount(2) and the
 * personality's view is the same in both); a user namespace the guest
 * asks for is the model's (pers_cred_userns_enter, below), never a real
 * map; PID, cgroup and time namespaces are not made (EPERM, where the
 * personality has one of each: its /proc).  The others ask for
 * CAP_SYS_ADMIN, which a fake root holds in every engine
 * (PERS_CAP_EMULATED); a user namespace for nothing.  An engine that
 * makes none refuses them all before asking (the syscall engine's
 * filter, the emulate engine). */
#define PERS_NS_MADE 0x4c020000ULL /* CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET */
/* unshare(flags) (clone: for_clone, whose low byte is the exit signal):
 * -EINVAL for a flag unshare does not know; 0 when it asks for no
 * namespace (the kernel's call as it is), 1 when it asks only for
 * PERS_NS_MADE ones and c has CAP_SYS_ADMIN, or for a user namespace
 * (with PERS_NS_MADE ones or not: they are made with the capabilities of
 * the new one), else -EPERM.  setns: the same rule for the namespace's
 * kind. */
int pers_cred_new_ns(const struct pers_cred *c, uint64_t flags, bool for_clone);

/* The guest's own user namespace (unshare, clone with CLONE_NEWUSER;
 * new_ns answers 1 for it): the process
 * enters a new namespace, child of its own, owned by its effective ids,
 * with every capability there and none left over what is outside
 * (set_cred_user_ns), nothing mapped until it writes its maps.  id: a
 * value no other namespace of the run has.  -EPERM where its effective
 * ids are not mapped, or chrooted (the kernel's current_chrooted); -EUSERS
 * beyond PERS_USERNS_MAX. */
int pers_cred_userns_enter(struct pers_cred *c, uint64_t id, bool chrooted);
/* An id of the run (a kuid or kgid) as the process's namespace sees it,
 * PERS_OVERFLOW_ID where it is not mapped; and back (PERS_ID_NONE: not
 * mapped; PERS_ID_NONE itself stays). */
uint32_t pers_cred_to_ns(const struct pers_cred *c, bool gid, uint32_t id);
uint32_t pers_cred_from_ns(const struct pers_cred *c, bool gid, uint32_t id);
/* The files of a user namespace, /proc/PID/{uid_map,gid_map,setgroups},
 * of the process's own namespace, written by the process itself (mew
 * answers no other writer): the kernel's map_write and
 * proc_setgroups_write.  n bytes of text at file position pos: n, or
 * -EINVAL (pos not 0, a page or more, a line that does not parse, an
 * overlap), -EPERM (a map written already, no CAP_SYS_ADMIN in the
 * namespace, a map other than the one line of the writer's own effective
 * id, a gid map while setgroups is allowed, setgroups allowed again). */
enum pers_userns_file { PERS_UID_MAP, PERS_GID_MAP, PERS_SETGROUPS_FILE };
/* Opening one: 0, or -EACCES for setgroups for writing without
 * CAP_SYS_ADMIN in the namespace (proc_setgroups_open). */
int pers_cred_userns_open(const struct pers_cred *c, enum pers_userns_file f, bool write);
long pers_cred_userns_write(struct pers_cred *c, enum pers_userns_file f, const char *text, long n, long pos);
/* What reading one shows the process (the kernel's uid_m_show: the lower
 * ids in the parent namespace's terms): its length, at most size bytes
 * of out; the run's own namespace maps every id to itself. */
long pers_cred_userns_show(const struct pers_cred *c, enum pers_userns_file f, char *out, long size);

/* Where an unprivileged mew records the owner the guest gave a file
 * ("uid:gid"), and the set-id bits the host does not hold for the guest
 * ("uid:gid:MODE", MODE octal, 07000 at most) (owner.c, and the stub's
 * stat). */
#define PERS_OWNER_XATTR "user.mew.owner"

/* A record of n bytes: 0 with its owner (*bits: the kept set-id bits, -1
 * without MODE), or -1 when it is not one.  Inline: the stub reads
 * records too. */
static inline int pers_owner_record_parse(const char *v, long n, uint32_t *uid, uint32_t *gid, long *bits)
{
	unsigned long u = 0, g = 0, m = 0;
	long i = 0, j;

	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		u = u * 10 + (unsigned long)(v[i] - '0');
	if (i == 0 || i >= n || v[i++] != ':')
		return -1;
	for (j = i; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		g = g * 10 + (unsigned long)(v[i] - '0');
	if (i == j)
		return -1;
	*bits = -1;
	if (i < n && v[i] == ':') {
		for (j = ++i; i < n && v[i] >= '0' && v[i] <= '7'; i++)
			m = m * 8 + (unsigned long)(v[i] - '0');
		if (i == j)
			return -1;
		*bits = (long)(m & 07000);
	}
	if (i != n)
		return -1;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}

/* mew's own extended attributes (user.mew.*: PERS_OWNER_XATTR) are not the
 * guest's: no kernel would show them, a copy that carried them (Python's
 * shutil.copy2, cp --preserve=xattr) would carry the source's owner to a
 * file the copier owns, and a guest that wrote one would choose its files'
 * owners.  getxattr and removexattr of one is ENODATA (there is none),
 * setxattr EPERM, listxattr leaves them out (personality/xattr.c). */
static inline bool pers_xattr_mews(const char *name)
{
	static const char prefix[] = "user.mew.";

	for (size_t i = 0; i < sizeof(prefix) - 1; i++)
		if (name[i] != prefix[i])
			return false;
	return true;
}

/* Everything a file check could refuse is allowed (fs uid 0 with the fs
 * capabilities): callers skip the checks. */
int pers_cred_fs_omnipotent(const struct pers_cred *c);

#endif
