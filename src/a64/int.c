/* Integer data processing: immediate and register forms, bitfields,
 * conditional select/compare, multiply and divide. */
#include "a64/cpu.h"
#include "a64/simple.h"

#define X(r) (c->x[r])
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define MASK(sf) ((sf) ? ~0ull : 0xffffffffull)

static inline uint8_t rz(unsigned r) { return r == 31 ? A64_ZR : r; }
static inline uint8_t wz(unsigned r) { return r == 31 ? A64_DISCARD : r; }

uint16_t a64_cond_table[16];

/* Filled at start-up: a static initializer cannot run loops. */
__attribute__((constructor)) static void cond_table_init(void)
{
	uint16_t *t = a64_cond_table;
	for (int cond = 0; cond < 16; cond++) {
		uint16_t m = 0;
		for (int f = 0; f < 16; f++) {
			int n = (f >> 3) & 1, z = (f >> 2) & 1, cc = (f >> 1) & 1, v = f & 1, r;
			switch (cond >> 1) {
			case 0: r = z; break;
			case 1: r = cc; break;
			case 2: r = n; break;
			case 3: r = v; break;
			case 4: r = cc && !z; break;
			case 5: r = n == v; break;
			case 6: r = n == v && !z; break;
			default: r = 1; break;
			}
			if ((cond & 1) && cond != 15)
				r = !r;
			if (r)
				m |= 1u << f;
		}
		t[cond] = m;
	}
}

static inline void logic_flags(struct a64_cpu *c, uint64_t r, int sf)
{
	if (!sf)
		r = (uint64_t)(uint32_t)r << 32;
	c->nzcv = ((r >> 63) ? A64_N : 0) | (r == 0 ? A64_Z : 0);
}

int a64_decode_bitmask(int n, unsigned imms, unsigned immr, int sf, int logical, uint64_t *wmask, uint64_t *tmask)
{
	unsigned combined = (n << 6) | (~imms & 0x3f);
	int len = -1;
	for (int b = 6; b >= 0; b--)
		if (combined & (1u << b)) {
			len = b;
			break;
		}
	if (len < 1 || (!sf && len == 6))
		return -1;
	unsigned levels = (1u << len) - 1;
	unsigned s = imms & levels, r = immr & levels, diff = (s - r) & levels;
	if (logical && s == levels)
		return -1; /* all ones is not a logical immediate */
	unsigned esize = 1u << len;
	uint64_t welem = s + 1 == 64 ? ~0ull : (1ull << (s + 1)) - 1;
	uint64_t telem = diff + 1 == 64 ? ~0ull : (1ull << (diff + 1)) - 1;
	/* rotate welem right by r within esize */
	uint64_t emask = esize == 64 ? ~0ull : (1ull << esize) - 1;
	if (r)
		welem = ((welem >> r) | (welem << (esize - r))) & emask;
	uint64_t w = 0, t = 0;
	for (unsigned i = 0; i < 64; i += esize) {
		w |= welem << i;
		t |= telem << i;
	}
	if (!sf) {
		w &= 0xffffffff;
		t &= 0xffffffff;
	}
	*wmask = w;
	*tmask = t;
	return 0;
}

/* ---- handlers ---- */

A64_SIMPLE_HANDLER(const)

A64_SIMPLE_HANDLER(add_imm64)

A64_SIMPLE_HANDLER(add_imm32)

/* ADDS/SUBS: imm2 is the carry-in (1 for SUB, whose imm is inverted). */
A64_SIMPLE_HANDLER(adds_imm)

A64_SIMPLE_HANDLER(and_imm)

static int h_orr_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = (X(i->rn) | i->imm) & i->imm2;
	return A64_NEXT;
}

static int h_eor_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = (X(i->rn) ^ i->imm) & i->imm2;
	return A64_NEXT;
}

static int h_ands_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t r = X(i->rn) & i->imm;
	logic_flags(c, r, i->sf);
	X(i->rd) = r;
	return A64_NEXT;
}

static int h_movk(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = ((X(i->rd) & ~i->imm2) | i->imm) & MASK(i->sf);
	return A64_NEXT;
}

/* Bitfield moves: imm = wmask, imm2 = tmask, sh = immr, op = imms. */
static int h_ubfm(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = a64_ror(X(i->rn), i->sh, i->sf) & i->imm & i->imm2;
	return A64_NEXT;
}

