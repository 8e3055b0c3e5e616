#include "vm/bus.h"

#include <string.h>

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct bus_ops *ops, void *dev)
{
	if (bus->n >= BUS_MAX_RANGES)
		return -1;
	bus->r[bus->n++] = (struct bus_range){ .base = base, .len = len, .ops = ops, .dev = dev };
	return 0;
}

bool bus_access(struct bus *bus, uint64_t addr, void *data, uint32_t len, bool write)
{
	for (int i = 0; i < bus->n; i++) {
		struct bus_range *r = &bus->r[i];
		if (addr < r->base || addr - r->base >= r->len)
			continue;
		if (len > 8 || addr - r->base + len > r->len)
			break;
		if (write) {
			if (r->ops->write != NULL)
				r->ops->write(r->dev, addr - r->base, data, len);
		} else if (r->ops->read != NULL) {
			r->ops->read(r->dev, addr - r->base, data, len);
		} else {
			memset(data, 0xff, len);
		}
		return true;
	}
	if (!write)
		memset(data, 0xff, len > 8 ? 8 : len);
	return false;
}
