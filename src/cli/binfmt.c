/* `mew binfmt install|remove|status`: mew as the kernel's interpreter of
 * aarch64 ELF files (binfmt_misc), so that `./arm64-program` and
 * `chroot ARM64-ROOTFS sh` run through the emulate engine's CPU.
 *
 * The entry is qemu-user-static's (same magic and mask: ELF64, little
 * endian, machine 0xb7, type EXEC or DYN) under the name mew-aarch64, with
 * the interpreter build/mew-aarch64 (mew linked statically: a chroot has
 * none of the host's libraries) and the flags
 *   F  the kernel opens the interpreter at registration: it works in a
 *      chroot or a container whose root has no mew;
 *   P  argv[0] is kept (the kernel passes the file's path, then the
 *      original argv; mew sees it in AT_FLAGS);
 * and not
 *   O  (the kernel passes an open fd of the program): mew reads the program
 *      by its path, as the calling user, so an execute-only program fails
 *      under mew with EACCES;
 *   C  (credentials from the program, not the interpreter; implies O): it
 *      would make a setuid arm64 program run mew with raised privileges,
 *      every interpreter bug then a privilege escalation, while mew's
 *      personality does not pass set*id changes to the host.  Without C a
 *      setuid bit on an arm64 program is ignored, as for a script.
 * Under binfmt the guest's root directory is the process's own (`/`, or
 * the chroot), its identity the real one, and its execve the host's (the
 * kernel picks the interpreter again). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/file.h"
#include "cli/cli.h"

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define BINFMT_MAGIC 0x42494e4d /* BINFMTFS_MAGIC */
#define ENTRY "mew-aarch64"
#define FLAGS "PF"

/* qemu-binfmt-conf.sh's aarch64 magic and mask, as binfmt_misc parses them */
static const char magic[] = "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00";
static const char mask[] = "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
/* the same 20 bytes, to recognise another aarch64 handler (qemu's) */
static const unsigned char magic_bytes[20] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xb7, 0 };

static int mounted(void)
{
	struct statfs s;
	return statfs(BINFMT_DIR, &s) == 0 && (unsigned)s.f_type == BINFMT_MAGIC;
}

static int ensure_mounted(struct mew_error **err)
{
	if (mounted())
		return 0;
	if (mount("binfmt_misc", BINFMT_DIR, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return mew_error(err, errno, "mount binfmt_misc on %s", BINFMT_DIR);
	return 0;
}

/* The interpreter: mew-aarch64 next to this mew, unless given. */
static int default_interpreter(char *out, size_t len, struct mew_error **err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	if (n <= 0)
		return mew_error(err, errno, "readlink /proc/self/exe");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	*slash = '\0';
	if ((size_t)snprintf(out, len, "%s/mew-aarch64", exe) >= len)
		return mew_error(err, ENAMETOOLONG, "the interpreter next to `%s`", exe);
	return 0;
}

/* A chroot has no host libraries: the interpreter must be static (no PT_INTERP). */
static int check_static(const char *path, struct mew_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (file_read(path, &buf, &len, err) < 0)
		return mew_error_wrap(err, "the interpreter (build it with make)");
	if (len < 64 || memcmp(buf, "\x7f" "ELF\x02\x01", 6) != 0)
		return mew_error(err, 0, "the interpreter `%s` is not an x86-64 ELF program", path);
	uint64_t phoff;
	uint16_t phentsize, phnum;
	memcpy(&phoff, buf + 32, 8);
	memcpy(&phentsize, buf + 54, 2);
	memcpy(&phnum, buf + 56, 2);
	for (unsigned k = 0; k < phnum; k++) {
		uint32_t type;
		if (phoff + (uint64_t)(k + 1) * phentsize > len)
			return mew_error(err, 0, "the interpreter `%s`: truncated program headers", path);
		memcpy(&type, buf + phoff + (uint64_t)k * phentsize, 4);
		if (type == 3 /* PT_INTERP */)
			return mew_error(err, 0,
					 "the interpreter `%s` is linked dynamically: binfmt_misc needs a static mew "
					 "(a chroot has no host libraries): pass build/mew-aarch64",
					 path);
	}
	return 0;
}

static int entry_remove(const char *name, struct mew_error **err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), BINFMT_DIR "/%s", name);
	if (access(path, F_OK) < 0)
		return 0;
	return file_write_str(path, "-1", err);
}

