/* The keeper: the process between `mew run` and the guest that makes sure
 * nothing the guest started outlives the run.
 *
 * A guest is a plain tree of host processes (no pid namespace: that needs
 * privileges and would renumber the guest's pids).  The keeper is a child
 * subreaper, so every orphan in the tree is reparented to it instead of to
 * init, and its parent-death signal is SIGTERM: when mew dies, even by
 * SIGKILL, the keeper is told and kills everything below it.  When the
 * guest's first process exits, what it left running is killed too (a
 * container's pid namespace does the same), and the keeper exits with the
 * guest's status (128+N for a signal).
 *
 * Limits (--memory, --pids, --cpus) are applied with a cgroup the keeper
 * is born into (src/cgroup/birth.c), before it starts the guest; cgroups
 * need root, so without it the engine refuses the flags rather than ignore
 * them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a64/a64.h"
#include "base/cleanup.h"
#include "spec/spec.h"

/* The parent of pid, from /proc/pid/stat; -1 when it is gone. */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512];
	cleanup_close int fd = -1;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* pid (comm) state ppid: comm may hold spaces and parentheses */
	char *p = strrchr(buf, ')');
	int ppid;
	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* SIGKILL every child of this process; returns how many there were.
 * (/proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN: scan instead.) */
static int kill_children(void)
{
	cleanup_dir DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();
	int n = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (parent_of(de->d_name) == self) {
			kill((pid_t)atoi(de->d_name), SIGKILL);
			n++;
		}
	}
	return n;
}

/* Kill and reap everything below the keeper: a killed child's own children
 * are reparented here (the keeper is their subreaper), so repeat until no
 * child is left. */
static void kill_all(void)
{
	for (;;) {
		int st;
		/* nothing left: no scan (the common case when the guest ends) */
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p < 0 && errno == ECHILD)
			return;
		if (p > 0)
			continue;
		kill_children();
		if (waitpid(-1, &st, 0) < 0 && errno == ECHILD)
			return;
	}
}

static int status_code(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

_Noreturn void a64_keeper(pid_t mew, int (*guest)(void *), void *arg)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGINT, SIG_IGN); /* the terminal's signals are the guest's */
	signal(SIGQUIT, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != mew)
		_exit(MEW_EXIT_FAILURE);

	pid_t g = fork();
	if (g < 0) {
		fprintf(stderr, "mew: fork: %s\n", strerror(errno));
		_exit(MEW_EXIT_FAILURE);
	}
	if (g == 0) {
		pid_t keeper = getppid();
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* the guest does not outlive a killed keeper */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != keeper)
			_exit(MEW_EXIT_FAILURE);
		_exit(guest(arg));
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0)
			continue;
		if (getppid() != mew) {
			/* mew is gone (the parent-death signal): take everything with it */
			kill_all();
			_exit(128 + SIGKILL);
		}
		if (sig != SIGCHLD) {
			kill(g, sig); /* passed on by mew */
			continue;
		}
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p != g)
				continue;
			/* the guest is done: what it left behind goes with it */
			kill_all();
			_exit(status_code(st));
		}
	}
}

int a64_limits_check(const struct spec *spec, struct mew_error **err)
{
	const struct spec_limits *l = &spec->limits;
	const char *flag = l->memory > 0 ? "--memory" : l->pids > 0 ? "--pids" : l->cpus > 0 ? "--cpus" : NULL;
	if (flag == NULL || geteuid() == 0)
		return 0;
	return mew_error(err, 0,
			 "%s: the emulate engine applies limits with a cgroup, which needs root "
			 "(run as root, or use --engine container)",
			 flag);
}
