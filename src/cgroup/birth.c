/* A container's first process enters its groups at birth, not after.
 *
 * Moving another process in (a pid written to cgroup.procs) takes the
 * kernel's cgroup_threadgroup_rwsem for writing, and that waits out an RCU
 * grace period whenever the lock has been idle: about 1.5-2 ms here, more
 * a large share of a container's start-up.  Two ways spare it:
 *
 *  - cgroup v2: clone3(CLONE_INTO_CGROUP) creates the child inside the
 *    group (crun does this); it is never anywhere else.
 *  - cgroup v1, which clone3 cannot place into: the child writes "0" to
 *    each hierarchy's `tasks` as its first act.  A single thread moving
 *    itself takes no global lock (cgroup_procs_write_start: "If the thread
 *    is `current` ... we can skip the global lock"), and a fresh clone is
 *    one thread, so the whole process moves.  The files are opened here,
 *    before the clone, while mew's view of /sys/fs/cgroup is the host's.
 *
 * Where clone3 refuses (a kernel before 5.7: ENOSYS, E2BIG or EINVAL; a
 * permission check after a joined user namespace), mew writes the pid to
 * cgroup.procs as before, and a failed write fails the start: slower, never
 * less exact.  MEW_CGROUP_BIRTH=procs asks for that way everywhere (tests,
 * benchmarks). */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"

void cgroup_birth_init(struct cgroup_birth *b)
{
	memset(b, 0, sizeof(*b));
	b->v2_fd = -1;
	b->by_procs = getenv("MEW_CGROUP_BIRTH") != NULL && strcmp(getenv("MEW_CGROUP_BIRTH"), "procs") == 0;
}

int cgroup_birth_add(struct cgroup_birth *b, const char *dir, bool v2, struct mew_error **err)
{
	char path[4096];
	int fd;

	if (b->ndirs == CGROUP_BIRTH_MAX)
		return mew_error(err, E2BIG, "cgroup: more than %d hierarchies", CGROUP_BIRTH_MAX);
	if (v2 && b->v2_dir != NULL)
		return mew_error(err, EINVAL, "cgroup: two v2 groups (`%s`, `%s`)", b->v2_dir, dir);
	b->dirs[b->ndirs] = strdup(dir);
	if (b->dirs[b->ndirs] == NULL)
		return mew_error(err, ENOMEM, "cgroup");
	b->fds[b->ndirs] = -1;
	if (v2) {
		b->v2_dir = b->dirs[b->ndirs++];
		if (b->by_procs)
			return 0;
		b->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (b->v2_fd < 0)
			return mew_error(err, errno, "cgroup: open `%s`", dir);
		return 0;
	}
	if (!b->by_procs) {
		snprintf(path, sizeof(path), "%s/tasks", dir);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return mew_error(err, errno, "cgroup: open `%s`", path);
		b->fds[b->ndirs] = fd;
	}
	b->ndirs++;
	return 0;
}

int cgroup_birth_of(const struct cgroup *cg, struct cgroup_birth *b, struct mew_error **err)
{
	bool v2 = cgroup_mode() == CGROUP_MODE_UNIFIED;

	cgroup_birth_init(b);
	for (int i = 0; i < CGROUP_NCTRL; i++)
		if (cg->paths[i] != NULL && cgroup_birth_add(b, cg->paths[i], v2, err) < 0) {
			cgroup_birth_close(b);
			return -1;
		}
	return 0;
}

static bool clone3_missing(int e)
{
	/* ENOSYS: before 5.3; E2BIG: 5.3-5.6 (no cgroup field); EINVAL: no
	 * CLONE_INTO_CGROUP flag. */
	return e == ENOSYS || e == E2BIG || e == EINVAL;
}

pid_t cgroup_birth_clone(struct cgroup_birth *b, unsigned long flags)
{
	static bool no_clone3;
	struct clone_args args = {
		.flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP,
		.exit_signal = flags & CSIGNAL,
		.cgroup = (uint64_t)b->v2_fd,
	};
	pid_t pid;

	b->placed = false;
	if (b->v2_fd >= 0 && !no_clone3) {
		/* Fork semantics (no stack given): the child returns here. */
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			b->placed = true;
			return pid;
		}
		/* Whatever clone3 refused (an old kernel; the permission check
		 * done with our credentials after a joined user namespace, where
		 * a cgroup.procs write uses the opener's), the plain clone says
		 * whether the clone itself can work, and the cgroup.procs write
		 * whether the group takes the child. */
		mew_debug("clone3(CLONE_INTO_CGROUP) `%s`: %s: the pid goes to cgroup.procs", b->v2_dir,
			  strerror(errno));
		if (clone3_missing(errno))
			no_clone3 = true;
	}
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
}

int cgroup_birth_enter(struct cgroup_birth *b, struct mew_error **err)
{
	int r = 0;

	for (size_t i = 0; i < b->ndirs && r == 0; i++)
		if (b->fds[i] >= 0 && write(b->fds[i], "0", 1) != 1)
			r = mew_error(err, errno, "cgroup: enter `%s`", b->dirs[i]);
	return r;
}

int cgroup_birth_finish(struct cgroup_birth *b, pid_t pid, struct mew_error **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < b->ndirs; i++) {
		bool v2 = b->dirs[i] == b->v2_dir;
		if ((v2 && !b->placed) || (!v2 && b->fds[i] < 0))
			if (cgroup_write(b->dirs[i], "cgroup.procs", buf, err) < 0)
				return -1;
	}
	return 0;
}

int cgroup_birth_join(struct cgroup_birth *b, struct mew_error **err)
{
	if (cgroup_birth_enter(b, err) < 0 || cgroup_birth_finish(b, getpid(), err) < 0)
		return -1;
	return 0;
}

void cgroup_birth_close(struct cgroup_birth *b)
{
	for (size_t i = 0; i < b->ndirs; i++) {
		if (b->fds[i] >= 0)
			close(b->fds[i]);
		free(b->dirs[i]);
	}
	if (b->v2_fd >= 0)
		close(b->v2_fd);
	b->ndirs = 0;
	b->v2_fd = -1;
	b->v2_dir = NULL;
}
