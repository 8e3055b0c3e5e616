/* mew rootfs create: build a root filesystem from a distribution's packages.
 *   --from debian   debootstrap --variant=minbase from Debian's mirror
 *   --from busybox  Debian's busybox-static, one link per applet
 * debootstrap's own chatter is condensed into one progress line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/file.h"
#include "base/strutil.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "image/image.h"
#include "spec/spec.h"

static const char usage_text[] =
	"Usage: mew rootfs create --from debian|busybox [OPTIONS] DIR\n"
	"       mew rootfs create --from image REF DIR\n"
	"\n"
	"Build a root filesystem in DIR (which must not exist or be empty).\n"
	"\n"
	"      --from SRC      debian (debootstrap --variant=minbase), busybox, or image:\n"
	"                      the layers of REF (oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
	"                      docker-archive:FILE, containers-storage:NAME[:TAG])\n"
	"      --arch A        amd64 (default: the host's) or arm64\n"
	"      --suite S       Debian suite (default: bookworm)\n"
	"      --mirror URL    Debian mirror (default: http://deb.debian.org/debian)\n"
	"      --include P,Q   extra packages (debian)\n"
	"\n"
	"Needs root (debootstrap unpacks files owned by root); the result runs\n"
	"unprivileged with `mew run --engine syscall --rootfs DIR`.\n";

/* Condense debootstrap's "I: Retrieving libc6 2.36" lines into a progress
 * line: phase, package count.  On a terminal it rewrites one line. */
static void progress(FILE *in)
{
	char line[1024], phase[32] = "";
	bool tty = isatty(STDERR_FILENO);
	unsigned long n = 0;

	while (fgets(line, sizeof(line), in) != NULL) {
		char verb[32];
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "E: ", 3) == 0 || strncmp(line, "W: ", 3) == 0) {
			fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", line);
			continue;
		}
		if (strncmp(line, "I: ", 3) != 0 || sscanf(line + 3, "%31s", verb) != 1)
			continue;
		/* Checking, Validating... belong to the phase they interrupt. */
		if (strcmp(verb, "Retrieving") != 0 && strcmp(verb, "Extracting") != 0 &&
		    strcmp(verb, "Unpacking") != 0 && strcmp(verb, "Configuring") != 0 &&
		    strcmp(verb, "Installing") != 0 && strcmp(verb, "Base") != 0)
			continue;
		if (strcmp(verb, phase) != 0) {
			if (phase[0] != '\0' && !tty)
				fprintf(stderr, "mew: rootfs: %s: %lu done\n", phase, n);
			snprintf(phase, sizeof(phase), "%s", verb);
			n = 0;
		}
		n++;
		if (tty)
			fprintf(stderr, "\r\033[Kmew: rootfs: %s (%lu) %.60s", phase, n, line + 3);
	}
	if (tty)
		fputs("\r\033[K", stderr);
}

