/* mew-bench-work: the workloads `mew bench` and bench/peers.sh run, natively
 * and inside every engine.  A static program (built for amd64, and for arm64
 * with aarch64-linux-gnu-gcc for the emulate engine), so that it runs in any
 * root filesystem, and deterministic: each mode prints one line that is the
 * same on every run, engine and architecture.
 *
 *   work syscalls N PATH     N x (getppid, stat PATH, open+close PATH)
 *   work walk DIR PASSES     lstat every entry under DIR, PASSES times
 *   work cpu N               sort + hash N numbers, and an N-point Mandelbrot
 *   work mktree DIR D F      make DIR with D directories of F small files
 *   work realinux            can this "Linux" host containers? (see below)
 *
 * Not part of libmew: the Makefile builds it on its own (paths with /guest/
 * are freestanding programs that run inside an engine). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: work syscalls N PATH | walk DIR PASSES | cpu N | mktree DIR D F | realinux\n");
	return 2;
}

static long arg_num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "work: not a count: `%s`\n", s);
		exit(2);
	}
	return v;
}

static int do_syscalls(long n, const char *path)
{
	struct stat st;
	unsigned long sum = 0;

	for (long i = 0; i < n; i++) {
		int fd;

		sum += (unsigned long)getppid() != 0;
		if (stat(path, &st) < 0) {
			fprintf(stderr, "work: stat `%s`: %s\n", path, strerror(errno));
			return 1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "work: open `%s`: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
		sum += 3;
	}
	printf("syscalls %lu\n", sum);
	return 0;
}

static unsigned long walk_entries, walk_bytes;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path, (void)ftw;
	walk_entries++;
	if (type == FTW_F)
		walk_bytes += (unsigned long)st->st_size;
	return 0;
}

static int do_walk(const char *dir, long passes)
{
	for (long i = 0; i < passes; i++)
		if (nftw(dir, walk_one, 16, FTW_PHYS) < 0) {
			fprintf(stderr, "work: walk `%s`: %s\n", dir, strerror(errno));
			return 1;
		}
	printf("walk %lu entries %lu bytes\n", walk_entries, walk_bytes);
	return 0;
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Integer work (sort, FNV-1a hash) and floating-point work (Mandelbrot
 * escape counts): the same result on any IEEE-754 machine. */
static int do_cpu(long n)
{
	uint32_t *v = malloc((size_t)n * sizeof(*v));
	uint32_t seed = 2463534242u;
	uint64_t hash = 1469598103934665603ull;
	unsigned long iters = 0;
	long side = 1;

	if (v == NULL) {
		fprintf(stderr, "work: out of memory\n");
		return 1;
	}
	for (long i = 0; i < n; i++)
		v[i] = xorshift(&seed);
	qsort(v, (size_t)n, sizeof(*v), cmp_u32);
	for (long i = 0; i < n; i++)
		for (int b = 0; b < 4; b++) {
			hash ^= (v[i] >> (8 * b)) & 0xff;
			hash *= 1099511628211ull;
		}
	free(v);
	while ((side + 1) * (side + 1) <= n / 16)
		side++;
	for (long y = 0; y < side; y++)
		for (long x = 0; x < side; x++) {
			double cr = -2.0 + 2.5 * (double)x / (double)side;
			double ci = -1.25 + 2.5 * (double)y / (double)side;
			double zr = 0, zi = 0;
			int k;

			for (k = 0; k < 64 && zr * zr + zi * zi <= 4.0; k++) {
				double t = zr * zr - zi * zi + cr;

				zi = 2.0 * zr * zi + ci;
				zr = t;
			}
			iters += (unsigned long)k;
		}
	printf("cpu %016llx %lu\n", (unsigned long long)hash, iters);
	return 0;
}

