/* Scalar floating point: arithmetic, compares, conversions, rounding modes
 * (FPCR.RMode on the host's MXCSR), FPSR flags (the host's accumulated
 * exception flags), and the ARM rules for NaNs, which x86 does not share. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <xmmintrin.h>

#include "a64/cpu.h"
#include "a64/fp.h"

#define X(r) (c->x[r])
#define V(r) (c->v[r])
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

static inline uint8_t rz(unsigned r) { return r == 31 ? A64_ZR : r; }
static inline uint8_t wz(unsigned r) { return r == 31 ? A64_DISCARD : r; }

/* ---- FPCR / FPSR ---- */

uint32_t a64_fpsr_read(struct a64_cpu *c)
{
	unsigned m = _mm_getcsr();
	uint32_t f = 0;
	if (m & 0x01) f |= FPSR_IOC;
	if (m & 0x04) f |= FPSR_DZC;
	if (m & 0x08) f |= FPSR_OFC;
	if (m & 0x10) f |= FPSR_UFC;
	if (m & 0x20) f |= FPSR_IXC;
	return c->fpsr | f;
}

void a64_fpsr_write(struct a64_cpu *c, uint32_t v)
{
	_mm_setcsr(_mm_getcsr() & ~0x3fu);
	c->fpsr = v;
}

void a64_fpcr_write(struct a64_cpu *c, uint32_t v)
{
	static const unsigned rc[4] = { 0, 2, 1, 3 }; /* RN RP RM RZ -> MXCSR.RC */
	unsigned m = _mm_getcsr() & ~(0x6000u | 0x8040u);
	m |= rc[(v >> 22) & 3] << 13;
	if (v & FPCR_FZ)
		m |= 0x8040; /* FTZ and DAZ */
	_mm_setcsr(m | 0x1f80);
	c->fpcr = v & 0x07ff9f00;
}

/* ---- NaNs ---- */

static inline int snan_d(uint64_t v) { return ((v >> 52) & 0x7ff) == 0x7ff && (v & 0xfffffffffffffull) && !(v & (1ull << 51)); }
static inline int snan_s(uint32_t v) { return ((v >> 23) & 0xff) == 0xff && (v & 0x7fffff) && !(v & (1u << 22)); }

double a64_nan_d(struct a64_cpu *c, double a, double b, double r)
{
	uint64_t ua, ub;
	memcpy(&ua, &a, 8);
	memcpy(&ub, &b, 8);
	uint64_t out;
	if (snan_d(ua) || snan_d(ub)) {
		c->fpsr |= FPSR_IOC;
		out = (snan_d(ua) ? ua : ub) | (1ull << 51);
	} else if (isnan(a))
		out = ua;
	else if (isnan(b))
		out = ub;
	else
		out = 0x7ff8000000000000ull; /* invalid operation: the default NaN */
	if (c->fpcr & FPCR_DN)
		out = 0x7ff8000000000000ull;
	(void)r;
	double d;
	memcpy(&d, &out, 8);
	return d;
}

float a64_nan_s(struct a64_cpu *c, float a, float b, float r)
{
	uint32_t ua, ub, out;
	memcpy(&ua, &a, 4);
	memcpy(&ub, &b, 4);
	if (snan_s(ua) || snan_s(ub)) {
		c->fpsr |= FPSR_IOC;
		out = (snan_s(ua) ? ua : ub) | (1u << 22);
	} else if (isnan(a))
		out = ua;
	else if (isnan(b))
		out = ub;
	else
		out = 0x7fc00000;
	if (c->fpcr & FPCR_DN)
		out = 0x7fc00000;
	(void)r;
	float f;
	memcpy(&f, &out, 4);
	return f;
}

static inline uint64_t bits_d(double v) { uint64_t u; memcpy(&u, &v, 8); return u; }
static inline uint32_t bits_s(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }

/* Three-operand NaN rule for fused multiply-add: a (addend) is checked
 * first for signalling, then n, m. */
static double nan3_d(struct a64_cpu *c, double a, double n, double m)
{
	/* a quiet NaN addend does not hide an invalid inf * 0 */
	if (isnan(a) && !snan_d(bits_d(a)) && !isnan(n) && !isnan(m) &&
	    ((isinf(n) && m == 0) || (n == 0 && isinf(m)))) {
		c->fpsr |= FPSR_IOC;
		uint64_t o = 0x7ff8000000000000ull;
		double f;
		memcpy(&f, &o, sizeof(f));
		return f;
	}
	uint64_t ua, un, um, out;
	memcpy(&ua, &a, 8); memcpy(&un, &n, 8); memcpy(&um, &m, 8);
	if (snan_d(ua) || snan_d(un) || snan_d(um)) {
		c->fpsr |= FPSR_IOC;
		out = (snan_d(ua) ? ua : snan_d(un) ? un : um) | (1ull << 51);
	} else if (isnan(a)) out = ua;
	else if (isnan(n)) out = un;
	else if (isnan(m)) out = um;
	else out = 0x7ff8000000000000ull;
	if (c->fpcr & FPCR_DN)
		out = 0x7ff8000000000000ull;
	double d;
	memcpy(&d, &out, 8);
	return d;
}

