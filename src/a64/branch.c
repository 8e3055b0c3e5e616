/* Branches, exception generation and the EL0 system instructions. */
#include <signal.h>
#include <time.h>

#include "a64/cpu.h"
#include "a64/a64.h"
#include "a64/simple.h"
#include "a64/vdso.h"

#define X(r) (c->x[r])
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

static inline uint8_t rz(unsigned r) { return r == 31 ? A64_ZR : r; }
static inline uint8_t wz(unsigned r) { return r == 31 ? A64_DISCARD : r; }

static int h_b(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_CHAIN(c, i, i->l0);
	c->pc = i->imm;
	return 0;
}

static int h_bl(struct a64_cpu *c, const struct a64_insn *i)
{
	X(30) = i->pc + 4;
	A64_CHAIN(c, i, i->l0);
	c->pc = i->imm;
	return 0;
}

/* A BL whose target the decoder went on with: only the link (simple.h). */
A64_SIMPLE_HANDLER(bl_link)

/* Conditional branches do not end their block (simple.h: a64_go). */
static int h_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_bcond(c, i);
}

/* CMP/CMN/TST + B.cond, fused at decode time (simple.h) */
static int h_cmpi_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_cmpi_bcond(c, i);
}

static int h_cmpr_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_cmpr_bcond(c, i);
}

static int h_tsti_bcond(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_tsti_bcond(c, i);
}

static int h_cbz(struct a64_cpu *c, const struct a64_insn *i);
static int h_tbz(struct a64_cpu *c, const struct a64_insn *i);
static int h_br(struct a64_cpu *c, const struct a64_insn *i);

/* What an instruction can be in a pair: first (a simple form or A64_H_*),
 * second (a simple form or A64_T_*). */
static int first_kind(a64_fn fn)
{
	int k = a64_int_kind(fn);
	if (k == A64_K_NONE)
		k = a64_mem_kind(fn);
	if (fn == h_bl_link)
		k = A64_K_bl_link;
	if (k == A64_K_NONE)
		k = fn == h_cbz ? A64_H_cbz : fn == h_bcond ? A64_H_bcond : A64_K_NONE;
	return k;
}

static int second_kind(a64_fn fn)
{
	int k = a64_int_kind(fn);
	if (k == A64_K_NONE)
		k = a64_mem_kind(fn);
	if (fn == h_bl_link)
		k = A64_K_bl_link;
	if (k != A64_K_NONE)
		return k;
	if (fn == h_cbz) return A64_T_cbz;
	if (fn == h_bcond) return A64_T_bcond;
	if (fn == h_br) return A64_T_br;
	if (fn == h_tbz) return A64_T_tbz;
	if (fn == h_cmpi_bcond) return A64_T_cmpi_bcond;
	if (fn == h_cmpr_bcond) return A64_T_cmpr_bcond;
	if (fn == h_tsti_bcond) return A64_T_tsti_bcond;
	return A64_K_NONE;
}

/* How many instructions a handler runs before it dispatches. */
static unsigned width(a64_fn fn)
{
	return fn == h_cmpi_bcond || fn == h_cmpr_bcond || fn == h_tsti_bcond ? 2 : 1;
}

/* The decode-time peephole over a decoded block: compares fused with
 * their B.cond, then pairs, left to right.  A fused instruction's handler
 * covers the next one too, whose own handler stays (never entered: blocks
 * are entered at their first instruction only). */
void a64_peephole(struct a64_insn *insn, unsigned n)
{
	for (unsigned k = 0; k + 1 < n; k++) {
		if (insn[k + 1].fn != h_bcond)
			continue;
		switch (a64_is_cmp(&insn[k])) {
		case 1: insn[k].fn = h_cmpi_bcond; break;
		case 2: insn[k].fn = h_cmpr_bcond; break;
		case 3: insn[k].fn = h_tsti_bcond; break;
		}
	}
	for (unsigned k = 0; k + 1 < n;) {
		a64_fn pair = a64_pair(first_kind(insn[k].fn), second_kind(insn[k + 1].fn));
		if (pair == NULL) {
			k += width(insn[k].fn);
			continue;
		}
		unsigned w = width(insn[k + 1].fn);
		insn[k].fn = pair;
		k += 1 + w;
	}
}