static int do_mktree(const char *dir, long dirs, long files)
{
	char path[4096];
	char data[256];

	memset(data, 'm', sizeof(data));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "work: mkdir `%s`: %s\n", dir, strerror(errno));
		return 1;
	}
	for (long d = 0; d < dirs; d++) {
		snprintf(path, sizeof(path), "%s/d%03ld", dir, d);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "work: mkdir `%s`: %s\n", path, strerror(errno));
			return 1;
		}
		for (long f = 0; f < files; f++) {
			int fd;

			snprintf(path, sizeof(path), "%s/d%03ld/f%03ld", dir, d, f);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0 || write(fd, data, (size_t)(f % 4 + 1) * 64) < 0) {
				fprintf(stderr, "work: write `%s`: %s\n", path, strerror(errno));
				return 1;
			}
			close(fd);
		}
	}
	printf("mktree %ld\n", dirs * files);
	return 0;
}

/* What `unshare -n true` does: a child asks for a network namespace of its
 * own.  Where the kernel underneath is a real Linux and we are its root, it
 * works; a syscall layer without namespaces answers with an error. */
static void check_unshare(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		printf("unshare-net: failed: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) < 0 ? errno & 0x7f : 0);
	if (waitpid(pid, &status, 0) < 0) {
		printf("unshare-net: failed: waitpid: %s\n", strerror(errno));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("unshare-net: ok\n");
	else if (WIFEXITED(status))
		printf("unshare-net: failed: unshare(CLONE_NEWNET): %s\n", strerror(WEXITSTATUS(status)));
	else
		printf("unshare-net: failed: the child died of signal %d\n", WTERMSIG(status));
}

/* A new cgroup under a mounted hierarchy: a directory whose kernel-made
 * cgroup.procs file appears by itself. */
static int try_cgroup_in(const char *mnt, char *why, size_t len)
{
	char dir[4096], procs[4200];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/mew-bench-%d", mnt, (int)getpid());
	if (mkdir(dir, 0755) < 0) {
		snprintf(why, len, "mkdir `%s`: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (stat(procs, &st) < 0) {
		snprintf(why, len, "`%s` made, but no cgroup.procs appeared in it: not a cgroup", dir);
		rmdir(dir);
		return -1;
	}
	if (rmdir(dir) < 0) {
		snprintf(why, len, "rmdir `%s`: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(why, len, "%s", dir);
	return 0;
}

static void check_cgroup(void)
{
	char line[4096], mnt[4096], type[64], why[4400] = "no cgroup filesystem is mounted";
	FILE *f = fopen("/proc/mounts", "re");
	char tmpl[] = "/tmp/mew-bench-cg.XXXXXX";

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %4095s %63s", mnt, type) != 2)
			continue;
		if (strcmp(type, "cgroup2") != 0 && strcmp(type, "cgroup") != 0)
			continue;
		if (try_cgroup_in(mnt, why, sizeof(why)) == 0) {
			printf("cgroup: ok: %s\n", why);
			fclose(f);
			return;
		}
	}
	if (f != NULL)
		fclose(f);
	/* Nothing mounted, or nothing writable: mount a cgroup2 hierarchy of
	 * our own, as a container runtime would. */
	if (mkdtemp(tmpl) != NULL) {
		if (mount("cgroup2", tmpl, "cgroup2", 0, NULL) == 0) {
			int r = try_cgroup_in(tmpl, why, sizeof(why));

			umount2(tmpl, MNT_DETACH);
			rmdir(tmpl);
			if (r == 0) {
				printf("cgroup: ok: %s (on a cgroup2 mounted for the check)\n", why);
				return;
			}
		} else {
			size_t l = strlen(why);

			snprintf(why + l, sizeof(why) - l, "; mount cgroup2: %s", strerror(errno));
			rmdir(tmpl);
		}
	}
	printf("cgroup: failed: %s\n", why);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && strcmp(argv[1], "syscalls") == 0)
		return do_syscalls(arg_num(argv[2]), argv[3]);
	if (argc >= 4 && strcmp(argv[1], "walk") == 0)
		return do_walk(argv[2], arg_num(argv[3]));
	if (argc >= 3 && strcmp(argv[1], "cpu") == 0)
		return do_cpu(arg_num(argv[2]));
	if (argc >= 5 && strcmp(argv[1], "mktree") == 0)
		return do_mktree(argv[2], arg_num(argv[3]), arg_num(argv[4]));
	if (argc >= 2 && strcmp(argv[1], "realinux") == 0) {
		check_unshare();
		check_cgroup();
		return 0;
	}
	return usage();
}
