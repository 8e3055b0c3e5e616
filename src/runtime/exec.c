/* exec: another process in a running container.  mew joins the container's
 * cgroup and namespaces in a child, which forks once more so that the
 * process is inside the pid namespace too; errors before exec come back
 * over a pipe that exec closes. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "container/cgroup_oci.h"
#include "container/container.h"
#include "container/exec.h"
#include "container/lsm_oci.h"
#include "container/process_oci.h"
#include "container/tty.h"

struct exec_args {
	const char *process;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	const char *user;
	const char *id;
	const char *apparmor; /* --apparmor, --process-label: lsm_oci.h */
	const char *label;
	char **env;
	char **caps;
	char **argv; /* points into the caller's argv */
	bool tty, tty_set, detach, nnp;
};

static int parse_exec(int argc, char **argv, struct exec_args *a, struct mew_error **err)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc && a->id == NULL; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		const char *val = NULL;
		const char *const with_value[] = { "--process", "-p", "--pid-file", "--console-socket",
						   "--cwd", "--env", "-e", "--user", "-u", "--cap", "-c",
						   "--preserve-fds", "--process-label", "--apparmor", NULL };
		bool takes = false;

		if (arg[0] != '-') {
			a->id = arg;
			break;
		}
		for (size_t k = 0; with_value[k] != NULL; k++)
			if (strlen(with_value[k]) == n && strncmp(arg, with_value[k], n) == 0)
				takes = true;
		if (takes) {
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return mew_error(err, 0, "exec: `%s` needs a value", arg);
		}
		if (strncmp(arg, "--process", n) == 0 || strcmp(arg, "-p") == 0)
			a->process = val;
		else if (strncmp(arg, "--pid-file", n) == 0 && takes)
			a->pid_file = val;
		else if (strncmp(arg, "--console-socket", n) == 0 && takes)
			a->console_socket = val;
		else if (strncmp(arg, "--cwd", n) == 0 && takes)
			a->cwd = val;
		else if ((strncmp(arg, "--env", n) == 0 || strcmp(arg, "-e") == 0) && takes)
			strv_push(&a->env, val);
		else if ((strncmp(arg, "--user", n) == 0 || strcmp(arg, "-u") == 0) && takes)
			a->user = val;
		else if ((strncmp(arg, "--cap", n) == 0 || strcmp(arg, "-c") == 0) && takes)
			strv_push(&a->caps, val);
		else if (strncmp(arg, "--apparmor", n) == 0 && takes)
			a->apparmor = val;
		else if (strncmp(arg, "--process-label", n) == 0 && takes)
			a->label = val;
		else if (takes)
			continue; /* --preserve-fds: accepted */
		else if (strcmp(arg, "--tty") == 0 || strcmp(arg, "-t") == 0)
			a->tty = a->tty_set = true;
		else if (strcmp(arg, "--detach") == 0 || strcmp(arg, "-d") == 0)
			a->detach = true;
		else if (strcmp(arg, "--no-new-privs") == 0)
			a->nnp = true;
		else
			return mew_error(err, 0, "exec: unknown option `%s`", arg);
	}
	if (a->id == NULL)
		return mew_error(err, 0, "usage: exec [OPTIONS] ID [COMMAND [ARG...]]");
	a->argv = argv + i + 1;
	if (a->process == NULL && a->argv[0] == NULL)
		return mew_error(err, 0, "exec: no command given (and no --process)");
	return rt_check_id(a->id, err);
}

/* The container's process as config.json said, then what exec changes. */
static int build_spec(const struct exec_args *a, const struct rt_state *st, struct spec *spec,
		      struct mew_error **err)
{
	if (rt_state_spec(st, spec, err) < 0)
		return -1;
	/* Hooks belong to the container, not to this process. */
	for (int k = 0; k < SPEC_HOOK_COUNT; k++)
		spec->oci->hooks[k].n = 0;
	if (a->process != NULL) {
		cleanup_free char *buf = NULL;
		size_t len;
		spec->tty = false;
		if (file_read(a->process, &buf, &len, err) < 0 ||
		    spec_from_oci_process(buf, len, "process.json", spec, err) < 0)
			return -1;
	} else {
		strv_free(spec->argv);
		spec->argv = strv_dup(a->argv);
		spec->tty = false;
	}
	if (a->tty_set)
		spec->tty = a->tty;
	if (a->cwd != NULL) {
		free(spec->cwd);
		spec->cwd = strdup(a->cwd);
	}
	for (size_t i = 0; a->env != NULL && a->env[i] != NULL; i++)
		spec_setenv(spec, a->env[i]);
	if (a->user != NULL) {
		unsigned u, g = 0;
		int n = sscanf(a->user, "%u:%u", &u, &g);
		if (n < 1)
			return mew_error(err, 0, "exec: --user `%s`: expected UID[:GID]", a->user);
		spec->user_set = true;
		spec->uid = u;
		spec->gid = n == 2 ? g : 0;
	}
	if (a->nnp)
		spec->oci->no_new_privileges = true;
	if (a->apparmor != NULL) {
		free(spec->oci->apparmor_profile);
		spec->oci->apparmor_profile = strdup(a->apparmor);
	}
	if (a->label != NULL) {
		free(spec->oci->selinux_label);
		spec->oci->selinux_label = strdup(a->label);
	}
	return 0;
}

