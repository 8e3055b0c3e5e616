#ifndef MEW_CONTAINER_EXEC_H
#define MEW_CONTAINER_EXEC_H

#include "base/error.h"

/* execve argv[0], searched in the PATH of env (not mew's own), as a shell
 * does.  Returns only on failure: 127 when not found, 126 when found but not
 * executable, with *err naming the command. */
int exec_command(char *const *argv, char *const *env, struct mew_error **err);

/* The command through a launcher instead: fexecve(fd) with prefix, then
 * argv (the OCI runtime runs another engine's `mew run` this way, from a
 * static mew opened before pivot_root).  An empty argument in prefix is the
 * hostname of the UTS namespace we are in by now (a config with no hostname:
 * a pod's containers join the pause's namespace).  Returns only on failure. */
int exec_launcher(int fd, char *const *prefix, char *const *argv, char *const *env,
		  struct mew_error **err);

#endif
