/* The guest's /dev (wall.h): mew's own, never the host's. */
#include "wall/wall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "spec/spec.h"

const struct wall_device wall_devices[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};
const size_t wall_ndevices = ARRAY_SIZE(wall_devices);

const char *const wall_dev_links[][2] = {
	{ "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
	{ "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },	 { "/proc/kcore", "core" },
};
const size_t wall_ndev_links = ARRAY_SIZE(wall_dev_links);

/* Where the guest's /dev is made: $TMPDIR when it is set; else /dev/shm
 * where it is a tmpfs mew may write in (nearly everywhere: systemd and
 * Docker mount one), whose files cost no disk: on a busy ext4 /tmp the
 * fifteen creations and removals of every run took 3-5 ms of CPU (the
 * kernel's search for a free inode), and the guest's /dev/shm is then
 * memory, as it is natively; else /tmp. */
static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	struct statfs fs;

	if (t != NULL && t[0] == '/')
		return t;
	if (statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC && access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}

/* Remove name under dirfd and everything below it, never following a
 * symbolic link; a directory the guest made unreadable is opened up first. */
static void remove_at(int at, const char *name)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int fd;

	if (unlinkat(at, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	fchmodat(at, name, 0700, AT_SYMLINK_NOFOLLOW);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			remove_at(dirfd(d), e->d_name);
	unlinkat(at, name, AT_REMOVEDIR);
}

void wall_dev_remove(const char *dir)
{
	wall_devcg_remove();
	if (dir != NULL && dir[0] == '/')
		remove_at(AT_FDCWD, dir);
}

bool wall_stale(const char *name, const char *prefix, char sep)
{
	size_t n = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, n) != 0)
		return false;
	pid = strtol(name + n, &end, 10);
	return *end == sep && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* mew-dev.PID.XXXXXX of a mew that is gone (killed before it cleaned up). */
static void sweep(const char *tmp)
{
	cleanup_dir DIR *d = opendir(tmp);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		if (!wall_stale(e->d_name, "mew-dev.", '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			remove_at(AT_FDCWD, path);
	}
}

int wall_dev_make(const struct spec *spec, char *dir, size_t len, struct mew_error **err)
{
	const char *tmp = tmp_dir();
	cleanup_close int fd = -1;

	dir[0] = '\0';
	for (size_t i = 0; i < spec->nmounts; i++)
		if ((spec->mounts[i].type == NULL || strcmp(spec->mounts[i].type, "bind") == 0) &&
		    strcmp(spec->mounts[i].destination, "/dev") == 0)
			return 0;
	sweep(tmp);
	if (snprintf(dir, len, "%s/mew-dev.%d.XXXXXX", tmp, (int)getpid()) >= (int)len)
		return mew_error(err, ENAMETOOLONG, "the guest's /dev in `%s`", tmp);
	if (mkdtemp(dir) == NULL)
		return mew_error(err, errno, "the guest's /dev: `%s`", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0755) < 0)
		goto fail;
	for (size_t i = 0; i < wall_ndevices; i++) {
		int f = openat(fd, wall_devices[i].name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			goto fail;
		close(f);
	}
	for (size_t i = 0; i < wall_ndev_links; i++) {
		/* ptmx: the host's node is bound there (the host's pts/ptmx
		 * is usually mode 000) */
		const char *name = wall_dev_links[i][1];
		int r = strcmp(name, "ptmx") == 0 ? openat(fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666)
						  : symlinkat(wall_dev_links[i][0], fd, name);
		if (r < 0)
			goto fail;
		if (r > 0)
			close(r);
	}
	if (mkdirat(fd, "pts", 0755) < 0 || mkdirat(fd, "shm", 0777) < 0 || fchmodat(fd, "shm", 01777, 0) < 0)
		goto fail;
	/* the devices it may open, whatever else the rootfs holds */
	if (wall_devcg_make(err) < 0) {
		wall_dev_remove(dir);
		return -1;
	}
	return 0;
fail:
	{
		int e = errno;
		wall_dev_remove(dir);
		return mew_error(err, e, "the guest's /dev: `%s`", dir);
	}
}

int wall_dev_binds(struct pers *p, const char *dir, bool host_pts, struct mew_error **err)
{
	char host[PATH_MAX], guest[64];

	for (size_t j = 0; j < p->nbinds; j++)
		if (strcmp(p->binds[j].guest, "/dev") == 0)
			return 0;
	if (pers_add_bind(p, dir, "/dev", false, err) < 0)
		return -1;
	for (size_t i = 0; i < wall_ndevices; i++) {
		snprintf(host, sizeof(host), "/dev/%s", wall_devices[i].name);
		snprintf(guest, sizeof(guest), "/dev/%s", wall_devices[i].name);
		if (access(host, F_OK) == 0 && pers_add_bind(p, host, guest, false, err) < 0)
			return -1;
	}
	if (!host_pts) {
		/* no pty can be made: no ptmx at all, an empty pts/ */
		snprintf(host, sizeof(host), "%s/ptmx", dir);
		unlink(host);
		return 0;
	}
	if (access("/dev/ptmx", F_OK) == 0 && pers_add_bind(p, "/dev/ptmx", "/dev/ptmx", false, err) < 0)
		return -1;
	if (access("/dev/pts", F_OK) == 0 && pers_add_bind(p, "/dev/pts", "/dev/pts", false, err) < 0)
		return -1;
	return 0;
}
