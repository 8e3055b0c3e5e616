/* Kernel loading against a guest-memory buffer: a kernel image is untrusted
 * input, so malformed ELF and bzImage files are refused by name, and
 * well-formed ones land where the boot protocols say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <cmocka.h>

#include "base/file.h"
#include "vm/boot.h"
#include "vm/cmdline.h"
#include "vm/kconfig.h"
#include "vm/snapshot.h"
#include "vm/cpio.h"

#define MEM (8 << 20)

static struct gmem mem;

static int setup(void **state)
{
	mem.size = MEM;
	mem.host = calloc(1, MEM);
	return mem.host == NULL;
}

static int teardown(void **state)
{
	free(mem.host);
	return 0;
}

struct elf_img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[16];
};

static void make_elf(struct elf_img *e, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_entry = paddr;
	e->eh.e_phoff = offsetof(struct elf_img, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_offset = offsetof(struct elf_img, code);
	e->ph.p_paddr = paddr;
	e->ph.p_filesz = filesz;
	e->ph.p_memsz = memsz;
	memset(e->code, 0xf4, sizeof(e->code));
}

static int load(const void *buf, size_t len, struct boot_image *img)
{
	struct mew_error *err = NULL;
	int r = boot_load_kernel(&mem, buf, len, 0, img, &err);
	mew_error_free(err);
	return r;
}

static void elf_loads_at_paddr_and_zeroes_bss(void **state)
{
	struct elf_img e;
	struct boot_image img;
	make_elf(&e, 0x200000, 16, 64);
	memset(mem.host + 0x200010, 0xaa, 48);
	assert_int_equal(load(&e, sizeof(e), &img), 0);
	assert_int_equal(img.entry, BOOT_ENTRY_64);
	assert_int_equal(img.rip, 0x200000);
	assert_int_equal(mem.host[0x200000], 0xf4);
	assert_int_equal(mem.host[0x200020], 0);
	assert_int_equal(img.kernel_end, 0x200040);
}

static void elf_segments_outside_memory_or_file_are_refused(void **state)
{
	struct elf_img e;
	struct boot_image img;
	make_elf(&e, MEM - 8, 16, 16);
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	make_elf(&e, UINT64_MAX - 4, 16, 16);
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	make_elf(&e, 0x200000, 16, 8); /* filesz > memsz */
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	make_elf(&e, 0x200000, 1 << 20, 1 << 20); /* runs past the file */
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	make_elf(&e, 0x1000, 16, 16); /* over the boot tables */
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	make_elf(&e, 0x200000, 16, 16);
	e.eh.e_phnum = 5000; /* headers past the file */
	assert_int_equal(load(&e, sizeof(e), &img), -1);
	assert_int_equal(load(&e, 20, &img), -1);
}

static void bzimage_follows_the_boot_protocol(void **state)
{
	size_t len = 2 * 512 + 4096;
	uint8_t *k = calloc(1, len);
	struct boot_image img;

	k[0x1f1] = 1; /* setup_sects */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f, k[0x207] = 0x02; /* 2.15 */
	k[0x211] = 0x01;		  /* LOADED_HIGH */
	k[0x236] = 0x01;		  /* XLF_KERNEL_64 */
	k[0x201] = 0x6a;
	memset(k + 1024, 0x90, 4096);
	assert_int_equal(load(k, len, &img), 0);
	assert_int_equal(img.entry, BOOT_ENTRY_BZIMAGE);
	assert_int_equal(img.rip, 0x100200);
	assert_int_equal(mem.host[0x100000], 0x90);
	/* an old protocol without a 64-bit entry is refused */
	k[0x236] = 0;
	assert_int_equal(load(k, len, &img), -1);
	k[0x236] = 1;
	/* an init_size larger than memory is refused */
	uint32_t init = 0xffffffff;
	memcpy(k + 0x260, &init, 4);
	assert_int_equal(load(k, len, &img), -1);
	/* garbage is neither format */
	memset(k, 0x41, len);
	assert_int_equal(load(k, len, &img), -1);
	free(k);
}

static void test_guest_has_a_pvh_note(void **state)
{
	struct mew_error *err = NULL;
	struct boot_image img;
	char *buf = NULL;
	size_t len;

	if (file_read("build/vm/testguest.elf", &buf, &len, &err) < 0) {
		mew_error_free(err);
		skip();
	}
	assert_int_equal(boot_load_kernel(&mem, (uint8_t *)buf, len, 1, &img, &err), 0);
	assert_true(img.has_pvh);
	assert_int_equal(img.entry, BOOT_ENTRY_PVH);
	assert_true(img.rip >= 0x100000 && img.rip < 0x200000);
	free(buf);
}

static void mptable_is_found_and_checksummed(void **state)
{
	uint8_t *mp = mem.host + 639 * 1024;
	uint8_t s = 0;
	assert_int_equal(boot_write_mptable(&mem, 2), 0);
	assert_memory_equal(mp, "_MP_", 4);
	for (int i = 0; i < 16; i++)
		s = (uint8_t)(s + mp[i]);
	assert_int_equal(s, 0);
	assert_memory_equal(mp + 16, "PCMP", 4);
	uint16_t len;
	memcpy(&len, mp + 16 + 4, 2);
	s = 0;
	for (int i = 0; i < len; i++)
		s = (uint8_t)(s + mp[16 + i]);
	assert_int_equal(s, 0);
	assert_int_equal(mp[16 + 44 + 20 + 3], 1); /* second CPU enabled, not BSP */
	assert_int_equal(boot_write_mptable(&mem, 33), -1);
}

