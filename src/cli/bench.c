/* `mew bench`: the same workloads natively and under every engine that can
 * run here, several runs each; medians and ratios to native, the "real
 * Linux" check, mew's claims judged, a JSON result and a PNG chart.
 *
 * Every engine run is `mew run` of this very binary, timed from fork to
 * exit as a user would see it.  The workload program (src/bench/guest/work.c,
 * static, amd64 and arm64) and a file tree are staged in mew's cache and
 * bound into the rootfs read-only at /mew-bench. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/file.h"
#include "base/paths.h"
#include "bench/bench.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "spec/spec.h"
#include "vm/probe.h"

#define TREE_DIRS 20
#define TREE_FILES 100
#define GUEST_DIR "/mew-bench"

static const char usage_text[] =
	"Usage: mew bench [OPTION...]\n"
	"\n"
	"Run the same workloads natively and under every engine that can run here:\n"
	"start-up of /bin/true, a system-call loop, a file-tree walk and a CPU-bound\n"
	"program (its arm64 build under the emulate engine).  Prints the median of\n"
	"several runs and its ratio to native, whether each engine can host containers\n"
	"(`unshare -n true` and a new cgroup inside it), and each of mew's claims with\n"
	"whether it held on this machine.\n"
	"\n"
	"Options:\n"
	"      --rootfs DIR     amd64 root filesystem (default: mew's busybox rootfs)\n"
	"      --rootfs-arm64 DIR  arm64 root filesystem for the emulate engine\n"
	"      --quick          small workloads and 3 runs: well under a minute\n"
	"      --runs N         timed runs per cell (default 5; 3 with --quick)\n"
	"      --json FILE      write the results as JSON\n"
	"      --chart FILE.png draw a bar chart of the ratios with gnuplot\n"
	"      --from FILE      no runs: print (and chart) the results in a JSON file\n"
	"  -h, --help           this text\n";

struct opts {
	char *rootfs, *rootfs_arm64;
	bool quick;
	int runs;
	const char *json, *chart, *from;
};

struct argv_buf {
	char *v[32];
	int n;
	char store[8][PATH_MAX + 64];
	int nstore;
};

#define MAX_ROWS 8

struct plan {
	const struct opts *o;
	struct bench_report *r;
	struct argv_buf argv[MAX_ROWS][BENCH_NWORKLOADS];
	char self[PATH_MAX];
	char stage[PATH_MAX]; /* cache/bench: work-<arch> and tree/ */
	char tree[PATH_MAX + 8];
	bool have_work[2]; /* [0] host arch, [1] arm64 */
	char native_true[PATH_MAX]; /* the rootfs's /bin/true, its links followed inside the rootfs */
	double timeout;		  /* a workload's own budget, beyond the engine's start-up */
	double startup[MAX_ROWS]; /* each row's start-up as measured; 0 = not yet */
	char expected[BENCH_NWORKLOADS][128]; /* native's output line, per workload */
};

static const char *arch_host(void)
{
	return spec_host_arch();
}

/* --- the staging directory: workload binaries and the file tree --- */

