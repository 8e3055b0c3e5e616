/* The tracer's event loop: every tracee's stops, until the main process is
 * gone; then whatever it left running is killed and reaped, so no zombie
 * and no stopped tracee outlives a run. */
#include "trap/trap.h"
#include "base/cleanup.h"
#include "base/procstatus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

int trap_exe_of(const struct pers *p, pid_t pid, char *guest, size_t len)
{
	struct trap *t = p->engine;
	struct tracee *tr;
	int r = -1;

	pthread_mutex_lock(&t->lock);
	tr = trap_tracee(t, pid, false);
	if (tr != NULL && tr->exe != NULL)
		r = (size_t)snprintf(guest, len, "%s", tr->exe) < len ? 0 : -1;
	pthread_mutex_unlock(&t->lock);
	return r;
}

struct tracee *trap_tracee(struct trap *t, pid_t tid, bool create)
{
	struct tracee **b = &t->buckets[(unsigned)tid % 256], *tr;

	for (tr = *b; tr != NULL; tr = tr->next)
		if (tr->tid == tid)
			return tr;
	if (!create)
		return NULL;
	/* zeroed but for the cred's groups, which only the copy touches */
	tr = malloc(sizeof(*tr));
	if (tr == NULL)
		return NULL;
	memset(tr, 0, offsetof(struct tracee, cred));
	tr->tid = tid;
	pers_cred_copy(&tr->cred, &t->pers.cred);
	tr->next = *b;
	*b = tr;
	t->ntracees++;
	return tr;
}

/* Unlink *at's record and free it. */
static void unlink_tracee(struct trap *t, struct tracee **at)
{
	struct tracee *tr = *at;

	*at = tr->next;
	free(tr->exe);
	free(tr->pending_exe);
	free(tr->root);
	free(tr->created);
	free(tr);
	t->ntracees--;
}

void trap_tracee_drop(struct trap *t, pid_t tid)
{
	struct tracee **b = &t->buckets[(unsigned)tid % 256];

	for (; *b != NULL; b = &(*b)->next) {
		if ((*b)->tid == tid) {
			unlink_tracee(t, b);
			return;
		}
	}
}

void trap_tracee_sweep(struct trap *t)
{
	if (t->ntracees < t->sweep_at)
		return;
	for (int i = 0; i < 256; i++) {
		for (struct tracee **b = &t->buckets[i]; *b != NULL;) {
			/* kill(2) finds a thread by its id too */
			if ((*b)->tid != t->main_pid && kill((*b)->tid, 0) < 0 && errno == ESRCH)
				unlink_tracee(t, b);
			else
				b = &(*b)->next;
		}
	}
	t->sweep_at = t->ntracees < 32 ? 64 : 2 * t->ntracees;
}

