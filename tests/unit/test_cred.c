/* The credential model against the kernel's rules: hand-written cases from
 * the man pages and LTP, and, where this runs as root, random sequences of
 * set*id, setgroups, capset, prctl and exec played both on the model and
 * on a real forked root process, then permission checks against files of
 * random modes and owners, compared call by call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "personality/cred.h"
#include "personality/pers.h"

#define NONE PERS_ID_NONE

static void root_drops_for_good(void **state)
{
	struct pers_cred c;
	pers_cred_init(&c, 0, 0);
	assert_true(pers_cred_fs_omnipotent(&c));
	assert_int_equal(pers_cred_setuid(&c, 65534), 0);
	assert_int_equal(c.uid, 65534);
	assert_int_equal(c.euid, 65534);
	assert_int_equal(c.suid, 65534);
	assert_int_equal(c.fsuid, 65534);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(c.cap_prm, 0);
	assert_int_equal(pers_cred_setuid(&c, 0), -EPERM);
	assert_int_equal(pers_cred_setresuid(&c, NONE, 0, NONE), -EPERM);
	assert_int_equal(pers_cred_setgroups(&c, 0, NULL), -EPERM);
	assert_int_equal(pers_cred_setgid(&c, 5), -EPERM);
	assert_false(pers_cred_fs_omnipotent(&c));
	assert_int_equal(pers_cred_setuid(&c, NONE), -EINVAL);
}

static void effective_drop_comes_back(void **state)
{
	struct pers_cred c;
	pers_cred_init(&c, 0, 0);
	/* seteuid(1000): the saved uid stays 0, so root may come back */
	assert_int_equal(pers_cred_setreuid(&c, NONE, 1000), 0);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.euid, 1000);
	assert_int_equal(c.suid, 1000); /* euid != ruid: saved follows */
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_cred_setresuid(&c, NONE, 1000, NONE), 0);
	assert_int_equal(c.suid, 0);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(c.cap_prm, PERS_CAP_ALL);
	assert_int_equal(pers_cred_setgroups(&c, 0, NULL), -EPERM);
	assert_int_equal(pers_cred_setresuid(&c, NONE, 0, NONE), 0);
	assert_int_equal(c.cap_eff, PERS_CAP_ALL);
}

/* A root claims only what the personality emulates and the host process
 * can do (LTP lowers its oom_score_adj when it believes it has
 * CAP_SYS_RESOURCE): the bounding set, kept across exec, read and dropped
 * with prctl. */
static void root_bounded_by_the_host(void **state)
{
	struct pers_cred c;
	uint64_t host = 1ULL << CAP_NET_RAW;

	pers_cred_init(&c, 0, 0);
	pers_cred_bound(&c, host);
	assert_int_equal(c.cap_eff, PERS_CAP_EMULATED | host);
	assert_int_equal(c.cap_prm, PERS_CAP_EMULATED | host);
	assert_true(pers_cred_capable(&c, CAP_SETUID));
	assert_true(pers_cred_capable(&c, CAP_DAC_OVERRIDE));
	assert_true(pers_cred_capable(&c, CAP_NET_RAW));
	assert_false(pers_cred_capable(&c, CAP_SYS_RESOURCE));
	assert_int_equal(pers_cred_prctl(&c, PR_CAPBSET_READ, CAP_SYS_RESOURCE, false), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_CAPBSET_READ, CAP_CHOWN, false), 1);
	assert_int_equal(pers_cred_prctl(&c, PR_CAPBSET_READ, 41, false), -EINVAL);
	assert_int_equal(pers_cred_capset(&c, 0, PERS_CAP_ALL, 0), -EPERM);
	assert_int_equal(pers_cred_capset(&c, c.cap_eff, c.cap_prm, 1ULL << CAP_SYS_RESOURCE), -EPERM);
	pers_cred_exec(&c, 0100755, 0, 0);
	assert_int_equal(c.cap_prm, PERS_CAP_EMULATED | host);
	assert_int_equal(pers_cred_prctl(&c, PR_CAPBSET_DROP, CAP_NET_RAW, false), 0);
	pers_cred_exec(&c, 0100755, 0, 0);
	assert_false(pers_cred_capable(&c, CAP_NET_RAW));
	assert_int_equal(pers_cred_setresuid(&c, 1, 1, 1), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_CAPBSET_DROP, CAP_CHOWN, false), -EPERM);
}

static void keepcaps_and_capset_as_setpriv(void **state)
{
	struct pers_cred c;
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_cred_prctl(&c, PR_SET_KEEPCAPS, 1, false), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_KEEPCAPS, 0, false), 1);
	assert_int_equal(pers_cred_setresuid(&c, 65534, 65534, 65534), 0);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(c.cap_prm, PERS_CAP_ALL);
	assert_int_equal(pers_cred_capset(&c, PERS_CAP_ALL, PERS_CAP_ALL, 0), 0);
	assert_int_equal(pers_cred_setresgid(&c, 65534, 65534, 65534), 0);
	assert_int_equal(pers_cred_setgroups(&c, 0, NULL), 0);
	pers_cred_exec(&c, 0100755, 0, 0);
	assert_int_equal(c.cap_prm, 0);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_KEEPCAPS, 0, false), 0);
	assert_int_equal(pers_cred_capset(&c, 1, 1, 0), -EPERM);
	assert_int_equal(pers_cred_prctl(&c, PR_SET_NAME, 0, false), PERS_CRED_NOT_MINE);
}

/* New namespaces (pers_cred_new_ns): network, UTS, IPC and mount ones for a
 * holder of CAP_SYS_ADMIN, which a fake root has in every engine
 * (PERS_CAP_EMULATED: the engines that make none refuse them first); the
 * other kinds never; no namespace, nothing to say. */
