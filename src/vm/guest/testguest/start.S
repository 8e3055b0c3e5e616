	.section .note.GNU-stack, "", @progbits
/* The test guest's two entries.  mew enters _start in 64-bit mode with
 * rsi = boot_params; a PVH loader (mew with MEW_VM_BOOT=pvh, qemu -M microvm)
 * enters pvh_start32 in 32-bit protected mode with ebx = hvm_start_info,
 * and the stub below switches to long mode itself. */

	.section .note.Xen, "a", @note
	.align 4
	.long 4, 4, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	/* The first instruction announces itself (port 0x80, the POST-code port):
	 * the VMM's start-up is measured up to here. */
	out %al, $0x80
	cli
	mov %ebx, %esi
	/* Identity map in 2 MiB pages: the first 64 MiB (the guest and its boot
	 * data) and the top GiB (the MMIO windows), 544 entries rather than all
	 * 2048 of 4 GiB: each guest instruction costs about a microsecond where
	 * KVM is nested. */
	mov $tg_pd, %edi
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $32, %ecx
	jne 1b
	mov $tg_pd + 3 * 4096, %edi
	xor %ecx, %ecx
4:	mov %ecx, %eax
	shl $21, %eax
	or $0xc0000083, %eax
	mov %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $512, %ecx
	jne 4b
	mov $tg_pdpt, %edi
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $tg_pd, %eax
	or $3, %eax
	mov %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 2b
	mov $tg_pdpt, %eax
	or $3, %eax
	mov %eax, tg_pml4
	mov $tg_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x20, %eax		/* PAE */
	mov %eax, %cr4
	mov $0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax	/* PG | PE */
	mov %eax, %cr0
	lgdt tg_gdt_desc
	ljmp $0x08, $pvh_start64

	.code64
pvh_start64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $1, %edi		/* entered by PVH; rsi = start_info */
	jmp common

	.globl _start
_start:
	out %al, $0x80
	xor %edi, %edi		/* entered in 64-bit mode; rsi = boot_params */
common:
	lea tg_stack_top(%rip), %rsp
	call tg_main
3:	hlt
	jmp 3b

	.section .rodata
	.align 8
tg_gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
tg_gdt_desc:
	.word tg_gdt_desc - tg_gdt - 1
	.long tg_gdt

/* What `console BYTES` sends: 16 pages of the alphabet over and over, each
 * ending in a newline.  Assembled rather than filled at run time: guest
 * instructions cost about a microsecond each where KVM is nested, and the
 * benchmark is about the VMM's work, not the guest's. */
	.section .rodata
	.align 4096
	.globl tg_pages
tg_pages:
	.rept 16
	.rept 157
	.ascii "abcdefghijklmnopqrstuvwxyz"
	.endr
	.ascii "abcdefghijklm\n"
	.endr

	.section .bss
	.align 4096
tg_pml4: .skip 4096
tg_pdpt: .skip 4096
tg_pd:	.skip 4 * 4096
	.skip 16384
tg_stack_top:
