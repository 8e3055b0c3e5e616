/* The engine-neutral description of one run: what to run, not how. Built from
 * `mew run` flags (flags.c) or an OCI config.json; every engine takes it. */
#ifndef MEW_SPEC_SPEC_H
#define MEW_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

enum spec_net {
	SPEC_NET_NONE, /* own network namespace with only loopback */
	SPEC_NET_HOST, /* the host's network */
	SPEC_NET_USER, /* a user-mode network of its own (passt): outbound through the host */
};

struct spec_mount {
	char *type;	   /* "bind", "tmpfs", "proc", ... */
	char *source;	   /* host path for binds */
	char *destination; /* path inside the rootfs */
	char **options;	   /* "ro", "rbind", "nosuid", ... (NULL-terminated) */
};

struct spec_limits {
	int64_t memory; /* bytes; 0 = no limit */
	int64_t pids;	/* 0 = no limit */
	double cpus;	/* CPUs' worth of time; 0 = no limit */
};

struct spec_vm {
	char *kernel;  /* vmlinux or bzImage; NULL = the built-in guest kernel */
	char *initrd;
	char *cmdline; /* appended to the kernel command line */
	bool console;  /* interactive serial console instead of the agent */
	char *disk;    /* a raw or ext4 image attached as virtio-blk */
	bool root_disk; /* the rootfs as a cached ext4 image (virtio-blk) instead of a 9p share */
	int vcpus;     /* 0 = from limits.cpus, else 1 */
	char *vsock_uds; /* guest connections to host port P go to the Unix socket <vsock_uds>_P */
	bool no_snapshot; /* boot cold rather than restore the kernel's snapshot */
	/* developer knobs (--vm-debug) */
	bool boot_pvh;	/* an ELF kernel through its PVH entry */
	bool no_probe;	/* boot a Linux kernel even where the probe says it cannot */
	bool timing;	/* print where the start-up time goes */
	int sample_ms;	/* every sample_ms, print each vCPU's RIP */
};


/* What only an OCI config.json says (src/spec/oci.c).  `mew run` leaves
 * spec->oci NULL; inside it, an absent field (NULL, 0, *_set false) means
 * "the engine's defaults", a present one is honored exactly. */
enum spec_ns {
	SPEC_NS_PID,
	SPEC_NS_NET,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_COUNT,
};

struct spec_namespace {
	bool enabled; /* listed in linux.namespaces */
	char *path;   /* join this namespace (setns) instead of creating one */
};

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

/* Capability sets as bit masks (bit N = capability N). */
struct spec_caps {
	bool set; /* process.capabilities given */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_COUNT,
};

struct spec_hook {
	char *path;
	char **args; /* argv, args[0] included as given */
	char **env;
	int timeout; /* seconds; 0 = none */
};

struct spec_hooks {
	struct spec_hook *v;
	size_t n;
};

struct spec_device_rule {
	bool allow;
	char type;     /* 'a', 'c' or 'b' */
	int64_t major; /* -1 = any */
	int64_t minor;
	char access[4]; /* subset of "rwm" */
};

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool mode_set;
	mode_t mode;
	bool uid_set, gid_set;
	uid_t uid;
	gid_t gid;
};

/* linux.resources.blockIO: one device's weight or rate. */
struct spec_blkio_device {
	int64_t major, minor;
	int64_t weight, leaf_weight; /* weightDevice; -1 = unset */
	uint64_t rate;		     /* throttle*Device */
};

enum spec_blkio_throttle {
	SPEC_BLKIO_READ_BPS,
	SPEC_BLKIO_WRITE_BPS,
	SPEC_BLKIO_READ_IOPS,
	SPEC_BLKIO_WRITE_IOPS,
	SPEC_BLKIO_NTHROTTLE,
};

struct spec_blkio {
	bool set;
	int64_t weight, leaf_weight; /* -1 = unset */
	struct spec_blkio_device *weight_device;
	size_t nweight_device;
	struct spec_blkio_device *throttle[SPEC_BLKIO_NTHROTTLE];
	size_t nthrottle[SPEC_BLKIO_NTHROTTLE];
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB", "1GB" */
	uint64_t limit;	 /* bytes */
};

