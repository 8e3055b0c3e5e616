/* A faulting load or store is charged to its own instruction, with the
 * instructions before it done and those after it not, wherever the decoder
 * put it: in a pair superinstruction (first or second), after a not-taken
 * conditional branch in the same block, behind a followed B; and the
 * handler sees the NZCV of the compare just before it (the translator
 * keeps NZCV in the host's flags across a load).  A pre/post-index load
 * or store that faults has not written its base back: the handler sees it
 * as it was, and so does the code after it.  A loop that the translator
 * keeps in host registers (not written through) faults on its third time
 * round: the handler sees the registers of that time, and the loop goes on
 * from them.  The SIGSEGV handler checks the pc and skips the instruction. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

extern char f1[], f2[], f3[], f4[], f5[], f6[], f7[], f8[], f9[], f11[];
static volatile uintptr_t expect;
static volatile int hits, wrong;
static volatile unsigned nzcv_seen;
static volatile uint64_t x11_seen, x12_seen, x13_seen, bad11;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	nzcv_seen = (unsigned)(u->uc_mcontext.pstate >> 28) & 15;
	x11_seen = u->uc_mcontext.regs[11];
	x12_seen = u->uc_mcontext.regs[12];
	x13_seen = u->uc_mcontext.regs[13];
	bad11 = (uintptr_t)&x11_seen; /* the loop's load faults once */
	if (u->uc_mcontext.pc == expect)
		hits++;
	else {
		wrong++;
		fprintf(stderr, "fault at %#llx, expected %#lx\n", (unsigned long long)u->uc_mcontext.pc,
			(unsigned long)expect);
	}
	u->uc_mcontext.pc += 4;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	uint64_t good[2] = { 0x1111, 0x2222 }, a, b;
	int failed = 0;

	/* 1: a pair of loads, the second faults: the first is done */
	expect = (uintptr_t)f1;
	a = b = 0;
	__asm__ volatile("ldr %0, [%2]\n.globl f1\nf1: ldr %1, [%3]" : "+r"(a), "+r"(b) : "r"(good), "r"((uint64_t)8));
	failed |= (a != 0x1111 || b != 0) << 0;
	/* 2: a pair of loads, the first faults: the second runs after the handler */
	expect = (uintptr_t)f2;
	a = b = 0;
	__asm__ volatile(".globl f2\nf2: ldr %0, [%3]\nldr %1, [%2]" : "+r"(a), "+r"(b) : "r"(good), "r"((uint64_t)8));
	failed |= (a != 0 || b != 0x1111) << 1;
	/* 3: a pair of stores, the second faults: the first is done */
	expect = (uintptr_t)f3;
	__asm__ volatile("str %0, [%1, #8]\n.globl f3\nf3: str %0, [%2]" : : "r"((uint64_t)0x3333), "r"(good), "r"((uint64_t)8) : "memory");
	failed |= (good[1] != 0x3333) << 2;
	/* 4: after a not-taken CBZ in the same block */
	expect = (uintptr_t)f4;
	a = 0;
	__asm__ volatile("cbz %2, 1f\n.globl f4\nf4: ldr %0, [%1]\n1:" : "+r"(a) : "r"((uint64_t)8), "r"((uint64_t)1));
	/* 5: behind a B the decoder follows */
	expect = (uintptr_t)f5;
	__asm__ volatile("b 2f\nnop\n2:\n.globl f5\nf5: ldrb w9, [%0]\nmov w9, #0" : : "r"((uint64_t)8) : "x9");
	/* 6: a not-taken CBNZ paired with the load that faults */
	expect = (uintptr_t)f6;
	__asm__ volatile("cbnz xzr, 3f\n.globl f6\nf6: ldr x9, [%0]\n3:" : : "r"((uint64_t)8) : "x9");
	/* 7: a load paired with the CBZ that tests it */
	expect = (uintptr_t)f7;
	__asm__ volatile(".globl f7\nf7: ldrb w9, [%0]\ncbz w9, 4f\n4:" : : "r"((uint64_t)8) : "x9");

	/* 8: a compare (1 - 2: N), then the load that faults; the flags
	 * still read right after the handler returns */
	uint64_t lt = 0, cs = 0;
	expect = (uintptr_t)f8;
	__asm__ volatile("cmp %1, %2\n.globl f8\nf8: ldr x9, [%3]\ncset %0, lt"
			 : "=r"(lt) : "r"((uint64_t)1), "r"((uint64_t)2), "r"((uint64_t)8) : "x9", "cc");
	failed |= (nzcv_seen != 8 || lt != 1) << 8;
	/* 9: an add that carries (C), then a store that faults */
	expect = (uintptr_t)f9;
	__asm__ volatile("adds x10, %1, %2\n.globl f9\nf9: str x10, [%3]\ncset %0, cs"
			 : "=r"(cs) : "r"(~(uint64_t)0), "r"((uint64_t)2), "r"((uint64_t)8) : "x10", "cc", "memory");
	failed |= (nzcv_seen != 2 || cs != 1) << 9;

	/* 10: pre/post-index loads and stores of each kind, base x11 = 8 (the
	 * access faults): x11 unchanged in the handler and after */
	int wb_faults = hits, wb_n = 0;
