/* The x86-64 numbers of the call table's rows (abi/calls.h): every row is
 * an x86-64 call. */
#include <asm/unistd_64.h>

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

#include "personality/abi/calls.h"

#define X86_NMAX 512

static const uint16_t x86_64_calls[X86_NMAX] = {
#define PERS_X86_64(name, ...) [__NR_##name] = PC_##name + 1,
	PERS_CALLS(PERS_X86_64)
#undef PERS_X86_64
};

const struct pers_abi pers_abi_x86_64 = {
	.name = "x86_64",
	.o_nofollow = 0400000,
	.nmax = X86_NMAX,
	.call = x86_64_calls,
};
