/* Advanced SIMD: the vector and scalar forms glibc, busybox and coreutils
 * use: three-same, three-different, two-register misc, across lanes, copy,
 * modified immediate, shifts by immediate, permutes, EXT, TBL/TBX and
 * by-element multiplies.  Each instruction works lane by lane on
 * union a64_vreg; a 64-bit form zeroes the upper half. */
#include <math.h>

#include "a64/cpu.h"
#include "a64/fp.h"
#include "a64/simd.h"

#define X(r) (c->x[r])
#define V(r) (c->v[r])
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

static inline uint8_t rz(unsigned r) { return r == 31 ? A64_ZR : r; }
static inline uint8_t wz(unsigned r) { return r == 31 ? A64_DISCARD : r; }

static inline uint64_t eget(const union a64_vreg *v, int size, int idx)
{
	switch (size) {
	case 0: return v->b[idx];
	case 1: return v->h[idx];
	case 2: return v->s[idx];
	default: return v->d[idx];
	}
}

static inline int64_t esget(const union a64_vreg *v, int size, int idx)
{
	switch (size) {
	case 0: return v->sb[idx];
	case 1: return v->sh[idx];
	case 2: return v->ss[idx];
	default: return v->sd[idx];
	}
}

static inline void eset(union a64_vreg *v, int size, int idx, uint64_t x)
{
	switch (size) {
	case 0: v->b[idx] = x; break;
	case 1: v->h[idx] = x; break;
	case 2: v->s[idx] = x; break;
	default: v->d[idx] = x; break;
	}
}

static inline uint64_t emask(int size)
{
	return size == 3 ? ~0ull : (1ull << (8 << size)) - 1;
}

static inline int64_t smax_of(int size) { return (int64_t)(emask(size) >> 1); }
static inline int64_t smin_of(int size) { return -smax_of(size) - 1; }

static inline double fget(const union a64_vreg *v, int size, int idx)
{
	return size == 3 ? v->df[idx] : v->f[idx];
}

static inline void fset(union a64_vreg *v, int size, int idx, double x)
{
	if (size == 3)
		v->df[idx] = x;
	else
		v->f[idx] = (float)x;
}


/* Byte lanes, the string functions' bread and butter: plain loops the
 * compiler turns into SSE. */
static int h_3same_b(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn), m = V(i->rm);
	union a64_vreg r = { .q = 0 };
	int ne = i->sf;
	switch (i->op) {
	case V_CMEQ: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] == m.b[e] ? 0xff : 0; break;
	case V_CMHS: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] >= m.b[e] ? 0xff : 0; break;
	case V_CMHI: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] > m.b[e] ? 0xff : 0; break;
	case V_CMTST: for (int e = 0; e < 16; e++) r.b[e] = (n.b[e] & m.b[e]) ? 0xff : 0; break;
	case V_ADD: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] + m.b[e]; break;
	case V_SUB: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] - m.b[e]; break;
	case V_UMAX: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] > m.b[e] ? n.b[e] : m.b[e]; break;
	case V_UMIN: for (int e = 0; e < 16; e++) r.b[e] = n.b[e] < m.b[e] ? n.b[e] : m.b[e]; break;
	case V_UMAXP: case V_UMINP: case V_ADDP: {
		uint8_t t[32];
		memcpy(t, &n, ne);
		memcpy(t + ne, &m, ne);
		for (int e = 0; e < ne; e++) {
			uint8_t a = t[2 * e], b = t[2 * e + 1];
			r.b[e] = i->op == V_ADDP ? (uint8_t)(a + b) : i->op == V_UMAXP ? (a > b ? a : b) : (a < b ? a : b);
		}
		break;
	}
	}
	if (ne == 8)
		r.d[1] = 0;
	V(i->rd) = r;
	return A64_NEXT;
}