static int h_lsl_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = (X(i->rn) << i->sh) & MASK(i->sf);
	return A64_NEXT;
}

static int h_lsr_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = (X(i->rn) & MASK(i->sf)) >> i->sh;
	return A64_NEXT;
}

static int h_sbfm(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t src = X(i->rn);
	uint64_t bot = a64_ror(src, i->sh, i->sf) & i->imm;
	uint64_t top = ((src >> i->op) & 1) ? MASK(i->sf) : 0;
	X(i->rd) = ((top & ~i->imm2) | (bot & i->imm2)) & MASK(i->sf);
	return A64_NEXT;
}

static int h_bfm(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t dst = X(i->rd);
	uint64_t bot = (dst & ~i->imm) | (a64_ror(X(i->rn), i->sh, i->sf) & i->imm);
	X(i->rd) = ((dst & ~i->imm2) | (bot & i->imm2)) & MASK(i->sf);
	return A64_NEXT;
}

static int h_extr(struct a64_cpu *c, const struct a64_insn *i)
{
	unsigned lsb = i->sh;
	if (i->sf) {
		uint64_t hi = X(i->rn), lo = X(i->rm);
		X(i->rd) = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
	} else {
		uint64_t v = ((uint64_t)(uint32_t)X(i->rn) << 32) | (uint32_t)X(i->rm);
		X(i->rd) = (uint32_t)(v >> lsb);
	}
	return A64_NEXT;
}

static inline uint64_t shift_reg(uint64_t v, unsigned type, unsigned amt, int sf)
{
	if (!sf)
		v = (uint32_t)v;
	switch (type) {
	case 0: return (v << amt) & MASK(sf);
	case 1: return v >> amt;
	case 2: return sf ? (uint64_t)((int64_t)v >> amt) : (uint32_t)((int32_t)v >> amt);
	default: return a64_ror(v, amt, sf);
	}
}

A64_SIMPLE_HANDLER(mov_reg)

/* Logical shifted register; op: 0 AND 1 ORR 2 EOR 3 ANDS; imm = invert mask. */
static int h_logic_reg(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t b = shift_reg(X(i->rm), i->cond, i->sh, i->sf) ^ i->imm, a = X(i->rn), r;
	switch (i->op) {
	case 0: r = a & b; break;
	case 1: r = a | b; break;
	case 2: r = a ^ b; break;
	default:
		r = a & b & MASK(i->sf);
		logic_flags(c, r, i->sf);
		break;
	}
	X(i->rd) = r & MASK(i->sf);
	return A64_NEXT;
}

A64_SIMPLE_HANDLER(add_reg)

A64_SIMPLE_HANDLER(sub_reg)

/* ADDS/SUBS (CMP/CMN) register without shift: imm = ~0 to invert for SUB. */
A64_SIMPLE_HANDLER(adds_reg)

/* Add/sub shifted register, general: op bit0 = sub, bit1 = set flags. */
static int h_addsub_sreg(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t b = shift_reg(X(i->rm), i->cond, i->sh, i->sf), a = X(i->rn);
	int sub = i->op & 1;
	if (i->op & 2) {
		X(i->rd) = a64_add_flags(c, a, sub ? ~b : b, sub, i->sf);
		return A64_NEXT;
	}
	X(i->rd) = (sub ? a - b : a + b) & MASK(i->sf);
	return A64_NEXT;
}

static inline uint64_t extend_reg(uint64_t v, unsigned opt, unsigned sh)
{
	switch (opt) {
	case 0: v = (uint8_t)v; break;
	case 1: v = (uint16_t)v; break;
	case 2: v = (uint32_t)v; break;
	case 3: break;
	case 4: v = (int64_t)(int8_t)v; break;
	case 5: v = (int64_t)(int16_t)v; break;
	case 6: v = (int64_t)(int32_t)v; break;
	default: break;
	}
	return v << sh;
}

static int h_addsub_ereg(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t b = extend_reg(X(i->rm), i->cond, i->sh), a = X(i->rn);
	int sub = i->op & 1;
	if (i->op & 2) {
		X(i->rd) = a64_add_flags(c, a, sub ? ~b : b, sub, i->sf);
		return A64_NEXT;
	}
	X(i->rd) = (sub ? a - b : a + b) & MASK(i->sf);
	return A64_NEXT;
}

