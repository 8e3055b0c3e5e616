/* The vm engine: a Linux kernel (or mew's test guest) in a KVM microVM on
 * virtio-mmio devices, the way WSL2 and Firecracker run Linux. */
#include "engine/engine.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/strutil.h"
#include "vm/agentproto.h"
#include "vm/boot.h"
#include "vm/cmdline.h"
#include "vm/cpio.h"
#include "vm/disk.h"
#include "vm/kconfig.h"
#include "vm/passt.h"
#include "vm/probe.h"
#include "vm/snapshot.h"
#include "vm/timing.h"
#include "vm/virtio/devices.h"
#include "vm/virtio/mmio.h"
#include "vm/vm.h"
#include "vm/volume.h"

#define DEFAULT_MEMORY (512ULL << 20)
#define SHARE_TAG "mewroot"
#define GUEST_CID 3

static int probe(char *why, size_t len)
{
	char kb[400];

	if (vm_probe_kvm(why, len) < 0)
		return -1;
	switch (vm_probe_kernel_boot(kb, sizeof(kb))) {
	case 0:
		snprintf(why, len, "/dev/kvm usable; kernel boot: yes");
		break;
	case 1:
		snprintf(why, len, "/dev/kvm usable; kernel boot: yes, %s", kb);
		break;
	default:
		snprintf(why, len, "/dev/kvm usable; kernel boot: no, %s", kb);
		break;
	}
	return 0;
}

struct irq_line {
	struct vm *vm;
	int irq;
};

static struct irq_line lines[VM_MAX_VIRTIO];

static void virtio_irq(void *opaque, int level)
{
	struct irq_line *l = opaque;
	vm_irq_line(l->vm, l->irq, level);
}

/* Put dev behind the next virtio-mmio slot and announce it on the command line. */
static int attach(struct vm *vm, struct virtio_dev *dev, struct cmdline *cl, struct mew_error **err)
{
	int i = vm->nvirtio;
	uint64_t base = VM_VIRTIO_BASE + (uint64_t)i * VM_VIRTIO_SIZE;
	struct virtio_mmio *t;

	if (dev == NULL)
		return -1;
	t = virtio_mmio_new(dev, base, lines[i].irq);
	if (t == NULL) {
		dev->ops->free(dev);
		return mew_error(err, ENOMEM, "virtio-mmio");
	}
	vm->virtio[vm->nvirtio++] = t;
	bus_register(&vm->mmio, base, VM_VIRTIO_SIZE, &virtio_mmio_ops, t);
	cmdline_add(cl, "virtio_mmio.device=4K@%#llx:%d", (unsigned long long)base, lines[i].irq);
	return 0;
}

static virtio_irq_fn irq_for(struct vm *vm, void **opaque)
{
	static const int irqs[VM_MAX_VIRTIO] = { 5, 6, 7, 9, 10, 11, 12, 14 };
	int i = vm->nvirtio;
	lines[i] = (struct irq_line){ vm, irqs[i] };
	*opaque = &lines[i];
	return virtio_irq;
}

/* mew's guest kernel: the bzImage, or where KVM's instruction emulator runs
 * the kernel's code (emulated), the vmlinux next to it (the decompressor
 * alone would take minutes there). */
char *vm_default_kernel(bool emulated)
{
	char *p = NULL;

	if (asprintf(&p, "%s/kernel/current/%s", mew_cache_dir(), emulated ? "vmlinux" : "bzImage") < 0)
		return NULL;
	if (emulated && !file_exists(p)) {
		free(p);
		return asprintf(&p, "%s/kernel/current/bzImage", mew_cache_dir()) < 0 ? NULL : p;
	}
	return p;
}

/* Where the kernel's symbols are, to name a failing RIP: the ELF itself, or
 * the vmlinux next to a bzImage (as scripts/guest-kernel.sh leaves them). */
