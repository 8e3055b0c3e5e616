/* `mew bench`: the same workloads natively and under every engine that can
 * run here; medians, ratios to native, the "real Linux" check, and each of
 * mew's claims with whether it held on this machine.
 *
 * The report is plain data: src/cli/bench.c fills it by running things,
 * everything else here (statistics, claims, table, JSON, chart) only reads
 * it, so that each piece can be tested on a report built by hand. */
#ifndef MEW_BENCH_BENCH_H
#define MEW_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/error.h"

enum bench_workload {
	BENCH_STARTUP,	/* /bin/true in the rootfs */
	BENCH_SYSCALLS, /* getppid, stat, open+close in a loop */
	BENCH_WALK,	/* lstat of every entry of a file tree */
	BENCH_CPU,	/* sort + hash + floating point */
	BENCH_NWORKLOADS,
};

/* "startup", "syscalls", "walk", "cpu"; -1 for another name. */
const char *bench_workload_name(enum bench_workload w);
int bench_workload_from_name(const char *name);

enum bench_status {
	BENCH_SKIPPED, /* not run: note says why */
	BENCH_OK,
	BENCH_FAILED, /* note says what failed */
};

struct bench_cell {
	enum bench_status status;
	double *runs; /* seconds, in the order they ran */
	size_t nruns;
	double median; /* seconds; NAN unless ok */
	double ratio;  /* median / native's median; NAN when either is missing */
	char *note;
};

enum bench_check_result {
	BENCH_CHECK_UNTESTED,
	BENCH_CHECK_OK,
	BENCH_CHECK_FAILED,
};

struct bench_check {
	enum bench_check_result result;
	char *detail; /* ok: where; failed: why; untested: why not */
};

/* One way of running: "native" (always first) or an engine. */
struct bench_row {
	char *engine;
	char *arch;	/* "amd64", "arm64" */
	bool runnable;	/* the engine's probe said yes */
	char *reason;	/* the probe's reason (why not, or a note) */
	struct bench_cell cells[BENCH_NWORKLOADS];
	struct bench_check unshare_net, cgroup; /* the "real Linux" check */
	/* The same check by an ordinary user (when mew runs as root): does the
	 * power come from a kernel of the engine's own, or from the host user's
	 * privileges passed through? */
	struct bench_check user_unshare_net, user_cgroup;
};

enum bench_verdict {
	BENCH_UNTESTED, /* what it needs could not run here */
	BENCH_HELD,
	BENCH_PARTLY, /* held as far as it could be tested */
	BENCH_NOT_HELD,
};

struct bench_claim {
	char *id;   /* "container", "vm", "emulate", "syscall", "syscall-cost" */
	char *text; /* the claim as mew states it */
	enum bench_verdict verdict;
	char *evidence; /* the figures it rests on */
};

struct bench_report {
	char *version;
	char *date;    /* UTC, ISO 8601 */
	char *machine; /* one line: CPUs, model, kernel, memory */
	char *rootfs, *rootfs_arm64;
	bool quick;
	int runs;   /* timed runs per cell (after the warm-up) */
	long params[BENCH_NWORKLOADS]; /* iterations, passes, numbers */
	char *workload_text[BENCH_NWORKLOADS];
	struct bench_row *rows;
	size_t nrows;
	struct bench_claim *claims;
	size_t nclaims;
};

void bench_report_init(struct bench_report *r);
void bench_report_free(struct bench_report *r);
/* Append a row (strings copied); returns it, or NULL when out of memory. */
struct bench_row *bench_report_add_row(struct bench_report *r, const char *engine, const char *arch,
				       bool runnable, const char *reason);
struct bench_row *bench_report_row(const struct bench_report *r, const char *engine);
/* Record one timed run / a final state for a cell; notes are copied. */
int bench_cell_add_run(struct bench_cell *c, double seconds);
void bench_cell_set(struct bench_cell *c, enum bench_status status, const char *note);
void bench_check_set(struct bench_check *c, enum bench_check_result result, const char *detail);
bool bench_row_hosts_containers(const struct bench_row *row);
/* It hosts containers even for an ordinary user of the host: a kernel of
 * its own.  Falls back to the check as run when the user check did not run. */
bool bench_row_hosts_on_its_own(const struct bench_row *row);

/* Statistics (stats.c). */
double bench_median(const double *v, size_t n);
/* Medians of every ok cell, and ratios to the "native" row. */
void bench_report_compute(struct bench_report *r);

/* The workload program's `realinux` output ("unshare-net: ok", "cgroup:
 * failed: why") -> the two checks.  -1 when a line is missing. */
int bench_parse_realinux(const char *out, struct bench_check *unshare_net, struct bench_check *cgroup);

/* Each claim of mew's, judged from the figures (claims.c). */
int bench_report_judge(struct bench_report *r);
const char *bench_verdict_name(enum bench_verdict v);

/* The terminal table, the real-Linux table and the claims (table.c). */
void bench_report_print(const struct bench_report *r, FILE *out);
/* "0.52 ms", "98.1 ms", "1.23 s" */
void bench_format_seconds(double s, char *buf, size_t len);
/* "1.03x", "23.4x", "512x"; "-" for NAN */
void bench_format_ratio(double ratio, char *buf, size_t len);

/* JSON (json.c), with jansson. */
char *bench_report_to_json(const struct bench_report *r); /* malloc'd, or NULL */
int bench_report_from_json(const char *text, struct bench_report *r, struct mew_error **err);

/* The PNG bar chart (chart.c): ratio to native per workload and engine. */
int bench_chart_data(const struct bench_report *r, FILE *out);
int bench_chart_script(const struct bench_report *r, const char *data, const char *png, FILE *out);
int bench_chart(const struct bench_report *r, const char *png, struct mew_error **err);

/* Running a program with a time limit (exec.c). */
struct bench_exec {
	int status;	/* exit status, 128+N for signal N */
	bool timed_out;
	double seconds; /* wall time from fork to exit */
	char *out, *err; /* what it wrote (NUL-terminated) */
};
int bench_exec_run(char *const argv[], double timeout, struct bench_exec *res, struct mew_error **err);
/* The same as an ordinary user (uid and gid), when mew runs as root. */
int bench_exec_run_as(char *const argv[], double timeout, uid_t uid, struct bench_exec *res,
		      struct mew_error **err);
void bench_exec_free(struct bench_exec *res);
/* The last non-empty line of text, for error messages (static buffer). */
const char *bench_last_line(const char *text);

#endif
