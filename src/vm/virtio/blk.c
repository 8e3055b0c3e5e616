/* virtio-blk (device 2) on a raw image: read, write, flush, get-id.  Every
 * request's sector range is checked against the image's size.  In snapshot
 * mode the image is only read: the guest's writes go to an unlinked
 * temporary file of the same size, and a bitmap says which sectors are
 * there (qemu's -snapshot, for a cached image many runs share). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/virtio/devices.h"

enum {
	BLK_T_IN = 0,
	BLK_T_OUT = 1,
	BLK_T_FLUSH = 4,
	BLK_T_GET_ID = 8,
	BLK_S_OK = 0,
	BLK_S_IOERR = 1,
	BLK_S_UNSUPP = 2,
	BLK_F_RO = 1u << 5,
	BLK_F_FLUSH = 1u << 9,
};

struct blk {
	struct virtio_dev dev;
	int fd;
	uint64_t size;
	int readonly;
	int ov_fd;	 /* snapshot mode: the guest's writes, else -1 */
	uint8_t *ov_map; /* a bit per sector: 1 = the sector is in ov_fd */
};

static int in_overlay(const struct blk *b, uint64_t sector)
{
	return b->ov_map != NULL && (b->ov_map[sector / 8] >> (sector % 8) & 1);
}

/* Read len bytes at off, each sector from wherever its latest copy is. */
static ssize_t read_at(struct blk *b, uint8_t *p, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		uint64_t sector = (off + done) / 512;
		int ov = in_overlay(b, sector);
		/* the run of sectors that live in the same file */
		uint64_t end = (sector + 1) * 512;
		while (end < off + len && in_overlay(b, end / 512) == ov)
			end += 512;
		size_t n = (size_t)((end < off + len ? end : off + len) - (off + done));
		ssize_t r = pread(ov ? b->ov_fd : b->fd, p + done, n, (off_t)(off + done));
		if (r != (ssize_t)n)
			return -1;
		done += n;
	}
	return (ssize_t)done;
}

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/* Transfer the data segments (all but the trailing status byte) at off. */
static int transfer(struct blk *b, struct vq_chain *ch, uint64_t off, int write, uint32_t *done)
{
	const struct iovec *iov = write ? ch->out : ch->in;
	int n = write ? ch->nout : ch->nin - 1;
	size_t skip = write ? sizeof(struct blk_hdr) : 0;
	uint64_t total = (write ? ch->out_len - sizeof(struct blk_hdr) : ch->in_len - 1);
	uint64_t start = off;

	if (total % 512 != 0 || off > b->size || total > b->size - off)
		return BLK_S_IOERR;
	for (int i = 0; i < n; i++) {
		uint8_t *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		p += skip;
		len -= skip;
		skip = 0;
		if (!write && i == ch->nin - 1)
			break;
		ssize_t r = write ? pwrite(b->ov_fd >= 0 ? b->ov_fd : b->fd, p, len, (off_t)off)
				  : read_at(b, p, len, off);
		if (r != (ssize_t)len)
			return BLK_S_IOERR;
		off += len;
		if (!write)
			*done += (uint32_t)len;
	}
	/* The request covered whole sectors: now they all live in the overlay. */
	if (write && b->ov_map != NULL)
		for (uint64_t sector = start / 512; sector < (start + total) / 512; sector++)
			b->ov_map[sector / 8] |= (uint8_t)(1u << (sector % 8));
	return BLK_S_OK;
}

