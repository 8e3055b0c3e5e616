/* Bad guest pointers in system calls that mew reads or writes itself (paths,
 * structures it converts between the ABIs): Linux answers EFAULT and the
 * program goes on; its SIGSEGV handler must not run.  One line per call:
 * NAME ERRNO-NAME. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void on_segv(int sig)
{
	(void)sig;
	write(1, "SIGSEGV handler ran\n", 20);
	_exit(3);
}

static void show(const char *name, long r)
{
	printf("%s %s\n", name, r == -1 && errno == EFAULT ? "EFAULT" : r == -1 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
	char *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *wild = (void *)-1L; /* not even canonical on x86-64 */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	signal(SIGSEGV, on_segv);
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/tmp/efault", 0755);

	show("newfstatat", syscall(SYS_newfstatat, AT_FDCWD, bad, ro + 1024, 0));
	show("newfstatat-wild", syscall(SYS_newfstatat, AT_FDCWD, wild, ro, 0));
	show("newfstatat-buf", syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0));
	show("fstat-buf", syscall(SYS_fstat, 0, bad));
	show("statx", syscall(SYS_statx, AT_FDCWD, bad, 0, 0x7ff, ro));
	show("mkdirat", syscall(SYS_mkdirat, AT_FDCWD, bad, 0755));
	show("faccessat", syscall(SYS_faccessat, AT_FDCWD, bad, F_OK));
	show("unlinkat", syscall(SYS_unlinkat, AT_FDCWD, bad, 0));
	show("linkat", syscall(SYS_linkat, AT_FDCWD, "/tmp/efault", AT_FDCWD, bad, 0));
	show("openat", syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
	show("chdir", syscall(SYS_chdir, bad));
	show("fchmodat", syscall(SYS_fchmodat, AT_FDCWD, bad, 0644));
	show("readlinkat", syscall(SYS_readlinkat, AT_FDCWD, bad, ro, 100));
	show("readlinkat-buf", syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", bad, 100));
	show("getcwd", syscall(SYS_getcwd, bad, 4096));
	show("execve", syscall(SYS_execve, bad, NULL, NULL));
	show("uname", syscall(SYS_uname, bad));
	show("rt_sigprocmask-set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8));
	show("rt_sigprocmask-old", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, ro, 8));
	show("rt_sigaction", syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8));
	show("rt_sigaction-old", syscall(SYS_rt_sigaction, SIGUSR1, NULL, ro, 8));
	show("sigaltstack", syscall(SYS_sigaltstack, bad, NULL));
	show("rt_sigsuspend", syscall(SYS_rt_sigsuspend, bad, 8));
	show("epoll_ctl", syscall(SYS_epoll_ctl, epoll_create1(0), 1 /* ADD */, 0, bad));
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("connect", syscall(SYS_connect, s, bad, sizeof(struct sockaddr_un)));
	show("sendto", syscall(SYS_sendto, s, "x", 1, 0, bad, sizeof(struct sockaddr_un)));
	show("sendmsg", syscall(SYS_sendmsg, s, bad, 0));
	show("bind", syscall(SYS_bind, s, bad, sizeof(struct sockaddr_un)));
	show("utimensat", syscall(SYS_utimensat, AT_FDCWD, "/tmp/efault", bad, 0));
	puts("done");
	return 0;
}
