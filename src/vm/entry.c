/* vCPU 0's first state: page tables and a GDT in guest memory, then the
 * segment and control registers for a 64-bit or a 32-bit PVH entry. */
#include "vm/boot.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#define GDT_ENTRY(flags, base, limit)                                                           \
	((((uint64_t)(base) & 0xff000000ULL) << 32) | (((uint64_t)(flags) & 0xf0ffULL) << 40) | \
	 (((uint64_t)(limit) & 0xf0000ULL) << 32) | (((uint64_t)(base) & 0x00ffffffULL) << 16) | \
	 ((uint64_t)(limit) & 0xffffULL))

enum {
	SEL_CODE = 0x10, /* __BOOT_CS in the Linux boot protocol */
	SEL_DATA = 0x18, /* __BOOT_DS */
	SEL_TSS = 0x20,
};

static void write_gdt(struct gmem *mem, int long_mode)
{
	uint64_t *gdt = gmem_ptr(mem, BOOT_GDT, 5 * 8);
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = long_mode ? GDT_ENTRY(0xa09b, 0, 0xfffff) : GDT_ENTRY(0xc09b, 0, 0xfffff);
	gdt[3] = GDT_ENTRY(0xc093, 0, 0xfffff);
	gdt[4] = GDT_ENTRY(0x808b, 0, 0xfffff);
}

static struct kvm_segment segment(uint64_t desc, uint16_t sel)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = (desc >> 40) & 0xf,
		.present = (desc >> 47) & 1,
		.dpl = (desc >> 45) & 3,
		.db = (desc >> 54) & 1,
		.s = (desc >> 44) & 1,
		.l = (desc >> 53) & 1,
		.g = (desc >> 55) & 1,
	};
}

/* Identity-map the first 4 GiB with 2 MiB pages: RAM and the MMIO hole. */
static void write_page_tables(struct gmem *mem)
{
	uint64_t *pml4 = gmem_ptr(mem, BOOT_PML4, 4096);
	uint64_t *pdpt = gmem_ptr(mem, BOOT_PDPT, 4096);
	uint64_t *pd = gmem_ptr(mem, BOOT_PD, 4 * 4096);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT | 0x3;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + (uint64_t)i * 4096) | 0x3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
}

static int set_state(struct vm *vm, int long_mode, uint64_t rip, uint64_t rsi, uint64_t rbx,
		     struct mew_error **err)
{
	struct vcpu *c = &vm->vcpus[0];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t *gdt;

	if (!gmem_ok(&vm->mem, 0, BOOT_PD + 4 * 4096))
		return mew_error(err, 0, "guest memory too small for the boot tables");
	write_gdt(&vm->mem, long_mode);
	gdt = gmem_ptr(&vm->mem, BOOT_GDT, 5 * 8);
	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return mew_error(err, errno, "KVM_GET_SREGS");
	sregs.gdt.base = BOOT_GDT;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cs = segment(gdt[2], SEL_CODE);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = segment(gdt[3], SEL_DATA);
	sregs.tr = segment(gdt[4], SEL_TSS);
	sregs.tr.limit = 0xfffff;
	if (long_mode) {
		write_page_tables(&vm->mem);
		sregs.cr3 = BOOT_PML4;
		sregs.cr4 = 1u << 5;			   /* PAE */
		sregs.cr0 = 0x80000000u | 0x10u | 0x1u;	   /* PG | ET | PE */
		sregs.efer = (1u << 8) | (1u << 10);	   /* LME | LMA */
	} else {
		sregs.cr0 = 0x10u | 0x1u; /* ET | PE, paging off */
		sregs.cr3 = 0;
		sregs.cr4 = 0;
		sregs.efer = 0;
	}
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return mew_error(err, errno, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = rip;
	regs.rsi = rsi;
	regs.rbx = rbx;
	regs.rsp = BOOT_STACK;
	regs.rbp = BOOT_STACK;
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return mew_error(err, errno, "KVM_SET_REGS");
	return 0;
}

int vm_setup_entry64(struct vm *vm, uint64_t rip, uint64_t rsi, struct mew_error **err)
{
	return set_state(vm, 1, rip, rsi, 0, err);
}

int vm_setup_entry_pvh(struct vm *vm, uint64_t eip, uint64_t ebx, struct mew_error **err)
{
	return set_state(vm, 0, eip, 0, ebx, err);
}
