/* Loads and stores: single registers (immediate, register offset, literal,
 * pre/post index), pairs, exclusives, acquire/release, and the SIMD&FP
 * register forms including LD1/ST1 multiple structures.  Guest addresses
 * are host addresses; a fault on them is caught in run.c. */
#include <pthread.h>

#include "a64/cpu.h"
#include "a64/simple.h"

#define X(r) (c->x[r])
#define V(r) (c->v[r])
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

static inline uint8_t rz(unsigned r) { return r == 31 ? A64_ZR : r; }
static inline uint8_t wz(unsigned r) { return r == 31 ? A64_DISCARD : r; }

enum { M_OFF = A64_M_OFF, M_PRE = A64_M_PRE, M_POST = A64_M_POST, M_REG = A64_M_REG, M_LIT = A64_M_LIT };

/* Address of the access.  op = mode, cond = extend option, sh = shift for
 * the register form.  Pre/post index writes the base back only after the
 * access (writeback): a fault leaves the guest's registers as they were
 * before the instruction, as on ARM. */
static inline uint64_t ea(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t b = X(i->rn), m;
	c->cur = i; /* a fault is charged to this instruction */
	switch (i->op) {
	case M_OFF: return b + i->imm;
	case M_PRE: return b + i->imm;
	case M_POST: return b;
	case M_REG:
		m = X(i->rm);
		switch (i->cond) {
		case 2: m = (uint32_t)m; break;
		case 6: m = (int64_t)(int32_t)m; break;
		}
		return b + (m << i->sh);
	default: return i->imm;
	}
}

/* The base of a pre/post-index access at address a, once it is done */
static inline void writeback(struct a64_cpu *c, const struct a64_insn *i, uint64_t a)
{
	if (i->op == M_PRE)
		X(i->rn) = a;
	else if (i->op == M_POST)
		X(i->rn) = a + i->imm;
}

/* A load that writes back to its own target register leaves the data
 * there (the base is written first). */
#define LOAD(name, type, conv)                                                     \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		uint64_t a = ea(c, i);                                             \
		uint64_t v = conv(*(type *)(uintptr_t)a);                          \
		writeback(c, i, a);                                                \
		X(i->rd) = v;                                                      \
		return A64_NEXT;                                                   \
	}
#define STORE(name, type)                                                          \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		type v = (type)X(i->rd);                                           \
		uint64_t a = ea(c, i);                                             \
		*(type *)(uintptr_t)a = v;                                         \
		writeback(c, i, a);                                                \
		return A64_NEXT;                                                   \
	}
#define U64(x) ((uint64_t)(x))
#define S64(x) ((uint64_t)(int64_t)(x))
#define S32(x) ((uint64_t)(uint32_t)(int32_t)(x))

typedef uint16_t __attribute__((aligned(1), may_alias)) u16u;
typedef uint32_t __attribute__((aligned(1), may_alias)) u32u;
typedef uint64_t __attribute__((aligned(1), may_alias)) u64u;
typedef int16_t __attribute__((aligned(1), may_alias)) s16u;
typedef int32_t __attribute__((aligned(1), may_alias)) s32u;
typedef unsigned __int128 __attribute__((aligned(1), may_alias)) u128u;

LOAD(h_ldb, uint8_t, U64)
LOAD(h_ldh, u16u, U64)
LOAD(h_ldw, u32u, U64)
LOAD(h_ldx, u64u, U64)
LOAD(h_ldsb64, int8_t, S64)
LOAD(h_ldsh64, s16u, S64)
LOAD(h_ldsw64, s32u, S64)
LOAD(h_ldsb32, int8_t, S32)
LOAD(h_ldsh32, s16u, S32)
STORE(h_stb, uint8_t)
STORE(h_sth, u16u)
STORE(h_stw, u32u)
STORE(h_stx, u64u)
/* The common base + unsigned offset forms, without the mode switch (simple.h). */
A64_SIMPLE_HANDLER(ldb_off)
A64_SIMPLE_HANDLER(ldw_off)
A64_SIMPLE_HANDLER(ldx_off)
A64_SIMPLE_HANDLER(stb_off)
A64_SIMPLE_HANDLER(stw_off)
A64_SIMPLE_HANDLER(stx_off)

