#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "base/cleanup.h"

int file_write(const char *path, const char *buf, size_t len, struct mew_error **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return mew_error(err, errno, "open `%s`", path);
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mew_error(err, errno, "write `%s`", path);
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_str(const char *path, const char *str, struct mew_error **err)
{
	return file_write(path, str, strlen(str), err);
}

int file_read(const char *path, char **out, size_t *len, struct mew_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t size = 0, cap = 0;

	if (fd < 0)
		return mew_error(err, errno, "open `%s`", path);
	for (;;) {
		ssize_t n;
		if (cap - size < 4096) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (nb == NULL)
				return mew_error(err, ENOMEM, "read `%s`", path);
			buf = nb;
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mew_error(err, errno, "read `%s`", path);
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	buf[size] = '\0';
	if (len != NULL)
		*len = size;
	*out = steal_pointer(&buf);
	return 0;
}

int file_mkdir_p(const char *path, mode_t mode, struct mew_error **err)
{
	cleanup_free char *p = strdup(path);
	char *s;

	if (p == NULL)
		return mew_error(err, ENOMEM, "mkdir `%s`", path);
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return mew_error(err, errno, "mkdir `%s`", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return mew_error(err, errno, "mkdir `%s`", p);
	return 0;
}

int file_touch(const char *path, mode_t mode, struct mew_error **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0)
		return mew_error(err, errno, "create `%s`", path);
	close(fd);
	return 0;
}

int file_is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int openat2_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/* Create the last component of prefix under its parent, itself resolved in
 * the root, so that a symlink in the rootfs cannot redirect the creation. */
static int create_last(int root_fd, char *prefix, bool make_file, struct mew_error **err)
{
	char *slash = strrchr(prefix, '/');
	cleanup_close int parent = -1;
	int fd;

	*slash = '\0';
	parent = openat2_in_root(root_fd, prefix[0] != '\0' ? prefix : "/", O_PATH | O_DIRECTORY);
	*slash = '/';
	if (parent < 0)
		return mew_error(err, errno, "open the parent of `%s` in the rootfs", prefix);
	if (!make_file) {
		if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
			return mew_error(err, errno, "mkdir `%s` in the rootfs", prefix);
		return 0;
	}
	fd = openat(parent, slash + 1, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EEXIST && errno != ELOOP)
		return mew_error(err, errno, "create `%s` in the rootfs", prefix);
	if (fd >= 0)
		close(fd);
	return 0;
}

int file_open_in_root(int root_fd, const char *path, bool create, bool make_file,
			       struct mew_error **err)
{
	char prefix[PATH_MAX];
	int fd = openat2_in_root(root_fd, path, O_PATH);

	if (fd >= 0)
		return fd;
	if (errno != ENOENT || !create)
		return mew_error(err, errno, "open `%s` in the rootfs", path);
	if (path[0] != '/' || snprintf(prefix, sizeof(prefix), "%s", path) >= (int)sizeof(prefix))
		return mew_error(err, EINVAL, "`%s` in the rootfs", path);
	/* Walk the prefixes, creating each one that is missing. */
	for (char *p = prefix + 1;; p++) {
		bool last = *p == '\0';
		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (p[-1] != '/') {
			int probe = openat2_in_root(root_fd, prefix, O_PATH);
			if (probe >= 0)
				close(probe);
			else if (create_last(root_fd, prefix, last && make_file, err) < 0)
				return -1;
		}
		if (last)
			break;
		*p = '/';
	}
	fd = openat2_in_root(root_fd, path, O_PATH);
	if (fd < 0)
		return mew_error(err, errno, "open `%s` in the rootfs", path);
	return fd;
}
