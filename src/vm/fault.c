/* When KVM gives up on a guest instruction (KVM_EXIT_INTERNAL_ERROR): say
 * exactly where (RIP, CPL, the instruction bytes, the kernel symbol), and
 * finish the few instructions a software-executing /dev/kvm refuses but a VMM
 * can complete itself, so that a stock kernel still boots there. */
#include "vm/fault.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LMA (1ULL << 10)
#define PTE_P 1ULL
#define PTE_PS (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Guest physical address of gva under the vCPU's paging mode (none, 32-bit
 * PAE, or 4-level long mode), or -1 when it is not mapped. */
static int64_t translate(struct gmem *m, const struct kvm_sregs *s, uint64_t gva)
{
	if (!(s->cr0 & CR0_PG))
		return (int64_t)(gva & 0xffffffffULL);
	if (!(s->cr4 & CR4_PAE))
		return -1; /* 2-level paging: Linux never runs its kernel that way */
	int levels = (s->efer & EFER_LMA) ? 4 : 3;
	uint64_t table = s->cr3 & (levels == 4 ? PTE_ADDR : 0xffffffe0ULL);
	for (int l = levels; l >= 1; l--) {
		int shift = 12 + 9 * (l - 1);
		uint64_t idx = (l == 3 && levels == 3) ? (gva >> 30) & 3 : (gva >> shift) & 511;
		uint64_t *e = gmem_ptr(m, table + idx * 8, 8);
		if (e == NULL || !(*e & PTE_P))
			return -1;
		if (l == 1 || ((l == 2 || l == 3) && (*e & PTE_PS))) {
			uint64_t mask = (1ULL << shift) - 1;
			return (int64_t)(((*e & PTE_ADDR) & ~mask) | (gva & mask));
		}
		table = *e & PTE_ADDR;
	}
	return -1;
}

int vcpu_read_virt(struct vcpu *c, const struct kvm_sregs *s, uint64_t gva, void *buf, size_t len)
{
	uint8_t *out = buf;
	while (len > 0) {
		size_t chunk = 4096 - (gva & 4095);
		if (chunk > len)
			chunk = len;
		int64_t gpa = translate(&c->vm->mem, s, gva);
		void *p = gpa < 0 ? NULL : gmem_ptr(&c->vm->mem, (uint64_t)gpa, chunk);
		if (p == NULL)
			return -1;
		memcpy(out, p, chunk);
		out += chunk, gva += chunk, len -= chunk;
	}
	return 0;
}

/* The function symbol of an ELF file (a vmlinux) that contains addr. */
static int symbolize(const char *path, uint64_t addr, char *out, size_t len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -1;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	const uint8_t *f = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return -1;
	const Elf64_Ehdr *eh = (const void *)f;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size - eh->e_shoff)
		goto out;
	const Elf64_Shdr *sh = (const void *)(f + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset || strs->sh_offset > size ||
		    strs->sh_size > size - strs->sh_offset)
			goto out;
		const Elf64_Sym *sym = (const void *)(f + sh[i].sh_offset);
		size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
		const Elf64_Sym *best = NULL;
		for (size_t j = 0; j < n; j++) {
			unsigned t = ELF64_ST_TYPE(sym[j].st_info);
			if ((t != STT_FUNC && t != STT_NOTYPE) || sym[j].st_shndx == SHN_UNDEF ||
			    sym[j].st_value > addr || sym[j].st_name >= strs->sh_size)
				continue;
			if (best == NULL || sym[j].st_value > best->st_value)
				best = &sym[j];
		}
		if (best != NULL && addr - best->st_value < (1 << 20)) {
			const char *name = (const char *)f + strs->sh_offset + best->st_name;
			snprintf(out, len, "%.*s+%#llx", (int)strnlen(name, strs->sh_size - best->st_name), name,
				 (unsigned long long)(addr - best->st_value));
			r = 0;
		}
		break;
	}
out:
	munmap((void *)f, size);
	return r;
}

