/* What the vm engine can do on this host, found by trying it. */
#ifndef MEW_VM_PROBE_H
#define MEW_VM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* 0 when /dev/kvm can create a VM; else -1 and why. */
int vm_probe_kvm(char *why, size_t len);
/* What a Linux kernel needs of KVM found by running a few instructions in a
 * VM (xsave/xrstor, int3 through an IDT): 0 when KVM executes them; 1 when
 * KVM runs guest kernel code in its instruction emulator, where a kernel
 * boots (slowly) with VM_EMULATED_CMDLINE on its command line, and why;
 * -1 when no kernel boots, and why.  Computed once per boot of the host. */
int vm_probe_kernel_boot(char *why, size_t len);

/* What a kernel needs where KVM's instruction emulator runs its code: no
 * xsave/xrstor (the emulator knows neither); by feature number, no popcnt
 * (X86_FEATURE_POPCNT, 4*32+23) and no clac/stac (SMAP, 9*32+20) patched in
 * by the kernel's alternatives; and no KVM paravirtual features (nopv): a
 * second vCPU's PV IPI hypercall never returns on kvm-pvm. */
/* The kernel the vm engine boots without --kernel (what
 * scripts/guest-kernel.sh builds): where KVM emulates the kernel's code
 * (emulated), the vmlinux when there is one, else the bzImage; malloc'd,
 * NULL without memory.  It may not exist. */
char *vm_default_kernel(bool emulated);

#define VM_EMULATED_CMDLINE "noxsave clearcpuid=151,308 nopv"

#endif