static int install(const char *interp_arg, struct mew_error **err)
{
	char interp[PATH_MAX], reg[4096];
	if (interp_arg != NULL)
		snprintf(interp, sizeof(interp), "%s", interp_arg);
	else if (default_interpreter(interp, sizeof(interp), err) < 0)
		return -1;
	if (interp[0] != '/')
		return mew_error(err, 0, "--interpreter `%s`: needs an absolute path", interp);
	if (strchr(interp, ':') != NULL)
		return mew_error(err, 0, "--interpreter `%s`: binfmt_misc cannot register a path with `:`", interp);
	if (check_static(interp, err) < 0)
		return -1;
	if (ensure_mounted(err) < 0 || entry_remove(ENTRY, err) < 0)
		return -1;
	int n = snprintf(reg, sizeof(reg), ":" ENTRY ":M::%s:%s:%s:" FLAGS, magic, mask, interp);
	if (n < 0 || (size_t)n >= sizeof(reg))
		return mew_error(err, 0, "--interpreter `%s`: too long", interp);
	if (file_write(BINFMT_DIR "/register", reg, n, err) < 0)
		return mew_error_wrap(err, "register %s", ENTRY);
	printf("registered %s: aarch64 ELF programs run through %s (flags %s)\n", ENTRY, interp, FLAGS);
	return 0;
}

/* One registered entry, parsed from its file. */
struct entry {
	char name[256];
	int enabled;
	char interp[PATH_MAX];
	char flags[16];
	int aarch64; /* its magic and mask accept an aarch64 ELF header */
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "magic 7f454c46..." -> bytes */
static size_t parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	while (n < max && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
		out[n++] = (unsigned char)(hexval(s[0]) * 16 + hexval(s[1]));
		s += 2;
	}
	return n;
}

static int entry_read(const char *name, struct entry *e)
{
	char path[PATH_MAX];
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct mew_error *err = NULL;
	unsigned char mg[128], mk[128];
	size_t nmg = 0, nmk = 0;
	unsigned offset = 0;

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(path, sizeof(path), BINFMT_DIR "/%s", name);
	if (file_read(path, &buf, &len, &err) < 0) {
		mew_error_free(err);
		return -1;
	}
	for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (strcmp(line, "enabled") == 0)
			e->enabled = 1;
		else if (strncmp(line, "interpreter ", 12) == 0)
			snprintf(e->interp, sizeof(e->interp), "%s", line + 12);
		else if (strncmp(line, "flags: ", 7) == 0)
			snprintf(e->flags, sizeof(e->flags), "%s", line + 7);
		else if (strncmp(line, "offset ", 7) == 0)
			offset = strtoul(line + 7, NULL, 10);
		else if (strncmp(line, "magic ", 6) == 0)
			nmg = parse_hex(line + 6, mg, sizeof(mg));
		else if (strncmp(line, "mask ", 5) == 0)
			nmk = parse_hex(line + 5, mk, sizeof(mk));
	}
	if (nmg > 0 && offset + nmg <= sizeof(magic_bytes)) {
		e->aarch64 = 1;
		for (size_t k = 0; k < nmg; k++) {
			unsigned char m = k < nmk ? mk[k] : 0xff;
			/* type 2 (EXEC) and 3 (DYN) must both match for a whole handler;
			 * checking EXEC is what the probe runs */
			if ((magic_bytes[offset + k] & m) != (mg[k] & m))
				e->aarch64 = 0;
		}
	}
	return 0;
}

/* A tiny static aarch64 program: write(1, "other\n", 6); exit(0). */
static const uint32_t probe_code[] = {
	0xd2800020, /* movz x0, #1 */
	0x100000e1, /* adr x1, msg (28 bytes on) */
	0xd28000c2, /* movz x2, #6 */
	0xd2800808, /* movz x8, #64 (write) */
	0xd4000001, /* svc #0 */
	0xd2800000, /* movz x0, #0 */
	0xd2800ba8, /* movz x8, #93 (exit) */
	0xd4000001, /* svc #0 */
};

