/* System calls that may block, made so that a signal cannot slip in between
 * "no signal is pending" and the kernel entry (which would block with a
 * handler waiting).  The check and the `syscall` instruction sit between two
 * labels; mew's host signal handler (signal.c) moves a thread caught inside
 * that window to the not-made exit: the guest's handler runs first and the
 * call is made after it, whatever SA_RESTART says, since it was never
 * interrupted (only a call the kernel interrupts answers EINTR).  The same
 * idea as qemu-user's safe_syscall. */
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "a64/a64.h"

#if defined(__x86_64__)
/* struct a64_safe_args: nr at 0, a[0..5] at 8..48, pending at 56, blocked at 64 */
__asm__(".text\n"
	".globl a64_safe_syscall\n"
	".type a64_safe_syscall, @function\n"
	"a64_safe_syscall:\n"
	"	mov 56(%rdi), %rax\n"
	"	mov 64(%rdi), %rdx\n"
	"a64_safe_syscall_start:\n"
	"	mov (%rax), %rax\n"
	"	mov (%rdx), %rdx\n"
	"	not %rdx\n"
	"	test %rax, %rdx\n"
	"	jnz a64_safe_syscall_eintr\n"
	"	mov 0(%rdi), %rax\n"
	"	mov 48(%rdi), %r9\n"
	"	mov 40(%rdi), %r8\n"
	"	mov 32(%rdi), %r10\n"
	"	mov 24(%rdi), %rdx\n"
	"	mov 16(%rdi), %rsi\n"
	"	mov 8(%rdi), %rdi\n"
	"a64_safe_syscall_insn:\n"
	"	syscall\n"
	"	ret\n"
	"a64_safe_syscall_eintr:\n"
	"	mov $-513, %rax\n" /* A64_NOT_MADE */
	"	ret\n"
	".size a64_safe_syscall, .-a64_safe_syscall\n");

extern char a64_safe_syscall_start[], a64_safe_syscall_insn[], a64_safe_syscall_eintr[];

void a64_safe_syscall_fixup(void *uctx)
{
	ucontext_t *uc = uctx;
	greg_t *ip = &uc->uc_mcontext.gregs[REG_RIP];
	if ((uintptr_t)*ip >= (uintptr_t)a64_safe_syscall_start && (uintptr_t)*ip <= (uintptr_t)a64_safe_syscall_insn)
		*ip = (greg_t)(uintptr_t)a64_safe_syscall_eintr;
}
#else
long a64_safe_syscall(const struct a64_safe_args *s)
{
	if (*s->pending & ~*s->blocked)
		return A64_NOT_MADE;
	long r = syscall(s->nr, s->a[0], s->a[1], s->a[2], s->a[3], s->a[4], s->a[5]);
	return r < 0 ? -errno : r;
}

void a64_safe_syscall_fixup(void *uctx)
{
	(void)uctx;
}
#endif
