#include "spec/flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strutil.h"

const char spec_run_usage[] =
	"Usage: mew run [OPTIONS] [--] COMMAND [ARG...]\n"
	"       mew run --image REF [OPTIONS] [[--] COMMAND [ARG...]]\n"
	"\n"
	"Run COMMAND in a root filesystem, isolated by one of four engines.\n"
	"\n"
	"Engine:\n"
	"      --engine E         container (default), syscall, emulate, vm or auto\n"
	"      --rootfs DIR       root filesystem (default: mew's busybox rootfs)\n"
	"      --image REF        the root filesystem of a container image, unpacked once\n"
	"                         into mew's cache: oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
	"                         docker-archive:FILE, containers-storage:NAME[:TAG]; its\n"
	"                         Entrypoint/Cmd, Env, WorkingDir, User and architecture\n"
	"                         apply where the flags say nothing\n"
	"      --persist          with --image: keep the run's writes in the cached image\n"
	"                         (default: they go to a layer thrown away after the run)\n"
	"      --arch A           amd64 or arm64 (default: the host's; arm64 implies emulate\n"
	"                         with --engine auto)\n"
	"Process:\n"
	"  -e, --env K=V          set an environment variable (repeatable); -e K alone\n"
	"                         passes mew's own K, if set\n"
	"  -w, --workdir DIR      working directory inside the rootfs\n"
	"  -u, --user UID[:GID]   run as this user (default: root inside)\n"
	"      --hostname NAME    hostname inside (default: mew)\n"
	"  -t, --tty              allocate a terminal\n"
	"  -i, --interactive      keep standard input open\n"
	"Filesystem:\n"
	"  -v, --volume HOST:GUEST[:ro]  bind a host path into the rootfs (repeatable)\n"
	"      --read-only        mount the rootfs read-only\n"
	"      --sandbox strict   refuse to run where the engine's wall is incomplete\n"
	"                         (`mew engines` says what it lacks)\n"
	"Emulate engine:\n"
	"      --jit off|on       translate arm64 code to host code (on, the default) or\n"
	"                         interpret every instruction (off)\n"
	"Limits:\n"
	"      --memory SIZE      memory limit, e.g. 512m, 2g\n"
	"      --pids N           maximum number of processes\n"
	"      --cpus N           CPU time limit in CPUs, e.g. 0.5; vCPUs for the vm engine\n"
	"      --net MODE         none (loopback only), host, or user (a user-mode network\n"
	"                         of its own through passt, the host's loopback at\n"
	"                         10.0.2.2: the vm engine); default none, except\n"
	"                         syscall and emulate, which share the host's network\n"
	"VM engine:\n"
	"      --kernel FILE      guest kernel (vmlinux or bzImage)\n"
	"      --initrd FILE      initial ramdisk\n"
	"      --cmdline STR      extra kernel command line\n"
	"      --console          interactive serial console\n"
	"      --disk FILE        attach a raw or ext4 image as a virtio-blk disk\n"
	"      --root-disk        boot the rootfs from an ext4 image built from it (cached;\n"
	"                         the run's writes are discarded) instead of a 9p share\n"
	"      --vsock-uds PREFIX a guest connection to host vsock port P goes to the\n"
	"                         Unix socket PREFIX_P (ports 1-4 are the agent's)\n"
	"      --no-snapshot      boot the kernel cold, not from its cached snapshot\n"
	"      --vm-debug LIST    developer knobs, comma-separated: pvh (an ELF's PVH\n"
	"                         entry), no-probe, timing (start-up steps on stderr),\n"
	"                         sample=MS (each vCPU's RIP every MS ms)\n"
	"\n"
	"Exit status: COMMAND's own; 125 if mew failed, 126 if COMMAND cannot be\n"
	"executed, 127 if it was not found.\n";

enum {
	OPT_ENGINE = 256,
	OPT_ROOTFS,
	OPT_ARCH,
	OPT_HOSTNAME,
	OPT_MEMORY,
	OPT_PIDS,
	OPT_CPUS,
	OPT_NET,
	OPT_READ_ONLY,
	OPT_SANDBOX,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_CONSOLE,
	OPT_DISK,
	OPT_ROOT_DISK,
	OPT_IMAGE,
	OPT_PERSIST,
	OPT_VSOCK_UDS,
	OPT_NO_SNAPSHOT,
	OPT_VM_DEBUG,
	OPT_JIT,
};

