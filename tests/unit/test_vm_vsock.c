/* virtio-vsock against a guest-memory buffer, driven through its MMIO
 * registers as a guest driver would: mew's agent ports (services on host
 * descriptors and a callback) carry data both ways, and hostile packets
 * (short headers, lengths past the chain, foreign CIDs, data on unknown
 * connections, a second reader of stdin, receive buffers too small for a
 * header) are refused or dropped while the device goes on working. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vm/virtio/devices.h"
#include "vm/virtio/mmio.h"
#include "vm/virtio/queue.h"

#define MEM_SIZE (1 << 20)
#define QSZ 16
#define GUEST_CID 3
#define RXQ 0x1000 /* each queue: desc at +0, avail at +0x400, used at +0x800 */
#define TXQ 0x2000
#define EVQ 0x3000
#define TXDATA 0x10000
#define RXDATA 0x20000
#define RXBUF 0x1000

enum { OP_REQUEST = 1, OP_RESPONSE, OP_RST, OP_SHUTDOWN, OP_RW, OP_CREDIT_UPDATE, OP_CREDIT_REQUEST };

struct hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

static struct gmem mem;
static struct virtio_mmio *t;
static uint16_t tx_avail, rx_avail, rx_seen;
static char got[256];
static size_t ngot;
static int ends;

static void *gp(uint64_t a)
{
	return mem.host + a;
}

static void wr(uint32_t off, uint32_t v)
{
	virtio_mmio_ops.write(t, off, &v, 4);
}

static uint32_t rd(uint32_t off)
{
	uint32_t v = 0;
	virtio_mmio_ops.read(t, off, &v, 4);
	return v;
}

static void nop_irq(void *opaque, int level)
{
}

static void recv_cb(void *opaque, const uint8_t *data, size_t len)
{
	if (data == NULL) {
		ends++;
		return;
	}
	if (ngot + len < sizeof(got)) {
		memcpy(got + ngot, data, len);
		ngot += len;
	}
}

static void queue_at(int q, uint64_t base)
{
	wr(0x30, (uint32_t)q);
	wr(0x38, QSZ);
	wr(0x80, (uint32_t)base);
	wr(0x90, (uint32_t)base + 0x400);
	wr(0xa0, (uint32_t)base + 0x800);
	wr(0x44, 1);
}

/* A vsock device with the agent's kind of services: port 1 reads stdin_fd,
 * port 2 writes out_fd, port 4 hands its data to recv_cb. */
static struct virtio_dev *dev;

static void start(int stdin_fd, int out_fd)
{
	const struct vsock_service svc[] = {
		{ .port = 1, .rfd = stdin_fd, .wfd = -1 },
		{ .port = 2, .rfd = -1, .wfd = out_fd },
		{ .port = 4, .rfd = -1, .wfd = -1, .recv = recv_cb },
	};
	mem.size = MEM_SIZE;
	mem.host = calloc(1, MEM_SIZE);
	assert_non_null(mem.host);
	dev = virtio_vsock_new(&mem, GUEST_CID, NULL, nop_irq, NULL, NULL);
	assert_non_null(dev);
	for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++)
		assert_int_equal(virtio_vsock_serve(dev, &svc[i]), 0);
	assert_int_equal(virtio_vsock_serve(dev, &svc[0]), -1); /* a port is served once */
	t = virtio_mmio_new(dev, 0, 5);
	assert_non_null(t);
	wr(0x70, 0);
	wr(0x70, 3);
	wr(0x24, 1);
	wr(0x20, 1);
	wr(0x70, 3 | 8);
	queue_at(0, RXQ);
	queue_at(1, TXQ);
	queue_at(2, EVQ);
	wr(0x70, 3 | 8 | 4);
	tx_avail = rx_avail = rx_seen = 0;
	ngot = 0;
	ends = 0;
}

static void stop(void)
{
	virtio_mmio_free(t);
	free(mem.host);
}

static void ring_add(uint64_t q, uint16_t *avail, uint16_t head)
{
	uint16_t idx = (uint16_t)(*avail + 1);
	memcpy(gp(q + 0x400 + 4 + 2 * (*avail % QSZ)), &head, 2);
	memcpy(gp(q + 0x400 + 2), &idx, 2);
	*avail = idx;
}

static void set_desc(uint64_t q, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { addr, len, flags, next };
	memcpy(gp(q + 16 * i), &d, 16);
}

