/* fdcount: how many fds a program can have under its RLIMIT_NOFILE, as
 * LTP's pipe07, dup06 and dup205 count them, and the errors at the limit;
 * every line holds natively whatever the limit, so that a run under mew
 * prints the same.
 *   pipe: ...              getdtablesize less the fds /proc/self/fd lists,
 *                          rounded down to pairs, against the fds pipe()
 *                          opens before EMFILE: "as counted" or how many off
 *   dup: ...               dup until EMFILE: "the limit" when the fds open
 *                          then number the soft limit, else how many off
 *   numbers: ...           the highest fd then: "under the limit" or not
 *   at the limit: ...      dup2 onto it, fcntl(F_DUPFD) from it, and just
 *                          under it
 *   set back: ...          setrlimit of what getrlimit said changes nothing
 *   lowered: ...           the same count under a limit of 100
 * fdcount raise: the soft limit raised to the hard one (as Go's runtime,
 * the JVM, nginx do), then
 *   raised: ...            getrlimit says so
 *   3000 fds: ...          3000 dups numbered one after the other
 *   top: ...               dup2 onto the highest number under the limit,
 *                          and onto the limit
 *   path: ...              a file opened by its path, in this process and
 *                          in a forked child
 *   raised: dup/numbers    as dup_all */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* the fds open under number below (all: -1) */
static int open_fds(long below)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL) {
		perror("/proc/self/fd");
		exit(1);
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) && (below < 0 || atoi(e->d_name) < below))
			n++;
	closedir(d);
	return n;
}

/* dup fd until EMFILE: the lines, and the fds closed again */
static void dup_all(const char *what, int fd)
{
	struct rlimit r;
	int *got = malloc(sizeof(int) * 1100000), n = 0, before, highest = -1;

	getrlimit(RLIMIT_NOFILE, &r);
	before = open_fds((long)r.rlim_cur);
	while ((got[n] = dup(fd)) >= 0)
		if (got[n++] > highest)
			highest = got[n - 1];
	if (errno != EMFILE)
		printf("%s: dup: %s\n", what, strerror(errno));
	else if ((rlim_t)(before + n) == r.rlim_cur)
		printf("%s: dup: the limit\n", what);
	else
		printf("%s: dup: %ld off\n", what, (long)(before + n) - (long)r.rlim_cur);
	printf("%s: numbers: %s\n", what, (rlim_t)highest < r.rlim_cur ? "under the limit" : "not under the limit");
	while (n > 0)
		close(got[--n]);
	free(got);
}

/* what a call answered (its errno saved right after it) */
static const char *err(long r, int e)
{
	return r >= 0 ? "ok" : strerror(e);
}

static const char *path_ok(void)
{
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return strerror(errno);
	close(fd);
	return "ok";
}

static int raise_to_hard(void)
{
	struct rlimit r, now;
	int fd, next, status = 0;
	pid_t pid;

	close_range(3, ~0U, 0);
	getrlimit(RLIMIT_NOFILE, &r);
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0)
		perror("setrlimit");
	getrlimit(RLIMIT_NOFILE, &now);
	printf("raised: %s\n", now.rlim_cur == now.rlim_max ? "soft is the hard limit" : "not raised");
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	next = fd + 1;
	for (int i = 0; i < 3000; i++)
		if (dup(fd) != next++)
			break;
	printf("3000 fds: %s\n", next == fd + 3001 ? "one after the other" : "not one after the other");
	{
		int lim = (int)now.rlim_cur;
		long a = dup2(fd, lim - 1), b;
		int ea = errno;
		b = dup2(fd, lim);
		printf("top: dup2 under the limit %s, dup2 at it %s\n", a == lim - 1 ? "ok" : err(a, ea), err(b, errno));
	}
	printf("path: %s", path_ok());
	fflush(stdout);
	if ((pid = fork()) == 0) {
		printf(", in a child %s\n", path_ok());
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	close_range(fd + 1, ~0U, 0);
	dup_all("raised", fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit r, again;
	int opened = 0, p[2], fd, *pipes;
	long counted;

	if (argc > 1 && strcmp(argv[1], "raise") == 0)
		return raise_to_hard();

	/* (what the test's shell left open may lie at the numbers of the
	 * stub's fds, over the limit shown) */
	close_range(3, ~0U, 0);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	getrlimit(RLIMIT_NOFILE, &r);
	counted = (getdtablesize() - open_fds(-1)) / 2 * 2;
	pipes = malloc(sizeof(int) * (r.rlim_cur + 2));
	while (pipe(p) == 0) {
		pipes[opened++] = p[0];
		pipes[opened++] = p[1];
	}
	if (errno != EMFILE) {
		perror("pipe");
		return 1;
	}
	if (counted == opened)
		printf("pipe: as counted\n");
	else
		printf("pipe: %ld off\n", opened - counted);
	while (opened > 0)
		close(pipes[--opened]);
	dup_all("start", fd);

	/* at the limit, the kernel's errors; just under it, the fd */
	{
		int lim = (int)r.rlim_cur;
		long a = dup2(fd, lim), c, d;
		int ea = errno;
		long b = fcntl(fd, F_DUPFD, lim);
		int eb = errno;
		printf("at the limit: dup2 %s, F_DUPFD %s, ", err(a, ea), err(b, eb));
		c = dup2(fd, lim - 1);
		printf("dup2 under it %s, ", c == lim - 1 ? "ok" : err(c, errno));
		close(lim - 1);
		d = fcntl(fd, F_DUPFD_CLOEXEC, lim - 1);
		printf("F_DUPFD under it %s\n", d == lim - 1 ? "ok" : err(d, errno));
		close(lim - 1);
	}

	if (setrlimit(RLIMIT_NOFILE, &r) != 0 || getrlimit(RLIMIT_NOFILE, &again) != 0)
		perror("setrlimit");
	printf("set back: %s\n", again.rlim_cur == r.rlim_cur && again.rlim_max == r.rlim_max ? "the same" : "changed");
	dup_all("set back", fd);

	r.rlim_cur = 100;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0)
		perror("setrlimit 100");
	dup_all("lowered", fd);
	return 0;
}
