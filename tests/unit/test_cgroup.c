/* The cgroup layouts mew writes limits to, against directory trees shaped
 * like each host kind: pure v2 (unified) and v1 controllers (legacy/hybrid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "cgroup/cgroup.h"

static char root[256];

static void touch(const char *rel)
{
	char path[512];
	struct mew_error *err = NULL;
	char *dir;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(file_mkdir_p(dir, 0755, &err), 0);
	free(dir);
	assert_int_equal(file_write_str(path, "", &err), 0);
}

static void expect(const char *rel, const char *value)
{
	char path[512], *got = NULL;
	struct mew_error *err = NULL;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(file_read(path, &got, NULL, &err), 0);
	if (strcmp(got, value) != 0)
		fail_msg("%s: expected `%s`, got `%s`", rel, value, got);
	free(got);
}

static int make_root(void **state)
{
	snprintf(root, sizeof(root), "/tmp/mew-test-cgroup.XXXXXX");
	assert_non_null(mkdtemp(root));
	mew_log_level = 0;
	return 0;
}

static int remove_root(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void unified_writes_v2_knobs(void **state)
{
	struct spec_limits l = { .memory = 64 << 20, .pids = 33, .cpus = 0.5 };
	struct mew_error *err = NULL;
	struct cgroup cg;

	cgroup_use_root(root, CGROUP_MODE_UNIFIED);
	touch("cgroup.subtree_control");
	touch("mew/cgroup.subtree_control");
	touch("mew/t1/memory.max");
	touch("mew/t1/memory.swap.max");
	touch("mew/t1/pids.max");
	touch("mew/t1/cpu.max");
	touch("mew/t1/cgroup.procs");
	assert_int_equal(cgroup_create("t1", &l, &cg, &err), 0);
	expect("cgroup.subtree_control", "+memory +pids +cpu ");
	expect("mew/cgroup.subtree_control", "+memory +pids +cpu ");
	expect("mew/t1/memory.max", "67108864");
	expect("mew/t1/memory.swap.max", "0");
	expect("mew/t1/pids.max", "33");
	expect("mew/t1/cpu.max", "50000 100000");
	cgroup_destroy(&cg);
}

static void legacy_writes_one_group_per_controller(void **state)
{
	struct spec_limits l = { .memory = 32 << 20, .pids = 7, .cpus = 1.5 };
	struct mew_error *err = NULL;
	struct cgroup cg;

	cgroup_use_root(root, CGROUP_MODE_HYBRID);
	touch("memory/mew/t2/memory.limit_in_bytes");
	touch("memory/mew/t2/memory.memsw.limit_in_bytes");
	touch("memory/mew/t2/cgroup.procs");
	touch("pids/mew/t2/pids.max");
	touch("pids/mew/t2/cgroup.procs");
	touch("cpu/mew/t2/cpu.cfs_period_us");
	touch("cpu/mew/t2/cpu.cfs_quota_us");
	touch("cpu/mew/t2/cgroup.procs");
	assert_int_equal(cgroup_create("t2", &l, &cg, &err), 0);
	expect("memory/mew/t2/memory.limit_in_bytes", "33554432");
	expect("memory/mew/t2/memory.memsw.limit_in_bytes", "33554432");
	expect("pids/mew/t2/pids.max", "7");
	expect("cpu/mew/t2/cpu.cfs_period_us", "100000");
	expect("cpu/mew/t2/cpu.cfs_quota_us", "150000");
	cgroup_destroy(&cg);
}

static void legacy_only_touches_the_controllers_in_use(void **state)
{
	struct spec_limits l = { .pids = 5 };
	struct mew_error *err = NULL;
	struct cgroup cg;
	char path[512];

	cgroup_use_root(root, CGROUP_MODE_LEGACY);
	touch("pids/mew/t3/pids.max");
	assert_int_equal(cgroup_create("t3", &l, &cg, &err), 0);
	expect("pids/mew/t3/pids.max", "5");
	assert_null(cgroup_path(&cg, CGROUP_MEMORY));
	snprintf(path, sizeof(path), "%s/memory/mew/t3", root);
	assert_false(file_exists(path));
	cgroup_destroy(&cg);
}

static void a_missing_controller_is_named(void **state)
{
	struct spec_limits l = { .memory = 1 << 20 };
	struct mew_error *err = NULL;
	struct cgroup cg;
	char sub[512];

	/* A tree of its own, with no memory hierarchy at all. */
	snprintf(sub, sizeof(sub), "%s/bare", root);
	assert_int_equal(file_mkdir_p(sub, 0755, NULL), 0);
	cgroup_use_root(sub, CGROUP_MODE_LEGACY);
	strcat(sub, "/memory");
	assert_int_equal(cgroup_create("t4", &l, &cg, &err), -1);
	assert_non_null(strstr(err->msg, "memory controller"));
	assert_non_null(strstr(err->msg, sub));
	mew_error_free(err);
}

