/* The stub's small library: memory, guest memory, numbers. */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* The guest's memory, read and written in place (entry.S, guest_copy):
 * a bad pointer is -EFAULT, not a crash; no system call on the way. */
long copy_in(void *dst, unsigned long src, unsigned long len)
{
	if (!guest_range(src, len))
		return -EFAULT;
	return guest_copy(dst, (const void *)src, len);
}

long copy_out(unsigned long dst, const void *src, unsigned long len)
{
	if (!guest_range(dst, len))
		return -EFAULT;
	return guest_copy((void *)dst, src, len);
}

/* A guest path into buf (PATH_MAX bytes), as the kernel's getname takes
 * it: its length, -EFAULT, or -ENAMETOOLONG. */
long copy_path(char *buf, unsigned long src)
{
	long n;

	if (!guest_range(src, 1))
		return -EFAULT;
	n = guest_copy_str(buf, (const char *)src, PATH_MAX_);
	return n == PATH_MAX_ ? -ENAMETOOLONG : n;
}

char *put_num(char *p, long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}
