#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static const char *const hook_names[SPEC_HOOK_COUNT] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* In the hook's child: the container's namespaces (mount last: the others'
 * files are found through the host's /proc). */
static void join(pid_t pid)
{
	static const char *const order[] = { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" };
	char path[64], self[64];

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int fd;
		struct stat a, b;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, order[i]);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", order[i]);
		/* The same namespace as ours: nothing to join (and setns on
		 * our own user namespace fails). */
		if (stat(path, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (setns(fd, 0) < 0)
				dprintf(2, "mew: hook: join `%s`: %s\n", path, strerror(errno));
			close(fd);
		}
	}
}

static int run_one(const struct spec_hook *h, const char *kind, size_t index, const char *state,
		   pid_t ns_pid, struct mew_error **err)
{
	char *const empty[] = { NULL };
	char *const only_path[] = { h->path, NULL };
	struct timespec ts = { 0, 2000000 };
	int in[2], status;
	pid_t pid;
	long waited_ms = 0;

	if (pipe2(in, O_CLOEXEC) < 0)
		return mew_error(err, errno, "hook %s[%zu]: pipe", kind, index);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return mew_error(err, errno, "hook %s[%zu]: fork", kind, index);
	}
	if (pid == 0) {
		if (ns_pid > 0)
			join(ns_pid);
		dup2(in[0], 0);
		/* A hook's stdout is not the container's output. */
		dup2(2, 1);
		execve(h->path, h->args != NULL && h->args[0] != NULL ? h->args : only_path,
		       h->env != NULL ? h->env : empty);
		dprintf(2, "mew: hook %s[%zu]: exec `%s`: %s\n", kind, index, h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	signal(SIGPIPE, SIG_IGN);
	if (state != NULL && write(in[1], state, strlen(state)) < 0) {
		/* a hook that does not read its stdin is fine */
	}
	close(in[1]);
	for (;;) {
		pid_t r = waitpid(pid, &status, h->timeout > 0 ? WNOHANG : 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return mew_error(err, errno, "hook %s[%zu]: wait", kind, index);
		if (r == 0) {
			if (waited_ms >= (long)h->timeout * 1000) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return mew_error(err, 0, "hook %s[%zu] `%s`: timed out after %d s", kind,
						 index, h->path, h->timeout);
			}
			nanosleep(&ts, NULL);
			waited_ms += 2;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return mew_error(err, 0, "hook %s[%zu] `%s`: killed by signal %d", kind, index, h->path,
				 WTERMSIG(status));
	return mew_error(err, 0, "hook %s[%zu] `%s`: exit status %d", kind, index, h->path,
			 WEXITSTATUS(status));
}

int rt_hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
		 pid_t ns_pid, struct mew_error **err)
{
	const struct spec_hooks *hooks;

	if (spec->oci == NULL)
		return 0;
	hooks = &spec->oci->hooks[kind];
	for (size_t i = 0; i < hooks->n; i++) {
		struct mew_error *e = NULL;

		if (run_one(&hooks->v[i], hook_names[kind], i, state_json, ns_pid, &e) == 0)
			continue;
		/* runtime-spec: a failing poststart or poststop hook is a
		 * warning, and the remaining hooks still run. */
		if (kind == SPEC_HOOK_POSTSTART || kind == SPEC_HOOK_POSTSTOP) {
			mew_warn("%s", e->msg);
			mew_error_free(e);
			continue;
		}
		if (err != NULL)
			*err = e;
		else
			mew_error_free(e);
		return -1;
	}
	return 0;
}