static void new_namespaces(void **state)
{
	struct pers_cred c;

	pers_cred_init(&c, 1000, 1000);
	pers_cred_bound(&c, 0);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNET, false), -EPERM);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_FILES, false), 0);
	/* unshare's unknown flags first (LTP's unshare02) */
	assert_int_equal(pers_cred_new_ns(&c, -1, false), -EINVAL);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_PTRACE, false), -EINVAL);
	pers_cred_init(&c, 0, 0);
	pers_cred_bound(&c, 0);
	assert_true(pers_cred_capable(&c, CAP_SYS_ADMIN));
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNET, false), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_FILES, false), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNET | SIGCHLD, true), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_VM | CLONE_THREAD | SIGCHLD, true), 0);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNS, false), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNET | CLONE_NEWPID, false), -EPERM);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWUSER, false), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWCGROUP, true), -EPERM);
	/* CLONE_NEWTIME is 0x80: unshare's, but inside clone's exit signal byte */
	assert_int_equal(pers_cred_new_ns(&c, 0x80, false), -EPERM);
	assert_int_equal(pers_cred_new_ns(&c, 0x80 | CLONE_NEWNET, true), 1);
	/* a root that dropped to nobody has no capability left, but may
	 * make a user namespace, and the others with it */
	assert_int_equal(pers_cred_setuid(&c, 65534), 0);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWNET, false), -EPERM);
	assert_int_equal(pers_cred_new_ns(&c, SIGCHLD, true), 0);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWUSER | CLONE_NEWNET, false), 1);
	assert_int_equal(pers_cred_new_ns(&c, CLONE_NEWUSER | SIGCHLD, true), 1);
}

static long write_str(struct pers_cred *c, enum pers_userns_file f, const char *t)
{
	return pers_cred_userns_write(c, f, t, (long)strlen(t), 0);
}

/* The guest's own user namespace (pers_cred_userns_enter): nothing
 * mapped until the process writes its maps, which only the one line of
 * its own ids may fill (setgroups denied first for the gid), once; the
 * full capability set inside, over what it maps only; ids seen through
 * the maps. */
static void own_user_namespace(void **state)
{
	static struct pers_cred c, t;
	char out[64];
	long a[3] = { 0 };

	pers_cred_init(&c, 1000, 1000);
	pers_cred_bound(&c, 0);
	assert_int_equal(pers_cred_userns_write(&c, PERS_UID_MAP, "0 0 1", 5, 0), -EPERM);
	assert_int_equal(pers_cred_userns_enter(&c, 1, true), -EPERM); /* chrooted */
	assert_int_equal(pers_cred_userns_enter(&c, 1, false), 0);
	assert_int_equal(c.depth, 1);
	assert_true(pers_cred_capable(&c, CAP_SYS_ADMIN));
	assert_int_equal(c.cap_eff, PERS_CAP_ALL);
	assert_int_equal(pers_cred_syscall(&c, PERS_GETUID, a, NULL), PERS_OVERFLOW_ID);
	assert_int_equal(pers_cred_syscall(&c, PERS_GETEGID, a, NULL), PERS_OVERFLOW_ID);
	assert_int_equal(pers_cred_userns_show(&c, PERS_UID_MAP, out, sizeof(out)), 0);
	/* a nested one needs the ids mapped */
	assert_int_equal(pers_cred_userns_enter(&c, 2, false), -EPERM);
	/* the kernel's parse and rules, in its order */
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000"), -EINVAL);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 0"), -EINVAL);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 1 x"), -EINVAL);
	assert_int_equal(pers_cred_userns_write(&c, PERS_UID_MAP, "0 1000 1", 8, 1), -EINVAL);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 0 1\n"), -EPERM);	 /* the host's root */
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 2\n"), -EPERM); /* more than its own */
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 1\n1 1001 1\n"), -EPERM);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 1\n1 1000 1\n"), -EINVAL); /* overlap */
	assert_int_equal(write_str(&c, PERS_GID_MAP, "0 1000 1\n"), -EPERM); /* setgroups allowed */
	assert_int_equal(write_str(&c, PERS_SETGROUPS_FILE, "maybe"), -EINVAL);
	assert_int_equal(write_str(&c, PERS_SETGROUPS_FILE, "deny\n"), 5);
	assert_int_equal(write_str(&c, PERS_SETGROUPS_FILE, "allow"), -EPERM);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 1\n"), 9);
	assert_int_equal(write_str(&c, PERS_UID_MAP, "0 1000 1\n"), -EPERM); /* once */
	assert_int_equal(write_str(&c, PERS_GID_MAP, "  5\t1000 1"), 10);
	assert_int_equal(pers_cred_userns_show(&c, PERS_UID_MAP, out, sizeof(out)), 33);
	assert_memory_equal(out, "         0       1000          1\n", 33);
	assert_int_equal(pers_cred_userns_show(&c, PERS_SETGROUPS_FILE, out, sizeof(out)), 5);
	assert_int_equal(pers_cred_syscall(&c, PERS_GETUID, a, NULL), 0);
	assert_int_equal(pers_cred_syscall(&c, PERS_GETGID, a, NULL), 5);
	assert_int_equal(pers_cred_to_ns(&c, false, 0), PERS_OVERFLOW_ID);
	assert_int_equal(pers_cred_from_ns(&c, true, 5), 1000);
	assert_int_equal(pers_cred_from_ns(&c, true, 0), PERS_ID_NONE);
	/* set*id: only what the namespace maps (EINVAL); setuid reads one
	 * argument, whatever the others hold */
	a[1] = a[2] = 77;
	a[0] = 1;
	assert_int_equal(pers_cred_syscall(&c, PERS_SETUID, a, NULL), -EINVAL);
	a[0] = 0;
	assert_int_equal(pers_cred_syscall(&c, PERS_SETUID, a, NULL), 0);
	/* setgroups is denied */
	a[0] = 0;
	assert_int_equal(pers_cred_syscall(&c, PERS_SETGROUPS, a, NULL), -EPERM);
	/* the capabilities count over what it maps */
	assert_int_equal(pers_cred_permission(&c, 0100000, 1000, 1000, PERS_MAY_READ | PERS_MAY_WRITE), 0);
	assert_int_equal(pers_cred_permission(&c, 0100600, 0, 0, PERS_MAY_READ), -EACCES);
	assert_int_equal(pers_cred_permission(&c, 0100644, 0, 0, PERS_MAY_READ), 0);
	assert_int_equal(pers_cred_owner_or_capable(&c, 0), -EPERM);
	assert_int_equal(pers_cred_chown(&c, 0, 0, 1000, PERS_ID_NONE, NULL), -EPERM);
	assert_false(pers_cred_fs_omnipotent(&c));
	/* exec: its uid is the namespace's root, which keeps them */
	pers_cred_exec(&c, 0100755, 0, 0);
	assert_int_equal(c.cap_eff, PERS_CAP_ALL);
	pers_cred_exec(&c, 0104755, 0, 0); /* set-user-id of an unmapped owner: ignored */
	assert_int_equal(c.euid, 1000);
	/* signals: not over a process outside it, of another user */
	pers_cred_init(&t, 0, 0);
	assert_int_equal(pers_cred_may_signal(&c, &t), -EPERM);
	pers_cred_copy(&t, &c);
	t.uid = t.euid = t.suid = 1001;
	assert_int_equal(pers_cred_may_signal(&c, &t), 0);
	t.userns[0].id = 9; /* another namespace of the same depth */
	assert_int_equal(pers_cred_may_signal(&c, &t), -EPERM);
	/* nested, up to the model's limit */
	for (int i = 1; i < PERS_USERNS_MAX; i++) {
		assert_int_equal(pers_cred_userns_enter(&c, 10 + (uint64_t)i, false), 0);
		assert_int_equal(write_str(&c, PERS_UID_MAP, "0 0 1"), 5);
		assert_int_equal(write_str(&c, PERS_SETGROUPS_FILE, "deny"), 4);
		assert_int_equal(write_str(&c, PERS_GID_MAP, i == 1 ? "0 5 1" : "0 0 1"), 5);
	}
	assert_int_equal(pers_cred_userns_enter(&c, 99, false), -EUSERS);
	assert_int_equal(pers_cred_from_ns(&c, false, 0), 1000);
	assert_int_equal(pers_cred_from_ns(&c, true, 0), 1000);
}

