/* mew's test guest: a freestanding x86-64 program (general-purpose registers
 * only) that drives the serial port and each virtio-mmio device by polling,
 * so that the VMM is checked end to end where a Linux kernel cannot boot.
 *
 * It runs the words after " -- " on its command line:
 *   hello | echo WORD | exit=N | devices | console BYTES | rng | blk | ext4 |
 *   rx BYTES | 9p PATH | vsock PORT | vsend PORT TEXT | vcat | hostile | spin N |
 *   cmdline | fault | reset | int3 | fwait | emulfail
 * and reports its status on port 0xf4 (mew's exit port, qemu's isa-debug-exit). */
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* One string instruction each: a loop would cost a microsecond a byte where
 * KVM executes guest instructions in software. */
void *memset(void *d, int c, size_t n)
{
	void *p = d;
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *p = d;
	__asm__ volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
	return d;
}

static size_t slen(const char *s)
{
	size_t n = (size_t)-1;
	__asm__ volatile("repne scasb" : "+D"(s), "+c"(n) : "a"(0) : "memory", "cc");
	return ~n - 1;
}

/* The first c in s[0, n), or 0. */
static const char *find_char(const char *s, int c, size_t n)
{
	if (n == 0)
		return 0;
	__asm__ volatile("repne scasb" : "+D"(s), "+c"(n) : "a"(c) : "memory", "cc");
	return s[-1] == (char)c ? s - 1 : 0;
}

