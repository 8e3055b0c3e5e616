#include "container/cgroup_oci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* The v2 tree: "" on a unified host, "unified" beside a hybrid host's v1
 * controllers, NULL where there is none. */
static const char *v2_tree(void)
{
	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		return "";
	if (cgroup_mode() == CGROUP_MODE_HYBRID && file_exists(CGROUP_ROOT "/unified/cgroup.controllers"))
		return "unified";
	return NULL;
}

static bool v2_has(const char *ctrl)
{
	const char *tree = v2_tree();
	cleanup_free char *avail = NULL;
	char file[256];
	size_t len;

	if (tree == NULL)
		return false;
	snprintf(file, sizeof(file), CGROUP_ROOT "%s%s/cgroup.controllers", tree[0] != '\0' ? "/" : "", tree);
	if (file_read(file, &avail, &len, NULL) < 0)
		return false;
	for (char *tok = strtok(avail, " \n"); tok != NULL; tok = strtok(NULL, " \n"))
		if (strcmp(tok, ctrl) == 0)
			return true;
	return false;
}

static bool v1_has(const char *ctrl)
{
	char **hiers;
	bool found = false;

	if (cgroup_mode() == CGROUP_MODE_UNIFIED)
		return false;
	hiers = hierarchies();
	for (size_t i = 0; hiers != NULL && hiers[i] != NULL && !found; i++)
		found = cgroup_hier_has(hiers[i], ctrl);
	strv_free(hiers);
	return found;
}

/* Whether the v2 group writes ctrl's files: on a unified host always, on a
 * hybrid one only what is not bound to a v1 hierarchy. */
static bool v2_writes(const char *ctrl)
{
	return cgroup_mode() == CGROUP_MODE_UNIFIED || (!v1_has(ctrl) && v2_has(ctrl));
}

static bool has_any(const char *ctrl)
{
	return v1_has(ctrl) || v2_has(ctrl);
}

/* What the host cannot do at all, refused by name before anything is made. */
static int check_resources(const struct spec_resources *r, struct mew_error **err)
{
	const char *no = NULL, *field = NULL;

	if (r->blkio.set && !v1_has("blkio") && !v2_has("io"))
		no = "blkio (v1) or io (v2)", field = "blockIO";
	else if (r->nhugepages > 0 && !has_any("hugetlb"))
		no = "hugetlb", field = "hugepageLimits";
	else if (r->net_class_set && !v1_has("net_cls"))
		no = "net_cls (cgroup v1 only)", field = "network.classID";
	else if (r->nnet_priorities > 0 && !v1_has("net_prio"))
		no = "net_prio (cgroup v1 only)", field = "network.priorities";
	else if (r->nrdma > 0 && !has_any("rdma"))
		no = "rdma", field = "rdma";
	else if (r->unified != NULL && v2_tree() == NULL)
		no = "cgroup v2 hierarchy", field = "unified";
	if (no != NULL)
		return mew_error(err, 0, "config.json: linux.resources.%s: this host has no %s controller",
				 field, strcmp(field, "unified") == 0 ? "cgroup v2" : no);
	if (r->blkio.set && !v1_has("blkio")) {
		if (r->blkio.leaf_weight >= 0)
			return mew_error(err, 0, "config.json: linux.resources.blockIO.leafWeight: cgroup v2 "
					 "has no leaf weights");
		for (size_t i = 0; i < r->blkio.nweight_device; i++)
			if (r->blkio.weight_device[i].leaf_weight >= 0)
				return mew_error(err, 0, "config.json: linux.resources.blockIO.weightDevice[%zu]."
						 "leafWeight: cgroup v2 has no leaf weights", i);
	}
	return 0;
}

static int write_dev(const char *dir, const char *file, const struct spec_blkio_device *d,
		     const char *fmt, uint64_t value, struct mew_error **err)
{
	char buf[96], val[48];

	snprintf(val, sizeof(val), fmt, (unsigned long long)value);
	snprintf(buf, sizeof(buf), "%lld:%lld %s", (long long)d->major, (long long)d->minor, val);
	return cgroup_write(dir, file, buf, err);
}