static int copy_file(const char *from, const char *to, struct mew_error **err)
{
	cleanup_free char *buf = NULL;
	cleanup_free char *tmp = NULL;
	size_t len;

	if (file_read(from, &buf, &len, err) < 0)
		return -1;
	if (asprintf(&tmp, "%s.%d", to, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "bench: stage `%s`", to);
	if (file_write(tmp, buf, len, err) < 0)
		return -1;
	if (chmod(tmp, 0755) < 0 || rename(tmp, to) < 0) {
		unlink(tmp);
		return mew_error(err, errno, "bench: stage `%s`", to);
	}
	return 0;
}

/* The workload binaries sit next to mew (build/bench/), or in
 * $MEW_BENCH_WORK. */
static int stage_work(struct plan *p, struct mew_error **err)
{
	const char *env = getenv("MEW_BENCH_WORK");
	const char *arches[2] = { arch_host(), "arm64" };
	char src_dir[PATH_MAX], *slash;

	if (env != NULL && env[0] != '\0')
		snprintf(src_dir, sizeof(src_dir), "%s", env);
	else {
		snprintf(src_dir, sizeof(src_dir), "%s", p->self);
		slash = strrchr(src_dir, '/');
		if (slash != NULL)
			*slash = '\0';
		strncat(src_dir, "/bench", sizeof(src_dir) - strlen(src_dir) - 1);
	}
	snprintf(p->stage, sizeof(p->stage), "%s/bench", mew_cache_dir());
	if (file_mkdir_p(p->stage, 0755, err) < 0)
		return mew_error_wrap(err, "bench: the staging directory");
	for (int i = 0; i < 2; i++) {
		char from[PATH_MAX + 32], to[PATH_MAX + 32];

		if (i == 1 && strcmp(arches[0], arches[1]) == 0)
			break;
		snprintf(from, sizeof(from), "%s/work-%s", src_dir, arches[i]);
		snprintf(to, sizeof(to), "%s/work-%s", p->stage, arches[i]);
		if (!file_exists(from)) {
			if (i == 0)
				return mew_error(err, 0,
						 "bench: no workload program at `%s`: build it with `make` (or set MEW_BENCH_WORK to its folder)",
						 from);
			continue;
		}
		if (copy_file(from, to, err) < 0)
			return mew_error_wrap(err, "bench: stage the workload program");
		p->have_work[i] = true;
	}
	/* The tree is made once; a stamp says it is complete. */
	snprintf(p->tree, sizeof(p->tree), "%s/tree", p->stage);
	{
		char stamp[PATH_MAX + 32], work[PATH_MAX + 32], dirs[16], files[16];
		struct bench_exec res;

		snprintf(stamp, sizeof(stamp), "%s/.tree-%dx%d", p->stage, TREE_DIRS, TREE_FILES);
		if (file_exists(stamp))
			return 0;
		snprintf(work, sizeof(work), "%s/work-%s", p->stage, arches[0]);
		snprintf(dirs, sizeof(dirs), "%d", TREE_DIRS);
		snprintf(files, sizeof(files), "%d", TREE_FILES);
		char *argv[] = { work, "mktree", p->tree, dirs, files, NULL };
		if (bench_exec_run(argv, 120, &res, err) < 0)
			return -1;
		if (res.status != 0) {
			mew_error(err, 0, "bench: make the file tree `%s`: %s", p->tree, bench_last_line(res.err));
			bench_exec_free(&res);
			return -1;
		}
		bench_exec_free(&res);
		return file_touch(stamp, 0644, err);
	}
}

/* The rootfs's /bin/true as a host path: its symlinks (busybox's are
 * absolute, /bin/true -> /bin/busybox) followed inside the rootfs, so that
 * native runs the very binary the engines run, not the host's. */
static int resolve_in_rootfs(const char *rootfs, const char *guest, char *out, size_t len,
			     struct mew_error **err)
{
	char cur[PATH_MAX], target[PATH_MAX];

	snprintf(cur, sizeof(cur), "%s", guest);
	for (int hops = 0; hops < 16; hops++) {
		ssize_t n;

		snprintf(out, len, "%s%s", rootfs, cur);
		n = readlink(out, target, sizeof(target) - 1);
		if (n < 0) {
			if (errno == EINVAL && file_exists(out))
				return 0; /* not a link: found */
			return mew_error(err, errno, "bench: `%s` in the rootfs `%s`", guest, rootfs);
		}
		target[n] = '\0';
		if (target[0] == '/') {
			snprintf(cur, sizeof(cur), "%s", target);
		} else {
			char *slash = strrchr(cur, '/');
			size_t dlen = (size_t)(slash - cur), tlen = strlen(target);

			if (dlen + 1 + tlen >= sizeof(cur))
				return mew_error(err, ENAMETOOLONG, "bench: `%s` in the rootfs `%s`", guest, rootfs);
			slash[1] = '\0';
			memcpy(cur + dlen + 1, target, tlen + 1);
		}
	}
	return mew_error(err, ELOOP, "bench: `%s` in the rootfs `%s`", guest, rootfs);
}

/* --- what runs in each cell --- */

static void push(struct argv_buf *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void pushf(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pushf(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s = a->store[a->nstore++ % 8];

	va_start(ap, fmt);
	vsnprintf(s, sizeof(a->store[0]), fmt, ap);
	va_end(ap);
	push(a, s);
}

/* Native runs the staged program directly; an engine runs it through
 * `mew run` with the staging directory bound at /mew-bench.  workload < 0
 * is the real-Linux check. */
static void build_argv(const struct plan *p, const struct bench_report *r, const struct bench_row *row,
		       int workload, struct argv_buf *a)
{
	bool native = strcmp(row->engine, "native") == 0;
	const char *rootfs = strcmp(row->arch, "arm64") == 0 && strcmp(arch_host(), "arm64") != 0
				     ? r->rootfs_arm64 : r->rootfs;
	const char *dir = native ? p->stage : GUEST_DIR;

	memset(a, 0, sizeof(*a));
	if (!native) {
		push(a, p->self);
		push(a, "run");
		push(a, "--engine");
		push(a, row->engine);
		push(a, "--rootfs");
		push(a, rootfs);
		if (strcmp(row->arch, arch_host()) != 0) {
			push(a, "--arch");
			push(a, row->arch);
		}
		/* The workloads only read the staging directory: read-only
		 * where the engine keeps a volume so (the contract), else rw. */
		if (workload != BENCH_STARTUP)
			pushf(a, "--volume=%s:%s%s", p->stage, GUEST_DIR,
			      engine_honours(engine_find(row->engine), "volume-ro") ? ":ro" : "");
		push(a, "--");
	}
	if (workload == BENCH_STARTUP) {
		if (native) {
			pushf(a, "%s", p->native_true);
			/* busybox picks its applet by name: `busybox true` */
			if (strcmp(strrchr(p->native_true, '/') + 1, "true") != 0)
				push(a, "true");
		} else {
			push(a, "/bin/true");
		}
		return;
	}
	pushf(a, "%s/work-%s", dir, row->arch);
	switch (workload) {
	case BENCH_SYSCALLS:
		push(a, "syscalls");
		pushf(a, "%ld", r->params[BENCH_SYSCALLS]);
		pushf(a, "%s/tree", dir);
		break;
	case BENCH_WALK:
		push(a, "walk");
		pushf(a, "%s/tree", dir);
		pushf(a, "%ld", r->params[BENCH_WALK]);
		break;
	case BENCH_CPU:
		push(a, "cpu");
		pushf(a, "%ld", r->params[BENCH_CPU]);
		break;
	default:
		push(a, "realinux");
		break;
	}
}

/* "mew run --engine syscall ... -- /mew-bench/work-amd64 cpu 500000" */
static void describe(char *const *argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] != NULL && used < len; i++) {
		const char *s = argv[i];

		if (i == 0 && strchr(s, '/') != NULL && strstr(s, "/mew") != NULL && argv[1] != NULL &&
		    strcmp(argv[1], "run") == 0)
			s = "mew";
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", s);
	}
}

/* Why a cell cannot run at all, or NULL. */
static const char *cannot_run(const struct plan *p, const struct bench_report *r, const struct bench_row *row,
			      int workload, char *why, size_t len)
{
	bool arm = strcmp(row->arch, "arm64") == 0 && strcmp(arch_host(), "arm64") != 0;
	const char *rootfs = arm ? r->rootfs_arm64 : r->rootfs;

	if (rootfs == NULL || !file_is_dir(rootfs)) {
		snprintf(why, len, "no %s rootfs at `%s`: build it with `scripts/rootfs-busybox.sh %s` or pass --rootfs%s DIR",
			 row->arch, rootfs ? rootfs : "?", row->arch, arm ? "-arm64" : "");
		return why;
	}
	if (strcmp(row->engine, "vm") == 0) {
		cleanup_free char *kernel = vm_default_kernel(false);
		char kboot[256];
		if (kernel != NULL && !file_exists(kernel)) {
			snprintf(why, len, "no guest kernel at `%s`: build it with scripts/guest-kernel.sh", kernel);
			return why;
		}
		/* the workloads that live in the kernel would time its emulation */
		if ((workload == BENCH_SYSCALLS || workload == BENCH_WALK) &&
		    vm_probe_kernel_boot(kboot, sizeof(kboot)) == 1) {
			snprintf(why, len, "not measured: %s", kboot);
			return why;
		}
	}
	if (workload != BENCH_STARTUP && !p->have_work[arm ? 1 : 0]) {
		snprintf(why, len,
			 "no %s build of the workload program: aarch64-linux-gnu-gcc was absent when mew was built (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross; make)",
			 row->arch);
		return why;
	}
	return NULL;
}

/* A hung engine would hang again: skip the rest of its cells. */
static void row_timed_out(struct bench_row *row, int w)
{
	for (int rest = w + 1; rest < BENCH_NWORKLOADS; rest++)
		bench_cell_set(&row->cells[rest], BENCH_SKIPPED, "skipped after a time-out");
	bench_check_set(&row->unshare_net, BENCH_CHECK_UNTESTED, "skipped after a time-out");
	bench_check_set(&row->cgroup, BENCH_CHECK_UNTESTED, "skipped after a time-out");
}

/* Until a row's start-up is measured, it may take this long: a vm run boots
 * a kernel, which takes minutes where KVM emulates the kernel's code. */
#define FIRST_START_ALLOWANCE 600

/* How long one run of row i may take before it is killed as hung: the
 * workload's budget on top of twice the engine's measured start-up. */
static double budget(const struct plan *p, size_t i)
{
	return p->timeout + (p->startup[i] > 0 ? 2 * p->startup[i] : FIRST_START_ALLOWANCE);
}

/* One run of a cell (run < 0: the warm-up).  Returns 0 when it went well,
 * 1 when the cell failed (its note says why), -1 on mew's own error. */
static int run_once(struct plan *p, struct bench_row *row, int w, int run, struct mew_error **err)
{
	struct bench_cell *c = &row->cells[w];
	bool native = strcmp(row->engine, "native") == 0;
	char cmd[1024], note[2048];
	struct bench_exec res;
	struct mew_error *e = NULL;
	int ret = 1;

	size_t i = (size_t)(row - p->r->rows);
	double limit = budget(p, i);

	describe(p->argv[i][w].v, cmd, sizeof(cmd));
	if (bench_exec_run(p->argv[i][w].v, limit, &res, &e) < 0) {
		bench_cell_set(c, BENCH_FAILED, e->msg);
		mew_error_free(e);
		return 1;
	}
	if (res.timed_out) {
		snprintf(note, sizeof(note), "`%s` ran past %.0f s and was killed", cmd, limit);
		bench_cell_set(c, BENCH_FAILED, note);
		row_timed_out(row, w);
	} else if (res.status != 0) {
		snprintf(note, sizeof(note), "`%s` exited %d: %s", cmd, res.status,
			 res.err[0] ? bench_last_line(res.err) : "(nothing on stderr)");
		bench_cell_set(c, BENCH_FAILED, note);
	} else if (w != BENCH_STARTUP && native && run < 0) {
		snprintf(p->expected[w], sizeof(p->expected[w]), "%s", bench_last_line(res.out));
		ret = 0;
	} else if (w != BENCH_STARTUP && strcmp(bench_last_line(res.out), p->expected[w]) != 0) {
		/* The same answer as natively, or the figure means nothing. */
		snprintf(note, sizeof(note), "`%s` printed `%s`, natively `%s`", cmd, bench_last_line(res.out),
			 p->expected[w]);
		bench_cell_set(c, BENCH_FAILED, note);
	} else if (run >= 0 && bench_cell_add_run(c, res.seconds) < 0) {
		ret = mew_error(err, ENOMEM, "bench");
	} else {
		ret = 0;
	}
	/* The row's start-up measured: its later runs are allowed twice that. */
	if (ret == 0 && w == BENCH_STARTUP && (p->startup[i] == 0 || res.seconds < p->startup[i]))
		p->startup[i] = res.seconds;
	bench_exec_free(&res);
	return ret;
}

/* One workload under every way at once: a warm-up each, then run after run
 * round-robin, so that what else the machine does falls on all of them. */
static int run_workload(struct plan *p, int w, struct mew_error **err)
{
	struct bench_report *r = p->r;
	char why[512];

	fprintf(stderr, "mew bench: %s:", bench_workload_name(w));
	for (size_t i = 0; i < r->nrows; i++) {
		struct bench_row *row = &r->rows[i];

		if (!row->runnable || row->cells[w].note != NULL)
			continue; /* not runnable, or skipped after a time-out */
		if (cannot_run(p, r, row, w, why, sizeof(why)) != NULL) {
			bench_cell_set(&row->cells[w], BENCH_SKIPPED, why);
			continue;
		}
		build_argv(p, r, row, w, &p->argv[i][w]);
		row->cells[w].status = BENCH_OK;
	}
	for (int run = -1; run < r->runs; run++)
		for (size_t i = 0; i < r->nrows; i++) {
			struct bench_row *row = &r->rows[i];

			if (!row->runnable || row->cells[w].status != BENCH_OK)
				continue;
			if (run_once(p, row, w, run, err) < 0)
				return -1;
		}
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_cell *c = &r->rows[i].cells[w];
		char t[32];

		if (!r->rows[i].runnable)
			continue;
		if (c->status == BENCH_OK) {
			bench_format_seconds(bench_median(c->runs, c->nruns), t, sizeof(t));
			fprintf(stderr, " %s %s", r->rows[i].engine, t);
		} else {
			fprintf(stderr, " %s (%s)", r->rows[i].engine, c->status == BENCH_FAILED ? "failed" : "skipped");
		}
	}
	fputc('\n', stderr);
	return 0;
}