static void groups_sorted_and_sized(void **state)
{
	struct pers_cred c;
	uint32_t in[3] = { 5, 3, 5 }, out[4];
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_cred_getgroups(&c, 0, NULL), 0);
	assert_int_equal(pers_cred_setgroups(&c, 3, in), 0);
	assert_int_equal(pers_cred_getgroups(&c, 0, NULL), 3);
	assert_int_equal(pers_cred_getgroups(&c, 2, out), -EINVAL);
	assert_int_equal(pers_cred_getgroups(&c, -1, out), -EINVAL);
	assert_int_equal(pers_cred_getgroups(&c, 4, out), 3);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 5);
	assert_int_equal(out[2], 5);
	assert_int_equal(pers_cred_setgroups(&c, PERS_CRED_NGROUPS + 1, in), -EINVAL);
	assert_true(pers_cred_in_group(&c, 3));
	assert_false(pers_cred_in_group(&c, 4));
}

static void setfsuid_returns_the_old_one(void **state)
{
	struct pers_cred c;
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_cred_setfsuid(&c, 1000), 0);
	assert_int_equal(c.fsuid, 1000);
	assert_false(pers_cred_capable(&c, CAP_DAC_OVERRIDE));
	assert_true(pers_cred_capable(&c, CAP_KILL));
	assert_int_equal(pers_cred_setfsuid(&c, 0), 1000);
	assert_true(pers_cred_capable(&c, CAP_DAC_OVERRIDE));
	pers_cred_init(&c, 1000, 1000);
	assert_int_equal(pers_cred_setfsuid(&c, 0), 1000);
	assert_int_equal(c.fsuid, 1000); /* refused, silently */
	assert_int_equal(pers_cred_setfsgid(&c, 7), 1000);
	assert_int_equal(c.fsgid, 1000);
}

static void files_as_nobody(void **state)
{
	struct pers_cred c;
	uint32_t mode;
	pers_cred_init(&c, 65534, 65534);
	/* access01, access04: root's files */
	assert_int_equal(pers_cred_permission(&c, 0100644, 0, 0, PERS_MAY_WRITE), -EACCES);
	assert_int_equal(pers_cred_permission(&c, 0100644, 0, 0, PERS_MAY_READ), 0);
	assert_int_equal(pers_cred_permission(&c, 0100600, 0, 0, PERS_MAY_READ), -EACCES);
	assert_int_equal(pers_cred_permission(&c, 0100640, 0, 65534, PERS_MAY_READ), 0);
	assert_int_equal(pers_cred_permission(&c, 0100064, 65534, 0, PERS_MAY_READ), -EACCES);
	/* mkdir04, creat04: a directory of root's */
	assert_int_equal(pers_cred_permission(&c, 040755, 0, 0, PERS_MAY_WRITE | PERS_MAY_EXEC), -EACCES);
	assert_int_equal(pers_cred_may_delete(&c, 040755, 0, 0, 65534), -EACCES);
	/* /tmp: sticky */
	assert_int_equal(pers_cred_may_delete(&c, 041777, 0, 0, 0), -EPERM);
	assert_int_equal(pers_cred_may_delete(&c, 041777, 0, 0, 65534), 0);
	/* chown04, fchown04, lchown02 */
	mode = 0100644;
	assert_int_equal(pers_cred_chown(&c, 0, 0, 65534, NONE, &mode), -EPERM);
	assert_int_equal(pers_cred_chown(&c, 65534, 65534, NONE, 0, &mode), -EPERM);
	assert_int_equal(pers_cred_chown(&c, 65534, 65534, 65534, 65534, &mode), 0);
	assert_int_equal(pers_cred_chmod(&c, 0, 0, &mode), -EPERM);
	/* chmod05: the owner not in the file's group loses set-group-id */
	mode = 02755;
	assert_int_equal(pers_cred_chmod(&c, 65534, 0, &mode), 0);
	assert_int_equal(mode, 0755);
	/* kill05 */
	struct pers_cred root;
	pers_cred_init(&root, 0, 0);
	assert_int_equal(pers_cred_may_signal(&c, &root), -EPERM);
	assert_int_equal(pers_cred_may_signal(&root, &c), 0);
	/* sched_setparam05: nobody may not change root's scheduling; root
	 * with CAP_SYS_NICE may change anyone's, without it only its own */
	assert_int_equal(pers_cred_may_sched(&c, &root), -EPERM);
	assert_int_equal(pers_cred_may_sched(&c, &c), 0);
	assert_int_equal(pers_cred_may_sched(&root, &c), 0);
	pers_cred_bound(&root, ~(1ULL << CAP_SYS_NICE));
	assert_int_equal(pers_cred_may_sched(&root, &c), -EPERM);
	assert_int_equal(pers_cred_may_sched(&root, &root), 0);
}

