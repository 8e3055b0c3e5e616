/* Kernel loading: ELF (vmlinux, the test guest) and bzImage, then the boot
 * data a kernel finds at its entry.  The image is untrusted input: every
 * offset is checked against the file and guest memory. */
#include "vm/boot.h"

#include <asm/bootparam.h>
#include <elf.h>
#include <string.h>

#define E820_RAM 1
#define E820_RESERVED 2
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

static int in_file(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static void find_pvh_note(const uint8_t *buf, size_t len, uint64_t off, uint64_t size,
			  struct boot_image *img)
{
	uint64_t end = off + size;

	while (off + 12 <= end) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		uint64_t name = off + 12;
		uint64_t desc = name + ((namesz + 3ULL) & ~3ULL);
		uint64_t next = desc + ((descsz + 3ULL) & ~3ULL);
		if (next > end)
			return;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && memcmp(buf + name, "Xen", 4) == 0 &&
		    (descsz == 4 || descsz == 8)) {
			uint64_t entry = 0;
			memcpy(&entry, buf + desc, descsz);
			img->has_pvh = 1;
			img->pvh_entry = entry;
			return;
		}
		off = next;
	}
}

static int load_elf(struct gmem *mem, const uint8_t *buf, size_t len, int prefer_pvh,
		    struct boot_image *img, struct mew_error **err)
{
	Elf64_Ehdr eh;
	int loaded = 0;

	if (len < sizeof(eh))
		return mew_error(err, 0, "kernel: truncated ELF header");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return mew_error(err, 0, "kernel: not an x86-64 ELF");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !in_file(len, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr)))
		return mew_error(err, 0, "kernel: bad ELF program headers");
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE && in_file(len, ph.p_offset, ph.p_filesz))
			find_pvh_note(buf, len, ph.p_offset, ph.p_filesz, img);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz || !in_file(len, ph.p_offset, ph.p_filesz))
			return mew_error(err, 0, "kernel: ELF segment %d lies outside the file", i);
		uint8_t *dst = gmem_ptr(mem, ph.p_paddr, ph.p_memsz);
		if (dst == NULL || ph.p_paddr < BOOT_HIGH)
			return mew_error(err, 0, "kernel: ELF segment %d at %#llx+%#llx does not fit guest memory above 1 MiB",
					 i, (unsigned long long)ph.p_paddr, (unsigned long long)ph.p_memsz);
		memcpy(dst, buf + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		if (ph.p_paddr + ph.p_memsz > img->kernel_end)
			img->kernel_end = ph.p_paddr + ph.p_memsz;
		loaded = 1;
	}
	if (!loaded)
		return mew_error(err, 0, "kernel: ELF has nothing to load");
	if (prefer_pvh && img->has_pvh) {
		img->entry = BOOT_ENTRY_PVH;
		img->rip = img->pvh_entry;
	} else {
		img->entry = BOOT_ENTRY_64;
		img->rip = eh.e_entry;
		/* vmlinux links e_entry at its virtual address on some builds. */
		if (img->rip >= 0xffffffff80000000ULL)
			img->rip -= 0xffffffff80000000ULL;
	}
	return 0;
}

static int load_bzimage(struct gmem *mem, const uint8_t *buf, size_t len, struct boot_image *img,
			struct mew_error **err)
{
	struct setup_header hdr;
	size_t setup;

