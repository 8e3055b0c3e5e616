/* mew's claims about the four ways, each judged from this run's figures.
 * The thresholds are stated with each claim; the evidence line carries the
 * figures so that a reader can judge with other thresholds. */
#include "bench/bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Almost nothing": the work itself within 25% of native, and start-up
 * within 25 ms of a bare exec. */
#define CONTAINER_MAX_RATIO 1.25
#define CONTAINER_MAX_STARTUP 0.025
/* "Really slow": CPU work at least 3 times native (qemu-user is ~4x). */
#define EMULATE_MIN_CPU 3.0
/* "A kernel boot": start-up at least 10 times a container's. */
#define VM_MIN_STARTUP_VS_CONTAINER 10.0
/* "Natively": CPU work within 10% of native. */
#define SYSCALL_MAX_CPU 1.10

struct text {
	char buf[1024];
	size_t len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	t->len = strlen(t->buf);
}

static bool ok(const struct bench_row *row, enum bench_workload w)
{
	return row != NULL && row->cells[w].status == BENCH_OK && !isnan(row->cells[w].ratio);
}

/* The work's own cost: each engine's start-up taken out of its time, so
 * that a short workload is not judged by the engine's start-up.  Falls back
 * to the plain ratio when start-up was not measured. */
static double net_ratio(const struct bench_report *r, const struct bench_row *row, enum bench_workload w)
{
	const struct bench_row *n = bench_report_row(r, "native");
	double a, b;

	if (n == NULL || !ok(row, BENCH_STARTUP) || isnan(n->cells[BENCH_STARTUP].median))
		return row->cells[w].ratio;
	a = row->cells[w].median - row->cells[BENCH_STARTUP].median;
	b = n->cells[w].median - n->cells[BENCH_STARTUP].median;
	if (a <= 0 || b <= 0)
		return row->cells[w].ratio;
	return a / b;
}

static const char *net(const struct bench_report *r, const struct bench_row *row, enum bench_workload w)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	bench_format_ratio(net_ratio(r, row, w), buf[i], sizeof(buf[i]));
	return buf[i];
}

static const char *ratio(const struct bench_row *row, enum bench_workload w)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	bench_format_ratio(row->cells[w].ratio, buf[i], sizeof(buf[i]));
	return buf[i];
}

static const char *secs(double s)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	bench_format_seconds(s, buf[i], sizeof(buf[i]));
	return buf[i];
}

/* Why an engine's figures are missing: its probe, or its failed cells. */
static void why_missing(struct text *t, const char *engine, const struct bench_row *row)
{
	if (row == NULL)
		add(t, "%s is not part of this run", engine);
	else if (!row->runnable)
		add(t, "%s cannot run here: %s", engine, row->reason != NULL ? row->reason : "?");
	else
		for (int w = 0; w < BENCH_NWORKLOADS; w++)
			if (row->cells[w].status != BENCH_OK) {
				add(t, "%s %s: %s", engine, bench_workload_name(w),
				    row->cells[w].note != NULL ? row->cells[w].note : "not run");
				break;
			}
}

static int push(struct bench_report *r, const char *id, const char *text, enum bench_verdict v,
		const struct text *evidence)
{
	struct bench_claim *c = realloc(r->claims, (r->nclaims + 1) * sizeof(*c));

	if (c == NULL)
		return -1;
	r->claims = c;
	c = &c[r->nclaims++];
	c->id = strdup(id);
	c->text = strdup(text);
	c->verdict = v;
	c->evidence = strdup(evidence->buf);
	return c->id != NULL && c->text != NULL && c->evidence != NULL ? 0 : -1;
}

static enum bench_verdict judge_container(const struct bench_report *r, struct text *t)
{
	const struct bench_row *c = bench_report_row(r, "container"), *n = bench_report_row(r, "native");
	enum bench_workload work[] = { BENCH_SYSCALLS, BENCH_WALK, BENCH_CPU };
	int measured = 0, within = 0;

	for (size_t i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
		if (!ok(c, work[i]))
			continue;
		add(t, "%s%s %s", measured ? ", " : "", bench_workload_name(work[i]), net(r, c, work[i]));
		measured++;
		within += net_ratio(r, c, work[i]) <= CONTAINER_MAX_RATIO;
	}
	if (measured)
		add(t, " native, start-up taken out (at most %.2fx is almost nothing)", CONTAINER_MAX_RATIO);
	if (ok(c, BENCH_STARTUP) && n != NULL) {
		double extra = c->cells[BENCH_STARTUP].median - n->cells[BENCH_STARTUP].median;

		add(t, "%sstart-up %s against a bare exec's %s (+%s; at most +%s)", measured ? "; " : "",
		    secs(c->cells[BENCH_STARTUP].median), secs(n->cells[BENCH_STARTUP].median), secs(extra),
		    secs(CONTAINER_MAX_STARTUP));
		measured++;
		within += extra <= CONTAINER_MAX_STARTUP;
	}
	if (measured == 0) {
		why_missing(t, "container", c);
		return BENCH_UNTESTED;
	}
	if (within < measured)
		return BENCH_NOT_HELD;
	return measured == BENCH_NWORKLOADS ? BENCH_HELD : BENCH_PARTLY;
}