static float nan3_s(struct a64_cpu *c, float a, float n, float m)
{
	/* a quiet NaN addend does not hide an invalid inf * 0 */
	if (isnan(a) && !snan_s(bits_s(a)) && !isnan(n) && !isnan(m) &&
	    ((isinf(n) && m == 0) || (n == 0 && isinf(m)))) {
		c->fpsr |= FPSR_IOC;
		uint32_t o = 0x7fc00000;
		float f;
		memcpy(&f, &o, sizeof(f));
		return f;
	}
	uint32_t ua, un, um, out;
	memcpy(&ua, &a, 4); memcpy(&un, &n, 4); memcpy(&um, &m, 4);
	if (snan_s(ua) || snan_s(un) || snan_s(um)) {
		c->fpsr |= FPSR_IOC;
		out = (snan_s(ua) ? ua : snan_s(un) ? un : um) | (1u << 22);
	} else if (isnan(a)) out = ua;
	else if (isnan(n)) out = un;
	else if (isnan(m)) out = um;
	else out = 0x7fc00000;
	if (c->fpcr & FPCR_DN)
		out = 0x7fc00000;
	float f;
	memcpy(&f, &out, 4);
	return f;
}

/* ---- shared arithmetic, used by the scalar and vector forms ---- */

/* ARM detects tininess before rounding, x86 after: a product or quotient
 * that rounds up to the smallest normal number underflows on ARM only. */
static int tiny_d(int op, double a, double b, double r)
{
	if (fabs(r) != DBL_MIN || (op != FOP_MUL && op != FOP_DIV))
		return 0;
	double e = op == FOP_DIV ? fma(-r, b, a) / b : fma(a, b, -r);
	return e != 0 && signbit(e) != signbit(r);
}

static int tiny_s(int op, float a, float b, float r)
{
	if (fabsf(r) != FLT_MIN || (op != FOP_MUL && op != FOP_DIV))
		return 0;
	double exact = op == FOP_DIV ? (double)a / b : (double)a * b;
	return fabs(exact) < FLT_MIN;
}

/* Tiny results under FPCR.FZ: ARM flushes a result whose unrounded value
 * is tiny to zero and raises UFC alone; the host's FTZ decides after
 * rounding and raises inexact with underflow.  So under FZ an operation
 * runs with the host's flags cleared (fz_begin; its inputs pass through
 * FZ_ORDER so that it cannot move before), and fz_end_* fixes the result
 * and the flags.  Without FZ, a tiny result just raises UFC. */
#define FZ_ORDER(...) __asm__ volatile("" : __VA_ARGS__)
static inline unsigned fz_begin(const struct a64_cpu *c)
{
	if (__builtin_expect(!(c->fpcr & FPCR_FZ), 1))
		return 0;
	unsigned m = _mm_getcsr();
	_mm_setcsr(m & ~0x3fu);
	return m | 0x80000000u; /* a reserved MXCSR bit: "under FZ" */
}

static inline unsigned fz_flags(struct a64_cpu *c, unsigned saved, int tiny, int zero)
{
	unsigned f = _mm_getcsr() & 0x3f;
	int flush = tiny || ((f & 0x10) && zero);
	if (flush) {
		f &= ~0x30u;
		c->fpsr |= FPSR_UFC;
	}
	_mm_setcsr((saved & 0xffffu) | f);
	return flush;
}

static inline double fz_end_d(struct a64_cpu *c, unsigned saved, double r, int tiny)
{
	if (__builtin_expect(!saved, 1)) {
		if (tiny)
			c->fpsr |= FPSR_UFC;
		return r;
	}
	FZ_ORDER("+x"(r));
	return fz_flags(c, saved, tiny, r == 0) ? copysign(0.0, r) : r;
}

static inline float fz_end_s(struct a64_cpu *c, unsigned saved, float r, int tiny)
{
	if (__builtin_expect(!saved, 1)) {
		if (tiny)
			c->fpsr |= FPSR_UFC;
		return r;
	}
	FZ_ORDER("+x"(r));
	return fz_flags(c, saved, tiny, r == 0) ? copysignf(0.0f, r) : r;
}