static char *symbol_file(const char *kernel_path, const char *kernel)
{
	char *p = NULL;
	if (memcmp(kernel, "\177ELF", 4) == 0)
		return strdup(kernel_path);
	const char *slash = strrchr(kernel_path, '/');
	int dir = slash ? (int)(slash - kernel_path) : 1;
	if (asprintf(&p, "%.*s/vmlinux", dir, slash ? kernel_path : ".") < 0)
		return NULL;
	if (!file_exists(p)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Where mew's guest programs are built: vm/ next to the mew binary. */
static char *guest_dir(void)
{
	char exe[PATH_MAX], *p = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';
	if (asprintf(&p, "%s/vm", exe) < 0)
		return NULL;
	return p;
}

/* A vmlinux says so in its ELF notes (owner "Linux"); an ELF without notes
 * is searched for Linux's banner.  (The banner search alone costs 5 ms on a
 * 17 MiB vmlinux.) */
static int elf_is_linux(const uint8_t *elf, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	int notes = 0;

	if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return memmem(elf, len, "Linux version ", 14) != NULL;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, elf + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		notes = 1;
		for (uint64_t off = 0; off + 12 <= ph.p_filesz;) {
			uint32_t nh[3];
			memcpy(nh, elf + ph.p_offset + off, 12);
			uint64_t name = off + 12, next = name + ((nh[0] + 3ULL) & ~3ULL) + ((nh[1] + 3ULL) & ~3ULL);
			if (next > ph.p_filesz)
				break;
			if (nh[0] == 6 && memcmp(elf + ph.p_offset + name, "Linux", 6) == 0)
				return 1;
			off = next;
		}
	}
	return notes ? 0 : memmem(elf, len, "Linux version ", 14) != NULL;
}

/* A kernel or initrd file: mapped when it is a regular file (a 17 MiB
 * vmlinux took 15 ms to read here; the loader copies what it needs out of
 * the mapping, MAP_POPULATE saves a page fault a page), else read
 * (--initrd /dev/null). */
struct file_bytes {
	char *p;
	size_t len;
	int mapped;
};

static void file_bytes_free(struct file_bytes *f)
{
	if (f->mapped)
		munmap(f->p, f->len);
	else
		free(f->p);
	memset(f, 0, sizeof(*f));
}

static int read_file_bytes(const char *what, const char *path, struct file_bytes *f, struct mew_error **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof(*f));
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		close(fd);
		if (p != MAP_FAILED) {
			*f = (struct file_bytes){ p, (size_t)st.st_size, 1 };
			return 0;
		}
	} else if (fd >= 0) {
		close(fd);
	}
	if (file_read(path, &f->p, &f->len, err) < 0)
		return mew_error_wrap(err, "%s", what);
	return 0;
}

struct io {
	struct vm *vm;
	struct virtio_dev *console, *vsock, *net;
	int to_serial; /* host input goes to the serial port rather than virtio-console */
	int in_fd;
	int agent_stdin; /* the host's stdin is served to the agent (mew run -i without -t) */
	struct agent_status status;
};

/* AGENT_PORT_STATUS: the agent's report ends the VM at once (its output
 * came before it on the same queue, so it has all been written). */
static void status_recv(void *opaque, const uint8_t *data, size_t len)
{
	struct io *io = opaque;
	char why[64];
	int r;

	if (data == NULL)
		return;
	r = agent_status_feed(&io->status, data, len);
	if (r >= 0) {
		snprintf(why, sizeof(why), "the guest agent reported status %d", r);
		vm_stop(io->vm, VM_END_STATUS, r, why);
	} else if (r == AGENT_STATUS_BAD) {
		vm_stop(io->vm, VM_END_CRASH, 0, "the guest agent sent a malformed exit status");
	}
}

/* mew's agent protocol (vm/agent.h) on the vsock device, for any guest (the
 * test guest uses it too): stdout, stderr and the status; stdin with -i.
 * With -t the console is the command's terminal: stdin, stdout and stderr
 * go over it instead. */
static int serve_agent(struct io *io, const struct spec *spec, int agent_stdin)
{
	const struct vsock_service svc[] = {
		{ .port = AGENT_PORT_STDIN, .rfd = agent_stdin ? 0 : -1, .wfd = -1 },
		{ .port = AGENT_PORT_STDOUT, .rfd = -1, .wfd = 1 },
		{ .port = AGENT_PORT_STDERR, .rfd = -1, .wfd = 2 },
		{ .port = AGENT_PORT_STATUS, .rfd = -1, .wfd = -1, .recv = status_recv, .opaque = io },
	};
	for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++) {
		if (spec->tty && svc[i].port != AGENT_PORT_STATUS)
			continue;
		if (svc[i].port == AGENT_PORT_STDIN && !agent_stdin)
			continue;
		if (virtio_vsock_serve(io->vsock, &svc[i]) < 0)
			return -1;
	}
	return 0;
}

