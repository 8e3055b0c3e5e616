/* ptrace between guest processes, as strace starts a program: the child
 * asks to be traced, stops, and execs PROG; the parent lets it run to its
 * end.  Prints the child's exec error, if any, and its exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2)
		return 2;
	pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
			printf("traceme: %s\n", strerror(errno));
			_exit(4);
		}
		raise(SIGSTOP);
		execv(argv[1], argv + 1);
		printf("exec: %s\n", strerror(errno));
		fflush(stdout);
		_exit(3);
	}
	while (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status)) {
		int sig = WSTOPSIG(status);
		ptrace(PTRACE_CONT, pid, 0, sig == SIGSTOP || sig == SIGTRAP ? 0 : sig);
	}
	printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
