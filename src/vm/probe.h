/* What the vm engine can do on this host, found by trying it. */
#ifndef MEW_VM_PROBE_H
#define MEW_VM_PROBE_H

#include <stddef.h>

/* 0 when /dev/kvm can create a VM; else -1 and why. */
int vm_probe_kvm(char *why, size_t len);
/* 0 when KVM executes what a Linux kernel's early boot needs (xsave/xrstor,
 * int3 through an IDT), found by running a few instructions in a VM; else
 * -1 and why.  The answer is computed once per process. */
int vm_probe_kernel_boot(char *why, size_t len);

#endif
