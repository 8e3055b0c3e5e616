#include "container/cgroup_oci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"
#include "cgroup/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

char *cgroup_oci_path(const struct spec *spec, const char *id)
{
	const char *given = spec != NULL && spec->oci != NULL ? spec->oci->cgroups_path : NULL;
	char *out = NULL;

	if (given == NULL || given[0] == '\0') {
		if (asprintf(&out, "/mew-runtime/%s", id) < 0)
			return NULL;
		return out;
	}
	if (given[0] != '/' && strchr(given, ':') != NULL) {
		/* systemd's slice:prefix:name, as a plain path under the slice. */
		char *copy = strdup(given), *prefix, *name;
		if (copy == NULL)
			return NULL;
		prefix = strchr(copy, ':');
		*prefix++ = '\0';
		name = strchr(prefix, ':');
		if (name != NULL)
			*name++ = '\0';
		if (asprintf(&out, "/%s/%s%s%s.scope", copy[0] != '\0' ? copy : "system.slice", prefix,
			     prefix[0] != '\0' ? "-" : "", name != NULL ? name : id) < 0)
			out = NULL;
		free(copy);
		return out;
	}
	if (asprintf(&out, "%s%s", given[0] == '/' ? "" : "/", given) < 0)
		return NULL;
	return out;
}

static bool path_ok(const char *path)
{
	return path != NULL && path[0] == '/' && strstr(path, "/../") == NULL &&
	       !(strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0);
}

/* The hierarchies to use: v1 -> every mounted controller directory (and the
 * v2 tree of a hybrid host); v2 -> the root itself (""). */
static char **hierarchies(void)
{
	char **out = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (cgroup_mode() == CGROUP_MODE_UNIFIED) {
		strv_push(&out, "");
		return out;
	}
	d = opendir(CGROUP_ROOT);
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char p[512];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), CGROUP_ROOT "/%s", de->d_name);
		/* cpu -> cpu,cpuacct links name a hierarchy twice */
		if (lstat(p, &sb) < 0 || !S_ISDIR(sb.st_mode))
			continue;
		/* A hybrid host's v2 tree holds no controllers, and moving a
		 * process into it costs milliseconds (an RCU grace period). */
		if (strcmp(de->d_name, "unified") == 0)
			continue;
		strv_push(&out, de->d_name);
	}
	return out;
}

static char *group_dir(const char *hier, const char *path)
{
	char *out = NULL;
	if (asprintf(&out, CGROUP_ROOT "%s%s%s", hier[0] != '\0' ? "/" : "", hier, path) < 0)
		return NULL;
	return out;
}

/* A new cpuset group starts empty and takes no tasks: copy each level's
 * cpus and mems from its parent. */
static int cpuset_fill(const char *base, const char *path, struct mew_error **err)
{
	char dir[4096], parent[4096];
	const char *files[] = { "cpuset.cpus", "cpuset.mems" };

	snprintf(parent, sizeof(parent), "%s", base);
	for (const char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		snprintf(dir, sizeof(dir), "%s/%.*s", base, (int)(p - path - 1), path + 1);
		for (size_t i = 0; i < 2; i++) {
			char fp[4200];
			cleanup_free char *cur = NULL, *up = NULL;
			size_t len;
			snprintf(fp, sizeof(fp), "%s/%s", dir, files[i]);
			if (file_read(fp, &cur, &len, NULL) < 0)
				continue;
			if (cur[0] != '\n' && cur[0] != '\0')
				continue;
			snprintf(fp, sizeof(fp), "%s/%s", parent, files[i]);
			if (file_read(fp, &up, &len, err) < 0 || cgroup_write(dir, files[i], up, err) < 0)
				return -1;
		}
		snprintf(parent, sizeof(parent), "%s", dir);
		if (*p == '\0')
			break;
	}
	return 0;
}

/* v2 hands controllers down level by level. */
static void enable_v2(const char *path)
{
	cleanup_free char *avail = NULL;
	char dir[4096], want[256] = "";
	size_t len;

	if (file_read(CGROUP_ROOT "/cgroup.controllers", &avail, &len, NULL) < 0)
		return;
	for (char *tok = strtok(avail, " \n"); tok != NULL; tok = strtok(NULL, " \n")) {
		if (strcmp(tok, "cpu") == 0 || strcmp(tok, "memory") == 0 || strcmp(tok, "pids") == 0 ||
		    strcmp(tok, "cpuset") == 0 || strcmp(tok, "io") == 0) {
			strcat(want, "+");
			strcat(want, tok);
			strcat(want, " ");
		}
	}
	snprintf(dir, sizeof(dir), CGROUP_ROOT);
	for (const char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		cgroup_write(dir, "cgroup.subtree_control", want, NULL);
		snprintf(dir, sizeof(dir), CGROUP_ROOT "/%.*s", (int)(p - path - 1), path + 1);
	}
	cgroup_write(dir, "cgroup.subtree_control", want, NULL);
}

static int add_pid(const char *dir, pid_t pid, struct mew_error **err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cgroup_write(dir, "cgroup.procs", buf, err);
}

static int apply(const char *path, const struct spec *spec, pid_t pid, struct mew_error **err);

