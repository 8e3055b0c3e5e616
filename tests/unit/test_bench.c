/* mew bench's figures without running anything: medians, ratios, the
 * real-Linux answers, the claims, the JSON both ways and the chart's input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "bench/bench.h"

static void test_median(void **state)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 };

	(void)state;
	assert_true(bench_median(odd, 3) == 2);
	assert_true(bench_median(even, 4) == 2.5);
	assert_true(bench_median(one, 1) == 7);
	assert_true(isnan(bench_median(NULL, 0)));
	/* the input is left in its order */
	assert_true(odd[0] == 3 && odd[1] == 1);
}

static void add_runs(struct bench_row *row, int w, double a, double b, double c)
{
	bench_cell_add_run(&row->cells[w], a);
	bench_cell_add_run(&row->cells[w], b);
	bench_cell_add_run(&row->cells[w], c);
	bench_cell_set(&row->cells[w], BENCH_OK, NULL);
}

/* native 1 ms start-up and 100 ms of each workload; the engines scaled. */
static void fill(struct bench_report *r, double container, double syscall_work, double emulate, bool vm)
{
	struct bench_row *row;

	bench_report_init(r);
	r->runs = 3;
	r->params[BENCH_SYSCALLS] = 1000;
	row = bench_report_add_row(r, "native", "amd64", true, NULL);
	add_runs(row, BENCH_STARTUP, 0.001, 0.0011, 0.0009);
	for (int w = BENCH_SYSCALLS; w < BENCH_NWORKLOADS; w++)
		add_runs(row, w, 0.100, 0.101, 0.099);
	bench_check_set(&row->unshare_net, BENCH_CHECK_OK, NULL);
	bench_check_set(&row->cgroup, BENCH_CHECK_OK, "/sys/fs/cgroup/x");

	row = bench_report_add_row(r, "container", "amd64", true, NULL);
	add_runs(row, BENCH_STARTUP, 0.004, 0.004, 0.004);
	for (int w = BENCH_SYSCALLS; w < BENCH_NWORKLOADS; w++)
		add_runs(row, w, 0.003 + 0.1 * container, 0.003 + 0.1 * container, 0.003 + 0.1 * container);
	bench_check_set(&row->unshare_net, BENCH_CHECK_FAILED, "unshare(CLONE_NEWNET): Operation not permitted");
	bench_check_set(&row->cgroup, BENCH_CHECK_FAILED, "no cgroup filesystem is mounted");

	row = bench_report_add_row(r, "syscall", "amd64", true, NULL);
	add_runs(row, BENCH_STARTUP, 0.002, 0.002, 0.002);
	add_runs(row, BENCH_SYSCALLS, 0.101 * syscall_work, 0.101 * syscall_work, 0.101 * syscall_work);
	add_runs(row, BENCH_WALK, 0.2, 0.2, 0.2);
	add_runs(row, BENCH_CPU, 0.101, 0.101, 0.101);
	bench_check_set(&row->unshare_net, BENCH_CHECK_FAILED, "unshare(CLONE_NEWNET): Function not implemented");
	bench_check_set(&row->cgroup, BENCH_CHECK_OK, NULL);
	bench_check_set(&row->user_unshare_net, BENCH_CHECK_FAILED, "unshare(CLONE_NEWNET): Operation not permitted");
	bench_check_set(&row->user_cgroup, BENCH_CHECK_FAILED, "mkdir: Permission denied");

	row = bench_report_add_row(r, "emulate", "arm64", true, NULL);
	add_runs(row, BENCH_STARTUP, 0.010, 0.010, 0.010);
	for (int w = BENCH_SYSCALLS; w < BENCH_NWORKLOADS; w++)
		add_runs(row, w, 0.01 + 0.1 * emulate, 0.01 + 0.1 * emulate, 0.01 + 0.1 * emulate);
	bench_check_set(&row->unshare_net, BENCH_CHECK_FAILED, "x");
	bench_check_set(&row->cgroup, BENCH_CHECK_FAILED, "y");

	if (vm) {
		row = bench_report_add_row(r, "vm", "amd64", true, NULL);
		add_runs(row, BENCH_STARTUP, 0.5, 0.5, 0.5);
		add_runs(row, BENCH_SYSCALLS, 1.0, 1.0, 1.0);
		bench_cell_set(&row->cells[BENCH_WALK], BENCH_FAILED, "`mew run --engine vm` exited 125: mew: 9p: no");
		add_runs(row, BENCH_CPU, 0.6, 0.6, 0.6);
		bench_check_set(&row->unshare_net, BENCH_CHECK_OK, NULL);
		bench_check_set(&row->cgroup, BENCH_CHECK_OK, NULL);
	} else {
		bench_report_add_row(r, "vm", "amd64", false, "a Linux kernel does not boot under this KVM");
	}
	bench_report_compute(r);
}