static int h_cbz(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_cbz(c, i);
}

static int h_tbz(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_tbz(c, i);
}

/* BR, RET (simple.h: a64_indirect) */
static int h_br(struct a64_cpu *c, const struct a64_insn *i)
{
	return t_br(c, i);
}

static int h_blr(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t t = X(i->rn);
	X(30) = i->pc + 4;
	return a64_indirect(c, i, t);
}

/* Falls off the end of a block that did not end in a branch. */
static int h_next(struct a64_cpu *c, const struct a64_insn *i)
{
	A64_CHAIN(c, i, i->l0);
	c->pc = i->pc;
	return 0;
}

static int h_nop(struct a64_cpu *c, const struct a64_insn *i)
{
	return A64_NEXT;
}

static int h_fence(struct a64_cpu *c, const struct a64_insn *i)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return A64_NEXT;
}

/* ISB: code another thread changed (IC IVAU there flushes every decode
 * cache) is guaranteed to be seen after it; chained blocks see a flush
 * only when they return to the run loop, so ISB returns there. */
static int h_isb(struct a64_cpu *c, const struct a64_insn *i)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	c->pc = i->pc + 4;
	return 0;
}

static int h_clrex(struct a64_cpu *c, const struct a64_insn *i)
{
	c->excl_size = 0;
	return A64_NEXT;
}

int a64_undef(struct a64_cpu *c, const struct a64_insn *i)
{
	c->pc = i->pc;
	a64_signal_sync(c, SIGILL, ILL_ILLOPC, i->pc);
	return 0;
}

static int h_brk(struct a64_cpu *c, const struct a64_insn *i)
{
	c->pc = i->pc;
	a64_signal_sync(c, SIGTRAP, TRAP_BRKPT, i->pc);
	return 0;
}

int a64_svc(struct a64_cpu *c, const struct a64_insn *i)
{
	c->pc = i->pc + 4;
	a64_syscall(c);
	return 0;
}

static int h_dc_zva(struct a64_cpu *c, const struct a64_insn *i)
{
	c->cur = i; /* may fault */
	memset((void *)(uintptr_t)(X(i->rd) & ~63ull), 0, 64);
	return A64_NEXT;
}

static int h_ic_ivau(struct a64_cpu *c, const struct a64_insn *i)
{
	a64_cache_flush_all();
	c->pc = i->pc + 4;
	return 0;
}

