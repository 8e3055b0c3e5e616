/* killexec N: N times, fork a child that execs this program (`killexec
 * spin`), and SIGKILL it at once, a little later each round, as a
 * subprocess timeout does; the child's end must be SIGKILL's. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, other = 0;

	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		for (;;)
			pause();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "spin", (char *)NULL);
			_exit(127);
		}
		struct timespec ts = { 0, (i % 100) * 50000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		other += !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	printf("killed %d, other ends %d\n", n, other);
	return 0;
}
