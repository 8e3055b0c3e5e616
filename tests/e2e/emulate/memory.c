/* The program break and the permissions /proc/self/maps shows: built both
 * static and static-pie (a PIE is mapped among the other mappings, where
 * its break needs room).  Prints what arm64 Linux would, line by line. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *brk_to(char *want)
{
	return (char *)syscall(SYS_brk, want);
}

/* the permissions of the mapping at p, from /proc/self/maps */
static void perms(const char *name, void *p)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && (unsigned long)p >= lo &&
		    (unsigned long)p < hi) {
			printf("%s %s\n", name, perm);
			fclose(f);
			return;
		}
	}
	printf("%s not in /proc/self/maps\n", name);
	if (f != NULL)
		fclose(f);
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *start = brk_to(NULL), *cur = start;
	int ok = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* LTP's brk01: up by two pages less a byte, back, up again, 33 times */
	for (int i = 0; i < 33 && ok; i++) {
		char *want = i % 3 == 0 ? cur + 2 * page - 1 : i % 3 == 1 ? cur : cur - (2 * page - 1);
		if (want < start)
			want = start;
		cur = brk_to(want);
		ok = cur == want;
		if (ok && i % 3 == 0)
			cur[-1] = 1;
	}
	printf("brk %s\n", ok ? "moves" : "stuck");
	cur = brk_to(start + 64 * page);
	printf("brk-grow %s\n", cur == start + 64 * page ? "ok" : "failed");
	if (cur == start + 64 * page) {
		memset(start, 7, 64 * page);
		brk_to(start);
		brk_to(start + 64 * page);
		printf("brk-regrown %s\n", start[10 * page] == 0 ? "zero" : "stale");
	}
	brk_to(start);

	void *rx = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	perms("mmap-rx", rx);
	mprotect(rx, page, PROT_READ | PROT_WRITE | PROT_EXEC);
	perms("mprotect-rwx", rx);
	mprotect(rx, page, PROT_READ);
	perms("mprotect-r", rx);
	perms("text", (void *)main);

	/* write and exec without read (LTP's mmap04): shown as given, and
	 * code written there runs */
	unsigned *wx = mmap(NULL, page, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	perms("mmap-wx", wx);
	wx[0] = 0x52800540; /* mov w0, #42 */
	wx[1] = 0xd65f03c0; /* ret */
	__builtin___clear_cache((char *)wx, (char *)(wx + 2));
	printf("wx-code returns %d\n", ((int (*)(void))wx)());
	mprotect(wx, page, PROT_WRITE);
	perms("mprotect-w", wx);
	void *shared = mmap(NULL, page, PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	perms("mmap-shared-wx", shared);
	return 0;
}