static enum bench_verdict judge_vm(const struct bench_report *r, struct text *t)
{
	const struct bench_row *vm = bench_report_row(r, "vm"), *c = bench_report_row(r, "container");
	bool boot, walk;

	if (!ok(vm, BENCH_STARTUP)) {
		why_missing(t, "vm", vm);
		return BENCH_UNTESTED;
	}
	add(t, "start-up %s", secs(vm->cells[BENCH_STARTUP].median));
	if (!ok(c, BENCH_STARTUP)) {
		add(t, " (no container start-up to compare with)");
		return BENCH_UNTESTED;
	}
	boot = vm->cells[BENCH_STARTUP].median >= VM_MIN_STARTUP_VS_CONTAINER * c->cells[BENCH_STARTUP].median;
	add(t, ", %.1fx the container's %s (a kernel boot: at least %.0fx)",
	    vm->cells[BENCH_STARTUP].median / c->cells[BENCH_STARTUP].median,
	    secs(c->cells[BENCH_STARTUP].median), VM_MIN_STARTUP_VS_CONTAINER);
	if (!ok(vm, BENCH_WALK)) {
		add(t, "; the file walk did not run: ");
		why_missing(t, "vm", vm);
		return boot ? BENCH_PARTLY : BENCH_NOT_HELD;
	}
	walk = vm->cells[BENCH_WALK].ratio > 1.2;
	add(t, "; file walk %s native, through the virtual machine's devices", ratio(vm, BENCH_WALK));
	if (ok(vm, BENCH_CPU))
		add(t, "; cpu %s", ratio(vm, BENCH_CPU));
	return boot && walk ? BENCH_HELD : BENCH_NOT_HELD;
}

static enum bench_verdict judge_emulate(const struct bench_report *r, struct text *t)
{
	const struct bench_row *e = bench_report_row(r, "emulate");
	int ran = 0;

	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		ran += ok(e, w);
	if (ran == 0) {
		why_missing(t, "emulate", e);
		return BENCH_UNTESTED;
	}
	add(t, "%d of %d workloads ran as %s programs on this %s host", ran, BENCH_NWORKLOADS,
	    e->arch != NULL ? e->arch : "foreign", r->nrows > 0 && r->rows[0].arch ? r->rows[0].arch : "");
	if (ran < BENCH_NWORKLOADS) {
		add(t, " (");
		why_missing(t, "emulate", e);
		add(t, ")");
	}
	if (!ok(e, BENCH_CPU))
		return BENCH_PARTLY;
	add(t, "; cpu %s native, start-up taken out (really slow: at least %.0fx)", net(r, e, BENCH_CPU),
	    EMULATE_MIN_CPU);
	if (ok(e, BENCH_STARTUP))
		add(t, "; start-up %s", ratio(e, BENCH_STARTUP));
	if (net_ratio(r, e, BENCH_CPU) < EMULATE_MIN_CPU)
		return BENCH_NOT_HELD;
	return ran == BENCH_NWORKLOADS ? BENCH_HELD : BENCH_PARTLY;
}

static void describe_check(struct text *t, const char *engine, const struct bench_row *row)
{
	if (row == NULL || !row->runnable) {
		why_missing(t, engine, row);
		return;
	}
	if (row->unshare_net.result == BENCH_CHECK_UNTESTED) {
		add(t, "%s: the check did not run: %s", engine,
		    row->unshare_net.detail != NULL ? row->unshare_net.detail : "?");
		return;
	}
	if (bench_row_hosts_containers(row)) {
		add(t, "%s: unshare -n and a new cgroup work", engine);
		if (row->cgroup.detail != NULL)
			add(t, " (%s)", row->cgroup.detail);
		if (row->user_unshare_net.result == BENCH_CHECK_UNTESTED)
			return;
		if (bench_row_hosts_on_its_own(row)) {
			add(t, ", even as the ordinary user nobody: a kernel of its own");
			return;
		}
		add(t, ", but not as the ordinary user nobody (%s): the host's root privileges passed through, not a kernel of its own",
		    row->user_unshare_net.result != BENCH_CHECK_OK && row->user_unshare_net.detail != NULL
			    ? row->user_unshare_net.detail
			    : row->user_cgroup.detail != NULL ? row->user_cgroup.detail : "?");
		return;
	}
	add(t, "%s: ", engine);
	if (row->unshare_net.result != BENCH_CHECK_OK)
		add(t, "unshare -n fails (%s)", row->unshare_net.detail ? row->unshare_net.detail : "?");
	if (row->cgroup.result != BENCH_CHECK_OK)
		add(t, "%scgroup fails (%s)", row->unshare_net.result != BENCH_CHECK_OK ? ", " : "",
		    row->cgroup.detail ? row->cgroup.detail : "?");
}

