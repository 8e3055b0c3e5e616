#include "engine/engine.h"

#include <string.h>

const struct engine *const engines[ENGINE_COUNT + 1] = {
	[ENGINE_CONTAINER] = &engine_container,
	[ENGINE_SYSCALL] = &engine_syscall,
	[ENGINE_EMULATE] = &engine_emulate,
	[ENGINE_VM] = &engine_vm,
	[ENGINE_COUNT] = NULL,
};

const struct engine *engine_find(const char *name)
{
	for (size_t i = 0; engines[i] != NULL; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

const struct engine *engine_for_spec(const struct spec *spec)
{
	const char *name = spec->engine != NULL ? spec->engine : "container";

	if (strcmp(name, "auto") == 0) {
		if (spec->arch != NULL && strcmp(spec->arch, spec_host_arch()) != 0)
			return &engine_emulate;
		if (spec->arch == NULL && emulate_is_foreign(spec))
			return &engine_emulate;
		return &engine_container;
	}
	return engine_find(name);
}
