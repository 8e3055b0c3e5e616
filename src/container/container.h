/* The container engine's building blocks: a container is an init process in
 * new namespaces, on a pivoted root, inside its own cgroup.  `mew run` uses
 * container_create + container_start + container_wait in one go; the OCI
 * runtime splits them across invocations (create, then start). */
#ifndef MEW_CONTAINER_CONTAINER_H
#define MEW_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "cgroup/cgroup.h"
#include "spec/spec.h"

struct container_opts {
	/* Run a minimal init as PID 1 that reaps zombies and forwards signals to
	 * the command (as bwrap and `docker --init` do); otherwise the command
	 * itself is PID 1 (as runc does). */
	bool init;
	/* Kill the container when the creating process dies (mew run). */
	bool die_with_parent;
	/* Cgroup name under mew's parent group; NULL = derived from mew's pid. */
	const char *cgroup_name;
	/* OCI (mew runtime): the container's cgroup path (container/cgroup_oci.h),
	 * used instead of mew's own group; NULL for `mew run`. */
	const char *oci_cgroup;
	/* OCI create/start split: once set up, the container waits until this
	 * FIFO is opened for reading (`mew runtime start`, after this process
	 * has exited) instead of waiting for container_start. */
	const char *start_fifo;
	/* OCI: run the command through a launcher (exec_launcher in
	 * container/exec.h): another engine inside the namespaces, cgroup
	 * and root set up here.  NULL = exec the command itself. */
	char *const *launch_argv;
	int launch_fd;
};

struct container {
	pid_t pid;	 /* host pid of the container's PID 1 */
	int sync_fd;	 /* our end of the socket to the container's init */
	int pty_master;	 /* with spec->tty, the terminal's master side; else -1 */
	struct cgroup cgroup;
	bool started;
};

/* Clone the container: namespaces, cgroup, mounts, pivot_root and identity
 * are set up, and the process waits for container_start before it execs. */
int container_create(const struct spec *spec, const struct container_opts *opts,
		     struct container *c, struct mew_error **err);
/* Let the container exec its command; fails with 126/127 when the command
 * cannot be executed or was not found. */
int container_start(struct container *c, struct mew_error **err);
/* Relay the terminal and signals until PID 1 exits: its status (128+N when
 * killed by signal N). */
int container_wait(const struct spec *spec, struct container *c, struct mew_error **err);
/* Kill what is left and remove the cgroup. */
void container_destroy(struct container *c);

#endif
