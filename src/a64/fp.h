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

#endif