static void root_and_set_group_id(void **state)
{
	struct pers_cred c;
	uint32_t mode, uid, gid;
	pers_cred_init(&c, 0, 0);
	/* read/write always, execute only with some x bit */
	assert_int_equal(pers_cred_permission(&c, 0100000, 5, 5, PERS_MAY_READ | PERS_MAY_WRITE), 0);
	assert_int_equal(pers_cred_permission(&c, 0100644, 5, 5, PERS_MAY_EXEC), -EACCES);
	assert_int_equal(pers_cred_permission(&c, 0100001, 5, 5, PERS_MAY_EXEC), 0);
	assert_int_equal(pers_cred_permission(&c, 040000, 5, 5, PERS_MAY_EXEC), 0);
	/* chown02: root's chown clears set-user-id, and set-group-id with group x */
	mode = 0106755;
	assert_int_equal(pers_cred_chown(&c, 0, 0, 1, 1, &mode), 0);
	assert_int_equal(mode, 0100755);
	mode = 0102745;
	assert_int_equal(pers_cred_chown(&c, 0, 0, 1, 1, &mode), 0);
	assert_int_equal(mode, 0102745);
	mode = 046755;
	assert_int_equal(pers_cred_chown(&c, 0, 0, 1, 1, &mode), 0);
	assert_int_equal(mode, 046755);
	/* chown(-1, -1) drops them too (chown_common) */
	mode = 0106755;
	assert_int_equal(pers_cred_chown(&c, 0, 0, PERS_ID_NONE, PERS_ID_NONE, &mode), 0);
	assert_int_equal(mode, 0100755);
	/* a write by root (CAP_FSETID) drops nothing */
	assert_int_equal(pers_cred_setid_dropped(&c, 0106755, 0), 0);
	/* mkdir02, creat08, open10: a set-group-id directory */
	mode = 040755;
	pers_cred_new_inode(&c, 042775, 50, &mode, &uid, &gid);
	assert_int_equal(gid, 50);
	assert_int_equal(mode, 042755);
	assert_int_equal(uid, 0);
	mode = 0102755;
	pers_cred_new_inode(&c, 040775, 50, &mode, &uid, &gid);
	assert_int_equal(gid, 0);
	assert_int_equal(mode, 0102755);
	pers_cred_init(&c, 1000, 1000);
	mode = 0102755;
	pers_cred_new_inode(&c, 042777, 50, &mode, &uid, &gid);
	assert_int_equal(mode, 0100755);
	assert_int_equal(gid, 50);
	assert_int_equal(uid, 1000);
	/* a write without CAP_FSETID (setattr_should_drop_suidgid):
	 * set-user-id always, set-group-id with group execute or outside
	 * the writer's groups; nothing on a directory */
	assert_int_equal(pers_cred_setid_dropped(&c, 0106755, 1000), 06000);
	assert_int_equal(pers_cred_setid_dropped(&c, 0102745, 1000), 0);
	assert_int_equal(pers_cred_setid_dropped(&c, 0102745, 50), 02000);
	assert_int_equal(pers_cred_setid_dropped(&c, 0101777, 50), 0);
	assert_int_equal(pers_cred_setid_dropped(&c, 046755, 50), 0);
}

/* This process's memory; below 4096 it faults, as the kernel says EFAULT. */
static int mem_in(void *ctx, void *dst, unsigned long src, unsigned long n)
{
	if (src < 4096)
		return -EFAULT;
	memcpy(dst, (const void *)src, n);
	return 0;
}

static int mem_out(void *ctx, unsigned long dst, const void *src, unsigned long n)
{
	memcpy((void *)dst, src, n);
	return 0;
}