static int h_adc(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t b = X(i->rm), a = X(i->rn);
	int carry = (c->nzcv >> 29) & 1;
	if (i->op & 1)
		b = ~b;
	if (i->op & 2) {
		X(i->rd) = a64_add_flags(c, a, b, carry, i->sf);
		return A64_NEXT;
	}
	X(i->rd) = (a + b + carry) & MASK(i->sf);
	return A64_NEXT;
}

/* CCMP/CCMN: op bit0 = compare (sub), sh bit0 = immediate form; imm2 = nzcv. */
A64_SIMPLE_HANDLER(ccmp)

/* CSEL family: op 0 CSEL 1 CSINC 2 CSINV 3 CSNEG */
A64_SIMPLE_HANDLER(csel)

static int h_dp1(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t v = X(i->rn), r = 0;
	int sf = i->sf;
	switch (i->op) {
	case 0: /* RBIT: bits within bytes swapped, then the bytes */
		r = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
		r = ((r >> 2) & 0x3333333333333333ull) | ((r & 0x3333333333333333ull) << 2);
		r = ((r >> 4) & 0x0f0f0f0f0f0f0f0full) | ((r & 0x0f0f0f0f0f0f0f0full) << 4);
		r = sf ? __builtin_bswap64(r) : __builtin_bswap32((uint32_t)r);
		break;
	case 1: /* REV16 */
		r = ((v & 0x00ff00ff00ff00ffull) << 8) | ((v >> 8) & 0x00ff00ff00ff00ffull);
		break;
	case 2: /* REV32 (64) or REV (32) */
		r = sf ? ((uint64_t)__builtin_bswap32(v >> 32) << 32) | __builtin_bswap32(v)
		       : __builtin_bswap32(v);
		break;
	case 3: /* REV (64) */
		r = __builtin_bswap64(v);
		break;
	case 4: /* CLZ */
		if (sf)
			r = v ? __builtin_clzll(v) : 64;
		else
			r = (uint32_t)v ? __builtin_clz((uint32_t)v) : 32;
		break;
	case 5: /* CLS */
		if (sf)
			r = (v ^ ((int64_t)v >> 63)) << 1 | 1, r = __builtin_clzll(r);
		else {
			uint32_t w = v;
			uint32_t t = (w ^ (uint32_t)((int32_t)w >> 31)) << 1 | 1;
			r = __builtin_clz(t);
		}
		break;
	}
	X(i->rd) = r & MASK(sf);
	return A64_NEXT;
}