/* The guest sends a packet: the header, and data in a second descriptor
 * whose length is datalen (which may disagree with h->len). */
static void send(struct hdr h, const void *data, uint32_t datalen)
{
	int slot = tx_avail * 2 % QSZ; /* two descriptors a packet */
	memcpy(gp(TXDATA + 0x100 * slot), &h, sizeof(h));
	set_desc(TXQ, slot, TXDATA + 0x100 * slot, sizeof(h), datalen ? VRING_DESC_F_NEXT : 0, (uint16_t)(slot + 1));
	if (datalen) {
		memcpy(gp(TXDATA + 0x100 * slot + 0x80), data, datalen);
		set_desc(TXQ, slot + 1, TXDATA + 0x100 * slot + 0x80, datalen, 0, 0);
	}
	ring_add(TXQ, &tx_avail, (uint16_t)slot);
	wr(0x50, 1);
}

static struct hdr pkt(uint16_t op, uint32_t gport, uint32_t hport)
{
	return (struct hdr){ .src_cid = GUEST_CID, .dst_cid = 2, .src_port = gport, .dst_port = hport,
			     .type = 1, .op = op, .buf_alloc = 65536 };
}

/* Post a receive buffer of len bytes. */
static void post_rx(uint32_t len)
{
	uint16_t i = rx_avail % QSZ;
	set_desc(RXQ, i, RXDATA + (uint64_t)RXBUF * i, len, VRING_DESC_F_WRITE, 0);
	ring_add(RXQ, &rx_avail, i);
	wr(0x50, 0);
}

/* The next packet the device put into a receive buffer, or NULL. */
static struct hdr *next_rx(uint32_t *len)
{
	uint16_t used;
	uint32_t elem[2];
	memcpy(&used, gp(RXQ + 0x800 + 2), 2);
	if (used == rx_seen)
		return NULL;
	memcpy(elem, gp(RXQ + 0x800 + 4 + 8 * (rx_seen % QSZ)), 8);
	rx_seen++;
	*len = elem[1];
	return gp(RXDATA + (uint64_t)RXBUF * elem[0]);
}

static void expect_rx(uint16_t op, uint32_t gport, uint32_t hport)
{
	uint32_t len;
	struct hdr *h = next_rx(&len);
	assert_non_null(h);
	assert_true(len >= sizeof(*h));
	assert_int_equal(h->op, op);
	assert_int_equal(h->dst_port, gport);
	assert_int_equal(h->src_port, hport);
	assert_int_equal(h->dst_cid, GUEST_CID);
}

static void connect_to(uint32_t gport, uint32_t hport, uint16_t want)
{
	send(pkt(OP_REQUEST, gport, hport), NULL, 0);
	expect_rx(want, gport, hport);
}

static void services_carry_data_both_ways(void **state)
{
	int in[2], out[2];
	char buf[64];
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	start(in[0], out[1]);
	for (int i = 0; i < 8; i++)
		post_rx(RXBUF);

	/* stdout: the guest's data is written to the host descriptor */
	connect_to(100, 2, OP_RESPONSE);
	struct hdr h = pkt(OP_RW, 100, 2);
	h.len = 6;
	send(h, "hello\n", 6);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "hello\n", 6);

	/* status: a callback; the end of the connection is reported too */
	connect_to(101, 4, OP_RESPONSE);
	h = pkt(OP_RW, 101, 4);
	h.len = 2;
	send(h, "7\n", 2);
	assert_int_equal(ngot, 2);
	assert_memory_equal(got, "7\n", 2);
	send(pkt(OP_SHUTDOWN, 101, 4), NULL, 0);
	expect_rx(OP_RST, 101, 4);
	assert_int_equal(ends, 1);

	/* stdin: host data reaches the guest; one reader at a time */
	connect_to(102, 1, OP_RESPONSE);
	connect_to(103, 1, OP_RST);
	assert_int_equal(write(in[1], "typed", 5), 5);
	virtio_vsock_poll(dev);
	uint32_t len;
	struct hdr *r = next_rx(&len);
	assert_non_null(r);
	assert_int_equal(r->op, OP_RW);
	assert_int_equal(r->len, 5);
	assert_int_equal(len, sizeof(*r) + 5);
	assert_memory_equal(r + 1, "typed", 5);
	/* EOF on stdin: the guest hears the host will send no more */
	close(in[1]);
	virtio_vsock_poll(dev);
	expect_rx(OP_SHUTDOWN, 102, 1);

	/* nobody serves port 9 and there is no Unix socket prefix */
	connect_to(104, 9, OP_RST);
	stop();
	close(in[0]);
	close(out[0]);
	close(out[1]);
}