int cgroup_oci_create(const char *path, const struct spec *spec, pid_t pid, struct mew_error **err)
{
	if (apply(path, spec, pid, err) < 0) {
		cgroup_oci_destroy(path);
		return -1;
	}
	return 0;
}

int cgroup_oci_update(const char *path, const struct spec *spec, struct mew_error **err)
{
	return apply(path, spec, 0, err);
}

static int apply(const char *path, const struct spec *spec, pid_t pid, struct mew_error **err)
{
	char **hiers;
	int r = 0;

	if (!path_ok(path))
		return mew_error(err, 0, "config.json: linux.cgroupsPath: invalid path `%s`", path);
	if (cgroup_mode() == CGROUP_MODE_NONE) {
		if (cgroup_wanted(&spec->limits))
			return mew_error(err, 0, "limits: no cgroup filesystem at " CGROUP_ROOT);
		return 0;
	}
	hiers = hierarchies();
	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		enable_v2(path);
	for (size_t i = 0; r == 0 && hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		char base[512];

		if (dir == NULL || file_mkdir_p(dir, 0755, err) < 0) {
			r = -1;
			break;
		}
		snprintf(base, sizeof(base), CGROUP_ROOT "%s%s", hiers[i][0] != '\0' ? "/" : "", hiers[i]);
		if (cgroup_hier_has(hiers[i], "cpuset") && cpuset_fill(base, path, err) < 0)
			r = -1;
		else
			r = cgroup_set_resources(cgroup_mode() == CGROUP_MODE_UNIFIED ? NULL : hiers[i], dir,
						 &spec->limits, spec->oci, err);
		if (r == 0 && pid > 0)
			r = add_pid(dir, pid, err);
	}
	strv_free(hiers);
	return r;
}

int cgroup_oci_join(const char *path, pid_t pid, struct mew_error **err)
{
	char **hiers = hierarchies();
	int r = 0;

	for (size_t i = 0; r == 0 && hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		if (dir != NULL && file_is_dir(dir))
			r = add_pid(dir, pid, err);
	}
	strv_free(hiers);
	return r;
}

static char *procs_dir(const char *path, const char *ctrl)
{
	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		return group_dir("", path);
	return group_dir(ctrl, path);
}

int cgroup_oci_pids(const char *path, pid_t **pids, size_t *n)
{
	const char *prefer[] = { "pids", "memory", "freezer", "cpu" };
	cleanup_fclose FILE *f = NULL;
	char file[4200];
	int pid;

	*pids = NULL;
	*n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prefer) && f == NULL; i++) {
		cleanup_free char *dir = procs_dir(path, prefer[i]);
		if (dir == NULL)
			continue;
		snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
		f = fopen(file, "re");
		if (cgroup_mode() == CGROUP_MODE_UNIFIED)
			break;
	}
	if (f == NULL)
		return -1;
	while (fscanf(f, "%d", &pid) == 1) {
		pid_t *grown = realloc(*pids, (*n + 1) * sizeof(pid_t));
		if (grown == NULL)
			break;
		*pids = grown;
		(*pids)[(*n)++] = pid;
	}
	return 0;
}

int cgroup_oci_freeze(const char *path, bool frozen, struct mew_error **err)
{
	cleanup_free char *dir = procs_dir(path, "freezer");
	struct timespec ts = { 0, 1000000 };

	if (dir == NULL || !file_is_dir(dir))
		return mew_error(err, ENOENT, "cgroup: no freezer group for `%s`", path);
	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		return cgroup_write(dir, "cgroup.freeze", frozen ? "1" : "0", err);
	if (cgroup_write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
		return -1;
	/* FREEZING settles into FROZEN once every task has stopped. */
	for (int i = 0; frozen && i < 2000 && !cgroup_oci_frozen(path); i++)
		nanosleep(&ts, NULL);
	return 0;
}

bool cgroup_oci_frozen(const char *path)
{
	cleanup_free char *dir = procs_dir(path, "freezer");
	cleanup_free char *buf = NULL;
	char file[4200];
	size_t len;

	if (dir == NULL)
		return false;
	if (cgroup_mode() == CGROUP_MODE_UNIFIED) {
		snprintf(file, sizeof(file), "%s/cgroup.events", dir);
		return file_read(file, &buf, &len, NULL) == 0 && strstr(buf, "frozen 1") != NULL;
	}
	snprintf(file, sizeof(file), "%s/freezer.state", dir);
	return file_read(file, &buf, &len, NULL) == 0 && str_has_prefix(buf, "FROZEN");
}

void cgroup_oci_destroy(const char *path)
{
	char **hiers;

	if (!path_ok(path))
		return;
	/* A frozen group never lets its members die. */
	if (cgroup_oci_frozen(path))
		cgroup_oci_freeze(path, false, NULL);
	hiers = hierarchies();
	for (size_t i = 0; hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		if (dir == NULL)
			continue;
		cgroup_remove(dir);
		/* The parent mew made for groups without a cgroupsPath goes with
		 * its last child; a busy one stays. */
		if (str_has_prefix(path, "/mew-runtime/")) {
			char *slash = strrchr(dir, '/');
			*slash = '\0';
			rmdir(dir);
		}
	}
	strv_free(hiers);
}