static const struct bench_claim *claim(const struct bench_report *r, const char *id)
{
	for (size_t i = 0; i < r->nclaims; i++)
		if (strcmp(r->claims[i].id, id) == 0)
			return &r->claims[i];
	fail_msg("no claim %s", id);
	return NULL;
}

static void test_ratios(void **state)
{
	struct bench_report r;
	const struct bench_row *row;

	(void)state;
	fill(&r, 1.0, 30, 10, false);
	row = bench_report_row(&r, "native");
	assert_true(fabs(row->cells[BENCH_CPU].median - 0.100) < 1e-12);
	assert_true(fabs(row->cells[BENCH_CPU].ratio - 1) < 1e-12);
	row = bench_report_row(&r, "container");
	assert_true(fabs(row->cells[BENCH_STARTUP].ratio - 4.0) < 1e-9);
	assert_true(fabs(row->cells[BENCH_CPU].ratio - 1.03) < 1e-9);
	/* a row that did not run has no ratio */
	row = bench_report_row(&r, "vm");
	assert_true(isnan(row->cells[BENCH_CPU].median));
	assert_true(isnan(row->cells[BENCH_CPU].ratio));
	/* no native row: no ratios at all */
	bench_report_free(&r);
	bench_report_init(&r);
	add_runs(bench_report_add_row(&r, "container", "amd64", true, NULL), BENCH_CPU, 1, 2, 3);
	bench_report_compute(&r);
	assert_true(r.rows[0].cells[BENCH_CPU].median == 2);
	assert_true(isnan(r.rows[0].cells[BENCH_CPU].ratio));
	bench_report_free(&r);
}

static void test_realinux_parse(void **state)
{
	struct bench_check u = { 0 }, c = { 0 };

	(void)state;
	assert_int_equal(bench_parse_realinux("unshare-net: ok\ncgroup: ok: /sys/fs/cgroup/mew-bench-1\n", &u, &c), 0);
	assert_int_equal(u.result, BENCH_CHECK_OK);
	assert_null(u.detail);
	assert_int_equal(c.result, BENCH_CHECK_OK);
	assert_string_equal(c.detail, "/sys/fs/cgroup/mew-bench-1");

	/* noise before, failure details kept whole */
	assert_int_equal(bench_parse_realinux("hello\ncgroup: failed: mkdir `/sys/fs/cgroup/x`: Read-only file system\n"
					      "unshare-net: failed: unshare(CLONE_NEWNET): Operation not permitted",
					      &u, &c), 0);
	assert_int_equal(u.result, BENCH_CHECK_FAILED);
	assert_string_equal(u.detail, "unshare(CLONE_NEWNET): Operation not permitted");
	assert_int_equal(c.result, BENCH_CHECK_FAILED);
	assert_string_equal(c.detail, "mkdir `/sys/fs/cgroup/x`: Read-only file system");

	/* a missing line, or an answer that is neither */
	assert_int_equal(bench_parse_realinux("unshare-net: ok\n", &u, &c), -1);
	assert_int_equal(bench_parse_realinux("unshare-net: maybe\ncgroup: ok\n", &u, &c), -1);
	assert_int_equal(bench_parse_realinux("", &u, &c), -1);
	assert_int_equal(bench_parse_realinux("unshare-networking: ok\ncgroup: ok\n", &u, &c), -1);
	free(u.detail);
	free(c.detail);
}

