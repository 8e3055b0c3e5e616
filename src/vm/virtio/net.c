/* virtio-net (device 1) on a user-mode network: the frames go to and come
 * from a stream socket in qemu's framing (a 32-bit big-endian length, then
 * the Ethernet frame), which passt speaks (passt --fd).  Queue 0 receives,
 * queue 1 transmits; no offloads, so every buffer holds one whole frame
 * behind the 12-byte virtio_net_hdr_v1. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

#define HDR 12 /* struct virtio_net_hdr_v1 */
#define FRAME_MAX 65535
#define VIRTIO_NET_F_MAC (1ULL << 5)

struct net {
	struct virtio_dev dev;
	int fd;		 /* the backend's end of the stream (owned) */
	bool gone;	 /* it went away or broke the framing: frames are dropped */
	uint8_t in[4 + FRAME_MAX]; /* a frame from the backend, as it arrives */
	size_t nin;
	uint8_t out[4 + FRAME_MAX];
};

/* The guest's frames to the backend, whole: a stream socket that takes part
 * of one is waited on (the backend reads as fast as it can). */
static void send_all(struct net *n, const uint8_t *p, size_t len)
{
	while (len > 0 && !n->gone) {
		ssize_t w = send(n->fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			usleep(100);
			continue;
		}
		if (w <= 0) {
			n->gone = true;
			return;
		}
		p += w;
		len -= (size_t)w;
	}
}

static void transmit(struct net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq_chain ch;
	const char *why;
	int r, used = 0;

	while ((r = vq_pop(d->mem, &d->vq[1], &ch, &why)) > 0) {
		if (ch.out_len > HDR && ch.out_len - HDR <= FRAME_MAX) {
			size_t len = iov_to_buf(ch.out, ch.nout, HDR, n->out + 4, FRAME_MAX);
			uint32_t be = htonl((uint32_t)len);
			memcpy(n->out, &be, 4);
			send_all(n, n->out, 4 + len);
		}
		vq_push(d->mem, &d->vq[1], ch.head, 0);
		used = 1;
	}
	if (r < 0)
		virtio_fail(d, why);
	if (used)
		virtio_signal_used(d);
}

static void pump(struct net *n, bool read_more);

static void net_notify(struct virtio_dev *d, int q)
{
	if (q == 1)
		transmit(d->priv);
	else
		pump(d->priv, false); /* new receive buffers for what waits */
}

/* The frame in n->in (complete) into the next receive buffer: 1 when it
 * was delivered or dropped, 0 when the guest has no buffer yet. */
static int deliver(struct net *n, size_t len)
{
	struct virtio_dev *d = &n->dev;
	struct vq_chain ch;
	const char *why;
	uint8_t hdr[HDR] = { 0 };
	int r;

	if (!virtio_queue_live(d, 0))
		return 1; /* no driver: the frame is lost, as on a wire */
	r = vq_pop(d->mem, &d->vq[0], &ch, &why);
	if (r < 0) {
		virtio_fail(d, why);
		return 1;
	}
	if (r == 0)
		return 0;
	if (ch.in_len < HDR + len) { /* too big for the guest's buffer: dropped */
		vq_push(d->mem, &d->vq[0], ch.head, 0);
		return 1;
	}
	hdr[10] = 1; /* num_buffers */
	iov_from_buf(ch.in, ch.nin, 0, hdr, HDR);
	iov_from_buf(ch.in, ch.nin, HDR, n->in + 4, len);
	vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)(HDR + len));
	return 1;
}

/* The whole frame at the head of n->in, or 0 when there is none yet; -1
 * when the backend broke the framing. */
static long head_frame(struct net *n)
{
	uint32_t be;
	if (n->nin < 4)
		return 0;
	memcpy(&be, n->in, 4);
	if (ntohl(be) > FRAME_MAX)
		return -1;
	return n->nin >= 4 + ntohl(be) ? (long)ntohl(be) : 0;
}

/* Deliver what has arrived whole, reading more from the backend when
 * read_more; dev->lock held. */
static void pump(struct net *n, bool read_more)
{
	struct virtio_dev *d = &n->dev;
	int used = 0;

	for (;;) {
		long len = head_frame(n);
		if (len < 0) { /* a backend that breaks the framing is let go */
			n->gone = true;
			break;
		}
		if (len > 0) {
			if (!deliver(n, (size_t)len))
				break; /* wait for receive buffers (net_notify on queue 0) */
			used = 1;
			memmove(n->in, n->in + 4 + len, n->nin - 4 - (size_t)len);
			n->nin -= 4 + (size_t)len;
			continue;
		}
		if (n->gone || !read_more || n->nin == sizeof(n->in))
			break;
		ssize_t k = recv(n->fd, n->in + n->nin, sizeof(n->in) - n->nin, MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 || (k < 0 && errno != EAGAIN))
			n->gone = true;
		if (k <= 0)
			break;
		n->nin += (size_t)k;
	}
	if (used)
		virtio_signal_used(d);
}

int virtio_net_fd(struct virtio_dev *d)
{
	struct net *n = d->priv;
	int fd;

	pthread_mutex_lock(&d->lock);
	/* Not while a whole frame waits for a receive buffer: the guest's
	 * next buffers bring it in (net_notify), the socket can wait. */
	fd = n->gone || head_frame(n) != 0 ? -1 : n->fd;
	pthread_mutex_unlock(&d->lock);
	return fd;
}

void virtio_net_poll(struct virtio_dev *d)
{
	pthread_mutex_lock(&d->lock);
	pump(d->priv, true);
	pthread_mutex_unlock(&d->lock);
}

static void net_reset(struct virtio_dev *d)
{
	struct net *n = d->priv;
	n->nin = 0;
}

static void net_free(struct virtio_dev *d)
{
	struct net *n = d->priv;
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}

static const struct virtio_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.features = VIRTIO_NET_F_MAC,
	.nqueues = 2,
	.notify = net_notify,
	.reset = net_reset,
	.free = net_free,
};

struct virtio_dev *virtio_net_new(const struct gmem *mem, int fd, const uint8_t mac[6], virtio_irq_fn irq,
				  void *opaque, struct mew_error **err)
{
	struct net *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return mew_error(err, ENOMEM, "virtio-net"), NULL;
	virtio_dev_init(&n->dev, &net_ops, n, mem, irq, opaque);
	n->fd = fd;
	memcpy(n->dev.config, mac, 6);
	n->dev.config_len = 6;
	return &n->dev;
}