#define NOBODY 65534

/* The real-Linux check in one row: as mew runs (as_user false), or as the
 * ordinary user nobody. */
static void run_realinux(struct plan *p, struct bench_report *r, struct bench_row *row, bool as_user)
{
	struct bench_check *u = as_user ? &row->user_unshare_net : &row->unshare_net;
	struct bench_check *c = as_user ? &row->user_cgroup : &row->cgroup;
	char why[512], cmd[1024], note[2048];
	struct mew_error *err = NULL;
	struct bench_exec res;
	struct argv_buf a;

	if (cannot_run(p, r, row, -1, why, sizeof(why)) != NULL) {
		bench_check_set(u, BENCH_CHECK_UNTESTED, why);
		bench_check_set(c, BENCH_CHECK_UNTESTED, why);
		return;
	}
	build_argv(p, r, row, -1, &a);
	describe(a.v, cmd, sizeof(cmd));
	if (bench_exec_run_as(a.v, budget(p, (size_t)(row - r->rows)), as_user ? NOBODY : (uid_t)-1, &res,
			      &err) < 0) {
		bench_check_set(u, BENCH_CHECK_UNTESTED, err->msg);
		bench_check_set(c, BENCH_CHECK_UNTESTED, err->msg);
		mew_error_free(err);
		return;
	}
	if (bench_parse_realinux(res.out, u, c) < 0) {
		if (res.timed_out)
			snprintf(note, sizeof(note), "`%s` ran past %.0f s and was killed", cmd,
				 budget(p, (size_t)(row - r->rows)));
		else
			snprintf(note, sizeof(note), "`%s`%s exited %d: %s", cmd, as_user ? " as nobody" : "",
				 res.status, res.err[0] ? bench_last_line(res.err) : "no answer on stdout");
		bench_check_set(u, BENCH_CHECK_UNTESTED, note);
		bench_check_set(c, BENCH_CHECK_UNTESTED, note);
	}
	bench_exec_free(&res);
}

