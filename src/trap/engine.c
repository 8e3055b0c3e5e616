/* The syscall engine: the command runs natively, as the calling user, with
 * no namespace; its system calls that name files or ask who it is are
 * answered by mew's personality through ptrace + seccomp (see trap.h). */
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "trap/trap.h"

static int probe(char *why, size_t len)
{
	unsigned action = SECCOMP_RET_TRACE;
	char buf[16] = "";
	FILE *f;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
		snprintf(why, len, "the kernel has no seccomp");
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
		snprintf(why, len, "seccomp cannot hand calls to a tracer (SECCOMP_RET_TRACE)");
		return -1;
	}
	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL && atoi(buf) >= 3) {
			fclose(f);
			snprintf(why, len, "ptrace is disabled (kernel.yama.ptrace_scope = 3)");
			return -1;
		}
		fclose(f);
	}
	return 0;
}

/* Look the command up the way a shell inside the rootfs would. */
static int find_program(struct pers *p, const struct spec *spec, char *out, size_t len,
			struct mew_error **err)
{
	const char *cmd = spec->argv[0];
	const char *path = spec_getenv(spec, "PATH");
	char host[PATH_MAX];
	cleanup_free char *copy = NULL;
	char *save = NULL;

	if (strchr(cmd, '/') != NULL) {
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	copy = strdup(path != NULL ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (copy == NULL)
		return mew_error(err, ENOMEM, "PATH");
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		int n = snprintf(out, len, "%s/%s", dir[0] != '\0' ? dir : ".", cmd);
		if (n < 0 || (size_t)n >= len)
			continue;
		if (pers_translate(p, NULL, out, PERS_FOLLOW, host, sizeof(host)) < 0)
			continue;
		if (stat(host, &st) == 0 && S_ISREG(st.st_mode) && access(host, X_OK) == 0)
			return 0;
	}
	return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0, "exec `%s`: not found in PATH inside the rootfs",
				cmd);
}

/* The child: wait until the tracer holds it, then filter and exec.  Its
 * execve is the first call the tracer translates. */
static void child(int ready, const char *cwd_host, const char *program, const struct spec *spec,
		  struct sock_fprog *prog)
{
	char c;
	int e;

	if (read(ready, &c, 1) != 1)
		_exit(MEW_EXIT_FAILURE);
	close(ready);
	if (chdir(cwd_host) < 0) {
		fprintf(stderr, "mew: workdir `%s`: %s\n", spec->cwd != NULL ? spec->cwd : "/", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0) {
		fprintf(stderr, "mew: installing the seccomp filter: %s\n", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	execve(program, spec->argv, spec->env);
	e = errno;
	fprintf(stderr, "mew: exec `%s`: %s\n", spec->argv[0], strerror(e));
	_exit(e == ENOENT ? MEW_EXIT_NOT_FOUND : MEW_EXIT_NOT_EXEC);
}

static int setup_pers(struct trap *t, const struct spec *spec, struct mew_error **err)
{
	if (pers_init(&t->pers, spec->rootfs, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		bool ro = false;
		if (m->type != NULL && strcmp(m->type, "bind") != 0)
			continue; /* tmpfs, proc: the host's view serves */
		for (char **o = m->options; o != NULL && *o != NULL; o++)
			if (strcmp(*o, "ro") == 0)
				ro = true;
		if (pers_add_bind(&t->pers, m->source, m->destination, ro, err) < 0)
			return -1;
	}
	if (pers_add_default_binds(&t->pers, err) < 0)
		return -1;
	if (spec->hostname != NULL)
		pers_set_hostname(&t->pers, spec->hostname);
	/* --user keeps the caller's own identity; otherwise a fake root. */
	t->fake_root = !spec->user_set;
	t->pers.fake_root = t->fake_root;
	t->pers.uid = t->fake_root ? 0 : getuid();
	t->pers.gid = t->fake_root ? 0 : getgid();
	return 0;
}

static int run(const struct spec *spec, struct mew_error **err)
{
	struct trap *t = calloc(1, sizeof(*t));
	struct sock_fprog prog = { 0 };
	char program[PATH_MAX], cwd_host[PATH_MAX];
	int ready[2] = { -1, -1 }, r = -1;
	pid_t pid;

	if (t == NULL)
		return mew_error(err, ENOMEM, "syscall engine");
	t->main_status = -1;
	if (setup_pers(t, spec, err) < 0)
		goto out;
	if (spec->user_set && (spec->uid != getuid() || spec->gid != getgid()))
		mew_warn("engine syscall: --user %u:%u: runs as the caller (%u:%u); the syscall engine cannot switch users",
			 spec->uid, spec->gid, getuid(), getgid());
	r = pers_translate(&t->pers, NULL, spec->cwd != NULL ? spec->cwd : "/", PERS_FOLLOW, cwd_host,
			   sizeof(cwd_host));
	if (r < 0) {
		r = mew_error(err, -r, "workdir `%s`", spec->cwd);
		goto out;
	}
	if ((r = find_program(&t->pers, spec, program, sizeof(program), err)) < 0)
		goto out;
	if (trap_filter(t->fake_root, &prog) < 0) {
		r = mew_error(err, ENOMEM, "seccomp filter");
		goto out;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		r = mew_error(err, errno, "pipe");
		goto out;
	}
	/* Orphans of the guest come back to mew, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = mew_error(err, errno, "fork");
		goto out;
	}
	if (pid == 0) {
		close(ready[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		child(ready[0], cwd_host, program, spec, &prog);
	}
	close(ready[0]);
	ready[0] = -1;
	t->main_pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0,
		   PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			   PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0) {
		r = mew_error(err, errno, "ptrace the command");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	trap_tracee(t, pid, true)->started = true;
	if (write(ready[1], "x", 1) != 1) {
		r = mew_error(err, errno, "start the command");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	close(ready[1]);
	ready[1] = -1;
	r = trap_loop(t, err);
out:
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	free(prog.filter);
	for (size_t i = 0; i < 256; i++)
		while (t->buckets[i] != NULL)
			trap_tracee_drop(t, t->buckets[i]->tid);
	pers_free(&t->pers);
	free(t);
	return r;
}

const struct engine engine_syscall = {
	.name = "syscall",
	.summary = "programs run natively, system calls answered by mew's Linux personality (ptrace + seccomp)",
	.probe = probe,
	.run = run,
};
