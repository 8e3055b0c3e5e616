/* What the stub's files share (freestanding: no libc).  See stub.c for
 * what the stub is, and stub.h for its layout and its contract with mew. */
#ifndef MEW_TRAP_GUEST_GUEST_H
#define MEW_TRAP_GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <asm/stat.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>
#include <linux/stat.h>

#include "stub.h"

#pragma GCC visibility push(hidden)

#define FALLBACK (-100000L)
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#define __NR_getxattrat_ 464 /* Linux 6.13; Debian 12's headers have none */
#define WALK 1 /* (stat_entry: a symlink the call follows: walk the path) */

#define SIGSYS_ 31
#define SIGSYS_BIT (1UL << (SIGSYS_ - 1))
#define SA_SIGINFO_ 0x4UL
#define SA_ONSTACK_ 0x08000000UL
#define SA_RESTORER_ 0x04000000UL
#define SA_NODEFER_ 0x40000000UL
#define SA_RESETHAND_ 0x80000000UL
#define SIG_UNBLOCK_ 1
#define SYS_SECCOMP_ 1
#define SI_QUEUE_ (-1)
#define PROT_READ_ 1
#define PROT_WRITE_ 2
#define PROT_EXEC_ 4
#define MAP_PRIVATE_ 2
#define MAP_ANONYMOUS_ 0x20
#define W_OK_ 2
#define RLIMIT_NOFILE_ 7
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#define VALID_OPEN                                                                                 \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |      \
	 FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |        \
	 O_PATH | __O_TMPFILE | __O_SYNC)

/* ucontext_t: gregs start at byte 40; indexes as in <sys/ucontext.h>. */
enum { R8 = 0, R9 = 1, R10 = 2, RDI = 8, RSI = 9, RDX = 12, RAX = 13, RSP = 15, RIP = 16 };
/* uc_sigmask: after the 256-byte mcontext. */
#define UC_SIGMASK (40 + 256)
struct kucontext {
	unsigned long flags;
	void *link;
	struct {
		void *sp;
		int flags;
		unsigned long size;
	} stack;
	long gregs[23];
};
struct ksiginfo {
	int signo, err, code, pad;
	union {
		struct {
			void *call_addr;
			int syscall;
			unsigned arch;
		} sys;
		char bytes[112];
	} u;
};
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};
struct iov {
	void *base;
	unsigned long len;
};

extern long stub_syscall(long nr, long a, long b, long c, long d, long e, long f);
extern long stub_slow_syscall(long nr, long a, long b, long c, long d, long e, long f);
extern void stub_restorer(void);

/* The configuration mew writes, and this process's stub state (stub.c). */
extern struct stub_config cfg;

#define S0(n) stub_syscall(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) stub_syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) stub_syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) stub_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) \
	stub_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

static inline size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

#define PATH_MAX_ 4096

/* Pointers the guest may name: above mmap_min_addr, in user space (the
 * rest is EFAULT before anything is touched). */
static inline int guest_range(unsigned long p, unsigned long len)
{
	return p >= 65536 && p < 0x800000000000UL && len <= 0x800000000000UL - p;
}

/* entry.S: copies whose faults on the guest's memory are -EFAULT
 * (signal.c, the fault handler, resumes them at guest_access_fault). */
long guest_copy(void *dst, const void *src, unsigned long n);
long guest_copy_str(char *dst, const char *src, unsigned long max);
extern const char guest_access_copy[], guest_access_str[], guest_access_fault[];

/* lib.c */
long copy_path(char *buf, unsigned long src);

/* A guest path, copied into buf (PATH_MAX_ bytes): the stub and the
 * kernel then read the same bytes, whatever another thread writes.  1, 0
 * for an empty one, or -errno. */
static inline long guest_path(unsigned long p, char *buf, const char **out)
{
	long n = copy_path(buf, p);

	if (n < 0)
		return n;
	*out = buf;
	return n > 0;
}

/* A dirfd argument is the cwd?  The kernel reads an int: glibc leaves the
 * register's upper half as it was (AT_FDCWD comes as 0xffffff9c). */