static int seq(const char *a, const char *b, size_t n)
{
	unsigned char eq;
	if (n == 0)
		return 1;
	__asm__ volatile("repe cmpsb; sete %0" : "=q"(eq), "+S"(a), "+D"(b), "+c"(n) : : "memory", "cc");
	return eq;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void barrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

/* ---- serial ---- */

static void putc_(char c)
{
	while (!(inb(0x3f8 + 5) & 0x20))
		;
	outb(0x3f8, (u8)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putn(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putc_(s[i]);
}

static void putu(u64 v)
{
	char b[24];
	int i = 0;
	do
		b[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i--)
		putc_(b[i]);
}

static void puthex(u64 v, int digits)
{
	for (int i = digits - 1; i >= 0; i--)
		putc_("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}

static void __attribute__((noreturn)) finish(u8 status)
{
	outb(0xf4, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static int failed;

static void fail(const char *what)
{
	puts_("FAIL: ");
	puts_(what);
	puts_("\n");
	failed = 1;
}

/* ---- virtio-mmio (version 2), polled ---- */

enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_DEV_FEAT = 0x010,
	R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024, R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070, R_DESC_LO = 0x080,
	R_DESC_HI = 0x084, R_DRIVER_LO = 0x090, R_DRIVER_HI = 0x094, R_DEVICE_LO = 0x0a0,
	R_DEVICE_HI = 0x0a4, R_CONFIG = 0x100,
	S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40,
	D_NEXT = 1, D_WRITE = 2,
};

/* Queues are as large as the device allows, up to QSIZE (qemu's virtio-serial
 * offers 128, its virtio-rng 8). */
#define QSIZE 128

struct desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

struct queue {
	struct desc desc[QSIZE] __attribute__((aligned(16)));
	struct {
		u16 flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		u16 flags, idx;
		struct {
			u32 id, len;
		} ring[QSIZE];
		u16 avail_event;
	} used __attribute__((aligned(4)));
	u16 seen;
	u16 next_desc;
	u16 size; /* entries in use: a power of two up to QSIZE */
};

struct dev {
	u64 base;
	u32 id;
	struct queue q[3];
};

static struct dev devs[8];
static int ndevs;

static u32 rd(struct dev *d, u32 off)
{
	return *(volatile u32 *)(d->base + off);
}

static void wr(struct dev *d, u32 off, u32 v)
{
	*(volatile u32 *)(d->base + off) = v;
}

static u64 parse_num(const char **p)
{
	const char *s = *p;
	u64 v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		for (;;) {
			char c = *s;
			if (c >= '0' && c <= '9')
				v = v * 16 + (u64)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (u64)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (u64)(c - 'A' + 10);
			else
				break;
			s++;
		}
	} else {
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (u64)(*s++ - '0');
	}
	*p = s;
	return v;
}

/* Devices are found only when a command asks for one: each register read
 * is a VM exit (about 50 us where KVM is nested), and each guest instruction
 * about a microsecond, so even the command line is read lazily. */
static const char *dev_cursor, *dev_end; /* the rest of the command line */
static int microvm_slot = -1;		 /* scanning qemu microvm's slots instead */

/* Strings are scanned with string instructions: a byte-at-a-time loop costs
 * microseconds a byte here. */
static void find_devices(const char *cl)
{
	dev_cursor = cl;
	dev_end = cl + slen(cl);
}

/* The next announced virtio_mmio.device=<size>@<base>:<irq> (as mew and qemu
 * -M microvm announce them), else the next of the microvm machine's 24
 * virtio-mmio slots of 512 bytes (qemu with a PVH kernel announces none). */
static int next_base(u64 *base)
{
	static const char key[] = "virtio_mmio.device=";
	const char *p = dev_cursor;

	while (microvm_slot < 0 && p != 0 && (p = find_char(p, 'v', (size_t)(dev_end - p))) != 0) {
		p++;
		if (!seq(p - 1, key, sizeof(key) - 1))
			continue;
		p += sizeof(key) - 2;
		parse_num(&p);
		if (*p == 'K' || *p == 'k')
			p++;
		if (*p != '@')
			continue;
		p++;
		*base = parse_num(&p);
		dev_cursor = p;
		return 1;
	}
	dev_cursor = 0;
	if (microvm_slot < 0)
		microvm_slot = ndevs > 0 ? 24 : 0; /* slots only when nothing was announced */
	if (microvm_slot >= 24)
		return 0;
	*base = 0xfeb00000ULL + (u64)microvm_slot++ * 0x200;
	return 1;
}

/* Probe the next slot: 1 when it held a device, 0 when empty, -1 at the end. */
static int probe_next(void)
{
	struct dev *d = &devs[ndevs];
	if (ndevs >= 8 || !next_base(&d->base))
		return -1;
	d->id = rd(d, R_DEVICE_ID); /* 0: an empty slot */
	if (d->id == 0 || rd(d, R_MAGIC) != 0x74726976)
		return 0;
	ndevs++;
	return 1;
}

static struct dev *find_dev(u32 id)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].id == id)
			return &devs[i];
	for (int r; (r = probe_next()) >= 0;)
		if (r == 1 && devs[ndevs - 1].id == id)
			return &devs[ndevs - 1];
	return 0;
}

static void queue_setup(struct dev *d, int qi)
{
	struct queue *q = &d->q[qi];
	memset(q, 0, sizeof(*q));
	wr(d, R_QUEUE_SEL, (u32)qi);
	u32 max = rd(d, R_QUEUE_NUM_MAX);
	q->size = QSIZE;
	while (q->size > max && q->size > 1)
		q->size >>= 1;
	/* The guest polls: no interrupts wanted (a VM exit each saved). */
	q->avail.flags = 1; /* VRING_AVAIL_F_NO_INTERRUPT */
	wr(d, R_QUEUE_NUM, q->size);
	/* The test guest lives below 4 GiB, and a reset device's high halves
	 * are 0 (mew and qemu): only the low halves are written. */
	wr(d, R_DESC_LO, (u32)(u64)q->desc);
	wr(d, R_DRIVER_LO, (u32)(u64)&q->avail);
	wr(d, R_DEVICE_LO, (u32)(u64)&q->used);
	wr(d, R_QUEUE_READY, 1);
}

/* Reset d and set up the queues in mask (bit i: queue i). */
static int dev_init_q(struct dev *d, u32 features, u32 mask)
{
	wr(d, R_STATUS, 0);
	wr(d, R_STATUS, S_ACK | S_DRIVER);
	wr(d, R_DEV_FEAT_SEL, 1);
	if (!(rd(d, R_DEV_FEAT) & 1))
		return -1;
	wr(d, R_DRV_FEAT_SEL, 1);
	wr(d, R_DRV_FEAT, 1); /* VIRTIO_F_VERSION_1 */
	wr(d, R_DRV_FEAT_SEL, 0);
	wr(d, R_DRV_FEAT, features);
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK))
		return -1;
	for (int i = 0; i < 3; i++)
		if (mask & (1u << i))
			queue_setup(d, i);
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return 0;
}

static int dev_init(struct dev *d, u32 features, int nq)
{
	return dev_init_q(d, features, (1u << nq) - 1);
}

struct buf {
	const void *p;
	u32 len;
	int write; /* device writes it */
};

