/* The one writer of resources into a cgroup, for `mew run`'s limits and an
 * OCI container's linux.resources alike (src/container/cgroup_oci.c makes the
 * OCI groups, src/cgroup/cgroup.c mew run's). */
#include "cgroup/cgroup.h"

#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"

bool cgroup_hier_has(const char *hier, const char *ctrl)
{
	size_t n = strlen(ctrl);
	for (const char *p = hier; (p = strstr(p, ctrl)) != NULL; p += n)
		if ((p == hier || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static void device_line(char *buf, size_t len, const struct spec_device_rule *r)
{
	char maj[24] = "*", min[24] = "*";
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)r->minor);
	if (r->type == 'a')
		snprintf(buf, len, "a");
	else
		snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* runc's allow-list, after the config's own rules: the nodes every container
 * gets, and mknod of anything (the node is useless without access). */
static const struct spec_device_rule default_devices[] = {
	{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" }, { true, 'c', 1, 3, "rwm" },
	{ true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" }, { true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" }, { true, 'c', 5, 1, "rwm" },
	{ true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" }, { true, 'c', 10, 200, "rwm" },
};

static int devices_v1(const char *dir, const struct spec_oci *oci, struct mew_error **err)
{
	const struct spec_resources *r = &oci->resources;
	char line[96];

	for (size_t i = 0; i < r->ndevices; i++) {
		device_line(line, sizeof(line), &r->devices[i]);
		if (cgroup_write(dir, r->devices[i].allow ? "devices.allow" : "devices.deny", line, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		device_line(line, sizeof(line), &default_devices[i]);
		if (cgroup_write(dir, "devices.allow", line, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < oci->ndevices; i++) {
		const struct spec_device *d = &oci->devices[i];
		struct spec_device_rule rule = { true, d->type == 'b' ? 'b' : 'c', d->major, d->minor, "rwm" };
		if (d->type == 'p')
			continue;
		device_line(line, sizeof(line), &rule);
		if (cgroup_write(dir, "devices.allow", line, err) < 0)
			return -1;
	}
	return 0;
}

static int resources_v1(const char *hier, const char *dir, const struct spec_limits *l,
			const struct spec_oci *oci, struct mew_error **err)
{
	const struct spec_resources *r = oci != NULL ? &oci->resources : NULL;
	char buf[64];

	if (cgroup_hier_has(hier, "memory")) {
		if (l->memory > 0) {
			/* No swap beyond the limit unless the config allows it. */
			int64_t sw = r != NULL && r->memory_swap != 0 ? r->memory_swap : l->memory;
			char swbuf[64];
			bool memsw = cgroup_has(dir, "memory.memsw.limit_in_bytes");

			snprintf(buf, sizeof(buf), "%lld", (long long)l->memory);
			snprintf(swbuf, sizeof(swbuf), "%lld", (long long)sw);
			/* memory <= memsw at every step: a raise (update) moves memsw first. */
			if (cgroup_write(dir, "memory.limit_in_bytes", buf, NULL) < 0) {
				if (!memsw)
					return cgroup_write(dir, "memory.limit_in_bytes", buf, err);
				if (cgroup_write(dir, "memory.memsw.limit_in_bytes", swbuf, err) < 0 ||
				    cgroup_write(dir, "memory.limit_in_bytes", buf, err) < 0)
					return -1;
			} else if (memsw && cgroup_write(dir, "memory.memsw.limit_in_bytes", swbuf, err) < 0) {
				return -1;
			}
		}
		if (r != NULL && r->memory_reservation > 0) {
			snprintf(buf, sizeof(buf), "%lld", (long long)r->memory_reservation);
			if (cgroup_write(dir, "memory.soft_limit_in_bytes", buf, err) < 0)
				return -1;
		}
		if (r != NULL && r->memory_swappiness >= 0 && cgroup_has(dir, "memory.swappiness")) {
			snprintf(buf, sizeof(buf), "%lld", (long long)r->memory_swappiness);
			if (cgroup_write(dir, "memory.swappiness", buf, NULL) < 0)
				mew_debug("cgroup: memory.swappiness not set");
		}
		if (r != NULL && r->disable_oom_killer && cgroup_write(dir, "memory.oom_control", "1", err) < 0)
			return -1;
	}
	if (cgroup_hier_has(hier, "pids") && l->pids > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)l->pids);
		if (cgroup_write(dir, "pids.max", buf, err) < 0)
			return -1;
	}
	if (cgroup_hier_has(hier, "cpu")) {
		uint64_t period = r != NULL && r->cpu_period > 0 ? r->cpu_period : 100000;
		if (l->cpus > 0 || (r != NULL && r->cpu_period > 0)) {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)period);
			if (cgroup_write(dir, "cpu.cfs_period_us", buf, err) < 0)
				return -1;
		}
		if (l->cpus > 0) {
			snprintf(buf, sizeof(buf), "%lld", (long long)(l->cpus * (double)period));
			if (cgroup_write(dir, "cpu.cfs_quota_us", buf, err) < 0)
				return -1;
		}
		if (r != NULL && r->cpu_shares > 0) {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->cpu_shares);
			if (cgroup_write(dir, "cpu.shares", buf, err) < 0)
				return -1;
		}
	}
	if (cgroup_hier_has(hier, "cpuset") && r != NULL) {
		if (r->cpuset_cpus != NULL && r->cpuset_cpus[0] != '\0' &&
		    cgroup_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
			return -1;
		if (r->cpuset_mems != NULL && r->cpuset_mems[0] != '\0' &&
		    cgroup_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
			return -1;
	}
	if (cgroup_hier_has(hier, "devices") && r != NULL && r->devices != NULL &&
	    devices_v1(dir, oci, err) < 0)
		return -1;
	return 0;
}

static int resources_v2(const char *dir, const struct spec_limits *l, const struct spec_oci *oci,
			struct mew_error **err)
{
	const struct spec_resources *r = oci != NULL ? &oci->resources : NULL;
	char buf[64];

	if (l->memory > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)l->memory);
		if (cgroup_write(dir, "memory.max", buf, err) < 0)
			return -1;
		if (cgroup_has(dir, "memory.swap.max")) {
			int64_t sw = r != NULL && r->memory_swap != 0 ? r->memory_swap : l->memory;
			if (sw < 0)
				snprintf(buf, sizeof(buf), "max");
			else
				snprintf(buf, sizeof(buf), "%lld", (long long)(sw > l->memory ? sw - l->memory : 0));
			if (cgroup_write(dir, "memory.swap.max", buf, err) < 0)
				return -1;
		}
	}
	if (r != NULL && r->memory_reservation > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)r->memory_reservation);
		if (cgroup_write(dir, "memory.low", buf, err) < 0)
			return -1;
	}
	if (l->pids > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)l->pids);
		if (cgroup_write(dir, "pids.max", buf, err) < 0)
			return -1;
	}
	if (l->cpus > 0) {
		uint64_t period = r != NULL && r->cpu_period > 0 ? r->cpu_period : 100000;
		snprintf(buf, sizeof(buf), "%lld %llu", (long long)(l->cpus * (double)period),
			 (unsigned long long)period);
		if (cgroup_write(dir, "cpu.max", buf, err) < 0)
			return -1;
	}
	if (r != NULL && r->cpu_shares > 0) {
		/* runc's conversion of v1 shares [2, 262144] to v2 weight [1, 10000]. */
		uint64_t w = 1 + ((r->cpu_shares - 2) * 9999) / 262142;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)w);
		if (cgroup_write(dir, "cpu.weight", buf, err) < 0)
			return -1;
	}
	if (r != NULL && r->cpuset_cpus != NULL && r->cpuset_cpus[0] != '\0' &&
	    cgroup_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
		return -1;
	if (r != NULL && r->cpuset_mems != NULL && r->cpuset_mems[0] != '\0' &&
	    cgroup_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
		return -1;
	if (r != NULL && r->devices != NULL)
		mew_debug("cgroup v2: the device allow-list needs eBPF; not enforced");
	return 0;
}

int cgroup_set_resources(const char *hier, const char *dir, const struct spec_limits *limits,
			 const struct spec_oci *oci, struct mew_error **err)
{
	if (hier == NULL)
		return resources_v2(dir, limits, oci, err);
	return resources_v1(hier, dir, limits, oci, err);
}
