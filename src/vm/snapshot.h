/* A VM saved at a point and brought back (Firecracker's shape): guest RAM
 * in a memory file, mapped privately by the next run (copy-on-write, read
 * as the guest touches it), and a state file: every vCPU's registers (regs,
 * sregs, XSAVE or the FPU, XCRs, debug registers, LAPIC, MSRs, events,
 * mp_state), the irqchip, the PIT, kvmclock, the UART and each virtio
 * device's transport and queues.  The state file names the key it was made
 * for and carries a checksum: a snapshot that does not match is not used. */
#ifndef MEW_VM_SNAPSHOT_H
#define MEW_VM_SNAPSHOT_H

#include <stdint.h>

#include "base/error.h"
#include "vm/vm.h"

/* Save vm (paused: vm_pause) as <base>.mem and <base>.state, made under
 * temporary names and renamed: a reader sees a whole snapshot or none. */
int vm_snapshot_save(struct vm *vm, const char *base, uint64_t key, struct mew_error **err);

/* The snapshot at base for key and this VM's shape, read and checked: the
 * memory file's descriptor for vm_create, the state for vm_snapshot_load.
 * -1 with *err when there is none or it does not match. */
struct vm_snapshot;
int vm_snapshot_open(const char *base, uint64_t key, uint64_t mem_size, int nvcpus, int nvirtio,
		     struct vm_snapshot **snap, int *mem_fd, struct mew_error **err);
/* Set vm (created from the memory file, its devices attached in the same
 * slots, no vCPU run yet) to the saved state. */
int vm_snapshot_load(struct vm *vm, const struct vm_snapshot *snap, struct mew_error **err);
void vm_snapshot_free(struct vm_snapshot *snap);
/* Remove the snapshot at base (one that KVM would not take). */
void vm_snapshot_remove(const char *base);
/* FNV-1a, for keys. */
uint64_t vm_snapshot_hash(uint64_t h, const void *p, size_t n);

#endif
