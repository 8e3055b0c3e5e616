/* Reading and writing a tracee's memory with process_vm_readv/writev: one
 * system call per transfer, no word-by-word PTRACE_PEEKDATA. */
#include "trap/trap.h"
#include "base/cleanup.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int trap_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

int trap_mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

ssize_t trap_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t max)
{
	size_t got = 0;

	if (addr == 0)
		return -EFAULT;
	/* Page by page: the string may end just before an unmapped page. */
	while (got < max) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (a & 4095);
		char *nul;
		if (chunk > max - got)
			chunk = max - got;
		if (trap_mem_read(pid, a, buf + got, chunk) < 0)
			return -EFAULT;
		nul = memchr(buf + got, '\0', chunk);
		if (nul != NULL)
			return nul - buf;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

static int cred_mem_in(void *ctx, void *dst, unsigned long src, unsigned long n)
{
	return trap_mem_read(*(pid_t *)ctx, src, dst, n) < 0 ? -EFAULT : 0;
}

static int cred_mem_out(void *ctx, unsigned long dst, const void *src, unsigned long n)
{
	return trap_mem_write(*(pid_t *)ctx, dst, src, n) < 0 ? -EFAULT : 0;
}

int trap_cred_read(pid_t pid, struct pers_cred *out)
{
	uint64_t addr = STUB_DATA + offsetof(struct stub_config, cred);

	if (trap_mem_read(pid, addr, out, PERS_CRED_HEAD) < 0 || !pers_cred_valid(out))
		return -ESRCH;
	return trap_mem_read(pid, addr + PERS_CRED_HEAD, out->groups, 4ul * out->ngroups) < 0 ? -ESRCH : 0;
}

int trap_root_read(pid_t pid, char *root, size_t len)
{
	ssize_t n = trap_mem_read_str(pid, STUB_DATA + offsetof(struct stub_config, root), root, len);

	if (n < 0)
		return n == -ENAMETOOLONG ? -ENAMETOOLONG : -ESRCH;
	return root[0] == '\0' || root[0] == '/' ? 0 : -ESRCH;
}

int trap_root_write(pid_t pid, const char *root)
{
	size_t n = strlen(root) + 1;

	if (n > sizeof(((struct stub_config *)0)->root))
		return -ENAMETOOLONG;
	return trap_mem_write(pid, STUB_DATA + offsetof(struct stub_config, root), root, n) < 0 ? -ESRCH : 0;
}

int trap_root_of(const struct pers *p, pid_t pid, char *root, size_t len)
{
	struct trap *t = p->engine;

	if (t == NULL || __atomic_load_n(&t->chrooted, __ATOMIC_ACQUIRE) == 0)
		return -1;
	if (t->stub_mode)
		return trap_root_read(pid, root, len) == 0 ? 0 : -1;
	pthread_mutex_lock(&t->lock);
	trap_tracee_root(t, pid, root, len);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static int32_t head_fd_min(const char *head)
{
	int32_t min;

	memcpy(&min, head + offsetof(struct stub_config, fd_min), sizeof(min));
	return min;
}

/* Has vfork child pid made the stub's fd i its own (guest/fds.c)? */
static bool vfork_took(pid_t pid, int i)
{
	uint32_t n;
	typeof(((struct stub_config *)0)->vforked) v;

	if (trap_mem_read(pid, STUB_DATA + offsetof(struct stub_config, nvforked), &n, sizeof(n)) < 0 || n == 0 ||
	    trap_mem_read(pid, STUB_DATA + offsetof(struct stub_config, vforked), v, sizeof(v)) < 0)
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(v); k++)
		if (v[k].pid == pid && ((v[k].took[i / 64] >> (i % 64)) & 1))
			return true;
	return false;
}

bool trap_stub_hides_fd(const struct pers *p, pid_t pid, int fd)
{
	/* the head of the stub's data: its magic and its fds, numbered as
	 * guest/fds.c's fd_at: the rootfs's, each bind's, each cached
	 * directory's */
	char head[offsetof(struct stub_config, proc_dev)];
	int32_t fds[STUB_NFDS];
	uint64_t magic;
	size_t n = 1 + STUB_MAX_BINDFD;

	(void)p;
	if (pid <= 0 || fd < 0 || trap_mem_read(pid, STUB_DATA, head, sizeof(head)) < 0)
		return false;
	memcpy(&magic, head + offsetof(struct stub_config, magic), sizeof(magic));
	if (magic != STUB_MAGIC)
		return false;
	memcpy(fds, head + offsetof(struct stub_config, rootfd), sizeof(fds[0]));
	memcpy(fds + 1, head + offsetof(struct stub_config, bindfd), STUB_MAX_BINDFD * sizeof(fds[0]));
	if (fd >= head_fd_min(head) &&
	    trap_mem_read(pid, STUB_DATA + offsetof(struct stub_config, dcache.fd), fds + n, STUB_DIRCACHE * sizeof(fds[0])) == 0)
		n = STUB_NFDS;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0 && fd == fds[i])
			return !vfork_took(pid, (int)i);
	return false;
}

struct pers_cred_io trap_cred_io(pid_t *tid)
{
	return (struct pers_cred_io){ cred_mem_in, cred_mem_out, tid };
}

int trap_open_how(pid_t pid, uint64_t addr, uint64_t size, struct pers_open_how *how)
{
	unsigned char buf[4096];
	int r;

	if ((r = pers_open_how_size(size)) < 0)
		return r;
	if ((r = trap_mem_read(pid, addr, buf, (size_t)size)) < 0)
		return r;
	return pers_open_how(buf, (size_t)size, how);
}
