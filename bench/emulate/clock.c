/* N calls of clock_gettime(CLOCK_MONOTONIC) (default 1,000,000): the cost
 * of a time call, a vDSO call where there is one.  Prints N and whether
 * the clock never went back, the same under every runner. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec last = { 0, 0 }, now;
	int back = 0;
	for (long k = 0; k < n; k++) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return 1;
		if (now.tv_sec < last.tv_sec || (now.tv_sec == last.tv_sec && now.tv_nsec < last.tv_nsec))
			back = 1;
		last = now;
	}
	printf("%ld calls, %s\n", n, back ? "the clock went back" : "monotonic");
	return back;
}
