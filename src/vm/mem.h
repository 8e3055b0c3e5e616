/* Guest physical memory as the VMM sees it: one host mapping of the guest's
 * RAM.  Every guest address a device is handed goes through gmem_ptr, which
 * refuses ranges outside RAM (including ones that wrap around), so a hostile
 * guest cannot make a device touch host memory it does not own. */
#ifndef MEW_VM_MEM_H
#define MEW_VM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem {
	uint8_t *host;
	uint64_t size; /* RAM spans guest physical [0, size) */
};

static inline bool gmem_ok(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	return gpa <= m->size && len <= m->size - gpa;
}

/* Host address of guest [gpa, gpa+len), or NULL when any of it is not RAM. */
static inline void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	return gmem_ok(m, gpa, len) ? m->host + gpa : NULL;
}

#endif
