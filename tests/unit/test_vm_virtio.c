/* The virtio device models against a guest-memory buffer, with no CPU at
 * all: well-formed requests work, and hostile queues (descriptor loops,
 * out-of-range addresses, oversized lengths, ring index jumps) are refused
 * while the device model survives and works again after a reset. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "vm/bus.h"
#include "vm/passt.h"
#include "vm/virtio/devices.h"
#include "vm/virtio/mmio.h"
#include "vm/virtio/queue.h"

#define MEM_SIZE (1 << 20)
#define QSZ 16
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define DATA 0x10000

static struct gmem mem;
static int irqs;

static void count_irq(void *opaque, int level)
{
	if (level)
		irqs++;
}

static void *gp(uint64_t a)
{
	return mem.host + a;
}

static int setup(void **state)
{
	mem.size = MEM_SIZE;
	mem.host = calloc(1, MEM_SIZE);
	irqs = 0;
	return mem.host == NULL;
}

static int teardown(void **state)
{
	free(mem.host);
	return 0;
}

static void desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { addr, len, flags, next };
	memcpy(gp(DESC + 16 * i), &d, 16);
}

static void avail_push(uint16_t slot, uint16_t head)
{
	uint16_t *ring = gp(AVAIL + 4);
	ring[slot % QSZ] = head;
}

static void avail_idx(uint16_t idx)
{
	memcpy(gp(AVAIL + 2), &idx, 2);
}

static uint16_t used_idx(void)
{
	uint16_t v;
	memcpy(&v, gp(USED + 2), 2);
	return v;
}

static uint32_t used_len(int slot)
{
	uint32_t v;
	memcpy(&v, gp(USED + 4 + 8 * (slot % QSZ) + 4), 4);
	return v;
}

/* Drive a device through its MMIO registers, as a guest driver would. */
static void wr(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	virtio_mmio_ops.write(t, off, &v, 4);
}

static uint32_t rd(struct virtio_mmio *t, uint32_t off)
{
	uint32_t v = 0;
	virtio_mmio_ops.read(t, off, &v, 4);
	return v;
}

static void driver_init(struct virtio_mmio *t, int nq, uint32_t features)
{
	memset(gp(DESC), 0, 0x3000 + 0x1000);
	wr(t, 0x70, 0);
	wr(t, 0x70, 3);
	wr(t, 0x24, 1);
	wr(t, 0x20, 1);
	wr(t, 0x24, 0);
	wr(t, 0x20, features);
	wr(t, 0x70, 3 | 8);
	assert_true(rd(t, 0x70) & 8);
	for (int q = 0; q < nq; q++) {
		/* every queue shares the same areas: tests use one at a time */
		wr(t, 0x30, (uint32_t)q);
		wr(t, 0x38, QSZ);
		wr(t, 0x80, DESC);
		wr(t, 0x90, AVAIL);
		wr(t, 0xa0, USED);
		wr(t, 0x44, 1);
	}
	wr(t, 0x70, 3 | 8 | 4);
}

static int needs_reset(struct virtio_mmio *t)
{
	return (rd(t, 0x70) & 0x40) != 0;
}

static struct virtio_mmio *rng(void)
{
	struct virtio_dev *d = virtio_rng_new(&mem, count_irq, NULL, NULL);
	assert_non_null(d);
	return virtio_mmio_new(d, 0, 5);
}

static void queue_pops_a_wellformed_chain(void **state)
{
	struct vq q = { .size = QSZ, .ready = true, .desc = DESC, .avail = AVAIL, .used = USED };
	struct vq_chain c;
	const char *why = NULL;

	desc(0, DATA, 100, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 100, 200, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	assert_int_equal(vq_pop(&mem, &q, &c, &why), 1);
	assert_int_equal(c.nout, 1);
	assert_int_equal(c.nin, 1);
	assert_int_equal(c.out_len, 100);
	assert_int_equal(c.in_len, 200);
	assert_ptr_equal(c.out[0].iov_base, gp(DATA));
	assert_int_equal(vq_pop(&mem, &q, &c, &why), 0);
	assert_int_equal(vq_push(&mem, &q, c.head, 7), 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 7);
}

static void expect_refused(const char *what)
{
	struct vq q = { .size = QSZ, .ready = true, .desc = DESC, .avail = AVAIL, .used = USED };
	struct vq_chain c;
	const char *why = NULL;
	assert_int_equal(vq_pop(&mem, &q, &c, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, what));
}

static void queue_refuses_a_descriptor_loop(void **state)
{
	desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 16, VRING_DESC_F_NEXT, 0);
	avail_push(0, 0);
	avail_idx(1);
	expect_refused("loops");
}

