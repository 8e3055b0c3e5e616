/* clone: a guest thread is a host thread with its own CPU and decode
 * cache over the shared (identity-mapped) memory; a guest fork is a host
 * fork, and the copy carries on from the same instruction. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
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
	uint64_t flags, ctid, ptid;
	sem_t ready;
	int tid;
};

static void *thread_main(void *arg)
{
	struct start *s = arg;
	struct a64_cpu *c = s->cpu;
	sigset_t set;

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

long a64_clone(struct a64_cpu *c, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid)
{
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) {
		struct a64_cpu *n = a64_cpu_new();
		if (n == NULL)
			return -ENOMEM;
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

		struct start s = { .cpu = n, .flags = flags, .ctid = ctid, .ptid = ptid };
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
		int r = pthread_create(&th, &attr, thread_main, &s);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
		if (r != 0) {
			free(n);
			return -r;
		}
		while (sem_wait(&s.ready) < 0 && errno == EINTR)
			;
		sem_destroy(&s.ready);
		return s.tid;
	}

	/* fork, vfork, posix_spawn's CLONE_VM|CLONE_VFORK: a copy of the process */
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		c->tid = gettid();
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
	(void)status;
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
