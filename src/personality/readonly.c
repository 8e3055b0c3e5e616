/* The read-only rules (--read-only, `:ro` volumes), in one place for every
 * engine: what the kernel answers a write through a read-only mount. */
#include "personality/pers.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int pers_write_check(const struct pers *p, const struct pers_call *c, uint64_t flag, int slot,
		     const char *host)
{
	struct stat st;
	bool exists;

	if (!pers_call_writes(c, flag) || !pers_host_readonly(p, host))
		return 0;
	exists = lstat(host, &st) == 0;
	/* Creating where something is: EEXIST comes first (the kernel looks
	 * the name up before it asks the mount for write access). */
	if (c->creates == slot + 1 && exists)
		return -EEXIST;
	if (c->writes == PW_OPEN_FLAGS && (flag & PERS_O_CREAT) && exists) {
		if (flag & PERS_O_EXCL)
			return -EEXIST;
		/* O_CREAT of a file that is there, read only: no write at all. */
		if ((flag & PERS_O_ACCMODE) == 0 && !(flag & PERS_O_TRUNC))
			return 0;
	}
	return -EROFS;
}

int pers_fd_write_check(const struct pers *p, pid_t pid, int fd)
{
	char link[64], host[PATH_MAX];
	ssize_t n;

	if (fd < 0)
		return 0; /* the kernel's EBADF */
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid != 0 ? (int)pid : (int)getpid(), fd);
	n = readlink(link, host, sizeof(host) - 1);
	if (n <= 0 || host[0] != '/')
		return 0; /* a pipe, a socket, gone: not a file of the guest's places */
	host[n] = '\0';
	/* the kernel asks the fd's mount, whatever the fd was opened for */
	return pers_host_readonly(p, host) ? -EROFS : 0;
}

int pers_call_fd_check(const struct pers *p, pid_t pid, const struct pers_call *c, const uint64_t *args,
		       bool empty)
{
	int i = c->kind == PK_FD ? c->dirfd[0] : pers_call_on_fd(c, args, empty);

	if (i < 0 || !pers_call_writes(c, PERS_CALL_FLAG(c, args)))
		return 0;
	return pers_fd_write_check(p, pid, (int)args[i]);
}
