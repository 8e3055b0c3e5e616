/* virtio-vsock (device 19): stream sockets between the guest and the host.
 * A guest connection to host port P goes to the service the VMM registered
 * for P (host file descriptors or a callback: mew's agent protocol), else to
 * the Unix socket "<prefix>_P" (Firecracker's convention).  Credit-based flow
 * control as the virtio spec describes.  Queues: 0 rx (to the guest), 1 tx,
 * 2 events. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

#define HOST_CID 2
#define MAX_CONNS 32
#define MAX_CTRL 64
#define HOST_BUF (256 * 1024)
#define MAX_SERVICES 8

enum { OP_REQUEST = 1, OP_RESPONSE, OP_RST, OP_SHUTDOWN, OP_RW, OP_CREDIT_UPDATE, OP_CREDIT_REQUEST };

struct vs_hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

struct conn {
	bool used;
	int rfd, wfd; /* host ends (owned; the same socket for a Unix socket), -1: none */
	const struct vsock_service *svc;
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
	struct vsock_service services[MAX_SERVICES];
	int nservices;
	int wake_fd; /* eventfd: the set of host ends to poll has changed */
};

/* Tell the VMM's I/O loop to poll again (a connection came, or credit). */
static void wake(struct vsock *v)
{
	uint64_t one = 1;
	if (v->wake_fd >= 0 && write(v->wake_fd, &one, sizeof(one)) < 0)
		return;
}

static struct conn *find(struct vsock *v, uint32_t gport, uint32_t hport)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (v->conns[i].used && v->conns[i].guest_port == gport && v->conns[i].host_port == hport)
			return &v->conns[i];
	return NULL;
}

static void close_conn(struct conn *c)
{
	if (c->svc != NULL && c->svc->recv != NULL)
		c->svc->recv(c->svc->opaque, NULL, 0);
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->wfd >= 0 && c->wfd != c->rfd)
		close(c->wfd);
	memset(c, 0, sizeof(*c));
	c->rfd = c->wfd = -1;
}

static const struct vsock_service *service(struct vsock *v, uint32_t port)
{
	for (int i = 0; i < v->nservices; i++)
		if (v->services[i].port == port)
			return &v->services[i];
	return NULL;
}

static int dup_or_none(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0 && fd >= 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the reader went away: drop the data */
		p += w;
		len -= (size_t)w;
	}
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

