/* exit (not exit_group) of a process's last thread ends the process with
 * that thread's status, as Linux reports it. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *later(void *arg)
{
	usleep(50000);
	syscall(SYS_exit, 9);
	return NULL;
}

static int status_of(pid_t p)
{
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

int main(void)
{
	pid_t p = fork();
	if (p == 0)
		syscall(SYS_exit, 5);
	printf("exit of the only thread: %d\n", status_of(p));
	p = fork();
	if (p == 0) {
		pthread_t t;
		pthread_create(&t, NULL, later, NULL);
		syscall(SYS_exit, 3); /* the main thread first: the last one's status counts */
	}
	printf("exit of the main thread, then of the last: %d\n", status_of(p));
	return 0;
}
