/* The guest's vDSO: an arm64 ELF shared object that glibc and musl find
 * through AT_SYSINFO_EHDR, laid out as Linux's arch/arm64/kernel/vdso
 * (soname linux-vdso.so.1; __kernel_clock_gettime, __kernel_gettimeofday,
 * __kernel_clock_getres and __kernel_rt_sigreturn at version LINUX_2.6.39;
 * DT_HASH, as Linux links it with --hash-style=sysv, for musl needs it).
 *
 * It is built here, once, in C: mew needs no arm64 toolchain.  Each time
 * function is `hvc #N; ret`.  HVC is undefined at EL0 (Linux gives SIGILL),
 * so the decoder takes it as mew's call only at the vDSO's own addresses
 * (a64_vdso_call) and answers it in-process from the host's clock_gettime,
 * which is itself the host's vDSO: no system call, no exit from translated
 * code.  Anywhere else, or after the guest unmapped the vDSO, it is SIGILL.
 *
 * A clock Linux's vDSO answers (realtime, monotonic, raw, coarse, boottime,
 * TAI) is stored straight into the guest's struct, so a bad pointer is a
 * SIGSEGV at the vDSO's instruction, as the kernel's vDSO store would be;
 * any other id is what Linux's vDSO falls back to the system call for, and
 * is that call on the host (EINVAL, EFAULT as the kernel says). */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/vdso.h"

enum { PAGE = 4096 };

/* The HVC immediates of mew's vDSO calls ('m' in the high byte). */
enum { CALL_CLOCK_GETTIME = 0x6d01, CALL_GETTIMEOFDAY = 0x6d02, CALL_CLOCK_GETRES = 0x6d03 };

#define INSN_HVC(n) (0xd4000002u | ((uint32_t)(n) << 5))
#define INSN_RET 0xd65f03c0u
#define INSN_NOP 0xd503201fu
#define INSN_MOV_X8_SIGRETURN 0xd2801168u /* mov x8, #139 (rt_sigreturn) */
#define INSN_SVC0 0xd4000001u

/* The exported functions, in .text order. */
static const struct {
	const char *name;
	uint32_t code[3];
	unsigned len; /* instructions */
	unsigned lead; /* of which before the symbol: the NOP unwinders want
			* before a signal trampoline (they look at return address - 1) */
} funcs[] = {
	{ "__kernel_clock_gettime", { INSN_HVC(CALL_CLOCK_GETTIME), INSN_RET }, 2, 0 },
	{ "__kernel_gettimeofday", { INSN_HVC(CALL_GETTIMEOFDAY), INSN_RET }, 2, 0 },
	{ "__kernel_clock_getres", { INSN_HVC(CALL_CLOCK_GETRES), INSN_RET }, 2, 0 },
	/* the exact words libgcc's unwinder recognizes as a signal frame */
	{ "__kernel_rt_sigreturn", { INSN_NOP, INSN_MOV_X8_SIGRETURN, INSN_SVC0 }, 3, 1 },
};
enum { NFUNCS = sizeof(funcs) / sizeof(funcs[0]), NSYMS = NFUNCS + 1, NBUCKET = 3 };

static const char soname[] = "linux-vdso.so.1", version[] = "LINUX_2.6.39";

/* Section indexes of the image. */
enum { S_NULL, S_HASH, S_DYNSYM, S_DYNSTR, S_VERSYM, S_VERDEF, S_TEXT, S_DYNAMIC, S_SHSTRTAB, S_COUNT };

static struct {
	uint8_t data[PAGE];
	size_t size;
	uint64_t text, text_end; /* offsets of the call instructions' range */
	uint64_t sym[NFUNCS];
} image;

