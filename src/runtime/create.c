/* create, start and run: the container is cloned by create and waits on
 * exec.fifo in its state directory; start opens the FIFO and it execs. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"
#include "container/cgroup_oci.h"
#include "container/container.h"
#include "container/lsm_oci.h"

struct create_args {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	const char *id;
	bool detach;
};

static int parse_create(int argc, char **argv, bool run, struct create_args *a, struct mew_error **err)
{
	memset(a, 0, sizeof(*a));
	a->bundle = ".";
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		const char **slot = NULL;

		if (arg[0] != '-') {
			if (a->id != NULL)
				return mew_error(err, 0, "%s: unexpected argument `%s`", argv[0], arg);
			a->id = arg;
			continue;
		}
		if ((n == 8 && strncmp(arg, "--bundle", n) == 0) || strcmp(arg, "-b") == 0)
			slot = &a->bundle;
		else if (n == 10 && strncmp(arg, "--pid-file", n) == 0)
			slot = &a->pid_file;
		else if (n == 16 && strncmp(arg, "--console-socket", n) == 0)
			slot = &a->console_socket;
		else if (n == 14 && strncmp(arg, "--preserve-fds", n) == 0) {
			if (eq == NULL)
				i++;
			continue;
		} else if (strcmp(arg, "--no-pivot") == 0 || strcmp(arg, "--no-new-keyring") == 0 ||
			   strcmp(arg, "--no-subreaper") == 0 || strcmp(arg, "--keep") == 0)
			continue;
		else if (run && (strcmp(arg, "--detach") == 0 || strcmp(arg, "-d") == 0)) {
			a->detach = true;
			continue;
		} else
			return mew_error(err, 0, "%s: unknown option `%s`", argv[0], arg);
		if (eq != NULL)
			*slot = eq + 1;
		else if (i + 1 < argc)
			*slot = argv[++i];
		else
			return mew_error(err, 0, "%s: `%s` needs a value", argv[0], arg);
	}
	return rt_check_id(a->id, err);
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

static void remove_state_dir(const char *dir)
{
	static const char *const files[] = { "state.json", ".state.json.tmp", "config.json", "exec.fifo" };
	char path[4200];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void strv_freep(char ***v)
{
	strv_free(*v);
}

/* Shared by create and run: everything up to a container waiting on its FIFO. */
static int do_create(const struct create_args *a, bool run, struct spec *spec, struct rt_state *st,
		     struct container *c, struct mew_error **err)
{
	cleanup_free char *config = NULL, *config_path = NULL, *state_json = NULL;
	char created[64], fifo[4200], copy[4200];
	struct container_opts opts = { .init = false, .die_with_parent = false };
	cleanup_close int launch_fd = -1;
	__attribute__((cleanup(strv_freep))) char **launch_argv = NULL;
	size_t len;
	json_t *cfg;
	int r;

	memset(st, 0, sizeof(*st));
	if (file_mkdir_p(rt_globals.root, 0700, err) < 0)
		return -1;
	st->id = strdup(a->id);
	st->dir = rt_state_dir(a->id);
	if (mkdir(st->dir, 0700) < 0) {
		if (errno == EEXIST)
			return mew_error(err, 0, "container `%s` already exists", a->id);
		return mew_error(err, errno, "mkdir `%s`", st->dir);
	}
	st->bundle = realpath(a->bundle, NULL);
	if (st->bundle == NULL) {
		mew_error(err, errno, "--bundle `%s`", a->bundle);
		goto fail;
	}
	if (asprintf(&config_path, "%s/config.json", st->bundle) < 0 ||
	    file_read(config_path, &config, &len, err) < 0)
		goto fail;
	if (spec_from_oci_json(config, len, st->bundle, spec, err) < 0 || spec_validate(spec, err) < 0 ||
	    lsm_oci_check(spec, err) < 0)
		goto fail;
	if (spec->tty && a->console_socket == NULL && !run) {
		mew_error(err, 0, "config.json: process.terminal is true: --console-socket is needed");
		goto fail;
	}
	snprintf(copy, sizeof(copy), "%s/config.json", st->dir);
	if (file_write(copy, config, len, err) < 0)
		goto fail;
	cfg = json_loadb(config, len, 0, NULL);
	if (cfg != NULL && json_is_object(json_object_get(cfg, "annotations")))
		st->annotations = json_dumps(json_object_get(cfg, "annotations"), JSON_COMPACT);
	r = rt_engine_choose(json_string_value(json_object_get(json_object_get(cfg, "annotations"),
							       RT_ENGINE_ANNOTATION)),
			     spec, &st->engine, err);
	json_decref(cfg);
	if (r < 0)
		goto fail;
	if (!rt_engine_is_container(st->engine)) {
		if (rt_engine_launcher(st->engine, spec, &launch_fd, &launch_argv, err) < 0)
			goto fail;
		opts.launch_fd = launch_fd;
		opts.launch_argv = launch_argv;
	}
	st->rootfs = strdup(spec->rootfs);
	now_rfc3339(created, sizeof(created));
	st->created = strdup(created);
	st->cgroup = cgroup_oci_path(spec, a->id);
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	/* Writable by anyone, as runc's: the container's root may be another
	 * uid (a user namespace); only the state directory's owner reads it. */
	if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0) {
		mew_error(err, errno, "mkfifo `%s`", fifo);
		goto fail;
	}
	opts.oci_cgroup = st->cgroup;
	opts.start_fifo = fifo;
	if (container_create(spec, &opts, c, err) < 0)
		goto fail;
	st->pid = c->pid;
	st->start_time = rt_pid_start_time(c->pid);
	if (!spec->oci->ns[SPEC_NS_MOUNT].enabled)
		st->host_mount = rt_host_mount_id(c->pid);
	if (rt_state_save(st, err) < 0)
		goto kill;
	if (spec->tty && spec->oci->console_width > 0 && spec->oci->console_height > 0) {
		struct winsize ws = { .ws_row = (unsigned short)spec->oci->console_height,
				      .ws_col = (unsigned short)spec->oci->console_width };
		ioctl(c->pty_master, TIOCSWINSZ, &ws);
	}
	if (spec->tty && a->console_socket != NULL) {
		if (rt_console_send(a->console_socket, c->pty_master, err) < 0)
			goto kill;
		close(c->pty_master);
		c->pty_master = -1;
	}
	state_json = rt_state_json(st, RT_CREATED);
	if (rt_hooks_run(spec, SPEC_HOOK_PRESTART, state_json, 0, err) < 0 ||
	    rt_hooks_run(spec, SPEC_HOOK_CREATE_RUNTIME, state_json, 0, err) < 0 ||
	    rt_hooks_run(spec, SPEC_HOOK_CREATE_CONTAINER, state_json, c->pid, err) < 0)
		goto kill;
	if (a->pid_file != NULL && rt_write_pid_file(a->pid_file, c->pid, err) < 0)
		goto kill;
	return 0;
