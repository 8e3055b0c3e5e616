/* One KVM virtual machine: its memory, its vCPU threads, the buses its
 * devices hang on, and how it ended. */
#ifndef MEW_VM_VM_H
#define MEW_VM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "vm/bus.h"
#include "vm/mem.h"
#include "vm/serial.h"

#define VM_MAX_VCPUS 32
#define VM_MAX_VIRTIO 8
/* Guest RAM stops below the MMIO hole; devices live in it. */
#define VM_MEM_MAX 0xc0000000ULL
#define VM_VIRTIO_BASE 0xd0000000ULL
#define VM_VIRTIO_SIZE 0x1000ULL
/* A write of N to this port ends the VM with exit status N (qemu's
 * isa-debug-exit at the same port, with a different encoding). */
#define VM_EXIT_PORT 0xf4

enum vm_end {
	VM_RUNNING,
	VM_END_STATUS, /* the guest wrote its status to VM_EXIT_PORT */
	VM_END_RESET,  /* the guest reset the machine (i8042), e.g. on reboot */
	VM_END_CRASH,  /* triple fault, emulation failure, internal error */
	VM_END_HOST,   /* mew stopped it */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	bool sample; /* print where the vCPU is at its next kick (MEW_VM_SAMPLE) */
};

struct virtio_mmio;

struct vm {
	int kvm_fd, vm_fd;
	size_t run_size;
	struct gmem mem;
	int nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct bus pio, mmio;
	struct serial serial;
	struct virtio_mmio *virtio[VM_MAX_VIRTIO];
	int nvirtio;

	pthread_mutex_t lock;
	pthread_cond_t parked_cond; /* a vCPU parked, or the pause or the VM ended */
	bool pausing;		    /* vm_pause: vCPUs park out of the guest */
	int parked;
	enum vm_end end;
	int status;
	char why[320];
	uint64_t fail_rip; /* where KVM gave up on the guest (KVM_EXIT_INTERNAL_ERROR) */
	int stop_fd; /* eventfd, readable once the VM has ended */
	pthread_t pit_thread; /* creating the PIT, until vm_start */
	bool pit_pending;
	int pit_errno;
	pthread_t sampler;
	bool sampling;
	const char *symbols; /* an ELF whose symbols name guest RIPs in errors (a vmlinux), or NULL */
	void *owner;   /* the engine's, for callbacks that get the vm */
	int sample_ms; /* every sample_ms, each vCPU prints where it is (--vm-debug sample=MS); 0 = never */
};

/* Create the VM with mem_size bytes of RAM and nvcpus vCPUs, the in-kernel
 * irqchip and PIT, the serial port (output to serial_fd) and the exit port. */
int vm_create(struct vm *vm, uint64_t mem_size, int nvcpus, int serial_fd, int mem_fd, struct mew_error **err);
/* ... with the RAM mapped privately from mem_fd (a snapshot's memory file)
 * rather than anonymous when mem_fd >= 0. */
/* Wait for the PIT, which vm_create starts creating on a thread. */
int vm_wait_pit(struct vm *vm, struct mew_error **err);
/* Every vCPU out of the guest (its pending I/O completed) and held there,
 * from a thread that is not a vCPU's; returns early if the VM ends. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
void vm_destroy(struct vm *vm);
/* Instead of vm_destroy when mew is about to exit: free the device models now
 * and leave the VM itself to a helper process that tears it down after mew
 * has exited (KVM takes 5-20 ms to destroy a VM on a nested host; nobody
 * needs to wait for that).  The caller must exit soon and not touch the VM;
 * -1 (nothing done) when no helper could be started: call vm_destroy. */
int vm_detach(struct vm *vm);

/* Raise (level 1) or lower an interrupt line of the in-kernel irqchip. */
void vm_irq_line(struct vm *vm, int irq, int level);
/* Start every vCPU thread. */
int vm_start(struct vm *vm, struct mew_error **err);
/* End the VM (first caller wins) and kick every vCPU out of the guest. */
void vm_stop(struct vm *vm, enum vm_end end, int status, const char *why);
/* vm_start, but vCPU 0 runs on the calling thread, which returns once the
 * VM has ended (then vm_join the others): no thread to create and wake on
 * the way to the guest's first instruction, a scheduler's wait on a busy
 * host.  SIG_KICK stays blocked in the caller afterwards. */
int vm_run(struct vm *vm, struct mew_error **err);
/* Block the signal that kicks vCPUs out of the guest in the calling thread
 * (and the threads it starts next). */
void vm_block_kick(void);
/* Wait for every vCPU thread to finish. */
void vm_join(struct vm *vm);

/* Set up vCPU 0 for a 64-bit entry (identity-mapped page tables, flat GDT,
 * long mode) at rip with rsi = boot_params, the Linux 64-bit boot protocol. */
int vm_setup_entry64(struct vm *vm, uint64_t rip, uint64_t rsi, struct mew_error **err);
/* Set up vCPU 0 for a PVH entry: 32-bit protected mode, paging off, ebx =
 * the hvm_start_info. */
int vm_setup_entry_pvh(struct vm *vm, uint64_t eip, uint64_t ebx, struct mew_error **err);

#endif
