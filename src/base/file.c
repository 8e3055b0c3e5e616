#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
