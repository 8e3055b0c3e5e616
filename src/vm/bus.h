/* The two address spaces a CPU reaches devices through (x86 port I/O and
 * MMIO).  A device registers a range and an ops table; whatever CPU runs the
 * guest (KVM today, an emulator later) calls bus_access on each exit. */
#ifndef MEW_VM_BUS_H
#define MEW_VM_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct bus_ops {
	/* off is relative to the range's base; len is 1, 2, 4 or 8. */
	void (*read)(void *dev, uint64_t off, void *data, uint32_t len);
	void (*write)(void *dev, uint64_t off, const void *data, uint32_t len);
};

struct bus_range {
	uint64_t base, len;
	const struct bus_ops *ops;
	void *dev;
};

#define BUS_MAX_RANGES 32

struct bus {
	struct bus_range r[BUS_MAX_RANGES];
	int n;
};

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct bus_ops *ops, void *dev);
/* Dispatch one access; false when no device claims addr.  Reads of nothing
 * return all ones, as on real hardware. */
bool bus_access(struct bus *bus, uint64_t addr, void *data, uint32_t len, bool write);

#endif
