/* The simplest and most frequent instruction forms, as inline operations:
 * their handlers (int.c, mem.c) and the pair superinstructions (fuse.c)
 * are built from the same code. */
#ifndef MEW_A64_SIMPLE_H
#define MEW_A64_SIMPLE_H

#include "a64/cpu.h"

typedef uint16_t __attribute__((aligned(1), may_alias)) a64_u16u;
typedef uint32_t __attribute__((aligned(1), may_alias)) a64_u32u;
typedef uint64_t __attribute__((aligned(1), may_alias)) a64_u64u;

#define SX(r) (c->x[r])

/* c->cur names the instruction a fault is charged to.  In a pair, the
 * first instruction's store to it would be dead to the compiler (the second
 * overwrites it; a fault is invisible to C): the barriers keep it, and keep
 * each guest access between its own instruction's store and the next. */
#define A64_AT(c, i)                                   \
	do {                                           \
		__asm__ volatile("" ::: "memory");     \
		(c)->cur = (i);                        \
		__asm__ volatile("" ::: "memory");     \
	} while (0)
#define S_ADDR(i) ((uintptr_t)(SX((i)->rn) + (i)->imm))

static inline void s_const(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = i->imm; }
static inline void s_mov_reg(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rm) & i->imm2; }
static inline void s_add_imm64(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rn) + i->imm; }
static inline void s_add_imm32(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = (uint32_t)(SX(i->rn) + i->imm); }
static inline void s_and_imm(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rn) & i->imm; }
static inline void s_adds_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	/* ADDS/SUBS: imm2 is the carry-in (1 for SUB, whose imm is inverted) */
	SX(i->rd) = a64_add_flags(c, SX(i->rn), i->imm, i->imm2, i->sf);
}
static inline void s_adds_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	/* without shift: imm = ~0 to invert for SUB */
	SX(i->rd) = a64_add_flags(c, SX(i->rn), SX(i->rm) ^ i->imm, i->imm & 1, i->sf);
}
static inline void s_ccmp(struct a64_cpu *c, const struct a64_insn *i)
{
	if (!a64_cond(c, i->cond)) {
		c->nzcv = i->imm2 << 28;
		return;
	}
	uint64_t b = i->sh ? i->imm : SX(i->rm);
	if (i->op)
		a64_add_flags(c, SX(i->rn), ~b, 1, i->sf);
	else
		a64_add_flags(c, SX(i->rn), b, 0, i->sf);
}
/* CSEL family: op 0 CSEL 1 CSINC 2 CSINV 3 CSNEG */
static inline void s_csel(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t r;
	if (a64_cond(c, i->cond))
		r = SX(i->rn);
	else {
		r = SX(i->rm);
		switch (i->op) {
		case 1: r += 1; break;
		case 2: r = ~r; break;
		case 3: r = -r; break;
		}
	}
	SX(i->rd) = i->sf ? r : (uint32_t)r;
}
/* a BL the decoder went on through: only the link */
static inline void s_bl_link(struct a64_cpu *c, const struct a64_insn *i) { SX(30) = i->pc + 4; }
/* memory: A64_AT first */
static inline void s_ldb_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); SX(i->rd) = *(uint8_t *)S_ADDR(i); }
static inline void s_ldw_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); SX(i->rd) = *(a64_u32u *)S_ADDR(i); }
static inline void s_ldx_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); SX(i->rd) = *(a64_u64u *)S_ADDR(i); }
static inline void s_stb_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); *(uint8_t *)S_ADDR(i) = (uint8_t)SX(i->rd); }
static inline void s_stw_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); *(a64_u32u *)S_ADDR(i) = (uint32_t)SX(i->rd); }
static inline void s_stx_off(struct a64_cpu *c, const struct a64_insn *i) { A64_AT(c, i); *(a64_u64u *)S_ADDR(i) = SX(i->rd); }
static inline void s_ldb_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	SX(i->rd) = *(uint8_t *)(uintptr_t)(SX(i->rn) + (SX(i->rm) << i->sh));
}
/* register offset with a 32-bit index (UXTW; the table stores of strspn) */
static inline void s_stb_uxtw(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	*(uint8_t *)(uintptr_t)(SX(i->rn) + ((uint64_t)(uint32_t)SX(i->rm) << i->sh)) = (uint8_t)SX(i->rd);
}
static inline void s_ldb_uxtw(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	SX(i->rd) = *(uint8_t *)(uintptr_t)(SX(i->rn) + ((uint64_t)(uint32_t)SX(i->rm) << i->sh));
}
/* STP Qt1, Qt2, [Xn, #imm] (memset's and table clearing's stores) */
static inline void s_vstp_q_off(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uintptr_t a = S_ADDR(i);
	__builtin_memcpy((void *)a, &c->v[i->rd], 16);
	__builtin_memcpy((void *)(a + 16), &c->v[i->ra], 16);
}
static inline void s_ldp_x_off(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uintptr_t a = S_ADDR(i);
	uint64_t v1 = *(a64_u64u *)a, v2 = *(a64_u64u *)(a + 8);
	SX(i->rd) = v1;
	SX(i->ra) = v2;
}
static inline void s_stp_x_off(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uintptr_t a = S_ADDR(i);
	*(a64_u64u *)a = SX(i->rd);
	*(a64_u64u *)(a + 8) = SX(i->ra);
}

