#include "container/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "cgroup/cgroup.h"
#include "container/mountopt.h"
#include "wall/wall.h"

/* docker's defaults: what a container must not read, and what it must not write. */
static const char *const masked_paths[] = {
	"/proc/asound",	       "/proc/acpi",	  "/proc/kcore",	"/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi",	       "/sys/firmware",	  "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int mount_at(int root_fd, const char *dest, bool make_file, const char *source,
		    const char *type, unsigned long flags, const char *data, struct mew_error **err)
{
	cleanup_close int fd = file_open_in_root(root_fd, dest, true, make_file, err);
	char target[64];

	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(source, target, type, flags, data) < 0)
		return mew_error(err, errno, "mount %s `%s` on `%s`", type != NULL ? type : "bind",
				 source != NULL ? source : "", dest);
	return 0;
}

/* A bind's flags (ro, nosuid, ...) need a second, remounting call; in a user
 * namespace it must keep the flags the kernel locked. */
static int remount_at(int root_fd, const char *dest, unsigned long flags, struct mew_error **err)
{
	cleanup_close int fd = file_open_in_root(root_fd, dest, false, false, err);
	char target[64];

	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	flags |= mount_flags_locked(target);
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return mew_error(err, errno, "remount `%s` read-only", dest);
	return 0;
}