/* Register offset without an extend (LSL, or UXTX/SXTX: the whole register). */
#define LOAD_REG(name, type)                                                       \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		c->cur = i;                                                        \
		X(i->rd) = *(type *)(uintptr_t)(X(i->rn) + (X(i->rm) << i->sh));   \
		return A64_NEXT;                                                   \
	}
#define STORE_REG(name, type)                                                      \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		c->cur = i;                                                        \
		*(type *)(uintptr_t)(X(i->rn) + (X(i->rm) << i->sh)) = (type)X(i->rd); \
		return A64_NEXT;                                                   \
	}
A64_SIMPLE_HANDLER(ldb_reg)
LOAD_REG(h_ldw_reg, u32u)
LOAD_REG(h_ldx_reg, u64u)
STORE_REG(h_stb_reg, uint8_t)
STORE_REG(h_stw_reg, u32u)
STORE_REG(h_stx_reg, u64u)

/* Pre/post index, the prologue/epilogue and string-loop forms. */
#define LOAD_IDX(name, type, post)                                                 \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		c->cur = i;                                                        \
		uint64_t b = X(i->rn), a = post ? b : b + i->imm;                  \
		uint64_t v = *(type *)(uintptr_t)a;                                \
		X(i->rn) = b + i->imm;                                             \
		X(i->rd) = v;                                                      \
		return A64_NEXT;                                                   \
	}
#define STORE_IDX(name, type, post)                                                \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		c->cur = i;                                                        \
		uint64_t b = X(i->rn), a = post ? b : b + i->imm;                  \
		*(type *)(uintptr_t)a = (type)X(i->rd);                            \
		X(i->rn) = b + i->imm;                                             \
		return A64_NEXT;                                                   \
	}
A64_SIMPLE_HANDLER(ldb_post)
A64_SIMPLE_HANDLER(ldx_post)
LOAD_IDX(h_ldx_pre, u64u, 0)
A64_SIMPLE_HANDLER(stb_post)
A64_SIMPLE_HANDLER(stb_pre)
STORE_IDX(h_stx_post, u64u, 1)
A64_SIMPLE_HANDLER(stx_pre)

A64_SIMPLE_HANDLER(ldp_x_post)

A64_SIMPLE_HANDLER(stp_x_pre)

A64_SIMPLE_HANDLER(ldp_x_off)
A64_SIMPLE_HANDLER(stb_uxtw)
A64_SIMPLE_HANDLER(ldb_uxtw)
A64_SIMPLE_HANDLER(vstp_q_off)

A64_SIMPLE_HANDLER(stp_x_off)

/* SIMD&FP registers: loads zero the rest of the vector. */
#define VLOAD(name, type)                                                          \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		uint64_t a = ea(c, i);                                             \
		type v = *(type *)(uintptr_t)a;                                    \
		writeback(c, i, a);                                                \
		V(i->rd).q = 0;                                                    \
		memcpy(&V(i->rd), &v, sizeof(v));                                  \
		return A64_NEXT;                                                          \
	}
#define VSTORE(name, type)                                                         \
	static int name(struct a64_cpu *c, const struct a64_insn *i)              \
	{                                                                          \
		type v;                                                            \
		memcpy(&v, &V(i->rd), sizeof(v));                                  \
		uint64_t a = ea(c, i);                                             \
		*(type *)(uintptr_t)a = v;                                         \
		writeback(c, i, a);                                                \
		return A64_NEXT;                                                   \
	}
VLOAD(h_vldb, uint8_t)
VLOAD(h_vldh, u16u)
VLOAD(h_vlds, u32u)
VLOAD(h_vldd, u64u)
VLOAD(h_vldq, u128u)
VSTORE(h_vstb, uint8_t)
VSTORE(h_vsth, u16u)
VSTORE(h_vsts, u32u)
VSTORE(h_vstd, u64u)
VSTORE(h_vstq, u128u)

static int h_prfm(struct a64_cpu *c, const struct a64_insn *i)
{
	writeback(c, i, ea(c, i));
	return A64_NEXT;
}

/* Pairs: ra is the second register, sf the access size in bytes. */
static int h_ldp(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = ea(c, i), v1, v2;
	switch (i->sf) {
	case 4: v1 = *(u32u *)a; v2 = *(u32u *)(a + 4); break;
	case 5: v1 = (int64_t)*(s32u *)a; v2 = (int64_t)*(s32u *)(a + 4); break; /* LDPSW */
	default: v1 = *(u64u *)a; v2 = *(u64u *)(a + 8); break;
	}
	writeback(c, i, a);
	X(i->rd) = v1;
	X(i->ra) = v2;
	return A64_NEXT;
}

