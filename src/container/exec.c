#include "container/exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_path(char *const *env)
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static int exec_error(const char *cmd, int e, struct mew_error **err)
{
	if (e == ENOENT || e == ENOTDIR)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, e, "exec `%s`", cmd);
	return mew_error_status(err, MEW_EXIT_NOT_EXEC, e, "exec `%s`", cmd);
}

int exec_command(char *const *argv, char *const *env, struct mew_error **err)
{
	const char *cmd = argv[0], *path, *p;
	char buf[PATH_MAX];
	int saved = ENOENT;

	if (strchr(cmd, '/') != NULL) {
		execve(cmd, argv, env);
		return exec_error(cmd, errno, err);
	}
	path = env_path(env);
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dirlen = (size_t)(end - p);

		if (dirlen == 0)
			snprintf(buf, sizeof(buf), "%s", cmd);
		else
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)dirlen, p, cmd);
		execve(buf, argv, env);
		/* Keep looking past missing files; remember a file we may not run. */
		if (errno != ENOENT && errno != ENOTDIR)
			saved = errno;
		if (*end == '\0')
			break;
		p = end;
	}
	if (saved == ENOENT)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0,
					"exec `%s`: command not found in PATH %s", cmd, path);
	return exec_error(cmd, saved, err);
}

int exec_launcher(int fd, char *const *prefix, char *const *argv, char *const *env,
		  struct mew_error **err)
{
	size_t np = 0, na = 0;
	char **all, host[HOST_NAME_MAX + 2] = "";

	while (prefix[np] != NULL)
		np++;
	while (argv[na] != NULL)
		na++;
	all = calloc(np + na + 1, sizeof(char *));
	if (all == NULL)
		return mew_error(err, ENOMEM, "exec `%s`", argv[0]);
	memcpy(all, prefix, np * sizeof(char *));
	memcpy(all + np, argv, na * sizeof(char *));
	for (size_t i = 0; i < np; i++)
		if (all[i][0] == '\0' && gethostname(host, sizeof(host) - 1) == 0)
			all[i] = host;
	fexecve(fd, all, env);
	free(all);
	return mew_error(err, errno, "exec the launcher of `%s`", argv[0]);
}