static int blkio_v1(const char *dir, const struct spec_blkio *b, struct mew_error **err)
{
	static const char *const throttle[SPEC_BLKIO_NTHROTTLE] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
	};
	char buf[32];

	if (b->weight >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->weight);
		if (cgroup_write(dir, "blkio.weight", buf, err) < 0)
			return -1;
	}
	if (b->leaf_weight >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->leaf_weight);
		if (cgroup_write(dir, "blkio.leaf_weight", buf, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->nweight_device; i++) {
		const struct spec_blkio_device *d = &b->weight_device[i];
		if ((d->weight >= 0 && write_dev(dir, "blkio.weight_device", d, "%llu", (uint64_t)d->weight, err) < 0) ||
		    (d->leaf_weight >= 0 &&
		     write_dev(dir, "blkio.leaf_weight_device", d, "%llu", (uint64_t)d->leaf_weight, err) < 0))
			return -1;
	}
	for (int k = 0; k < SPEC_BLKIO_NTHROTTLE; k++)
		for (size_t i = 0; i < b->nthrottle[k]; i++)
			if (write_dev(dir, throttle[k], &b->throttle[k][i], "%llu", b->throttle[k][i].rate, err) < 0)
				return -1;
	return 0;
}

/* v1's blkio weight [10, 1000] as v2's io.weight [1, 10000] (runc's mapping);
 * io.bfq.weight takes v1's range as it is. */