static uint32_t elf_hash(const char *s)
{
	uint32_t h = 0, g;
	for (; *s != '\0'; s++) {
		h = (h << 4) + (uint8_t)*s;
		g = h & 0xf0000000u;
		if (g != 0)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* Append n bytes at an alignment; returns their offset. */
static size_t put(const void *p, size_t n, size_t align)
{
	size_t at = (image.size + align - 1) & ~(align - 1);
	if (at + n > sizeof(image.data))
		abort(); /* a fixed layout: cannot happen */
	memcpy(image.data + at, p, n);
	image.size = at + n;
	return at;
}

static size_t str_add(char *tab, size_t *len, const char *s)
{
	size_t at = *len;
	memcpy(tab + at, s, strlen(s) + 1);
	*len += strlen(s) + 1;
	return at;
}

static void build(void)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph[2] = { 0 };
	Elf64_Shdr sh[S_COUNT] = { 0 };
	char dynstr[256] = "", shstr[128] = "";
	size_t dynstr_len = 1, shstr_len = 1;
	size_t name_off[NFUNCS], so_name, ver_name, sh_name[S_COUNT] = { 0 };
	static const char *const sec_names[S_COUNT] = {
		[S_HASH] = ".hash", [S_DYNSYM] = ".dynsym", [S_DYNSTR] = ".dynstr",
		[S_VERSYM] = ".gnu.version", [S_VERDEF] = ".gnu.version_d", [S_TEXT] = ".text",
		[S_DYNAMIC] = ".dynamic", [S_SHSTRTAB] = ".shstrtab",
	};

	so_name = str_add(dynstr, &dynstr_len, soname);
	ver_name = str_add(dynstr, &dynstr_len, version);
	for (int k = 0; k < NFUNCS; k++)
		name_off[k] = str_add(dynstr, &dynstr_len, funcs[k].name);
	for (int k = 1; k < S_COUNT; k++)
		sh_name[k] = str_add(shstr, &shstr_len, sec_names[k]);

	image.size = sizeof(eh) + sizeof(ph); /* headers first, written last */

	/* .text first in thought: the symbols need its offsets.  It goes after
	 * the tables, at a fixed 16-byte aligned place computed below. */
	size_t text_words = 0;
	for (int k = 0; k < NFUNCS; k++)
		text_words += funcs[k].len;

	/* .hash: nbucket, nchain, buckets, chains (symbol 0 is the null one) */
	uint32_t hash[2 + NBUCKET + NSYMS] = { NBUCKET, NSYMS };
	for (int s = 1; s < NSYMS; s++) {
		uint32_t b = elf_hash(funcs[s - 1].name) % NBUCKET;
		uint32_t *slot = &hash[2 + b];
		while (*slot != 0)
			slot = &hash[2 + NBUCKET + *slot];
		*slot = (uint32_t)s;
	}
	size_t o_hash = put(hash, sizeof(hash), 8);

	/* .dynsym: values filled once .text's place is known */
	size_t o_dynsym = (image.size + 7) & ~(size_t)7;
	size_t o_dynstr = o_dynsym + NSYMS * sizeof(Elf64_Sym);
	size_t o_versym = (o_dynstr + dynstr_len + 1) & ~(size_t)1;
	size_t o_verdef = (o_versym + NSYMS * 2 + 3) & ~(size_t)3;
	size_t verdef_len = 2 * (sizeof(Elf64_Verdef) + sizeof(Elf64_Verdaux));
	size_t o_text = (o_verdef + verdef_len + 15) & ~(size_t)15;

	Elf64_Sym sym[NSYMS] = { 0 };
	size_t at = o_text;
	for (int k = 0; k < NFUNCS; k++) {
		sym[k + 1].st_name = (uint32_t)name_off[k];
		sym[k + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		sym[k + 1].st_shndx = S_TEXT;
		sym[k + 1].st_value = at + 4 * funcs[k].lead;
		sym[k + 1].st_size = 4 * (funcs[k].len - funcs[k].lead);
		image.sym[k] = sym[k + 1].st_value;
		at += 4 * funcs[k].len;
	}
	if (put(sym, sizeof(sym), 8) != o_dynsym || put(dynstr, dynstr_len, 1) != o_dynstr)
		abort();

	/* .gnu.version: every exported symbol at LINUX_2.6.39 (index 2) */
	uint16_t versym[NSYMS] = { 0 };
	for (int s = 1; s < NSYMS; s++)
		versym[s] = 2;
	if (put(versym, sizeof(versym), 2) != o_versym)
		abort();

	/* .gnu.version_d: the base (the soname), then LINUX_2.6.39 */
	struct {
		Elf64_Verdef d;
		Elf64_Verdaux a;
	} vd[2] = { 0 };
	for (int k = 0; k < 2; k++) {
		vd[k].d.vd_version = VER_DEF_CURRENT;
		vd[k].d.vd_flags = k == 0 ? VER_FLG_BASE : 0;
		vd[k].d.vd_ndx = (uint16_t)(k + 1);
		vd[k].d.vd_cnt = 1;
		vd[k].d.vd_hash = elf_hash(k == 0 ? soname : version);
		vd[k].d.vd_aux = sizeof(Elf64_Verdef);
		vd[k].d.vd_next = k == 0 ? sizeof(vd[0]) : 0;
		vd[k].a.vda_name = (uint32_t)(k == 0 ? so_name : ver_name);
	}
	_Static_assert(sizeof(vd) == 2 * (sizeof(Elf64_Verdef) + sizeof(Elf64_Verdaux)), "packed verdefs");
	if (put(vd, sizeof(vd), 4) != o_verdef)
		abort();

	uint32_t text[16];
	size_t n = 0;
	for (int k = 0; k < NFUNCS; k++)
		for (unsigned w = 0; w < funcs[k].len; w++)
			text[n++] = funcs[k].code[w];
	if (put(text, n * 4, 16) != o_text)
		abort();
	image.text = o_text;
	image.text_end = o_text + n * 4;

	Elf64_Dyn dyn[] = {
		{ DT_SONAME, { so_name } },
		{ DT_HASH, { o_hash } },
		{ DT_STRTAB, { o_dynstr } },
		{ DT_SYMTAB, { o_dynsym } },
		{ DT_STRSZ, { dynstr_len } },
		{ DT_SYMENT, { sizeof(Elf64_Sym) } },
		{ DT_VERSYM, { o_versym } },
		{ DT_VERDEF, { o_verdef } },
		{ DT_VERDEFNUM, { 2 } },
		{ DT_NULL, { 0 } },
	};
	size_t o_dynamic = put(dyn, sizeof(dyn), 8);
	size_t o_shstr = put(shstr, shstr_len, 1);
	size_t loaded = image.size; /* the section headers are not loaded */

	struct { int type; size_t off, size, entsize, align; uint64_t flags; int link, info; } secs[S_COUNT] = {
		[S_HASH] = { SHT_HASH, o_hash, sizeof(hash), 4, 8, SHF_ALLOC, S_DYNSYM, 0 },
		[S_DYNSYM] = { SHT_DYNSYM, o_dynsym, sizeof(sym), sizeof(Elf64_Sym), 8, SHF_ALLOC, S_DYNSTR, 1 },
		[S_DYNSTR] = { SHT_STRTAB, o_dynstr, dynstr_len, 0, 1, SHF_ALLOC, 0, 0 },
		[S_VERSYM] = { SHT_GNU_versym, o_versym, sizeof(versym), 2, 2, SHF_ALLOC, S_DYNSYM, 0 },
		[S_VERDEF] = { SHT_GNU_verdef, o_verdef, sizeof(vd), 0, 4, SHF_ALLOC, S_DYNSTR, 2 },
		[S_TEXT] = { SHT_PROGBITS, o_text, n * 4, 0, 16, SHF_ALLOC | SHF_EXECINSTR, 0, 0 },
		[S_DYNAMIC] = { SHT_DYNAMIC, o_dynamic, sizeof(dyn), sizeof(Elf64_Dyn), 8, SHF_ALLOC | SHF_WRITE,
				S_DYNSTR, 0 },
		[S_SHSTRTAB] = { SHT_STRTAB, o_shstr, shstr_len, 0, 1, 0, 0, 0 },
	};
	for (int k = 1; k < S_COUNT; k++) {
		sh[k].sh_name = (uint32_t)sh_name[k];
		sh[k].sh_type = (uint32_t)secs[k].type;
		sh[k].sh_flags = secs[k].flags;
		sh[k].sh_addr = secs[k].flags & SHF_ALLOC ? secs[k].off : 0;
		sh[k].sh_offset = secs[k].off;
		sh[k].sh_size = secs[k].size;
		sh[k].sh_link = (uint32_t)secs[k].link;
		sh[k].sh_info = (uint32_t)secs[k].info;
		sh[k].sh_addralign = secs[k].align;
		sh[k].sh_entsize = secs[k].entsize;
	}
	size_t o_sh = put(sh, sizeof(sh), 8);

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_AARCH64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = o_sh;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = S_COUNT;
	eh.e_shstrndx = S_SHSTRTAB;
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_X;
	ph[0].p_filesz = ph[0].p_memsz = loaded;
	ph[0].p_align = PAGE;
	ph[1].p_type = PT_DYNAMIC;
	ph[1].p_flags = PF_R;
	ph[1].p_offset = ph[1].p_vaddr = ph[1].p_paddr = o_dynamic;
	ph[1].p_filesz = ph[1].p_memsz = sizeof(dyn);
	ph[1].p_align = 8;
	memcpy(image.data, &eh, sizeof(eh));
	memcpy(image.data + sizeof(eh), ph, sizeof(ph));
}

const void *a64_vdso_image(size_t *len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build);
	*len = image.size;
	return image.data;
}

/* ---- this process's mapping ---- */

static uint64_t vdso_base, vdso_len;

uint64_t a64_vdso_base(void)
{
	return __atomic_load_n(&vdso_base, __ATOMIC_ACQUIRE);
}

int a64_vdso_map(void)
{
	size_t len;
	const void *img = a64_vdso_image(&len);
	/* a memfd of this name, so that /proc/N/maps can show it as [vdso] */
	int fd = memfd_create(A64_VDSO_MEMFD, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, PAGE) < 0 || pwrite(fd, img, len, 0) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED) {
		errno = e;
		return -1;
	}
	vdso_len = PAGE;
	__atomic_store_n(&vdso_base, (uint64_t)(uintptr_t)p, __ATOMIC_RELEASE);
	a64_self->sigreturn_tramp = (uint64_t)(uintptr_t)p + image.sym[NFUNCS - 1];
	a64_self->pers.vdso_memfd = A64_VDSO_MEMFD;
	return 0;
}