static void cpio_is_newc(void **state)
{
	struct cpio c = { 0 };
	assert_int_equal(cpio_add(&c, "init", 0100755, "abc", 3), 0);
	assert_int_equal(cpio_finish(&c), 0);
	assert_memory_equal(c.buf, "070701", 6);
	assert_int_equal(c.len % 4, 0);
	assert_non_null(memmem(c.buf, c.len, "TRAILER!!!", 10));
	cpio_free(&c);
}

/* Words join with one space; a line that would not fit is marked, never cut
 * silently into something the kernel would misread. */
static void cmdline_joins_words_and_marks_overflow(void **state)
{
	static struct cmdline c;
	size_t room;

	cmdline_add(&c, "console=ttyS0");
	cmdline_add(&c, "virtio_mmio.device=4K@%#x:%d", 0xd0000000, 5);
	char *tail = cmdline_tail(&c, &room);
	snprintf(tail, room, " mew.run=00");
	cmdline_grew(&c);
	cmdline_add(&c, "--");
	assert_string_equal(c.buf, "console=ttyS0 virtio_mmio.device=4K@0xd0000000:5 mew.run=00 --");
	assert_false(c.overflow);
	for (int i = 0; i < 2000 && !c.overflow; i++)
		cmdline_add(&c, "word%d", i);
	assert_true(c.overflow);
	assert_true(strlen(c.buf) < VM_CMDLINE_MAX);
}

/* A snapshot that is missing, damaged or made for another key is not used
 * (the run boots cold and makes a new one). */
static void snapshot_that_does_not_match_is_refused(void **state)
{
	char dir[] = "/tmp/mew-snap-XXXXXX", base[64], path[80];
	struct vm_snapshot *snap = NULL;
	struct mew_error *err = NULL;
	int fd = -1;

	assert_non_null(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/k", dir);
	assert_int_equal(vm_snapshot_open(base, 1, 1 << 20, 1, 5, &snap, &fd, &err), -1);
	assert_null(snap);
	assert_int_equal(fd, -1);
	mew_error_free(err);
	err = NULL;
	snprintf(path, sizeof(path), "%s.state", base);
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 100000; i++)
		fputc(i & 0xff, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s.mem", base);
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(truncate(path, 1 << 20), 0);
	assert_int_equal(vm_snapshot_open(base, 1, 1 << 20, 1, 5, &snap, &fd, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "does not match"));
	mew_error_free(err);
	vm_snapshot_remove(base);
	assert_int_equal(rmdir(dir), 0);
}

/* A kernel's config is read before it boots: what the agent needs must be
 * built in; a module or a missing option is named. */
static void kernel_config_names_what_the_agent_lacks(void **state)
{
	static const char good[] = "CONFIG_VIRTIO_MMIO=y\nCONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y\nCONFIG_DEVTMPFS=y\n"
				   "CONFIG_BLK_DEV_INITRD=y\nCONFIG_SERIAL_8250_CONSOLE=y\nCONFIG_NET_9P_VIRTIO=y\n"
				   "CONFIG_9P_FS=y\nCONFIG_VIRTIO_VSOCKETS=y\n";
	char why[1024], dir[] = "/tmp/mew-kconfig-XXXXXX", path[128];

	assert_int_equal(vm_kernel_config_text_check(good, why, sizeof(why)), 0);
	/* Debian's stock kernel builds these as modules */
	static const char stock[] = "CONFIG_VIRTIO_MMIO=m\nCONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y\nCONFIG_DEVTMPFS=y\n"
				    "CONFIG_BLK_DEV_INITRD=y\nCONFIG_SERIAL_8250_CONSOLE=y\nCONFIG_NET_9P_VIRTIO=m\n"
				    "CONFIG_9P_FS=m\n# CONFIG_VIRTIO_VSOCKETS is not set\n";
	assert_int_equal(vm_kernel_config_text_check(stock, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "virtio-mmio (every device) (CONFIG_VIRTIO_MMIO) is a module"));
	assert_non_null(strstr(why, "CONFIG_9P_FS) is a module"));
	assert_non_null(strstr(why, "CONFIG_VIRTIO_VSOCKETS) is not built"));
	assert_null(strstr(why, "CONFIG_DEVTMPFS"));
	/* found next to the kernel, and said where from */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	FILE *f = fopen(path, "w");
	fputs(stock, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/vmlinuz-6.1.0-99-amd64", dir);
	assert_int_equal(vm_kernel_config_check(path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/config)"));
	snprintf(path, sizeof(path), "%s/config", dir);
	unlink(path);
	/* none to be found: booted as is, and said so */
	snprintf(path, sizeof(path), "%s/vmlinuz-6.1.0-99-amd64", dir);
	assert_int_equal(vm_kernel_config_check(path, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not checked"));
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(elf_loads_at_paddr_and_zeroes_bss, setup, teardown),
		cmocka_unit_test_setup_teardown(elf_segments_outside_memory_or_file_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(bzimage_follows_the_boot_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_has_a_pvh_note, setup, teardown),
		cmocka_unit_test_setup_teardown(mptable_is_found_and_checksummed, setup, teardown),
		cmocka_unit_test(cpio_is_newc),
		cmocka_unit_test(cmdline_joins_words_and_marks_overflow),
		cmocka_unit_test(snapshot_that_does_not_match_is_refused),
		cmocka_unit_test(kernel_config_names_what_the_agent_lacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
