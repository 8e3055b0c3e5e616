/* Call-site patching seen from the guest (src/trap/guest/patch.c): runs
 * natively too, where nothing is patched and every answer is the same.
 *   patch sites PATH      four `mov $4, %eax; syscall` sites (stat), at
 *                         offsets 8, 5, 13 and 12 of a 16-byte block,
 *                         called three times each: their first bytes (e9
 *                         once patched, b8 as built) and whether stat
 *                         answered
 *   patch regs PATH       every register the kernel keeps across `syscall`
 *                         is kept, rcx and r11 are what the kernel sets,
 *                         the red zone and the direction flag survive
 *   patch threads PATH    8 threads stat through one site at once
 *   patch signals PATH    a timer's handler stats through a patched site
 *                         while the main loop does
 *   patch fork PATH       a child of a patched process uses the site
 *   patch loop PATH N     N stat(PATH), open(PATH) and readlink(PATH)
 *   patch rawfstat PATH N N raw fstat (nr 5, Go's) of an fd on PATH
 *   patch syscall PATH    glibc's syscall(), whose number is in a register:
 *                         trapped calls (stat, an open that fails), calls
 *                         the kernel answers (getpid, a six-argument mmap
 *                         whose offset is the argument on the stack), one
 *                         the stub answers with the signal frame
 *                         (rt_sigprocmask); then the byte at its `mov
 *                         0x8(%rsp), %r9` (4c as built, e9 once patched) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

long site_a(const char *path, struct stat *st);
long site_b(const char *path, struct stat *st);
long site_c(const char *path, struct stat *st);
long site_d(const char *path, struct stat *st);
void regs_site(const char *path, struct stat *st);
extern char regs_after[], regs_call[];
unsigned long out[19];

__asm__(".text\n"
	".balign 16\n.fill 8, 1, 0x90\n.globl site_a\nsite_a:\n\tmov $4, %eax\n\tsyscall\n\tret\n"
	".balign 16\n.fill 5, 1, 0x90\n.globl site_b\nsite_b:\n\tmov $4, %eax\n\tsyscall\n\tret\n"
	".balign 16\n.fill 13, 1, 0x90\n.globl site_c\nsite_c:\n\tmov $4, %eax\n\tsyscall\n\tret\n"
	".balign 16\n.fill 12, 1, 0x90\n.globl site_d\nsite_d:\n\tmov $4, %eax\n\tsyscall\n\tret\n"
	".balign 16\n.globl regs_site\nregs_site:\n"
	"\tpush %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n"
	"\tmovq $0xbbbb, -8(%rsp)\n\tmov %rdi, -16(%rsp)\n\tmov %rsi, -24(%rsp)\n"
	"\tmov $0x1111, %edx\n\tmov $0x2222, %r10d\n\tmov $0x3333, %r8d\n\tmov $0x4444, %r9d\n"
	"\tmov $0x5555, %ebx\n\tmov $0x6666, %ebp\n\tmov $0x7777, %r12d\n\tmov $0x8888, %r13d\n"
	"\tmov $0x9999, %r14d\n\tmov $0xaaaa, %r15d\n\tstd\n"
	"\tjmp regs_call\n.balign 16\n.fill 8, 1, 0x90\n.globl regs_call\nregs_call:\n\tmov $4, %eax\n\tsyscall\n"
	".globl regs_after\nregs_after:\n"
	"\tmov %rax, out+0(%rip)\n\tmov %rcx, out+8(%rip)\n\tmov %r11, out+16(%rip)\n"
	"\tmov %rdx, out+24(%rip)\n\tmov %r10, out+32(%rip)\n\tmov %r8, out+40(%rip)\n"
	"\tmov %r9, out+48(%rip)\n\tmov %rbx, out+56(%rip)\n\tmov %rbp, out+64(%rip)\n"
	"\tmov %r12, out+72(%rip)\n\tmov %r13, out+80(%rip)\n\tmov %r14, out+88(%rip)\n"
	"\tmov %r15, out+96(%rip)\n\tmov %rdi, out+104(%rip)\n\tmov %rsi, out+112(%rip)\n"
	"\tmov -8(%rsp), %rax\n\tmov %rax, out+120(%rip)\n"
	"\tmov -16(%rsp), %rax\n\tmov %rax, out+128(%rip)\n"
	"\tmov -24(%rsp), %rax\n\tmov %rax, out+136(%rip)\n"
	"\tpushfq\n\tpop %rax\n\tmov %rax, out+144(%rip)\n\tcld\n"
	"\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\tret\n");

static const char *path;
static struct stat want;

/* stat through site f answered as stat() does */
static int same(long (*f)(const char *, struct stat *))
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	return f(path, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev &&
	       st.st_size == want.st_size;
}

static int regs(void)
{
	static const unsigned long v[] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666,
					   0x7777, 0x8888, 0x9999, 0xaaaa };
	static const char *names[] = { "rdx", "r10", "r8", "r9", "rbx", "rbp", "r12", "r13", "r14", "r15" };
	struct stat st;
	int bad = 0;

	regs_site(path, &st);
	if (out[0] != 0 || st.st_ino != want.st_ino)
		printf("answer %ld\n", (long)out[0]), bad++;
	if (out[1] != (unsigned long)regs_after)
		printf("rcx %lx, not the return address %lx\n", out[1], (unsigned long)regs_after), bad++;
	if (!(out[2] & 0x400) || (out[2] & 0xcd5) != (out[18] & 0xcd5))
		printf("r11 %lx, not the flags %lx\n", out[2], out[18]), bad++;
	for (int i = 0; i < 10; i++)
		if (out[3 + i] != v[i])
			printf("%s %lx, not %lx\n", names[i], out[3 + i], v[i]), bad++;
	if (out[13] != out[16] || out[14] != out[17])
		printf("rdi/rsi changed\n"), bad++;
	if (out[15] != 0xbbbb)
		printf("red zone %lx\n", out[15]), bad++;
	if (!(out[18] & 0x400))
		printf("direction flag lost\n"), bad++;
	return bad;
}

