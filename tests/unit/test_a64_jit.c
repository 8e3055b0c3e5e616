/* The translator against the interpreter: every pattern the translator
 * emits (src/a64/jit/jit.c), on random operands, flags and addresses; the
 * registers, NZCV, the next pc and memory must come out the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "a64/a64.h"
#include "a64/jit/jit.h"
#include "a64/simple.h"
#include "a64/fp.h"
#include "a64/simd.h"

enum { PC = 0x400000, MEM = 1 << 17 };

static uint64_t seed = 88172645463325252ull;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* values that find flag and width bugs */
static uint64_t value(void)
{
	static const uint64_t edge[] = { 0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
					 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull };
	switch (rnd() % 4) {
	case 0: return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
	case 1: return rnd() % 64;
	case 2: return (uint64_t)-(int64_t)(rnd() % 64);
	default: return rnd();
	}
}

static uint8_t *mem, *mem_init, *mem_interp;
static uint32_t *code; /* the page at PC */

static void random_state(struct a64_cpu *c, int memory)
{
	for (int r = 0; r < 32; r++)
		c->x[r] = memory ? (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64)) : value();
	c->x[A64_ZR] = 0;
	c->x[A64_DISCARD] = 0;
	c->nzcv = (uint32_t)(rnd() & 0xf) << 28;
	c->tpidr = rnd();
	for (int v = 0; v < 32; v++)
		for (int k = 0; k < 2; k++)
			c->v[v].d[k] = rnd();
}

/* One instruction (and the fall-through after it) interpreted on a and
 * translated on b from the same state; compare. */
static int native; /* how many checked instructions the translator emits itself */

/* a block of count instructions (it may end early, at a branch) */
static int checkn(struct a64_cpu *a, struct a64_cpu *b, const uint32_t *raws, unsigned count)
{
	struct a64_insn in[18];
	unsigned n = 0;
	int end = 0;
	uint32_t raw = raws[0];
	for (unsigned k = 0; k < count && !end; k++) {
		end = a64_decode(raws[k], PC + 4 * n, &in[n]);
		if (in[n].fn == a64_undef)
			return 0;
		n++;
	}
	/* the code at PC, as the translator reads it to see whether the flags
	 * are live where a branch goes: the rest of the page reads them (B.EQ
	 * to itself), and a branch into the code itself is left out (its
	 * target would be a flag-setting instruction, where the translator
	 * rightly leaves NZCV unstored) */
	for (unsigned k = 0; k < n; k++) {
		int br = a64_branch_kind(in[k].fn);
		if ((br == A64_BR_B || br == A64_BR_BL || br == A64_BR_BCOND || br == A64_BR_CBZ || br == A64_BR_TBZ) &&
		    in[k].imm >= PC && in[k].imm <= PC + 4 * n)
			return 0;
	}
	for (unsigned k = 0; k < 1024; k++)
		code[k] = k < n ? raws[k] : 0x54000000;
	struct a64_mem_shape m;
	native += a64_int_kind(in[0].fn) != A64_K_NONE || a64_mem_kind(in[0].fn) != A64_K_NONE ||
		  a64_branch_kind(in[0].fn) != A64_BR_NONE || a64_mem_shape(in[0].fn, &m) ||
		  a64_int_form(in[0].fn) != A64_I_NONE || a64_fp_form(in[0].fn) != A64_F_NONE || a64_is_mrs_tpidr(&in[0]) ||
		  a64_excl_form(in[0].fn) != A64_X_NONE || a64_simd_form(in[0].fn) != A64_S_NONE ||
		  a64_is_dc_zva(&in[0]);
	if (!end)
		a64_insn_next(&in[n], PC + 4 * n), n++;

	struct a64_cpu *saved_jit_cpu = b;
	struct a64_jit *j = b->jit;
	memcpy(b, a, offsetof(struct a64_cpu, cur));
	b->jit = j;
	memcpy(mem, mem_init, MEM);

	struct a64_insn run[18];
	memcpy(run, in, sizeof(run));
	a->last = NULL;
	a64_fpsr_write(a, a->fpsr); /* the host's sticky flags cleared */
	run[0].fn(a, run);
	uint32_t fpsr_interp = a64_fpsr_read(a);
	memcpy(mem_interp, mem, MEM);

	memcpy(mem, mem_init, MEM);
	a64_jit_reset(b);
	struct a64_block *blk = a64_jit_block(b, PC, in, n);
	assert_non_null(blk);
	b->budget = 4;
	a64_fpsr_write(b, b->fpsr);
	a64_jit_run(b, blk, 0);
	uint32_t fpsr_jit = a64_fpsr_read(b);
	(void)saved_jit_cpu;

	int bad = 0;
	for (int r = 0; r < 32; r++)
		if (a->x[r] != b->x[r]) {
			print_error("%08x: x%d interp %#llx jit %#llx\n", raw, r, (unsigned long long)a->x[r],
				    (unsigned long long)b->x[r]);
			bad = 1;
		}
	for (int v = 0; v < 32; v++)
		if (memcmp(&a->v[v], &b->v[v], 16) != 0) {
			print_error("%08x: v%d interp %016llx%016llx jit %016llx%016llx\n", raw, v,
				    (unsigned long long)a->v[v].d[1], (unsigned long long)a->v[v].d[0],
				    (unsigned long long)b->v[v].d[1], (unsigned long long)b->v[v].d[0]);
			bad = 1;
		}
	if (a->nzcv != b->nzcv) {
		print_error("%08x: nzcv interp %#x jit %#x\n", raw, a->nzcv, b->nzcv);
		bad = 1;
	}
	if (a->excl_size != b->excl_size || (a->excl_size && (a->excl_addr != b->excl_addr || a->excl_val[0] != b->excl_val[0]))) {
		print_error("%08x: exclusive monitor interp %d %#llx %#llx jit %d %#llx %#llx\n", raw, a->excl_size,
			    (unsigned long long)a->excl_addr, (unsigned long long)a->excl_val[0], b->excl_size,
			    (unsigned long long)b->excl_addr, (unsigned long long)b->excl_val[0]);
		bad = 1;
	}
	if (fpsr_interp != fpsr_jit) {
		print_error("%08x: fpsr interp %#x jit %#x\n", raw, fpsr_interp, fpsr_jit);
		bad = 1;
	}
	if (a->pc != b->pc) {
		print_error("%08x: pc interp %#llx jit %#llx\n", raw, (unsigned long long)a->pc,
			    (unsigned long long)b->pc);
		bad = 1;
	}
	if (memcmp(mem, mem_interp, MEM) != 0) {
		print_error("%08x: memory differs\n", raw);
		bad = 1;
	}
	if (bad) {
		for (unsigned k = 0; k < count; k++)
			print_error("  insn %u: %08x\n", k, raws[k]);
		fail();
	}
	return 1;
}

