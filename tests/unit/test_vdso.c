/* The emulate engine's arm64 vDSO image: read as a C library reads it (the
 * program headers, the dynamic section, DT_HASH, the version tables), and
 * its calls decoded only where it is mapped. */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "a64/a64.h"
#include "a64/vdso.h"

struct dso {
	const uint8_t *base; /* the image; addresses are offsets (p_vaddr == p_offset) */
	const Elf64_Sym *sym;
	const char *str;
	const uint32_t *hash;
	const uint16_t *versym;
	const uint8_t *verdef;
	const char *soname;
};

static uint32_t elf_hash(const char *s)
{
	uint32_t h = 0, g;
	for (; *s; s++) {
		h = (h << 4) + (uint8_t)*s;
		if ((g = h & 0xf0000000u) != 0)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static void parse(struct dso *d)
{
	size_t len;
	const Elf64_Ehdr *eh = a64_vdso_image(&len);
	const Elf64_Dyn *dyn = NULL;
	uint64_t load_end = 0;

	memset(d, 0, sizeof(*d));
	d->base = (const uint8_t *)eh;
	assert_true(len > sizeof(*eh) && len <= 4096);
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh->e_ident[EI_DATA], ELFDATA2LSB);
	assert_int_equal(eh->e_type, ET_DYN);
	assert_int_equal(eh->e_machine, EM_AARCH64);
	assert_int_equal(eh->e_phentsize, sizeof(Elf64_Phdr));
	assert_true(eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= len);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(d->base + eh->e_phoff);
	for (int k = 0; k < eh->e_phnum; k++) {
		assert_int_not_equal(ph[k].p_type, PT_TLS); /* glibc asserts it */
		if (ph[k].p_type == PT_LOAD) {
			/* musl takes the bias from p_offset - p_vaddr, glibc from p_vaddr */
			assert_int_equal(ph[k].p_offset, 0);
			assert_int_equal(ph[k].p_vaddr, 0);
			assert_true(ph[k].p_flags & PF_X);
			load_end = ph[k].p_memsz;
		} else if (ph[k].p_type == PT_DYNAMIC) {
			assert_int_equal(ph[k].p_offset, ph[k].p_vaddr);
			dyn = (const Elf64_Dyn *)(d->base + ph[k].p_offset);
		}
	}
	assert_non_null(dyn);
	assert_true(load_end <= len && load_end > 0);
	uint64_t soname = ~0ull;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag != DT_STRSZ && dyn->d_tag != DT_SYMENT && dyn->d_tag != DT_VERDEFNUM &&
		    dyn->d_tag != DT_SONAME)
			assert_true(dyn->d_un.d_ptr < load_end); /* every table is in the loaded segment */
		switch (dyn->d_tag) {
		case DT_SYMTAB: d->sym = (const void *)(d->base + dyn->d_un.d_ptr); break;
		case DT_STRTAB: d->str = (const void *)(d->base + dyn->d_un.d_ptr); break;
		case DT_HASH: d->hash = (const void *)(d->base + dyn->d_un.d_ptr); break;
		case DT_VERSYM: d->versym = (const void *)(d->base + dyn->d_un.d_ptr); break;
		case DT_VERDEF: d->verdef = d->base + dyn->d_un.d_ptr; break;
		case DT_SYMENT: assert_int_equal(dyn->d_un.d_val, sizeof(Elf64_Sym)); break;
		case DT_VERDEFNUM: assert_int_equal(dyn->d_un.d_val, 2); break;
		case DT_SONAME: soname = dyn->d_un.d_val; break;
		}
	}
	assert_non_null(d->sym);
	assert_non_null(d->str);
	assert_non_null(d->hash); /* musl reads DT_HASH only */
	assert_non_null(d->versym);
	assert_non_null(d->verdef);
	assert_true(soname != ~0ull);
	d->soname = d->str + soname;
}

/* The version name of version index ndx, checking its hash as glibc does. */
static const char *version_of(const struct dso *d, unsigned ndx)
{
	const uint8_t *p = d->verdef;
	for (;;) {
		const Elf64_Verdef *vd = (const Elf64_Verdef *)p;
		assert_int_equal(vd->vd_version, VER_DEF_CURRENT);
		if (vd->vd_ndx == ndx) {
			const Elf64_Verdaux *aux = (const Elf64_Verdaux *)(p + vd->vd_aux);
			const char *name = d->str + aux->vda_name;
			assert_int_equal(vd->vd_hash, elf_hash(name));
			return (vd->vd_flags & VER_FLG_BASE) ? NULL : name;
		}
		if (vd->vd_next == 0)
			return NULL;
		p += vd->vd_next;
	}
}

/* name@version by the hash chains, as the dynamic linker looks it up */
static const Elf64_Sym *lookup(const struct dso *d, const char *name, const char *version)
{
	uint32_t nbucket = d->hash[0], nchain = d->hash[1];
	const uint32_t *bucket = d->hash + 2, *chain = bucket + nbucket;
	for (uint32_t s = bucket[elf_hash(name) % nbucket]; s != STN_UNDEF; s = chain[s]) {
		assert_true(s < nchain);
		const Elf64_Sym *sym = &d->sym[s];
		if (strcmp(d->str + sym->st_name, name) != 0)
			continue;
		const char *v = version_of(d, d->versym[s] & 0x7fff);
		if (v != NULL && strcmp(v, version) == 0)
			return sym;
	}
	return NULL;
}

