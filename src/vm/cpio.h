/* A newc cpio archive built in memory: the initramfs that carries mew's
 * guest agent as /init. */
#ifndef MEW_VM_CPIO_H
#define MEW_VM_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpio {
	uint8_t *buf;
	size_t len, cap;
	unsigned ino;
};

int cpio_add(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len);
int cpio_finish(struct cpio *c);
void cpio_free(struct cpio *c);

#endif
