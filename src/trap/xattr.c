/* The xattr calls of a guest thread, answered by the personality
 * (personality/xattr.c) on their host path: the notifier's (stub and
 * notifier modes) and the ptrace mode's.  This file only moves the
 * arguments between the thread's memory and mew's. */
#include "trap/trap.h"
#include "base/cleanup.h"

#include <errno.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <sys/syscall.h>

int trap_xattr_op(long nr)
{
	switch (nr) {
	case SYS_getxattr: case SYS_lgetxattr: case SYS_fgetxattr:
		return PERS_XATTR_GET;
	case SYS_setxattr: case SYS_lsetxattr: case SYS_fsetxattr:
		return PERS_XATTR_SET;
	case SYS_listxattr: case SYS_llistxattr: case SYS_flistxattr:
		return PERS_XATTR_LIST;
	case SYS_removexattr: case SYS_lremovexattr: case SYS_fremovexattr:
		return PERS_XATTR_REMOVE;
	}
	return -1;
}

long trap_xattr(const struct pers *p, const struct pers_cred *c, pid_t tid, long nr, const uint64_t *args,
		const char *host, bool follow)
{
	int op = trap_xattr_op(nr);
	char name[XATTR_NAME_MAX + 2];
	/* (path, name, value, size, flags); a list's (path, list, size) */
	uint64_t buf = op == PERS_XATTR_LIST ? args[1] : args[2];
	size_t size = (size_t)(op == PERS_XATTR_LIST ? args[2] : args[3]);
	cleanup_free char *value = NULL;
	ssize_t len;
	long r;

	if (op != PERS_XATTR_LIST) {
		len = trap_mem_read_str(tid, args[1], name, sizeof(name));
		if (len == -ENAMETOOLONG)
			return -ERANGE;
		if (len < 0)
			return len;
	}
	/* what the kernel would copy at most: a set's bigger value is E2BIG */
	if (size > (op == PERS_XATTR_LIST ? XATTR_LIST_MAX : XATTR_SIZE_MAX))
		size = op == PERS_XATTR_LIST ? XATTR_LIST_MAX : op == PERS_XATTR_SET ? XATTR_SIZE_MAX + 1 : XATTR_SIZE_MAX;
	if (size != 0 && op != PERS_XATTR_REMOVE && (value = malloc(size)) == NULL)
		return -ENOMEM;
	if (op == PERS_XATTR_SET && size <= XATTR_SIZE_MAX && size != 0 && trap_mem_read(tid, buf, value, size) < 0)
		return -EFAULT;
	r = pers_xattr(p, c, op, host, follow, op == PERS_XATTR_LIST ? NULL : name, value, size, (int)args[4]);
	if (r > 0 && size != 0 && (op == PERS_XATTR_GET || op == PERS_XATTR_LIST) &&
	    trap_mem_write(tid, buf, value, (size_t)r) < 0)
		return -EFAULT;
	return r;
}