/* --- the report's header --- */

static char *machine_line(void)
{
	cleanup_free char *cpuinfo = NULL, *meminfo = NULL;
	char model[128] = "unknown CPU";
	long mem_kib = 0;
	struct utsname u;
	char *line = NULL, *s;

	if (file_read("/proc/cpuinfo", &cpuinfo, NULL, NULL) == 0 && (s = strstr(cpuinfo, "model name")) != NULL &&
	    (s = strchr(s, ':')) != NULL) {
		s += 2;
		snprintf(model, sizeof(model), "%.*s", (int)strcspn(s, "\n"), s);
	}
	if (file_read("/proc/meminfo", &meminfo, NULL, NULL) == 0 && (s = strstr(meminfo, "MemTotal:")) != NULL)
		mem_kib = strtol(s + 9, NULL, 10);
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (asprintf(&line, "%ld CPUs (%s), %.1f GiB, Linux %s %s", sysconf(_SC_NPROCESSORS_ONLN), model,
		     (double)mem_kib / (1024 * 1024), u.release, u.machine) < 0)
		return NULL;
	return line;
}

static char *now_utc(void)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

static void describe_workloads(struct bench_report *r)
{
	long side = 1;

	while ((side + 1) * (side + 1) <= r->params[BENCH_CPU] / 16)
		side++;
	if (asprintf(&r->workload_text[BENCH_STARTUP], "/bin/true in the rootfs (natively: the rootfs's own /bin/true run directly)") < 0 ||
	    asprintf(&r->workload_text[BENCH_SYSCALLS], "%ld x (getppid, stat, open, close) of a directory",
		     r->params[BENCH_SYSCALLS]) < 0 ||
	    asprintf(&r->workload_text[BENCH_WALK], "lstat of every entry of a %d-entry tree (nftw), %ld pass%s",
		     TREE_DIRS * (TREE_FILES + 1) + 1, r->params[BENCH_WALK], r->params[BENCH_WALK] == 1 ? "" : "es") < 0 ||
	    asprintf(&r->workload_text[BENCH_CPU],
		     "sort + FNV hash of %ld numbers and a %ldx%ld Mandelbrot, static C (its arm64 build under emulate)",
		     r->params[BENCH_CPU], side, side) < 0)
		return;
}

