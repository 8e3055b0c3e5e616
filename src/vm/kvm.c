/* The KVM side of the VM: file descriptors, memory slot, vCPU threads and the
 * exit loop that hands each port or MMIO access to the buses. */
#include "vm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "vm/fault.h"
#include "vm/timing.h"
#include "vm/virtio/mmio.h"

#define SIG_KICK SIGUSR1

static void serial_irq(void *opaque, int level)
{
	vm_irq_line(opaque, SERIAL_IRQ, level);
}

/* The agent's status record on the serial port (see serial.h). */
static void serial_status(void *opaque, int status)
{
	char why[64];

	snprintf(why, sizeof(why), "the guest agent reported status %d", status);
	vm_stop(opaque, VM_END_STATUS, status, why);
}

/* The exit port and the i8042 reset line: how a guest ends the VM. */
static void exitport_write(void *dev, uint64_t off, const void *data, uint32_t len)
{
	struct vm *vm = dev;
	uint8_t v = *(const uint8_t *)data;
	char why[64];

	snprintf(why, sizeof(why), "the guest reported status %u", v);
	vm_stop(vm, VM_END_STATUS, v, why);
}

static const struct bus_ops exitport_ops = { .write = exitport_write };

static void i8042_read(void *dev, uint64_t off, void *data, uint32_t len)
{
	memset(data, 0, len); /* no keyboard, nothing pending */
}

static void i8042_write(void *dev, uint64_t off, const void *data, uint32_t len)
{
	if (off == 4 && *(const uint8_t *)data == 0xfe)
		vm_stop(dev, VM_END_RESET, 0, "the guest reset the machine");
}

static const struct bus_ops i8042_ops = { .read = i8042_read, .write = i8042_write };

static void kick_handler(int sig)
{
	(void)sig;
}

static void *create_pit(void *arg)
{
	struct vm *vm = arg;
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	vm->pit_errno = ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0 ? errno : 0;
	return NULL;
}

int vm_wait_pit(struct vm *vm, struct mew_error **err)
{
	if (!vm->pit_pending)
		return 0;
	pthread_join(vm->pit_thread, NULL);
	vm->pit_pending = false;
	vm_timing_mark("KVM_CREATE_PIT2 (joined)");
	if (vm->pit_errno == 0)
		return 0;
	return err != NULL ? mew_error(err, vm->pit_errno, "KVM_CREATE_PIT2") : -1;
}

