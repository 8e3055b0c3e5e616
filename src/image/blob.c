/* A blob read ahead in its own thread, which also hashes it: the layer's
 * decompression and file writes on one core, reading and SHA-256 on the
 * other, so checking the digest costs no time next to `tar -x`.  A few
 * buffers circulate between the two threads. */
#include "image/image.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

enum { NBUF = 4, BUFSZ = 1 << 20 };

struct image_blob {
	struct image_stream *stream;
	char *name;
	char *digest; /* expected, "algo:hex" */
	EVP_MD_CTX *md;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *buf[NBUF];
	size_t len[NBUF];
	unsigned head, tail; /* filled by the thread at head, taken at tail */
	bool eof, stop, held; /* held: the consumer has buf[tail] */
	int error;	       /* errno of a failed read */
	uint64_t offset;       /* bytes handed to the consumer */
	uint64_t total;	       /* bytes read by the thread */
};

static void *reader(void *arg)
{
	struct image_blob *b = arg;

	for (;;) {
		unsigned slot;
		size_t got = 0;
		ssize_t n = 0;

		pthread_mutex_lock(&b->lock);
		while (b->head - b->tail == NBUF && !b->stop)
			pthread_cond_wait(&b->cond, &b->lock);
		slot = b->head % NBUF;
		pthread_mutex_unlock(&b->lock);
		if (b->stop)
			break;
		while (got < BUFSZ && (n = image_stream_read(b->stream, b->buf[slot] + got, BUFSZ - got)) > 0)
			got += (size_t)n;
		if (got > 0 && b->md != NULL)
			EVP_DigestUpdate(b->md, b->buf[slot], got);
		pthread_mutex_lock(&b->lock);
		if (b->stop) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		b->total += got;
		b->len[slot] = got;
		if (got > 0)
			b->head++;
		if (n < 0)
			b->error = errno != 0 ? errno : EIO;
		if (n <= 0)
			b->eof = true;
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
		if (n <= 0)
			break;
	}
	return NULL;
}

int image_blob_open(struct image_source *src, const char *name, const char *digest,
		    struct image_blob **out, struct mew_error **err)
{
	struct image_blob *b = calloc(1, sizeof(*b));
	const EVP_MD *md = NULL;

	if (b == NULL)
		return mew_error(err, ENOMEM, "blob");
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->name = strdup(name);
	if (digest != NULL) {
		cleanup_free char *algo = strndup(digest, strcspn(digest, ":"));
		b->digest = strdup(digest);
		md = algo != NULL ? EVP_get_digestbyname(algo) : NULL;
		if (md == NULL || (strcmp(algo, "sha256") != 0 && strcmp(algo, "sha512") != 0)) {
			mew_error(err, 0, "`%s`: unsupported digest algorithm in `%s`", name, digest);
			goto fail;
		}
		b->md = EVP_MD_CTX_new();
		if (b->md == NULL || EVP_DigestInit_ex(b->md, md, NULL) != 1) {
			mew_error(err, ENOMEM, "digest");
			goto fail;
		}
	}
	for (int i = 0; i < NBUF; i++)
		if ((b->buf[i] = malloc(BUFSZ)) == NULL) {
			mew_error(err, ENOMEM, "blob buffers");
			goto fail;
		}
	if (image_stream_open(src, name, &b->stream, err) < 0)
		goto fail;
	if (pthread_create(&b->thread, NULL, reader, b) != 0) {
		mew_error(err, errno, "thread");
		image_stream_close(b->stream);
		b->stream = NULL;
		goto fail;
	}
	*out = b;
	return 0;
fail:
	for (int i = 0; i < NBUF; i++)
		free(b->buf[i]);
	EVP_MD_CTX_free(b->md);
	free(b->name);
	free(b->digest);
	free(b);
	return -1;
}

ssize_t image_blob_read(struct image_blob *b, const void **buf)
{
	ssize_t n;

	pthread_mutex_lock(&b->lock);
	if (b->held) {
		b->tail++;
		b->held = false;
		pthread_cond_broadcast(&b->cond);
	}
	while (b->head == b->tail && !b->eof)
		pthread_cond_wait(&b->cond, &b->lock);
	if (b->head == b->tail) {
		n = b->error != 0 ? -1 : 0;
		if (n < 0)
			errno = b->error;
	} else {
		unsigned slot = b->tail % NBUF;
		*buf = b->buf[slot];
		n = (ssize_t)b->len[slot];
		b->offset += (uint64_t)n;
		b->held = true;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

uint64_t image_blob_offset(const struct image_blob *b)
{
	return b->offset;
}

int image_blob_close(struct image_blob *b, struct mew_error **err)
{
	const void *p;
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int sumlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int r = 0;
	ssize_t n;

	if (err == NULL) {
		/* Abandoned (the layer was refused): stop reading. */
		pthread_mutex_lock(&b->lock);
		b->stop = true;
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
		pthread_join(b->thread, NULL);
		n = 0;
		b->md = (EVP_MD_CTX_free(b->md), NULL);
	} else {
		/* Whatever the tar reader left (end blocks, padding) is still hashed. */
		while ((n = image_blob_read(b, &p)) > 0)
			;
		pthread_join(b->thread, NULL);
	}
	if (n < 0) {
		r = mew_error(err, b->error, "read `%s`", b->name);
	} else if (b->md != NULL) {
		const char *want = strchr(b->digest, ':') + 1;
		EVP_DigestFinal_ex(b->md, sum, &sumlen);
		for (unsigned i = 0; i < sumlen; i++)
			sprintf(hex + 2 * i, "%02x", sum[i]);
		if (strcmp(hex, want) != 0)
			r = mew_error(err, 0, "`%s`: digest mismatch: the manifest says %s, the blob is %.*s:%s",
				      b->name, b->digest, (int)(want - 1 - b->digest), b->digest, hex);
	}
	image_stream_close(b->stream);
	for (int i = 0; i < NBUF; i++)
		free(b->buf[i]);
	EVP_MD_CTX_free(b->md);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b->name);
	free(b->digest);
	free(b);
	return r;
}