/* The VMM's own thread: host input into the guest, host sockets into vsock,
 * until the VM ends. */
static void io_loop(struct io *io)
{
	uint8_t buf[4096];
	size_t have = 0, off = 0;

	for (;;) {
		struct pollfd p[34];
		int n = 0, in_idx = -1;
		p[n++] = (struct pollfd){ .fd = io->vm->stop_fd, .events = POLLIN };
		if (io->in_fd >= 0 && have == 0) {
			in_idx = n;
			p[n++] = (struct pollfd){ .fd = io->in_fd, .events = POLLIN };
		}
		int vfds[32], nv = io->vsock ? virtio_vsock_fds(io->vsock, vfds, 32) : 0;
		for (int i = 0; i < nv; i++)
			p[n++] = (struct pollfd){ .fd = vfds[i], .events = POLLIN };
		int net_idx = -1, net_fd = io->net != NULL ? virtio_net_fd(io->net) : -1;
		if (net_fd >= 0) {
			net_idx = n;
			p[n++] = (struct pollfd){ .fd = net_fd, .events = POLLIN };
		}
		int r = poll(p, (nfds_t)n, have > 0 ? 10 : 200);
		if (r < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (in_idx >= 0 && (p[in_idx].revents & (POLLIN | POLLHUP))) {
			ssize_t k = read(io->in_fd, buf, sizeof(buf));
			if (k <= 0)
				io->in_fd = -1;
			else
				have = (size_t)k, off = 0;
		}
		if (have > 0) {
			size_t k = io->to_serial ? serial_input(&io->vm->serial, buf + off, have)
						 : virtio_console_input(io->console, buf + off, have);
			off += k;
			have -= k;
		}
		if (nv > 0)
			virtio_vsock_poll(io->vsock);
		if (net_idx >= 0 && p[net_idx].revents)
			virtio_net_poll(io->net);
	}
}

static void *io_main(void *arg)
{
	io_loop(arg);
	return NULL;
}

/* Everything one run of the engine holds, from the kernel to the result. */
struct run {
	const struct spec *spec;
	int kboot; /* vm_probe_kernel_boot, asked once: 0 runs natively, 1 emulated, -1 cannot */
	char kboot_why[400];
	char *kernel_path, *symbols, *root_image;
	struct file_bytes kernel, initrd;
	bool linux_kernel, use_agent;
	struct agent_image agent;
	struct cmdline cl;
	struct io io;
	struct vm vm;
	bool vm_made; /* vm_create was called: vm is to be torn down */
	/* The agent's ready point: the run comes over vsock, and the VM is
	 * saved there (cold) or restored from there. */
	bool ready_mode;
	uint64_t snap_key;
	char *snap_base; /* <cache>/vm/snapshot/<key> */
	struct vm_snapshot *snap; /* restoring this */
	int snap_mem_fd, run_fd;
	pthread_t saver;
	bool saver_started;
	pid_t passt; /* --net user: the user-mode network's process */
	int passt_log; /* and its messages */
};

/* The kernel (and initrd) to boot, read, and whether it is Linux. */
static int load_kernel(struct run *r, struct mew_error **err)
{
	const struct spec *spec = r->spec;

	r->kboot = vm_probe_kernel_boot(r->kboot_why, sizeof(r->kboot_why));
	r->kernel_path = spec->vm.kernel ? strdup(spec->vm.kernel) : vm_default_kernel(r->kboot == 1);
	if (r->kernel_path == NULL)
		return mew_error(err, ENOMEM, "vm");
	if (spec->vm.kernel == NULL && r->kboot < 0)
		return mew_error(err, 0, "vm: cannot boot a Linux kernel on this host: %s", r->kboot_why);
	if (spec->vm.kernel == NULL && !file_exists(r->kernel_path))
		return mew_error(err, 0, "no guest kernel at `%s`: build it with scripts/guest-kernel.sh or pass --kernel FILE",
				 r->kernel_path);
	if (read_file_bytes("--kernel", r->kernel_path, &r->kernel, err) < 0)
		return -1;
	if (spec->vm.initrd != NULL && read_file_bytes("--initrd", spec->vm.initrd, &r->initrd, err) < 0)
		return -1;
	vm_timing_mark("read the kernel and initrd");
	/* A Linux kernel (a bzImage, or an ELF with Linux's banner) needs what the
	 * probe checks; other guests, such as mew's test guest, do not. */
	if (r->kernel.len < 64)
		return mew_error(err, 0, "--kernel: `%s` is too small to be a kernel", r->kernel_path);
	r->linux_kernel = memcmp(r->kernel.p, "\177ELF", 4) != 0 ||
			  elf_is_linux((const uint8_t *)r->kernel.p, r->kernel.len);
	if (r->linux_kernel && !spec->vm.no_probe && r->kboot < 0)
		return mew_error(err, 0, "vm: cannot boot a Linux kernel on this host: %s", r->kboot_why);
	/* The agent is Linux's init: other guests get no initramfs (it costs a
	 * millisecond to build), nor does --console or --initrd. */
	r->use_agent = r->linux_kernel && !spec->vm.console && spec->vm.initrd == NULL;
	/* A kernel of the user's that cannot reach the agent is refused before
	 * it boots to a hang (a distribution's, whose virtio drivers are modules). */
	if (r->use_agent && spec->vm.kernel != NULL) {
		char why[1024];
		if (vm_kernel_config_check(r->kernel_path, why, sizeof(why)) < 0)
			return mew_error(err, 0, "--kernel: `%s` cannot reach mew's guest agent: %s", r->kernel_path, why);
		if (why[0] != '\0')
			mew_debug("vm: --kernel: %s", why);
	}
	r->symbols = symbol_file(r->kernel_path, r->kernel.p);
	return 0;
}

/* The agent's initramfs; without it a kernel boots to its own init, which
 * cannot mount the volumes. */
static int load_agent(struct run *r, struct mew_error **err)
{
	struct mew_error *aerr = NULL;
	cleanup_free char *dir = guest_dir();

	/* What only the agent sets up in the guest. */
	const char *needs = r->spec->nmounts > 0 ? "--volume" : r->spec->net == SPEC_NET_USER ? "--net user" : NULL;

	if (!r->use_agent) {
		if (needs != NULL)
			return mew_error(err, 0, "%s: the vm engine sets it up through its guest agent, which "
					 "--console, --initrd or a kernel that is not Linux leave out", needs);
		return 0;
	}
	if (agent_initramfs_get(&r->agent, dir != NULL ? dir : "vm", &aerr) < 0) {
		if (needs != NULL) {
			*err = aerr;
			return -1;
		}
		mew_debug("vm: %s", aerr->msg);
		mew_error_free(aerr);
		r->use_agent = false;
	}
	vm_timing_mark("agent initramfs");
	return 0;
}

/* ---- the devices: one table, each behind the next virtio-mmio slot ---- */

typedef struct virtio_dev *(*device_make)(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err);

static struct virtio_dev *make_console(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	return r->io.console = virtio_console_new(&r->vm.mem, 1, fn, op, err);
}

static struct virtio_dev *make_rng(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	return virtio_rng_new(&r->vm.mem, fn, op, err);
}

static struct virtio_dev *make_rootfs(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	return virtio_9p_new(&r->vm.mem, r->spec->rootfs, SHARE_TAG, r->spec->readonly_root, fn, op, err);
}

static struct virtio_dev *make_volumes(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	cleanup_free struct virtio_9p_share *shares = NULL;
	int n = 0;

	if (vm_volumes(r->spec, &shares, &n, err) < 0)
		return NULL;
	return virtio_9p_new_shares(&r->vm.mem, shares, n, VM_VOLUME_TAG, fn, op, err);
}

static struct virtio_dev *make_vsock(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	r->io.vsock = virtio_vsock_new(&r->vm.mem, GUEST_CID, r->spec->vm.vsock_uds, fn, op, err);
	if (r->io.vsock != NULL && serve_agent(&r->io, r->spec, r->io.agent_stdin) < 0) {
		r->io.vsock->ops->free(r->io.vsock);
		return r->io.vsock = NULL, mew_error(err, 0, "vm: registering the agent's vsock ports"), NULL;
	}
	return r->io.vsock;
}

/* --root-disk: the rootfs as an ext4 image (vda, before any --disk), the
 * run's writes kept apart from the cached image. */
static struct virtio_dev *make_root_disk(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	if (vm_disk_from_rootfs(r->spec->rootfs, &r->root_image, err) < 0)
		return NULL;
	vm_timing_mark("root disk image");
	cmdline_add(&r->cl, "mew.root=vda");
	return virtio_blk_new(&r->vm.mem, r->root_image, r->spec->readonly_root ? VIRTIO_BLK_RO : VIRTIO_BLK_SNAPSHOT,
			      fn, op, err);
}

static struct virtio_dev *make_disk(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	return virtio_blk_new(&r->vm.mem, r->spec->vm.disk, r->spec->readonly_root ? VIRTIO_BLK_RO : VIRTIO_BLK_RW, fn,
			      op, err);
}

/* --net user: virtio-net on passt, the guest's own user-mode network. */
static struct virtio_dev *make_net(struct run *r, virtio_irq_fn fn, void *op, struct mew_error **err)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x6d, 0x65, 0x77 };
	int fd;

	if (vm_passt_start(&fd, &r->passt, &r->passt_log, err) < 0)
		return NULL;
	r->io.net = virtio_net_new(&r->vm.mem, fd, mac, fn, op, err);
	if (r->io.net == NULL)
		close(fd);
	return r->io.net;
}

