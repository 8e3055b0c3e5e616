/* The AArch64 user-level CPU: register state, the pre-decoded instruction
 * form and the per-block decode cache.
 *
 * Guest memory is host memory at the same address (user addresses are 48-bit
 * on both architectures), so a guest load is one host load; a fault on it is
 * caught by the SIGSEGV handler and becomes a guest signal.
 *
 * Each instruction is decoded once into a struct a64_insn: a handler and the
 * operands it needs (register slots, immediates folded at decode time).  A
 * block is a run of decoded instructions ending in an unconditional control
 * transfer (conditional branches leave it only when taken, B and BL within
 * the page are followed); blocks are cached by guest PC.  A translator would slot in at the block level:
 * same cache, same exit protocol (handlers set cpu->pc and return 0). */
#ifndef MEW_A64_CPU_H
#define MEW_A64_CPU_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Register slots: 0..30 general registers, 31 the stack pointer, 32 reads as
 * zero (XZR/WZR as a source) and 33 swallows writes (XZR as a destination). */
enum { A64_SP = 31, A64_ZR = 32, A64_DISCARD = 33, A64_NSLOTS = 34 };

/* PSTATE.NZCV bits as they sit in the NZCV system register. */
enum { A64_N = 1u << 31, A64_Z = 1u << 30, A64_C = 1u << 29, A64_V = 1u << 28 };

union a64_vreg {
	uint8_t b[16];
	int8_t sb[16];
	uint16_t h[8];
	int16_t sh[8];
	uint32_t s[4];
	int32_t ss[4];
	uint64_t d[2];
	int64_t sd[2];
	float f[4];
	double df[2];
	unsigned __int128 q;
};

struct a64_cpu;
struct a64_insn;
/* A handler that does not leave the block ends by tail-calling the next
 * instruction's handler (A64_NEXT: threaded code, one indirect branch per
 * instruction site); one that sets cpu->pc itself (branches, system calls,
 * exceptions) returns 0.  Every block ends with such an instruction. */
typedef int (*a64_fn)(struct a64_cpu *c, const struct a64_insn *i);

#define A64_NEXT ((i)[1].fn(c, (i) + 1))

struct a64_insn {
	a64_fn fn;
	uint8_t rd, rn, rm, ra; /* register slots or vector register numbers */
	uint8_t sf;		/* 1 for 64-bit, or an element size */
	uint8_t op;		/* a sub-operation chosen at decode time */
	uint8_t sh;		/* shift amount / type */
	uint8_t cond;
	uint32_t raw;
	uint8_t chain; /* 1: a direct branch (imm its target, l0 that block);
			* 2: an indirect one (imm the last target, l0 its block) */
	uint8_t pad[3];
	uint64_t pc;
	uint64_t imm;
	uint64_t imm2;
	/* Block chaining: the block at imm once known (filled by the run loop
	 * or by an indirect branch; mutable, the only mutable decoded state). */
	struct a64_block *l0;
};

struct a64_block {
	uint64_t pc;
	struct a64_block *next; /* hash chain */
	void *code;		/* translated: its host code (jit/) */
	uint32_t n;
	struct a64_insn insn[];
};

#define A64_CACHE_BITS 14

struct a64_cpu {
	uint64_t x[A64_NSLOTS];
	uint64_t pc;
	uint32_t nzcv;
	uint32_t fpcr;
	uint32_t fpsr; /* cumulative flags not yet folded from the host */
	uint64_t tpidr;
	union a64_vreg v[32] __attribute__((aligned(16)));

	/* Exclusive monitor: LDXR records, STXR compares and swaps. */
	uint64_t excl_addr;
	uint64_t excl_val[2];
	int excl_size;

	/* Where execution is: the instruction a fault is charged to. */
	const struct a64_insn *cur;
	uint64_t fault_addr;
	int fault_sig, fault_code;

