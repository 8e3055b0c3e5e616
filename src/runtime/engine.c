/* The engine per container.  The annotation run.mew.engine in config.json
 * chooses it, else the name the runtime is invoked by (mew-runc: container,
 * mew-syscall, mew-emulate, mew-vm), so that podman's --runtime and
 * --annotation, containerd's runtime options and a Kubernetes RuntimeClass
 * can each select one.  auto is emulate for a foreign-architecture program,
 * else container.
 *
 * syscall and emulate run inside what the container engine sets up from the
 * config (namespaces, cgroup, mounts, root, capabilities, seccomp): its last
 * step, instead of exec'ing the command, runs `mew run --engine E --rootfs /`
 * from a static mew opened before pivot_root, so the command runs under the
 * personality (and emulate needs no binfmt_misc).  Every verb then works as
 * for the container engine; exec goes through the same launcher.  vm is
 * refused by name until it can boot a VM per container. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strutil.h"
#include "engine/engine.h"

static const char *const names[] = { "container", "syscall", "emulate", "vm", "auto" };

static bool known(const char *e)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(e, names[i]) == 0)
			return true;
	return false;
}

/* mew-syscall -> syscall; anything else (mew-runc, mew) -> container. */
static const char *engine_of_name(const char *prog)
{
	if (prog != NULL && strncmp(prog, "mew-", 4) == 0 && known(prog + 4) && strcmp(prog + 4, "auto") != 0)
		return prog + 4;
	return "container";
}

int rt_engine_choose(const char *annotation, const struct spec *spec, char **out, struct mew_error **err)
{
	const char *e = annotation != NULL ? annotation : engine_of_name(rt_globals.prog);

	*out = NULL;
	if (!known(e))
		return mew_error(err, 0, "config.json: annotations.%s: unknown engine `%s`: expected "
				 "container, syscall, emulate, vm or auto", RT_ENGINE_ANNOTATION, e);
	if (strcmp(e, "auto") == 0)
		e = emulate_is_foreign(spec) ? "emulate" : "container";
	if (strcmp(e, "vm") == 0)
		return mew_error(err, 0, "config.json: annotations.%s: the vm engine cannot run an OCI "
				 "container yet (a VM per container is not built): use container, syscall "
				 "or emulate", RT_ENGINE_ANNOTATION);
	*out = strdup(e);
	return *out != NULL ? 0 : mew_error(err, ENOMEM, "engine");
}

bool rt_engine_is_container(const char *engine)
{
	return engine == NULL || strcmp(engine, "container") == 0;
}

int rt_engine_launcher(const char *engine, const struct spec *spec, int *fd, char ***argv,
		       struct mew_error **err)
{
	char self[PATH_MAX], host[256], user[64], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 32);
	char **v = NULL;

	*fd = -1;
	*argv = NULL;
	/* The launcher's environment is the config's, and the engine reads its
	 * own settings (MEW_WALL_ABI, MEW_TRAP_*) from it: an image must not
	 * turn off the wall it runs behind. */
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
		if (strncmp(spec->env[i], "MEW_", 4) == 0)
			return mew_error(err, 0,
					 "process.env: `%.*s`: names beginning MEW_ are the %s engine's own "
					 "settings, which a container's environment may not set: rename it, or "
					 "use the container engine",
					 (int)strcspn(spec->env[i], "="), spec->env[i], engine);
	if (n <= 0)
		return mew_error(err, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	slash = strrchr(self, '/');
	/* The static mew beside this one (build/mew-aarch64): the container's
	 * root has none of the host's libraries. */
	snprintf(slash + 1, sizeof(self) - (size_t)(slash + 1 - self), "mew-aarch64");
	*fd = open(self, O_PATH | O_CLOEXEC);
	if (*fd < 0)
		return mew_error(err, errno, "the %s engine runs through a static mew: open `%s`", engine, self);
	/* none in the config: the UTS namespace's own, read by exec_launcher
	 * once the container is in it ("") */
	snprintf(host, sizeof(host), "%s", spec->hostname != NULL ? spec->hostname : "");
	strv_push(&v, "mew");
	strv_push(&v, "run");
	strv_push(&v, "--engine");
	strv_push(&v, engine);
	strv_push(&v, "--rootfs");
	strv_push(&v, "/");
	strv_push(&v, "--hostname");
	strv_push(&v, host);
	strv_push(&v, "-i");
	/* The guest's /dev is the container's, made from the config (the
	 * engine makes none of its own, which needs a writable /tmp). */
	strv_push(&v, "-v");
	strv_push(&v, "/dev:/dev");
	if (spec->cwd != NULL) {
		strv_push(&v, "-w");
		strv_push(&v, spec->cwd);
	}
	if (spec->user_set && (spec->uid != 0 || spec->gid != 0)) {
		snprintf(user, sizeof(user), "%u:%u", (unsigned)spec->uid, (unsigned)spec->gid);
		strv_push(&v, "--user");
		strv_push(&v, user);
	}
	/* -e NAME: the values come in the environment the launcher is given
	 * (the config's), never in argv, which any user may read */
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++) {
		char *name = strndup(spec->env[i], strcspn(spec->env[i], "="));
		strv_push(&v, "-e");
		strv_push(&v, name != NULL ? name : "");
		free(name);
	}
	if (strv_push(&v, "--") < 0) {
		strv_free(v);
		close(*fd);
		*fd = -1;
		return mew_error(err, ENOMEM, "engine launcher");
	}
	*argv = v;
	return 0;
}
