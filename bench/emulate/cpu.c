/* The emulate benchmark's CPU-bound program: sort, hash and floating point,
 * deterministic output (the same on every architecture and emulator). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200000;
	uint32_t *v = malloc(n * sizeof(*v)), s = 2463534242u;
	for (int i = 0; i < n; i++) {
		s ^= s << 13, s ^= s >> 17, s ^= s << 5;
		v[i] = s;
	}
	qsort(v, n, sizeof(*v), cmp);
	uint64_t h = 1469598103934665603ull; /* FNV-1a over the sorted bytes */
	for (int i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			h = (h ^ ((v[i] >> (8 * b)) & 0xff)) * 1099511628211ull;
	double acc = 0;
	for (int i = 1; i <= n; i++) {
		double x = (double)v[i - 1] / 4294967296.0;
		acc += sqrt(x) * 0.5 + x * x / (1.0 + i) - floor(x * 3.0);
	}
	printf("%d %016llx %.6f\n", n, (unsigned long long)h, acc);
	free(v);
	return 0;
}
