/* An undefined instruction must raise SIGILL at its own address; a handler
 * may skip it and carry on.  With an argument, no handler: killed by SIGILL. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

extern char bad_insn[];
static volatile int hits;

static void on_ill(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	if (si->si_addr == (void *)bad_insn && u->uc_mcontext.pc == (unsigned long)bad_insn)
		hits++;
	u->uc_mcontext.pc += 4;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		struct sigaction sa = { .sa_sigaction = on_ill, .sa_flags = SA_SIGINFO };
		sigaction(SIGILL, &sa, NULL);
	}
	__asm__ volatile(".globl bad_insn\nbad_insn: .inst 0x00000000" ::: "memory");
	printf("sigill handled %d\n", hits);
	return hits == 1 ? 0 : 1;
}