static inline int is_cwd(long dirfd)
{
	return (int)dirfd == AT_FDCWD;
}

/* lib.c */
long copy_in(void *dst, unsigned long src, unsigned long len);
long copy_out(unsigned long dst, const void *src, unsigned long len);
char *put_num(char *p, long v);

/* walk.c: walking a guest path in the rootfs, as the guest's kernel would */
int shadowed(unsigned long dev, unsigned long ino);
long bind_of(const char *p, const char **rest, int *nested);
long walk(long dirfd, const char *path, unsigned long flags);
long walk_ex(long dirfd, const char *path, unsigned long flags, int *clear);
long walk_read(long dirfd, const char *path, unsigned long flags, int *clear);
long checked(long fd, struct stat *st);
int writable_start(long dirfd, int create);
long create(long dirfd, const char *path, unsigned long flags, unsigned long mode);
long parent_of(long dirfd, unsigned long upath, char *buf, const char **name, long *dfd, int *own);

/* The calls, one concept a file. */
long do_stat(long nr, const long *a);					/* query.c */
long stat_entry(long dirfd, const char *name, long flags, long mask, unsigned long buf, int x);
long do_access(long dirfd, unsigned long upath, long mode, long flags);
long do_fchdir(long fd);
long do_readlink(long dirfd, unsigned long upath, long buf, long size);
long do_getcwd(const long *a);
long untranslate(const char *host, char *out);
/* The set-id bits the record of mew's own file fd (an O_PATH fd will do)
 * keeps for the guest (personality/owner.c), -1 when none, or FALLBACK
 * when it cannot be read */
long kept_setid(long fd, uint32_t mode);
long do_open(long dirfd, unsigned long upath, long flags, long mode);	/* open.c */
long do_openat2(const long *a);
long do_entry(long nr, const long *a);					/* change.c */
long do_entry2(long nr, const long *a, int *dirs);
long do_follow(long nr, const long *a);
long do_sock(long nr, const long *a);					/* sock.c */
long do_sockname(long nr, const long *a);
long do_peer_addr(long nr, const long *a);
long dircache_stat(const char *path, long flags, long mask, unsigned long buf, int x); /* dircache.c */
long dircache_change_begin(void);
void dircache_change_end(long begun, int dirs);
int dircache_fd(long fd);
void dircache_renumber(long fd, long to);
void dircache_move(int slot, long to);
void dircache_init(void);
int dircache_owner_kept(uint64_t dev, uint64_t ino);
long do_fds(long nr, const long *a);					/* fds.c */
int stub_fd(long fd);
long do_nofile(long nr, const long *a);
long window_of(unsigned long real);
int stub_owner(void);
/* The rootfs's fd (cfg.rootfd), -1 where this process may use none of the
 * stub's fds (none made, or a vfork child that took one's number). */
long stub_root(void);
int stub_fd_used(long nr, const long *a);
long do_creds(long nr, const long *a);					/* creds.c */
long do_kill(long nr, const long *a);
long do_unshare(const long *a);						/* ns.c */
long do_clone(const long *a, struct kucontext *uc);
long do_uname(const long *a);
long do_setns(const long *a);
long userns_open(long nr, const long *a);				/* userns.c */
long userns_write(long nr, const long *a);
long do_exec(long nr, const long *a);					/* exec.c */
long do_sigaction(const long *a);					/* signal.c */
long do_sigprocmask(const long *a, struct kucontext *uc);
long do_sigsuspend(const long *a);
long do_masked_wait(long nr, const long *a);
void forward(int sig, struct ksiginfo *si, struct kucontext *uc);
void stub_fault(int sig, struct ksiginfo *si, struct kucontext *uc);
void patch_site(unsigned long end, long nr);				/* patch.c */
long ask_mew(long nr, long a, long b, long c, long d, long e, long f); /* translate.c */
long slow(long nr, const long *a);					/* translate.c */
long translate(long nr, const long *a);

#endif