void a64_vdso_unmapped(uint64_t addr, uint64_t len)
{
	uint64_t base = a64_vdso_base();
	if (base != 0 && addr < base + vdso_len && addr + len > base) {
		/* what is there now is the guest's own: its HVCs are SIGILL */
		__atomic_store_n(&vdso_base, 0, __ATOMIC_RELEASE);
		a64_cache_flush_all();
	}
}

/* ---- the calls ---- */

/* The clocks Linux's vDSO answers itself (lib/vdso: high resolution,
 * coarse, raw); the others it passes to the system call. */
static int vdso_clock(uint64_t id)
{
	switch (id) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: case CLOCK_TAI:
		return 1;
	default:
		return 0;
	}
}

static long host_call(long nr, uint64_t a, uint64_t b)
{
	long r = syscall(nr, a, b);
	return r < 0 ? -errno : r;
}

/* The guest's struct timespec and timeval: two 64-bit words, as on x86-64. */
static void store2(struct a64_cpu *c, const struct a64_insn *i, uint64_t at, int64_t a, int64_t b)
{
	volatile int64_t *p = (volatile int64_t *)(uintptr_t)at;
	c->cur = i; /* a fault is a SIGSEGV at this instruction */
	p[0] = a;
	p[1] = b;
}

/* clock_gettime and clock_getres: x0 the clock, x1 the struct (which
 * Linux's vDSO lets be NULL for getres only) */