enum { ALWAYS, WITH_AGENT, WITH_ROOT_DISK, WITH_DISK, WITH_NET };

static const struct {
	int when;
	device_make make;
} device_table[] = {
	{ ALWAYS, make_console },	  { ALWAYS, make_rng },		 { ALWAYS, make_rootfs },
	{ WITH_AGENT, make_volumes },	  { ALWAYS, make_vsock },	 { WITH_ROOT_DISK, make_root_disk },
	{ WITH_DISK, make_disk },	  { WITH_NET, make_net },
};

static int attach_devices(struct run *r, struct mew_error **err)
{
	for (size_t i = 0; i < sizeof(device_table) / sizeof(device_table[0]); i++) {
		int when = device_table[i].when;
		void *op = NULL;
		virtio_irq_fn fn;

		if ((when == WITH_AGENT && !r->use_agent) || (when == WITH_ROOT_DISK && !r->spec->vm.root_disk) ||
		    (when == WITH_DISK && (r->spec->vm.disk == NULL || r->spec->vm.disk[0] == '\0')) ||
		    (when == WITH_NET && (r->spec->net != SPEC_NET_USER || !r->use_agent)))
			continue;
		fn = irq_for(&r->vm, &op);
		if (attach(&r->vm, device_table[i].make(r, fn, op, err), &r->cl, err) < 0)
			return -1;
	}
	vm_timing_mark("virtio devices");
	return 0;
}

