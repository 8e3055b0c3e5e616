#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"

static int probe(char *why, size_t len)
{
	int fd;
	unsigned long max = 0;
	FILE *f;

	if (geteuid() == 0) {
		snprintf(why, len, "root; cgroups %s", cgroup_mode_name(cgroup_mode()));
		return 0;
	}
	/* Rootless needs unprivileged user namespaces. */
	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (f != NULL) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 1;
		fclose(f);
	}
	if (max == 0) {
		snprintf(why, len, "user namespaces are disabled (user.max_user_namespaces = 0)");
		return -1;
	}
	fd = open("/proc/sys/kernel/unprivileged_userns_clone", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char c = '1';
		if (read(fd, &c, 1) == 1 && c == '0') {
			close(fd);
			snprintf(why, len, "unprivileged user namespaces are disabled "
					   "(kernel.unprivileged_userns_clone = 0)");
			return -1;
		}
		close(fd);
	}
	snprintf(why, len, "rootless (user namespace); limits need a delegated cgroup");
	return 0;
}

static int run(const struct spec *spec, struct mew_error **err)
{
	struct container_opts opts = { .init = true, .die_with_parent = true };
	struct container c;
	int status;

	if (container_create(spec, &opts, &c, err) < 0)
		return -1;
	if (container_start(&c, err) < 0) {
		container_destroy(&c);
		return -1;
	}
	status = container_wait(spec, &c, err);
	container_destroy(&c);
	return status;
}

const struct engine engine_container = {
	.name = "container",
	.summary = "namespaces + cgroups + a root directory (like crun, runc)",
	.probe = probe,
	.run = run,
};
