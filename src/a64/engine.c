/* Placeholder until the emulate engine lands: it says so instead of pretending. */
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
	return mew_error(err, 0, "engine emulate: not built yet in this version of mew");
}

const struct engine engine_emulate = {
	.name = "emulate",
	.summary = "arm64 programs on this host, every instruction simulated",
	.probe = probe,
	.run = run,
};