/* ---- the kernel command line ---- */

/* What the kernel needs before the devices: its console, how it ends, and
 * what this host's KVM cannot run. */
static void cmdline_begin(struct run *r)
{
	cmdline_add(&r->cl, "console=ttyS0 reboot=k panic=-1 i8042.noaux i8042.nomux i8042.dumbkbd");
	if (!r->spec->vm.console)
		cmdline_add(&r->cl, "quiet");
	if (r->linux_kernel && r->kboot == 1)
		cmdline_add(&r->cl, VM_EMULATED_CMDLINE);
}

/* After the devices: the agent's run, the user's words, and after " --" the
 * command (the test guest reads its program there). */
static int cmdline_finish(struct run *r, struct mew_error **err)
{
	const struct spec *spec = r->spec;
	size_t room;

	if (r->ready_mode) {
		cmdline_add(&r->cl, "mew.ready");
	} else if (r->use_agent) {
		/* The kernel's own hostname= parameter (Linux 6.0): as in a container, "mew" unless --hostname. */
		const char *hostname = spec->hostname != NULL ? spec->hostname : "mew";
		if (hostname[strcspn(hostname, " \t\n\"")] != '\0')
			return mew_error(err, 0, "--hostname: `%s`: the vm engine passes it on the kernel command line, "
					 "which cannot hold a space or a quote", hostname);
		cmdline_add(&r->cl, "hostname=%s", hostname);
		char *tail = cmdline_tail(&r->cl, &room);
		if (agent_encode_run(spec, tail, room) < 0)
			return mew_error(err, 0, "vm: the command, environment and directory do not fit the kernel command line");
		cmdline_grew(&r->cl);
	}
	if (spec->vm.cmdline != NULL)
		cmdline_add(&r->cl, "%s", spec->vm.cmdline);
	/* (Not in a snapshot's memory: the agent takes the command over vsock.) */
	if (!r->ready_mode) {
		cmdline_add(&r->cl, "--");
		for (size_t i = 0; spec->argv[i] != NULL; i++)
			cmdline_add(&r->cl, "%s", spec->argv[i]);
	}
	if (r->cl.overflow)
		return mew_error(err, 0, "vm: kernel command line too long");
	mew_debug("vm: kernel command line: %s", r->cl.buf);
	return 0;
}

