/* Call-site patching: after a guest `syscall` instruction traps into the
 * stub, its site is rewritten so that later calls from it reach the stub
 * by a jump, without the kernel's signal round trip (gVisor's systrap does
 * the same; this one is written for the stub).
 *
 * The site: glibc's wrappers say `mov $nr, %eax; syscall`
 * (b8 <nr:4> 0f 05).  Only the five bytes of the `mov` are replaced, by a
 * `jmp rel32` to a trampoline within 2 GiB of it; the `syscall` bytes stay,
 * so a thread that had already executed the `mov` (stopped between the two,
 * or interrupted there by a signal) still makes the call, and traps.  The
 * bytes that change are stored by one atomic 8- or 16-byte compare-and-swap
 * of the aligned block that holds them, so another thread fetches either
 * the old instruction or the new one, never a mix.  A `mov` at offset 12 of
 * a 16-byte block has its last byte (the number's top byte, 0) in the next
 * block: its jump goes to a trampoline less than 16 MiB after it, whose
 * rel32 has that same top byte, so the four bytes that change are in one
 * 8-byte block (glibc's getdents64 is such a site).  Other sites whose
 * changing bytes cross a block are left as they are (they keep trapping).
 *
 * The trampoline: `mov $nr, %eax; movabs $site+7, %rcx; jmp *stub_fast_entry`
 * (entry.S), which keeps every register the kernel keeps, then the same
 * dispatch as the SIGSYS handler.  Semantics do not move: the site could
 * only make call nr, which the filter traps on its number alone (so every
 * call from it would have come to the stub), and the calls whose answer
 * needs the signal frame (the signal mask, sigaction, sigsuspend, the
 * masked waits, clone), exec, kill, unshare and the conditionally trapped
 * ones (sendto, clone) are never patched.
 *
 * A site whose number is in a register: glibc's syscall(), which ends
 * `mov %r9, %r8; mov 0x8(%rsp), %r9; syscall` (4d 89 c8 4c 8b 4c 24 08 0f
 * 05), the way programs make the calls libc has no wrapper for.  Its
 * five-byte `mov` is replaced the same way; the trampoline makes that `mov`
 * and then looks the number up among those the filter has trapped in this
 * process (cfg.patch.trapped, set by the SIGSYS handler for the patchable
 * ones): one of them goes to the stub as above, any other is made by a
 * `syscall` in the trampoline, which the filter judges as the guest's own
 * (allowed, or trapped: then the handler learns it), and jumps back after
 * the site.  So a call reaches the stub only with a number the filter has
 * sent it in this process, which it answers whatever the arguments (as for
 * a patched `mov $nr` site of close or fcntl, trapped only for the stub's
 * own fds).
 *
 * Only code the guest cannot write is patched (a writable page is a JIT's,
 * which may rewrite it): the page is made writable for the store and given
 * back read-and-execute.  One thread patches at a time (a try-lock: a
 * signal handler that traps while its thread patches never waits).
 *
 * Not a hole in the wall: the guest could always jump to the stub's fast
 * instruction; what keeps it in is Landlock (src/wall).  MEW_TRAP_PATCH=0
 * turns patching off (STUB_F_NO_PATCH). */
#include "guest.h"

#define TRAMP_SIZE 32
#define PAGE 4096UL
#define REACH 0x7ff00000L

extern void stub_fast_entry(void);

static int patchable(long nr)
{
	switch (nr) {
	case __NR_execve:
	case __NR_execveat:
	case __NR_rt_sigaction:
	case __NR_rt_sigprocmask:
	case __NR_rt_sigsuspend:
	case __NR_ppoll:
	case __NR_pselect6:
	case __NR_epoll_pwait:
	case 441: /* epoll_pwait2 */
	case __NR_sendto:
	case __NR_kill:
	case __NR_tgkill:
	case __NR_clone:
	case __NR_unshare:
	/* trapped only on the map fds of a user namespace (userns.c): a
	 * patched site would take every other write through the stub */
	case __NR_write:
	case __NR_pwrite64:
	case __NR_writev:
	case __NR_pwritev:
	case __NR_pwritev2:
		return 0;
	}
	return nr >= 0 && nr < 1000;
}

