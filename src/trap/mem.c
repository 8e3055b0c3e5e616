/* Reading and writing a tracee's memory with process_vm_readv/writev: one
 * system call per transfer, no word-by-word PTRACE_PEEKDATA. */
#include "trap/trap.h"

#include <errno.h>
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
