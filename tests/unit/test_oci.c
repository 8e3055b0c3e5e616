/* config.json -> spec: every field lands where the engine reads it, and every
 * malformed input is refused with the JSON path and the value named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "container/cgroup_oci.h"
#include "spec/spec.h"

static const char full_config[] = "{\n"
	"  \"ociVersion\": \"1.0.2-dev\",\n"
	"  \"process\": {\n"
	"    \"terminal\": true,\n"
	"    \"consoleSize\": {\"height\": 24, \"width\": 80},\n"
	"    \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [10, 20]},\n"
	"    \"args\": [\"sh\", \"-c\", \"echo hi\"],\n"
	"    \"env\": [\"PATH=/bin\", \"TERM=xterm\"],\n"
	"    \"cwd\": \"/tmp\",\n"
	"    \"capabilities\": {\n"
	"      \"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_FUTURE_THING\"],\n"
	"      \"effective\": [\"CAP_KILL\"],\n"
	"      \"permitted\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
	"    },\n"
	"    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 512}],\n"
	"    \"noNewPrivileges\": true,\n"
	"    \"oomScoreAdj\": 100,\n"
	"    \"apparmorProfile\": \"\"\n"
	"  },\n"
	"  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
	"  \"hostname\": \"box\",\n"
	"  \"mounts\": [\n"
	"    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	"    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"     \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/data\", \"source\": \"vol\", \"options\": [\"rbind\", \"ro\"]}\n"
	"  ],\n"
	"  \"hooks\": {\n"
	"    \"prestart\": [{\"path\": \"/bin/true\", \"args\": [\"true\", \"x\"], \"timeout\": 5}],\n"
	"    \"poststop\": [{\"path\": \"/bin/a\"}, {\"path\": \"/bin/b\", \"env\": [\"A=1\"]}]\n"
	"  },\n"
	"  \"annotations\": {\"org.example\": \"yes\"},\n"
	"  \"linux\": {\n"
	"    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}, {\"type\": \"uts\"},\n"
	"                   {\"type\": \"network\", \"path\": \"/run/netns/x\"}],\n"
	"    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
	"    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
	"    \"resources\": {\n"
	"      \"devices\": [{\"allow\": false, \"access\": \"rwm\"},\n"
	"                  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rw\"}],\n"
	"      \"memory\": {\"limit\": 67108864, \"swap\": -1, \"swappiness\": 0},\n"
	"      \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0\"},\n"
	"      \"pids\": {\"limit\": 32},\n"
	"      \"blockIO\": {\"weight\": 500, \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}]},\n"
	"      \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],\n"
	"      \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]},\n"
	"      \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}},\n"
	"      \"unified\": {\"io.max\": \"8:0 rbps=1024\"}\n"
	"    },\n"
	"    \"cgroupsPath\": \"/mew/test\",\n"
	"    \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},\n"
	"    \"seccomp\": {\n"
	"      \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
	"      \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
	"      \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"
	"      \"syscalls\": [\n"
	"        {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
	"        {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"         \"args\": [{\"index\": 0, \"value\": 131080, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
	"        {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\"},\n"
	"        {\"names\": [\"x\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1,\n"
	"          \"value\": 9223372036854775807, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}\n"
	"      ]\n"
	"    },\n"
	"    \"maskedPaths\": [\"/proc/kcore\"],\n"
	"    \"readonlyPaths\": [],\n"
	"    \"rootfsPropagation\": \"rslave\",\n"
	"    \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,\n"
	"                 \"fileMode\": 8630, \"uid\": 0, \"gid\": 0}]\n"
	"  }\n"
	"}\n";

static void full_config_fills_the_spec(void **state)
{
	struct mew_error *err = NULL;
	struct spec spec;
	struct spec_oci *oci;

	spec_init(&spec);
	if (spec_from_oci_json(full_config, strlen(full_config), "/bundle", &spec, &err) < 0)
		fail_msg("%s", err->msg);
	oci = spec.oci;
	assert_non_null(oci);
	assert_string_equal(spec.engine, "container");
	assert_string_equal(spec.rootfs, "/bundle/rootfs");
	assert_true(spec.readonly_root);
	assert_string_equal(spec.argv[0], "sh");
	assert_string_equal(spec.argv[2], "echo hi");
	assert_null(spec.argv[3]);
	assert_int_equal(strv_len(spec.env), 2);
	assert_string_equal(spec_getenv(&spec, "TERM"), "xterm");
	assert_null(spec_getenv(&spec, "HOME"));
	assert_string_equal(spec.cwd, "/tmp");
	assert_true(spec.tty);
	assert_true(spec.user_set);
	assert_int_equal(spec.uid, 1000);
	assert_int_equal(spec.gid, 100);
	assert_int_equal(spec.ngroups, 2);
	assert_int_equal(spec.groups[1], 20);
	assert_true(oci->umask_set);
	assert_int_equal(oci->umask, 022);
	assert_int_equal(oci->console_height, 24);
	assert_int_equal(oci->console_width, 80);
	assert_string_equal(spec.hostname, "box");

	assert_true(oci->caps.set);
	assert_int_equal(oci->caps.bounding, (1ULL << 0) | (1ULL << 5));
	assert_int_equal(oci->caps.effective, 1ULL << 5);
	assert_int_equal(oci->caps.permitted, (1ULL << 5) | (1ULL << 10));
	assert_int_equal(oci->caps.ambient, 0);
	assert_int_equal(oci->nrlimits, 1);
	assert_int_equal(oci->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(oci->rlimits[0].soft, 512);
	assert_int_equal(oci->rlimits[0].hard, 1024);
	assert_true(oci->no_new_privileges);
	assert_true(oci->oom_score_adj_set);
	assert_int_equal(oci->oom_score_adj, 100);

	assert_true(oci->mounts_complete);
	assert_int_equal(spec.nmounts, 3);
	assert_string_equal(spec.mounts[0].type, "proc");
	assert_string_equal(spec.mounts[1].options[2], "mode=755");
	assert_string_equal(spec.mounts[2].type, "bind");
	assert_string_equal(spec.mounts[2].source, "/bundle/vol");
	assert_string_equal(spec.mounts[2].destination, "/data");

	assert_int_equal(oci->hooks[SPEC_HOOK_PRESTART].n, 1);
	assert_string_equal(oci->hooks[SPEC_HOOK_PRESTART].v[0].args[1], "x");
	assert_int_equal(oci->hooks[SPEC_HOOK_PRESTART].v[0].timeout, 5);
	assert_int_equal(oci->hooks[SPEC_HOOK_POSTSTOP].n, 2);
	assert_string_equal(oci->hooks[SPEC_HOOK_POSTSTOP].v[1].path, "/bin/b");
	assert_int_equal(oci->hooks[SPEC_HOOK_POSTSTART].n, 0);

	assert_int_equal(oci->resources.blkio.weight, 500);
	assert_int_equal(oci->resources.blkio.leaf_weight, -1);
	assert_int_equal(oci->resources.blkio.nthrottle[SPEC_BLKIO_WRITE_IOPS], 1);
	assert_int_equal(oci->resources.blkio.throttle[SPEC_BLKIO_WRITE_IOPS][0].rate, 100);
	assert_string_equal(oci->resources.hugepages[0].page_size, "2MB");
	assert_int_equal(oci->resources.net_class_id, 1048577);
	assert_string_equal(oci->resources.net_priorities[0].name, "eth0");
	assert_int_equal(oci->resources.rdma[0].hca_handles, 3);
	assert_int_equal(oci->resources.rdma[0].hca_objects, -1);
	assert_string_equal(oci->resources.unified[0], "io.max=8:0 rbps=1024");

	assert_true(oci->ns[SPEC_NS_PID].enabled);
	assert_true(oci->ns[SPEC_NS_USER].enabled);
	assert_true(oci->ns[SPEC_NS_UTS].enabled);
	assert_false(oci->ns[SPEC_NS_IPC].enabled);
	assert_string_equal(oci->ns[SPEC_NS_NET].path, "/run/netns/x");
	assert_int_equal(spec.net, SPEC_NET_NONE);
	assert_int_equal(oci->nuid_mappings, 1);
	assert_int_equal(oci->uid_mappings[0].host_id, 100000);
	assert_int_equal(oci->gid_mappings[0].size, 65536);

	assert_int_equal(spec.limits.memory, 64 << 20);
	assert_int_equal(spec.limits.pids, 32);
	assert_true(spec.limits.cpus == 0.5);
	assert_int_equal(oci->resources.memory_swap, -1);
	assert_int_equal(oci->resources.memory_swappiness, 0);
	assert_int_equal(oci->resources.cpu_shares, 512);
	assert_string_equal(oci->resources.cpuset_cpus, "0");
	assert_int_equal(oci->resources.ndevices, 2);
	assert_false(oci->resources.devices[0].allow);
	assert_int_equal(oci->resources.devices[0].type, 'a');
	assert_int_equal(oci->resources.devices[0].major, -1);
	assert_int_equal(oci->resources.devices[1].type, 'c');
	assert_int_equal(oci->resources.devices[1].minor, 3);
	assert_string_equal(oci->resources.devices[1].access, "rw");
	assert_string_equal(oci->cgroups_path, "/mew/test");
	assert_string_equal(oci->sysctl[0], "net.ipv4.ip_forward=1");

	assert_non_null(oci->seccomp);
	assert_int_equal(oci->seccomp->default_action, SPEC_SECCOMP_ERRNO);
	assert_int_equal(oci->seccomp->default_ret, 38);
	assert_string_equal(oci->seccomp->architectures[1], "SCMP_ARCH_X86");
	assert_int_equal(oci->seccomp->flags, SPEC_SECCOMP_FLAG_LOG);
	assert_int_equal(oci->seccomp->nrules, 4);
	assert_string_equal(oci->seccomp->rules[0].names[1], "write");
	assert_int_equal(oci->seccomp->rules[1].nargs, 1);
	assert_int_equal(oci->seccomp->rules[1].args[0].value, 131080);
	assert_int_equal(oci->seccomp->rules[1].args[0].op, SPEC_SECCOMP_EQ);
	assert_int_equal(oci->seccomp->rules[2].ret, 1 /* EPERM */);
	assert_true(oci->seccomp->rules[3].args[0].value == INT64_MAX);
	assert_int_equal(oci->seccomp->rules[3].args[0].op, SPEC_SECCOMP_MASKED_EQ);

	assert_string_equal(oci->masked_paths[0], "/proc/kcore");
	assert_non_null(oci->readonly_paths);
	assert_null(oci->readonly_paths[0]);
	assert_int_equal(oci->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(oci->ndevices, 1);
	assert_string_equal(oci->devices[0].path, "/dev/fuse");
	assert_int_equal(oci->devices[0].minor, 229);
	assert_int_equal(oci->devices[0].mode, 0666);
	spec_free(&spec);
}

