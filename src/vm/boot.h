/* Loading what the guest boots and laying out low memory for it: a vmlinux
 * or test-guest ELF (64-bit entry, or PVH), a bzImage (the Linux boot
 * protocol), the command line, the initrd and the memory map. */
#ifndef MEW_VM_BOOT_H
#define MEW_VM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vm/vm.h"

/* Low-memory layout (below 1 MiB, as Firecracker lays it out). */
#define BOOT_GDT 0x500ULL
#define BOOT_PVH_INFO 0x6000ULL
#define BOOT_PARAMS 0x7000ULL
#define BOOT_STACK 0x8ff0ULL
#define BOOT_PML4 0x9000ULL
#define BOOT_PDPT 0xa000ULL
#define BOOT_PD 0xb000ULL /* four pages: 4 GiB in 2 MiB pages */
#define BOOT_CMDLINE 0x20000ULL
#define BOOT_CMDLINE_MAX 4096
#define BOOT_EBDA 0x9fc00ULL
#define BOOT_HIGH 0x100000ULL /* where a bzImage's kernel goes */

enum boot_entry {
	BOOT_ENTRY_64,	/* 64-bit entry at the ELF's e_entry, rsi = boot_params */
	BOOT_ENTRY_PVH, /* 32-bit PVH entry from the ELF note, ebx = start_info */
	BOOT_ENTRY_BZIMAGE,
};

struct boot_image {
	enum boot_entry entry;
	uint64_t rip;
	uint64_t kernel_end; /* highest guest address the kernel occupies */
	int has_pvh;
	uint64_t pvh_entry;
};

/* Load a kernel (ELF or bzImage) from buf into guest memory.  prefer_pvh picks
 * the PVH entry of an ELF that has one.  Every offset and size in the file is
 * checked against the file and guest memory. */
int boot_load_kernel(struct gmem *mem, const uint8_t *buf, size_t len, int prefer_pvh,
		     struct boot_image *img, struct mew_error **err);
/* An MP table describing ncpus vCPUs and the IOAPIC (at most 32 vCPUs). */
int boot_write_mptable(struct gmem *mem, int ncpus);
/* Write command line, initrd, boot_params / start_info and the memory map, and
 * set vCPU 0's registers for img's entry. */
int boot_setup(struct vm *vm, const struct boot_image *img, const char *cmdline,
	       const uint8_t *initrd, size_t initrd_len, struct mew_error **err);

#endif