static int debootstrap(const char *arch, const char *suite, const char *mirror,
		       const char *include, const char *dir, struct mew_error **err)
{
	cleanup_free char *archarg = NULL, *incarg = NULL;
	int fds[2], status;
	FILE *in;
	pid_t pid;

	if (asprintf(&archarg, "--arch=%s", arch) < 0)
		return mew_error(err, ENOMEM, "debootstrap");
	if (include != NULL && asprintf(&incarg, "--include=%s", include) < 0)
		return mew_error(err, ENOMEM, "debootstrap");
	if (pipe(fds) < 0)
		return mew_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0)
		return mew_error(err, errno, "fork");
	if (pid == 0) {
		char *argv[12];
		int i = 0;
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		argv[i++] = "debootstrap";
		argv[i++] = "--variant=minbase";
		argv[i++] = archarg;
		if (incarg != NULL)
			argv[i++] = incarg;
		if (strcmp(arch, spec_host_arch()) != 0)
			argv[i++] = "--foreign";
		argv[i++] = (char *)suite;
		argv[i++] = (char *)dir;
		argv[i++] = (char *)mirror;
		argv[i] = NULL;
		execvp(argv[0], argv);
		fprintf(stderr, "E: cannot run debootstrap: %s (install it: apt-get install debootstrap)\n",
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (in != NULL) {
		progress(in);
		fclose(in);
	} else {
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return mew_error(err, errno, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return mew_error(err, 0, "debootstrap %s %s into `%s` failed (see %s/debootstrap/debootstrap.log)",
				 suite, arch, dir, dir);
	return 0;
}

/* A foreign-architecture debootstrap stops after unpacking (--foreign): its
 * second stage runs inside the rootfs, here under the emulate engine. */
static int second_stage(const char *dir, struct mew_error **err)
{
	char *const argv[] = { "/debootstrap/debootstrap", "--second-stage", NULL };
	struct spec spec;
	int r;

	spec_init(&spec);
	spec.engine = strdup("emulate");
	spec.rootfs = strdup(dir);
	spec.argv = strv_dup(argv);
	/* The guest makes no device nodes (the wall refuses mknod of a device,
	 * as a rootless container does); its /dev is mew's.  debootstrap tries
	 * one unless it knows it is in such a container. */
	if (spec.argv == NULL || spec_setenv(&spec, "container=lxc") < 0) {
		spec_free(&spec);
		return mew_error(err, ENOMEM, "rootfs");
	}
	fprintf(stderr, "mew: rootfs: debootstrap --second-stage under the emulate engine\n");
	r = engine_emulate.run(&spec, err);
	spec_free(&spec);
	if (r < 0)
		return -1;
	if (r != 0)
		return mew_error(err, 0, "debootstrap --second-stage in `%s` failed with status %d (see %s/debootstrap/debootstrap.log)",
				 dir, r, dir);
	return 0;
}

static int busybox(const char *arch, const char *dir, struct mew_error **err)
{
	cleanup_free char *script = NULL, *cmd = NULL;
	const char *root = getenv("MEW_ROOT");
	char self[4096];
	ssize_t n;
	int r;

	/* The script sits next to the source tree: $MEW_ROOT, or ../../scripts
	 * from build/mew. */
	if (root != NULL) {
		if (asprintf(&script, "%s/scripts/rootfs-busybox.sh", root) < 0)
			return mew_error(err, ENOMEM, "rootfs");
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return mew_error(err, errno, "readlink /proc/self/exe");
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		if (asprintf(&script, "%s/../scripts/rootfs-busybox.sh", self) < 0)
			return mew_error(err, ENOMEM, "rootfs");
	}
	if (!file_exists(script))
		return mew_error(err, 0, "`%s` not found: run from mew's source tree or set MEW_ROOT", script);
	/* Built in a private cache, then copied: the shared cache is untouched. */
	if (asprintf(&cmd, "c=\"$(mktemp -d)\" && MEW_CACHE=\"$c\" bash '%s' '%s' && cp -a \"$c/rootfs/busybox-%s/.\" '%s/'; r=$?; rm -rf \"$c\"; exit $r",
		     script, arch, arch, dir) < 0)
		return mew_error(err, ENOMEM, "rootfs");
	r = system(cmd);
	if (r != 0)
		return mew_error(err, 0, "building the busybox rootfs in `%s` failed", dir);
	return 0;
}

/* An image's layers, applied straight into dir (no cache: dir is the copy). */
static int from_image(const char *text, const char *arch, const char *dir, struct mew_error **err)
{
	struct image_ref ref;
	struct image_source *src = NULL;
	struct image img = { 0 };
	int r = -1;

	if (image_ref_parse(text, &ref, err) < 0)
		return -1;
	if (image_source_open(&ref, &src, err) == 0 && image_load(src, &ref, arch, &img, err) == 0) {
		if (arch != NULL && strcmp(img.config.arch, arch) != 0)
			mew_error(err, 0, "%s: the image is %s, not --arch %s", ref.text, img.config.arch, arch);
		else
			r = image_unpack(src, &img, dir, NULL, err);
	}
	if (r == 0)
		fprintf(stderr, "mew: rootfs: %s (%s, %s) unpacked\n", ref.text, img.digest, img.config.arch);
	image_free(&img);
	image_source_close(src);
	image_ref_free(&ref);
	return r;
}

static int create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "arch", required_argument, NULL, 'a' },
		{ "suite", required_argument, NULL, 's' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "include", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *arch = spec_host_arch(), *suite = "bookworm";
	const char *mirror = "http://deb.debian.org/debian", *include = NULL, *dir;
	struct mew_error *err = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	bool arch_given = false;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'a':
			arch_given = true;
			arch = spec_arch_name(optarg);
			if (arch == NULL) {
				fprintf(stderr, "mew: rootfs create: --arch: unknown architecture `%s`: expected amd64 or arm64\n", optarg);
				return 125;
			}
			break;
		case 's': suite = optarg; break;
		case 'm': mirror = optarg; break;
		case 'i': include = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fprintf(stderr, "mew: rootfs create: unknown option `%s` (see mew rootfs create --help)\n",
				argv[optind - 1]);
			return 125;
		}
	}
	if (from == NULL || optind != argc - (strcmp(from, "image") == 0 ? 2 : 1)) {
		fputs(usage_text, stderr);
		return 125;
	}
	dir = argv[argc - 1];
	if (strcmp(from, "debian") != 0 && strcmp(from, "busybox") != 0 && strcmp(from, "image") != 0) {
		fprintf(stderr, "mew: rootfs create: --from: unknown source `%s`: expected debian, busybox or image\n", from);
		return 125;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		mew_error(&err, errno, "rootfs create: mkdir `%s`", dir);
		goto fail;
	}
	d = opendir(dir);
	if (d == NULL) {
		mew_error(&err, errno, "rootfs create: `%s`", dir);
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			mew_error(&err, 0, "rootfs create: `%s` is not empty", dir);
			goto fail;
		}
	}
	if (strcmp(from, "debian") == 0) {
		if (geteuid() != 0) {
			mew_error(&err, 0, "rootfs create --from debian: debootstrap needs root (run it once as root; the result runs unprivileged)");
			goto fail;
		}
		fprintf(stderr, "mew: rootfs: debootstrap --variant=minbase %s %s from %s into %s\n",
			suite, arch, mirror, dir);
		r = debootstrap(arch, suite, mirror, include, dir, &err);
		if (r == 0 && strcmp(arch, spec_host_arch()) != 0)
			r = second_stage(dir, &err);
	} else if (strcmp(from, "image") == 0) {
		r = from_image(argv[optind], arch_given ? arch : NULL, dir, &err);
	} else {
		r = busybox(arch, dir, &err);
	}
	if (r < 0)
		goto fail;
	fprintf(stderr, "mew: rootfs ready: %s\n", dir);
	return 0;
fail:
	r = mew_error_report(err);
	mew_error_free(err);
	return r;
}

int cmd_rootfs(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	fputs(usage_text, stderr);
	return 125;
}