static enum bench_verdict judge_syscall(const struct bench_report *r, struct text *t)
{
	const struct bench_row *s = bench_report_row(r, "syscall"), *vm = bench_report_row(r, "vm");
	bool s_tested = s != NULL && s->runnable && s->unshare_net.result != BENCH_CHECK_UNTESTED;
	bool vm_tested = vm != NULL && vm->runnable && vm->unshare_net.result != BENCH_CHECK_UNTESTED;

	describe_check(t, "syscall", s);
	add(t, "; ");
	describe_check(t, "vm", vm);
	if (!s_tested && !vm_tested)
		return BENCH_UNTESTED;
	if ((s_tested && bench_row_hosts_on_its_own(s)) || (vm_tested && !bench_row_hosts_on_its_own(vm)))
		return BENCH_NOT_HELD;
	return s_tested && vm_tested ? BENCH_HELD : BENCH_PARTLY;
}

static enum bench_verdict judge_syscall_cost(const struct bench_report *r, struct text *t)
{
	const struct bench_row *s = bench_report_row(r, "syscall"), *n = bench_report_row(r, "native");
	bool cpu_native;

	if (!ok(s, BENCH_CPU) || !ok(s, BENCH_SYSCALLS)) {
		why_missing(t, "syscall", s);
		return BENCH_UNTESTED;
	}
	cpu_native = net_ratio(r, s, BENCH_CPU) <= SYSCALL_MAX_CPU;
	add(t, "cpu %s native, start-up taken out (natively: at most %.2fx); syscalls %s", net(r, s, BENCH_CPU),
	    SYSCALL_MAX_CPU, net(r, s, BENCH_SYSCALLS));
	if (n != NULL && r->params[BENCH_SYSCALLS] > 0) {
		double start = ok(s, BENCH_STARTUP) ? s->cells[BENCH_STARTUP].median - n->cells[BENCH_STARTUP].median : 0;
		double per = (s->cells[BENCH_SYSCALLS].median - n->cells[BENCH_SYSCALLS].median - start) /
			     (double)r->params[BENCH_SYSCALLS];

		add(t, ": %+.1f us per loop of getppid, stat, open, close (natively %.2f us)", per * 1e6,
		    n->cells[BENCH_SYSCALLS].median / (double)r->params[BENCH_SYSCALLS] * 1e6);
	}
	return cpu_native && net_ratio(r, s, BENCH_SYSCALLS) > net_ratio(r, s, BENCH_CPU) ? BENCH_HELD
											: BENCH_NOT_HELD;
}

static const struct {
	const char *id, *text;
	enum bench_verdict (*judge)(const struct bench_report *r, struct text *t);
} claims[] = {
	{ "container", "Linux on Linux (namespaces + cgroups + a root directory) costs almost nothing",
	  judge_container },
	{ "vm", "a virtual machine costs the machine it emulates and a kernel boot", judge_vm },
	{ "emulate", "an emulator is really slow, but runs any environment", judge_emulate },
	{ "syscall", "a WSL1-style syscall layer is not a real Linux: containers cannot run inside it, while they can inside a VM",
	  judge_syscall },
	{ "syscall-cost", "a syscall layer runs programs natively and pays for each system call it intercepts",
	  judge_syscall_cost },
};

int bench_report_judge(struct bench_report *r)
{
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		struct text t = { .len = 0 };
		enum bench_verdict v;

		t.buf[0] = '\0';
		v = claims[i].judge(r, &t);
		if (push(r, claims[i].id, claims[i].text, v, &t) < 0)
			return -1;
	}
	return 0;
}

const char *bench_verdict_name(enum bench_verdict v)
{
	switch (v) {
	case BENCH_HELD:
		return "held";
	case BENCH_PARTLY:
		return "held in part";
	case BENCH_NOT_HELD:
		return "did not hold";
	case BENCH_UNTESTED:
		break;
	}
	return "not tested";
}
