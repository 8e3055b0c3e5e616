/* virtio-rng (device 4): one queue the device fills with host randomness. */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "vm/virtio/devices.h"

static void rng_notify(struct virtio_dev *d, int q)
{
	struct vq_chain ch;
	const char *why;
	int r, used = 0;

	while ((r = vq_pop(d->mem, &d->vq[0], &ch, &why)) > 0) {
		uint64_t done = 0;
		for (int i = 0; i < ch.nin; i++) {
			ssize_t n = getrandom(ch.in[i].iov_base, ch.in[i].iov_len, GRND_NONBLOCK);
			if (n <= 0)
				break;
			done += (uint64_t)n;
			if ((size_t)n < ch.in[i].iov_len)
				break;
		}
		vq_push(d->mem, &d->vq[0], ch.head, (uint32_t)done);
		used = 1;
	}
	if (r < 0)
		virtio_fail(d, why);
	if (used)
		virtio_signal_used(d);
}

static void rng_free(struct virtio_dev *d)
{
	free(d);
}

static const struct virtio_ops rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.nqueues = 1,
	.notify = rng_notify,
	.free = rng_free,
};

struct virtio_dev *virtio_rng_new(const struct gmem *mem, virtio_irq_fn irq, void *opaque,
				  struct mew_error **err)
{
	struct virtio_dev *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return mew_error(err, ENOMEM, "virtio-rng"), NULL;
	virtio_dev_init(d, &rng_ops, d, mem, irq, opaque);
	return d;
}