/* --- the command --- */

static int parse_opts(int argc, char **argv, struct opts *o, struct mew_error **err)
{
	enum { OPT_ROOTFS = 256, OPT_ROOTFS_ARM64, OPT_QUICK, OPT_RUNS, OPT_JSON, OPT_CHART, OPT_FROM };
	static const struct option long_opts[] = {
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "rootfs-arm64", required_argument, NULL, OPT_ROOTFS_ARM64 },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "chart", required_argument, NULL, OPT_CHART },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOTFS:
		case OPT_ROOTFS_ARM64: {
			char *abs = realpath(optarg, NULL);

			if (abs == NULL)
				return mew_error(err, errno, "bench: --%s `%s`",
						 c == OPT_ROOTFS ? "rootfs" : "rootfs-arm64", optarg);
			free(c == OPT_ROOTFS ? o->rootfs : o->rootfs_arm64);
			*(c == OPT_ROOTFS ? &o->rootfs : &o->rootfs_arm64) = abs;
			break;
		}
		case OPT_QUICK:
			o->quick = true;
			break;
		case OPT_RUNS: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || n < 1 || n > 1000)
				return mew_error(err, 0, "bench: --runs: expected a number from 1 to 1000, got `%s`", optarg);
			o->runs = (int)n;
			break;
		}
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_CHART:
			o->chart = optarg;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case 'h':
			return 1;
		default:
			return mew_error(err, 0, "bench: unknown option `%s` (see mew bench --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return mew_error(err, 0, "bench: unexpected argument `%s` (see mew bench --help)", argv[optind]);
	return 0;
}

