#include "cgroup/cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"

#define MEW_PARENT "mew"

static const char *cgroup_root = "/sys/fs/cgroup";
static int detected_mode = -1;

static const char *const v1_controllers[CGROUP_NCTRL] = {
	[CGROUP_MEMORY] = "memory",
	[CGROUP_PIDS] = "pids",
	[CGROUP_CPU] = "cpu",
};

static enum cgroup_mode detect_mode(void)
{
	char unified[256];
	struct statfs fs;

	if (statfs(cgroup_root, &fs) < 0)
		return CGROUP_MODE_NONE;
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_MODE_UNIFIED;
	if (fs.f_type != TMPFS_MAGIC)
		return CGROUP_MODE_NONE;
	snprintf(unified, sizeof(unified), "%s/unified", cgroup_root);
	if (statfs(unified, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_MODE_HYBRID;
	return CGROUP_MODE_LEGACY;
}

enum cgroup_mode cgroup_mode(void)
{
	if (detected_mode < 0)
		detected_mode = detect_mode();
	return (enum cgroup_mode)detected_mode;
}

void cgroup_use_root(const char *root, enum cgroup_mode mode)
{
	cgroup_root = root;
	detected_mode = (int)mode;
}

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	switch (mode) {
	case CGROUP_MODE_UNIFIED:
		return "unified";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	case CGROUP_MODE_LEGACY:
		return "legacy";
	default:
		return "none";
	}
}

bool cgroup_wanted(const struct spec_limits *limits)
{
	return limits->memory > 0 || limits->pids > 0 || limits->cpus > 0;
}

/* Write a value to dir/file; the error names the file and the value. */
int cgroup_write(const char *dir, const char *file, const char *value, struct mew_error **err)
{
	char path[4096];
	cleanup_close int fd = -1;
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mew_error(err, errno, "cgroup: open `%s`", path);
	if (write(fd, value, len) != (ssize_t)len)
		return mew_error(err, errno, "cgroup: write `%s` to `%s`", value, path);
	return 0;
}

bool cgroup_has(const char *dir, const char *file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static int make_group(const char *base, const char *name, char **out, struct mew_error **err)
{
	char *path = NULL;

	if (asprintf(&path, "%s/" MEW_PARENT "/%s", base, name) < 0)
		return mew_error(err, ENOMEM, "cgroup");
	if (file_mkdir_p(path, 0755, err) < 0) {
		free(path);
		if (*err != NULL && ((*err)->errnum == EACCES || (*err)->errnum == EROFS ||
				     (*err)->errnum == EPERM))
			return mew_error_wrap(err, "limits need root or a delegated cgroup");
		return -1;
	}
	*out = path;
	return 0;
}

/* v2 hands controllers down explicitly: enable the ones the limits need in
 * the root's and mew's subtree_control. */
static int enable_v2_controllers(const struct spec_limits *l, struct mew_error **err)
{
	char want[64] = "";
	char parent[256];

	if (l->memory > 0)
		strcat(want, "+memory ");
	if (l->pids > 0)
		strcat(want, "+pids ");
	if (l->cpus > 0)
		strcat(want, "+cpu ");
	snprintf(parent, sizeof(parent), "%s/" MEW_PARENT, cgroup_root);
	if (file_mkdir_p(parent, 0755, err) < 0)
		return mew_error_wrap(err, "limits need root or a delegated cgroup");
	if (cgroup_write(cgroup_root, "cgroup.subtree_control", want, err) < 0 ||
	    cgroup_write(parent, "cgroup.subtree_control", want, err) < 0)
		return -1;
	return 0;
}

int cgroup_create(const char *name, const struct spec_limits *limits, struct cgroup *cg,
		  struct mew_error **err)
{
	enum cgroup_mode mode = cgroup_mode();
	char base[256];

	memset(cg, 0, sizeof(*cg));
	switch (mode) {
	case CGROUP_MODE_NONE:
		return mew_error(err, 0, "limits: no cgroup filesystem at `%s`", cgroup_root);
	case CGROUP_MODE_UNIFIED:
		if (enable_v2_controllers(limits, err) < 0 ||
		    make_group(cgroup_root, name, &cg->paths[0], err) < 0)
			goto fail;
		cg->active = true;
		if (cgroup_set_resources(NULL, cg->paths[0], limits, NULL, err) < 0)
			goto fail;
		return 0;
	case CGROUP_MODE_HYBRID:
	case CGROUP_MODE_LEGACY:
		for (int i = 0; i < CGROUP_NCTRL; i++) {
			bool used = (i == CGROUP_MEMORY && limits->memory > 0) ||
				    (i == CGROUP_PIDS && limits->pids > 0) ||
				    (i == CGROUP_CPU && limits->cpus > 0);
			if (!used)
				continue;
			snprintf(base, sizeof(base), "%s/%s", cgroup_root, v1_controllers[i]);
			if (!file_is_dir(base)) {
				mew_error(err, 0, "limits: the %s controller is not mounted at `%s`",
					  v1_controllers[i], base);
				goto fail;
			}
			if (make_group(base, name, &cg->paths[i], err) < 0)
				goto fail;
			cg->active = true;
			if (cgroup_set_resources(v1_controllers[i], cg->paths[i], limits, NULL, err) < 0)
				goto fail;
		}
		return 0;
	}
fail:
	cgroup_destroy(cg);
	return -1;
}

const char *cgroup_path(const struct cgroup *cg, enum cgroup_ctrl ctrl)
{
	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		return cg->paths[0];
	return cg->paths[ctrl];
}

/* SIGKILL every process in the group. */
static void kill_members(const char *dir)
{
	char path[4096];
	cleanup_fclose FILE *f = NULL;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	while (f != NULL && fscanf(f, "%d", &pid) == 1)
		kill(pid, SIGKILL);
}

void cgroup_remove(const char *dir)
{
	struct timespec ts = { 0, 1000000 };

	/* Members dying take a moment to leave: retry for up to two seconds. */
	for (int i = 0; i < 2000; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY) {
			mew_warn("cgroup: remove `%s`: %s", dir, strerror(errno));
			return;
		}
		kill_members(dir);
		nanosleep(&ts, NULL);
	}
	mew_warn("cgroup: remove `%s`: still busy", dir);
}

void cgroup_destroy(struct cgroup *cg)
{
	for (int i = 0; i < CGROUP_NCTRL; i++) {
		if (cg->paths[i] == NULL)
			continue;
		cgroup_remove(cg->paths[i]);
		free(cg->paths[i]);
		cg->paths[i] = NULL;
	}
	cg->active = false;
}

/* Groups named run-<pid> belong to `mew run` process <pid>; once that
 * process is gone, nothing else will remove them. */
static void cleanup_parent(const char *parent)
{
	cleanup_dir DIR *d = opendir(parent);
	struct dirent *de;
	char path[4096];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		long pid;
		char *end;

		if (strncmp(de->d_name, "run-", 4) != 0)
			continue;
		pid = strtol(de->d_name + 4, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
		mew_debug("removing the cgroup `%s` a killed run left", path);
		cgroup_remove(path);
	}
}

void cgroup_cleanup_stale(void)
{
	char parent[256];

	switch (cgroup_mode()) {
	case CGROUP_MODE_UNIFIED:
		snprintf(parent, sizeof(parent), "%s/" MEW_PARENT, cgroup_root);
		cleanup_parent(parent);
		break;
	case CGROUP_MODE_HYBRID:
	case CGROUP_MODE_LEGACY:
		for (int i = 0; i < CGROUP_NCTRL; i++) {
			snprintf(parent, sizeof(parent), "%s/%s/" MEW_PARENT, cgroup_root, v1_controllers[i]);
			cleanup_parent(parent);
		}
		break;
	default:
		break;
	}
}