	/* This thread's decode cache. */
	struct a64_block *cache[1 << A64_CACHE_BITS];
	unsigned cache_gen;
	/* Block transitions left before a return to the run loop: a signal
	 * handler zeroes it, so that chained blocks stop for a pending signal
	 * with one decrement per transition and no other check. */
	int budget;
	struct a64_insn *last; /* the branch that left the last block (for linking) */
	/* The translator (jit/): this thread's code cache, and the jump of
	 * the direct branch that left translated code last, to patch. */
	struct a64_jit *jit;
	uint8_t *jit_link;
	uint32_t jit_nzcv[16]; /* NZCV from its four bits N:Z:C:V, for the code */
	/* NZCV from LAHF's AH * 2 + OF, after an add (0) or a sub (1: C = !CF) */
	uint32_t jit_lahf[2][512];
	/* NZCV after FCMP from the host's UCOMIS: greater, less, equal, unordered */
	uint32_t jit_fcmp[4];

	/* Signals: pending bits set by host handlers, the guest's blocked mask. */
	volatile uint64_t pending;
	siginfo_t pending_info[65];
	uint64_t blocked;
	uint64_t suspend_saved; /* the mask rt_sigsuspend replaced */
	int in_suspend;
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;
	uint64_t clear_child_tid;
	int tid;
	/* A process of its own over its parent's memory (clone with CLONE_VM
	 * and without CLONE_THREAD, thread.c): its exit is its process's. */
	int own_process;
	sigjmp_buf fault_jmp;
	int exiting;
	/* A system call in progress: a fault of mew's own access to guest
	 * memory (a path, a structure it converts) answers -EFAULT through
	 * sys_fault_jmp, as the kernel's user copies do, instead of being the
	 * guest's SIGSEGV. */
	int in_syscall;
	sigjmp_buf sys_fault_jmp;
};

#define UNLIKELY_PENDING(c) __builtin_expect(((c)->pending & ~(c)->blocked) != 0, 0)

extern unsigned a64_cache_gen;

/* Translated code's transitions are jumps (no stack frames), and the
 * run loop's visit costs a hash lookup that misses the data cache: its
 * budget is longer.  A signal zeroes either; ISB returns to the run loop,
 * where a flush another thread asked for (IC IVAU, munmap) is done. */
enum { A64_BUDGET = 256, A64_JIT_BUDGET = 1 << 14 };

/* Take one block transition from the budget: one instruction that a signal
 * handler on this thread cannot split (it zeroes the budget). */
static inline int a64_budget_take(struct a64_cpu *c)
{
#if defined(__x86_64__) || defined(__i386__)
	int more;
	__asm__ volatile("subl $1, %0" : "+m"(c->budget), "=@ccg"(more));
	return more;
#else
	return __atomic_sub_fetch(&c->budget, 1, __ATOMIC_RELAXED) > 0;
#endif
}

/* Continue straight into block b from the branch i, unless the budget is
 * spent (a signal is pending, or the chain is long: the run loop checks the
 * signals and the decode-cache generation; bounded also because without
 * tail calls each link is a stack frame).  Falls through with c->last = i;
 * the caller sets c->pc and returns 0. */
#define A64_CHAIN(c, i, b)                                                       \
	do {                                                                     \
		struct a64_block *_b = (b);                                      \
		if (__builtin_expect(_b != NULL, 1) && a64_budget_take(c))       \
			return _b->insn[0].fn(c, _b->insn);                      \
		(c)->last = (struct a64_insn *)(i);                              \
	} while (0)

static inline struct a64_block *a64_lookup(struct a64_cpu *c, uint64_t pc)
{
	struct a64_block *b = c->cache[(pc >> 2) & ((1u << A64_CACHE_BITS) - 1)];
	while (b != NULL && b->pc != pc)
		b = b->next;
	return b;
}

/* cond -> set of NZCV nibbles for which it holds */
extern uint16_t a64_cond_table[16];
static inline int a64_cond(const struct a64_cpu *c, unsigned cond)
{
	return (a64_cond_table[cond] >> (c->nzcv >> 28)) & 1;
}

/* Decode one instruction word at pc into *i.  Returns 1 when the
 * instruction ends a block (a control transfer or a trap). */
int a64_decode(uint32_t raw, uint64_t pc, struct a64_insn *i);
/* Class decoders, in int.c, mem.c, simd.c; same return convention. */
int a64_decode_int(uint32_t raw, struct a64_insn *i);
int a64_decode_branch(uint32_t raw, struct a64_insn *i);
int a64_decode_mem(uint32_t raw, struct a64_insn *i);
int a64_decode_simd(uint32_t raw, struct a64_insn *i);
int a64_decode_fp(uint32_t raw, struct a64_insn *i);

