/* Where the VMM's start-up time goes (--vm-debug timing): marks taken with
 * CLOCK_MONOTONIC at each step, printed on stderr at the end of the run.
 * MEW_VM_T0=<CLOCK_MONOTONIC ns>, set by a benchmark just before it execs
 * mew, adds the time from exec. */
#ifndef MEW_VM_TIMING_H
#define MEW_VM_TIMING_H

#include <stdbool.h>
#include <stdint.h>

uint64_t vm_now_ns(void);
/* Start the clock (the engine's start); no-op unless on. */
void vm_timing_start(bool on);
/* The step what has just finished (what must be a string literal). */
void vm_timing_mark(const char *what);
/* The guest's first VM exit, from a vCPU thread: only the first call counts. */
void vm_timing_first_exit(void);
/* Count a VM exit to mew: 0 port I/O, 1 MMIO, 2 anything else. */
void vm_timing_exit(int kind);
void vm_timing_report(void);

#endif