int vm_create(struct vm *vm, uint64_t mem_size, int nvcpus, int serial_fd, int mem_fd, struct mew_error **err)
{
	struct kvm_userspace_memory_region region;
	struct sigaction sa = { .sa_handler = kick_handler };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
	for (int i = 0; i < VM_MAX_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->parked_cond, NULL);
	if (nvcpus < 1 || nvcpus > VM_MAX_VCPUS)
		return mew_error(err, 0, "--cpus: %d vCPUs: the vm engine takes 1 to %d", nvcpus, VM_MAX_VCPUS);
	if (mem_size < (2 << 20) || mem_size > VM_MEM_MAX)
		return mem_size < (2 << 20) ? mew_error(err, 0, "--memory: the vm engine needs at least 2m")
					    : mew_error(err, 0, "--memory: the vm engine takes at most 3g");

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return mew_error(err, errno, "open `/dev/kvm`");
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return mew_error(err, 0, "/dev/kvm: unexpected KVM API version");
	vm_timing_mark("open /dev/kvm");
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return mew_error(err, errno, "KVM_CREATE_VM");
	vm_timing_mark("KVM_CREATE_VM");
	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0)
		return mew_error(err, errno, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)r;

	/* Memory first: once the irqchip and PIT exist, a memory slot change
	 * waits for an SRCU grace period of their readers (4-6 ms measured on a
	 * nested host), before them it costs 0.3 ms.  MAP_NORESERVE: the guest's
	 * pages are only allocated as it touches them.  From a snapshot's memory
	 * file, privately: copy-on-write, nothing read until the guest touches it. */
	vm->mem.size = mem_size;
	vm->mem.host = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_NORESERVE | (mem_fd >= 0 ? 0 : MAP_ANONYMOUS), mem_fd, 0);
	if (vm->mem.host == MAP_FAILED) {
		vm->mem.host = NULL;
		return mew_error(err, errno, "allocating %llu bytes of guest memory",
				 (unsigned long long)mem_size);
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uintptr_t)vm->mem.host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return mew_error(err, errno, "KVM_SET_USER_MEMORY_REGION");
	vm_timing_mark("KVM_SET_USER_MEMORY_REGION");

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		return mew_error(err, errno, "KVM_SET_TSS_ADDR");
	uint64_t identity = 0xfffbc000ULL;
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return mew_error(err, errno, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return mew_error(err, errno, "KVM_CREATE_IRQCHIP");
	vm_timing_mark("KVM_CREATE_IRQCHIP");

	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[128];
	} cpuid = { .c.nent = 128 };
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0)
		return mew_error(err, errno, "KVM_GET_SUPPORTED_CPUID");

	for (int i = 0; i < nvcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		c->vm = vm;
		c->id = i;
		c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (c->fd < 0)
			return mew_error(err, errno, "KVM_CREATE_VCPU %d", i);
		c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			c->run = NULL;
			return mew_error(err, errno, "mmap vCPU %d", i);
		}
		/* Each vCPU learns its own APIC id from leaf 1 and 0xb. */
		for (unsigned j = 0; j < cpuid.c.nent; j++) {
			struct kvm_cpuid_entry2 *e = &cpuid.e[j];
			if (e->function == 1)
				e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)i << 24);
			if (e->function == 0xb)
				e->edx = (uint32_t)i;
		}
		if (ioctl(c->fd, KVM_SET_CPUID2, &cpuid) < 0)
			return mew_error(err, errno, "KVM_SET_CPUID2");
		vm->nvcpus++;
	}
	vm_timing_mark("vCPUs (KVM_CREATE_VCPU, CPUID)");

	/* The PIT last, on a thread of its own: KVM starts a kernel thread for
	 * it (1-8 ms on a loaded host), which overlaps with loading the kernel
	 * and building the boot data; vm_start waits for it.  Before the vCPUs
	 * it would hold them up: both take the VM's lock. */
	r = pthread_create(&vm->pit_thread, NULL, create_pit, vm);
	if (r != 0)
		return mew_error(err, r, "starting a thread");
	vm->pit_pending = true;

	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0)
		return mew_error(err, errno, "eventfd");
	sigaction(SIG_KICK, &sa, NULL);

	serial_init(&vm->serial, serial_fd, serial_irq, vm);
	serial_on_status(&vm->serial, serial_status);
	bus_register(&vm->pio, SERIAL_BASE, 8, &serial_ops, &vm->serial);
	bus_register(&vm->pio, VM_EXIT_PORT, 4, &exitport_ops, vm);
	bus_register(&vm->pio, 0x60, 5, &i8042_ops, vm);
	return 0;
}

void vm_irq_line(struct vm *vm, int irq, int level)
{
	struct kvm_irq_level l = { .irq = (uint32_t)irq, .level = (uint32_t)level };
	ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

void vm_stop(struct vm *vm, enum vm_end end, int status, const char *why)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->lock);
	if (vm->end != VM_RUNNING) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	vm->end = end;
	vm->status = status;
	snprintf(vm->why, sizeof(vm->why), "%s", why);
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		if (c->run != NULL)
			__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (c->started && !pthread_equal(c->thread, pthread_self()))
			pthread_kill(c->thread, SIG_KICK);
	}
	pthread_cond_broadcast(&vm->parked_cond);
	pthread_mutex_unlock(&vm->lock);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		mew_debug("vm: signalling the end: %s", strerror(errno));
}

static bool running(struct vm *vm)
{
	return __atomic_load_n(&vm->end, __ATOMIC_SEQ_CST) == VM_RUNNING;
}

