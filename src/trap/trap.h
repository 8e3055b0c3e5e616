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
#include "trap/guest/stub.h"

struct tracee {
	pid_t tid;
	pid_t tgid;	   /* 0 until known */
	bool started;	   /* its first stop was seen */
	char *exe;	   /* guest path of its program (for /proc/self/exe) */
	/* its root (chroot), NULL: the run's; the notifier and ptrace modes
	 * keep it here (each thread of a process alike), the stub mode in the
	 * stub and here only across an exec */
	char *root;
	char *pending_exe; /* set by execve entry, committed at the exec event */
	bool has_creds;	   /* stub mode: cred holds what it had before its exec */
	bool watched;	   /* stub mode: a watcher thread waits for its exec */
	/* Its credentials (personality/cred.h), below: the notifier and ptrace
	 * modes answer from there; the stub mode keeps them in the stub. */
	bool cred_known; /* copied from its parent, or changed by its own calls */
	/* The program pending_exe names, for exec's set-id rules (pers_exec). */
	struct {
		uint32_t mode, uid, gid;
		uint64_t dev, ino; /* ETXTBSY while it runs it (pers_busy_exec) */
	} exec_file;
	/* ptrace mode: the host path a call stopped at creates, whose owner
	 * is given at the call's end (trap_syscall_exit); else NULL.  With
	 * tmpfile, the directory an O_TMPFILE open makes its file in. */
	char *created;
	bool tmpfile;
	struct tracee *next;
	/* last: a large struct of which only the part in use is touched */
	struct pers_cred cred;
};

struct trap {
	struct pers pers;
	struct tracee *buckets[256];
	size_t ntracees;
	size_t sweep_at; /* trap_tracee_sweep */
	pid_t main_pid;
	int main_status; /* exit status once the main process is gone, else -1 */
	/* The fast path (notify/): its thread, and the lock it takes to read
	 * the tracee table, which only the ptrace loop changes. */
	pthread_mutex_t lock;
	struct notifier *notifier;
	pthread_t notify_thread;
	/* The in-process fast path (guest/stub.h, stub.c): no ptrace while the
	 * guest runs; the stub is put into each new image at exec. */
	bool stub_mode;
	struct stub_config *stub_cfg;
	unsigned long notified; /* calls the notifier answered (debug, tests) */
	int watchers;		/* exec watcher threads still running (stub.c) */
	struct trap_dircache *dircache; /* the stubs' directory cache (dircache.c) */
	/* Stub mode: a guest process has made a chroot to another root than
	 * the run's (each keeps its own in its stub, stub.h's root): until
	 * then no call needs to read one. */
	int chrooted;
};

/* The seccomp filters (filter.c), on the label assembler of bpf.h: the
 * ptrace and notifier modes' (with notify, the calls notify/ answers are
 * sent to a user-notification listener) and the stub mode's; with
 * fstat_native (pers_owners_real: nothing to rewrite) the raw fstat is
 * not intercepted. */
struct sock_fprog;
int trap_filter(bool notify, bool fstat_native, struct sock_fprog *prog);
int trap_filter_stub(bool fstat_native, bool ns, struct sock_fprog *prog);

/* From the personality's call table (calls.c): every call it has a row
 * for; the one-path calls the stub translates through mew; the calls of
 * one kind (enum pers_kind; PK_REFUSE's errnos in errs). */
size_t trap_traced_list(int *nrs, size_t max);
size_t trap_stub_calls(struct stub_path_call *out, size_t max);
void trap_stub_fd_calls(struct stub_config *c);
/* The lowest number the stub's own fds take (guest/stub.c's init, under
 * this process's RLIMIT_NOFILE): the filter traps close, fcntl, dup2, dup3
 * and close_range of numbers from there (guest/fds.c). */
unsigned trap_stub_fd_min(void);
/* In the first guest process, before its filter: a soft RLIMIT_NOFILE
 * over the one the guest is shown at its start, plus the stub's fds,
 * lowered to it (Docker's 1048576). */
void trap_stub_nofile_start(void);
size_t trap_kind_list(int kind, int *nrs, int *errs, size_t max);
/* ptrace by a guest process (calls.c; every mode): a request that would
 * attach is -EPERM, said once a run on stderr; 0 lets the kernel make the
 * others. */
long trap_ptrace_answer(uint64_t request);

/* The stub (stub.c): its configuration for this run; mapping it into the
 * first child before it installs the filter; putting it into a tracee
 * stopped at PTRACE_EVENT_EXEC (then detach it).  A signal that arrived
 * meanwhile is left in *pending for the detach. */
int trap_stub_config(struct trap *t, struct stub_config *cfg);
int trap_stub_map_self(void);
int trap_stub_inject(pid_t pid, const struct stub_config *cfg, int *pending);
/* Wait (pid, or -1: any of this thread's tracees) for the watched execve:
 * at its exec stop, put the stub in and detach; if the stub reports the
 * execve failed, just detach (0).  1 when it ended first (*ended: its wait
 * status), -1 on error. */
