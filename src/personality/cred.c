/* The kernel's credential rules (kernel/sys.c, kernel/groups.c,
 * security/commoncap.c, fs/namei.c, fs/attr.c, kernel/signal.c), written
 * once for every engine and for the in-guest stub: freestanding, see
 * cred.h. */
#include "personality/cred.h"

#include <stddef.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#define NONE PERS_ID_NONE
#define BIT(cap) (1ULL << (cap))
/* What a change of the fs uid to or from 0 takes away or gives back. */
#define CAP_FS_SET                                                                                 \
	(BIT(CAP_CHOWN) | BIT(CAP_MKNOD) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_FOWNER) |     \
	 BIT(CAP_FSETID) | BIT(CAP_LINUX_IMMUTABLE) | BIT(CAP_MAC_OVERRIDE))

#define S_IFMT_ 0170000u
#define S_IFDIR_ 0040000u
#define S_IFREG_ 0100000u
#define S_ISUID_ 04000u
#define S_ISGID_ 02000u
#define S_ISVTX_ 01000u
#define S_IXGRP_ 00010u
#define S_IXUGO_ 00111u

void pers_cred_init(struct pers_cred *c, uint32_t uid, uint32_t gid)
{
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_bnd = PERS_CAP_ALL;
	c->cap_prm = c->cap_eff = uid == 0 ? PERS_CAP_ALL : 0;
	c->cap_inh = 0;
	c->securebits = 0;
	c->no_new_privs = 0;
	c->ngroups = 0;
}

void pers_cred_bound(struct pers_cred *c, uint64_t host_eff)
{
	c->cap_bnd = (PERS_CAP_EMULATED | host_eff) & PERS_CAP_ALL;
	c->cap_prm &= c->cap_bnd;
	c->cap_eff &= c->cap_bnd;
	c->cap_inh &= c->cap_bnd;
}

int pers_cred_capable(const struct pers_cred *c, int cap)
{
	return (c->cap_eff & BIT(cap)) != 0;
}

unsigned long pers_cred_size(const struct pers_cred *c)
{
	return PERS_CRED_HEAD + 4ul * (c->ngroups <= PERS_CRED_NGROUPS ? c->ngroups : 0);
}

void pers_cred_copy(struct pers_cred *dst, const struct pers_cred *src)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;
	unsigned long n = pers_cred_size(src);

	if (dst == src)
		return;
	for (unsigned long i = 0; i < n; i++)
		d[i] = s[i];
}

int pers_cred_valid(const struct pers_cred *c)
{
	return c->ngroups <= PERS_CRED_NGROUPS;
}