static inline void s_add_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	SX(i->rd) = (SX(i->rn) + (SX(i->rm) << i->sh)) & i->imm2;
}
static inline void s_sub_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	SX(i->rd) = (SX(i->rn) - (SX(i->rm) << i->sh)) & i->imm2;
}
/* pre/post index: the base is written after the data of a load (decode
 * keeps the general form when they are the same register) */
static inline void s_ldb_post(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t b = SX(i->rn), v = *(uint8_t *)(uintptr_t)b;
	SX(i->rn) = b + i->imm;
	SX(i->rd) = v;
}
static inline void s_ldx_post(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t b = SX(i->rn), v = *(a64_u64u *)(uintptr_t)b;
	SX(i->rn) = b + i->imm;
	SX(i->rd) = v;
}
static inline void s_stb_post(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t b = SX(i->rn);
	*(uint8_t *)(uintptr_t)b = (uint8_t)SX(i->rd);
	SX(i->rn) = b + i->imm;
}
static inline void s_stb_pre(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t b = SX(i->rn) + i->imm;
	*(uint8_t *)(uintptr_t)b = (uint8_t)SX(i->rd);
	SX(i->rn) = b;
}
static inline void s_stx_pre(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t b = SX(i->rn) + i->imm;
	*(a64_u64u *)(uintptr_t)b = SX(i->rd);
	SX(i->rn) = b;
}
static inline void s_ldp_x_post(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t a = SX(i->rn);
	uint64_t v1 = *(a64_u64u *)(uintptr_t)a, v2 = *(a64_u64u *)(uintptr_t)(a + 8);
	SX(i->rn) = a + i->imm;
	SX(i->rd) = v1;
	SX(i->ra) = v2;
}
static inline void s_stp_x_pre(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_AT(c, i);
	uint64_t a = SX(i->rn) + i->imm;
	*(a64_u64u *)(uintptr_t)a = SX(i->rd);
	*(a64_u64u *)(uintptr_t)(a + 8) = SX(i->ra);
	SX(i->rn) = a;
}

/* Branches that may end a pair: they return like handlers. */

/* Conditional: not taken, execution goes on with the next instruction;
 * taken, it chains to the target's block. */
static inline int a64_go(struct a64_cpu *c, const struct a64_insn *i, int taken)
{
	if (taken) {
		A64_CHAIN(c, i, i->l0);
		c->pc = i->imm;
		return 0;
	}
	return A64_NEXT;
}
static inline int t_cbz(struct a64_cpu *c, const struct a64_insn *i)
{
	return a64_go(c, i, ((SX(i->rn) & i->imm2) == 0) != i->op);
}
static inline int t_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return a64_go(c, i, a64_cond(c, i->cond));
}
/* Indirect branches keep a one-entry cache, the last target and its block;
 * on a miss they look the target up themselves and chain to it. */