static void test_claims(void **state)
{
	struct bench_report r;

	(void)state;
	/* container at native speed, syscall 30x on calls, emulate 10x, no vm */
	fill(&r, 1.0, 30, 10, false);
	assert_int_equal(bench_report_judge(&r), 0);
	assert_int_equal(claim(&r, "container")->verdict, BENCH_HELD);
	assert_int_equal(claim(&r, "emulate")->verdict, BENCH_HELD);
	assert_int_equal(claim(&r, "syscall-cost")->verdict, BENCH_HELD);
	assert_int_equal(claim(&r, "vm")->verdict, BENCH_UNTESTED);
	assert_non_null(strstr(claim(&r, "vm")->evidence, "a Linux kernel does not boot"));
	/* syscall cannot host containers; the vm was not there to show it can */
	assert_int_equal(claim(&r, "syscall")->verdict, BENCH_PARTLY);
	assert_non_null(strstr(claim(&r, "syscall")->evidence, "Function not implemented"));
	bench_report_free(&r);

	/* a slow container, an emulator as fast as native */
	fill(&r, 2.0, 30, 1.0, true);
	assert_int_equal(bench_report_judge(&r), 0);
	assert_int_equal(claim(&r, "container")->verdict, BENCH_NOT_HELD);
	assert_int_equal(claim(&r, "emulate")->verdict, BENCH_NOT_HELD);
	assert_int_equal(claim(&r, "syscall")->verdict, BENCH_HELD);
	/* vm: a boot, but the walk failed: held only in part, and why is said */
	assert_int_equal(claim(&r, "vm")->verdict, BENCH_PARTLY);
	assert_non_null(strstr(claim(&r, "vm")->evidence, "9p: no"));
	bench_report_free(&r);
}

/* As root the syscall layer hands unshare and mkdir to the host kernel and
 * they work; as nobody they do not: not a kernel of its own. */
static void test_claims_as_user(void **state)
{
	struct bench_report r;
	struct bench_row *s;

	(void)state;
	fill(&r, 1.0, 30, 10, true);
	s = bench_report_row(&r, "syscall");
	bench_check_set(&s->unshare_net, BENCH_CHECK_OK, NULL);
	bench_check_set(&s->cgroup, BENCH_CHECK_OK, "/sys/fs/cgroup/cpu/mew-bench-1");
	assert_true(bench_row_hosts_containers(s));
	assert_false(bench_row_hosts_on_its_own(s));
	assert_int_equal(bench_report_judge(&r), 0);
	assert_int_equal(claim(&r, "syscall")->verdict, BENCH_HELD);
	assert_non_null(strstr(claim(&r, "syscall")->evidence, "not as the ordinary user nobody"));
	assert_non_null(strstr(claim(&r, "syscall")->evidence, "Operation not permitted"));
	bench_report_free(&r);

	/* and had it worked for nobody too, the claim would not hold */
	fill(&r, 1.0, 30, 10, true);
	s = bench_report_row(&r, "syscall");
	bench_check_set(&s->unshare_net, BENCH_CHECK_OK, NULL);
	bench_check_set(&s->cgroup, BENCH_CHECK_OK, NULL);
	bench_check_set(&s->user_unshare_net, BENCH_CHECK_OK, NULL);
	bench_check_set(&s->user_cgroup, BENCH_CHECK_OK, NULL);
	assert_true(bench_row_hosts_on_its_own(s));
	assert_int_equal(bench_report_judge(&r), 0);
	assert_int_equal(claim(&r, "syscall")->verdict, BENCH_NOT_HELD);
	bench_report_free(&r);

	/* no check as nobody: the check as run decides */
	fill(&r, 1.0, 30, 10, true);
	assert_true(bench_row_hosts_on_its_own(bench_report_row(&r, "vm")));
	assert_false(bench_row_hosts_on_its_own(bench_report_row(&r, "container")));
	bench_report_free(&r);
}