static void handle_io(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	if (run->io.data_offset + (uint64_t)run->io.size * run->io.count > c->vm->run_size)
		return;
	for (uint32_t i = 0; i < run->io.count; i++)
		bus_access(&c->vm->pio, run->io.port, data + (size_t)i * run->io.size, run->io.size, out);
}

/* Out of the guest until vm_resume: the I/O this vCPU was in the middle of
 * is completed first (KVM_RUN with immediate_exit set does that and returns
 * at once), so that its state can be saved. */
static void park(struct vcpu *c)
{
	struct vm *vm = c->vm;

	__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	ioctl(c->fd, KVM_RUN, 0);
	pthread_mutex_lock(&vm->lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->parked_cond);
	while (vm->pausing && running(vm))
		pthread_cond_wait(&vm->parked_cond, &vm->lock);
	vm->parked--;
	if (running(vm))
		__atomic_store_n(&c->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->lock);
}

void vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->pausing = true;
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (c->started && !pthread_equal(c->thread, pthread_self()))
			pthread_kill(c->thread, SIG_KICK);
	}
	while (vm->parked < vm->nvcpus && running(vm))
		pthread_cond_wait(&vm->parked_cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->pausing = false;
	pthread_cond_broadcast(&vm->parked_cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	char why[320];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (running(vm)) {
		if (__atomic_load_n(&vm->pausing, __ATOMIC_SEQ_CST)) {
			park(c);
			continue;
		}
		int r = ioctl(c->fd, KVM_RUN, 0);
		vm_timing_first_exit();
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (__atomic_exchange_n(&c->sample, false, __ATOMIC_SEQ_CST))
					vcpu_report_rip(c);
				continue;
			}
			snprintf(why, sizeof(why), "KVM_RUN on vCPU %d: %s", c->id, strerror(errno));
			vm_stop(vm, VM_END_CRASH, 0, why);
			break;
		}
		switch (c->run->exit_reason) {
		case KVM_EXIT_IO:
			vm_timing_exit(0);
			handle_io(c);
			break;
		case KVM_EXIT_MMIO:
			vm_timing_exit(1);
			bus_access(&vm->mmio, c->run->mmio.phys_addr, c->run->mmio.data,
				   c->run->mmio.len, c->run->mmio.is_write);
			break;
		case KVM_EXIT_HLT:
			vm_stop(vm, VM_END_CRASH, 0, "the guest halted");
			break;
		case KVM_EXIT_SHUTDOWN:
			vm_stop(vm, VM_END_CRASH, 0, "the guest triple-faulted (KVM shutdown)");
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			vm_stop(vm, VM_END_RESET, 0, "the guest shut down");
			break;
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(why, sizeof(why), "KVM could not enter the guest (reason %#llx)",
				 (unsigned long long)c->run->fail_entry.hardware_entry_failure_reason);
			vm_stop(vm, VM_END_CRASH, 0, why);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			if (vcpu_complete_failure(c) == 0)
				break;
			vcpu_describe_failure(c, why, sizeof(why));
			vm_stop(vm, VM_END_CRASH, 0, why);
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			snprintf(why, sizeof(why), "unexpected KVM exit %u on vCPU %d", c->run->exit_reason, c->id);
			vm_stop(vm, VM_END_CRASH, 0, why);
			break;
		}
	}
	return NULL;
}

/* --vm-debug sample=MS (a developer knob): every MS milliseconds each vCPU
 * prints where it is, to see where a guest spends its time or hangs. */
static void *sampler_thread(void *arg)
{
	struct vm *vm = arg;
	long ms = vm->sample_ms;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (running(vm)) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&vm->lock);
		for (int i = 0; i < vm->nvcpus && running(vm); i++) {
			__atomic_store_n(&vm->vcpus[i].sample, true, __ATOMIC_SEQ_CST);
			if (vm->vcpus[i].started)
				pthread_kill(vm->vcpus[i].thread, SIG_KICK);
		}
		pthread_mutex_unlock(&vm->lock);
	}
	return NULL;
}