/* ---- the snapshot at the agent's ready point ---- */

/* Where the device set is the standard one and nothing on the command line
 * is the run's own, one snapshot serves every run (rootfs and volumes are
 * mounted after it). */
static bool snapshot_fits(const struct run *r)
{
	const struct spec *spec = r->spec;
	return r->use_agent && !spec->vm.no_snapshot && !spec->vm.root_disk && spec->net != SPEC_NET_USER &&
	       (spec->vm.disk == NULL || spec->vm.disk[0] == '\0') && spec->vm.cmdline == NULL && !spec->vm.boot_pvh;
}

/* The key: the kernel's and the agent's builds, the memory size, the vCPUs,
 * the command line so far (what this host's KVM needs), the device set and
 * this boot of the host (its KVM, its clock). */
static int snapshot_find(struct run *r, uint64_t mem, int vcpus)
{
	cleanup_free char *dir = guest_dir(), *boot_id = NULL, *cache = NULL;
	static const char devices[] = "console,rng,9p:" SHARE_TAG ",9p:" VM_VOLUME_TAG ",vsock";
	struct mew_error *e = NULL;
	size_t n = 0;
	uint64_t h = agent_file_key(agent_initramfs_key(dir != NULL ? dir : "vm"), r->kernel_path);
	uint64_t shape[2] = { mem, (uint64_t)vcpus };

	if (file_read("/proc/sys/kernel/random/boot_id", &boot_id, &n, &e) < 0)
		mew_error_free(e);
	h = vm_snapshot_hash(h, "mew-snapshot-1", 14);
	h = vm_snapshot_hash(h, shape, sizeof(shape));
	h = vm_snapshot_hash(h, r->cl.buf, r->cl.len);
	h = vm_snapshot_hash(h, devices, sizeof(devices));
	h = vm_snapshot_hash(h, boot_id != NULL ? boot_id : "", n);
	r->snap_key = h;
	if (asprintf(&cache, "%s/vm/snapshot", mew_cache_dir()) < 0 ||
	    asprintf(&r->snap_base, "%s/%016llx", cache, (unsigned long long)h) < 0)
		return -1;
	if (vm_snapshot_open(r->snap_base, h, mem, vcpus, 5, &r->snap, &r->snap_mem_fd, &e) < 0) {
		mew_debug("vm: booting cold: %s", e->msg);
		mew_error_free(e);
		e = NULL;
		if (file_mkdir_p(cache, 0755, &e) < 0) {
			mew_error_free(e);
			free(r->snap_base);
			r->snap_base = NULL; /* no snapshot to make either */
		}
	}
	return 0;
}

/* The ready record on a cold boot: save the VM there, on a thread of its own
 * (the vCPU that wrote the record parks with the others), and go on. */
static void *saver_main(void *arg)
{
	struct run *r = arg;
	struct mew_error *e = NULL;

	vm_pause(&r->vm);
	vm_timing_mark("paused at the ready point");
	if (__atomic_load_n(&r->vm.end, __ATOMIC_SEQ_CST) != VM_RUNNING) /* it ended instead */
		return NULL;
	if (vm_snapshot_save(&r->vm, r->snap_base, r->snap_key, &e) < 0) {
		mew_debug("vm: no snapshot: %s", e->msg);
		mew_error_free(e);
	}
	vm_timing_mark("snapshot saved");
	vm_resume(&r->vm);
	return NULL;
}

