/* spec: a default config.json; features: what this runtime can do. */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"

static const char default_config[] =
	"{\n"
	"\t\"ociVersion\": \"1.0.2\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
	"\t\t\"args\": [ \"sh\" ],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n"
	"\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
	"\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
	"\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
	"\t\t\t\"ambient\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
	"\t\"hostname\": \"mew\",\n"
	"\t\"mounts\": [\n"
	"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
	"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
	"\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
	"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
	"\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
	"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
	"\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
	"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
	"\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
	"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
	"\t\t\"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
	"\t\t                { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" } ],\n"
	"\t\t\"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
	"\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
	"\t\t\t\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\" ],\n"
	"\t\t\"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"
	"\t\t\t\"/proc/sysrq-trigger\" ]\n"
	"\t}\n"
	"}\n";

int rt_spec(int argc, char **argv)
{
	struct mew_error *err = NULL;
	const char *bundle = ".";
	char path[4200];
	struct stat sb;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--bundle") == 0 || strcmp(argv[i], "-b") == 0) && i + 1 < argc)
			bundle = argv[++i];
		else if (strncmp(argv[i], "--bundle=", 9) == 0)
			bundle = argv[i] + 9;
		else if (strcmp(argv[i], "--rootless") != 0)
			return rt_fail((mew_error(&err, 0, "spec: unknown option `%s`", argv[i]), err));
	}
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (stat(path, &sb) == 0)
		return rt_fail((mew_error(&err, EEXIST, "spec: `%s`", path), err));
	if (file_write_str(path, default_config, &err) < 0)
		return rt_fail(err);
	return 0;
}

int rt_features(int argc, char **argv)
{
	printf("{\n"
	       "  \"ociVersionMin\": \"1.0.0\",\n"
	       "  \"ociVersionMax\": \"1.1.0\",\n"
	       "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", "
	       "\"poststart\", \"poststop\"],\n"
	       "  \"mountOptions\": [\"async\", \"atime\", \"bind\", \"defaults\", \"dev\", \"diratime\", "
	       "\"dirsync\", \"exec\", \"mand\", \"noatime\", \"nodev\", \"nodiratime\", \"noexec\", "
	       "\"nomand\", \"norelatime\", \"nostrictatime\", \"nosuid\", \"private\", \"rbind\", "
	       "\"relatime\", \"remount\", \"ro\", \"rprivate\", \"rshared\", \"rslave\", "
	       "\"runbindable\", \"rw\", \"shared\", \"slave\", \"strictatime\", \"suid\", \"sync\", "
	       "\"unbindable\"],\n"
	       "  \"linux\": {\n"
	       "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"user\", \"uts\"],\n"
	       "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", "
	       "\"CAP_FOWNER\", \"CAP_FSETID\", \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\", "
	       "\"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\", \"CAP_NET_BIND_SERVICE\", "
	       "\"CAP_NET_BROADCAST\", \"CAP_NET_ADMIN\", \"CAP_NET_RAW\", \"CAP_IPC_LOCK\", "
	       "\"CAP_IPC_OWNER\", \"CAP_SYS_MODULE\", \"CAP_SYS_RAWIO\", \"CAP_SYS_CHROOT\", "
	       "\"CAP_SYS_PTRACE\", \"CAP_SYS_PACCT\", \"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\", "
	       "\"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", \"CAP_SYS_TIME\", \"CAP_SYS_TTY_CONFIG\", "
	       "\"CAP_MKNOD\", \"CAP_LEASE\", \"CAP_AUDIT_WRITE\", \"CAP_AUDIT_CONTROL\", "
	       "\"CAP_SETFCAP\", \"CAP_MAC_OVERRIDE\", \"CAP_MAC_ADMIN\", \"CAP_SYSLOG\", "
	       "\"CAP_WAKE_ALARM\", \"CAP_BLOCK_SUSPEND\", \"CAP_AUDIT_READ\", \"CAP_PERFMON\", "
	       "\"CAP_BPF\", \"CAP_CHECKPOINT_RESTORE\"],\n"
	       "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false },\n"
	       "    \"seccomp\": {\n"
	       "      \"enabled\": true,\n"
	       "      \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", "
	       "\"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", "
	       "\"SCMP_ACT_TRACE\", \"SCMP_ACT_TRAP\"],\n"
	       "      \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_LE\", "
	       "\"SCMP_CMP_LT\", \"SCMP_CMP_MASKED_EQ\", \"SCMP_CMP_NE\"]\n"
	       "    },\n"
	       "    \"apparmor\": { \"enabled\": false },\n"
	       "    \"selinux\": { \"enabled\": false }\n"
	       "  },\n"
	       "  \"annotations\": { \"org.opencontainers.runc.checkpoint.enabled\": \"false\" }\n"
	       "}\n");
	return 0;
}