static int blkio_v2(const char *dir, const struct spec_blkio *b, struct mew_error **err)
{
	static const char *const key[SPEC_BLKIO_NTHROTTLE] = { "rbps=%llu", "wbps=%llu", "riops=%llu", "wiops=%llu" };
	bool bfq = cgroup_has(dir, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	char buf[48];

	if (b->weight > 0) {
		uint64_t w = bfq ? (uint64_t)b->weight : 1 + ((uint64_t)(b->weight > 10 ? b->weight - 10 : 0) * 9999) / 990;
		snprintf(buf, sizeof(buf), bfq ? "%llu" : "default %llu", (unsigned long long)w);
		if (cgroup_write(dir, wfile, buf, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->nweight_device; i++) {
		const struct spec_blkio_device *d = &b->weight_device[i];
		uint64_t w = bfq ? (uint64_t)d->weight : 1 + ((uint64_t)(d->weight > 10 ? d->weight - 10 : 0) * 9999) / 990;
		if (d->weight >= 0 && write_dev(dir, wfile, d, "%llu", w, err) < 0)
			return -1;
	}
	for (int k = 0; k < SPEC_BLKIO_NTHROTTLE; k++)
		for (size_t i = 0; i < b->nthrottle[k]; i++)
			if (write_dev(dir, "io.max", &b->throttle[k][i], key[k], b->throttle[k][i].rate, err) < 0)
				return -1;
	return 0;
}

static int hugetlb_write(const char *dir, const struct spec_resources *r, const char *suffix,
			 struct mew_error **err)
{
	char file[96], buf[32], path[PATH_MAX];

	for (size_t i = 0; i < r->nhugepages; i++) {
		snprintf(file, sizeof(file), "hugetlb.%s.%s", r->hugepages[i].page_size, suffix);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->hugepages[i].limit);
		/* a size the host does not have, or not named as the kernel
		 * names it (2MB, 1GB; runc refuses these too) */
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return mew_error(err, 0, "config.json: linux.resources.hugepageLimits[%zu].pageSize: `%s` is not a huge page size of this host (its cgroup has no %s)",
					 i, r->hugepages[i].page_size, file);
		if (cgroup_write(dir, file, buf, err) < 0)
			return mew_error_wrap(err, "config.json: linux.resources.hugepageLimits[%zu]", i);
	}
	return 0;
}

static int rdma_write(const char *dir, const struct spec_resources *r, struct mew_error **err)
{
	char buf[256], h[24] = "max", o[24] = "max";

	for (size_t i = 0; i < r->nrdma; i++) {
		const struct spec_rdma_limit *l = &r->rdma[i];
		if (l->hca_handles >= 0)
			snprintf(h, sizeof(h), "%lld", (long long)l->hca_handles);
		if (l->hca_objects >= 0)
			snprintf(o, sizeof(o), "%lld", (long long)l->hca_objects);
		snprintf(buf, sizeof(buf), "%s hca_handle=%s hca_object=%s", l->device, h, o);
		if (cgroup_write(dir, "rdma.max", buf, err) < 0)
			return mew_error_wrap(err, "config.json: linux.resources.rdma.%s", l->device);
	}
	return 0;
}

/* blockIO, hugepageLimits, network and rdma in one v1 hierarchy. */
static int extra_v1(const char *hier, const char *dir, const struct spec_resources *r, struct mew_error **err)
{
	char buf[96];

	if (cgroup_hier_has(hier, "blkio") && r->blkio.set && blkio_v1(dir, &r->blkio, err) < 0)
		return mew_error_wrap(err, "config.json: linux.resources.blockIO");
	if (cgroup_hier_has(hier, "hugetlb") && hugetlb_write(dir, r, "limit_in_bytes", err) < 0)
		return -1;
	if (cgroup_hier_has(hier, "net_cls") && r->net_class_set) {
		snprintf(buf, sizeof(buf), "%u", r->net_class_id);
		if (cgroup_write(dir, "net_cls.classid", buf, err) < 0)
			return mew_error_wrap(err, "config.json: linux.resources.network.classID");
	}
	for (size_t i = 0; cgroup_hier_has(hier, "net_prio") && i < r->nnet_priorities; i++) {
		snprintf(buf, sizeof(buf), "%s %u", r->net_priorities[i].name, r->net_priorities[i].priority);
		if (cgroup_write(dir, "net_prio.ifpriomap", buf, err) < 0)
			return mew_error_wrap(err, "config.json: linux.resources.network.priorities[%zu]", i);
	}
	if (cgroup_hier_has(hier, "rdma") && rdma_write(dir, r, err) < 0)
		return -1;
	return 0;
}

/* The same in the v2 group (on a hybrid host, for what v1 does not hold),
 * and the unified files as they are. */
static int extra_v2(const char *dir, const struct spec_resources *r, struct mew_error **err)
{
	if (r->blkio.set && v2_writes("io") && blkio_v2(dir, &r->blkio, err) < 0)
		return mew_error_wrap(err, "config.json: linux.resources.blockIO");
	if (v2_writes("hugetlb") && hugetlb_write(dir, r, "max", err) < 0)
		return -1;
	if (v2_writes("rdma") && rdma_write(dir, r, err) < 0)
		return -1;
	for (size_t i = 0; r->unified != NULL && r->unified[i] != NULL; i++) {
		const char *eq = strchr(r->unified[i], '=');
		char file[256];
		snprintf(file, sizeof(file), "%.*s", (int)(eq - r->unified[i]), r->unified[i]);
		if (!cgroup_has(dir, file))
			return mew_error(err, 0, "config.json: linux.resources.unified.%s: no such file in "
					 "the cgroup v2 group (is its controller on cgroup v2 here?)", file);
		if (cgroup_write(dir, file, eq + 1, err) < 0)
			return mew_error_wrap(err, "config.json: linux.resources.unified.%s", file);
	}
	return 0;
}

/* On a hybrid host, whether the v2 tree gets a group: for files only v2
 * holds (unified) or controllers bound there (hugetlb here, say). */
static bool hybrid_needs_v2(const struct spec_resources *r)
{
	if (cgroup_mode() != CGROUP_MODE_HYBRID || v2_tree() == NULL)
		return false;
	return r->unified != NULL || (r->blkio.set && v2_writes("io")) ||
	       (r->nhugepages > 0 && v2_writes("hugetlb")) || (r->nrdma > 0 && v2_writes("rdma"));
}

/* Whether the config asks for v2 controller ctrl: its resources, or a file
 * of it in linux.resources.unified. */
static bool asks_v2(const struct spec_resources *r, const char *ctrl)
{
	size_t n = strlen(ctrl);

	if (r == NULL)
		return false;
	if ((strcmp(ctrl, "io") == 0 && r->blkio.set) || (strcmp(ctrl, "hugetlb") == 0 && r->nhugepages > 0) ||
	    (strcmp(ctrl, "rdma") == 0 && r->nrdma > 0))
		return true;
	for (size_t i = 0; r->unified != NULL && r->unified[i] != NULL; i++)
		if (strncmp(r->unified[i], ctrl, n) == 0 && r->unified[i][n] == '.')
			return true;
	return false;
}

/* v2 hands controllers down level by level, from the tree's root (base) to
 * the group at path: mew's usual set (cpu, memory, pids, cpuset, io: those a
 * service manager enables at the root anyway) unless only_asked, and those
 * the config asks for (hugetlb, rdma, ...).  What is enabled at the root
 * stays there after the container is gone. */
static void enable_v2(const char *base, const char *path, bool only_asked, const struct spec_resources *r)
{
	cleanup_free char *avail = NULL;
	char dir[4096], file[4200], want[256] = "";
	size_t len;

	snprintf(file, sizeof(file), "%s/cgroup.controllers", base);
	if (file_read(file, &avail, &len, NULL) < 0)
		return;
	for (char *tok = strtok(avail, " \n"); tok != NULL; tok = strtok(NULL, " \n")) {
		bool usual = strcmp(tok, "cpu") == 0 || strcmp(tok, "memory") == 0 || strcmp(tok, "pids") == 0 ||
			     strcmp(tok, "cpuset") == 0 || strcmp(tok, "io") == 0;
		if ((usual && !only_asked) || asks_v2(r, tok)) {
			strcat(want, "+");
			strcat(want, tok);
			strcat(want, " ");
		}
	}
	if (want[0] == '\0')
		return;
	snprintf(dir, sizeof(dir), "%s", base);
	for (const char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		cgroup_write(dir, "cgroup.subtree_control", want, NULL);
		snprintf(dir, sizeof(dir), "%s/%.*s", base, (int)(p - path - 1), path + 1);
	}
	cgroup_write(dir, "cgroup.subtree_control", want, NULL);
}

static int apply(const char *path, const struct spec *spec, struct cgroup_birth *birth,
		 struct mew_error **err);

int cgroup_oci_create(const char *path, const struct spec *spec, struct cgroup_birth *birth,
		      struct mew_error **err)
{
	if (apply(path, spec, birth, err) < 0) {
		cgroup_birth_close(birth);
		cgroup_oci_destroy(path);
		return -1;
	}
	return 0;
}

int cgroup_oci_update(const char *path, const struct spec *spec, struct mew_error **err)
{
	return apply(path, spec, NULL, err);
}

/* A hybrid host's v2 group, only when the config needs it: moving a
 * process there costs an RCU grace period. */
static int apply_hybrid_v2(const char *path, const struct spec_resources *r,
			   struct cgroup_birth *birth, struct mew_error **err)
{
	cleanup_free char *dir = group_dir("unified", path);

	if (dir == NULL || file_mkdir_p(dir, 0755, err) < 0)
		return -1;
	enable_v2(CGROUP_ROOT "/unified", path, true, r);
	if (extra_v2(dir, r, err) < 0)
		return -1;
	return birth != NULL ? cgroup_birth_add(birth, dir, true, err) : 0;
}

/* Make the groups and write the resources; with birth, also how the
 * container's first process enters them (create). */
static int apply(const char *path, const struct spec *spec, struct cgroup_birth *birth,
		 struct mew_error **err)
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
	if (spec->oci != NULL && check_resources(&spec->oci->resources, err) < 0)
		return -1;
	hiers = hierarchies();
	for (size_t i = 0; r == 0 && hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		char base[512];

		if (dir == NULL || file_mkdir_p(dir, 0755, err) < 0) {
			r = -1;
			break;
		}
		/* (the levels above exist now) */
		if (cgroup_mode() == CGROUP_MODE_UNIFIED)
			enable_v2(CGROUP_ROOT, path, false, spec->oci != NULL ? &spec->oci->resources : NULL);
		snprintf(base, sizeof(base), CGROUP_ROOT "%s%s", hiers[i][0] != '\0' ? "/" : "", hiers[i]);
		if (cgroup_hier_has(hiers[i], "cpuset") && cpuset_fill(base, path, err) < 0)
			r = -1;
		else
			r = cgroup_set_resources(cgroup_mode() == CGROUP_MODE_UNIFIED ? NULL : hiers[i], dir,
						 &spec->limits, spec->oci, err);
		/* linux.resources' other controllers (OCI only) */
		if (r == 0 && spec->oci != NULL)
			r = cgroup_mode() == CGROUP_MODE_UNIFIED ? extra_v2(dir, &spec->oci->resources, err)
								 : extra_v1(hiers[i], dir, &spec->oci->resources, err);
		if (r == 0 && birth != NULL)
			r = cgroup_birth_add(birth, dir, cgroup_mode() == CGROUP_MODE_UNIFIED, err);
	}
	strv_free(hiers);
	if (r == 0 && spec->oci != NULL && hybrid_needs_v2(&spec->oci->resources))
		r = apply_hybrid_v2(path, &spec->oci->resources, birth, err);
	return r;
}

int cgroup_oci_birth(const char *path, struct cgroup_birth *birth, struct mew_error **err)
{
	char **hiers = hierarchies();
	cleanup_free char *hybrid_v2 = NULL;
	int r = 0;

	for (size_t i = 0; r == 0 && hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		if (dir != NULL && file_is_dir(dir))
			r = cgroup_birth_add(birth, dir, cgroup_mode() == CGROUP_MODE_UNIFIED, err);
	}
	strv_free(hiers);
	/* the v2 group create made where linux.resources needed one */
	if (r == 0 && cgroup_mode() == CGROUP_MODE_HYBRID && (hybrid_v2 = group_dir("unified", path)) != NULL &&
	    file_is_dir(hybrid_v2))
		r = cgroup_birth_add(birth, hybrid_v2, true, err);
	if (r < 0)
		cgroup_birth_close(birth);
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
	/* A hybrid host's v2 group, where the config needed one. */
	if (cgroup_mode() == CGROUP_MODE_HYBRID)
		strv_push(&hiers, "unified");
	for (size_t i = 0; hiers != NULL && hiers[i] != NULL; i++) {
		cleanup_free char *dir = group_dir(hiers[i], path);
		if (dir == NULL || (strcmp(hiers[i], "unified") == 0 && !file_is_dir(dir)))
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
