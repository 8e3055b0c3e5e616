#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a64/exec.h"
#include "base/log.h"
#include "cli/cli.h"
#include "runtime/runtime.h"

#ifndef MEW_VERSION
#define MEW_VERSION "0.0.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run a command in a root filesystem under one of the engines" },
	{ "engines", cmd_engines, "list the engines and whether each can run on this host" },
	{ "rootfs", cmd_rootfs, "create a root filesystem (rootfs create --from debian|busybox|image)" },
	{ "images", cmd_images, "list the container images unpacked for --image, prune them" },
	{ "bench", cmd_bench, "measure the engines side by side on this machine" },
	{ "binfmt", cmd_binfmt, "run arm64 programs through mew: binfmt install|remove|status" },
	{ "runtime", NULL, "the OCI runtime (runc's command line; also build/mew-runc)" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: mew [--debug] COMMAND [ARG...]\n"
		     "\n"
		     "mew runs a Linux root filesystem and a command in it, in each of the four\n"
		     "ways there are: container (namespaces + cgroups), syscall (system calls\n"
		     "intercepted, unprivileged), emulate (arm64 on x86-64) and vm (KVM).\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
		     "Options:\n"
		     "  --debug     print what mew does\n"
		     "  --help      this text; `mew COMMAND --help` for a command's options\n"
		     "  --version   mew's version\n"
		     "\n"
		     "Example: mew run -- sh -c 'echo hello from $(hostname)'\n");
}

int main(int argc, char **argv)
{
	const char *env = getenv("MEW_DEBUG");

	if (env != NULL && env[0] != '\0' && strcmp(env, "0") != 0)
		mew_log_level = 2;
	/* Called as mew-runc (or any name with "runc" in it): the OCI runtime;
	 * as mew-syscall, mew-emulate or mew-vm: the same with that engine. */
	{
		const char *base = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
		if (strstr(base, "runc") != NULL || strcmp(base, "mew-runtime") == 0 ||
		    strcmp(base, "mew-syscall") == 0 || strcmp(base, "mew-emulate") == 0 ||
		    strcmp(base, "mew-vm") == 0)
			return runtime_main(argc, argv);
		/* Called as mew-aarch64: an arm64 program's interpreter (mew binfmt). */
		if (strcmp(base, "mew-aarch64") == 0)
			return a64_binfmt_main(argc, argv);
	}
	if (argc > 1 && strcmp(argv[1], "runtime") == 0)
		return runtime_main(argc - 1, argv + 1);
	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[1], "--version") == 0) {
			printf("mew %s\n", MEW_VERSION);
			return 0;
		}
		if (strcmp(argv[1], "--debug") == 0) {
			mew_log_level = 2;
			argc--, argv++;
			continue;
		}
		fprintf(stderr, "mew: unknown option `%s` (see mew --help)\n", argv[1]);
		return 125;
	}
	if (argc > 1 && strcmp(argv[1], "__a64-exec") == 0) /* an emulated execve */
		return a64_exec_main(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return 125;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0 && commands[i].fn != NULL)
			return commands[i].fn(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mew: unknown command `%s` (see mew --help)\n", argv[1]);
	return 125;
}
