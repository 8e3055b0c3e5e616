#include "vm/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "vm/boot.h"
#include "vm/vm.h"

int vm_probe_kvm(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm speaks an unexpected API version");
		close(fd);
		return -1;
	}
	/* What the engine needs, asked without creating a VM (that costs ms). */
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 || ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) <= 0 ||
	    ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0 ||
	    ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		snprintf(why, len, "/dev/kvm lacks the in-kernel irqchip, PIT or immediate exit");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* 64-bit code at 1 MiB: what Linux executes first that KVM might not.  If
 * the CPUID the guest sees offers XSAVE (on a software-executing /dev/kvm it
 * is the host's, whatever KVM_SET_CPUID2 said), enable it and xsave/xrstor a
 * region; then int3 through an IDT whose handler reports 42 on the exit port. */
static const uint8_t probe_code[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00,		      /* mov eax, 1 */
	0x0f, 0xa2,				      /* cpuid */
	0x0f, 0xba, 0xe1, 0x1a,			      /* bt ecx, 26 (XSAVE) */
	0x73, 0x2f,				      /* jnc no_xsave */
	0x0f, 0x20, 0xe0,			      /* mov rax, cr4 */
	0x48, 0x0d, 0x00, 0x02, 0x04, 0x00,	      /* or rax, OSXSAVE|OSFXSR */
	0x0f, 0x22, 0xe0,			      /* mov cr4, rax */
	0x31, 0xc9,				      /* xor ecx, ecx */
	0x31, 0xd2,				      /* xor edx, edx */
	0xb8, 0x03, 0x00, 0x00, 0x00,		      /* mov eax, 3: x87|SSE */
	0x0f, 0x01, 0xd1,			      /* xsetbv (XCR0) */
	0xb8, 0x03, 0x00, 0x00, 0x00,		      /* mov eax, 3 */
	0x31, 0xd2,				      /* xor edx, edx */
	0x0f, 0xae, 0x24, 0x25, 0x00, 0x00, 0x11, 0x00, /* xsave [0x110000] */
	0x0f, 0xae, 0x2c, 0x25, 0x00, 0x00, 0x11, 0x00, /* xrstor [0x110000] */
	/* no_xsave: */
	0x0f, 0x01, 0x1c, 0x25, 0x00, 0x00, 0x12, 0x00, /* lidt [0x120000] */
	0xcc,					      /* int3 */
	0xf4,					      /* hlt */
};
#define PROBE_XSAVE_JNC 11
/* Where each instruction a failure can name starts in probe_code. */
static const struct {
	uint8_t off;
	const char *insn;
} probe_insns[] = { { 5, "cpuid" }, { 22, "mov to cr4" }, { 34, "xsetbv" },
		    { 44, "xsave" }, { 52, "xrstor" }, { 60, "lidt" }, { 68, "int3" } };
static const uint8_t probe_handler[] = { 0xb0, 0x2a, 0xe6, 0xf4, 0xf4 }; /* mov al,42; out 0xf4,al; hlt */

static int run_probe(int skip_xsave, const char **failed, char *why, size_t len)
{
	struct mew_error *err = NULL;
	struct vm vm;
	struct pollfd pfd;
	uint8_t *code;
	int r = -1;

	if (vm_create(&vm, 4 << 20, 1, -1, -1, &err) < 0) {
		snprintf(why, len, "%s", err->msg);
		mew_error_free(err);
		vm_destroy(&vm);
		return -1;
	}
	code = gmem_ptr(&vm.mem, 0x100000, sizeof(probe_code));
	memcpy(code, probe_code, sizeof(probe_code));
	if (skip_xsave)
		code[PROBE_XSAVE_JNC] = 0xeb; /* jnc no_xsave -> jmp: as a kernel booted with noxsave */
	*failed = NULL;
	memcpy(gmem_ptr(&vm.mem, 0x100100, sizeof(probe_handler)), probe_handler, sizeof(probe_handler));
	uint8_t *idtr = gmem_ptr(&vm.mem, 0x120000, 10);
	uint16_t limit = 16 * 4 - 1;
	uint64_t base = 0x120010;
	memcpy(idtr, &limit, 2);
	memcpy(idtr + 2, &base, 8);
	uint8_t *gate = gmem_ptr(&vm.mem, 0x120010 + 3 * 16, 16);
	memset(gate, 0, 16);
	gate[0] = 0x00, gate[1] = 0x01;	       /* offset 0x100100, low 16 bits */
	gate[2] = 0x10;			       /* selector: the boot code segment */
	gate[5] = 0x8e;			       /* present interrupt gate */
	gate[6] = 0x10, gate[7] = 0x00;	       /* offset bits 16..31 */
	if (vm_setup_entry64(&vm, 0x100000, 0, &err) < 0 || vm_start(&vm, &err) < 0) {
		snprintf(why, len, "%s", err->msg);
		mew_error_free(err);
		vm_stop(&vm, VM_END_HOST, 0, "probe failed");
		vm_join(&vm);
		vm_destroy(&vm);
		return -1;
	}
	pfd = (struct pollfd){ .fd = vm.stop_fd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) <= 0)
		vm_stop(&vm, VM_END_HOST, 0, "the probe guest did not finish in 5 s");
	vm_join(&vm);
	if (vm.end == VM_END_STATUS && vm.status == 42)
		r = 0;
	else {
		const char *insn = NULL;
		for (size_t i = 0; i < sizeof(probe_insns) / sizeof(probe_insns[0]); i++)
			if (vm.fail_rip == 0x100000ULL + probe_insns[i].off)
				insn = probe_insns[i].insn;
		*failed = insn;
		if (insn != NULL)
			snprintf(why, len, "KVM cannot execute `%s`, which Linux needs at boot (%s)", insn, vm.why);
		else
			snprintf(why, len, "KVM cannot run a kernel's first instructions here (%s)", vm.why);
	}
	vm_destroy(&vm);
	return r;
}

