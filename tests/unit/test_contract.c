/* The contract (src/engine/contract.c): every cell declared, every flag of
 * `mew run` covered by a clause, and a field an engine does not honour
 * refused by name before anything runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "engine/engine.h"
#include "spec/flags.h"

static void every_cell_is_declared(void **state)
{
	for (const struct engine_clause *c = engine_contract; c->name != NULL; c++) {
		assert_non_null(c->flag);
		assert_non_null(c->usage);
		assert_non_null(c->uses);
		for (size_t i = 0; i < ENGINE_COUNT; i++) {
			const struct engine_term *t = &c->terms[i];
			if (t->honoured) {
				if (t->why != NULL)
					fail_msg("%s under %s: honoured, yet with a reason", c->name, engines[i]->name);
				continue;
			}
			if (t->why == NULL)
				fail_msg("%s under %s: neither honoured nor refused", c->name, engines[i]->name);
			/* the refusal says what to use instead */
			if (strstr(t->why, ": use --engine ") == NULL)
				fail_msg("%s under %s: `%s` does not say which engine to use", c->name,
					 engines[i]->name, t->why);
		}
	}
}

static void engines_are_indexed_by_id(void **state)
{
	assert_string_equal(engines[ENGINE_CONTAINER]->name, "container");
	assert_string_equal(engines[ENGINE_SYSCALL]->name, "syscall");
	assert_string_equal(engines[ENGINE_EMULATE]->name, "emulate");
	assert_string_equal(engines[ENGINE_VM]->name, "vm");
	assert_null(engines[ENGINE_COUNT]);
}

static int parse(struct spec *spec, char **args)
{
	char *argv[16] = { "run", "--net", "host" };
	struct mew_error *err = NULL;
	int argc = 3;

	for (; *args != NULL; args++)
		argv[argc++] = *args;
	argv[argc++] = "true";
	spec_init(spec);
	int r = spec_parse_run_flags(argc, argv, spec, &err);
	if (r != 0)
		fail_msg("%s: %s", argv[3], err != NULL ? err->msg : "--help");
	return r;
}

/* A value for each option: a new option without one here fails, and so does
 * one that no clause of the contract sees. */
static const struct {
	const char *name;
	char *args[3];
} examples[] = {
	{ "env", { "-e", "A=1" } },
	{ "workdir", { "-w", "/tmp" } },
	{ "user", { "-u", "1" } },
	{ "hostname", { "--hostname", "h" } },
	{ "volume", { "-v", "/tmp:/mnt" } },
	{ "memory", { "--memory", "64m" } },
	{ "pids", { "--pids", "9" } },
	{ "cpus", { "--cpus", "1" } },
	{ "net", { "--net", "none" } },
	{ "tty", { "-t" } },
	{ "interactive", { "-i" } },
	{ "read-only", { "--read-only" } },
	{ "kernel", { "--kernel", "/k" } },
	{ "initrd", { "--initrd", "/i" } },
	{ "cmdline", { "--cmdline", "x" } },
	{ "console", { "--console" } },
	{ "disk", { "--disk", "/d" } },
	{ "root-disk", { "--root-disk" } },
	{ "arch", { "--arch", "arm64" } },
	{ "vsock-uds", { "--vsock-uds", "/tmp/v" } },
	{ "no-snapshot", { "--no-snapshot" } },
	{ "vm-debug", { "--vm-debug", "timing" } },
	{ "sandbox", { "--sandbox", "strict" } },
	{ "jit", { "--jit", "off" } },
};
/* What says how mew runs, or where the rootfs comes from (--image and
 * --persist are resolved to a rootfs before any engine): no engine is asked
 * to honour them. */
static const char *const not_clauses[] = { "engine", "rootfs", "image", "persist", "help" };

static void every_flag_has_a_clause(void **state)
{
	struct spec with;

	for (const struct option *o = spec_run_options; o->name != NULL; o++) {
		size_t k, n = 0;
		for (k = 0; k < ARRAY_SIZE(not_clauses); k++)
			if (strcmp(o->name, not_clauses[k]) == 0)
				break;
		if (k < ARRAY_SIZE(not_clauses))
			continue;
		for (k = 0; k < ARRAY_SIZE(examples); k++)
			if (strcmp(o->name, examples[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(examples))
			fail_msg("--%s: no example here, and perhaps no clause in the contract", o->name);
		/* --arch arm64 is foreign on an amd64 host; on arm64, amd64 is */
		if (strcmp(o->name, "arch") == 0 && strcmp(spec_host_arch(), "arm64") == 0)
			continue;
		parse(&with, (char **)examples[k].args);
		for (const struct engine_clause *c = engine_contract; c->name != NULL; c++)
			n += c->uses(&with) && strncmp(c->flag, "--", 2) == 0 &&
			     strncmp(c->flag + 2, o->name, strlen(o->name)) == 0;
		if (n == 0)
			fail_msg("--%s: no clause of the contract sees it", o->name);
		spec_free(&with);
	}
}

static void refusal_names_flag_and_engine(void **state)
{
	char *args[] = { "-v", "/tmp:/mnt:ro", NULL };
	struct mew_error *err = NULL;
	struct spec spec;

	parse(&spec, args);
	assert_int_equal(engine_fit_spec(&engine_container, &spec, &err), 0);
	assert_int_equal(engine_fit_spec(&engine_syscall, &spec, &err), 0);
	if (!engine_honours(&engine_emulate, "volume-ro")) {
		assert_int_equal(engine_fit_spec(&engine_emulate, &spec, &err), -1);
		assert_non_null(strstr(err->msg, "--volume: the emulate engine "));
		assert_int_equal(err->status, MEW_EXIT_FAILURE);
		mew_error_free(err);
	}
	spec_free(&spec);
}

static void default_network_is_the_engines(void **state)
{
	struct mew_error *err = NULL;
	struct spec spec;

	for (size_t i = 0; i < ENGINE_COUNT; i++) {
		spec_init(&spec);
		assert_int_equal(engine_fit_spec(engines[i], &spec, &err), 0);
		assert_int_equal(spec.net, engine_honours(engines[i], "net-none") ? SPEC_NET_NONE : SPEC_NET_HOST);
		spec_free(&spec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_cell_is_declared),
		cmocka_unit_test(engines_are_indexed_by_id),
		cmocka_unit_test(every_flag_has_a_clause),
		cmocka_unit_test(refusal_names_flag_and_engine),
		cmocka_unit_test(default_network_is_the_engines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
