/* clone(CLONE_VM|CLONE_VFORK): a process of its own over the caller's
 * memory, the caller suspended until the child exits or execs (LTP's
 * clone05, posix_spawn).  Prints what arm64 Linux answers, line by line. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int written;
static volatile pid_t child_pid, child_ppid;
static char stack[256 << 10] __attribute__((aligned(16)));
static void on_usr1(int sig) { written = 100; }

static int child(void *arg)
{
	for (int i = 0; i < 20; i++)
		usleep(1000); /* the parent waits all along */
	written = 1;
	child_pid = getpid();
	child_ppid = getppid();
	/* the child's own process state: not the parent's */
	chdir("/tmp");
	signal(SIGUSR1, SIG_IGN);
	umask(077);
	return 5; /* exit (not exit_group) with this status */
}

int main(void)
{
	int st;
	char cwd[256];
	extern char **environ;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGUSR1, on_usr1);
	umask(022);
	pid_t pid = clone(child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	printf("written before the parent went on: %d\n", written);
	printf("child is a process of its own: %s\n", pid > 0 && child_pid == pid && child_pid != getpid() ? "yes" : "no");
	printf("child's parent is the caller: %s\n", child_ppid == getpid() ? "yes" : "no");
	waitpid(pid, &st, 0);
	printf("child's status: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	printf("parent's cwd: %s\n", getcwd(cwd, sizeof(cwd)));
	raise(SIGUSR1);
	printf("parent's SIGUSR1 handler: %s\n", written == 100 ? "kept" : "lost");
	printf("parent's umask: %03o\n", umask(022));

	/* posix_spawn's child reports a failed exec through the shared memory */
	char *argv[] = { "missing", NULL };
	int r = posix_spawn(&pid, "/no/such/program", NULL, NULL, argv, environ);
	printf("posix_spawn of a missing program: %s\n", r == 0 ? "0" : strerrorname_np(r));
	char *self[] = { "true", NULL };
	r = posix_spawn(&pid, "/vfork-true", NULL, NULL, self, environ);
	if (r == 0)
		waitpid(pid, &st, 0);
	printf("posix_spawn of a program: %s, status %d\n", r == 0 ? "0" : strerrorname_np(r), WEXITSTATUS(st));
	return 0;
}