/* A Unix socket for a guest connection to host port, or -1. */
static int connect_unix(struct vsock *v, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (v->prefix == NULL ||
	    (size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", v->prefix, port) >= sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void guest_request(struct vsock *v, const struct vs_hdr *h)
{
	const struct vsock_service *svc = service(v, h->dst_port);
	struct conn *c = NULL;
	int rfd = -1, wfd = -1;

	if (find(v, h->src_port, h->dst_port) != NULL)
		goto refuse;
	for (int i = 0; i < MAX_CONNS && c == NULL; i++)
		if (!v->conns[i].used)
			c = &v->conns[i];
	if (c == NULL)
		goto refuse;
	if (svc != NULL) {
		/* A service's input is read by one connection at a time. */
		for (int i = 0; i < MAX_CONNS && svc->rfd >= 0; i++)
			if (v->conns[i].used && v->conns[i].svc == svc)
				goto refuse;
		rfd = dup_or_none(svc->rfd);
		wfd = dup_or_none(svc->wfd);
		if ((svc->rfd >= 0 && rfd < 0) || (svc->wfd >= 0 && wfd < 0)) {
			if (rfd >= 0)
				close(rfd);
			goto refuse;
		}
	} else {
		rfd = wfd = connect_unix(v, h->dst_port);
		if (rfd < 0)
			goto refuse;
	}
	*c = (struct conn){ .used = true, .rfd = rfd, .wfd = wfd, .svc = svc, .guest_port = h->src_port,
			    .host_port = h->dst_port, .peer_buf_alloc = h->buf_alloc, .peer_fwd_cnt = h->fwd_cnt };
	queue_ctrl(v, OP_RESPONSE, h->src_port, h->dst_port, c, 0);
	if (rfd >= 0)
		wake(v);
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
		uint32_t before = c->peer_fwd_cnt;
		c->peer_buf_alloc = h.buf_alloc;
		c->peer_fwd_cnt = h.fwd_cnt;
		if (c->rfd >= 0 && before != h.fwd_cnt)
			wake(v);
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
			if (k == 0)
				break;
			if (c->svc != NULL && c->svc->recv != NULL)
				c->svc->recv(c->svc->opaque, buf, k);
			else
				write_all(c->wfd, buf, k);
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
	if (v->wake_fd >= 0 && n < max)
		fds[n++] = v->wake_fd;
	for (int i = 0; i < MAX_CONNS && n < max; i++) {
		struct conn *c = &v->conns[i];
		if (c->used && c->rfd >= 0 && !c->eof && c->rx_cnt - c->peer_fwd_cnt < c->peer_buf_alloc)
			fds[n++] = c->rfd;
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* Move what conn c's host end has ready into the guest's next receive
 * buffer, reading no more than that buffer and the guest's credit hold. */
static void pump(struct vsock *v, struct conn *c, int *used)
{
	struct virtio_dev *d = &v->dev;
	struct pollfd p = { .fd = c->rfd, .events = POLLIN };
	struct vq_chain ch;
	const char *why;
	uint8_t buf[16384];
	uint32_t credit = c->peer_buf_alloc - (c->rx_cnt - c->peer_fwd_cnt);
	size_t room;
	ssize_t k;
	int r;

	if (credit == 0 || credit > c->peer_buf_alloc)
		return;
	/* A service's input may be a terminal or pipe shared with others:
	 * never made non-blocking, read only when it is ready. */
	if (poll(&p, 1, 0) <= 0)
		return;
	r = vq_pop(d->mem, &d->vq[0], &ch, &why);
	if (r < 0)
		return virtio_fail(d, why);
	if (r == 0)
		return;
	if (ch.in_len <= sizeof(struct vs_hdr)) {
		/* no room for any data: the guest gets the buffer back empty */
		vq_push(d->mem, &d->vq[0], ch.head, 0);
		*used = 1;
		return;
	}
	room = ch.in_len - sizeof(struct vs_hdr);
	if (room > credit)
		room = credit;
	if (room > sizeof(buf))
		room = sizeof(buf);
	k = read(c->rfd, buf, room);
	if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
		vq_unpop(&d->vq[0]);
		return;
	}
	if (k <= 0) {
		/* The host's end will send nothing more (a service may still take
		 * data); a Unix socket's peer has gone. */
		vq_unpop(&d->vq[0]);
		c->eof = 1;
		queue_ctrl(v, OP_SHUTDOWN, c->guest_port, c->host_port, c, c->svc != NULL ? 2 : 3);
		flush_ctrl(v, used);
		return;
	}
	struct vs_hdr h = { .src_cid = HOST_CID, .dst_cid = v->cid, .src_port = c->host_port,
			    .dst_port = c->guest_port, .len = (uint32_t)k, .type = 1, .op = OP_RW,
			    .buf_alloc = HOST_BUF, .fwd_cnt = c->fwd_cnt };
	iov_from_buf(ch.in, ch.nin, 0, &h, sizeof(h));
	iov_from_buf(ch.in, ch.nin, sizeof(h), buf, (size_t)k);
	vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)(sizeof(h) + (size_t)k));
	c->rx_cnt += (uint32_t)k;
	*used = 1;
}

void virtio_vsock_poll(struct virtio_dev *d)
{
	struct vsock *v = d->priv;
	uint64_t n;
	int used = 0;

	pthread_mutex_lock(&d->lock);
	if (v->wake_fd >= 0 && read(v->wake_fd, &n, sizeof(n)) < 0)
		n = 0;
	flush_ctrl(v, &used);
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &v->conns[i];
		if (c->used && c->rfd >= 0 && !c->eof && v->nctrl == 0 && rx_room(v))
			pump(v, c, &used);
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
	if (v->wake_fd >= 0)
		close(v->wake_fd);
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
		v->conns[i].rfd = v->conns[i].wfd = -1;
	v->cid = cid;
	v->prefix = uds_prefix != NULL ? strdup(uds_prefix) : NULL;
	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memcpy(v->dev.config, &cid, 8);
	v->dev.config_len = 8;
	return &v->dev;
}

int virtio_vsock_serve(struct virtio_dev *d, const struct vsock_service *svc)
{
	struct vsock *v = d->priv;

	if (v->nservices >= MAX_SERVICES || service(v, svc->port) != NULL)
		return -1;
	v->services[v->nservices++] = *svc;
	return 0;
}
