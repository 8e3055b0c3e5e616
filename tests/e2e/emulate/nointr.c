/* Calls Linux never interrupts must not fail with EINTR while signals keep
 * arriving: a timer fires every 100 µs into a handler without SA_RESTART,
 * and getpid, clock_gettime and dup/close must still succeed every time
 * (close returning EINTR without closing left a pipe open and hung a shell). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	(void)sig;
	ticks++;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = tick }; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 100 }, { 0, 100 } };
	setitimer(ITIMER_REAL, &it, NULL);

	pid_t me = getpid();
	long bad = 0;
	for (int i = 0; i < 100000; i++) {
		struct timespec ts;
		if (getpid() != me)
			bad++;
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			bad++;
		int fd = dup(1);
		if (fd < 0 || close(fd) != 0)
			bad++;
	}
	struct itimerval off = { 0 };
	setitimer(ITIMER_REAL, &off, NULL);
	printf("%ld failed calls, %s\n", bad, ticks > 0 ? "signals arrived" : "no signal arrived");
	return bad != 0 || ticks == 0;
}
