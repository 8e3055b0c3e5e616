/* The arm64 -> x86-64 translator.
 *
 * Same blocks, same cache, same exit rule as the interpreter (run.c): a
 * decoded block (without the peephole: here each instruction is seen on
 * its own) gets host code in this thread's code cache.  The code keeps the
 * guest registers and NZCV in struct a64_cpu (rbx points to it), so that a
 * fault, a signal or a call into the interpreter finds them there.
 *
 * - The simple forms (simple.h), most integer forms, the loads and stores,
 *   scalar FP arithmetic (with the handler for what x86 does differently)
 *   and the branches are emitted as host code;
 *   every other instruction calls its interpreter handler on a copy of the
 *   decoded instruction followed by a stop (jit_stop returns 1: go on; 0
 *   means the handler set c->pc and the block is left).  Coverage has no
 *   gaps: an instruction is either translated or interpreted.
 * - Loads and stores are single host accesses at the guest address; before
 *   each, c->cur names the instruction, so a fault is charged to it (the
 *   SIGSEGV handler longjmps to the run loop, as for the interpreter).
 * - A direct branch leaves through a jump that the run loop patches to the
 *   target's code once it exists (c->jit_link); an indirect one looks its
 *   target up in the decode cache's hash.  Every transition takes one from
 *   c->budget, which a signal handler zeroes: pending signals and the cache
 *   generation are seen by the run loop within A64_JIT_BUDGET transitions.
 * - Guest registers: the hottest in host registers inside a block (the
 *   operations work on them directly), written through to struct a64_cpu;
 *   a looping block's pinned ones are stored only when it leaves or calls
 *   a handler (a fault takes them from the host's context).
 * - Flags: NZCV stays in the host flags after the form that sets it, across
 *   the forms emitted without touching them (moves, LEA, loads, stores), and
 *   is stored only where it may be read; a fault where it is still there
 *   takes it from the host flags (the block's map says so).
 * - The code cache is bounded: when full, the decode cache and the code are
 *   flushed together (as on any code change: a64_cache_clear). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/jit/jit.h"
#include "a64/jit/x86.h"
#include "a64/simple.h"
#include "a64/fp.h"
#include "a64/simd.h"

#if !defined(__x86_64__)
/* Another host: the interpreter runs everything. */
int a64_jit_enabled = 0;
void a64_jit_configure(void) {}
int a64_jit_choose(int on) { return on ? -1 : 0; }
void a64_jit_attach(struct a64_cpu *c) { c->jit = NULL; }
void a64_jit_free(struct a64_jit *j) { (void)j; }
void a64_jit_reset(struct a64_cpu *c) { c->jit_link = NULL; }
struct a64_block *a64_jit_block(struct a64_cpu *c, uint64_t pc, const struct a64_insn *insn, unsigned n)
{
	return NULL;
}
void a64_jit_run(struct a64_cpu *c, struct a64_block *b, int link) {}
int a64_jit_fault_pc(struct a64_cpu *c, void *uctx, uint64_t *pc) { return 0; }
#else

enum {
	CODE_SIZE = 32 << 20, /* per thread */
	CODE_MIN = 64 << 10,  /* MEW_A64_JIT_CACHE's least: a few blocks of the largest */
	BLOCKS_MAX = CODE_SIZE / 16, /* blocks: each one's code is 16-byte aligned */
	INSN_ROOM = 512,      /* the most one instruction may emit */
	BLOCK_LINES = 80,     /* a block's instructions, at most (run.c's BLOCK_MAX + 1) */
};

/* The code cache holds code and data: blocks' code grows up from the
 * start, their data down from the end (the block headers with their
 * instruction maps, and the decoded copies that handler calls use), so a
 * block costs no malloc and a flush is two pointers.  A block's map says,
 * per instruction, where its host code starts (an offset from b->code)
 * and its pc (from the block's page: a block never leaves it but for the
 * jump to the next page's first instruction), so that
 * a fault in translated code is charged to its instruction. */
struct jit_map {
	uint16_t host, pc; /* pc's low two bits: FL_ADD or FL_SUB when NZCV is
			    * in the host flags there, not stored */
};
#define BLOCK_MAP(b) ((struct jit_map *)(void *)(b)->insn)
/* after the map: the guest register each of the (at most NPIN) pinned
 * host registers holds, or -1 (a fault takes them from the host's context) */
#define BLOCK_PINS(b) ((int8_t *)(BLOCK_MAP(b) + (b)->n))

/* What a handler is, for the translator: the questions a64_int_kind,
 * a64_mem_kind, a64_branch_kind, a64_int_form... answer by comparing with
 * each of their handlers in turn, asked once per handler and thread and
 * kept in a table by the handler's address (one instruction is looked at
 * by the flags' liveness, pinning and emission, and each exit looks at up
 * to 16 at its target) */
struct jit_class {
	a64_fn fn;
	int8_t kind; /* a64_int_kind, else a64_mem_kind */
	int8_t br, iform, fform, xform, sform, has_shape;
	struct a64_mem_shape shape;
};
enum { CLASS_BITS = 9, LIVE_BITS = 10 };

struct a64_jit {
	uint8_t *base, *end, *free; /* free: where the next block's code goes */
	uint8_t *data;		    /* the data below end, growing down */
	struct a64_block **blocks;  /* in code order, for the fault lookup */
	size_t nblocks;
	uint8_t *first;		    /* the first block's code (after the trampolines) */
	void (*enter)(struct a64_cpu *c, void *code);
	uint8_t *epilogue;
	struct jit_class cls[1 << CLASS_BITS];
	/* whether NZCV is live at a guest address (live_at), by address;
	 * emptied with the code (a change to the code flushes both) */
	struct {
		uint64_t pc;
		int live;
	} live[1 << LIVE_BITS];
};

int a64_jit_enabled = 1;
static int has_sahf; /* LAHF/SAHF in 64-bit mode (CPUID 0x80000001 ECX bit 0) */
static int has_sse41; /* ROUNDSD (CPUID 1 ECX bit 19) */
static int has_fma; /* FMA3 (CPUID 1 ECX bit 12), with the AVX state enabled by the OS */
static size_t code_size = CODE_SIZE;
static int perfmap = -1; /* MEW_A64_JIT_PERFMAP=FILE: the translated blocks, in perf's map format */

/* Developer knobs, read once in mew and inherited by the guest's threads
 * and forks: MEW_A64_JIT_CACHE=BYTES, a smaller code cache (a test fills
 * it); MEW_A64_JIT_PERFMAP=FILE, the translated blocks as perf's map
 * (opened here, before the guest's wall; copy it to /tmp/perf-PID.map of
 * the guest's pid for perf report). */
void a64_jit_configure(void)
{
	const char *v = getenv("MEW_A64_JIT");
	if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0))
		a64_jit_enabled = 0;
	v = getenv("MEW_A64_JIT_CACHE");
	if (v != NULL) {
		unsigned long long n = strtoull(v, NULL, 0);
		code_size = n < CODE_MIN ? CODE_MIN : n > CODE_SIZE ? CODE_SIZE : (size_t)n;
	}
	v = getenv("MEW_A64_JIT_PERFMAP");
	if (v != NULL && perfmap < 0)
		perfmap = open(v, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

int a64_jit_choose(int on)
{
	a64_jit_enabled = on;
	return 0;
}

/* Where NZCV is in the host flags: made by an add (C = CF) or a sub (C = !CF) */
enum { FL_NONE, FL_ADD, FL_SUB };

#define OFF(f) ((int32_t)offsetof(struct a64_cpu, f))
#define OFF_X(r) (OFF(x) + 8 * (int32_t)(r))
#define OFF_V(r) (OFF(v) + 16 * (int32_t)(r))

/* The stop after a copied instruction: its handler tail-calls it. */
static int jit_stop(struct a64_cpu *c, const struct a64_insn *i)
{
	(void)c;
	(void)i;
	return 1;
}

static struct a64_jit *jit_new(void)
{
	struct a64_jit *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	j->base = mmap(NULL, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (j->base == MAP_FAILED) {
		free(j);
		return NULL;
	}
	j->end = j->data = j->base + code_size;
	j->blocks = mmap(NULL, BLOCKS_MAX * sizeof(*j->blocks), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (j->blocks == MAP_FAILED) {
		munmap(j->base, CODE_SIZE);
		free(j);
		return NULL;
	}
	struct x86 e = { j->base };
	/* enter(c, code): save the callee-saved registers, rbx = c, jump in;
	 * the stack stays 16-byte aligned for the calls into handlers */
	j->enter = (void (*)(struct a64_cpu *, void *))(void *)e.p;
	static const uint8_t pro[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push rbx..r15 */
				       0x48, 0x83, 0xec, 0x08,				   /* sub rsp, 8 */
				       0x48, 0x89, 0xfb,					   /* mov rbx, rdi */
				       0xff, 0xe6 };					   /* jmp rsi */
	memcpy(e.p, pro, sizeof(pro));
	e.p += sizeof(pro);
	j->epilogue = e.p;
	static const uint8_t epi[] = { 0x48, 0x83, 0xc4, 0x08,				   /* add rsp, 8 */
				       0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, /* pop */
				       0xc3 };
	memcpy(e.p, epi, sizeof(epi));
	e.p += sizeof(epi);
	j->first = j->free = (uint8_t *)(((uintptr_t)e.p + 15) & ~(uintptr_t)15);
	return j;
}

void a64_jit_attach(struct a64_cpu *c)
{
	unsigned a, b, cx, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(cx), "=d"(d) : "a"(0x80000001u), "c"(0));
	has_sahf = cx & 1;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(cx), "=d"(d) : "a"(1u), "c"(0));
	has_sse41 = (cx >> 19) & 1;
	if ((cx >> 12 & 1) && (cx >> 27 & 1)) { /* FMA, OSXSAVE: XCR0 must enable SSE and AVX state */
		unsigned lo, hi;
		__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		has_fma = (lo & 6) == 6;
	}
	static const uint32_t fcmp[4] = { A64_C, A64_N, A64_Z | A64_C, A64_C | A64_V };
	memcpy(c->jit_fcmp, fcmp, sizeof(fcmp));
	for (unsigned f = 0; f < 16; f++)
		c->jit_nzcv[f] = f << 28;
	for (unsigned k = 0; k < 512; k++) { /* AH: SF ZF 0 AF 0 PF 1 CF */
		unsigned ah = k >> 1, nz = (ah >> 7 & 1) << 31 | (ah >> 6 & 1) << 30, v = (k & 1) << 28;
		c->jit_lahf[0][k] = nz | (ah & 1) << 29 | v;
		c->jit_lahf[1][k] = nz | (~ah & 1) << 29 | v;
	}
	c->jit = jit_new();
}

void a64_jit_free(struct a64_jit *j)
{
	if (j == NULL)
		return;
	munmap(j->base, CODE_SIZE);
	munmap(j->blocks, BLOCKS_MAX * sizeof(*j->blocks));
	free(j);
}

void a64_jit_reset(struct a64_cpu *c)
{
	if (c->jit != NULL) {
		c->jit->free = c->jit->first;
		c->jit->data = c->jit->end;
		c->jit->nblocks = 0;
		memset(c->jit->live, 0, sizeof(c->jit->live));
	}
	c->jit_link = NULL;
}

/* size bytes of the data below the code (the caller made sure of room) */
static void *data_alloc(struct a64_jit *j, size_t size)
{
	j->data -= (size + 7) & ~(size_t)7;
	return j->data;
}

void a64_jit_run(struct a64_cpu *c, struct a64_block *b, int link)
{
	if (c->jit_link != NULL && link)
		x86_patch(c->jit_link, b->code);
	c->jit_link = NULL;
	c->jit->enter(c, b->code);
}

static const struct jit_class *classify(struct a64_jit *j, a64_fn fn)
{
	static __thread struct jit_class spare; /* the table full: not kept */
	unsigned mask = (1u << CLASS_BITS) - 1, h = (unsigned)(((uintptr_t)fn * 0x9e3779b97f4a7c15ull) >> 40) & mask;
	struct jit_class *k = &spare;
	for (unsigned n = 0; n <= mask; n++, h = (h + 1) & mask) {
		if (j->cls[h].fn == fn)
			return &j->cls[h];
		if (j->cls[h].fn == NULL) {
			k = &j->cls[h];
			break;
		}
	}
	k->fn = fn;
	k->kind = (int8_t)a64_int_kind(fn);
	if (k->kind == A64_K_NONE)
		k->kind = (int8_t)a64_mem_kind(fn);
	k->br = (int8_t)a64_branch_kind(fn);
	k->iform = (int8_t)a64_int_form(fn);
	k->fform = (int8_t)a64_fp_form(fn);
	k->xform = (int8_t)a64_excl_form(fn);
	k->sform = (int8_t)a64_simd_form(fn);
	k->has_shape = (int8_t)a64_mem_shape(fn, &k->shape);
	return k;
}

/* ---- emission ---- */

/* Guest registers cached in host registers inside a block, write-through:
 * every write goes to struct a64_cpu as well, so a fault, an exit or a
 * handler finds the registers there; the cache only saves the loads.  It
 * starts empty at the block's entry and is dropped around a handler call
 * (the handler may write any register; the caller-saved ones are lost). */
static const int8_t pool[] = { R12, R13, R14, R15, RBP, RSI, RDI, R10, R11 };
enum { NPOOL = sizeof(pool) };
enum { NPIN = 5 }; /* pinned: the callee-saved pool registers, R12-R15 and RBP */

/* The host context's index of host register r (ucontext's gregs) */
static int greg_of(int r)
{
	static const int8_t g[16] = { [RAX] = REG_RAX, [RCX] = REG_RCX, [RDX] = REG_RDX, [RBX] = REG_RBX,
				      [RSP] = REG_RSP, [RBP] = REG_RBP, [RSI] = REG_RSI, [RDI] = REG_RDI,
				      [R8] = REG_R8,   [R9] = REG_R9,   [R10] = REG_R10, [R11] = REG_R11,
				      [R12] = REG_R12, [R13] = REG_R13, [R14] = REG_R14, [R15] = REG_R15 };
	return g[r];
}

int a64_jit_fault_pc(struct a64_cpu *c, void *uctx, uint64_t *pc)
{
	const struct a64_jit *j = c->jit;
	const greg_t *regs = ((ucontext_t *)uctx)->uc_mcontext.gregs;
	uintptr_t rip = (uintptr_t)regs[REG_RIP];
	uint64_t eflags = (uint64_t)regs[REG_EFL];
	if (j == NULL || rip < (uintptr_t)j->first || rip >= (uintptr_t)j->free || j->nblocks == 0)
		return 0;
	size_t lo = 0, hi = j->nblocks; /* the last block at or before rip */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if ((uintptr_t)j->blocks[mid]->code <= rip)
			lo = mid;
		else
			hi = mid;
	}
	const struct a64_block *b = j->blocks[lo];
	const struct jit_map *m = BLOCK_MAP(b);
	uintptr_t off = rip - (uintptr_t)b->code;
	unsigned k = 0;
	if (rip < (uintptr_t)b->code)
		return 0;
	while (k + 1 < b->n && m[k + 1].host <= off)
		k++;
	*pc = (b->pc & ~4095ull) + (m[k].pc & ~3u);
	if (m[k].pc & 3) /* NZCV from the host flags: N SF, Z ZF, C CF (not, after a sub), V OF */
		c->nzcv = (uint32_t)((eflags >> 7 & 1) << 31 | (eflags >> 6 & 1) << 30 |
				     ((eflags & 1) ^ ((m[k].pc & 3) == FL_SUB)) << 29 | (eflags >> 11 & 1) << 28);
	for (int p = 0; p < NPIN; p++) /* the pinned registers, not written through */
		if (BLOCK_PINS(b)[p] >= 0)
			c->x[BLOCK_PINS(b)[p]] = (uint64_t)regs[greg_of(pool[p])];
	return 1;
}

