/* The Landlock domain of a guest (wall.h). */
#include "wall/wall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "wall/landlock.h"

#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif

/* Rights that apply to a file (the rest are a directory's). */
#define FILE_ACCESS                                                                             \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int wall_abi(void)
{
	static int abi = -1;

	if (abi < 0) {
		long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
		/* MEW_WALL_ABI=N: behave as on a kernel with ABI N at most
		 * (tests of --sandbox strict, comparisons) */
		const char *cap = getenv("MEW_WALL_ABI");
		abi = v < 0 ? 0 : (int)v;
		if (cap != NULL && cap[0] >= '0' && cap[0] <= '9' && atoi(cap) < abi)
			abi = atoi(cap);
	}
	return abi;
}

static uint64_t handled_fs(int abi)
{
	uint64_t h = 0;

	if (abi >= 1)
		h |= (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* EXECUTE .. MAKE_SYM */
	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

int wall_gaps(char *buf, size_t len)
{
	static const struct {
		int abi;
		const char *what;
	} lack[] = {
		{ 1, "no Landlock: a guest that bypasses mew's answers reaches every host file its user can" },
		{ 2, "renames and links across directories fail (no LANDLOCK_ACCESS_FS_REFER)" },
		{ 3, "truncate(2) of host files is not walled (Landlock ABI < 3)" },
		{ 5, "ioctl on device files is not walled (Landlock ABI < 5)" },
		{ 6, "signals to host processes and their abstract UNIX sockets are not walled (Landlock ABI < 6)" },
	};
	const char *devices = "device nodes in the rootfs are not walled (mew is root, and the host has no v1 "
			      "devices controller)";
	int abi = wall_abi(), n = 0;
	size_t at = 0;

	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(lack); i++) {
		if (abi >= lack[i].abi || (abi == 0 && i > 0))
			continue;
		if (at < len) {
			int k = snprintf(buf + at, len - at, "%s%s", n > 0 ? "; " : "", lack[i].what);
			at += k > 0 ? (size_t)k : 0;
		}
		n++;
	}
	if (abi > 0 && wall_devcg_wanted() && !wall_devcg_possible()) {
		if (at < len)
			snprintf(buf + at, len - at, "%s%s", n > 0 ? "; " : "", devices);
		n++;
	}
	return n;
}

void wall_describe_gaps(char *buf, size_t len, int (*gaps_of)(char *, size_t))
{
	/* Outside the wall by design, on every kernel: said, not counted
	 * against --sandbox strict (which goes without the host's pts). */
	static const char open_[] = "not walled: the host's network, the host's /dev/pts (the user's other "
				    "terminals; none under --sandbox strict)";
	char gaps[512];

	if (gaps_of(gaps, sizeof(gaps)) == 0)
		snprintf(buf, len, "walled in by Landlock ABI %d; %s", wall_abi(), open_);
	else if (wall_abi() == 0)
		snprintf(buf, len, "wall incomplete: %s", gaps);
	else
		snprintf(buf, len, "walled in by Landlock ABI %d; wall incomplete: %s; %s", wall_abi(), gaps, open_);
}

void wall_describe(char *buf, size_t len)
{
	wall_describe_gaps(buf, len, wall_gaps);
}

int wall_open(struct wall *w, struct mew_error **err)
{
	struct wall_ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);

	w->fd = -1;
	w->abi = wall_abi();
	if (w->abi == 0)
		return 0;
	attr.handled_access_fs = handled_fs(w->abi);
	if (w->abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	w->fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (w->fd < 0)
		return mew_error(err, errno, "the wall: Landlock ruleset (ABI %d)", w->abi);
	return 0;
}

static uint64_t access_of(unsigned rights)
{
	uint64_t a = 0;

	if (rights & WALL_READ)
		a |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	if (rights & WALL_EXEC)
		a |= LANDLOCK_ACCESS_FS_EXECUTE;
	if (rights & WALL_WRITE)
		a |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |
		     LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;
	if (rights & WALL_IOCTL)
		a |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return a;
}

/* The rule for what fd (O_PATH) is, named path in errors. */
static int allow_fd(struct wall *w, int fd, const char *path, unsigned rights, struct mew_error **err)
{
	struct landlock_path_beneath_attr rule = { 0 };
	struct stat st;

	if (fstat(fd, &st) < 0)
		return mew_error(err, errno, "the wall: `%s`", path);
	rule.allowed_access = access_of(rights) & handled_fs(w->abi);
	if (!S_ISDIR(st.st_mode))
		rule.allowed_access &= FILE_ACCESS;
	rule.parent_fd = fd;
	if (rule.allowed_access == 0)
		return 0;
	if (syscall(__NR_landlock_add_rule, w->fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		return mew_error(err, errno, "the wall: a Landlock rule for `%s`", path);
	return 0;
}

int wall_allow(struct wall *w, const char *path, unsigned rights, struct mew_error **err)
{
	cleanup_close int fd = -1;

	if (w->fd < 0)
		return 0;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return mew_error(err, errno, "the wall: `%s`", path);
	return allow_fd(w, fd, path, rights, err);
}

int wall_allow_pers(struct wall *w, const struct pers *p, bool proc, struct mew_error **err)
{
	if (wall_allow(w, p->rootfs, WALL_READ | WALL_EXEC | (p->readonly_root ? 0 : WALL_WRITE), err) < 0)
		return -1;
	for (size_t i = 0; i < p->nbinds; i++) {
		const struct pers_bind *b = &p->binds[i];
		unsigned rights = WALL_READ | WALL_EXEC | (b->ro ? 0 : WALL_WRITE);
		struct statfs fs;
		struct stat st;

		if (statfs(b->host, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC && !proc)
			continue;
		if (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC)
			rights = WALL_READ; /* what mew answers itself is mew's to write */
		else if (stat(b->host, &st) == 0 && (S_ISCHR(st.st_mode) || fs.f_type == DEVPTS_SUPER_MAGIC))
			rights = WALL_READ | (b->ro ? 0 : WALL_WRITE) | WALL_IOCTL;
		if (wall_allow(w, b->host, rights, err) < 0)
			return -1;
	}
	return 0;
}

int wall_allow_self(struct wall *w, struct mew_error **err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128];

	cleanup_close int self = -1;

	if (w->fd < 0)
		return 0;
	/* mew itself through the magic link: its path may not be reachable
	 * (the OCI runtime's launcher, opened before pivot_root), and
	 * emulate's execve re-executes /proc/self/exe */
	self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (self < 0 || allow_fd(w, self, "/proc/self/exe", WALL_READ | WALL_EXEC, err) < 0)
		return self < 0 ? mew_error(err, errno, "the wall: /proc/self/exe") : -1;
	if (f == NULL)
		return mew_error(err, errno, "the wall: /proc/self/maps");
	while (fgets(line, sizeof(line), f) != NULL) {
		char *path = strchr(line, '/');
		if (path == NULL || strstr(line, " (deleted)") != NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (wall_allow(w, path, WALL_READ | WALL_EXEC, err) < 0)
			return -1;
	}
	return 0;
}

int wall_enter(const struct wall *w)
{
	int r;

	if (w->fd < 0)
		return wall_drop_caps();
	/* before the domain, which may not write /sys */
	if ((r = wall_devcg_join()) < 0)
		return r;
	if ((r = wall_drop_caps()) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(__NR_landlock_restrict_self, w->fd, 0) < 0)
		return -errno;
	return 0;
}

void wall_close(struct wall *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
