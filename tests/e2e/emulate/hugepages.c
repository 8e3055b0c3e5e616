/* Which of the guest's mappings the host was asked to back with huge pages
 * (VmFlags "hg" in /proc/self/smaps): a large private anonymous one, not a
 * small one, a stack or a shared one, nor one the guest advised against. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* whether the smaps entry of the mapping at p has flag hg */
static int advised(void *p)
{
	char line[512];
	int in = 0, hg = -1;
	FILE *f = fopen("/proc/self/smaps", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a mapping's first line */
			in = (unsigned long)p >= lo && (unsigned long)p < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			hg = strstr(line, " hg") != NULL;
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	return hg;
}

static void show(const char *name, size_t len, int flags, int nohuge)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		printf("%s mmap failed\n", name);
		return;
	}
	if (nohuge)
		madvise(p, len, MADV_NOHUGEPAGE);
	p[0] = 1;
	int hg = advised(p);
	printf("%s %s\n", name, hg < 0 ? "not in smaps" : hg ? "huge" : "small");
}

int main(void)
{
	show("large", 8 << 20, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	show("one-mib", 1 << 20, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	show("stack", 8 << 20, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, 0);
	show("shared", 8 << 20, MAP_SHARED | MAP_ANONYMOUS, 0);
	show("advised-against", 8 << 20, MAP_PRIVATE | MAP_ANONYMOUS, 1);
	return 0;
}