struct regcache {
	int8_t host[A64_NSLOTS]; /* guest slot -> host register, or -1 */
	int8_t slot[NPOOL];	 /* pool index -> guest slot, or -1 */
	uint32_t used[NPOOL];	 /* when last used: the oldest goes first */
	uint32_t clock;
	/* pinned: the pool entries a looping block keeps for the whole block
	 * (loaded once at its entry, reloaded after a handler that may write
	 * them), so that its back edges jump past those loads */
	uint16_t pinned;
};

/* NZCV is kept in the host flags after the instruction that set it, and
 * stored to struct a64_cpu only where it may be read: before an
 * instruction that reads it from there (a handler, a condition the host
 * flags cannot give), a fault that needs it, or an exit to code that may
 * read it.  Where the next access is a write, the store is left out. */
struct emit {
	struct x86 x;
	struct a64_jit *j;
	int hf;	   /* FL_ADD, FL_SUB: the host flags hold NZCV, made by an add or a sub */
	int stale; /* and c->nzcv does not (the store is still owed) */
	int live_next; /* NZCV may be read after the instruction being emitted */
	uint64_t page; /* the block's page: the code the flags' liveness may look at */
	uint64_t pc;   /* the block's */
	uint8_t *body; /* a looping block: where a branch back to pc goes (after the pinned loads) */
	struct regcache rc;
};

static void cache_drop(struct regcache *rc)
{
	memset(rc->host, -1, sizeof(rc->host));
	memset(rc->slot, -1, sizeof(rc->slot));
	rc->pinned = 0;
}

/* the pool index holding slot, or -1 */
static int cache_find(struct regcache *rc, unsigned slot)
{
	int h = slot < 32 ? rc->host[slot] : -1;
	if (h >= 0)
		rc->used[h] = ++rc->clock;
	return h;
}

/* a pool index for slot, evicting the least recently used (never a
 * pinned one: at most NPIN are, which leaves four, the most slots one
 * instruction uses) */
static int cache_bind(struct regcache *rc, unsigned slot)
{
	int h = -1;
	for (int k = 0; k < NPOOL; k++) {
		if (rc->pinned >> k & 1)
			continue;
		if (rc->slot[k] < 0) {
			h = k;
			break;
		}
		if (h < 0 || rc->used[k] < rc->used[h])
			h = k;
	}
	if (rc->slot[h] >= 0)
		rc->host[rc->slot[h]] = -1;
	rc->slot[h] = (int8_t)slot;
	rc->host[slot] = (int8_t)h;
	rc->used[h] = ++rc->clock;
	return h;
}

/* The host condition for ARM condition cond after an add or a sub, or -1 */
static int host_cc(int kind, unsigned cond)
{
	static const int8_t cc[14][2] = {
		{ CC_E, CC_E },	  { CC_NE, CC_NE }, { CC_C, CC_NC }, { CC_NC, CC_C }, { CC_S, CC_S },
		{ CC_NS, CC_NS }, { CC_O, CC_O },   { CC_NO, CC_NO }, { -1, CC_A },   { -1, CC_BE },
		{ CC_GE, CC_GE }, { CC_L, CC_L },   { CC_G, CC_G },   { CC_LE, CC_LE },
	};
	return kind == FL_NONE || cond >= 14 ? -1 : cc[cond][kind == FL_SUB];
}

/* The host register that holds guest slot, to read (its cache register,
 * loaded on a miss; the zero register reads as scratch, set to 0 without
 * touching the host flags).  It stays valid for the rest of the
 * instruction: an instruction uses at most four slots, and the cache
 * evicts the least recently used of nine. */
static int in_reg(struct emit *e, unsigned slot, int scratch)
{
	if (slot >= 32) {
		x86_mov_imm(&e->x, scratch, 0);
		return scratch;
	}
	int h = cache_find(&e->rc, slot);
	if (h < 0) {
		h = cache_bind(&e->rc, slot);
		x86_load(&e->x, 1, pool[h], RBX, OFF_X(slot));
	}
	return pool[h];
}

/* The host register a result for slot is made in: its cache register (no
 * load), or RAX for the discarded result of XZR; out_done writes it
 * through once it holds the value.  Made after the operands are read:
 * it may be one of them (rd == rn). */
static int out_reg(struct emit *e, unsigned slot)
{
	if (slot >= 32)
		return RAX;
	int h = cache_find(&e->rc, slot);
	if (h < 0)
		h = cache_bind(&e->rc, slot);
	return pool[h];
}

static void out_done(struct emit *e, unsigned slot, int r)
{
	int h = slot < 32 ? e->rc.host[slot] : -1;
	if (h >= 0 && (e->rc.pinned >> h & 1)) { /* not written through: flush_pinned */
		if (r != pool[h])
			x86_mov_rr(&e->x, 1, pool[h], r);
		return;
	}
	if (slot < 32)
		x86_store(&e->x, 1, RBX, OFF_X(slot), r);
}

/* A looping block's pinned registers are not written through: their host
 * registers are the guest's for the whole block (a fault takes them from
 * the host's context: a64_jit_fault_pc), stored before the code leaves
 * or calls a handler. */
static void flush_pinned(struct emit *e)
{
	for (int k = 0; k < NPOOL; k++)
		if (e->rc.pinned >> k & 1)
			x86_store(&e->x, 1, RBX, OFF_X(e->rc.slot[k]), pool[k]);
}

/* r = guest register slot (64 bits) */
static void ldx(struct emit *e, int r, unsigned slot)
{
	int h = in_reg(e, slot, r);
	if (h != r)
		x86_mov_rr(&e->x, 1, r, h);
}

/* r = the low half of a slot, zero-extended (w = 0) or sign-extended (SXTW) */
static void ldw(struct emit *e, int r, unsigned slot, int sign)
{
	int h = in_reg(e, slot, r);
	if (sign)
		x86_op_r(&e->x, 1, 0x63, r, h, 0); /* movsxd r, h32 */
	else
		x86_mov_rr(&e->x, 0, r, h);
}

/* guest register slot = r: written through (moves only: the host flags stay) */
static void stx(struct emit *e, unsigned slot, int r)
{
	int h = out_reg(e, slot);
	if (h != r)
		x86_mov_rr(&e->x, 1, h, r);
	out_done(e, slot, h);
}

/* rd = rn + or - m (a host register), 64 or 32 bits, in rd's register;
 * flags: the host flags must be the operation's (a flag-setting form) */
static void add_sub(struct emit *e, int w, int sub, unsigned rd, int hn, int hm, int flags)
{
	struct x86 *x = &e->x;
	if (rd >= 32 && sub) { /* CMP */
		x86_alu_rr(x, w, ALU_CMP, hn, hm);
		return;
	}
	int hd = out_reg(e, rd);
	if (hd == hn)
		x86_alu_rr(x, w, sub ? ALU_SUB : ALU_ADD, hd, hm);
	else if (hd == hm && !sub)
		x86_alu_rr(x, w, ALU_ADD, hd, hn);
	else if (hd == hm) {
		x86_mov_rr(x, 1, RAX, hn);
		x86_alu_rr(x, w, ALU_SUB, RAX, hm);
		x86_mov_rr(x, 1, hd, RAX);
	} else if (!sub && !flags)
		x86_lea(x, w, hd, hn, hm, 0, 0);
	else {
		x86_mov_rr(x, 1, hd, hn);
		x86_alu_rr(x, w, sub ? ALU_SUB : ALU_ADD, hd, hm);
	}
	out_done(e, rd, hd);
}

/* rd = rn op m for a commutative op (and, or, xor), in rd's register */
static void logic_rr(struct emit *e, int w, int alu, unsigned rd, int hn, int hm)
{
	struct x86 *x = &e->x;
	if (rd >= 32 && alu == ALU_AND) { /* TST */
		x86_test_rr(x, w, hn, hm);
		return;
	}
	int hd = out_reg(e, rd);
	if (hd == hm)
		x86_alu_rr(x, w, alu, hd, hn);
	else {
		if (hd != hn)
			x86_mov_rr(x, 1, hd, hn);
		x86_alu_rr(x, w, alu, hd, hm);
	}
	out_done(e, rd, hd);
}

/* A fault in translated code is charged through the map (a64_jit_fault_insn):
 * no store to c->cur before an access. */
#define set_cur(e, i) ((void)0)

static void to_epilogue(struct emit *e) { x86_jmp_to(&e->x, e->j->epilogue); }

/* Leave for guest address t: through a patchable jump once the run loop
 * links it, else back to the run loop with c->pc = t. */
static void loop_back(struct emit *e, uint64_t t);
static void exit_direct(struct emit *e, uint64_t t)
{
	struct x86 *x = &e->x;
	if (e->body != NULL && t == e->pc) {
		loop_back(e, t);
		return;
	}
	flush_pinned(e);
	x86_alu_mi8(x, 0, ALU_SUB, RBX, OFF(budget), 1);
	uint8_t *spent = x86_jcc(x, CC_LE);
	uint8_t *link = x86_jmp(x);
	x86_patch(link, x->p);
	x86_lea_rip(x, RAX, link);
	x86_store(x, 1, RBX, OFF(jit_link), RAX);
	x86_patch(spent, x->p);
	x86_mov_imm(x, RAX, t);
	x86_store(x, 1, RBX, OFF(pc), RAX);
	to_epilogue(e);
}

/* A branch to the block's own start in a looping block: straight to its
 * body (the pinned registers hold their slots there, written through as
 * everywhere), one transition taken from the budget as for any other */
static void loop_back(struct emit *e, uint64_t t)
{
	struct x86 *x = &e->x;
	x86_alu_mi8(x, 0, ALU_SUB, RBX, OFF(budget), 1);
	x86_jcc_to(x, CC_G, e->body);
	flush_pinned(e);
	x86_mov_imm(x, RAX, t);
	x86_store(x, 1, RBX, OFF(pc), RAX);
	to_epilogue(e);
}

/* Leave for the guest address in rax.  Each site has a cache of one
 * entry in the data (the last target and its code; at first the epilogue,
 * so that even a match of the empty entry only goes back to the run loop);
 * on a miss, the decode cache's hash (its first entry) fills it. */
struct jit_site {
	uint64_t pc;
	void *code;
};
static void exit_indirect(struct emit *e)
{
	struct x86 *x = &e->x;
	struct jit_site *s = data_alloc(e->j, sizeof(*s));
	s->pc = 1; /* no target: guest code is 4-byte aligned */
	s->code = e->j->epilogue;
	flush_pinned(e);
	x86_store(x, 1, RBX, OFF(pc), RAX);
	x86_alu_mi8(x, 0, ALU_SUB, RBX, OFF(budget), 1);
	x86_jcc_to(x, CC_LE, e->j->epilogue);
	x86_op_rip(x, 1, 0x3b, RAX, &s->pc); /* cmp rax, [site.pc] */
	uint8_t *miss = x86_jcc(x, CC_NE);
	x86_op_rip(x, 0, 0xff, 4, &s->code); /* jmp [site.code] */
	x86_patch(miss, x->p);
	x86_mov_rr(x, 1, RCX, RAX);
	x86_shift_ri(x, 1, SH_SHR, RCX, 2);
	x86_alu_ri(x, 0, ALU_AND, RCX, (1 << A64_CACHE_BITS) - 1);
	x86_op_m(x, 1, 0x8b, RCX, RBX, RCX, 3, OFF(cache)); /* mov rcx, [rbx + rcx*8 + cache] */
	x86_test_rr(x, 1, RCX, RCX);
	x86_jcc_to(x, CC_Z, e->j->epilogue);
	x86_op_m(x, 1, 0x39, RAX, RCX, NOIDX, 0, (int32_t)offsetof(struct a64_block, pc)); /* cmp [rcx+pc], rax */
	x86_jcc_to(x, CC_NE, e->j->epilogue);
	x86_load(x, 1, RCX, RCX, (int32_t)offsetof(struct a64_block, code));
	x86_op_rip(x, 1, 0x89, RAX, &s->pc);  /* mov [site.pc], rax */
	x86_op_rip(x, 1, 0x89, RCX, &s->code); /* mov [site.code], rcx */
	x86_jmp_r(x, RCX);
}

/* CF = condition cond holds on the stored NZCV (cond < 14); uses r1, r2 */
static void cond_test(struct emit *e, unsigned cond, int r1, int r2)
{
	struct x86 *x = &e->x;
	x86_load(x, 0, r1, RBX, OFF(nzcv));
	x86_shift_ri(x, 0, SH_SHR, r1, 28);
	x86_mov_imm(x, r2, a64_cond_table[cond]);
	x86_bt_rr(x, 0, r2, r1);
}

/* The host flags hold NZCV from an add or a sub (kind), not yet stored */
static void set_flags(struct emit *e, int kind)
{
	e->hf = kind;
	e->stale = 1;
}

/* c->nzcv from the host flags of an add (carry = CF) or a sub (carry =
 * !CF); the host flags are left as they are.  Uses RAX, RCX (and RDX, R8
 * without LAHF). */
static void store_nzcv(struct emit *e)
{
	struct x86 *x = &e->x;
	e->stale = 0;
	if (has_sahf) { /* the index AH * 2 + OF into jit_lahf */
		x86_setcc(x, CC_O, RCX);
		x86_b(x, 0x9f); /* lahf */
		x86_movzx8(x, RCX, RCX);
		x86_b(x, 0x0f); /* movzx eax, ah */
		x86_b(x, 0xb6);
		x86_b(x, 0xc4);
		x86_lea(x, 0, RAX, RCX, RAX, 1, 0);
		x86_op_m(x, 0, 0x8b, RAX, RBX, RAX, 2, OFF(jit_lahf) + (e->hf == FL_SUB ? 2048 : 0));
		x86_store(x, 0, RBX, OFF(nzcv), RAX);
		return;
	}
	x86_setcc(x, CC_S, RAX);
	x86_setcc(x, CC_Z, RCX);
	x86_setcc(x, e->hf == FL_ADD ? CC_C : CC_NC, RDX);
	x86_setcc(x, CC_O, R8);
	x86_movzx8(x, RAX, RAX);
	x86_movzx8(x, RCX, RCX);
	x86_movzx8(x, RDX, RDX);
	x86_movzx8(x, R8, R8);
	x86_lea(x, 0, RAX, RCX, RAX, 1, 0);
	x86_lea(x, 0, RAX, RDX, RAX, 1, 0);
	x86_lea(x, 0, RAX, R8, RAX, 1, 0);
	x86_op_m(x, 0, 0x8b, RAX, RBX, RAX, 2, OFF(jit_nzcv)); /* mov eax, [rbx + rax*4 + jit_nzcv] */
	x86_store(x, 0, RBX, OFF(nzcv), RAX);
}

