/* The trap backend of the syscall engine: programs run natively under
 * ptrace; a seccomp filter stops only the system calls that take a path or
 * ask who/where the process is (SECCOMP_RET_TRACE), and answers the fake
 * identity calls in the kernel itself (SECCOMP_RET_ERRNO with 0). */
#ifndef MEW_TRAP_TRAP_H
#define MEW_TRAP_TRAP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "base/error.h"
#include "personality/pers.h"

struct tracee {
	pid_t tid;
	pid_t tgid;	   /* 0 until known */
	bool started;	   /* its first stop was seen */
	char *exe;	   /* guest path of its program (for /proc/self/exe) */
	char *pending_exe; /* set by execve entry, committed at the exec event */
	struct tracee *next;
};

struct trap {
	struct pers pers;
	struct tracee *buckets[256];
	size_t ntracees;
	pid_t main_pid;
	int main_status; /* exit status once the main process is gone, else -1 */
	bool fake_root;
	/* The fast path (notify.c): its thread, and the lock it takes to read
	 * the tracee table, which only the ptrace loop changes. */
	pthread_mutex_t lock;
	struct notifier *notifier;
	pthread_t notify_thread;
};

/* The seccomp filter for this personality (filter.c); with notify, the
 * calls notify.c answers are sent to a user-notification listener. */
struct sock_fprog;
int trap_filter(bool fake_root, bool notify, struct sock_fprog *prog);

/* The fast path (notify.c). */
bool trap_notified(int nr);
int trap_notify_start(struct trap *t, int listener, struct mew_error **err);
void trap_notify_stop(struct trap *t);

/* Tracee memory (mem.c). */
int trap_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
int trap_mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* A NUL-terminated string of at most max-1 bytes: its length, or -EFAULT,
 * -ENAMETOOLONG. */
ssize_t trap_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t max);

/* Answer one seccomp stop of tr (calls.c). */
void trap_syscall(struct trap *t, struct tracee *tr);

/* Tracee table and the event loop (tracer.c).  The table is changed by the
 * loop only, with t->lock held; the notifier reads it under the lock. */
struct tracee *trap_tracee(struct trap *t, pid_t tid, bool create);
void trap_tracee_drop(struct trap *t, pid_t tid);
pid_t trap_tgid(struct tracee *tr);
int trap_loop(struct trap *t, struct mew_error **err);

#endif
