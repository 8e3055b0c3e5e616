#include "container/seccomp.h"

#include <errno.h>
#include <stddef.h>
#include <seccomp.h>

/* The calls docker's default profile does not allow a container that lacks
 * CAP_SYS_ADMIN and the other administrative capabilities. */
static const char *const denied[] = {
	"acct",		   "add_key",	      "bpf",		"clock_adjtime",
	"clock_settime",   "create_module",   "delete_module",	"finit_module",
	"fsconfig",	   "fsmount",	      "fsopen",		"fspick",
	"get_kernel_syms", "get_mempolicy",   "init_module",	"ioperm",
	"iopl",		   "kcmp",	      "kexec_file_load", "kexec_load",
	"keyctl",	   "lookup_dcookie",  "mbind",		"mount",
	"mount_setattr",   "move_mount",      "move_pages",	"name_to_handle_at",
	"nfsservctl",	   "open_by_handle_at", "open_tree",	"perf_event_open",
	"pivot_root",	   "process_vm_readv", "process_vm_writev", "ptrace",
	"query_module",	   "quotactl",	      "quotactl_fd",	"reboot",
	"request_key",	   "set_mempolicy",   "setns",		"settimeofday",
	"stime",	   "swapoff",	      "swapon",		"syslog",
	"sysfs",	   "_sysctl",	      "umount",		"umount2",
	"unshare",	   "uselib",	      "userfaultfd",	"ustat",
	"vm86",		   "vm86old",
};

int seccomp_load_default(struct mew_error **err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (ctx == NULL)
		return mew_error(err, 0, "seccomp: cannot create a filter");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0) {
			seccomp_release(ctx);
			return mew_error(err, -r, "seccomp: deny %s", denied[i]);
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return mew_error(err, -r, "seccomp: load the filter");
	return 0;
}