static void test_json_roundtrip(void **state)
{
	struct bench_report r, back;
	struct mew_error *err = NULL;
	json_error_t jerr;
	json_t *root, *row, *cell;
	char *text, *again;

	(void)state;
	fill(&r, 1.0, 30, 10, false);
	bench_report_judge(&r);
	r.version = strdup("test");
	r.machine = strdup("2 CPUs");
	r.workload_text[BENCH_CPU] = strdup("sort");
	text = bench_report_to_json(&r);
	assert_non_null(text);

	/* valid JSON with the fields a reader looks for */
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "format")), 1);
	assert_int_equal(json_integer_value(json_object_get(root, "runs")), 3);
	assert_int_equal(json_array_size(json_object_get(root, "engines")), 5);
	assert_int_equal(json_array_size(json_object_get(root, "workloads")), BENCH_NWORKLOADS);
	row = json_array_get(json_object_get(root, "engines"), 1);
	assert_string_equal(json_string_value(json_object_get(row, "engine")), "container");
	cell = json_object_get(json_object_get(row, "results"), "cpu");
	assert_string_equal(json_string_value(json_object_get(cell, "status")), "ok");
	assert_true(fabs(json_real_value(json_object_get(cell, "ratio")) - 1.03) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(cell, "runs")), 3);
	assert_true(json_is_false(json_object_get(json_object_get(row, "real_linux"), "can_host_containers")));
	assert_true(json_is_false(json_object_get(json_object_get(row, "real_linux"), "on_its_own")));
	row = json_array_get(json_object_get(root, "engines"), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(
					    row, "real_linux"), "as_user"), "unshare_net"), "result")),
			    "failed");
	row = json_array_get(json_object_get(root, "engines"), 1);
	row = json_array_get(json_object_get(root, "engines"), 4);
	assert_true(json_is_false(json_object_get(row, "runnable")));
	assert_true(json_is_null(json_object_get(json_object_get(json_object_get(row, "results"), "cpu"), "ratio")));
	assert_true(json_is_null(json_object_get(json_object_get(row, "real_linux"), "can_host_containers")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "claims"), 0), "verdict")),
			    "held");
	json_decref(root);

	/* and back: the same report, the same JSON */
	bench_report_init(&back);
	assert_int_equal(bench_report_from_json(text, &back, &err), 0);
	assert_null(err);
	assert_int_equal(back.nrows, 5);
	assert_int_equal(back.nclaims, r.nclaims);
	assert_string_equal(back.rows[3].arch, "arm64");
	assert_false(back.rows[4].runnable);
	assert_string_equal(back.rows[4].reason, "a Linux kernel does not boot under this KVM");
	assert_true(back.rows[1].cells[BENCH_CPU].median == r.rows[1].cells[BENCH_CPU].median);
	assert_int_equal(back.rows[1].unshare_net.result, BENCH_CHECK_FAILED);
	assert_int_equal(back.rows[2].user_unshare_net.result, BENCH_CHECK_FAILED);
	assert_string_equal(back.rows[2].user_cgroup.detail, "mkdir: Permission denied");
	again = bench_report_to_json(&back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	bench_report_free(&back);
	bench_report_free(&r);
}

static void expect_json_error(const char *text, const char *what)
{
	struct bench_report r;
	struct mew_error *err = NULL;

	bench_report_init(&r);
	assert_int_equal(bench_report_from_json(text, &r, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, what) == NULL)
		fail_msg("error `%s` does not name `%s`", err->msg, what);
	mew_error_free(err);
	bench_report_free(&r);
}

static void test_json_errors(void **state)
{
	(void)state;
	expect_json_error("{", "line 1");
	expect_json_error("[]", "top");
	expect_json_error("{\"format\": 2, \"runs\": 1, \"engines\": []}", "format");
	expect_json_error("{\"format\": 1, \"engines\": []}", "runs");
	expect_json_error("{\"format\": 1, \"runs\": 1, \"engines\": [{\"runnable\": true}]}", "engines[0].engine");
	expect_json_error("{\"format\": 1, \"runs\": 1, \"engines\": [{\"engine\": \"x\", \"runnable\": true,"
			  " \"results\": {\"startup\": {\"status\": \"fine\"}}}]}",
			  "engines[0].results.startup.status");
	expect_json_error("{\"format\": 1, \"runs\": 1, \"engines\": [{\"engine\": \"x\", \"runnable\": true,"
			  " \"results\": {}}]}",
			  "engines[0].results.startup: missing");
	expect_json_error("{\"format\": 1, \"runs\": 1, \"engines\": [{\"engine\": \"x\", \"runnable\": true,"
			  " \"results\": {\"startup\": {\"status\": \"ok\", \"runs\": [\"fast\"]}}}]}",
			  "engines[0].results.startup.runs[0]");
}