struct spec_net_priority {
	char *name; /* interface */
	uint32_t priority;
};

struct spec_rdma_limit {
	char *device;
	int64_t hca_handles, hca_objects; /* -1 = unset */
};

/* linux.resources beyond spec->limits (memory.limit, pids.limit and
 * cpu.quota/period land there, as with --memory/--pids/--cpus). */
struct spec_resources {
	int64_t memory_reservation; /* 0 = unset */
	int64_t memory_swap;	    /* 0 = unset, -1 = unlimited */
	int64_t memory_swappiness;  /* -1 = unset */
	bool disable_oom_killer;
	uint64_t cpu_shares;  /* 0 = unset */
	int64_t cpu_quota;    /* 0 = unset, -1 = unlimited */
	uint64_t cpu_period;  /* 0 = unset */
	char *cpuset_cpus;
	char *cpuset_mems;
	struct spec_device_rule *devices; /* NULL = the engine's default allow-list */
	size_t ndevices;
	struct spec_blkio blkio;
	struct spec_hugepage_limit *hugepages;
	size_t nhugepages;
	bool net_class_set;
	uint32_t net_class_id;
	struct spec_net_priority *net_priorities;
	size_t nnet_priorities;
	struct spec_rdma_limit *rdma;
	size_t nrdma;
	char **unified; /* "file=value": cgroup v2 files written as they are */
};

enum spec_seccomp_action {
	SPEC_SECCOMP_KILL_THREAD, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
	SPEC_SECCOMP_KILL_PROCESS,
	SPEC_SECCOMP_TRAP,
	SPEC_SECCOMP_ERRNO,
	SPEC_SECCOMP_TRACE,
	SPEC_SECCOMP_ALLOW,
	SPEC_SECCOMP_LOG,
	SPEC_SECCOMP_NOTIFY,
};

enum spec_seccomp_op {
	SPEC_SECCOMP_NE,
	SPEC_SECCOMP_LT,
	SPEC_SECCOMP_LE,
	SPEC_SECCOMP_EQ,
	SPEC_SECCOMP_GE,
	SPEC_SECCOMP_GT,
	SPEC_SECCOMP_MASKED_EQ,
};

struct spec_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_rule {
	char **names; /* syscall names; unknown ones are skipped, as runc does */
	enum spec_seccomp_action action;
	int ret; /* errno for ERRNO, value for TRACE */
	struct spec_seccomp_arg *args;
	size_t nargs;
};

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	int default_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", ... (NULL = native only) */
	unsigned flags;	      /* SPEC_SECCOMP_FLAG_* */
	struct spec_seccomp_rule *rules;
	size_t nrules;
};

enum {
	SPEC_SECCOMP_FLAG_TSYNC = 1,
	SPEC_SECCOMP_FLAG_LOG = 2,
	SPEC_SECCOMP_FLAG_SPEC_ALLOW = 4,
	SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV = 8,
};

struct spec_oci {
	char *bundle; /* absolute path of the bundle directory */
	/* process */
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
	bool oom_score_adj_set;
	int oom_score_adj;
	bool umask_set;
	mode_t umask;
	unsigned console_height, console_width; /* 0 = unset */
	char *apparmor_profile; /* process.apparmorProfile; NULL = none */
	char *selinux_label;	/* process.selinuxLabel */
	char *mount_label;	/* linux.mountLabel */
	/* hooks, in the order the spec gives them */
	struct spec_hooks hooks[SPEC_HOOK_COUNT];
	/* linux */
	/* linux.namespaces: exactly these; one not listed (or no list at all)
	 * is the runtime's own. */
	struct spec_namespace ns[SPEC_NS_COUNT];
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t nuid_mappings, ngid_mappings;
	struct spec_resources resources;
	char *cgroups_path;
	char **sysctl; /* "key=value" */
	struct spec_seccomp *seccomp; /* NULL = the engine's default profile */
	char **masked_paths;	      /* NULL = the engine's defaults; {NULL} = none */
	char **readonly_paths;	      /* likewise */
	unsigned long rootfs_propagation; /* MS_PRIVATE|MS_REC, ...; 0 = default */
	struct spec_device *devices;	  /* linux.devices: extra nodes in /dev */
	size_t ndevices;
	/* spec->mounts is the whole list (config.json mounts /proc, /dev, ...):
	 * the engine adds no filesystems of its own, only the default nodes. */
	bool mounts_complete;
};