static int check2(struct a64_cpu *a, struct a64_cpu *b, uint32_t raw, uint32_t raw2)
{
	uint32_t r[2] = { raw, raw2 };
	return checkn(a, b, r, 2);
}

static int check(struct a64_cpu *a, struct a64_cpu *b, uint32_t raw)
{
	return checkn(a, b, &raw, 1);
}

static struct a64_cpu *jit_cpu(void)
{
	struct a64_cpu *c = a64_cpu_new();
	assert_non_null(c);
	a64_jit_attach(c);
	assert_non_null(c->jit);
	return c;
}

static unsigned reg(void) { return rnd() % 32; }

/* A family of encodings: the fixed bits, then random fields. */
typedef uint32_t (*gen_fn)(void);

static uint32_t g_movewide(void) { return 0x12800000 | (uint32_t)(rnd() & 0x80000000) | (rnd() % 4 == 1 ? 0 : (rnd() & 1) << 30) | (uint32_t)(rnd() % 4) << 21 | (uint32_t)(rnd() & 0xffff) << 5 | reg(); }
static uint32_t g_addsub_imm(void) { return 0x11000000 | (uint32_t)(rnd() & 0xe0000000) | (uint32_t)(rnd() & 1) << 22 | (uint32_t)(rnd() & 0xfff) << 10 | reg() << 5 | reg(); }
static uint32_t g_addsub_reg(void)
{
	uint32_t sf = rnd() & 1;
	return 0x0b000000 | sf << 31 | (uint32_t)(rnd() & 3) << 29 | reg() << 16 | (uint32_t)(rnd() % (sf ? 64 : 32)) << 10 | reg() << 5 | reg();
}
static uint32_t g_logic_imm(void) { return 0x12000000 | (uint32_t)(rnd() & 0xe0000000) | (uint32_t)(rnd() & 0x1fff) << 10 | reg() << 5 | reg(); }
static uint32_t g_bitfield(void) { uint32_t sf = rnd() & 1; return 0x13000000 | sf << 31 | sf << 22 | (uint32_t)(rnd() % 4) << 29 | (uint32_t)(rnd() & 0x3f) << 16 | (uint32_t)(rnd() & 0x3f) << 10 | reg() << 5 | reg(); }
static uint32_t g_extr(void) { uint32_t sf = rnd() & 1; return 0x13800000 | sf << 31 | sf << 22 | reg() << 16 | (uint32_t)(rnd() % (sf ? 64 : 32)) << 10 | reg() << 5 | reg(); }
static uint32_t g_logic_reg(void) { uint32_t sf = rnd() & 1; return 0x0a000000 | sf << 31 | (uint32_t)(rnd() & 3) << 29 | (uint32_t)(rnd() & 3) << 22 | (uint32_t)(rnd() & 1) << 21 | reg() << 16 | (uint32_t)(rnd() % (sf ? 64 : 32)) << 10 | reg() << 5 | reg(); }
static uint32_t g_addsub_shift(void) { uint32_t sf = rnd() & 1; return 0x0b000000 | sf << 31 | (uint32_t)(rnd() & 3) << 29 | (uint32_t)(rnd() % 3) << 22 | reg() << 16 | (uint32_t)(rnd() % (sf ? 64 : 32)) << 10 | reg() << 5 | reg(); }
static uint32_t g_addsub_ext(void) { return 0x0b200000 | (uint32_t)(rnd() & 0xe0000000) | reg() << 16 | (uint32_t)(rnd() & 7) << 13 | (uint32_t)(rnd() % 5) << 10 | reg() << 5 | reg(); }
static uint32_t g_dp3(void) { return 0x1b000000 | (uint32_t)(rnd() & 1) << 31 | (uint32_t)(rnd() & 7) << 21 | reg() << 16 | (uint32_t)(rnd() & 1) << 15 | reg() << 10 | reg() << 5 | reg(); }
static uint32_t g_movk(void) { return 0x72800000 | (uint32_t)(rnd() & 0x80000000) | (uint32_t)(rnd() % 4) << 21 | (uint32_t)(rnd() & 0xffff) << 5 | reg(); }
static uint32_t g_dp2(void) { static const uint32_t op[] = { 2, 3, 8, 9, 10, 11 }; return 0x1ac00000 | (uint32_t)(rnd() & 1) << 31 | reg() << 16 | op[rnd() % 6] << 10 | reg() << 5 | reg(); }
static uint32_t g_dp1(void) { return 0x5ac00000 | (uint32_t)(rnd() & 1) << 31 | (uint32_t)(rnd() % 6) << 10 | reg() << 5 | reg(); }
static uint32_t g_mov_reg(void) { return 0x2a0003e0 | (uint32_t)(rnd() & 1) << 31 | reg() << 16 | reg(); }
static uint32_t g_adr(void) { return 0x10000000 | (uint32_t)(rnd() & 0x80000000) | (uint32_t)(rnd() & 3) << 29 | (uint32_t)(rnd() & 0x7ffff) << 5 | reg(); }
static uint32_t g_ccmp(void) { return 0x3a400000 | (uint32_t)(rnd() & 0xc0000000) | reg() << 16 | (uint32_t)(rnd() & 15) << 12 | (uint32_t)(rnd() & 1) << 11 | reg() << 5 | (uint32_t)(rnd() & 15); }
static uint32_t g_csel(void) { return 0x1a800000 | (uint32_t)(rnd() & 0xc0000000) | reg() << 16 | (uint32_t)(rnd() & 15) << 12 | (uint32_t)(rnd() & 1) << 10 | reg() << 5 | reg(); }
static uint32_t g_bcond(void) { return 0x54000000 | (uint32_t)(rnd() & 0x7ffff) << 5 | (uint32_t)(rnd() & 15); }
static uint32_t g_cbz(void) { return 0x34000000 | (uint32_t)(rnd() & 0x81000000) | (uint32_t)(rnd() & 0x7ffff) << 5 | reg(); }
static uint32_t g_tbz(void) { return 0x36000000 | (uint32_t)(rnd() & 0x81000000) | (uint32_t)(rnd() & 31) << 19 | (uint32_t)(rnd() & 0x3fff) << 5 | reg(); }
static uint32_t g_b(void) { return 0x14000000 | (uint32_t)(rnd() & 0x80000000) | (uint32_t)(rnd() & 0x3ffffff); }
static uint32_t g_adc(void) { return 0x1a000000 | (uint32_t)(rnd() & 0xe0000000) | reg() << 16 | reg() << 5 | reg(); }
static uint32_t g_mrs_tpidr(void) { return 0xd53bd040 | reg(); }
static uint32_t g_br(void) { static const uint32_t op[] = { 0xd61f0000, 0xd63f0000, 0xd65f0000 }; return op[rnd() % 3] | reg() << 5; }

