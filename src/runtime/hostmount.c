/* A container whose config lists no mount namespace has its mounts in the
 * runtime's own namespace (runtime-spec: it inherits ours): the rootfs bound
 * on itself with /proc, /dev, ... under it.  They are the container's until
 * delete, so the state keeps the bind's mount ID, and delete (or a failed
 * create) detaches that one mount, with everything under it. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"

/* The mount ID of what fd is on, from /proc/self/fdinfo. */
static unsigned long long fd_mount_id(int fd)
{
	char path[64];
	cleanup_free char *buf = NULL;
	unsigned long long id = 0;
	size_t len;
	char *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (file_read(path, &buf, &len, NULL) < 0 || (p = strstr(buf, "mnt_id:")) == NULL)
		return 0;
	sscanf(p + 7, "%llu", &id);
	return id;
}

static unsigned long long path_mount_id(const char *path)
{
	cleanup_close int fd = open(path, O_PATH | O_CLOEXEC);
	return fd < 0 ? 0 : fd_mount_id(fd);
}

unsigned long long rt_host_mount_id(pid_t pid)
{
	char root[64];

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	return path_mount_id(root);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

void rt_host_mount_detach(unsigned long long id)
{
	cleanup_fclose FILE *f = NULL;
	char line[8192];

	if (id == 0 || (f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long mid;
		char point[4096];

		if (sscanf(line, "%llu %*u %*s %*s %4095s", &mid, point) != 2 || mid != id)
			continue;
		unescape(point);
		/* Only while that path still shows our mount (not one on top). */
		if (path_mount_id(point) == id)
			umount2(point, MNT_DETACH);
		return;
	}
}
