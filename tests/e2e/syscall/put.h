/* name := text in one write, as LTP's SAFE_FILE_PRINTF writes a /proc
 * file (open, write, close): the write's result, -1 with the errno of the
 * step that failed.  Shared by climb.c and netns.c. */
#ifndef MEW_TESTS_SYSCALL_PUT_H
#define MEW_TESTS_SYSCALL_PUT_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static inline long put(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY), e;
	long n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n;
}

#endif