double a64_fop_d(struct a64_cpu *c, int op, double a, double b)
{
	double r;
	a = a64_fz_d(c, a);
	b = a64_fz_d(c, b);
	unsigned fz;
	switch (op) {
	case FOP_ADD: case FOP_SUB: case FOP_MUL: case FOP_DIV:
		fz = fz_begin(c);
		FZ_ORDER("+x"(a), "+x"(b));
		r = op == FOP_ADD ? a + b : op == FOP_SUB ? a - b : op == FOP_MUL ? a * b : a / b;
		r = fz_end_d(c, fz, r, tiny_d(op, a, b, r));
		break;
	case FOP_NMUL: return -a64_fop_d(c, FOP_MUL, a, b); /* FPNeg also flips a NaN */
	case FOP_ABD: return fabs(a64_fop_d(c, FOP_SUB, a, b)); /* FPAbs clears a NaN's sign too */
	case FOP_MAX: case FOP_MIN:
		if (isnan(a) || isnan(b))
			return a64_nan_d(c, a, b, 0);
		if (a == 0 && b == 0)
			r = (op == FOP_MAX) ? (signbit(a) ? b : a) : (signbit(a) ? a : b);
		else
			r = (op == FOP_MAX) ? (a > b ? a : b) : (a < b ? a : b);
		return r;
	case FOP_MAXNM: case FOP_MINNM: {
		uint64_t ua, ub;
		memcpy(&ua, &a, 8); memcpy(&ub, &b, 8);
		if (isnan(a) && !snan_d(ua) && !isnan(b)) a = b;
		else if (isnan(b) && !snan_d(ub) && !isnan(a)) b = a;
		return a64_fop_d(c, op == FOP_MAXNM ? FOP_MAX : FOP_MIN, a, b);
	}
	default: r = 0; break;
	}
	if (UNLIKELY_NAN(r))
		r = a64_nan_d(c, a, b, r);
	return r;
}

float a64_fop_s(struct a64_cpu *c, int op, float a, float b)
{
	float r;
	a = a64_fz_s(c, a);
	b = a64_fz_s(c, b);
	unsigned fz;
	switch (op) {
	case FOP_ADD: case FOP_SUB: case FOP_MUL: case FOP_DIV:
		fz = fz_begin(c);
		FZ_ORDER("+x"(a), "+x"(b));
		r = op == FOP_ADD ? a + b : op == FOP_SUB ? a - b : op == FOP_MUL ? a * b : a / b;
		r = fz_end_s(c, fz, r, tiny_s(op, a, b, r));
		break;
	case FOP_NMUL: return -a64_fop_s(c, FOP_MUL, a, b);
	case FOP_ABD: return fabsf(a64_fop_s(c, FOP_SUB, a, b));
	case FOP_MAX: case FOP_MIN:
		if (isnan(a) || isnan(b))
			return a64_nan_s(c, a, b, 0);
		if (a == 0 && b == 0)
			r = (op == FOP_MAX) ? (signbit(a) ? b : a) : (signbit(a) ? a : b);
		else
			r = (op == FOP_MAX) ? (a > b ? a : b) : (a < b ? a : b);
		return r;
	case FOP_MAXNM: case FOP_MINNM: {
		uint32_t ua, ub;
		memcpy(&ua, &a, 4); memcpy(&ub, &b, 4);
		if (isnan(a) && !snan_s(ua) && !isnan(b)) a = b;
		else if (isnan(b) && !snan_s(ub) && !isnan(a)) b = a;
		return a64_fop_s(c, op == FOP_MAXNM ? FOP_MAX : FOP_MIN, a, b);
	}
	default: r = 0; break;
	}
	if (UNLIKELY_NAN(r))
		r = a64_nan_s(c, a, b, r);
	return r;
}

double a64_fma_d(struct a64_cpu *c, double a, double n, double m)
{
	a = a64_fz_d(c, a);
	n = a64_fz_d(c, n);
	m = a64_fz_d(c, m);
	unsigned fz = fz_begin(c);
	FZ_ORDER("+x"(a), "+x"(n), "+x"(m));
	double r = fma(n, m, a);
	int tiny = 0;
	if (__builtin_expect(fabs(r) == DBL_MIN, 0)) {
		/* tininess before rounding: the sign of exact - r, in quad
		 * precision (the product is exact there) */
		__float128 d = ((__float128)a - r) + (__float128)n * m;
		tiny = (r > 0 && d < 0) || (r < 0 && d > 0);
	}
	r = fz_end_d(c, fz, r, tiny);
	if (UNLIKELY_NAN(r))
		r = nan3_d(c, a, n, m);
	return r;
}

