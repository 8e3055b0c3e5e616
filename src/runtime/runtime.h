/* mew as an OCI runtime: the runc command line that podman, conmon and
 * containerd's shim call.  Reached as `mew runtime ...` or through a second
 * name of the binary (build/mew-runc).  State lives under --root, one
 * directory per container: state.json, config.json (a copy) and exec.fifo
 * (the container waits on it between create and start). */
#ifndef MEW_RUNTIME_RUNTIME_H
#define MEW_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "spec/spec.h"

int runtime_main(int argc, char **argv);

/* Global options. */
struct rt_globals {
	const char *root; /* state directory */
	const char *log;  /* --log FILE, or NULL */
	bool log_json;	  /* --log-format json */
	bool systemd_cgroup;
	const char *prog; /* the name we were invoked by (mew-runc, mew-syscall...) */
};
extern struct rt_globals rt_globals;

/* ---- state (state.c) ---- */
enum rt_status {
	RT_CREATING,
	RT_CREATED,
	RT_RUNNING,
	RT_PAUSED,
	RT_STOPPED,
};

struct rt_state {
	char *id;
	char *dir;	 /* ROOT/ID */
	pid_t pid;	 /* host pid of the container's process 1 */
	unsigned long long start_time; /* of pid, against pid reuse */
	char *bundle;
	char *rootfs;
	char *created;	 /* RFC 3339 */
	char *cgroup;	 /* the cgroup path (cgroup_oci.h) */
	char *annotations; /* JSON object text */
	/* Mount ID of the rootfs bind in the runtime's mount namespace, for a
	 * config without a mount namespace (hostmount.c); 0 = none. */
	unsigned long long host_mount;
	char *engine; /* "container", "syscall", "emulate" (engine.c) */
};

/* Checks id: no `/`, not `.` or `..`, not empty. */
int rt_check_id(const char *id, struct mew_error **err);
char *rt_state_dir(const char *id);
int rt_state_save(const struct rt_state *st, struct mew_error **err);
/* Fails with "container `ID` does not exist" when there is no state. */
int rt_state_load(const char *id, struct rt_state *st, struct mew_error **err);
void rt_state_free(struct rt_state *st);
enum rt_status rt_status(const struct rt_state *st);
const char *rt_status_name(enum rt_status s);
/* The runtime-spec state object as JSON text. */
char *rt_state_json(const struct rt_state *st, enum rt_status status);
/* Start time of pid from /proc/PID/stat, 0 if gone. */
unsigned long long rt_pid_start_time(pid_t pid);
bool rt_pid_alive(pid_t pid, unsigned long long start_time);
/* The container's config.json as saved at create. */
int rt_state_spec(const struct rt_state *st, struct spec *spec, struct mew_error **err);

/* ---- mounts in the runtime's own namespace (hostmount.c) ---- */
/* The mount ID of pid's root, 0 if unknown. */
unsigned long long rt_host_mount_id(pid_t pid);
/* Detach that mount and everything under it, if it is still there. */
void rt_host_mount_detach(unsigned long long id);

/* ---- the engine per container (engine.c) ---- */
#define RT_ENGINE_ANNOTATION "run.mew.engine"
/* From the annotation's value (NULL = none) or our name; auto resolved. */
int rt_engine_choose(const char *annotation, const struct spec *spec, char **out, struct mew_error **err);
bool rt_engine_is_container(const char *engine);
/* For another engine: the static mew to fexecve and the argv before the
 * command's (`mew run --engine E --rootfs / ... --`). */
int rt_engine_launcher(const char *engine, const struct spec *spec, int *fd, char ***argv,
		       struct mew_error **err);

/* ---- hooks (hooks.c) ---- */
/* Run the hooks of one kind in order, each with the state JSON on stdin;
 * with ns_pid > 0 they run in that process's namespaces.  The first failure
 * stops the rest, except for poststart and poststop: each failure there is a
 * warning and the next hook runs (runtime-spec). */
int rt_hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
		 pid_t ns_pid, struct mew_error **err);

/* ---- terminal (console.c) ---- */
/* Send fd over the unix socket at path (SCM_RIGHTS), as runc does. */
int rt_console_send(const char *socket_path, int fd, struct mew_error **err);
/* The same in two steps (connect before entering the container's mount
 * namespace, send from inside it); and the receiving side. */
int rt_console_connect(const char *socket_path, struct mew_error **err);
int rt_console_send_fd(int sock, int fd, struct mew_error **err);
int rt_console_recv_fd(int sock);

/* ---- verbs ---- */
int rt_create(int argc, char **argv);
int rt_start(int argc, char **argv);
int rt_run(int argc, char **argv);
int rt_state_cmd(int argc, char **argv);
int rt_kill(int argc, char **argv);
int rt_delete(int argc, char **argv);
int rt_list(int argc, char **argv);
int rt_ps(int argc, char **argv);
int rt_pause(int argc, char **argv);
int rt_resume(int argc, char **argv);
int rt_exec(int argc, char **argv);
int rt_update(int argc, char **argv);
int rt_spec(int argc, char **argv);
int rt_features(int argc, char **argv);

/* After the last process: poststop hooks, the cgroup, the state directory. */
void rt_cleanup(struct rt_state *st, const struct spec *spec);

/* Report err the runc way: stderr, and the --log file in its format. */
int rt_fail(struct mew_error *err);
/* Write the pid to path atomically (write a temporary, rename). */
int rt_write_pid_file(const char *path, pid_t pid, struct mew_error **err);

#endif