static int write_probe(char *path, size_t len)
{
	unsigned char img[64 + 56 + sizeof(probe_code) + 8];
	uint64_t base = 0x400000, entry = base + 64 + 56;
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF\x02\x01\x01", 7);
	img[16] = 2;	 /* ET_EXEC */
	img[18] = 0xb7; /* EM_AARCH64 */
	img[20] = 1;	 /* EV_CURRENT */
	memcpy(img + 24, &entry, 8);
	img[32] = 64; /* e_phoff */
	img[52] = 64; /* e_ehsize */
	img[54] = 56; /* e_phentsize */
	img[56] = 1;  /* e_phnum */
	unsigned char *ph = img + 64;
	uint32_t type = 1, flags = 5; /* PT_LOAD, R+X */
	uint64_t size = sizeof(img), align = 4096;
	memcpy(ph, &type, 4);
	memcpy(ph + 4, &flags, 4);
	memcpy(ph + 16, &base, 8);
	memcpy(ph + 24, &base, 8);
	memcpy(ph + 32, &size, 8);
	memcpy(ph + 40, &size, 8);
	memcpy(ph + 48, &align, 8);
	memcpy(img + 120, probe_code, sizeof(probe_code));
	memcpy(img + 120 + sizeof(probe_code), "other\n", 6);

	const char *tmp = getenv("TMPDIR");
	snprintf(path, len, "%s/mew-binfmt-probe.XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, img, sizeof(img)) != (ssize_t)sizeof(img) || fchmod(fd, 0755) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Who runs an aarch64 program now: "mew", "other" or "none". */
static const char *probe(void)
{
	static char out[16];
	char path[PATH_MAX];
	int pfd[2];
	if (write_probe(path, sizeof(path)) < 0 || pipe(pfd) < 0)
		return "unknown (no temporary file)";
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		char *argv[] = { path, NULL };
		char *envp[] = { "MEW_BINFMT_PROBE=1", NULL };
		execve(path, argv, envp);
		_exit(errno == ENOEXEC ? 3 : 4);
	}
	close(pfd[1]);
	ssize_t n = 0, r;
	while (pid > 0 && n < (ssize_t)sizeof(out) - 1 &&
	       ((r = read(pfd[0], out + n, sizeof(out) - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? r : 0;
	close(pfd[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	unlink(path);
	out[n] = '\0';
	if (strcmp(out, "mew\n") == 0)
		return "mew";
	if (strcmp(out, "other\n") == 0)
		return "other";
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		return "none";
	return "unknown (the probe program failed)";
}

static int status(void)
{
	if (!mounted()) {
		printf("binfmt_misc: not mounted on %s: no handler registered\n", BINFMT_DIR);
		printf("aarch64 programs run through: none (`mew binfmt install` mounts it and registers mew)\n");
		return 0;
	}
	cleanup_free char *st = NULL;
	size_t len = 0;
	struct mew_error *err = NULL;
	if (file_read(BINFMT_DIR "/status", &st, &len, &err) < 0)
		return mew_error_report(err);
	printf("binfmt_misc: %s", st);
	int nother = 0, mew = 0;
	char other[256] = "";
	cleanup_dir DIR *d = opendir(BINFMT_DIR);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		struct entry e;
		if (de->d_name[0] == '.' || strcmp(de->d_name, "register") == 0 || strcmp(de->d_name, "status") == 0)
			continue;
		if (entry_read(de->d_name, &e) < 0 || !e.aarch64)
			continue;
		int ours = strcmp(e.name, ENTRY) == 0;
		printf("%s: %s, interpreter %s, flags %s%s\n", e.name, e.enabled ? "enabled" : "disabled", e.interp,
		       e.flags[0] ? e.flags : "none", ours ? " (mew)" : "");
		if (ours)
			mew = e.enabled;
		else if (e.enabled && nother++ == 0)
			snprintf(other, sizeof(other), "%s", e.name);
	}
	if (!mew && nother == 0)
		printf("%s: not registered; no other aarch64 handler\n", ENTRY);
	else if (!mew)
		printf("%s: not registered\n", ENTRY);
	const char *who = probe();
	if (strcmp(who, "mew") == 0)
		printf("aarch64 programs run through: mew (%s)%s\n", ENTRY,
		       nother ? " (binfmt_misc tries the newest registration first)" : "");
	else if (strcmp(who, "other") == 0)
		printf("aarch64 programs run through: %s%s\n", nother == 1 ? other : "another handler",
		       mew ? ", registered after mew's (binfmt_misc tries the newest first)" : "");
	else
		printf("aarch64 programs run through: %s\n", who);
	return 0;
}

static const char usage[] =
	"Usage: mew binfmt install [--interpreter PATH] | remove | status\n"
	"\n"
	"Registers mew with the kernel's binfmt_misc as the interpreter of aarch64\n"
	"ELF programs (entry " ENTRY ", flags " FLAGS "), so that ./arm64-program and\n"
	"chroot ARM64-ROOTFS sh run through the emulate engine's CPU.  PATH must be a\n"
	"static mew (default: mew-aarch64 next to this mew).  `status` lists every\n"
	"aarch64 handler (qemu's too) and runs a probe program to tell which one wins.\n";

int cmd_binfmt(int argc, char **argv)
{
	struct mew_error *err = NULL;
	const char *interp = NULL;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? MEW_EXIT_FAILURE : 0;
	}
	for (int k = 2; k < argc; k++) {
		if (strcmp(argv[1], "install") == 0 && strcmp(argv[k], "--interpreter") == 0 && k + 1 < argc)
			interp = argv[++k];
		else {
			mew_error(&err, 0, "binfmt %s: unexpected argument `%s` (see mew binfmt --help)", argv[1], argv[k]);
			return mew_error_report(err);
		}
	}
	if (strcmp(argv[1], "status") == 0)
		return status();
	if (geteuid() != 0) {
		mew_error(&err, EPERM, "binfmt %s: registering an interpreter needs root", argv[1]);
		return mew_error_report(err);
	}
	if (strcmp(argv[1], "install") == 0) {
		if (install(interp, &err) < 0)
			return mew_error_report(err);
		return 0;
	}
	if (strcmp(argv[1], "remove") == 0) {
		if (mounted() && entry_remove(ENTRY, &err) < 0)
			return mew_error_report(err);
		return 0;
	}
	mew_error(&err, 0, "binfmt: unknown action `%s`: install, remove or status", argv[1]);
	return mew_error_report(err);
}