/* Call the interpreter's handler for a copy of i, followed by jit_stop.
 * keep: the handler writes no general register, so the cached ones in
 * callee-saved host registers stay valid. */
static void fallback_call(struct emit *e, const struct a64_insn *insn, int keep)
{
	struct x86 *x = &e->x;
	struct a64_insn *i = data_alloc(e->j, 2 * sizeof(*i));
	i[0] = *insn;
	memset(&i[1], 0, sizeof(i[1]));
	i[1].fn = jit_stop;
	i[1].pc = insn->pc + 4;
	if (e->hf != FL_NONE && e->stale) /* the handler may read it (the caller made sure already) */
		store_nzcv(e);
	e->hf = FL_NONE;
	flush_pinned(e);
	uint16_t pinned = e->rc.pinned;
	int8_t pinned_slot[NPOOL];
	memcpy(pinned_slot, e->rc.slot, sizeof(pinned_slot));
	if (!keep)
		cache_drop(&e->rc);
	for (int k = 0; k < NPOOL; k++)
		if (e->rc.slot[k] >= 0 && (pool[k] == RSI || pool[k] == RDI || pool[k] == R10 || pool[k] == R11)) {
			e->rc.host[e->rc.slot[k]] = -1;
			e->rc.slot[k] = -1;
		}
	x86_mov_rr(x, 1, RDI, RBX);
	x86_mov_imm(x, RSI, (uint64_t)(uintptr_t)i);
	x86_mov_imm(x, RAX, (uint64_t)(uintptr_t)i->fn);
	x86_call_r(x, RAX);
	x86_test_rr(x, 0, RAX, RAX);
	x86_jcc_to(x, CC_Z, e->j->epilogue);
	if (!keep) /* the pinned registers again, as the handler left them */
		for (int k = 0; k < NPOOL; k++)
			if (pinned >> k & 1) {
				x86_load(x, 1, pool[k], RBX, OFF_X(pinned_slot[k]));
				e->rc.slot[k] = pinned_slot[k];
				e->rc.host[(int)pinned_slot[k]] = (int8_t)k;
				e->rc.used[k] = ++e->rc.clock;
				e->rc.pinned |= (uint16_t)(1u << k);
			}
}


/* 32-bit results: the upper half cleared (imm2 is the operation's mask) */
static int mask_ok(uint64_t m) { return m == ~0ull || m == 0xffffffffull; }

static int mem_size(int kind)
{
	switch (kind) {
	case A64_K_ldb_off: case A64_K_stb_off: case A64_K_ldb_reg: case A64_K_ldb_post: case A64_K_stb_post:
	case A64_K_stb_pre: case A64_K_stb_uxtw: case A64_K_ldb_uxtw:
		return SZ_B;
	case A64_K_ldw_off: case A64_K_stw_off:
		return SZ_W;
	default:
		return SZ_X;
	}
}

/* The simple forms as host code; 0 when this one is left to the handler. */
static int emit_simple(struct emit *e, int kind, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int sz = mem_size(kind);
	int32_t d = (int32_t)i->imm;
	int dfits = x86_fits32((int64_t)i->imm) && x86_fits32((int64_t)i->imm + 16);

	switch (kind) {
	case A64_K_const: {
		int hd = out_reg(e, i->rd);
		x86_mov_imm(x, hd, i->imm);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_K_mov_reg: {
		if (!mask_ok(i->imm2))
			return 0;
		int hm = in_reg(e, i->rm, RCX), hd = out_reg(e, i->rd);
		if (hd != hm || i->imm2 != ~0ull)
			x86_mov_rr(x, i->imm2 == ~0ull, hd, hm);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_K_add_imm64:
	case A64_K_and_imm: {
		int hn = in_reg(e, i->rn, RAX);
		if (!x86_fits32((int64_t)i->imm))
			x86_mov_imm(x, RCX, i->imm);
		int hd = out_reg(e, i->rd);
		if (kind == A64_K_add_imm64 && x86_fits32((int64_t)i->imm)) /* lea: the host flags stay */
			x86_lea(x, 1, hd, hn, NOIDX, 0, (int32_t)i->imm);
		else {
			if (hd != hn)
				x86_mov_rr(x, 1, hd, hn);
			if (x86_fits32((int64_t)i->imm))
				x86_alu_ri(x, 1, ALU_AND, hd, (int32_t)i->imm);
			else
				x86_alu_rr(x, 1, kind == A64_K_and_imm ? ALU_AND : ALU_ADD, hd, RCX);
		}
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_K_add_imm32: {
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd);
		x86_lea(x, 0, hd, hn, NOIDX, 0, (int32_t)(uint32_t)i->imm);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_K_add_reg:
	case A64_K_sub_reg: {
		if (!mask_ok(i->imm2) || i->sh > 63)
			return 0;
		int hn = in_reg(e, i->rn, RAX), hm = in_reg(e, i->rm, RCX);
		if (i->sh) {
			if (hm != RCX)
				x86_mov_rr(x, 1, RCX, hm);
			x86_shift_ri(x, 1, SH_SHL, RCX, i->sh);
			hm = RCX;
		}
		add_sub(e, i->imm2 == ~0ull, kind == A64_K_sub_reg, i->rd, hn, hm, 0);
		return 1;
	}
	case A64_K_adds_imm: {
		int w = i->sf != 0, hn = in_reg(e, i->rn, RAX);
		int32_t imm = (int32_t)(uint32_t)(i->imm2 ? (w ? ~i->imm : (uint32_t)~i->imm) : i->imm);
		if (i->rd >= 32 && i->imm2) /* CMP */
			x86_alu_ri(x, w, ALU_CMP, hn, imm);
		else {
			int hd = out_reg(e, i->rd);
			if (hd != hn)
				x86_mov_rr(x, 1, hd, hn);
			x86_alu_ri(x, w, i->imm2 ? ALU_SUB : ALU_ADD, hd, imm); /* SUBS: imm is the inverted operand */
			out_done(e, i->rd, hd);
		}
		set_flags(e, i->imm2 ? FL_SUB : FL_ADD);
		return 1;
	}
	case A64_K_adds_reg: {
		if (i->imm != 0 && i->imm != ~0ull)
			return 0;
		int hn = in_reg(e, i->rn, RAX), hm = in_reg(e, i->rm, RCX);
		add_sub(e, i->sf != 0, i->imm != 0, i->rd, hn, hm, 1);
		set_flags(e, i->imm ? FL_SUB : FL_ADD);
		return 1;
	}
	case A64_K_ccmp: {
		int w = i->sf != 0;
		uint8_t *no = NULL, *done;
		/* operands first: both paths must leave the register cache alike */
		ldx(e, RAX, i->rn);
		if (i->sh)
			x86_mov_imm(x, RCX, i->imm);
		else
			ldx(e, RCX, i->rm);
		if (i->cond < 14) {
			int cc = host_cc(e->hf, i->cond);
			if (cc >= 0)
				no = x86_jcc(x, cc ^ 1);
			else {
				cond_test(e, i->cond, RDX, R8);
				no = x86_jcc(x, CC_NC);
			}
		}
		x86_alu_rr(x, w, i->op ? ALU_SUB : ALU_ADD, RAX, RCX);
		set_flags(e, i->op ? FL_SUB : FL_ADD);
		if (no == NULL)
			return 1;
		if (has_sahf) { /* not taken: the host flags made to say imm2 */
			unsigned n = (unsigned)i->imm2;
			unsigned cf = ((n >> 1) & 1) ^ (e->hf == FL_SUB);
			done = x86_jmp(x);
			x86_patch(no, x->p);
			if (n & 1) { /* OF: mov eax, 0x7f; add al, 1 */
				x86_mov_imm(x, RAX, 0x7f);
				x86_b(x, 0x04);
				x86_b(x, 0x01);
			} else
				x86_alu_rr(x, 0, ALU_XOR, RAX, RAX);
			x86_b(x, 0xb4); /* mov ah, SF:ZF:0:0:0:0:1:CF; sahf */
			x86_b(x, (uint8_t)((n >> 3) << 7 | ((n >> 2) & 1) << 6 | 2 | cf));
			x86_b(x, 0x9e);
			x86_patch(done, x->p);
			return 1;
		}
		/* two paths: stored on both, the host flags are NZCV on one only */
		store_nzcv(e);
		done = x86_jmp(x);
		x86_patch(no, x->p);
		x86_op_m(x, 0, 0xc7, 0, RBX, NOIDX, 0, OFF(nzcv)); /* mov dword [nzcv], imm32 */
		x86_d(x, (uint32_t)i->imm2 << 28);
		x86_patch(done, x->p);
		e->hf = FL_NONE;
		return 1;
	}
	case A64_K_csel:
		/* the host flags may hold the condition: none of this changes them */
		ldx(e, RCX, i->rm);
		if (i->op >= 2) /* CSINV; CSNEG: ~x + 1 */
			x86_not(x, 1, RCX);
		if (i->op & 1) /* CSINC, CSNEG */
			x86_lea(x, 1, RCX, RCX, NOIDX, 0, 1);
		ldx(e, RAX, i->rn);
		if (i->cond < 14 && host_cc(e->hf, i->cond) >= 0)
			x86_cmov(x, 1, host_cc(e->hf, i->cond) ^ 1, RAX, RCX);
		else if (i->cond < 14) {
			cond_test(e, i->cond, RDX, R8);
			x86_cmov(x, 1, CC_NC, RAX, RCX);
		}
		if (!i->sf)
			x86_mov_rr(x, 0, RAX, RAX);
		stx(e, i->rd, RAX);
		return 1;

	case A64_K_ldb_off: case A64_K_ldw_off: case A64_K_ldx_off: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd);
		x86_load_sz(x, sz, hd, hn, NOIDX, 0, d);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_K_stb_off: case A64_K_stw_off: case A64_K_stx_off: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX), hv = in_reg(e, i->rd, RCX);
		x86_store_sz(x, sz, hv, hn, NOIDX, 0, d);
		return 1;
	}
	case A64_K_ldb_reg: case A64_K_ldb_uxtw: case A64_K_stb_uxtw: {
		if (i->sh > 3)
			return 0;
		int hn = in_reg(e, i->rn, RAX), hm;
		if (kind == A64_K_ldb_reg)
			hm = in_reg(e, i->rm, RCX);
		else {
			ldw(e, RCX, i->rm, 0); /* the low half, zero-extended */
			hm = RCX;
		}
		if (kind == A64_K_stb_uxtw)
			x86_store_sz(x, SZ_B, in_reg(e, i->rd, RDX), hn, hm, i->sh, 0);
		else {
			int hd = out_reg(e, i->rd);
			x86_load_sz(x, SZ_B, hd, hn, hm, i->sh, 0);
			out_done(e, i->rd, hd);
		}
		return 1;
	}
	case A64_K_ldp_x_off: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX);
		x86_load_sz(x, SZ_X, RCX, hn, NOIDX, 0, d);
		x86_load_sz(x, SZ_X, RDX, hn, NOIDX, 0, d + 8);
		stx(e, i->rd, RCX);
		stx(e, i->ra, RDX);
		return 1;
	}
	case A64_K_stp_x_off: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX), h1 = in_reg(e, i->rd, RCX), h2 = in_reg(e, i->ra, RDX);
		x86_store_sz(x, SZ_X, h1, hn, NOIDX, 0, d);
		x86_store_sz(x, SZ_X, h2, hn, NOIDX, 0, d + 8);
		return 1;
	}
	case A64_K_vstp_q_off: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX);
		x86_movdqu_load(x, 0, RBX, OFF_V(i->rd));
		x86_movdqu_store(x, 0, hn, d);
		x86_movdqu_load(x, 0, RBX, OFF_V(i->ra));
		x86_movdqu_store(x, 0, hn, d + 16);
		return 1;
	}
	case A64_K_ldb_post: case A64_K_ldx_post: case A64_K_ldp_x_post: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX);
		x86_load_sz(x, sz, RCX, hn, NOIDX, 0, 0);
		if (kind == A64_K_ldp_x_post)
			x86_load_sz(x, SZ_X, RDX, hn, NOIDX, 0, 8);
		x86_lea(x, 1, RAX, hn, NOIDX, 0, d);
		stx(e, i->rn, RAX);
		stx(e, i->rd, RCX);
		if (kind == A64_K_ldp_x_post)
			stx(e, i->ra, RDX);
		return 1;
	}
	case A64_K_stb_post: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX);
		x86_store_sz(x, SZ_B, in_reg(e, i->rd, RCX), hn, NOIDX, 0, 0);
		x86_lea(x, 1, RAX, hn, NOIDX, 0, d);
		stx(e, i->rn, RAX);
		return 1;
	}
	case A64_K_stb_pre: case A64_K_stx_pre: case A64_K_stp_x_pre: {
		if (!dfits)
			return 0;
		int hn = in_reg(e, i->rn, RAX);
		x86_store_sz(x, sz, in_reg(e, i->rd, RCX), hn, NOIDX, 0, d);
		if (kind == A64_K_stp_x_pre)
			x86_store_sz(x, SZ_X, in_reg(e, i->ra, RDX), hn, NOIDX, 0, d + 8);
		x86_lea(x, 1, RAX, hn, NOIDX, 0, d);
		stx(e, i->rn, RAX);
		return 1;
	}
	}
	return 0;
}

/* op r, imm (64 or 32 bits): through RDX when it does not fit an imm32 */
static void alu_imm(struct emit *e, int w, int alu, int r, uint64_t imm)
{
	if (!w || x86_fits32((int64_t)imm))
		x86_alu_ri(&e->x, w, alu, r, (int32_t)imm);
	else {
		x86_mov_imm(&e->x, RDX, imm);
		x86_alu_rr(&e->x, w, alu, r, RDX);
	}
}

/* UBFM/SBFM as two shifts: the field to the top, then down (sign-extended
 * for SBFM) to its place; 32-bit forms in 32-bit registers */
