#include "vm/virtio/queue.h"

#include <string.h>

static inline uint16_t load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

int vq_validate(const struct gmem *m, const struct vq *q, const char **why)
{
	if (q->size == 0 || q->size > VQ_MAX_SIZE || (q->size & (q->size - 1)) != 0)
		return *why = "queue size is not a power of two up to 256", -1;
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3))
		return *why = "queue areas are misaligned", -1;
	if (!gmem_ok(m, q->desc, 16ULL * q->size) || !gmem_ok(m, q->avail, 6 + 2ULL * q->size) ||
	    !gmem_ok(m, q->used, 6 + 8ULL * q->size))
		return *why = "queue areas lie outside guest memory", -1;
	return 0;
}

bool vq_has_avail(const struct gmem *m, const struct vq *q)
{
	const uint8_t *avail = gmem_ptr(m, q->avail, 4);
	return avail != NULL && load16(avail + 2) != q->last_avail;
}

int vq_pop(const struct gmem *m, struct vq *q, struct vq_chain *c, const char **why)
{
	const uint8_t *avail = gmem_ptr(m, q->avail, 6 + 2ULL * q->size);
	const struct vring_desc *table = gmem_ptr(m, q->desc, 16ULL * q->size);
	uint16_t idx, head, i;
	int seen = 0;

	if (!q->ready || avail == NULL || table == NULL)
		return *why = "queue is not set up", -1;
	idx = load16(avail + 2);
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->size)
		return *why = "available index jumped past the ring", -1;
	memcpy(&head, avail + 4 + 2 * (q->last_avail % q->size), 2);
	if (head >= q->size)
		return *why = "chain head outside the descriptor table", -1;
	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	i = head;
	for (;;) {
		struct vring_desc d;
		void *p;
		memcpy(&d, &table[i], sizeof(d));
		if (++seen > q->size)
			return *why = "descriptor chain loops", -1;
		if (d.flags & VRING_DESC_F_INDIRECT)
			return *why = "indirect descriptor (not offered)", -1;
		p = gmem_ptr(m, d.addr, d.len);
		if (p == NULL)
			return *why = "descriptor points outside guest memory", -1;
		if (d.flags & VRING_DESC_F_WRITE) {
			c->in[c->nin++] = (struct iovec){ p, d.len };
			c->in_len += d.len;
		} else {
			if (c->nin > 0)
				return *why = "readable descriptor after a writable one", -1;
			c->out[c->nout++] = (struct iovec){ p, d.len };
			c->out_len += d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= q->size)
			return *why = "next descriptor outside the table", -1;
		i = d.next;
	}
	q->last_avail++;
	return 1;
}

void vq_unpop(struct vq *q)
{
	q->last_avail--;
}

int vq_push(const struct gmem *m, struct vq *q, uint16_t head, uint32_t len)
{
	uint8_t *used = gmem_ptr(m, q->used, 6 + 8ULL * q->size);
	uint32_t elem[2] = { head, len };

	if (used == NULL)
		return -1;
	memcpy(used + 4 + 8 * (q->used_idx % q->size), elem, 8);
	q->used_idx++;
	__atomic_store_n((uint16_t *)(used + 2), q->used_idx, __ATOMIC_RELEASE);
	return 0;
}

size_t iov_to_buf(const struct iovec *iov, int n, size_t off, void *buf, size_t len)
{
	size_t done = 0;
	for (int i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off;
		if (k > len - done)
			k = len - done;
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, int n, size_t off, const void *buf, size_t len)
{
	size_t done = 0;
	for (int i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off;
		if (k > len - done)
			k = len - done;
		memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done, k);
		done += k;
		off = 0;
	}
	return done;
}