static inline int a64_indirect(struct a64_cpu *c, const struct a64_insn *i, uint64_t t)
{
	if (__builtin_expect(t != i->imm, 0)) {
		struct a64_block *b = a64_lookup(c, t);
		if (b == NULL) {
			c->last = (struct a64_insn *)i;
			c->pc = t;
			return 0;
		}
		((struct a64_insn *)i)->imm = t;
		((struct a64_insn *)i)->l0 = b;
	}
	A64_CHAIN(c, i, i->l0);
	c->pc = t;
	return 0;
}
static inline int t_br(struct a64_cpu *c, const struct a64_insn *i)
{
	return a64_indirect(c, i, SX(i->rn));
}
static inline int t_tbz(struct a64_cpu *c, const struct a64_insn *i)
{
	return a64_go(c, i, ((SX(i->rn) >> i->sh) & 1) == i->op);
}
/* CMP/CMN/TST + B.cond, fused at decode time (the B.cond stays at i + 1:
 * its target and link are used) */
static inline int t_cmpi_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	a64_add_flags(c, SX(i->rn), i->imm, i->imm2, i->sf);
	return a64_go(c, i + 1, a64_cond(c, i[1].cond));
}
static inline int t_cmpr_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	a64_add_flags(c, SX(i->rn), SX(i->rm) ^ i->imm, i->imm & 1, i->sf);
	return a64_go(c, i + 1, a64_cond(c, i[1].cond));
}
static inline int t_tsti_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t r = SX(i->rn) & i->imm;
	if (!i->sf)
		r <<= 32;
	c->nzcv = (uint32_t)((r >> 63) << 31) | (r == 0 ? A64_Z : 0);
	return a64_go(c, i + 1, a64_cond(c, i[1].cond));
}

/* Conditional branches that may begin a pair: whether taken (then the
 * pair leaves through a64_jump), else the second instruction runs. */
static inline int a64_jump(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_CHAIN(c, i, i->l0);
	c->pc = i->imm;
	return 0;
}
static inline int taken_cbz(struct a64_cpu *c, const struct a64_insn *i)
{
	return ((SX(i->rn) & i->imm2) == 0) != i->op;
}
static inline int taken_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return a64_cond(c, i->cond);
}

#undef S_ADDR
#undef SX

/* The forms, for X-macros (fuse.c keeps a second copy of the list: a macro
 * cannot expand itself, and pairs need two nested lists). */
#define A64_SIMPLE(M)                                                                      \
	M(const) M(mov_reg) M(add_imm64) M(add_imm32) M(and_imm) M(add_reg) M(sub_reg)      \
	M(ldb_off) M(ldw_off) M(ldx_off) M(stb_off) M(stw_off) M(stx_off) M(ldb_reg)        \
	M(ldp_x_off) M(stp_x_off) M(ldb_post) M(ldx_post) M(stb_post) M(stb_pre) M(stx_pre) \
	M(ldp_x_post) M(stp_x_pre) M(stb_uxtw) M(ldb_uxtw) M(vstp_q_off) M(adds_imm)        \
	M(adds_reg) M(ccmp) M(csel) M(bl_link)
/* the branches a pair may end with (cmp*_bcond: the fused CMP + B.cond) */
#define A64_TAILS(M) M(cbz) M(bcond) M(br) M(tbz) M(cmpi_bcond) M(cmpr_bcond) M(tsti_bcond)
/* and those it may begin with */
#define A64_HEADS(M) M(cbz) M(bcond)

#define A64_SIMPLE_KIND(name) A64_K_##name,
enum { A64_K_NONE = -1, A64_SIMPLE(A64_SIMPLE_KIND) A64_K_COUNT };
#undef A64_SIMPLE_KIND
#define A64_TAIL_KIND(name) A64_T_##name,
enum { A64_T_FIRST = A64_K_COUNT - 1, A64_TAILS(A64_TAIL_KIND) A64_KT_COUNT };
#undef A64_TAIL_KIND
#define A64_HEAD_KIND(name) A64_H_##name,
enum { A64_H_FIRST = A64_K_COUNT - 1, A64_HEADS(A64_HEAD_KIND) A64_KH_COUNT };
#undef A64_HEAD_KIND

