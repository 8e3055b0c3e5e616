/* The syscall engine: the command runs natively, as the calling user, with
 * no namespace; its system calls that name files or ask who it is are
 * answered by mew's personality through ptrace + seccomp (see trap.h). */
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/futex.h>
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
#include "wall/wall.h"

static int gaps(char *buf, size_t len);

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
	wall_describe_gaps(why, len, gaps);
	return 0;
}

/* Look the command up the way a shell inside the rootfs would. */
static int find_program(struct pers *p, const struct spec *spec, char *out, size_t len,
			struct mew_error **err)
{
	int r = pers_lookup(p, spec->argv[0], spec_getenv(spec, "PATH"), out, len);

	if (r == -EACCES)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, EACCES, "exec `%s`", spec->argv[0]);
	if (r < 0)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0, "exec `%s`: not found in PATH inside the rootfs",
					spec->argv[0]);
	return 0;
}

/* What the child installs, as the mode prepared it: the stub's filter and
 * its program resolved in the rootfs; or the notifier's filter (fast) with
 * the ptrace one (slow) to fall back on; or the ptrace one alone. */
struct trap_start {
	struct sock_fprog fast, slow;
	struct sock_fprog stub;
	const char *host; /* stub: the program resolved in the rootfs */
	char **argv;	  /* stub: the argv it needs (ld.so --argv0 ... for a dynamic one) */
};

/* How intercepted calls are caught: one of the three modes, chosen once
 * (choose_mode); the rest of the engine does not ask which. */
struct trap_mode {
	const char *name; /* what --debug says */
	unsigned seize;	  /* ptrace options on the first process */
	int (*prepare)(struct trap *t, const struct spec *spec, const char *program, struct trap_start *st,
		       struct mew_error **err);
	/* From the command's start until the main process is gone: its exit
	 * status, or -1 with *err. */
	int (*loop)(struct trap *t, pid_t pid, struct mew_error **err);
};

/* The child: wait until the tracer holds it, install the filter (with a
 * listener for the fast path when the kernel has one), hand the listener's
 * number to the tracer, wait until it has taken a copy, exec.  Its execve is
 * the first call the tracer translates. */
/* The filter with mew's listener.  Once mew has received a call, the guest
 * waits for the answer killable only (Linux 5.19): a signal in the middle
 * would undo an answer mew may already have acted on (a file created, a
 * directory made), and the guest would see EINTR from calls Linux never
 * interrupts (an open of /dev/null when SIGCHLD comes). */
static int install_listener(const struct sock_fprog *prog)
{
	int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
	return fd;
}

