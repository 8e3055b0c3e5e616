/* Advanced SIMD (simd.c): the operations its handlers do, by their
 * decoded op, and which handler an instruction has, for the translator. */
#ifndef MEW_A64_SIMD_H
#define MEW_A64_SIMD_H

#include "a64/cpu.h"

/* three-same (op of h_3same_b and h_3same; sf = elements, cond = size;
 * the bitwise forms: cond 0, sf bytes) */
enum {
	/* integer three-same */
	V_ADD, V_SUB, V_AND, V_BIC, V_ORR, V_ORN, V_EOR, V_BSL, V_BIT, V_BIF,
	V_CMEQ, V_CMGT, V_CMHI, V_CMGE, V_CMHS, V_CMTST, V_SMAX, V_UMAX, V_SMIN, V_UMIN,
	V_MUL, V_MLA, V_MLS, V_ADDP, V_SMAXP, V_UMAXP, V_SMINP, V_UMINP, V_SSHL, V_USHL,
	V_UQADD, V_SQADD, V_UQSUB, V_SQSUB, V_UABD, V_SABD, V_UHADD, V_SHADD, V_URHADD, V_SRHADD,
	V_UHSUB, V_SHSUB, V_PMUL, V_SQDMULH, V_SQRDMULH,
	/* floating point three-same */
	V_FADD, V_FSUB, V_FMUL, V_FDIV, V_FMAX, V_FMIN, V_FMAXNM, V_FMINNM, V_FMLA, V_FMLS,
	V_FCMEQ, V_FCMGE, V_FCMGT, V_FADDP, V_FABD, V_FACGE, V_FACGT, V_FMAXP, V_FMINP,
	V_FMAXNMP, V_FMINNMP, V_FMULX,
};

/* two-register misc (op of h_2misc; sf = elements, cond = size; the
 * narrowing forms: sh = the upper half, cond the narrow size) */
enum {
	M_REV64, M_REV32, M_REV16, M_CNT, M_NOT, M_RBIT, M_CLZ, M_CLS,
	M_CMGT0, M_CMGE0, M_CMEQ0, M_CMLE0, M_CMLT0, M_ABS, M_NEG, M_XTN,
	M_SQXTN, M_UQXTN, M_SQXTUN, M_UADDLP, M_SADDLP, M_UADALP, M_SADALP,
	M_FABS, M_FNEG, M_FSQRT, M_SCVTF, M_UCVTF, M_FCVTZS, M_FCVTZU, M_FCVTNS,
	M_FCVTNU, M_FCVTMS, M_FCVTMU, M_FCVTPS, M_FCVTPU, M_FCVTAS, M_FCVTAU,
	M_FCMGT0, M_FCMGE0, M_FCMEQ0, M_FCMLE0, M_FCMLT0, M_FRINTN, M_FRINTP,
	M_FRINTM, M_FRINTZ, M_FRINTA, M_FRINTX, M_FRINTI, M_FCVTL, M_FCVTN,
	M_FRECPE, M_FRSQRTE, M_URECPE, M_SHLL,
};

/* For the translator: 3SAME_B, byte lanes (CMEQ CMHS CMHI CMTST ADD SUB
 * UMAX UMIN UMAXP UMINP ADDP); 3SAME, the other three-same forms; 2MISC;
 * SHIMM, shift by immediate (op as h_shimm: 0 SSHR 1 USHR 4 SHL 7 SHRN...;
 * sh amount, cond size, sf elements, ra the upper half); COPY, DUP INS UMOV
 * SMOV (op as h_copy); MODIMM, MOVI MVNI ORR BIC (op 0 set 1 orr 2 bic, imm
 * the 64-bit pattern, sf bytes). */
enum { A64_S_NONE, A64_S_3SAME_B, A64_S_3SAME, A64_S_2MISC, A64_S_SHIMM, A64_S_COPY, A64_S_MODIMM };
int a64_simd_form(a64_fn fn);

#endif
