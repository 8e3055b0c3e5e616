/* An engine turns a spec into a running command: the four ways mew runs Linux.
 * Each engine lives in its own folder and exports one `struct engine`. */
#ifndef MEW_ENGINE_ENGINE_H
#define MEW_ENGINE_ENGINE_H

#include <stddef.h>

#include "base/error.h"
#include "spec/spec.h"

/* What an engine honours of a spec beyond the command itself.  A spec that
 * asks for more is refused by name before the engine runs, never ignored. */
enum engine_feature {
	ENGINE_NET_NONE = 1 << 0,     /* --net none: loopback only */
	ENGINE_NET_HOST = 1 << 1,     /* --net host */
	ENGINE_LIMIT_MEMORY = 1 << 2, /* --memory */
	ENGINE_LIMIT_PIDS = 1 << 3,   /* --pids */
	ENGINE_LIMIT_CPUS = 1 << 4,   /* --cpus */
};

struct engine {
	const char *name;
	const char *summary; /* one line for `mew engines` */
	unsigned features;   /* enum engine_feature */
	const char *net_why; /* why the network modes it lacks are missing */
	const char *limits_why; /* likewise for the limits it lacks */
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
/* Settle what the spec left to the engine (the network mode: none where the
 * engine can isolate it, else the host's) and refuse what the engine cannot
 * honour, naming the flag. */
int engine_fit_spec(const struct engine *e, struct spec *spec, struct mew_error **err);
/* Whether spec's program is an aarch64 ELF and the host is not (emulate). */
int emulate_is_foreign(const struct spec *spec);

#endif