#define A64_SIMPLE_HANDLER(name)                                             \
	static int h_##name(struct a64_cpu *c, const struct a64_insn *i)    \
	{                                                                    \
		s_##name(c, i);                                              \
		return A64_NEXT;                                             \
	}

/* Which simple form a handler is (int.c and mem.c know their own), or
 * A64_K_NONE; the pair handler (fuse.c) for a first instruction (a simple
 * form, or A64_H_* for a branch) and a second one (a simple form, or
 * A64_T_* for a branch), or NULL. */
int a64_int_kind(a64_fn fn);
int a64_mem_kind(a64_fn fn);

/* The other integer loads and stores (mem.c), for the translator: the
 * address as ea() computes it (mode in op: offset, pre, post, register
 * with extend in cond, literal), a register offset without extend, the
 * pre/post-index forms of LOAD_IDX/STORE_IDX, and LDP/STP (sf 4, 5 for
 * LDPSW, 8; address as ea()); the SIMD&FP single loads and stores and
 * pairs (vec; pairs' size in sf, 16 for the Q pair) address as ea() too. */
enum { A64_LS_EA, A64_LS_REG, A64_LS_PRE, A64_LS_POST, A64_LS_PAIR };
enum { A64_M_OFF, A64_M_PRE, A64_M_POST, A64_M_REG, A64_M_LIT }; /* = mem.c's M_* */
struct a64_mem_shape {
	int how;
	int size;  /* bytes */
	int sign;  /* 0, or the width a signed load extends to (64, 32) */
	int store;
	int vec;   /* a SIMD&FP register (rd, ra: vector numbers); a load zeroes the rest */
};
int a64_mem_shape(a64_fn fn, struct a64_mem_shape *m);

/* The exclusives and acquire/release forms (mem.c), for the translator:
 * LDXR/LDAXR (sf bytes, rd, rn: the monitor's address, size and value in
 * struct a64_cpu), STXR/STLXR (rm the status), LDAR, STLR. */
enum { A64_X_NONE, A64_X_LDXR, A64_X_STXR, A64_X_LDAR, A64_X_STLR };
int a64_excl_form(a64_fn fn);

/* The other integer forms the translator emits (int.c), operands as their
 * handlers read them: ORR/EOR/ANDS immediate (imm, imm2 = mask), MOVK,
 * bitfield moves (sh = immr, op = imms; LSL: sh = shift; LSR: sh), EXTR
 * (sh = lsb), logical shifted register (op: AND ORR EOR ANDS; cond = shift
 * type, sh = amount, imm = invert), add/sub shifted (op bit0 sub, bit1
 * flags) and extended (cond = option, sh = shift) register, 3-source
 * multiplies (op as h_dp3; h_madd64 is op 0), 2-source (op as h_dp2: 2
 * UDIV 3 SDIV 8 LSLV 9 LSRV 10 ASRV 11 RORV) and 1-source (op as h_dp1: 2
 * REV32/REV 3 REV64...), ADC/SBC (op bit0 SBC, bit1 flags), BFM (BFI,
 * BFXIL: sh = the rotation, imm and imm2 the masks as h_bfm's). */
enum { A64_I_NONE, A64_I_ORR_IMM, A64_I_EOR_IMM, A64_I_ANDS_IMM, A64_I_MOVK, A64_I_UBFM, A64_I_LSL_IMM,
       A64_I_LSR_IMM, A64_I_SBFM, A64_I_EXTR, A64_I_LOGIC_REG, A64_I_ADDSUB_SREG, A64_I_ADDSUB_EREG, A64_I_DP3,
       A64_I_DP2, A64_I_DP1, A64_I_ADC, A64_I_BFM };
int a64_int_form(a64_fn fn);
a64_fn a64_pair(int first, int second);

#endif
