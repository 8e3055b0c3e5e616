/* The report: plain data filled by the CLI, read by everything else. */
#include "bench/bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const workload_names[BENCH_NWORKLOADS] = {
	[BENCH_STARTUP] = "startup",
	[BENCH_SYSCALLS] = "syscalls",
	[BENCH_WALK] = "walk",
	[BENCH_CPU] = "cpu",
};

const char *bench_workload_name(enum bench_workload w)
{
	return (unsigned)w < BENCH_NWORKLOADS ? workload_names[w] : "?";
}

int bench_workload_from_name(const char *name)
{
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		if (strcmp(workload_names[w], name) == 0)
			return w;
	return -1;
}

static void cell_init(struct bench_cell *c)
{
	memset(c, 0, sizeof(*c));
	c->status = BENCH_SKIPPED;
	c->median = NAN;
	c->ratio = NAN;
}

void bench_report_init(struct bench_report *r)
{
	memset(r, 0, sizeof(*r));
}

static void row_free(struct bench_row *row)
{
	free(row->engine);
	free(row->arch);
	free(row->reason);
	for (int w = 0; w < BENCH_NWORKLOADS; w++) {
		free(row->cells[w].runs);
		free(row->cells[w].note);
	}
	free(row->unshare_net.detail);
	free(row->cgroup.detail);
	free(row->user_unshare_net.detail);
	free(row->user_cgroup.detail);
}

void bench_report_free(struct bench_report *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		row_free(&r->rows[i]);
	free(r->rows);
	for (size_t i = 0; i < r->nclaims; i++) {
		free(r->claims[i].id);
		free(r->claims[i].text);
		free(r->claims[i].evidence);
	}
	free(r->claims);
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		free(r->workload_text[w]);
	free(r->version);
	free(r->date);
	free(r->machine);
	free(r->rootfs);
	free(r->rootfs_arm64);
	bench_report_init(r);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct bench_row *bench_report_add_row(struct bench_report *r, const char *engine, const char *arch,
				       bool runnable, const char *reason)
{
	struct bench_row *rows = realloc(r->rows, (r->nrows + 1) * sizeof(*rows));
	struct bench_row *row;

	if (rows == NULL)
		return NULL;
	r->rows = rows;
	row = &rows[r->nrows++];
	memset(row, 0, sizeof(*row));
	row->engine = strdup(engine);
	row->arch = dup_or_null(arch);
	row->runnable = runnable;
	row->reason = dup_or_null(reason);
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		cell_init(&row->cells[w]);
	return row;
}

struct bench_row *bench_report_row(const struct bench_report *r, const char *engine)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (strcmp(r->rows[i].engine, engine) == 0)
			return &r->rows[i];
	return NULL;
}

int bench_cell_add_run(struct bench_cell *c, double seconds)
{
	double *runs = realloc(c->runs, (c->nruns + 1) * sizeof(*runs));

	if (runs == NULL)
		return -1;
	c->runs = runs;
	c->runs[c->nruns++] = seconds;
	return 0;
}

void bench_cell_set(struct bench_cell *c, enum bench_status status, const char *note)
{
	c->status = status;
	free(c->note);
	c->note = dup_or_null(note);
}

void bench_check_set(struct bench_check *c, enum bench_check_result result, const char *detail)
{
	c->result = result;
	free(c->detail);
	c->detail = dup_or_null(detail);
}

bool bench_row_hosts_containers(const struct bench_row *row)
{
	return row->unshare_net.result == BENCH_CHECK_OK && row->cgroup.result == BENCH_CHECK_OK;
}

bool bench_row_hosts_on_its_own(const struct bench_row *row)
{
	if (row->user_unshare_net.result == BENCH_CHECK_UNTESTED)
		return bench_row_hosts_containers(row);
	return row->user_unshare_net.result == BENCH_CHECK_OK && row->user_cgroup.result == BENCH_CHECK_OK;
}