/* Post one chain without waiting. */
static void post(struct dev *d, int qi, const struct buf *b, int n)
{
	struct queue *q = &d->q[qi];
	u16 head = q->next_desc;
	for (int i = 0; i < n; i++) {
		u16 k = (u16)((head + i) % q->size);
		q->desc[k].addr = (u64)b[i].p;
		q->desc[k].len = b[i].len;
		q->desc[k].flags = (u16)((b[i].write ? D_WRITE : 0) | (i + 1 < n ? D_NEXT : 0));
		q->desc[k].next = (u16)((k + 1) % q->size);
	}
	q->next_desc = (u16)((head + n) % q->size);
	q->avail.ring[q->avail.idx % q->size] = head;
	barrier();
	q->avail.idx++;
	barrier();
	wr(d, R_QUEUE_NOTIFY, (u32)qi);
}

/* Wait for the next used element; its length, or -1 after a long wait. */
static long wait_used(struct dev *d, int qi)
{
	struct queue *q = &d->q[qi];
	for (u64 spin = 0; spin < 50000000; spin++) {
		barrier();
		if (*(volatile u16 *)&q->used.idx != q->seen) {
			u32 len = q->used.ring[q->seen % q->size].len;
			q->seen++;
			return len;
		}
		__asm__ volatile("pause");
	}
	return -1;
}

static long request(struct dev *d, int qi, const struct buf *b, int n)
{
	post(d, qi, b, n);
	return wait_used(d, qi);
}

/* ---- the tests ---- */

static void cmd_devices(void)
{
	while (probe_next() >= 0)
		;
	for (int i = 0; i < ndevs; i++) {
		puts_("virtio device ");
		putu(devs[i].id);
		puts_(" at 0x");
		puthex(devs[i].base, 8);
		puts_("\n");
	}
}

/* tg_pages (start.S): 16 copies of a page of the alphabet, each ending in a
 * newline.  1 MiB goes out as one request of 16 descriptors of 64 KiB: few
 * guest instructions and one notification, the VMM's own work is what
 * costs.  Only the transmit queue is set up. */
extern const u8 tg_pages[65536];

static void cmd_console(u64 bytes)
{
	struct dev *d = find_dev(3);
	static struct buf b[QSIZE];

	if (d == 0 || dev_init_q(d, 0, 2) < 0)
		return fail("console: no virtio-console");
	while (bytes > 0) {
		int n = 0;
		/* whole pages (in 64 KiB pieces), then the last k bytes of a page */
		while (bytes > 0 && n < d->q[1].size) {
			u32 k = bytes >= 65536 ? 65536 : bytes >= 4096 ? (u32)(bytes & ~4095ULL) : (u32)bytes;
			b[n++] = (struct buf){ k >= 4096 ? tg_pages : tg_pages + 4096 - k, k, 0 };
			bytes -= k;
		}
		if (request(d, 1, b, n) < 0)
			return fail("console: no answer");
	}
}

/* Receive n bytes of host input on virtio-console (mew run -i) and echo them. */
static void cmd_rx(u64 n)
{
	static u8 in[256];
	struct dev *d = find_dev(3);
	u64 got = 0;

	if (d == 0 || dev_init(d, 0, 2) < 0)
		return fail("rx: no virtio-console");
	if (n > sizeof(in))
		n = sizeof(in);
	puts_("rx: ");
	while (got < n) {
		struct buf b = { in, (u32)(n - got), 1 };
		long k = request(d, 0, &b, 1);
		if (k <= 0)
			return fail("rx: no input");
		putn((char *)in, (size_t)k);
		got += (u64)k;
	}
	puts_("\n");
}

static void cmd_rng(void)
{
	static u8 r[32];
	struct dev *d = find_dev(4);
	struct buf b = { r, sizeof(r), 1 };
	int nonzero = 0;

	if (d == 0 || dev_init(d, 0, 1) < 0)
		return fail("rng: no virtio-rng");
	if (request(d, 0, &b, 1) != sizeof(r))
		return fail("rng: short read");
	for (u32 i = 0; i < sizeof(r); i++)
		nonzero |= r[i];
	if (!nonzero)
		return fail("rng: all zero");
	puts_("rng: ");
	for (u32 i = 0; i < 8; i++)
		puthex(r[i], 2);
	puts_("\n");
}

struct blk_req {
	u32 type, reserved;
	u64 sector;
};

static int blk_io(struct dev *d, u32 type, u64 sector, void *data, u32 len)
{
	static struct blk_req h;
	static u8 status;
	struct buf b[3] = { { &h, sizeof(h), 0 }, { data, len, type == 0 }, { &status, 1, 1 } };
	h.type = type;
	h.sector = sector;
	status = 0xff;
	if (request(d, 0, b, 3) < 0)
		return -1;
	return status;
}

