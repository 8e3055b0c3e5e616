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
#define S_ADDR(i) ((uintptr_t)(SX((i)->rn) + (i)->imm))

static inline void s_const(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = i->imm; }
static inline void s_mov_reg(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rm) & i->imm2; }
static inline void s_add_imm64(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rn) + i->imm; }
static inline void s_add_imm32(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = (uint32_t)(SX(i->rn) + i->imm); }
static inline void s_and_imm(struct a64_cpu *c, const struct a64_insn *i) { SX(i->rd) = SX(i->rn) & i->imm; }
/* memory: c->cur names the instruction a fault is charged to */
static inline void s_ldb_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; SX(i->rd) = *(uint8_t *)S_ADDR(i); }
static inline void s_ldw_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; SX(i->rd) = *(a64_u32u *)S_ADDR(i); }
static inline void s_ldx_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; SX(i->rd) = *(a64_u64u *)S_ADDR(i); }
static inline void s_stb_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; *(uint8_t *)S_ADDR(i) = (uint8_t)SX(i->rd); }
static inline void s_stw_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; *(a64_u32u *)S_ADDR(i) = (uint32_t)SX(i->rd); }
static inline void s_stx_off(struct a64_cpu *c, const struct a64_insn *i) { c->cur = i; *(a64_u64u *)S_ADDR(i) = SX(i->rd); }
static inline void s_ldb_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	SX(i->rd) = *(uint8_t *)(uintptr_t)(SX(i->rn) + (SX(i->rm) << i->sh));
}
static inline void s_ldp_x_off(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uintptr_t a = S_ADDR(i);
	uint64_t v1 = *(a64_u64u *)a, v2 = *(a64_u64u *)(a + 8);
	SX(i->rd) = v1;
	SX(i->ra) = v2;
}
static inline void s_stp_x_off(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uintptr_t a = S_ADDR(i);
	*(a64_u64u *)a = SX(i->rd);
	*(a64_u64u *)(a + 8) = SX(i->ra);
}

#undef S_ADDR
#undef SX

/* The forms, for X-macros (fuse.c keeps a second copy of the list: a macro
 * cannot expand itself, and pairs need two nested lists). */
#define A64_SIMPLE(M)                                                                      \
	M(const) M(mov_reg) M(add_imm64) M(add_imm32) M(and_imm) M(ldb_off) M(ldw_off)      \
	M(ldx_off) M(stb_off) M(stw_off) M(stx_off) M(ldb_reg) M(ldp_x_off) M(stp_x_off)

#define A64_SIMPLE_KIND(name) A64_K_##name,
enum { A64_K_NONE = -1, A64_SIMPLE(A64_SIMPLE_KIND) A64_K_COUNT };
#undef A64_SIMPLE_KIND

/* The handler of a simple form: the operation, then the next instruction. */
#define A64_SIMPLE_HANDLER(name)                                             \
	static int h_##name(struct a64_cpu *c, const struct a64_insn *i)    \
	{                                                                    \
		s_##name(c, i);                                              \
		return A64_NEXT;                                             \
	}

/* Which simple form a handler is (int.c and mem.c know their own), or
 * A64_K_NONE; the pair handler for two of them (fuse.c). */
int a64_int_kind(a64_fn fn);
int a64_mem_kind(a64_fn fn);
a64_fn a64_pair(int first, int second);

#endif
