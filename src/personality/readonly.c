/* The read-only rules (--read-only, `:ro` volumes), in one place for every
 * engine: what the kernel answers a write through a read-only mount. */
#include "personality/pers.h"

#include <errno.h>
#include <sys/stat.h>

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
