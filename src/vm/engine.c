/* Placeholder until the vm engine lands: it says so instead of pretending. */
#include "engine/engine.h"

#include <stdio.h>

static int probe(char *why, size_t len)
{
	snprintf(why, len, "not built yet in this version of mew");
	return -1;
}

static int run(const struct spec *spec, struct mew_error **err)
{
	(void)spec;
	return mew_error(err, 0, "engine vm: not built yet in this version of mew");
}

const struct engine engine_vm = {
	.name = "vm",
	.summary = "a real Linux kernel in a KVM virtual machine on virtio devices",
	.probe = probe,
	.run = run,
};