static void join_namespaces(pid_t pid)
{
	static const char *const order[] = { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" };
	char path[64], self[64];

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct stat x, y;
		int fd;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, order[i]);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", order[i]);
		if (stat(path, &x) < 0 || (stat(self, &y) == 0 && x.st_ino == y.st_ino))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, 0) < 0) {
			dprintf(2, "mew: exec: join `%s`: %s\n", path, strerror(errno));
			_exit(MEW_EXIT_FAILURE);
		}
		close(fd);
	}
}

/* Tell the parent what failed: the status, then the message. */
static void report(int fd, struct mew_error *err)
{
	char buf[1100];
	int32_t status = err != NULL ? err->status : MEW_EXIT_FAILURE;
	int len = snprintf(buf + 4, sizeof(buf) - 4, "%s", err != NULL ? err->msg : "exec failed");

	memcpy(buf, &status, 4);
	if (len > (int)sizeof(buf) - 5)
		len = (int)sizeof(buf) - 5;
	if (write(fd, buf, 4 + (size_t)len) < 0) {
		/* the parent sees EOF and reports a failure of its own */
	}
}

/* In the container's mount namespace: a pty from its devpts, the master
 * sent over sock; returns the slave. */
static int open_pty_inside(int sock, const struct spec *spec, struct mew_error **err)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
	char *name;

	if (master < 0)
		return mew_error(err, errno, "exec: open /dev/ptmx in the container");
	if (unlockpt(master) < 0 || (name = ptsname(master)) == NULL) {
		close(master);
		return mew_error(err, errno, "exec: set up the terminal");
	}
	if (spec->oci->console_width > 0 && spec->oci->console_height > 0) {
		struct winsize ws = { .ws_row = (unsigned short)spec->oci->console_height,
				      .ws_col = (unsigned short)spec->oci->console_width };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || rt_console_send_fd(sock, master, err) < 0) {
		if (slave < 0)
			mew_error(err, errno, "exec: open `%s`", name);
		close(master);
		return -1;
	}
	close(master);
	close(sock);
	return slave;
}

/* launch: the other engine's launcher (engine.c), or launch_fd < 0. */
static void process_main(const struct spec *spec, int slave, int errfd, int launch_fd,
			 char *const *launch_argv)
{
	struct mew_error *err = NULL;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (slave >= 0) {
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
		    dup2(slave, 2) < 0) {
			mew_error(&err, errno, "exec: attach the terminal");
			goto fail;
		}
		if (slave > 2)
			close(slave);
	}
	if (spec->cwd != NULL && chdir(spec->cwd) < 0) {
		mew_error(&err, errno, "exec: cwd `%s`", spec->cwd);
		goto fail;
	}
	if (process_oci_apply(spec, spec->oci->ns[SPEC_NS_USER].enabled, &err) < 0)
		goto fail;
	if (launch_fd >= 0)
		exec_launcher(launch_fd, launch_argv, spec->argv, spec->env, &err);
	else
		exec_command(spec->argv, spec->env, &err);
fail:
	report(errfd, err);
	_exit(err != NULL ? err->status : MEW_EXIT_FAILURE);
}