static void calls_and_copies(void **state)
{
	struct pers_cred c, d;
	struct pers_cred_io io = { mem_in, mem_out, NULL };
	uint32_t r[3], g[2] = { 20, 10 }, out[2];
	struct __user_cap_header_struct h = { 0, 0 };
	struct __user_cap_data_struct cd[2];
	pers_cred_init(&c, 0, 0);
	/* which call is which: the call table's rows (call.h) */
	assert_int_equal(pers_call(&pers_abi_x86_64, SYS_setresuid)->kind, PK_CRED);
	assert_int_equal(pers_call(&pers_abi_x86_64, SYS_setresuid)->cred, PERS_SETRESUID);
	assert_null(pers_call(&pers_abi_x86_64, SYS_read));
	long a[6] = { 2, (long)g };
	assert_int_equal(pers_cred_syscall(&c, PERS_SETGROUPS, a, &io), 0);
	long b[6] = { 2, (long)out };
	assert_int_equal(pers_cred_syscall(&c, PERS_GETGROUPS, b, &io), 2);
	assert_int_equal(out[0], 10);
	long s[6] = { 5, 6, 7 };
	assert_int_equal(pers_cred_syscall(&c, PERS_SETRESUID, s, &io), 0);
	long q[6] = { (long)&r[0], (long)&r[1], (long)&r[2] };
	assert_int_equal(pers_cred_syscall(&c, PERS_GETRESUID, q, &io), 0);
	assert_int_equal(r[2], 7);
	/* capget: an unknown version asks for v3 */
	long cg[6] = { (long)&h, 0 };
	assert_int_equal(pers_cred_syscall(&c, PERS_CAPGET, cg, &io), 0);
	assert_int_equal(h.version, _LINUX_CAPABILITY_VERSION_3);
	cg[1] = (long)cd;
	assert_int_equal(pers_cred_syscall(&c, PERS_CAPGET, cg, &io), 0);
	assert_int_equal(cd[0].effective, 0); /* dropped by the setresuid */
	/* only the part in use is copied */
	assert_int_equal(pers_cred_size(&c), PERS_CRED_HEAD + 8);
	memset(&d, 0x5a, sizeof(d));
	pers_cred_copy(&d, &c);
	assert_memory_equal(&c, &d, pers_cred_size(&c));
	assert_int_equal(d.groups[2], 0x5a5a5a5a);
	assert_true(pers_cred_valid(&d));
	d.ngroups = PERS_CRED_NGROUPS + 1;
	assert_false(pers_cred_valid(&d));
}

/* The kernel's NGROUPS_MAX: 65536 groups held, sorted and searched;
 * one more is EINVAL; a fault while reading the list changes nothing. */
static void groups_up_to_the_kernels_limit(void **state)
{
	static struct pers_cred c;
	struct pers_cred_io io = { mem_in, mem_out, NULL };
	uint32_t *g = malloc(4ul * (PERS_CRED_NGROUPS + 1)), *out = malloc(4ul * PERS_CRED_NGROUPS);
	assert_non_null(g);
	assert_non_null(out);
	for (uint32_t i = 0; i <= PERS_CRED_NGROUPS; i++)
		g[i] = (i * 2654435761u) % 1000003u; /* scattered, not sorted */
	pers_cred_init(&c, 0, 0);
	long a[6] = { PERS_CRED_NGROUPS + 1, (long)g };
	assert_int_equal(pers_cred_syscall(&c, PERS_SETGROUPS, a, &io), -EINVAL);
	a[0] = PERS_CRED_NGROUPS;
	assert_int_equal(pers_cred_syscall(&c, PERS_SETGROUPS, a, &io), 0);
	assert_int_equal(c.ngroups, PERS_CRED_NGROUPS);
	for (uint32_t i = 1; i < c.ngroups; i++)
		assert_true(c.groups[i - 1] <= c.groups[i]);
	for (uint32_t i = 0; i < PERS_CRED_NGROUPS; i += 97)
		assert_true(pers_cred_in_group(&c, g[i]));
	assert_false(pers_cred_in_group(&c, g[PERS_CRED_NGROUPS]) &&
		     g[PERS_CRED_NGROUPS] != g[0]); /* (the one left out, unless a repeat) */
	long b[6] = { PERS_CRED_NGROUPS, (long)out };
	assert_int_equal(pers_cred_syscall(&c, PERS_GETGROUPS, b, &io), PERS_CRED_NGROUPS);
	assert_memory_equal(out, c.groups, 4ul * PERS_CRED_NGROUPS);
	/* a list that faults half-way: nothing changes */
	long f[6] = { 10, 0 };
	assert_int_equal(pers_cred_syscall(&c, PERS_SETGROUPS, f, &io), -EFAULT);
	assert_int_equal(c.ngroups, PERS_CRED_NGROUPS);
	assert_int_equal(pers_cred_size(&c), PERS_CRED_HEAD + 4ul * PERS_CRED_NGROUPS);
	free(g);
	free(out);
}

/* exec of a set-id program (bprm_fill_uid): a set-user-id root file gives
 * a nobody euid 0 and the capabilities; set-group-id needs group execute;
 * no_new_privs (the guest's own) ignores both. */
static void exec_of_set_id_programs(void **state)
{
	struct pers_cred c;
	pers_cred_init(&c, 65534, 65534);
	pers_cred_exec(&c, 0104755, 0, 0);
	assert_int_equal(c.uid, 65534);
	assert_int_equal(c.euid, 0);
	assert_int_equal(c.suid, 0);
	assert_int_equal(c.fsuid, 0);
	assert_int_equal(c.cap_prm, PERS_CAP_ALL);
	assert_int_equal(c.cap_eff, PERS_CAP_ALL);
	assert_int_equal(c.egid, 65534);
	/* a set-user-id root program may become root for good (sudo) */
	assert_int_equal(pers_cred_setuid(&c, 0), 0);
	assert_int_equal(c.uid, 0);
	/* set-group-id: with group execute only (else mandatory locking) */
	pers_cred_init(&c, 1000, 1000);
	pers_cred_exec(&c, 0102745, 0, 42);
	assert_int_equal(c.egid, 1000);
	pers_cred_exec(&c, 0102755, 7, 42);
	assert_int_equal(c.egid, 42);
	assert_int_equal(c.sgid, 42);
	assert_int_equal(c.euid, 1000);
	assert_int_equal(c.cap_prm, 0);
	/* no_new_privs: the bits are ignored, for good */
	pers_cred_init(&c, 65534, 65534);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_NO_NEW_PRIVS, 0, false), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_SET_NO_NEW_PRIVS, 0, false), -EINVAL);
	/* an unused argument set is EINVAL, for both (LTP's prctl02) */
	assert_int_equal(pers_cred_prctl(&c, PR_SET_NO_NEW_PRIVS, 1, true), -EINVAL);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_NO_NEW_PRIVS, 0, true), -EINVAL);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_NO_NEW_PRIVS, 0, false), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_SET_NO_NEW_PRIVS, 1, false), 0);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_NO_NEW_PRIVS, 0, false), 1);
	pers_cred_exec(&c, 0106755, 0, 0);
	assert_int_equal(c.euid, 65534);
	assert_int_equal(c.egid, 65534);
	assert_int_equal(c.cap_prm, 0);
	assert_int_equal(pers_cred_prctl(&c, PR_GET_NO_NEW_PRIVS, 0, false), 1);
}

