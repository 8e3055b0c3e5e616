/* The runc command line: global options, then a verb. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"

struct rt_globals rt_globals;

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
	{ "create", rt_create, "create a container from a bundle; it waits for start" },
	{ "start", rt_start, "run the process of a created container" },
	{ "run", rt_run, "create and start a container, and wait for it" },
	{ "state", rt_state_cmd, "print a container's state (runtime-spec JSON)" },
	{ "kill", rt_kill, "send a signal to a container's process (--all: every process)" },
	{ "delete", rt_delete, "remove a stopped container (--force: any container)" },
	{ "exec", rt_exec, "run another process in a running container" },
	{ "update", rt_update, "change a running container's resource limits" },
	{ "list", rt_list, "list the containers under --root" },
	{ "ps", rt_ps, "list a container's processes" },
	{ "pause", rt_pause, "freeze every process of a container" },
	{ "resume", rt_resume, "thaw a paused container" },
	{ "spec", rt_spec, "write a default config.json" },
	{ "features", rt_features, "print what this runtime supports (JSON)" },
};

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS] [ID]\n"
		"\n"
		"mew's OCI runtime (runtime-spec 1.x), with runc's command line: podman\n"
		"--runtime, containerd's runc shim and Kubernetes RuntimeClasses can use it.\n"
		"\n"
		"Commands:\n",
		prog);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "\n"
		     "Global options:\n"
		     "  --root DIR          container state (default /run/mew-runtime)\n"
		     "  --log FILE          also write errors to FILE\n"
		     "  --log-format FMT    text or json\n"
		     "  --systemd-cgroup    accepted; mew drives cgroupfs directly\n"
		     "  --debug             print what mew does\n"
		     "  --version           mew's version\n");
}

int rt_fail(struct mew_error *err)
{
	int status = mew_error_report(err);

	if (rt_globals.log != NULL && err != NULL) {
		FILE *f = fopen(rt_globals.log, "ae");
		if (f != NULL) {
			if (rt_globals.log_json) {
				char when[64];
				time_t now = time(NULL);
				json_t *o = json_object();
				char *line;
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
				json_object_set_new(o, "level", json_string("error"));
				json_object_set_new(o, "msg", json_string(err->msg));
				json_object_set_new(o, "time", json_string(when));
				line = json_dumps(o, JSON_COMPACT);
				if (line != NULL)
					fprintf(f, "%s\n", line);
				free(line);
				json_decref(o);
			} else {
				fprintf(f, "mew: %s\n", err->msg);
			}
			fclose(f);
		}
	}
	mew_error_free(err);
	return status == 0 ? 1 : status;
}

int rt_write_pid_file(const char *path, pid_t pid, struct mew_error **err)
{
	char tmp[4200], buf[32];

	snprintf(tmp, sizeof(tmp), "%s.mew-tmp", path);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (file_write_str(tmp, buf, err) < 0)
		return -1;
	if (rename(tmp, path) < 0)
		return mew_error(err, errno, "--pid-file `%s`", path);
	return 0;
}

/* --name VALUE or --name=VALUE; *i advances past what was used. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int runtime_main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *v;
	int i;

	rt_globals.prog = prog;
	rt_globals.root = geteuid() == 0 ? "/run/mew-runtime" : NULL;
	if (rt_globals.root == NULL) {
		static char root[512];
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		snprintf(root, sizeof(root), "%s/mew-runtime", xdg != NULL ? xdg : "/tmp");
		rt_globals.root = root;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((v = opt_value(argc, argv, &i, "--root")) != NULL) {
			rt_globals.root = v;
		} else if ((v = opt_value(argc, argv, &i, "--log")) != NULL &&
			   strncmp(argv[i], "--log-format", 12) != 0) {
			rt_globals.log = v;
		} else if ((v = opt_value(argc, argv, &i, "--log-format")) != NULL) {
			rt_globals.log_json = strcmp(v, "json") == 0;
		} else if ((v = opt_value(argc, argv, &i, "--criu")) != NULL ||
			   (v = opt_value(argc, argv, &i, "--rootless")) != NULL) {
			/* accepted for compatibility */
		} else if (strcmp(argv[i], "--systemd-cgroup") == 0) {
			rt_globals.systemd_cgroup = true;
		} else if (strcmp(argv[i], "--debug") == 0) {
			mew_log_level = 2;
		} else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
			printf("mew version %s\nspec: 1.0.2\n", MEW_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, prog);
			return 0;
		} else {
			fprintf(stderr, "mew: unknown global option `%s` (see %s --help)\n", argv[i], prog);
			return MEW_EXIT_FAILURE;
		}
	}
	if (i >= argc) {
		usage(stderr, prog);
		return MEW_EXIT_FAILURE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout, prog);
		return 0;
	}
	if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "version") == 0) {
		printf("mew version %s\nspec: 1.0.2\n", MEW_VERSION);
		return 0;
	}
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (strcmp(argv[i], verbs[k].name) == 0)
			return verbs[k].fn(argc - i, argv + i);
	fprintf(stderr, "mew: unknown command `%s` (see %s --help)\n", argv[i], prog);
	return MEW_EXIT_FAILURE;
}