static uint32_t word_at(const struct dso *d, uint64_t off)
{
	uint32_t w;
	memcpy(&w, d->base + off, 4);
	return w;
}

static void test_symbols_resolve_with_their_version(void **state)
{
	struct dso d;
	static const char *const names[] = { "__kernel_clock_gettime", "__kernel_gettimeofday",
					     "__kernel_clock_getres", "__kernel_rt_sigreturn" };
	parse(&d);
	assert_string_equal(d.soname, "linux-vdso.so.1");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const Elf64_Sym *s = lookup(&d, names[k], "LINUX_2.6.39");
		assert_non_null(s);
		assert_int_equal(ELF64_ST_TYPE(s->st_info), STT_FUNC);
		assert_int_equal(ELF64_ST_BIND(s->st_info), STB_GLOBAL);
		assert_int_not_equal(s->st_shndx, SHN_UNDEF); /* both libcs skip undefined ones */
		assert_int_equal(s->st_value % 4, 0);
		assert_null(lookup(&d, names[k], "LINUX_2.6")); /* another version does not match */
	}
	assert_null(lookup(&d, "__vdso_clock_gettime", "LINUX_2.6.39"));
	/* the signal trampoline: the two words libgcc's unwinder matches */
	const Elf64_Sym *t = lookup(&d, "__kernel_rt_sigreturn", "LINUX_2.6.39");
	assert_int_equal(word_at(&d, t->st_value), 0xd2801168); /* mov x8, #139 */
	assert_int_equal(word_at(&d, t->st_value + 4), 0xd4000001); /* svc #0 */
	/* a time call: mew's HVC, then RET */
	const Elf64_Sym *g = lookup(&d, "__kernel_clock_gettime", "LINUX_2.6.39");
	assert_int_equal(word_at(&d, g->st_value) & 0xffe0001f, 0xd4000002);
	assert_int_equal(word_at(&d, g->st_value + 4), 0xd65f03c0);
}

/* The handler the decoder gives raw at pc. */
static a64_fn decoded(uint64_t pc, uint32_t raw)
{
	struct a64_insn i;
	a64_decode(raw, pc, &i);
	return i.fn;
}

static void run1(struct a64_cpu *c, uint64_t pc, uint32_t raw)
{
	struct a64_insn i[2];
	a64_decode(raw, pc, &i[0]);
	a64_insn_next(&i[1], pc + 4);
	assert_ptr_not_equal(i[0].fn, a64_undef);
	i[0].fn(c, i);
}

static void test_calls_only_inside_the_mapping(void **state)
{
	struct dso d;
	static struct a64_cpu c;
	struct timespec ts = { -1, -1 }, now;

	parse(&d);
	uint32_t hvc = 0xd4000002 | (0x6d01 << 5);
	uint64_t at = lookup(&d, "__kernel_clock_gettime", "LINUX_2.6.39")->st_value;
	/* not mapped: undefined everywhere */
	assert_ptr_equal(decoded(0x400000, hvc), a64_undef);
	assert_int_equal(a64_vdso_map(), 0);
	uint64_t base = a64_vdso_base();
	assert_true(base != 0);
	assert_memory_equal((void *)(uintptr_t)base, d.base, 64);
	assert_ptr_not_equal(decoded(base + at, hvc), a64_undef);
	assert_ptr_equal(decoded(base + 4096 + at, hvc), a64_undef); /* past it */
	assert_ptr_equal(decoded(base + 0x40, hvc), a64_undef);	/* in it, not in its code */
	assert_ptr_equal(decoded(base + at, 0xd4000002 | (0x6d7f << 5)), a64_undef); /* not a call */

	memset(&c, 0, sizeof(c));
	c.x[0] = CLOCK_MONOTONIC;
	c.x[1] = (uint64_t)(uintptr_t)&ts;
	run1(&c, base + at, hvc);
	clock_gettime(CLOCK_MONOTONIC, &now);
	assert_int_equal(c.x[0], 0);
	assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	assert_true(ts.tv_sec <= now.tv_sec && ts.tv_sec + 60 > now.tv_sec);
	c.x[0] = 12345; /* no such clock: the system call's answer */
	run1(&c, base + at, hvc);
	assert_int_equal((int64_t)c.x[0], -EINVAL);
	c.x[0] = CLOCK_PROCESS_CPUTIME_ID; /* not the vDSO's: the call's EFAULT */
	c.x[1] = 16;
	run1(&c, base + at, hvc);
	assert_int_equal((int64_t)c.x[0], -EFAULT);

	/* the guest unmaps it: its address is an ordinary one again */
	a64_vdso_unmapped(base, 4096);
	assert_int_equal(a64_vdso_base(), 0);
	assert_ptr_equal(decoded(base + at, hvc), a64_undef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols_resolve_with_their_version),
		cmocka_unit_test(test_calls_only_inside_the_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
