/* An engine turns a spec into a running command: the four ways mew runs Linux.
 * Each engine lives in its own folder and exports one `struct engine`. */
#ifndef MEW_ENGINE_ENGINE_H
#define MEW_ENGINE_ENGINE_H

#include <stddef.h>

#include "base/error.h"
#include "spec/spec.h"

struct engine {
	const char *name;
	const char *summary; /* one line for `mew engines` */
	/* 0 when the engine can run on this host; otherwise -1 and the one-line
	 * reason in why.  Cheap: no side effects. */
	int (*probe)(char *why, size_t len);
	/* Run spec to completion: the command's exit status (128+N for signal
	 * N), or -1 with *err when mew itself failed. */
	int (*run)(const struct spec *spec, struct mew_error **err);
};

extern const struct engine engine_container;
extern const struct engine engine_syscall;
extern const struct engine engine_emulate;
extern const struct engine engine_vm;

/* All engines, in the order `mew engines` lists them; NULL-terminated. */
extern const struct engine *const engines[];
const struct engine *engine_find(const char *name);

/* The engine for spec->engine; "auto" picks emulate for a foreign-arch spec
 * and container otherwise. */
const struct engine *engine_for_spec(const struct spec *spec);
/* Whether spec's program is an aarch64 ELF and the host is not (emulate). */
int emulate_is_foreign(const struct spec *spec);

#endif
