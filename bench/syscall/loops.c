/* The syscall engine's micro benchmarks, timed inside the process so that
 * start-up is not counted:
 *   loops getppid N        N getppid() calls (never intercepted)
 *   loops stat N PATH      N stat(PATH) calls (intercepted: a path)
 *   loops fstat N PATH     N fstat(fd) of an open PATH (glibc: newfstatat(fd,
 *                          "", AT_EMPTY_PATH), intercepted, nothing to translate)
 *   loops rawfstat N PATH  N raw fstat (nr 5) through syscall(), whose call
 *                          site holds the number in a register, as Go's does
 *   loops statat N PATH    N fstatat(dirfd, NAME, AT_SYMLINK_NOFOLLOW) of
 *                          PATH's last component from an fd on its directory
 *                          (what tar, find and rm -r do)
 *   loops open N PATH      N open(PATH, O_RDONLY) and close
 *   loops openat2 N PATH   N openat2(fd on PATH's directory, NAME, O_RDONLY,
 *                          RESOLVE_BENEATH) and close (cap-std's, Go's
 *                          os.Root's way)
 *   loops cpu N            N iterations of an integer loop (no calls)
 * Prints "<mode> <ns per iteration>". */
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	volatile unsigned long x = 1;
	struct stat st;
	double t0, t1;

	if (argc < 3)
		return 2;
	t0 = now();
	if (strcmp(argv[1], "getppid") == 0) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (strcmp(argv[1], "stat") == 0 && argc > 3) {
		for (long i = 0; i < n; i++)
			if (stat(argv[3], &st) != 0)
				return 1;
	} else if (strcmp(argv[1], "fstat") == 0 && argc > 3) {
		int fd = open(argv[3], O_RDONLY);
		if (fd < 0)
			return 1;
		t0 = now();
		for (long i = 0; i < n; i++)
			if (fstat(fd, &st) != 0)
				return 1;
	} else if (strcmp(argv[1], "rawfstat") == 0 && argc > 3) {
		int fd = open(argv[3], O_RDONLY);
		if (fd < 0)
			return 1;
		t0 = now();
		for (long i = 0; i < n; i++)
			if (syscall(SYS_fstat, fd, &st) != 0)
				return 1;
	} else if (strcmp(argv[1], "statat") == 0 && argc > 3) {
		char *d = strdup(argv[3]), *b = strdup(argv[3]);
		const char *name = basename(b);
		int dfd = open(dirname(d), O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			return 1;
		t0 = now();
		for (long i = 0; i < n; i++)
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				return 1;
	} else if (strcmp(argv[1], "open") == 0 && argc > 3) {
		for (long i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY);
			if (fd < 0)
				return 1;
			close(fd);
		}
	} else if (strcmp(argv[1], "openat2") == 0 && argc > 3) {
		char *d = strdup(argv[3]), *b = strdup(argv[3]);
		const char *name = basename(b);
		int dfd = open(dirname(d), O_RDONLY | O_DIRECTORY);
		struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_BENEATH };
		if (dfd < 0)
			return 1;
		t0 = now();
		for (long i = 0; i < n; i++) {
			int fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
			if (fd < 0)
				return 1;
			close(fd);
		}
	} else if (strcmp(argv[1], "cpu") == 0) {
		for (long i = 0; i < n; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	} else {
		return 2;
	}
	t1 = now();
	printf("%s %.1f\n", argv[1], (t1 - t0) / n);
	return 0;
}