int rt_exec(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct exec_args a;
	struct rt_state st = { 0 };
	struct spec spec;
	struct container c = { .pid = -1, .sync_fd = -1, .pty_master = -1 };
	struct cgroup_birth birth;
	int term_sock = -1, term_back = -1;
	int pidpipe[2] = { -1, -1 }, errpipe[2] = { -1, -1 }, slave = -1, root_fd = -1, launch_fd = -1;
	char **launch_argv = NULL;
	pid_t mid, pid = -1;
	enum rt_status s;
	int r = 0, status;

	spec_init(&spec);
	cgroup_birth_init(&birth);
	if (parse_exec(argc, argv, &a, &err) < 0 || rt_state_load(a.id, &st, &err) < 0)
		goto fail;
	s = rt_status(&st);
	if (s != RT_RUNNING && s != RT_CREATED) {
		mew_error(&err, 0, "cannot exec in container `%s`: it is %s", a.id, rt_status_name(s));
		goto fail;
	}
	if (build_spec(&a, &st, &spec, &err) < 0 || lsm_oci_check(&spec, &err) < 0)
		goto fail;
	/* Under another engine, the process runs under it too. */
	if (!rt_engine_is_container(st.engine) &&
	    rt_engine_launcher(st.engine, &spec, &launch_fd, &launch_argv, &err) < 0)
		goto fail;
	/* The terminal is made inside the container (its own devpts), and its
	 * master sent to the console socket, or to us for a foreground exec. */
	if (spec.tty && a.console_socket != NULL) {
		term_sock = rt_console_connect(a.console_socket, &err);
		if (term_sock < 0)
			goto fail;
	} else if (spec.tty) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			mew_error(&err, errno, "socketpair");
			goto fail;
		}
		term_sock = sv[1];
		term_back = sv[0];
	}
	if (!a.detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (pipe2(pidpipe, O_CLOEXEC) < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
		mew_error(&err, errno, "pipe");
		goto fail;
	}
	/* Born into the container's groups, as its first process was; the
	 * process forked below, in the joined namespaces, stays there. */
	if (st.cgroup != NULL && cgroup_oci_birth(st.cgroup, &birth, &err) < 0)
		goto fail;
	mid = cgroup_birth_clone(&birth, SIGCHLD);
	if (mid < 0) {
		mew_error(&err, errno, "fork");
		goto fail;
	}
	if (mid == 0) {
		close(pidpipe[0]);
		close(errpipe[0]);
		if (cgroup_birth_join(&birth, &err) < 0) {
			report(errpipe[1], err);
			_exit(MEW_EXIT_FAILURE);
		}
		cgroup_birth_close(&birth);
		/* No mount namespace of its own: its root is a chroot, entered
		 * (through a handle taken while our /proc shows it) once the
		 * namespaces are joined. */
		if (st.host_mount != 0) {
			char root[64];
			snprintf(root, sizeof(root), "/proc/%d/root", (int)st.pid);
			root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		join_namespaces(st.pid);
		if (st.host_mount != 0 && (root_fd < 0 || fchdir(root_fd) < 0 || chroot(".") < 0)) {
			mew_error(&err, errno, "exec: enter the root of container `%s`", a.id);
			report(errpipe[1], err);
			_exit(MEW_EXIT_FAILURE);
		}
		if (term_sock >= 0 && (slave = open_pty_inside(term_sock, &spec, &err)) < 0) {
			report(errpipe[1], err);
			_exit(MEW_EXIT_FAILURE);
		}
		pid = fork();
		if (pid == 0) {
			close(pidpipe[1]);
			process_main(&spec, slave, errpipe[1], launch_fd, launch_argv);
		}
		if (write(pidpipe[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(MEW_EXIT_FAILURE);
		_exit(pid > 0 ? 0 : MEW_EXIT_FAILURE);
	}
	cgroup_birth_close(&birth);
	close(pidpipe[1]);
	close(errpipe[1]);
	pidpipe[1] = errpipe[1] = -1;
	if (term_sock >= 0)
		close(term_sock);
	term_sock = -1;
	if (read(pidpipe[0], &pid, sizeof(pid)) != sizeof(pid) || pid <= 0)
		pid = -1;
	waitpid(mid, &status, 0);
	{
		char buf[1100];
		ssize_t n = read(errpipe[0], buf, sizeof(buf) - 1);
		if (n >= 4) {
			int32_t code;
			memcpy(&code, buf, 4);
			buf[n] = '\0';
			mew_error_status(&err, code, 0, "%s", buf + 4);
			goto fail;
		}
		if (pid < 0) {
			mew_error(&err, 0, "exec: could not enter container `%s`", a.id);
			goto fail;
		}
	}
	if (a.pid_file != NULL && rt_write_pid_file(a.pid_file, pid, &err) < 0)
		goto fail;
	if (term_back >= 0) {
		c.pty_master = rt_console_recv_fd(term_back);
		if (c.pty_master < 0) {
			mew_error(&err, 0, "exec: no terminal came back from the container");
			goto fail;
		}
		tty_sync_winsize(c.pty_master);
	}
	if (a.detach)
		goto out;
	/* Foreground: the process was reparented to us (subreaper). */
	c.pid = pid;
	r = container_wait(&spec, &c, &err);
	if (r < 0)
		goto fail;
out:
	if (launch_fd >= 0)
		close(launch_fd);
	strv_free(launch_argv);
	if (c.pty_master >= 0)
		close(c.pty_master);
	if (term_back >= 0)
		close(term_back);
	spec_free(&spec);
	rt_state_free(&st);
	strv_free(a.env);
	strv_free(a.caps);
	return r;
fail:
	cgroup_birth_close(&birth);
	if (launch_fd >= 0)
		close(launch_fd);
	strv_free(launch_argv);
	if (c.pty_master >= 0)
		close(c.pty_master);
	if (term_sock >= 0)
		close(term_sock);
	if (term_back >= 0)
		close(term_back);
	spec_free(&spec);
	rt_state_free(&st);
	return rt_fail(err);
}