static void cmd_blk(void)
{
	static u8 sec[512], back[512];
	static const char mark[] = "mew-blk-ok";
	struct dev *d = find_dev(2);
	u32 cap;

	if (d == 0 || dev_init(d, 0, 1) < 0)
		return fail("blk: no virtio-blk");
	cap = rd(d, R_CONFIG);
	if (blk_io(d, 0, 0, sec, 512) != 0)
		return fail("blk: reading sector 0");
	puts_("blk: ");
	putu(cap);
	puts_(" sectors, sector 0 begins `");
	for (int i = 0; i < 16 && sec[i] >= ' ' && sec[i] < 127; i++)
		putc_((char)sec[i]);
	puts_("`\n");
	memset(sec, 0, sizeof(sec));
	memcpy(sec, mark, sizeof(mark));
	if (blk_io(d, 1, 1, sec, 512) != 0)
		return fail("blk: writing sector 1");
	if (blk_io(d, 0, 1, back, 512) != 0 || !seq((char *)back, mark, sizeof(mark)))
		return fail("blk: sector 1 did not read back");
	if (blk_io(d, 0, cap, back, 512) == 0)
		return fail("blk: a read past the end succeeded");
	puts_("blk: wrote and read back sector 1\n");
}

/* ext4: the disk's superblock (at byte 1024) says ext4 and names its label. */
static void cmd_ext4(void)
{
	static u8 sb[1024];
	struct dev *d = find_dev(2);

	if (d == 0 || dev_init(d, 0, 1) < 0)
		return fail("ext4: no virtio-blk");
	if (blk_io(d, 0, 2, sb, 1024) != 0)
		return fail("ext4: reading the superblock");
	if (sb[0x38] != 0x53 || sb[0x39] != 0xef)
		return fail("ext4: no ext2/3/4 superblock magic");
	puts_("ext4: label `");
	for (int i = 0; i < 16 && sb[0x78 + i] != 0; i++)
		putc_((char)sb[0x78 + i]);
	puts_("`\n");
}

/* 9P2000.L over virtio-9p: version, attach, walk, lopen, read. */
static u8 p9_out[512], p9_in[8192];
static u32 p9_len;

static void p9_begin(u8 type)
{
	p9_len = 7;
	p9_out[4] = type;
	p9_out[5] = 1;
	p9_out[6] = 0;
}

static void p9_u32(u32 v)
{
	memcpy(p9_out + p9_len, &v, 4);
	p9_len += 4;
}

static void p9_u16(u16 v)
{
	memcpy(p9_out + p9_len, &v, 2);
	p9_len += 2;
}

static void p9_u64(u64 v)
{
	memcpy(p9_out + p9_len, &v, 8);
	p9_len += 8;
}

static void p9_str(const char *s, size_t n)
{
	p9_u16((u16)n);
	memcpy(p9_out + p9_len, s, n);
	p9_len += (u32)n;
}

static int p9_call(struct dev *d, u8 want)
{
	struct buf b[2] = { { p9_out, 0, 0 }, { p9_in, sizeof(p9_in), 1 } };
	memcpy(p9_out, &p9_len, 4);
	b[0].len = p9_len;
	if (request(d, 0, b, 2) < 7)
		return -1;
	if (p9_in[4] == 7) {
		u32 e;
		memcpy(&e, p9_in + 7, 4);
		puts_("9p: error ");
		putu(e);
		puts_("\n");
		return -1;
	}
	return p9_in[4] == want ? 0 : -1;
}

