/* A handler set to SIG_IGN by another thread while a signal is being
 * delivered: the delivery takes one of the two, never a mix (Linux reads
 * the disposition once, under its lock). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int stop, handled;
static void on_usr1(int sig) { handled++; }

static void *toggle(void *arg)
{
	struct sigaction h = { .sa_handler = on_usr1 }, ign = { .sa_handler = SIG_IGN };
	while (!stop) {
		sigaction(SIGUSR1, &h, NULL);
		sigaction(SIGUSR1, &ign, NULL);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	pid_t pid = getpid(), tid = gettid();
	signal(SIGUSR1, SIG_IGN); /* never the default: it would end the process */
	pthread_create(&t, NULL, toggle, NULL);
	for (int i = 0; i < 200000; i++)
		syscall(SYS_tgkill, pid, tid, SIGUSR1);
	stop = 1;
	pthread_join(t, NULL);
	printf("survived, handled %s\n", handled > 0 ? "some" : "none");
	return 0;
}
