/* The arm64 -> x86-64 translator: per decoded block, host code in a
 * per-thread code cache, behind the interpreter's block cache and exit
 * rule (see jit.c). */
#ifndef MEW_A64_JIT_JIT_H
#define MEW_A64_JIT_JIT_H

#include "a64/cpu.h"

/* Whether new threads translate (MEW_A64_JIT=0 or off: the interpreter). */
extern int a64_jit_enabled;
void a64_jit_configure(void);
/* --jit on (1) or off (0); -1 for on where this host has no translator. */
int a64_jit_choose(int on);

/* Give this thread a code cache (c->jit stays NULL when it cannot be
 * mapped: the thread interprets). */
void a64_jit_attach(struct a64_cpu *c);
void a64_jit_free(struct a64_jit *j);
/* Empty the code cache (with the decode cache: a64_cache_clear). */
void a64_jit_reset(struct a64_cpu *c);

/* A block for the n decoded instructions at pc (no peephole: the
 * translator sees each instruction), with its host code, both in the code
 * cache (the block is not malloc'd: a64_cache_clear frees only blocks
 * without code); NULL when the code cache is full (the caller clears the
 * caches and tries again). */
struct a64_block *a64_jit_block(struct a64_cpu *c, uint64_t pc, const struct a64_insn *insn, unsigned n);
/* Run from block b until translated code leaves to the run loop; first
 * link the direct branch that left last (c->jit_link) to b. */
void a64_jit_run(struct a64_cpu *c, struct a64_block *b, int link);
/* The guest pc of the instruction whose translated code faulted, from the
 * host context uctx (a ucontext_t) of the fault handler: 1, or 0 when its
 * rip is not in this thread's code; c->nzcv where NZCV was still in the
 * host flags and the registers a looping block keeps in host registers
 * (not written through) are set from that context. */
int a64_jit_fault_pc(struct a64_cpu *c, void *uctx, uint64_t *pc);

#endif