static void queue_refuses_a_self_loop_of_writable_descriptors(void **state)
{
	desc(3, DATA, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3);
	avail_push(0, 3);
	avail_idx(1);
	expect_refused("loops");
}

static void queue_refuses_out_of_range_addresses(void **state)
{
	desc(0, MEM_SIZE - 8, 16, 0, 0); /* straddles the end of RAM */
	avail_push(0, 0);
	avail_idx(1);
	expect_refused("outside guest memory");
	desc(0, UINT64_MAX - 4, 16, 0, 0); /* wraps around */
	expect_refused("outside guest memory");
}

static void queue_refuses_oversized_lengths(void **state)
{
	desc(0, DATA, 0xffffffffu, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	expect_refused("outside guest memory");
}

static void queue_refuses_a_ring_index_jump(void **state)
{
	desc(0, DATA, 16, 0, 0);
	avail_push(0, 0);
	avail_idx(QSZ + 1);
	expect_refused("jumped");
}

static void queue_refuses_heads_and_links_outside_the_table(void **state)
{
	avail_push(0, QSZ + 3);
	avail_idx(1);
	expect_refused("head outside");
	desc(0, DATA, 16, VRING_DESC_F_NEXT, QSZ + 1);
	avail_push(0, 0);
	expect_refused("next descriptor outside");
}

static void queue_refuses_indirect_and_misordered_descriptors(void **state)
{
	desc(0, DATA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_push(0, 0);
	avail_idx(1);
	expect_refused("indirect");
	desc(0, DATA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 16, 0, 0);
	expect_refused("readable descriptor after");
}

static void queue_validate_refuses_areas_outside_memory(void **state)
{
	struct vq q = { .size = QSZ, .desc = MEM_SIZE - 16, .avail = AVAIL, .used = USED };
	const char *why;
	assert_int_equal(vq_validate(&mem, &q, &why), -1);
	q.desc = DESC;
	q.size = 3;
	assert_int_equal(vq_validate(&mem, &q, &why), -1);
	q.size = QSZ;
	assert_int_equal(vq_validate(&mem, &q, &why), 0);
}

static void rng_fills_a_buffer_and_interrupts(void **state)
{
	struct virtio_mmio *t = rng();
	driver_init(t, 1, 0);
	desc(0, DATA, 64, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 64);
	assert_true(irqs > 0);
	assert_true(rd(t, 0x60) & 1);
	virtio_mmio_free(t);
}

/* A polling driver (VRING_AVAIL_F_NO_INTERRUPT on its queue) gets its buffer
 * and no interrupt; clearing the flag brings interrupts back. */
static void no_interrupt_flag_is_honoured(void **state)
{
	struct virtio_mmio *t = rng();
	uint16_t flags = 1;
	driver_init(t, 1, 0);
	memcpy(gp(AVAIL), &flags, 2);
	desc(0, DATA, 64, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(irqs, 0);
	flags = 0;
	memcpy(gp(AVAIL), &flags, 2);
	avail_push(1, 0);
	avail_idx(2);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 2);
	assert_true(irqs > 0);
	virtio_mmio_free(t);
}

/* virtio-console: the transmit queue's readable segments reach the host in
 * order; device-writable segments there, addresses outside RAM and input
 * beyond the buffer are refused or cut, and the device goes on. */
static void console_transmits_and_refuses_hostile_chains(void **state)
{
	int out[2];
	char buf[64];
	assert_int_equal(pipe(out), 0);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	struct virtio_dev *d = virtio_console_new(&mem, out[1], count_irq, NULL, NULL);
	assert_non_null(d);
	struct virtio_mmio *t = virtio_mmio_new(d, 0, 5);
	driver_init(t, 2, 0);

	/* two readable segments, one chain: written in order */
	memcpy(gp(DATA), "abc", 3);
	memcpy(gp(DATA + 0x100), "defg", 4);
	desc(0, DATA, 3, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 0x100, 4, 0, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 1);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "abcdefg", 7);

	/* a device-writable segment on the transmit queue: nothing written */
	desc(2, DATA, 3, VRING_DESC_F_WRITE, 0);
	avail_push(1, 2);
	avail_idx(2);
	wr(t, 0x50, 1);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(read(out[0], buf, sizeof(buf)), -1);

	/* a segment outside guest RAM: refused, the device needs a reset */
	desc(3, MEM_SIZE - 2, 16, 0, 0);
	avail_push(2, 3);
	avail_idx(3);
	wr(t, 0x50, 1);
	assert_true(needs_reset(t));
	assert_int_equal(read(out[0], buf, sizeof(buf)), -1);

	/* after a reset it works again */
	driver_init(t, 2, 0);
	memcpy(gp(DATA), "ok", 2);
	desc(0, DATA, 2, 0, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 1);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 2);

	/* input: queued up to the device's buffer, delivered into receive buffers */
	static uint8_t big[100000];
	size_t took = virtio_console_input(d, big, sizeof(big));
	assert_true(took > 0 && took < sizeof(big));
	assert_int_equal(virtio_console_input(d, big, 1), 0);
	virtio_mmio_free(t);
	close(out[0]);
	close(out[1]);
}