/* owner.c and perm.c: what an unprivileged mew records and shows. */
static void owners_recorded_and_checked(void **state)
{
	char dir[] = "/tmp/mew-owner-XXXXXX", f[64], sub[64], v[32];
	struct pers p;
	struct pers_cred c;
	struct stat st;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0); /* the guest's `/`: mkdtemp made it 0700 */
	assert_int_equal(pers_init(&p, dir, NULL), 0);
	/* as if mew ran as this uid:gid, which owns the files */
	p.host_uid = geteuid() == 0 ? 4242 : geteuid();
	p.host_gid = getegid() == 0 ? 4242 : getegid();
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	close(open(f, O_CREAT | O_WRONLY, 0644));
	mkdir(sub, 0755);
	if (geteuid() == 0) {
		assert_int_equal(chown(f, 4242, 4242), 0);
		assert_int_equal(chown(sub, 4242, 4242), 0);
	}
	/* the caller's files are root's */
	assert_int_equal(pers_owner_stat(&p, f, true, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	if (setxattr(f, "user.mew.test", "1", 1, 0) < 0) {
		pers_free(&p);
		skip(); /* no user attributes on this filesystem */
	}
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_chown(&p, &c, f, true, 1000, 50), 0);
	assert_int_equal(pers_owner_stat(&p, f, true, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 50);
	assert_true(getxattr(f, PERS_OWNER_XATTR, v, sizeof(v)) > 0);
	/* back to the default: no record left */
	assert_int_equal(pers_chown(&p, &c, f, true, 0, 0), 0);
	assert_true(getxattr(f, PERS_OWNER_XATTR, v, sizeof(v)) < 0);
	/* nobody may not write root's file, nor create in root's directory */
	pers_cred_init(&c, 65534, 65534);
	assert_int_equal(pers_check_open(&p, &c, f, O_WRONLY), -EACCES);
	assert_int_equal(pers_check_open(&p, &c, f, O_RDONLY), 0);
	char n[80];
	snprintf(n, sizeof(n), "%s/new", sub);
	assert_int_equal(pers_check_create(&p, &c, n), -EACCES);
	assert_int_equal(pers_check_delete(&p, &c, f), -EACCES);
	assert_int_equal(pers_chown(&p, &c, f, true, 65534, -1), -EPERM);
	assert_int_equal(pers_chmod(&p, &c, f, true, 0777), -EPERM);
	/* search permission on every directory of the walk, not only the
	 * parent: sub/closed is 0700 root's, sub/closed/open/g is open */
	char cl[80], op[96], g[112], n2[112];
	snprintf(cl, sizeof(cl), "%s/closed", sub);
	snprintf(op, sizeof(op), "%s/open", cl);
	snprintf(g, sizeof(g), "%s/g", op);
	assert_int_equal(mkdir(cl, 0700), 0);
	assert_int_equal(mkdir(op, 0777), 0);
	assert_int_equal(chmod(op, 0777), 0);
	close(open(g, O_CREAT | O_WRONLY, 0666));
	assert_int_equal(chmod(g, 0666), 0);
	assert_int_equal(pers_check_open(&p, &c, g, O_RDWR), -EACCES);
	assert_int_equal(pers_check_access(&p, &c, g, true, 4, false), -EACCES);
	assert_int_equal(pers_check_write(&p, &c, g, true), -EACCES);
	assert_int_equal(pers_check_delete(&p, &c, g), -EACCES);
	assert_int_equal(pers_check_lookup(&p, &c, g), -EACCES);
	assert_int_equal(pers_check_lookup(&p, &c, op), -EACCES);
	assert_int_equal(pers_check_lookup(&p, &c, cl), 0); /* its own mode is not a search */
	snprintf(n2, sizeof(n2), "%s/new", op);
	assert_int_equal(pers_check_create(&p, &c, n2), -EACCES);
	assert_int_equal(chmod(cl, 0701), 0); /* others may search: then all is open */
	assert_int_equal(pers_check_open(&p, &c, g, O_RDWR), 0);
	assert_int_equal(pers_check_lookup(&p, &c, g), 0);
	assert_int_equal(pers_check_create(&p, &c, n2), 0);
	/* a set-group-id directory of group 60 gives its group to new files */
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_chown(&p, &c, sub, true, 0, 60), 0);
	assert_int_equal(pers_chmod(&p, &c, sub, true, 02775), 0);
	close(open(n, O_CREAT | O_WRONLY, 0644));
	if (geteuid() == 0)
		assert_int_equal(chown(n, 4242, 4242), 0);
	assert_int_equal(pers_owner_created(&p, &c, n), 0);
	assert_int_equal(pers_owner_stat(&p, n, true, &st), 0);
	assert_int_equal(st.st_gid, 60);
	pers_free(&p);
	char cmd[80];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* The differential test: the model and a real root child, step by step. */
struct real {
	uint32_t r[3], g[3], fsuid, fsgid;
	uint64_t eff, prm, inh;
	int ngroups;
	uint32_t groups[PERS_CRED_NGROUPS];
	int keep;
};

static void read_real(struct real *x)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	syscall(SYS_getresuid, &x->r[0], &x->r[1], &x->r[2]);
	syscall(SYS_getresgid, &x->g[0], &x->g[1], &x->g[2]);
	x->fsuid = (uint32_t)syscall(SYS_setfsuid, -1);
	x->fsgid = (uint32_t)syscall(SYS_setfsgid, -1);
	syscall(SYS_capget, &h, d);
	x->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	x->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	x->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	x->ngroups = (int)syscall(SYS_getgroups, PERS_CRED_NGROUPS, x->groups);
	x->keep = prctl(PR_GET_KEEPCAPS);
}