static void on_ready(void *opaque)
{
	struct run *r = ((struct vm *)opaque)->owner;
	if (r->saver_started || r->snap_base == NULL || r->snap != NULL)
		return;
	r->saver_started = pthread_create(&r->saver, NULL, saver_main, r) == 0;
}

/* The agent's first word after the ready point: it took its run (the
 * connection ends once it has read it all). */
static void run_taken(void *opaque, const uint8_t *data, size_t len)
{
	if (data == NULL)
		vm_timing_mark("the agent took its run");
}

/* The run description on AGENT_PORT_RUN, from a memfd. */
static int serve_run(struct run *r, struct mew_error **err)
{
	struct agent_run *desc = malloc(sizeof(*desc));
	const struct vsock_service svc = { .port = AGENT_PORT_RUN, .rfd = -1, .wfd = -1, .recv = run_taken };
	struct vsock_service s = svc;
	int ok;

	if (desc == NULL || agent_run_describe(r->spec, desc) < 0) {
		free(desc);
		return mew_error(err, 0, "vm: the command, environment and volumes do not fit the agent's 64 KiB");
	}
	r->run_fd = memfd_create("mew-run", MFD_CLOEXEC);
	ok = r->run_fd >= 0 && write(r->run_fd, desc->buf, desc->len) == (ssize_t)desc->len &&
	     lseek(r->run_fd, 0, SEEK_SET) == 0;
	free(desc);
	s.rfd = r->run_fd;
	if (!ok || virtio_vsock_serve(r->io.vsock, &s) < 0)
		return mew_error(err, errno, "vm: serving the run to the agent");
	return 0;
}

/* ---- running it ---- */

/* The guest until it ends: vCPU 0 on this thread, the I/O loop on another
 * when there is host input to carry (stdin, the console, vsock sockets). */
static int run_guest(struct run *r, struct mew_error **err)
{
	const struct spec *spec = r->spec;
	struct termios saved;
	pthread_t io_thread;
	int io_started = 0, ran;

	r->io.to_serial = spec->vm.console;
	if (spec->vm.console || (spec->interactive && spec->tty))
		r->io.in_fd = 0;
	/* An interactive console passes every key to the guest, ^C included. */
	int raw = spec->vm.console && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		t.c_oflag |= OPOST | ONLCR;
		tcsetattr(0, TCSANOW, &t);
	}
	vm_block_kick(); /* in the I/O thread too: only vCPUs take the kick */
	if (r->io.in_fd >= 0 || r->io.agent_stdin || spec->vm.vsock_uds != NULL || r->ready_mode || r->io.net != NULL) {
		int e = pthread_create(&io_thread, NULL, io_main, &r->io);
		if (e != 0) {
			if (raw)
				tcsetattr(0, TCSANOW, &saved);
			return mew_error(err, e, "vm: starting the I/O thread");
		}
		io_started = 1;
	}
	ran = vm_run(&r->vm, err);
	vm_timing_mark("the guest ended");
	if (ran < 0)
		vm_stop(&r->vm, VM_END_HOST, 0, "mew stopped");
	if (io_started)
		pthread_join(io_thread, NULL);
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	if (ran < 0)
		return -1;
	vm_join(&r->vm);
	vm_timing_mark("vCPU threads joined");
	vm_timing_report();
	return 0;
}

/* How the VM ended, as the command's status or mew's error. */
static int result(struct run *r, struct mew_error **err)
{
	switch (r->vm.end) {
	case VM_END_STATUS:
		return r->vm.status;
	case VM_END_RESET:
		if (r->spec->vm.console)
			return 0;
		return mew_error(err, 0, "vm: %s without reporting an exit status", r->vm.why);
	default:
		return mew_error(err, 0, "vm: %s", r->vm.why);
	}
}