static void device_survives_hostile_queues_and_recovers_after_reset(void **state)
{
	struct virtio_mmio *t = rng();

	driver_init(t, 1, 0);
	desc(0, DATA, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_true(needs_reset(t));
	assert_int_equal(used_idx(), 0);
	/* further kicks are ignored until the driver resets */
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 0);

	driver_init(t, 1, 0);
	assert_false(needs_reset(t));
	desc(0, DATA, 32, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	virtio_mmio_free(t);
}

static void transport_refuses_queues_outside_memory_and_bad_features(void **state)
{
	struct virtio_mmio *t = rng();

	wr(t, 0x70, 3);
	wr(t, 0x24, 0);
	wr(t, 0x20, 1u << 20); /* not offered, and no VERSION_1 */
	wr(t, 0x70, 3 | 8);
	assert_false(rd(t, 0x70) & 8);

	wr(t, 0x70, 0);
	wr(t, 0x70, 3);
	wr(t, 0x30, 0);
	wr(t, 0x38, QSZ);
	wr(t, 0x80, 0xfffff000u);
	wr(t, 0x84, 0xffffffffu);
	wr(t, 0x44, 1);
	assert_int_equal(rd(t, 0x44), 0);
	assert_true(needs_reset(t));
	/* selecting a queue that does not exist reads as absent and writes nothing */
	wr(t, 0x30, 7);
	assert_int_equal(rd(t, 0x34), 0);
	wr(t, 0x44, 1);
	/* config reads past the end are zeros, not host memory */
	uint64_t big = 0x1234;
	virtio_mmio_ops.read(t, 0x100 + 250, &big, 8);
	assert_int_equal(big, 0);
	virtio_mmio_free(t);
}

static void blk_checks_sector_ranges(void **state)
{
	char path[] = "/tmp/mew-blk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	struct virtio_dev *d = virtio_blk_new(&mem, path, 0, count_irq, NULL, NULL);
	assert_non_null(d);
	struct virtio_mmio *t = virtio_mmio_new(d, 0, 5);
	uint32_t hdr[4] = { 0, 0, 0, 0 };

	driver_init(t, 1, 0);
	/* a read of sector 7 (the last) works */
	hdr[2] = 7;
	memcpy(gp(DATA), hdr, 16);
	desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 0x100, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	desc(2, DATA + 0x1000, 1, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(*(uint8_t *)gp(DATA + 0x1000), 0);
	/* sector 8 is past the end; a huge sector must not wrap */
	hdr[2] = 8;
	memcpy(gp(DATA), hdr, 16);
	avail_push(1, 0);
	avail_idx(2);
	wr(t, 0x50, 0);
	assert_int_equal(*(uint8_t *)gp(DATA + 0x1000), 1);
	uint64_t huge = UINT64_MAX / 512 + 2;
	memcpy(gp(DATA + 8), &huge, 8);
	avail_push(2, 0);
	avail_idx(3);
	wr(t, 0x50, 0);
	assert_int_equal(*(uint8_t *)gp(DATA + 0x1000), 1);
	assert_int_equal(used_idx(), 3);
	virtio_mmio_free(t);
	unlink(path);
}

/* One blk request: type, sector, a data segment of len bytes at DATA+0x100
 * (device-writable for reads), the status byte at DATA+0x1000. */
static uint8_t blk_req(struct virtio_mmio *t, uint16_t *n, uint32_t type, uint64_t sector, uint32_t len)
{
	uint32_t hdr[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
	memcpy(gp(DATA), hdr, 16);
	desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 0x100, len, (type == 0 ? VRING_DESC_F_WRITE : 0) | VRING_DESC_F_NEXT, 2);
	desc(2, DATA + 0x1000, 1, VRING_DESC_F_WRITE, 0);
	avail_push(*n, 0);
	avail_idx(++*n);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), *n);
	return *(uint8_t *)gp(DATA + 0x1000);
}

/* A snapshot reads the image and keeps the guest's writes elsewhere: reads
 * see them, sector by sector, and the image never changes. */
