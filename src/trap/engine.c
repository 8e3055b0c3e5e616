/* Placeholder until the syscall engine lands: it says so instead of pretending. */
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
	return mew_error(err, 0, "engine syscall: not built yet in this version of mew");
}

const struct engine engine_syscall = {
	.name = "syscall",
	.summary = "programs run natively, system calls answered by mew's Linux personality (ptrace + seccomp)",
	.probe = probe,
	.run = run,
};
