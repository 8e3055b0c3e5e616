/* The guest's vDSO, seen from an arm64 program (built static and dynamic).
 *   vdso check HOST-SECONDS HOST-UPTIME  the answers and the mapping, as Linux gives them
 *   vdso loop N                          N rounds of the six time calls through libc
 *   vdso svc N                           the same rounds as system calls (the counter's control)
 *   vdso hostile                         mew's vDSO instruction anywhere else is SIGILL
 *   vdso backtrace                       glibc's backtrace from a signal handler (dynamic, -rdynamic)
 * check prints `vdso ok` or the first thing that is wrong (exit 1). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define HVC_CLOCK_GETTIME 0xd40da022u /* hvc #0x6d01: what the vDSO's __kernel_clock_gettime runs */

static int failed;
#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			printf("FAIL %s: ", #cond);        \
			printf(__VA_ARGS__);               \
			printf("\n");                      \
			failed = 1;                        \
		}                                          \
	} while (0)

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

static volatile unsigned long handler_return;
static void on_usr1(int sig)
{
	handler_return = (unsigned long)__builtin_return_address(0);
}

static int found_vdso;
static int each_object(struct dl_phdr_info *info, size_t size, void *ehdr)
{
	if (info->dlpi_name != NULL && strcmp(info->dlpi_name, "linux-vdso.so.1") == 0 &&
	    info->dlpi_addr == (unsigned long)ehdr)
		found_vdso = 1;
	return 0;
}

static int check(long host_sec, double host_uptime)
{
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
	struct timespec a, b, r;
	struct timeval tv;
	struct timezone tz;

	CHECK(ehdr != 0, "no AT_SYSINFO_EHDR");
	if (ehdr == 0)
		return 1;
	CHECK(memcmp((void *)ehdr, ELFMAG, SELFMAG) == 0, "no ELF header at %#lx", ehdr);

	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0, "%m");
	CHECK(labs(a.tv_sec - host_sec) < 600, "realtime %ld, host %ld", (long)a.tv_sec, host_sec);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0 && clock_gettime(CLOCK_MONOTONIC, &b) == 0, "%m");
	CHECK(ns(&b) >= ns(&a), "monotonic went back");
	CHECK(clock_gettime(CLOCK_BOOTTIME, &b) == 0, "%m");
	CHECK(ns(&b) >= ns(&a), "boottime %lld before monotonic %lld", ns(&b), ns(&a));
	CHECK(b.tv_sec - host_uptime < 600 && host_uptime - b.tv_sec < 600, "boottime %ld, host uptime %.0f",
	      (long)b.tv_sec, host_uptime);
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0, "%m");
	for (volatile long k = 0; k < 3000000; k++)
		;
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b) == 0, "%m");
	CHECK(ns(&a) > 0 && ns(&b) > ns(&a), "process CPU time %lld then %lld", ns(&a), ns(&b));

	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && gettimeofday(&tv, &tz) == 0 &&
	      clock_gettime(CLOCK_REALTIME, &b) == 0, "%m");
	long long us = tv.tv_sec * 1000000ll + tv.tv_usec;
	CHECK(ns(&a) / 1000 <= us && us <= ns(&b) / 1000, "gettimeofday %lld outside [%lld, %lld]", us,
	      ns(&a) / 1000, ns(&b) / 1000);
	struct timeval *volatile no_tv = NULL; /* Linux's vDSO lets both be NULL */
	CHECK(gettimeofday(no_tv, NULL) == 0, "%m");

	CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0, "%m");
	CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec < 1000000000, "resolution %lld", ns(&r));
	CHECK(clock_getres(CLOCK_MONOTONIC_COARSE, &r) == 0 && r.tv_nsec > 1, "coarse resolution %lld", ns(&r));
	CHECK(clock_getres(CLOCK_REALTIME, NULL) == 0, "%m");

	/* Linux's answers for what its vDSO passes to the system call */
	errno = 0;
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL, "clock 12345: %m");
	errno = 0;
	CHECK(clock_getres(12345, &a) == -1 && errno == EINVAL, "getres of clock 12345: %m");
	errno = 0;
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, (void *)16) == -1 && errno == EFAULT, "bad pointer: %m");
	/* ... and for what it answers itself: its store faults */
	pid_t pid = fork();
	if (pid == 0) {
		clock_gettime(CLOCK_MONOTONIC, (void *)16);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "clock_gettime(CLOCK_MONOTONIC, 16): status %#x", st);

	/* a handler returns through the vDSO's __kernel_rt_sigreturn */
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	CHECK(handler_return >= ehdr && handler_return < ehdr + 4096, "a handler returns to %#lx, the vDSO is at %#lx",
	      handler_return, ehdr);

	/* /proc/self/maps: one [vdso], where the auxv says, and nothing of the host's */
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int vdso = 0, other = 0;
	CHECK(f != NULL, "/proc/self/maps: %m");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		char perms[8];
		if (strstr(line, "[vdso]") != NULL) {
			vdso++;
			CHECK(sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo == ehdr && strcmp(perms, "r-xp") == 0,
			      "maps: %s", line);
		}
		if (strstr(line, "[vvar") != NULL || strstr(line, "[vsyscall]") != NULL || strstr(line, "memfd:") != NULL)
			other++;
	}
	if (f != NULL)
		fclose(f);
	CHECK(vdso == 1 && other == 0, "%d [vdso] lines, %d of the host's", vdso, other);

	dl_iterate_phdr(each_object, (void *)ehdr);
	printf("link map: %s\n", found_vdso ? "linux-vdso.so.1" : "no vDSO");
	if (!failed)
		printf("vdso ok\n");
	return failed;
}

