#include "base/closeaside.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ASIDE_MAX 8
#define CLOSING "mew-closing"

/* The child's /proc/self/cmdline: mew's own command line (arg_start and
 * arg_end, fields 48 and 49 of /proc/self/stat) overwritten, in its own
 * copy of mew's memory, so that nothing looking for the run's command
 * (pgrep -f) finds it once mew has ended. */
static void rename_child(void)
{
	char st[2048], *p, *e;
	unsigned long v[2] = { 0, 0 };
	long n, fd = syscall(SYS_open, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
	int field = 2;

	syscall(SYS_prctl, PR_SET_NAME, (unsigned long)CLOSING, 0, 0, 0);
	if (fd < 0)
		return;
	n = syscall(SYS_read, fd, st, sizeof(st) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return;
	st[n] = '\0';
	/* past the name, which may hold spaces and parentheses */
	for (p = e = st; *p != '\0'; p++)
		if (*p == ')')
			e = p;
	for (p = e + 1; *p != '\0' && field < 49; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 48 || field == 49) {
			unsigned long x = 0;
			for (const char *q = p + 1; *q >= '0' && *q <= '9'; q++)
				x = x * 10 + (unsigned long)(*q - '0');
			v[field - 48] = x;
		}
	}
	if (v[0] == 0 || v[1] <= v[0] + sizeof(CLOSING))
		return;
	for (unsigned long a = v[0]; a < v[1]; a++)
		*(volatile char *)a = a - v[0] < sizeof(CLOSING) ? CLOSING[a - v[0]] : '\0';
}

/* The child (a copy of mew, one thread: raw system calls only): every fd
 * closed but the list and the pipe's end, then, once mew has closed its
 * own references (the pipe's other end with them), the list. */
static void closer(const int *fds, size_t n, int wait_fd)
{
	int keep[ASIDE_MAX + 1];
	unsigned int from = 0;
	size_t k = 0;
	char c;

	rename_child();
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			keep[k++] = fds[i];
	keep[k++] = wait_fd;
	for (size_t i = 1; i < k; i++) /* sorted */
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++) {
		if ((unsigned int)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
	while (syscall(SYS_read, wait_fd, &c, 1) < 0)
		;
	for (size_t i = 0; i < k; i++)
		syscall(SYS_close, keep[i]);
	syscall(SYS_exit_group, 0);
}

void close_aside(const int *fds, size_t n)
{
	int p[2] = { -1, -1 };
	long pid = -1;

	/* a fork with no exit signal: nobody waits for it */
	if (n <= ASIDE_MAX && pipe2(p, O_CLOEXEC) == 0) {
		pid = syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL);
		if (pid == 0)
			closer(fds, n, p[0]);
		close(p[0]);
	}
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* (its read ends: the child's are now the last references) */
	if (p[1] >= 0)
		close(p[1]);
}
