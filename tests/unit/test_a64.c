/* The arm64 interpreter's decoder and flag arithmetic, one instruction at
 * a time on a bare CPU. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "a64/a64.h"

static struct a64_cpu *cpu(void)
{
	static struct a64_cpu c;
	memset(&c, 0, sizeof(c));
	return &c;
}

/* Decode raw at a fixed pc and run it once. */
static int exec1(struct a64_cpu *c, uint32_t raw)
{
	struct a64_insn i[2];
	a64_decode(raw, 0x400000, &i[0]);
	a64_insn_next(&i[1], 0x400004); /* handlers go on to the next one */
	assert_ptr_not_equal(i[0].fn, a64_undef);
	return i[0].fn(c, i);
}

static void test_bitmask(void **state)
{
	uint64_t w, t;
	/* orr x0, xzr, #0x5555555555555555: N=0 immr=0 imms=0b111100 */
	assert_int_equal(a64_decode_bitmask(0, 0x3c, 0, 1, 1, &w, &t), 0);
	assert_true(w == 0x5555555555555555ull);
	/* and w0, w0, #0xff: N=0 imms=7 */
	assert_int_equal(a64_decode_bitmask(0, 7, 0, 0, 1, &w, &t), 0);
	assert_true(w == 0xff);
	/* N=1 imms=0b111111 is reserved */
	assert_int_equal(a64_decode_bitmask(1, 0x3f, 0, 1, 1, &w, &t), -1);
}

static void test_adds_flags(void **state)
{
	struct a64_cpu *c = cpu();
	c->x[1] = 0x7fffffffffffffffull;
	c->x[2] = 1;
	exec1(c, 0xab020020); /* adds x0, x1, x2 */
	assert_true(c->x[0] == 0x8000000000000000ull);
	assert_int_equal(c->nzcv, A64_N | A64_V);
	c->x[1] = 5;
	c->x[2] = 5;
	exec1(c, 0xeb02003f); /* cmp x1, x2 */
	assert_int_equal(c->nzcv, A64_Z | A64_C);
	c->x[1] = 0xffffffff;
	exec1(c, 0x31000420); /* adds w0, w1, #1 */
	assert_true(c->x[0] == 0);
	assert_int_equal(c->nzcv, A64_Z | A64_C);
}

static void test_cond_and_csel(void **state)
{
	struct a64_cpu *c = cpu();
	c->nzcv = A64_Z | A64_C;
	assert_true(a64_cond(c, 0));  /* eq */
	assert_false(a64_cond(c, 1)); /* ne */
	assert_true(a64_cond(c, 2));  /* cs */
	assert_false(a64_cond(c, 8)); /* hi */
	assert_true(a64_cond(c, 9));  /* ls */
	assert_true(a64_cond(c, 14)); /* al */
	c->x[1] = 11;
	c->x[2] = 22;
	exec1(c, 0x9a821020); /* csel x0, x1, x2, ne */
	assert_true(c->x[0] == 22);
	exec1(c, 0x9a9f17e0); /* cset x0, eq */
	assert_true(c->x[0] == 1);
}

static void test_wide_bitfield_zr(void **state)
{
	struct a64_cpu *c = cpu();
	exec1(c, 0xd2a00020); /* movz x0, #1, lsl #16 */
	assert_true(c->x[0] == 0x10000);
	exec1(c, 0xf2800120); /* movk x0, #9 */
	assert_true(c->x[0] == 0x10009);
	c->x[1] = 0xabcd;
	exec1(c, 0xd3441c20); /* ubfx x0, x1, #4, #4 */
	assert_true(c->x[0] == 0xc);
	exec1(c, 0xaa0103ff); /* mov xzr, x1: discarded, zr still reads 0 */
	assert_true(c->x[A64_ZR] == 0);
	c->x[A64_SP] = 0x1000;
	exec1(c, 0x910043e0); /* add x0, sp, #16 */
	assert_true(c->x[0] == 0x1010);
}

static void test_branches_end_blocks(void **state)
{
	struct a64_insn i;
	assert_int_equal(a64_decode(0x14000002, 0x1000, &i), 1); /* b .+8 */
	struct a64_cpu *c = cpu();
	assert_int_equal(i.fn(c, &i), 0);
	assert_true(c->pc == 0x1008);
	assert_int_equal(a64_decode(0xd503201f, 0x1000, &i), 0); /* nop */
	assert_int_equal(a64_decode(0x00000000, 0x1000, &i), 1); /* udf: a trap */
	assert_ptr_equal(i.fn, a64_undef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmask),
		cmocka_unit_test(test_adds_flags),
		cmocka_unit_test(test_cond_and_csel),
		cmocka_unit_test(test_wide_bitfield_zr),
		cmocka_unit_test(test_branches_end_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