float a64_fma_s(struct a64_cpu *c, float a, float n, float m)
{
	a = a64_fz_s(c, a);
	n = a64_fz_s(c, n);
	m = a64_fz_s(c, m);
	unsigned fz = fz_begin(c);
	FZ_ORDER("+x"(a), "+x"(n), "+x"(m));
	float r = fmaf(n, m, a);
	int tiny = 0;
	if (__builtin_expect(fabsf(r) == FLT_MIN, 0)) {
		double d = ((double)a - r) + (double)n * m;
		tiny = (r > 0 && d < 0) || (r < 0 && d > 0);
	}
	r = fz_end_s(c, fz, r, tiny);
	if (UNLIKELY_NAN(r))
		r = nan3_s(c, a, n, m);
	return r;
}

double a64_fsqrt_d(struct a64_cpu *c, double a)
{
	a = a64_fz_d(c, a);
	double r = sqrt(a);
	if (UNLIKELY_NAN(r))
		r = a64_nan_d(c, a, a, r);
	return r;
}

float a64_fsqrt_s(struct a64_cpu *c, float a)
{
	a = a64_fz_s(c, a);
	float r = sqrtf(a);
	if (UNLIKELY_NAN(r))
		r = a64_nan_s(c, a, a, r);
	return r;
}

/* Round to integral in rounding mode rm (FPROUND_*). */
double a64_round(struct a64_cpu *c, double v, int rm, int exact)
{
	double r;
	if (isnan(v) || isinf(v))
		return v;
	unsigned csr = _mm_getcsr(); /* libm's own inexact flag is not the guest's */
	switch (rm) {
	case FPROUND_N: r = roundeven(v); break;
	case FPROUND_P: r = ceil(v); break;
	case FPROUND_M: r = floor(v); break;
	case FPROUND_Z: r = trunc(v); break;
	default: r = round(v); break; /* ties away */
	}
	r = copysign(r, v); /* libm may lose the sign under the guest's rounding mode */
	_mm_setcsr(csr);
	if (exact && r != v)
		c->fpsr |= FPSR_IXC;
	return r;
}

int a64_rmode(const struct a64_cpu *c)
{
	return (c->fpcr >> 22) & 3;
}

/* Float to integer, saturating, by rounding mode; width 32 or 64. */
uint64_t a64_f2i(struct a64_cpu *c, double v, int rm, int is_signed, int width)
{
	if (isnan(v)) {
		c->fpsr |= FPSR_IOC;
		return 0;
	}
	double r = a64_round(c, v, rm, 0);
	uint64_t out;
	int inv = 0;
	if (is_signed) {
		double lo = width == 64 ? -9223372036854775808.0 : -2147483648.0;
		double hi = width == 64 ? 9223372036854775808.0 : 2147483648.0;
		if (r < lo) {
			out = width == 64 ? (uint64_t)INT64_MIN : (uint32_t)INT32_MIN;
			inv = 1;
		} else if (r >= hi) {
			out = width == 64 ? (uint64_t)INT64_MAX : (uint32_t)INT32_MAX;
			inv = 1;
		} else
			out = width == 64 ? (uint64_t)(int64_t)r : (uint32_t)(int32_t)r;
	} else {
		double hi = width == 64 ? 18446744073709551616.0 : 4294967296.0;
		if (r < 0) {
			out = 0;
			inv = r <= -1.0 || r < 0;
		} else if (r >= hi) {
			out = width == 64 ? ~0ull : 0xffffffffull;
			inv = 1;
		} else
			out = (uint64_t)r;
	}
	if (inv)
		c->fpsr |= FPSR_IOC;
	else if (r != v)
		c->fpsr |= FPSR_IXC;
	return out;
}

/* ---- scalar handlers ---- */

#define D(r) (V(r).df[0])
#define S(r) (V(r).f[0])

static inline void setd(struct a64_cpu *c, int r, double v)
{
	V(r).q = 0;
	V(r).df[0] = v;
}

static inline void sets(struct a64_cpu *c, int r, float v)
{
	V(r).q = 0;
	V(r).f[0] = v;
}

static int h_fadd_d(struct a64_cpu *c, const struct a64_insn *i)
{
	if (__builtin_expect(c->fpcr & FPCR_FZ, 0)) {
		setd(c, i->rd, a64_fop_d(c, FOP_ADD, D(i->rn), D(i->rm)));
		return A64_NEXT;
	}
	double r = D(i->rn) + D(i->rm);
	if (UNLIKELY_NAN(r))
		r = a64_nan_d(c, D(i->rn), D(i->rm), r);
	setd(c, i->rd, r);
	return A64_NEXT;
}

