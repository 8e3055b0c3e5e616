/* AF_UNIX names given back as the guest names them (sockname.h). */
#include "personality/sockname.h"

#define SUN_PATH_OFF 2	/* after sun_family */
#define SUN_PATH_MAX 108

unsigned long pers_sock_name(void *addr, unsigned long len, unsigned long cap, pers_untranslate_fn *untranslate,
			     void *ctx)
{
	unsigned char *a = addr;
	char host[SUN_PATH_MAX + 1], guest[4096];
	long n;

	/* AF_UNIX (1, little-endian on every ABI mew runs) with a path */
	if (len <= SUN_PATH_OFF + 1 || len > SUN_PATH_OFF + SUN_PATH_MAX || len > cap || a[0] != 1 || a[1] != 0 ||
	    a[SUN_PATH_OFF] != '/')
		return len;
	for (unsigned long i = 0; i < len - SUN_PATH_OFF; i++)
		host[i] = (char)a[SUN_PATH_OFF + i];
	host[len - SUN_PATH_OFF] = '\0'; /* the kernel counts the NUL, when there is room for one */
	n = untranslate(ctx, host, guest, sizeof(guest));
	if (n <= 0 || n > SUN_PATH_MAX)
		return len;
	for (long i = 0; i < n && SUN_PATH_OFF + (unsigned long)i < cap; i++)
		a[SUN_PATH_OFF + i] = (unsigned char)guest[i];
	return SUN_PATH_OFF + (unsigned long)n;
}