static void cmd_9p(const char *path, size_t plen)
{
	struct dev *d = find_dev(9);
	u16 nw = 0;
	u32 count;

	if (d == 0 || dev_init(d, 1, 1) < 0)
		return fail("9p: no virtio-9p");
	puts_("9p: tag `");
	u16 tl = (u16)rd(d, R_CONFIG);
	for (u16 i = 0; i < tl && i < 32; i++)
		putc_((char)*(volatile u8 *)(d->base + R_CONFIG + 2 + i));
	puts_("`\n");
	p9_begin(100);
	p9_out[5] = p9_out[6] = 0xff;
	p9_u32(8192);
	p9_str("9P2000.L", 8);
	if (p9_call(d, 101) < 0)
		return fail("9p: Tversion");
	p9_begin(104);
	p9_u32(0);
	p9_u32(~0u);
	p9_str("root", 4);
	p9_str("", 0);
	p9_u32(0);
	if (p9_call(d, 105) < 0)
		return fail("9p: Tattach");
	p9_begin(110);
	p9_u32(0);
	p9_u32(1);
	u32 nwpos = p9_len;
	p9_u16(0);
	for (size_t i = 0; i < plen;) {
		while (i < plen && path[i] == '/')
			i++;
		size_t j = i;
		while (j < plen && path[j] != '/')
			j++;
		if (j > i) {
			p9_str(path + i, j - i);
			nw++;
		}
		i = j;
	}
	memcpy(p9_out + nwpos, &nw, 2);
	if (p9_call(d, 111) < 0)
		return fail("9p: Twalk");
	p9_begin(12);
	p9_u32(1);
	p9_u32(0); /* O_RDONLY */
	if (p9_call(d, 13) < 0)
		return fail("9p: Tlopen");
	p9_begin(116);
	p9_u32(1);
	p9_u64(0);
	p9_u32(4096);
	if (p9_call(d, 117) < 0)
		return fail("9p: Tread");
	memcpy(&count, p9_in + 7, 4);
	if (count > 4096)
		return fail("9p: Rread count too large");
	puts_("9p: ");
	putn((char *)p9_in + 11, count);
	p9_begin(120); /* Tclunk */
	p9_u32(1);
	if (p9_call(d, 121) < 0)
		return fail("9p: Tclunk");
}

