/* CLONE_VM without CLONE_THREAD and CLONE_VFORK: what each process keeps
 * of its own (dispositions without CLONE_SIGHAND, the cwd without
 * CLONE_FS, credentials always) and what it shares when asked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[256 << 10] __attribute__((aligned(16)));
static volatile int handled;

static void on_usr1(int sig) { handled = sig; }

static int child(void *arg)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	if (chdir("/tmp") < 0)
		return 90;
	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 91;
	return 3;
}

static int status_of(pid_t p)
{
	int st;
	if (waitpid(p, &st, __WALL) != p)
		return -1000 - errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void run(const char *name, int flags)
{
	char cwd[256];
	struct sigaction sa;
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	chdir("/");
	pid_t pid = clone(child, stack + sizeof(stack), CLONE_VM | flags | SIGCHLD, NULL);
	int st = status_of(pid);
	sigaction(SIGUSR1, NULL, &sa);
	const char *h1 = sa.sa_handler == on_usr1 ? "child's" : sa.sa_handler == SIG_DFL ? "default" : "?";
	sigaction(SIGUSR2, NULL, &sa);
	const char *h2 = sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "?";
	printf("%s: status %d, SIGUSR1 %s, SIGUSR2 %s, cwd %s, uid %d, gid %d\n", name, st, h1, h2,
	       getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno), (int)getuid(), (int)getgid());
	if (sa.sa_handler == SIG_IGN) { /* the parent takes it as the child left it */
		handled = 0;
		signal(SIGUSR1, on_usr1);
		kill(getpid(), SIGUSR1);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	run("CLONE_VM", 0);
	run("CLONE_VM|CLONE_SIGHAND", CLONE_SIGHAND);
	run("CLONE_VM|CLONE_FS", CLONE_FS);
	run("CLONE_VM|CLONE_FS|CLONE_SIGHAND", CLONE_FS | CLONE_SIGHAND);
	return 0;
}