/* to - from within (lo, hi): a jump's reach */
static int reaches(unsigned long from, unsigned long to, long lo, long hi)
{
	long d = (long)(to - from);
	return d > lo && d < hi;
}

static void failed(unsigned long site)
{
	cfg.patch.failed[cfg.patch.nfailed++ % STUB_PATCH_FAILED] = site;
}

static int failed_before(unsigned long site)
{
	for (int i = 0; i < STUB_PATCH_FAILED; i++)
		if (cfg.patch.failed[i] == site)
			return 1;
	return 0;
}

/* A free trampoline of n slots at from + (lo, hi) (from: the byte after
 * the jump), on a page of its own near the code: 0 if none. */
static unsigned long trampoline(unsigned long from, long lo, long hi, uint32_t n)
{
	uint32_t i;
	unsigned long p, slot, brk = 0;
	int near = hi < REACH, tries = near ? 256 : 22;

	for (i = 0; i < cfg.patch.npages && i < STUB_PATCH_PAGES; i++) {
		slot = cfg.patch.page[i] + cfg.patch.used[i] * TRAMP_SIZE;
		if (cfg.patch.used[i] + n <= PAGE / TRAMP_SIZE && reaches(from, slot, lo, hi - n * TRAMP_SIZE)) {
			cfg.patch.used[i] += n;
			return slot;
		}
	}
	if (i >= STUB_PATCH_PAGES)
		return 0;
	/* Free space near the code: 1 MiB to 1 GiB below it, then above; for
	 * a jump that must land just after it, every 64 KiB up to hi, but
	 * not where the program's break would grow (the heap follows the
	 * program's code closely). */
	if (near)
		brk = (unsigned long)S1(__NR_brk, 0);
	for (int k = 0; k < tries; k++) {
		unsigned long off = 1UL << (20 + k / 2), want = (from & ~(PAGE - 1));
		if (near)
			want += PAGE + (unsigned long)k * 0x10000;
		else
			want = (k & 1) ? want + off : want - off;
		if (!reaches(from, want, lo, hi - PAGE))
			continue;
		if (near && want >= brk && want - brk < (1UL << 30))
			continue;
		if (want < 0x10000UL || want >= 0x7ffffffff000UL)
			continue;
		p = (unsigned long)S6(__NR_mmap, want, PAGE, PROT_READ_ | PROT_EXEC_,
				      MAP_PRIVATE_ | MAP_ANONYMOUS_ | 0x100000 /* MAP_FIXED_NOREPLACE */, -1, 0);
		if (p > -4096UL)
			continue;
		if (p != want) { /* a kernel that took it as a hint */
			S2(__NR_munmap, p, PAGE);
			continue;
		}
		cfg.patch.page[i] = p;
		cfg.patch.used[i] = n;
		cfg.patch.npages = i + 1;
		return p;
	}
	return 0;
}

