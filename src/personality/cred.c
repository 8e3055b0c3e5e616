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
	c->depth = 0;
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
	return c->ngroups <= PERS_CRED_NGROUPS && c->depth <= PERS_USERNS_MAX;
}

/* One extent: id in the namespace's terms from the parent's (up), or
 * back (down); NONE where it does not map. */
static uint32_t map_up(const struct pers_idmap *m, uint32_t id)
{
	return m->count != 0 && id - m->lower < m->count ? m->first + (id - m->lower) : NONE;
}

static uint32_t map_down(const struct pers_idmap *m, uint32_t id)
{
	return m->count != 0 && id - m->first < m->count ? m->lower + (id - m->first) : NONE;
}

static const struct pers_idmap *idmap(const struct pers_cred *c, uint32_t level, bool gid)
{
	return gid ? &c->userns[level].gid : &c->userns[level].uid;
}

/* id of the run seen from namespace level `to` (0: the run's own). */
static uint32_t up_to(const struct pers_cred *c, uint32_t to, bool gid, uint32_t id)
{
	for (uint32_t l = 0; l < to && id != NONE; l++)
		id = map_up(idmap(c, l, gid), id);
	return id;
}

/* id of namespace level `from` as the run's id. */
static uint32_t down_from(const struct pers_cred *c, uint32_t from, bool gid, uint32_t id)
{
	for (uint32_t l = from; l-- > 0 && id != NONE;)
		id = map_down(idmap(c, l, gid), id);
	return id;
}

uint32_t pers_cred_to_ns(const struct pers_cred *c, bool gid, uint32_t id)
{
	uint32_t v = up_to(c, c->depth, gid, id);
	return v == NONE ? PERS_OVERFLOW_ID : v;
}

uint32_t pers_cred_from_ns(const struct pers_cred *c, bool gid, uint32_t id)
{
	return id == NONE ? NONE : down_from(c, c->depth, gid, id);
}

/* The namespace's root (its uid 0) as a run uid: what "root" means to the
 * capability rules of set*id and exec there (NONE: not mapped). */
static uint32_t root_uid(const struct pers_cred *c)
{
	return pers_cred_from_ns(c, false, 0);
}

/* capable_wrt_inode_uidgid: the capability, over an inode whose owner
 * (and group, where the rule has it: NONE otherwise) the process's
 * namespace maps. */
static int cap_inode(const struct pers_cred *c, uint64_t eff, int cap, uint32_t uid, uint32_t gid)
{
	if (!(eff & BIT(cap)))
		return 0;
	return c->depth == 0 || (up_to(c, c->depth, false, uid) != NONE &&
				 (gid == NONE || up_to(c, c->depth, true, gid) != NONE));
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
	uint32_t root = root_uid(c);

	if ((old.uid == root || old.euid == root || old.suid == root) &&
	    (c->uid != root && c->euid != root && c->suid != root) && !(c->securebits & PERS_SECBIT_KEEP_CAPS))
		c->cap_prm = c->cap_eff = 0;
	if (old.euid == root && c->euid != root)
		c->cap_eff = 0;
	if (old.euid != root && c->euid == root)
		c->cap_eff = c->cap_prm;
}

