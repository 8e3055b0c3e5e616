/* Diagnosing (and, for a few instructions, completing) what KVM could not
 * execute: KVM_EXIT_INTERNAL_ERROR. */
#ifndef MEW_VM_FAULT_H
#define MEW_VM_FAULT_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* Copy guest virtual memory through the vCPU's page tables (as in sregs). */
int vcpu_read_virt(struct vcpu *c, const struct kvm_sregs *s, uint64_t gva, void *buf, size_t len);

/* One line for the user: the suberror, RIP (and its symbol when the VM has a
 * symbol file), CPL and the instruction bytes. */
void vcpu_describe_failure(struct vcpu *c, char *why, size_t len);

/* Print where the vCPU is (RIP and symbol, registers, a rough backtrace) to
 * stderr: the MEW_VM_SAMPLE developer knob. */
void vcpu_report_rip(struct vcpu *c);

/* Complete an instruction KVM gave up on (KVM_EXIT_INTERNAL_ERROR), where mew
 * knows how (int3); 0 when the vCPU may run on. */
int vcpu_complete_failure(struct vcpu *c);

#endif
