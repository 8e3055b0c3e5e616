#include "guest.h"

/* Tell mew, which watches this execve with ptrace, that it failed. */
static void exec_failed(void)
{
	struct ksiginfo si;
	long pid = S0(__NR_getpid);

	memset(&si, 0, sizeof(si));
	si.signo = SIGSYS_;
	si.err = STUB_TAG_EXEC_FAILED;
	si.code = SI_QUEUE_;
	S4(__NR_rt_tgsigqueueinfo, pid, S0(__NR_gettid), SIGSYS_, &si);
}

/* execve/execveat: mew resolves the program (#!, the ELF interpreter in the
 * rootfs), starts watching for the exec to put a fresh stub into the new
 * image, and the stub execs the host path with the argv mew prefixed. */
__attribute__((noinline)) long do_exec(long nr, const long *a)
{
	char out[8192];
	int at = nr == __NR_execveat;
	struct stub_exec_answer *h = (struct stub_exec_answer *)out;
	const unsigned long *gargv = (const unsigned long *)a[at + 1];
	unsigned long n, size, k = 0;
	char *host, *s, **v;
	long r, mem;

	r = ask_mew(STUB_UPCALL_EXEC, a[at], at ? a[0] : AT_FDCWD, a[at + 1], (long)out,
			      sizeof(out), at ? a[4] : 0);
	if (r < 0)
		return r;
	host = out + sizeof(*h);
	s = host + slen(host) + 1;
	for (uint32_t i = 0; i < h->nprefix; i++)
		s += slen(s) + 1;
	n = h->nprefix + (h->argc > 0 ? h->argc - 1 : 0) + 1;
	/* The new argv after the strings, in this frame: a vfork child shares
	 * its parent's memory, so a mapping made here would stay with the
	 * parent.  Only a very long argv takes a mapping. */
	mem = ((long)s + 7) & ~7L;
	size = 0;
	if (mem + (long)(n * sizeof(char *)) > (long)(out + sizeof(out))) {
		size = (n * sizeof(char *) + 4095) & ~4095UL;
		mem = S6(__NR_mmap, 0, size, PROT_READ_ | PROT_WRITE_, MAP_PRIVATE_ | MAP_ANONYMOUS_, -1, 0);
		if (mem < 0 && mem > -4096) {
			exec_failed();
			return mem;
		}
	}
	v = (char **)mem;
	s = host + slen(host) + 1;
	for (uint32_t i = 0; i < h->nprefix; i++) {
		v[k++] = s;
		s += slen(s) + 1;
	}
	/* mew has just read these pointers: they are there. */
	for (uint32_t i = 1; i < h->argc; i++)
		v[k++] = (char *)gargv[i];
	v[k] = 0;
	r = S3(__NR_execve, host, v, a[at + 2]);
	if (size != 0)
		S2(__NR_munmap, mem, size);
	exec_failed();
	return r;
}