/* The same for a change of the fs uid alone. */
static void fix_setfsuid(struct pers_cred *c, uint32_t old_fsuid)
{
	uint32_t root = root_uid(c);

	if (old_fsuid == root && c->fsuid != root)
		c->cap_eff &= ~CAP_FS_SET;
	if (old_fsuid != root && c->fsuid == root)
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
	uint32_t root = root_uid(c);

	/* bprm_fill_uid: the set-id bits, unless no_new_privs, and only of
	 * an owner the process's namespace maps */
	if (!c->no_new_privs) {
		if ((mode & S_ISUID_) && up_to(c, c->depth, false, fuid) != NONE)
			c->euid = fuid;
		if ((mode & (S_ISGID_ | S_IXGRP_)) == (S_ISGID_ | S_IXGRP_) && up_to(c, c->depth, true, fgid) != NONE)
			c->egid = fgid;
	}
	/* cap_bprm_creds_from_file without file capabilities: the
	 * namespace's root's permitted set is the full one, effective only
	 * with its euid */
	if (c->uid == root || c->euid == root)
		c->cap_prm = c->cap_bnd;
	else
		c->cap_prm = 0;
	c->cap_eff = c->euid == root ? c->cap_prm : 0;
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
		if (!(mask & PERS_MAY_WRITE) && cap_inode(c, eff, CAP_DAC_READ_SEARCH, uid, gid))
			return 0;
		return cap_inode(c, eff, CAP_DAC_OVERRIDE, uid, gid) ? 0 : -EACCES;
	}
	if (mask == PERS_MAY_READ && cap_inode(c, eff, CAP_DAC_READ_SEARCH, uid, gid))
		return 0;
	if ((!(mask & PERS_MAY_EXEC) || (mode & S_IXUGO_)) && cap_inode(c, eff, CAP_DAC_OVERRIDE, uid, gid))
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
	return permission(c, c->uid, c->gid, c->uid == root_uid(c) ? c->cap_prm : 0, mode, uid, gid, mask);
}

int pers_cred_may_delete(const struct pers_cred *c, uint32_t dmode, uint32_t duid, uint32_t dgid,
			 uint32_t victim_uid)
{
	int r = pers_cred_permission(c, dmode, duid, dgid, PERS_MAY_WRITE | PERS_MAY_EXEC);
	if (r < 0)
		return r;
	if ((dmode & S_ISVTX_) && c->fsuid != victim_uid && c->fsuid != duid &&
	    !cap_inode(c, c->cap_eff, CAP_FOWNER, victim_uid, NONE))
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
	int cap = cap_inode(c, c->cap_eff, CAP_CHOWN, fuid, fgid);
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
	return c->fsuid == fuid || cap_inode(c, c->cap_eff, CAP_FOWNER, fuid, NONE) ? 0 : -EPERM;
}

/* ns_capable(t's namespace, cap) for c (cap_capable): t's namespace is
 * c's or below it; c holds cap, or owns the namespace right below its
 * own on t's way. */
static int ns_capable_over(const struct pers_cred *c, const struct pers_cred *t, int cap)
{
	if (t->depth < c->depth || t->depth > PERS_USERNS_MAX)
		return 0;
	for (uint32_t l = 0; l < c->depth; l++)
		if (t->userns[l].id != c->userns[l].id)
			return 0;
	if (t->depth > c->depth && t->userns[c->depth].owner == c->euid)
		return 1;
	return pers_cred_capable(c, cap);
}

int pers_cred_may_signal(const struct pers_cred *c, const struct pers_cred *t)
{
	if (c->euid == t->suid || c->euid == t->uid || c->uid == t->suid || c->uid == t->uid)
		return 0;
	return ns_capable_over(c, t, CAP_KILL) ? 0 : -EPERM;
}

int pers_cred_may_sched(const struct pers_cred *c, const struct pers_cred *t)
{
	if (c->euid == t->euid || c->euid == t->uid) /* the kernel's check_same_owner */
		return 0;
	return ns_capable_over(c, t, CAP_SYS_NICE) ? 0 : -EPERM;
}

#define CAP_FILES (BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) | BIT(CAP_CHOWN) | BIT(CAP_FSETID))

/* (in a user namespace of its own, the capabilities count only over what
 * it maps: every check is made) */
int pers_cred_fs_omnipotent(const struct pers_cred *c)
{
	return c->depth == 0 && c->fsuid == 0 && (c->cap_eff & CAP_FILES) == CAP_FILES;
}