static void blk_snapshot_keeps_writes_out_of_the_image(void **state)
{
	char path[] = "/tmp/mew-blk-XXXXXX", img[4096], back[1536];
	int fd = mkstemp(path);
	uint16_t n = 0;
	assert_true(fd >= 0);
	for (int i = 0; i < 4096; i++)
		img[i] = (char)('A' + i / 512);
	assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
	close(fd);
	struct virtio_dev *d = virtio_blk_new(&mem, path, VIRTIO_BLK_SNAPSHOT, count_irq, NULL, NULL);
	assert_non_null(d);
	struct virtio_mmio *t = virtio_mmio_new(d, 0, 5);
	driver_init(t, 1, 0);
	assert_int_equal(rd(t, 0x10) & (1u << 5), 0); /* writable to the guest */

	/* write sector 3 */
	memset(gp(DATA + 0x100), 'w', 512);
	assert_int_equal(blk_req(t, &n, 1, 3, 512), 0);
	/* sectors 2..4 read back as base, overlay, base */
	memset(gp(DATA + 0x100), 0, 1536);
	assert_int_equal(blk_req(t, &n, 0, 2, 1536), 0);
	memcpy(back, gp(DATA + 0x100), 1536);
	for (int i = 0; i < 512; i++) {
		assert_int_equal(back[i], 'C');
		assert_int_equal(back[512 + i], 'w');
		assert_int_equal(back[1024 + i], 'E');
	}
	/* a flush succeeds; a write past the end is refused */
	assert_int_equal(blk_req(t, &n, 4, 0, 512), 0);
	assert_int_equal(blk_req(t, &n, 1, 8, 512), 1);
	virtio_mmio_free(t);

	/* the image itself never changed */
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, back, 1536), 1536);
	close(fd);
	assert_memory_equal(back, img, 1536);
	unlink(path);
}

