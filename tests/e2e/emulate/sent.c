/* SIGSEGV and SIGBUS sent by kill are signals like the others (mew's fault
 * handler catches them on the host): ignored, handled with SI_USER, or
 * killing with their default action.  And unshare. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got, code;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	got = sig;
	code = si->si_code;
}

/* a child that sets the disposition, is sent sig, then exits 1 */
static void child(int sig, void (*disp)(int), int handled)
{
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		if (handled) {
			struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
			sigaction(sig, &sa, NULL);
		} else
			signal(sig, disp);
		kill(getpid(), sig);
		if (handled)
			printf("handled %d %s\n", got, code == SI_USER ? "SI_USER" : "other");
		_exit(1);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		printf("signal %d: exit %d\n", sig, WEXITSTATUS(st));
	else
		printf("signal %d: killed by %d\n", sig, WTERMSIG(st));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	child(SIGSEGV, SIG_IGN, 0);
	child(SIGBUS, SIG_IGN, 0);
	child(SIGSEGV, SIG_DFL, 0);
	child(SIGBUS, SIG_DFL, 0);
	child(SIGBUS, NULL, 1);
	printf("unshare-invalid %s\n", unshare(-1) < 0 ? strerrorname_np(errno) : "ok");
	printf("unshare-files %s\n", unshare(CLONE_FILES) < 0 ? strerrorname_np(errno) : "ok");
	printf("unshare-fs %s\n", unshare(CLONE_FS) < 0 ? strerrorname_np(errno) : "ok");
	if (fork() == 0) { /* nobody may make no namespace */
		long r;
		setuid(65534);
		printf("nobody-unshare-uts %s\n", unshare(CLONE_NEWUTS) < 0 ? strerrorname_np(errno) : "ok");
		r = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		printf("nobody-clone-uts %s\n", r < 0 ? strerrorname_np(errno) : "ok");
		_exit(0);
	}
	wait(NULL);
	if (fork() == 0) { /* nobody may not change root's scheduling (LTP's sched_setparam05) */
		struct sched_param sp = { .sched_priority = 0 };
		setuid(65534);
		printf("nobody-sched-setparam-root %s\n",
		       sched_setparam(getppid(), &sp) < 0 ? strerrorname_np(errno) : "ok");
		printf("nobody-sched-setparam-own %s\n", sched_setparam(0, &sp) < 0 ? strerrorname_np(errno) : "ok");
		_exit(0);
	}
	wait(NULL);
	return 0;
}
