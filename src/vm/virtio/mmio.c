#include "vm/virtio/mmio.h"

#include <stdlib.h>
#include <string.h>

enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c, DEV_FEATURES = 0x010,
	DEV_FEATURES_SEL = 0x014, DRV_FEATURES = 0x020, DRV_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030,
	QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
	INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC_LO = 0x080,
	QUEUE_DESC_HI = 0x084, QUEUE_DRIVER_LO = 0x090, QUEUE_DRIVER_HI = 0x094,
	QUEUE_DEVICE_LO = 0x0a0, QUEUE_DEVICE_HI = 0x0a4, CONFIG_GEN = 0x0fc, CONFIG = 0x100,
};

static uint64_t offered(const struct virtio_dev *d)
{
	return d->ops->features | VIRTIO_F_VERSION_1;
}

static struct vq *selected(struct virtio_mmio *t)
{
	return t->queue_sel < (uint32_t)t->dev->ops->nqueues ? &t->dev->vq[t->queue_sel] : NULL;
}

static void set_half(uint64_t *v, int high, uint32_t x)
{
	*v = high ? (*v & 0xffffffffULL) | ((uint64_t)x << 32) : (*v & ~0xffffffffULL) | x;
}

static void mmio_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct virtio_mmio *t = opaque;
	struct virtio_dev *d = t->dev;
	struct vq *q;
	uint32_t v = 0;

	memset(data, 0, len);
	pthread_mutex_lock(&d->lock);
	if (off >= CONFIG) {
		if (off - CONFIG < d->config_len && len <= d->config_len - (off - CONFIG))
			memcpy(data, d->config + (off - CONFIG), len);
		pthread_mutex_unlock(&d->lock);
		return;
	}
	q = selected(t);
	switch (off) {
	case MAGIC:
		v = 0x74726976; /* "virt" */
		break;
	case VERSION:
		v = 2;
		break;
	case DEVICE_ID:
		v = d->ops->device_id;
		break;
	case VENDOR_ID:
		v = 0x0077656d; /* "mew" */
		break;
	case DEV_FEATURES:
		v = t->dev_features_sel < 2 ? (uint32_t)(offered(d) >> (32 * t->dev_features_sel)) : 0;
		break;
	case QUEUE_NUM_MAX:
		v = q != NULL ? VQ_MAX_SIZE : 0;
		break;
	case QUEUE_READY:
		v = q != NULL && q->ready;
		break;
	case INT_STATUS:
		v = d->isr;
		break;
	case STATUS:
		v = d->status;
		break;
	case CONFIG_GEN:
		v = 0;
		break;
	}
	pthread_mutex_unlock(&d->lock);
	if (len == 4)
		memcpy(data, &v, 4);
}