static int h_dp2(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = X(i->rn), b = X(i->rm), r = 0;
	int sf = i->sf;
	unsigned amt = b & (sf ? 63 : 31);
	switch (i->op) {
	case 2: /* UDIV */
		if (sf)
			r = b ? a / b : 0;
		else
			r = (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0;
		break;
	case 3: /* SDIV */
		if (sf) {
			int64_t x = a, y = b;
			r = y == 0 ? 0 : (y == -1 ? (uint64_t)0 - a : (uint64_t)(x / y));
		} else {
			int32_t x = a, y = b;
			r = y == 0 ? 0 : (y == -1 ? (uint32_t)(0u - (uint32_t)x) : (uint32_t)(x / y));
		}
		break;
	case 8: r = shift_reg(a, 0, amt, sf); break;
	case 9: r = shift_reg(a, 1, amt, sf); break;
	case 10: r = shift_reg(a, 2, amt, sf); break;
	case 11: r = shift_reg(a, 3, amt, sf); break;
	}
	X(i->rd) = r & MASK(sf);
	return A64_NEXT;
}

static int h_madd64(struct a64_cpu *c, const struct a64_insn *i)
{
	X(i->rd) = X(i->ra) + X(i->rn) * X(i->rm);
	return A64_NEXT;
}

static int h_dp3(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = X(i->ra), n = X(i->rn), m = X(i->rm), r;
	switch (i->op) {
	case 0: r = a + n * m; break;
	case 1: r = a - n * m; break;
	case 2: r = a + (uint64_t)((int64_t)(int32_t)n * (int32_t)m); break;
	case 3: r = a - (uint64_t)((int64_t)(int32_t)n * (int32_t)m); break;
	case 4: r = (uint64_t)(((__int128)(int64_t)n * (int64_t)m) >> 64); break;
	case 5: r = a + (uint64_t)(uint32_t)n * (uint32_t)m; break;
	case 6: r = a - (uint64_t)(uint32_t)n * (uint32_t)m; break;
	default: r = (uint64_t)(((unsigned __int128)n * m) >> 64); break;
	}
	X(i->rd) = r & MASK(i->sf);
	return A64_NEXT;
}

/* ---- decoding ---- */

static int decode_dp_imm(uint32_t raw, struct a64_insn *i)
{
	unsigned rd = BITS(raw, 4, 0), rn = BITS(raw, 9, 5);
	int sf = raw >> 31;
	i->sf = sf;
	switch (BITS(raw, 25, 23)) {
	case 0:
	case 1: { /* ADR, ADRP */
		int64_t imm = (BITS(raw, 23, 5) << 2) | BITS(raw, 30, 29);
		imm = (imm << 43) >> 43;
		i->rd = wz(rd);
		i->fn = h_const;
		if (raw >> 31)
			i->imm = (i->pc & ~0xfffull) + (imm << 12);
		else
			i->imm = i->pc + imm;
		return 0;
	}
	case 2: { /* add/sub immediate */
		uint64_t imm = BITS(raw, 21, 10);
		if (raw & (1u << 22))
			imm <<= 12;
		int sub = (raw >> 30) & 1, s = (raw >> 29) & 1;
		i->rn = rn; /* SP */
		if (s) {
			i->rd = wz(rd);
			i->fn = h_adds_imm;
			i->imm = sub ? ~imm : imm;
			i->imm2 = sub;
		} else {
			i->rd = rd; /* SP */
			i->fn = sf ? h_add_imm64 : h_add_imm32;
			i->imm = sub ? -imm : imm;
		}
		return 0;
	}
	case 4: { /* logical immediate */
		uint64_t w, t;
		int n = (raw >> 22) & 1;
		if (!sf && n)
			return -1;
		if (a64_decode_bitmask(n, BITS(raw, 15, 10), BITS(raw, 21, 16), sf, 1, &w, &t) < 0)
			return -1;
		i->rn = rz(rn);
		i->imm = w;
		i->imm2 = MASK(sf);
		switch (BITS(raw, 30, 29)) {
		case 0: i->fn = h_and_imm; i->rd = rd; break;
		case 1:
			i->rd = rd;
			if (rn == 31) {
				i->fn = h_const;
			} else
				i->fn = h_orr_imm;
			break;
		case 2: i->fn = h_eor_imm; i->rd = rd; break;
		default: i->fn = h_ands_imm; i->rd = wz(rd); break;
		}
		return 0;
	}
	case 5: { /* move wide */
		unsigned hw = BITS(raw, 22, 21), opc = BITS(raw, 30, 29);
		if (!sf && hw >= 2)
			return -1;
		uint64_t imm = (uint64_t)BITS(raw, 20, 5) << (hw * 16);
		i->rd = wz(rd);
		switch (opc) {
		case 0: i->fn = h_const; i->imm = (~imm) & MASK(sf); break;
		case 2: i->fn = h_const; i->imm = imm; break;
		case 3: i->fn = h_movk; i->imm = imm; i->imm2 = 0xffffull << (hw * 16); break;
		default: return -1;
		}
		return 0;
	}
	case 6: { /* bitfield */
		unsigned opc = BITS(raw, 30, 29), n = (raw >> 22) & 1;
		unsigned immr = BITS(raw, 21, 16), imms = BITS(raw, 15, 10);
		uint64_t w, t;
		if (n != (unsigned)sf || opc == 3 || (!sf && (immr >= 32 || imms >= 32)))
			return -1; /* (32-bit forms with a 6-bit field are reserved) */
		if (a64_decode_bitmask(n, imms, immr, sf, 0, &w, &t) < 0)
			return -1;
		i->rd = wz(rd);
		i->rn = rz(rn);
		i->imm = w;
		i->imm2 = t;
		i->sh = immr;
		i->op = imms;
		unsigned width = sf ? 63 : 31;
		if (opc == 2) {
			if (imms != width && imms + 1 == immr) {
				i->fn = h_lsl_imm;
				i->sh = width - imms;
			} else if (imms == width) {
				i->fn = h_lsr_imm;
			} else
				i->fn = h_ubfm;
		} else if (opc == 0)
			i->fn = h_sbfm;
		else
			i->fn = h_bfm;
		if (opc == 1)
			i->rd = rz(rd) == A64_ZR ? A64_DISCARD : rd;
		return 0;
	}
	case 7: /* extract */
		if (BITS(raw, 30, 29) != 0 || ((raw >> 22) & 1) != (unsigned)sf || (raw & (1u << 21)))
			return -1;
		if (!sf && (raw & (1u << 15)))
			return -1;
		i->fn = h_extr;
		i->rd = wz(rd);
		i->rn = rz(rn);
		i->rm = rz(BITS(raw, 20, 16));
		i->sh = BITS(raw, 15, 10);
		return 0;
	}
	return -1;
}

static int decode_dp_reg(uint32_t raw, struct a64_insn *i)
{
	unsigned rd = BITS(raw, 4, 0), rn = BITS(raw, 9, 5), rm = BITS(raw, 20, 16);
	int sf = raw >> 31;
	unsigned op1 = (raw >> 28) & 1, op2 = BITS(raw, 24, 21);
	i->sf = sf;
	i->rd = wz(rd);
	i->rn = rz(rn);
	i->rm = rz(rm);
	if (!op1) {
		if (!(op2 & 8)) { /* logical shifted register */
			unsigned opc = BITS(raw, 30, 29), nbit = (raw >> 21) & 1;
			unsigned amt = BITS(raw, 15, 10);
			if (!sf && amt >= 32)
				return -1;
			i->cond = BITS(raw, 23, 22);
			i->sh = amt;
			i->imm = nbit ? ~0ull : 0;
			i->op = opc;
			i->imm2 = MASK(sf);
			if (opc == 1 && rn == 31 && amt == 0 && !nbit)
				i->fn = h_mov_reg;
			else
				i->fn = h_logic_reg;
			return 0;
		}
		unsigned amt = BITS(raw, 15, 10);
		int sub = (raw >> 30) & 1, s = (raw >> 29) & 1;
		i->op = sub | (s << 1);
		if (!(op2 & 1)) { /* add/sub shifted register */
			unsigned type = BITS(raw, 23, 22);
			if (type == 3 || (!sf && amt >= 32))
				return -1;
			i->cond = type;
			i->sh = amt;
			i->imm2 = MASK(sf);
			if (!s && type == 0)
				i->fn = sub ? h_sub_reg : h_add_reg;
			else if (s && type == 0 && amt == 0) {
				i->fn = h_adds_reg;
				i->imm = sub ? ~0ull : 0;
			} else
				i->fn = h_addsub_sreg;
			return 0;
		}
		/* add/sub extended register */
		if (BITS(raw, 23, 22) != 0)
			return -1;
		unsigned imm3 = BITS(raw, 12, 10);
		if (imm3 > 4)
			return -1;
		i->rn = rn; /* SP */
		if (!s)
			i->rd = rd;
		i->cond = BITS(raw, 15, 13);
		i->sh = imm3;
		i->fn = h_addsub_ereg;
		return 0;
	}
	switch (op2) {
	case 0: /* ADC/SBC */
		if (BITS(raw, 15, 10) != 0)
			return -1;
		i->op = ((raw >> 30) & 1) | (((raw >> 29) & 1) << 1);
		i->fn = h_adc;
		return 0;
	case 2: /* CCMP/CCMN */
		if (!((raw >> 29) & 1) || (raw & (1u << 10)) || (raw & (1u << 4)))
			return -1;
		i->op = (raw >> 30) & 1;
		i->sh = (raw >> 11) & 1;
		i->imm = rm;
		i->cond = BITS(raw, 15, 12);
		i->imm2 = BITS(raw, 3, 0);
		i->fn = h_ccmp;
		return 0;
	case 4: /* conditional select */
		if ((raw >> 29) & 1 || BITS(raw, 11, 11))
			return -1;
		i->op = (((raw >> 30) & 1) << 1) | ((raw >> 10) & 1);
		i->cond = BITS(raw, 15, 12);
		i->fn = h_csel;
		return 0;
	case 6:
		if ((raw >> 30) & 1) { /* data processing 1 source */
			unsigned opc = BITS(raw, 15, 10);
			if (rm != 0 || (raw >> 29) & 1 || opc > 5)
				return -1;
			if (opc == 3 && !sf)
				return -1;
			i->op = opc;
			i->fn = h_dp1;
			return 0;
		}
		{ /* data processing 2 source */
			unsigned opc = BITS(raw, 15, 10);
			if ((raw >> 29) & 1)
				return -1;
			if (opc != 2 && opc != 3 && (opc < 8 || opc > 11))
				return -1;
			i->op = opc;
			i->fn = h_dp2;
			return 0;
		}
	default:
		if (op2 & 8) { /* data processing 3 source */
			unsigned op31 = BITS(raw, 23, 21), o0 = (raw >> 15) & 1;
			unsigned ra = BITS(raw, 14, 10);
			i->ra = rz(ra);
			if (BITS(raw, 30, 29) != 0)
				return -1;
			switch (op31) {
			case 0: i->op = o0; break;
			case 1: if (!sf) return -1; i->op = 2 + o0; break;
			case 2: if (!sf || o0) return -1; i->op = 4; break;
			case 5: if (!sf) return -1; i->op = 5 + o0; break;
			case 6: if (!sf || o0) return -1; i->op = 7; break;
			default: return -1;
			}
			i->fn = (sf && i->op == 0) ? h_madd64 : h_dp3;
			return 0;
		}
		return -1;
	}
}

int a64_decode_int(uint32_t raw, struct a64_insn *i)
{
	unsigned op0 = BITS(raw, 28, 25);
	if ((op0 & 0xe) == 0x8)
		return decode_dp_imm(raw, i);
	if ((op0 & 0x7) == 0x5)
		return decode_dp_reg(raw, i);
	return -1;
}

int a64_is_cmp(const struct a64_insn *i)
{
	if (i->rd != A64_DISCARD)
		return 0;
	if (i->fn == h_adds_imm)
		return 1;
	if (i->fn == h_adds_reg)
		return 2;
	if (i->fn == h_ands_imm)
		return 3;
	return 0;
}

int a64_int_kind(a64_fn fn)
{
	if (fn == h_const) return A64_K_const;
	if (fn == h_mov_reg) return A64_K_mov_reg;
	if (fn == h_add_imm64) return A64_K_add_imm64;
	if (fn == h_add_imm32) return A64_K_add_imm32;
	if (fn == h_and_imm) return A64_K_and_imm;
	if (fn == h_add_reg) return A64_K_add_reg;
	if (fn == h_sub_reg) return A64_K_sub_reg;
	if (fn == h_adds_imm) return A64_K_adds_imm;
	if (fn == h_adds_reg) return A64_K_adds_reg;
	if (fn == h_ccmp) return A64_K_ccmp;
	if (fn == h_csel) return A64_K_csel;
	return A64_K_NONE;
}

int a64_int_form(a64_fn fn)
{
	if (fn == h_orr_imm) return A64_I_ORR_IMM;
	if (fn == h_eor_imm) return A64_I_EOR_IMM;
	if (fn == h_ands_imm) return A64_I_ANDS_IMM;
	if (fn == h_movk) return A64_I_MOVK;
	if (fn == h_ubfm) return A64_I_UBFM;
	if (fn == h_lsl_imm) return A64_I_LSL_IMM;
	if (fn == h_lsr_imm) return A64_I_LSR_IMM;
	if (fn == h_sbfm) return A64_I_SBFM;
	if (fn == h_extr) return A64_I_EXTR;
	if (fn == h_logic_reg) return A64_I_LOGIC_REG;
	if (fn == h_addsub_sreg) return A64_I_ADDSUB_SREG;
	if (fn == h_addsub_ereg) return A64_I_ADDSUB_EREG;
	if (fn == h_madd64 || fn == h_dp3) return A64_I_DP3;
	if (fn == h_dp2) return A64_I_DP2;
	if (fn == h_dp1) return A64_I_DP1;
	if (fn == h_adc) return A64_I_ADC;
	if (fn == h_bfm) return A64_I_BFM;
	return A64_I_NONE;
}
