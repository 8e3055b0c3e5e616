#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"

int cmd_engines(int argc, char **argv)
{
	char why[256];

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: mew engines\n\nList mew's engines, whether each can run on this host, and if not, why.\n");
		return 0;
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