static void p9_refuses_malformed_messages(void **state)
{
	char dir[] = "/tmp/mew-9p-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct virtio_dev *d = virtio_9p_new(&mem, dir, "t", 0, count_irq, NULL, NULL);
	assert_non_null(d);
	struct virtio_mmio *t = virtio_mmio_new(d, 0, 5);
	/* Tversion whose string length runs past the message */
	uint8_t msg[32] = { 0 };
	uint32_t size = 19;
	memcpy(msg, &size, 4);
	msg[4] = 100;
	uint32_t msize = 8192;
	memcpy(msg + 7, &msize, 4);
	uint16_t slen = 500;
	memcpy(msg + 11, &slen, 2);
	memcpy(gp(DATA), msg, 19);

	driver_init(t, 1, 1);
	desc(0, DATA, 19, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 0x1000, 4096, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(*(uint8_t *)gp(DATA + 0x1000 + 4), 7); /* Rlerror */
	/* a size field that lies about the message gets no reply at all */
	size = 9999;
	memcpy(gp(DATA), &size, 4);
	avail_push(1, 0);
	avail_idx(2);
	wr(t, 0x50, 0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(used_len(1), 0);
	virtio_mmio_free(t);
	rmdir(dir);
}


/* A 9P exchange through the device's queue: request at DATA, reply at DATA+0x8000. */
static struct virtio_mmio *p9t;
static uint16_t p9slot;

static uint8_t *p9_call(const uint8_t *req, uint32_t len)
{
	memcpy(gp(DATA), req, len);
	desc(0, DATA, len, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 0x8000, 0x8000, VRING_DESC_F_WRITE, 0);
	avail_push(p9slot, 0);
	avail_idx(++p9slot);
	wr(p9t, 0x50, 0);
	assert_int_equal(used_idx(), p9slot);
	return gp(DATA + 0x8000);
}

struct p9msg {
	uint8_t b[512];
	uint32_t n;
};

static void m_begin(struct p9msg *m, uint8_t type)
{
	m->n = 7;
	m->b[4] = type;
	m->b[5] = 1;
	m->b[6] = 0;
}

static void m_put(struct p9msg *m, const void *v, uint32_t n)
{
	memcpy(m->b + m->n, v, n);
	m->n += n;
}

static void m_u32(struct p9msg *m, uint32_t v) { m_put(m, &v, 4); }
static void m_u64(struct p9msg *m, uint64_t v) { m_put(m, &v, 8); }
static void m_u16(struct p9msg *m, uint16_t v) { m_put(m, &v, 2); }

static void m_str(struct p9msg *m, const char *s)
{
	m_u16(m, (uint16_t)strlen(s));
	m_put(m, s, (uint32_t)strlen(s));
}

static uint8_t *m_send(struct p9msg *m)
{
	memcpy(m->b, &m->n, 4);
	return p9_call(m->b, m->n);
}

/* The driver set up, Tversion, and Tattach as fid 0. */
static void p9_start(void)
{
	struct p9msg m;
	p9slot = 0;
	driver_init(p9t, 1, 1);
	m_begin(&m, 100);
	m_u32(&m, 8192);
	m_str(&m, "9P2000.L");
	assert_int_equal(m_send(&m)[4], 101);
	m_begin(&m, 104);
	m_u32(&m, 0);
	m_u32(&m, ~0u);
	m_str(&m, "");
	m_str(&m, "");
	m_u32(&m, 0);
	assert_int_equal(m_send(&m)[4], 105);
}

/* Tsetattr on fid: mode 0777, size 0. */
static uint8_t *p9_chmod_truncate(uint32_t fid)
{
	struct p9msg m;
	m_begin(&m, 26);
	m_u32(&m, fid);
	m_u32(&m, 1 | 8);
	m_u32(&m, 0777);
	m_u32(&m, 0);
	m_u32(&m, 0);
	m_u64(&m, 0);
	for (int i = 0; i < 4; i++)
		m_u64(&m, 0);
	return m_send(&m);
}

static void p9_readdir_in_pieces_and_no_escape_by_dotdot_or_setattr(void **state)
{
	char dir[] = "/tmp/mew-9p-XXXXXX", path[64];
	struct p9msg m;
	uint8_t *r;
	int seen = 0;
	uint64_t off = 0;

	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "%s/file-%02d", dir, i);
		FILE *f = fopen(path, "w");
		fclose(f);
	}
	p9t = virtio_mmio_new(virtio_9p_new(&mem, dir, "t", 0, count_irq, NULL, NULL), 0, 5);
	p9_start();
	m_begin(&m, 110); /* clone fid 0 to 1 */
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u16(&m, 0);
	assert_int_equal(m_send(&m)[4], 111);
	m_begin(&m, 12);
	m_u32(&m, 1);
	m_u32(&m, 0200000); /* O_DIRECTORY */
	assert_int_equal(m_send(&m)[4], 13);
	for (int round = 0; round < 100; round++) {
		uint32_t count;
		m_begin(&m, 40);
		m_u32(&m, 1);
		m_u64(&m, off);
		m_u32(&m, 70); /* room for two entries at most */
		r = m_send(&m);
		assert_int_equal(r[4], 41);
		memcpy(&count, r + 7, 4);
		if (count == 0)
			break;
		for (uint32_t p = 0; p < count;) {
			uint16_t nl;
			memcpy(&off, r + 11 + p + 13, 8);
			memcpy(&nl, r + 11 + p + 22, 2);
			if (nl == 7 && memcmp(r + 11 + p + 24, "file-", 5) == 0)
				seen++;
			p += 24 + nl;
		}
	}
	assert_int_equal(seen, 20);
	/* a walk out of the share with .. stays at its root */
	m_begin(&m, 110);
	m_u32(&m, 0);
	m_u32(&m, 2);
	m_u16(&m, 3);
	m_str(&m, "..");
	m_str(&m, "..");
	m_str(&m, "tmp");
	r = m_send(&m);
	assert_true(r[4] == 7 || (r[4] == 111 && r[7] < 3));
	/* setattr on a symlink to a host file changes nothing outside the share */
	char outside[] = "/tmp/mew-9p-out-XXXXXX";
	int ofd = mkstemp(outside);
	assert_true(ofd >= 0);
	close(ofd);
	assert_int_equal(chmod(outside, 0600), 0);
	snprintf(path, sizeof(path), "%s/escape", dir);
	assert_int_equal(symlink(outside, path), 0);
	m_begin(&m, 110);
	m_u32(&m, 0);
	m_u32(&m, 3);
	m_u16(&m, 1);
	m_str(&m, "escape");
	assert_int_equal(m_send(&m)[4], 111);
	p9_chmod_truncate(3);
	struct stat st;
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(outside);
	virtio_mmio_free(p9t);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* Rlerror's errno, or 0 for any other reply. */
static uint32_t p9_errno(const uint8_t *r)
{
	uint32_t e = 0;
	if (r[4] == 7)
		memcpy(&e, r + 7, 4);
	return e;
}

static uint8_t *p9_walk(uint32_t fid, uint32_t newfid, int n, const char *const *names)
{
	struct p9msg m;
	m_begin(&m, 110);
	m_u32(&m, fid);
	m_u32(&m, newfid);
	m_u16(&m, (uint16_t)n);
	for (int i = 0; i < n; i++)
		m_str(&m, names[i]);
	return m_send(&m);
}

static uint8_t *p9_lopen(uint32_t fid, uint32_t flags)
{
	struct p9msg m;
	m_begin(&m, 12);
	m_u32(&m, fid);
	m_u32(&m, flags);
	return m_send(&m);
}

/* The guest's side of a read-only volume, as a guest root that remounted it
 * rw would speak to the device: every request that writes is refused on the
 * host, and nothing changes there.  A file volume reaches only its file. */
static void p9_volumes_hold_read_only_on_the_host(void **state)
{
	char ro[] = "/tmp/mew-9p-ro-XXXXXX", rw[] = "/tmp/mew-9p-rw-XXXXXX", dir[] = "/tmp/mew-9p-f-XXXXXX";
	char path[128], buf[64];
	struct p9msg m;
	uint8_t *r;
	struct stat st;

	assert_non_null(mkdtemp(ro));
	assert_non_null(mkdtemp(rw));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keep", ro);
	FILE *f = fopen(path, "w");
	fputs("original", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	fputs("one file", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sibling", dir);
	f = fopen(path, "w");
	fputs("secret", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file", dir);
	const struct virtio_9p_share shares[] = { { ro, true }, { rw, false }, { path, true } };
	p9t = virtio_mmio_new(virtio_9p_new_shares(&mem, shares, 3, "mewvol", count_irq, NULL, NULL), 0, 5);
	assert_non_null(p9t);
	p9_start();

	/* the synthetic root itself is read-only, and has no "3" */
	m_begin(&m, 72); /* Tmkdir */
	m_u32(&m, 0);
	m_str(&m, "new");
	m_u32(&m, 0755);
	m_u32(&m, 0);
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	assert_int_equal(p9_errno(p9_walk(0, 9, 1, (const char *[]){ "3" })), ENOENT);

	/* volume 0, read-only: open for writing, create, mkdir, unlink, setattr, rename */
	assert_int_equal(p9_walk(0, 1, 2, (const char *[]){ "0", "keep" })[4], 111);
	assert_int_equal(p9_errno(p9_lopen(1, O_RDWR)), EROFS);
	assert_int_equal(p9_errno(p9_lopen(1, O_WRONLY | O_TRUNC)), EROFS);
	assert_int_equal(p9_walk(0, 2, 1, (const char *[]){ "0" })[4], 111);
	m_begin(&m, 14); /* Tlcreate */
	m_u32(&m, 2);
	m_str(&m, "planted");
	m_u32(&m, O_WRONLY | O_CREAT);
	m_u32(&m, 0644);
	m_u32(&m, 0);
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	m_begin(&m, 72);
	m_u32(&m, 2);
	m_str(&m, "newdir");
	m_u32(&m, 0755);
	m_u32(&m, 0);
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	m_begin(&m, 76); /* Tunlinkat */
	m_u32(&m, 2);
	m_str(&m, "keep");
	m_u32(&m, 0);
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	m_begin(&m, 74); /* Trenameat */
	m_u32(&m, 2);
	m_str(&m, "keep");
	m_u32(&m, 2);
	m_str(&m, "moved");
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	assert_int_equal(p9_errno(p9_chmod_truncate(1)), EROFS);
	/* reading it works */
	assert_int_equal(p9_lopen(1, O_RDONLY)[4], 13);
	m_begin(&m, 116);
	m_u32(&m, 1);
	m_u64(&m, 0);
	m_u32(&m, 64);
	r = m_send(&m);
	assert_int_equal(r[4], 117);
	assert_memory_equal(r + 11, "original", 8);
	/* a write on a fid opened for reading is refused too */
	m_begin(&m, 118);
	m_u32(&m, 1);
	m_u64(&m, 0);
	m_u32(&m, 3);
	m_put(&m, "bad", 3);
	assert_int_equal(p9_errno(m_send(&m)), EROFS);
	snprintf(path, sizeof(path), "%s/keep", ro);
	f = fopen(path, "r");
	memset(buf, 0, sizeof(buf));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "original");
	assert_int_equal(stat(path, &st), 0);
	assert_true((st.st_mode & 0777) != 0777);
	snprintf(path, sizeof(path), "%s/planted", ro);
	assert_int_equal(access(path, F_OK), -1);

	/* volume 1, read-write: a file is created on the host */
	assert_int_equal(p9_walk(0, 3, 1, (const char *[]){ "1" })[4], 111);
	m_begin(&m, 14);
	m_u32(&m, 3);
	m_str(&m, "made");
	m_u32(&m, O_WRONLY | O_CREAT);
	m_u32(&m, 0644);
	m_u32(&m, 0);
	assert_int_equal(m_send(&m)[4], 15);
	snprintf(path, sizeof(path), "%s/made", rw);
	assert_int_equal(access(path, F_OK), 0);
	/* .. from a volume's top is the synthetic root, not the host's directory */
	assert_int_equal(p9_walk(0, 4, 3, (const char *[]){ "1", "..", "0" })[4], 111);
	assert_int_equal(p9_walk(4, 5, 1, (const char *[]){ "keep" })[4], 111);

	/* volume 2, a file: its own bytes, and no sibling, by name or by .. */
	assert_int_equal(p9_walk(0, 6, 1, (const char *[]){ "2" })[4], 111);
	assert_int_equal(p9_lopen(6, O_RDONLY)[4], 13);
	m_begin(&m, 116);
	m_u32(&m, 6);
	m_u64(&m, 0);
	m_u32(&m, 64);
	r = m_send(&m);
	assert_int_equal(r[4], 117);
	assert_memory_equal(r + 11, "one file", 8);
	r = p9_walk(0, 7, 2, (const char *[]){ "2", "sibling" });
	assert_true(r[4] == 7 || (r[4] == 111 && r[7] < 2));
	r = p9_walk(0, 7, 3, (const char *[]){ "2", "..", "sibling" });
	assert_true(r[4] == 7 || (r[4] == 111 && r[7] < 3));

	virtio_mmio_free(p9t);
	snprintf(path, sizeof(path), "rm -rf %s %s %s", ro, rw, dir);
	assert_int_equal(system(path), 0);
}

/* A device's state saved behind one transport loads into a new device of
 * the same kind and goes on where the driver left it; a state for another
 * device, or with queues outside guest memory, is refused. */
static void device_state_moves_to_a_new_device_and_is_checked(void **state)
{
	struct virtio_mmio *a = virtio_mmio_new(virtio_rng_new(&mem, count_irq, NULL, NULL), 0, 5);
	struct virtio_mmio *b = virtio_mmio_new(virtio_rng_new(&mem, count_irq, NULL, NULL), 0, 5);
	struct virtio_mmio *c = virtio_mmio_new(virtio_console_new(&mem, -1, count_irq, NULL, NULL), 0, 5);
	struct virtio_state st, bad;
	const char *why = NULL;

	driver_init(a, 1, 0);
	desc(0, DATA, 16, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(a, 0x50, 0);
	assert_int_equal(used_idx(), 1);
	virtio_mmio_save(a, &st);
	assert_int_equal(virtio_mmio_load(b, &st, &why), 0);
	/* b takes the next buffer where a stopped */
	desc(1, DATA + 0x100, 16, VRING_DESC_F_WRITE, 0);
	avail_push(1, 1);
	avail_idx(2);
	wr(b, 0x50, 0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(rd(b, 0x70), rd(a, 0x70));
	/* not a console's state */
	assert_int_equal(virtio_mmio_load(c, &st, &why), -1);
	assert_non_null(why);
	/* a queue outside memory */
	bad = st;
	bad.vq[0].desc = ~0ULL - 8;
	assert_int_equal(virtio_mmio_load(b, &bad, &why), -1);
	virtio_mmio_free(a);
	virtio_mmio_free(b);
	virtio_mmio_free(c);
}

/* virtio-net on a passt-style stream: the guest's frames leave with their
 * length in front, the backend's frames land in receive buffers behind the
 * virtio header, one too big for its buffer is dropped, and a backend that
 * breaks the framing is let go. */
static void net_frames_cross_the_stream_both_ways(void **state)
{
	int sv[2];
	const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	uint8_t frame[60], got[128];
	uint32_t be;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct virtio_mmio *t = virtio_mmio_new(virtio_net_new(&mem, sv[0], mac, count_irq, NULL, NULL), 0, 5);
	assert_non_null(t);
	assert_int_equal(rd(t, 0x100), 0x12005452); /* config: the MAC, 52:54:00:12:... */
	for (int i = 0; i < 60; i++)
		frame[i] = (uint8_t)i;
	/* transmit: header + frame */
	driver_init(t, 2, 1 << 5);
	memset(gp(DATA), 0, 12);
	memcpy(gp(DATA + 12), frame, 60);
	desc(0, DATA, 72, 0, 0);
	avail_push(0, 0);
	avail_idx(1);
	wr(t, 0x50, 1);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(read(sv[1], got, 64), 64);
	memcpy(&be, got, 4);
	assert_int_equal(ntohl(be), 60);
	assert_memory_equal(got + 4, frame, 60);
	/* receive: nothing until the guest gives a buffer */
	driver_init(t, 2, 1 << 5);
	be = htonl(42);
	assert_int_equal(write(sv[1], &be, 4), 4);
	assert_int_equal(write(sv[1], frame, 42), 42);
	virtio_net_poll(t->dev);
	assert_int_equal(used_idx(), 0);
	desc(0, DATA + 0x1000, 2048, VRING_DESC_F_WRITE, 0);
	avail_push(0, 0);
	avail_idx(1);
	virtio_net_poll(t->dev);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 12 + 42);
	assert_int_equal(*(uint8_t *)gp(DATA + 0x1000 + 10), 1); /* num_buffers */
	assert_memory_equal(gp(DATA + 0x1000 + 12), frame, 42);
	/* a frame bigger than the buffer is dropped, the next one arrives */
	static uint8_t big[3000];
	be = htonl(sizeof(big));
	assert_int_equal(write(sv[1], &be, 4), 4);
	assert_int_equal(write(sv[1], big, sizeof(big)), (ssize_t)sizeof(big));
	be = htonl(20);
	assert_int_equal(write(sv[1], &be, 4), 4);
	assert_int_equal(write(sv[1], frame, 20), 20);
	desc(1, DATA + 0x2000, 2048, VRING_DESC_F_WRITE, 0);
	desc(2, DATA + 0x3000, 2048, VRING_DESC_F_WRITE, 0);
	avail_push(1, 1);
	avail_push(2, 2);
	avail_idx(3);
	virtio_net_poll(t->dev);
	assert_int_equal(used_idx(), 3);
	assert_int_equal(used_len(1), 0);
	assert_int_equal(used_len(2), 12 + 20);
	/* a length past any frame: the backend is let go */
	be = htonl(1 << 20);
	assert_int_equal(write(sv[1], &be, 4), 4);
	virtio_net_poll(t->dev);
	assert_int_equal(virtio_net_fd(t->dev), -1);
	virtio_mmio_free(t); /* closes sv[0], the device's */
	close(sv[1]);
}

/* The other end of that stream, for real: passt answers the guest's ARP
 * for its gateway (skipped where passt is not installed). */
static void passt_answers_the_guests_arp(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	uint8_t arp[4 + 42] = { 0 }, got[4 + 2048];
	struct mew_error *err = NULL;
	uint32_t be = htonl(42);
	pid_t pid;
	int fd, log, found = 0;

	if (system("command -v passt >/dev/null") != 0) {
		printf("skip: passt is not installed\n");
		return;
	}
	assert_int_equal(vm_passt_start(&fd, &pid, &log, &err), 0);
	memcpy(arp, &be, 4);
	memset(arp + 4, 0xff, 6);
	memcpy(arp + 10, mac, 6);
	arp[16] = 0x08, arp[17] = 0x06;		    /* ARP */
	arp[18] = 0, arp[19] = 1, arp[20] = 8, arp[21] = 0; /* Ethernet, IPv4 */
	arp[22] = 6, arp[23] = 4, arp[24] = 0, arp[25] = 1; /* request */
	memcpy(arp + 26, mac, 6);
	memcpy(arp + 32, (uint8_t[]){ 10, 0, 2, 15 }, 4);
	memcpy(arp + 42, (uint8_t[]){ 10, 0, 2, 2 }, 4);
	assert_int_equal(write(fd, arp, sizeof(arp)), (ssize_t)sizeof(arp));
	/* frames until the reply (passt may say other things first); a reply
	 * that never comes ends the test at the socket's timeout */
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 20 && !found; i++) {
		if (recv(fd, got, 4, MSG_WAITALL) != 4)
			break;
		memcpy(&be, got, 4);
		uint32_t len = ntohl(be);
		assert_true(len <= 2048);
		assert_int_equal(recv(fd, got + 4, len, MSG_WAITALL), (ssize_t)len);
		found = len >= 42 && got[16] == 0x08 && got[17] == 0x06 && got[25] == 2 &&
			memcmp(got + 32, (uint8_t[]){ 10, 0, 2, 2 }, 4) == 0 && memcmp(got + 4, mac, 6) == 0;
	}
	assert_true(found);
	close(fd);
	vm_passt_stop(pid, log);
	assert_int_equal(kill(pid, 0), -1);
}

static void bus_reads_nothing_as_ones(void **state)
{
	struct bus b = { 0 };
	uint32_t v = 0;
	assert_false(bus_access(&b, 0x1234, &v, 4, false));
	assert_int_equal(v, 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(queue_pops_a_wellformed_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_a_descriptor_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_a_self_loop_of_writable_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_out_of_range_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_oversized_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_a_ring_index_jump, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_heads_and_links_outside_the_table, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_refuses_indirect_and_misordered_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_validate_refuses_areas_outside_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(rng_fills_a_buffer_and_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(no_interrupt_flag_is_honoured, setup, teardown),
		cmocka_unit_test_setup_teardown(console_transmits_and_refuses_hostile_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(device_survives_hostile_queues_and_recovers_after_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(transport_refuses_queues_outside_memory_and_bad_features, setup, teardown),
		cmocka_unit_test_setup_teardown(blk_checks_sector_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(blk_snapshot_keeps_writes_out_of_the_image, setup, teardown),
		cmocka_unit_test_setup_teardown(p9_refuses_malformed_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(p9_readdir_in_pieces_and_no_escape_by_dotdot_or_setattr, setup, teardown),
		cmocka_unit_test_setup_teardown(p9_volumes_hold_read_only_on_the_host, setup, teardown),
		cmocka_unit_test_setup_teardown(device_state_moves_to_a_new_device_and_is_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(net_frames_cross_the_stream_both_ways, setup, teardown),
		cmocka_unit_test(passt_answers_the_guests_arp),
		cmocka_unit_test(bus_reads_nothing_as_ones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