static void bitfield(struct emit *e, int w, int sign, unsigned immr, unsigned imms, int r)
{
	unsigned width = w ? 64 : 32, l = width - 1 - imms;
	unsigned down = imms >= immr ? l + immr : l - (width - immr);
	if (l)
		x86_shift_ri(&e->x, w, SH_SHL, r, l);
	if (down)
		x86_shift_ri(&e->x, w, sign ? SH_SAR : SH_SHR, r, down);
	if (!w)
		x86_mov_rr(&e->x, 0, r, r);
}

/* The shifted-register operand into RCX (w: 64-bit) */
static void shifted_rm(struct emit *e, int w, const struct a64_insn *i)
{
	static const int kind[4] = { SH_SHL, SH_SHR, SH_SAR, SH_ROR };
	ldx(e, RCX, i->rm);
	if (i->sh)
		x86_shift_ri(&e->x, w, kind[i->cond & 3], RCX, i->sh);
}

/* The other integer forms (a64_int_form); 0: the handler. */
static int emit_int(struct emit *e, int form, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int w = i->sf != 0;
	switch (form) {
	case A64_I_ORR_IMM:
	case A64_I_EOR_IMM: {
		if (form == A64_I_ORR_IMM && i->rn >= 32) { /* MOV: the host flags stay */
			int hd = out_reg(e, i->rd);
			x86_mov_imm(x, hd, w ? i->imm : (uint32_t)i->imm);
			out_done(e, i->rd, hd);
			return 1;
		}
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd);
		if (hd != hn)
			x86_mov_rr(x, 1, hd, hn);
		alu_imm(e, w, form == A64_I_ORR_IMM ? ALU_OR : ALU_XOR, hd, i->imm);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_I_ANDS_IMM: {
		int hn = in_reg(e, i->rn, RAX);
		if (i->rd >= 32 && (!w || x86_fits32((int64_t)i->imm))) { /* TST */
			x86_op_r(x, w, 0xf7, 0, hn, 0);
			x86_d(x, (uint32_t)i->imm);
		} else {
			int hd = out_reg(e, i->rd);
			if (hd != hn)
				x86_mov_rr(x, 1, hd, hn);
			alu_imm(e, w, ALU_AND, hd, i->imm);
			out_done(e, i->rd, hd);
		}
		set_flags(e, FL_ADD); /* C and V clear, as after a host AND */
		return 1;
	}
	case A64_I_MOVK:
		ldx(e, RAX, i->rd);
		alu_imm(e, 1, ALU_AND, RAX, ~i->imm2);
		alu_imm(e, 1, ALU_OR, RAX, i->imm);
		if (!w)
			x86_mov_rr(x, 0, RAX, RAX);
		stx(e, i->rd, RAX);
		return 1;
	case A64_I_UBFM:
	case A64_I_SBFM: {
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd), sign = form == A64_I_SBFM;
		if (i->sh == 0 && (i->op == 7 || i->op == 15)) /* UXTB, UXTH, SXTB, SXTH */
			(sign ? x86_movsx_rr : x86_movzx_rr)(x, i->op == 7 ? 1 : 2, hd, hn);
		else if (i->sh == 0 && i->op == 31 && w) /* UXTW, SXTW */
			sign ? x86_movsx_rr(x, 4, hd, hn) : x86_mov_rr(x, 0, hd, hn);
		else {
			if (hd != hn)
				x86_mov_rr(x, 1, hd, hn);
			bitfield(e, w, sign, i->sh, i->op, hd);
		}
		if (sign && !w && i->sh == 0 && (i->op == 7 || i->op == 15))
			x86_mov_rr(x, 0, hd, hd);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_I_LSL_IMM:
	case A64_I_LSR_IMM: {
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd);
		if (hd != hn || !w)
			x86_mov_rr(x, w, hd, hn);
		if (i->sh)
			x86_shift_ri(x, w, form == A64_I_LSL_IMM ? SH_SHL : SH_SHR, hd, i->sh);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_I_EXTR:
		ldx(e, RAX, i->rm);
		ldx(e, RCX, i->rn);
		x86_shrd(x, w, RAX, RCX, i->sh);
		if (!w)
			x86_mov_rr(x, 0, RAX, RAX);
		stx(e, i->rd, RAX);
		return 1;
	case A64_I_LOGIC_REG: {
		static const int alu[4] = { ALU_AND, ALU_OR, ALU_XOR, ALU_AND };
		int hm = RCX;
		if (i->sh || i->imm)
			shifted_rm(e, w, i);
		else
			hm = in_reg(e, i->rm, RCX);
		if (i->imm)
			x86_not(x, w, RCX);
		logic_rr(e, w, alu[i->op & 3], i->rd, in_reg(e, i->rn, RAX), hm);
		if (i->op == 3)
			set_flags(e, FL_ADD);
		return 1;
	}
	case A64_I_ADDSUB_SREG:
		if ((i->cond & 3) == 3)
			return 0;
		if (i->sh == 0) {
			int hm = in_reg(e, i->rm, RCX);
			add_sub(e, w, i->op & 1, i->rd, in_reg(e, i->rn, RAX), hm, (i->op & 2) != 0);
			if (i->op & 2)
				set_flags(e, (i->op & 1) ? FL_SUB : FL_ADD);
			return 1;
		}
		/* fall through */
	case A64_I_ADDSUB_EREG:
		if (form == A64_I_ADDSUB_SREG)
			shifted_rm(e, w, i);
		else {
			if (i->sh > 4)
				return 0;
			ldx(e, RCX, i->rm);
			switch (i->cond & 7) {
			case 0: x86_movzx_rr(x, 1, RCX, RCX); break;
			case 1: x86_movzx_rr(x, 2, RCX, RCX); break;
			case 2: x86_mov_rr(x, 0, RCX, RCX); break;
			case 4: x86_movsx_rr(x, 1, RCX, RCX); break;
			case 5: x86_movsx_rr(x, 2, RCX, RCX); break;
			case 6: x86_movsx_rr(x, 4, RCX, RCX); break;
			}
			if (i->sh)
				x86_shift_ri(x, 1, SH_SHL, RCX, i->sh);
		}
		ldx(e, RAX, i->rn);
		x86_alu_rr(x, w, (i->op & 1) ? ALU_SUB : ALU_ADD, RAX, RCX);
		if (i->op & 2)
			set_flags(e, (i->op & 1) ? FL_SUB : FL_ADD);
		stx(e, i->rd, RAX);
		return 1;
	case A64_I_DP2: {
		static const int kind[4] = { SH_SHL, SH_SHR, SH_SAR, SH_ROR };
		if (i->op == 2 || i->op == 3) { /* UDIV, SDIV: x / 0 = 0, INT_MIN / -1 = INT_MIN */
			uint8_t *zero, *neg = NULL, *done, *done2 = NULL;
			ldx(e, RAX, i->rn);
			ldx(e, RCX, i->rm);
			x86_test_rr(x, w, RCX, RCX);
			zero = x86_jcc(x, CC_Z);
			if (i->op == 3) { /* x / -1 = -x (x86 faults on INT_MIN / -1) */
				x86_alu_ri(x, w, ALU_CMP, RCX, -1);
				neg = x86_jcc(x, CC_E);
				x86_rex(x, w, 0, NOIDX, 0, 0); /* cqo / cdq */
				x86_b(x, 0x99);
				x86_op_r(x, w, 0xf7, 7, RCX, 0); /* idiv */
			} else {
				x86_alu_rr(x, 0, ALU_XOR, RDX, RDX);
				x86_op_r(x, w, 0xf7, 6, RCX, 0); /* div */
			}
			if (!w)
				x86_mov_rr(x, 0, RAX, RAX);
			done = x86_jmp(x);
			if (neg != NULL) {
				x86_patch(neg, x->p);
				x86_neg(x, w, RAX);
				if (!w)
					x86_mov_rr(x, 0, RAX, RAX);
				done2 = x86_jmp(x);
			}
			x86_patch(zero, x->p);
			x86_alu_rr(x, 0, ALU_XOR, RAX, RAX);
			x86_patch(done, x->p);
			if (done2 != NULL)
				x86_patch(done2, x->p);
			stx(e, i->rd, RAX);
			return 1;
		}
		if (i->op < 8 || i->op > 11)
			return 0;
		ldx(e, RAX, i->rn);
		ldx(e, RCX, i->rm);
		x86_shift_cl(x, w, kind[i->op - 8], RAX);
		if (!w)
			x86_mov_rr(x, 0, RAX, RAX);
		stx(e, i->rd, RAX);
		return 1;
	}
	case A64_I_DP1:
		if (i->op == 0) { /* RBIT: bits, pairs and nibbles swapped in each byte, then the bytes */
			static const uint64_t mask[3] = { 0x5555555555555555ull, 0x3333333333333333ull, 0x0f0f0f0f0f0f0f0full };
			ldx(e, RAX, i->rn);
			for (int k = 0; k < 3; k++) {
				x86_mov_imm(x, RDX, mask[k]);
				x86_mov_rr(x, 1, RCX, RAX);
				x86_shift_ri(x, 1, SH_SHR, RCX, (uint8_t)(1 << k));
				x86_alu_rr(x, 1, ALU_AND, RCX, RDX);
				x86_alu_rr(x, 1, ALU_AND, RAX, RDX);
				x86_shift_ri(x, 1, SH_SHL, RAX, (uint8_t)(1 << k));
				x86_alu_rr(x, 1, ALU_OR, RAX, RCX);
			}
			x86_bswap(x, w, RAX); /* 32 bits: the low half's, zero-extended */
			stx(e, i->rd, RAX);
			return 1;
		}
		if (i->op == 4) { /* CLZ: width-1 - bsr, or width for zero */
			ldx(e, RAX, i->rn);
			x86_mov_imm(x, RCX, w ? 127 : 63);
			x86_bsr(x, w, RAX, RAX);
			x86_cmov(x, 0, CC_Z, RAX, RCX);
			x86_alu_ri(x, 0, ALU_XOR, RAX, w ? 63 : 31);
			stx(e, i->rd, RAX);
			return 1;
		}
		if (i->op != 3 && !(i->op == 2 && !w))
			return 0;
		ldx(e, RAX, i->rn);
		x86_bswap(x, w, RAX);
		stx(e, i->rd, RAX);
		return 1;
	case A64_I_ADC: { /* ADC, SBC (op bit 0), ADCS, SBCS (bit 1): the host's ADC and SBB */
		int sbc = i->op & 1;
		if (e->hf != FL_NONE && e->stale && !(i->op & 2) && e->live_next)
			store_nzcv(e); /* the host flags go: NZCV is read later */
		ldx(e, RAX, i->rn);
		int hm = in_reg(e, i->rm, RCX);
		/* CF = C for ADC, !C for SBB (x - y - borrow) */
		if (e->hf == FL_NONE) {
			x86_op_m(x, 0, 0x0fba, 4, RBX, NOIDX, 0, OFF(nzcv)); /* bt dword [nzcv], 29 */
			x86_b(x, 29);
			if (sbc)
				x86_b(x, 0xf5); /* cmc */
		} else if ((e->hf == FL_SUB) != sbc)
			x86_b(x, 0xf5);
		x86_alu_rr(x, w, sbc ? ALU_SBB : ALU_ADC, RAX, hm);
		stx(e, i->rd, RAX);
		if (i->op & 2)
			set_flags(e, sbc ? FL_SUB : FL_ADD);
		else {
			e->hf = FL_NONE;
			e->stale = 0;
		}
		return 1;
	}
	case A64_I_BFM: { /* rd's bits in imm & imm2 from rn rotated right by sh, the others kept */
		uint64_t m = i->imm & i->imm2;
		ldx(e, RAX, i->rn);
		if (i->sh)
			x86_shift_ri(x, w, SH_ROR, RAX, i->sh);
		ldx(e, RCX, i->rd);
		x86_mov_imm(x, RDX, m);
		x86_alu_rr(x, 1, ALU_AND, RAX, RDX);
		x86_not(x, 1, RDX);
		x86_alu_rr(x, 1, ALU_AND, RCX, RDX);
		x86_alu_rr(x, 1, ALU_OR, RAX, RCX);
		if (!w)
			x86_mov_rr(x, 0, RAX, RAX);
		stx(e, i->rd, RAX);
		return 1;
	}
	case A64_I_DP3:
		ldx(e, RAX, i->rn);
		ldx(e, RCX, i->rm);
		switch (i->op) {
		case 0: case 1: /* MADD, MSUB */
			x86_imul_rr(x, w, RAX, RCX);
			break;
		case 2: case 3: /* SMADDL, SMSUBL */
			x86_movsx_rr(x, 4, RAX, RAX);
			x86_movsx_rr(x, 4, RCX, RCX);
			x86_imul_rr(x, 1, RAX, RCX);
			break;
		case 5: case 6: /* UMADDL, UMSUBL */
			x86_mov_rr(x, 0, RAX, RAX);
			x86_mov_rr(x, 0, RCX, RCX);
			x86_imul_rr(x, 1, RAX, RCX);
			break;
		case 4: /* SMULH */
			x86_imul1(x, RCX);
			stx(e, i->rd, RDX);
			return 1;
		default: /* UMULH */
			x86_mul1(x, RCX);
			stx(e, i->rd, RDX);
			return 1;
		}
		ldx(e, R8, i->ra);
		if (i->op == 1 || i->op == 3 || i->op == 6) {
			x86_alu_rr(x, w, ALU_SUB, R8, RAX);
			stx(e, i->rd, R8);
		} else {
			x86_alu_rr(x, w, ALU_ADD, RAX, R8);
			stx(e, i->rd, RAX);
		}
		return 1;
	}
	return 0;
}

/* Leave the guest address of an ea()-mode access as [base + index<<scale
 * + disp] (host registers; *index NOIDX when none); pre/post index leaves
 * the new base in RDX, written back by ea_writeback once the access is
 * done (a fault leaves the base as it was).  Uses RAX, RCX, RDX. */
struct ea {
	int base, index, scale;
	int32_t disp;
};
static int emit_ea(struct emit *e, const struct a64_insn *i, struct ea *a)
{
	struct x86 *x = &e->x;
	*a = (struct ea){ RAX, NOIDX, 0, 0 };
	switch (i->op) {
	case A64_M_OFF:
		if (!x86_fits32((int64_t)i->imm) || !x86_fits32((int64_t)i->imm + 16))
			return 0;
		a->base = in_reg(e, i->rn, RAX);
		a->disp = (int32_t)i->imm;
		return 1;
	case A64_M_PRE:
	case A64_M_POST:
		if (!x86_fits32((int64_t)i->imm))
			return 0;
		ldx(e, RAX, i->rn);
		x86_lea(x, 1, RDX, RAX, NOIDX, 0, (int32_t)i->imm);
		if (i->op == A64_M_PRE)
			x86_mov_rr(x, 1, RAX, RDX);
		return 1;
	case A64_M_REG:
		if (i->sh > 3)
			return 0;
		a->base = in_reg(e, i->rn, RAX);
		if (i->cond == 2 || i->cond == 6) {
			ldw(e, RCX, i->rm, i->cond == 6);
			a->index = RCX;
		} else
			a->index = in_reg(e, i->rm, RCX);
		a->scale = i->sh;
		return 1;
	case A64_M_LIT:
		x86_mov_imm(x, RAX, i->imm);
		return 1;
	}
	return 0;
}

