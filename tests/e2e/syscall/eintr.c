/* Calls Linux never interrupts, made while a timer signal whose handler has
 * no SA_RESTART fires every 100 us: an open of /dev/null and a stat of a
 * path (both answered through mew), a mkdir and rmdir.  Natively none of
 * them fails with EINTR; prints how many did under mew. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	(void)sig;
	ticks++;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = tick }; /* no SA_RESTART */
	struct itimerval every = { { 0, 100 }, { 0, 100 } };
	const char *dir = argc > 1 ? argv[1] : "/tmp/eintr.dir";
	int eintr = 0, other = 0, n = 4000;
	struct stat st;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	for (int i = 0; i < n; i++) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			close(fd);
		else if (errno == EINTR)
			eintr++;
		else
			other++;
		if (stat("/etc/passwd", &st) < 0)
			(errno == EINTR ? eintr++ : (other++, perror("call")));
		if (mkdir(dir, 0700) < 0)
			(errno == EINTR ? eintr++ : (other++, perror("call")));
		if (rmdir(dir) < 0)
			(errno == EINTR ? eintr++ : (other++, perror("call")));
	}
	printf("EINTR %d, other errors %d, in %d calls with %d signals\n", eintr, other, 4 * n, (int)ticks);
	return eintr || other;
}
