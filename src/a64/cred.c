/* The guest's credentials with the personality's fake root: set*id calls
 * change what get*id answer (real, effective, saved; groups), with the
 * kernel's rules for who may change what, without touching the host's
 * identity.  So a program that drops privileges (apt's methods, daemons)
 * sees them dropped, and cannot regain them. */
#include <errno.h>
#include <stdint.h>

#include "a64/a64.h"
#include "a64/sysnr.h"

#define NOCHANGE 0xffffffffu

static struct {
	int init;
	uint32_t uid[3], gid[3]; /* real, effective, saved */
	uint32_t groups[64];
	int ngroups;
} cred;

static void cred_init(void)
{
	if (cred.init)
		return;
	for (int k = 0; k < 3; k++) {
		cred.uid[k] = a64_proc.pers.uid;
		cred.gid[k] = a64_proc.pers.gid;
	}
	cred.groups[0] = a64_proc.pers.gid;
	cred.ngroups = 1;
	cred.init = 1;
}

/* setres[ug]id: unprivileged callers may only pick values they already have. */
static long set3(uint32_t *ids, uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t want[3] = { r, e, s };
	if (cred.uid[1] != 0)
		for (int k = 0; k < 3; k++)
			if (want[k] != NOCHANGE && want[k] != ids[0] && want[k] != ids[1] && want[k] != ids[2])
				return -EPERM;
	for (int k = 0; k < 3; k++)
		if (want[k] != NOCHANGE)
			ids[k] = want[k];
	return 0;
}

/* set[ug]id: privileged sets all three, otherwise only the effective one. */
static long set1(uint32_t *ids, uint32_t v)
{
	if (cred.uid[1] == 0)
		return set3(ids, v, v, v);
	if (v != ids[0] && v != ids[2])
		return -EPERM;
	ids[1] = v;
	return 0;
}

long a64_cred_syscall(struct a64_cpu *c, uint64_t nr)
{
	cred_init();
	uint32_t a0 = c->x[0], a1 = c->x[1], a2 = c->x[2];
	switch (nr) {
	case A64_NR_getuid: return cred.uid[0];
	case A64_NR_geteuid: return cred.uid[1];
	case A64_NR_getgid: return cred.gid[0];
	case A64_NR_getegid: return cred.gid[1];
	case A64_NR_getresuid:
	case A64_NR_getresgid:
		for (int k = 0; k < 3; k++)
			*(uint32_t *)(uintptr_t)c->x[k] = nr == A64_NR_getresuid ? cred.uid[k] : cred.gid[k];
		return 0;
	case A64_NR_setuid: return set1(cred.uid, a0);
	case A64_NR_setgid: return set1(cred.gid, a0);
	case A64_NR_setreuid: {
		/* the saved id follows the effective one when the real one is set */
		uint32_t s = (a0 != NOCHANGE || (a1 != NOCHANGE && a1 != cred.uid[0])) && a1 != NOCHANGE ? a1 : NOCHANGE;
		return set3(cred.uid, a0, a1, s);
	}
	case A64_NR_setregid: {
		uint32_t s = (a0 != NOCHANGE || (a1 != NOCHANGE && a1 != cred.gid[0])) && a1 != NOCHANGE ? a1 : NOCHANGE;
		return set3(cred.gid, a0, a1, s);
	}
	case A64_NR_setresuid: return set3(cred.uid, a0, a1, a2);
	case A64_NR_setresgid: return set3(cred.gid, a0, a1, a2);
	case A64_NR_setfsuid: return cred.uid[1];
	case A64_NR_setfsgid: return cred.gid[1];
	case A64_NR_setgroups: {
		if (cred.uid[1] != 0)
			return -EPERM;
		if (c->x[0] > 64)
			return -EINVAL;
		for (uint64_t k = 0; k < c->x[0]; k++)
			cred.groups[k] = ((uint32_t *)(uintptr_t)c->x[1])[k];
		cred.ngroups = c->x[0];
		return 0;
	}
	case A64_NR_getgroups:
		if (c->x[0] == 0)
			return cred.ngroups;
		if (c->x[0] < (uint64_t)cred.ngroups)
			return -EINVAL;
		for (int k = 0; k < cred.ngroups; k++)
			((uint32_t *)(uintptr_t)c->x[1])[k] = cred.groups[k];
		return cred.ngroups;
	}
	return -ENOSYS;
}

uint32_t a64_cred_euid(void)
{
	cred_init();
	return cred.uid[1];
}

uint32_t a64_cred_egid(void)
{
	cred_init();
	return cred.gid[1];
}