int trap_stub_follow_exec(struct trap *t, pid_t pid, int *ended);
/* A thread that ptraces pid until its exec (trap_stub_follow_exec) and
 * then exits; 0 once it is attached, or -errno.  t->lock held. */
int trap_stub_watch(struct trap *t, pid_t pid);

/* The stubs' directory cache, mew's side (dircache.c): the page the guest
 * processes share with mew (its memfd) and the inotify thread that bumps
 * its generation when a watched directory's entries move; watch directory
 * path (0 or -errno).  NULL where it cannot start: the stubs then cache
 * nothing. */
struct trap_dircache *trap_dircache_start(const char *rootfs);
int trap_dircache_memfd(const struct trap_dircache *d);
int trap_dircache_watch(struct trap_dircache *d, const char *path);
/* A guest's change that may have moved a directory, told by a process
 * without the page. */
void trap_dircache_bump(struct trap_dircache *d);
/* The share's table of the objects whose owner o keeps (stub.h, kept):
 * the personality's to write from now on (pers_owners_publish). */
void trap_dircache_publish_owners(struct trap_dircache *d, struct pers_owners *o);
void trap_dircache_stop(struct trap_dircache *d);

/* The fast path (notify/). */
bool trap_notified(int nr);
int trap_notify_start(struct trap *t, int listener, struct mew_error **err);
void trap_notify_stop(struct trap *t);

/* The xattr calls (xattr.c): the personality's op of call nr (enum in
 * personality/pers.h), -1 for another call; the call of thread tid with
 * its arguments args, on host (the path; an fd's, pers_xattr_fd), for its
 * credentials c: the name and value read, pers_xattr, the answer
 * written back; what the guest's call returns. */
int trap_xattr_op(long nr);
long trap_xattr(const struct pers *p, const struct pers_cred *c, pid_t tid, long nr, const uint64_t *args,
		const char *host, bool follow);

/* Tracee memory (mem.c). */
int trap_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
int trap_mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* openat2's struct open_how of size bytes at addr, read and checked
 * (pers_open_how): 0 or the kernel's -errno. */
int trap_open_how(pid_t pid, uint64_t addr, uint64_t size, struct pers_open_how *how);
/* A NUL-terminated string of at most max-1 bytes: its length, or -EFAULT,
 * -ENAMETOOLONG. */
ssize_t trap_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t max);
/* The credential model's access to thread *tid's memory. */
struct pers_cred_io trap_cred_io(pid_t *tid);
/* The credentials the stub of process pid keeps (only the part in use is
 * read): 0 or -ESRCH. */
int trap_cred_read(pid_t pid, struct pers_cred *out);
/* The root the stub of process pid keeps (stub.h's root, "" for the
 * run's), and a new one written there: 0 or -ESRCH, -ENAMETOOLONG. */
int trap_root_read(pid_t pid, char *root, size_t len);
int trap_root_write(pid_t pid, const char *root);
/* pers.root_of (p->engine is the struct trap; takes t->lock). */
int trap_root_of(const struct pers *p, pid_t pid, char *root, size_t len);
/* A chroot's new root ("" the run's) for guest thread tid's process:
 * written into its stub, or in the other modes into the record of each
 * of its threads (tracer.c; takes t->lock).  0 or -errno. */
int trap_set_root(struct trap *t, pid_t tid, const char *root);
/* The root the record of thread tid (or its process's leader) keeps,
 * into root ("" the run's); t->lock held. */
void trap_tracee_root(struct trap *t, pid_t tid, char *root, size_t len);
/* pers.hides_fd in the stub mode: fd is one of the stub's own in guest
 * process pid (the numbers its data says, guest/fds.c). */
bool trap_stub_hides_fd(const struct pers *p, pid_t pid, int fd);

/* Answer one seccomp stop of tr (calls.c). */
/* A seccomp stop: true when the call must be seen again at its end
 * (PTRACE_SYSCALL, then trap_syscall_exit at the syscall-exit stop). */
bool trap_syscall(struct trap *t, struct tracee *tr);
void trap_syscall_exit(struct trap *t, struct tracee *tr);

/* Tracee table and the event loop (tracer.c).  The table is changed by the
 * loop only, with t->lock held; the notifier reads it under the lock. */
struct tracee *trap_tracee(struct trap *t, pid_t tid, bool create);
/* pers.exe_of: /proc/N/exe of another guest process, from the table
 * (p->engine is the struct trap; takes t->lock). */
int trap_exe_of(const struct pers *p, pid_t pid, char *guest, size_t len);
void trap_tracee_drop(struct trap *t, pid_t tid);
/* Stub mode: mew sees no process end (it follows no fork), so the records
 * of threads that are gone are dropped here, once there are twice as many
 * as the last sweep left: each holds a struct pers_cred (calloc touches
 * all of its 256 KiB when it reuses freed memory: a shell loop's every
 * exec grew mew by that), and a pid used again must not find a dead
 * process's program.  t->lock held. */
void trap_tracee_sweep(struct trap *t);
pid_t trap_tgid(struct tracee *tr);
int trap_loop(struct trap *t, struct mew_error **err);
int trap_stub_loop(struct trap *t, struct mew_error **err);

#endif
