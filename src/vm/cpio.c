#include "vm/cpio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put(struct cpio *c, const void *p, size_t n)
{
	if (c->len + n + 4 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		while (cap < c->len + n + 4)
			cap *= 2;
		uint8_t *b = realloc(c->buf, cap);
		if (b == NULL)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return 0;
}

static int pad4(struct cpio *c)
{
	static const uint8_t zero[4];
	return put(c, zero, (4 - c->len % 4) % 4);
}

int cpio_add(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len)
{
	char hdr[128];
	size_t nlen = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		 ++c->ino, (unsigned)mode, 0u, 0u, 1u, 0u, len, 0u, 0u, 0u, 0u, nlen, 0u);
	if (put(c, hdr, 110) < 0 || put(c, name, nlen) < 0 || pad4(c) < 0)
		return -1;
	if (len > 0 && (put(c, data, len) < 0 || pad4(c) < 0))
		return -1;
	return 0;
}

int cpio_finish(struct cpio *c)
{
	return cpio_add(c, "TRAILER!!!", 0, NULL, 0);
}

void cpio_free(struct cpio *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
