#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "container/caps.h"
#include "container/cgroup_oci.h"
#include "container/process_oci.h"
#include "container/exec.h"
#include "container/identity.h"
#include "container/rootfs.h"
#include "container/seccomp.h"
#include "container/sync.h"
#include "container/tty.h"

/* Signals mew and the container's init pass on to the command. */
static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
					 SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGALRM };

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

/* ---- in the container ---------------------------------------------------- */

struct child_ctx {
	const struct spec *spec;
	const struct container_opts *opts;
	int sync_fd;
	bool userns;
	const char *console; /* pty slave path, or NULL */
	int fifo_fd;	     /* O_PATH to opts->start_fifo, or -1 */
	struct cgroup_birth *birth; /* the container's groups */
};

static int loopback_up(struct mew_error **err)
{
	struct ifreq ifr = { 0 };
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return mew_error(err, errno, "socket for loopback");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return mew_error(err, errno, "read loopback flags");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return mew_error(err, errno, "bring loopback up");
	return 0;
}

/* The command's own process: terminal, identity, privileges; what is left
 * is the exec. */
static int prepare_process(const struct child_ctx *ctx, struct mew_error **err)
{
	const struct spec *spec = ctx->spec;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		signal(forwarded_signals[i], SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (ctx->console != NULL && tty_attach_slave("/dev/console", err) < 0)
		return -1;
	if (spec->cwd != NULL && chdir(spec->cwd) < 0)
		return mew_error(err, errno, "workdir `%s`", spec->cwd);
	/* config.json's capabilities, rlimits, user, no_new_privs, seccomp */
	if (spec->oci != NULL)
		return process_oci_apply(spec, ctx->userns, err);
	if (caps_limit(caps_default(), true, err) < 0 || identity_switch(ctx->spec, ctx->userns, "--user", err) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mew_error(err, errno, "no_new_privs");
	return seccomp_load_default(err);
}

static int exec_in_container(const struct child_ctx *ctx, struct mew_error **err)
{
	if (prepare_process(ctx, err) < 0)
		return -1;
	return exec_command(ctx->spec->argv, ctx->spec->env, err);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return MEW_EXIT_FAILURE;
}

static void ignore_signal(int sig)
{
	(void)sig;
}

/* PID 1: fork the command, pass signals on to it, reap every orphan, and
 * exit with the command's status (which ends the namespace's processes). */
static void run_init(const struct child_ctx *ctx)
{
	struct mew_error *err = NULL;
	struct sigaction sa = { .sa_handler = ignore_signal };
	int pipefd[2];
	sigset_t set;
	pid_t cmd;
	ssize_t n;

	/* The kernel drops signals to a namespace's init that has no handler. */
	forwarded_set(&set);
	sigaddset(&set, SIGCHLD);
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&set, s))
			sigaction(s, &sa, NULL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_NAME, "mew-init", 0, 0, 0);

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		mew_error(&err, errno, "pipe");
		sync_send_error(ctx->sync_fd, err);
		_exit(MEW_EXIT_FAILURE);
	}
	cmd = fork();
	if (cmd < 0) {
		mew_error(&err, errno, "fork the command");
		sync_send_error(ctx->sync_fd, err);
		_exit(MEW_EXIT_FAILURE);
	}
	if (cmd == 0) {
		close(pipefd[0]);
		close(ctx->sync_fd);
		if (setsid() < 0) {
			/* already a session leader: harmless */
		}
		exec_in_container(ctx, &err);
		/* exec failed: tell init what went wrong, in one write so that
		 * init reads the status and the message together. */
		if (err != NULL) {
			char buf[1024 + sizeof(int32_t)];
			int32_t status = err->status;
			int len = snprintf(buf + sizeof(status), sizeof(buf) - sizeof(status), "%s", err->msg);
			memcpy(buf, &status, sizeof(status));
			if (len > (int)(sizeof(buf) - sizeof(status) - 1))
				len = (int)(sizeof(buf) - sizeof(status) - 1);
			if (write(pipefd[1], buf, sizeof(status) + (size_t)len) < 0) {
				/* init then reports the exit status alone */
			}
		}
		_exit(err != NULL ? err->status : MEW_EXIT_FAILURE);
	}
	close(pipefd[1]);
	{
		char buf[1024 + sizeof(int32_t)];
		n = read(pipefd[0], buf, sizeof(buf) - 1);
		close(pipefd[0]);
		if (n >= (ssize_t)sizeof(int32_t)) {
			int32_t status;
			memcpy(&status, buf, sizeof(status));
			buf[n] = '\0';
			mew_error_status(&err, status, 0, "%s", buf + sizeof(int32_t));
			sync_send_error(ctx->sync_fd, err);
		} else {
			sync_send(ctx->sync_fd, SYNC_EXECED);
		}
		close(ctx->sync_fd);
	}

	for (;;) {
		siginfo_t si;
		int status;
		pid_t p;

		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(cmd, si.si_signo);
			continue;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == cmd)
				_exit(exit_status(status));
	}
}

