/* Pair superinstructions: two adjacent simple instructions (simple.h) run
 * by one handler, one dispatch instead of two.  Decode-time peephole
 * (a64_fuse): the first instruction's handler becomes the pair's, the
 * second keeps its own (a block is only entered at its first instruction,
 * and a pair goes on with the third). */
#include "a64/simple.h"

#define PAIR(a, b)                                                                 \
	static int p_##a##__##b(struct a64_cpu *c, const struct a64_insn *i)      \
	{                                                                          \
		s_##a(c, i);                                                       \
		s_##b(c, i + 1);                                                   \
		return i[2].fn(c, i + 2);                                          \
	}
/* the second list: A64_SIMPLE again, with the first form as a parameter */
#define SECOND(M, a)                                                                    \
	M(a, const) M(a, mov_reg) M(a, add_imm64) M(a, add_imm32) M(a, and_imm) M(a, ldb_off) \
	M(a, ldw_off) M(a, ldx_off) M(a, stb_off) M(a, stw_off) M(a, stx_off) M(a, ldb_reg) \
	M(a, ldp_x_off) M(a, stp_x_off)

#define PAIRS(a) SECOND(PAIR, a)
A64_SIMPLE(PAIRS)

#define ENTRY(a, b) p_##a##__##b,
#define ROW(a) { SECOND(ENTRY, a) },
static const a64_fn pairs[A64_K_COUNT][A64_K_COUNT] = { A64_SIMPLE(ROW) };

#define ONE(a) +1
_Static_assert(sizeof(pairs[0]) / sizeof(pairs[0][0]) == 0 A64_SIMPLE(ONE), "the two lists agree");

a64_fn a64_pair(int first, int second)
{
	if (first < 0 || second < 0)
		return NULL;
	return pairs[first][second];
}
