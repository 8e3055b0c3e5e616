/* Fixed entry points of the stub (see stub.h) and its two system call
 * instructions: the fast one (filter: allowed) and the slow one (filter:
 * the ordinary rules, so mew's notifier sees the call). */
	.section .text.entry, "ax"
	.globl stub_syscall
	.type stub_syscall, @function
stub_syscall:			/* STUB_BASE + 0x00 */
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret

	.balign 64
	.globl stub_init_entry
stub_init_entry:		/* STUB_BASE + 0x40 */
	and $-16, %rsp
	call stub_init
	int3
	hlt

/* A patched call site's way in (guest/patch.c).  Its trampoline did
 * "mov $nr, %eax; movabs $return, %rcx" and jumped here: the guest's
 * registers are as at its `syscall` instruction.  As the kernel does, keep
 * every register but rax (the answer), rcx (the return address) and r11
 * (the flags); the red zone below the guest's stack pointer is left alone,
 * as a signal frame leaves it. */
	.balign 16
	.globl stub_fast_entry
	.type stub_fast_entry, @function
stub_fast_entry:
	lea -128(%rsp), %rsp
	pushfq
	push %rcx
	push %r9
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi		/* a[0..5] at 8(%rbx) once rbx is pushed */
	push %rbx
	mov %rsp, %rbx
	and $-16, %rsp
	cld
	mov %eax, %edi
	lea 8(%rbx), %rsi
	call stub_fast
	mov %rbx, %rsp
	pop %rbx
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
	pop %rcx
	mov (%rsp), %r11
	popfq
	lea 128(%rsp), %rsp
	jmp *%rcx

	.balign 16
	.globl stub_restorer
	.type stub_restorer, @function
stub_restorer:
	mov $15, %eax		/* rt_sigreturn */
	syscall
	hlt

	.section .stubslow, "ax"
	.globl stub_slow_syscall
	.type stub_slow_syscall, @function
stub_slow_syscall:		/* STUB_SLOW */
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret

	.section .note.GNU-stack, "", @progbits