static int h_stp(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t v1 = X(i->rd), v2 = X(i->ra);
	uint64_t a = ea(c, i);
	if (i->sf == 4) {
		*(u32u *)a = v1;
		*(u32u *)(a + 4) = v2;
	} else {
		*(u64u *)a = v1;
		*(u64u *)(a + 8) = v2;
	}
	writeback(c, i, a);
	return A64_NEXT;
}

static int h_vstp_q(struct a64_cpu *c, const struct a64_insn *i)
{
	unsigned __int128 v1 = V(i->rd).q, v2 = V(i->ra).q;
	uint64_t a = ea(c, i);
	*(u128u *)a = v1;
	*(u128u *)(a + 16) = v2;
	writeback(c, i, a);
	return A64_NEXT;
}

static int h_vldp_q(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = ea(c, i);
	unsigned __int128 v1 = *(u128u *)a, v2 = *(u128u *)(a + 16);
	writeback(c, i, a);
	V(i->rd).q = v1;
	V(i->ra).q = v2;
	return A64_NEXT;
}

static int h_vldp(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = ea(c, i);
	union a64_vreg v1 = { .q = 0 }, v2 = { .q = 0 };
	memcpy(&v1, (void *)a, i->sf);
	memcpy(&v2, (void *)(a + i->sf), i->sf);
	writeback(c, i, a);
	V(i->rd) = v1;
	V(i->ra) = v2;
	return A64_NEXT;
}

static int h_vstp(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t a = ea(c, i);
	memcpy((void *)a, &V(i->rd), i->sf);
	memcpy((void *)(a + i->sf), &V(i->ra), i->sf);
	writeback(c, i, a);
	return A64_NEXT;
}

/* LD1/ST1 multiple structures, 1 to 4 consecutive registers: sh = count,
 * sf = bytes per register (8 or 16); imm = post-index amount, rm = index
 * register or ZR, op bit0 = load. */
static int h_ldst1(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn);
	for (int r = 0; r < i->sh; r++) {
		union a64_vreg *v = &V((i->rd + r) & 31);
		if (i->op & 1) {
			union a64_vreg t = { .q = 0 };
			memcpy(&t, (void *)(a + r * i->sf), i->sf);
			*v = t;
		} else
			memcpy((void *)(a + r * i->sf), v, i->sf);
	}
	if (i->cond)
		X(i->rn) = a + (i->rm == A64_ZR ? i->imm : X(i->rm));
	return A64_NEXT;
}

/* LD2..LD4 / ST2..ST4 multiple structures: interleaved elements.
 * sh = registers, ra = element size bytes, sf = bytes per register. */
static int h_ldstn(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn);
	unsigned es = i->ra, n = i->sh, elems = i->sf / es;
	if (i->op & 1) {
		union a64_vreg t[4] = { { .q = 0 } };
		for (unsigned e = 0; e < elems; e++)
			for (unsigned r = 0; r < n; r++)
				memcpy(&t[r].b[e * es], (void *)(a + (e * n + r) * es), es);
		for (unsigned r = 0; r < n; r++)
			V((i->rd + r) & 31) = t[r];
	} else {
		for (unsigned e = 0; e < elems; e++)
			for (unsigned r = 0; r < n; r++)
				memcpy((void *)(a + (e * n + r) * es), &V((i->rd + r) & 31).b[e * es], es);
	}
	if (i->cond)
		X(i->rn) = a + (i->rm == A64_ZR ? i->imm : X(i->rm));
	return A64_NEXT;
}

/* LD1R and single-lane LD1/ST1: op bit0 load, bit1 replicate; ra element
 * bytes; sh lane; sf = 16 for Q. */
static int h_ldst1_lane(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn);
	unsigned es = i->ra;
	union a64_vreg *v = &V(i->rd);
	if (i->op & 2) {
		union a64_vreg t = { .q = 0 };
		for (unsigned e = 0; e < i->sf / es; e++)
			memcpy(&t.b[e * es], (void *)a, es);
		*v = t;
	} else if (i->op & 1)
		memcpy(&v->b[i->sh * es], (void *)a, es);
	else
		memcpy((void *)a, &v->b[i->sh * es], es);
	if (i->cond)
		X(i->rn) = a + (i->rm == A64_ZR ? i->imm : X(i->rm));
	return A64_NEXT;
}