static void ea_writeback(struct emit *e, const struct a64_insn *i)
{
	if (i->op == A64_M_PRE || i->op == A64_M_POST)
		stx(e, i->rn, RDX);
}

static void load_value(struct emit *e, int size, int sign, int r, const struct ea *a, int32_t more)
{
	int sz = size == 1 ? SZ_B : size == 2 ? SZ_H : size == 4 ? SZ_W : SZ_X;
	if (sign && sz != SZ_X)
		x86_load_sx(&e->x, sign == 64, sz, r, a->base, a->index, a->scale, a->disp + more);
	else
		x86_load_sz(&e->x, sz, r, a->base, a->index, a->scale, a->disp + more);
}

/* SIMD&FP register v <-> guest memory at a (+ more), size bytes; a load
 * zeroes the rest of the register.  Uses R8, XMM0. */
static void vec_access(struct emit *e, int store, int size, unsigned v, const struct ea *a, int32_t more)
{
	struct x86 *x = &e->x;
	int sz = size == 1 ? SZ_B : size == 2 ? SZ_H : size == 4 ? SZ_W : SZ_X;
	int32_t disp = a->disp + more;
	if (size == 16) {
		x86_movdqu(x, 0, 0, store ? RBX : a->base, store ? NOIDX : a->index, a->scale, store ? OFF_V(v) : disp);
		x86_movdqu(x, 1, 0, store ? a->base : RBX, store ? a->index : NOIDX, a->scale, store ? disp : OFF_V(v));
	} else if (store) {
		x86_load(x, 1, R8, RBX, OFF_V(v));
		x86_store_sz(x, sz, R8, a->base, a->index, a->scale, disp);
	} else {
		x86_load_sz(x, sz, R8, a->base, a->index, a->scale, disp);
		x86_store(x, 1, RBX, OFF_V(v), R8);
		x86_store_imm(x, RBX, OFF_V(v) + 8, 0);
	}
}

/* The other integer loads and stores, and the SIMD&FP ones
 * (a64_mem_shape); 0: the handler. */
static int emit_mem(struct emit *e, const struct a64_mem_shape *m, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	struct ea a;
	int sz = m->size == 1 ? SZ_B : m->size == 2 ? SZ_H : m->size == 4 ? SZ_W : SZ_X;

	if (m->vec && m->how == A64_LS_EA) {
		if (!emit_ea(e, i, &a))
			return 0;
		vec_access(e, m->store, m->size, i->rd, &a, 0);
		ea_writeback(e, i);
		return 1;
	}
	if (m->vec && m->how == A64_LS_PAIR) {
		int size = m->size ? m->size : i->sf;
		if ((size != 4 && size != 8 && size != 16) || !emit_ea(e, i, &a) || a.index != NOIDX ||
		    !x86_fits32((int64_t)a.disp + size))
			return 0;
		vec_access(e, m->store, size, i->rd, &a, 0);
		vec_access(e, m->store, size, i->ra, &a, size);
		ea_writeback(e, i);
		return 1;
	}
	switch (m->how) {
	case A64_LS_EA: {
		int hv = RAX;
		if (m->store && (i->op == A64_M_PRE || i->op == A64_M_POST))
			ldx(e, hv = R8, i->rd); /* the value before the writeback */
		if (!emit_ea(e, i, &a))
			return 0;
		if (m->store) {
			if (hv == RAX)
				hv = in_reg(e, i->rd, R8);
			x86_store_sz(x, sz, hv, a.base, a.index, a.scale, a.disp);
			ea_writeback(e, i);
		} else if (i->op == A64_M_PRE || i->op == A64_M_POST) {
			load_value(e, m->size, m->sign, R8, &a, 0);
			ea_writeback(e, i); /* then the data: it wins where rd is rn */
			stx(e, i->rd, R8);
		} else {
			int hd = out_reg(e, i->rd);
			load_value(e, m->size, m->sign, hd, &a, 0);
			out_done(e, i->rd, hd);
		}
		return 1;
	}
	case A64_LS_REG: {
		if (i->sh > 3)
			return 0;
		a = (struct ea){ in_reg(e, i->rn, RAX), in_reg(e, i->rm, RCX), i->sh, 0 };
		if (m->store)
			x86_store_sz(x, sz, in_reg(e, i->rd, R8), a.base, a.index, a.scale, 0);
		else {
			int hd = out_reg(e, i->rd);
			load_value(e, m->size, 0, hd, &a, 0);
			out_done(e, i->rd, hd);
		}
		return 1;
	}
	case A64_LS_PRE:
	case A64_LS_POST:
		if (!x86_fits32((int64_t)i->imm))
			return 0;
		ldx(e, RAX, i->rn);
		x86_lea(x, 1, RDX, RAX, NOIDX, 0, (int32_t)i->imm);
		a = (struct ea){ RAX, NOIDX, 0, m->how == A64_LS_PRE ? (int32_t)i->imm : 0 };
		if (m->store) {
			ldx(e, R8, i->rd);
			x86_store_sz(x, sz, R8, RAX, NOIDX, 0, a.disp);
			stx(e, i->rn, RDX);
		} else {
			load_value(e, m->size, 0, R8, &a, 0);
			stx(e, i->rn, RDX);
			stx(e, i->rd, R8);
		}
		return 1;
	case A64_LS_PAIR: {
		int size = i->sf == 5 ? 4 : i->sf;
		if (size != 4 && size != 8)
			return 0;
		if (m->store) {
			ldx(e, R8, i->rd);
			ldx(e, R9, i->ra);
		}
		if (!emit_ea(e, i, &a) || a.index != NOIDX)
			return 0;
		if (m->store) {
			x86_store_sz(x, size == 4 ? SZ_W : SZ_X, R8, a.base, NOIDX, 0, a.disp);
			x86_store_sz(x, size == 4 ? SZ_W : SZ_X, R9, a.base, NOIDX, 0, a.disp + size);
			ea_writeback(e, i);
		} else {
			load_value(e, size, i->sf == 5 ? 64 : 0, R8, &a, 0);
			load_value(e, size, i->sf == 5 ? 64 : 0, R9, &a, size);
			ea_writeback(e, i);
			stx(e, i->rd, R8);
			stx(e, i->ra, R9);
		}
		return 1;
	}
	}
	return 0;
}

/* The exclusives as the interpreter's handlers (mem.c) do them, with the
 * same monitor in struct a64_cpu: LDXR loads and records the address, the
 * size and the value; STXR stores only if the monitor holds its address
 * and size, by a compare-and-swap with the value loaded (LOCK CMPXCHG),
 * and clears it.  LDAR is a plain load (x86 loads are acquire loads);
 * STLR an XCHG, sequentially consistent as the handler's store.  0: the
 * handler. */
static int emit_excl(struct emit *e, int form, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int sz = i->sf == 1 ? SZ_B : i->sf == 2 ? SZ_H : i->sf == 4 ? SZ_W : SZ_X;
	switch (form) {
	case A64_X_LDAR: {
		int hn = in_reg(e, i->rn, RAX), hd = out_reg(e, i->rd);
		x86_load_sz(x, sz, hd, hn, NOIDX, 0, 0);
		out_done(e, i->rd, hd);
		return 1;
	}
	case A64_X_LDXR: {
		int hn = in_reg(e, i->rn, RAX);
		x86_load_sz(x, sz, RCX, hn, NOIDX, 0, 0);
		x86_store(x, 1, RBX, OFF(excl_addr), hn);
		x86_op_m(x, 0, 0xc7, 0, RBX, NOIDX, 0, OFF(excl_size)); /* mov dword [excl_size], sf */
		x86_d(x, i->sf);
		x86_store(x, 1, RBX, OFF(excl_val), RCX);
		stx(e, i->rd, RCX);
		return 1;
	}
	case A64_X_STLR: {
		int hn = in_reg(e, i->rn, RAX);
		ldx(e, RCX, i->rd);
		if (sz == SZ_H)
			x86_b(x, 0x66);
		x86_rex(x, sz == SZ_X, RCX, NOIDX, hn, 0);
		x86_b(x, sz == SZ_B ? 0x86 : 0x87); /* xchg [hn], rcx */
		x86_mem(x, RCX, hn, NOIDX, 0, 0);
		return 1;
	}
	case A64_X_STXR: {
		uint8_t *fail[3];
		int hn = in_reg(e, i->rn, RDX);
		ldx(e, R8, i->rd);
		x86_mov_imm(x, RCX, 1); /* the status: failed */
		x86_op_m(x, 0, 0x81, ALU_CMP, RBX, NOIDX, 0, OFF(excl_size)); /* cmp dword [excl_size], sf */
		x86_d(x, i->sf);
		fail[0] = x86_jcc(x, CC_NE);
		x86_op_m(x, 1, 0x39, hn, RBX, NOIDX, 0, OFF(excl_addr)); /* cmp [excl_addr], hn */
		fail[1] = x86_jcc(x, CC_NE);
		x86_load(x, 1, RAX, RBX, OFF(excl_val));
		x86_b(x, 0xf0); /* lock cmpxchg [hn], r8 */
		if (sz == SZ_H)
			x86_b(x, 0x66);
		x86_op_m(x, sz == SZ_X, sz == SZ_B ? 0x0fb0 : 0x0fb1, R8, hn, NOIDX, 0, 0);
		fail[2] = x86_jcc(x, CC_NE);
		x86_mov_imm(x, RCX, 0);
		for (int k = 0; k < 3; k++)
			x86_patch(fail[k], x->p);
		x86_op_m(x, 0, 0xc7, 0, RBX, NOIDX, 0, OFF(excl_size)); /* the monitor is cleared */
		x86_d(x, 0);
		stx(e, i->rm, RCX);
		return 1;
	}
	}
	return 0;
}

/* ---- scalar floating point ----
 * The host's SSE does the arithmetic in the rounding mode FPCR gave MXCSR,
 * and its sticky exception flags are FPSR's (a64_fpsr_read), as for the
 * interpreter.  What x86 does differently goes to the handler: NaN
 * results (ARM's propagation and default NaN), FPCR.FZ, and a product or
 * quotient whose magnitude is the smallest normal (ARM's tininess before
 * rounding). */

/* prefix, 0F op with an xmm register and [base + disp] (or a general
 * register, mem = 0) */
static void sse_m(struct x86 *x, uint8_t prefix, int w, unsigned op, int xmm, int base, int32_t disp)
{
	if (prefix)
		x86_b(x, prefix);
	x86_op_m(x, w, 0x0f00 | op, xmm, base, NOIDX, 0, disp);
}
static void sse_r(struct x86 *x, uint8_t prefix, int w, unsigned op, int reg, int rm)
{
	if (prefix)
		x86_b(x, prefix);
	x86_op_r(x, w, 0x0f00 | op, reg, rm, 0);
}

/* V[rd] = xmm0's low 8 or 4 bytes, the rest of the register zero */
static void vec_set_low(struct emit *e, unsigned rd, int size)
{
	struct x86 *x = &e->x;
	sse_r(x, 0x66, size == 8, 0x7e, 0, RAX); /* movq rax, xmm0 / movd eax, xmm0 */
	x86_store(x, 1, RBX, OFF_V(rd), RAX);
	x86_store_imm(x, RBX, OFF_V(rd) + 8, 0);
}

/* jump to the returned patch point when FPCR.FZ is set (the handler
 * flushes denormal inputs and says so in FPSR.IDC) */
static uint8_t *fz_test(struct x86 *x)
{
	x86_op_m(x, 0, 0xf7, 0, RBX, NOIDX, 0, OFF(fpcr)); /* test dword [fpcr], FZ */
	x86_d(x, FPCR_FZ);
	return x86_jcc(x, CC_NZ);
}

/* FCMP, FCMPE: UCOMIS (COMIS signals a quiet NaN too, as FCMPE does),
 * NZCV from ZF PF CF through c->jit_fcmp; FZ goes to the handler */
static int emit_fcmp(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int dbl = i->sf == 8;
	if (!has_sahf)
		return 0;
	uint8_t *slow = fz_test(x), *done;
	sse_m(x, dbl ? 0xf2 : 0xf3, 0, 0x10, 0, RBX, OFF_V(i->rn)); /* movsd/movss xmm0, [rn] */
	if (i->sh) {
		sse_r(x, 0, 0, 0x57, 1, 1); /* xorps xmm1, xmm1 */
		sse_r(x, dbl ? 0x66 : 0, 0, i->op ? 0x2f : 0x2e, 0, 1);
	} else
		sse_m(x, dbl ? 0x66 : 0, 0, i->op ? 0x2f : 0x2e, 0, RBX, OFF_V(i->rm));
	/* AH: ZF PF CF in bits 6, 2, 0: the index CF | ZF >> 5 (PF is set
	 * only with the other two) */
	x86_b(x, 0x9f); /* lahf */
	x86_b(x, 0x0f); /* movzx eax, ah */
	x86_b(x, 0xb6);
	x86_b(x, 0xc4);
	x86_mov_rr(x, 0, RCX, RAX);
	x86_shift_ri(x, 0, SH_SHR, RCX, 5);
	x86_alu_ri(x, 0, ALU_AND, RCX, 2);
	x86_alu_ri(x, 0, ALU_AND, RAX, 1);
	x86_alu_rr(x, 0, ALU_OR, RAX, RCX);
	x86_op_m(x, 0, 0x8b, RAX, RBX, RAX, 2, OFF(jit_fcmp));
	x86_store(x, 0, RBX, OFF(nzcv), RAX);
	done = x86_jmp(x);
	x86_patch(slow, x->p);
	fallback_call(e, i, 1);
	x86_patch(done, x->p);
	e->hf = FL_NONE;
	e->stale = 0;
	return 1;
}

/* FCVTZS, FCVTZU (no fraction bits) by CVTTSD2SI / CVTTSS2SI: what x86
 * gives as its integer indefinite, and an unsigned conversion of a value
 * outside (-1, 2^32) or (-1, 2^63), go to the handler (saturation, NaN ->
 * 0, FPSR as ARM's); FZ too */
