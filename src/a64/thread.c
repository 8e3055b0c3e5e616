/* clone: a guest thread is a host thread with its own CPU and decode
 * cache over the shared (identity-mapped) memory; a guest fork is a host
 * fork, and the copy carries on from the same instruction; a vfork is a
 * host process over the same memory. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/jit/jit.h"

struct a64_cpu *a64_cpu_new(void)
{
	struct a64_cpu *c = aligned_alloc(64, (sizeof(struct a64_cpu) + 63) & ~(size_t)63);
	if (c == NULL)
		return NULL;
	memset(c, 0, sizeof(*c));
	return c;
}

struct start {
	struct a64_cpu *cpu;
	struct a64_proc *proc; /* the creator's: a thread shares it */
	uint64_t flags, ctid, ptid;
	sem_t ready;
	int tid;
};

static void *thread_main(void *arg)
{
	struct start *s = arg;
	struct a64_cpu *c = s->cpu;
	sigset_t set;

	a64_self = s->proc;
	c->tid = gettid();
	/* both before the guest runs: the thread may exit (clearing ctid)
	 * before the parent would get to it */
	if (s->flags & CLONE_CHILD_SETTID)
		*(uint32_t *)(uintptr_t)s->ctid = c->tid;
	if (s->flags & CLONE_PARENT_SETTID)
		*(uint32_t *)(uintptr_t)s->ptid = c->tid;
	s->tid = c->tid;
	sem_post(&s->ready); /* s is gone after this */
	a64_fpcr_write(c, c->fpcr);
	sigemptyset(&set);
	for (int k = 1; k <= 64; k++)
		if ((c->blocked & (1ull << (k - 1))) && k != SIGSEGV && k != SIGBUS)
			sigaddset(&set, k);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	a64_run(c);
}

/* A CPU for the child of clone: the caller's registers, the child's
 * return value, stack and thread pointer. */
static struct a64_cpu *child_cpu(const struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t tls,
				 uint64_t ctid)
{
	struct a64_cpu *n = a64_cpu_new();
	if (n == NULL)
		return NULL;
	memcpy(n->x, c->x, sizeof(c->x));
	memcpy(n->v, c->v, sizeof(c->v));
	n->pc = c->pc;
	n->nzcv = c->nzcv;
	n->fpcr = c->fpcr;
	n->tpidr = (flags & CLONE_SETTLS) ? tls : c->tpidr;
	n->blocked = c->blocked;
	n->x[0] = 0;
	if (stack != 0)
		n->x[A64_SP] = stack;
	n->clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
	return n;
}

enum { HOST_STACK = 256 << 10 }; /* mew's own stack in a process of its own */
/* what the host's clone does for a process over the same memory as asked:
 * the exit signal, the parent, the fd table, cwd and umask, handlers */
#define SHARED_FLAGS (CSIGNAL | CLONE_PARENT | CLONE_FILES | CLONE_FS | CLONE_SIGHAND | CLONE_SYSVSEM)

struct vm_start {
	struct a64_cpu *cpu;
	struct a64_proc *proc; /* the child's own (proc_copy) */
	uint64_t flags, ctid, ptid;
};

/* What a process over the caller's memory keeps of its own (a64_proc:
 * credentials, the program break, its threads; the dispositions unless
 * CLONE_SIGHAND, the guest's cwd unless CLONE_FS): a copy of the caller's,
 * sharing what the flags share.  NULL without memory. */
static struct a64_proc *proc_copy(uint64_t flags)
{
	struct a64_proc *p = malloc(sizeof(*p));
	struct a64_sighand *sh = (flags & CLONE_SIGHAND) ? a64_self->sighand : malloc(sizeof(*sh));
	struct a64_fs *fs = (flags & CLONE_FS) ? a64_self->fs : NULL;

