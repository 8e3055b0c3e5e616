#ifndef MEW_BASE_FILE_H
#define MEW_BASE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

/* Write buf to path (truncating); errors name the path. */
int file_write(const char *path, const char *buf, size_t len, struct mew_error **err);
int file_write_str(const char *path, const char *str, struct mew_error **err);
/* Read a whole file into a NUL-terminated buffer. */
int file_read(const char *path, char **out, size_t *len, struct mew_error **err);
/* mkdir -p with mode; existing directories are fine. */
int file_mkdir_p(const char *path, mode_t mode, struct mew_error **err);
/* Create an empty regular file if nothing exists at path. */
int file_touch(const char *path, mode_t mode, struct mew_error **err);
int file_is_dir(const char *path);
int file_exists(const char *path);
/* Open path (O_PATH) inside the directory root_fd as if root_fd were `/`:
 * symlinks and `..` cannot lead out.  With create, missing directories are
 * created; with make_file the last component is created as an empty file
 * rather than a directory.  Errors say "in the rootfs". */
int file_open_in_root(int root_fd, const char *path, bool create, bool make_file, struct mew_error **err);

#endif