static int same(const struct pers_cred *c, const struct real *x, char *why, size_t len)
{
	uint64_t all = PERS_CAP_ALL;
	if (c->uid != x->r[0] || c->euid != x->r[1] || c->suid != x->r[2] || c->fsuid != x->fsuid ||
	    c->gid != x->g[0] || c->egid != x->g[1] || c->sgid != x->g[2] || c->fsgid != x->fsgid) {
		snprintf(why, len, "ids: model %u %u %u %u / %u %u %u %u, kernel %u %u %u %u / %u %u %u %u",
			 c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid, x->r[0],
			 x->r[1], x->r[2], x->fsuid, x->g[0], x->g[1], x->g[2], x->fsgid);
		return 0;
	}
	if (c->cap_eff != (x->eff & all) || c->cap_prm != (x->prm & all)) {
		snprintf(why, len, "caps: model eff %llx prm %llx, kernel eff %llx prm %llx",
			 (unsigned long long)c->cap_eff, (unsigned long long)c->cap_prm,
			 (unsigned long long)x->eff, (unsigned long long)x->prm);
		return 0;
	}
	if ((int)c->ngroups != x->ngroups || memcmp(c->groups, x->groups, 4 * c->ngroups) != 0) {
		snprintf(why, len, "groups: model %u, kernel %d", c->ngroups, x->ngroups);
		return 0;
	}
	if (((c->securebits & PERS_SECBIT_KEEP_CAPS) != 0) != x->keep) {
		snprintf(why, len, "keepcaps");
		return 0;
	}
	return 1;
}

static const uint32_t pool[] = { 0, 0, 1000, 1001, 65534, NONE };
static uint32_t pick(unsigned *seed)
{
	return pool[rand_r(seed) % (sizeof(pool) / sizeof(pool[0]))];
}

/* One random step on both; returns 0 when they agree. */
static int step(struct pers_cred *c, unsigned *seed, char *why, size_t len)
{
	int op = rand_r(seed) % 12;
	uint32_t a = pick(seed), b = pick(seed), d = pick(seed);
	long want, got;
	const char *name;

	errno = 0;
	switch (op) {
	case 0: name = "setuid"; got = pers_cred_setuid(c, a); want = syscall(SYS_setuid, a); break;
	case 1: name = "setgid"; got = pers_cred_setgid(c, a); want = syscall(SYS_setgid, a); break;
	case 2: name = "setreuid"; got = pers_cred_setreuid(c, a, b); want = syscall(SYS_setreuid, a, b); break;
	case 3: name = "setregid"; got = pers_cred_setregid(c, a, b); want = syscall(SYS_setregid, a, b); break;
	case 4: name = "setresuid"; got = pers_cred_setresuid(c, a, b, d); want = syscall(SYS_setresuid, a, b, d); break;
	case 5: name = "setresgid"; got = pers_cred_setresgid(c, a, b, d); want = syscall(SYS_setresgid, a, b, d); break;
	case 6: name = "setfsuid"; got = pers_cred_setfsuid(c, a); want = syscall(SYS_setfsuid, a); break;
	case 7: name = "setfsgid"; got = pers_cred_setfsgid(c, a); want = syscall(SYS_setfsgid, a); break;
	case 8: {
		uint32_t g[3] = { b == NONE ? 7 : b, d == NONE ? 9 : d, 4 };
		int n = rand_r(seed) % 4;
		name = "setgroups";
		got = pers_cred_setgroups(c, n, g);
		want = syscall(SYS_setgroups, n, g);
		break;
	}
	case 9: {
		int k = rand_r(seed) % 2;
		name = "prctl keepcaps";
		got = pers_cred_prctl(c, PR_SET_KEEPCAPS, k, false);
		want = prctl(PR_SET_KEEPCAPS, k, 0, 0, 0);
		break;
	}
	case 10: {
		/* drop or raise effective within permitted; or try to regain */
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct x[2];
		uint64_t eff = rand_r(seed) % 2 ? c->cap_prm : 0, prm = c->cap_prm;
		if (rand_r(seed) % 4 == 0)
			prm = PERS_CAP_ALL, eff = PERS_CAP_ALL;
		x[0] = (struct __user_cap_data_struct){ (uint32_t)eff, (uint32_t)prm, 0 };
		x[1] = (struct __user_cap_data_struct){ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), 0 };
		name = "capset";
		got = pers_cred_capset(c, eff, prm, 0);
		want = syscall(SYS_capget, &h, NULL) == 0 ? syscall(SYS_capset, &h, x) : -1;
		break;
	}
	default:
		return 0;
	}
	if (want < 0)
		want = -errno;
	if (op == 6 || op == 7) /* setfs*id: the old one, as unsigned */
		want = (uint32_t)want;
	if (got != want) {
		snprintf(why, len, "%s(%d, %d, %d): model %ld, kernel %ld", name, (int)a, (int)b, (int)d,
			 got, want);
		return 1;
	}
	return 0;
}

