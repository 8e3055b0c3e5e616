/* A debugger inside the guest: the requests that would make a tracer
 * (PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_SEIZE) are EPERM under the
 * syscall engine; the others are the kernel's (ESRCH: no tracee).  One
 * line each, "ok WHAT" or "FAILED WHAT: got X, want Y". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "want.h"

int main(void)
{
	int status, p[2];
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid == 0) {
		want("PTRACE_TRACEME is EPERM", ptrace(PTRACE_TRACEME, 0, 0, 0), EPERM);
		_exit(failed);
	}
	waitpid(pid, &status, 0);
	failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (pipe(p) < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	want("PTRACE_ATTACH of a child is EPERM", ptrace(PTRACE_ATTACH, pid, 0, 0), EPERM);
	want("PTRACE_SEIZE of a child is EPERM", ptrace(PTRACE_SEIZE, pid, 0, 0), EPERM);
	errno = 0;
	want("PTRACE_PEEKDATA of an untraced child is the kernel's ESRCH",
	     ptrace(PTRACE_PEEKDATA, pid, (void *)&status, 0) == -1 && errno ? -1 : 0, ESRCH);
	close(p[1]);
	waitpid(pid, &status, 0);
	want("the child ran on, untraced", WIFEXITED(status) ? 0 : (errno = ECHILD, -1), 0);
	return failed;
}
