/* A virtio device model, independent of its transport and of the CPU that
 * drives it (kvmtool's shape): a state struct, handlers for its queues and a
 * struct virtio_ops.  The transport (mmio.c) owns the registers and calls the
 * ops; the device raises interrupts through a callback. */
#ifndef MEW_VM_VIRTIO_VIRTIO_H
#define MEW_VM_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/mem.h"
#include "vm/virtio/queue.h"

#define VIRTIO_MAX_QUEUES 4
#define VIRTIO_CONFIG_MAX 256
#define VIRTIO_F_VERSION_1 (1ULL << 32)

enum {
	VIRTIO_ID_NET = 1,
	VIRTIO_ID_BLOCK = 2,
	VIRTIO_ID_CONSOLE = 3,
	VIRTIO_ID_RNG = 4,
	VIRTIO_ID_9P = 9,
	VIRTIO_ID_VSOCK = 19,
};

enum {
	VIRTIO_STATUS_ACK = 1,
	VIRTIO_STATUS_DRIVER = 2,
	VIRTIO_STATUS_DRIVER_OK = 4,
	VIRTIO_STATUS_FEATURES_OK = 8,
	VIRTIO_STATUS_NEEDS_RESET = 0x40,
	VIRTIO_STATUS_FAILED = 0x80,
};

enum {
	VIRTIO_INT_USED = 1,
	VIRTIO_INT_CONFIG = 2,
};

struct virtio_dev;

struct virtio_ops {
	const char *name;
	uint32_t device_id;
	uint64_t features; /* device-specific; VIRTIO_F_VERSION_1 is always offered */
	int nqueues;
	/* The driver made buffers available on queue q (dev->lock held). */
	void (*notify)(struct virtio_dev *d, int q);
	/* The driver reset the device (dev->lock held): drop in-flight state. */
	void (*reset)(struct virtio_dev *d);
	void (*free)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_ops *ops;
	void *priv;
	const struct gmem *mem;
	pthread_mutex_t lock;
	struct vq vq[VIRTIO_MAX_QUEUES];
	uint8_t config[VIRTIO_CONFIG_MAX]; /* device configuration space, filled by the device */
	uint32_t config_len;
	uint32_t status;
	uint64_t driver_features;
	uint32_t isr;
	const char *broken; /* why the device stopped, once the guest broke a rule */
	void (*irq)(void *opaque, int level);
	void *irq_opaque;
};

void virtio_dev_init(struct virtio_dev *d, const struct virtio_ops *ops, void *priv,
		     const struct gmem *mem, void (*irq)(void *, int), void *irq_opaque);
/* Queue q is usable: set up by the driver and the device is live. */
bool virtio_queue_live(struct virtio_dev *d, int q);
/* Tell the driver that used buffers are waiting. */
void virtio_signal_used(struct virtio_dev *d);
/* The guest broke a rule: stop the device (DEVICE_NEEDS_RESET) until the
 * driver resets it; the VMM goes on. */
void virtio_fail(struct virtio_dev *d, const char *why);
/* Reset by the driver (status 0). */
void virtio_reset(struct virtio_dev *d);

#endif
