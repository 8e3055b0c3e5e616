/* The user namespace a guest process makes its new network, UTS, IPC and
 * mount namespaces in (pers.h, pers_userns_map; the rule is cred.c's
 * pers_cred_new_ns).  mew writes its maps from outside the guest's wall:
 * the guest reaches no /proc file itself, and a map of mew's ids to
 * themselves is all a user may write for another (as root, every id to
 * itself: no id the guest had before changes). */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

bool pers_userns_allowed(void)
{
	cleanup_fclose FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
	long n = 0;

	return f != NULL && fscanf(f, "%ld", &n) == 1 && n > 0;
}

/* /proc/pid/name := text: 0 or -errno (the kernel's for the write). */
static int write_proc(pid_t pid, const char *name, const char *text)
{
	char path[64];
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
}

int pers_userns_map(pid_t pid)
{
	char uid_map[64], gid_map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	if (uid == 0) {
		snprintf(uid_map, sizeof(uid_map), "0 0 4294967295\n");
		snprintf(gid_map, sizeof(gid_map), "0 0 4294967295\n");
	} else {
		snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		/* a user may map its own gid only once setgroups is denied */
		if ((r = write_proc(pid, "setgroups", "deny")) < 0)
			return r;
	}
	if ((r = write_proc(pid, "uid_map", uid_map)) < 0)
		return r;
	return write_proc(pid, "gid_map", gid_map);
}
