#include "base/thread.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

void thread_stop(pthread_t th, int sig)
{
	struct timespec until;

	do {
		pthread_kill(th, sig);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
	} while (pthread_timedjoin_np(th, NULL, &until) == ETIMEDOUT);
}