static uint64_t cntvct(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* CNTFRQ_EL0 says 1 GHz: one tick a nanosecond. */
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

enum {
	SR_TPIDR = 0xde82,
	SR_TPIDRRO = 0xde83,
	SR_NZCV = 0xda10,
	SR_FPCR = 0xda20,
	SR_FPSR = 0xda21,
	SR_CTR = 0xd801,
	SR_DCZID = 0xd807,
	SR_CNTVCT = 0xdf02,
	SR_CNTFRQ = 0xdf00,
	SR_MIDR = 0xc000,
	SR_MPIDR = 0xc005,
	SR_REVIDR = 0xc006,
};

static int h_mrs(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t v;
	switch (i->imm) {
	case SR_TPIDR: v = c->tpidr; break;
	case SR_TPIDRRO: v = 0; break;
	case SR_NZCV: v = c->nzcv; break;
	case SR_FPCR: v = c->fpcr; break;
	case SR_FPSR: v = a64_fpsr_read(c); break;
	case SR_CTR: v = 0x8444c004; break;
	case SR_DCZID: v = 4; break; /* 64-byte DC ZVA blocks */
	case SR_CNTVCT: v = cntvct(); break;
	case SR_CNTFRQ: v = 1000000000; break;
	case SR_MIDR: v = 0x410fd034; break; /* a Cortex-A53, as Linux reports it */
	case SR_MPIDR: v = 0x80000000; break;
	default: v = 0; break;
	}
	X(i->rd) = v;
	return A64_NEXT;
}

static int h_msr(struct a64_cpu *c, const struct a64_insn *i)
{
	uint64_t v = X(i->rd);
	switch (i->imm) {
	case SR_TPIDR: c->tpidr = v; break;
	case SR_NZCV: c->nzcv = v & 0xf0000000; break;
	case SR_FPCR: a64_fpcr_write(c, v); break;
	case SR_FPSR: a64_fpsr_write(c, v); break;
	}
	return A64_NEXT;
}

static int sysreg_known(unsigned sr, int write)
{
	switch (sr) {
	case SR_TPIDR: case SR_NZCV: case SR_FPCR: case SR_FPSR:
		return 1;
	case SR_CTR: case SR_DCZID: case SR_CNTVCT: case SR_CNTFRQ: case SR_MIDR:
	case SR_MPIDR: case SR_REVIDR: case SR_TPIDRRO:
		return !write;
	}
	return 0;
}

int a64_decode_branch(uint32_t raw, struct a64_insn *i)
{
	if ((raw & 0x7c000000) == 0x14000000) { /* B, BL */
		int64_t off = ((int64_t)(raw & 0x3ffffff) << 38) >> 36;
		i->imm = i->pc + off;
		i->fn = (raw >> 31) ? h_bl : h_b;
		i->chain = 1;
		return 1;
	}
	if ((raw & 0xff000010) == 0x54000000) { /* B.cond */
		int64_t off = ((int64_t)BITS(raw, 23, 5) << 45) >> 43;
		i->imm = i->pc + off;
		i->cond = raw & 15;
		i->fn = h_bcond;
		i->chain = 1;
		return 0;
	}
	if ((raw & 0x7e000000) == 0x34000000) { /* CBZ, CBNZ */
		int64_t off = ((int64_t)BITS(raw, 23, 5) << 45) >> 43;
		i->imm = i->pc + off;
		i->rn = rz(raw & 31);
		i->op = (raw >> 24) & 1;
		i->imm2 = (raw >> 31) ? ~0ull : 0xffffffffull;
		i->fn = h_cbz;
		i->chain = 1;
		return 0;
	}
	if ((raw & 0x7e000000) == 0x36000000) { /* TBZ, TBNZ */
		int64_t off = ((int64_t)BITS(raw, 18, 5) << 50) >> 48;
		i->imm = i->pc + off;
		i->rn = rz(raw & 31);
		i->op = (raw >> 24) & 1;
		i->sh = ((raw >> 31) << 5) | BITS(raw, 23, 19);
		i->fn = h_tbz;
		i->chain = 1;
		return 0;
	}
	if ((raw & 0xfffffc1f) == 0xd61f0000 || (raw & 0xfffffc1f) == 0xd65f0000) { /* BR, RET */
		i->rn = rz(BITS(raw, 9, 5));
		i->fn = h_br;
		i->chain = 2;
		i->imm = 1; /* no target yet: no pc is odd */
		return 1;
	}
	if ((raw & 0xfffffc1f) == 0xd63f0000) { /* BLR */
		i->rn = rz(BITS(raw, 9, 5));
		i->fn = h_blr;
		i->chain = 2;
		i->imm = 1;
		return 1;
	}
	if ((raw & 0xffe0001f) == 0xd4000001) {
		i->fn = a64_svc;
		return 1;
	}
	if ((raw & 0xffe0001f) == 0xd4000002) { /* HVC: undefined at EL0, except mew's vDSO calls */
		i->fn = a64_vdso_call(i->pc, BITS(raw, 20, 5));
		return i->fn != NULL ? 0 : -1;
	}
	if ((raw & 0xffe0001f) == 0xd4200000) {
		i->fn = h_brk;
		return 1;
	}
	if ((raw & 0xfffff01f) == 0xd503201f) { /* hints: NOP, YIELD, BTI, PAC*SP, ... */
		i->fn = h_nop;
		return 0;
	}
	if ((raw & 0xfffff0ff) == 0xd503305f) {
		i->fn = h_clrex;
		return 0;
	}
	if ((raw & 0xfffff0ff) == 0xd50330df) { /* ISB: ends the block (see h_isb) */
		i->fn = h_isb;
		return 1;
	}
	if ((raw & 0xfffff09f) == 0xd503309f) { /* DSB, DMB */
		i->fn = h_fence;
		return 0;
	}
	if ((raw & 0xfff80000) == 0xd5080000) { /* SYS */
		unsigned key = BITS(raw, 18, 5), rt = raw & 31;
		/* op1:CRn:CRm:op2 */
		i->rd = rz(rt);
		switch (key) {
		case (3 << 11) | (7 << 7) | (4 << 3) | 1: /* DC ZVA */
			i->fn = h_dc_zva;
			return 0;
		case (3 << 11) | (7 << 7) | (5 << 3) | 1: /* IC IVAU */
			i->fn = h_ic_ivau;
			return 1;
		case (3 << 11) | (7 << 7) | (11 << 3) | 1: /* DC CVAU */
		case (3 << 11) | (7 << 7) | (10 << 3) | 1: /* DC CVAC */
		case (3 << 11) | (7 << 7) | (14 << 3) | 1: /* DC CIVAC */
		case (3 << 11) | (7 << 7) | (12 << 3) | 1: /* DC CVAP */
			i->fn = h_nop;
			return 0;
		}
		return -1;
	}
	if ((raw & 0xffd00000) == 0xd5100000) { /* MSR/MRS register */
		unsigned sr = BITS(raw, 20, 5), l = (raw >> 21) & 1;
		if (!sysreg_known(sr, !l))
			return -1;
		i->imm = sr;
		if (l) {
			i->rd = wz(raw & 31);
			i->fn = h_mrs;
		} else {
			i->rd = rz(raw & 31);
			i->fn = h_msr;
		}
		return 0;
	}
	return -1;
}

int a64_decode(uint32_t raw, uint64_t pc, struct a64_insn *i)
{
	unsigned op0 = BITS(raw, 28, 25);
	int r;

	memset(i, 0, sizeof(*i));
	i->raw = raw;
	i->pc = pc;
	if ((op0 & 0xe) == 0xa)
		r = a64_decode_branch(raw, i);
	else if ((op0 & 0x5) == 0x4)
		r = a64_decode_mem(raw, i);
	else if ((op0 & 0x7) == 0x7)
		r = a64_decode_simd(raw, i);
	else if ((op0 & 0xe) == 0x8 || (op0 & 0x7) == 0x5)
		r = a64_decode_int(raw, i);
	else
		r = -1;
	if (r < 0) {
		i->fn = a64_undef;
		return 1;
	}
	return r;
}

void a64_insn_next(struct a64_insn *i, uint64_t pc)
{
	memset(i, 0, sizeof(*i));
	i->pc = pc;
	i->imm = pc;
	i->chain = 1;
	i->fn = h_next;
}

/* B and BL jump to a known place: the decoder may go on decoding there
 * instead of ending the block.  Returns 1 for B, 2 for BL (and the
 * target), 0 for anything else. */
int a64_direct_jump(const struct a64_insn *i, uint64_t *target)
{
	*target = i->imm;
	return i->fn == h_b ? 1 : i->fn == h_bl ? 2 : 0;
}

/* A BL the decoder goes on through: only the link remains to execute. */
void a64_bl_to_link(struct a64_insn *i)
{
	i->fn = h_bl_link;
	i->chain = 0;
}

/* NOPs and hints (BTI, PACIASP...) do nothing here: the decoder drops them. */
int a64_is_nop(const struct a64_insn *i)
{
	return i->fn == h_nop;
}

int a64_is_mrs_tpidr(const struct a64_insn *i) { return i->fn == h_mrs && i->imm == SR_TPIDR; }
int a64_is_dc_zva(const struct a64_insn *i) { return i->fn == h_dc_zva; }

int a64_branch_kind(a64_fn fn)
{
	if (fn == h_b) return A64_BR_B;
	if (fn == h_bl) return A64_BR_BL;
	if (fn == h_bcond) return A64_BR_BCOND;
	if (fn == h_cbz) return A64_BR_CBZ;
	if (fn == h_tbz) return A64_BR_TBZ;
	if (fn == h_br) return A64_BR_BR;
	if (fn == h_blr) return A64_BR_BLR;
	if (fn == h_next) return A64_BR_NEXT;
	if (fn == h_bl_link) return A64_BR_LINK;
	return A64_BR_NONE;
}