/* KVM's abilities do not change while the host runs: the answer is kept per
 * boot (keyed by boot_id) in mew's state directory, so that `mew run` does
 * not pay for a probe VM each time. */
static int cached(const char *path, const char *boot_id, char *reason, size_t len)
{
	char buf[600], *nl, *nl2;
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -2;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl == NULL || (size_t)(nl - buf) != strlen(boot_id) || memcmp(buf, boot_id, strlen(boot_id)) != 0)
		return -2;
	nl2 = strchr(nl + 1, '\n');
	if (nl2 == NULL)
		return -2;
	*nl2 = '\0';
	snprintf(reason, len, "%s", nl2 + 1);
	reason[strcspn(reason, "\n")] = '\0';
	return strcmp(nl + 1, "yes") == 0 ? 0 : strcmp(nl + 1, "emulated") == 0 ? 1 : -1;
}

/* Where KVM cannot execute xsave/xrstor, it runs the guest kernel's code in its
 * instruction emulator (kvm-pvm without hardware virtualization does): a
 * kernel still boots there with noxsave (and the workarounds of
 * VM_EMULATED_CMDLINE), if the rest of the probe passes without xsave. */
static int probe(char *reason, size_t len)
{
	const char *failed, *xsave;
	char first[400];

	if (run_probe(0, &failed, first, sizeof(first)) == 0)
		return 0;
	if (failed == NULL || (strcmp(failed, "xsave") != 0 && strcmp(failed, "xrstor") != 0 &&
			       strcmp(failed, "xsetbv") != 0)) {
		snprintf(reason, len, "%s", first);
		return -1;
	}
	xsave = failed;
	if (run_probe(1, &failed, reason, len) < 0)
		return -1;
	snprintf(reason, len, "KVM runs the kernel's code in its instruction emulator here (it cannot execute `%s`): "
		 "slow, booted with " VM_EMULATED_CMDLINE, xsave);
	return 1;
}

int vm_probe_kernel_boot(char *why, size_t len)
{
	static int done, result;
	static char reason[400];
	char boot_id[64] = "", path[4096];
	FILE *f;

	if (!done) {
		f = fopen("/proc/sys/kernel/random/boot_id", "re");
		if (f != NULL) {
			if (fgets(boot_id, sizeof(boot_id), f) == NULL)
				boot_id[0] = '\0';
			boot_id[strcspn(boot_id, "\n")] = '\0';
			fclose(f);
		}
		/* -4: the probe's fourth version (its answers differ from the first's). */
		snprintf(path, sizeof(path), "%s/vm-kernel-probe-4", mew_state_dir());
		result = boot_id[0] ? cached(path, boot_id, reason, sizeof(reason)) : -2;
		if (result == -2) {
			result = probe(reason, sizeof(reason));
			if (boot_id[0])
				mkdir(mew_state_dir(), 0700); /* may exist already */
			if (boot_id[0] && (f = fopen(path, "we")) != NULL) {
				fprintf(f, "%s\n%s\n%s\n", boot_id, result == 0 ? "yes" : result == 1 ? "emulated" : "no",
					reason);
				fclose(f);
			}
		}
		done = 1;
	}
	snprintf(why, len, "%s", result == 0 ? "" : reason);
	return result;
}