/* linux.sysctl, through /proc/sys while it is still the host's proc mounted
 * in our fresh namespaces (net.*, kernel.shm*, ... are per namespace). */
static int sysctl_write(char *const *kvs, struct mew_error **err)
{
	for (size_t i = 0; kvs != NULL && kvs[i] != NULL; i++) {
		const char *eq = strchr(kvs[i], '=');
		char path[512];
		size_t n = (size_t)(eq - kvs[i]);

		snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)n, kvs[i]);
		for (char *p = path + 10; *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		if (file_write_str(path, eq + 1, err) < 0)
			return mew_error_wrap(err, "config.json: linux.sysctl.%.*s", (int)n, kvs[i]);
	}
	return 0;
}

static int setup_container(const struct child_ctx *ctx, struct mew_error **err)
{
	const struct spec *spec = ctx->spec;
	struct rootfs_ctx rctx = {
		.spec = spec,
		.userns = ctx->userns,
		.new_net = spec->net == SPEC_NET_NONE,
		.console = ctx->console,
	};
	const char *hostname = spec->hostname != NULL ? spec->hostname : "mew";
	const struct spec_oci *oci = spec->oci;
	cleanup_free char *self_cgroup = NULL;

	if (oci != NULL) {
		/* config.json: only the namespaces it lists, joined ones as they
		 * are; the hostname only when it names one (and then a uts
		 * namespace is listed: spec/oci.c). */
		if (spec->hostname == NULL)
			hostname = NULL;
		if (oci->ns[SPEC_NS_NET].path != NULL)
			rctx.new_net = false;
		/* No mount namespace listed: the runtime's own, so the mounts
		 * are made in it and the root is a chroot, as runc does. */
		rctx.host_mounts = !oci->ns[SPEC_NS_MOUNT].enabled;
	}
	/* A user namespace of config.json's mappings: until now we were its
	 * overflow uid (root's host uid is not mapped); become its root. */
	if (oci != NULL && oci->ns[SPEC_NS_USER].enabled && oci->ns[SPEC_NS_USER].path == NULL &&
	    geteuid() != 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return mew_error(err, errno, "config.json: linux.uidMappings: become root in the user namespace");
	if (oci != NULL && sysctl_write(oci->sysctl, err) < 0)
		return -1;
	/* Where our groups are, while the host's paths still show. */
	if (file_read("/proc/self/cgroup", &self_cgroup, NULL, NULL) == 0)
		rctx.self_cgroup = self_cgroup;
	/* Joined the cgroup already: this makes it the root of our view. */
	if ((oci == NULL || (oci->ns[SPEC_NS_CGROUP].enabled && oci->ns[SPEC_NS_CGROUP].path == NULL)) &&
	    unshare(CLONE_NEWCGROUP) < 0)
		mew_debug("cgroup namespace: %s", strerror(errno));
	if (setsid() < 0)
		return mew_error(err, errno, "setsid");
	if (!spec->interactive && !spec->tty) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dup3(fd, STDIN_FILENO, 0) < 0)
			return mew_error(err, errno, "redirect stdin from /dev/null");
		close(fd);
	}
	if (hostname != NULL && sethostname(hostname, strlen(hostname)) < 0)
		return mew_error(err, errno, "sethostname `%s`", hostname);
	if (rctx.new_net && loopback_up(err) < 0)
		return -1;
	return rootfs_setup(&rctx, err);
}