	if (len < 0x1f1 + sizeof(hdr))
		return mew_error(err, 0, "kernel: truncated bzImage");
	memcpy(&hdr, buf + 0x1f1, sizeof(hdr));
	if (hdr.version < 0x20c || !(hdr.xloadflags & XLF_KERNEL_64))
		return mew_error(err, 0, "kernel: bzImage boot protocol %x.%02x has no 64-bit entry (needs 2.12)",
				 hdr.version >> 8, hdr.version & 0xff);
	if (!(hdr.loadflags & LOADED_HIGH))
		return mew_error(err, 0, "kernel: a zImage (not loaded high) is not supported");
	setup = ((size_t)(hdr.setup_sects ? hdr.setup_sects : 4) + 1) * 512;
	if (setup >= len)
		return mew_error(err, 0, "kernel: bzImage setup is larger than the file");
	uint64_t need = len - setup > hdr.init_size ? len - setup : hdr.init_size;
	uint8_t *dst = gmem_ptr(mem, BOOT_HIGH, need);
	if (dst == NULL)
		return mew_error(err, 0, "kernel: bzImage needs %llu bytes above 1 MiB: not enough guest memory",
				 (unsigned long long)need);
	memcpy(dst, buf + setup, len - setup);
	img->entry = BOOT_ENTRY_BZIMAGE;
	img->rip = BOOT_HIGH + 0x200; /* startup_64 */
	img->kernel_end = BOOT_HIGH + need;
	/* The setup header travels into boot_params; keep it for boot_setup. */
	struct boot_params *bp = gmem_ptr(mem, BOOT_PARAMS, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	size_t hdr_len = 0x202 + (size_t)buf[0x201] - 0x1f1;
	if (hdr_len > sizeof(bp->hdr))
		hdr_len = sizeof(bp->hdr);
	memcpy(&bp->hdr, buf + 0x1f1, hdr_len);
	return 0;
}

int boot_load_kernel(struct gmem *mem, const uint8_t *buf, size_t len, int prefer_pvh,
		     struct boot_image *img, struct mew_error **err)
{
	memset(img, 0, sizeof(*img));
	if (len >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return load_elf(mem, buf, len, prefer_pvh, img, err);
	if (len >= 0x206 && memcmp(buf + 0x202, "HdrS", 4) == 0)
		return load_bzimage(mem, buf, len, img, err);
	return mew_error(err, 0, "kernel: neither an ELF vmlinux nor a bzImage");
}

/* RAM is [0, EBDA) and [1 MiB, size); the rest of the first MiB is reserved. */
static int memory_map(uint64_t size, uint64_t addr[3], uint64_t len[3], uint32_t type[3])
{
	addr[0] = 0, len[0] = BOOT_EBDA, type[0] = E820_RAM;
	addr[1] = BOOT_EBDA, len[1] = BOOT_HIGH - BOOT_EBDA, type[1] = E820_RESERVED;
	addr[2] = BOOT_HIGH, len[2] = size - BOOT_HIGH, type[2] = E820_RAM;
	return 3;
}

int boot_setup(struct vm *vm, const struct boot_image *img, const char *cmdline,
	       const uint8_t *initrd, size_t initrd_len, struct mew_error **err)
{
	struct gmem *mem = &vm->mem;
	size_t cl = strlen(cmdline);
	uint64_t initrd_addr = 0, addr[3], len[3];
	uint32_t type[3];
	int n;

	if (cl + 1 > BOOT_CMDLINE_MAX)
		return mew_error(err, 0, "kernel command line: %zu bytes, at most %d", cl, BOOT_CMDLINE_MAX - 1);
	memcpy(gmem_ptr(mem, BOOT_CMDLINE, cl + 1), cmdline, cl + 1);
	if (initrd_len > 0) {
		uint64_t top = mem->size;
		if (img->entry == BOOT_ENTRY_BZIMAGE) {
			struct boot_params *bp = gmem_ptr(mem, BOOT_PARAMS, sizeof(*bp));
			if (bp->hdr.initrd_addr_max != 0 && top > (uint64_t)bp->hdr.initrd_addr_max + 1)
				top = (uint64_t)bp->hdr.initrd_addr_max + 1;
		}
		if (initrd_len > top || ((top - initrd_len) & ~0xfffULL) < img->kernel_end)
			return mew_error(err, 0, "initrd: %zu bytes do not fit in guest memory after the kernel",
					 initrd_len);
		initrd_addr = (top - initrd_len) & ~0xfffULL;
		memcpy(gmem_ptr(mem, initrd_addr, initrd_len), initrd, initrd_len);
	}
	n = memory_map(mem->size, addr, len, type);
	if (boot_write_mptable(mem, vm->nvcpus) < 0)
		return mew_error(err, 0, "--cpus: the MP table describes at most 32 vCPUs");

	if (img->entry == BOOT_ENTRY_PVH) {
		struct hvm_start_info *si = gmem_ptr(mem, BOOT_PVH_INFO, 0x200);
		struct hvm_memmap_entry *mm = (void *)((uint8_t *)si + 0x40);
		struct hvm_modlist_entry *mod = (void *)((uint8_t *)si + 0x100);
		memset(si, 0, 0x200);
		si->magic = PVH_MAGIC;
		si->version = 1;
		si->cmdline_paddr = BOOT_CMDLINE;
		si->memmap_paddr = BOOT_PVH_INFO + 0x40;
		si->memmap_entries = (uint32_t)n;
		for (int i = 0; i < n; i++)
			mm[i] = (struct hvm_memmap_entry){ .addr = addr[i], .size = len[i], .type = type[i] };
		if (initrd_len > 0) {
			si->nr_modules = 1;
			si->modlist_paddr = BOOT_PVH_INFO + 0x100;
			mod->paddr = initrd_addr;
			mod->size = initrd_len;
		}
		return vm_setup_entry_pvh(vm, img->rip, BOOT_PVH_INFO, err);
	}

	struct boot_params *bp = gmem_ptr(mem, BOOT_PARAMS, sizeof(*bp));
	if (img->entry != BOOT_ENTRY_BZIMAGE) {
		memset(bp, 0, sizeof(*bp));
		bp->hdr.boot_flag = 0xaa55;
		bp->hdr.header = 0x53726448; /* "HdrS" */
		bp->hdr.version = 0x20f;
		bp->hdr.kernel_alignment = 0x1000000;
	}
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= CAN_USE_HEAP | LOADED_HIGH | KEEP_SEGMENTS;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE;
	bp->ext_cmd_line_ptr = 0;
	bp->hdr.cmdline_size = BOOT_CMDLINE_MAX;
	bp->hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)initrd_len;
	bp->e820_entries = (uint8_t)n;
	for (int i = 0; i < n; i++)
		bp->e820_table[i] = (struct boot_e820_entry){ .addr = addr[i], .size = len[i], .type = type[i] };
	return vm_setup_entry64(vm, img->rip, BOOT_PARAMS, err);
}
