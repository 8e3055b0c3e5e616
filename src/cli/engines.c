#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"

static const char usage[] =
	"Usage: mew engines [--json]\n"
	"\n"
	"List mew's engines, whether each can run on this host, and if not, why.\n"
	"  --json   also what each engine honours of `mew run`'s flags and what it\n"
	"           refuses, with the reason (mew's contract: src/engine/contract.c)\n";

/* {"fields": [{"name", "flag", "usage"}...],
 *  "engines": [{"name", "summary", "available", "why", "honours": [name...],
 *               "refuses": {name: reason}}...]} */
static json_t *engines_json(void)
{
	json_t *root = json_object(), *fields = json_array(), *list = json_array();
	char why[256];

	for (const struct engine_clause *c = engine_contract; c->name != NULL; c++)
		json_array_append_new(fields, json_pack("{s:s, s:s, s:s}", "name", c->name, "flag", c->flag,
							"usage", c->usage));
	for (size_t i = 0; engines[i] != NULL; i++) {
		const struct engine *e = engines[i];
		json_t *honours = json_array(), *refuses = json_object();
		why[0] = '\0';
		int ok = e->probe(why, sizeof(why)) == 0;
		for (const struct engine_clause *c = engine_contract; c->name != NULL; c++) {
			const struct engine_term *t = engine_term(e, c);
			if (t->honoured)
				json_array_append_new(honours, json_string(c->name));
			else
				json_object_set_new(refuses, c->name, json_string(t->why != NULL ? t->why : ""));
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:s, s:o, s:o}", "name", e->name,
						      "summary", e->summary, "available", ok, "why", why,
						      "honours", honours, "refuses", refuses));
	}
	json_object_set_new(root, "fields", fields);
	json_object_set_new(root, "engines", list);
	return root;
}

int cmd_engines(int argc, char **argv)
{
	char why[256];

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--json") == 0) {
		json_t *j = engines_json();
		int r = json_dumpf(j, stdout, JSON_INDENT(2)) < 0 ? MEW_EXIT_FAILURE : 0;
		json_decref(j);
		putchar('\n');
		return r;
	}
	if (argc > 1) {
		fprintf(stderr, "mew: engines: unknown argument `%s` (see mew engines --help)\n", argv[1]);
		return MEW_EXIT_FAILURE;
	}
	for (size_t i = 0; engines[i] != NULL; i++) {
		const struct engine *e = engines[i];
		why[0] = '\0';
		if (e->probe(why, sizeof(why)) == 0)
			printf("%-10s yes  %s%s%s%s\n", e->name, e->summary, why[0] ? " (" : "", why, why[0] ? ")" : "");
		else
			printf("%-10s no   %s: %s\n", e->name, e->summary, why);
	}
	return 0;
}
