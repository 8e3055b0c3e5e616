/* Floating-point pieces shared by the scalar (fp.c) and vector (simd.c)
 * instructions. */
#ifndef MEW_A64_FP_H
#define MEW_A64_FP_H

#include "a64/cpu.h"

enum { FPSR_IOC = 1, FPSR_DZC = 2, FPSR_OFC = 4, FPSR_UFC = 8, FPSR_IXC = 16, FPSR_IDC = 128 };
enum { FPCR_FZ = 1 << 24, FPCR_DN = 1 << 25 };
enum { FPROUND_N, FPROUND_P, FPROUND_M, FPROUND_Z, FPROUND_A, FPROUND_CUR };
enum { FOP_ADD, FOP_SUB, FOP_MUL, FOP_DIV, FOP_MAX, FOP_MIN, FOP_MAXNM, FOP_MINNM, FOP_NMUL, FOP_ABD };

#define UNLIKELY_NAN(r) __builtin_expect(__builtin_isnan(r), 0)

/* FPCR.FZ flushes denormal inputs to zero and says so in FPSR.IDC.  The
 * host's DAZ flushes them silently in arithmetic (comparisons and float ->
 * double conversions too), but not where mew selects an operand itself
 * (FMAX, FMIN...): inputs go through these, which check the bits before
 * any host FP instruction sees them and return the flushed value. */
static inline double a64_fz_d(struct a64_cpu *c, double v)
{
	uint64_t u;
	__builtin_memcpy(&u, &v, 8);
	if (__builtin_expect((c->fpcr & FPCR_FZ) != 0, 0) && !(u & 0x7ff0000000000000ull) &&
	    (u & 0x000fffffffffffffull)) {
		c->fpsr |= FPSR_IDC;
		u &= 1ull << 63;
		__builtin_memcpy(&v, &u, 8);
	}
	return v;
}
static inline float a64_fz_s(struct a64_cpu *c, float v)
{
	uint32_t u;
	__builtin_memcpy(&u, &v, 4);
	if (__builtin_expect((c->fpcr & FPCR_FZ) != 0, 0) && !(u & 0x7f800000u) && (u & 0x007fffffu)) {
		c->fpsr |= FPSR_IDC;
		u &= 1u << 31;
		__builtin_memcpy(&v, &u, 4);
	}
	return v;
}

/* For the translator: the scalar forms it emits itself, by their
 * handler (A64_F_NONE for the others).  OP2: FADD FSUB FMUL FDIV... (op:
 * FOP_*, sf: 8 double, 4 single); OP1: FMOV FABS FNEG FSQRT FCVT FRINT*
 * (op: the opcode field); I2F: SCVTF, UCVTF (op bit 0 unsigned, sf 64-bit
 * source, cond double, sh fraction bits); FMOV_GEN: FMOV between general
 * and FP registers (op 1 to FP, sf bytes, sh the top half); FMA: FMADD
 * FMSUB FNMADD FNMSUB (op bit 0 negates the product, bit 1 the addend);
 * CMP: FCMP, FCMPE (sh: with zero, op: signalling); F2I: FCVT*S, FCVT*U
 * (op bit 0 unsigned, sf 64-bit result, cond double, ra the rounding
 * mode, sh fraction bits); FMOV_IMM (imm the bits). */
enum { A64_F_NONE, A64_F_OP2, A64_F_OP1, A64_F_I2F, A64_F_FMOV_GEN, A64_F_FMA, A64_F_CMP, A64_F_F2I, A64_F_FMOV_IMM };
int a64_fp_form(a64_fn fn);

double a64_nan_d(struct a64_cpu *c, double a, double b, double r);
float a64_nan_s(struct a64_cpu *c, float a, float b, float r);
double a64_fop_d(struct a64_cpu *c, int op, double a, double b);
float a64_fop_s(struct a64_cpu *c, int op, float a, float b);
double a64_fma_d(struct a64_cpu *c, double a, double n, double m);
float a64_fma_s(struct a64_cpu *c, float a, float n, float m);
double a64_fsqrt_d(struct a64_cpu *c, double a);
float a64_fsqrt_s(struct a64_cpu *c, float a);
double a64_round(struct a64_cpu *c, double v, int rm, int exact);
int a64_rmode(const struct a64_cpu *c);
uint64_t a64_f2i(struct a64_cpu *c, double v, int rm, int is_signed, int width);
uint64_t a64_vfp_expand_imm(unsigned imm8, int dbl);
int a64_frint_mode(const struct a64_cpu *c, int k);
double a64_frint_d(struct a64_cpu *c, double a, int mode, int exact);
float a64_frint_s(struct a64_cpu *c, float a, int mode, int exact);
float a64_fcvt_d2s(struct a64_cpu *c, double a);
double a64_fcvt_s2d(struct a64_cpu *c, float a);

#endif
