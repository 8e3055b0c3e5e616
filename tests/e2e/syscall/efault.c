/* Bad pointers the kernel answers with EFAULT (LTP's faccessat202,
 * fchmodat02, link04, mkdir03, rmdir02, statx03, unlink07), and the
 * guest's own SIGSEGV, which must reach it as natively.  One line each,
 * "ok WHAT" or "FAILED WHAT: got X, want Y".  Run in a writable directory:
 *     efault DIR
 * Raw system calls: what the C library would check is not what is tested. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "want.h"

static volatile sig_atomic_t got_sig, got_code;
static void *volatile got_addr;
static sigjmp_buf back;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(back, 1);
}

/* Every path argument and every buffer the kernel reads or writes, given
 * an unreadable page (none) and a string that runs into it (edge). */
static void pointers(const char *what, char *none, char *edge)
{
	char buf[512], name[160];
	struct stat st;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sa);
	int s;

#define T(call, nargs, ...)                                                     \
	do {                                                                   \
		snprintf(name, sizeof(name), "%s: %s", what, #call "(" #__VA_ARGS__ ")"); \
		want(name, syscall(SYS_##call, __VA_ARGS__), EFAULT);          \
	} while (0)
	T(stat, 2, none, &st);
	T(stat, 2, edge, &st);
	T(lstat, 2, none, &st);
	T(newfstatat, 4, AT_FDCWD, none, &st, 0);
	T(newfstatat, 4, AT_FDCWD, none, &st, AT_EMPTY_PATH);
	T(statx, 5, AT_FDCWD, none, 0, STATX_BASIC_STATS, buf);
	T(access, 2, none, F_OK);
	T(faccessat, 3, AT_FDCWD, none, R_OK);
	T(faccessat2, 4, AT_FDCWD, none, R_OK, 0);
	T(readlink, 3, none, buf, sizeof(buf));
	T(readlinkat, 4, AT_FDCWD, none, buf, sizeof(buf));
	T(open, 3, none, O_RDONLY, 0);
	T(open, 3, edge, O_RDONLY, 0);
	T(openat, 4, AT_FDCWD, none, O_WRONLY | O_CREAT, 0644);
	T(openat, 4, AT_FDCWD, none, O_PATH, 0);
	T(mkdir, 2, none, 0755);
	T(mkdir, 2, edge, 0755);
	T(mkdirat, 3, AT_FDCWD, none, 0755);
	T(rmdir, 1, none);
	T(unlink, 1, none);
	T(unlinkat, 3, AT_FDCWD, none, 0);
	T(link, 2, none, "l");
	T(link, 2, "f", none);
	T(linkat, 5, AT_FDCWD, "f", AT_FDCWD, none, 0);
	T(rename, 2, none, "r");
	T(rename, 2, "f", none);
	T(symlink, 2, "f", none);
	T(symlink, 2, none, "sl");
	T(chmod, 2, none, 0644);
	T(fchmodat, 3, AT_FDCWD, none, 0644);
	T(truncate, 2, none, 0);
	T(utimensat, 4, AT_FDCWD, none, NULL, 0);
	T(utimensat, 4, AT_FDCWD, none, NULL, AT_SYMLINK_NOFOLLOW);
	T(chdir, 1, none);
	/* what the kernel writes */
	T(stat, 2, ".", none);
	T(newfstatat, 4, AT_FDCWD, ".", none, 0);
	T(newfstatat, 4, AT_FDCWD, "", none, AT_EMPTY_PATH);
	T(fstat, 2, 0, none);
	T(statx, 5, AT_FDCWD, ".", 0, STATX_BASIC_STATS, none);
	T(readlink, 3, "sl2", none, 64);
	T(getcwd, 2, none, 4096);
	T(uname, 1, none);
	T(rt_sigaction, 4, SIGUSR1, none, NULL, 8);
	T(rt_sigaction, 4, SIGUSR1, NULL, none, 8);
	T(rt_sigaction, 4, SIGSEGV, NULL, none, 8);
	T(rt_sigaction, 4, SIGSYS, none, NULL, 8);
	T(rt_sigprocmask, 4, SIG_BLOCK, none, NULL, 8);
	T(rt_sigprocmask, 4, SIG_BLOCK, NULL, none, 8);
	T(getresuid, 3, none, none, none);
	s = (int)socket(AF_UNIX, SOCK_DGRAM, 0);
	T(bind, 3, s, none, sizeof(sa));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "sock");
	(void)!bind(s, (struct sockaddr *)&sa, sizeof(sa));
	T(getsockname, 3, s, none, &len);
	T(getsockname, 3, s, &sa, none);
	close(s);
#undef T
}

/* A child with action act for sig that writes to fault (if not NULL) or
 * sends itself send: its exit status, 128 + the signal it died of. */
static int child(int sig, void (*act)(int), char *fault, int send)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		signal(sig, act);
		if (fault != NULL)
			*(volatile char *)fault = 1;
		else
			kill(getpid(), send);
		_exit(7);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 }, old;
	long page = sysconf(_SC_PAGESIZE);
	char *m, *none, *edge;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2 || chdir(argv[1]) < 0)
		return 2;
	close(open("f", O_CREAT | O_WRONLY, 0644));
	(void)!symlink("f", "sl2");
	m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	none = m + page;
	mprotect(none, (size_t)page, PROT_NONE);
	edge = none - 3;
	memcpy(edge, "/tm", 3);

	pointers("default SIGSEGV", none, edge);

	/* The guest's own handler sees its own faults, not the stub's. */
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	pointers("a SIGSEGV handler", none, edge);
	check("a bad pointer in a system call does not reach the guest's SIGSEGV handler", got_sig == 0);
	sigaction(SIGSEGV, NULL, &old);
	check("sigaction(SIGSEGV) gives back the guest's handler",
	      old.sa_sigaction == on_segv && (old.sa_flags & SA_SIGINFO));
	if (sigsetjmp(back, 1) == 0)
		*(volatile char *)none = 1;
	check("the guest's own fault reaches its handler with its address and code",
	      got_sig == SIGSEGV && got_addr == none && got_code == SEGV_ACCERR);
	got_sig = 0;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(back, 1) == 0)
		*(volatile char *)none = 1;
	sigaction(SIGSEGV, NULL, &old);
	check("SA_RESETHAND: one fault handled, then SIG_DFL", got_sig == SIGSEGV && old.sa_handler == SIG_DFL);

	/* the guest dies of its fault as natively, or not */
	check("SIG_DFL: a fault kills with SIGSEGV", child(SIGSEGV, SIG_DFL, none, 0) == 128 + SIGSEGV);
	check("SIG_IGN: a fault still kills with SIGSEGV (the kernel forces it)",
	      child(SIGSEGV, SIG_IGN, none, 0) == 128 + SIGSEGV);
	check("SIG_IGN: a sent SIGSEGV is ignored", child(SIGSEGV, SIG_IGN, NULL, SIGSEGV) == 7);
	check("SIG_DFL: a sent SIGBUS kills with SIGBUS", child(SIGBUS, SIG_DFL, NULL, SIGBUS) == 128 + SIGBUS);
	return failed;
}
