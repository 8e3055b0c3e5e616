/* Signals against blocking system calls: SA_RESTART restarts a read that a
 * handler interrupted, without it the read fails with EINTR; the sleeps and
 * ppoll fail with EINTR even with SA_RESTART (signal(7)); many short
 * timers around blocking calls never lose a wake-up; a handler on an
 * alternate stack sees that stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int ticks;
static volatile void *handler_sp;
static struct timespec tick_at; /* when the last tick was handled */

static void on_alarm(int s)
{
	int here;
	ticks++;
	handler_sp = &here;
	clock_gettime(CLOCK_MONOTONIC, &tick_at);
}

static void timer(long usec)
{
	struct itimerval it = { { 0, usec }, { 0, usec } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static int slow_read(int flags)
{
	int p[2];
	char c;
	pipe(p);
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		write(p[1], "x", 1);
		_exit(0);
	}
	ticks = 0;
	timer(5000);
	ssize_t n = read(p[0], &c, 1);
	int e = errno;
	timer(0);
	close(p[0]);
	close(p[1]);
	return n == 1 ? 1 : (e == EINTR ? -EINTR : -e);
}

/* One tick 5 ms into a 1 s call, under SA_RESTART: -EINTR, or what the
 * call returned (made again, it would sleep the whole second).  A tick
 * handled before the call began (a loaded machine: 5 ms went by first)
 * proves nothing, and the case is tried again. */
static struct timespec call_at;

static void once(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 5000 } };
	tick_at = (struct timespec){ 0, 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &call_at);
}

static int came_early(void)
{
	return tick_at.tv_sec < call_at.tv_sec ||
	       (tick_at.tv_sec == call_at.tv_sec && tick_at.tv_nsec < call_at.tv_nsec);
}

#define TRY_ONCE(call) \
	for (int try_ = 0; try_ == 0 || (came_early() && try_ < 20); try_++) { \
		once(); \
		call; \
	}

static void never_restarted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct timespec req = { 1, 0 }, rem = { 0, 0 };
	int r = 0;
	sigaction(SIGALRM, &sa, NULL);
	TRY_ONCE(r = nanosleep(&req, &rem));
	printf("nanosleep %d rem<1s %d\n", r < 0 ? -errno : r, rem.tv_sec == 0 && rem.tv_nsec > 0);
	TRY_ONCE(r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
	printf("clock_nanosleep %d\n", -r);
	TRY_ONCE(r = ppoll(NULL, 0, &req, NULL));
	printf("ppoll %d\n", r < 0 ? -errno : r);
}

int main(void)
{
	int r = slow_read(SA_RESTART);
	printf("restart %d ticks>0 %d\n", r, ticks > 0);
	r = slow_read(0);
	printf("norestart %d\n", r);
	never_restarted();

	/* wake-ups are never lost: 300 one-shot timers, each awaited by pause() */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	ticks = 0;
	for (int k = 0; k < 300; k++) {
		struct itimerval it = { { 0, 0 }, { 0, 200 } };
		setitimer(ITIMER_REAL, &it, NULL);
		while (ticks <= k)
			usleep(100000); /* the tick interrupts it (or came before) */
	}
	printf("wakeups %d\n", ticks);

	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	sigaltstack(&ss, NULL);
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("altstack %d\n", (char *)handler_sp >= alt && (char *)handler_sp < alt + sizeof(alt));
	return 0;
}
