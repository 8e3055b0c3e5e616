/* virtio-vsock (device 19): stream sockets between the guest and host Unix
 * sockets.  A guest connection to host port P is joined to the Unix socket
 * "<prefix>_P" (Firecracker's convention); credit-based flow control as the
 * virtio spec describes.  Queues: 0 rx (to the guest), 1 tx, 2 events. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

#define HOST_CID 2
#define MAX_CONNS 32
#define MAX_CTRL 64
#define HOST_BUF (256 * 1024)

enum { OP_REQUEST = 1, OP_RESPONSE, OP_RST, OP_SHUTDOWN, OP_RW, OP_CREDIT_UPDATE, OP_CREDIT_REQUEST };

struct vs_hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

struct conn {
	int fd; /* -1: free */
	uint32_t guest_port, host_port;
	uint32_t peer_buf_alloc, peer_fwd_cnt; /* the guest's receive window */
	uint32_t rx_cnt;		       /* bytes sent to the guest */
	uint32_t fwd_cnt;		       /* bytes taken from the guest */
	int eof;
};

struct vsock {
	struct virtio_dev dev;
	uint64_t cid;
	char *prefix;
	struct conn conns[MAX_CONNS];
	struct vs_hdr ctrl[MAX_CTRL]; /* control packets waiting for rx buffers */
	int nctrl;
};

static struct conn *find(struct vsock *v, uint32_t gport, uint32_t hport)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (v->conns[i].fd >= 0 && v->conns[i].guest_port == gport && v->conns[i].host_port == hport)
			return &v->conns[i];
	return NULL;
}

static void close_conn(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void queue_ctrl(struct vsock *v, uint16_t op, uint32_t gport, uint32_t hport, struct conn *c, uint32_t flags)
{
	if (v->nctrl >= MAX_CTRL)
		return;
	v->ctrl[v->nctrl++] = (struct vs_hdr){
		.src_cid = HOST_CID, .dst_cid = v->cid, .src_port = hport, .dst_port = gport,
		.type = 1, .op = op, .flags = flags, .buf_alloc = HOST_BUF, .fwd_cnt = c ? c->fwd_cnt : 0,
	};
}

/* Deliver one packet (header + data) into the next rx buffer; 0 when none. */
static int deliver(struct vsock *v, const struct vs_hdr *h, const void *data, uint32_t len)
{
	struct virtio_dev *d = &v->dev;
	struct vq_chain ch;
	const char *why;
	int r;

	if (!virtio_queue_live(d, 0))
		return 0;
	r = vq_pop(d->mem, &d->vq[0], &ch, &why);
	if (r < 0) {
		virtio_fail(d, why);
		return 0;
	}
	if (r == 0)
		return 0;
	if (ch.in_len < sizeof(*h) + len) {
		vq_push(d->mem, &d->vq[0], ch.head, 0);
		return 1;
	}
	iov_from_buf(ch.in, ch.nin, 0, h, sizeof(*h));
	iov_from_buf(ch.in, ch.nin, sizeof(*h), data, len);
	vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)sizeof(*h) + len);
	return 1;
}

static int rx_room(struct vsock *v)
{
	return virtio_queue_live(&v->dev, 0) && vq_has_avail(v->dev.mem, &v->dev.vq[0]);
}

static void flush_ctrl(struct vsock *v, int *used)
{
	int i = 0;
	while (i < v->nctrl && deliver(v, &v->ctrl[i], NULL, 0))
		i++, *used = 1;
	memmove(v->ctrl, v->ctrl + i, (size_t)(v->nctrl - i) * sizeof(v->ctrl[0]));
	v->nctrl -= i;
}

static void guest_request(struct vsock *v, const struct vs_hdr *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct conn *c = NULL;
	int fd;

	if (find(v, h->src_port, h->dst_port) != NULL || v->prefix == NULL)
		goto refuse;
	for (int i = 0; i < MAX_CONNS && c == NULL; i++)
		if (v->conns[i].fd < 0)
			c = &v->conns[i];
	if (c == NULL)
		goto refuse;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", v->prefix, h->dst_port) >= sizeof(sa.sun_path))
		goto refuse;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto refuse;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		goto refuse;
	}
	*c = (struct conn){ .fd = fd, .guest_port = h->src_port, .host_port = h->dst_port,
			    .peer_buf_alloc = h->buf_alloc, .peer_fwd_cnt = h->fwd_cnt };
	queue_ctrl(v, OP_RESPONSE, h->src_port, h->dst_port, c, 0);
	return;
refuse:
	queue_ctrl(v, OP_RST, h->src_port, h->dst_port, NULL, 0);
}

