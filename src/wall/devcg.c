/* Which devices the guest may open (wall.h): Landlock has no nodev, and a
 * rootfs unpacked as root may hold device nodes (a disk's, /dev/mem's) that
 * a guest of a root mew could open wherever they lie in it.  As root, on a
 * host with the v1 devices controller, every guest process is put in a
 * devices cgroup of the run's own that allows only the nodes of mew's /dev
 * (the wall_devices, ptmx and the pty slaves), read and write, never mknod:
 * the kernel refuses the rest (EPERM), however the guest names them.  An
 * unprivileged mew opens only what the node's own permissions give its
 * user, as outside mew.  A v2-only host would need a BPF device program:
 * not there yet, and said as a gap. */
#include "wall/wall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cgroup/cgroup.h"

#define DEVCG_PARENT "/sys/fs/cgroup/devices/mew"

/* This run's group ("" = none); the child that enters the wall joins it. */
static char devcg[PATH_MAX];

bool wall_devcg_wanted(void)
{
	return geteuid() == 0;
}

bool wall_devcg_possible(void)
{
	return access("/sys/fs/cgroup/devices/devices.allow", W_OK) == 0;
}

/* wall-PID of a mew that is gone: its guests are killed, the group removed. */
static void sweep(void)
{
	cleanup_dir DIR *d = opendir(DEVCG_PARENT);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		if (!wall_stale(e->d_name, "wall-", '\0'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", DEVCG_PARENT, e->d_name);
		cgroup_remove(path);
	}
}

int wall_devcg_make(struct mew_error **err)
{
	char line[32];

	devcg[0] = '\0';
	if (!wall_devcg_wanted() || !wall_devcg_possible() || wall_abi() == 0)
		return 0;
	sweep();
	if (mkdir(DEVCG_PARENT, 0755) < 0 && errno != EEXIST)
		return mew_error(err, errno, "the wall: devices cgroup `%s`", DEVCG_PARENT);
	snprintf(devcg, sizeof(devcg), "%s/wall-%d", DEVCG_PARENT, (int)getpid());
	if (mkdir(devcg, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		devcg[0] = '\0';
		return mew_error(err, e, "the wall: devices cgroup `%s/wall-%d`", DEVCG_PARENT, (int)getpid());
	}
	if (cgroup_write(devcg, "devices.deny", "a", err) < 0)
		goto fail;
	for (size_t i = 0; i < wall_ndevices; i++) {
		snprintf(line, sizeof(line), "c %u:%u rw", wall_devices[i].major, wall_devices[i].minor);
		if (cgroup_write(devcg, "devices.allow", line, err) < 0)
			goto fail;
	}
	/* ptmx, and the pty slaves (Unix98: majors 136-143) */
	if (cgroup_write(devcg, "devices.allow", "c 5:2 rw", err) < 0)
		goto fail;
	for (unsigned major = 136; major <= 143; major++) {
		snprintf(line, sizeof(line), "c %u:* rw", major);
		if (cgroup_write(devcg, "devices.allow", line, err) < 0)
			goto fail;
	}
	return 0;
fail:
	wall_devcg_remove();
	return -1;
}

bool wall_devcg_allows(mode_t mode, dev_t rdev)
{
	if (devcg[0] == '\0' || !(S_ISCHR(mode) || S_ISBLK(mode)))
		return true;
	if (S_ISBLK(mode))
		return false;
	for (size_t i = 0; i < wall_ndevices; i++)
		if (major(rdev) == wall_devices[i].major && minor(rdev) == wall_devices[i].minor)
			return true;
	return (major(rdev) == 5 && minor(rdev) == 2) || (major(rdev) >= 136 && major(rdev) <= 143);
}

int wall_devcg_join(void)
{
	int fd;

	if (devcg[0] == '\0')
		return 0;
	{
		char procs[PATH_MAX + 16];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", devcg);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

void wall_devcg_remove(void)
{
	if (devcg[0] != '\0')
		cgroup_remove(devcg);
	devcg[0] = '\0';
}