static int h_fmul_d(struct a64_cpu *c, const struct a64_insn *i)
{
	if (__builtin_expect(c->fpcr & FPCR_FZ, 0)) {
		setd(c, i->rd, a64_fop_d(c, FOP_MUL, D(i->rn), D(i->rm)));
		return A64_NEXT;
	}
	double r = D(i->rn) * D(i->rm);
	if (UNLIKELY_NAN(r))
		r = a64_nan_d(c, D(i->rn), D(i->rm), r);
	if (tiny_d(FOP_MUL, D(i->rn), D(i->rm), r))
		c->fpsr |= FPSR_UFC;
	setd(c, i->rd, r);
	return A64_NEXT;
}

static int h_fop2_d(struct a64_cpu *c, const struct a64_insn *i)
{
	setd(c, i->rd, a64_fop_d(c, i->op, D(i->rn), D(i->rm)));
	return A64_NEXT;
}

static int h_fop2_s(struct a64_cpu *c, const struct a64_insn *i)
{
	sets(c, i->rd, a64_fop_s(c, i->op, S(i->rn), S(i->rm)));
	return A64_NEXT;
}

/* FMADD family: op bit0 negate product, bit1 negate addend. */
static int h_fma_d(struct a64_cpu *c, const struct a64_insn *i)
{
	double a = D(i->ra), n = D(i->rn), m = D(i->rm);
	if (i->op & 1)
		n = -n;
	if (i->op & 2)
		a = -a;
	setd(c, i->rd, a64_fma_d(c, a, n, m));
	return A64_NEXT;
}

static int h_fma_s(struct a64_cpu *c, const struct a64_insn *i)
{
	float a = S(i->ra), n = S(i->rn), m = S(i->rm);
	if (i->op & 1)
		n = -n;
	if (i->op & 2)
		a = -a;
	sets(c, i->rd, a64_fma_s(c, a, n, m));
	return A64_NEXT;
}

static void fcmp_flags(struct a64_cpu *c, double a, double b, int signal_qnan, int snan)
{
	if (isnan(a) || isnan(b)) {
		if (signal_qnan || snan)
			c->fpsr |= FPSR_IOC;
		c->nzcv = A64_C | A64_V;
	} else if (a == b)
		c->nzcv = A64_Z | A64_C;
	else if (a < b)
		c->nzcv = A64_N;
	else
		c->nzcv = A64_C;
}

/* FCMP/FCMPE: sh bit0 = compare with zero, op = signalling (E). */
static int h_fcmp_d(struct a64_cpu *c, const struct a64_insn *i)
{
	double a = D(i->rn), b = i->sh ? 0.0 : D(i->rm);
	uint64_t ua, ub;
	a = a64_fz_d(c, a);
	b = a64_fz_d(c, b);
	memcpy(&ua, &a, 8); memcpy(&ub, &b, 8);
	fcmp_flags(c, a, b, i->op, snan_d(ua) || snan_d(ub));
	return A64_NEXT;
}

static int h_fcmp_s(struct a64_cpu *c, const struct a64_insn *i)
{
	float a = S(i->rn), b = i->sh ? 0.0f : S(i->rm);
	uint32_t ua, ub;
	a = a64_fz_s(c, a);
	b = a64_fz_s(c, b);
	memcpy(&ua, &a, 4); memcpy(&ub, &b, 4);
	fcmp_flags(c, a, b, i->op, snan_s(ua) || snan_s(ub));
	return A64_NEXT;
}

static int h_fccmp(struct a64_cpu *c, const struct a64_insn *i)
{
	if (!a64_cond(c, i->cond)) {
		c->nzcv = i->imm2 << 28;
		return A64_NEXT;
	}
	return i->sf == 8 ? h_fcmp_d(c, i) : h_fcmp_s(c, i);
}

static int h_fcsel(struct a64_cpu *c, const struct a64_insn *i)
{
	union a64_vreg r = { .q = 0 };
	const union a64_vreg *s = a64_cond(c, i->cond) ? &V(i->rn) : &V(i->rm);
	memcpy(&r, s, i->sf);
	V(i->rd) = r;
	return A64_NEXT;
}

static int h_fmov_imm(struct a64_cpu *c, const struct a64_insn *i)
{
	V(i->rd).q = 0;
	V(i->rd).d[0] = i->imm;
	return A64_NEXT;
}