static void test_chart_input(void **state)
{
	struct bench_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&r, 1.0, 30, 10, false);
	f = open_memstream(&buf, &len);
	/* the vm row has no figures: four columns of engines */
	assert_int_equal(bench_chart_data(&r, f), 4);
	fclose(f);
	assert_non_null(strstr(buf, "workload \"native (amd64)\" \"container (amd64)\" \"syscall (amd64)\" \"emulate (arm64)\"\n"));
	assert_non_null(strstr(buf, "\ncpu 1 1.03 "));
	free(buf);

	/* a missing cell is "-" */
	bench_cell_set(&r.rows[1].cells[BENCH_WALK], BENCH_FAILED, "x");
	bench_report_compute(&r);
	f = open_memstream(&buf, &len);
	bench_chart_data(&r, f);
	fclose(f);
	assert_non_null(strstr(buf, "\nwalk 1 - "));
	free(buf);

	f = open_memstream(&buf, &len);
	assert_int_equal(bench_chart_script(&r, "/tmp/d", "/tmp/out.png", f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "set output '/tmp/out.png'"));
	assert_non_null(strstr(buf, "n = 4\n"));
	assert_non_null(strstr(buf, "plot for [i=2:n+1] '/tmp/d'"));
	assert_non_null(strstr(buf, "set logscale y"));
	free(buf);
	bench_report_free(&r);

	/* nothing to draw */
	bench_report_init(&r);
	bench_report_add_row(&r, "native", "amd64", true, NULL);
	f = open_memstream(&buf, &len);
	assert_int_equal(bench_chart_script(&r, "d", "o.png", f), -1);
	fclose(f);
	free(buf);
	bench_report_free(&r);
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	bench_format_seconds(0.00052, b, sizeof(b));
	assert_string_equal(b, "0.52 ms");
	bench_format_seconds(0.0981, b, sizeof(b));
	assert_string_equal(b, "98.1 ms");
	bench_format_seconds(0.5, b, sizeof(b));
	assert_string_equal(b, "500 ms");
	bench_format_seconds(1.234, b, sizeof(b));
	assert_string_equal(b, "1.23 s");
	bench_format_seconds(NAN, b, sizeof(b));
	assert_string_equal(b, "-");
	bench_format_ratio(1.034, b, sizeof(b));
	assert_string_equal(b, "1.03x");
	bench_format_ratio(23.44, b, sizeof(b));
	assert_string_equal(b, "23.4x");
	bench_format_ratio(512.2, b, sizeof(b));
	assert_string_equal(b, "512x");
	bench_format_ratio(NAN, b, sizeof(b));
	assert_string_equal(b, "-");
	assert_int_equal(bench_workload_from_name("walk"), BENCH_WALK);
	assert_int_equal(bench_workload_from_name("fly"), -1);
}

static void test_exec(void **state)
{
	struct mew_error *err = NULL;
	struct bench_exec res;
	char *ok[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	char *slow[] = { "/bin/sh", "-c", "sleep 5", NULL };
	char *missing[] = { "/nonexistent/prog", NULL };

	(void)state;
	assert_int_equal(bench_exec_run(ok, 10, &res, &err), 0);
	assert_int_equal(res.status, 3);
	assert_false(res.timed_out);
	assert_string_equal(res.out, "out\n");
	assert_string_equal(bench_last_line(res.err), "err");
	assert_true(res.seconds > 0);
	bench_exec_free(&res);

	assert_int_equal(bench_exec_run(slow, 0.2, &res, &err), 0);
	assert_true(res.timed_out);
	assert_int_equal(res.status, 128 + 9);
	bench_exec_free(&res);

	assert_int_equal(bench_exec_run(missing, 10, &res, &err), 0);
	assert_int_equal(res.status, 127);
	assert_non_null(strstr(res.err, "/nonexistent/prog"));
	bench_exec_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_realinux_parse),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_claims_as_user),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_chart_input),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_exec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
