#include "vm/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "vm/virtio/mmio.h"

#define MAGIC "mew-snapshot-1\n"
#define MAX_MSRS 256
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define PAGE 4096

struct vcpu_state {
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	uint32_t has_xsave, has_xcrs, nmsrs;
	struct kvm_msr_entry msrs[MAX_MSRS];
	uint8_t xsave[]; /* has_xsave bytes: KVM_GET_XSAVE(2) */
};

/* The file: header, the VM's state, then nvcpus vcpu_states of vcpu_size. */
struct header {
	char magic[16];
	uint64_t key, mem_size, sum; /* sum: FNV-1a of everything after the header */
	uint32_t nvcpus, nvirtio, vcpu_size, pad;
};

struct vm_state {
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	struct kvm_irqchip chip[3]; /* PIC master, PIC slave, IOAPIC */
	struct serial_state serial;
	struct virtio_state virtio[VM_MAX_VIRTIO];
};

struct vm_snapshot {
	struct header h;
	struct vm_state vm;
	uint8_t *vcpus; /* h.nvcpus of h.vcpu_size */
};

uint64_t vm_snapshot_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* How many bytes of XSAVE state this KVM hands out (0: none, use the FPU). */
static size_t xsave_size(int kvm_fd)
{
	int n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (n > (int)sizeof(struct kvm_xsave))
		return (size_t)n;
	return ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0 ? sizeof(struct kvm_xsave) : 0;
}

/* Every MSR KVM lists that this vCPU can read. */
static int save_msrs(struct vm *vm, struct vcpu *c, struct vcpu_state *st, struct mew_error **err)
{
	struct {
		struct kvm_msr_list l;
		uint32_t idx[1024];
	} list = { .l.nmsrs = 1024 };
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e[1];
	} one;

	if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &list) < 0)
		return mew_error(err, errno, "KVM_GET_MSR_INDEX_LIST");
	for (uint32_t i = 0; i < list.l.nmsrs && st->nmsrs < MAX_MSRS; i++) {
		memset(&one, 0, sizeof(one));
		one.m.nmsrs = 1;
		one.e[0].index = list.l.indices[i];
		if (ioctl(c->fd, KVM_GET_MSRS, &one) == 1)
			st->msrs[st->nmsrs++] = one.e[0];
	}
	return 0;
}

/* Firecracker's order: mp_state first (it may change the LAPIC), the
 * events last. */
static int save_vcpu(struct vm *vm, struct vcpu *c, struct vcpu_state *st, size_t xs, struct mew_error **err)
{
	if (ioctl(c->fd, KVM_GET_MP_STATE, &st->mp) < 0)
		return mew_error(err, errno, "KVM_GET_MP_STATE");
	if (ioctl(c->fd, KVM_GET_REGS, &st->regs) < 0 || ioctl(c->fd, KVM_GET_SREGS, &st->sregs) < 0)
		return mew_error(err, errno, "KVM_GET_REGS/SREGS");
	if (xs > 0) {
		unsigned long req = xs > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
		if (ioctl(c->fd, req, st->xsave) < 0)
			return mew_error(err, errno, "KVM_GET_XSAVE");
		st->has_xsave = (uint32_t)xs;
	} else if (ioctl(c->fd, KVM_GET_FPU, &st->fpu) < 0) {
		return mew_error(err, errno, "KVM_GET_FPU");
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0) {
		if (ioctl(c->fd, KVM_GET_XCRS, &st->xcrs) < 0)
			return mew_error(err, errno, "KVM_GET_XCRS");
		st->has_xcrs = 1;
	}
	if (ioctl(c->fd, KVM_GET_DEBUGREGS, &st->debugregs) < 0 || ioctl(c->fd, KVM_GET_LAPIC, &st->lapic) < 0)
		return mew_error(err, errno, "KVM_GET_DEBUGREGS/LAPIC");
	if (save_msrs(vm, c, st, err) < 0)
		return -1;
	if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &st->events) < 0)
		return mew_error(err, errno, "KVM_GET_VCPU_EVENTS");
	return 0;
}