/* The rounding mode of FRINT{N,P,M,Z,A,-,X,I} (k = 0..7). */
int a64_frint_mode(const struct a64_cpu *c, int k)
{
	static const int rm[] = { FPROUND_N, FPROUND_P, FPROUND_M, FPROUND_Z, FPROUND_A, 0, -1, -1 };
	return rm[k] < 0 ? a64_rmode(c) : rm[k];
}

double a64_frint_d(struct a64_cpu *c, double a, int mode, int exact)
{
	a = a64_fz_d(c, a);
	return isnan(a) ? a64_nan_d(c, a, a, a) : a64_round(c, a, mode, exact);
}

float a64_frint_s(struct a64_cpu *c, float a, int mode, int exact)
{
	a = a64_fz_s(c, a);
	return isnan(a) ? a64_nan_s(c, a, a, a) : (float)a64_round(c, a, mode, exact);
}

/* FCVT double -> single: NaNs keep their payload's top bits (quietened),
 * tininess is detected before rounding as ARM does. */
float a64_fcvt_d2s(struct a64_cpu *c, double a)
{
	a = a64_fz_d(c, a);
	unsigned fz = fz_begin(c);
	FZ_ORDER("+x"(a));
	float f = (float)a;
	f = fz_end_s(c, fz, f, fabsf(f) == FLT_MIN && fabs(a) < FLT_MIN);
	if (isnan(a)) {
		uint64_t u = bits_d(a);
		uint32_t o = ((u >> 63) << 31) | 0x7fc00000 | ((u >> 29) & 0x3fffff);
		if (snan_d(u))
			c->fpsr |= FPSR_IOC;
		if (c->fpcr & FPCR_DN)
			o = 0x7fc00000;
		memcpy(&f, &o, 4);
	}
	return f;
}

double a64_fcvt_s2d(struct a64_cpu *c, float a)
{
	a = a64_fz_s(c, a);
	double d = a;
	if (isnan(a)) {
		uint32_t u = bits_s(a);
		uint64_t o = ((uint64_t)(u >> 31) << 63) | 0x7ff8000000000000ull | ((uint64_t)(u & 0x3fffff) << 29);
		if (snan_s(u))
			c->fpsr |= FPSR_IOC;
		if (c->fpcr & FPCR_DN)
			o = 0x7ff8000000000000ull;
		memcpy(&d, &o, 8);
	}
	return d;
}

/* FP data processing, one source: op is the opcode field. */
static int h_fp1_d(struct a64_cpu *c, const struct a64_insn *i)
{
	double a = D(i->rn);
	uint64_t u;
	memcpy(&u, &a, 8);
	switch (i->op) {
	case 0: V(i->rd).q = 0; V(i->rd).d[0] = u; break;
	case 1: V(i->rd).q = 0; V(i->rd).d[0] = u & ~(1ull << 63); break;
	case 2: V(i->rd).q = 0; V(i->rd).d[0] = u ^ (1ull << 63); break;
	case 3: setd(c, i->rd, a64_fsqrt_d(c, a)); break;
	case 4: sets(c, i->rd, a64_fcvt_d2s(c, a)); break;
	case 8: case 9: case 10: case 11: case 12: case 14: case 15:
		setd(c, i->rd, a64_frint_d(c, a, a64_frint_mode(c, i->op - 8), i->op == 14));
		break;
	}
	return A64_NEXT;
}

static int h_fp1_s(struct a64_cpu *c, const struct a64_insn *i)
{
	float a = S(i->rn);
	uint32_t u;
	memcpy(&u, &a, 4);
	switch (i->op) {
	case 0: V(i->rd).q = 0; V(i->rd).s[0] = u; break;
	case 1: V(i->rd).q = 0; V(i->rd).s[0] = u & ~(1u << 31); break;
	case 2: V(i->rd).q = 0; V(i->rd).s[0] = u ^ (1u << 31); break;
	case 3: sets(c, i->rd, a64_fsqrt_s(c, a)); break;
	case 5: setd(c, i->rd, a64_fcvt_s2d(c, a)); break;
	case 8: case 9: case 10: case 11: case 12: case 14: case 15:
		sets(c, i->rd, a64_frint_s(c, a, a64_frint_mode(c, i->op - 8), i->op == 14));
		break;
	}
	return A64_NEXT;
}

/* int -> float: op bit0 unsigned; sf = source width 64?; cond: 1 = double
 * result; sh = fraction bits (fixed point). */