static void minimal_config_keeps_defaults(void **state)
{
	const char *json = "{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"/r\"},"
			   " \"process\": {\"args\": [\"true\"], \"env\": null}, \"mounts\": null}";
	struct mew_error *err = NULL;
	struct spec spec;

	spec_init(&spec);
	if (spec_from_oci_json(json, strlen(json), "/b", &spec, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(spec.rootfs, "/r");
	assert_non_null(spec_getenv(&spec, "PATH"));
	assert_false(spec.user_set);
	assert_false(spec.oci->caps.set);
	for (int k = 0; k < SPEC_NS_COUNT; k++)
		assert_false(spec.oci->ns[k].enabled);
	assert_null(spec.oci->seccomp);
	assert_null(spec.oci->masked_paths);
	assert_int_equal(spec.oci->resources.memory_swappiness, -1);
	assert_int_equal(spec.limits.memory, 0);
	assert_int_equal(spec.net, SPEC_NET_HOST);
	spec_free(&spec);
}

static void process_json_for_exec(void **state)
{
	const char *json = "{\"args\": [\"ls\", \"/\"], \"cwd\": \"/\", \"terminal\": false,"
			   " \"env\": [\"A=b\"], \"user\": {\"uid\": 5, \"gid\": 6}}";
	const char *broken = "{\"args\": [\"ls\"], \"user\": {\"uid\": \"root\"}}";
	struct mew_error *err = NULL;
	struct spec spec;

	spec_init(&spec);
	assert_int_equal(spec_from_oci_process(json, strlen(json), "process.json", &spec, &err), 0);
	assert_string_equal(spec.argv[1], "/");
	assert_int_equal(spec.uid, 5);
	assert_string_equal(spec_getenv(&spec, "A"), "b");
	spec_free(&spec);

	spec_init(&spec);
	assert_int_equal(spec_from_oci_process(broken, strlen(broken), "process.json", &spec, &err), -1);
	assert_string_equal(err->msg, "process.json: user.uid: expected an integer, got \"root\"");
	mew_error_free(err);
	spec_free(&spec);
}

/* Replace the first occurrence of `from` in the full config with `to`. */
static char *patched(const char *from, const char *to)
{
	const char *at = strstr(full_config, from);
	char *out = NULL;

	if (at == NULL)
		fail_msg("`%s` is not in the test config", from);
	if (asprintf(&out, "%.*s%s%s", (int)(at - full_config), full_config, to, at + strlen(from)) < 0)
		fail();
	return out;
}

static void expect(const char *from, const char *to, const char *message)
{
	cleanup_free char *json = patched(from, to);
	struct mew_error *err = NULL;
	struct spec spec;

	spec_init(&spec);
	assert_int_equal(spec_from_oci_json(json, strlen(json), "/bundle", &spec, &err), -1);
	assert_non_null(err);
	if (strcmp(err->msg, message) != 0)
		fail_msg("for %s -> %s:\n got `%s`\nwant `%s`", from, to, err->msg, message);
	assert_int_equal(err->status, 125);
	mew_error_free(err);
	spec_free(&spec);
}

static void errors_name_path_and_value(void **state)
{
	expect("67108864", "\"12XB\"",
	       "config.json: linux.resources.memory.limit: expected an integer, got \"12XB\"");
	expect("67108864", "-5",
	       "config.json: linux.resources.memory.limit: expected an integer in [-1, 9223372036854775807], got -5");
	expect("\"echo hi\"", "7", "config.json: process.args[2]: expected a string, got 7");
	expect("[\"sh\", \"-c\", \"echo hi\"]", "[]", "config.json: process.args: expected a command, got []");
	expect("\"TERM=xterm\"", "\"TERM\"", "config.json: process.env[1]: expected NAME=VALUE, got \"TERM\"");
	expect("\"/tmp\"", "\"tmp\"", "config.json: process.cwd: expected an absolute path, got \"tmp\"");
	expect("\"terminal\": true", "\"terminal\": 1", "config.json: process.terminal: expected true or false, got 1");
	expect("\"CAP_KILL\"]", "\"KILL\"]",
	       "config.json: process.capabilities.effective[0]: expected a capability name like \"CAP_CHOWN\", got \"KILL\"");
	expect("RLIMIT_NOFILE", "RLIMIT_FILES",
	       "config.json: process.rlimits[0].type: expected an RLIMIT_* name, got \"RLIMIT_FILES\"");
	expect("\"soft\": 512", "\"soft\": 2048",
	       "config.json: process.rlimits[0]: soft limit above the hard limit");
	expect("\"oomScoreAdj\": 100", "\"oomScoreAdj\": 1001",
	       "config.json: process.oomScoreAdj: expected an integer in [-1000, 1000], got 1001");
	expect("\"path\": \"rootfs\"", "\"path\": 3", "config.json: root.path: expected a string, got 3");
	expect("\"root\": {", "\"toor\": {", "config.json: root: missing");
	expect("\"1.0.2-dev\"", "\"2.0\"", "config.json: ociVersion: expected a 1.x version, got \"2.0\"");
	expect("{\"destination\": \"/proc\", ", "{", "config.json: mounts[0].destination: missing");
	expect("\"type\": \"proc\", ", "", "config.json: mounts[0].type: expected a filesystem type (or a bind/rbind option), got nothing");
	expect("\"path\": \"/bin/a\"", "\"path\": \"bin/a\"",
	       "config.json: hooks.poststop[0].path: expected an absolute path, got \"bin/a\"");
	expect("\"timeout\": 5", "\"timeout\": 0",
	       "config.json: hooks.prestart[0].timeout: expected an integer in [1, 2147483647], got 0");
	expect("{\"type\": \"pid\"}", "{\"type\": \"pids\"}",
	       "config.json: linux.namespaces[0].type: expected one of pid, network, mount, ipc, uts, user, cgroup, time, got \"pids\"");
	expect("{\"type\": \"mount\"}", "{\"type\": \"pid\"}",
	       "config.json: linux.namespaces[1].type: expected each namespace once, got \"pid\"");
	expect("\"hostID\": 100000", "\"hostID\": -1",
	       "config.json: linux.uidMappings[0].hostID: expected an integer in [0, 4294967295], got -1");
	expect("{\"type\": \"user\"},", "", "config.json: linux.uidMappings: given without a user namespace in linux.namespaces");
	expect(" {\"type\": \"uts\"},", "", "config.json: hostname: `box` needs a uts namespace in linux.namespaces");
	expect("\"pageSize\": \"2MB\"", "\"pageSize\": \"2/../MB\"",
	       "config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size like \"2MB\", got \"2/../MB\"");
	expect("\"rate\": 100", "\"rate\": \"fast\"",
	       "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: expected an integer, got \"fast\"");
	expect("\"io.max\"", "\"../x\"", "config.json: linux.resources.unified.../x: invalid cgroup file name `../x`");
	expect("\"access\": \"rw\"", "\"access\": \"rwx\"",
	       "config.json: linux.resources.devices[1].access: expected letters from \"rwm\", got \"rwx\"");
	expect("\"swappiness\": 0", "\"swappiness\": 101",
	       "config.json: linux.resources.memory.swappiness: expected an integer in [0, 100], got 101");
	expect("\"pids\": {\"limit\": 32}", "\"pids\": {}", "config.json: linux.resources.pids.limit: missing");
	expect("\"pids\": {\"limit\": 32}", "\"pids\": []",
	       "config.json: linux.resources.pids: expected an object, got []");
	expect("\"shares\": 512", "\"shares\": 5.5",
	       "config.json: linux.resources.cpu.shares: expected a non-negative integer, got 5.5");
	expect("\"1\"}", "1}", "config.json: linux.sysctl.net.ipv4.ip_forward: expected a string, got 1");
	expect("\"net.ipv4.ip_forward\": \"1\"", "\"vm.swappiness\": \"1\"",
	       "config.json: linux.sysctl.vm.swappiness: `vm.swappiness` is not in a namespace of the container's: it would change the host's");
	expect("{\"type\": \"network\", \"path\": \"/run/netns/x\"}", "{\"type\": \"ipc\"}",
	       "config.json: linux.sysctl.net.ipv4.ip_forward: needs a network namespace in linux.namespaces: it would change the host's");
	expect("\"SCMP_ACT_ERRNO\", \"defaultErrnoRet\"", "\"SCMP_ACT_MAYBE\", \"defaultErrnoRet\"",
	       "config.json: linux.seccomp.defaultAction: expected an SCMP_ACT_* action, got \"SCMP_ACT_MAYBE\"");
	expect("\"SCMP_CMP_EQ\"", "\"==\"",
	       "config.json: linux.seccomp.syscalls[1].args[0].op: expected an SCMP_CMP_* operator, got \"==\"");
	expect("\"index\": 0", "\"index\": 6",
	       "config.json: linux.seccomp.syscalls[1].args[0].index: expected an integer in [0, 5], got 6");
	expect("\"SECCOMP_FILTER_FLAG_LOG\"", "\"LOG\"",
	       "config.json: linux.seccomp.flags[0]: expected a SECCOMP_FILTER_FLAG_* name, got \"LOG\"");
	expect("\"SCMP_ARCH_X86\"]", "\"x86\"]",
	       "config.json: linux.seccomp.architectures[1]: expected an SCMP_ARCH_* name, got \"x86\"");
	expect("{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\"}", "{\"names\": [\"clone\"]}",
	       "config.json: linux.seccomp.syscalls[2].action: missing");
	expect("\"rslave\"", "\"slaves\"",
	       "config.json: linux.rootfsPropagation: expected one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable, got \"slaves\"");
	expect("\"/dev/fuse\"", "\"/etc/passwd\"",
	       "config.json: linux.devices[0].path: expected a path under /dev/, got \"/etc/passwd\"");
	expect("\"maskedPaths\": [\"/proc/kcore\"]", "\"maskedPaths\": \"/proc/kcore\"",
	       "config.json: linux.maskedPaths: expected an array, got \"/proc/kcore\"");
	expect("\"org.example\": \"yes\"", "\"org.example\": true",
	       "config.json: annotations.org.example: expected a string, got true");
}

static void syntax_errors_name_the_place(void **state)
{
	struct mew_error *err = NULL;
	struct spec spec;
	const char *cases[][2] = {
		{ "{\"ociVersion\": ", "config.json: line 1, column 15: unexpected token near end of file" },
		{ "[1, 2]", "config.json: (top level): expected an object, got [1,2]" },
		{ "", "config.json: line 1, column 0: '[' or '{' expected near end of file" },
		{ "{\"a\": 1, \"a\": 2}", "config.json: line 1, column 12: duplicate object key near '\"a\"'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		spec_init(&spec);
		assert_int_equal(spec_from_oci_json(cases[i][0], strlen(cases[i][0]), NULL, &spec, &err), -1);
		if (strcmp(err->msg, cases[i][1]) != 0)
			fail_msg("got `%s`, want `%s`", err->msg, cases[i][1]);
		mew_error_free(err);
		err = NULL;
		spec_free(&spec);
	}
}

static void long_values_are_shortened(void **state)
{
	char big[300];
	cleanup_free char *json = NULL;
	struct mew_error *err = NULL;
	struct spec spec;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(asprintf(&json, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/\"},"
				    " \"process\": {\"args\": [\"a\"], \"cwd\": \"%s\"}}", big) > 0);
	spec_init(&spec);
	assert_int_equal(spec_from_oci_json(json, strlen(json), NULL, &spec, &err), -1);
	assert_true(strlen(err->msg) < 160);
	assert_non_null(strstr(err->msg, "process.cwd: expected an absolute path, got \"xxx"));
	assert_non_null(strstr(err->msg, "..."));
	mew_error_free(err);
	spec_free(&spec);
}

static void cgroup_paths(void **state)
{
	struct spec spec;
	char *p;

	spec_init(&spec);
	p = cgroup_oci_path(&spec, "abc");
	assert_string_equal(p, "/mew-runtime/abc");
	free(p);
	spec.oci = calloc(1, sizeof(*spec.oci));
	spec.oci->cgroups_path = strdup("/libpod_parent/libpod-1");
	p = cgroup_oci_path(&spec, "abc");
	assert_string_equal(p, "/libpod_parent/libpod-1");
	free(p);
	free(spec.oci->cgroups_path);
	spec.oci->cgroups_path = strdup("system.slice:docker:abc");
	p = cgroup_oci_path(&spec, "abc");
	assert_string_equal(p, "/system.slice/docker-abc.scope");
	free(p);
	free(spec.oci->cgroups_path);
	spec.oci->cgroups_path = strdup("relative/path");
	p = cgroup_oci_path(&spec, "abc");
	assert_string_equal(p, "/relative/path");
	free(p);
	spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config_fills_the_spec),
		cmocka_unit_test(minimal_config_keeps_defaults),
		cmocka_unit_test(process_json_for_exec),
		cmocka_unit_test(errors_name_path_and_value),
		cmocka_unit_test(syntax_errors_name_the_place),
		cmocka_unit_test(long_values_are_shortened),
		cmocka_unit_test(cgroup_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