/* An OCI container's linux.resources go through the same writer as mew
 * run's limits: swap, period, shares and reservation on top of them. */
static void oci_resources_share_the_writer(void **state)
{
	struct spec_limits l = { .memory = 64 << 20, .cpus = 0.5 };
	struct spec_oci oci = { .resources = { .memory_swap = 96 << 20, .cpu_period = 50000,
					       .cpu_shares = 1024, .memory_reservation = 32 << 20,
					       .memory_swappiness = -1 } };
	struct mew_error *err = NULL;
	char dir[512];

	touch("oci/v2/memory.max");
	touch("oci/v2/memory.swap.max");
	touch("oci/v2/memory.low");
	touch("oci/v2/cpu.max");
	touch("oci/v2/cpu.weight");
	snprintf(dir, sizeof(dir), "%s/oci/v2", root);
	assert_int_equal(cgroup_set_resources(NULL, dir, &l, &oci, &err), 0);
	expect("oci/v2/memory.max", "67108864");
	expect("oci/v2/memory.swap.max", "33554432");
	expect("oci/v2/memory.low", "33554432");
	expect("oci/v2/cpu.max", "25000 50000");
	expect("oci/v2/cpu.weight", "39");

	touch("oci/cpu,cpuacct/cpu.cfs_period_us");
	touch("oci/cpu,cpuacct/cpu.cfs_quota_us");
	touch("oci/cpu,cpuacct/cpu.shares");
	snprintf(dir, sizeof(dir), "%s/oci/cpu,cpuacct", root);
	assert_int_equal(cgroup_set_resources("cpu,cpuacct", dir, &l, &oci, &err), 0);
	expect("oci/cpu,cpuacct/cpu.cfs_period_us", "50000");
	expect("oci/cpu,cpuacct/cpu.cfs_quota_us", "25000");
	expect("oci/cpu,cpuacct/cpu.shares", "1024");
	assert_false(cgroup_hier_has("cpuacct", "cpu"));
	assert_true(cgroup_hier_has("cpuacct,cpu", "cpu"));
}