static void guest_packet(struct vsock *v, struct vq_chain *ch)
{
	struct vs_hdr h;
	struct conn *c;

	if (iov_to_buf(ch->out, ch->nout, 0, &h, sizeof(h)) != sizeof(h))
		return;
	if (h.src_cid != v->cid || h.dst_cid != HOST_CID || h.type != 1)
		return; /* not ours to answer: drop it, as the spec allows */
	c = find(v, h.src_port, h.dst_port);
	if (c != NULL) {
		c->peer_buf_alloc = h.buf_alloc;
		c->peer_fwd_cnt = h.fwd_cnt;
	}
	switch (h.op) {
	case OP_REQUEST:
		guest_request(v, &h);
		break;
	case OP_RW:
		if (c == NULL) {
			queue_ctrl(v, OP_RST, h.src_port, h.dst_port, NULL, 0);
			break;
		}
		if (h.len > ch->out_len - sizeof(h))
			h.len = (uint32_t)(ch->out_len - sizeof(h));
		for (uint32_t off = 0; off < h.len;) {
			uint8_t buf[4096];
			size_t k = iov_to_buf(ch->out, ch->nout, sizeof(h) + off, buf,
					      h.len - off < sizeof(buf) ? h.len - off : sizeof(buf));
			if (k == 0 || write(c->fd, buf, k) != (ssize_t)k)
				break;
			off += (uint32_t)k;
		}
		c->fwd_cnt += h.len;
		if (c->fwd_cnt % (HOST_BUF / 4) < h.len)
			queue_ctrl(v, OP_CREDIT_UPDATE, c->guest_port, c->host_port, c, 0);
		break;
	case OP_SHUTDOWN:
	case OP_RST:
		if (c != NULL) {
			if (h.op == OP_SHUTDOWN)
				queue_ctrl(v, OP_RST, c->guest_port, c->host_port, NULL, 0);
			close_conn(c);
		}
		break;
	case OP_CREDIT_REQUEST:
		if (c != NULL)
			queue_ctrl(v, OP_CREDIT_UPDATE, c->guest_port, c->host_port, c, 0);
		break;
	default:
		break;
	}
}

static void vsock_notify(struct virtio_dev *d, int q)
{
	struct vsock *v = d->priv;
	struct vq_chain ch;
	const char *why;
	int r, used = 0, tx = 0;

	if (q == 1) {
		while ((r = vq_pop(d->mem, &d->vq[1], &ch, &why)) > 0) {
			guest_packet(v, &ch);
			vq_push(d->mem, &d->vq[1], ch.head, 0);
			tx = 1;
		}
		if (r < 0)
			virtio_fail(d, why);
	}
	flush_ctrl(v, &used);
	if (used || tx)
		virtio_signal_used(d);
}

int virtio_vsock_fds(struct virtio_dev *d, int *fds, int max)
{
	struct vsock *v = d->priv;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < MAX_CONNS && n < max; i++) {
		struct conn *c = &v->conns[i];
		if (c->fd >= 0 && !c->eof && c->rx_cnt - c->peer_fwd_cnt < c->peer_buf_alloc)
			fds[n++] = c->fd;
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

void virtio_vsock_poll(struct virtio_dev *d)
{
	struct vsock *v = d->priv;
	uint8_t buf[4096];
	int used = 0;

	pthread_mutex_lock(&d->lock);
	flush_ctrl(v, &used);
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &v->conns[i];
		uint32_t credit;
		if (c->fd < 0 || c->eof || v->nctrl > 0 || !rx_room(v))
			continue;
		credit = c->peer_buf_alloc - (c->rx_cnt - c->peer_fwd_cnt);
		if (credit == 0 || credit > c->peer_buf_alloc)
			continue;
		ssize_t k = recv(c->fd, buf, credit < sizeof(buf) ? credit : sizeof(buf), MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (k <= 0) {
			c->eof = 1;
			queue_ctrl(v, OP_SHUTDOWN, c->guest_port, c->host_port, c, 3);
			flush_ctrl(v, &used);
			continue;
		}
		struct vs_hdr h = { .src_cid = HOST_CID, .dst_cid = v->cid, .src_port = c->host_port,
				    .dst_port = c->guest_port, .len = (uint32_t)k, .type = 1, .op = OP_RW,
				    .buf_alloc = HOST_BUF, .fwd_cnt = c->fwd_cnt };
		if (deliver(v, &h, buf, (uint32_t)k)) {
			c->rx_cnt += (uint32_t)k;
			used = 1;
		}
	}
	if (used)
		virtio_signal_used(d);
	pthread_mutex_unlock(&d->lock);
}

static void vsock_reset(struct virtio_dev *d)
{
	struct vsock *v = d->priv;
	for (int i = 0; i < MAX_CONNS; i++)
		close_conn(&v->conns[i]);
	v->nctrl = 0;
}

static void vsock_free(struct virtio_dev *d)
{
	struct vsock *v = d->priv;
	vsock_reset(d);
	free(v->prefix);
	free(v);
}

static const struct virtio_ops vsock_ops = {
	.name = "vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.nqueues = 3,
	.notify = vsock_notify,
	.reset = vsock_reset,
	.free = vsock_free,
};

struct virtio_dev *virtio_vsock_new(const struct gmem *mem, uint64_t cid, const char *uds_prefix,
				    virtio_irq_fn irq, void *opaque, struct mew_error **err)
{
	struct vsock *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return mew_error(err, ENOMEM, "virtio-vsock"), NULL;
	virtio_dev_init(&v->dev, &vsock_ops, v, mem, irq, opaque);
	for (int i = 0; i < MAX_CONNS; i++)
		v->conns[i].fd = -1;
	v->cid = cid;
	v->prefix = uds_prefix != NULL ? strdup(uds_prefix) : NULL;
	memcpy(v->dev.config, &cid, 8);
	v->dev.config_len = 8;
	return &v->dev;
}