/* Start the threads of vCPUs first.., and the sampler if vm->sample_ms asks. */
static int start_vcpu_threads(struct vm *vm, int first, struct mew_error **err)
{
	for (int i = first; i < vm->nvcpus; i++) {
		int r;

		pthread_mutex_lock(&vm->lock);
		r = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);
		if (r == 0)
			vm->vcpus[i].started = true;
		pthread_mutex_unlock(&vm->lock);
		if (r != 0) {
			vm_stop(vm, VM_END_HOST, 0, "could not start a vCPU");
			return mew_error(err, r, "starting vCPU %d", i);
		}
	}
	if (vm->sample_ms > 0 && pthread_create(&vm->sampler, NULL, sampler_thread, vm) == 0)
		vm->sampling = true;
	return 0;
}

int vm_start(struct vm *vm, struct mew_error **err)
{
	if (vm_wait_pit(vm, err) < 0)
		return -1;
	/* vCPU threads unblock the kick signal themselves; everything else keeps it blocked. */
	vm_block_kick();
	return start_vcpu_threads(vm, 0, err);
}

void vm_block_kick(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int vm_run(struct vm *vm, struct mew_error **err)
{
	sigset_t set, old;

	if (vm_wait_pit(vm, err) < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	pthread_mutex_lock(&vm->lock);
	vm->vcpus[0].thread = pthread_self();
	vm->vcpus[0].started = true;
	pthread_mutex_unlock(&vm->lock);
	if (start_vcpu_threads(vm, 1, err) < 0) {
		pthread_mutex_lock(&vm->lock);
		vm->vcpus[0].started = false;
		pthread_mutex_unlock(&vm->lock);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	vm_timing_mark("vCPU threads started");
	vcpu_thread(&vm->vcpus[0]);
	/* vCPU 0 is done: nobody may kick this thread any more. */
	pthread_mutex_lock(&vm->lock);
	vm->vcpus[0].started = false;
	pthread_mutex_unlock(&vm->lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

void vm_join(struct vm *vm)
{
	if (vm->sampling) {
		pthread_join(vm->sampler, NULL);
		vm->sampling = false;
	}
	for (int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].started) {
			pthread_join(vm->vcpus[i].thread, NULL);
			vm->vcpus[i].started = false;
		}
}

void vm_destroy(struct vm *vm)
{
	vm_wait_pit(vm, NULL);
	for (int i = 0; i < vm->nvirtio; i++)
		virtio_mmio_free(vm->virtio[i]);
	for (int i = 0; i < VM_MAX_VCPUS; i++) {
		if (vm->vcpus[i].run != NULL)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->mem.host != NULL)
		munmap(vm->mem.host, vm->mem.size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
}

/* The helper that drops the VM's last references once mew has exited: its
 * own copies of stdin, stdout and stderr go first, so that nobody reading
 * mew's output waits for it. */
static int reaper(void *arg)
{
	struct pollfd p = { .fd = (int)(intptr_t)arg, .events = POLLIN };

	syscall(SYS_close_range, 0, 2, 0);
	poll(&p, 1, 60000); /* a pidfd of mew: readable once mew has exited */
	return 0;
}

int vm_detach(struct vm *vm)
{
	const size_t stack_size = 16384;
	char *stack;
	int pidfd;

	vm_wait_pit(vm, NULL);
	for (int i = 0; i < vm->nvirtio; i++)
		virtio_mmio_free(vm->virtio[i]);
	vm->nvirtio = 0;
	/* The helper's stack is never freed: it runs until mew has exited. */
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return munmap(stack, stack_size), -1;
	/* CLONE_VM: the helper shares mew's address space (nothing is copied) and
	 * holds it, so mew's exit frees neither it nor the VM; it gets its own
	 * copy of the descriptor table, which holds the VM's descriptors. */
	if (clone(reaper, stack + stack_size, CLONE_VM, (void *)(intptr_t)pidfd) < 0) {
		close(pidfd);
		munmap(stack, stack_size);
		return -1;
	}
	close(pidfd);
	return 0;
}