/* The engines create the /mew-bench mount point inside the rootfs, as runc
 * does: a bench that created it removes it again (rmdir: only while empty). */
static bool mount_point_missing(const char *rootfs)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", rootfs, GUEST_DIR);
	return lstat(path, &st) < 0 && errno == ENOENT;
}

static void remove_mount_point(const char *rootfs)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", rootfs, GUEST_DIR);
	rmdir(path);
}

static int measure(const struct opts *o, struct bench_report *r, struct mew_error **err)
{
	bool created_mount_point = false, created_mount_point_arm64 = false;
	struct plan *p = calloc(1, sizeof(*p));
	char why[256];
	ssize_t n;
	int ret = -1;

	if (p == NULL)
		return mew_error(err, ENOMEM, "bench");
	p->o = o;
	p->r = r;
	p->timeout = o->quick ? 30 : 120;
	n = readlink("/proc/self/exe", p->self, sizeof(p->self) - 1);
	if (n < 0) {
		mew_error(err, errno, "bench: readlink `/proc/self/exe`");
		goto out;
	}
	p->self[n] = '\0';
	r->version = strdup(MEW_VERSION);
	r->date = now_utc();
	r->machine = machine_line();
	r->quick = o->quick;
	r->runs = o->runs > 0 ? o->runs : o->quick ? 3 : 5;
	r->params[BENCH_STARTUP] = 1;
	/* --quick: each workload still well above an engine's start-up */
	r->params[BENCH_SYSCALLS] = o->quick ? 5000 : 20000;
	r->params[BENCH_WALK] = o->quick ? 2 : 10;
	r->params[BENCH_CPU] = o->quick ? 250000 : 500000;
	describe_workloads(r);
	r->rootfs = o->rootfs != NULL ? strdup(o->rootfs) : spec_default_rootfs(NULL);
	r->rootfs_arm64 = o->rootfs_arm64 != NULL ? strdup(o->rootfs_arm64) : spec_default_rootfs("arm64");
	if (!file_is_dir(r->rootfs)) {
		mew_error(err, 0, "bench: no rootfs at `%s`: build it with `make rootfs` or pass --rootfs DIR", r->rootfs);
		goto out;
	}
	created_mount_point = mount_point_missing(r->rootfs);
	created_mount_point_arm64 = r->rootfs_arm64 != NULL && mount_point_missing(r->rootfs_arm64);
	if (stage_work(p, err) < 0)
		goto out;
	if (resolve_in_rootfs(r->rootfs, "/bin/true", p->native_true, sizeof(p->native_true), err) < 0)
		goto out;

	if (bench_report_add_row(r, "native", arch_host(), true, NULL) == NULL)
		goto oom;
	for (size_t i = 0; engines[i] != NULL && i + 1 < MAX_ROWS; i++) {
		const struct engine *e = engines[i];
		/* The emulate engine runs the arm64 builds; the rest, the host's. */
		const char *arch = strcmp(e->name, "emulate") == 0 ? "arm64" : arch_host();
		bool ok;

		why[0] = '\0';
		ok = e->probe(why, sizeof(why)) == 0;
		if (bench_report_add_row(r, e->name, arch, ok, why[0] ? why : NULL) == NULL)
			goto oom;
	}
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		if (run_workload(p, w, err) < 0)
			goto out;
	fprintf(stderr, "mew bench: can each host containers?");
	for (size_t i = 0; i < r->nrows; i++) {
		struct bench_row *row = &r->rows[i];

		if (!row->runnable || row->unshare_net.detail != NULL)
			continue; /* not runnable, or skipped after a time-out */
		run_realinux(p, r, row, false);
		/* As root, also as nobody: whose power was it? */
		if (geteuid() == 0 && row->unshare_net.result != BENCH_CHECK_UNTESTED)
			run_realinux(p, r, row, true);
		fprintf(stderr, " %s %s", row->engine,
			row->unshare_net.result == BENCH_CHECK_UNTESTED ? "(not tested)"
			: bench_row_hosts_containers(row) ? "yes" : "no");
	}
	fputc('\n', stderr);
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		if (r->rows[0].cells[w].status != BENCH_OK) {
			mew_error(err, 0, "bench: native %s: %s", bench_workload_name(w),
				  r->rows[0].cells[w].note ? r->rows[0].cells[w].note : "did not run");
			goto out;
		}
	bench_report_compute(r);
	if (bench_report_judge(r) < 0)
		goto oom;
	ret = 0;
	goto out;
oom:
	mew_error(err, ENOMEM, "bench");
out:
	if (created_mount_point)
		remove_mount_point(r->rootfs);
	if (created_mount_point_arm64)
		remove_mount_point(r->rootfs_arm64);
	free(p);
	return ret;
}

