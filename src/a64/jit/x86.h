/* A small x86-64 assembler: the instructions the translator emits, each
 * a function that appends its bytes.  The caller reserves room first
 * (x86_room); no function checks the end of the buffer. */
#ifndef MEW_A64_JIT_X86_H
#define MEW_A64_JIT_X86_H

#include <stdint.h>
#include <string.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { NOIDX = -1 };

/* condition codes (the low nibble of Jcc, SETcc, CMOVcc) */
enum { CC_O = 0, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A, CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };
#define CC_C CC_B
#define CC_NC CC_AE
#define CC_Z CC_E
#define CC_NZ CC_NE

/* ALU group 1 (81 /n, and 01+8n as op r/m, r) */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };

struct x86 {
	uint8_t *p;
};

static inline void x86_b(struct x86 *e, uint8_t v) { *e->p++ = v; }
static inline void x86_d(struct x86 *e, uint32_t v) { memcpy(e->p, &v, 4); e->p += 4; }
static inline void x86_q(struct x86 *e, uint64_t v) { memcpy(e->p, &v, 8); e->p += 8; }

static inline int x86_fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* REX for a register operand reg, an index and a base (or r/m register);
 * force: emit it even when empty (byte registers sil, dil...) */
static inline void x86_rex(struct x86 *e, int w, int reg, int index, int base, int force)
{
	uint8_t r = 0x40 | (w << 3) | ((reg >> 3) & 1) << 2 | ((index >= 0 ? index >> 3 : 0) & 1) << 1 | ((base >> 3) & 1);
	if (r != 0x40 || force)
		x86_b(e, r);
}

