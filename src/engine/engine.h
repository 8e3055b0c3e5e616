/* An engine turns a spec into a running command: the four ways mew runs Linux.
 * Each engine lives in its own folder and exports one `struct engine`. */
#ifndef MEW_ENGINE_ENGINE_H
#define MEW_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "spec/spec.h"

struct engine {
	const char *name;
	const char *summary; /* one line for `mew engines` */
	/* What its wall against the guest lacks on this host ("; "-separated),
	 * and how many; NULL when nothing it relies on can be missing.
	 * --sandbox strict refuses to run where there is anything. */
	int (*wall_gaps)(char *buf, size_t len);
	/* 0 when the engine can run on this host; otherwise -1 and the one-line
	 * reason in why.  Cheap: no side effects. */
	int (*probe)(char *why, size_t len);
	/* Run spec to completion: the command's exit status (128+N for signal
	 * N), or -1 with *err when mew itself failed. */
	int (*run)(const struct spec *spec, struct mew_error **err);
};

/* The engines, in the order `mew engines` lists them: the index of each in
 * engines[] and the column of each in the contract. */
enum engine_id {
	ENGINE_CONTAINER,
	ENGINE_SYSCALL,
	ENGINE_EMULATE,
	ENGINE_VM,
	ENGINE_COUNT,
};

/* What an engine does with one field of the spec: honours it exactly, or
 * refuses it, and why (the rest of `the ENGINE engine ...`, ending with
 * `: use --engine ...`). */
struct engine_term {
	bool honoured;
	const char *why;
};

/* One field of the spec, as `mew run` spells it, and every engine's term. */
struct engine_clause {
	const char *name;  /* stable key: "volume-ro", "net-none", ... (mew engines --json) */
	const char *flag;  /* named in the refusal: "--volume", "--net none" */
	const char *usage; /* for people: "-v HOST:GUEST:ro" */
	bool (*uses)(const struct spec *spec);
	struct engine_term terms[ENGINE_COUNT];
};

/* The contract (src/engine/contract.c), terminated by a NULL name. */
extern const struct engine_clause engine_contract[];
const struct engine_clause *engine_clause_find(const char *name);
const struct engine_term *engine_term(const struct engine *e, const struct engine_clause *c);
/* Whether e honours the clause called name. */
bool engine_honours(const struct engine *e, const char *name);

extern const struct engine engine_container;
extern const struct engine engine_syscall;
extern const struct engine engine_emulate;
extern const struct engine engine_vm;

/* All engines, indexed by enum engine_id; NULL-terminated. */
extern const struct engine *const engines[ENGINE_COUNT + 1];
const struct engine *engine_find(const char *name);

/* The engine for spec->engine; "auto" picks emulate for a foreign-arch spec
 * and container otherwise. */
const struct engine *engine_for_spec(const struct spec *spec);
/* Settle what the spec left to the engine (the network mode: none where the
 * engine can isolate it, else the host's) and refuse, naming the flag, every
 * field the contract says the engine does not honour. */
int engine_fit_spec(const struct engine *e, struct spec *spec, struct mew_error **err);
/* Whether spec's program is an aarch64 ELF and the host is not (emulate). */
int emulate_is_foreign(const struct spec *spec);

#endif
