/* The pod sandbox's process 1 for tests/e2e/cri.bats, as Kubernetes' pause
 * container: it holds the pod's namespaces, reaps what is reparented to it,
 * and exits 0 on SIGTERM or SIGINT.  Built static: the pause image holds
 * nothing else. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig)
{
	(void)sig;
	_exit(0);
}

static void reap(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction q = { .sa_handler = quit }, r = { .sa_handler = reap, .sa_flags = SA_NOCLDSTOP };

	sigaction(SIGINT, &q, NULL);
	sigaction(SIGTERM, &q, NULL);
	sigaction(SIGCHLD, &r, NULL);
	for (;;)
		pause();
}
