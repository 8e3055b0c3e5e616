/* virtio-console (device 3), one port without the multiport feature:
 * queue 0 receives host input, queue 1 transmits guest output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

#define CONSOLE_PENDING 65536

struct console {
	struct virtio_dev dev;
	int out_fd;
	uint8_t pending[CONSOLE_PENDING];
	size_t npending;
};

/* All of a chain's segments, in as few writev calls as the reader allows. */
static void write_all(int fd, const struct iovec *chain, int n)
{
	struct iovec iov[VQ_MAX_SEGS];
	int i = 0;

	if (fd < 0)
		return;
	memcpy(iov, chain, (size_t)n * sizeof(iov[0]));
	while (i < n) {
		ssize_t w = writev(fd, iov + i, n - i);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the reader went away: drop the output */
		while (i < n && (size_t)w >= iov[i].iov_len)
			w -= (ssize_t)iov[i++].iov_len;
		if (i < n) {
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
}

/* Move pending host input into the guest's receive buffers. */
static void fill_rx(struct console *c)
{
	struct virtio_dev *d = &c->dev;
	struct vq_chain ch;
	const char *why;
	int used = 0;

	while (c->npending > 0 && virtio_queue_live(d, 0)) {
		int r = vq_pop(d->mem, &d->vq[0], &ch, &why);
		if (r < 0)
			return virtio_fail(d, why);
		if (r == 0)
			break;
		size_t n = iov_from_buf(ch.in, ch.nin, 0, c->pending, c->npending);
		memmove(c->pending, c->pending + n, c->npending - n);
		c->npending -= n;
		vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)n);
		used = 1;
	}
	if (used)
		virtio_signal_used(d);
}

static void console_notify(struct virtio_dev *d, int q)
{
	struct console *c = d->priv;
	struct vq_chain ch;
	const char *why;
	int r, used = 0;

	if (q == 0)
		return fill_rx(c);
	while ((r = vq_pop(d->mem, &d->vq[1], &ch, &why)) > 0) {
		write_all(c->out_fd, ch.out, ch.nout);
		vq_push(d->mem, &d->vq[1], ch.head, 0);
		used = 1;
	}
	if (r < 0)
		virtio_fail(d, why);
	if (used)
		virtio_signal_used(d);
}

static void console_free(struct virtio_dev *d)
{
	free(d->priv);
}

static const struct virtio_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = 0,
	.nqueues = 2,
	.notify = console_notify,
	.free = console_free,
};

struct virtio_dev *virtio_console_new(const struct gmem *mem, int out_fd, virtio_irq_fn irq, void *opaque,
				      struct mew_error **err)
{
	struct console *c = calloc(1, sizeof(*c));
	uint16_t size[2] = { 80, 25 };

	if (c == NULL)
		return mew_error(err, ENOMEM, "virtio-console"), NULL;
	virtio_dev_init(&c->dev, &console_ops, c, mem, irq, opaque);
	c->out_fd = out_fd;
	memcpy(c->dev.config, size, sizeof(size)); /* cols, rows */
	c->dev.config_len = 8;
	return &c->dev;
}

size_t virtio_console_input(struct virtio_dev *d, const uint8_t *buf, size_t len)
{
	struct console *c = d->priv;
	size_t n;

	pthread_mutex_lock(&d->lock);
	n = CONSOLE_PENDING - c->npending;
	if (n > len)
		n = len;
	memcpy(c->pending + c->npending, buf, n);
	c->npending += n;
	fill_rx(c);
	pthread_mutex_unlock(&d->lock);
	return n;
}