/* Three registers, same arrangement.  sf = elements, cond = size. */
static int h_3same(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn), m = V(i->rm);
	union a64_vreg d = V(i->rd), r = { .q = 0 };
	int size = i->cond, ne = i->sf;
	int bits = 8 << size;
	uint64_t mask = emask(size);

	switch (i->op) {
	case V_AND: r.q = n.q & m.q; goto bitwise;
	case V_BIC: r.q = n.q & ~m.q; goto bitwise;
	case V_ORR: r.q = n.q | m.q; goto bitwise;
	case V_ORN: r.q = n.q | ~m.q; goto bitwise;
	case V_EOR: r.q = n.q ^ m.q; goto bitwise;
	case V_BSL: r.q = (d.q & n.q) | (~d.q & m.q); goto bitwise;
	case V_BIT: r.q = (d.q & ~m.q) | (n.q & m.q); goto bitwise;
	case V_BIF: r.q = (d.q & m.q) | (n.q & ~m.q); goto bitwise;
	}
	for (int e = 0; e < ne; e++) {
		uint64_t a = eget(&n, size, e), b = eget(&m, size, e), x = 0;
		int64_t sa = esget(&n, size, e), sb = esget(&m, size, e);
		switch (i->op) {
		case V_ADD: x = a + b; break;
		case V_SUB: x = a - b; break;
		case V_CMEQ: x = a == b ? mask : 0; break;
		case V_CMGT: x = sa > sb ? mask : 0; break;
		case V_CMHI: x = a > b ? mask : 0; break;
		case V_CMGE: x = sa >= sb ? mask : 0; break;
		case V_CMHS: x = a >= b ? mask : 0; break;
		case V_CMTST: x = (a & b) ? mask : 0; break;
		case V_SMAX: x = sa > sb ? a : b; break;
		case V_UMAX: x = a > b ? a : b; break;
		case V_SMIN: x = sa < sb ? a : b; break;
		case V_UMIN: x = a < b ? a : b; break;
		case V_MUL: x = a * b; break;
		case V_MLA: x = eget(&d, size, e) + a * b; break;
		case V_MLS: x = eget(&d, size, e) - a * b; break;
		case V_PMUL: {
			for (int k = 0; k < bits; k++)
				if (b & (1ull << k))
					x ^= a << k;
			break;
		}
		case V_SSHL: case V_USHL: {
			int8_t s = (int8_t)b;
			if (s >= 0)
				x = s >= bits ? 0 : a << s;
			else if (i->op == V_USHL)
				x = -s >= bits ? 0 : a >> -s;
			else
				x = -s >= bits ? (sa < 0 ? mask : 0) : (uint64_t)(sa >> -s);
			break;
		}
		case V_UQADD: {
			uint64_t t = a + b;
			x = (t & mask) < a || (size < 3 && t > mask) ? mask : t;
			if (x == mask && t != mask) c->fpsr |= 1u << 27;
			break;
		}
		case V_UQSUB: x = a > b ? a - b : 0; if (a < b) c->fpsr |= 1u << 27; break;
		case V_SQADD: case V_SQSUB: {
			__int128 t = i->op == V_SQADD ? (__int128)sa + sb : (__int128)sa - sb;
			if (t > smax_of(size)) { t = smax_of(size); c->fpsr |= 1u << 27; }
			if (t < smin_of(size)) { t = smin_of(size); c->fpsr |= 1u << 27; }
			x = (uint64_t)t;
			break;
		}
		case V_UABD: x = a > b ? a - b : b - a; break;
		case V_SABD: x = sa > sb ? (uint64_t)(sa - sb) : (uint64_t)(sb - sa); break;
		case V_UHADD: x = (uint64_t)(((unsigned __int128)a + b) >> 1); break;
		case V_SHADD: x = (uint64_t)(((__int128)sa + sb) >> 1); break;
		case V_URHADD: x = (uint64_t)(((unsigned __int128)a + b + 1) >> 1); break;
		case V_SRHADD: x = (uint64_t)(((__int128)sa + sb + 1) >> 1); break;
		case V_UHSUB: x = (uint64_t)(((__int128)a - (__int128)b) >> 1); break;
		case V_SHSUB: x = (uint64_t)(((__int128)sa - sb) >> 1); break;
		case V_SQDMULH: case V_SQRDMULH: {
			__int128 p = (__int128)sa * sb * 2;
			if (i->op == V_SQRDMULH)
				p += (__int128)1 << (bits - 1);
			p >>= bits;
			if (p > smax_of(size)) { p = smax_of(size); c->fpsr |= 1u << 27; }
			x = (uint64_t)p;
			break;
		}
		case V_ADDP: case V_SMAXP: case V_UMAXP: case V_SMINP: case V_UMINP: {
			const union a64_vreg *src = e < ne / 2 ? &n : &m;
			int k = (e % (ne / 2)) * 2;
			uint64_t p = eget(src, size, k), q = eget(src, size, k + 1);
			int64_t sp = esget(src, size, k), sq = esget(src, size, k + 1);
			switch (i->op) {
			case V_ADDP: x = p + q; break;
			case V_SMAXP: x = sp > sq ? p : q; break;
			case V_UMAXP: x = p > q ? p : q; break;
			case V_SMINP: x = sp < sq ? p : q; break;
			default: x = p < q ? p : q; break;
			}
			break;
		}
		default: {
			if (size == 2) {
				/* single lanes stay float: converting to double would
				 * quieten a signalling NaN */
				float sa_ = n.f[e], sb_ = m.f[e], sr = 0;
				switch (i->op) {
				case V_FADD: sr = a64_fop_s(c, FOP_ADD, sa_, sb_); break;
				case V_FSUB: sr = a64_fop_s(c, FOP_SUB, sa_, sb_); break;
				case V_FMUL: sr = a64_fop_s(c, FOP_MUL, sa_, sb_); break;
				case V_FMULX:
					if ((isinf(sa_) && sb_ == 0) || (sa_ == 0 && isinf(sb_)))
						sr = (signbit(sa_) != signbit(sb_)) ? -2.0f : 2.0f;
					else
						sr = a64_fop_s(c, FOP_MUL, sa_, sb_);
					break;
				case V_FDIV: sr = a64_fop_s(c, FOP_DIV, sa_, sb_); break;
				case V_FMAX: sr = a64_fop_s(c, FOP_MAX, sa_, sb_); break;
				case V_FMIN: sr = a64_fop_s(c, FOP_MIN, sa_, sb_); break;
				case V_FMAXNM: sr = a64_fop_s(c, FOP_MAXNM, sa_, sb_); break;
				case V_FMINNM: sr = a64_fop_s(c, FOP_MINNM, sa_, sb_); break;
				case V_FABD: sr = a64_fop_s(c, FOP_ABD, sa_, sb_); break;
				case V_FMLA: sr = a64_fma_s(c, d.f[e], sa_, sb_); break;
				case V_FMLS: sr = a64_fma_s(c, d.f[e], -sa_, sb_); break;
				case V_FCMEQ: case V_FCMGE: case V_FCMGT: case V_FACGE: case V_FACGT:
					sa_ = a64_fz_s(c, sa_);
					sb_ = a64_fz_s(c, sb_);
					break;
				case V_FADDP: case V_FMAXP: case V_FMINP: case V_FMAXNMP: case V_FMINNMP:
					break;
				}
				switch (i->op) {
				case V_FCMEQ: x = sa_ == sb_ ? mask : 0; goto done;
				case V_FCMGE: x = sa_ >= sb_ ? mask : 0; goto done;
				case V_FCMGT: x = sa_ > sb_ ? mask : 0; goto done;
				case V_FACGE: x = fabsf(sa_) >= fabsf(sb_) ? mask : 0; goto done;
				case V_FACGT: x = fabsf(sa_) > fabsf(sb_) ? mask : 0; goto done;
				case V_FADDP: case V_FMAXP: case V_FMINP: case V_FMAXNMP: case V_FMINNMP: {
					const union a64_vreg *src = e < ne / 2 ? &n : &m;
					int k = (e % (ne / 2)) * 2;
					int o = i->op == V_FADDP ? FOP_ADD : i->op == V_FMAXP ? FOP_MAX :
						i->op == V_FMINP ? FOP_MIN : i->op == V_FMAXNMP ? FOP_MAXNM : FOP_MINNM;
					sr = a64_fop_s(c, o, src->f[k], src->f[k + 1]);
					break;
				}
				}
				r.f[e] = sr;
				continue;
			}
			/* double lanes */
			double fa = fget(&n, size, e), fb = fget(&m, size, e), fr = 0;
			int dbl = size == 3;
			switch (i->op) {
#define FOP(o) (dbl ? a64_fop_d(c, o, fa, fb) : a64_fop_s(c, o, fa, fb))
			case V_FADD: fr = FOP(FOP_ADD); break;
			case V_FSUB: fr = FOP(FOP_SUB); break;
			case V_FMUL: fr = FOP(FOP_MUL); break;
			case V_FMULX: /* FMUL, except that 0 * inf is 2 with the sign of the product */
				if ((isinf(fa) && fb == 0) || (fa == 0 && isinf(fb)))
					fr = (signbit(fa) != signbit(fb)) ? -2.0 : 2.0;
				else
					fr = FOP(FOP_MUL);
				break;
			case V_FDIV: fr = FOP(FOP_DIV); break;
			case V_FMAX: fr = FOP(FOP_MAX); break;
			case V_FMIN: fr = FOP(FOP_MIN); break;
			case V_FMAXNM: fr = FOP(FOP_MAXNM); break;
			case V_FMINNM: fr = FOP(FOP_MINNM); break;
			case V_FABD: fr = FOP(FOP_ABD); break;
			case V_FMLA: case V_FMLS: {
				double acc = fget(&d, size, e);
				if (i->op == V_FMLS)
					fa = -fa;
				fr = dbl ? a64_fma_d(c, acc, fa, fb) : a64_fma_s(c, acc, fa, fb);
				break;
			}
			case V_FCMEQ: case V_FCMGE: case V_FCMGT: case V_FACGE: case V_FACGT:
				fa = a64_fz_d(c, fa);
				fb = a64_fz_d(c, fb);
				break;
			default:
				break;
			}
			switch (i->op) {
			case V_FCMEQ: x = fa == fb ? mask : 0; goto done;
			case V_FCMGE: x = fa >= fb ? mask : 0; goto done;
			case V_FCMGT: x = fa > fb ? mask : 0; goto done;
			case V_FACGE: x = fabs(fa) >= fabs(fb) ? mask : 0; goto done;
			case V_FACGT: x = fabs(fa) > fabs(fb) ? mask : 0; goto done;
			case V_FADDP: case V_FMAXP: case V_FMINP: case V_FMAXNMP: case V_FMINNMP: {
				const union a64_vreg *src = e < ne / 2 ? &n : &m;
				int k = (e % (ne / 2)) * 2;
				double p = fget(src, size, k), q = fget(src, size, k + 1);
				int o = i->op == V_FADDP ? FOP_ADD : i->op == V_FMAXP ? FOP_MAX :
					i->op == V_FMINP ? FOP_MIN : i->op == V_FMAXNMP ? FOP_MAXNM : FOP_MINNM;
				fr = dbl ? a64_fop_d(c, o, p, q) : a64_fop_s(c, o, p, q);
				break;
			}
#undef FOP
			}
			fset(&r, size, e, fr);
			continue;
		}
		}
done:
		eset(&r, size, e, x & mask);
	}
	V(i->rd) = r;
	return A64_NEXT;
bitwise:
	if (ne * bits <= 64)
		r.d[1] = 0;
	V(i->rd) = r;
	return A64_NEXT;
}

/* Three different: long (2x width) and wide and narrow forms.
 * op: 0 ADDL 1 ADDW 2 SUBL 3 SUBW 4 ADDHN 6 SUBHN 8 MLAL 10 MLSL 12 MULL
 * 7 ABDL 5 ABAL 14 PMULL; ra = unsigned; sh = 2 for the upper half. */