static void loop(long n, int raw)
{
	struct timespec ts;
	struct timeval tv;
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID };
	for (long k = 0; k < n; k++) {
		for (int c = 0; c < 4; c++)
			if ((raw ? syscall(SYS_clock_gettime, clocks[c], &ts) : clock_gettime(clocks[c], &ts)) != 0)
				exit(2);
		if ((raw ? syscall(SYS_gettimeofday, &tv, NULL) : gettimeofday(&tv, NULL)) != 0)
			exit(2);
		if ((raw ? syscall(SYS_clock_getres, CLOCK_MONOTONIC, &ts) : clock_getres(CLOCK_MONOTONIC, &ts)) != 0)
			exit(2);
	}
}

/* glibc's backtrace (libgcc's unwinder) from a handler: through the vDSO's
 * trampoline (its words matched), named by dladdr from the vDSO's symbols */
static void print_backtrace(int sig)
{
	void *frames[32];
	int n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, 1);
}

__attribute__((noinline)) void interrupted(void) /* global: -rdynamic names it */
{
	raise(SIGUSR2);
	__asm__ volatile("" ::: "memory"); /* not a tail call: this frame stays */
}

/* ---- the attacker's side ---- */

static volatile unsigned long expect_at;
static volatile int sigills;

static void on_ill(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	if ((unsigned long)si->si_addr == expect_at && u->uc_mcontext.pc == expect_at)
		sigills++;
	u->uc_mcontext.regs[0] = (unsigned long)-99;
	u->uc_mcontext.pc = u->uc_mcontext.regs[30]; /* return from the function */
}

extern char own_hvc[];
__asm__(".text\n.globl own_hvc\nown_hvc: .inst 0xd40da022\nret\n");

typedef long (*time_fn)(long clock, struct timespec *ts);

static int try(const char *what, unsigned long at)
{
	struct timespec ts = { 7, 7 };
	int before = sigills;
	expect_at = at;
	long r = ((time_fn)at)(CLOCK_MONOTONIC, &ts);
	int ok = sigills == before + 1 && r == -99 && ts.tv_sec == 7 && ts.tv_nsec == 7;
	printf("%s: %s\n", what, ok ? "SIGILL" : "answered");
	return ok;
}

static int hostile(void)
{
	struct sigaction sa = { .sa_sigaction = on_ill, .sa_flags = SA_SIGINFO };
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR), off = 0;
	int ok = 0;
	sigaction(SIGILL, &sa, NULL);
	if (ehdr == 0) {
		printf("no vDSO\n");
		return 1;
	}
	for (unsigned long k = 0; k < 4096; k += 4)
		if (*(unsigned *)(ehdr + k) == HVC_CLOCK_GETTIME)
			off = k;
	if (off == 0) {
		printf("no clock_gettime call in the vDSO\n");
		return 1;
	}
	ok += try("in the program's own code", (unsigned long)own_hvc);

	/* the vDSO's code copied elsewhere */
	char *copy = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(copy, (void *)ehdr, 4096);
	mprotect(copy, 4096, PROT_READ | PROT_EXEC);
	__builtin___clear_cache(copy, copy + 4096);
	ok += try("a copy of the vDSO", (unsigned long)copy + off);

	/* the vDSO unmapped and the same bytes mapped at its address */
	munmap((void *)ehdr, 4096);
	char *same = mmap((void *)ehdr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memcpy(same, copy, 4096);
	mprotect(same, 4096, PROT_READ | PROT_EXEC);
	__builtin___clear_cache(same, same + 4096);
	ok += try("the guest's own page where the vDSO was", ehdr + off);
	printf("hostile: %d of 3 SIGILL\n", ok);
	return ok == 3 ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return check(atol(argv[2]), atof(argv[3]));
	if (argc == 3 && (strcmp(argv[1], "loop") == 0 || strcmp(argv[1], "svc") == 0)) {
		loop(atol(argv[2]), argv[1][0] == 's');
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "hostile") == 0)
		return hostile();
	if (argc == 2 && strcmp(argv[1], "backtrace") == 0) {
		signal(SIGUSR2, print_backtrace);
		interrupted();
		return 0;
	}
	fprintf(stderr, "usage: vdso check SECONDS UPTIME | loop N | svc N | hostile | backtrace\n");
	return 2;
}