struct vsock_hdr {
	u64 src_cid, dst_cid;
	u32 src_port, dst_port, len;
	u16 type, op;
	u32 flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

enum { VS_REQUEST = 1, VS_RESPONSE = 2, VS_RST = 3, VS_SHUTDOWN = 4, VS_RW = 5, VS_CREDIT_UPDATE = 6 };

static struct {
	struct vsock_hdr h;
	u8 data[1024];
} vs_rx[4];

static struct vsock_hdr *vsock_recv(struct dev *d, int slot_hint)
{
	long n = wait_used(d, 0);
	if (n < (long)sizeof(struct vsock_hdr))
		return 0;
	u32 id = d->q[0].used.ring[(u16)(d->q[0].seen - 1) % d->q[0].size].id;
	(void)slot_hint;
	return &vs_rx[id / 2 % 4].h;
}

static void cmd_vsock(u32 port)
{
	static struct vsock_hdr tx;
	static char payload[] = "ping\n";
	struct dev *d = find_dev(19);
	u64 cid;

	if (d == 0 || dev_init(d, 0, 3) < 0)
		return fail("vsock: no virtio-vsock");
	cid = rd(d, R_CONFIG) | ((u64)rd(d, R_CONFIG + 4) << 32);
	for (int i = 0; i < 4; i++) {
		struct buf b[2] = { { &vs_rx[i].h, sizeof(vs_rx[i].h), 1 }, { vs_rx[i].data, sizeof(vs_rx[i].data), 1 } };
		post(d, 0, b, 2);
	}
	memset(&tx, 0, sizeof(tx));
	tx.src_cid = cid;
	tx.dst_cid = 2;
	tx.src_port = 1000;
	tx.dst_port = port;
	tx.type = 1;
	tx.buf_alloc = 65536;
	tx.op = VS_REQUEST;
	struct buf b = { &tx, sizeof(tx), 0 };
	if (request(d, 1, &b, 1) < 0)
		return fail("vsock: sending the request");
	struct vsock_hdr *h = vsock_recv(d, 0);
	if (h == 0 || h->op != VS_RESPONSE)
		return fail("vsock: connection refused");
	tx.op = VS_RW;
	tx.len = sizeof(payload) - 1;
	struct buf bb[2] = { { &tx, sizeof(tx), 0 }, { payload, sizeof(payload) - 1, 0 } };
	if (request(d, 1, bb, 2) < 0)
		return fail("vsock: sending data");
	for (;;) {
		h = vsock_recv(d, 1);
		if (h == 0)
			return fail("vsock: no reply");
		if (h->op == VS_RW)
			break;
		if (h->op == VS_RST || h->op == VS_SHUTDOWN)
			return fail("vsock: connection closed before a reply");
	}
	puts_("vsock: ");
	putn((char *)(h + 1), h->len > 1024 ? 1024 : h->len);
	tx.op = VS_SHUTDOWN;
	tx.len = 0;
	tx.flags = 3;
	b.len = sizeof(tx);
	request(d, 1, &b, 1);
}

/* A small vsock client for mew's agent protocol (src/vm/agent.h): the
 * stream ports the host serves itself. */
static struct dev *vs;
static u64 vs_cid;
static u32 vs_fwd; /* bytes taken from the host, all connections */
static struct {
	struct vsock_hdr h;
	u8 data[2048];
} vs_buf[4];
static u8 vs_owner[QSIZE]; /* descriptor -> vs_buf */
static int vs_held = -1;   /* the buffer vs_next last returned, reposted on the next call */

static void vs_post(int k)
{
	struct buf b = { &vs_buf[k], sizeof(vs_buf[k]), 1 };
	vs_owner[vs->q[0].next_desc] = (u8)k;
	post(vs, 0, &b, 1);
}

static int vs_open(void)
{
	if (vs != 0)
		return 0;
	vs = find_dev(19);
	if (vs == 0 || dev_init(vs, 0, 3) < 0)
		return vs = 0, -1;
	vs_cid = rd(vs, R_CONFIG) | ((u64)rd(vs, R_CONFIG + 4) << 32);
	for (int k = 0; k < 4; k++)
		vs_post(k);
	return 0;
}

static int vs_send(u16 op, u32 lport, u32 port, const void *data, u32 len, u32 flags)
{
	static struct vsock_hdr tx;
	memset(&tx, 0, sizeof(tx));
	tx.src_cid = vs_cid;
	tx.dst_cid = 2;
	tx.src_port = lport;
	tx.dst_port = port;
	tx.type = 1;
	tx.op = op;
	tx.len = len;
	tx.flags = flags;
	tx.buf_alloc = 65536;
	tx.fwd_cnt = vs_fwd;
	struct buf b[2] = { { &tx, sizeof(tx), 0 }, { data, len, 0 } };
	return request(vs, 1, b, len > 0 ? 2 : 1) < 0 ? -1 : 0;
}

/* The next packet from the host; valid until the next call. */
static struct vsock_hdr *vs_next(void)
{
	if (vs_held >= 0)
		vs_post(vs_held);
	vs_held = -1;
	long n = wait_used(vs, 0);
	if (n < (long)sizeof(struct vsock_hdr))
		return 0;
	u32 id = vs->q[0].used.ring[(u16)(vs->q[0].seen - 1) % vs->q[0].size].id;
	vs_held = vs_owner[id % QSIZE];
	return &vs_buf[vs_held].h;
}

/* Connect local port lport to the host's port: 0, or -1 when refused. */
static int vs_connect(u32 lport, u32 port)
{
	if (vs_send(VS_REQUEST, lport, port, 0, 0, 0) < 0)
		return -1;
	for (;;) {
		struct vsock_hdr *h = vs_next();
		if (h == 0)
			return -1;
		if (h->dst_port == lport && h->src_port == port && (h->op == VS_RESPONSE || h->op == VS_RST))
			return h->op == VS_RESPONSE ? 0 : -1;
	}
}

/* vsend PORT TEXT: TEXT and a newline on a new stream to the host's port. */
static void cmd_vsend(u32 port, const char *text, size_t n)
{
	static u32 lport = 2000;
	static char line[256];

	if (vs_open() < 0)
		return fail("vsend: no virtio-vsock");
	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	memcpy(line, text, n);
	line[n] = '\n';
	lport++;
	if (vs_connect(lport, port) < 0)
		return fail("vsend: the host refused the port");
	if (vs_send(VS_RW, lport, port, line, (u32)n + 1, 0) < 0 || vs_send(VS_SHUTDOWN, lport, port, 0, 0, 3) < 0)
		return fail("vsend: sending");
}

/* vcat: the host's stdin stream (mew run -i) copied to its stdout stream. */
static void cmd_vcat(void)
{
	if (vs_open() < 0)
		return fail("vcat: no virtio-vsock");
	if (vs_connect(3001, 2) < 0)
		return fail("vcat: the host refused stdout");
	if (vs_connect(3000, 1) < 0) {
		vs_send(VS_RW, 3001, 2, "no stdin\n", 9, 0);
		return;
	}
	for (;;) {
		struct vsock_hdr *h = vs_next();
		if (h == 0)
			return fail("vcat: nothing from the host");
		if (h->dst_port != 3000)
			continue;
		if (h->op == VS_RW) {
			u32 len = h->len > sizeof(vs_buf[0].data) ? (u32)sizeof(vs_buf[0].data) : h->len;
			vs_fwd += len;
			if (vs_send(VS_RW, 3001, 2, (u8 *)(h + 1), len, 0) < 0)
				return fail("vcat: sending");
			/* the host learns the credit from packets on this stream */
			if ((vs_fwd & 16383) < len && vs_send(VS_CREDIT_UPDATE, 3000, 1, 0, 0, 0) < 0)
				return fail("vcat: credit");
		} else if (h->op == VS_SHUTDOWN || h->op == VS_RST) {
			break;
		}
	}
	vs_send(VS_SHUTDOWN, 3001, 2, 0, 0, 3);
	vs_send(VS_SHUTDOWN, 3000, 1, 0, 0, 3);
}

/* Hand the rng device malformed queues; each must be refused (the device
 * sets DEVICE_NEEDS_RESET) and the VMM must go on answering. */
static int hostile_case(struct dev *d, int which)
{
	static u8 r[16];
	struct queue *q = &d->q[0];

	if (dev_init(d, 0, 1) < 0)
		return -1;
	switch (which) {
	case 0: /* a descriptor loop */
		q->desc[0] = (struct desc){ (u64)r, 16, D_NEXT | D_WRITE, 1 };
		q->desc[1] = (struct desc){ (u64)r, 16, D_NEXT | D_WRITE, 0 };
		break;
	case 1: /* an address outside guest RAM */
		q->desc[0] = (struct desc){ 0xfffffffff000ULL, 16, D_WRITE, 0 };
		break;
	case 2: /* a length far larger than RAM */
		q->desc[0] = (struct desc){ (u64)r, 0xfffffff0u, D_WRITE, 0 };
		break;
	case 3: /* the available index jumps past the ring */
		q->avail.ring[0] = 0;
		q->desc[0] = (struct desc){ (u64)r, 16, D_WRITE, 0 };
		barrier();
		q->avail.idx = 1000;
		barrier();
		wr(d, R_QUEUE_NOTIFY, 0);
		goto check;
	case 4: /* a head index out of the ring */
		q->avail.ring[0] = 999;
		break;
	}
	q->avail.ring[0] = which == 4 ? 999 : 0;
	barrier();
	q->avail.idx = 1;
	barrier();
	wr(d, R_QUEUE_NOTIFY, 0);
check:
	for (int i = 0; i < 1000000; i++)
		if (rd(d, R_STATUS) & S_NEEDS_RESET)
			return 0;
	return -1;
}

static void cmd_hostile(void)
{
	static const char *names[] = { "descriptor loop", "out-of-range address", "oversized length",
				       "ring index jump", "head out of ring" };
	struct dev *d = find_dev(4);
	int refused = 0;

	if (d == 0)
		return fail("hostile: no virtio-rng");
	for (int i = 0; i < 5; i++) {
		if (hostile_case(d, i) == 0) {
			refused++;
		} else {
			puts_("hostile: not refused: ");
			puts_(names[i]);
			puts_("\n");
		}
	}
	puts_("hostile: refused ");
	putu((u64)refused);
	puts_(" of 5\n");
	if (refused != 5)
		fail("hostile");
	/* After a reset the device works again. */
	cmd_rng();
}

static void cmd_fault(void)
{
	static const struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(idt));
}

