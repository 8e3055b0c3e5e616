#ifndef MEW_CONTAINER_EXEC_H
#define MEW_CONTAINER_EXEC_H

#include "base/error.h"

/* execve argv[0], searched in the PATH of env (not mew's own), as a shell
 * does.  Returns only on failure: 127 when not found, 126 when found but not
 * executable, with *err naming the command. */
int exec_command(char *const *argv, char *const *env, struct mew_error **err);

#endif