pid_t trap_tgid(struct tracee *tr)
{
	char v[32];

	if (tr->tgid != 0)
		return tr->tgid;
	if (proc_status_field(tr->tid, "Tgid", v, sizeof(v)) < 0)
		return tr->tid;
	if (sscanf(v, "%d", &tr->tgid) != 1 || tr->tgid == 0)
		tr->tgid = tr->tid;
	return tr->tgid;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

void trap_tracee_root(struct trap *t, pid_t tid, char *root, size_t len)
{
	struct tracee *tr = trap_tracee(t, tid, false);

	if (tr == NULL || (tr->root == NULL && trap_tgid(tr) != tid))
		tr = tr != NULL ? trap_tracee(t, trap_tgid(tr), false) : NULL;
	snprintf(root, len, "%s", tr != NULL && tr->root != NULL ? tr->root : "");
}

int trap_set_root(struct trap *t, pid_t tid, const char *root)
{
	struct tracee *tr;
	pid_t tgid;
	int r = 0;

	__atomic_store_n(&t->chrooted, 1, __ATOMIC_RELEASE);
	if (t->stub_mode)
		return trap_root_write(tid, root);
	pthread_mutex_lock(&t->lock);
	tr = trap_tracee(t, tid, true);
	tgid = tr != NULL ? trap_tgid(tr) : tid;
	/* its threads share it (a process of CLONE_FS without CLONE_THREAD,
	 * which would too, has a root of its own here) */
	for (size_t i = 0; i < ARRAY_SIZE(t->buckets); i++)
		for (struct tracee *o = t->buckets[i]; o != NULL; o = o->next) {
			char *copy;
			if (o != tr && trap_tgid(o) != tgid)
				continue;
			copy = root[0] != '\0' ? strdup(root) : NULL;
			if (root[0] != '\0' && copy == NULL) {
				r = -ENOMEM;
				continue;
			}
			free(o->root);
			o->root = copy;
		}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void on_new_child(struct trap *t, struct tracee *parent, pid_t pid, int event)
{
	struct tracee *child = trap_tracee(t, pid, true);

	if (child == NULL)
		return;
	if (child->exe == NULL)
		child->exe = dup_or_null(parent->exe);
	/* fork inherits the root; a thread shares it */
	if (child->root == NULL)
		child->root = dup_or_null(parent->root);
	if (!child->cred_known) {
		pers_cred_copy(&child->cred, &parent->cred);
		child->cred_known = true;
	}
	if (event == PTRACE_EVENT_CLONE)
		child->tgid = 0; /* a thread or a process: ask /proc when needed */
}

static void on_exec(struct trap *t, struct tracee *tr)
{
	unsigned long former = 0;
	struct tracee *old;

	/* A thread other than the leader exec'd: it now has the leader's id. */
	if (ptrace(PTRACE_GETEVENTMSG, tr->tid, 0, &former) == 0 && (pid_t)former != tr->tid &&
	    (old = trap_tracee(t, (pid_t)former, false)) != NULL) {
		free(tr->pending_exe);
		tr->pending_exe = old->pending_exe;
		old->pending_exe = NULL;
		trap_tracee_drop(t, (pid_t)former);
	}
	if (tr->pending_exe != NULL) {
		free(tr->exe);
		tr->exe = tr->pending_exe;
		tr->pending_exe = NULL;
	}
	pers_cred_exec(&tr->cred, tr->exec_file.mode, tr->exec_file.uid, tr->exec_file.gid);
	tr->tgid = tr->tid;
	if (tr->exec_file.ino != 0) {
		pers_busy_exec(t->pers.busy, tr->tid, tr->exec_file.dev, tr->exec_file.ino);
		pers_busy_exec_done(t->pers.busy, tr->tid, true);
	}
}

static void kill_all(struct trap *t)
{
	for (size_t i = 0; i < 256; i++)
		for (struct tracee *tr = t->buckets[i]; tr != NULL; tr = tr->next)
			kill(tr->tid, SIGKILL);
}

static volatile sig_atomic_t forward_sig;

static void on_signal(int sig)
{
	forward_sig = sig;
}

/* Ctrl-C and Ctrl-\ reach the guest through the terminal; mew stays to
 * report its status.  TERM and HUP sent to mew are passed on. */
static void catch_forwarded_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int trap_loop(struct trap *t, struct mew_error **err)
{
	int status;
	pid_t pid;

	catch_forwarded_signals();
	for (;;) {
		struct tracee *tr;
		unsigned event;
		int sig;

		if (forward_sig != 0) {
			int s = forward_sig;
			forward_sig = 0;
			if ((s == SIGTERM || s == SIGHUP) && t->main_status < 0)
				kill(t->main_pid, s);
		}
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			return mew_error(err, errno, "waitpid");
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == t->main_pid) {
				t->main_status = WIFEXITED(status) ? WEXITSTATUS(status)
								    : 128 + WTERMSIG(status);
				/* The run is over: nothing it started survives it. */
				kill_all(t);
			}
			pthread_mutex_lock(&t->lock);
			trap_tracee_drop(t, pid);
			pthread_mutex_unlock(&t->lock);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		pthread_mutex_lock(&t->lock);
		tr = trap_tracee(t, pid, true);
		pthread_mutex_unlock(&t->lock);
		if (tr == NULL) {
			ptrace(PTRACE_CONT, pid, 0, 0);
			continue;
		}
		sig = WSTOPSIG(status);
		event = (unsigned)status >> 16;
		if (t->main_status >= 0) {
			/* Only the killing is left to do. */
			kill(pid, SIGKILL);
			ptrace(PTRACE_CONT, pid, 0, 0);
			continue;
		}
		switch (event) {
		case PTRACE_EVENT_SECCOMP:
			ptrace(trap_syscall(t, tr) ? PTRACE_SYSCALL : PTRACE_CONT, pid, 0, 0);
			break;
		case PTRACE_EVENT_FORK:
		case PTRACE_EVENT_VFORK:
		case PTRACE_EVENT_CLONE: {
			unsigned long child = 0;
			pthread_mutex_lock(&t->lock);
			if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &child) == 0 && child != 0)
				on_new_child(t, tr, (pid_t)child, (int)event);
			pthread_mutex_unlock(&t->lock);
			ptrace(PTRACE_CONT, pid, 0, 0);
			break;
		}
		case PTRACE_EVENT_EXEC:
			pthread_mutex_lock(&t->lock);
			on_exec(t, tr);
			pthread_mutex_unlock(&t->lock);
			ptrace(PTRACE_CONT, pid, 0, 0);
			break;
		case PTRACE_EVENT_STOP:
			/* A group stop (SIGSTOP and friends) stays a stop until
			 * SIGCONT; any other (a new tracee's first) just resumes. */
			if (tr->started && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
					    sig == SIGTTOU))
				ptrace(PTRACE_LISTEN, pid, 0, 0);
			else
				ptrace(PTRACE_CONT, pid, 0, 0);
			break;
		case 0:
			if (sig == (SIGTRAP | 0x80)) { /* the end of a call trap_syscall asked to see */
				trap_syscall_exit(t, tr);
				ptrace(PTRACE_CONT, pid, 0, 0);
				break;
			}
			/* A signal for the guest: delivered unchanged. */
			ptrace(PTRACE_CONT, pid, 0, sig);
			break;
		default:
			ptrace(PTRACE_CONT, pid, 0, 0);
			break;
		}
		tr->started = true;
	}
	if (t->main_status < 0)
		return mew_error(err, 0, "the traced command vanished without an exit status");
	mew_debug("trap: main process done, status %d; the notifier answered %lu calls", t->main_status,
		  __atomic_load_n(&t->notified, __ATOMIC_RELAXED));
	return t->main_status;
}