static void child(int ready, int report, const char *cwd_host, const char *program,
		  const struct spec *spec, const struct trap_start *st, const struct wall *wall)
{
	char c;
	int e, listener = -1;

	if (read(ready, &c, 1) != 1)
		_exit(MEW_EXIT_FAILURE);
	if (chdir(cwd_host) < 0) {
		fprintf(stderr, "mew: workdir `%s`: %s\n", spec->cwd != NULL ? spec->cwd : "/", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "mew: no_new_privs: %s\n", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	/* The wall goes up before anything of the guest's runs; mew (the
	 * notifier, the exec watcher) stays outside it. */
	if ((e = wall_enter(wall)) < 0) {
		fprintf(stderr, "mew: the wall: entering the Landlock domain: %s\n", strerror(-e));
		_exit(MEW_EXIT_FAILURE);
	}
	if (st->stub.filter != NULL) {
		trap_stub_nofile_start();
		/* The stub's fast instruction is the only way left to exec the
		 * program untranslated once the filter is in. */
		if (trap_stub_map_self() < 0) {
			fprintf(stderr, "mew: mapping the fast path at %#llx: %s\n", STUB_BASE, strerror(errno));
			_exit(MEW_EXIT_FAILURE);
		}
		listener = install_listener(&st->stub);
		if (listener < 0) {
			fprintf(stderr, "mew: installing the seccomp filter: %s\n", strerror(errno));
			_exit(MEW_EXIT_FAILURE);
		}
	} else if (st->fast.filter != NULL)
		listener = install_listener(&st->fast);
	if (listener < 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &st->slow) < 0) {
		fprintf(stderr, "mew: installing the seccomp filter: %s\n", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	if (write(report, &listener, sizeof(listener)) != sizeof(listener) || read(ready, &c, 1) != 1)
		_exit(MEW_EXIT_FAILURE);
	if (listener >= 0)
		close(listener);
	close(ready);
	close(report);
	if (st->stub.filter != NULL) {
		long (*sys)(long, long, long, long, long, long, long) = (void *)(uintptr_t)STUB_BASE;
		e = (int)-sys(SYS_execve, (long)st->host, (long)st->argv, (long)spec->env, 0, 0, 0);
	} else {
		execve(program, spec->argv, spec->env);
		e = errno;
	}
	fprintf(stderr, "mew: exec `%s`: %s\n", spec->argv[0], strerror(e));
	_exit(e == ENOENT ? MEW_EXIT_NOT_FOUND : MEW_EXIT_NOT_EXEC);
}

/* Take a copy of the child's listener (pidfd_getfd: we are its tracer). */
static int grab_listener(pid_t pid, int num)
{
	int pidfd, fd;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
	close(pidfd);
	return fd;
}

static int setup_pers(struct trap *t, const struct spec *spec, const char *devdir, struct mew_error **err)
{
	if (pers_setup(&t->pers, spec, err) < 0)
		return -1;
	if (wall_dev_binds(&t->pers, devdir, !spec->sandbox_strict, err) < 0)
		return -1;
	t->pers.guest_root = getpid(); /* the guest's subreaper */
	t->pers.exe_of = trap_exe_of;
	t->pers.root_of = trap_root_of;
	t->pers.engine = t;
	/* The identity is the personality's: a fake root, or --user's ids
	 * faked the same way (the host's identity is never changed). */
	t->pers.fake_root = true;
	if (spec->user_set)
		pers_cred_init(&t->pers.cred, spec->uid, spec->gid);
	/* what the kernel checks on the guest's real process (an rlimit,
	 * oom_score_adj) the fake root claims only when mew's process can */
	pers_cred_bound(&t->pers.cred, pers_host_caps() & wall_caps_kept());
	return 0;
}

/* The first program, resolved in the rootfs the way the stub's exec does. */
static int stub_prepare(struct trap *t, const struct spec *spec, const char *program, struct trap_start *st,
			struct mew_error **err)
{
	static struct pers_exec ex;
	size_t argc = 0, k = 0;
	struct tracee *tr;
	int r;

	t->stub_mode = true;
	t->pers.hides_fd = trap_stub_hides_fd;
	t->stub_cfg = calloc(1, sizeof(*t->stub_cfg));
	if (t->stub_cfg == NULL || trap_stub_config(t, t->stub_cfg) < 0)
		return mew_error(err, ENOMEM, "the fast path's configuration");
	if (trap_filter_stub(pers_owners_real(&t->pers), pers_userns_allowed(), &st->stub) < 0)
		return mew_error(err, errno, "the fast path's seccomp filter");
	r = pers_exec_resolve(&t->pers, spec->cwd != NULL ? spec->cwd : "/", program, spec->argv[0], &ex);
	if (r < 0)
		return mew_error_status(err, r == -ENOENT ? MEW_EXIT_NOT_FOUND : MEW_EXIT_NOT_EXEC, -r,
					"exec `%s`", spec->argv[0]);
	while (spec->argv[argc] != NULL)
		argc++;
	st->argv = calloc((size_t)ex.nprefix + argc + 1, sizeof(char *));
	if (st->argv == NULL)
		return mew_error(err, ENOMEM, "argv");
	for (int i = 0; i < ex.nprefix; i++)
		st->argv[k++] = ex.prefix[i];
	for (size_t i = 1; i < argc; i++)
		st->argv[k++] = spec->argv[i];
	st->host = ex.host;
	tr = trap_tracee(t, 0, true); /* the child's, renumbered once forked */
	if (tr != NULL) {
		tr->pending_exe = strdup(ex.guest);
		/* exec's rules (set-id bits) apply to the first program too */
		tr->exec_file.mode = ex.mode, tr->exec_file.uid = ex.uid, tr->exec_file.gid = ex.gid;
		tr->exec_file.dev = ex.dev, tr->exec_file.ino = ex.ino;
		tr->has_creds = true;
	}
	return 0;
}

static int ptrace_prepare(struct trap *t, const struct spec *spec, const char *program, struct trap_start *st,
			  struct mew_error **err)
{
	if (trap_filter(false, pers_owners_real(&t->pers), &st->slow) < 0)
		return mew_error(err, errno, "seccomp filter");
	return 0;
}

static int notify_prepare(struct trap *t, const struct spec *spec, const char *program, struct trap_start *st,
			  struct mew_error **err)
{
	if (ptrace_prepare(t, spec, program, st, err) < 0)
		return -1;
	if (trap_filter(true, pers_owners_real(&t->pers), &st->fast) < 0)
		return mew_error(err, errno, "seccomp filter");
	return 0;
}

static int ptrace_loop(struct trap *t, pid_t pid, struct mew_error **err)
{
	return trap_loop(t, err);
}

/* The first process's exec puts the stub in; nothing is ptraced after. */
static int stub_loop(struct trap *t, pid_t pid, struct mew_error **err)
{
	int st = 0;

	if (trap_stub_follow_exec(t, pid, &st) == 1)
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return trap_stub_loop(t, err);
}

#define FOLLOW_ALL                                                                                 \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |   \
	 PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)

static const struct trap_mode mode_stub = {
	.name = "in process (SIGSYS stub) + seccomp user notification",
	.seize = PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL,
	.prepare = stub_prepare,
	.loop = stub_loop,
};
static const struct trap_mode mode_notify = {
	.name = "seccomp user notification + ptrace",
	.seize = FOLLOW_ALL,
	.prepare = notify_prepare,
	.loop = ptrace_loop,
};
static const struct trap_mode mode_ptrace = {
	.name = "ptrace only",
	.seize = FOLLOW_ALL,
	.prepare = ptrace_prepare,
	.loop = ptrace_loop,
};

/* The best mode this kernel has, unless the developer's knobs ask for a
 * slower one (MEW_TRAP_STUB=0: the notifier; MEW_TRAP_NOTIFY=0: ptrace only).
 * The stub needs openat2 (Linux 5.6). */
static const struct trap_mode *choose_mode(void)
{
	const char *notify = getenv("MEW_TRAP_NOTIFY"), *stub = getenv("MEW_TRAP_STUB");

	if (notify != NULL && strcmp(notify, "0") == 0)
		return &mode_ptrace;
	if ((stub == NULL || strcmp(stub, "0") != 0) && syscall(SYS_openat2, -1, "", NULL, 0) < 0 && errno != ENOSYS)
		return &mode_stub;
	return &mode_notify;
}

/* The wall's gaps, and the ptrace mode's own: without a notifier nothing
 * makes the calls that name a socket peer for the guest (notify/peer.c),
 * and Landlock cannot wall a UNIX socket's path. */
static int gaps(char *buf, size_t len)
{
	int n = wall_gaps(buf, len);
	size_t at = strlen(buf);

	if (choose_mode() == &mode_ptrace && at < len) {
		snprintf(buf + at, len - at, "%sUNIX sockets named by path are not walled in the ptrace mode",
			 n > 0 ? "; " : "");
		n++;
	}
	return n;
}

static int run(const struct spec *spec, struct mew_error **err)
{
	struct trap *t = calloc(1, sizeof(*t));
	const struct trap_mode *mode = choose_mode();
	struct trap_start st = { 0 };
	char program[PATH_MAX], cwd_host[PATH_MAX];
	int ready[2] = { -1, -1 }, report[2] = { -1, -1 }, r = -1, num = -1, listener;
	struct wall wall = { .fd = -1 };
	char devdir[PATH_MAX] = "";
	pid_t pid;

	if (t == NULL)
		return mew_error(err, ENOMEM, "syscall engine");
	t->main_status = -1;
	pthread_mutex_init(&t->lock, NULL);
	if ((r = wall_dev_make(spec, devdir, sizeof(devdir), err)) < 0) {
		devdir[0] = '\0';
		goto out;
	}
	if ((r = setup_pers(t, spec, devdir, err)) < 0)
		goto out;
	/* Only the ptrace mode has the guest open /proc paths itself. */
	if ((r = wall_open(&wall, err)) < 0 || (r = wall_allow_pers(&wall, &t->pers, mode == &mode_ptrace, err)) < 0)
		goto out;
	t->pers.cache = pers_cache_new();
	t->pers.busy = pers_busy_new();
	t->pers.owners = pers_owners_new();
	t->pers.xattrs = pers_xattrs_new();
	r = pers_translate(&t->pers, NULL, spec->cwd != NULL ? spec->cwd : "/", PERS_FOLLOW, cwd_host,
			   sizeof(cwd_host));
	if (r < 0) {
		r = mew_error(err, -r, "workdir `%s`", spec->cwd);
		goto out;
	}
	if ((r = find_program(&t->pers, spec, program, sizeof(program), err)) < 0)
		goto out;
	if ((r = mode->prepare(t, spec, program, &st, err)) < 0)
		goto out;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
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
		close(report[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		child(ready[0], report[1], cwd_host, program, spec, &st, &wall);
	}
	wall_close(&wall);
	close(ready[0]);
	close(report[1]);
	ready[0] = report[1] = -1;
	/* The fast path creates files for the guest: the guest's umask applies,
	 * not mew's. */
	umask(0);
	t->main_pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0, mode->seize) < 0) {
		r = mew_error(err, errno, "ptrace the command");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	if (t->stub_mode) {
		/* the program stub_prepare resolved: the child's, now it has a pid */
		struct tracee *tr0 = trap_tracee(t, 0, false), *tr = trap_tracee(t, pid, true);
		if (tr0 != NULL && tr != NULL) {
			tr->pending_exe = tr0->pending_exe;
			tr0->pending_exe = NULL;
			tr->exec_file = tr0->exec_file;
			tr->has_creds = tr0->has_creds;
		}
		trap_tracee_drop(t, 0);
	}
	trap_tracee(t, pid, true)->started = true;
	if (write(ready[1], "x", 1) != 1 || read(report[0], &num, sizeof(num)) != sizeof(num)) {
		r = mew_error(err, errno, "start the command");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	if (num >= 0) {
		listener = grab_listener(pid, num);
		if (listener < 0 || trap_notify_start(t, listener, err) < 0) {
			if (listener >= 0)
				close(listener);
			r = mew_error(err, errno, "the seccomp listener");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, __WALL);
			goto out;
		}
	}
	/* the stubs' directory cache (without it, or with MEW_TRAP_DIRCACHE=0,
	 * they cache nothing) */
	if (t->stub_mode && t->notifier != NULL &&
	    (getenv("MEW_TRAP_DIRCACHE") == NULL || strcmp(getenv("MEW_TRAP_DIRCACHE"), "0") != 0))
		t->dircache = trap_dircache_start(t->pers.rootfs);
	/* the stubs answer the stat of a socket, FIFO or symlink of mew's
	 * unless its owner is kept (without the page, never) */
	if (t->dircache != NULL)
		trap_dircache_publish_owners(t->dircache, t->pers.owners);
	mew_debug("engine syscall: %s%s", mode->name, st.fast.filter != NULL && num < 0 ? " (no listener: ptrace only)" : "");
	if (write(ready[1], "y", 1) != 1) {
		r = mew_error(err, errno, "start the command");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	close(ready[1]);
	ready[1] = -1;
	r = mode->loop(t, pid, err);
out:
	trap_notify_stop(t);
	pers_owners_publish(t->pers.owners, NULL, NULL, 0);
	trap_dircache_stop(t->dircache);
	t->dircache = NULL;
	/* Exec watchers end when their tracee does (everything is gone by now). */
	for (int i = 0, w; i < 2000 && (w = __atomic_load_n(&t->watchers, __ATOMIC_ACQUIRE)) > 0; i++) {
		struct timespec ms = { 0, 1000000 };
		syscall(SYS_futex, &t->watchers, FUTEX_WAIT_PRIVATE, w, &ms, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	free(st.fast.filter);
	free(st.slow.filter);
	free(st.stub.filter);
	free(st.argv);
	free(t->stub_cfg);
	for (size_t i = 0; i < 256; i++)
		while (t->buckets[i] != NULL)
			trap_tracee_drop(t, t->buckets[i]->tid);
	pers_cache_free(t->pers.cache);
	pers_busy_free(t->pers.busy);
	pers_owners_free(t->pers.owners);
	pers_xattrs_free(t->pers.xattrs);
	pers_free(&t->pers);
	wall_close(&wall);
	wall_dev_remove(devdir);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return r;
}

const struct engine engine_syscall = {
	.name = "syscall",
	.summary = "programs run natively, system calls answered by mew's Linux personality (ptrace + seccomp)",
	.wall_gaps = gaps,
	.probe = probe,
	.run = run,
};
