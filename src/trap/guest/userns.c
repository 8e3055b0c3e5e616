/* The files of a user namespace the guest made itself (guest/ns.c):
 * /proc/self/{uid_map,gid_map,setgroups}, answered by the personality's
 * model (cred.c: pers_cred_userns_write, _show) and never by a real map.
 *
 * The kernel answers a map's write, not its open, so the stub must see
 * the write: an open for writing gives the guest the write end of a pipe
 * (its read end closed) at one of three numbers right under the stub's own
 * (cfg.fd_min - 3 ..), and a seccomp filter of the process's own, stacked
 * on mew's at the first such open, traps write, pwrite64, writev, pwritev
 * and pwritev2 on those numbers from anywhere but the stub.  The stub
 * recognises its pipe by its inode (a number the guest closed and reused
 * is written as the kernel would) and hands the text to the model, whose
 * answer (the count, EINVAL, EPERM) is the write's.  A copy of the fd at
 * another number (dup) writes to a pipe nobody reads: EPIPE, never a map.
 * An open for reading gets a memfd of the model's text.  The real user
 * namespace behind it, where there is one, is mew's (userns.c), mapping
 * mew's own ids only. */
#include "guest.h"

#include <linux/filter.h>
#include <linux/seccomp.h>

#define MAPFD_N 3
#define MFD_CLOEXEC_ 1U
#define AUDIT_ARCH_X86_64_ 0xc000003eU

static int same(const char *a, const char *b, long n)
{
	for (long i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* a names b, whole */
static int is(const char *a, const char *b)
{
	return slen(a) == slen(b) && same(a, b, (long)slen(a));
}

/* The number of the first of the stub's map fds. */
static long map_base(void)
{
	return (long)cfg.fd_min - MAPFD_N;
}

/* guest path p names a file of this process's own user namespace:
 * /proc/{self,thread-self,PID,PID/task/TID}/NAME; which, or -1. */
static int own_file(const char *p)
{
	long pid = S0(__NR_getpid), tid = S0(__NR_gettid), v;
	const char *q;

	if (p[0] != '/' || p[1] != 'p' || p[2] != 'r' || p[3] != 'o' || p[4] != 'c' || p[5] != '/')
		return -1;
	p += 6;
	if (p[0] == 's' && p[1] == 'e' && p[2] == 'l' && p[3] == 'f' && p[4] == '/')
		p += 5;
	else if (slen(p) > 12 && same(p, "thread-self/", 12))
		p += 12;
	else {
		for (v = 0, q = p; *q >= '0' && *q <= '9'; q++)
			v = v * 10 + (*q - '0');
		if (q == p || *q != '/' || (v != pid && v != tid))
			return -1;
		p = q + 1;
		if (slen(p) > 5 && same(p, "task/", 5)) {
			for (v = 0, q = p + 5; *q >= '0' && *q <= '9'; q++)
				v = v * 10 + (*q - '0');
			if (q == p + 5 || *q != '/' || v != tid)
				return -1;
			p = q + 1;
		}
	}
	return is(p, "uid_map") ? PERS_UID_MAP : is(p, "gid_map") ? PERS_GID_MAP : is(p, "setgroups") ? PERS_SETGROUPS_FILE : -1;
}

/* /proc/N/NAME of another process (N a number, not this process's), for
 * one of the three names: a map mew never writes for the guest. */
static int others_file(const char *p)
{
	const char *e = p + slen(p);

	if (p[0] != '/' || !same(p, "/proc/", 6) || p[6] < '0' || p[6] > '9')
		return 0;
	while (e > p && e[-1] != '/')
		e--;
	return is(e, "uid_map") || is(e, "gid_map") || is(e, "projid_map") || is(e, "setgroups");
}

/* The process's own filter over mew's: writes on the map fds trap. */
static long install_filter(void)
{
	unsigned base = (unsigned)map_base();
	struct sock_filter f[] = {
		/* another ABI: mew's filter answers */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64_, 0, 14),
		/* the stub's own calls (its code page) are not the guest's */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STUB_IP_HI, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, STUB_IP_LO, 0, 1),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, STUB_IP_LO + 0x10000, 0, 10),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pwrite64, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_writev, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pwritev, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pwritev2, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, base, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, base + MAPFD_N, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | STUB_TAG),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	long r;

	if (cfg.mapfilter)
		return 0;
	r = S3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (r == 0)
		cfg.mapfilter = 1;
	return r < 0 ? r : 0;
}