static int save_vm_state(struct vm *vm, struct vm_state *st, struct mew_error **err)
{
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &st->pit) < 0)
		return mew_error(err, errno, "KVM_GET_PIT2");
	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &st->clock) < 0)
		return mew_error(err, errno, "KVM_GET_CLOCK");
	for (uint32_t i = 0; i < 3; i++) {
		st->chip[i].chip_id = i;
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &st->chip[i]) < 0)
			return mew_error(err, errno, "KVM_GET_IRQCHIP %u", i);
	}
	serial_save(&vm->serial, &st->serial);
	for (int i = 0; i < vm->nvirtio; i++)
		virtio_mmio_save(vm->virtio[i], &st->virtio[i]);
	return 0;
}

/* All of n bytes to fd (out) or from it: 0, or -1 (a short file too). */
static int xfer(int fd, void *p, size_t n, bool out)
{
	uint8_t *b = p;
	while (n > 0) {
		ssize_t k = out ? write(fd, b, n) : read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Only the pages the guest has: resident ones that are not all zero; the
 * rest stay holes. */
static int save_memory(struct vm *vm, int fd)
{
	size_t pages = vm->mem.size / PAGE;
	unsigned char *res = malloc(pages);
	static const uint8_t zero[PAGE];

	if (res == NULL || mincore(vm->mem.host, vm->mem.size, res) < 0) {
		free(res);
		return -1;
	}
	for (size_t i = 0; i < pages; i++) {
		const uint8_t *p = vm->mem.host + i * PAGE;
		if (!(res[i] & 1) || memcmp(p, zero, PAGE) == 0)
			continue;
		if (pwrite(fd, p, PAGE, (off_t)(i * PAGE)) != PAGE) {
			free(res);
			return -1;
		}
	}
	free(res);
	return ftruncate(fd, (off_t)vm->mem.size);
}

/* The cache keeps the newest KEEP snapshots of the directory base is in:
 * each key (a kernel, a memory size, ...) makes one, and old ones would
 * pile up. */
#define KEEP 4

static void prune(const char *base)
{
	cleanup_free char *dir = strdup(base);
	char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
	struct dirent *de;
	DIR *d;

	if (slash == NULL)
		return;
	*slash = '\0';
	for (int round = 0; round < 64; round++) { /* (a file that will not go away ends it) */
		char oldest[300] = "";
		struct timespec when = { 0, 0 };
		int n = 0;
		struct stat st;

		if ((d = opendir(dir)) == NULL)
			return;
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			if (len < 7 || len > 200 || strcmp(de->d_name + len - 6, ".state") != 0 ||
			    fstatat(dirfd(d), de->d_name, &st, 0) < 0)
				continue;
			n++;
			if (oldest[0] == '\0' || st.st_mtim.tv_sec < when.tv_sec) {
				snprintf(oldest, sizeof(oldest), "%s/%.*s", dir, (int)len - 6, de->d_name);
				when = st.st_mtim;
			}
		}
		closedir(d);
		if (n <= KEEP)
			return;
		vm_snapshot_remove(oldest);
	}
}

int vm_snapshot_save(struct vm *vm, const char *base, uint64_t key, struct mew_error **err)
{
	cleanup_free char *mem = NULL, *state = NULL, *mem_tmp = NULL, *state_tmp = NULL;
	size_t xs = xsave_size(vm->kvm_fd), vsize = sizeof(struct vcpu_state) + xs;
	cleanup_free uint8_t *vcpus = calloc((size_t)vm->nvcpus, vsize);
	struct vm_state *st = calloc(1, sizeof(*st));
	struct header h = { .key = key, .mem_size = vm->mem.size, .nvcpus = (uint32_t)vm->nvcpus,
			    .nvirtio = (uint32_t)vm->nvirtio, .vcpu_size = (uint32_t)vsize };
	int fd = -1, r = -1;

	memcpy(h.magic, MAGIC, sizeof(MAGIC) - 1);
	if (vcpus == NULL || st == NULL || asprintf(&mem, "%s.mem", base) < 0 || asprintf(&state, "%s.state", base) < 0 ||
	    asprintf(&mem_tmp, "%s.%d.tmp", mem, (int)getpid()) < 0 ||
	    asprintf(&state_tmp, "%s.%d.tmp", state, (int)getpid()) < 0) {
		mew_error(err, ENOMEM, "snapshot");
		goto out;
	}
	for (int i = 0; i < vm->nvcpus; i++)
		if (save_vcpu(vm, &vm->vcpus[i], (struct vcpu_state *)(vcpus + (size_t)i * vsize), xs, err) < 0)
			goto out;
	if (save_vm_state(vm, st, err) < 0)
		goto out;
	h.sum = vm_snapshot_hash(vm_snapshot_hash(0xcbf29ce484222325ULL, st, sizeof(*st)), vcpus, (size_t)vm->nvcpus * vsize);
	fd = open(mem_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || save_memory(vm, fd) < 0 || close(fd) < 0) {
		mew_error(err, errno, "snapshot: writing `%s`", mem_tmp);
		fd = -1;
		goto out;
	}
	fd = open(state_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || xfer(fd, &h, sizeof(h), true) < 0 || xfer(fd, st, sizeof(*st), true) < 0 ||
	    xfer(fd, vcpus, (size_t)vm->nvcpus * vsize, true) < 0 || close(fd) < 0) {
		mew_error(err, errno, "snapshot: writing `%s`", state_tmp);
		fd = -1;
		goto out;
	}
	fd = -1;
	/* The memory first: a state file names a whole snapshot. */
	if (rename(mem_tmp, mem) < 0 || rename(state_tmp, state) < 0) {
		mew_error(err, errno, "snapshot: `%s`", base);
		goto out;
	}
	r = 0;
	prune(base);
out:
	if (fd >= 0)
		close(fd);
	if (r < 0 && mem_tmp != NULL) {
		unlink(mem_tmp);
		if (state_tmp != NULL)
			unlink(state_tmp);
	}
	free(st);
	return r;
}

int vm_snapshot_open(const char *base, uint64_t key, uint64_t mem_size, int nvcpus, int nvirtio,
		     struct vm_snapshot **out, int *mem_fd, struct mew_error **err)
{
	cleanup_free char *mem = NULL, *state = NULL;
	cleanup_close int fd = -1;
	struct vm_snapshot *s = calloc(1, sizeof(*s));
	struct stat st;
	char extra;

	*out = NULL;
	*mem_fd = -1;
	if (s == NULL || asprintf(&mem, "%s.mem", base) < 0 || asprintf(&state, "%s.state", base) < 0) {
		free(s);
		return mew_error(err, ENOMEM, "snapshot");
	}
	fd = open(state, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(s);
		return mew_error(err, errno, "snapshot `%s`", state);
	}
	if (xfer(fd, &s->h, sizeof(s->h), false) < 0 || memcmp(s->h.magic, MAGIC, sizeof(MAGIC) - 1) != 0 ||
	    s->h.key != key || s->h.mem_size != mem_size || s->h.nvcpus != (uint32_t)nvcpus ||
	    s->h.nvirtio != (uint32_t)nvirtio || s->h.vcpu_size < sizeof(struct vcpu_state) ||
	    s->h.vcpu_size > sizeof(struct vcpu_state) + (1 << 20))
		goto bad;
	s->vcpus = malloc((size_t)nvcpus * s->h.vcpu_size);
	if (s->vcpus == NULL || xfer(fd, &s->vm, sizeof(s->vm), false) < 0 ||
	    xfer(fd, s->vcpus, (size_t)nvcpus * s->h.vcpu_size, false) < 0 || read(fd, &extra, 1) != 0)
		goto bad;
	if (vm_snapshot_hash(vm_snapshot_hash(0xcbf29ce484222325ULL, &s->vm, sizeof(s->vm)), s->vcpus, (size_t)nvcpus * s->h.vcpu_size) != s->h.sum)
		goto bad;
	for (int i = 0; i < nvcpus; i++) {
		const struct vcpu_state *v = (const void *)(s->vcpus + (size_t)i * s->h.vcpu_size);
		if (v->nmsrs > MAX_MSRS || v->has_xsave > s->h.vcpu_size - sizeof(struct vcpu_state))
			goto bad;
	}
	*mem_fd = open(mem, O_RDONLY | O_CLOEXEC);
	if (*mem_fd < 0 || fstat(*mem_fd, &st) < 0 || (uint64_t)st.st_size != mem_size) {
		if (*mem_fd >= 0)
			close(*mem_fd);
		*mem_fd = -1;
		goto bad;
	}
	*out = s;
	return 0;
bad:
	vm_snapshot_free(s);
	return mew_error(err, 0, "snapshot `%s` does not match this run (or is damaged)", state);
}

static int load_vcpu(struct vm *vm, struct vcpu *c, const struct vcpu_state *st, struct mew_error **err)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e[MAX_MSRS];
	} msrs;
	uint32_t later = 0;

	if (ioctl(c->fd, KVM_SET_MP_STATE, &st->mp) < 0)
		return mew_error(err, errno, "KVM_SET_MP_STATE");
	if (ioctl(c->fd, KVM_SET_REGS, &st->regs) < 0 || ioctl(c->fd, KVM_SET_SREGS, &st->sregs) < 0)
		return mew_error(err, errno, "KVM_SET_REGS/SREGS");
	if (st->has_xsave ? ioctl(c->fd, KVM_SET_XSAVE, st->xsave) < 0 : ioctl(c->fd, KVM_SET_FPU, &st->fpu) < 0)
		return mew_error(err, errno, "KVM_SET_XSAVE/FPU");
	if (st->has_xcrs && ioctl(c->fd, KVM_SET_XCRS, &st->xcrs) < 0)
		return mew_error(err, errno, "KVM_SET_XCRS");
	/* The LAPIC after the sregs (the APIC base) and before the MSRs (the
	 * TSC deadline takes only with the LAPIC set); that after the TSC. */
	if (ioctl(c->fd, KVM_SET_DEBUGREGS, &st->debugregs) < 0 || ioctl(c->fd, KVM_SET_LAPIC, &st->lapic) < 0)
		return mew_error(err, errno, "KVM_SET_DEBUGREGS/LAPIC");
	for (int pass = 0; pass < 2; pass++) {
		memset(&msrs.m, 0, sizeof(msrs.m));
		for (uint32_t i = 0; i < st->nmsrs; i++)
			if ((st->msrs[i].index == MSR_IA32_TSC_DEADLINE) == (pass == 1))
				msrs.e[msrs.m.nmsrs++] = st->msrs[i];
		later += msrs.m.nmsrs;
		if (msrs.m.nmsrs > 0 && ioctl(c->fd, KVM_SET_MSRS, &msrs) != (int)msrs.m.nmsrs)
			return mew_error(err, errno, "KVM_SET_MSRS: not every MSR took");
	}
	if (ioctl(c->fd, KVM_SET_VCPU_EVENTS, &st->events) < 0)
		return mew_error(err, errno, "KVM_SET_VCPU_EVENTS");
	ioctl(c->fd, KVM_KVMCLOCK_CTRL, 0); /* the guest was paused: no soft-lockup alarm */
	(void)later;
	return 0;
}

