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
#include "vm/cpio.h"
#include "vm/disk.h"
#include "vm/probe.h"
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
static int attach(struct vm *vm, struct virtio_dev *dev, char *cmdline, size_t cmax, struct mew_error **err)
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
	size_t n = strlen(cmdline);
	snprintf(cmdline + n, cmax - n, " virtio_mmio.device=4K@%#llx:%d", (unsigned long long)base, lines[i].irq);
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
 * the kernel's code, the vmlinux next to it (the decompressor alone would
 * take minutes there). */
static char *default_kernel(void)
{
	char *p = NULL, why[400];
	int emulated = vm_probe_kernel_boot(why, sizeof(why)) == 1;

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
	struct virtio_dev *console, *vsock;
	int to_serial; /* host input goes to the serial port rather than virtio-console */
	int in_fd;
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
	}
}

static void *io_main(void *arg)
{
	io_loop(arg);
	return NULL;
}

static int run(const struct spec *spec, struct mew_error **err)
{
	cleanup_free char *kernel_path = spec->vm.kernel ? strdup(spec->vm.kernel) : default_kernel();
	cleanup_free char *cmdline = NULL, *symbols = NULL;
	__attribute__((cleanup(file_bytes_free))) struct file_bytes kernel_file = { 0 }, initrd_file = { 0 };
	char *kernel = NULL, *initrd = NULL;
	size_t kernel_len = 0, initrd_len = 0;
	struct agent_image agent = { 0 };
	struct boot_image img;
	struct io io = { .in_fd = -1 };
	struct vm vm;
	uint64_t mem = spec->limits.memory > 0 ? (uint64_t)spec->limits.memory : DEFAULT_MEMORY;
	int vcpus = spec->vm.vcpus > 0 ? spec->vm.vcpus : 1;
	int use_agent = !spec->vm.console && spec->vm.initrd == NULL;
	int serial_fd = 1, r = -1, agent_stdin = 0;
	const char *disk = spec->vm.disk != NULL ? spec->vm.disk : getenv("MEW_VM_DISK");
	cleanup_free char *root_image = NULL;
	const char *vsock_uds = getenv("MEW_VSOCK_UDS");
	const char *boot = getenv("MEW_VM_BOOT");
	const size_t cmax = 8192;
	char why[400];
	void *op = NULL;
	virtio_irq_fn fn;

	vm_timing_start();
	if (kernel_path == NULL)
		return mew_error(err, ENOMEM, "vm");
	if (spec->vm.kernel == NULL && vm_probe_kernel_boot(why, sizeof(why)) < 0)
		return mew_error(err, 0, "vm: cannot boot a Linux kernel on this host: %s", why);
	if (spec->vm.kernel == NULL && !file_exists(kernel_path))
		return mew_error(err, 0, "no guest kernel at `%s`: build it with scripts/guest-kernel.sh or pass --kernel FILE",
				 kernel_path);
	if (read_file_bytes("--kernel", kernel_path, &kernel_file, err) < 0)
		return -1;
	kernel = kernel_file.p;
	kernel_len = kernel_file.len;
	if (spec->vm.initrd != NULL && read_file_bytes("--initrd", spec->vm.initrd, &initrd_file, err) < 0)
		return -1;
	initrd = initrd_file.p;
	initrd_len = initrd_file.len;
	vm_timing_mark("read the kernel and initrd");
	/* A Linux kernel (a bzImage, or an ELF with Linux's banner) needs what the
	 * probe checks; other guests, such as mew's test guest, do not. */
	if (kernel_len < 64)
		return mew_error(err, 0, "--kernel: `%s` is too small to be a kernel", kernel_path);
	int linux_kernel = memcmp(kernel, "\177ELF", 4) != 0 || elf_is_linux((const uint8_t *)kernel, kernel_len);
	if (linux_kernel && getenv("MEW_VM_NO_PROBE") == NULL) {
		if (vm_probe_kernel_boot(why, sizeof(why)) < 0)
			return mew_error(err, 0, "vm: cannot boot a Linux kernel on this host: %s", why);
	}
	/* The agent is Linux's init: other guests get no initramfs (it costs a
	 * millisecond to build). */
	use_agent = use_agent && linux_kernel;
	/* Kernel messages go to the terminal only when there is no agent. */
	if (use_agent && linux_kernel && mew_log_level < 2)
		serial_fd = -1;
	else if (use_agent && linux_kernel)
		serial_fd = 2;

	cmdline = calloc(1, cmax);
	if (cmdline == NULL)
		return mew_error(err, ENOMEM, "vm");
	snprintf(cmdline, cmax, "console=ttyS0 reboot=k panic=-1 i8042.noaux i8042.nomux i8042.dumbkbd%s",
		 spec->vm.console ? "" : " quiet");
	if (linux_kernel && vm_probe_kernel_boot(why, sizeof(why)) == 1)
		snprintf(cmdline + strlen(cmdline), cmax - strlen(cmdline), " " VM_EMULATED_CMDLINE);

	if (vm_create(&vm, mem, vcpus, serial_fd, err) < 0)
		goto out;
	symbols = symbol_file(kernel_path, kernel);
	vm.symbols = symbols;
	io.vm = &vm;
	fn = irq_for(&vm, &op);
	io.console = virtio_console_new(&vm.mem, 1, fn, op, err);
	if (attach(&vm, io.console, cmdline, cmax, err) < 0)
		goto out;
	fn = irq_for(&vm, &op);
	if (attach(&vm, virtio_rng_new(&vm.mem, fn, op, err), cmdline, cmax, err) < 0)
		goto out;
	fn = irq_for(&vm, &op);
	if (attach(&vm, virtio_9p_new(&vm.mem, spec->rootfs, SHARE_TAG, spec->readonly_root, fn, op, err), cmdline,
		   cmax, err) < 0)
		goto out;
	/* The volumes, on a device of their own: the agent mounts them. */
	if (use_agent) {
		cleanup_free struct virtio_9p_share *shares = NULL;
		int nshares = 0;
		if (vm_volumes(spec, &shares, &nshares, err) < 0)
			goto out;
		fn = irq_for(&vm, &op);
		if (attach(&vm, virtio_9p_new_shares(&vm.mem, shares, nshares, VM_VOLUME_TAG, fn, op, err), cmdline,
			   cmax, err) < 0)
			goto out;
	} else if (spec->nmounts > 0) {
		mew_error(err, 0, "--volume: the vm engine mounts volumes through its guest agent, which --console, "
			  "--initrd or a kernel that is not Linux leave out");
		goto out;
	}
	fn = irq_for(&vm, &op);
	io.vsock = virtio_vsock_new(&vm.mem, GUEST_CID, vsock_uds, fn, op, err);
	if (attach(&vm, io.vsock, cmdline, cmax, err) < 0)
		goto out;
	agent_stdin = spec->interactive && !spec->tty && !spec->vm.console;
	if (serve_agent(&io, spec, agent_stdin) < 0) {
		mew_error(err, 0, "vm: registering the agent's vsock ports");
		goto out;
	}
	/* --root-disk: the rootfs as an ext4 image (vda, before any --disk),
	 * the run's writes kept apart from the cached image. */
	if (spec->vm.root_disk) {
		if (vm_disk_from_rootfs(spec->rootfs, &root_image, err) < 0)
			goto out;
		vm_timing_mark("root disk image");
		fn = irq_for(&vm, &op);
		if (attach(&vm,
			   virtio_blk_new(&vm.mem, root_image, spec->readonly_root ? VIRTIO_BLK_RO : VIRTIO_BLK_SNAPSHOT,
					  fn, op, err),
			   cmdline, cmax, err) < 0)
			goto out;
		size_t n = strlen(cmdline);
		snprintf(cmdline + n, cmax - n, " mew.root=vda");
	}
	if (disk != NULL && *disk != '\0') {
		fn = irq_for(&vm, &op);
		if (attach(&vm, virtio_blk_new(&vm.mem, disk, spec->readonly_root ? VIRTIO_BLK_RO : VIRTIO_BLK_RW, fn, op, err),
			   cmdline, cmax, err) < 0)
			goto out;
	}
	vm_timing_mark("virtio devices");

	if (use_agent) {
		struct mew_error *aerr = NULL;
		/* Without the agent a kernel boots to its own init (or the test guest runs). */
		cleanup_free char *dir = guest_dir();
		if (agent_initramfs_get(&agent, dir != NULL ? dir : "vm", &aerr) < 0) {
			mew_debug("vm: %s", aerr->msg);
			mew_error_free(aerr);
			use_agent = 0;
		}
	}
	vm_timing_mark("agent initramfs");
	if (use_agent) {
		/* The kernel's own hostname= parameter (Linux 6.0): as in a container, "mew" unless --hostname. */
		const char *hostname = spec->hostname != NULL ? spec->hostname : "mew";
		if (hostname[strcspn(hostname, " \t\n\"")] != '\0') {
			mew_error(err, 0, "--hostname: `%s`: the vm engine passes it on the kernel command line, "
				  "which cannot hold a space or a quote", hostname);
			goto out;
		}
		size_t hn = strlen(cmdline);
		snprintf(cmdline + hn, cmax - hn, " hostname=%s", hostname);
		if (agent_encode_run(spec, cmdline + strlen(cmdline), cmax - strlen(cmdline)) < 0) {
			mew_error(err, 0, "vm: the command, environment and directory do not fit the kernel command line");
			goto out;
		}
	}
	if (spec->vm.cmdline != NULL) {
		size_t n = strlen(cmdline);
		snprintf(cmdline + n, cmax - n, " %s", spec->vm.cmdline);
	}
	/* After " -- " the kernel passes words to init; the test guest reads its program there. */
	size_t n = strlen(cmdline);
	n += (size_t)snprintf(cmdline + n, cmax - n, " --");
	for (size_t i = 0; spec->argv[i] != NULL && n < cmax; i++)
		n += (size_t)snprintf(cmdline + n, cmax - n, " %s", spec->argv[i]);
	if (n >= cmax) {
		mew_error(err, 0, "vm: kernel command line too long");
		goto out;
	}
	mew_debug("vm: kernel command line: %s", cmdline);

	if (boot_load_kernel(&vm.mem, (uint8_t *)kernel, kernel_len, boot != NULL && strcmp(boot, "pvh") == 0, &img,
			     err) < 0)
		goto out;
	if (boot_setup(&vm, &img, cmdline, use_agent ? agent.data : (uint8_t *)initrd,
		       use_agent ? agent.len : initrd_len, err) < 0)
		goto out;
	vm_timing_mark("load the kernel, boot data");

	io.to_serial = spec->vm.console;
	if (spec->vm.console || (spec->interactive && spec->tty))
		io.in_fd = 0;
	/* An interactive console passes every key to the guest, ^C included. */
	struct termios saved;
	int raw = spec->vm.console && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		t.c_oflag |= OPOST | ONLCR;
		tcsetattr(0, TCSANOW, &t);
	}
	/* The I/O loop gets a thread when there is host input to carry (stdin,
	 * the console, vsock Unix sockets); vCPU 0 runs on this one. */
	vm_block_kick(); /* in the I/O thread too: only vCPUs take the kick */
	pthread_t io_thread;
	int io_started = 0, ran;
	if (io.in_fd >= 0 || agent_stdin || vsock_uds != NULL) {
		int e = pthread_create(&io_thread, NULL, io_main, &io);
		if (e != 0) {
			mew_error(err, e, "vm: starting the I/O thread");
			if (raw)
				tcsetattr(0, TCSANOW, &saved);
			goto out;
		}
		io_started = 1;
	}
	ran = vm_run(&vm, err);
	vm_timing_mark("the guest ended");
	if (ran < 0)
		vm_stop(&vm, VM_END_HOST, 0, "mew stopped");
	if (io_started)
		pthread_join(io_thread, NULL);
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	if (ran < 0)
		goto out;
	vm_join(&vm);
	vm_timing_mark("vCPU threads joined");
	vm_timing_report();

	switch (vm.end) {
	case VM_END_STATUS:
		r = vm.status;
		break;
	case VM_END_RESET:
		if (spec->vm.console) {
			r = 0;
			break;
		}
		mew_error(err, 0, "vm: %s without reporting an exit status", vm.why);
		break;
	default:
		mew_error(err, 0, "vm: %s", vm.why);
		break;
	}
out:
	agent_initramfs_put(&agent);
	if (vm.vm_fd >= 0 || vm.kvm_fd >= 0) {
		vm_stop(&vm, VM_END_HOST, 0, "mew stopped");
		vm_join(&vm);
	}
	/* mew exits next: the VM's slow teardown is left to a helper. */
	if (vm.vm_fd < 0 || vm_detach(&vm) < 0)
		vm_destroy(&vm);
	return r;
}

const struct engine engine_vm = {
	.name = "vm",
	.summary = "a real Linux kernel in a KVM virtual machine on virtio devices",
	.features = ENGINE_NET_NONE | ENGINE_LIMIT_MEMORY | ENGINE_LIMIT_CPUS,
	.net_why = "gives the guest no network device yet, only its loopback (--net none)",
	.limits_why = "does not limit processes inside the guest yet (--memory and --cpus size the VM)",
	.probe = probe,
	.run = run,
};