#define WB(k)                                                                                       \
	do {                                                                                        \
		uint64_t base, at;                                                                  \
		x11_seen = 0;                                                                       \
		wb_n++;                                                                             \
		__asm__ volatile("adr %1, 1f\nstr %1, [%2]\nmov x11, #8\n1: " k "\nmov %0, x11"        \
				 : "=&r"(base), "=&r"(at) : "r"(&expect) : "x9", "x10", "x11", "v0", "v1", "memory"); \
		if (base != 8 || x11_seen != 8) {                                                   \
			fprintf(stderr, "%s: x11 %#llx in the handler, %#llx after\n", k,            \
				(unsigned long long)x11_seen, (unsigned long long)base);              \
			failed |= 1 << 10;                                                          \
		}                                                                                   \
	} while (0)
	WB("ldr x9, [x11, #16]!"); WB("ldr x9, [x11], #8"); WB("ldr w9, [x11, #4]!"); WB("ldr w9, [x11], #4");
	WB("ldrh w9, [x11], #2"); WB("ldrsw x9, [x11, #4]!"); WB("ldrsb w9, [x11], #1"); WB("str x9, [x11, #-8]!");
	WB("str x9, [x11], #8"); WB("str w9, [x11, #4]!"); WB("strb w9, [x11, #1]!"); WB("strb w9, [x11], #1");
	WB("strh w9, [x11], #2"); WB("ldp x9, x10, [x11, #16]!"); WB("ldp w9, w10, [x11], #8");
	WB("ldpsw x9, x10, [x11], #8"); WB("stp x9, x10, [x11, #-16]!"); WB("stp w9, w10, [x11], #8");
	WB("ldr q0, [x11, #16]!"); WB("ldr d0, [x11], #8"); WB("ldr s0, [x11], #4"); WB("ldr b0, [x11, #1]!");
	WB("str q0, [x11], #16"); WB("str d0, [x11, #8]!"); WB("ldp q0, q1, [x11], #32"); WB("stp q0, q1, [x11, #32]!");
	WB("ldp d0, d1, [x11, #16]!"); WB("stp s0, s1, [x11], #8"); WB("ld1 {v0.16b}, [x11], #16");
	WB("st1 {v0.16b, v1.16b}, [x11], #32");
	wb_faults = hits - wb_faults;

	/* 11: a loop (a block that branches back to its own start): x12
	 * counts, x13 sums the counts; the load faults on the third time
	 * round (x12 3, x13 6: its address is bad11's, which the handler
	 * makes good) and the loop goes on to x12 5, x13 15 */
	uint64_t count, sum;
	expect = (uintptr_t)f11;
	bad11 = 8;
	__asm__ volatile("mov x12, #0\nmov x13, #0\n"
			 "5: add x12, x12, #1\nadd x13, x13, x12\nldr x17, [%3]\ncmp x12, #3\ncsel x16, x17, %2, eq\n"
			 ".globl f11\nf11: ldr x15, [x16]\ncmp x12, #5\nb.ne 5b\nmov %0, x12\nmov %1, x13"
			 : "=r"(count), "=r"(sum) : "r"(good), "r"(&bad11) : "x12", "x13", "x15", "x16", "x17", "cc", "memory");
	failed |= (x12_seen != 3 || x13_seen != 6 || count != 5 || sum != 15) << 11;

	printf("faults %d wrong %d failed %#x writeback %d of %d\n", hits - wb_faults, wrong, failed, wb_faults, wb_n);
	return hits == 10 + wb_n && wrong == 0 && failed == 0 ? 0 : 1;
}