/* Block in open() until `start` opens the FIFO for reading, then tell it we
 * go ahead.  The FIFO was opened O_PATH before pivot_root. */
static int wait_start_fifo(const struct child_ctx *ctx, struct mew_error **err)
{
	char path[64];
	int fd;

	close(ctx->sync_fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->fifo_fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mew_error(err, errno, "open the start FIFO `%s`", ctx->opts->start_fifo);
	if (write(fd, "0", 1) != 1) {
		close(fd);
		return mew_error(err, errno, "write the start FIFO");
	}
	close(fd);
	close(ctx->fifo_fd);
	return 0;
}

static void child_main(const struct child_ctx *ctx)
{
	struct mew_error *err = NULL;
	int msg;

	if (ctx->opts->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Into the v1 groups before anything else (v2: born there). */
	cgroup_birth_enter(ctx->birth, &err);
	cgroup_birth_close(ctx->birth);
	/* Wait until mew has mapped our ids (and written cgroup.procs where
	 * the groups could not be entered so). */
	msg = sync_recv(ctx->sync_fd, err != NULL ? NULL : &err);
	if (msg != SYNC_GO)
		_exit(MEW_EXIT_FAILURE);
	if (err != NULL)
		goto fail;
	if (setup_container(ctx, &err) < 0)
		goto fail;
	if (ctx->opts->start_fifo != NULL) {
		/* OCI: everything but the exec happens before create returns, as
		 * with runc, so that what cannot be applied (a capability outside
		 * the bounding set) fails create, not start.  The terminal becomes
		 * our stdio here too: the stdio of `create` would otherwise stay
		 * open, and a caller that reads them to their end (containerd's
		 * shim) would wait for start forever. */
		if (prepare_process(ctx, &err) < 0)
			goto fail;
		if (sync_send(ctx->sync_fd, SYNC_READY) < 0)
			_exit(MEW_EXIT_FAILURE);
		/* Whoever made us is gone by now; `start` opens the FIFO. */
		if (wait_start_fifo(ctx, &err) == 0 && ctx->opts->launch_argv != NULL)
			exec_launcher(ctx->opts->launch_fd, ctx->opts->launch_argv, ctx->spec->argv,
				      ctx->spec->env, &err);
		else if (err == NULL)
			exec_command(ctx->spec->argv, ctx->spec->env, &err);
		mew_error_report(err);
		_exit(err != NULL ? err->status : MEW_EXIT_FAILURE);
	}
	if (sync_send(ctx->sync_fd, SYNC_READY) < 0)
		_exit(MEW_EXIT_FAILURE);
	msg = sync_recv(ctx->sync_fd, &err);
	if (msg != SYNC_START)
		_exit(MEW_EXIT_FAILURE);
	if (ctx->opts->init)
		run_init(ctx); /* does not return */
	exec_in_container(ctx, &err);
fail:
	sync_send_error(ctx->sync_fd, err);
	_exit(err != NULL ? err->status : MEW_EXIT_FAILURE);
}

/* ---- in mew ------------------------------------------------------------ */

static int write_id_maps(pid_t pid, struct mew_error **err)
{
	char path[64], map[64];

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (file_write_str(path, "deny", err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)geteuid());
	if (file_write_str(path, map, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getegid());
	return file_write_str(path, map, err);
}

/* Namespaces config.json gives by path: open here, joined by a helper
 * process before the clone (joining them here would move the runtime itself:
 * after a mount namespace's pivot_root it could not write its state). */
struct ns_join {
	int fd[SPEC_NS_COUNT];
	int nstype[SPEC_NS_COUNT];
	const char *path[SPEC_NS_COUNT];
	size_t n;
};

static void ns_join_close(struct ns_join *j)
{
	for (size_t i = 0; i < j->n; i++)
		close(j->fd[i]);
	j->n = 0;
}

/* config.json's linux.namespaces: new ones become clone flags, ones with a
 * path go into *join, in the order they are to be joined. */
static int oci_namespaces(const struct spec_oci *oci, unsigned long *flags, bool *userns,
			  struct ns_join *join, struct mew_error **err)
{
	static const int clone_flag[SPEC_NS_COUNT] = {
		[SPEC_NS_PID] = CLONE_NEWPID,	  [SPEC_NS_NET] = CLONE_NEWNET,
		[SPEC_NS_MOUNT] = CLONE_NEWNS,	  [SPEC_NS_IPC] = CLONE_NEWIPC,
		[SPEC_NS_UTS] = CLONE_NEWUTS,	  [SPEC_NS_USER] = CLONE_NEWUSER,
		[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = 0,
	};
	/* The user namespace first: it owns the others. */
	static const enum spec_ns order[] = { SPEC_NS_USER, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NET,
					      SPEC_NS_PID, SPEC_NS_CGROUP, SPEC_NS_MOUNT, SPEC_NS_TIME };

	*flags = 0;
	*userns = oci->ns[SPEC_NS_USER].enabled || geteuid() != 0;
	join->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct spec_namespace *ns = &oci->ns[order[i]];
		int fd;

		if (!ns->enabled)
			continue;
		if (order[i] == SPEC_NS_TIME) {
			ns_join_close(join);
			return mew_error(err, 0, "config.json: linux.namespaces: a time namespace is not supported");
		}
		if (ns->path == NULL) {
			/* cgroup: unshared by the child once it is in its group */
			if (order[i] != SPEC_NS_CGROUP)
				*flags |= (unsigned long)clone_flag[order[i]];
			continue;
		}
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ns_join_close(join);
			return mew_error(err, errno, "config.json: linux.namespaces: open `%s`", ns->path);
		}
		join->fd[join->n] = fd;
		join->nstype[join->n] = clone_flag[order[i]];
		join->path[join->n++] = ns->path;
	}
	if (geteuid() != 0 && !oci->ns[SPEC_NS_USER].enabled)
		*flags |= CLONE_NEWUSER;
	return 0;
}

/* What the joining helper reports: the container's pid, or why not. */
struct join_report {
	pid_t pid;
	bool placed; /* born in the v2 group */
	int errnum;
	char msg[512];
};

/* The container's process, cloned with flags: from here, or, when there are
 * namespaces to join, from a helper that joins them first and clones it as
 * our child (CLONE_PARENT), so that mew itself stays where it is.  The child
 * runs child_main and never returns. */
static pid_t clone_container(unsigned long flags, struct ns_join *join, struct child_ctx *ctx,
			     int parent_end, struct mew_error **err)
{
	struct join_report rep = { .pid = -1 };
	int pfd[2], status;
	pid_t helper, pid;

	if (join->n == 0) {
		/* A raw clone with fork semantics: the child runs on a copy of our stack. */
		pid = cgroup_birth_clone(ctx->birth, flags | SIGCHLD);
		if (pid == 0) {
			close(parent_end);
			child_main(ctx);
			_exit(MEW_EXIT_FAILURE);
		}
		if (pid < 0 && (errno == EPERM || errno == ENOSPC || errno == EINVAL))
			return mew_error(err, errno, "create namespaces%s",
					 ctx->userns ? " (are unprivileged user namespaces enabled?)" : "");
		return pid < 0 ? mew_error(err, errno, "clone") : pid;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return mew_error(err, errno, "pipe");
	helper = fork();
	if (helper < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return mew_error(err, errno, "fork");
	}
	if (helper == 0) {
		close(pfd[0]);
		for (size_t i = 0; i < join->n; i++) {
			if (setns(join->fd[i], join->nstype[i]) < 0) {
				rep.errnum = errno;
				snprintf(rep.msg, sizeof(rep.msg), "config.json: linux.namespaces: join `%s`",
					 join->path[i]);
				goto report;
			}
		}
		rep.pid = cgroup_birth_clone(ctx->birth, flags | CLONE_PARENT | SIGCHLD);
		rep.placed = ctx->birth->placed;
		if (rep.pid == 0) {
			close(pfd[1]);
			close(parent_end);
			child_main(ctx);
			_exit(MEW_EXIT_FAILURE);
		}
		if (rep.pid < 0) {
			rep.errnum = errno;
			snprintf(rep.msg, sizeof(rep.msg), "clone in the joined namespaces");
		}
	report:
		_exit(write(pfd[1], &rep, sizeof(rep)) == (ssize_t)sizeof(rep) ? 0 : MEW_EXIT_FAILURE);
	}
	close(pfd[1]);
	if (read(pfd[0], &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
		rep.pid = -1;
		rep.errnum = 0;
		snprintf(rep.msg, sizeof(rep.msg), "the helper that joins the namespaces failed");
	}
	close(pfd[0]);
	waitpid(helper, &status, 0);
	if (rep.pid < 0) {
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		errno = rep.errnum;
		return mew_error(err, rep.errnum, "%s", rep.msg);
	}
	ctx->birth->placed = rep.placed;
	return rep.pid;
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		     struct mew_error **err)
{
	char path[64], buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(buf) - 40; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return file_write(path, buf, len, err);
}

static int write_oci_id_maps(pid_t pid, const struct spec_oci *oci, struct mew_error **err)
{
	char path[64];

	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if (file_write_str(path, "deny", err) < 0)
			return -1;
	}
	if (oci->nuid_mappings > 0 &&
	    write_map(pid, "uid_map", oci->uid_mappings, oci->nuid_mappings, err) < 0)
		return mew_error_wrap(err, "config.json: linux.uidMappings");
	if (oci->ngid_mappings > 0 &&
	    write_map(pid, "gid_map", oci->gid_mappings, oci->ngid_mappings, err) < 0)
		return mew_error_wrap(err, "config.json: linux.gidMappings");
	return 0;
}

int container_create(const struct spec *spec, const struct container_opts *opts,
		     struct container *c, struct mew_error **err)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	const char *slave = NULL;
	struct child_ctx ctx = { .spec = spec, .opts = opts };
	struct ns_join join = { .n = 0 };
	struct cgroup_birth birth;
	char name[64];
	int sv[2];
	int msg;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->sync_fd = -1;
	c->pty_master = -1;
	ctx.fifo_fd = -1;
	ctx.birth = &birth;
	cgroup_birth_init(&birth);
	ctx.userns = geteuid() != 0;
	if (ctx.userns)
		flags |= CLONE_NEWUSER;
	if (spec->net == SPEC_NET_NONE)
		flags |= CLONE_NEWNET;
	if (spec->oci != NULL && oci_namespaces(spec->oci, &flags, &ctx.userns, &join, err) < 0)
		return -1;
	if (opts->start_fifo != NULL) {
		ctx.fifo_fd = open(opts->start_fifo, O_PATH | O_CLOEXEC);
		if (ctx.fifo_fd < 0) {
			ns_join_close(&join);
			return mew_error(err, errno, "open `%s`", opts->start_fifo);
		}
	}

	cgroup_cleanup_stale();
	/* The groups exist before the container does: it is born into them. */
	if (opts->oci_cgroup != NULL) {
		if (cgroup_oci_create(opts->oci_cgroup, spec, &birth, err) < 0)
			goto fail;
	} else if (cgroup_wanted(&spec->limits)) {
		if (opts->cgroup_name != NULL)
			snprintf(name, sizeof(name), "%s", opts->cgroup_name);
		else
			snprintf(name, sizeof(name), "run-%d", (int)getpid());
		if (cgroup_create(name, &spec->limits, &c->cgroup, err) < 0 ||
		    cgroup_birth_of(&c->cgroup, &birth, err) < 0)
			goto fail;
	}
	if (spec->tty) {
		c->pty_master = tty_open_master(&slave, err);
		if (c->pty_master < 0)
			goto fail;
		ctx.console = slave;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		mew_error(err, errno, "socketpair");
		goto fail;
	}
	ctx.sync_fd = sv[1];
	c->pid = clone_container(flags, &join, &ctx, sv[0], err);
	close(sv[1]);
	if (c->pid < 0) {
		close(sv[0]);
		goto fail;
	}
	c->sync_fd = sv[0];
	ns_join_close(&join);
	if (ctx.fifo_fd >= 0)
		close(ctx.fifo_fd);
	ctx.fifo_fd = -1;
	if (spec->oci != NULL && (flags & CLONE_NEWUSER) &&
	    (spec->oci->nuid_mappings > 0 || spec->oci->ngid_mappings > 0)) {
		if (write_oci_id_maps(c->pid, spec->oci, err) < 0)
			goto fail;
	} else if ((flags & CLONE_NEWUSER) && write_id_maps(c->pid, err) < 0) {
		goto fail;
	}
	if (cgroup_birth_finish(&birth, c->pid, err) < 0)
		goto fail;
	cgroup_birth_close(&birth);
	if (sync_send(c->sync_fd, SYNC_GO) < 0) {
		mew_error(err, errno, "start the container");
		goto fail;
	}
	msg = sync_recv(c->sync_fd, err);
	if (msg == SYNC_READY)
		return 0;
	if (msg == 0)
		mew_error(err, 0, "the container exited during setup");
	else if (msg > 0 && msg != SYNC_ERROR)
		mew_error(err, 0, "unexpected message %d from the container", msg);
fail:
	ns_join_close(&join);
	cgroup_birth_close(&birth);
	if (ctx.fifo_fd >= 0)
		close(ctx.fifo_fd);
	container_destroy(c);
	return -1;
}

int container_start(struct container *c, struct mew_error **err)
{
	int msg;

	if (sync_send(c->sync_fd, SYNC_START) < 0)
		return mew_error(err, errno, "start the container");
	c->started = true;
	msg = sync_recv(c->sync_fd, err);
	close(c->sync_fd);
	c->sync_fd = -1;
	/* EOF: the command itself (no init) exec'd and the socket closed. */
	if (msg == SYNC_EXECED || msg == 0)
		return 0;
	if (msg > 0 && msg != SYNC_ERROR)
		return mew_error(err, 0, "unexpected message %d from the container", msg);
	return -1;
}

/* Copy what is readable from one fd to another; false at EOF or error. */
static bool relay(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		off += w;
	}
	return true;
}

int container_wait(const struct spec *spec, struct container *c, struct mew_error **err)
{
	struct tty_raw raw = { 0 };
	sigset_t set, old;
	cleanup_close int sfd = -1;
	bool stdin_open = spec->interactive && c->pty_master >= 0;
	int status = -1, ws;

	forwarded_set(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return mew_error(err, errno, "signalfd");
	}
	if (c->pty_master >= 0) {
		tty_sync_winsize(c->pty_master);
		if (spec->interactive)
			tty_raw_enter(&raw);
	}
	/* The command may have ended before SIGCHLD was blocked: its signal is
	 * gone then, so look once before waiting for the next one. */
	if (waitpid(c->pid, &ws, WNOHANG) == c->pid)
		status = exit_status(ws);
	while (status < 0) {
		struct pollfd fds[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = c->pty_master, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & (POLLIN | POLLHUP))
			if (!relay(c->pty_master, STDOUT_FILENO) && !(fds[1].revents & POLLIN))
				fds[1].fd = -1;
		if (fds[2].revents & (POLLIN | POLLHUP))
			if (!relay(STDIN_FILENO, c->pty_master))
				stdin_open = false;
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH && c->pty_master >= 0)
				tty_sync_winsize(c->pty_master);
			else if (si.ssi_signo != SIGCHLD)
				kill(c->pid, (int)si.ssi_signo);
			if (waitpid(c->pid, &ws, WNOHANG) == c->pid)
				status = exit_status(ws);
		}
	}
	/* Drain what the command wrote last. */
	if (c->pty_master >= 0) {
		int fl = fcntl(c->pty_master, F_GETFL);
		fcntl(c->pty_master, F_SETFL, fl | O_NONBLOCK);
		while (relay(c->pty_master, STDOUT_FILENO) && errno != EAGAIN)
			;
	}
	tty_raw_leave(&raw);
	sigprocmask(SIG_SETMASK, &old, NULL);
	c->pid = -1;
	if (status < 0)
		return mew_error(err, errno, "wait for the container");
	return status;
}

void container_destroy(struct container *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
	}
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	c->sync_fd = -1;
	if (c->pty_master >= 0)
		close(c->pty_master);
	c->pty_master = -1;
	cgroup_destroy(&c->cgroup);
}
