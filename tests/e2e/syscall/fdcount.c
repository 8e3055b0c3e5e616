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
 *   lowered: ...           the same count under a limit of 100 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

int main(void)
{
	struct rlimit r, again;
	int opened = 0, p[2], fd, *pipes;
	long counted;

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
