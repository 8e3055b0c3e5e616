/* The emulated arm64 Linux process: what a64 keeps besides the CPU — the
 * loaded program, the program break, guest signal actions and the root
 * directory view — and the entry points between the pieces of src/a64. */
#ifndef MEW_A64_A64_H
#define MEW_A64_A64_H

#include <limits.h>
#include <stdint.h>

#include "a64/cpu.h"
#include "base/error.h"
#include "personality/pers.h"

/* AT_HWCAP: exactly what the interpreter implements (FP, ASIMD, CPUID is
 * not advertised: MIDR_EL1 is answered anyway). */
#define A64_HWCAP_FP (1u << 0)
#define A64_HWCAP_ASIMD (1u << 1)
#define A64_HWCAP (A64_HWCAP_FP | A64_HWCAP_ASIMD)

struct a64_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* The dispositions: a process's own, or shared by the processes over one
 * memory that clone made with CLONE_SIGHAND (thread.c). */
struct a64_sighand {
	struct a64_sigaction act[65];
	unsigned seq; /* odd while act is written (signal.c) */
	int refs;     /* the processes that use it */
};

/* The guest's cwd and root shared by processes over one memory (clone's
 * CLONE_VM and CLONE_FS without CLONE_THREAD): each keeps its own in
 * pers.cwd and pers.root, taken from here at each system call and given
 * back after a chdir or chroot. */
struct a64_fs {
	char cwd[PATH_MAX];
	char root[PATH_MAX];
	unsigned seq; /* odd while cwd and root are written */
	int refs;
};

struct a64_proc {
	struct pers pers;   /* root directory view, cwd, identity, uname */
	char exe[PATH_MAX]; /* guest path of the running program (/proc/self/exe) */
	struct a64_prog_id {
		dev_t dev;
		ino_t ino;
	} prog; /* its file, for ETXTBSY (a64_runs_program); 0:0 before a load */
	uint64_t brk_start, brk_cur, brk_mapped;
	/* The program break's room: [brk_start, brk_room) is reserved
	 * (PROT_NONE) at load, so that the guest's mmaps and the interpreter
	 * never sit where the break grows (a PIE is mapped among them). */
	uint64_t brk_room;
	/* guest address of `mov x8, #139; svc #0`: the vDSO's
	 * __kernel_rt_sigreturn, a handler's return without SA_RESTORER */
	uint64_t sigreturn_tramp;
	/* system calls made (MEW_DEBUG prints it at exit_group) */
	unsigned long syscalls;
	struct a64_sighand *sighand;
	struct a64_fs *fs; /* NULL: the cwd is this process's alone */
	/* Guest threads alive: the last one's exit is the process's (thread.c). */
	int threads;
	/* Run as the binfmt_misc interpreter (mew-aarch64): execve is the
	 * host's, which runs the interpreter again for an arm64 program. */
	int binfmt;
};

/* The calling process's state.  A host process is one guest process, but
 * for clone with CLONE_VM and not CLONE_THREAD (vfork, posix_spawn,
 * LinuxThreads): that child runs over the caller's memory, with a copy of
 * the caller's state of its own (thread.c), which a64_self, thread-local,
 * names.  a64_proc_static is the process's first, at the same place in
 * every guest process's image: where a64_peer_read finds another's (for a
 * CLONE_VM child, its creator's). */
extern struct a64_proc a64_proc_static;
extern __thread struct a64_proc *a64_self;

/* The calling thread's CPU (NULL outside guest threads). */
extern __thread struct a64_cpu *a64_current;

/* elf.c: load path (a guest path) with argv/envp into this process, set
 * up the stack, the registers and the program break.  #! scripts too. */
int a64_load(struct a64_cpu *c, const char *path, char *const *argv, char *const *envp,
	     struct mew_error **err);
/* 0 if the guest file at host path hp is something a64_load can run, else
 * a negative errno (ENOEXEC for a foreign binary). */
int a64_check_exec(const char *hp);
/* Whether host file hp is an aarch64 ELF. */
int a64_is_elf(const char *hp);

/* syscall.c: the system call in x8 with arguments x0..x5; result in x0. */
void a64_syscall(struct a64_cpu *c);

/* safesys.c: a host system call that a guest signal cannot race: returns
 * A64_NOT_MADE without making the call when one is pending and unblocked
 * (the signal came first: the caller delivers it and makes the call again,
 * as Linux would have delivered it before the svc); otherwise the raw
 * kernel value (-errno on failure, -EINTR when the kernel interrupted it). */
#define A64_NOT_MADE (-513L) /* the kernel's internal ERESTARTNOINTR */
struct a64_safe_args {
	long nr;
	long a[6];
	const volatile uint64_t *pending;
	const uint64_t *blocked;
};
long a64_safe_syscall(const struct a64_safe_args *s);
/* From the host signal handler: leave the window before the kernel entry. */
void a64_safe_syscall_fixup(void *uctx);


