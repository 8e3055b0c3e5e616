/* Self-modifying code: a page rewritten with cache maintenance (IC IVAU,
 * ISB), then unmapped and mapped again at the same address with new code
 * (munmap, mprotect): each run must execute the new instructions, with
 * the translator and with the interpreter. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
typedef long (*fn)(void);
static void put(uint32_t *p, int v) { p[0] = 0xd2800000 | (v << 5); p[1] = 0xd65f03c0; __builtin___clear_cache((char *)p, (char *)(p + 2)); }
int main(void)
{
	long sum = 0;
	uint32_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int k = 1; k <= 100; k++) { put(p, k); sum += ((fn)p)(); }
	/* remap: the same address, new code, no cache maintenance */
	munmap(p, 4096);
	uint32_t *q = mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	q[0] = 0xd2800000 | (7 << 5); q[1] = 0xd65f03c0;
	mprotect(q, 4096, PROT_READ | PROT_EXEC);
	printf("%ld %ld\n", sum, ((fn)q)());
	return 0;
}