static int emit_f2i(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int uns = i->op & 1, w64 = i->sf != 0;
	uint8_t pre = i->cond ? 0xf2 : 0xf3, *slow[3] = { NULL, NULL, NULL }, *done;
	if (i->ra != FPROUND_Z || i->sh)
		return 0;
	int hd = out_reg(e, i->rd);
	slow[0] = fz_test(x);
	if (uns) { /* only (-1, 2^32) or (-1, 2^63): CVTT would say Inexact or Invalid where ARM differs */
		static const uint64_t top[2][2] = { { 0x4f800000, 0x5f000000 }, { 0x41f0000000000000ull, 0x43e0000000000000ull } };
		static const uint64_t minus1[2] = { 0xbf800000, 0xbff0000000000000ull };
		sse_m(x, pre, 0, 0x10, 0, RBX, OFF_V(i->rn));
		x86_mov_imm(x, RAX, top[i->cond][w64]);
		sse_r(x, 0x66, i->cond, 0x6e, 1, RAX); /* movq xmm1, rax */
		sse_r(x, i->cond ? 0x66 : 0, 0, 0x2e, 0, 1); /* ucomisd xmm0, xmm1 */
		slow[1] = x86_jcc(x, CC_AE);
		x86_mov_imm(x, RAX, minus1[i->cond]);
		sse_r(x, 0x66, i->cond, 0x6e, 1, RAX);
		sse_r(x, i->cond ? 0x66 : 0, 0, 0x2e, 0, 1);
		slow[2] = x86_jcc(x, CC_BE); /* NaN too */
		sse_r(x, pre, 1, 0x2c, RAX, 0); /* cvttsd2si rax, xmm0 */
	} else { /* cvttsd2si, 32 or 64 bits; the indefinite, INT_MIN: rax - 1 overflows */
		sse_m(x, pre, w64, 0x2c, RAX, RBX, OFF_V(i->rn));
		x86_alu_ri(x, w64, ALU_CMP, RAX, 1);
		slow[1] = x86_jcc(x, CC_O);
	}
	x86_mov_rr(x, 1, hd, RAX);
	out_done(e, i->rd, hd);
	done = x86_jmp(x);
	for (int k = 0; k < 3; k++)
		if (slow[k] != NULL)
			x86_patch(slow[k], x->p);
	fallback_call(e, i, 1);
	if (i->rd < 32 && e->rc.host[i->rd] >= 0) /* the handler wrote rd: its cache register too */
		x86_load(x, 1, pool[e->rc.host[i->rd]], RBX, OFF_X(i->rd));
	x86_patch(done, x->p);
	return 1;
}

static int emit_fp(struct emit *e, int form, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	uint8_t *slow[3] = { NULL, NULL, NULL }, *done;
	int dbl = i->sf == 8, size = dbl ? 8 : 4;
	int rdbl = dbl; /* the result's precision (FCVT changes it) */
	uint8_t pre = dbl ? 0xf2 : 0xf3;
	switch (form) {
	case A64_F_FMOV_IMM: /* the host flags stay */
		x86_mov_imm(x, RAX, i->imm);
		x86_store(x, 1, RBX, OFF_V(i->rd), RAX);
		x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
		return 1;
	case A64_F_CMP:
		return emit_fcmp(e, i);
	case A64_F_F2I:
		return emit_f2i(e, i);
	case A64_F_FMA:
		if (!has_fma)
			return 0;
		break;
	case A64_F_FMOV_GEN:
		if (i->sh) { /* D[1], to or from a general register */
			if (i->op == 0) {
				int hd = out_reg(e, i->rd);
				x86_load(x, 1, hd, RBX, OFF_V(i->rn) + 8);
				out_done(e, i->rd, hd);
			} else
				x86_store(x, 1, RBX, OFF_V(i->rd) + 8, in_reg(e, i->rn, RAX));
			return 1;
		}
		if (i->op == 0) { /* to a general register */
			int hd = out_reg(e, i->rd);
			x86_load(x, i->sf == 8, hd, RBX, OFF_V(i->rn));
			out_done(e, i->rd, hd);
		} else {
			int hn = in_reg(e, i->rn, RAX);
			if (i->sf == 4) {
				x86_mov_rr(x, 0, RAX, hn);
				hn = RAX;
			}
			x86_store(x, 1, RBX, OFF_V(i->rd), hn);
			x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
		}
		return 1;
	case A64_F_I2F:
		if (i->sh) /* fixed point */
			return 0;
		if (!i->sf && (i->op & 1))
			ldw(e, RAX, i->rn, 0);
		else if (!i->sf)
			ldw(e, RAX, i->rn, 1);
		else
			ldx(e, RAX, i->rn);
		if (i->sf && (i->op & 1)) { /* UCVTF of 64 bits: the top bit set, the handler */
			x86_test_rr(x, 1, RAX, RAX);
			slow[0] = x86_jcc(x, CC_S);
		}
		x86_b(x, i->cond ? 0xf2 : 0xf3);
		x86_op_r(x, 1, 0x0f2a, 0, RAX, 0); /* cvtsi2sd/ss xmm0, rax: exact or rounded per MXCSR */
		vec_set_low(e, i->rd, i->cond ? 8 : 4);
		if (slow[0] != NULL) {
			done = x86_jmp(x);
			x86_patch(slow[0], x->p);
			fallback_call(e, i, 1);
			x86_patch(done, x->p);
		}
		return 1;
	case A64_F_OP1:
		if (i->op <= 2) { /* FMOV, FABS, FNEG: bits */
			x86_load(x, dbl, RAX, RBX, OFF_V(i->rn));
			if (i->op) { /* btr, btc of the sign */
				x86_op_r(x, dbl, 0x0fba, i->op == 1 ? 6 : 7, RAX, 0);
				x86_b(x, (uint8_t)(size * 8 - 1));
			}
			x86_store(x, 1, RBX, OFF_V(i->rd), RAX);
			x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
			return 1;
		}
		if (i->op == 4 || i->op == 5) { /* FCVT to single, to double */
			rdbl = i->op == 5;
			break;
		}
		if (i->op != 3 && !(i->op >= 8 && i->op <= 11 && has_sse41))
			return 0;
		break;
	case A64_F_OP2:
		if (i->op != FOP_ADD && i->op != FOP_SUB && i->op != FOP_MUL && i->op != FOP_DIV)
			return 0;
		break;
	default:
		return 0;
	}
	/* OP2, FMA, FSQRT, FCVT, FRINTN/P/M/Z: the arithmetic, then the checks */
	slow[0] = fz_test(x);
	if (form == A64_F_FMA) { /* xmm0 = [ra] +- [rn] * [rm]: VFMADD VFNMADD VFMSUB VFNMSUB 231 */
		static const uint8_t op[4] = { 0xb9, 0xbd, 0xbb, 0xbf };
		sse_m(x, pre, 0, 0x10, 0, RBX, OFF_V(i->ra));
		sse_m(x, pre, 0, 0x10, 1, RBX, OFF_V(i->rn));
		x86_vex_0f38_m(x, dbl, op[i->op & 3], 0, 1, RBX, OFF_V(i->rm));
	} else if (form == A64_F_OP1 && (i->op == 4 || i->op == 5))
		sse_m(x, pre, 0, 0x5a, 0, RBX, OFF_V(i->rn)); /* cvtsd2ss / cvtss2sd xmm0, [rn] */
	else if (form == A64_F_OP2) {
		static const uint8_t op[] = { [FOP_ADD] = 0x58, [FOP_SUB] = 0x5c, [FOP_MUL] = 0x59, [FOP_DIV] = 0x5e };
		sse_m(x, pre, 0, 0x10, 0, RBX, OFF_V(i->rn)); /* movsd/movss xmm0, [rn] */
		sse_m(x, pre, 0, op[i->op], 0, RBX, OFF_V(i->rm));
	} else if (i->op == 3)
		sse_m(x, pre, 0, 0x51, 0, RBX, OFF_V(i->rn)); /* sqrtsd/ss xmm0, [rn] */
	else { /* roundsd/ss xmm0, [rn], mode | no inexact */
		static const uint8_t mode[] = { 0, 2, 1, 3 }; /* N P M Z */
		x86_b(x, 0x66);
		x86_b(x, 0x0f);
		x86_b(x, 0x3a);
		x86_b(x, dbl ? 0x0b : 0x0a);
		x86_mem(x, 0, RBX, NOIDX, 0, OFF_V(i->rn));
		x86_b(x, (uint8_t)(8 | mode[i->op - 8]));
	}
	size = rdbl ? 8 : 4;
	sse_r(x, rdbl ? 0x66 : 0, 0, 0x2e, 0, 0); /* ucomisd/ss xmm0, xmm0: PF for NaN */
	slow[1] = x86_jcc(x, CC_P);
	sse_r(x, 0x66, rdbl, 0x7e, 0, RAX); /* movq rax, xmm0 */
	if ((form == A64_F_OP2 && (i->op == FOP_MUL || i->op == FOP_DIV)) || form == A64_F_FMA ||
	    (form == A64_F_OP1 && i->op == 4)) { /* |r| the smallest normal: tiny before rounding? */
		x86_mov_rr(x, rdbl, RCX, RAX);
		x86_op_r(x, rdbl, 0x0fba, 6, RCX, 0); /* btr rcx, sign */
		x86_b(x, (uint8_t)(size * 8 - 1));
		if (rdbl) {
			x86_mov_imm(x, RDX, 0x0010000000000000ull);
			x86_alu_rr(x, 1, ALU_CMP, RCX, RDX);
		} else
			x86_alu_ri(x, 0, ALU_CMP, RCX, 0x00800000);
		slow[2] = x86_jcc(x, CC_E);
	}
	x86_store(x, 1, RBX, OFF_V(i->rd), RAX);
	x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
	done = x86_jmp(x);
	for (int k = 0; k < 3; k++)
		if (slow[k] != NULL)
			x86_patch(slow[k], x->p);
	fallback_call(e, i, 1);
	x86_patch(done, x->p);
	return 1;
}

/* ---- Advanced SIMD ----
 * The vector forms glibc's string functions (strlen, memchr, strchr...)
 * and compiled code use most.  Vector registers stay in struct a64_cpu
 * (16-byte aligned there): a form loads its operands into XMM0-XMM3,
 * works there with SSE2 (every x86-64 has it), and stores its result; a
 * 64-bit form zeroes the upper half, as its handler does.  None of it
 * touches the host flags.  What is not here goes to the handler. */

/* 66 0F op: xmm dst, xmm src; xmm dst, V[v] (aligned in struct a64_cpu) */
static void pd_rr(struct x86 *x, unsigned op, int dst, int src) { sse_r(x, 0x66, 0, op, dst, src); }
static void pd_rv(struct x86 *x, unsigned op, int dst, unsigned v) { sse_m(x, 0x66, 0, op, dst, RBX, OFF_V(v)); }
/* shifts by an immediate: 66 0F 71 (words), 72 (dwords), 73 (qwords) /k ib */
enum { PS_SRL = 2, PS_SRA = 4, PS_SLL = 6 };
static void pd_shift(struct x86 *x, unsigned op, int k, int xmm, uint8_t n)
{
	sse_r(x, 0x66, 0, op, k, xmm);
	x86_b(x, n);
}
static void pd_ones(struct x86 *x, int xmm) { pd_rr(x, 0x76, xmm, xmm); } /* pcmpeqd */
static void pd_zero(struct x86 *x, int xmm) { pd_rr(x, 0xef, xmm, xmm); } /* pxor */
static void pd_not(struct x86 *x, int xmm, int scratch)
{
	pd_ones(x, scratch);
	pd_rr(x, 0xef, xmm, scratch);
}
static void vec_load(struct x86 *x, int xmm, unsigned v) { sse_m(x, 0xf3, 0, 0x6f, xmm, RBX, OFF_V(v)); } /* movdqu */
static void vec_load64(struct x86 *x, int xmm, unsigned v) { sse_m(x, 0xf3, 0, 0x7e, xmm, RBX, OFF_V(v)); } /* movq */
/* V[v] = xmm's low 16 or 8 bytes (the rest zero) */
static void vec_store(struct x86 *x, int xmm, unsigned v, int bytes)
{
	if (bytes == 8)
		sse_r(x, 0xf3, 0, 0x7e, xmm, xmm); /* movq xmm, xmm: the upper half cleared */
	sse_m(x, 0xf3, 0, 0x7f, xmm, RBX, OFF_V(v));
}

/* Pairs of bytes in xmm: each word's low byte op its high byte, in its
 * low byte (the high one zero), for PACKUSWB.  Uses XMM2, XMM3. */
static void pair_bytes(struct x86 *x, unsigned op, int xmm)
{
	pd_ones(x, 2);
	pd_shift(x, 0x71, PS_SRL, 2, 8); /* 0x00ff in each word */
	pd_rr(x, 0x6f, 3, xmm);		 /* movdqa */
	pd_shift(x, 0x71, PS_SRL, 3, 8);
	pd_rr(x, 0xdb, xmm, 2);
	pd_rr(x, op, xmm, 3);
}

/* Byte lanes (h_3same_b): sf = 16 or 8 bytes */
static int emit_3same_b(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	unsigned op;
	switch (i->op) {
	case V_CMEQ: op = 0x74; goto plain; /* pcmpeqb */
	case V_ADD: op = 0xfc; goto plain;  /* paddb */
	case V_SUB: op = 0xf8; goto plain;  /* psubb */
	case V_UMAX: op = 0xde; goto plain; /* pmaxub */
	case V_UMIN: op = 0xda; goto plain; /* pminub */
	plain:
		vec_load(x, 0, i->rn);
		pd_rv(x, op, 0, i->rm);
		break;
	case V_CMHS: /* n >= m: max(n, m) == n */
		vec_load(x, 0, i->rn);
		pd_rv(x, 0xde, 0, i->rm);
		pd_rv(x, 0x74, 0, i->rn);
		break;
	case V_CMHI: /* n > m: not m >= n */
		vec_load(x, 0, i->rm);
		pd_rv(x, 0xde, 0, i->rn);
		pd_rv(x, 0x74, 0, i->rm);
		pd_not(x, 0, 1);
		break;
	case V_CMTST: /* (n & m) != 0 */
		vec_load(x, 0, i->rn);
		pd_rv(x, 0xdb, 0, i->rm);
		pd_zero(x, 1);
		pd_rr(x, 0x74, 0, 1);
		pd_not(x, 0, 1);
		break;
	case V_UMAXP: case V_UMINP: case V_ADDP:
		op = i->op == V_UMAXP ? 0xde : i->op == V_UMINP ? 0xda : 0xfc;
		if (i->sf == 16) { /* n's pairs, then m's */
			vec_load(x, 0, i->rn);
			vec_load(x, 1, i->rm);
			pair_bytes(x, op, 0);
			pair_bytes(x, op, 1);
			pd_rr(x, 0x67, 0, 1); /* packuswb */
		} else { /* the low halves side by side */
			vec_load64(x, 0, i->rn);
			vec_load64(x, 1, i->rm);
			pd_rr(x, 0x6c, 0, 1); /* punpcklqdq */
			pair_bytes(x, op, 0);
			pd_rr(x, 0x67, 0, 0);
		}
		break;
	default:
		return 0;
	}
	vec_store(x, 0, i->rd, i->sf);
	return 1;
}

/* The other three-same forms (h_3same): the bitwise ones (cond 0, sf
 * bytes), ADD SUB CMEQ CMGT by element size (sf elements) */