struct spec {
	char *engine; /* "container", "syscall", "emulate", "vm" or "auto" */
	char *rootfs;
	char *image;  /* --image REF: rootfs from an image (src/image); NULL = rootfs */
	bool persist; /* --persist: the run writes into the image's cached rootfs */
	char *arch; /* "amd64", "arm64"; NULL = the host's */
	char **argv;
	char **env;
	char *cwd;
	bool user_set; /* uid/gid given; otherwise root inside */
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* additional groups */
	size_t ngroups;
	char *hostname;
	struct spec_mount *mounts;
	size_t nmounts;
	struct spec_limits limits;
	enum spec_net net;
	bool net_set; /* --net given; otherwise the engine's default */
	bool tty;
	bool interactive;
	bool readonly_root;
	/* --sandbox strict: refuse to run where the engine's wall against the
	 * guest is incomplete on this host (src/wall) */
	bool sandbox_strict;
	/* --jit off|on: the emulate engine's translator (default: on where the
	 * host has one; MEW_A64_JIT=0 turns it off as well) */
	enum spec_jit { SPEC_JIT_DEFAULT, SPEC_JIT_OFF, SPEC_JIT_ON } jit;
	struct spec_vm vm;
	struct spec_oci *oci; /* NULL unless built from config.json */
};

void spec_init(struct spec *spec);
void spec_free(struct spec *spec);

/* Append a mount; strings are copied. */
int spec_add_mount(struct spec *spec, const char *type, const char *source,
		   const char *destination, char *const *options);
/* Set or replace NAME=VALUE in env. */
int spec_setenv(struct spec *spec, const char *kv);
const char *spec_getenv(const struct spec *spec, const char *name);

/* Checks that hold for every engine: the rootfs is a directory, argv is not
 * empty, paths are absolute, bind sources exist.  Errors name the field. */
int spec_validate(const struct spec *spec, struct mew_error **err);

/* The built-in default rootfs for arch (NULL = host), in mew's cache. */
char *spec_default_rootfs(const char *arch);
/* The host's architecture in Debian's naming ("amd64", "arm64"). */
const char *spec_host_arch(void);
/* Debian's name for arch aliases: "x86_64" -> "amd64", "aarch64" -> "arm64". */
const char *spec_arch_name(const char *arch);

/* OCI config.json -> spec (src/spec/oci.c).  bundle is the directory that
 * relative paths (root.path, bind sources) are resolved against.  Errors name
 * the JSON path and the value:
 *   config.json: linux.resources.memory.limit: expected an integer, got "12XB" */
int spec_from_oci_json(const char *json, size_t len, const char *bundle, struct spec *spec,
		       struct mew_error **err);
/* Read BUNDLE/config.json. */
int spec_from_oci_bundle(const char *bundle, struct spec *spec, struct mew_error **err);
/* An OCI process object alone (runc exec --process FILE): argv, env, cwd,
 * user, terminal, capabilities, rlimits, noNewPrivileges. */
int spec_from_oci_process(const char *json, size_t len, const char *name, struct spec *spec,
			  struct mew_error **err);
/* A linux.resources object alone (runc update --resources FILE). */
int spec_from_oci_resources(const char *json, size_t len, const char *name, struct spec *spec,
			    struct mew_error **err);
void spec_oci_free(struct spec_oci *oci);
/* Free what linux.resources holds and reset it to "nothing given". */
void spec_resources_clear(struct spec_resources *r);

#endif
