/* clone's process flags (LTP's clone02, clone08): CLONE_VM without
 * CLONE_THREAD is a process of its own over the caller's memory, both
 * running; CLONE_PARENT makes a sibling.  Prints what Linux answers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int step;
static volatile pid_t child_pid, child_ppid;
static int fd;
static char stack[256 << 10] __attribute__((aligned(16)));

static int child(void *arg)
{
	child_pid = getpid();
	child_ppid = getppid();
	close(fd); /* CLONE_FILES: the caller's too */
	step = 1;
	while (step != 2) /* the caller runs meanwhile */
		usleep(1000);
	return 4;
}

static int status_of(pid_t p)
{
	int st;
	if (waitpid(p, &st, 0) != p)
		return -1000 - errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static int sibling(void *arg)
{
	return getppid() == *(pid_t *)arg ? 6 : 7;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	fd = open("/", O_RDONLY);
	pid_t pid = clone(child, stack + sizeof(stack), CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
	while (step != 1)
		usleep(1000);
	printf("child wrote while running: yes\n");
	printf("child is a process of its own: %s\n", child_pid == pid && pid != getpid() ? "yes" : "no");
	printf("child's parent is the caller: %s\n", child_ppid == getpid() ? "yes" : "no");
	printf("fd closed by the child: %s\n", fcntl(fd, F_GETFD) < 0 && errno == EBADF ? "yes" : "no");
	step = 2;
	printf("child's status: %d\n", status_of(pid));

	/* CLONE_PARENT from a child: the caller's sibling, ours to wait for */
	pid_t top = getpid();
	int pipefd[2];
	pipe(pipefd);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t s = clone(sibling, stack + sizeof(stack), CLONE_PARENT | SIGCHLD, &top);
		write(pipefd[1], &s, sizeof(s));
		_exit(0);
	}
	pid_t sib;
	read(pipefd[0], &sib, sizeof(sib));
	printf("middle: %d\n", status_of(mid));
	printf("CLONE_PARENT's child, waited for by the grandparent: %d\n", status_of(sib));

	errno = 0;
	long r = syscall(SYS_clone, CLONE_THREAD | CLONE_VM | SIGCHLD, 0, NULL, NULL, 0);
	printf("CLONE_THREAD without CLONE_SIGHAND: %s\n", r < 0 ? strerrorname_np(errno) : "made");
	return 0;
}