int pers_cred_access_omnipotent(const struct pers_cred *c)
{
	return c->depth == 0 && c->uid == 0 && (c->cap_prm & CAP_FILES) == CAP_FILES;
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

static long cred_syscall(struct pers_cred *c, enum pers_cred_call call, const long *a,
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

/* The ids a process in a user namespace gives, as the run's (EINVAL for
 * one its namespace does not map, as make_kuid's invalid id); those it is
 * given, as its namespace sees them. */
static int ids_in(const struct pers_cred *c, bool gid, const long *a, int n, long *out)
{
	for (int i = 0; i < n; i++) {
		uint32_t v = pers_cred_from_ns(c, gid, (uint32_t)a[i]);
		if (v == NONE && (uint32_t)a[i] != NONE)
			return -EINVAL;
		out[i] = (long)v;
	}
	return 0;
}

/* getgroups, setgroups in a user namespace: each group mapped;
 * setgroups also needs the namespace's gid map written and setgroups not
 * denied (userns_may_setgroups). */
static long groups_ns(struct pers_cred *c, bool set, const long *a, const struct pers_cred_io *io)
{
	const struct pers_userns *ns = &c->userns[c->depth - 1];
	uint32_t g;
	long n = (int)a[0];

	if (!set) {
		if (n != 0 && n >= (long)c->ngroups)
			for (uint32_t i = 0; i < c->ngroups; i++) {
				g = pers_cred_to_ns(c, true, c->groups[i]);
				if (io->out(io->ctx, (unsigned long)a[1] + 4ul * i, &g, 4) < 0)
					return -EFAULT;
			}
		return n < 0 || (n != 0 && n < (long)c->ngroups) ? -EINVAL : (long)c->ngroups;
	}
	if (n < 0 || n > PERS_CRED_NGROUPS)
		return -EINVAL;
	if (!pers_cred_capable(c, CAP_SETGID) || ns->gid.count == 0 || (ns->flags & PERS_USERNS_SETGROUPS_DENIED))
		return -EPERM;
	/* the one gid a namespace may map when it denies nothing: at most
	 * that group (map_write lets a writer with CAP_SETGID in the parent
	 * write more; mew answers only the namespace's own process) */
	if (n > 1)
		return -EINVAL;
	if (n == 1) {
		if (io->in(io->ctx, &g, (unsigned long)a[1], 4) < 0)
			return -EFAULT;
		if ((g = pers_cred_from_ns(c, true, g)) == NONE)
			return -EINVAL;
	}
	return pers_cred_setgroups(c, n, &g);
}

long pers_cred_syscall(struct pers_cred *c, enum pers_cred_call call, const long *a,
		       const struct pers_cred_io *io)
{
	long b[3] = { 0 }, r;
	uint32_t v[3];
	int n;
	bool gid;

	if (c->depth == 0)
		return cred_syscall(c, call, a, io);
	gid = call == PERS_GETGID || call == PERS_GETEGID || call == PERS_GETRESGID || call == PERS_SETGID ||
	      call == PERS_SETREGID || call == PERS_SETRESGID || call == PERS_SETFSGID;
	switch (call) {
	case PERS_GETUID: case PERS_GETEUID: case PERS_GETGID: case PERS_GETEGID:
		return pers_cred_to_ns(c, gid, (uint32_t)cred_syscall(c, call, a, io));
	case PERS_GETRESUID:
	case PERS_GETRESGID:
		v[0] = pers_cred_to_ns(c, gid, gid ? c->gid : c->uid);
		v[1] = pers_cred_to_ns(c, gid, gid ? c->egid : c->euid);
		v[2] = pers_cred_to_ns(c, gid, gid ? c->sgid : c->suid);
		return get3(io, a, v);
	case PERS_SETUID: case PERS_SETGID: case PERS_SETREUID: case PERS_SETREGID:
	case PERS_SETRESUID: case PERS_SETRESGID:
		/* setuid takes one id, setreuid two, setresuid three */
		n = call == PERS_SETUID || call == PERS_SETGID ? 1 : call == PERS_SETREUID || call == PERS_SETREGID ? 2 : 3;
		if ((r = ids_in(c, gid, a, n, b)) < 0)
			return r;
		return cred_syscall(c, call, b, io);
	case PERS_SETFSUID:
	case PERS_SETFSGID:
		/* an unmapped id changes nothing; the old one is answered */
		b[0] = (long)pers_cred_from_ns(c, gid, (uint32_t)a[0]);
		return pers_cred_to_ns(c, gid, (uint32_t)cred_syscall(c, call, b, io));
	case PERS_GETGROUPS:
	case PERS_SETGROUPS:
		return groups_ns(c, call == PERS_SETGROUPS, a, io);
	default:
		return cred_syscall(c, call, a, io);
	}
}

int pers_cred_new_ns(const struct pers_cred *c, uint64_t flags, bool for_clone)
{
	uint64_t refused = CLONE_NEWPID | CLONE_NEWCGROUP;

	_Static_assert(PERS_NS_MADE == (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET), "PERS_NS_MADE");
	/* CLONE_NEWTIME is 0x80, inside clone's exit signal byte */
	uint64_t unshares = CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUSER |
			    refused | PERS_NS_MADE | 0x80;

	/* the kernel's first check of unshare's flags */
	if (!for_clone && (flags & ~unshares))
		return -EINVAL;
	if (!for_clone)
		refused |= 0x80;
	if (!(flags & (refused | PERS_NS_MADE | CLONE_NEWUSER)))
		return 0;
	if (flags & refused)
		return -EPERM;
	/* a user namespace needs no capability, and the others are made
	 * with the capabilities the process has in it (unshare_userns comes
	 * first) */
	if (flags & CLONE_NEWUSER)
		return 1;
	return pers_cred_capable(c, CAP_SYS_ADMIN) ? 1 : -EPERM;
}

int pers_cred_userns_enter(struct pers_cred *c, uint64_t id, bool chrooted)
{
	struct pers_userns *ns;

	/* create_user_ns: the nesting limit, a chrooted process, then ids
	 * the parent namespace must map */
	if (c->depth >= PERS_USERNS_MAX)
		return -EUSERS;
	if (chrooted)
		return -EPERM;
	if (up_to(c, c->depth, false, c->euid) == NONE || up_to(c, c->depth, true, c->egid) == NONE)
		return -EPERM;
	ns = &c->userns[c->depth];
	ns->id = id;
	ns->owner = c->euid;
	ns->group = c->egid;
	/* a child of a namespace that denies setgroups denies it too */
	ns->flags = c->depth > 0 ? c->userns[c->depth - 1].flags & PERS_USERNS_SETGROUPS_DENIED : 0;
	ns->uid = ns->gid = (struct pers_idmap){ 0, 0, 0 };
	c->depth++;
	/* set_cred_user_ns */
	c->cap_prm = c->cap_eff = c->cap_bnd = PERS_CAP_ALL;
	c->cap_inh = 0;
	c->securebits = 0;
	return 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

/* simple_strtoul, base 10: the number at p (0 with no digit) */
static const char *number(const char *p, const char *end, uint32_t *v)
{
	uint64_t n = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		n = n * 10 + (uint64_t)(*p++ - '0');
		if (n > 0xffffffffu)
			n = 0xffffffffu;
	}
	*v = (uint32_t)n;
	return p;
}

static int overlaps(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

/* map_write's parse of "first lower count" lines (the kernel takes 340):
 * the first extent in *m, the count of lines in *lines.  0 or -EINVAL. */
static int parse_map(const char *text, long n, struct pers_idmap *m, int *lines)
{
	const char *p = text, *end = text + n, *eol;
	struct pers_idmap e[8], x;
	int k = 0;

	while (p < end) {
		for (eol = p; eol < end && *eol != '\n'; eol++)
			;
		p = number(skip_spaces(p, eol), eol, &x.first);
		if (p == eol || !is_space(*p))
			return -EINVAL;
		p = number(skip_spaces(p, eol), eol, &x.lower);
		if (p == eol || !is_space(*p))
			return -EINVAL;
		p = number(skip_spaces(p, eol), eol, &x.count);
		if (skip_spaces(p, eol) != eol)
			return -EINVAL;
		/* valid starting values, no wrap, no overlap */
		if (x.first == NONE || x.lower == NONE || x.count == 0 || (uint32_t)(x.first + x.count) <= x.first ||
		    (uint32_t)(x.lower + x.count) <= x.lower || k >= 340)
			return -EINVAL;
		for (int j = 0; j < k && j < 8; j++)
			if (overlaps(e[j].first, e[j].count, x.first, x.count) ||
			    overlaps(e[j].lower, e[j].count, x.lower, x.count))
				return -EINVAL;
		e[k < 8 ? k : 7] = x;
		k++;
		p = eol + 1;
	}
	if (k == 0)
		return -EINVAL;
	*m = e[0];
	*lines = k;
	return 0;
}

int pers_cred_userns_open(const struct pers_cred *c, enum pers_userns_file f, bool write)
{
	/* proc_setgroups_open: writing needs CAP_SYS_ADMIN in the namespace */
	if (write && f == PERS_SETGROUPS_FILE && !pers_cred_capable(c, CAP_SYS_ADMIN))
		return -EACCES;
	return 0;
}

long pers_cred_userns_write(struct pers_cred *c, enum pers_userns_file f, const char *text, long n, long pos)
{
	struct pers_userns *ns;
	struct pers_idmap m, *dst;
	bool gid = f == PERS_GID_MAP;
	const char *p, *end = text + n;
	int lines, r;

	if (c->depth == 0)
		return -EPERM; /* the run's own: written (by mew), as the initial one is */
	ns = &c->userns[c->depth - 1];
	if (f == PERS_SETGROUPS_FILE) {
		/* proc_setgroups_write */
		bool allow;
		if (pos != 0 || n >= 8)
			return -EINVAL;
		if (n >= 5 && text[0] == 'a' && text[1] == 'l' && text[2] == 'l' && text[3] == 'o' && text[4] == 'w')
			allow = true, p = text + 5;
		else if (n >= 4 && text[0] == 'd' && text[1] == 'e' && text[2] == 'n' && text[3] == 'y')
			allow = false, p = text + 4;
		else
			return -EINVAL;
		if (skip_spaces(p, end) != end)
			return -EINVAL;
		if (allow && (ns->flags & PERS_USERNS_SETGROUPS_DENIED))
			return -EPERM;
		if (!allow) {
			if (ns->gid.count != 0)
				return -EPERM;
			ns->flags |= PERS_USERNS_SETGROUPS_DENIED;
		}
		return n;
	}
	/* map_write: the position and size, a map written once, the
	 * writer's CAP_SYS_ADMIN in the namespace, the text, then
	 * new_idmap_permitted */
	if (pos != 0 || n >= 4096)
		return -EINVAL;
	dst = gid ? &ns->gid : &ns->uid;
	if (dst->count != 0 || !pers_cred_capable(c, CAP_SYS_ADMIN))
		return -EPERM;
	if ((r = parse_map(text, n, &m, &lines)) < 0)
		return r;
	/* the writer is in the namespace: it has no capability in the
	 * parent, so only the one line of its own effective id, in a
	 * namespace it owns (for a gid, once setgroups is denied) */
	if (lines != 1 || m.count != 1 || ns->owner != c->euid ||
	    down_from(c, c->depth - 1, gid, m.lower) != (gid ? c->egid : c->euid) ||
	    (gid && !(ns->flags & PERS_USERNS_SETGROUPS_DENIED)))
		return -EPERM;
	*dst = m;
	return n;
}

static char *put_u32(char *p, uint32_t v, int width)
{
	char d[10];
	int k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (; width > k; width--)
		*p++ = ' ';
	while (k > 0)
		*p++ = d[--k];
	return p;
}

long pers_cred_userns_show(const struct pers_cred *c, enum pers_userns_file f, char *out, long size)
{
	char buf[48], *p = buf;
	const struct pers_idmap *m;
	struct pers_idmap all = { 0, 0, NONE };
	long n;

	if (f == PERS_SETGROUPS_FILE) {
		bool deny = c->depth > 0 && (c->userns[c->depth - 1].flags & PERS_USERNS_SETGROUPS_DENIED);
		const char *t = deny ? "deny\n" : "allow\n";
		for (n = 0; t[n] != '\0'; n++)
			buf[n] = t[n];
		p = buf + n;
	} else {
		m = c->depth == 0 ? &all : idmap(c, c->depth - 1, f == PERS_GID_MAP);
		/* "%10u %10u %10u\n" per extent (an unwritten map: nothing) */
		if (m->count != 0) {
			p = put_u32(p, m->first, 10);
			*p++ = ' ';
			p = put_u32(p, m->lower, 10);
			*p++ = ' ';
			p = put_u32(p, m->count, 10);
			*p++ = '\n';
		}
	}
	n = p - buf;
	for (long i = 0; i < n && i < size; i++)
		out[i] = buf[i];
	return n;
}