static void an_unwritable_limit_is_named(void **state)
{
	struct spec_limits l = { .memory = 64 << 20 };
	struct mew_error *err = NULL;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/nomem", root);
	assert_int_equal(file_mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(cgroup_set_resources("memory", dir, &l, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "memory.limit_in_bytes"));
	mew_error_free(err);
}

static void stale_groups_of_dead_runs_are_removed(void **state)
{
	char dead[512], alive[512], other[512];
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	cgroup_use_root(root, CGROUP_MODE_LEGACY);
	snprintf(dead, sizeof(dead), "%s/pids/mew/run-%d", root, (int)pid);
	snprintf(alive, sizeof(alive), "%s/pids/mew/run-%d", root, (int)getpid());
	snprintf(other, sizeof(other), "%s/pids/mew/oci-container", root);
	assert_int_equal(file_mkdir_p(dead, 0755, NULL), 0);
	assert_int_equal(file_mkdir_p(alive, 0755, NULL), 0);
	assert_int_equal(file_mkdir_p(other, 0755, NULL), 0);
	cgroup_cleanup_stale();
	assert_false(file_exists(dead));
	assert_true(file_exists(alive));
	assert_true(file_exists(other));
}

/* v1 groups: the child writes "0" to each `tasks` (moving itself costs no
 * RCU grace period); nothing is left for cgroup.procs. */
static void v1_groups_are_entered_by_the_child_itself(void **state)
{
	struct spec_limits l = { .memory = 32 << 20, .pids = 7 };
	struct mew_error *err = NULL;
	struct cgroup_birth b;
	struct cgroup cg;

	unsetenv("MEW_CGROUP_BIRTH");
	cgroup_use_root(root, CGROUP_MODE_HYBRID);
	touch("memory/mew/t5/memory.limit_in_bytes");
	touch("memory/mew/t5/tasks");
	touch("memory/mew/t5/cgroup.procs");
	touch("pids/mew/t5/pids.max");
	touch("pids/mew/t5/tasks");
	touch("pids/mew/t5/cgroup.procs");
	assert_int_equal(cgroup_create("t5", &l, &cg, &err), 0);
	assert_int_equal(cgroup_birth_of(&cg, &b, &err), 0);
	assert_int_equal(b.ndirs, 2);
	assert_null(b.v2_dir);
	assert_int_equal(cgroup_birth_enter(&b, &err), 0);
	assert_int_equal(cgroup_birth_finish(&b, 4321, &err), 0);
	cgroup_birth_close(&b);
	expect("memory/mew/t5/tasks", "0");
	expect("pids/mew/t5/tasks", "0");
	expect("memory/mew/t5/cgroup.procs", "");
	expect("pids/mew/t5/cgroup.procs", "");
	cgroup_destroy(&cg);
}

/* A v2 group clone3 cannot place into (here: not a cgroup at all, as an
 * old kernel's refusal would be) still gets the child, by cgroup.procs. */
static void a_refused_clone3_falls_back_to_cgroup_procs(void **state)
{
	struct spec_limits l = { .pids = 9 };
	struct mew_error *err = NULL;
	struct cgroup_birth b;
	struct cgroup cg;
	char want[32];
	pid_t pid;

	unsetenv("MEW_CGROUP_BIRTH");
	cgroup_use_root(root, CGROUP_MODE_UNIFIED);
	touch("cgroup.subtree_control");
	touch("mew/cgroup.subtree_control");
	touch("mew/t6/pids.max");
	touch("mew/t6/cgroup.procs");
	assert_int_equal(cgroup_create("t6", &l, &cg, &err), 0);
	assert_int_equal(cgroup_birth_of(&cg, &b, &err), 0);
	assert_non_null(b.v2_dir);
	assert_true(b.v2_fd >= 0);
	pid = cgroup_birth_clone(&b, SIGCHLD);
	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	waitpid(pid, NULL, 0);
	assert_false(b.placed);
	assert_int_equal(cgroup_birth_finish(&b, pid, &err), 0);
	cgroup_birth_close(&b);
	snprintf(want, sizeof(want), "%d", (int)pid);
	expect("mew/t6/cgroup.procs", want);
	cgroup_destroy(&cg);
}

/* MEW_CGROUP_BIRTH=procs: every group by cgroup.procs, as before. */
static void the_procs_knob_writes_every_group(void **state)
{
	struct spec_limits l = { .memory = 16 << 20, .pids = 3 };
	struct mew_error *err = NULL;
	struct cgroup_birth b;
	struct cgroup cg;

	setenv("MEW_CGROUP_BIRTH", "procs", 1);
	cgroup_use_root(root, CGROUP_MODE_LEGACY);
	touch("memory/mew/t7/memory.limit_in_bytes");
	touch("memory/mew/t7/cgroup.procs");
	touch("pids/mew/t7/pids.max");
	touch("pids/mew/t7/cgroup.procs");
	assert_int_equal(cgroup_create("t7", &l, &cg, &err), 0);
	assert_int_equal(cgroup_birth_of(&cg, &b, &err), 0);
	assert_int_equal(cgroup_birth_enter(&b, &err), 0);
	assert_int_equal(cgroup_birth_finish(&b, 77, &err), 0);
	cgroup_birth_close(&b);
	unsetenv("MEW_CGROUP_BIRTH");
	expect("memory/mew/t7/cgroup.procs", "77");
	expect("pids/mew/t7/cgroup.procs", "77");
	cgroup_destroy(&cg);
}

/* A child that must be in before its parent looks (runc exec, the emulate
 * engine's keeper) joins by itself: where clone3 did not place it, its own
 * pid goes to cgroup.procs, written by the child, not the parent. */
static void a_child_not_placed_writes_its_own_pid(void **state)
{
	struct spec_limits l = { .pids = 4 };
	struct mew_error *err = NULL;
	struct cgroup_birth b;
	struct cgroup cg;
	char want[32];
	int st;
	pid_t pid;

	unsetenv("MEW_CGROUP_BIRTH");
	cgroup_use_root(root, CGROUP_MODE_UNIFIED);
	touch("cgroup.subtree_control");
	touch("mew/cgroup.subtree_control");
	touch("mew/t8/pids.max");
	touch("mew/t8/cgroup.procs");
	assert_int_equal(cgroup_create("t8", &l, &cg, &err), 0);
	assert_int_equal(cgroup_birth_of(&cg, &b, &err), 0);
	pid = cgroup_birth_clone(&b, SIGCHLD);
	if (pid == 0)
		_exit(cgroup_birth_join(&b, &err) == 0 ? 0 : 1);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cgroup_birth_close(&b);
	snprintf(want, sizeof(want), "%d", (int)pid);
	expect("mew/t8/cgroup.procs", want);
	cgroup_destroy(&cg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unified_writes_v2_knobs),
		cmocka_unit_test(legacy_writes_one_group_per_controller),
		cmocka_unit_test(legacy_only_touches_the_controllers_in_use),
		cmocka_unit_test(a_missing_controller_is_named),
		cmocka_unit_test(stale_groups_of_dead_runs_are_removed),
		cmocka_unit_test(oci_resources_share_the_writer),
		cmocka_unit_test(an_unwritable_limit_is_named),
		cmocka_unit_test(v1_groups_are_entered_by_the_child_itself),
		cmocka_unit_test(a_refused_clone3_falls_back_to_cgroup_procs),
		cmocka_unit_test(the_procs_knob_writes_every_group),
		cmocka_unit_test(a_child_not_placed_writes_its_own_pid),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
