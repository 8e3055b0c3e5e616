#include "base/closeaside.h"

#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ASIDE_MAX 8
#define ASIDE_STACK (64 * 1024)

struct aside {
	int fds[ASIDE_MAX];
	size_t n;
	uint32_t parent_closed; /* futex: the child's are the last references */
};

/* The child: raw system calls only (it shares the parent's memory, errno
 * and thread pointer included). */
static int closer(void *arg)
{
	const struct aside *a = arg;
	unsigned int from = 0;

	/* every fd but these (sorted), then these */
	for (size_t i = 0; i < a->n; i++) {
		if ((unsigned int)a->fds[i] > from)
			syscall(SYS_close_range, from, (unsigned int)a->fds[i] - 1, 0);
		from = (unsigned int)a->fds[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
	/* (a second at most: the parent may have been killed meanwhile) */
	for (int i = 0; i < 100 && !__atomic_load_n(&a->parent_closed, __ATOMIC_ACQUIRE); i++) {
		struct timespec ms10 = { 0, 10 * 1000 * 1000 };
		syscall(SYS_futex, &a->parent_closed, FUTEX_WAIT, 0, &ms10, NULL, 0);
	}
	for (size_t i = 0; i < a->n; i++)
		syscall(SYS_close, a->fds[i]);
	syscall(SYS_exit, 0);
	return 0;
}

/* The child that takes the last references (their list), or NULL. */
static struct aside *hand_aside(const int *fds, size_t n)
{
	struct aside *a;
	char *stack;

	if (n > ASIDE_MAX)
		return NULL;
	/* The stack and the list stay mapped: the child runs on them after
	 * this returns (one page and a stack per run's end). */
	stack = mmap(NULL, ASIDE_STACK + sizeof(*a), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		return NULL;
	a = (struct aside *)(void *)(stack + ASIDE_STACK);
	a->n = 0;
	a->parent_closed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = a->n;
		if (fds[i] < 0)
			continue;
		for (; j > 0 && a->fds[j - 1] > fds[i]; j--)
			a->fds[j] = a->fds[j - 1];
		a->fds[j] = fds[i];
		a->n++;
	}
	/* no exit signal (0): nobody waits for it */
	if (clone(closer, stack + ASIDE_STACK, CLONE_VM | CLONE_UNTRACED, a) < 0) {
		munmap(stack, ASIDE_STACK + sizeof(*a));
		return NULL;
	}
	return a;
}

void close_aside(const int *fds, size_t n)
{
	struct aside *a = hand_aside(fds, n);

	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (a != NULL) {
		__atomic_store_n(&a->parent_closed, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &a->parent_closed, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
}