static int emit_3same(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	static const uint8_t add[4] = { 0xfc, 0xfd, 0xfe, 0xd4 }, sub[4] = { 0xf8, 0xf9, 0xfa, 0xfb };
	static const uint8_t eq[3] = { 0x74, 0x75, 0x76 }, gt[3] = { 0x64, 0x65, 0x66 };
	int size = i->cond, bytes = i->sf << size, out = 0;
	if (bytes != 8 && bytes != 16)
		return 0;
	switch (i->op) {
	case V_AND: vec_load(x, 0, i->rn); pd_rv(x, 0xdb, 0, i->rm); break;
	case V_ORR: vec_load(x, 0, i->rn); pd_rv(x, 0xeb, 0, i->rm); break;
	case V_EOR: vec_load(x, 0, i->rn); pd_rv(x, 0xef, 0, i->rm); break;
	case V_BIC: vec_load(x, 0, i->rm); pd_rv(x, 0xdf, 0, i->rn); break; /* pandn: ~m & n */
	case V_ORN:
		vec_load(x, 0, i->rm);
		pd_not(x, 0, 1);
		pd_rv(x, 0xeb, 0, i->rn);
		break;
	case V_BSL: /* (d & n) | (~d & m) = m ^ ((m ^ n) & d) */
		vec_load(x, 0, i->rm);
		pd_rv(x, 0xef, 0, i->rn);
		pd_rv(x, 0xdb, 0, i->rd);
		pd_rv(x, 0xef, 0, i->rm);
		break;
	case V_BIT: /* n where m, else d: d ^ ((d ^ n) & m) */
		vec_load(x, 0, i->rd);
		pd_rv(x, 0xef, 0, i->rn);
		pd_rv(x, 0xdb, 0, i->rm);
		pd_rv(x, 0xef, 0, i->rd);
		break;
	case V_BIF: /* n where not m: d ^ ((d ^ n) & ~m) */
		vec_load(x, 0, i->rd);
		pd_rv(x, 0xef, 0, i->rn);
		vec_load(x, 1, i->rm);
		pd_rr(x, 0xdf, 1, 0);
		pd_rv(x, 0xef, 1, i->rd);
		out = 1;
		break;
	case V_ADD: vec_load(x, 0, i->rn); pd_rv(x, add[size], 0, i->rm); break;
	case V_SUB: vec_load(x, 0, i->rn); pd_rv(x, sub[size], 0, i->rm); break;
	case V_CMEQ:
	case V_CMGT:
		if (size == 3)
			return 0;
		vec_load(x, 0, i->rn);
		pd_rv(x, i->op == V_CMEQ ? eq[size] : gt[size], 0, i->rm);
		break;
	default:
		return 0;
	}
	vec_store(x, out, i->rd, bytes);
	return 1;
}

/* XTN, SHRN: each element of V[rn] (twice the size) shifted right by s,
 * its low half; into the low 8 bytes (the rest zero) or, upper, the high
 * 8 (the low ones kept) */
static void emit_narrow(struct emit *e, const struct a64_insn *i, int s, int upper)
{
	struct x86 *x = &e->x;
	vec_load(x, 0, i->rn);
	switch (i->cond) {
	case 0: /* the low byte of each word, sign-extended: PACKSSWB keeps it as it is */
		if (s)
			pd_shift(x, 0x71, PS_SRL, 0, (uint8_t)s);
		pd_shift(x, 0x71, PS_SLL, 0, 8);
		pd_shift(x, 0x71, PS_SRA, 0, 8);
		pd_rr(x, 0x63, 0, 0);
		break;
	case 1:
		if (s)
			pd_shift(x, 0x72, PS_SRL, 0, (uint8_t)s);
		pd_shift(x, 0x72, PS_SLL, 0, 16);
		pd_shift(x, 0x72, PS_SRA, 0, 16);
		pd_rr(x, 0x6b, 0, 0); /* packssdw */
		break;
	default:
		if (s)
			pd_shift(x, 0x73, PS_SRL, 0, (uint8_t)s);
		pd_shift(x, 0x70, 0, 0, 0x08); /* pshufd xmm0, xmm0: dwords 0 and 2 */
		break;
	}
	if (upper) {
		vec_load(x, 1, i->rd);
		pd_rr(x, 0x6c, 1, 0); /* punpcklqdq: d's low half, then the result */
		vec_store(x, 1, i->rd, 16);
	} else
		vec_store(x, 0, i->rd, 8);
}

/* Two-register misc (h_2misc): compares with zero, NOT, NEG, XTN */
static int emit_2misc(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	static const uint8_t eq[3] = { 0x74, 0x75, 0x76 }, gt[3] = { 0x64, 0x65, 0x66 },
			     sub[4] = { 0xf8, 0xf9, 0xfa, 0xfb };
	int size = i->cond, bytes = i->sf << size;
	if (i->op == M_XTN) {
		emit_narrow(e, i, 0, i->sh);
		return 1;
	}
	if ((bytes != 8 && bytes != 16) || (size == 3 && i->op != M_NEG))
		return 0;
	switch (i->op) {
	case M_NOT:
		vec_load(x, 0, i->rn);
		pd_not(x, 0, 1);
		break;
	case M_NEG:
		pd_zero(x, 0);
		pd_rv(x, sub[size], 0, i->rn);
		break;
	case M_CMEQ0:
		vec_load(x, 0, i->rn);
		pd_zero(x, 1);
		pd_rr(x, eq[size], 0, 1);
		break;
	case M_CMGT0: /* n > 0, and CMLE0 its complement */
	case M_CMLE0:
		vec_load(x, 0, i->rn);
		pd_zero(x, 1);
		pd_rr(x, gt[size], 0, 1);
		if (i->op == M_CMLE0)
			pd_not(x, 0, 1);
		break;
	case M_CMLT0: /* 0 > n, and CMGE0 its complement */
	case M_CMGE0:
		pd_zero(x, 0);
		pd_rv(x, gt[size], 0, i->rn);
		if (i->op == M_CMGE0)
			pd_not(x, 0, 1);
		break;
	default:
		return 0;
	}
	vec_store(x, 0, i->rd, bytes);
	return 1;
}

/* Shift by immediate (h_shimm): SHRN; SSHR, USHR, SHL of 16-, 32- and
 * 64-bit elements (SSHR of 64 bits has no SSE2 form) */
static int emit_shimm(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	static const uint8_t group[4] = { 0, 0x71, 0x72, 0x73 };
	int size = i->cond, bytes = i->sf << size, k;
	if (i->op == 7) {
		emit_narrow(e, i, i->sh, i->ra);
		return 1;
	}
	if (i->op == 8 || i->op == 9) { /* SSHLL, USHLL (SXTL, UXTL): size is the source's, ra the upper half */
		static const uint8_t pmovsx[3] = { 0x20, 0x23, 0x25 }; /* bw, wd, dq */
		int32_t from = OFF_V(i->rn) + (i->ra ? 8 : 0);
		if (size > 2 || (i->op == 8 && !has_sse41))
			return 0;
		if (i->op == 9) {
			sse_m(x, 0xf3, 0, 0x7e, 0, RBX, from); /* movq xmm0, [the half] */
			pd_zero(x, 1);
			pd_rr(x, 0x60 + (unsigned)size, 0, 1); /* punpckl{bw,wd,dq} xmm0, xmm1: zero-extended */
		} else { /* pmovsx{bw,wd,dq} xmm0, [the half] */
			x86_b(x, 0x66);
			x86_b(x, 0x0f);
			x86_b(x, 0x38);
			x86_b(x, pmovsx[size]);
			x86_mem(x, 0, RBX, NOIDX, 0, from);
		}
		if (i->sh)
			pd_shift(x, group[size + 1], PS_SLL, 0, i->sh);
		vec_store(x, 0, i->rd, 16);
		return 1;
	}
	if (size == 0 || (bytes != 8 && bytes != 16))
		return 0;
	switch (i->op) {
	case 0: k = PS_SRA; break;
	case 1: k = PS_SRL; break;
	case 4: k = PS_SLL; break;
	default: return 0;
	}
	if (k == PS_SRA && size == 3)
		return 0;
	vec_load(x, 0, i->rn);
	pd_shift(x, group[size], k, 0, i->sh); /* a count of the element's width or more: 0, or the sign */
	vec_store(x, 0, i->rd, bytes);
	return 1;
}

/* DUP, INS, UMOV, SMOV (h_copy): cond = size, sh = index, ra = INS's
 * source index, sf = DUP's elements */
static int emit_copy(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	int size = i->cond, sz = size; /* SZ_B.. SZ_X are the sizes' log2 */
	int32_t elem = OFF_V(i->rn) + (i->sh << size);
	switch (i->op) {
	case 0: /* DUP from an element, from a general register */
	case 1: {
		int bytes = i->sf << size;
		if (i->op == 0)
			x86_load_sz(x, sz, RAX, RBX, NOIDX, 0, elem);
		else
			ldx(e, RAX, i->rn);
		if (bytes < 8) { /* DUP scalar (op 0): the element alone */
			x86_store(x, 1, RBX, OFF_V(i->rd), RAX);
			x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
			return 1;
		}
		sse_r(x, 0x66, 1, 0x6e, 0, RAX); /* movq xmm0, rax */
		switch (size) {
		case 0:
			pd_rr(x, 0x60, 0, 0); /* punpcklbw: the byte twice */
			/* fall through */
		case 1:
			sse_r(x, 0xf2, 0, 0x70, 0, 0); /* pshuflw xmm0, xmm0, 0 */
			x86_b(x, 0);
			pd_rr(x, 0x6c, 0, 0);
			break;
		case 2:
			pd_shift(x, 0x70, 0, 0, 0); /* pshufd xmm0, xmm0, 0 */
			break;
		default:
			pd_rr(x, 0x6c, 0, 0);
			break;
		}
		vec_store(x, 0, i->rd, bytes);
		return 1;
	}
	case 2: /* INS from a general register */
		x86_store_sz(x, sz, in_reg(e, i->rn, RAX), RBX, NOIDX, 0, OFF_V(i->rd) + (i->sh << size));
		return 1;
	case 3: /* INS from an element */
		x86_load_sz(x, sz, RAX, RBX, NOIDX, 0, OFF_V(i->rn) + (i->ra << size));
		x86_store_sz(x, sz, RAX, RBX, NOIDX, 0, OFF_V(i->rd) + (i->sh << size));
		return 1;
	case 4: { /* UMOV */
		int hd = out_reg(e, i->rd);
		x86_load_sz(x, sz, hd, RBX, NOIDX, 0, elem);
		out_done(e, i->rd, hd);
		return 1;
	}
	default: { /* SMOV, to 64 bits (imm2) or 32 */
		int hd = out_reg(e, i->rd);
		x86_load_sx(x, i->imm2 != 0, sz, hd, RBX, NOIDX, 0, elem);
		out_done(e, i->rd, hd);
		return 1;
	}
	}
}

/* MOVI, MVNI (op 0), ORR (1), BIC (2) immediate: imm the 64-bit pattern,
 * sf bytes */
static int emit_modimm(struct emit *e, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	x86_mov_imm(x, RAX, i->imm);
	if (i->op == 0) {
		x86_store(x, 1, RBX, OFF_V(i->rd), RAX);
		if (i->sf == 16)
			x86_store(x, 1, RBX, OFF_V(i->rd) + 8, RAX);
		else
			x86_store_imm(x, RBX, OFF_V(i->rd) + 8, 0);
		return 1;
	}
	sse_r(x, 0x66, 1, 0x6e, 1, RAX); /* movq xmm1, rax */
	pd_rr(x, 0x6c, 1, 1);
	vec_load(x, 0, i->rd);
	if (i->op == 1)
		pd_rr(x, 0xeb, 0, 1); /* por */
	else {
		pd_rr(x, 0xdf, 1, 0); /* pandn: ~imm & d */
		pd_rr(x, 0x6f, 0, 1);
	}
	vec_store(x, 0, i->rd, i->sf);
	return 1;
}

static int emit_simd(struct emit *e, int form, const struct a64_insn *i)
{
	switch (form) {
	case A64_S_3SAME_B: return emit_3same_b(e, i);
	case A64_S_3SAME: return emit_3same(e, i);
	case A64_S_2MISC: return emit_2misc(e, i);
	case A64_S_SHIMM: return emit_shimm(e, i);
	case A64_S_COPY: return emit_copy(e, i);
	case A64_S_MODIMM: return emit_modimm(e, i);
	}
	return 0;
}

/* Branches as host code; 0 when left to the handler. */
/* How an instruction uses NZCV: NZ_WRITE, all of it without reading it
 * first; NZ_READ, it may read it (and an interpreter handler may do
 * anything) */
enum { NZ_NONE, NZ_READ, NZ_WRITE };
static int nzcv_use(const struct jit_class *k, const struct a64_insn *i)
{
	switch (k->kind) {
	case A64_K_NONE:
		break;
	case A64_K_adds_imm:
	case A64_K_adds_reg:
		return NZ_WRITE;
	case A64_K_ccmp:
		return i->cond < 14 ? NZ_READ : NZ_WRITE;
	case A64_K_csel:
		return i->cond < 14 ? NZ_READ : NZ_NONE;
	default:
		return NZ_NONE;
	}
	if (k->has_shape)
		return NZ_NONE;
	switch (k->iform) {
	case A64_I_NONE:
		break;
	case A64_I_ANDS_IMM:
		return NZ_WRITE;
	case A64_I_LOGIC_REG:
		return i->op == 3 ? NZ_WRITE : NZ_NONE;
	case A64_I_ADDSUB_SREG:
	case A64_I_ADDSUB_EREG:
		return (i->op & 2) ? NZ_WRITE : NZ_NONE;
	case A64_I_ADC:
		return NZ_READ;
	default:
		return NZ_NONE; /* their handlers leave NZCV alone too */
	}
	switch (k->fform) {
	case A64_F_NONE:
		break;
	case A64_F_CMP:
		return NZ_WRITE;
	default:
		return NZ_NONE; /* their handlers leave NZCV alone too */
	}
	if (a64_is_mrs_tpidr(i) || a64_is_dc_zva(i) || k->xform != A64_X_NONE || k->sform != A64_S_NONE)
		return NZ_NONE; /* the SIMD handlers leave NZCV alone too */
	switch (k->br) {
	case A64_BR_NONE:
		return NZ_READ;
	case A64_BR_BCOND:
		return i->cond < 14 ? NZ_READ : NZ_NONE;
	default:
		return NZ_NONE;
	}
}

/* Whether NZCV may be read at guest address t before it is written.  The
 * code there is looked at only in the page the block comes from (mapped,
 * and in the decoded-code set: a change to it flushes this block too), up
 * to its first branch; anything else may read it. */
