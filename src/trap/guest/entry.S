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
