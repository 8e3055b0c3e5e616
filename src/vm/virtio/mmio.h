/* The virtio-mmio transport (virtio 1.x, section 4.2, version 2 registers):
 * one 4 KiB window and one interrupt line per device, announced to Linux as
 * virtio_mmio.device=4K@<base>:<irq> on the command line. */
#ifndef MEW_VM_VIRTIO_MMIO_H
#define MEW_VM_VIRTIO_MMIO_H

#include <stdint.h>

#include "vm/bus.h"
#include "vm/virtio/virtio.h"

struct virtio_mmio {
	struct virtio_dev *dev;
	uint64_t base;
	int irq;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
};

extern const struct bus_ops virtio_mmio_ops;

struct virtio_mmio *virtio_mmio_new(struct virtio_dev *dev, uint64_t base, int irq);
/* Frees the device too. */
void virtio_mmio_free(struct virtio_mmio *t);

#endif
