/* A bit of everything a C program does: stdio with floating point,
 * threads and a mutex, signals, fork and wait, a fault handler, exit status. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter, atomic_counter;
static volatile sig_atomic_t usr1;
static sigjmp_buf jb;

static void *work(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED); /* LDXR/STXR, no lock */
	}
	return arg;
}

static void on_usr1(int s) { usr1 = s; }
static void on_segv(int s) { siglongjmp(jb, s); }

int main(int argc, char **argv)
{
	printf("float %.6f %.3e %g\n", sqrt(2.0), exp(-20.5), floor(-2.5) + ceil(2.25));
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("threads %ld\n", atomic_counter == counter ? counter : -atomic_counter);
	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	printf("signal %d\n", usr1);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st;
	waitpid(pid, &st, 0);
	printf("child %d\n", WEXITSTATUS(st));
	signal(SIGSEGV, on_segv);
	int s = sigsetjmp(jb, 1);
	if (s == 0)
		*(volatile int *)16 = 1;
	printf("segv %d\n", s);
	return argc > 1 ? atoi(argv[1]) : 0;
}