/* ---- exclusives and acquire/release ---- */

static pthread_mutex_t pair_lock = PTHREAD_MUTEX_INITIALIZER;

static inline uint64_t load_sized(uint64_t a, int size)
{
	switch (size) {
	case 1: return __atomic_load_n((uint8_t *)a, __ATOMIC_ACQUIRE);
	case 2: return __atomic_load_n((uint16_t *)a, __ATOMIC_ACQUIRE);
	case 4: return __atomic_load_n((uint32_t *)a, __ATOMIC_ACQUIRE);
	default: return __atomic_load_n((uint64_t *)a, __ATOMIC_ACQUIRE);
	}
}

static int h_ldxr(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn);
	uint64_t v = load_sized(a, i->sf);
	c->excl_addr = a;
	c->excl_size = i->sf;
	c->excl_val[0] = v;
	X(i->rd) = v;
	return A64_NEXT;
}

static inline int cas_sized(uint64_t a, uint64_t expect, uint64_t v, int size)
{
	switch (size) {
	case 1: { uint8_t e = expect; return __atomic_compare_exchange_n((uint8_t *)a, &e, (uint8_t)v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	case 2: { uint16_t e = expect; return __atomic_compare_exchange_n((uint16_t *)a, &e, (uint16_t)v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	case 4: { uint32_t e = expect; return __atomic_compare_exchange_n((uint32_t *)a, &e, (uint32_t)v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	default: { uint64_t e = expect; return __atomic_compare_exchange_n((uint64_t *)a, &e, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	}
}

/* STXR: rm is the status register. */
static int h_stxr(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn), v = X(i->rd);
	int ok = c->excl_size == i->sf && c->excl_addr == a &&
		 cas_sized(a, c->excl_val[0], v, i->sf);
	c->excl_size = 0;
	X(i->rm) = !ok;
	return A64_NEXT;
}

static int h_ldxp(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn), v1, v2;
	if (i->sf == 4) {
		uint64_t v = load_sized(a, 8);
		v1 = (uint32_t)v;
		v2 = v >> 32;
	} else {
		pthread_mutex_lock(&pair_lock);
		v1 = ((uint64_t *)a)[0];
		v2 = ((uint64_t *)a)[1];
		pthread_mutex_unlock(&pair_lock);
	}
	c->excl_addr = a;
	c->excl_size = i->sf * 2;
	c->excl_val[0] = v1;
	c->excl_val[1] = v2;
	X(i->rd) = v1;
	X(i->ra) = v2;
	return A64_NEXT;
}

static int h_stxp(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn), v1 = X(i->rd), v2 = X(i->ra);
	int ok = 0;
	if (c->excl_size == i->sf * 2 && c->excl_addr == a) {
		if (i->sf == 4)
			ok = cas_sized(a, (uint32_t)c->excl_val[0] | (c->excl_val[1] << 32),
				       (uint32_t)v1 | (v2 << 32), 8);
		else {
			pthread_mutex_lock(&pair_lock);
			uint64_t *p = (uint64_t *)a;
			if (p[0] == c->excl_val[0] && p[1] == c->excl_val[1]) {
				p[0] = v1;
				p[1] = v2;
				ok = 1;
			}
			pthread_mutex_unlock(&pair_lock);
		}
	}
	c->excl_size = 0;
	X(i->rm) = !ok;
	return A64_NEXT;
}

static int h_ldar(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	X(i->rd) = load_sized(X(i->rn), i->sf);
	return A64_NEXT;
}

static int h_stlr(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i;
	uint64_t a = X(i->rn), v = X(i->rd);
	switch (i->sf) {
	case 1: __atomic_store_n((uint8_t *)a, v, __ATOMIC_SEQ_CST); break;
	case 2: __atomic_store_n((uint16_t *)a, v, __ATOMIC_SEQ_CST); break;
	case 4: __atomic_store_n((uint32_t *)a, v, __ATOMIC_SEQ_CST); break;
	default: __atomic_store_n((uint64_t *)a, v, __ATOMIC_SEQ_CST); break;
	}
	return A64_NEXT;
}

/* ---- decoding ---- */

static const a64_fn gpr_ops[4][4] = {
	/* opc: STR, LDR, LDRS (64), LDRS (32) */
	{ h_stb, h_ldb, h_ldsb64, h_ldsb32 },
	{ h_sth, h_ldh, h_ldsh64, h_ldsh32 },
	{ h_stw, h_ldw, h_ldsw64, NULL },
	{ h_stx, h_ldx, NULL, NULL },
};

/* The handler and access size (log2) of a single-register load/store. */
static a64_fn single_op(unsigned size, unsigned opc, int v, int *scale, int *load)
{
	if (!v) {
		*scale = size;
		*load = opc != 0;
		if (size == 3 && opc == 2)
			return h_prfm;
		return gpr_ops[size][opc];
	}
	static const a64_fn vld[] = { h_vldb, h_vldh, h_vlds, h_vldd, h_vldq };
	static const a64_fn vst[] = { h_vstb, h_vsth, h_vsts, h_vstd, h_vstq };
	unsigned s = size | ((opc & 2) << 1);
	if (s > 4)
		return NULL;
	*scale = s;
	*load = opc & 1;
	return (opc & 1) ? vld[s] : vst[s];
}

static int decode_simd_ldst(uint32_t raw, struct a64_insn *i)
{
	int q = (raw >> 30) & 1, load = (raw >> 22) & 1, post = (raw >> 23) & 1;
	unsigned rm = BITS(raw, 20, 16), opcode = BITS(raw, 15, 12), size = BITS(raw, 11, 10);
	i->rd = raw & 31;
	i->rn = BITS(raw, 9, 5);
	i->cond = post;
	i->rm = rz(rm);
	i->op = load;
	i->sf = q ? 16 : 8;
	if (!(raw & (1u << 24))) { /* multiple structures */
		if (!post && rm != 0)
			return -1;
		unsigned n;
		switch (opcode) {
		case 7: n = 1; break;
		case 10: n = 2; break;
		case 6: n = 3; break;
		case 2: n = 4; break;
		case 8: n = 2; goto interleave;
		case 4: n = 3; goto interleave;
		case 0: n = 4; goto interleave;
		default: return -1;
		}
		i->sh = n;
		i->imm = n * i->sf;
		i->fn = h_ldst1;
		if (n <= 2 && (!post || rm == 31)) { /* the same bytes as LDR/STR Q or D, LDP/STP of two */
			static const a64_fn one[2][2] = { { h_vstd, h_vldd }, { h_vstq, h_vldq } };
			static const a64_fn two[2][2] = { { h_vstp, h_vldp }, { h_vstp_q, h_vldp_q } };
			i->fn = n == 1 ? one[q][load] : two[q][load];
			i->ra = (i->rd + 1) & 31;
			i->op = post ? M_POST : M_OFF;
			i->imm = post ? n * i->sf : 0;
		}
		return 0;
interleave:
		if (size == 3 && !q)
			return -1;
		i->sh = n;
		i->ra = 1u << size;
		i->imm = n * i->sf;
		i->fn = h_ldstn;
		return 0;
	}
	/* single structure: only the one-register forms (LD1, ST1, LD1R) */
	if ((raw >> 21) & 1)
		return -1;
	unsigned s = (raw >> 12) & 1, scale = opcode >> 2;
	unsigned idx;
	if (!post && rm != 0)
		return -1;
	switch (scale) {
	case 0: idx = (q << 3) | (s << 2) | size; i->ra = 1; break;
	case 1: if (size & 1) return -1; idx = (q << 2) | (s << 1) | (size >> 1); i->ra = 2; break;
	case 2:
		if (size & 2)
			return -1;
		if (size == 0) {
			idx = (q << 1) | s;
			i->ra = 4;
		} else {
			if (s)
				return -1;
			idx = q;
			i->ra = 8;
		}
		break;
	case 3:
		if (!load || s || (opcode & 1))
			return -1;
		i->ra = 1u << size;
		i->op = 3;
		i->sh = 0;
		i->imm = i->ra;
		i->fn = h_ldst1_lane;
		return 0;
	default: return -1;
	}
	if (opcode & 1) /* LD3/LD4 single */
		return -1;
	i->sh = idx;
	i->imm = i->ra;
	i->fn = h_ldst1_lane;
	return 0;
}

int a64_decode_mem(uint32_t raw, struct a64_insn *i)
{
	unsigned rt = raw & 31, rn = BITS(raw, 9, 5);
	int v = (raw >> 26) & 1;

	if ((raw & 0xbf800000) == 0x0c000000 || (raw & 0xbf800000) == 0x0c800000 ||
	    (raw & 0xbf800000) == 0x0d000000 || (raw & 0xbf800000) == 0x0d800000)
		return decode_simd_ldst(raw, i);

	if ((raw & 0x3f000000) == 0x08000000) { /* exclusives, acquire/release */
		unsigned size = raw >> 30, o2 = (raw >> 23) & 1, l = (raw >> 22) & 1;
		unsigned o1 = (raw >> 21) & 1, rs = BITS(raw, 20, 16), rt2 = BITS(raw, 14, 10);
		i->sf = 1u << size;
		i->rn = rn; /* SP */
		if (!o2 && !o1) {
			if (l) {
				i->rd = wz(rt);
				i->fn = h_ldxr;
			} else {
				i->rd = rz(rt);
				i->rm = wz(rs);
				i->fn = h_stxr;
			}
			return 0;
		}
		if (!o2 && o1) {
			if (size < 2)
				return -1;
			i->sf = size == 2 ? 4 : 8;
			if (l) {
				i->rd = wz(rt);
				i->ra = wz(rt2);
				i->fn = h_ldxp;
			} else {
				i->rd = rz(rt);
				i->ra = rz(rt2);
				i->rm = wz(rs);
				i->fn = h_stxp;
			}
			return 0;
		}
		if (o2 && !o1) {
			if (l) {
				i->rd = wz(rt);
				i->fn = h_ldar;
			} else {
				i->rd = rz(rt);
				i->fn = h_stlr;
			}
			return 0;
		}
		return -1;
	}

	if ((raw & 0x3b000000) == 0x18000000) { /* load literal */
		unsigned opc = raw >> 30;
		int64_t off = ((int64_t)BITS(raw, 23, 5) << 45) >> 43;
		i->op = M_LIT;
		i->imm = i->pc + off;
		i->rd = v ? rt : wz(rt);
		if (v) {
			static const a64_fn f[] = { h_vlds, h_vldd, h_vldq };
			if (opc == 3)
				return -1;
			i->fn = f[opc];
		} else {
			static const a64_fn f[] = { h_ldw, h_ldx, h_ldsw64, h_prfm };
			i->fn = f[opc];
			if (opc == 3)
				i->op = M_OFF, i->rn = A64_ZR;
		}
		return 0;
	}

	if ((raw & 0x3a000000) == 0x28000000) { /* load/store pair */
		unsigned opc = raw >> 30, mode = BITS(raw, 24, 23), l = (raw >> 22) & 1;
		int64_t imm7 = ((int64_t)BITS(raw, 21, 15) << 57) >> 57;
		static const int modes[] = { M_OFF, M_POST, M_OFF, M_PRE };
		i->op = modes[mode];
		i->rn = rn;
		if (v) {
			if (opc == 3)
				return -1;
			i->sf = 4 << opc;
			i->rd = rt;
			i->ra = BITS(raw, 14, 10);
			i->fn = l ? h_vldp : h_vstp;
			if (i->sf == 16)
				i->fn = l ? h_vldp_q : h_vstp_q;
		} else {
			if (opc == 3 || (opc == 1 && !l))
				return -1;
			i->sf = opc == 0 ? 4 : opc == 1 ? 5 : 8;
			i->rd = l ? wz(rt) : rz(rt);
			i->ra = l ? wz(BITS(raw, 14, 10)) : rz(BITS(raw, 14, 10));
			i->fn = l ? h_ldp : h_stp;
		}
		i->imm = imm7 * (i->sf == 5 ? 4 : i->sf);
		if (i->op == M_OFF && i->sf == 8 && !v)
			i->fn = l ? h_ldp_x_off : h_stp_x_off;
		if (i->op == M_OFF && i->sf == 16 && v && !l)
			i->fn = h_vstp_q_off;
		/* writeback into a loaded register is unpredictable: keep the general form */
		if (i->sf == 8 && !v && l && i->op == M_POST && rn != rt && rn != BITS(raw, 14, 10))
			i->fn = h_ldp_x_post;
		if (i->sf == 8 && !v && !l && i->op == M_PRE)
			i->fn = h_stp_x_pre;
		return 0;
	}

	if ((raw & 0x3b000000) == 0x38000000 || (raw & 0x3b000000) == 0x39000000) {
		unsigned size = raw >> 30, opc = BITS(raw, 23, 22);
		int scale, load;
		a64_fn fn = single_op(size, opc, v, &scale, &load);
		if (fn == NULL)
			return -1;
		i->fn = fn;
		i->rn = rn; /* SP */
		i->rd = v ? rt : (load ? wz(rt) : rz(rt));
		if (raw & (1u << 24)) { /* unsigned offset */
			i->op = M_OFF;
			i->imm = (uint64_t)BITS(raw, 21, 10) << scale;
			if (fn == h_ldb) i->fn = h_ldb_off;
			else if (fn == h_ldw) i->fn = h_ldw_off;
			else if (fn == h_ldx) i->fn = h_ldx_off;
			else if (fn == h_stb) i->fn = h_stb_off;
			else if (fn == h_stw) i->fn = h_stw_off;
			else if (fn == h_stx) i->fn = h_stx_off;
			return 0;
		}
		if (raw & (1u << 21)) {
			if (BITS(raw, 11, 10) != 2)
				return -1; /* atomics (LSE) are not advertised */
			unsigned opt = BITS(raw, 15, 13);
			if (!(opt & 2))
				return -1;
			i->op = M_REG;
			i->rm = rz(BITS(raw, 20, 16));
			i->cond = opt;
			i->sh = (raw & (1u << 12)) ? scale : 0;
			if (opt == 2 && fn == h_stb)
				i->fn = h_stb_uxtw;
			if (opt == 2 && fn == h_ldb)
				i->fn = h_ldb_uxtw;
			if (opt == 3 || opt == 7) {
				if (fn == h_ldb) i->fn = h_ldb_reg;
				else if (fn == h_ldw) i->fn = h_ldw_reg;
				else if (fn == h_ldx) i->fn = h_ldx_reg;
				else if (fn == h_stb) i->fn = h_stb_reg;
				else if (fn == h_stw) i->fn = h_stw_reg;
				else if (fn == h_stx) i->fn = h_stx_reg;
			}
			return 0;
		}
		int64_t imm9 = ((int64_t)BITS(raw, 20, 12) << 55) >> 55;
		i->imm = imm9;
		switch (BITS(raw, 11, 10)) {
		case 0: case 2: i->op = M_OFF; break;
		case 1: i->op = M_POST; break;
		default: i->op = M_PRE; break;
		}
		if (i->op == M_OFF) { /* unscaled (LDUR/STUR): the offset forms take any offset */
			if (fn == h_ldb) i->fn = h_ldb_off;
			else if (fn == h_ldw) i->fn = h_ldw_off;
			else if (fn == h_ldx) i->fn = h_ldx_off;
			else if (fn == h_stb) i->fn = h_stb_off;
			else if (fn == h_stw) i->fn = h_stw_off;
			else if (fn == h_stx) i->fn = h_stx_off;
		} else if (i->op == M_POST && !(load && rn == rt)) {
			if (fn == h_ldb) i->fn = h_ldb_post;
			else if (fn == h_ldx) i->fn = h_ldx_post;
			else if (fn == h_stb) i->fn = h_stb_post;
			else if (fn == h_stx) i->fn = h_stx_post;
		} else if (i->op == M_PRE && !(load && rn == rt)) {
			if (fn == h_ldx) i->fn = h_ldx_pre;
			else if (fn == h_stx) i->fn = h_stx_pre;
			else if (fn == h_stb) i->fn = h_stb_pre;
		}
		return 0;
	}
	return -1;
}

int a64_mem_kind(a64_fn fn)
{
	if (fn == h_ldb_off) return A64_K_ldb_off;
	if (fn == h_ldw_off) return A64_K_ldw_off;
	if (fn == h_ldx_off) return A64_K_ldx_off;
	if (fn == h_stb_off) return A64_K_stb_off;
	if (fn == h_stw_off) return A64_K_stw_off;
	if (fn == h_stx_off) return A64_K_stx_off;
	if (fn == h_ldb_reg) return A64_K_ldb_reg;
	if (fn == h_ldp_x_off) return A64_K_ldp_x_off;
	if (fn == h_stp_x_off) return A64_K_stp_x_off;
	if (fn == h_ldb_post) return A64_K_ldb_post;
	if (fn == h_ldx_post) return A64_K_ldx_post;
	if (fn == h_stb_post) return A64_K_stb_post;
	if (fn == h_stb_pre) return A64_K_stb_pre;
	if (fn == h_stx_pre) return A64_K_stx_pre;
	if (fn == h_ldp_x_post) return A64_K_ldp_x_post;
	if (fn == h_stp_x_pre) return A64_K_stp_x_pre;
	if (fn == h_stb_uxtw) return A64_K_stb_uxtw;
	if (fn == h_ldb_uxtw) return A64_K_ldb_uxtw;
	if (fn == h_vstp_q_off) return A64_K_vstp_q_off;
	return A64_K_NONE;
}

/* What a load or store handler does, for the translator (jit/): 0 when it
 * is none of the plain integer forms. */
int a64_excl_form(a64_fn fn)
{
	if (fn == h_ldxr) return A64_X_LDXR;
	if (fn == h_stxr) return A64_X_STXR;
	if (fn == h_ldar) return A64_X_LDAR;
	if (fn == h_stlr) return A64_X_STLR;
	return A64_X_NONE;
}

int a64_mem_shape(a64_fn fn, struct a64_mem_shape *m)
{
	static const struct {
		a64_fn fn;
		struct a64_mem_shape m;
	} forms[] = {
		{ h_ldb, { A64_LS_EA, 1, 0, 0, 0 } },	  { h_ldh, { A64_LS_EA, 2, 0, 0, 0 } },
		{ h_ldw, { A64_LS_EA, 4, 0, 0, 0 } },	  { h_ldx, { A64_LS_EA, 8, 0, 0, 0 } },
		{ h_ldsb64, { A64_LS_EA, 1, 64, 0, 0 } },	  { h_ldsh64, { A64_LS_EA, 2, 64, 0, 0 } },
		{ h_ldsw64, { A64_LS_EA, 4, 64, 0, 0 } },	  { h_ldsb32, { A64_LS_EA, 1, 32, 0, 0 } },
		{ h_ldsh32, { A64_LS_EA, 2, 32, 0, 0 } },	  { h_stb, { A64_LS_EA, 1, 0, 1, 0 } },
		{ h_sth, { A64_LS_EA, 2, 0, 1, 0 } },	  { h_stw, { A64_LS_EA, 4, 0, 1, 0 } },
		{ h_stx, { A64_LS_EA, 8, 0, 1, 0 } },	  { h_ldw_reg, { A64_LS_REG, 4, 0, 0, 0 } },
		{ h_ldx_reg, { A64_LS_REG, 8, 0, 0, 0 } },	  { h_stb_reg, { A64_LS_REG, 1, 0, 1, 0 } },
		{ h_stw_reg, { A64_LS_REG, 4, 0, 1, 0 } },	  { h_stx_reg, { A64_LS_REG, 8, 0, 1, 0 } },
		{ h_ldx_pre, { A64_LS_PRE, 8, 0, 0, 0 } },	  { h_stx_post, { A64_LS_POST, 8, 0, 1, 0 } },
		{ h_ldp, { A64_LS_PAIR, 0, 0, 0, 0 } },	  { h_stp, { A64_LS_PAIR, 0, 0, 1, 0 } },
		{ h_vldb, { A64_LS_EA, 1, 0, 0, 1 } },	  { h_vldh, { A64_LS_EA, 2, 0, 0, 1 } },
		{ h_vlds, { A64_LS_EA, 4, 0, 0, 1 } },	  { h_vldd, { A64_LS_EA, 8, 0, 0, 1 } },
		{ h_vldq, { A64_LS_EA, 16, 0, 0, 1 } },	  { h_vstb, { A64_LS_EA, 1, 0, 1, 1 } },
		{ h_vsth, { A64_LS_EA, 2, 0, 1, 1 } },	  { h_vsts, { A64_LS_EA, 4, 0, 1, 1 } },
		{ h_vstd, { A64_LS_EA, 8, 0, 1, 1 } },	  { h_vstq, { A64_LS_EA, 16, 0, 1, 1 } },
		{ h_vldp, { A64_LS_PAIR, 0, 0, 0, 1 } },  { h_vstp, { A64_LS_PAIR, 0, 0, 1, 1 } },
		{ h_vldp_q, { A64_LS_PAIR, 16, 0, 0, 1 } }, { h_vstp_q, { A64_LS_PAIR, 16, 0, 1, 1 } },
	};
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++)
		if (forms[k].fn == fn) {
			*m = forms[k].m;
			return 1;
		}
	return 0;
}