static int live_look(struct emit *e, uint64_t t)
{
	for (int k = 0; k < 16; k++, t += 4) {
		struct a64_insn i;
		if ((t & ~4095ull) != e->page)
			return 1;
		int end = a64_decode(*(const uint32_t *)(uintptr_t)t, t, &i);
		const struct jit_class *c = classify(e->j, i.fn);
		int use = nzcv_use(c, &i);
		/* a branch ends the look: CBZ and TBZ go on past themselves in
		 * a block, but taken they may reach a reader */
		if (use != NZ_NONE || end || c->br != A64_BR_NONE)
			return use != NZ_WRITE;
	}
	return 1;
}

/* live_look, remembered by address (what it reads is t's page, where t is
 * in the block's) */
static int live_at(struct emit *e, uint64_t t)
{
	if ((t & ~4095ull) != e->page)
		return 1;
	unsigned h = (unsigned)(t >> 2) & ((1u << LIVE_BITS) - 1);
	if (e->j->live[h].pc != t) {
		e->j->live[h].live = live_look(e, t);
		e->j->live[h].pc = t;
	}
	return e->j->live[h].live;
}

/* Before leaving for t: store NZCV if it is owed and t may read it */
static void exit_flags(struct emit *e, uint64_t t)
{
	if (e->hf != FL_NONE && e->stale && live_at(e, t))
		store_nzcv(e);
}

static int emit_branch(struct emit *e, int kind, const struct a64_insn *i)
{
	struct x86 *x = &e->x;
	uint8_t *skip = NULL;
	switch (kind) {
	case A64_BR_B:
	case A64_BR_NEXT:
		exit_direct(e, i->imm);
		return 1;
	case A64_BR_BL:
	case A64_BR_LINK:
		x86_mov_imm(x, RAX, i->pc + 4);
		stx(e, 30, RAX);
		if (kind == A64_BR_BL)
			exit_direct(e, i->imm);
		return 1;
	case A64_BR_BCOND: {
		int stale = e->stale;
		if (i->cond >= 14) {
			exit_flags(e, i->imm);
			exit_direct(e, i->imm);
			return 1;
		}
		if (host_cc(e->hf, i->cond) >= 0) /* the flags are still the host's */
			skip = x86_jcc(x, host_cc(e->hf, i->cond) ^ 1);
		else {
			cond_test(e, i->cond, RAX, RCX);
			skip = x86_jcc(x, CC_NC);
		}
		exit_flags(e, i->imm); /* taken: the store, if the target may read it */
		exit_direct(e, i->imm);
		x86_patch(skip, x->p);
		e->stale = stale; /* not taken: as before */
		return 1;
	}
	case A64_BR_CBZ: {
		int h = in_reg(e, i->rn, RAX);
		x86_test_rr(x, i->imm2 == ~0ull, h, h);
		skip = x86_jcc(x, i->op ? CC_Z : CC_NZ);
		break;
	}
	case A64_BR_TBZ:
		x86_bt_ri(x, 1, in_reg(e, i->rn, RAX), i->sh);
		skip = x86_jcc(x, i->op ? CC_NC : CC_C);
		break;
	case A64_BR_BR:
		ldx(e, RAX, i->rn);
		exit_indirect(e);
		return 1;
	case A64_BR_BLR:
		ldx(e, RAX, i->rn);
		x86_mov_imm(x, RCX, i->pc + 4);
		stx(e, 30, RCX);
		exit_indirect(e);
		return 1;
	default:
		return 0;
	}
	/* CBZ, TBZ: taken leaves, not taken goes on in the block (NZCV was
	 * stored before, if it is live) */
	exit_direct(e, i->imm);
	x86_patch(skip, x->p);
	return 1;
}

/* Whether the instruction's host code leaves the host flags alone (moves,
 * LEA, loads and stores), so that NZCV may stay there across it; a form
 * an emitter refuses goes to fallback_call(), which stores NZCV first. */
static int keeps_flags(const struct jit_class *k, const struct a64_insn *i)
{
	switch (k->kind) {
	case A64_K_NONE:
		break;
	case A64_K_const: case A64_K_mov_reg: case A64_K_add_imm32:
	case A64_K_ldb_off: case A64_K_ldw_off: case A64_K_ldx_off: case A64_K_stb_off: case A64_K_stw_off:
	case A64_K_stx_off: case A64_K_ldb_reg: case A64_K_ldb_uxtw: case A64_K_stb_uxtw: case A64_K_ldp_x_off:
	case A64_K_stp_x_off: case A64_K_vstp_q_off: case A64_K_ldb_post: case A64_K_ldx_post: case A64_K_ldp_x_post:
	case A64_K_stb_post: case A64_K_stb_pre: case A64_K_stx_pre: case A64_K_stp_x_pre:
		return 1;
	case A64_K_add_imm64:
		return x86_fits32((int64_t)i->imm);
	default:
		return 0;
	}
	if (k->br == A64_BR_LINK || k->has_shape)
		return 1;
	switch (k->iform) {
	case A64_I_ORR_IMM:
		return i->rn >= 32;
	case A64_I_UBFM:
	case A64_I_SBFM:
		return i->sh == 0 && (i->op == 7 || i->op == 15 || (i->op == 31 && i->sf)); /* MOVZX, MOVSX */
	}
	switch (k->fform) {
	case A64_F_FMOV_IMM:
	case A64_F_FMOV_GEN:
		return 1;
	}
	switch (k->xform) {
	case A64_X_LDXR:
	case A64_X_LDAR:
	case A64_X_STLR:
		return 1;
	}
	if (k->sform != A64_S_NONE) /* SSE and moves */
		return 1;
	return a64_is_mrs_tpidr(i);
}

/* A block that branches back to its own start (a loop within it) keeps
 * the general registers it names most in callee-saved host registers for
 * its whole length: loaded once at its entry, and its back edges jump past
 * those loads (loop_back), so that a value carried round the loop is not
 * stored and loaded again each time (the store stays: written through). */
static void pin_loop(struct emit *e, const struct a64_insn *insn, unsigned n)
{
	unsigned count[32] = { 0 };
	int loops = 0;
	for (unsigned k = 0; k < n; k++) {
		const struct a64_insn *i = &insn[k];
		const struct jit_class *c = classify(e->j, i->fn);
		int br = c->br, vec = 0;
		if (br != A64_BR_NONE && br != A64_BR_BR && br != A64_BR_BLR && br != A64_BR_LINK && i->imm == e->pc)
			loops = 1;
		if (c->has_shape)
			vec = c->shape.vec; /* rd, ra: vector registers */
		else if (c->kind == A64_K_NONE && c->iform == A64_I_NONE && c->xform == A64_X_NONE &&
			 br != A64_BR_CBZ && br != A64_BR_TBZ)
			continue; /* no general registers the translator reads itself */
		const uint8_t r[4] = { vec ? 32 : i->rd, i->rn, i->rm, vec ? 32 : i->ra };
		for (int j = 0; j < 4; j++)
			if (r[j] < 32)
				count[r[j]]++;
	}
	if (!loops)
		return;
	for (int k = 0; k < NPIN; k++) {
		unsigned best = 32;
		for (unsigned r = 0; r < 32; r++)
			if (count[r] > 0 && (best == 32 || count[r] > count[best]))
				best = r;
		if (best == 32)
			break;
		count[best] = 0;
		x86_load(&e->x, 1, pool[k], RBX, OFF_X(best));
		e->rc.slot[k] = (int8_t)best;
		e->rc.host[best] = (int8_t)k;
		e->rc.used[k] = ++e->rc.clock;
		e->rc.pinned |= (uint16_t)(1u << k);
	}
	e->body = e->x.p;
}

/* The block's instructions in the perf map, one write */
static void perfmap_block(const struct a64_block *b, const uint8_t *end, const struct a64_insn *insn)
{
	char buf[BLOCK_LINES * 80];
	size_t len = 0;
	const struct jit_map *m = BLOCK_MAP(b);
	for (unsigned k = 0; k < b->n && len + 80 < sizeof(buf); k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%lx %x a64_%lx_%lx_%08x\n",
					(unsigned long)(uintptr_t)b->code + m[k].host,
					(unsigned)((k + 1 < b->n ? m[k + 1].host : end - (uint8_t *)b->code) - m[k].host),
					(unsigned long)b->pc, (unsigned long)insn[k].pc, insn[k].raw);
	if (write(perfmap, buf, len) < 0)
		perfmap = -1;
}

struct a64_block *a64_jit_block(struct a64_cpu *c, uint64_t pc, const struct a64_insn *insn, unsigned n)
{
	struct a64_jit *j = c->jit;
	uint8_t *data = j->data;
	struct jit_map map[BLOCK_LINES];
	struct emit e = { .x = { j->free }, .j = j, .hf = FL_NONE, .page = pc & ~4095ull, .pc = pc, .rc = { .clock = 0 } };
	size_t room = INSN_ROOM + 2 * sizeof(struct a64_insn) + sizeof(struct jit_site) + sizeof(struct a64_block) +
		      sizeof(map) + NPIN + 16;
	if (n > BLOCK_LINES || j->nblocks == BLOCKS_MAX)
		return NULL;
	/* live[k]: NZCV may be read from instruction k on (live[n]: after the
	 * block, where its last instruction goes on) */
	uint8_t live[BLOCK_LINES + 1];
	int lastbr = classify(j, insn[n - 1].fn)->br;
	int left = lastbr == A64_BR_B || lastbr == A64_BR_BL || lastbr == A64_BR_NEXT || lastbr == A64_BR_BR ||
		   lastbr == A64_BR_BLR; /* the last instruction leaves the block for sure */
	live[n] = left ? 1 : live_at(&e, insn[n - 1].pc + 4);
	for (unsigned k = n; k-- > 0;) {
		const struct a64_insn *i = &insn[k];
		const struct jit_class *cl = classify(j, i->fn);
		int after = live[k + 1], use = nzcv_use(cl, i);
		switch (cl->br) {
		case A64_BR_B: case A64_BR_BL: case A64_BR_NEXT:
			after = live_at(&e, i->imm);
			break;
		case A64_BR_BR: case A64_BR_BLR:
			after = 1;
			break;
		case A64_BR_BCOND: case A64_BR_CBZ: case A64_BR_TBZ:
			after |= live_at(&e, i->imm);
			break;
		}
		live[k] = use == NZ_READ ? 1 : use == NZ_WRITE ? 0 : after;
	}
	cache_drop(&e.rc);
	uint8_t *code = e.x.p;
	pin_loop(&e, insn, n);
	int8_t pins[NPIN];
	for (int k = 0; k < NPIN; k++)
		pins[k] = e.rc.pinned >> k & 1 ? e.rc.slot[k] : -1;
	for (unsigned k = 0; k < n; k++) {
		const struct a64_insn *i = &insn[k];
		if ((size_t)(j->data - e.x.p) < room) {
			j->data = data; /* the copies made so far go too */
			return NULL;
		}
		const struct jit_class *cls = classify(j, i->fn);
		int kind = cls->kind, br = cls->br, simd = cls->sform;
		/* NZCV in the host flags: a condition that reads them there and an
		 * instruction emitted without touching them keep them; anything
		 * else may change them: store NZCV first if it is live (a handler
		 * may see it too) */
		int adc = cls->iform == A64_I_ADC;
		e.live_next = live[k + 1];
		if (e.hf != FL_NONE && !keeps_flags(cls, i) && !adc && /* ADC takes C from the host flags */
		    !((kind == A64_K_csel || kind == A64_K_ccmp || br == A64_BR_BCOND) &&
		      (i->cond >= 14 || host_cc(e.hf, i->cond) >= 0))) {
			if (e.stale && live[k])
				store_nzcv(&e);
			e.hf = FL_NONE;
			e.stale = 0;
		}
		/* a fault here takes NZCV from the host flags if it is there only */
		map[k] = (struct jit_map){ (uint16_t)(e.x.p - code),
					   (uint16_t)((i->pc - (pc & ~4095ull)) | (e.stale ? (unsigned)e.hf : 0)) };
		uint8_t *at = e.x.p;
		struct regcache rc = e.rc;
		int hf = e.hf, stale = e.stale;
		int done = kind != A64_K_NONE ? emit_simple(&e, kind, i) : 0;
		if (!done && kind == A64_K_NONE && cls->has_shape)
			done = emit_mem(&e, &cls->shape, i);
		else if (!done && kind == A64_K_NONE && cls->iform != A64_I_NONE)
			done = emit_int(&e, cls->iform, i);
		else if (!done && kind == A64_K_NONE && cls->fform != A64_F_NONE)
			done = emit_fp(&e, cls->fform, i);
		else if (!done && kind == A64_K_NONE && cls->xform != A64_X_NONE)
			done = emit_excl(&e, cls->xform, i);
		else if (!done && kind == A64_K_NONE && simd != A64_S_NONE)
			done = emit_simd(&e, simd, i);
		else if (!done && kind == A64_K_NONE && a64_is_dc_zva(i)) { /* memset's: 64 zero bytes */
			ldx(&e, RAX, i->rd);
			x86_alu_ri(&e.x, 1, ALU_AND, RAX, -64);
			pd_zero(&e.x, 0);
			for (int off = 0; off < 64; off += 16)
				sse_m(&e.x, 0xf3, 0, 0x7f, 0, RAX, off); /* movdqu [rax + off], xmm0 */
			done = 1;
		} else if (!done && kind == A64_K_NONE && a64_is_mrs_tpidr(i)) { /* the host flags stay */
			int hd = out_reg(&e, i->rd);
			x86_load(&e.x, 1, hd, RBX, OFF(tpidr));
			out_done(&e, i->rd, hd);
			done = 1;
		}
		if (!done) { /* whatever a refusing emitter began is undone */
			e.x.p = at;
			e.rc = rc;
			e.hf = hf;
			e.stale = stale;
		}
		if (!done && kind == A64_K_NONE)
			done = emit_branch(&e, br, i);
		if (!done) /* the SIMD handlers but UMOV's and SMOV's write no general register */
			fallback_call(&e, i, simd != A64_S_NONE && simd != A64_S_COPY);
	}
	/* a block whose last handler went on (it always leaves) goes on after it */
	if (!left) {
		if (e.hf != FL_NONE && e.stale && live[n])
			store_nzcv(&e);
		exit_direct(&e, insn[n - 1].pc + 4);
	}
	struct a64_block *b = data_alloc(j, sizeof(*b) + n * sizeof(struct jit_map) + NPIN);
	b->pc = pc;
	b->next = NULL;
	b->code = code;
	b->n = n;
	memcpy(BLOCK_MAP(b), map, n * sizeof(struct jit_map));
	memcpy(BLOCK_PINS(b), pins, NPIN);
	j->blocks[j->nblocks++] = b;
	if (perfmap >= 0) /* one symbol per instruction: block, pc, encoding */
		perfmap_block(b, e.x.p, insn);
	j->free = (uint8_t *)(((uintptr_t)e.x.p + 15) & ~(uintptr_t)15);
	return b;
}
#endif