kill:
	container_destroy(c);
	rt_host_mount_detach(st->host_mount);
fail:
	if (st->cgroup != NULL)
		cgroup_oci_destroy(st->cgroup);
	remove_state_dir(st->dir);
	return -1;
}

int rt_create(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct create_args a;
	struct spec spec;
	struct rt_state st = { 0 };
	struct container c;

	spec_init(&spec);
	if (parse_create(argc, argv, false, &a, &err) < 0 || do_create(&a, false, &spec, &st, &c, &err) < 0) {
		spec_free(&spec);
		rt_state_free(&st);
		return rt_fail(err);
	}
	/* The container outlives us: it is reparented to the caller's subreaper. */
	spec_free(&spec);
	rt_state_free(&st);
	return 0;
}

/* Open the FIFO and take the byte the container writes once it goes on to
 * exec: the create/start handshake. */
static int release(const struct rt_state *st, const struct spec *spec, struct mew_error **err)
{
	char fifo[4200], byte;
	cleanup_free char *state_json = rt_state_json(st, RT_CREATED);
	cleanup_close int fd = -1;

	if (rt_hooks_run(spec, SPEC_HOOK_START_CONTAINER, state_json, st->pid, err) < 0)
		return -1;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return mew_error(err, errno, "open `%s`", fifo);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 50);
		if (r > 0 && (p.revents & POLLIN)) {
			if (read(fd, &byte, 1) == 1)
				break;
		}
		if (r < 0 && errno != EINTR)
			return mew_error(err, errno, "wait on `%s`", fifo);
		if (!rt_pid_alive(st->pid, st->start_time))
			return mew_error(err, 0, "container `%s` exited before it started", st->id);
	}
	unlink(fifo);
	free(state_json);
	state_json = rt_state_json(st, RT_RUNNING);
	/* A failing poststart hook is a warning (hooks.c). */
	rt_hooks_run(spec, SPEC_HOOK_POSTSTART, state_json, 0, NULL);
	return 0;
}

int rt_start(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	struct spec spec;
	enum rt_status s;

	if (argc != 2)
		return rt_fail((mew_error(&err, 0, "usage: start ID"), err));
	if (rt_state_load(argv[1], &st, &err) < 0)
		return rt_fail(err);
	spec_init(&spec);
	s = rt_status(&st);
	if (s != RT_CREATED)
		mew_error(&err, 0, "cannot start container `%s`: it is %s", st.id, rt_status_name(s));
	else if (rt_state_spec(&st, &spec, &err) == 0)
		release(&st, &spec, &err);
	spec_free(&spec);
	rt_state_free(&st);
	return err != NULL ? rt_fail(err) : 0;
}

/* After the last process: poststop hooks, the cgroup, the state. */
void rt_cleanup(struct rt_state *st, const struct spec *spec)
{
	cleanup_free char *state_json = rt_state_json(st, RT_STOPPED);

	/* A failing poststop hook is a warning (hooks.c). */
	if (spec != NULL)
		rt_hooks_run(spec, SPEC_HOOK_POSTSTOP, state_json, 0, NULL);
	rt_host_mount_detach(st->host_mount);
	if (st->cgroup != NULL)
		cgroup_oci_destroy(st->cgroup);
	remove_state_dir(st->dir);
}

int rt_run(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct create_args a;
	struct spec spec;
	struct rt_state st = { 0 };
	struct container c;
	int status;

	spec_init(&spec);
	if (parse_create(argc, argv, true, &a, &err) < 0 || do_create(&a, true, &spec, &st, &c, &err) < 0)
		goto fail;
	if (release(&st, &spec, &err) < 0) {
		container_destroy(&c);
		rt_cleanup(&st, &spec);
		goto fail;
	}
	if (a.detach) {
		spec_free(&spec);
		rt_state_free(&st);
		return 0;
	}
	status = container_wait(&spec, &c, &err);
	container_destroy(&c);
	rt_cleanup(&st, &spec);
	spec_free(&spec);
	rt_state_free(&st);
	return status < 0 ? rt_fail(err) : status;
fail:
	spec_free(&spec);
	rt_state_free(&st);
	return rt_fail(err);
}