static int h_i2f(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t v = X(i->rn);
	if (!i->sf)
		v = (i->op & 1) ? (uint32_t)v : (uint64_t)(int64_t)(int32_t)v;
	if (i->cond) {
		double r = (i->op & 1) ? (double)v : (double)(int64_t)v;
		if (i->sh)
			r = ldexp(r, -i->sh);
		setd(c, i->rd, r);
	} else {
		float r = (i->op & 1) ? (float)v : (float)(int64_t)v;
		if (i->sh)
			r = ldexpf(r, -i->sh);
		sets(c, i->rd, r);
	}
	return A64_NEXT;
}

/* float -> int: op bit0 unsigned, ra = rounding mode (FPROUND_* or 4 for
 * FPCR), cond: 1 = double source, sh = fraction bits. */
static int h_f2i(struct a64_cpu *c, const struct a64_insn *i)
{
	double v = i->cond ? a64_fz_d(c, D(i->rn)) : (double)a64_fz_s(c, S(i->rn));
	if (i->sh)
		v = ldexp(v, i->sh);
	int rm = i->ra == 5 ? a64_rmode(c) : i->ra;
	X(i->rd) = a64_f2i(c, v, rm, !(i->op & 1), i->sf ? 64 : 32);
	return A64_NEXT;
}

/* FMOV between general and FP registers: op 0 to general, 1 to FP;
 * sf = bytes; sh = 1 for the top half of a Q register (D[1]). */
static int h_fmov_gen(struct a64_cpu *c, const struct a64_insn *i)
{
	if (i->op == 0) {
		uint64_t v = i->sh ? V(i->rn).d[1] : V(i->rn).d[0];
		X(i->rd) = i->sf == 4 ? (uint32_t)v : v;
	} else if (i->sh) {
		V(i->rd).d[1] = X(i->rn);
	} else {
		uint64_t v = X(i->rn);
		V(i->rd).q = 0;
		V(i->rd).d[0] = i->sf == 4 ? (uint32_t)v : v;
	}
	return A64_NEXT;
}

int a64_fp_form(a64_fn fn)
{
	if (fn == h_fadd_d || fn == h_fmul_d || fn == h_fop2_d || fn == h_fop2_s)
		return A64_F_OP2;
	if (fn == h_fp1_d || fn == h_fp1_s)
		return A64_F_OP1;
	if (fn == h_i2f)
		return A64_F_I2F;
	if (fn == h_fmov_gen)
		return A64_F_FMOV_GEN;
	if (fn == h_fma_d || fn == h_fma_s)
		return A64_F_FMA;
	if (fn == h_fcmp_d || fn == h_fcmp_s)
		return A64_F_CMP;
	if (fn == h_f2i)
		return A64_F_F2I;
	if (fn == h_fmov_imm)
		return A64_F_FMOV_IMM;
	return A64_F_NONE;
}

static uint64_t vfp_expand_imm(unsigned imm8, int dbl)
{
	unsigned sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
	if (dbl) {
		uint64_t exp = ((uint64_t)!b6 << 10) | (b6 ? 0x3fcull : 0) | ((low >> 4) & 3);
		return ((uint64_t)sign << 63) | (exp << 52) | ((uint64_t)(low & 15) << 48);
	}
	uint32_t exp = (!b6 << 7) | (b6 ? 0x7c : 0) | ((low >> 4) & 3);
	return ((uint32_t)sign << 31) | (exp << 23) | ((low & 15) << 19);
}

uint64_t a64_vfp_expand_imm(unsigned imm8, int dbl)
{
	return vfp_expand_imm(imm8, dbl);
}