void vcpu_describe_failure(struct vcpu *c, char *why, size_t len)
{
	struct kvm_run *run = c->run;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint8_t insn[16];
	char bytes[64] = "", sym[160] = "";
	size_t n;

	n = (size_t)snprintf(why, len, "KVM internal error %u%s on vCPU %d", run->internal.suberror,
			     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)" : "",
			     c->id);
	if (n >= len || ioctl(c->fd, KVM_GET_REGS, &regs) < 0 || ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	size_t have = 0;
	while (have < sizeof(insn) && vcpu_read_virt(c, &sregs, regs.rip + have, insn + have, 1) == 0)
		have++;
	c->vm->fail_rip = regs.rip;
	for (size_t i = 0; i < have && i < 12; i++)
		snprintf(bytes + strlen(bytes), sizeof(bytes) - strlen(bytes), "%s%02x", i ? " " : "", insn[i]);
	if (c->vm->symbols != NULL)
		symbolize(c->vm->symbols, regs.rip, sym, sizeof(sym));
	snprintf(why + n, len - n, " at rip %#llx%s%s%s (cpl %u), instruction bytes: %s",
		 (unsigned long long)regs.rip, sym[0] ? " <" : "", sym, sym[0] ? ">" : "", sregs.cs.selector & 3u,
		 have ? bytes : "unreadable");
}

/* Instructions KVM's instruction emulator does not know, but that Linux
 * executes: where that emulator runs guest kernel code (a software-executing
 * /dev/kvm) each ends in an emulation failure, and mew completes it as the
 * CPU would.
 *   int3 (0xcc): delivered by the emulator only in real mode; Linux's
 *     alternatives self-test runs one at boot.  RIP past it, #BP raised for
 *     KVM to deliver through the guest's IDT.
 *   fwait (0x9b): Linux runs one on exec (fpu__drop).  #MF when an unmasked
 *     x87 exception is pending (FSW.ES) and CR0.NE is set, else nothing. */
int vcpu_complete_failure(struct vcpu *c)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events ev;
	struct kvm_fpu fpu;
	uint8_t op;
	int vector = -1;

	if (c->run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION)
		return -1;
	if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0 || ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	if (!(sregs.cr0 & 1) || vcpu_read_virt(c, &sregs, regs.rip, &op, 1) < 0)
		return -1;
	switch (op) {
	case 0xcc:
		regs.rip += 1;
		vector = 3;
		break;
	case 0x9b:
		if (ioctl(c->fd, KVM_GET_FPU, &fpu) < 0)
			return -1;
		if ((fpu.fsw & 0x80) && (sregs.cr0 & (1u << 5)))
			vector = 16;
		else
			regs.rip += 1;
		break;
	default:
		return -1;
	}
	if (vector >= 0) {
		if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 || ev.exception.injected || ev.exception.pending)
			return -1;
		ev.exception.injected = 1;
		ev.exception.nr = (uint8_t)vector;
		ev.exception.has_error_code = 0;
		ev.flags = 0;
	}
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0 || (vector >= 0 && ioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev) < 0))
		return -1;
	mew_debug("vm: vCPU %d: %s completed by mew", c->id, op == 0xcc ? "int3" : "fwait");
	return 0;
}

void vcpu_report_rip(struct vcpu *c)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t st[48];
	char sym[160] = "";

	if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0 || ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	if (c->vm->symbols != NULL)
		symbolize(c->vm->symbols, regs.rip, sym, sizeof(sym));
	fprintf(stderr,
		"mew: vm: vCPU %d at rip %#llx %s (cpl %u) rsp %#llx cr2 %#llx rflags %#llx\n"
		"    rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx rbp %#llx\n",
		c->id, (unsigned long long)regs.rip, sym, sregs.cs.selector & 3u, (unsigned long long)regs.rsp,
		(unsigned long long)sregs.cr2, (unsigned long long)regs.rflags, (unsigned long long)regs.rax,
		(unsigned long long)regs.rbx, (unsigned long long)regs.rcx, (unsigned long long)regs.rdx,
		(unsigned long long)regs.rsi, (unsigned long long)regs.rdi, (unsigned long long)regs.rbp);
	/* The return addresses on the stack that the symbol file names: a rough backtrace. */
	if (c->vm->symbols == NULL || vcpu_read_virt(c, &sregs, regs.rsp, st, sizeof(st)) < 0)
		return;
	for (int i = 0; i < 48; i++)
		if (symbolize(c->vm->symbols, st[i], sym, sizeof(sym)) == 0 && st[i] >= (1ULL << 63))
			fprintf(stderr, "    [rsp+%#x] %s\n", i * 8, sym);
}
