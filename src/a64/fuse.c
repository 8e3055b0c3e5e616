/* Pair superinstructions: two adjacent instructions, a simple form or a
 * conditional branch (not taken: the next one runs) then a simple form or
 * a branch (simple.h), run by one handler: one dispatch instead of two.
 * The decode-time peephole (a64_peephole in branch.c) gives the first
 * instruction the pair's handler; the second keeps its own (a block is
 * only entered at its first instruction, and a pair goes on with the
 * third). */
#include "a64/simple.h"

#define PAIR(a, b)                                                                 \
	static int p_##a##__##b(struct a64_cpu *c, const struct a64_insn *i)      \
	{                                                                          \
		s_##a(c, i);                                                       \
		s_##b(c, i + 1);                                                   \
		return i[2].fn(c, i + 2);                                          \
	}
#define TAIL(a, t)                                                                 \
	static int p_##a##__##t(struct a64_cpu *c, const struct a64_insn *i)      \
	{                                                                          \
		s_##a(c, i);                                                       \
		return t_##t(c, i + 1);                                            \
	}
#define HEAD(h, b)                                                                 \
	static int p_##h##__##b(struct a64_cpu *c, const struct a64_insn *i)      \
	{                                                                          \
		if (taken_##h(c, i))                                               \
			return a64_jump(c, i);                                     \
		s_##b(c, i + 1);                                                   \
		return i[2].fn(c, i + 2);                                          \
	}
#define HEADTAIL(h, t)                                                             \
	static int p_##h##__##t(struct a64_cpu *c, const struct a64_insn *i)      \
	{                                                                          \
		if (taken_##h(c, i))                                               \
			return a64_jump(c, i);                                     \
		return t_##t(c, i + 1);                                            \
	}
/* the second list: A64_SIMPLE and A64_TAILS again, with the first form as
 * a parameter (a macro cannot expand itself inside its own expansion) */
#define SECOND(M, T, a)                                                                      \
	M(a, const) M(a, mov_reg) M(a, add_imm64) M(a, add_imm32) M(a, and_imm) M(a, add_reg)  \
	M(a, sub_reg) M(a, ldb_off) M(a, ldw_off) M(a, ldx_off) M(a, stb_off) M(a, stw_off)    \
	M(a, stx_off) M(a, ldb_reg) M(a, ldp_x_off) M(a, stp_x_off) M(a, ldb_post)            \
	M(a, ldx_post) M(a, stb_post) M(a, stb_pre) M(a, stx_pre) M(a, ldp_x_post)            \
	M(a, stp_x_pre) M(a, stb_uxtw) M(a, ldb_uxtw) M(a, vstp_q_off) M(a, adds_imm)        \
	M(a, adds_reg) M(a, ccmp) M(a, csel) M(a, bl_link)                                    \
	T(a, cbz) T(a, bcond) T(a, br) T(a, tbz) T(a, cmpi_bcond) T(a, cmpr_bcond) T(a, tsti_bcond)

#define PAIRS(a) SECOND(PAIR, TAIL, a)
A64_SIMPLE(PAIRS)
#define HEADS(h) SECOND(HEAD, HEADTAIL, h)
A64_HEADS(HEADS)

#define ENTRY(a, b) p_##a##__##b,
#define ROW(a) { SECOND(ENTRY, ENTRY, a) },
static const a64_fn pairs[A64_KH_COUNT][A64_KT_COUNT] = { A64_SIMPLE(ROW) A64_HEADS(ROW) };

#define ONE(a) +1
_Static_assert(sizeof(pairs[0]) / sizeof(pairs[0][0]) == 0 A64_SIMPLE(ONE) A64_TAILS(ONE),
	       "the lists agree");

a64_fn a64_pair(int first, int second)
{
	if (first < 0 || first >= A64_KH_COUNT || second < 0 || second >= A64_KT_COUNT)
		return NULL;
	return pairs[first][second];
}