const struct option spec_run_options[] = {
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "env", required_argument, NULL, 'e' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "volume", required_argument, NULL, 'v' },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "net", required_argument, NULL, OPT_NET },
	{ "tty", no_argument, NULL, 't' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "console", no_argument, NULL, OPT_CONSOLE },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "root-disk", no_argument, NULL, OPT_ROOT_DISK },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "persist", no_argument, NULL, OPT_PERSIST },
	{ "vsock-uds", required_argument, NULL, OPT_VSOCK_UDS },
	{ "no-snapshot", no_argument, NULL, OPT_NO_SNAPSHOT },
	{ "vm-debug", required_argument, NULL, OPT_VM_DEBUG },
	{ "jit", required_argument, NULL, OPT_JIT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int set_str(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
	return *field == NULL ? -1 : 0;
}

static int parse_user(const char *value, struct spec *spec, struct mew_error **err)
{
	cleanup_free char *copy = strdup(value);
	char *colon = copy != NULL ? strchr(copy, ':') : NULL;
	int64_t uid, gid;

	if (copy == NULL)
		return mew_error(err, ENOMEM, "--user");
	if (colon != NULL)
		*colon = '\0';
	if (parse_int(copy, 0, 0xfffffffe, &uid) < 0)
		return mew_error(err, 0, "--user: invalid user `%s`: expected UID[:GID]", value);
	gid = uid;
	if (colon != NULL && parse_int(colon + 1, 0, 0xfffffffe, &gid) < 0)
		return mew_error(err, 0, "--user: invalid group in `%s`: expected UID[:GID]", value);
	spec->user_set = true;
	spec->uid = (uid_t)uid;
	spec->gid = (gid_t)gid;
	return 0;
}

static int parse_volume(const char *value, struct spec *spec, struct mew_error **err)
{
	cleanup_free char *copy = strdup(value);
	char *host, *guest, *mode;
	char *ro[] = { "rbind", "ro", NULL };
	char *rw[] = { "rbind", NULL };

	if (copy == NULL)
		return mew_error(err, ENOMEM, "--volume");
	host = copy;
	guest = strchr(host, ':');
	if (guest == NULL || host[0] == '\0' || guest[1] == '\0')
		return mew_error(err, 0, "--volume: invalid `%s`: expected HOST:GUEST[:ro]", value);
	*guest++ = '\0';
	mode = strchr(guest, ':');
	if (mode != NULL) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			return mew_error(err, 0, "--volume: invalid mode `%s` in `%s`: expected ro or rw",
					 mode, value);
	}
	if (guest[0] != '/')
		return mew_error(err, 0, "--volume: guest path `%s` is not absolute", guest);
	if (spec_add_mount(spec, "bind", host, guest,
			   mode != NULL && strcmp(mode, "ro") == 0 ? ro : rw) < 0)
		return mew_error(err, ENOMEM, "--volume");
	return 0;
}

static int parse_vm_debug(const char *value, struct spec_vm *vm, struct mew_error **err)
{
	cleanup_free char *copy = strdup(value);
	char *save = NULL;
	int64_t ms;

	if (copy == NULL)
		return mew_error(err, ENOMEM, "--vm-debug");
	for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "pvh") == 0)
			vm->boot_pvh = true;
		else if (strcmp(w, "no-probe") == 0)
			vm->no_probe = true;
		else if (strcmp(w, "timing") == 0)
			vm->timing = true;
		else if (strncmp(w, "sample=", 7) == 0 && parse_int(w + 7, 1, 60000, &ms) == 0)
			vm->sample_ms = (int)ms;
		else
			return mew_error(err, 0, "--vm-debug: unknown knob `%s`: expected pvh, no-probe, timing or sample=MS", w);
	}
	return 0;
}

