/* The execution loop: find the decoded block for pc (decode it on a miss),
 * run its instructions through their handlers, deliver pending signals
 * between blocks.  Faults on guest memory land here through siglongjmp. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/jit/jit.h"

enum { BLOCK_MAX = 64 };

__thread struct a64_cpu *a64_current;
unsigned a64_cache_gen; /* bumped when guest code may have changed */
int a64_debug_on;

void a64_debug(const char *fmt, ...)
{
	va_list ap;
	if (!a64_debug_on)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "mew: a64[%d]: ", getpid());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void a64_cache_clear(struct a64_cpu *c)
{
	for (size_t k = 0; k < (1u << A64_CACHE_BITS); k++) {
		struct a64_block *b = c->cache[k];
		while (b != NULL) {
			struct a64_block *n = b->next;
			if (b->code == NULL) /* a translated block lives in the code cache */
				free(b);
			b = n;
		}
		c->cache[k] = NULL;
	}
	c->last = NULL;
	c->cur = NULL;
	a64_jit_reset(c);
	c->cache_gen = __atomic_load_n(&a64_cache_gen, __ATOMIC_ACQUIRE);
}

void a64_cache_flush_all(void)
{
	__atomic_add_fetch(&a64_cache_gen, 1, __ATOMIC_RELEASE);
}

/* The guest pages any thread decoded code from: a set of page numbers, so
 * that unmapping or remapping memory flushes the decode caches only when
 * code was there (malloc's munmap of a big buffer does not).  Never shrinks;
 * when it fills up every change flushes. */
enum { PAGESET_BITS = 16 };
static uint64_t pageset[1u << PAGESET_BITS];
static int pageset_full;

