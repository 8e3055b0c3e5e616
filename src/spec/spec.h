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
	int vcpus;     /* 0 = from limits.cpus, else 1 */
};

struct spec {
	char *engine; /* "container", "syscall", "emulate", "vm" or "auto" */
	char *rootfs;
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
	bool tty;
	bool interactive;
	bool readonly_root;
	struct spec_vm vm;
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

#endif
