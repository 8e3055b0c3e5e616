/* Threads and processes under the syscall engine: every thread's path calls
 * are translated, vfork (posix_spawn) and fork are followed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;

static void *worker(void *arg)
{
	char cwd[256];
	struct stat st;

	for (int i = 0; i < 500; i++) {
		if (stat("/etc/debian_version", &st) != 0 || getcwd(cwd, sizeof(cwd)) == NULL ||
		    strcmp(cwd, "/etc") != 0)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		if (stat("apt", &st) != 0 || !S_ISDIR(st.st_mode))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return arg;
}

int main(void)
{
	pthread_t t[8];
	pid_t pid;
	int status, spawned;
	char *args[] = { "sh", "-c", "exit 7", NULL };

	if (chdir("/etc") != 0)
		return 2;
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	/* posix_spawn uses clone(CLONE_VFORK) while the threads run */
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, args, environ) != 0)
		return 3;
	waitpid(pid, &spawned, 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	pid = fork();
	if (pid == 0)
		_exit(access("/etc/debian_version", R_OK) == 0 ? 5 : 6);
	waitpid(pid, &status, 0);
	printf("threads: %d failures, spawn exit %d, fork exit %d\n", failures,
	       WEXITSTATUS(spawned), WEXITSTATUS(status));
	return failures == 0 && WEXITSTATUS(spawned) == 7 && WEXITSTATUS(status) == 5 ? 0 : 1;
}