static void code_page_add(uint64_t page)
{
	uint64_t key = page + 1; /* 0 = empty */
	size_t h = (size_t)(key * 0x9e3779b97f4a7c15ull) >> (64 - PAGESET_BITS);
	for (size_t n = 0; n < (1u << PAGESET_BITS) / 2; n++, h = (h + 1) & ((1u << PAGESET_BITS) - 1)) {
		uint64_t cur = __atomic_load_n(&pageset[h], __ATOMIC_ACQUIRE);
		if (cur == key)
			return;
		if (cur == 0) {
			uint64_t zero = 0;
			if (__atomic_compare_exchange_n(&pageset[h], &zero, key, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
			    zero == key)
				return;
		}
	}
	__atomic_store_n(&pageset_full, 1, __ATOMIC_RELEASE);
}

static int code_page_has(uint64_t page)
{
	uint64_t key = page + 1;
	size_t h = (size_t)(key * 0x9e3779b97f4a7c15ull) >> (64 - PAGESET_BITS);
	for (size_t n = 0; n < (1u << PAGESET_BITS) / 2; n++, h = (h + 1) & ((1u << PAGESET_BITS) - 1)) {
		uint64_t cur = __atomic_load_n(&pageset[h], __ATOMIC_ACQUIRE);
		if (cur == key)
			return 1;
		if (cur == 0)
			return 0;
	}
	return 1;
}

void a64_code_changed(uint64_t addr, uint64_t len)
{
	uint64_t first = addr >> 12, last = (addr + len - 1) >> 12;
	if (len == 0)
		return;
	if (__atomic_load_n(&pageset_full, __ATOMIC_ACQUIRE)) {
		a64_cache_flush_all();
		return;
	}
	if (last - first < 4096) {
		for (uint64_t p = first; p <= last; p++)
			if (code_page_has(p)) {
				a64_cache_flush_all();
				return;
			}
		return;
	}
	for (size_t k = 0; k < (1u << PAGESET_BITS); k++) {
		uint64_t key = __atomic_load_n(&pageset[k], __ATOMIC_ACQUIRE);
		if (key != 0 && key - 1 >= first && key - 1 <= last) {
			a64_cache_flush_all();
			return;
		}
	}
}

/* Decode a block at pc: straight-line code and conditional branches (not
 * taken, execution goes on in the block), through B and BL to targets in
 * the same page that the block has not covered yet, up to an indirect
 * branch, a system call, BLOCK_MAX instructions or the end of a page. */
static struct a64_block *translate(struct a64_cpu *c, uint64_t pc)
{
	struct a64_insn buf[BLOCK_MAX + 1];
	struct { uint64_t from, to; } seg[5]; /* the ranges decoded so far */
	unsigned n = 0, nseg = 0;
	uint64_t at = pc, page = pc & ~4095ull;

	code_page_add(pc >> 12);
	c->cur = NULL; /* a fault while fetching is charged to pc itself */
	seg[0].from = pc;
	for (;;) {
		uint32_t raw = *(const uint32_t *)(uintptr_t)at;
		int end = a64_decode(raw, at, &buf[n]);
		if (buf[n].fn == a64_undef)
			a64_debug("undefined instruction %08x at %#lx", raw, (unsigned long)at);
		if (!a64_is_nop(&buf[n]))
			n++;
		at += 4;
		if (end) {
			uint64_t t;
			int f = nseg + 1 < 5 && n < BLOCK_MAX ? a64_direct_jump(&buf[n - 1], &t) : 0;
			if ((t & ~4095ull) != page)
				f = 0;
			seg[nseg].to = at;
			for (unsigned k = 0; k <= nseg; k++)
				if (t >= seg[k].from && t < seg[k].to)
					f = 0; /* a loop: the block at t chains to itself */
			if (f == 0)
				break;
			if (f == 1)
				n--; /* B: nothing left to execute */
			else
				a64_bl_to_link(&buf[n - 1]);
			seg[++nseg].from = at = t;
			continue;
		}
		if (n == BLOCK_MAX || (at & 4095) == 0) {
			a64_insn_next(&buf[n++], at);
			break;
		}
	}
	struct a64_block *b;
	if (c->jit != NULL) {
		b = a64_jit_block(c, pc, buf, n);
		if (b == NULL) { /* the code cache is full: start again */
			a64_debug("the code cache is full: flushed at pc %#lx", (unsigned long)pc);
			a64_cache_clear(c);
			b = a64_jit_block(c, pc, buf, n);
		}
		if (b == NULL) {
			fputs("mew: emulate: a block does not fit in the code cache\n", stderr);
			_exit(125);
		}
	} else {
		a64_peephole(buf, n);
		b = malloc(sizeof(*b) + n * sizeof(struct a64_insn));
		if (b == NULL) {
			fputs("mew: emulate: out of memory for the decode cache\n", stderr);
			_exit(125);
		}
		b->pc = pc;
		b->n = n;
		b->code = NULL;
		memcpy(b->insn, buf, n * sizeof(struct a64_insn));
	}
	size_t s = (pc >> 2) & ((1u << A64_CACHE_BITS) - 1);
	b->next = c->cache[s];
	c->cache[s] = b;
	return b;
}

/* The block for pc, moved to the front of its hash chain: translated code
 * looks at the front only (an indirect branch's miss), so that a target
 * found once deep in a chain is found there next time. */
static struct a64_block *lookup_front(struct a64_cpu *c, uint64_t pc)
{
	struct a64_block **head = &c->cache[(pc >> 2) & ((1u << A64_CACHE_BITS) - 1)], **p = head;
	while (*p != NULL && (*p)->pc != pc)
		p = &(*p)->next;
	struct a64_block *b = *p;
	if (b != NULL && p != head) {
		*p = b->next;
		b->next = *head;
		*head = b;
	}
	return b;
}

_Noreturn void a64_run(struct a64_cpu *c)
{
	a64_current = c;
	if (a64_jit_enabled && c->jit == NULL)
		a64_jit_attach(c); /* c->jit NULL: interpret */
	int jumped = sigsetjmp(c->fault_jmp, 1);
	if (jumped == A64_JMP_EXIT)
		a64_thread_end(c);
	if (jumped != 0) {
		/* A guest memory access faulted (or a fetch, with cur == NULL). */
		uint64_t pc = c->cur != NULL ? c->cur->pc : c->pc;
		c->pc = pc;
		c->last = NULL;
		c->jit_link = NULL;
		a64_debug("fault at pc %#lx addr %#lx", (unsigned long)pc, (unsigned long)c->fault_addr);
		a64_signal_sync(c, c->fault_sig, c->fault_code, c->fault_addr);
	}
	for (;;) {
		uint64_t left_at = c->pc; /* where the last block left for */
		/* budget first: a signal caught after this is seen at the next transition */
		c->budget = c->jit != NULL ? A64_JIT_BUDGET : A64_BUDGET;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (UNLIKELY_PENDING(c))
			a64_signal_deliver(c);
		if (c->cache_gen != __atomic_load_n(&a64_cache_gen, __ATOMIC_RELAXED))
			a64_cache_clear(c);
		uint64_t pc = c->pc;
		struct a64_block *b = lookup_front(c, pc);
		if (b == NULL)
			b = translate(c, pc);
		if (c->jit != NULL) {
			/* link the direct branch that left for this block, unless a
			 * signal's delivery went elsewhere */
			c->last = NULL;
			a64_jit_run(c, b, pc == left_at);
			continue;
		}
		struct a64_insn *last = c->last;
		if (last != NULL) {
			/* link the branch that left the last block to this one */
			if (last->chain == 2) {
				last->imm = pc;
				last->l0 = b;
			} else if (last->chain == 1 && pc == last->imm)
				last->l0 = b;
		}
		c->last = NULL;
		const struct a64_insn *i = b->insn;
		c->cur = i; /* memory handlers update it: only they can fault */
		i->fn(c, i); /* threaded: runs to the end of the block and on through chained ones */
	}
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
	struct a64_cpu *c = a64_current;
	if (c == NULL) {
		/* mew's own bug, not the guest's: die as the host would. */
		signal(sig, SIG_DFL);
		return;
	}
	/* sent (kill, tgkill, sigqueue: si_code <= 0), not a fault: the guest's
	 * disposition decides, at delivery, as for any other signal */
	if (si->si_code <= 0) {
		a64_signal_async(sig, si, uctx);
		return;
	}
	int translated = 0;
#if defined(__x86_64__)
	/* in translated code: the instruction is known by the host pc */
	uint64_t pc;
	if (a64_jit_fault_pc(c, uctx, &pc)) {
		c->cur = NULL;
		c->pc = pc;
		translated = 1;
	}
#endif
	/* mew's own access to guest memory in a system call: EFAULT */
	if (c->in_syscall && !translated) {
		c->in_syscall = 0;
		c->fault_addr = (uint64_t)(uintptr_t)si->si_addr;
		siglongjmp(c->sys_fault_jmp, 1);
	}
	c->fault_addr = (uint64_t)(uintptr_t)si->si_addr;
	c->fault_sig = sig;
	c->fault_code = si->si_code;
	siglongjmp(c->fault_jmp, A64_JMP_FAULT);
}

void a64_fault_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