static void write_status(struct virtio_dev *d, uint32_t v)
{
	const char *why;

	if (v == 0) {
		virtio_reset(d);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* Only offered features, and the modern interface, are acceptable. */
		if ((d->driver_features & ~offered(d)) || !(d->driver_features & VIRTIO_F_VERSION_1))
			v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_DRIVER_OK)) {
		for (int i = 0; i < d->ops->nqueues; i++)
			if (d->vq[i].ready && vq_validate(d->mem, &d->vq[i], &why) < 0) {
				d->status = v & ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
				virtio_fail(d, why);
				return;
			}
	}
	d->status = (v & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void mmio_write(void *opaque, uint64_t off, const void *data, uint32_t len)
{
	struct virtio_mmio *t = opaque;
	struct virtio_dev *d = t->dev;
	struct vq *q;
	uint32_t v = 0;
	const char *why;

	if (off >= CONFIG) {
		return; /* no device here has writable configuration */
	}
	if (len != 4)
		return;
	memcpy(&v, data, 4);
	pthread_mutex_lock(&d->lock);
	q = selected(t);
	switch (off) {
	case DEV_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case DRV_FEATURES:
		if (t->drv_features_sel < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&d->driver_features, t->drv_features_sel == 1, v);
		break;
	case DRV_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case QUEUE_SEL:
		t->queue_sel = v;
		break;
	case QUEUE_NUM:
		if (q != NULL && !q->ready)
			q->size = v > 0xffff ? 0 : (uint16_t)v;
		break;
	case QUEUE_READY:
		if (q == NULL)
			break;
		if (v == 1 && !q->ready) {
			q->ready = true;
			q->last_avail = q->used_idx = 0;
			if (vq_validate(d->mem, q, &why) < 0) {
				q->ready = false;
				virtio_fail(d, why);
			}
		} else if (v == 0) {
			q->ready = false;
		}
		break;
	case QUEUE_NOTIFY:
		if (v < (uint32_t)d->ops->nqueues && virtio_queue_live(d, (int)v) && d->ops->notify != NULL)
			d->ops->notify(d, (int)v);
		break;
	case INT_ACK:
		d->isr &= ~v;
		break;
	case STATUS:
		write_status(d, v);
		break;
	case QUEUE_DESC_LO:
	case QUEUE_DESC_HI:
		if (q != NULL && !q->ready)
			set_half(&q->desc, off == QUEUE_DESC_HI, v);
		break;
	case QUEUE_DRIVER_LO:
	case QUEUE_DRIVER_HI:
		if (q != NULL && !q->ready)
			set_half(&q->avail, off == QUEUE_DRIVER_HI, v);
		break;
	case QUEUE_DEVICE_LO:
	case QUEUE_DEVICE_HI:
		if (q != NULL && !q->ready)
			set_half(&q->used, off == QUEUE_DEVICE_HI, v);
		break;
	}
	pthread_mutex_unlock(&d->lock);
}

const struct bus_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

struct virtio_mmio *virtio_mmio_new(struct virtio_dev *dev, uint64_t base, int irq)
{
	struct virtio_mmio *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->dev = dev;
	t->base = base;
	t->irq = irq;
	return t;
}

void virtio_mmio_free(struct virtio_mmio *t)
{
	if (t == NULL)
		return;
	if (t->dev != NULL && t->dev->ops->free != NULL)
		t->dev->ops->free(t->dev);
	free(t);
}

void virtio_mmio_save(struct virtio_mmio *t, struct virtio_state *s)
{
	struct virtio_dev *d = t->dev;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&d->lock);
	s->device_id = d->ops->device_id;
	s->status = d->status;
	s->isr = d->isr;
	s->driver_features = d->driver_features;
	s->dev_features_sel = t->dev_features_sel;
	s->drv_features_sel = t->drv_features_sel;
	s->queue_sel = t->queue_sel;
	memcpy(s->vq, d->vq, sizeof(s->vq));
	pthread_mutex_unlock(&d->lock);
}

int virtio_mmio_load(struct virtio_mmio *t, const struct virtio_state *s, const char **why)
{
	struct virtio_dev *d = t->dev;

	if (s->device_id != d->ops->device_id)
		return *why = "a different device in this slot", -1;
	if ((s->driver_features & ~offered(d)) != 0)
		return *why = "features the device does not offer", -1;
	for (int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		const struct vq *q = &s->vq[i];
		if (q->ready && (i >= d->ops->nqueues || vq_validate(d->mem, q, why) < 0))
			return *why = i >= d->ops->nqueues ? "a queue the device does not have" : *why, -1;
	}
	pthread_mutex_lock(&d->lock);
	d->status = s->status & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET;
	d->isr = s->isr;
	d->driver_features = s->driver_features;
	t->dev_features_sel = s->dev_features_sel;
	t->drv_features_sel = s->drv_features_sel;
	t->queue_sel = s->queue_sel;
	memcpy(d->vq, s->vq, sizeof(d->vq));
	pthread_mutex_unlock(&d->lock);
	return 0;
}
