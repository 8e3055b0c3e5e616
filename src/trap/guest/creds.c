#include "guest.h"

/* The fake identity's set*id, with the kernel's rules for uids: an
 * effective uid 0 may take any, others only one of their own (a dropped
 * root stays dropped).  Group ids may always change: capabilities kept
 * over a uid change (PR_SET_KEEPCAPS, as setpriv does) are not followed. */
static int own_id(const uint32_t *ids, uint32_t v)
{
	return v == ids[0] || v == ids[1] || v == ids[2];
}

__attribute__((noinline)) long do_creds(long nr, const long *a)
{
	int gid = 0, priv = cfg.uid[1] == 0;
	uint32_t *ids = cfg.uid, v[3];

	switch (nr) {
	case __NR_getgid:
	case __NR_getegid:
		return cfg.gid[nr == __NR_getgid ? 0 : 1];
	case __NR_getuid:
	case __NR_geteuid:
		return cfg.uid[nr == __NR_getuid ? 0 : 1];
	case __NR_getresgid:
		ids = cfg.gid;
		/* fallthrough */
	case __NR_getresuid:
		for (int i = 0; i < 3; i++)
			if (copy_out((unsigned long)a[i], &ids[i], 4) < 0)
				return -EFAULT;
		return 0;
	case __NR_setgid:
	case __NR_setregid:
	case __NR_setresgid:
	case __NR_setfsgid:
		gid = 1;
		ids = cfg.gid;
		priv = 1;
		break;
	}
	switch (nr) {
	case __NR_setuid:
	case __NR_setgid:
		if (priv) {
			ids[0] = ids[1] = ids[2] = ids[3] = (uint32_t)a[0];
		} else if ((uint32_t)a[0] == ids[0] || (uint32_t)a[0] == ids[2]) {
			ids[1] = ids[3] = (uint32_t)a[0];
		} else {
			return -EPERM;
		}
		return 0;
	case __NR_setreuid:
	case __NR_setregid: {
		uint32_t r = (uint32_t)a[0], e = (uint32_t)a[1];
		if (!priv && ((r != (uint32_t)-1 && r != ids[0] && r != ids[1]) ||
			      (e != (uint32_t)-1 && !own_id(ids, e))))
			return -EPERM;
		v[0] = r != (uint32_t)-1 ? r : ids[0];
		v[1] = e != (uint32_t)-1 ? e : ids[1];
		v[2] = (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != ids[0])) ? v[1] : ids[2];
		break;
	}
	case __NR_setresuid:
	case __NR_setresgid:
		for (int i = 0; i < 3; i++) {
			uint32_t x = (uint32_t)a[i];
			if (x != (uint32_t)-1 && !priv && !own_id(ids, x))
				return -EPERM;
			v[i] = x != (uint32_t)-1 ? x : ids[i];
		}
		break;
	default: { /* setfsuid, setfsgid: the old one, whatever happens */
		uint32_t old = ids[3], x = (uint32_t)a[0];
		if (priv || own_id(ids, x) || x == ids[3])
			ids[3] = x;
		return old;
	}
	}
	ids[0] = v[0];
	ids[1] = v[1];
	ids[2] = v[2];
	ids[3] = v[1];
	(void)gid;
	return 0;
}