static int h_3diff(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn), m = V(i->rm), d = V(i->rd);
	union a64_vreg r = { .q = 0 };
	int size = i->cond, us = i->ra, half = i->sh;
	int ne = 8 >> size; /* result elements of the long type */
	int wsize = size + 1;

	if (i->op == 4 || i->op == 6) { /* narrowing high halves */
		if (half)
			r.d[0] = d.d[0];
		for (int e = 0; e < ne; e++) {
			uint64_t a = eget(&n, wsize, e), b = eget(&m, wsize, e);
			uint64_t x = i->op == 4 ? a + b : a - b;
			if (i->ra & 2)
				x += 1ull << ((8 << size) - 1);
			eset(&r, size, e + (half ? ne : 0), x >> (8 << size));
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	for (int e = 0; e < ne; e++) {
		int src = e + (half ? ne : 0);
		int64_t a, b;
		if (i->op == 1 || i->op == 3)
			a = us ? (int64_t)eget(&n, wsize, e) : esget(&n, wsize, e);
		else
			a = us ? (int64_t)eget(&n, size, src) : esget(&n, size, src);
		b = us ? (int64_t)eget(&m, size, src) : esget(&m, size, src);
		uint64_t x;
		switch (i->op) {
		case 0: case 1: x = a + b; break;
		case 2: case 3: x = a - b; break;
		case 5: x = eget(&d, wsize, e) + (uint64_t)(a > b ? a - b : b - a); break;
		case 7: x = (uint64_t)(a > b ? a - b : b - a); break;
		case 8: x = eget(&d, wsize, e) + (uint64_t)a * (uint64_t)b; break;
		case 10: x = eget(&d, wsize, e) - (uint64_t)a * (uint64_t)b; break;
		case 12: x = (uint64_t)a * (uint64_t)b; break;
		default: {
			uint64_t ua = (uint64_t)a & emask(size), ub = (uint64_t)b & emask(size);
			x = 0;
			for (int k = 0; k < (8 << size); k++)
				if (ub & (1ull << k))
					x ^= ua << k;
			break;
		}
		}
		eset(&r, wsize, e, x);
	}
	V(i->rd) = r;
	return A64_NEXT;
}


/* The floating-point two-register misc forms on one lane, by its bits:
 * single lanes stay float (through double a signalling NaN would be
 * quietened before the operation sees it). */
static uint64_t fmisc_d(struct a64_cpu *c, int op, uint64_t a)
{
	double f, fr = 0;
	memcpy(&f, &a, 8);
	if (op != M_FABS && op != M_FNEG && op != M_SCVTF && op != M_UCVTF)
		f = a64_fz_d(c, f);
	switch (op) {
	case M_FABS: return a & ~(1ull << 63);
	case M_FNEG: return a ^ (1ull << 63);
	case M_FSQRT: fr = a64_fsqrt_d(c, f); break;
	case M_SCVTF: fr = (double)(int64_t)a; break;
	case M_UCVTF: fr = (double)a; break;
	case M_FCVTZS: return a64_f2i(c, f, FPROUND_Z, 1, 64);
	case M_FCVTZU: return a64_f2i(c, f, FPROUND_Z, 0, 64);
	case M_FCVTNS: return a64_f2i(c, f, FPROUND_N, 1, 64);
	case M_FCVTNU: return a64_f2i(c, f, FPROUND_N, 0, 64);
	case M_FCVTMS: return a64_f2i(c, f, FPROUND_M, 1, 64);
	case M_FCVTMU: return a64_f2i(c, f, FPROUND_M, 0, 64);
	case M_FCVTPS: return a64_f2i(c, f, FPROUND_P, 1, 64);
	case M_FCVTPU: return a64_f2i(c, f, FPROUND_P, 0, 64);
	case M_FCVTAS: return a64_f2i(c, f, FPROUND_A, 1, 64);
	case M_FCVTAU: return a64_f2i(c, f, FPROUND_A, 0, 64);
	case M_FCMGT0: return f > 0 ? ~0ull : 0;
	case M_FCMGE0: return f >= 0 ? ~0ull : 0;
	case M_FCMEQ0: return f == 0 ? ~0ull : 0;
	case M_FCMLE0: return f <= 0 ? ~0ull : 0;
	case M_FCMLT0: return f < 0 ? ~0ull : 0;
	case M_FRINTN: case M_FRINTP: case M_FRINTM: case M_FRINTZ: case M_FRINTA:
		fr = a64_frint_d(c, f, op - M_FRINTN, 0);
		break;
	case M_FRINTX: case M_FRINTI:
		fr = a64_frint_d(c, f, a64_rmode(c), op == M_FRINTX);
		break;
	case M_FRECPE: fr = 1.0 / f; break;
	case M_FRSQRTE: fr = 1.0 / sqrt(f); break;
	}
	memcpy(&a, &fr, 8);
	return a;
}

static uint64_t fmisc_s(struct a64_cpu *c, int op, uint32_t a)
{
	float f, fr = 0;
	uint32_t o;
	memcpy(&f, &a, 4);
	if (op != M_FABS && op != M_FNEG && op != M_SCVTF && op != M_UCVTF)
		f = a64_fz_s(c, f);
	switch (op) {
	case M_FABS: return a & ~(1u << 31);
	case M_FNEG: return a ^ (1u << 31);
	case M_FSQRT: fr = a64_fsqrt_s(c, f); break;
	case M_SCVTF: fr = (float)(int32_t)a; break;
	case M_UCVTF: fr = (float)a; break;
	case M_FCVTZS: return a64_f2i(c, f, FPROUND_Z, 1, 32);
	case M_FCVTZU: return a64_f2i(c, f, FPROUND_Z, 0, 32);
	case M_FCVTNS: return a64_f2i(c, f, FPROUND_N, 1, 32);
	case M_FCVTNU: return a64_f2i(c, f, FPROUND_N, 0, 32);
	case M_FCVTMS: return a64_f2i(c, f, FPROUND_M, 1, 32);
	case M_FCVTMU: return a64_f2i(c, f, FPROUND_M, 0, 32);
	case M_FCVTPS: return a64_f2i(c, f, FPROUND_P, 1, 32);
	case M_FCVTPU: return a64_f2i(c, f, FPROUND_P, 0, 32);
	case M_FCVTAS: return a64_f2i(c, f, FPROUND_A, 1, 32);
	case M_FCVTAU: return a64_f2i(c, f, FPROUND_A, 0, 32);
	case M_FCMGT0: return f > 0 ? ~0u : 0;
	case M_FCMGE0: return f >= 0 ? ~0u : 0;
	case M_FCMEQ0: return f == 0 ? ~0u : 0;
	case M_FCMLE0: return f <= 0 ? ~0u : 0;
	case M_FCMLT0: return f < 0 ? ~0u : 0;
	case M_FRINTN: case M_FRINTP: case M_FRINTM: case M_FRINTZ: case M_FRINTA:
		fr = a64_frint_s(c, f, op - M_FRINTN, 0);
		break;
	case M_FRINTX: case M_FRINTI:
		fr = a64_frint_s(c, f, a64_rmode(c), op == M_FRINTX);
		break;
	case M_FRECPE: fr = 1.0f / f; break;
	case M_FRSQRTE: fr = 1.0f / sqrtf(f); break;
	}
	memcpy(&o, &fr, 4);
	return o;
}

/* Two-register misc: sf = elements, cond = size, sh = 1 for the upper half
 * of narrowing/lengthening forms. */
static int h_2misc(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn);
	union a64_vreg r = { .q = 0 }, d = V(i->rd);
	int size = i->cond, ne = i->sf;
	uint64_t mask = emask(size);
	int bits = 8 << size;

	switch (i->op) {
	case M_XTN: case M_SQXTN: case M_UQXTN: case M_SQXTUN: {
		int half = i->sh, k = 8 >> size;
		if (half)
			r.d[0] = d.d[0];
		for (int e = 0; e < k; e++) {
			uint64_t a = eget(&n, size + 1, e);
			int64_t sa = esget(&n, size + 1, e);
			uint64_t x = a;
			if (i->op == M_SQXTN)
				x = sa > smax_of(size) ? (uint64_t)smax_of(size) : sa < smin_of(size) ? (uint64_t)smin_of(size) : (uint64_t)sa;
			else if (i->op == M_UQXTN)
				x = a > mask ? mask : a;
			else if (i->op == M_SQXTUN)
				x = sa < 0 ? 0 : (uint64_t)sa > mask ? mask : (uint64_t)sa;
			eset(&r, size, e + (half ? k : 0), x);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	case M_FCVTL: { /* single -> double (half -> single is not implemented) */
		int half = i->sh;
		for (int e = 0; e < 2; e++)
			r.df[e] = a64_fcvt_s2d(c, n.f[e + (half ? 2 : 0)]);
		V(i->rd) = r;
		return A64_NEXT;
	}
	case M_FCVTN: {
		int half = i->sh;
		if (half)
			r.d[0] = d.d[0];
		for (int e = 0; e < 2; e++)
			r.f[e + (half ? 2 : 0)] = a64_fcvt_d2s(c, n.df[e]);
		V(i->rd) = r;
		return A64_NEXT;
	}
	case M_UADDLP: case M_SADDLP: case M_UADALP: case M_SADALP: {
		for (int e = 0; e < ne / 2; e++) {
			uint64_t x;
			if (i->op == M_UADDLP || i->op == M_UADALP)
				x = eget(&n, size, 2 * e) + eget(&n, size, 2 * e + 1);
			else
				x = esget(&n, size, 2 * e) + esget(&n, size, 2 * e + 1);
			if (i->op == M_UADALP || i->op == M_SADALP)
				x += eget(&d, size + 1, e);
			eset(&r, size + 1, e, x);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	case M_SHLL: {
		int half = i->sh, k = 8 >> size;
		for (int e = 0; e < k; e++)
			eset(&r, size + 1, e, eget(&n, size, e + (half ? k : 0)) << bits);
		V(i->rd) = r;
		return A64_NEXT;
	}
	}
	for (int e = 0; e < ne; e++) {
		uint64_t a = eget(&n, size, e), x = 0;
		int64_t sa = esget(&n, size, e);
		switch (i->op) {
		case M_REV64: x = eget(&n, size, e ^ ((8 >> size) - 1)); break;
		case M_REV32: x = eget(&n, size, e ^ ((4 >> size) - 1)); break;
		case M_REV16: x = eget(&n, size, e ^ 1); break;
		case M_CNT: x = __builtin_popcountll(a); break;
		case M_NOT: x = ~a; break;
		case M_RBIT: for (int b = 0; b < 8; b++) if (a & (1u << b)) x |= 0x80u >> b; break;
		case M_CLZ: x = a ? (uint64_t)(__builtin_clzll(a) - (64 - bits)) : (uint64_t)bits; break;
		case M_CLS: {
			uint64_t t = (sa < 0 ? ~a : a) & mask;
			x = (t ? (uint64_t)(__builtin_clzll(t) - (64 - bits)) : (uint64_t)bits) - 1;
			break;
		}
		case M_CMGT0: x = sa > 0 ? mask : 0; break;
		case M_CMGE0: x = sa >= 0 ? mask : 0; break;
		case M_CMEQ0: x = a == 0 ? mask : 0; break;
		case M_CMLE0: x = sa <= 0 ? mask : 0; break;
		case M_CMLT0: x = sa < 0 ? mask : 0; break;
		case M_ABS: x = sa < 0 ? (uint64_t)-sa : (uint64_t)sa; break;
		case M_NEG: x = -a; break;
		case M_URECPE: x = mask; break;
		default:
			x = size == 3 ? fmisc_d(c, i->op, a) : fmisc_s(c, i->op, (uint32_t)a);
			break;
		}
		eset(&r, size, e, x & mask);
	}
	V(i->rd) = r;
	return A64_NEXT;
}

/* Across lanes: op 0 ADDV 1 SMAXV 2 UMAXV 3 SMINV 4 UMINV 5 SADDLV 6 UADDLV
 * 7 FMAXV 8 FMINV 9 FMAXNMV 10 FMINNMV. */
static int h_across(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn);
	union a64_vreg r = { .q = 0 };
	int size = i->cond, ne = i->sf;
	if (i->op >= 7) {
		static const int ops[] = { FOP_MAX, FOP_MIN, FOP_MAXNM, FOP_MINNM };
		int o = ops[i->op - 7];
		/* ARM's Reduce() halves recursively: (e0 op e1) op (e2 op e3);
		 * the order decides which NaN comes out */
		float lo = a64_fop_s(c, o, n.f[0], n.f[1]);
		r.f[0] = ne == 4 ? a64_fop_s(c, o, lo, a64_fop_s(c, o, n.f[2], n.f[3])) : lo;
		V(i->rd) = r;
		return A64_NEXT;
	}
	uint64_t acc = eget(&n, size, 0);
	int64_t sacc = esget(&n, size, 0);
	for (int e = 1; e < ne; e++) {
		uint64_t a = eget(&n, size, e);
		int64_t sa = esget(&n, size, e);
		switch (i->op) {
		case 0: case 6: acc += a; break;
		case 5: sacc += sa; break;
		case 1: if (sa > sacc) sacc = sa; break;
		case 2: if (a > acc) acc = a; break;
		case 3: if (sa < sacc) sacc = sa; break;
		case 4: if (a < acc) acc = a; break;
		}
	}
	if (i->op == 1 || i->op == 3 || i->op == 5)
		acc = sacc;
	if (i->op >= 5)
		eset(&r, size + 1, 0, acc);
	else
		eset(&r, size, 0, acc & emask(size));
	V(i->rd) = r;
	return A64_NEXT;
}

/* DUP (element/general), INS, UMOV, SMOV.  op: 0 DUP elem 1 DUP gen 2 INS
 * gen 3 INS elem 4 UMOV 5 SMOV; cond = size; sh = index; ra = src index;
 * sf = elements; imm2 = 1 for a 64-bit SMOV destination. */
static int h_copy(struct a64_cpu *c, const struct a64_insn *i)
{
	int size = i->cond;
	union a64_vreg r = { .q = 0 };
	uint64_t v;
	switch (i->op) {
	case 0: case 1:
		v = i->op == 0 ? eget(&V(i->rn), size, i->sh) : X(i->rn);
		for (int e = 0; e < i->sf; e++)
			eset(&r, size, e, v);
		V(i->rd) = r;
		break;
	case 2: eset(&V(i->rd), size, i->sh, X(i->rn)); break;
	case 3: eset(&V(i->rd), size, i->sh, eget(&V(i->rn), size, i->ra)); break;
	case 4: X(i->rd) = eget(&V(i->rn), size, i->sh); break;
	default:
		v = (uint64_t)esget(&V(i->rn), size, i->sh);
		X(i->rd) = i->imm2 ? v : (uint32_t)v;
		break;
	}
	return A64_NEXT;
}

/* MOVI/MVNI/ORR/BIC immediate: op 0 set 1 orr 2 bic; imm = 64-bit pattern,
 * sf = 16 or 8 bytes. */
static int h_modimm(struct a64_cpu *c, const struct a64_insn *i)
{
	union a64_vreg *d = &V(i->rd);
	switch (i->op) {
	case 0: d->d[0] = i->imm; d->d[1] = i->sf == 16 ? i->imm : 0; break;
	case 1: d->d[0] |= i->imm; if (i->sf == 16) d->d[1] |= i->imm; else d->d[1] = 0; break;
	default: d->d[0] &= ~i->imm; if (i->sf == 16) d->d[1] &= ~i->imm; else d->d[1] = 0; break;
	}
	return A64_NEXT;
}

/* Shift by immediate.  op: 0 SSHR 1 USHR 2 SSRA 3 USRA 4 SHL 5 SLI 6 SRI
 * 7 SHRN 8 SSHLL 9 USHLL 10 SRSHR 11 URSHR 12 RSHRN 13 SCVTF 14 UCVTF
 * 15 FCVTZS 16 FCVTZU 17 UQSHRN 18 SQSHRN 19 SQSHRUN.  sh = shift amount,
 * cond = size, sf = elements, ra = 1 for the upper half (narrow/long). */
static int h_shimm(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn);
	union a64_vreg r = { .q = 0 }, d = V(i->rd);
	int size = i->cond, ne = i->sf, s = i->sh, bits = 8 << size;
	uint64_t mask = emask(size);

	if (i->op == 7 || i->op == 12 || i->op >= 17) { /* narrowing: size is the narrow size */
		int k = 8 >> size;
		if (i->ra)
			r.d[0] = d.d[0];
		for (int e = 0; e < k; e++) {
			uint64_t a = eget(&n, size + 1, e);
			int64_t sa = esget(&n, size + 1, e);
			uint64_t x;
			if (i->op == 12)
				a += 1ull << (s - 1);
			if (i->op == 17) {
				x = a >> s;
				if (x > mask) x = mask;
			} else if (i->op == 18 || i->op == 19) {
				int64_t t = sa >> s;
				int64_t lo = i->op == 18 ? smin_of(size) : 0;
				int64_t hi = i->op == 18 ? smax_of(size) : (int64_t)mask;
				x = (uint64_t)(t < lo ? lo : t > hi ? hi : t);
			} else
				x = a >> s;
			eset(&r, size, e + (i->ra ? k : 0), x & mask);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	if (i->op == 8 || i->op == 9) { /* lengthening: size is the source size */
		int k = 8 >> size;
		for (int e = 0; e < k; e++) {
			int idx = e + (i->ra ? k : 0);
			uint64_t a = i->op == 9 ? eget(&n, size, idx) : (uint64_t)esget(&n, size, idx);
			eset(&r, size + 1, e, a << s);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	for (int e = 0; e < ne; e++) {
		uint64_t a = eget(&n, size, e), x;
		int64_t sa = esget(&n, size, e);
		switch (i->op) {
		case 0: x = s >= bits ? (sa < 0 ? mask : 0) : (uint64_t)(sa >> s); break;
		case 1: x = s >= bits ? 0 : a >> s; break;
		case 2: x = eget(&d, size, e) + (s >= bits ? (sa < 0 ? mask : 0) : (uint64_t)(sa >> s)); break;
		case 3: x = eget(&d, size, e) + (s >= bits ? 0 : a >> s); break;
		case 4: x = a << s; break;
		case 5: x = (a << s) | (eget(&d, size, e) & ((1ull << s) - 1)); break;
		case 6: {
			uint64_t keep = s >= bits ? mask : ~(mask >> s) & mask;
			x = (s >= bits ? 0 : a >> s) | (eget(&d, size, e) & keep);
			break;
		}
		case 10: x = (uint64_t)(((__int128)sa + ((__int128)1 << (s - 1))) >> s); break;
		case 11: x = (uint64_t)(((unsigned __int128)a + ((unsigned __int128)1 << (s - 1))) >> s); break;
		case 13: case 14: {
			double f = i->op == 13 ? (double)sa : (double)a;
			f = ldexp(f, -s);
			fset(&r, size, e, f);
			continue;
		}
		case 15: case 16: {
			double f = ldexp(fget(&n, size, e), s);
			x = a64_f2i(c, f, FPROUND_Z, i->op == 15, bits);
			break;
		}
		default: x = 0; break;
		}
		eset(&r, size, e, x & mask);
	}
	V(i->rd) = r;
	return A64_NEXT;
}

/* UZP1/2, TRN1/2, ZIP1/2: op = opcode field (1..7 without 4). */
static int h_perm(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn), m = V(i->rm);
	union a64_vreg r = { .q = 0 };
	int size = i->cond, ne = i->sf, part = (i->op >> 2) & 1;
	for (int e = 0; e < ne; e++) {
		uint64_t x;
		switch (i->op & 3) {
		case 1: { /* UZP */
			int k = 2 * e + part;
			x = k < ne ? eget(&n, size, k) : eget(&m, size, k - ne);
			break;
		}
		case 2: /* TRN */
			x = (e & 1) ? eget(&m, size, (e & ~1) + part) : eget(&n, size, e + part);
			break;
		default: { /* ZIP */
			int base = part * ne / 2;
			x = (e & 1) ? eget(&m, size, base + e / 2) : eget(&n, size, base + e / 2);
			break;
		}
		}
		eset(&r, size, e, x);
	}
	V(i->rd) = r;
	return A64_NEXT;
}

static int h_ext(struct a64_cpu *c, const struct a64_insn *i)
{
	uint8_t t[32];
	union a64_vreg r = { .q = 0 };
	memcpy(t, &V(i->rn), 16);
	memcpy(t + i->sf, &V(i->rm), 16);
	memcpy(&r, t + i->sh, i->sf);
	V(i->rd) = r;
	return A64_NEXT;
}

/* TBL/TBX: sh = table registers, op = 1 for TBX, sf = bytes. */
static int h_tbl(struct a64_cpu *c, const struct a64_insn *i)
{
	uint8_t t[64];
	union a64_vreg r = i->op ? V(i->rd) : (union a64_vreg){ .q = 0 };
	const union a64_vreg m = V(i->rm);
	for (int k = 0; k < i->sh; k++)
		memcpy(t + 16 * k, &V((i->rn + k) & 31), 16);
	for (int e = 0; e < i->sf; e++) {
		unsigned idx = m.b[e];
		if (idx < 16u * i->sh)
			r.b[e] = t[idx];
	}
	if (i->sf == 8)
		r.d[1] = 0;
	V(i->rd) = r;
	return A64_NEXT;
}

/* By element: op 0 MUL 1 MLA 2 MLS 3 FMUL 4 FMLA 5 FMLS 6 SMULL/UMULL
 * 7 SMLAL/UMLAL; sh = index, cond = size, sf = elements, ra = unsigned,
 * imm2 = upper half for the long forms. */
static int h_elem(struct a64_cpu *c, const struct a64_insn *i)
{
	const union a64_vreg n = V(i->rn), m = V(i->rm), d = V(i->rd);
	union a64_vreg r = { .q = 0 };
	int size = i->cond, ne = i->sf;
	if (i->op >= 6) {
		int k = 8 >> size;
		int64_t b = i->ra ? (int64_t)eget(&m, size, i->sh) : esget(&m, size, i->sh);
		for (int e = 0; e < k; e++) {
			int idx = e + (i->imm2 ? k : 0);
			int64_t a = i->ra ? (int64_t)eget(&n, size, idx) : esget(&n, size, idx);
			uint64_t x = (uint64_t)a * (uint64_t)b;
			if (i->op == 7)
				x += eget(&d, size + 1, e);
			eset(&r, size + 1, e, x);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	if (i->op >= 3 && size == 2) { /* single lanes stay float (a signalling NaN, FZ) */
		float b = m.f[i->sh];
		for (int e = 0; e < ne; e++) {
			float a = n.f[e];
			if (i->op == 3)
				r.f[e] = a64_fop_s(c, FOP_MUL, a, b);
			else
				r.f[e] = a64_fma_s(c, d.f[e], i->op == 5 ? -a : a, b);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	if (i->op >= 3) {
		double b = m.df[i->sh];
		for (int e = 0; e < ne; e++) {
			double a = n.df[e];
			if (i->op == 3)
				r.df[e] = a64_fop_d(c, FOP_MUL, a, b);
			else
				r.df[e] = a64_fma_d(c, d.df[e], i->op == 5 ? -a : a, b);
		}
		V(i->rd) = r;
		return A64_NEXT;
	}
	uint64_t b = eget(&m, size, i->sh);
	for (int e = 0; e < ne; e++) {
		uint64_t a = eget(&n, size, e), x = a * b;
		if (i->op == 1)
			x = eget(&d, size, e) + x;
		else if (i->op == 2)
			x = eget(&d, size, e) - x;
		eset(&r, size, e, x & emask(size));
	}
	V(i->rd) = r;
	return A64_NEXT;
}

/* ---- decoding ---- */

static uint64_t adv_simd_expand_imm(unsigned op, unsigned cmode, unsigned imm8, int *ok)
{
	uint64_t imm = 0;
	*ok = 1;
	switch (cmode >> 1) {
	case 0: imm = (uint64_t)imm8 * 0x0000000100000001ull; break;
	case 1: imm = ((uint64_t)imm8 << 8) * 0x0000000100000001ull; break;
	case 2: imm = ((uint64_t)imm8 << 16) * 0x0000000100000001ull; break;
	case 3: imm = ((uint64_t)imm8 << 24) * 0x0000000100000001ull; break;
	case 4: imm = (uint64_t)imm8 * 0x0001000100010001ull; break;
	case 5: imm = ((uint64_t)imm8 << 8) * 0x0001000100010001ull; break;
	case 6:
		if (!(cmode & 1))
			imm = (((uint64_t)imm8 << 8) | 0xff) * 0x0000000100000001ull;
		else
			imm = (((uint64_t)imm8 << 16) | 0xffff) * 0x0000000100000001ull;
		break;
	case 7:
		if (!(cmode & 1) && !op)
			imm = (uint64_t)imm8 * 0x0101010101010101ull;
		else if (!(cmode & 1) && op) {
			for (int b = 0; b < 8; b++)
				if (imm8 & (1u << b))
					imm |= 0xffull << (8 * b);
		} else if ((cmode & 1) && !op) {
			imm = a64_vfp_expand_imm(imm8, 0) * 0x0000000100000001ull;
		} else
			imm = a64_vfp_expand_imm(imm8, 1);
		break;
	}
	return imm;
}

static int decode_3same(uint32_t raw, struct a64_insn *i, int scalar)
{
	unsigned u = (raw >> 29) & 1, size = BITS(raw, 23, 22), opc = BITS(raw, 15, 11), q = (raw >> 30) & 1;
	int op = -1;
	i->cond = size;
	if (opc >= 0x18) { /* floating point */
		unsigned a = size >> 1, sz = size & 1;
		i->cond = sz ? 3 : 2;
		unsigned key = (u << 6) | (a << 5) | (opc & 0x1f);
		switch (key) {
		case 0x1a: op = V_FADD; break;
		case 0x3a: op = V_FSUB; break;
		case 0x5b: op = V_FMUL; break;
		case 0x1b: op = V_FMULX; break;
		case 0x5f: op = V_FDIV; break;
		case 0x1e: op = V_FMAX; break;
		case 0x3e: op = V_FMIN; break;
		case 0x18: op = V_FMAXNM; break;
		case 0x38: op = V_FMINNM; break;
		case 0x19: op = V_FMLA; break;
		case 0x39: op = V_FMLS; break;
		case 0x1c: op = V_FCMEQ; break;
		case 0x5c: op = V_FCMGE; break;
		case 0x7c: op = V_FCMGT; break;
		case 0x5d: op = V_FACGE; break;
		case 0x7d: op = V_FACGT; break;
		case 0x5a: op = V_FADDP; break;
		case 0x7a: op = V_FABD; break;
		case 0x5e: op = V_FMAXP; break;
		case 0x7e: op = V_FMINP; break;
		case 0x58: op = V_FMAXNMP; break;
		case 0x78: op = V_FMINNMP; break;
		default: return -1;
		}
		if (sz && !q && !scalar)
			return -1;
		i->sf = scalar ? 1 : (q ? 16 : 8) >> i->cond;
	} else {
		switch (opc) {
		case 0x00: op = u ? V_UHADD : V_SHADD; break;
		case 0x01: op = u ? V_UQADD : V_SQADD; break;
		case 0x02: op = u ? V_URHADD : V_SRHADD; break;
		case 0x03: {
			static const int lu[] = { V_AND, V_BIC, V_ORR, V_ORN };
			static const int lo[] = { V_EOR, V_BSL, V_BIT, V_BIF };
			op = u ? lo[size] : lu[size];
			break;
		}
		case 0x04: op = u ? V_UHSUB : V_SHSUB; break;
		case 0x05: op = u ? V_UQSUB : V_SQSUB; break;
		case 0x06: op = u ? V_CMHI : V_CMGT; break;
		case 0x07: op = u ? V_CMHS : V_CMGE; break;
		case 0x08: op = u ? V_USHL : V_SSHL; break;
		case 0x0c: op = u ? V_UMAX : V_SMAX; break;
		case 0x0d: op = u ? V_UMIN : V_SMIN; break;
		case 0x0e: op = u ? V_UABD : V_SABD; break;
		case 0x10: op = u ? V_SUB : V_ADD; break;
		case 0x11: op = u ? V_CMEQ : V_CMTST; break;
		case 0x12: op = u ? V_MLS : V_MLA; break;
		case 0x13: op = u ? V_PMUL : V_MUL; break;
		case 0x14: op = u ? V_UMAXP : V_SMAXP; break;
		case 0x15: op = u ? V_UMINP : V_SMINP; break;
		case 0x16: op = u ? V_SQRDMULH : V_SQDMULH; break;
		case 0x17: if (u) return -1; op = V_ADDP; break;
		default: return -1;
		}
		if (size == 3 && !q && !scalar && opc != 3)
			return -1;
		if (scalar && size != 3 && op != V_UQADD && op != V_SQADD && op != V_UQSUB && op != V_SQSUB)
			return -1;
		i->sf = scalar ? 1 : (q ? 16 : 8) >> size;
		if (opc == 3) {
			i->cond = 0;
			i->sf = q ? 16 : 8;
		}
	}
	i->op = op;
	i->fn = h_3same;
	if (!scalar && i->cond == 0 && opc != 3)
		switch (op) {
		case V_CMEQ: case V_CMHS: case V_CMHI: case V_CMTST: case V_ADD: case V_SUB:
		case V_UMAX: case V_UMIN: case V_UMAXP: case V_UMINP: case V_ADDP:
			i->fn = h_3same_b;
		}
	return 0;
}

static int decode_2misc(uint32_t raw, struct a64_insn *i, int scalar)
{
	unsigned u = (raw >> 29) & 1, size = BITS(raw, 23, 22), opc = BITS(raw, 16, 12), q = (raw >> 30) & 1;
	int op = -1;
	unsigned key = (u << 5) | opc;
	i->cond = size;
	i->sh = q;
	/* floating point forms use size<0> for the precision */
	int fp = opc >= 0x0c && (opc >= 0x16 || (opc >= 0x0c && opc <= 0x0f) || opc == 0x1f);
	if (opc >= 0x0c && opc != 0x12 && opc != 0x13 && opc != 0x14)
		fp = 1;
	if (fp) {
		unsigned sz = size & 1, hi = size >> 1;
		unsigned fkey = (u << 6) | (hi << 5) | opc;
		switch (fkey) {
		case 0x1d: op = M_SCVTF; break;
		case 0x5d: op = M_UCVTF; break;
		case 0x3b: op = M_FCVTZS; break;
		case 0x7b: op = M_FCVTZU; break;
		case 0x1a: op = M_FCVTNS; break;
		case 0x5a: op = M_FCVTNU; break;
		case 0x1b: op = M_FCVTMS; break;
		case 0x5b: op = M_FCVTMU; break;
		case 0x3a: op = M_FCVTPS; break;
		case 0x7a: op = M_FCVTPU; break;
		case 0x1c: op = M_FCVTAS; break;
		case 0x5c: op = M_FCVTAU; break;
		case 0x2f: op = M_FABS; break;
		case 0x6f: op = M_FNEG; break;
		case 0x7f: op = M_FSQRT; break;
		case 0x2c: op = M_FCMGT0; break;
		case 0x6c: op = M_FCMGE0; break;
		case 0x2d: op = M_FCMEQ0; break;
		case 0x6d: op = M_FCMLE0; break;
		case 0x2e: op = M_FCMLT0; break;
		case 0x18: op = M_FRINTN; break;
		case 0x19: op = M_FRINTM; break;
		case 0x38: op = M_FRINTP; break;
		case 0x39: op = M_FRINTZ; break;
		case 0x58: op = M_FRINTA; break;
		case 0x59: op = M_FRINTX; break;
		case 0x79: op = M_FRINTI; break;
		case 0x3d: op = M_FRECPE; break;
		case 0x7d: op = M_FRSQRTE; break;
		case 0x17: if (sz != 0 && !scalar) { op = M_FCVTL; i->sh = q; i->cond = 3; i->op = op; i->fn = h_2misc; return 0; } return -1;
		case 0x16: if (sz != 0 && !scalar) { op = M_FCVTN; i->sh = q; i->cond = 2; i->op = op; i->fn = h_2misc; return 0; } return -1;
		default: return -1;
		}
		i->cond = sz ? 3 : 2;
		if (sz && !q && !scalar)
			return -1;
		i->sf = scalar ? 1 : (q ? 16 : 8) >> i->cond;
		i->op = op;
		i->fn = h_2misc;
		return 0;
	}
	switch (key) {
	case 0x00: op = M_REV64; break;
	case 0x20: op = M_REV32; break;
	case 0x01: op = M_REV16; break;
	case 0x02: op = M_SADDLP; break;
	case 0x22: op = M_UADDLP; break;
	case 0x06: op = M_SADALP; break;
	case 0x26: op = M_UADALP; break;
	case 0x04: op = M_CLS; break;
	case 0x24: op = M_CLZ; break;
	case 0x05: op = M_CNT; break;
	case 0x25: op = size == 0 ? M_NOT : size == 1 ? M_RBIT : -1; if (size == 0 || size == 1) i->cond = 0; break;
	case 0x08: op = M_CMGT0; break;
	case 0x28: op = M_CMGE0; break;
	case 0x09: op = M_CMEQ0; break;
	case 0x29: op = M_CMLE0; break;
	case 0x0a: op = M_CMLT0; break;
	case 0x0b: op = M_ABS; break;
	case 0x2b: op = M_NEG; break;
	case 0x12: op = M_XTN; break;
	case 0x32: op = M_SQXTUN; break;
	case 0x14: op = M_SQXTN; break;
	case 0x34: op = M_UQXTN; break;
	case 0x33: op = M_SHLL; break;
	default: return -1;
	}
	if (op < 0)
		return -1;
	/* REV64/32/16 reverse elements smaller than their container; CNT counts bytes */
	if ((op == M_REV64 && size == 3) || (op == M_REV32 && size >= 2) || (op == M_REV16 && size >= 1) ||
	    (op == M_CNT && size != 0))
		return -1;
	if (scalar && op != M_CMGT0 && op != M_CMGE0 && op != M_CMEQ0 && op != M_CMLE0 &&
	    op != M_CMLT0 && op != M_ABS && op != M_NEG)
		return -1;
	if (op == M_XTN || op == M_SQXTN || op == M_UQXTN || op == M_SQXTUN || op == M_SHLL) {
		if (size == 3)
			return -1;
	}
	i->sf = scalar ? 1 : (q ? 16 : 8) >> i->cond;
	i->op = op;
	i->fn = h_2misc;
	return 0;
}

static int decode_shimm(uint32_t raw, struct a64_insn *i, int scalar)
{
	unsigned u = (raw >> 29) & 1, q = (raw >> 30) & 1, immh = BITS(raw, 22, 19), immb = BITS(raw, 18, 16);
	unsigned opc = BITS(raw, 15, 11);
	if (immh == 0)
		return -1;
	int size = 31 - __builtin_clz(immh);
	unsigned hb = (immh << 3) | immb;
	int rshift = (16 << size) - hb, lshift = hb - (8 << size);
	if (size == 3 && !q && !scalar)
		return -1;
	i->cond = size;
	i->sf = scalar ? 1 : (q ? 16 : 8) >> size;
	i->ra = q;
	int op;
	switch ((u << 5) | opc) {
	case 0x00: op = 0; i->sh = rshift; break;
	case 0x20: op = 1; i->sh = rshift; break;
	case 0x02: op = 2; i->sh = rshift; break;
	case 0x22: op = 3; i->sh = rshift; break;
	case 0x04: op = 10; i->sh = rshift; break;
	case 0x24: op = 11; i->sh = rshift; break;
	case 0x0a: op = 4; i->sh = lshift; break;
	case 0x2a: op = 5; i->sh = lshift; break;
	case 0x28: op = 6; i->sh = rshift; break;
	case 0x10: case 0x11: case 0x31: case 0x12: case 0x32: case 0x30:
		if (size == 3 || scalar)
			return -1;
		{
			static const int ops[64] = { [0x10] = 7, [0x11] = 12, [0x12] = 18, [0x32] = 17, [0x30] = 19, [0x31] = 19 };
			op = ops[(u << 5) | opc];
			if (((u << 5) | opc) == 0x31)
				return -1;
		}
		i->sh = rshift;
		i->cond = size; /* narrow element size: source is size+1 */
		break;
	case 0x14: case 0x34:
		if (size == 3 || scalar)
			return -1;
		op = u ? 9 : 8;
		i->sh = lshift;
		break;
	case 0x1c: case 0x3c:
		if (size < 2)
			return -1;
		op = u ? 14 : 13;
		i->sh = rshift;
		break;
	case 0x1f: case 0x3f:
		if (size < 2)
			return -1;
		op = u ? 16 : 15;
		i->sh = rshift;
		break;
	default:
		return -1;
	}
	if (scalar && size != 3 && op < 13)
		return -1;
	i->op = op;
	i->fn = h_shimm;
	return 0;
}

int a64_decode_simd(uint32_t raw, struct a64_insn *i)
{
	unsigned rd = raw & 31, rn = BITS(raw, 9, 5), rm = BITS(raw, 20, 16), q = (raw >> 30) & 1;
	unsigned size = BITS(raw, 23, 22);

	/* scalar floating point and FP<->integer conversions */
	if ((raw & 0x5f000000) == 0x1e000000 || (raw & 0x5f000000) == 0x1f000000) {
		if (raw & (1u << 30))
			return -1;
		return a64_decode_fp(raw, i);
	}
	i->rd = rd;
	i->rn = rn;
	i->rm = rm;

	if ((raw & 0x9f200400) == 0x0e200400) /* three same */
		return decode_3same(raw, i, 0);
	if ((raw & 0xdf200400) == 0x5e200400) /* scalar three same */
		return decode_3same(raw, i, 1);
	if ((raw & 0x9f3e0c00) == 0x0e200800) /* two-register misc */
		return decode_2misc(raw, i, 0);
	if ((raw & 0xdf3e0c00) == 0x5e200800)
		return decode_2misc(raw, i, 1);
	if ((raw & 0x9f3e0c00) == 0x0e300800) { /* across lanes */
		unsigned u = (raw >> 29) & 1, opc = BITS(raw, 16, 12);
		int op;
		switch ((u << 5) | opc) {
		case 0x1b: op = 0; break;
		case 0x0a: op = 1; break;
		case 0x2a: op = 2; break;
		case 0x1a: op = 3; break;
		case 0x3a: op = 4; break;
		case 0x03: op = 5; break;
		case 0x23: op = 6; break;
		case 0x2c: op = size & 2 ? 10 : 9; break;
		case 0x2f: op = size & 2 ? 8 : 7; break;
		default: return -1;
		}
		if (op >= 7) {
			if (!q || (size & 1))
				return -1;
			i->sf = 4;
			i->cond = 2;
		} else {
			if (size == 3 || (size == 2 && !q))
				return -1;
			i->sf = (q ? 16 : 8) >> size;
			i->cond = size;
		}
		i->op = op;
		i->fn = h_across;
		return 0;
	}
	if ((raw & 0xdf3e0c00) == 0x5e300800) { /* scalar pairwise */
		unsigned u = (raw >> 29) & 1, opc = BITS(raw, 16, 12);
		if (!u && opc == 0x1b && size == 3) { /* ADDP Dd, Vn.2D */
			i->sf = 1;
			i->cond = 3;
			i->op = V_ADDP;
			i->rm = rn;
			i->fn = h_3same;
			/* pairwise over n: elements n[0]+n[1] */
			i->sf = 2;
			return 0;
		}
		if (u && (opc == 0x0d || opc == 0x0f || opc == 0x0c)) {
			i->cond = (size & 1) ? 3 : 2;
			i->op = opc == 0x0d ? V_FADDP : opc == 0x0f ? ((size & 2) ? V_FMINP : V_FMAXP)
					     : ((size & 2) ? V_FMINNMP : V_FMAXNMP);
			i->rm = rn;
			i->sf = 2;
			i->fn = h_3same;
			return 0;
		}
		return -1;
	}
	if ((raw & 0x9fe08400) == 0x0e000400 || (raw & 0xffe08400) == 0x5e000400) { /* copy */
		unsigned imm5 = BITS(raw, 20, 16), imm4 = BITS(raw, 14, 11), op = (raw >> 29) & 1;
		int scalar = (raw >> 28) & 1;
		if ((imm5 & 15) == 0)
			return -1;
		int sz = __builtin_ctz(imm5);
		i->cond = sz;
		i->sh = imm5 >> (sz + 1);
		if (scalar) { /* DUP scalar: a one-element vector */
			if (op || imm4)
				return -1;
			i->op = 0;
			i->sf = 1;
			i->fn = h_copy;
			return 0;
		}
		if (op) {
			if (!q)
				return -1;
			i->op = 3;
			i->ra = imm4 >> sz;
			i->fn = h_copy;
			return 0;
		}
		switch (imm4) {
		case 0:
			if (sz == 3 && !q)
				return -1;
			i->op = 0;
			i->sf = (q ? 16 : 8) >> sz;
			break;
		case 1:
			if (sz == 3 && !q)
				return -1;
			i->op = 1;
			i->rn = rz(rn);
			i->sf = (q ? 16 : 8) >> sz;
			break;
		case 3:
			if (!q)
				return -1;
			i->op = 2;
			i->rn = rz(rn);
			break;
		case 5:
			if (sz >= 2 + (int)q)
				return -1;
			i->op = 5;
			i->imm2 = q;
			i->rd = wz(rd);
			break;
		case 7:
			if ((sz == 3) != (int)q)
				return -1;
			i->op = 4;
			i->rd = wz(rd);
			break;
		default:
			return -1;
		}
		i->fn = h_copy;
		return 0;
	}
	if ((raw & 0x9ff80400) == 0x0f000400) { /* modified immediate */
		unsigned op = (raw >> 29) & 1, cmode = BITS(raw, 15, 12), o2 = (raw >> 11) & 1;
		unsigned imm8 = (BITS(raw, 18, 16) << 5) | BITS(raw, 9, 5);
		int ok;
		if (o2)
			return -1;
		if (cmode == 15 && op && !q)
			return -1;
		i->imm = adv_simd_expand_imm(op, cmode, imm8, &ok);
		i->sf = q ? 16 : 8;
		if (cmode < 12 && (cmode & 1) && cmode < 14)
			i->op = op ? 2 : 1; /* ORR / BIC */
		else {
			i->op = 0;
			if (op && cmode < 14)
				i->imm = ~i->imm; /* MVNI */
		}
		i->fn = h_modimm;
		return 0;
	}
	if ((raw & 0x9f800400) == 0x0f000400) /* shift by immediate */
		return decode_shimm(raw, i, 0);
	if ((raw & 0xdf800400) == 0x5f000400)
		return decode_shimm(raw, i, 1);
	if ((raw & 0x9f200c00) == 0x0e200000) { /* three different */
		unsigned u = (raw >> 29) & 1, opc = BITS(raw, 15, 12);
		if (size == 3 && opc != 14)
			return -1;
		switch (opc) {
		case 0: case 1: case 2: case 3: case 5: case 7: case 8: case 10: case 12: break;
		case 4: case 6: i->ra = u ? 2 : 0; break;
		case 14: if (u || size != 0) return -1; break;
		default: return -1;
		}
		i->op = opc;
		i->cond = size;
		if (opc != 4 && opc != 6)
			i->ra = u;
		i->sh = q;
		i->fn = h_3diff;
		return 0;
	}
	if ((raw & 0xbf208c00) == 0x0e000800) { /* permute */
		unsigned opc = BITS(raw, 14, 12);
		if (opc == 0 || opc == 4 || (size == 3 && !q))
			return -1;
		i->op = opc;
		i->cond = size;
		i->sf = (q ? 16 : 8) >> size;
		i->fn = h_perm;
		return 0;
	}
	if ((raw & 0xbfe08400) == 0x2e000000) { /* EXT */
		unsigned imm4 = BITS(raw, 14, 11);
		if (!q && imm4 >= 8)
			return -1;
		i->sh = imm4;
		i->sf = q ? 16 : 8;
		i->fn = h_ext;
		return 0;
	}
	if ((raw & 0xbfe08c00) == 0x0e000000) { /* TBL/TBX */
		i->sh = BITS(raw, 14, 13) + 1;
		i->op = (raw >> 12) & 1;
		i->sf = q ? 16 : 8;
		i->fn = h_tbl;
		return 0;
	}
	if ((raw & 0x9f000400) == 0x0f000000) { /* vector by element */
		unsigned u = (raw >> 29) & 1, opc = BITS(raw, 15, 12);
		unsigned l = (raw >> 21) & 1, mbit = (raw >> 20) & 1, h = (raw >> 11) & 1;
		int op;
		switch ((u << 4) | opc) {
		case 0x08: op = 0; break;
		case 0x10: op = 1; break;
		case 0x14: op = 2; break;
		case 0x09: op = 3; break;
		case 0x01: op = 4; break;
		case 0x05: op = 5; break;
		case 0x0a: case 0x1a: op = 6; break;
		case 0x02: case 0x12: op = 7; break;
		default: return -1;
		}
		if (op >= 3 && op <= 5) {
			unsigned sz = size & 1;
			if (size < 2)
				return -1;
			i->cond = sz ? 3 : 2;
			i->sh = sz ? h : (h << 1) | l;
			if (sz && l)
				return -1;
			i->rm = rm;
		} else {
			if (size == 1) {
				i->sh = (h << 2) | (l << 1) | mbit;
				i->rm = rm & 15;
			} else if (size == 2) {
				i->sh = (h << 1) | l;
				i->rm = rm | (mbit << 4);
			} else
				return -1;
			i->rm = size == 1 ? BITS(raw, 19, 16) : (mbit << 4) | BITS(raw, 19, 16);
			i->cond = size;
		}
		i->sf = (q ? 16 : 8) >> i->cond;
		i->ra = u;
		i->imm2 = q;
		i->op = op;
		i->fn = h_elem;
		return 0;
	}
	return -1;
}

int a64_simd_form(a64_fn fn)
{
	if (fn == h_3same_b) return A64_S_3SAME_B;
	if (fn == h_3same) return A64_S_3SAME;
	if (fn == h_2misc) return A64_S_2MISC;
	if (fn == h_shimm) return A64_S_SHIMM;
	if (fn == h_copy) return A64_S_COPY;
	if (fn == h_modimm) return A64_S_MODIMM;
	return A64_S_NONE;
}