/* int3 through a real IDT: a #BP handler that counts and returns.  (Where
 * KVM runs guest code in its instruction emulator, which cannot deliver int3
 * outside real mode, mew completes it.) */
extern char tg_bp_handler[];
volatile u64 tg_bp_count;
__asm__(".text\n"
	"tg_bp_handler:\n"
	"	incq tg_bp_count(%rip)\n"
	"	iretq\n");

static void cmd_int3(void)
{
	static u64 idt[2 * 4];
	static const struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (u64)idt };
	u64 h = (u64)tg_bp_handler;
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	/* vector 3: a present 64-bit interrupt gate, DPL 0 */
	idt[6] = (h & 0xffff) | ((u64)cs << 16) | (0x8eULL << 40) | ((h >> 16 & 0xffff) << 48);
	idt[7] = h >> 32;
	__asm__ volatile("lidt %0; int3; int3" : : "m"(desc) : "memory");
	puts_("int3: handled ");
	putu(tg_bp_count);
	putc_('\n');
	if (tg_bp_count != 2)
		fail("int3");
}

/* fwait with no x87 exception pending does nothing (mew completes it where
 * KVM's emulator runs guest code and does not know it). */
static void cmd_fwait(void)
{
	__asm__ volatile("fninit; fwait; fwait" ::: "memory");
	puts_("fwait: ok\n");
}

/* An instruction KVM's emulator does not know (popcnt) reading MMIO where no
 * device is: KVM must emulate it and cannot, on any host. */