static void handle(struct blk *b, struct vq_chain *ch, uint32_t *written)
{
	struct blk_hdr h;
	uint8_t status;
	uint8_t *st;

	*written = 0;
	/* The last writable byte is the status. */
	if (ch->nin == 0 || ch->in[ch->nin - 1].iov_len == 0)
		return;
	st = (uint8_t *)ch->in[ch->nin - 1].iov_base + ch->in[ch->nin - 1].iov_len - 1;
	if (iov_to_buf(ch->out, ch->nout, 0, &h, sizeof(h)) != sizeof(h)) {
		*st = BLK_S_IOERR;
		*written = 1;
		return;
	}
	/* Keep the status byte out of the data: it must be a segment of its own. */
	if (ch->in[ch->nin - 1].iov_len != 1 && h.type == BLK_T_IN) {
		*st = BLK_S_IOERR;
		*written = 1;
		return;
	}
	switch (h.type) {
	case BLK_T_IN:
		status = h.sector > UINT64_MAX / 512 ? BLK_S_IOERR : transfer(b, ch, h.sector * 512, 0, written);
		break;
	case BLK_T_OUT:
		status = b->readonly || h.sector > UINT64_MAX / 512 ? BLK_S_IOERR
								      : transfer(b, ch, h.sector * 512, 1, written);
		break;
	case BLK_T_FLUSH:
		/* a snapshot's writes are thrown away at the end: nothing to keep */
		status = b->ov_fd >= 0 || fsync(b->fd) == 0 ? BLK_S_OK : BLK_S_IOERR;
		break;
	case BLK_T_GET_ID:
		if (ch->nin >= 2)
			*written += (uint32_t)iov_from_buf(ch->in, ch->nin - 1, 0, "mew-disk", 9);
		status = BLK_S_OK;
		break;
	default:
		status = BLK_S_UNSUPP;
		break;
	}
	*st = status;
	*written += 1;
}

static void blk_notify(struct virtio_dev *d, int q)
{
	struct blk *b = d->priv;
	struct vq_chain ch;
	const char *why;
	uint32_t written;
	int r, used = 0;

	while ((r = vq_pop(d->mem, &d->vq[0], &ch, &why)) > 0) {
		handle(b, &ch, &written);
		vq_push(d->mem, &d->vq[0], ch.head, written);
		used = 1;
	}
	if (r < 0)
		virtio_fail(d, why);
	if (used)
		virtio_signal_used(d);
}

static void blk_free(struct virtio_dev *d)
{
	struct blk *b = d->priv;
	close(b->fd);
	if (b->ov_fd >= 0)
		close(b->ov_fd);
	free(b->ov_map);
	free(b);
}

static const struct virtio_ops blk_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = BLK_F_FLUSH,
	.nqueues = 1,
	.notify = blk_notify,
	.free = blk_free,
};

static const struct virtio_ops blk_ro_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = BLK_F_FLUSH | BLK_F_RO,
	.nqueues = 1,
	.notify = blk_notify,
	.free = blk_free,
};

/* An unlinked file next to the image (or in /tmp) for a snapshot's writes. */
static int overlay_file(const char *image)
{
	char dir[4096], tmpl[4200];
	int fd;

	snprintf(dir, sizeof(dir), "%s", image);
	fd = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(tmpl, sizeof(tmpl), "/tmp/mew-blk-XXXXXX");
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

struct virtio_dev *virtio_blk_new(const struct gmem *mem, const char *path, int mode, virtio_irq_fn irq,
				  void *opaque, struct mew_error **err)
{
	struct blk *b;
	struct stat st;
	int readonly = mode == VIRTIO_BLK_RO;
	int fd = open(path, (mode == VIRTIO_BLK_RW ? O_RDWR : O_RDONLY) | O_CLOEXEC);

	if (fd < 0)
		return mew_error(err, errno, "disk image `%s`", path), NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mew_error(err, 0, "disk image `%s`: not a regular file", path), NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		close(fd);
		return mew_error(err, ENOMEM, "virtio-blk"), NULL;
	}
	virtio_dev_init(&b->dev, readonly ? &blk_ro_ops : &blk_ops, b, mem, irq, opaque);
	b->fd = fd;
	b->ov_fd = -1;
	b->size = (uint64_t)st.st_size & ~511ULL;
	b->readonly = readonly;
	if (mode == VIRTIO_BLK_SNAPSHOT) {
		b->ov_fd = overlay_file(path);
		b->ov_map = calloc(1, (size_t)(b->size / 512 / 8 + 1));
		if (b->ov_fd < 0 || b->ov_map == NULL || ftruncate(b->ov_fd, (off_t)b->size) < 0) {
			mew_error(err, errno, "disk image `%s`: a file for the run's writes", path);
			blk_free(&b->dev);
			return NULL;
		}
	}
	uint64_t sectors = b->size / 512;
	memcpy(b->dev.config, &sectors, 8); /* capacity */
	b->dev.config_len = 60;
	return &b->dev;
}