/* in_group_p with the given fs gid (the real one for access(2)). */
static int in_group(const struct pers_cred *c, uint32_t fsgid, uint32_t gid)
{
	uint32_t lo = 0, hi = c->ngroups;

	if (gid == fsgid)
		return 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->groups[mid] == gid)
			return 1;
		if (c->groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int pers_cred_in_group(const struct pers_cred *c, uint32_t gid)
{
	return in_group(c, c->fsgid, gid);
}

/* cap_task_fix_setuid for setuid, setreuid and setresuid
 * (cap_emulate_setxuid): leaving uid 0 everywhere drops the capabilities
 * unless KEEP_CAPS; leaving euid 0 drops the effective set; coming back to
 * euid 0 raises it to the permitted one. */
struct olduid {
	uint32_t uid, euid, suid;
};

static struct olduid olduid(const struct pers_cred *c)
{
	return (struct olduid){ c->uid, c->euid, c->suid };
}

static void fix_setuid(struct pers_cred *c, struct olduid old)
{
	if ((old.uid == 0 || old.euid == 0 || old.suid == 0) &&
	    (c->uid != 0 && c->euid != 0 && c->suid != 0) && !(c->securebits & PERS_SECBIT_KEEP_CAPS))
		c->cap_prm = c->cap_eff = 0;
	if (old.euid == 0 && c->euid != 0)
		c->cap_eff = 0;
	if (old.euid != 0 && c->euid == 0)
		c->cap_eff = c->cap_prm;
}

/* The same for a change of the fs uid alone. */
static void fix_setfsuid(struct pers_cred *c, uint32_t old_fsuid)
{
	if (old_fsuid == 0 && c->fsuid != 0)
		c->cap_eff &= ~CAP_FS_SET;
	if (old_fsuid != 0 && c->fsuid == 0)
		c->cap_eff |= c->cap_prm & CAP_FS_SET;
}

/* The four ids of one kind: uid (with CAP_SETUID) or gid (CAP_SETGID). */
struct ids {
	uint32_t *r, *e, *s, *fs;
	int cap;
};

static struct ids uids(struct pers_cred *c)
{
	return (struct ids){ &c->uid, &c->euid, &c->suid, &c->fsuid, CAP_SETUID };
}

static struct ids gids(struct pers_cred *c)
{
	return (struct ids){ &c->gid, &c->egid, &c->sgid, &c->fsgid, CAP_SETGID };
}

static int one_of(const struct ids *i, uint32_t v)
{
	return v == *i->r || v == *i->e || v == *i->s;
}

static int set1(const struct pers_cred *c, struct ids i, uint32_t v)
{
	if (v == NONE)
		return -EINVAL;
	if (pers_cred_capable(c, i.cap))
		*i.r = *i.s = v;
	else if (v != *i.r && v != *i.s)
		return -EPERM;
	*i.e = *i.fs = v;
	return 0;
}

static int setre(const struct pers_cred *c, struct ids i, uint32_t r, uint32_t e)
{
	int cap = pers_cred_capable(c, i.cap);
	uint32_t old_r = *i.r;

	if (r != NONE && r != *i.r && r != *i.e && !cap)
		return -EPERM;
	if (e != NONE && !one_of(&i, e) && !cap)
		return -EPERM;
	if (r != NONE)
		*i.r = r;
	if (e != NONE)
		*i.e = e;
	if (r != NONE || (e != NONE && e != old_r))
		*i.s = *i.e;
	*i.fs = *i.e;
	return 0;
}

static int setres(const struct pers_cred *c, struct ids i, uint32_t r, uint32_t e, uint32_t s)
{
	if ((r == NONE || r == *i.r) && (e == NONE || (e == *i.e && e == *i.fs)) &&
	    (s == NONE || s == *i.s))
		return 0;
	if (((r != NONE && !one_of(&i, r)) || (e != NONE && !one_of(&i, e)) ||
	     (s != NONE && !one_of(&i, s))) &&
	    !pers_cred_capable(c, i.cap))
		return -EPERM;
	if (r != NONE)
		*i.r = r;
	if (e != NONE)
		*i.e = e;
	if (s != NONE)
		*i.s = s;
	*i.fs = *i.e;
	return 0;
}

static uint32_t setfs(const struct pers_cred *c, struct ids i, uint32_t v)
{
	uint32_t old = *i.fs;

	if (v != NONE && (one_of(&i, v) || v == *i.fs || pers_cred_capable(c, i.cap)))
		*i.fs = v;
	return old;
}

int pers_cred_setuid(struct pers_cred *c, uint32_t uid)
{
	struct olduid old = olduid(c);
	int r = set1(c, uids(c), uid);
	if (r == 0)
		fix_setuid(c, old);
	return r;
}

int pers_cred_setreuid(struct pers_cred *c, uint32_t ruid, uint32_t euid)
{
	struct olduid old = olduid(c);
	int r = setre(c, uids(c), ruid, euid);
	if (r == 0)
		fix_setuid(c, old);
	return r;
}

int pers_cred_setresuid(struct pers_cred *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	struct olduid old = olduid(c);
	int r = setres(c, uids(c), ruid, euid, suid);
	if (r == 0)
		fix_setuid(c, old);
	return r;
}

uint32_t pers_cred_setfsuid(struct pers_cred *c, uint32_t uid)
{
	uint32_t old = setfs(c, uids(c), uid);
	fix_setfsuid(c, old);
	return old;
}

int pers_cred_setgid(struct pers_cred *c, uint32_t gid)
{
	return set1(c, gids(c), gid);
}

int pers_cred_setregid(struct pers_cred *c, uint32_t rgid, uint32_t egid)
{
	return setre(c, gids(c), rgid, egid);
}

int pers_cred_setresgid(struct pers_cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	return setres(c, gids(c), rgid, egid, sgid);
}

uint32_t pers_cred_setfsgid(struct pers_cred *c, uint32_t gid)
{
	return setfs(c, gids(c), gid);
}

/* Heapsort (the kernel's sort()): in place, no recursion, no memory. */
static void sift(uint32_t *g, unsigned long i, unsigned long n)
{
	for (;;) {
		unsigned long big = i, l = 2 * i + 1, r = l + 1;
		uint32_t t;
		if (l < n && g[l] > g[big])
			big = l;
		if (r < n && g[r] > g[big])
			big = r;
		if (big == i)
			return;
		t = g[i], g[i] = g[big], g[big] = t;
		i = big;
	}
}

static void sort_groups(uint32_t *g, unsigned long n)
{
	for (unsigned long i = n / 2; i-- > 0;)
		sift(g, i, n);
	for (unsigned long end = n; end-- > 1;) {
		uint32_t t = g[0];
		g[0] = g[end], g[end] = t;
		sift(g, 0, end);
	}
}

int pers_cred_setgroups(struct pers_cred *c, long n, const uint32_t *list)
{
	if (n < 0 || n > PERS_CRED_NGROUPS)
		return -EINVAL;
	if (!pers_cred_capable(c, CAP_SETGID))
		return -EPERM;
	if (list != c->groups)
		for (long i = 0; i < n; i++)
			c->groups[i] = list[i];
	/* sorted, duplicates kept (groups_sort) */
	sort_groups(c->groups, (unsigned long)n);
	c->ngroups = (uint32_t)n;
	return 0;
}

long pers_cred_getgroups(const struct pers_cred *c, long n, uint32_t *list)
{
	if (n < 0)
		return -EINVAL;
	if (n == 0)
		return c->ngroups;
	if (n < (long)c->ngroups)
		return -EINVAL;
	for (uint32_t i = 0; i < c->ngroups; i++)
		list[i] = c->groups[i];
	return c->ngroups;
}

int pers_cred_capset(struct pers_cred *c, uint64_t eff, uint64_t prm, uint64_t inh)
{
	/* cap_capset: no new inheritable beyond permitted without
	 * CAP_SETPCAP, no new permitted, effective within permitted */
	if (!pers_cred_capable(c, CAP_SETPCAP) && (inh & ~(c->cap_inh | c->cap_prm)))
		return -EPERM;
	if (inh & ~(c->cap_inh | c->cap_bnd))
		return -EPERM;
	if (prm & ~c->cap_prm)
		return -EPERM;
	if (eff & ~prm)
		return -EPERM;
	c->cap_eff = eff;
	c->cap_prm = prm;
	c->cap_inh = inh;
	return 0;
}

long pers_cred_prctl(struct pers_cred *c, long option, unsigned long arg, bool more_args)
{
	switch (option) {
	case PR_GET_KEEPCAPS:
		return (c->securebits & PERS_SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (arg > 1)
			return -EINVAL;
		c->securebits = arg ? c->securebits | PERS_SECBIT_KEEP_CAPS
				    : c->securebits & ~PERS_SECBIT_KEEP_CAPS;
		return 0;
	case PR_GET_SECUREBITS:
		return c->securebits;
	case PR_GET_NO_NEW_PRIVS:
		return arg != 0 || more_args ? -EINVAL : (long)c->no_new_privs;
	case PR_SET_NO_NEW_PRIVS:
		/* once set, for good (and inherited over fork and exec) */
		if (arg != 1 || more_args)
			return -EINVAL;
		c->no_new_privs = 1;
		return 0;
	case PR_CAPBSET_READ:
		return arg > 40 ? -EINVAL : (long)((c->cap_bnd >> arg) & 1);
	case PR_CAPBSET_DROP:
		if (!pers_cred_capable(c, CAP_SETPCAP))
			return -EPERM;
		if (arg > 40)
			return -EINVAL;
		c->cap_bnd &= ~BIT(arg);
		return 0;
	case PR_SET_SECUREBITS:
		if (!pers_cred_capable(c, CAP_SETPCAP))
			return -EPERM;
		/* only KEEP_CAPS (and its lock) is followed */
		if (arg & ~0x30ul)
			return -EPERM;
		c->securebits = (uint32_t)arg;
		return 0;
	}
	return PERS_CRED_NOT_MINE;
}

void pers_cred_exec(struct pers_cred *c, uint32_t mode, uint32_t fuid, uint32_t fgid)
{
	/* bprm_fill_uid: the set-id bits, unless no_new_privs */
	if (!c->no_new_privs) {
		if (mode & S_ISUID_)
			c->euid = fuid;
		if ((mode & (S_ISGID_ | S_IXGRP_)) == (S_ISGID_ | S_IXGRP_))
			c->egid = fgid;
	}
	/* cap_bprm_creds_from_file without file capabilities: root's
	 * permitted set is the full one, effective only with euid 0 */
	if (c->uid == 0 || c->euid == 0)
		c->cap_prm = c->cap_bnd;
	else
		c->cap_prm = 0;
	c->cap_eff = c->euid == 0 ? c->cap_prm : 0;
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	c->securebits &= ~PERS_SECBIT_KEEP_CAPS;
}

/* generic_permission for the fs ids and effective capabilities given. */
static int permission(const struct pers_cred *c, uint32_t fsuid, uint32_t fsgid, uint64_t eff,
		      uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	uint32_t m = mode;

	mask &= 7;
	if (uid == fsuid) {
		m >>= 6;
	} else if ((mask & (m ^ (m >> 3))) && in_group(c, fsgid, gid)) {
		m >>= 3;
	}
	if (!(mask & ~m & 7))
		return 0;
	if ((mode & S_IFMT_) == S_IFDIR_) {
		if (!(mask & PERS_MAY_WRITE) && (eff & BIT(CAP_DAC_READ_SEARCH)))
			return 0;
		return (eff & BIT(CAP_DAC_OVERRIDE)) ? 0 : -EACCES;
	}
	if (mask == PERS_MAY_READ && (eff & BIT(CAP_DAC_READ_SEARCH)))
		return 0;
	if ((!(mask & PERS_MAY_EXEC) || (mode & S_IXUGO_)) && (eff & BIT(CAP_DAC_OVERRIDE)))
		return 0;
	return -EACCES;
}

int pers_cred_permission(const struct pers_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
			 int mask)
{
	return permission(c, c->fsuid, c->fsgid, c->cap_eff, mode, uid, gid, mask);
}

int pers_cred_access(const struct pers_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
		     int mask)
{
	/* access_override_creds: the real ids; a real root keeps its
	 * permitted capabilities, others have none */
	return permission(c, c->uid, c->gid, c->uid == 0 ? c->cap_prm : 0, mode, uid, gid, mask);
}

int pers_cred_may_delete(const struct pers_cred *c, uint32_t dmode, uint32_t duid, uint32_t dgid,
			 uint32_t victim_uid)
{
	int r = pers_cred_permission(c, dmode, duid, dgid, PERS_MAY_WRITE | PERS_MAY_EXEC);
	if (r < 0)
		return r;
	if ((dmode & S_ISVTX_) && c->fsuid != victim_uid && c->fsuid != duid &&
	    !pers_cred_capable(c, CAP_FOWNER))
		return -EPERM;
	return 0;
}

/* in_group_or_capable (fs/inode.c): the caller is in group gid, or has
 * CAP_FSETID. */
static int in_group_or_fsetid(const struct pers_cred *c, uint32_t gid)
{
	return pers_cred_in_group(c, gid) || pers_cred_capable(c, CAP_FSETID);
}

/* setattr_should_drop_sgid (fs/attr.c) for an inode of mode and group
 * gid: "We retain backwards compatibility and require setgid bit to be
 * removed unconditionally if S_IXGRP is set. Otherwise we have the exact
 * same requirements as setattr_prepare() and setattr_copy()." */
static int drops_sgid(const struct pers_cred *c, uint32_t mode, uint32_t gid)
{
	return (mode & S_ISGID_) && ((mode & S_IXGRP_) || !in_group_or_fsetid(c, gid));
}

int pers_cred_chown(const struct pers_cred *c, uint32_t fuid, uint32_t fgid, uint32_t uid,
		    uint32_t gid, uint32_t *mode)
{
	int cap = pers_cred_capable(c, CAP_CHOWN);
	uint32_t ngid = gid != NONE ? gid : fgid, m;

	/* chown_ok and chgrp_ok (fs/attr.c) */
	if (uid != NONE && !(c->fsuid == fuid && uid == fuid) && !cap)
		return -EPERM;
	if (gid != NONE && !(c->fsuid == fuid && (gid == fgid || pers_cred_in_group(c, gid))) && !cap)
		return -EPERM;
	if (mode == NULL || (*mode & S_IFMT_) == S_IFDIR_)
		return 0;
	/* chown_common (fs/open.c), for chown(-1, -1) too: "if
	 * (!S_ISDIR(inode->i_mode)) newattrs.ia_valid |= ATTR_KILL_SUID |
	 * ATTR_KILL_PRIV | setattr_should_drop_sgid(idmap, inode);" (the group
	 * it had); notify_change makes a bit so killed an ATTR_MODE change,
	 * which setattr_prepare lets only the owner or CAP_FOWNER make, and
	 * which there and in setattr_copy loses set-group-id unless
	 * in_group_or_capable of the new group. */
	m = *mode & ~S_ISUID_;
	if (drops_sgid(c, *mode, fgid))
		m &= ~S_ISGID_;
	if (m != *mode) {
		if (pers_cred_owner_or_capable(c, fuid) < 0)
			return -EPERM;
		if (!in_group_or_fsetid(c, ngid))
			m &= ~S_ISGID_;
	}
	*mode = m;
	return 0;
}

uint32_t pers_cred_setid_dropped(const struct pers_cred *c, uint32_t mode, uint32_t gid)
{
	/* setattr_should_drop_suidgid (fs/attr.c), which file_remove_privs
	 * (write, fallocate...) and do_truncate ask: "suid always must be
	 * killed", set-group-id as setattr_should_drop_sgid says, and
	 * "if (unlikely(kill && !capable(CAP_FSETID) && S_ISREG(mode)))
	 * return kill;" */
	uint32_t kill = mode & S_ISUID_;

	if (drops_sgid(c, mode, gid))
		kill |= S_ISGID_;
	return (mode & S_IFMT_) == S_IFREG_ && !pers_cred_capable(c, CAP_FSETID) ? kill : 0;
}

int pers_cred_chmod(const struct pers_cred *c, uint32_t fuid, uint32_t fgid, uint32_t *mode)
{
	if (pers_cred_owner_or_capable(c, fuid) < 0)
		return -EPERM;
	if (!pers_cred_in_group(c, fgid) && !pers_cred_capable(c, CAP_FSETID))
		*mode &= ~S_ISGID_;
	return 0;
}

void pers_cred_new_inode(const struct pers_cred *c, uint32_t dmode, uint32_t dgid, uint32_t *mode,
			 uint32_t *uid, uint32_t *gid)
{
	*uid = c->fsuid;
	if (dmode & S_ISGID_) {
		*gid = dgid;
		if ((*mode & S_IFMT_) == S_IFDIR_)
			*mode |= S_ISGID_;
		else if ((*mode & (S_ISGID_ | S_IXGRP_)) == (S_ISGID_ | S_IXGRP_) &&
			 !pers_cred_in_group(c, dgid) && !pers_cred_capable(c, CAP_FSETID))
			*mode &= ~S_ISGID_;
	} else {
		*gid = c->fsgid;
	}
}

int pers_cred_owner_or_capable(const struct pers_cred *c, uint32_t fuid)
{
	return c->fsuid == fuid || pers_cred_capable(c, CAP_FOWNER) ? 0 : -EPERM;
}

int pers_cred_may_signal(const struct pers_cred *c, const struct pers_cred *t)
{
	if (c->euid == t->suid || c->euid == t->uid || c->uid == t->suid || c->uid == t->uid)
		return 0;
	return pers_cred_capable(c, CAP_KILL) ? 0 : -EPERM;
}

int pers_cred_may_sched(const struct pers_cred *c, const struct pers_cred *t)
{
	if (c->euid == t->euid || c->euid == t->uid) /* the kernel's check_same_owner */
		return 0;
	return pers_cred_capable(c, CAP_SYS_NICE) ? 0 : -EPERM;
}

#define CAP_FILES (BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) | BIT(CAP_CHOWN) | BIT(CAP_FSETID))

int pers_cred_fs_omnipotent(const struct pers_cred *c)
{
	return c->fsuid == 0 && (c->cap_eff & CAP_FILES) == CAP_FILES;
}

int pers_cred_access_omnipotent(const struct pers_cred *c)
{
	return c->uid == 0 && (c->cap_prm & CAP_FILES) == CAP_FILES;
}

/* capget/capset's header: versions 1 (32 capabilities) and 2, 3 (64);
 * an unknown one is answered with the preferred version and -EINVAL. */
static int cap_header(const struct pers_cred_io *io, unsigned long hdr, int *words)
{
	uint32_t h[2];
	if (io->in(io->ctx, h, hdr, sizeof(h)) < 0)
		return -EFAULT;
	if (h[0] == _LINUX_CAPABILITY_VERSION_1) {
		*words = 1;
	} else if (h[0] == _LINUX_CAPABILITY_VERSION_2 || h[0] == _LINUX_CAPABILITY_VERSION_3) {
		*words = 2;
	} else {
		h[0] = _LINUX_CAPABILITY_VERSION_3;
		if (io->out(io->ctx, hdr, h, 4) < 0)
			return -EFAULT;
		return -EINVAL;
	}
	/* another process's capabilities are answered as this one's */
	return (int32_t)h[1] < 0 ? -EINVAL : 0;
}

static long get3(const struct pers_cred_io *io, const long *a, const uint32_t *ids)
{
	for (int i = 0; i < 3; i++)
		if (io->out(io->ctx, (unsigned long)a[i], &ids[i], 4) < 0)
			return -EFAULT;
	return 0;
}

/* setgroups from guest memory: the list read whole before anything
 * changes (a fault leaves the groups as they were), in small pieces (the
 * stub answers on the guest's signal stack), then into place. */
static long set_groups(struct pers_cred *c, int n, unsigned long list,
		       const struct pers_cred_io *io)
{
	uint32_t piece[64];

	if (n < 0 || n > PERS_CRED_NGROUPS)
		return -EINVAL;
	if (!pers_cred_capable(c, CAP_SETGID))
		return -EPERM;
	for (unsigned long i = 0; i < (unsigned long)n; i += 64) {
		unsigned long k = (unsigned long)n - i < 64 ? (unsigned long)n - i : 64;
		if (io->in(io->ctx, piece, list + 4 * i, 4 * k) < 0)
			return -EFAULT;
	}
	if (n > 0 && io->in(io->ctx, c->groups, list, 4ul * (unsigned long)n) < 0) {
		c->ngroups = 0; /* the list changed under us: better none than half */
		return -EFAULT;
	}
	return pers_cred_setgroups(c, n, c->groups);
}

long pers_cred_syscall(struct pers_cred *c, enum pers_cred_call call, const long *a,
		       const struct pers_cred_io *io)
{
	uint32_t v[6], x = (uint32_t)a[0], y = (uint32_t)a[1], z = (uint32_t)a[2];
	int words, r;

	switch (call) {
	case PERS_CRED_NONE: return -ENOSYS;
	case PERS_GETUID: return c->uid;
	case PERS_GETEUID: return c->euid;
	case PERS_GETGID: return c->gid;
	case PERS_GETEGID: return c->egid;
	case PERS_GETRESUID: v[0] = c->uid, v[1] = c->euid, v[2] = c->suid; return get3(io, a, v);
	case PERS_GETRESGID: v[0] = c->gid, v[1] = c->egid, v[2] = c->sgid; return get3(io, a, v);
	case PERS_SETUID: return pers_cred_setuid(c, x);
	case PERS_SETGID: return pers_cred_setgid(c, x);
	case PERS_SETREUID: return pers_cred_setreuid(c, x, y);
	case PERS_SETREGID: return pers_cred_setregid(c, x, y);
	case PERS_SETRESUID: return pers_cred_setresuid(c, x, y, z);
	case PERS_SETRESGID: return pers_cred_setresgid(c, x, y, z);
	case PERS_SETFSUID: return pers_cred_setfsuid(c, x);
	case PERS_SETFSGID: return pers_cred_setfsgid(c, x);
	case PERS_GETGROUPS: {
		int n = (int)a[0];
		if (n < 0)
			return -EINVAL;
		if (n == 0)
			return c->ngroups;
		if (n < (int)c->ngroups)
			return -EINVAL;
		if (c->ngroups > 0 &&
		    io->out(io->ctx, (unsigned long)a[1], c->groups, 4ul * c->ngroups) < 0)
			return -EFAULT;
		return c->ngroups;
	}
	case PERS_SETGROUPS:
		return set_groups(c, (int)a[0], (unsigned long)a[1], io);
	case PERS_CAPGET:
		r = cap_header(io, (unsigned long)a[0], &words);
		if (a[1] == 0)
			return r == -EINVAL ? 0 : r;
		if (r < 0)
			return r;
		for (int i = 0; i < words; i++) {
			v[3 * i] = (uint32_t)(c->cap_eff >> (32 * i));
			v[3 * i + 1] = (uint32_t)(c->cap_prm >> (32 * i));
			v[3 * i + 2] = (uint32_t)(c->cap_inh >> (32 * i));
		}
		return io->out(io->ctx, (unsigned long)a[1], v, 12 * (unsigned long)words) < 0 ? -EFAULT : 0;
	case PERS_CAPSET:
		if ((r = cap_header(io, (unsigned long)a[0], &words)) < 0)
			return r;
		v[3] = v[4] = v[5] = 0;
		if (io->in(io->ctx, v, (unsigned long)a[1], 12 * (unsigned long)words) < 0)
			return -EFAULT;
		return pers_cred_capset(c, v[0] | (uint64_t)v[3] << 32, v[1] | (uint64_t)v[4] << 32,
					v[2] | (uint64_t)v[5] << 32);
	case PERS_PRCTL:
		return pers_cred_prctl(c, a[0], (unsigned long)a[1], (a[2] | a[3] | a[4]) != 0);
	}
	return -ENOSYS;
}

int pers_cred_new_ns(const struct pers_cred *c, uint64_t flags, bool for_clone)
{
	uint64_t refused = CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWUSER;

	_Static_assert(PERS_NS_MADE == (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET), "PERS_NS_MADE");
	/* CLONE_NEWTIME is 0x80, inside clone's exit signal byte */
	uint64_t unshares = CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |
			    refused | PERS_NS_MADE | 0x80;

	/* the kernel's first check of unshare's flags */
	if (!for_clone && (flags & ~unshares))
		return -EINVAL;
	if (!for_clone)
		refused |= 0x80;
	if (!(flags & (refused | PERS_NS_MADE)))
		return 0;
	if ((flags & refused) || !pers_cred_capable(c, CAP_SYS_ADMIN))
		return -EPERM;
	return 1;
}