static void __attribute__((noinline)) cmd_emulfail(void)
{
	u64 v;
	__asm__ volatile("popcnt (%1), %0" : "=r"(v) : "r"(0xe0000000ULL) : "memory");
	(void)v;
}

static const char *word(const char **p, size_t *n)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	const char *w = s;
	while (*s && *s != ' ')
		s++;
	*n = (size_t)(s - w);
	*p = s;
	return *n ? w : 0;
}

static int is(const char *w, size_t n, const char *lit)
{
	return n == slen(lit) && seq(w, lit, n);
}

void tg_main(int pvh, const u8 *info)
{
	const char *cl, *p, *w;
	u64 cmdline;
	size_t n;
	int status = -1;

	if (pvh)
		cmdline = *(const u64 *)(info + 24);
	else
		cmdline = *(const u32 *)(info + 0x228) | ((u64) * (const u32 *)(info + 0xc8) << 32);
	cl = cmdline ? (const char *)cmdline : "";
	find_devices(cl);
	p = cl;
	const char *end = cl + slen(cl);
	for (const char *s = cl; (s = find_char(s, '-', (size_t)(end - s))) != 0; s++)
		if (s[1] == '-' && (s[2] == ' ' || s[2] == '\0') && (s == cl || s[-1] == ' ')) {
			p = s + 2;
			break;
		}
	while ((w = word(&p, &n)) != 0) {
		const char *arg;
		size_t an;
		if (is(w, n, "hello")) {
			puts_(pvh ? "hello from the test guest (PVH entry)\n" : "hello from the test guest (64-bit entry)\n");
		} else if (is(w, n, "echo") && (arg = word(&p, &an)) != 0) {
			putn(arg, an);
			putc_('\n');
		} else if (n > 5 && seq(w, "exit=", 5)) {
			const char *q = w + 5;
			status = (int)parse_num(&q);
		} else if (is(w, n, "cmdline")) {
			puts_(cl);
			putc_('\n');
		} else if (is(w, n, "devices")) {
			cmd_devices();
		} else if (is(w, n, "console") && (arg = word(&p, &an)) != 0) {
			cmd_console(parse_num(&arg));
		} else if (is(w, n, "rx") && (arg = word(&p, &an)) != 0) {
			cmd_rx(parse_num(&arg));
		} else if (is(w, n, "rng")) {
			cmd_rng();
		} else if (is(w, n, "blk")) {
			cmd_blk();
		} else if (is(w, n, "ext4")) {
			cmd_ext4();
		} else if (is(w, n, "9p") && (arg = word(&p, &an)) != 0) {
			cmd_9p(arg, an);
		} else if (is(w, n, "vsock") && (arg = word(&p, &an)) != 0) {
			vs = 0; /* cmd_vsock resets the device */
			cmd_vsock((u32)parse_num(&arg));
		} else if (is(w, n, "vsend") && (arg = word(&p, &an)) != 0) {
			u32 port = (u32)parse_num(&arg);
			if ((arg = word(&p, &an)) != 0)
				cmd_vsend(port, arg, an);
		} else if (is(w, n, "vcat")) {
			cmd_vcat();
		} else if (is(w, n, "hostile")) {
			cmd_hostile();
		} else if (is(w, n, "fault")) {
			cmd_fault();
		} else if (is(w, n, "int3")) {
			cmd_int3();
		} else if (is(w, n, "fwait")) {
			cmd_fwait();
		} else if (is(w, n, "emulfail")) {
			cmd_emulfail();
		} else if (is(w, n, "spin") && (arg = word(&p, &an)) != 0) {
			for (u64 k = parse_num(&arg); k > 0; k--)
				__asm__ volatile("pause");
		} else if (is(w, n, "mmio") && (arg = word(&p, &an)) != 0) {
			/* N register reads of the first device: what a VM exit costs */
			struct dev *d = (probe_next(), ndevs > 0 ? &devs[0] : 0);
			for (u64 k = parse_num(&arg); d != 0 && k > 0; k--)
				(void)rd(d, R_DEVICE_ID);
		} else if (is(w, n, "pio") && (arg = word(&p, &an)) != 0) {
			for (u64 k = parse_num(&arg); k > 0; k--)
				outb(0x80, 0);
		} else if (is(w, n, "reset")) {
			outb(0x64, 0xfe);
		}
		/* anything else (qemu's appended key=value words) is ignored */
	}
	finish(failed ? 1 : (u8)(status < 0 ? 0 : status));
}