static pthread_barrier_t barrier;
static void *thread(void *arg)
{
	long bad = 0;
	(void)arg;
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 3000; i++)
		bad += !same(site_b) + !same(site_a);
	return (void *)bad;
}

static volatile long handled, handler_bad;
static void on_alarm(int sig)
{
	(void)sig;
	handled++;
	handler_bad += !same(site_b);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	path = argv[2];
	if (stat(path, &want) != 0) {
		perror(path);
		return 1;
	}
	if (strcmp(argv[1], "sites") == 0) {
		long (*f[4])(const char *, struct stat *) = { site_a, site_b, site_c, site_d };
		for (int i = 0; i < 4; i++) {
			int ok = 1;
			for (int k = 0; k < 3; k++)
				ok &= same(f[i]);
			printf("site %d: %02x %s ino %lu\n", i, *(unsigned char *)f[i], ok ? "answered" : "WRONG",
			       (unsigned long)want.st_ino);
		}
		return 0;
	}
	if (strcmp(argv[1], "regs") == 0) {
		int bad = 0;
		for (int k = 0; k < 3; k++)
			bad += regs();
		printf("regs: %s (site %02x)\n", bad ? "CHANGED" : "kept", *(unsigned char *)regs_call);
		return bad != 0;
	}
	if (strcmp(argv[1], "threads") == 0) {
		pthread_t t[8];
		long bad = 0;
		void *r;
		pthread_barrier_init(&barrier, NULL, 8);
		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, thread, NULL);
		for (int i = 0; i < 8; i++) {
			pthread_join(t[i], &r);
			bad += (long)r;
		}
		printf("threads: %ld wrong answers\n", bad);
		return bad != 0;
	}
	if (strcmp(argv[1], "signals") == 0) {
		struct itimerval it = { { 0, 200 }, { 0, 200 } };
		long bad = 0, n = 0;
		signal(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &it, NULL);
		while (handled < 50 || n < 2000) {
			bad += !same(site_b) + !same(site_a);
			n++;
		}
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		printf("signals: %ld wrong answers, %ld in the handler\n", bad, (long)handler_bad);
		return bad + handler_bad != 0;
	}
	if (strcmp(argv[1], "loop") == 0 && argc > 3) {
		char buf[64];
		for (long i = 0, n = atol(argv[3]); i < n; i++) {
			struct stat st;
			int fd = open(path, O_RDONLY);
			if (stat(path, &st) != 0 || st.st_ino != want.st_ino || fd < 0 || readlink(path, buf, sizeof(buf)) >= 0) {
				printf("loop: wrong answer\n");
				return 1;
			}
			close(fd);
		}
		printf("loop: answered\n");
		return 0;
	}
	if (strcmp(argv[1], "rawfstat") == 0 && argc > 3) {
		int fd = open(path, O_RDONLY);
		for (long i = 0, n = atol(argv[3]); i < n; i++) {
			struct stat st;
			if (syscall(SYS_fstat, fd, &st) != 0 || st.st_ino != want.st_ino) {
				printf("rawfstat: wrong answer\n");
				return 1;
			}
		}
		printf("rawfstat: answered\n");
		return 0;
	}
	if (strcmp(argv[1], "syscall") == 0) {
		static const unsigned char tail[] = { 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05 };
		const unsigned char *f = (const unsigned char *)syscall, *site = NULL;
		char page[8192];
		sigset_t set, old;
		int ok = 1, mfd;
		for (int i = 0; i < 48 && site == NULL; i++)
			if (memcmp(f + i, tail, sizeof(tail)) == 0)
				site = f + i + 3;
		if (site == NULL) {
			printf("syscall: not glibc's syscall() as built here\n");
			return 0;
		}
		for (int k = 0; k < 3; k++) {
			struct stat st;
			ok &= syscall(SYS_stat, path, &st) == 0 && st.st_ino == want.st_ino;
			errno = 0;
			ok &= syscall(SYS_open, "/no/such/file", O_RDONLY) == -1 && errno == ENOENT;
			ok &= syscall(SYS_getpid) == getpid();
			mfd = memfd_create("page", 0);
			for (int i = 0; i < 8192; i++)
				page[i] = (char)(i / 4096 + 'a');
			ok &= write(mfd, page, sizeof(page)) == (ssize_t)sizeof(page);
			char *m = (char *)syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED, mfd, 4096);
			ok &= m != MAP_FAILED && m[0] == 'b';
			munmap(m, 4096);
			close(mfd);
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			ok &= syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8) == 0;
			ok &= sigprocmask(SIG_BLOCK, NULL, &old) == 0 && sigismember(&old, SIGUSR1);
			ok &= syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8) == 0;
			ok &= sigprocmask(SIG_BLOCK, NULL, &old) == 0 && !sigismember(&old, SIGUSR1);
		}
		printf("syscall: %s, site %02x\n", ok ? "answered" : "WRONG", site[0]);
		return 0;
	}
	if (strcmp(argv[1], "fork") == 0) {
		int status;
		pid_t pid;
		for (int k = 0; k < 3; k++)
			same(site_a);
		pid = fork();
		if (pid == 0)
			_exit(same(site_a) && same(site_b) ? 0 : 1);
		waitpid(pid, &status, 0);
		printf("fork: child %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "answered" : "WRONG");
		return 0;
	}
	return 2;
}
