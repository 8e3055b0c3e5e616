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

/* The guest's memory through the kernel: -EFAULT instead of a crash. */
long copy_in(void *dst, unsigned long src, unsigned long len)
{
	struct iov l = { dst, len }, r = { (void *)src, len };
	long n = S6(__NR_process_vm_readv, S0(__NR_getpid), &l, 1, &r, 1, 0);
	return n == (long)len ? 0 : -EFAULT;
}

long copy_out(unsigned long dst, const void *src, unsigned long len)
{
	struct iov l = { (void *)src, len }, r = { (void *)dst, len };
	long n = S6(__NR_process_vm_writev, S0(__NR_getpid), &l, 1, &r, 1, 0);
	return n == (long)len ? 0 : -EFAULT;
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
