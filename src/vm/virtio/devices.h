/* Constructors of mew's virtio device models.  Each returns a device ready
 * to be put behind a transport, or NULL with *err. */
#ifndef MEW_VM_VIRTIO_DEVICES_H
#define MEW_VM_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vm/virtio/virtio.h"

typedef void (*virtio_irq_fn)(void *opaque, int level);

/* virtio-console: what the guest writes goes to out_fd; virtio_console_input
 * feeds the guest. */
struct virtio_dev *virtio_console_new(const struct gmem *mem, int out_fd, virtio_irq_fn irq, void *opaque,
				      struct mew_error **err);
/* Queue host input; returns the bytes taken (0 when the buffer is full). */
size_t virtio_console_input(struct virtio_dev *d, const uint8_t *buf, size_t len);

struct virtio_dev *virtio_rng_new(const struct gmem *mem, virtio_irq_fn irq, void *opaque,
				  struct mew_error **err);

/* virtio-blk on a raw image file: read-write, read-only, or a snapshot
 * (the image is only read; the guest's writes last as long as the device). */
enum { VIRTIO_BLK_RW = 0, VIRTIO_BLK_RO = 1, VIRTIO_BLK_SNAPSHOT = 2 };
struct virtio_dev *virtio_blk_new(const struct gmem *mem, const char *path, int mode, virtio_irq_fn irq,
				  void *opaque, struct mew_error **err);

/* virtio-9p: a 9P2000.L server for the directory root, mount tag tag;
 * readonly is enforced by the server (EROFS), whatever the guest mounts. */
struct virtio_dev *virtio_9p_new(const struct gmem *mem, const char *root, const char *tag, int readonly,
				 virtio_irq_fn irq, void *opaque, struct mew_error **err);
/* The same for n directories at once, under a synthetic read-only root
 * whose entries "0".."n-1" are shares[0..n-1] (n may be 0). */
struct virtio_9p_share {
	const char *host;
	bool readonly;
};
struct virtio_dev *virtio_9p_new_shares(const struct gmem *mem, const struct virtio_9p_share *shares, int n,
					const char *tag, virtio_irq_fn irq, void *opaque, struct mew_error **err);

/* virtio-net on a stream socket fd in qemu's framing (passt --fd), which
 * the device owns; mac is the guest's address.  The VMM's I/O loop polls
 * virtio_net_fd (-1 once the backend went away) and calls virtio_net_poll
 * when it is readable. */
struct virtio_dev *virtio_net_new(const struct gmem *mem, int fd, const uint8_t mac[6], virtio_irq_fn irq,
				  void *opaque, struct mew_error **err);
int virtio_net_fd(struct virtio_dev *d);
void virtio_net_poll(struct virtio_dev *d);

/* virtio-vsock with guest CID cid: a guest connection to host port P goes to
 * the Unix socket "<uds_prefix>_P" (Firecracker's convention). */
struct virtio_dev *virtio_vsock_new(const struct gmem *mem, uint64_t cid, const char *uds_prefix,
				    virtio_irq_fn irq, void *opaque, struct mew_error **err);
/* Poll host ends and move their data into the guest; the VMM's I/O loop
 * polls the descriptors vsock_fds names (at most max, returns the count:
 * they change as connections come and go) and calls vsock_poll when any is
 * readable. */
int virtio_vsock_fds(struct virtio_dev *d, int *fds, int max);
void virtio_vsock_poll(struct virtio_dev *d);

/* A host port the VMM serves itself: what the guest sends on a connection to
 * it is handed to recv (called with NULL, 0 when the connection ends) or else
 * written to wfd; what rfd yields goes to the guest.  The device uses its own
 * duplicates of rfd and wfd, one connection at a time reads rfd. */
struct vsock_service {
	uint32_t port;
	int rfd, wfd; /* -1: none */
	void (*recv)(void *opaque, const uint8_t *data, size_t len);
	void *opaque;
};
/* Before the guest starts; -1 when the port is taken or the table is full. */
int virtio_vsock_serve(struct virtio_dev *d, const struct vsock_service *svc);

#endif
