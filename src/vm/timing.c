#include "vm/timing.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_MARKS 48

static int enabled = -1;
static uint64_t t0, first_exit;
static struct {
	const char *what;
	uint64_t ns;
} marks[MAX_MARKS];
static int nmarks;
static uint64_t exits[4]; /* port I/O, MMIO, other, total */

uint64_t vm_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vm_timing_start(bool on)
{
	if (enabled < 0)
		enabled = on;
	if (enabled)
		t0 = vm_now_ns();
}

void vm_timing_mark(const char *what)
{
	/* from the I/O thread too */
	int i = enabled > 0 ? __atomic_fetch_add(&nmarks, 1, __ATOMIC_RELAXED) : MAX_MARKS;
	if (i < MAX_MARKS)
		marks[i] = (typeof(marks[0])){ what, vm_now_ns() };
}

void vm_timing_exit(int kind)
{
	if (enabled > 0) {
		__atomic_fetch_add(&exits[kind < 3 ? kind : 2], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&exits[3], 1, __ATOMIC_RELAXED);
	}
}

void vm_timing_first_exit(void)
{
	uint64_t zero = 0;
	if (enabled > 0 && __atomic_load_n(&first_exit, __ATOMIC_RELAXED) == 0)
		__atomic_compare_exchange_n(&first_exit, &zero, vm_now_ns(), false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

static double ms(uint64_t a, uint64_t b)
{
	return (double)(int64_t)(b - a) / 1e6;
}

void vm_timing_report(void)
{
	uint64_t prev = t0;
	const char *exec = getenv("MEW_VM_T0");

	if (enabled <= 0)
		return;
	for (int i = 0; i < nmarks && i < MAX_MARKS; i++) {
		fprintf(stderr, "mew: vm: timing: %-28s %7.3f ms (%.3f ms after the engine started)\n", marks[i].what,
			ms(prev, marks[i].ns), ms(t0, marks[i].ns));
		prev = marks[i].ns;
	}
	fprintf(stderr, "mew: vm: timing: %llu VM exits to mew (%llu port I/O, %llu MMIO, %llu other)\n",
		(unsigned long long)exits[3], (unsigned long long)exits[0], (unsigned long long)exits[1],
		(unsigned long long)exits[2]);
	if (first_exit == 0)
		return;
	fprintf(stderr, "mew: vm: timing: first guest exit %.3f ms after the engine started", ms(t0, first_exit));
	if (exec != NULL)
		fprintf(stderr, ", %.3f ms after exec", ms(strtoull(exec, NULL, 10), first_exit));
	fputc('\n', stderr);
}