int a64_decode_fp(uint32_t raw, struct a64_insn *i)
{
	unsigned type = BITS(raw, 23, 22), rd = raw & 31, rn = BITS(raw, 9, 5), rm = BITS(raw, 20, 16);
	int dbl = type == 1;
	if ((raw & 0xfffefc00) == 0x9eae0000) { /* FMOV Xd, Vn.D[1] and back */
		i->sf = 8;
		i->sh = 1;
		i->op = (raw >> 16) & 1;
		i->rd = i->op ? rd : wz(rd);
		i->rn = i->op ? rz(rn) : rn;
		i->fn = h_fmov_gen;
		return 0;
	}
	if (type >= 2)
		return -1; /* half precision is not implemented */
	i->rd = rd;
	i->rn = rn;
	i->rm = rm;
	i->sf = dbl ? 8 : 4;

	if ((raw & 0xff000000) == 0x1f000000) { /* 3 source */
		i->ra = BITS(raw, 14, 10);
		i->op = ((raw >> 15) & 1) | (((raw >> 21) & 1) << 1);
		/* FMADD: o1=0 o0=0; FMSUB: 0 1 (negate product); FNMADD: 1 0 (negate
		 * both); FNMSUB: 1 1 (negate addend) */
		switch (i->op) {
		case 0: i->op = 0; break;
		case 1: i->op = 1; break;
		case 2: i->op = 3; break;
		default: i->op = 2; break;
		}
		i->fn = dbl ? h_fma_d : h_fma_s;
		return 0;
	}
	if ((raw & 0x7f200000) == 0x1e000000) { /* fixed-point conversions */
		unsigned rmode = BITS(raw, 20, 19), opc = BITS(raw, 18, 16), scale = BITS(raw, 15, 10);
		int sf = raw >> 31;
		if (!sf && scale < 32)
			return -1;
		i->sh = 64 - scale;
		i->sf = sf;
		i->cond = dbl;
		if (rmode == 0 && (opc == 2 || opc == 3)) {
			i->op = opc & 1;
			i->rd = rd;
			i->rn = rz(rn);
			i->fn = h_i2f;
			return 0;
		}
		if (rmode == 3 && (opc == 0 || opc == 1)) {
			i->op = opc & 1;
			i->ra = FPROUND_Z;
			i->rd = wz(rd);
			i->fn = h_f2i;
			return 0;
		}
		return -1;
	}
	if ((raw & 0x7f20fc00) == 0x1e200000) { /* FP <-> integer */
		unsigned rmode = BITS(raw, 20, 19), opc = BITS(raw, 18, 16);
		int sf = raw >> 31;
		i->sf = sf;
		i->cond = dbl;
		if (opc == 2 || opc == 3) {
			if (rmode != 0)
				return -1;
			i->op = opc & 1;
			i->rn = rz(rn);
			i->fn = h_i2f;
			return 0;
		}
		if (opc == 6 || opc == 7) { /* FMOV */
			if (rmode != 0 || sf != dbl)
				return -1;
			i->sf = sf ? 8 : 4;
			i->op = opc & 1;
			if (i->op) {
				i->rn = rz(rn);
			} else
				i->rd = wz(rd);
			i->fn = h_fmov_gen;
			return 0;
		}
		if (opc <= 1 || opc == 4 || opc == 5) {
			static const int modes[] = { FPROUND_N, FPROUND_P, FPROUND_M, FPROUND_Z };
			i->op = opc & 1;
			i->ra = opc >= 4 ? FPROUND_A : modes[rmode];
			if (opc >= 4 && rmode != 0)
				return -1;
			i->rd = wz(rd);
			i->fn = h_f2i;
			return 0;
		}
		return -1;
	}
	if ((raw & 0xff201fe0) == 0x1e201000) { /* FMOV immediate */
		i->imm = vfp_expand_imm(BITS(raw, 20, 13), dbl);
		i->fn = h_fmov_imm;
		return 0;
	}
	if ((raw & 0xff203c00) == 0x1e202000) { /* compare */
		unsigned op2 = raw & 31;
		if (op2 & 7)
			return -1;
		i->sh = (op2 >> 3) & 1;
		i->op = (op2 >> 4) & 1;
		i->fn = dbl ? h_fcmp_d : h_fcmp_s;
		return 0;
	}
	if ((raw & 0xff207c00) == 0x1e204000) { /* one source */
		unsigned opc = BITS(raw, 20, 15);
		if (opc > 15 || opc == 6 || opc == 7 || opc == 13)
			return -1;
		if ((opc == 4 && !dbl) || (opc == 5 && dbl))
			return -1;
		i->op = opc;
		i->fn = dbl ? h_fp1_d : h_fp1_s;
		return 0;
	}
	if ((raw & 0xff200c00) == 0x1e200400) { /* conditional compare */
		i->cond = BITS(raw, 15, 12);
		i->imm2 = raw & 15;
		i->op = (raw >> 4) & 1;
		i->sh = 0;
		i->fn = h_fccmp;
		return 0;
	}
	if ((raw & 0xff200c00) == 0x1e200800) { /* two source */
		static const int ops[] = { FOP_MUL, FOP_DIV, FOP_ADD, FOP_SUB, FOP_MAX, FOP_MIN, FOP_MAXNM, FOP_MINNM, FOP_NMUL };
		unsigned opc = BITS(raw, 15, 12);
		if (opc > 8)
			return -1;
		i->op = ops[opc];
		if (dbl && opc == 2)
			i->fn = h_fadd_d;
		else if (dbl && opc == 0)
			i->fn = h_fmul_d;
		else
			i->fn = dbl ? h_fop2_d : h_fop2_s;
		return 0;
	}
	if ((raw & 0xff200c00) == 0x1e200c00) { /* conditional select */
		i->cond = BITS(raw, 15, 12);
		i->fn = h_fcsel;
		return 0;
	}
	return -1;
}