static void set_ids_match_the_kernel(void **state)
{
	if (geteuid() != 0)
		skip();
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[512] = "", log[4096] = "";
		close(fd[0]);
		/* each run starts as a fresh root; runs are cheap: forks */
		for (unsigned run = 0; run < 300 && !why[0]; run++) {
			pid_t k;
			int pfd[2];
			if (pipe(pfd) < 0)
				_exit(2);
			k = fork();
			if (k == 0) {
				struct pers_cred c;
				struct real x;
				unsigned seed = run * 7919 + 1;
				char w[512] = "", trail[2048] = "";
				uint32_t none[1];
				close(pfd[0]);
				syscall(SYS_setgroups, 0, none);
				pers_cred_init(&c, 0, 0);
				read_real(&x);
				c.cap_prm = x.prm & PERS_CAP_ALL; /* the bounding set */
				c.cap_eff = x.eff & PERS_CAP_ALL;
				for (int s = 0; s < 24 && !w[0]; s++) {
					unsigned before = seed;
					if (step(&c, &seed, w, sizeof(w)) == 0) {
						read_real(&x);
						same(&c, &x, w, sizeof(w));
					}
					snprintf(trail + strlen(trail), sizeof(trail) - strlen(trail), "%u ", before);
				}
				if (w[0])
					dprintf(pfd[1], "run %u: %s (after seeds %s)", run, w, trail);
				_exit(0);
			}
			close(pfd[1]);
			ssize_t n = read(pfd[0], why, sizeof(why) - 1);
			why[n > 0 ? n : 0] = 0;
			close(pfd[0]);
			waitpid(k, NULL, 0);
		}
		snprintf(log, sizeof(log), "%s", why);
		if (write(fd[1], log, strlen(log)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	char buf[4096] = "";
	ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	if (buf[0])
		fail_msg("%s", buf);
}

/* Permission checks: files of every mode bit pattern and owner, checked
 * as nobody with groups, as root with fs uid 1000, and as root. */
static void permissions_match_the_kernel(void **state)
{
	if (geteuid() != 0)
		skip();
	char dir[] = "/tmp/mew-cred-XXXXXX";
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	const uint32_t owners[][2] = { { 0, 0 }, { 1000, 1000 }, { 1000, 7 }, { 5, 1000 } };
	static const uint32_t modes[] = { 0, 0400, 0200, 0100, 0040, 0020, 0010, 0004, 0002, 0001,
					  0644, 0600, 0755, 0700, 0070, 0007, 0460, 0046, 0711, 0333 };
	char path[256];
	int n = 0;
	for (size_t o = 0; o < 4; o++)
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			for (int isdir = 0; isdir < 2; isdir++) {
				snprintf(path, sizeof(path), "%s/%d", dir, n++);
				if (isdir)
					assert_int_equal(mkdir(path, 0), 0);
				else
					close(open(path, O_CREAT | O_WRONLY, 0));
				assert_int_equal(chown(path, owners[o][0], owners[o][1]), 0);
				assert_int_equal(chmod(path, modes[m]), 0);
			}
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char why[512] = "";
		uint32_t groups[2] = { 7, 3 };
		for (int who = 0; who < 3 && !why[0]; who++) {
			struct pers_cred c;
			pid_t k = fork();
			if (k != 0) {
				waitpid(k, NULL, 0);
				continue;
			}
			pers_cred_init(&c, 0, 0);
			syscall(SYS_setgroups, 2, groups);
			pers_cred_setgroups(&c, 2, groups);
			if (who == 0) {
				syscall(SYS_setresgid, 1000, 1000, 1000);
				syscall(SYS_setresuid, 1000, 1000, 1000);
				pers_cred_setresgid(&c, 1000, 1000, 1000);
				pers_cred_setresuid(&c, 1000, 1000, 1000);
			} else if (who == 1) {
				syscall(SYS_setfsuid, 1000);
				pers_cred_setfsuid(&c, 1000);
			}
			for (int i = 0; i < n && !why[0]; i++) {
				struct stat st;
				snprintf(path, sizeof(path), "%s/%d", dir, i);
				stat(path, &st);
				for (int mask = 1; mask < 8; mask++) {
					long k2 = syscall(SYS_faccessat2, AT_FDCWD, path, mask, AT_EACCESS);
					int want = k2 < 0 ? -errno : 0;
					int got = pers_cred_permission(&c, st.st_mode, st.st_uid, st.st_gid, mask);
					if (want != got)
						snprintf(why, sizeof(why),
							 "who %d mode %o owner %u:%u mask %d: model %d kernel %d",
							 who, st.st_mode, st.st_uid, st.st_gid, mask, got, want);
				}
			}
			if (why[0] && write(fd[1], why, strlen(why)) < 0)
				_exit(2);
			_exit(0);
		}
		_exit(0);
	}
	close(fd[1]);
	char buf[512] = "";
	ssize_t r = read(fd[0], buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = 0;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fail_msg("rm %s", dir);
	if (buf[0])
		fail_msg("%s", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_drops_for_good),
		cmocka_unit_test(effective_drop_comes_back),
		cmocka_unit_test(keepcaps_and_capset_as_setpriv),
		cmocka_unit_test(root_bounded_by_the_host),
		cmocka_unit_test(new_namespaces),
		cmocka_unit_test(groups_sorted_and_sized),
		cmocka_unit_test(setfsuid_returns_the_old_one),
		cmocka_unit_test(files_as_nobody),
		cmocka_unit_test(root_and_set_group_id),
		cmocka_unit_test(calls_and_copies),
		cmocka_unit_test(groups_up_to_the_kernels_limit),
		cmocka_unit_test(exec_of_set_id_programs),
		cmocka_unit_test(own_user_namespace),
		cmocka_unit_test(owners_recorded_and_checked),
		cmocka_unit_test(set_ids_match_the_kernel),
		cmocka_unit_test(permissions_match_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
