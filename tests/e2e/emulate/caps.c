/* The guest's effective capabilities as capget answers them, in hex. */
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	if (syscall(SYS_capget, &h, d) < 0)
		return 1;
	printf("%llx\n", (unsigned long long)d[0].effective | (unsigned long long)d[1].effective << 32);
	return 0;
}
