#include "vm/virtio/virtio.h"

#include <string.h>

#include "base/log.h"

void virtio_dev_init(struct virtio_dev *d, const struct virtio_ops *ops, void *priv,
		     const struct gmem *mem, void (*irq)(void *, int), void *irq_opaque)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->priv = priv;
	d->mem = mem;
	d->irq = irq;
	d->irq_opaque = irq_opaque;
	pthread_mutex_init(&d->lock, NULL);
}

bool virtio_queue_live(struct virtio_dev *d, int q)
{
	return q >= 0 && q < d->ops->nqueues && d->vq[q].ready && d->broken == NULL &&
	       (d->status & VIRTIO_STATUS_DRIVER_OK);
}

static void raise_irq(struct virtio_dev *d, uint32_t why)
{
	d->isr |= why;
	/* An edge per event, as kvmtool does for virtio-mmio. */
	if (d->irq != NULL) {
		d->irq(d->irq_opaque, 1);
		d->irq(d->irq_opaque, 0);
	}
}

/* A driver that polls sets VRING_AVAIL_F_NO_INTERRUPT on its queues; when
 * every live queue says so, the interrupt (two ioctls, and an exit for the
 * guest) is left out.  A queue that does not say so always gets one. */
static bool wants_interrupt(struct virtio_dev *d)
{
	for (int q = 0; q < d->ops->nqueues; q++) {
		const uint8_t *avail;
		if (!d->vq[q].ready)
			continue;
		avail = gmem_ptr(d->mem, d->vq[q].avail, 2);
		if (avail == NULL || !(__atomic_load_n(avail, __ATOMIC_ACQUIRE) & 1))
			return true;
	}
	return false;
}

void virtio_signal_used(struct virtio_dev *d)
{
	if (wants_interrupt(d))
		raise_irq(d, VIRTIO_INT_USED);
	else
		d->isr |= VIRTIO_INT_USED;
}

void virtio_fail(struct virtio_dev *d, const char *why)
{
	if (d->broken != NULL)
		return;
	d->broken = why;
	mew_debug("vm: virtio-%s: refused the guest's queue: %s", d->ops->name, why);
	if (d->status & VIRTIO_STATUS_DRIVER_OK) {
		d->status |= VIRTIO_STATUS_NEEDS_RESET;
		raise_irq(d, VIRTIO_INT_CONFIG);
	} else {
		d->status |= VIRTIO_STATUS_NEEDS_RESET;
	}
}

void virtio_reset(struct virtio_dev *d)
{
	if (d->ops->reset != NULL)
		d->ops->reset(d);
	memset(d->vq, 0, sizeof(d->vq));
	d->status = 0;
	d->driver_features = 0;
	d->isr = 0;
	d->broken = NULL;
}
