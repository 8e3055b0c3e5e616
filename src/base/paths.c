#include "base/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char cache_dir[4096];
static char state_dir[4096];

const char *mew_cache_dir(void)
{
	const char *env;

	if (cache_dir[0] != '\0')
		return cache_dir;
	if ((env = getenv("MEW_CACHE")) != NULL && env[0] != '\0')
		snprintf(cache_dir, sizeof(cache_dir), "%s", env);
	else if (geteuid() == 0)
		snprintf(cache_dir, sizeof(cache_dir), "/var/cache/mew");
	else if ((env = getenv("XDG_CACHE_HOME")) != NULL && env[0] != '\0')
		snprintf(cache_dir, sizeof(cache_dir), "%s/mew", env);
	else if ((env = getenv("HOME")) != NULL && env[0] != '\0')
		snprintf(cache_dir, sizeof(cache_dir), "%s/.cache/mew", env);
	else
		snprintf(cache_dir, sizeof(cache_dir), "/tmp/mew-cache-%u", (unsigned)getuid());
	return cache_dir;
}

const char *mew_state_dir(void)
{
	const char *env;

	if (state_dir[0] != '\0')
		return state_dir;
	if ((env = getenv("MEW_STATE")) != NULL && env[0] != '\0')
		snprintf(state_dir, sizeof(state_dir), "%s", env);
	else if (geteuid() == 0)
		snprintf(state_dir, sizeof(state_dir), "/run/mew");
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0')
		snprintf(state_dir, sizeof(state_dir), "%s/mew", env);
	else
		snprintf(state_dir, sizeof(state_dir), "/tmp/mew-%u", (unsigned)getuid());
	return state_dir;
}
