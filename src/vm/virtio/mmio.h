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

/* A device's state as the driver left it, behind its transport: a plain
 * struct saved into a snapshot and loaded into a new device of the same
 * kind (the device's own host side, its files and sockets, is the new
 * run's).  Taken at the agent's ready point, before any request. */
struct virtio_state {
	uint32_t device_id;
	uint32_t status, isr;
	uint64_t driver_features;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	struct vq vq[VIRTIO_MAX_QUEUES];
};
void virtio_mmio_save(struct virtio_mmio *t, struct virtio_state *s);
/* -1 with *why when the state is not this device's or its queues do not lie
 * in guest memory: a snapshot is checked, never trusted blindly. */
int virtio_mmio_load(struct virtio_mmio *t, const struct virtio_state *s, const char **why);

#endif