static void host_data_is_cut_to_the_guests_buffer_and_credit(void **state)
{
	int in[2];
	char big[5000];
	assert_int_equal(pipe(in), 0);
	start(in[0], -1);
	post_rx(RXBUF);
	connect_to(200, 1, OP_RESPONSE);
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(in[1], big, sizeof(big)), (ssize_t)sizeof(big));

	/* a buffer with room for 100 bytes of data gets 100 of them, not a drop */
	post_rx(sizeof(struct hdr) + 100);
	virtio_vsock_poll(dev);
	uint32_t len;
	struct hdr *r = next_rx(&len);
	assert_non_null(r);
	assert_int_equal(r->op, OP_RW);
	assert_int_equal(r->len, 100);

	/* a buffer too small for a header comes back empty; the next one works */
	post_rx(8);
	virtio_vsock_poll(dev);
	r = next_rx(&len);
	assert_non_null(r);
	assert_int_equal(len, 0);
	post_rx(RXBUF);
	virtio_vsock_poll(dev);
	r = next_rx(&len);
	assert_non_null(r);
	assert_int_equal(r->len, RXBUF - sizeof(struct hdr));

	/* the guest's credit bounds what it is sent: 300 bytes, then nothing */
	send((struct hdr){ .src_cid = GUEST_CID, .dst_cid = 2, .src_port = 200, .dst_port = 1, .type = 1,
			   .op = OP_CREDIT_UPDATE, .buf_alloc = 100 + (RXBUF - sizeof(struct hdr)) + 300 },
	     NULL, 0);
	post_rx(RXBUF);
	post_rx(RXBUF);
	virtio_vsock_poll(dev);
	r = next_rx(&len);
	assert_non_null(r);
	assert_int_equal(r->len, 300);
	assert_null(next_rx(&len));
	stop();
	close(in[0]);
	close(in[1]);
}

static void hostile_packets_are_dropped_or_refused(void **state)
{
	int out[2];
	char buf[64];
	assert_int_equal(pipe(out), 0);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	start(-1, out[1]);
	for (int i = 0; i < 8; i++)
		post_rx(RXBUF);

	/* a header shorter than a header: ignored */
	struct hdr h = pkt(OP_REQUEST, 300, 2);
	memcpy(gp(TXDATA), &h, sizeof(h));
	set_desc(TXQ, 0, TXDATA, 10, 0, 0);
	ring_add(TXQ, &tx_avail, 0);
	wr(0x50, 1);
	uint32_t len;
	assert_null(next_rx(&len));

	/* a foreign source CID, a wrong destination, a datagram type: dropped */
	h = pkt(OP_REQUEST, 300, 2);
	h.src_cid = 99;
	send(h, NULL, 0);
	h = pkt(OP_REQUEST, 300, 2);
	h.dst_cid = 7;
	send(h, NULL, 0);
	h = pkt(OP_REQUEST, 300, 2);
	h.type = 2;
	send(h, NULL, 0);
	assert_null(next_rx(&len));

	/* data on a connection that does not exist: reset */
	h = pkt(OP_RW, 301, 2);
	h.len = 4;
	send(h, "evil", 4);
	expect_rx(OP_RST, 301, 2);
	assert_int_equal(read(out[0], buf, sizeof(buf)), -1);

	/* a length past the chain is cut to what the chain holds */
	connect_to(302, 2, OP_RESPONSE);
	h = pkt(OP_RW, 302, 2);
	h.len = 0xffffff00;
	send(h, "abc", 3);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	/* the same connection twice: refused, the first one goes on */
	connect_to(302, 2, OP_RST);
	h.len = 2;
	send(h, "ok", 2);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 2);

	/* unknown operations change nothing */
	h = pkt(99, 302, 2);
	send(h, NULL, 0);
	assert_int_equal(rd(0x70) & 0x40, 0);
	stop();
	close(out[0]);
	close(out[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(services_carry_data_both_ways),
		cmocka_unit_test(host_data_is_cut_to_the_guests_buffer_and_credit),
		cmocka_unit_test(hostile_packets_are_dropped_or_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