/* Peephole at decode time over a block's n instructions: a compare
 * followed by B.cond runs as one, and so do pairs (fuse.c). */
int a64_is_cmp(const struct a64_insn *i);
void a64_peephole(struct a64_insn *insn, unsigned n);
int a64_direct_jump(const struct a64_insn *i, uint64_t *target);
void a64_bl_to_link(struct a64_insn *i);
int a64_is_nop(const struct a64_insn *i);
/* Which branch a handler is, for the translator (jit/). */
enum { A64_BR_NONE, A64_BR_B, A64_BR_BL, A64_BR_BCOND, A64_BR_CBZ, A64_BR_TBZ, A64_BR_BR, A64_BR_BLR,
       A64_BR_NEXT, A64_BR_LINK /* a followed BL's link */ };
int a64_branch_kind(a64_fn fn);
/* MRS Xd, TPIDR_EL0 (the thread pointer: glibc's errno and TLS) */
int a64_is_mrs_tpidr(const struct a64_insn *i);
/* DC ZVA Xt: zero the 64 bytes (DCZID_EL0 says 64) at Xt rounded down */
int a64_is_dc_zva(const struct a64_insn *i);

/* The handler for an instruction mew does not implement: SIGILL at its pc. */
int a64_undef(struct a64_cpu *c, const struct a64_insn *i);
int a64_svc(struct a64_cpu *c, const struct a64_insn *i);

/* Run the guest on this thread until it exits; never returns. */
_Noreturn void a64_run(struct a64_cpu *c);
/* Invalidate every thread's decode cache (code was unmapped or changed). */
void a64_cache_flush_all(void);
/* Guest memory [addr, addr+len) was unmapped, remapped or reprotected:
 * flush the decode caches if code was decoded from it. */
void a64_code_changed(uint64_t addr, uint64_t len);
void a64_cache_clear(struct a64_cpu *c);

/* FP status: fold the host's accumulated exception flags into FPSR. */
uint32_t a64_fpsr_read(struct a64_cpu *c);
void a64_fpsr_write(struct a64_cpu *c, uint32_t v);
void a64_fpcr_write(struct a64_cpu *c, uint32_t v);

/* Helpers shared by the handlers. */
static inline uint64_t a64_ror(uint64_t v, unsigned r, int sf)
{
	if (sf) {
		r &= 63;
		return r ? (v >> r) | (v << (64 - r)) : v;
	}
	uint32_t w = (uint32_t)v;
	r &= 31;
	return r ? (uint32_t)((w >> r) | (w << (32 - r))) : w;
}

/* AddWithCarry with NZCV, 64- or 32-bit. */
static inline uint64_t a64_add_flags(struct a64_cpu *c, uint64_t a, uint64_t b, int carry, int sf)
{
	if (sf) {
		uint64_t r, t;
		int cf = __builtin_add_overflow(a, b, &t);
		cf |= __builtin_add_overflow(t, (uint64_t)carry, &r);
		int64_t sr, st;
		int vf = __builtin_add_overflow((int64_t)a, (int64_t)b, &st);
		vf ^= __builtin_add_overflow(st, (int64_t)carry, &sr);
		c->nzcv = (uint32_t)((r >> 63) << 31) | (r == 0 ? A64_Z : 0) | (cf ? A64_C : 0) | (vf ? A64_V : 0);
		return r;
	}
	uint32_t a32 = a, b32 = b, r = a32 + b32 + carry;
	uint64_t u = (uint64_t)a32 + b32 + carry;
	int64_t sv = (int64_t)(int32_t)a32 + (int32_t)b32 + carry;
	c->nzcv = ((r >> 31) << 31) | (r == 0 ? A64_Z : 0) | ((u >> 32) ? A64_C : 0) |
		  (sv != (int32_t)r ? A64_V : 0);
	return r;
}
/* DecodeBitMasks; logical = the logical-immediate form (all ones reserved). */
int a64_decode_bitmask(int n, unsigned imms, unsigned immr, int sf, int logical, uint64_t *wmask, uint64_t *tmask);

#endif