static int clock_call(struct a64_cpu *c, const struct a64_insn *i, long nr,
		      int (*host)(clockid_t, struct timespec *), int null_ok)
{
	struct timespec ts;
	uint64_t id = c->x[0];
	if (!vdso_clock(id)) {
		c->x[0] = (uint64_t)host_call(nr, id, c->x[1]);
		return A64_NEXT;
	}
	host((clockid_t)id, &ts);
	if (c->x[1] != 0 || !null_ok)
		store2(c, i, c->x[1], ts.tv_sec, ts.tv_nsec);
	c->x[0] = 0;
	return A64_NEXT;
}

static int h_clock_gettime(struct a64_cpu *c, const struct a64_insn *i)
{
	return clock_call(c, i, SYS_clock_gettime, clock_gettime, 0);
}

static int h_clock_getres(struct a64_cpu *c, const struct a64_insn *i)
{
	return clock_call(c, i, SYS_clock_getres, clock_getres, 1);
}

static int h_gettimeofday(struct a64_cpu *c, const struct a64_insn *i)
{
	struct timeval tv;
	struct timezone tz;
	gettimeofday(&tv, &tz);
	if (c->x[0] != 0)
		store2(c, i, c->x[0], tv.tv_sec, tv.tv_usec);
	if (c->x[1] != 0) { /* struct timezone: two ints */
		volatile int32_t *p = (volatile int32_t *)(uintptr_t)c->x[1];
		c->cur = i;
		p[0] = tz.tz_minuteswest;
		p[1] = tz.tz_dsttime;
	}
	c->x[0] = 0;
	return A64_NEXT;
}

a64_fn a64_vdso_call(uint64_t pc, unsigned imm)
{
	uint64_t base = a64_vdso_base();
	if (base == 0 || pc < base + image.text || pc >= base + image.text_end)
		return NULL;
	switch (imm) {
	case CALL_CLOCK_GETTIME: return h_clock_gettime;
	case CALL_GETTIMEOFDAY: return h_gettimeofday;
	case CALL_CLOCK_GETRES: return h_clock_getres;
	default: return NULL;
	}
}