int vm_snapshot_load(struct vm *vm, const struct vm_snapshot *s, struct mew_error **err)
{
	struct kvm_clock_data clock = s->vm.clock;
	const char *why = NULL;

	if (vm_wait_pit(vm, err) < 0)
		return -1;
	if (ioctl(vm->vm_fd, KVM_SET_PIT2, &s->vm.pit) < 0)
		return mew_error(err, errno, "KVM_SET_PIT2");
	clock.flags = 0; /* as Firecracker: not KVM_CLOCK_TSC_STABLE */
	if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
		return mew_error(err, errno, "KVM_SET_CLOCK");
	for (int i = 0; i < 3; i++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &s->vm.chip[i]) < 0)
			return mew_error(err, errno, "KVM_SET_IRQCHIP %d", i);
	for (int i = 0; i < vm->nvcpus; i++)
		if (load_vcpu(vm, &vm->vcpus[i], (const void *)(s->vcpus + (size_t)i * s->h.vcpu_size), err) < 0)
			return -1;
	serial_load(&vm->serial, &s->vm.serial);
	for (int i = 0; i < vm->nvirtio; i++)
		if (virtio_mmio_load(vm->virtio[i], &s->vm.virtio[i], &why) < 0)
			return mew_error(err, 0, "snapshot: virtio device %d: %s", i, why);
	return 0;
}

void vm_snapshot_free(struct vm_snapshot *s)
{
	if (s == NULL)
		return;
	free(s->vcpus);
	free(s);
}

void vm_snapshot_remove(const char *base)
{
	char *p = NULL;
	if (asprintf(&p, "%s.state", base) >= 0) {
		unlink(p);
		free(p);
	}
	if (asprintf(&p, "%s.mem", base) >= 0) {
		unlink(p);
		free(p);
	}
}