	if ((flags & CLONE_FS) && fs == NULL && (fs = calloc(1, sizeof(*fs))) != NULL) {
		/* the caller's cwd and root are shared from now on */
		memcpy(fs->cwd, a64_self->pers.cwd, sizeof(fs->cwd));
		memcpy(fs->root, a64_self->pers.root, sizeof(fs->root));
		fs->refs = 1;
		a64_self->fs = fs;
	}
	if (p == NULL || sh == NULL || ((flags & CLONE_FS) && fs == NULL)) {
		free(p);
		if (!(flags & CLONE_SIGHAND))
			free(sh);
		return NULL;
	}
	/* the credentials' groups are mostly unused: pers_cred_copy */
	const size_t cred = offsetof(struct a64_proc, pers.cred), after = cred + sizeof(struct pers_cred);
	memcpy(p, a64_self, cred);
	pers_cred_copy(&p->pers.cred, &a64_self->pers.cred);
	memcpy((char *)p + after, (const char *)a64_self + after, sizeof(*p) - after);
	if (flags & CLONE_SIGHAND) {
		__atomic_add_fetch(&sh->refs, 1, __ATOMIC_SEQ_CST);
	} else {
		a64_sighand_copy(sh, a64_self->sighand);
		sh->refs = 1;
	}
	if (fs != NULL)
		__atomic_add_fetch(&fs->refs, 1, __ATOMIC_SEQ_CST);
	p->sighand = sh;
	p->fs = fs;
	p->threads = 1;
	return p;
}

static void proc_free(struct a64_proc *p)
{
	if (p == NULL)
		return;
	if (__atomic_sub_fetch(&p->sighand->refs, 1, __ATOMIC_SEQ_CST) == 0)
		free(p->sighand);
	if (p->fs != NULL && __atomic_sub_fetch(&p->fs->refs, 1, __ATOMIC_SEQ_CST) == 0)
		free(p->fs);
	free(p);
}

void a64_fs_pull(void)
{
	struct a64_fs *fs = a64_self->fs;
	unsigned seq;
	do {
		seq = __atomic_load_n(&fs->seq, __ATOMIC_ACQUIRE);
		memcpy(a64_self->pers.cwd, fs->cwd, sizeof(fs->cwd));
		memcpy(a64_self->pers.root, fs->root, sizeof(fs->root));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&fs->seq, __ATOMIC_RELAXED));
}