/* vectors whose lanes are often equal, zero or at the signed and unsigned
 * edges (the compares' cases) */
static void random_vectors(struct a64_cpu *c)
{
	static const uint8_t edge[] = { 0, 1, 0x7f, 0x80, 0xff, 0x33, 0x0a };
	for (int v = 0; v < 32; v++) {
		int kind = (int)(rnd() % 3);
		for (int b = 0; b < 16; b++)
			c->v[v].b[b] = kind == 0 ? (uint8_t)rnd() : kind == 1 ? edge[rnd() % 7] : (uint8_t)(rnd() % 3);
	}
}
static void fuzz(gen_fn g, int memory)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	int tried = 0;
	native = 0;
	for (int k = 0; k < 4000; k++) {
		random_state(a, 0);
		random_vectors(a);
		if (memory) { /* bases point into the buffer, the data stays random */
			for (int r = 0; r < 32; r++)
				if (rnd() % 2)
					a->x[r] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64));
		}
		for (size_t i = 0; i < MEM / 8; i++)
			((uint64_t *)mem_init)[i] = rnd();
		uint32_t raw = g();
		/* memory: the base register must point into the buffer */
		if (memory) {
			unsigned rn = (raw >> 5) & 31;
			a->x[rn] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64));
			if (memory == 2) { /* register offset: a small index, not the base */
				if (((raw >> 16) & 31) == rn)
					continue;
				a->x[(raw >> 16) & 31] = rnd() % 256;
			}
		}
		tried += check(a, b, raw);
	}
	assert_true(tried > 500);
	assert_true(native > 200); /* the family has forms the translator emits */
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

static void test_move_and_arith(void **state)
{
	fuzz(g_movewide, 0);
	fuzz(g_addsub_imm, 0);
	fuzz(g_addsub_reg, 0);
	fuzz(g_logic_imm, 0);
	fuzz(g_mov_reg, 0);
	fuzz(g_adr, 0);
	fuzz(g_bitfield, 0);
	fuzz(g_extr, 0);
	fuzz(g_logic_reg, 0);
	fuzz(g_addsub_shift, 0);
	fuzz(g_addsub_ext, 0);
	fuzz(g_dp3, 0);
	fuzz(g_movk, 0);
	fuzz(g_dp2, 0);
	fuzz(g_dp1, 0);
	fuzz(g_adc, 0);
	fuzz(g_mrs_tpidr, 0);
}

/* ADC, SBC and their flag-setting forms take C from the host flags a
 * flag-setting form left there (after an add or a sub), or from NZCV;
 * then a condition reads what ADCS/SBCS made, or what a plain ADC kept */
