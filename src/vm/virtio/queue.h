/* Split virtqueues (virtio 1.x, section 2.7) read from guest memory.  The
 * guest is hostile: every index, address and length is checked, and a queue
 * that breaks a rule is refused rather than followed. */
#ifndef MEW_VM_VIRTIO_QUEUE_H
#define MEW_VM_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vm/mem.h"

#define VQ_MAX_SIZE 256
#define VQ_MAX_SEGS VQ_MAX_SIZE

enum {
	VRING_DESC_F_NEXT = 1,
	VRING_DESC_F_WRITE = 2,
	VRING_DESC_F_INDIRECT = 4,
};

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq {
	uint16_t size;	 /* entries, a power of two <= VQ_MAX_SIZE */
	bool ready;
	uint64_t desc, avail, used; /* guest physical addresses of the three areas */
	uint16_t last_avail;	    /* next available entry the device will take */
	uint16_t used_idx;
};

/* One request: the device-readable segments, then the device-writable ones,
 * as host pointers into guest memory. */
struct vq_chain {
	uint16_t head;
	int nout, nin;
	uint64_t out_len, in_len;
	struct iovec out[VQ_MAX_SEGS];
	struct iovec in[VQ_MAX_SEGS];
};

/* Check the queue's areas lie in guest memory; 0 or -1 with *why. */
int vq_validate(const struct gmem *m, const struct vq *q, const char **why);
/* Take the next available chain: 1 when *c is filled, 0 when the ring is
 * empty, -1 when the guest broke a rule (*why says which). */
int vq_pop(const struct gmem *m, struct vq *q, struct vq_chain *c, const char **why);
/* Give back the chain vq_pop just took, untouched: the next vq_pop takes it
 * again. */
void vq_unpop(struct vq *q);
/* Return a chain to the guest with len bytes written into it. */
int vq_push(const struct gmem *m, struct vq *q, uint16_t head, uint32_t len);
bool vq_has_avail(const struct gmem *m, const struct vq *q);

/* Copy between a segment list and a flat buffer, starting off bytes in;
 * return the bytes copied. */
size_t iov_to_buf(const struct iovec *iov, int n, size_t off, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, int n, size_t off, const void *buf, size_t len);

#endif