/* ModRM (+SIB, +displacement) for [base + index*(1<<scale) + disp] */
static inline void x86_mem(struct x86 *e, int reg, int base, int index, int scale, int32_t disp)
{
	int mod = disp == 0 && (base & 7) != RBP ? 0 : disp >= -128 && disp <= 127 ? 1 : 2;
	if (index < 0 && (base & 7) != RSP)
		x86_b(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	else {
		x86_b(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
		x86_b(e, (uint8_t)(scale << 6 | (index < 0 ? 4 : index & 7) << 3 | (base & 7)));
	}
	if (mod == 1)
		x86_b(e, (uint8_t)disp);
	else if (mod == 2)
		x86_d(e, (uint32_t)disp);
}

/* opcode (one or two bytes: 0x0f first) with a memory operand */
static inline void x86_op_m(struct x86 *e, int w, unsigned op, int reg, int base, int index, int scale, int32_t disp)
{
	x86_rex(e, w, reg, index, base, 0);
	if (op > 0xff)
		x86_b(e, op >> 8);
	x86_b(e, op & 0xff);
	x86_mem(e, reg, base, index, scale, disp);
}

/* opcode with a register r/m operand */
static inline void x86_op_r(struct x86 *e, int w, unsigned op, int reg, int rm, int force)
{
	x86_rex(e, w, reg, NOIDX, rm, force);
	if (op > 0xff)
		x86_b(e, op >> 8);
	x86_b(e, op & 0xff);
	x86_b(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* mov r, [base+disp] (64 or 32 bits) and back */
static inline void x86_load(struct x86 *e, int w, int r, int base, int32_t disp) { x86_op_m(e, w, 0x8b, r, base, NOIDX, 0, disp); }
static inline void x86_store(struct x86 *e, int w, int base, int32_t disp, int r) { x86_op_m(e, w, 0x89, r, base, NOIDX, 0, disp); }

/* guest memory, [base + index<<scale + disp] */
enum { SZ_B, SZ_H, SZ_W, SZ_X };
static inline void x86_load_sz(struct x86 *e, int sz, int r, int base, int index, int scale, int32_t disp)
{
	switch (sz) {
	case SZ_B: x86_op_m(e, 0, 0x0fb6, r, base, index, scale, disp); break; /* movzx r32, byte */
	case SZ_H: x86_op_m(e, 0, 0x0fb7, r, base, index, scale, disp); break; /* movzx r32, word */
	case SZ_W: x86_op_m(e, 0, 0x8b, r, base, index, scale, disp); break;
	default: x86_op_m(e, 1, 0x8b, r, base, index, scale, disp); break;
	}
}
/* signed loads: to 64 bits (w = 1) or to 32 bits, zero-extended (w = 0) */
static inline void x86_load_sx(struct x86 *e, int w, int sz, int r, int base, int index, int scale, int32_t disp)
{
	switch (sz) {
	case SZ_B: x86_op_m(e, w, 0x0fbe, r, base, index, scale, disp); break; /* movsx */
	case SZ_H: x86_op_m(e, w, 0x0fbf, r, base, index, scale, disp); break;
	default: x86_op_m(e, 1, 0x63, r, base, index, scale, disp); break; /* movsxd */
	}
}
static inline void x86_store_sz(struct x86 *e, int sz, int r, int base, int index, int scale, int32_t disp)
{
	switch (sz) {
	case SZ_B:
		x86_rex(e, 0, r, index, base, r >= RSP && r <= RDI);
		x86_b(e, 0x88);
		x86_mem(e, r, base, index, scale, disp);
		break;
	case SZ_H:
		x86_b(e, 0x66);
		x86_op_m(e, 0, 0x89, r, base, index, scale, disp);
		break;
	case SZ_W: x86_op_m(e, 0, 0x89, r, base, index, scale, disp); break;
	default: x86_op_m(e, 1, 0x89, r, base, index, scale, disp); break;
	}
}

/* mov r, imm (the shortest form that gives the 64-bit value) */
static inline void x86_mov_imm(struct x86 *e, int r, uint64_t v)
{
	if (v <= 0xffffffffull) {
		x86_rex(e, 0, 0, NOIDX, r, 0);
		x86_b(e, 0xb8 + (r & 7));
		x86_d(e, (uint32_t)v);
	} else if (x86_fits32((int64_t)v)) {
		x86_op_r(e, 1, 0xc7, 0, r, 0);
		x86_d(e, (uint32_t)v);
	} else {
		x86_rex(e, 1, 0, NOIDX, r, 0);
		x86_b(e, 0xb8 + (r & 7));
		x86_q(e, v);
	}
}

static inline void x86_mov_rr(struct x86 *e, int w, int dst, int src) { x86_op_r(e, w, 0x89, src, dst, 0); }

/* op dst, src (ALU_*) */
static inline void x86_alu_rr(struct x86 *e, int w, int alu, int dst, int src) { x86_op_r(e, w, 0x01 + 8 * alu, src, dst, 0); }
/* op dst, imm32 (sign-extended) */
static inline void x86_alu_ri(struct x86 *e, int w, int alu, int dst, int32_t imm)
{
	if (imm >= -128 && imm <= 127) {
		x86_op_r(e, w, 0x83, alu, dst, 0);
		x86_b(e, (uint8_t)imm);
	} else {
		x86_op_r(e, w, 0x81, alu, dst, 0);
		x86_d(e, (uint32_t)imm);
	}
}
/* op dword/qword [base+disp], imm8 */
static inline void x86_alu_mi8(struct x86 *e, int w, int alu, int base, int32_t disp, int8_t imm)
{
	x86_op_m(e, w, 0x83, alu, base, NOIDX, 0, disp);
	x86_b(e, (uint8_t)imm);
}
static inline void x86_test_rr(struct x86 *e, int w, int a, int b) { x86_op_r(e, w, 0x85, b, a, 0); }

/* shifts by an immediate: /1 ror, /4 shl, /5 shr, /7 sar */
enum { SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };
static inline void x86_shift_ri(struct x86 *e, int w, int kind, int r, uint8_t n)
{
	x86_op_r(e, w, 0xc1, kind, r, 0);
	x86_b(e, n);
}
/* shift r by cl (the count masked to the width, as ARM's variable shifts) */
static inline void x86_shift_cl(struct x86 *e, int w, int kind, int r) { x86_op_r(e, w, 0xd3, kind, r, 0); }
static inline void x86_bswap(struct x86 *e, int w, int r)
{
	x86_rex(e, w, 0, NOIDX, r, 0);
	x86_b(e, 0x0f);
	x86_b(e, 0xc8 + (r & 7));
}
/* bsr dst, src: the highest set bit's index (ZF when src is zero) */
static inline void x86_bsr(struct x86 *e, int w, int dst, int src) { x86_op_r(e, w, 0x0fbd, dst, src, 0); }
/* shrd dst, src, n: dst = dst >> n | src << (width - n) */
static inline void x86_shrd(struct x86 *e, int w, int dst, int src, uint8_t n)
{
	x86_op_r(e, w, 0x0fac, src, dst, 0);
	x86_b(e, n);
}
/* imul dst, src; and the one-operand imul/mul (rdx:rax = rax * r) */
static inline void x86_imul_rr(struct x86 *e, int w, int dst, int src) { x86_op_r(e, w, 0x0faf, dst, src, 0); }
static inline void x86_imul1(struct x86 *e, int r) { x86_op_r(e, 1, 0xf7, 5, r, 0); }
static inline void x86_mul1(struct x86 *e, int r) { x86_op_r(e, 1, 0xf7, 4, r, 0); }
/* movzx/movsx between registers: size 1 or 2 bytes; w: to 64 bits (sign) */
static inline void x86_movzx_rr(struct x86 *e, int size, int dst, int src)
{
	x86_op_r(e, 0, size == 1 ? 0x0fb6 : 0x0fb7, dst, src, size == 1 && src >= RSP && src <= RDI);
}
static inline void x86_movsx_rr(struct x86 *e, int size, int dst, int src)
{
	if (size == 4)
		x86_op_r(e, 1, 0x63, dst, src, 0);
	else
		x86_op_r(e, 1, size == 1 ? 0x0fbe : 0x0fbf, dst, src, size == 1 && src >= RSP && src <= RDI);
}
/* not, neg (F7 /2, /3); inc (FF /0) */
static inline void x86_not(struct x86 *e, int w, int r) { x86_op_r(e, w, 0xf7, 2, r, 0); }
static inline void x86_neg(struct x86 *e, int w, int r) { x86_op_r(e, w, 0xf7, 3, r, 0); }
static inline void x86_inc(struct x86 *e, int w, int r) { x86_op_r(e, w, 0xff, 0, r, 0); }

/* bt r, imm8 (CF = bit) and bt r32, r32 */
static inline void x86_bt_ri(struct x86 *e, int w, int r, uint8_t bit)
{
	x86_op_r(e, w, 0x0fba, 4, r, 0);
	x86_b(e, bit);
}
static inline void x86_bt_rr(struct x86 *e, int w, int r, int bit) { x86_op_r(e, w, 0x0fa3, bit, r, 0); }

static inline void x86_setcc(struct x86 *e, int cc, int r) { x86_op_r(e, 0, 0x0f90 + cc, 0, r, r >= RSP && r <= RDI); }
static inline void x86_movzx8(struct x86 *e, int dst, int src) { x86_op_r(e, 0, 0x0fb6, dst, src, src >= RSP && src <= RDI); }
static inline void x86_cmov(struct x86 *e, int w, int cc, int dst, int src) { x86_op_r(e, w, 0x0f40 + cc, dst, src, 0); }

/* lea dst, [base + index<<scale + disp] */
static inline void x86_lea(struct x86 *e, int w, int dst, int base, int index, int scale, int32_t disp)
{
	x86_op_m(e, w, 0x8d, dst, base, index, scale, disp);
}

/* movdqu xmm, [base + index<<scale + disp] (store: and back) */
static inline void x86_movdqu(struct x86 *e, int store, int x, int base, int index, int scale, int32_t disp)
{
	x86_b(e, 0xf3);
	x86_op_m(e, 0, store ? 0x0f7f : 0x0f6f, x, base, index, scale, disp);
}
/* mov qword [base+disp], imm32 (sign-extended) */
static inline void x86_store_imm(struct x86 *e, int base, int32_t disp, int32_t imm)
{
	x86_op_m(e, 1, 0xc7, 0, base, NOIDX, 0, disp);
	x86_d(e, (uint32_t)imm);
}
/* movdqu xmm, [m] and back */
static inline void x86_movdqu_load(struct x86 *e, int x, int base, int32_t disp)
{
	x86_b(e, 0xf3);
	x86_op_m(e, 0, 0x0f6f, x, base, NOIDX, 0, disp);
}
static inline void x86_movdqu_store(struct x86 *e, int x, int base, int32_t disp)
{
	x86_b(e, 0xf3);
	x86_op_m(e, 0, 0x0f7f, x, base, NOIDX, 0, disp);
}

/* VEX.128.66.0F38 op xmm reg, xmm vvvv, [base + disp] (W: the double
 * form): the FMA3 instructions */
static inline void x86_vex_0f38_m(struct x86 *e, int w, uint8_t op, int reg, int vvvv, int base, int32_t disp)
{
	x86_b(e, 0xc4);
	x86_b(e, (uint8_t)(!(reg & 8) << 7 | 1 << 6 | !(base & 8) << 5 | 0x02));
	x86_b(e, (uint8_t)(w << 7 | (~vvvv & 15) << 3 | 0x01));
	x86_b(e, op);
	x86_mem(e, reg, base, NOIDX, 0, disp);
}

/* Jumps with a 32-bit displacement: the address of the displacement is
 * returned, for x86_patch once the target is known. */
static inline uint8_t *x86_jcc(struct x86 *e, int cc)
{
	x86_b(e, 0x0f);
	x86_b(e, 0x80 + cc);
	uint8_t *at = e->p;
	x86_d(e, 0);
	return at;
}
static inline uint8_t *x86_jmp(struct x86 *e)
{
	x86_b(e, 0xe9);
	uint8_t *at = e->p;
	x86_d(e, 0);
	return at;
}
static inline void x86_patch(uint8_t *at, const uint8_t *target)
{
	int32_t rel = (int32_t)(target - (at + 4));
	memcpy(at, &rel, 4);
}
static inline void x86_jmp_to(struct x86 *e, const uint8_t *target) { x86_patch(x86_jmp(e), target); }
static inline void x86_jcc_to(struct x86 *e, int cc, const uint8_t *target) { x86_patch(x86_jcc(e, cc), target); }
static inline void x86_call_r(struct x86 *e, int r) { x86_op_r(e, 0, 0xff, 2, r, 0); }
static inline void x86_jmp_r(struct x86 *e, int r) { x86_op_r(e, 0, 0xff, 4, r, 0); }
/* op reg, [rip + (target - end of this instruction)] (one or two opcode bytes) */
static inline void x86_op_rip(struct x86 *e, int w, unsigned op, int reg, const void *target)
{
	x86_rex(e, w, reg, NOIDX, 0, 0);
	if (op > 0xff)
		x86_b(e, op >> 8);
	x86_b(e, op & 0xff);
	x86_b(e, (uint8_t)(0x05 | (reg & 7) << 3));
	int32_t rel = (int32_t)((const uint8_t *)target - (e->p + 4));
	x86_d(e, (uint32_t)rel);
}
/* lea r, [rip + (target - end of this instruction)] */
static inline void x86_lea_rip(struct x86 *e, int r, const uint8_t *target)
{
	x86_rex(e, 1, r, NOIDX, 0, 0);
	x86_b(e, 0x8d);
	x86_b(e, (uint8_t)(0x05 | (r & 7) << 3));
	int32_t rel = (int32_t)(target - (e->p + 4));
	x86_d(e, (uint32_t)rel);
}

#endif
