/* pidfd_open and pidfd_send_signal (Python's test_signal's
 * PidfdSignalTest): a signal through a pidfd and through a /proc/PID
 * directory, to the caller and to a child, and the kernel's owner rule
 * for a caller that is no longer root.  Prints what arm64 Linux answers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got, code, from;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	got = sig;
	code = si->si_code;
	from = si->si_pid;
}

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static const char *err(long r)
{
	return r < 0 ? strerrorname_np(errno) : "ok";
}

int main(void)
{
	char path[64];
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGUSR1, &sa, NULL);

	int self = pidfd_open(getpid(), 0);
	printf("pidfd_open self %s\n", err(self));
	printf("send to self %s", err(pidfd_send_signal(self, SIGUSR1, NULL, 0)));
	printf(", handled %d, SI_USER %s, from self %s\n", got, code == SI_USER ? "yes" : "no",
	       from == getpid() ? "yes" : "no");
	got = 0;
	snprintf(path, sizeof(path), "/proc/%d", getpid());
	int dir = open(path, O_DIRECTORY | O_RDONLY);
	printf("send through /proc/PID %s", err(pidfd_send_signal(dir, SIGUSR1, NULL, 0)));
	printf(", handled %d\n", got);
	got = 0;
	printf("send through fd 0 %s\n", err(pidfd_send_signal(0, SIGUSR1, NULL, 0)));
	printf("send through a file %s\n", err(pidfd_send_signal(open("/", O_RDONLY), SIGUSR1, NULL, 0)));
	printf("pidfd_open bad flags %s\n", err(pidfd_open(getpid(), 1)));
	printf("pidfd_open no such process %s\n", err(pidfd_open(0x3ffffff, 0)));

	pid_t kid = fork();
	if (kid == 0) {
		pause();
		_exit(0);
	}
	int kfd = pidfd_open(kid, 0);
	printf("send SIGTERM to a child %s", err(pidfd_send_signal(kfd, SIGTERM, NULL, 0)));
	siginfo_t si = { 0 };
	printf(", waitid(P_PIDFD) %s", err(waitid(P_PIDFD, kfd, &si, WEXITED)));
	printf(", killed by %d\n", si.si_code == CLD_KILLED ? si.si_status : -1);

	if (fork() == 0) { /* nobody may not signal root */
		setgid(65534);
		setuid(65534);
		printf("nobody to root %s\n", err(pidfd_send_signal(self, SIGUSR1, NULL, 0)));
		_exit(0);
	}
	wait(NULL);
	printf("root's handler untouched %s\n", got == 0 ? "yes" : "no");
	return 0;
}