static int cas8(unsigned long w, uint64_t old, uint64_t new)
{
	return __atomic_compare_exchange_n((uint64_t *)w, &old, new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static int cas16(unsigned long w, uint64_t olo, uint64_t ohi, uint64_t nlo, uint64_t nhi)
{
	unsigned char ok;
	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
			 : "=q"(ok), "+m"(*(volatile uint64_t(*)[2])w), "+a"(olo), "+d"(ohi)
			 : "b"(nlo), "c"(nhi)
			 : "memory", "cc");
	return ok;
}

static int same(const unsigned char *x, const unsigned char *y, int n)
{
	for (int i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* The bytes of the five at s that jmp changes, from old: [*lo, *hi). */
static void changed(const unsigned char *old, const unsigned char *jmp, int *lo, int *hi)
{
	*lo = 0;
	*hi = 5;
	while (*hi > *lo && old[*hi - 1] == jmp[*hi - 1])
		(*hi)--;
}

/* Replace the five bytes at s with jmp (5 bytes), in one atomic store of
 * the aligned block that holds those of them that change (the rest stay
 * as they are), if all five still are old. */
static int store(unsigned long s, const unsigned char *old, const unsigned char *jmp)
{
	unsigned long w, a, z;
	unsigned char b[16];
	int lo, hi;

	/* the bytes that stay: still old (only patchers write code, one at
	 * a time); those that change: in the block's snapshot, below */
	changed(old, jmp, &lo, &hi);
	for (int i = hi; i < 5; i++)
		if (((const unsigned char *)s)[i] != old[i])
			return 0;
	a = s + (unsigned long)lo;
	z = s + (unsigned long)hi; /* (the opcode always changes: z > a) */
	w = a & ~7UL;
	if (z <= w + 8) {
		uint64_t o, n;
		memcpy(&o, (const void *)w, 8);
		memcpy(b, &o, 8);
		if (!same(b + (a - w), old + lo, hi - lo))
			return 0;
		memcpy(b + (a - w), jmp + lo, (size_t)(hi - lo));
		memcpy(&n, b, 8);
		return cas8(w, o, n);
	}
	w = a & ~15UL;
	if (z <= w + 16) {
		uint64_t o[2], n[2];
		memcpy(o, (const void *)w, 16);
		memcpy(b, o, 16);
		if (!same(b + (a - w), old + lo, hi - lo))
			return 0;
		memcpy(b + (a - w), jmp + lo, (size_t)(hi - lo));
		memcpy(n, b, 16);
		return cas16(w, o[0], o[1], n[0], n[1]);
	}
	return 0;
}

/* Is the page at p writable by the guest already (a JIT's code)?  Tried by
 * writing one byte of it over itself through the kernel, which honours
 * the page's protection. */
static int writable(unsigned long p)
{
	unsigned char c = *(volatile unsigned char *)p;
	struct iov l = { &c, 1 }, r = { (void *)p, 1 };
	return S6(__NR_process_vm_writev, S0(__NR_getpid), &l, 1, &r, 1, 0) == 1;
}

/* glibc's syscall(): `mov %r9, %r8` and the five bytes patched, `mov
 * 0x8(%rsp), %r9`, before the `syscall` */
static const unsigned char reg_site[10] = { 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05 };

/* The trampoline (at tr) of a site at s whose `mov` puts nr in eax (nr >=
 * 0), or of glibc's syscall() (nr < 0: the number is in rax), into t: its
 * length. */
static int tramp_code(unsigned char *t, unsigned long s, unsigned long tr, long nr)
{
	unsigned long fast = (unsigned long)stub_fast_entry, back = s + 7,
		      trapped = (unsigned long)cfg.patch.trapped;
	uint32_t n = (uint32_t)nr;
	int32_t rel;
	int k = 0;

	if (nr >= 0) {
		t[k++] = 0xb8; /* mov $nr, %eax */
		memcpy(t + k, &n, 4);
		k += 4;
	} else {
		memcpy(t + k, reg_site + 3, 5); /* mov 0x8(%rsp), %r9 */
		k += 5;
		/* cmp $STUB_MAX_NR-1, %rax; ja plain */
		memcpy(t + k, (const unsigned char[]){ 0x48, 0x3d, 0xff, 0x01, 0x00, 0x00, 0x77, 40 }, 8);
		k += 8;
		t[k++] = 0x49; /* movabs $trapped, %r11 */
		t[k++] = 0xbb;
		memcpy(t + k, &trapped, 8);
		k += 8;
		/* bt %rax, (%r11); jnc plain */
		memcpy(t + k, (const unsigned char[]){ 0x49, 0x0f, 0xa3, 0x03, 0x73, 24 }, 6);
		k += 6;
	}
	t[k++] = 0x48; /* movabs $s+7, %rcx */
	t[k++] = 0xb9;
	memcpy(t + k, &back, 8);
	k += 8;
	t[k++] = 0xff; /* jmp *0(%rip) */
	t[k++] = 0x25;
	memset(t + k, 0, 4);
	k += 4;
	memcpy(t + k, &fast, 8);
	k += 8;
	if (nr < 0) { /* plain: syscall; jmp s+7 */
		t[k++] = 0x0f;
		t[k++] = 0x05;
		t[k++] = 0xe9;
		rel = (int32_t)(long)(back - (tr + (unsigned long)k + 4));
		memcpy(t + k, &rel, 4);
		k += 4;
	}
	return k;
}

static void patch_locked(unsigned long s, long nr)
{
	const unsigned char *c = (const unsigned char *)s;
	unsigned char old[5], jmp[5], t[2 * TRAMP_SIZE];
	unsigned long tr, page = s & ~(PAGE - 1);
	uint32_t n = (uint32_t)nr, slots = nr < 0 ? 2 : 1;
	int32_t rel;
	int len;

	/* already patched by another thread, or no longer the call's site */
	if (nr >= 0 ? c[0] != 0xb8 || c[5] != 0x0f || c[6] != 0x05 || c[1] != (n & 0xff) ||
			      c[2] != ((n >> 8) & 0xff) || c[3] != 0 || c[4] != 0
		    : !same(c - 3, reg_site, 10))
		return;
	if (writable(page)) {
		failed(s);
		return;
	}
	/* offset 12 of a 16-byte block: rel32's top byte must stay c[4] (0) */
	if ((s & 15) == 12)
		tr = nr >= 0 ? trampoline(s + 5, 0, 1L << 24, slots) : 0;
	else
		tr = trampoline(s + 5, -REACH, REACH, slots);
	if (tr == 0) {
		failed(s);
		return;
	}
	len = tramp_code(t, s, tr, nr);
	memset(t + len, 0xcc, slots * TRAMP_SIZE - (unsigned)len);
	/* The trampoline page never loses PROT_EXEC: others run on it. */
	if (S3(__NR_mprotect, tr & ~(PAGE - 1), PAGE, PROT_READ_ | PROT_WRITE_ | PROT_EXEC_) < 0) {
		failed(s);
		return;
	}
	memcpy((void *)tr, t, slots * TRAMP_SIZE);
	S3(__NR_mprotect, tr & ~(PAGE - 1), PAGE, PROT_READ_ | PROT_EXEC_);
	memcpy(old, c, 5);
	rel = (int32_t)(long)(tr - (s + 5));
	jmp[0] = 0xe9;
	memcpy(jmp + 1, &rel, 4);
	if (S3(__NR_mprotect, page, PAGE, PROT_READ_ | PROT_WRITE_ | PROT_EXEC_) < 0) {
		failed(s);
		return;
	}
	if (store(s, old, jmp))
		cfg.patch.nsites++;
	S3(__NR_mprotect, page, PAGE, PROT_READ_ | PROT_EXEC_);
}

/* The SIGSYS handler answered call nr made by the `syscall` instruction
 * that ends at end: patch its site if it can be. */
void patch_site(unsigned long end, long nr)
{
	unsigned long s = end - 7, w8 = s & ~7UL, w16 = s & ~15UL;
	const unsigned char *c = (const unsigned char *)s;

	if (cfg.flags & STUB_F_NO_PATCH)
		return;
	if (!patchable(nr) || end < 0x10000UL + 8 || end >= 0x800000000000UL)
		return;
	/* (what a site with its number in a register may send the stub) */
	if (nr < STUB_MAX_NR)
		__atomic_or_fetch(&cfg.patch.trapped[nr / 64], 1ULL << (nr % 64), __ATOMIC_RELAXED);
	/* the five bytes in one aligned block (or at offset 12, above), and
	 * the seven on one page (the `syscall`'s, which just ran: readable),
	 * with the byte before them */
	if (s - w8 > 3 && s - w16 > 12)
		return;
	if ((s & ~(PAGE - 1)) != ((end - 1) & ~(PAGE - 1)) || (s & (PAGE - 1)) == 0)
		return;
	/* `mov $nr, %eax` (not the tail of `mov $nr, %r8d`: no REX prefix
	 * before), or glibc's syscall() */
	if (c[0] == 0xb8 && (c[-1] & 0xf0) != 0x40)
		;
	else if ((s & (PAGE - 1)) >= 3 && same(c - 3, reg_site, 10))
		nr = -1;
	else
		return;
	if (failed_before(s))
		return;
	if (__atomic_exchange_n(&cfg.patch.lock, 1, __ATOMIC_ACQUIRE) != 0)
		return;
	patch_locked(s, nr);
	__atomic_store_n(&cfg.patch.lock, 0, __ATOMIC_RELEASE);
}
