/* Real-time signals queue: each instance delivered with its own siginfo,
 * in order (LTP's fcntl38 gets two with two si_fd). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static int got[16], n;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	if (n < 16)
		got[n++] = si->si_value.sival_int;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	sigset_t set;

	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	/* queued while blocked, and while unblocked from inside the handler's run */
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int k = 1; k <= 3; k++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = k });
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (int k = 4; k <= 6; k++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = k });
	for (int k = 0; k < n; k++)
		printf("%d%s", got[k], k + 1 < n ? " " : "\n");
	return 0;
}