static uint64_t ino_of(long fd)
{
	struct stat st;

	return S2(__NR_fstat, fd, &st) == 0 ? st.st_ino : 0;
}

/* The write end of a pipe at a free map number: the fd, or -errno. */
static long map_fd(int which, long flags)
{
	int p[2];
	long fd = -EMFILE, r;

	if ((r = install_filter()) < 0)
		return r;
	for (long n = map_base(); n < map_base() + MAPFD_N; n++)
		if (n > 2 && S3(__NR_fcntl, n, F_GETFD, 0) == -EBADF) {
			fd = n;
			break;
		}
	if (fd < 0)
		return fd;
	if ((r = S2(__NR_pipe2, p, O_CLOEXEC)) < 0)
		return r;
	S1(__NR_close, p[0]);
	r = S3(__NR_dup3, p[1], fd, flags & O_CLOEXEC);
	S1(__NR_close, p[1]);
	if (r < 0)
		return r;
	cfg.mapfd[fd - map_base()].which = (uint32_t)which;
	cfg.mapfd[fd - map_base()].ino = ino_of(fd);
	cfg.mapfd[fd - map_base()].pos = 0;
	return fd;
}

/* A memfd holding the model's text of the file. */
static long shown(int which, long flags)
{
	char text[64];
	long n = pers_cred_userns_show(&cfg.cred, (enum pers_userns_file)which, text, sizeof(text));
	long fd = S2(__NR_memfd_create, "userns", (flags & O_CLOEXEC) ? MFD_CLOEXEC_ : 0);

	if (fd < 0)
		return fd;
	if (S3(__NR_write, fd, text, n) != n) {
		S1(__NR_close, fd);
		return -EIO;
	}
	S3(__NR_lseek, fd, 0, 0);
	return fd;
}

/* open/openat of a user namespace's file by a process in one of its own:
 * the fd, -errno, or FALLBACK for any other path (or a path relative to
 * a dirfd: the kernel's /proc, through mew). */
long userns_open(long nr, const long *a)
{
	char pbuf[PATH_MAX_];
	const char *path;
	long flags = nr == __NR_openat ? a[2] : a[1];
	int which, write = (flags & O_ACCMODE) != O_RDONLY;
	long r;

	if (cfg.cred.depth == 0 || (flags & O_PATH))
		return FALLBACK;
	if (guest_path((unsigned long)(nr == __NR_openat ? a[1] : a[0]), pbuf, &path) <= 0)
		return FALLBACK;
	if ((which = own_file(path)) < 0)
		/* another process's map is not written through mew */
		return write && others_file(path) ? -EPERM : FALLBACK;
	if ((r = pers_cred_userns_open(&cfg.cred, (enum pers_userns_file)which, write)) < 0)
		return r;
	return write ? map_fd(which, flags) : shown(which, flags);
}

/* A write trapped by the process's own filter: on one of the stub's map
 * fds, the model's answer; on anything else at that number, the kernel's. */
long userns_write(long nr, const long *a)
{
	char text[4096];
	long i = a[0] - map_base(), n, len, pos;
	struct iov v;

	if (i < 0 || i >= MAPFD_N || cfg.mapfd[i].ino == 0 || ino_of(a[0]) != cfg.mapfd[i].ino)
		return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	pos = nr == __NR_pwrite64 ? a[3] : cfg.mapfd[i].pos;
	switch (nr) {
	case __NR_write:
	case __NR_pwrite64:
		len = a[2];
		if (len >= (long)sizeof(text) || len < 0)
			return -EINVAL;
		if (copy_in(text, (unsigned long)a[1], (unsigned long)len) < 0)
			return -EFAULT;
		break;
	case __NR_writev:
		/* one segment a write, as for a file without write_iter: the
		 * first is the one that can be taken */
		if (a[2] <= 0)
			return a[2] < 0 ? -EINVAL : 0;
		if (copy_in(&v, (unsigned long)a[1], sizeof(v)) < 0)
			return -EFAULT;
		len = (long)v.len;
		if (len >= (long)sizeof(text) || len < 0)
			return -EINVAL;
		if (copy_in(text, (unsigned long)v.base, (unsigned long)len) < 0)
			return -EFAULT;
		break;
	default:
		return -EINVAL;
	}
	n = pers_cred_userns_write(&cfg.cred, (enum pers_userns_file)cfg.mapfd[i].which, text, len, pos);
	if (n > 0 && nr != __NR_pwrite64)
		cfg.mapfd[i].pos = pos + n;
	return n;
}