int spec_parse_run_flags(int argc, char **argv, struct spec *spec, struct mew_error **err)
{
	int c, r = 0;
	int64_t n;
	char *end;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:w:u:v:tih", spec_run_options, NULL)) != -1) {
		switch (c) {
		case OPT_ENGINE:
			if (strcmp(optarg, "container") != 0 && strcmp(optarg, "syscall") != 0 &&
			    strcmp(optarg, "emulate") != 0 && strcmp(optarg, "vm") != 0 &&
			    strcmp(optarg, "auto") != 0)
				return mew_error(err, 0,
						 "--engine: unknown engine `%s`: expected container, syscall, emulate, vm or auto",
						 optarg);
			r = set_str(&spec->engine, optarg);
			break;
		case OPT_ROOTFS:
			r = set_str(&spec->rootfs, optarg);
			break;
		case OPT_ARCH:
			if (spec_arch_name(optarg) == NULL)
				return mew_error(err, 0, "--arch: unknown architecture `%s`: expected amd64 or arm64",
						 optarg);
			r = set_str(&spec->arch, spec_arch_name(optarg));
			break;
		case 'e':
			if (optarg[0] == '=' || optarg[0] == '\0')
				return mew_error(err, 0, "--env: invalid `%s`: expected NAME=VALUE or NAME", optarg);
			if (strchr(optarg, '=') == NULL) {
				/* NAME alone: mew's own value, as podman's -e NAME
				 * (the OCI launcher's: values stay out of argv,
				 * which every user can read in /proc/PID/cmdline) */
				const char *v = getenv(optarg);
				cleanup_free char *kv = NULL;
				if (v == NULL)
					break;
				if (asprintf(&kv, "%s=%s", optarg, v) < 0)
					return mew_error(err, ENOMEM, "--env");
				r = spec_setenv(spec, kv);
				break;
			}
			r = spec_setenv(spec, optarg);
			break;
		case 'w':
			if (optarg[0] != '/')
				return mew_error(err, 0, "--workdir: `%s` is not an absolute path", optarg);
			r = set_str(&spec->cwd, optarg);
			break;
		case 'u':
			if (parse_user(optarg, spec, err) < 0)
				return -1;
			break;
		case OPT_HOSTNAME:
			if (strlen(optarg) == 0 || strlen(optarg) > 64)
				return mew_error(err, 0, "--hostname: invalid `%s`: 1 to 64 characters", optarg);
			r = set_str(&spec->hostname, optarg);
			break;
		case 'v':
			if (parse_volume(optarg, spec, err) < 0)
				return -1;
			break;
		case OPT_MEMORY:
			if (parse_size(optarg, &spec->limits.memory) < 0 || spec->limits.memory < 4096)
				return mew_error(err, 0, "--memory: invalid size `%s`: expected a number with k, m or g, at least 4k",
						 optarg);
			break;
		case OPT_PIDS:
			if (parse_int(optarg, 1, INT64_MAX, &spec->limits.pids) < 0)
				return mew_error(err, 0, "--pids: invalid count `%s`: expected a positive integer",
						 optarg);
			break;
		case OPT_CPUS:
			errno = 0;
			spec->limits.cpus = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(spec->limits.cpus > 0) ||
			    spec->limits.cpus > 1024)
				return mew_error(err, 0, "--cpus: invalid `%s`: expected a positive number", optarg);
			break;
		case OPT_NET:
			if (strcmp(optarg, "none") == 0)
				spec->net = SPEC_NET_NONE;
			else if (strcmp(optarg, "host") == 0)
				spec->net = SPEC_NET_HOST;
			else if (strcmp(optarg, "user") == 0)
				spec->net = SPEC_NET_USER;
			else
				return mew_error(err, 0, "--net: unknown mode `%s`: expected none, host or user", optarg);
			spec->net_set = true;
			break;
		case 't':
			spec->tty = true;
			break;
		case 'i':
			spec->interactive = true;
			break;
		case OPT_READ_ONLY:
			spec->readonly_root = true;
			break;
		case OPT_SANDBOX:
			if (strcmp(optarg, "strict") != 0)
				return mew_error(err, 0, "--sandbox: unknown mode `%s`: expected strict", optarg);
			spec->sandbox_strict = true;
			break;
		case OPT_JIT:
			if (strcmp(optarg, "off") != 0 && strcmp(optarg, "on") != 0)
				return mew_error(err, 0, "--jit: unknown mode `%s`: expected off or on", optarg);
			spec->jit = strcmp(optarg, "on") == 0 ? SPEC_JIT_ON : SPEC_JIT_OFF;
			break;
		case OPT_KERNEL:
			r = set_str(&spec->vm.kernel, optarg);
			break;
		case OPT_INITRD:
			r = set_str(&spec->vm.initrd, optarg);
			break;
		case OPT_CMDLINE:
			r = set_str(&spec->vm.cmdline, optarg);
			break;
		case OPT_CONSOLE:
			spec->vm.console = true;
			break;
		case OPT_DISK:
			r = set_str(&spec->vm.disk, optarg);
			break;
		case OPT_ROOT_DISK:
			spec->vm.root_disk = true;
			break;
		case OPT_IMAGE:
			r = set_str(&spec->image, optarg);
			break;
		case OPT_PERSIST:
			spec->persist = true;
			break;
		case OPT_VSOCK_UDS:
			r = set_str(&spec->vm.vsock_uds, optarg);
			break;
		case OPT_NO_SNAPSHOT:
			spec->vm.no_snapshot = true;
			break;
		case OPT_VM_DEBUG:
			if (parse_vm_debug(optarg, &spec->vm, err) < 0)
				return -1;
			break;
		case 'h':
			return 1;
		case ':':
			return mew_error(err, 0, "option `%s` needs a value", argv[optind - 1]);
		default:
			if (optopt != 0 && optopt < 256)
				return mew_error(err, 0, "unknown option `-%c` (see mew run --help)", optopt);
			return mew_error(err, 0, "unknown option `%s` (see mew run --help)", argv[optind - 1]);
		}
		if (r < 0)
			return mew_error(err, ENOMEM, "parsing options");
	}
	if (spec->limits.cpus > 0 && spec->vm.vcpus == 0) {
		n = (int64_t)spec->limits.cpus;
		spec->vm.vcpus = n < 1 ? 1 : (int)n;
	}
	/* As docker does: a terminal comes with a TERM that programs understand. */
	if (spec->tty && spec_getenv(spec, "TERM") == NULL && spec_setenv(spec, "TERM=xterm") < 0)
		return mew_error(err, ENOMEM, "parsing options");
	if (spec->persist && spec->image == NULL)
		return mew_error(err, 0, "--persist: only with --image (a --rootfs is always written in place)");
	/* An image's config may supply the command. */
	if (optind >= argc && spec->image != NULL)
		return 0;
	if (optind >= argc)
		return mew_error(err, 0, "no command given (usage: mew run [OPTIONS] [--] COMMAND [ARG...])");
	strv_free(spec->argv);
	spec->argv = strv_dup(argv + optind);
	if (spec->argv == NULL)
		return mew_error(err, ENOMEM, "parsing options");
	return 0;
}
