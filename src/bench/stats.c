/* Medians and ratios: the figures every table, chart and claim reads. */
#include "bench/bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* NAN for no values; the mean of the two middle ones for an even count. */
double bench_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (s == NULL)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void bench_report_compute(struct bench_report *r)
{
	const struct bench_row *native = bench_report_row(r, "native");

	for (size_t i = 0; i < r->nrows; i++)
		for (int w = 0; w < BENCH_NWORKLOADS; w++) {
			struct bench_cell *c = &r->rows[i].cells[w];

			c->median = c->status == BENCH_OK ? bench_median(c->runs, c->nruns) : NAN;
		}
	for (size_t i = 0; i < r->nrows; i++)
		for (int w = 0; w < BENCH_NWORKLOADS; w++) {
			struct bench_cell *c = &r->rows[i].cells[w];
			double base = native != NULL ? native->cells[w].median : NAN;

			c->ratio = !isnan(c->median) && !isnan(base) && base > 0 ? c->median / base : NAN;
		}
}