/* sock.c: bind, connect, sendto, sendmsg, sendmmsg (an AF_UNIX path in the
 * guest's view) */
long a64_sock(struct a64_cpu *c, uint64_t nr);

/* signal.c */
void a64_signal_init(void);
/* A synchronous signal caused by the instruction at pc. */
void a64_signal_sync(struct a64_cpu *c, int sig, int code, uint64_t addr);
/* The host handler of a signal the guest handles: made pending on the
 * thread's CPU (also SIGSEGV and SIGBUS sent by kill, which mew's fault
 * handler passes on). */
void a64_signal_async(int sig, siginfo_t *si, void *uctx);
/* A copy of the dispositions in from (read whole, as action_of). */
void a64_sighand_copy(struct a64_sighand *to, const struct a64_sighand *from);
/* Deliver one pending, unblocked signal by building its frame. */
void a64_signal_deliver(struct a64_cpu *c);
long a64_sys_rt_sigaction(struct a64_cpu *c, int sig, uint64_t act, uint64_t oact, uint64_t size);
long a64_sys_rt_sigprocmask(struct a64_cpu *c, int how, uint64_t set, uint64_t oset, uint64_t size);
long a64_sys_rt_sigreturn(struct a64_cpu *c);
long a64_sys_sigaltstack(struct a64_cpu *c, uint64_t ss, uint64_t oss);
long a64_sys_rt_sigsuspend(struct a64_cpu *c, uint64_t mask, uint64_t size);
/* After a system call returned -EINTR: whether the guest's handler asks
 * for a restart (SA_RESTART). */
int a64_signal_restart(struct a64_cpu *c);
/* Install the host's fault handlers (SIGSEGV, SIGBUS) for guest memory. */
void a64_fault_init(void);

/* path.c: guest path (relative to dirfd or the cwd) -> host path, through
 * the personality.  follow = resolve a final symlink.  Returns AT_FDCWD
 * (the host path is absolute) or -errno. */
int a64_path(int dirfd, const char *guest, int follow, char *out, size_t len);
/* A guest path copied into out: 0, -EFAULT (NULL; a fault in a system call
 * answers -EFAULT too) or -ENAMETOOLONG. */
int a64_path_copy(const char *guest, char out[PATH_MAX]);
/* Path slot 0 or 1 of the system call in c, as the personality's call
 * table pc says (which argument, its dirfd, whether followed): 0 with the
 * host path, or -errno (-EROFS when the call writes to a read-only path). */
int a64_call_path(const struct a64_cpu *c, const struct pers_call *pc, int slot, char *out, size_t len);
/* /proc/N/exe of another guest process (pers.exe_of): its a64_self->exe. */
int a64_exe_of(const struct pers *p, pid_t pid, char *guest, size_t len);
/* pers.root_of: another guest process's root (its chroot), from its memory. */
int a64_root_of(const struct pers *p, pid_t pid, char *root, size_t len);
/* pers.runs_program: does this process or one of the run's other guest
 * processes (the keeper's descendants) run the program file st? */
bool a64_runs_program(const struct pers *p, const struct stat *st);
/* syscall.c: read what is at *mine in this process from the same place in
 * guest process pid (the same program).  0 or -1. */
int a64_peer_read(pid_t pid, const void *mine, void *out, size_t len);
/* Host path -> guest path (for getcwd, readlink of /proc/self/exe...). */
int a64_path_to_guest(const char *host, char *out, size_t len);

/* engine.c: the personality as `mew __a64-exec` arguments; returns how
 * many it stored in av (at most 7 + 3 per bind).  After an execve that
 * failed, a64_exec_args_done (the credentials' memfd). */
int a64_exec_args(char **av);
void a64_exec_args_done(void);

/* thread.c */
long a64_clone(struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid);
_Noreturn void a64_thread_exit(struct a64_cpu *c, int status);
/* A process whose cwd is shared (a64_self->fs): take the cwd another set
 * (before each system call), give one set back (after chdir, fchdir). */
void a64_fs_pull(void);
void a64_fs_push(void);
/* The run loop's end of a64_thread_exit (c->fault_jmp with A64_JMP_EXIT). */
enum { A64_JMP_FAULT = 1, A64_JMP_EXIT = 2 };
_Noreturn void a64_thread_end(struct a64_cpu *c);
struct a64_cpu *a64_cpu_new(void);

/* keeper.c: the process between mew and the guest; runs guest(arg) in a
 * child and kills whatever the guest leaves behind, also when mew dies. */
struct spec;
_Noreturn void a64_keeper(pid_t mew, int (*guest)(void *), void *arg);
/* Limits need a cgroup, cgroups need root: refuse them (naming the flag) without. */
int a64_limits_check(const struct spec *spec, struct mew_error **err);

/* branch.c */
void a64_insn_next(struct a64_insn *i, uint64_t pc);

/* Log a line when MEW_DEBUG asks for it. */
void a64_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int a64_debug_on;

#endif
