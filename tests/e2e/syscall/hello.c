/* A dynamically linked program: runs with the rootfs's ld.so and libc. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("hello argv0=%s exe=%s uid=%d\n", argv[0], exe, (int)getuid());
	return 0;
}