static void run_free(struct run *r)
{
	agent_initramfs_put(&r->agent);
	if (r->vm_made && (r->vm.vm_fd >= 0 || r->vm.kvm_fd >= 0)) {
		vm_stop(&r->vm, VM_END_HOST, 0, "mew stopped");
		vm_join(&r->vm);
	}
	vm_passt_stop(r->passt, r->passt_log);
	/* After every vCPU: none can start a saver any more. */
	if (r->saver_started)
		pthread_join(r->saver, NULL);
	/* mew exits next: the VM's slow teardown is left to a helper. */
	if (r->vm_made && (r->vm.vm_fd < 0 || vm_detach(&r->vm) < 0))
		vm_destroy(&r->vm);
	file_bytes_free(&r->kernel);
	file_bytes_free(&r->initrd);
	free(r->kernel_path);
	free(r->symbols);
	free(r->root_image);
	free(r->snap_base);
	vm_snapshot_free(r->snap);
	if (r->snap_mem_fd >= 0)
		close(r->snap_mem_fd);
	if (r->run_fd >= 0)
		close(r->run_fd);
	free(r);
}

static int run(const struct spec *spec, struct mew_error **err)
{
	struct run *r = calloc(1, sizeof(*r));
	uint64_t mem = spec->limits.memory > 0 ? (uint64_t)spec->limits.memory : DEFAULT_MEMORY;
	int vcpus = spec->vm.vcpus > 0 ? spec->vm.vcpus : 1;
	bool retry = false;
	struct boot_image img;
	int st = -1;

	if (r == NULL)
		return mew_error(err, ENOMEM, "vm");
	r->spec = spec;
	r->io.in_fd = -1;
	r->snap_mem_fd = r->run_fd = -1;
	r->io.agent_stdin = spec->interactive && !spec->tty && !spec->vm.console;
	vm_timing_start(spec->vm.timing);
	if (load_kernel(r, err) < 0 || load_agent(r, err) < 0)
		goto out;
	cmdline_begin(r);
	r->ready_mode = snapshot_fits(r);
	if (r->ready_mode && snapshot_find(r, mem, vcpus) < 0) {
		mew_error(err, ENOMEM, "vm");
		goto out;
	}
	if (r->ready_mode)
		vm_timing_mark(r->snap != NULL ? "snapshot found" : "no snapshot");
	/* Kernel messages go to the terminal only when there is no agent (or with --debug). */
	r->vm_made = true;
	if (vm_create(&r->vm, mem, vcpus, !r->use_agent ? 1 : mew_log_level < 2 ? -1 : 2, r->snap_mem_fd, err) < 0)
		goto out;
	r->vm.symbols = r->symbols;
	r->vm.sample_ms = spec->vm.sample_ms;
	r->vm.owner = r;
	r->io.vm = &r->vm;
	if (attach_devices(r, err) < 0 || cmdline_finish(r, err) < 0 || (r->ready_mode && serve_run(r, err) < 0))
		goto out;
	if (r->snap != NULL) {
		/* A snapshot that KVM will not take is removed, and the run boots cold. */
		if (vm_snapshot_load(&r->vm, r->snap, err) < 0) {
			mew_debug("vm: the snapshot did not restore (%s): removed, booting cold", (*err)->msg);
			vm_snapshot_remove(r->snap_base);
			retry = true;
			goto out;
		}
		vm_timing_mark("snapshot restored");
	} else {
		if (boot_load_kernel(&r->vm.mem, (uint8_t *)r->kernel.p, r->kernel.len, spec->vm.boot_pvh, &img, err) < 0 ||
		    boot_setup(&r->vm, &img, r->cl.buf, r->use_agent ? r->agent.data : (uint8_t *)r->initrd.p,
			       r->use_agent ? r->agent.len : r->initrd.len, err) < 0)
			goto out;
		if (r->ready_mode)
			serial_on_ready(&r->vm.serial, on_ready);
		vm_timing_mark("load the kernel, boot data");
	}
	if (run_guest(r, err) == 0)
		st = result(r, err);
out:
	run_free(r);
	if (retry) {
		mew_error_free(*err);
		*err = NULL;
		return run(spec, err);
	}
	return st;
}

const struct engine engine_vm = {
	.name = "vm",
	.summary = "a real Linux kernel in a KVM virtual machine on virtio devices",
	.probe = probe,
	.run = run,
};