static int make_device(int root_fd, int dev_fd, const struct rootfs_ctx *ctx,
		       const struct wall_device *d, struct mew_error **err)
{
	char host[64], guest[64];

	if (!ctx->userns) {
		if (mknodat(dev_fd, d->name, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0 &&
		    errno != EEXIST)
			return mew_error(err, errno, "mknod /dev/%s", d->name);
		fchmodat(dev_fd, d->name, 0666, 0);
		return 0;
	}
	/* No mknod in a user namespace: bind the host's node instead. */
	snprintf(host, sizeof(host), "/dev/%s", d->name);
	snprintf(guest, sizeof(guest), "/dev/%s", d->name);
	return mount_at(root_fd, guest, true, host, NULL, MS_BIND, NULL, err);
}

/* The nodes and links every /dev has: in mew's own tmpfs, or in the /dev
 * that config.json's mounts made. */
static int populate_dev(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	cleanup_close int dev_fd = file_open_in_root(root_fd, "/dev", true, false, err);

	if (dev_fd < 0)
		return -1;
	for (size_t i = 0; i < wall_ndevices; i++)
		if (make_device(root_fd, dev_fd, ctx, &wall_devices[i], err) < 0)
			return -1;
	for (size_t i = 0; i < wall_ndev_links; i++)
		if (symlinkat(wall_dev_links[i][0], dev_fd, wall_dev_links[i][1]) < 0 && errno != EEXIST)
			return mew_error(err, errno, "symlink /dev/%s", wall_dev_links[i][1]);
	return 0;
}

static int bind_console(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	if (ctx->console != NULL &&
	    mount_at(root_fd, "/dev/console", true, ctx->console, NULL, MS_BIND, NULL, err) < 0)
		return -1;
	return 0;
}

static int mount_dev(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{

	if (mount_at(root_fd, "/dev", false, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k", err) < 0)
		return -1;
	if (populate_dev(ctx, root_fd, err) < 0)
		return -1;
	if (mount_at(root_fd, "/dev/pts", false, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     ctx->userns ? "newinstance,ptmxmode=0666,mode=0620"
				 : "newinstance,ptmxmode=0666,mode=0620,gid=5",
		     err) < 0)
		return -1;
	if (mount_at(root_fd, "/dev/shm", false, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=1777,size=65536k", err) < 0)
		return -1;
	/* mqueue needs an IPC namespace owned by our user namespace: we have one. */
	if (mount_at(root_fd, "/dev/mqueue", false, "mqueue", "mqueue",
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	return bind_console(ctx, root_fd, err);
}

/* linux.devices: extra nodes, made as the config says (bound from the host
 * in a user namespace, where mknod is not allowed). */
static int oci_devices(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	const struct spec_oci *oci = ctx->spec->oci;

	for (size_t i = 0; i < oci->ndevices; i++) {
		const struct spec_device *d = &oci->devices[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		cleanup_close int dir = -1;
		char parent[PATH_MAX];
		const char *base;

		if (ctx->userns) {
			if (mount_at(root_fd, d->path, true, d->path, NULL, MS_BIND, NULL, err) < 0)
				return -1;
			continue;
		}
		snprintf(parent, sizeof(parent), "%s", d->path);
		*strrchr(parent, '/') = '\0';
		base = strrchr(d->path, '/') + 1;
		dir = file_open_in_root(root_fd, parent, true, false, err);
		if (dir < 0)
			return -1;
		/* O_PATH fds take no mknodat: go through the magic link. */
		char at[64];
		snprintf(at, sizeof(at), "/proc/self/fd/%d", dir);
		cleanup_close int real = open(at, O_DIRECTORY | O_CLOEXEC);
		if (real < 0)
			return mew_error(err, errno, "open `%s` in the rootfs", parent);
		unlinkat(real, base, 0);
		if (mknodat(real, base, type | (d->mode_set ? d->mode & 07777 : 0666),
			    makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
			return mew_error(err, errno, "config.json: linux.devices: mknod `%s`", d->path);
		if (d->mode_set)
			fchmodat(real, base, d->mode & 07777, 0);
		if ((d->uid_set || d->gid_set) &&
		    fchownat(real, base, d->uid_set ? d->uid : (uid_t)-1, d->gid_set ? d->gid : (gid_t)-1,
			     AT_SYMLINK_NOFOLLOW) < 0)
			return mew_error(err, errno, "config.json: linux.devices: chown `%s`", d->path);
	}
	return 0;
}

/* A "cgroup" mount on a v1 or hybrid host: v1 hierarchies cannot be
 * mounted afresh, so, as runc does, a tmpfs with each hierarchy's own group
 * bound in, read-only.  The groups come from /proc/self/cgroup as it read
 * before the cgroup namespace (inside it every path reads "/"). */
static int mount_cgroup_v1(const struct rootfs_ctx *ctx, int root_fd, const char *dest,
			   unsigned long flags, struct mew_error **err)
{
	cleanup_free char *text = ctx->self_cgroup != NULL ? strdup(ctx->self_cgroup) : NULL;
	char guest[PATH_MAX], host[PATH_MAX + 64];
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char *line, *save = NULL;

	if (mount_at(root_fd, dest, false, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=755", err) < 0)
		return -1;
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path;
		struct stat sb;

		if (ctrls == NULL || (path = strchr(++ctrls, ':')) == NULL)
			continue;
		*path++ = '\0';
		if (str_has_prefix(ctrls, "name="))
			ctrls += 5;
		if (ctrls[0] == '\0')
			ctrls = "unified";
		snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", ctrls, path);
		if (stat(host, &sb) < 0 || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(guest, sizeof(guest), "%s/%s", dest, ctrls);
		if (mount_at(root_fd, guest, false, host, NULL, MS_BIND | MS_REC, NULL, err) < 0 ||
		    remount_at(root_fd, guest, ro, err) < 0)
			return -1;
	}
	/* cpu and cpuacct share a hierarchy on many hosts: keep their links. */
	return remount_at(root_fd, dest, (flags & ~(MS_BIND | MS_REC)) | ro, err);
}

/* /sys/fs/cgroup, read-only, showing the container's own groups: programs
 * size themselves by it (a JVM's heap, Go's GOMAXPROCS), as under docker.
 * mew run mounts it when there are limits to show: it costs a mount per v1
 * hierarchy, and without limits the container has no group of its own. */
static int mount_cgroup(const struct rootfs_ctx *ctx, int root_fd, const char *dest,
			unsigned long flags, struct mew_error **err)
{
	switch (cgroup_mode()) {
	case CGROUP_MODE_UNIFIED:
		return mount_at(root_fd, dest, false, "cgroup2", "cgroup2",
				flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	case CGROUP_MODE_HYBRID:
	case CGROUP_MODE_LEGACY:
		return mount_cgroup_v1(ctx, root_fd, dest, flags, err);
	default:
		return 0;
	}
}

static int mount_proc_sys(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_at(root_fd, "/proc", false, "proc", "proc", safe, NULL, err) < 0)
		return -1;
	/* sysfs belongs to a network namespace: without one of our own (or in a
	 * user namespace that does not own it) bind the host's, read-only. */
	if (ctx->new_net &&
	    mount_at(root_fd, "/sys", false, "sysfs", "sysfs", safe | MS_RDONLY, NULL, NULL) == 0)
		return cgroup_wanted(&ctx->spec->limits)
			       ? mount_cgroup(ctx, root_fd, "/sys/fs/cgroup", MS_RDONLY, err)
			       : 0;
	if (mount_at(root_fd, "/sys", false, "/sys", NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
	return remount_at(root_fd, "/sys", MS_RDONLY | safe, err);
}

static bool has_opt(char *const *options, const char *name)
{
	for (size_t i = 0; options != NULL && options[i] != NULL; i++)
		if (strcmp(options[i], name) == 0)
			return true;
	return false;
}

/* Copy the tree under from into to: directories, regular files and symlinks,
 * with their modes and owners (what an image keeps in /run, /tmp, /var/tmp). */
static int copy_tree(int from, int to, int depth, struct mew_error **err)
{
	int dupfd = dup(from);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *de;
	int r = 0;

	if (d == NULL) {
		if (dupfd >= 0)
			close(dupfd);
		return mew_error(err, errno, "tmpcopyup: read a directory");
	}
	while (r == 0 && depth < 64 && (de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(from, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			int a, b;
			if (mkdirat(to, de->d_name, sb.st_mode & 07777) < 0 && errno != EEXIST)
				r = mew_error(err, errno, "tmpcopyup: mkdir `%s`", de->d_name);
			a = openat(from, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			b = openat(to, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (r == 0 && a >= 0 && b >= 0)
				r = copy_tree(a, b, depth + 1, err);
			if (a >= 0)
				close(a);
			if (b >= 0)
				close(b);
		} else if (S_ISLNK(sb.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(from, de->d_name, target, sizeof(target) - 1);
			if (n >= 0) {
				target[n] = '\0';
				if (symlinkat(target, to, de->d_name) < 0 && errno != EEXIST)
					r = mew_error(err, errno, "tmpcopyup: symlink `%s`", de->d_name);
			}
		} else if (S_ISREG(sb.st_mode)) {
			int a = openat(from, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int b = openat(to, de->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       sb.st_mode & 07777);
			char buf[65536];
			ssize_t n;
			while (a >= 0 && b >= 0 && (n = read(a, buf, sizeof(buf))) > 0)
				if (write(b, buf, (size_t)n) != n) {
					r = mew_error(err, errno, "tmpcopyup: write `%s`", de->d_name);
					break;
				}
			if (a >= 0)
				close(a);
			if (b >= 0)
				close(b);
		} else {
			continue; /* devices, fifos, sockets: not copied */
		}
		fchownat(to, de->d_name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW);
	}
	closedir(d);
	return r;
}

/* tmpfs with "tmpcopyup" (podman's --read-only and --tmpfs): the directory's
 * contents are copied onto the new tmpfs, as crun and runc do. */
static int mount_tmpfs_copyup(int root_fd, const struct spec_mount *m, const struct mount_flags *mf,
			      struct mew_error **err)
{
	cleanup_close int path_fd = file_open_in_root(root_fd, m->destination, true, false, err);
	cleanup_close int under = -1, over = -1;
	char at[64];

	if (path_fd < 0)
		return -1;
	/* Opened before the mount: still the directory underneath afterwards. */
	snprintf(at, sizeof(at), "/proc/self/fd/%d", path_fd);
	under = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount(m->source != NULL ? m->source : "tmpfs", at, "tmpfs", mf->flags, mf->data) < 0)
		return mew_error(err, errno, "mount tmpfs on `%s`", m->destination);
	over = file_open_in_root(root_fd, m->destination, false, false, err);
	if (over < 0)
		return -1;
	snprintf(at, sizeof(at), "/proc/self/fd/%d", over);
	{
		cleanup_close int dir = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (under < 0 || dir < 0)
			return 0; /* nothing underneath to copy */
		return copy_tree(under, dir, 0, err);
	}
}

static int mount_spec_mounts(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	const struct spec *spec = ctx->spec;

	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		struct mount_flags mf;
		bool bind = strcmp(m->type, "bind") == 0;
		struct stat sb;
		int r;

		if (mount_flags_parse(m->options, &mf) < 0)
			return mew_error(err, ENOMEM, "mount `%s`", m->destination);
		if (!bind && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) {
			r = mount_cgroup(ctx, root_fd, m->destination, mf.flags, err);
		} else if (bind) {
			if (stat(m->source, &sb) < 0) {
				mount_flags_free(&mf);
				return mew_error(err, errno, "volume source `%s`", m->source);
			}
			r = mount_at(root_fd, m->destination, !S_ISDIR(sb.st_mode), m->source, NULL,
				     MS_BIND | (mf.flags & MS_REC), NULL, err);
			if (r == 0 && (mf.flags & ~(MS_BIND | MS_REC)) != 0)
				r = remount_at(root_fd, m->destination, mf.flags & ~(MS_BIND | MS_REC), err);
		} else if (strcmp(m->type, "tmpfs") == 0 && has_opt(m->options, "tmpcopyup")) {
			r = mount_tmpfs_copyup(root_fd, m, &mf, err);
		} else {
			r = mount_at(root_fd, m->destination, false, m->source != NULL ? m->source : m->type,
				     m->type, mf.flags, mf.data, err);
		}
		if (r == 0 && mf.propagation != 0) {
			cleanup_close int fd = file_open_in_root(root_fd, m->destination, false, false, err);
			char target[64];
			snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
			if (fd < 0 || mount(NULL, target, NULL, mf.propagation, NULL) < 0)
				r = mew_error(err, errno, "set propagation of `%s`", m->destination);
		}
		mount_flags_free(&mf);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int mask_paths(int root_fd, const struct spec *spec, struct mew_error **err)
{
	const char *const *masked = masked_paths, *const *readonly = readonly_paths;
	size_t nmasked = ARRAY_SIZE(masked_paths), nreadonly = ARRAY_SIZE(readonly_paths);

	/* config.json's lists replace docker's when given. */
	if (spec->oci != NULL && spec->oci->masked_paths != NULL) {
		masked = (const char *const *)spec->oci->masked_paths;
		nmasked = strv_len(spec->oci->masked_paths);
	}
	if (spec->oci != NULL && spec->oci->readonly_paths != NULL) {
		readonly = (const char *const *)spec->oci->readonly_paths;
		nreadonly = strv_len(spec->oci->readonly_paths);
	}
	for (size_t i = 0; i < nmasked; i++) {
		cleanup_close int fd = file_open_in_root(root_fd, masked[i], false, false, NULL);
		char target[64];
		struct stat sb;

		if (fd < 0 || fstat(fd, &sb) < 0)
			continue; /* nothing there to hide */
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (S_ISDIR(sb.st_mode)) {
			if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") < 0)
				return mew_error(err, errno, "mask `%s`", masked[i]);
		} else if (mount("/dev/null", target, NULL, MS_BIND, NULL) < 0) {
			return mew_error(err, errno, "mask `%s`", masked[i]);
		}
	}
	for (size_t i = 0; i < nreadonly; i++) {
		cleanup_close int fd = file_open_in_root(root_fd, readonly[i], false, false, NULL);
		char target[64];

		if (fd < 0)
			continue;
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
			return mew_error(err, errno, "bind `%s`", readonly[i]);
		if (remount_at(root_fd, readonly[i], MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       err) < 0)
			return -1;
	}
	return 0;
}

/* In the runtime's own mount namespace: the mounts stay (they are the
 * container's until `delete` detaches them), the root is a chroot. */
static int enter_host_root(const struct rootfs_ctx *ctx, int root_fd, struct mew_error **err)
{
	if (fchdir(root_fd) < 0)
		return mew_error(err, errno, "chdir to the rootfs");
	if (chroot(".") < 0)
		return mew_error(err, errno, "chroot to `%s`", ctx->spec->rootfs);
	if (chdir("/") < 0)
		return mew_error(err, errno, "chdir /");
	return 0;
}

static int setup(const struct rootfs_ctx *ctx, struct mew_error **err)
{
	const struct spec *spec = ctx->spec;
	cleanup_close int root_fd = -1;

	root_fd = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return mew_error(err, errno, "open the rootfs `%s`", spec->rootfs);
	if (spec->oci != NULL && spec->oci->mounts_complete) {
		/* config.json lists /proc, /dev, /sys...: mount exactly those,
		 * then the nodes every /dev needs. */
		if (mount_spec_mounts(ctx, root_fd, err) < 0 || populate_dev(ctx, root_fd, err) < 0 ||
		    oci_devices(ctx, root_fd, err) < 0 || bind_console(ctx, root_fd, err) < 0 ||
		    mask_paths(root_fd, spec, err) < 0)
			return -1;
	} else if (mount_proc_sys(ctx, root_fd, err) < 0 || mount_dev(ctx, root_fd, err) < 0 ||
		   mount_spec_mounts(ctx, root_fd, err) < 0 || mask_paths(root_fd, spec, err) < 0) {
		return -1;
	}

	if (ctx->host_mounts) {
		if (enter_host_root(ctx, root_fd, err) < 0)
			return -1;
	} else {
		/* pivot_root(".", ".") stacks the old root under the new one;
		 * detaching it leaves no host path reachable and needs no
		 * temporary directory. */
		if (fchdir(root_fd) < 0)
			return mew_error(err, errno, "chdir to the rootfs");
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return mew_error(err, errno, "pivot_root to `%s`", spec->rootfs);
		if (umount2(".", MNT_DETACH) < 0)
			return mew_error(err, errno, "detach the old root");
		if (chdir("/") < 0)
			return mew_error(err, errno, "chdir /");
	}
	if (spec->oci != NULL && spec->oci->rootfs_propagation != 0 &&
	    mount(NULL, "/", NULL, spec->oci->rootfs_propagation, NULL) < 0)
		return mew_error(err, errno, "config.json: linux.rootfsPropagation");
	if (spec->readonly_root &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags_locked("/"), NULL) < 0)
		return mew_error(err, errno, "remount the rootfs read-only");
	return 0;
}

int rootfs_setup(const struct rootfs_ctx *ctx, struct mew_error **err)
{
	const struct spec *spec = ctx->spec;

	/* Nothing we mount may propagate back to the host. */
	if (!ctx->host_mounts && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mew_error(err, errno, "make / private");
	if (mount(spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return mew_error(err, errno, "bind the rootfs `%s`", spec->rootfs);
	if (setup(ctx, err) == 0)
		return 0;
	/* Mounts in the runtime's namespace outlive us: take back what we made. */
	if (ctx->host_mounts)
		umount2(spec->rootfs, MNT_DETACH);
	return -1;
}
