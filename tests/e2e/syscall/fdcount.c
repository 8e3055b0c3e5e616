/* fdcount: as LTP's pipe07 counts, the fds free under RLIMIT_NOFILE
 * (getdtablesize less the fds /proc/self/fd lists, rounded down to pairs),
 * then how many fds pipe() opens before EMFILE; prints "counted N opened M". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int open_fds = 0, opened = 0, p[2];

	if (d == NULL) {
		perror("/proc/self/fd");
		return 1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			open_fds++;
	closedir(d);
	while (pipe(p) == 0)
		opened += 2;
	if (errno != EMFILE) {
		perror("pipe");
		return 1;
	}
	printf("counted %d opened %d\n", (getdtablesize() - open_fds) / 2 * 2, opened);
	return 0;
}
