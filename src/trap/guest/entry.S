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

/* The guest's memory, read and written by the stub on the guest's behalf
 * (paths, structures): a fault on one of the two marked instructions is
 * the guest's bad pointer, and the stub's SIGSEGV/SIGBUS handler
 * (signal.c) resumes at guest_access_fault, which returns -EFAULT, as the
 * kernel's exception table does for copy_from_user.
 *
 * long guest_copy(void *dst, const void *src, unsigned long n): 0 */
	.balign 16
	.globl guest_copy
	.type guest_copy, @function
guest_copy:
	mov %rdx, %rcx
	.globl guest_access_copy
guest_access_copy:
	rep movsb
	xor %eax, %eax
	ret

/* long guest_copy_str(char *dst, const char *src, unsigned long max): the
 * string's length (its NUL copied), or max when none of its first max
 * bytes is a NUL. */
	.balign 16
	.globl guest_copy_str
	.type guest_copy_str, @function
guest_copy_str:
	xor %eax, %eax
1:	cmp %rdx, %rax
	je 2f
	.globl guest_access_str
guest_access_str:
	movzbl (%rsi,%rax), %ecx
	mov %cl, (%rdi,%rax)
	test %cl, %cl
	jz 2f
	inc %rax
	jmp 1b
2:	ret

	.globl guest_access_fault
guest_access_fault:
	mov $-14, %rax		/* -EFAULT */
	ret

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