void a64_fs_push(void)
{
	struct a64_fs *fs = a64_self->fs;
	unsigned seq = __atomic_load_n(&fs->seq, __ATOMIC_RELAXED);
	while ((seq & 1) || !__atomic_compare_exchange_n(&fs->seq, &seq, seq + 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		seq = __atomic_load_n(&fs->seq, __ATOMIC_RELAXED);
	memcpy(fs->cwd, a64_self->pers.cwd, sizeof(fs->cwd));
	memcpy(fs->root, a64_self->pers.root, sizeof(fs->root));
	__atomic_store_n(&fs->seq, seq + 2, __ATOMIC_RELEASE);
}

static int vm_child_main(void *arg)
{
	struct vm_start *s = arg;
	struct a64_cpu *c = s->cpu;

	a64_self = s->proc; /* in the thread-local storage it runs on */
	c->tid = gettid();
	c->own_process = 1;
	/* the memory is the parent's: both see the ids at once, as on Linux */
	if (s->flags & CLONE_CHILD_SETTID)
		*(uint32_t *)(uintptr_t)s->ctid = c->tid;
	if (s->flags & CLONE_PARENT_SETTID)
		*(uint32_t *)(uintptr_t)s->ptid = c->tid;
	a64_run(c);
}

/* CLONE_VM|CLONE_VFORK (vfork, posix_spawn): as on Linux, a process that
 * shares the caller's memory, the caller suspended until it execs or exits
 * (the host's CLONE_VFORK), so that what it writes before (posix_spawn's
 * error, LTP's clone05) is the caller's.  It runs on a CPU and a host stack
 * of its own, in the caller's thread-local storage (as glibc's vfork child
 * does; the caller's thread does not run meanwhile), with state of its own
 * (proc_copy), a64_self the caller's again once it has left. */
static long clone_vfork(struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls,
			uint64_t ctid)
{
	struct vm_start s = { .flags = flags, .ctid = ctid, .ptid = ptid };
	struct a64_proc *caller = a64_self;
	void *host_stack = mmap(NULL, HOST_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
				-1, 0);
	s.cpu = child_cpu(c, flags, stack, tls, ctid);
	s.proc = proc_copy(flags);
	long r = -ENOMEM;
	if (s.proc != NULL && host_stack != MAP_FAILED && s.cpu != NULL) {
		s.cpu->altstack_sp = c->altstack_sp; /* kept by a vfork child */
		s.cpu->altstack_size = c->altstack_size;
		s.cpu->altstack_flags = c->altstack_flags;
		r = clone(vm_child_main, (char *)host_stack + HOST_STACK, CLONE_VM | CLONE_VFORK | (flags & SHARED_FLAGS),
			  &s);
		r = r < 0 ? -errno : r;
		a64_current = c;
		a64_self = caller;
	}
	if (s.cpu != NULL) {
		a64_cache_clear(s.cpu);
		a64_jit_free(s.cpu->jit);
		free(s.cpu);
	}
	if (host_stack != MAP_FAILED)
		munmap(host_stack, HOST_STACK);
	proc_free(s.proc);
	return r;
}

/* CLONE_VM without CLONE_THREAD (LinuxThreads, LTP's clone02): a process
 * of its own over the caller's memory, both running.  mew's own code in it
 * needs thread-local storage (errno, malloc's cache, a64_current) that no
 * running thread uses: a host thread made for it lends its own and waits,
 * touching none of it, until the child has exited or exec'd (the kernel
 * clears `alive` then: CLONE_CHILD_CLEARTID), and frees what it used,
 * the child's state (proc_copy) too. */
struct lender {
	struct vm_start start;
	void *host_stack;
	void *tls;		/* the lender's thread pointer */
	volatile int alive;	/* nonzero while the child may use tls */
	sem_t parked;
};

static void *lend(void *arg)
{
	struct lender *l = arg;
	int v;

	l->tls = (void *)pthread_self(); /* x86-64 glibc: the thread pointer is the TCB */
	sem_post(&l->parked);
	/* a raw futex wait: not even errno of its own until the child is gone */
	while ((v = l->alive) != 0) {
		long r;
		register long timeout __asm__("r10") = 0;
		__asm__ volatile("syscall"
				 : "=a"(r)
				 : "0"((long)SYS_futex), "D"(&l->alive), "S"((long)FUTEX_WAIT), "d"((long)v),
				   "r"(timeout)
				 : "rcx", "r11", "memory");
		(void)r;
	}
	a64_cache_clear(l->start.cpu);
	a64_jit_free(l->start.cpu->jit);
	free(l->start.cpu);
	proc_free(l->start.proc);
	munmap(l->host_stack, HOST_STACK);
	sem_destroy(&l->parked);
	free(l);
	return NULL;
}

static long clone_vm_process(struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls,
			     uint64_t ctid)
{
#if defined(__x86_64__)
	struct lender *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->start = (struct vm_start){ .flags = flags, .ctid = ctid, .ptid = ptid };
	l->start.cpu = child_cpu(c, flags, stack, tls, ctid);
	l->start.proc = proc_copy(flags);
	l->host_stack = mmap(NULL, HOST_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (l->start.cpu == NULL || l->start.proc == NULL || l->host_stack == MAP_FAILED) {
		free(l->start.cpu);
		proc_free(l->start.proc);
		if (l->host_stack != MAP_FAILED)
			munmap(l->host_stack, HOST_STACK);
		free(l);
		return -ENOMEM;
	}
	l->start.cpu->altstack_flags = SS_DISABLE; /* Linux resets it for CLONE_VM without CLONE_VFORK */
	l->alive = -1;
	sem_init(&l->parked, 0, 0);

	pthread_t th;
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the lender never takes a signal */
	int r = pthread_create(&th, &attr, lend, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		free(l->start.cpu);
		proc_free(l->start.proc);
		munmap(l->host_stack, HOST_STACK);
		sem_destroy(&l->parked);
		free(l);
		return -r;
	}
	while (sem_wait(&l->parked) < 0 && errno == EINTR)
		;
	long pid = clone(vm_child_main, (char *)l->host_stack + HOST_STACK,
			 CLONE_VM | CLONE_SETTLS | CLONE_CHILD_CLEARTID | (flags & SHARED_FLAGS), &l->start, NULL, l->tls,
			 &l->alive);
	if (pid < 0) {
		pid = -errno;
		l->alive = 0; /* the lender frees it all */
		syscall(SYS_futex, &l->alive, FUTEX_WAKE, 1, NULL, NULL, 0);
	} else if (flags & CLONE_PARENT_SETTID) { /* also before the child got to it */
		*(uint32_t *)(uintptr_t)ptid = pid;
	}
	return pid;
#else
	(void)c, (void)flags, (void)stack, (void)ptid, (void)tls, (void)ctid;
	return -EINVAL;
#endif
}

long a64_clone(struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid)
{
	/* as Linux: a thread shares the handlers, which need the memory */
	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) || ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -EINVAL;
	if ((flags & (CLONE_VM | CLONE_VFORK | CLONE_THREAD)) == (CLONE_VM | CLONE_VFORK))
		return clone_vfork(c, flags, stack, ptid, tls, ctid);
	if ((flags & (CLONE_VM | CLONE_THREAD)) == CLONE_VM)
		return clone_vm_process(c, flags, stack, ptid, tls, ctid);
	if (flags & CLONE_THREAD) {
		struct a64_cpu *n = child_cpu(c, flags, stack, tls, ctid);
		if (n == NULL)
			return -ENOMEM;

		struct start s = { .cpu = n, .proc = a64_self, .flags = flags, .ctid = ctid, .ptid = ptid };
		pthread_t th;
		pthread_attr_t attr;
		sem_init(&s.ready, 0, 0);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 << 10);
		/* the new thread starts with every signal blocked until it set its mask */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		__atomic_add_fetch(&a64_self->threads, 1, __ATOMIC_SEQ_CST);
		int r = pthread_create(&th, &attr, thread_main, &s);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
		if (r != 0) {
			__atomic_sub_fetch(&a64_self->threads, 1, __ATOMIC_SEQ_CST);
			free(n);
			return -r;
		}
		while (sem_wait(&s.ready) < 0 && errno == EINTR)
			;
		sem_destroy(&s.ready);
		return s.tid;
	}

	/* fork, and vfork without CLONE_VM: a copy of the process */
	pid_t pid;
	if (flags & CLONE_PARENT) {
		/* the caller's parent's child: glibc's fork cannot ask for it.
		 * The host's call makes the copy without glibc's care for other
		 * threads (its malloc locks): one thread only. */
		if (__atomic_load_n(&a64_self->threads, __ATOMIC_SEQ_CST) != 1)
			return -EINVAL;
		pid = syscall(SYS_clone, CLONE_PARENT | (flags & CSIGNAL), NULL, NULL, NULL, 0);
	} else {
		pid = fork();
	}
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		c->tid = gettid();
		a64_self->threads = 1;
		if (stack != 0)
			c->x[A64_SP] = stack;
		if (flags & CLONE_SETTLS)
			c->tpidr = tls;
		if (flags & CLONE_CHILD_SETTID)
			*(uint32_t *)(uintptr_t)ctid = c->tid;
		if (flags & CLONE_CHILD_CLEARTID)
			c->clear_child_tid = ctid;
		return 0;
	}
	if (flags & CLONE_PARENT_SETTID)
		*(uint32_t *)(uintptr_t)ptid = pid;
	return pid;
}

_Noreturn void a64_thread_exit(struct a64_cpu *c, int status)
{
	if (c->clear_child_tid != 0) {
		__atomic_store_n((uint32_t *)(uintptr_t)c->clear_child_tid, 0, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, (uint32_t *)(uintptr_t)c->clear_child_tid, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	if (c->own_process) /* the process's only thread */
		_exit(status & 0xff);
	/* the last thread's status is the process's, as on Linux (glibc would
	 * exit(0) after the last pthread_exit) */
	if (__atomic_sub_fetch(&a64_self->threads, 1, __ATOMIC_SEQ_CST) == 0)
		_exit(status & 0xff);
	/* pthread_exit unwinds the stack: leave translated code (which has
	 * no unwind information) for the run loop first (a64_thread_end) */
	siglongjmp(c->fault_jmp, A64_JMP_EXIT);
}

_Noreturn void a64_thread_end(struct a64_cpu *c)
{
	a64_current = NULL;
	a64_cache_clear(c);
	a64_jit_free(c->jit);
	c->jit = NULL;
	pthread_exit(NULL);
}