static void test_carry(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn first[] = { g_addsub_imm, g_addsub_reg, g_ccmp, g_logic_imm, g_adc };
	static const gen_fn third[] = { g_bcond, g_csel, g_adc };
	native = 0;
	for (int k = 0; k < 20000; k++) {
		random_state(a, 0);
		uint32_t r[3] = { first[rnd() % 5]() | 1u << 29, g_adc(), third[rnd() % 3]() };
		checkn(a, b, r, 1 + (unsigned)(k % 3));
	}
	assert_true(native > 5000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* UDIV and SDIV on the values x86's DIV and IDIV fault on */
static void test_divide_edges(void **state)
{
	static const uint64_t v[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x80000000, 0xffffffff, 0x7fffffff, 7, -7ull };
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	for (unsigned p = 0; p < 9 * 9; p++)
		for (uint32_t sf = 0; sf < 2; sf++)
			for (uint32_t op = 2; op < 4; op++) {
				random_state(a, 0);
				a->x[1] = v[p / 9];
				a->x[2] = v[p % 9];
				assert_true(check(a, b, 0x1ac00000 | sf << 31 | 2 << 16 | op << 10 | 1 << 5 | 0));
			}
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

static void test_flags_ccmp_csel(void **state)
{
	fuzz(g_ccmp, 0);
	fuzz(g_csel, 0);
}

static void test_branches(void **state)
{
	fuzz(g_bcond, 0);
	fuzz(g_cbz, 0);
	fuzz(g_tbz, 0);
	fuzz(g_b, 0);
	fuzz(g_br, 0);
}

static uint32_t g_ldst_uimm(void)
{
	uint32_t size = rnd() % 4;
	return 0x39000000 | size << 30 | (uint32_t)(rnd() % 4) << 22 | (uint32_t)(rnd() % 512) << 10 | reg() << 5 | reg();
}
static uint32_t g_ldst_prepost(void)
{
	uint32_t size = rnd() % 4;
	return 0x38000400 | size << 30 | (uint32_t)(rnd() % 4) << 22 | (uint32_t)(rnd() & 0x1ff) << 12 |
	       (uint32_t)(rnd() % 2) << 11 | reg() << 5 | reg();
}
static uint32_t g_ldst_regoff(void)
{
	static const uint32_t opt[] = { 2, 3, 6, 7 };
	return 0x38200800 | (uint32_t)(rnd() % 4) << 30 | (uint32_t)(rnd() % 4) << 22 | reg() << 16 | opt[rnd() % 4] << 13 | (uint32_t)(rnd() % 2) << 12 |
	       reg() << 5 | reg();
}
static uint32_t g_ldstp(void)
{
	static const uint32_t op[] = { 0xa9000000, 0xa9400000, 0xa8800000, 0xa8c00000, 0xa9800000, 0xa9c00000, 0xad000000,
				       0x29000000, 0x29400000, 0x69400000, 0x28c00000, 0x29800000, 0x69c00000 };
	return op[rnd() % 13] | (uint32_t)(rnd() & 0x3f) << 15 | reg() << 10 | reg() << 5 | reg();
}

/* a flag-setting form, then B.cond or CSEL reading the flags it made */
static void test_flags_then_condition(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn first[] = { g_addsub_imm, g_addsub_reg, g_ccmp, g_logic_reg, g_logic_imm, g_addsub_shift,
					g_addsub_ext };
	static const gen_fn second[] = { g_bcond, g_csel };
	native = 0;
	for (int k = 0; k < 20000; k++) {
		random_state(a, 0);
		uint32_t r1 = first[rnd() % 7]() | 3u << 29; /* ADDS/SUBS, ANDS: set the flags */
		check2(a, b, r1, second[rnd() % 2]());
	}
	assert_true(native > 5000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* blocks of 16 register forms and a branch: the register cache across them */
static void test_sequences(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn gens[] = { g_movewide, g_addsub_imm, g_addsub_reg, g_logic_imm, g_mov_reg,
				       g_adr, g_ccmp, g_csel, g_bcond, g_cbz, g_tbz, g_bitfield, g_logic_reg,
				       g_addsub_shift, g_addsub_ext, g_dp3, g_movk, g_extr };
	for (int k = 0; k < 3000; k++) {
		uint32_t r[17];
		random_state(a, 0);
		for (int j = 0; j < 16; j++)
			r[j] = gens[rnd() % 18]();
		r[16] = g_br();
		checkn(a, b, r, 17);
	}
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* SIMD&FP: LDR/STR B H S D Q (unsigned offset, pre/post-index, register
 * offset) and LDP/STP S D Q */
static uint32_t vsize(uint32_t *opc)
{
	uint32_t size = rnd() % 4;
	*opc = (uint32_t)(rnd() % 2) | (size == 0 && rnd() % 2 ? 2 : 0);
	return size;
}
static uint32_t g_vldst_uimm(void)
{
	uint32_t opc, size = vsize(&opc);
	return 0x3d000000 | size << 30 | opc << 22 | (uint32_t)(rnd() % 256) << 10 | reg() << 5 | reg();
}
static uint32_t g_vldst_prepost(void)
{
	uint32_t opc, size = vsize(&opc);
	return 0x3c000400 | size << 30 | opc << 22 | (uint32_t)(rnd() & 0x1ff) << 12 | (uint32_t)(rnd() % 2) << 11 |
	       reg() << 5 | reg();
}
static uint32_t g_vldst_regoff(void)
{
	static const uint32_t opt[] = { 2, 3, 6, 7 };
	uint32_t opc, size = vsize(&opc);
	return 0x3c200800 | size << 30 | opc << 22 | reg() << 16 | opt[rnd() % 4] << 13 | (uint32_t)(rnd() % 2) << 12 |
	       reg() << 5 | reg();
}
static uint32_t g_vldstp(void)
{
	static const uint32_t type[] = { 1, 2, 3 };
	return 0x2c000000 | (uint32_t)(rnd() % 3) << 30 | type[rnd() % 3] << 23 | (uint32_t)(rnd() % 2) << 22 |
	       (uint32_t)(rnd() & 0x3f) << 15 | reg() << 10 | reg() << 5 | reg();
}

/* LDXR/LDAXR, STXR/STLXR, LDAR, STLR of every size; the status register
 * of STXR is neither its base nor its value */
static uint32_t g_ldxr(void) { return 0x085f7c00 | (uint32_t)(rnd() % 4) << 30 | (uint32_t)(rnd() % 2) << 15 | reg() << 5 | reg(); }
static uint32_t g_ldar(void) { return 0x08dffc00 | (uint32_t)(rnd() % 4) << 30 | reg() << 5 | reg(); }
static uint32_t g_stlr(void) { return 0x089ffc00 | (uint32_t)(rnd() % 4) << 30 | reg() << 5 | reg(); }
static uint32_t stxr(uint32_t size, unsigned rn, unsigned rt)
{
	unsigned rs;
	do
		rs = reg();
	while (rs == rn || rs == rt);
	return 0x08007c00 | size << 30 | (uint32_t)(rnd() % 2) << 15 | rs << 16 | rn << 5 | rt;
}

/* The monitor: LDXR then STXR on the same address and size succeed when
 * the memory still holds what LDXR read; another size, another address,
 * no LDXR (a random monitor) or a store in between make them differ */
static void test_exclusives(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	int tried = 0;
	native = 0;
	fuzz(g_ldar, 1);
	fuzz(g_stlr, 1);
	fuzz(g_ldxr, 1);
	native = 0;
	for (int k = 0; k < 20000; k++) {
		random_state(a, 0);
		for (size_t n = 0; n < MEM / 8; n++)
			((uint64_t *)mem_init)[n] = rnd() % 4 ? rnd() : 0;
		a->x[20] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 4));
		a->x[21] = rnd() % 2 ? a->x[20] : a->x[20] + 8;
		uint32_t size = (uint32_t)(rnd() % 4), size2 = rnd() % 4 ? size : (uint32_t)(rnd() % 4);
		unsigned rt = (unsigned)rnd() % 20, rt2 = (unsigned)rnd() % 20;
		/* a monitor LDXR did not set: sometimes on this address, with
		 * the value memory holds */
		a->excl_addr = rnd() % 2 ? a->x[20] : 0;
		a->excl_size = (int)(1u << size);
		a->excl_val[0] = rnd() % 2 ? 0 : rnd();
		uint32_t r[3];
		r[0] = 0x085f7c00 | size << 30 | 20u << 5 | rt;
		switch (rnd() % 3) {
		case 0: r[1] = 0xf9000000 | 21u << 5 | 22; break; /* STR x22, [x21] */
		case 1: r[1] = g_addsub_imm() & ~31u; break; /* into x0 */
		default: r[1] = 0xd503201f; break; /* NOP */
		}
		r[2] = stxr(size2, rnd() % 4 ? 20 : 21, rt2);
		if (rnd() % 4 == 0) /* STXR alone */
			tried += check(a, b, r[2]);
		else
			tried += checkn(a, b, r, 3);
	}
	assert_true(tried > 15000);
	assert_true(native > 3000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

static void test_loads_stores(void **state)
{
	fuzz(g_ldst_uimm, 1);
	fuzz(g_ldst_prepost, 1);
	fuzz(g_ldst_regoff, 2);
	fuzz(g_ldstp, 1);
	fuzz(g_vldst_uimm, 1);
	fuzz(g_vldst_prepost, 1);
	fuzz(g_vldst_regoff, 2);
	fuzz(g_vldstp, 1);
}

/* the register field of raw moved off x20-x25 (the bases and indexes of
 * the memory sequences below) */
static uint32_t keep_bases(uint32_t raw, int field)
{
	unsigned r = (raw >> field) & 31;
	return r >= 20 && r <= 25 ? raw - (10u << field) : raw;
}

/* a flag-setting form, a form the translator emits without touching the
 * host flags (moves, LEA, loads and stores: NZCV stays there across it),
 * then B.cond or CSEL */
static uint32_t g_keeps_flags(void)
{
	switch (rnd() % 5) {
	case 0: return g_movewide();
	case 1: return g_mov_reg();
	case 2: return 0x91000000 | (uint32_t)(rnd() & 0xfff) << 10 | reg() << 5 | reg(); /* ADD Xd, Xn, #imm */
	case 3: return 0x53001c00 | (uint32_t)(rnd() & 1) << 10 | reg() << 5 | reg(); /* UXTB, UXTH */
	default: return 0x32000000 | 31u << 5 | (uint32_t)(rnd() & 0xfff) << 10 | reg(); /* MOV Wd, #bitmask */
	}
}

static void test_flags_kept_across(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn first[] = { g_addsub_imm, g_addsub_reg, g_ccmp, g_logic_reg, g_logic_imm };
	static const gen_fn second[] = { g_bcond, g_csel };
	int tried = 0;
	for (int k = 0; k < 20000; k++) {
		random_state(a, 0);
		uint32_t r[3] = { first[rnd() % 5]() | 3u << 29, g_keeps_flags(), second[rnd() % 2]() };
		tried += checkn(a, b, r, 3);
	}
	for (int k = 0; k < 4000; k++) { /* a load or a store in between */
		static const gen_fn mem_gens[] = { g_ldst_uimm, g_ldst_regoff, g_ldstp, g_vldst_uimm };
		random_state(a, 0);
		uint32_t m = (mem_gens[rnd() % 4]() & ~(31u << 5)) | 20u << 5;
		a->x[20] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64));
		if ((m & 0x3b200c00) == 0x38200800) { /* register offset: a small index */
			m = (m & ~(31u << 16)) | 21u << 16;
			a->x[21] = rnd() % 256;
		}
		uint32_t r[3] = { keep_bases(g_addsub_imm() | 3u << 29, 0), m, g_bcond() };
		tried += checkn(a, b, r, 3);
	}
	assert_true(tried > 15000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* blocks of loads, stores and register forms: the register cache across
 * accesses (bases x20-x23 point into the buffer, indexes x24 and x25 are
 * small, and nothing else writes them) */
static void test_sequences_memory(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn mem_gens[] = { g_ldst_uimm, g_ldst_prepost, g_ldst_regoff, g_ldstp, g_vldst_uimm, g_vldstp };
	static const gen_fn reg_gens[] = { g_movewide, g_addsub_imm, g_addsub_reg, g_logic_imm, g_mov_reg, g_bitfield,
					   g_logic_reg, g_addsub_shift, g_addsub_ext, g_csel, g_ccmp };
	int tried = 0;
	for (int k = 0; k < 5000; k++) {
		uint32_t r[13];
		random_state(a, 0);
		for (int n = 20; n < 24; n++)
			a->x[n] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64));
		a->x[24] = rnd() % 256;
		a->x[25] = rnd() % 256;
		for (size_t n = 0; n < MEM / 8; n++)
			((uint64_t *)mem_init)[n] = rnd();
		for (int j = 0; j < 12; j++) {
			if (rnd() % 2) {
				r[j] = mem_gens[rnd() % 6]();
				r[j] = (r[j] & ~(31u << 5)) | (20 + (uint32_t)(rnd() % 4)) << 5;
				if (r[j] & (1u << 21) && (r[j] & 0x3b000c00) == 0x38000800) /* register offset */
					r[j] = (r[j] & ~(31u << 16)) | (24 + (uint32_t)(rnd() % 2)) << 16;
				r[j] = keep_bases(r[j], 0);
				if ((r[j] & 0x3a000000) == 0x28000000) /* pairs: the second register */
					r[j] = keep_bases(r[j], 10);
			} else
				r[j] = keep_bases(reg_gens[rnd() % 11](), 0);
		}
		r[12] = g_br();
		tried += checkn(a, b, r, 13);
	}
	assert_true(tried > 1000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* A block that loops to its own start (its last two instructions SUBS
 * x19 and B.NE back, x19 a small count): the translator keeps the
 * registers it names most pinned in host registers and its back edge jumps
 * past their loads; a handler call inside (BFM, the FP forms' slow paths)
 * reloads them.  The interpreter runs the block until it leaves; the
 * translated code runs all the iterations itself (the budget is larger
 * than the count).  Returns how many times the interpreter ran it, 0 when
 * an instruction is undefined. */
static int check_loop(struct a64_cpu *a, struct a64_cpu *b, const uint32_t *raws, unsigned count)
{
	struct a64_insn in[16], run[16];
	for (unsigned j = 0; j < count; j++)
		if (a64_decode(raws[j], PC + 4 * j, &in[j]) < 0 || in[j].fn == a64_undef)
			return 0;
	a64_insn_next(&in[count], PC + 4 * count);
	for (unsigned j = 0; j < 1024; j++)
		code[j] = j < count ? raws[j] : 0x54000000; /* B.EQ: reads NZCV */

	memcpy(b, a, offsetof(struct a64_cpu, cur));
	memcpy(mem, mem_init, MEM);
	int iterations = 0;
	a->pc = PC;
	a64_fpsr_write(a, a->fpsr);
	while (a->pc == PC && iterations++ < 10) {
		memcpy(run, in, sizeof(run));
		run[0].fn(a, run);
	}
	memcpy(mem_interp, mem, MEM);
	memcpy(mem, mem_init, MEM);
	a64_jit_reset(b);
	struct a64_block *blk = a64_jit_block(b, PC, in, count + 1);
	assert_non_null(blk);
	b->budget = 100;
	a64_fpsr_write(b, b->fpsr);
	a64_jit_run(b, blk, 0);
	int bad = a->pc != b->pc || a->nzcv != b->nzcv || memcmp(mem, mem_interp, MEM) != 0;
	for (int r = 0; r < 32; r++)
		bad |= a->x[r] != b->x[r] || memcmp(&a->v[r], &b->v[r], 16) != 0;
	if (bad) {
		print_error("loop of %u, %d iterations: pc interp %#llx jit %#llx\n", count, iterations,
			    (unsigned long long)a->pc, (unsigned long long)b->pc);
		for (int r = 0; r < 32; r++)
			if (a->x[r] != b->x[r])
				print_error("  x%d interp %#llx jit %#llx\n", r, (unsigned long long)a->x[r],
					    (unsigned long long)b->x[r]);
			else if (memcmp(&a->v[r], &b->v[r], 16) != 0)
				print_error("  v%d differs\n", r);
		if (a->nzcv != b->nzcv)
			print_error("  nzcv interp %#x jit %#x\n", a->nzcv, b->nzcv);
		if (memcmp(mem, mem_interp, MEM) != 0)
			print_error("  memory differs\n");
		for (unsigned j = 0; j < count; j++)
			print_error("  insn %u: %08x\n", j, raws[j]);
		fail();
	}
	return iterations;
}

static uint32_t g_fp2(void);
static void test_loops(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	static const gen_fn reg_gens[] = { g_movewide, g_addsub_imm, g_addsub_reg, g_logic_imm, g_mov_reg, g_bitfield,
					   g_logic_reg, g_addsub_shift, g_csel, g_ccmp, g_dp3, g_adc, g_fp2, g_cbz };
	static const gen_fn mem_gens[] = { g_ldst_uimm, g_ldst_regoff, g_ldstp };
	int looped = 0;

	/* the back edge stores NZCV: the block's first instruction, a CBNZ
	 * taken on the second time round, leaves for code that reads it
	 * (though the SUBS after the CBNZ would overwrite it) */
	static const uint32_t cbnz_first[] = { 0x3500080e, 0xeb11020e, 0xf1000673, 0x54ffffa1 }; /* CBNZ w14; SUBS x14, x16, x17 */
	random_state(a, 0);
	a->x[14] = 0;
	a->x[16] = 3;
	a->x[17] = 5;
	a->x[19] = 2;
	a->nzcv = 0xf0000000;
	assert_int_equal(check_loop(a, b, cbnz_first, 4), 2);

	for (int k = 0; k < 3000; k++) {
		uint32_t raws[14];
		random_state(a, 0);
		for (int r = 20; r < 24; r++)
			a->x[r] = (uint64_t)(uintptr_t)(mem + MEM / 2 + 8 * (rnd() % 64));
		a->x[24] = rnd() % 256;
		a->x[19] = 2 + rnd() % 4;
		for (size_t r = 0; r < MEM / 8; r++)
			((uint64_t *)mem_init)[r] = rnd();
		unsigned body = 2 + (unsigned)(rnd() % 10);
		for (unsigned j = 0; j < body; j++) {
			uint32_t r;
			if (rnd() % 3 == 0) { /* a load or a store off x20-x23 (index x24) */
				r = (mem_gens[rnd() % 3]() & ~(31u << 5)) | (20 + (uint32_t)(rnd() % 4)) << 5;
				if ((r & 0x3b200c00) == 0x38200800)
					r = (r & ~(31u << 16)) | 24u << 16;
				if ((r & 0x3a000000) == 0x28000000) { /* pairs: the second register too */
					r = keep_bases(r, 10);
					if (((r >> 10) & 31) == 19)
						r ^= 1u << 10;
				}
			} else {
				r = reg_gens[rnd() % 14]();
				if ((r & 0x7e000000) == 0x34000000) /* CBZ: out of the block, forward */
					r = (r & ~(0x7ffffu << 5)) | 64u << 5;
			}
			r = keep_bases(r, 0);
			if ((r & 31) == 19) /* the count is the loop's own */
				r ^= 1;
			raws[j] = r;
		}
		raws[body] = 0xf1000673; /* SUBS x19, x19, #1 */
		raws[body + 1] = 0x54000001 | (uint32_t)((-(int)(body + 1)) & 0x7ffff) << 5; /* B.NE PC */
		looped += check_loop(a, b, raws, body + 2) > 1;
	}
	assert_true(looped > 1000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* Scalar floating point: FADD FSUB FMUL FDIV (and the other two-source
 * forms), the one-source forms, SCVTF/UCVTF, FMOV to and from general
 * registers; on values that find NaN, tininess and rounding differences,
 * under random rounding modes, FZ and DN */
static uint64_t fp_value(int dbl)
{
	/* ... and the edges of the integer conversions: +-2^31, 2^32, 2^63,
	 * 2^64, -1, -0.5, 2^32 - 0.5, the largest below 2^63, just below the
	 * smallest normal single */
	static const uint64_t d[] = { 0, 1ull << 63, 0x3ff0000000000000ull, 0x0010000000000000ull, 1, 0x000fffffffffffffull,
				      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
				      0x7ff0000000000001ull, 0xfff4000000000123ull, 0x2000000000000000ull,
				      0xa000000000000000ull, 0x1ff0000000000000ull, 0x4000000000000000ull, 0x3fe8000000000000ull,
				      0x41e0000000000000ull, 0xc1e0000000000000ull, 0x41f0000000000000ull, 0x43e0000000000000ull,
				      0x43f0000000000000ull, 0xbff0000000000000ull, 0xbfe0000000000000ull, 0x41efffffffff0000ull,
				      0x43dfffffffffffffull, 0x380fffffffffffffull, 0xc3e0000000000000ull, 0x41dfffffffc00000ull };
	static const uint32_t f[] = { 0, 1u << 31, 0x3f800000, 0x00800000, 1, 0x007fffff, 0x7f800000, 0xff800000, 0x7fc00000,
				      0x7f800001, 0xffa00123, 0x20000000, 0xa0000000, 0x1f800000, 0x40000000, 0x3f400000,
				      0x4f000000, 0xcf000000, 0x4f800000, 0x5f000000, 0x5f800000, 0xbf800000, 0xbf000000,
				      0x4f7fffff, 0x5effffff, 0xdf000000, 0x4effffff, 0x3effffff };
	uint64_t hi = rnd() << 32;
	switch (rnd() % 3) {
	case 0: return dbl ? d[rnd() % (sizeof(d) / sizeof(d[0]))] : hi | f[rnd() % (sizeof(f) / sizeof(f[0]))];
	case 1: return dbl ? (rnd() & 0x800fffffffffffffull) | (0x3f0ull + rnd() % 32) << 52 : hi | (uint32_t)(rnd() & 0x807fffff) | (0x70u + (uint32_t)(rnd() % 32)) << 23;
	default: return rnd();
	}
}

static uint32_t g_fp2(void) { return 0x1e200800 | (uint32_t)(rnd() % 2) << 22 | reg() << 16 | (uint32_t)(rnd() % 9) << 12 | reg() << 5 | reg(); }
static uint32_t g_fp1(void)
{
	static const uint32_t opc[] = { 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 14, 15 };
	return 0x1e204000 | (uint32_t)(rnd() % 2) << 22 | opc[rnd() % 13] << 15 | reg() << 5 | reg();
}
/* FMADD FMSUB FNMADD FNMSUB */
static uint32_t g_fma(void) { return 0x1f000000 | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 2) << 21 | reg() << 16 | (uint32_t)(rnd() % 2) << 15 | reg() << 10 | reg() << 5 | reg(); }
/* FCMP, FCMPE, with a register or zero */
static uint32_t g_fcmp(void) { return 0x1e202000 | (uint32_t)(rnd() % 2) << 22 | reg() << 16 | (uint32_t)(rnd() % 4) << 3 | reg() << 5; }
/* FCVTZS, FCVTZU (and now and then the other roundings, which the handler does) */
static uint32_t g_f2i(void) { return 0x1e200000 | (uint32_t)(rnd() % 2) << 31 | (uint32_t)(rnd() % 2) << 22 | (rnd() % 4 ? 3u : (uint32_t)(rnd() % 3)) << 19 | (uint32_t)(rnd() % 2) << 16 | reg() << 5 | reg(); }
static uint32_t g_fmov_imm(void) { return 0x1e201000 | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() & 0xff) << 13 | reg(); }
static uint32_t g_i2f(void) { return 0x1e220000 | (uint32_t)(rnd() % 2) << 31 | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 2) << 16 | reg() << 5 | reg(); }
static uint32_t g_fmov_gen(void)
{
	static const uint32_t op[] = { 0x1e260000, 0x1e270000, 0x9e660000, 0x9e670000, 0x9eae0000, 0x9eaf0000 }; /* and D[1] */
	return op[rnd() % 6] | reg() << 5 | reg();
}

static void test_fp_scalar(void **state)
{
	static const gen_fn gens[] = { g_fp2, g_fp1, g_i2f, g_fmov_gen, g_fma, g_fcmp, g_f2i, g_fmov_imm };
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	int tried = 0;
	native = 0;
	for (int k = 0; k < 60000; k++) {
		random_state(a, 0);
		uint32_t raw = gens[k % 8]();
		int dbl = (raw >> 22) & 1;
		for (int v = 0; v < 32; v++)
			a->v[v].d[0] = fp_value(dbl);
		uint32_t fpcr = (uint32_t)(rnd() % 4) << 22; /* the rounding mode */
		if (rnd() % 4 == 0)
			fpcr |= 1u << 24; /* FZ */
		if (rnd() % 4 == 0)
			fpcr |= 1u << 25; /* DN */
		a64_fpcr_write(a, fpcr);
		if (raw >> 24 == 0x1e && (raw & 0x3c00) == 0x2000 && rnd() % 2) { /* FCMP: then a condition */
			static const gen_fn second[] = { g_bcond, g_csel };
			tried += check2(a, b, raw, second[rnd() % 2]());
		} else
			tried += check(a, b, raw);
	}
	/* a product that rounds up to the smallest normal: tiny on ARM only */
	for (int k = 0; k < 200; k++) {
		int dbl = k % 2;
		random_state(a, 0);
		a->v[1].d[0] = dbl ? 0x3fefffffffffffffull : 0x3f7fffff;
		a->v[2].d[0] = dbl ? 0x0010000000000000ull : 0x00800000;
		a64_fpcr_write(a, (uint32_t)(k / 2 % 4) << 22);
		tried += check(a, b, 0x1e220820 | (uint32_t)dbl << 22); /* FMUL d0, d1, d2 */
		a->v[3].d[0] = 0;
		tried += check(a, b, 0x1f020c20 | (uint32_t)dbl << 22); /* FMADD d0, d1, d2, d3 */
		a->v[1].d[0] = 0x380fffffffffffffull;
		tried += check(a, b, 0x1e624020); /* FCVT s0, d1: to the smallest normal single */
	}
	a64_fpcr_write(a, 0);
	assert_true(tried > 50000);
	assert_true(native > 40000);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

/* Advanced SIMD: the vector forms glibc's string functions use (three-same
 * byte compares, pairwise max/min/add, bitwise selects, compares with
 * zero, SHRN/XTN, DUP/INS/UMOV/SMOV, MOVI...) and their neighbours in each
 * family (other sizes, scalar forms, the handler's), on vectors whose
 * lanes are often equal, zero or at the signed and unsigned edges */
static uint32_t q_bit(void) { return (uint32_t)(rnd() & 1) << 30; }
static uint32_t g_3same(void)
{
	static const uint32_t opc[] = { 0x03, 0x06, 0x07, 0x0c, 0x0d, 0x10, 0x11, 0x14, 0x15, 0x17, 0x00, 0x01 };
	return 0x0e200400 | q_bit() | (uint32_t)(rnd() & 1) << 29 | (uint32_t)(rnd() % 4) << 22 | reg() << 16 |
	       opc[rnd() % 12] << 11 | reg() << 5 | reg();
}
static uint32_t g_3same_scalar(void)
{
	static const uint32_t opc[] = { 0x06, 0x10, 0x11, 0x01 };
	return 0x5e200400 | (uint32_t)(rnd() & 1) << 29 | (uint32_t)(rnd() % 4) << 22 | reg() << 16 | opc[rnd() % 4] << 11 |
	       reg() << 5 | reg();
}
static uint32_t g_2misc(void)
{
	static const uint32_t opc[] = { 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x12, 0x14, 0x00 };
	uint32_t scalar = rnd() % 4 == 0 ? 0x50000000 : 0;
	return 0x0e200800 | scalar | q_bit() | (uint32_t)(rnd() & 1) << 29 | (uint32_t)(rnd() % 4) << 22 |
	       opc[rnd() % 8] << 12 | reg() << 5 | reg();
}
static uint32_t g_shimm(void)
{
	/* SSHR/USHR, SHL/SLI, SHRN (twice), SSHLL/USHLL (SXTL/UXTL at shift 0), SSRA/USRA */
	static const uint32_t opc[] = { 0x00, 0x0a, 0x10, 0x10, 0x14, 0x02 };
	uint32_t scalar = rnd() % 5 == 0 ? 0x50000000 : 0;
	return 0x0f000400 | scalar | q_bit() | (uint32_t)(rnd() & 1) << 29 | (uint32_t)(1 + rnd() % 15) << 19 |
	       (uint32_t)(rnd() % 8) << 16 | opc[rnd() % 6] << 11 | reg() << 5 | reg();
}
static uint32_t g_copy(void)
{
	static const uint32_t imm4[] = { 0, 1, 3, 5, 7 };
	if (rnd() % 8 == 0) /* INS from an element; DUP scalar */
		return (rnd() % 2 ? 0x6e000400 | (uint32_t)(rnd() % 16) << 11 : 0x5e000400) | (uint32_t)(1 + rnd() % 31) << 16 |
		       reg() << 5 | reg();
	return 0x0e000400 | q_bit() | (uint32_t)(1 + rnd() % 31) << 16 | imm4[rnd() % 5] << 11 | reg() << 5 | reg();
}
static uint32_t g_modimm(void)
{
	return 0x0f000400 | q_bit() | (uint32_t)(rnd() & 1) << 29 | (uint32_t)(rnd() % 8) << 16 | (uint32_t)(rnd() % 16) << 12 |
	       (uint32_t)(rnd() % 32) << 5 | reg();
}
/* LD1/ST1 of one or two registers: no writeback, post-index by the size
 * (as LDR/STR and LDP/STP of Q or D), by a register (the handler) */
static uint32_t g_ld1(void)
{
	static const uint32_t post[] = { 0, 0x009f0000, 0x00800000 };
	uint32_t p = post[rnd() % 3];
	return 0x0c000000 | p | (p == 0x00800000 ? reg() << 16 : 0) | q_bit() | (uint32_t)(rnd() & 1) << 22 |
	       (rnd() % 2 ? 0x7000u : 0xa000u) | reg() << 5 | reg();
}

/* DC ZVA: 64 zero bytes at the register rounded down to 64, alone and
 * between a compare and the condition that reads it */
static void test_dc_zva(void **state)
{
	struct a64_cpu *a = a64_cpu_new(), *b = jit_cpu();
	int tried = 0;
	native = 0;
	for (int k = 0; k < 2000; k++) {
		random_state(a, 0);
		for (size_t j = 0; j < MEM / 8; j++)
			((uint64_t *)mem_init)[j] = rnd();
		unsigned rt = reg() % 31;
		a->x[rt] = (uint64_t)(uintptr_t)(mem + MEM / 2 + rnd() % 4096);
		uint32_t zva = 0xd50b7420 | rt;
		if (k % 2)
			tried += check(a, b, zva);
		else {
			uint32_t r[3] = { g_addsub_imm() | 1u << 29 | 31, zva, g_csel() }; /* CMP or CMN: rt stays */
			tried += checkn(a, b, r, 3);
		}
	}
	assert_true(tried > 1500);
	assert_true(native > 500);
	a64_jit_free(b->jit);
	free(a);
	free(b);
}

static void test_simd(void **state)
{
	fuzz(g_3same, 0);
	fuzz(g_3same_scalar, 0);
	fuzz(g_2misc, 0);
	fuzz(g_shimm, 0);
	fuzz(g_copy, 0);
	fuzz(g_modimm, 0);
	fuzz(g_ld1, 1);
}

int main(void)
{
	const char *s = getenv("MEW_TEST_SEED"); /* another sequence of random cases */
	if (s != NULL && strtoull(s, NULL, 0) != 0)
		seed = strtoull(s, NULL, 0);
	mem = aligned_alloc(4096, MEM);
	code = mmap((void *)PC, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (code != (void *)PC)
		return 1;
	mem_init = malloc(MEM);
	mem_interp = malloc(MEM);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_and_arith),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_divide_edges),
		cmocka_unit_test(test_flags_ccmp_csel),
		cmocka_unit_test(test_branches),
		cmocka_unit_test(test_flags_then_condition),
		cmocka_unit_test(test_flags_kept_across),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_loads_stores),
		cmocka_unit_test(test_exclusives),
		cmocka_unit_test(test_sequences_memory),
		cmocka_unit_test(test_fp_scalar),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_simd),
		cmocka_unit_test(test_dc_zva),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