/* Stub mode (guest/stub.h): nothing is traced while it runs, so the loop
 * only reaps: mew's child, and the orphans it inherits as subreaper.  When
 * the main process is gone, what is left is killed until nothing is. */

static void kill_child(pid_t pid, struct pollfd *fds, int max, int *n)
{
	int fd;

	kill(pid, SIGKILL);
	if (*n < max && (fd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0)
		fds[(*n)++] = (struct pollfd){ .fd = fd, .events = POLLIN };
}

/* The children of mew's threads (orphans are reparented to any of them),
 * from each one's /proc/self/task/TID/children, each killed: -1 without
 * those files (CONFIG_PROC_CHILDREN). */
static int kill_listed_children(struct pollfd *fds, int max, int *n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int listed = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[4096];
		ssize_t len;
		int fd;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* (a thread just gone) */
		listed = 1;
		/* a list longer than buf: the rest is for the next look */
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[len > 0 ? len : 0] = '\0';
		for (char *p = buf, *end; *p != '\0'; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0)
				kill_child((pid_t)pid, fds, max, n);
		}
	}
	closedir(d);
	return listed ? 0 : -1;
}

/* SIGKILL every child of mew; with fds, also a pidfd on each (at most max),
 * to wait for its end on.  How many pidfds.  Each caller looks again until
 * waitpid sees none (a child may be reparented to mew meanwhile). */
static int kill_children(struct pollfd *fds, int max)
{
	pid_t me = getpid();
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (kill_listed_children(fds, max, &n) == 0)
		return n;
	/* without the lists: every process's parent, from /proc/N/status */
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char v[32];
		int pid = atoi(e->d_name), ppid = 0;
		if (pid <= 0 || pid == me)
			continue;
		if (proc_status_field(pid, "PPid", v, sizeof(v)) < 0 || sscanf(v, "%d", &ppid) != 1 || ppid != me)
			continue;
		kill_child(pid, fds, max, &n);
	}
	closedir(d);
	return n;
}

/* Once the main process is gone: kill what is left and sleep until one of
 * them ends.  Not in wait4: a child the exec watcher thread traced is
 * reaped by that thread, and the kernel does not wake this one's wait4 when
 * it was the last (it slept with no child at all); a pidfd is readable once
 * its process has ended, whoever reaps it. */
static void await_children(void)
{
	struct pollfd fds[64];
	int n = kill_children(fds, 64);

	if (n == 0) {
		/* none seen yet (a child of a child just reparented): look again */
		sched_yield();
		return;
	}
	while (poll(fds, (nfds_t)n, -1) < 0 && errno == EINTR)
		;
	while (n > 0)
		close(fds[--n].fd);
}

int trap_stub_loop(struct trap *t, struct mew_error **err)
{
	int status;
	pid_t pid;

	catch_forwarded_signals();
	for (;;) {
		if (forward_sig != 0) {
			int s = forward_sig;
			forward_sig = 0;
			if ((s == SIGTERM || s == SIGHUP) && t->main_status < 0)
				kill(t->main_pid, s);
		}
		/* Once the main process is gone, wait4 does not block: see
		 * await_children. */
		pid = waitpid(-1, &status, __WALL | __WNOTHREAD | (t->main_status >= 0 ? WNOHANG : 0));
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			return mew_error(err, errno, "waitpid");
		}
		if (pid == 0) {
			await_children();
			continue;
		}
		if (WIFSTOPPED(status)) {
			ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(status));
			continue;
		}
		if (!WIFEXITED(status) && !WIFSIGNALED(status))
			continue;
		if (pid == t->main_pid)
			t->main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		pthread_mutex_lock(&t->lock);
		trap_tracee_drop(t, pid);
		pthread_mutex_unlock(&t->lock);
		if (t->main_status >= 0)
			kill_children(NULL, 0);
	}
	if (t->main_status < 0)
		return mew_error(err, 0, "the command vanished without an exit status");
	mew_debug("trap: main process done, status %d; the notifier answered %lu calls", t->main_status,
		  __atomic_load_n(&t->notified, __ATOMIC_RELAXED));
	return t->main_status;
}