static int append_newline(const char *path, struct mew_error **err)
{
	FILE *f = fopen(path, "ae");

	if (f == NULL || fputc('\n', f) == EOF || fclose(f) != 0)
		return mew_error(err, errno, "bench: write `%s`", path);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct opts o = { .runs = 0 };
	struct bench_report r;
	int ret;

	bench_report_init(&r);
	ret = parse_opts(argc, argv, &o, &err);
	if (ret == 1) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (ret < 0)
		goto fail;
	if (o.from != NULL) {
		cleanup_free char *text = NULL;

		if (file_read(o.from, &text, NULL, &err) < 0 || bench_report_from_json(text, &r, &err) < 0)
			goto fail;
	} else {
		if (measure(&o, &r, &err) < 0)
			goto fail;
		fputc('\n', stderr);
	}
	bench_report_print(&r, stdout);
	fflush(stdout);
	if (o.json != NULL) {
		cleanup_free char *json = bench_report_to_json(&r);

		if (json == NULL) {
			mew_error(&err, ENOMEM, "bench: JSON");
			goto fail;
		}
		if (file_write(o.json, json, strlen(json), &err) < 0 || append_newline(o.json, &err) < 0)
			goto fail;
		printf("\nJSON: %s\n", o.json);
	}
	if (o.chart != NULL) {
		if (bench_chart(&r, o.chart, &err) < 0)
			goto fail;
		printf("chart: %s\n", o.chart);
	}
	bench_report_free(&r);
	free(o.rootfs);
	free(o.rootfs_arm64);
	return 0;
fail:
	ret = mew_error_report(err);
	mew_error_free(err);
	bench_report_free(&r);
	free(o.rootfs);
	free(o.rootfs_arm64);
	return ret;
}
