/* Loading an arm64 program: #! scripts, static and dynamic ELF (the
 * PT_INTERP loader comes from the rootfs), the initial stack with argv,
 * envp and the auxiliary vector, and the program break. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/vdso.h"
#include "base/cleanup.h"

enum { STACK_SIZE = 8 << 20, PAGE = 4096 };

#define PAGE_DOWN(x) ((x) & ~(uint64_t)(PAGE - 1))
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

struct loaded {
	uint64_t base; /* load bias */
	uint64_t entry;
	uint64_t phdr; /* guest address of the program headers */
	unsigned phnum;
	uint64_t end; /* highest mapped address */
	char interp[PATH_MAX];
	int brk_room; /* in: reserve the break's room after a PIE; out: done */
};

int a64_check_exec(const char *hp)
{
	unsigned char h[64];
	cleanup_close int fd = open(hp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return -errno;
	if (S_ISDIR(sb.st_mode))
		return -EACCES;
	if (access(hp, X_OK) < 0)
		return -errno;
	int r = pers_busy_probe(fd); /* open for writing: ETXTBSY, before the guest's image is gone */
	if (r < 0)
		return r;
	ssize_t n = read(fd, h, sizeof(h));
	if (n >= 2 && h[0] == '#' && h[1] == '!')
		return 0;
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)h;
	if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_machine != EM_AARCH64)
		return -ENOEXEC;
	return 0;
}

int a64_is_elf(const char *hp)
{
	Elf64_Ehdr e;
	cleanup_close int fd = open(hp, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, &e, sizeof(e)) == sizeof(e) && memcmp(e.e_ident, ELFMAG, SELFMAG) == 0 &&
	       e.e_ident[EI_CLASS] == ELFCLASS64 && e.e_machine == EM_AARCH64;
}

static int prot_of(uint32_t flags)
{
	int p = 0;
	if (flags & PF_R)
		p |= PROT_READ;
	if (flags & PF_W)
		p |= PROT_WRITE;
	if (flags & PF_X)
		p |= PROT_READ | PROT_EXEC; /* read to run; exec for /proc/self/maps */
	return p;
}

/* The host never runs guest code: where exec is refused (a noexec mount),
 * the mapping is made without it. */
static void *map_guest(void *at, size_t len, int prot, int flags, int fd, off_t off)
{
	void *r = mmap(at, len, prot, flags, fd, off);
	if (r == MAP_FAILED && (prot & PROT_EXEC) && (errno == EPERM || errno == EACCES))
		r = mmap(at, len, prot & ~PROT_EXEC, flags, fd, off);
	return r;
}

/* What a program's break may grow into before it fails (reserved, not
 * committed: PROT_NONE and MAP_NORESERVE cost no memory). */
#define BRK_ROOM (1ull << 30)

/* The break's room after the program (reserved with a PIE already: room),
 * or elsewhere when something is there (Linux's break is randomized too). */
static void brk_reserve(uint64_t end, int room)
{
	void *r = room ? (void *)(uintptr_t)end
		       : mmap((void *)(uintptr_t)end, BRK_ROOM, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (r == MAP_FAILED)
		r = mmap(NULL, BRK_ROOM, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED) { /* the break grows where it can */
		a64_self->brk_start = a64_self->brk_cur = a64_self->brk_mapped = a64_self->brk_room = end;
		return;
	}
	a64_self->brk_start = a64_self->brk_cur = a64_self->brk_mapped = (uint64_t)(uintptr_t)r;
	a64_self->brk_room = (uint64_t)(uintptr_t)r + BRK_ROOM;
}

static int load_elf(const char *hp, const char *what, struct loaded *out, struct mew_error **err)
{
	cleanup_close int fd = open(hp, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr e;
	if (fd < 0)
		return mew_error(err, errno, "open `%s`", what);
	if (pread(fd, &e, sizeof(e), 0) != sizeof(e) || memcmp(e.e_ident, ELFMAG, SELFMAG) != 0)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: not an ELF file", what);
	if (e.e_ident[EI_CLASS] != ELFCLASS64 || e.e_machine != EM_AARCH64)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: not an arm64 (aarch64) program", what);
	if (e.e_type != ET_EXEC && e.e_type != ET_DYN)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: not an executable", what);
	if (e.e_phentsize != sizeof(Elf64_Phdr) || e.e_phnum == 0 || e.e_phnum > 64)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: bad program headers", what);
	Elf64_Phdr ph[64];
	size_t phsz = e.e_phnum * sizeof(Elf64_Phdr);
	if (pread(fd, ph, phsz, e.e_phoff) != (ssize_t)phsz)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: short program headers", what);

	uint64_t lo = ~0ull, hi = 0, phdr = 0;
	out->interp[0] = '\0';
	for (int k = 0; k < e.e_phnum; k++) {
		if (ph[k].p_type == PT_LOAD) {
			if (ph[k].p_vaddr < lo)
				lo = ph[k].p_vaddr;
			if (ph[k].p_vaddr + ph[k].p_memsz > hi)
				hi = ph[k].p_vaddr + ph[k].p_memsz;
		} else if (ph[k].p_type == PT_INTERP) {
			size_t n = ph[k].p_filesz < sizeof(out->interp) ? ph[k].p_filesz : sizeof(out->interp) - 1;
			if (pread(fd, out->interp, n, ph[k].p_offset) != (ssize_t)n)
				return mew_error(err, errno, "read the interpreter of `%s`", what);
			out->interp[n] = '\0';
		} else if (ph[k].p_type == PT_PHDR)
			phdr = ph[k].p_vaddr;
	}
	if (hi <= lo)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, 0, "`%s`: nothing to load", what);
	lo = PAGE_DOWN(lo);
	hi = PAGE_UP(hi);

	uint64_t bias = 0;
	if (e.e_type == ET_DYN) {
		/* the program with the break's room after it */
		uint64_t room = out->brk_room ? BRK_ROOM : 0;
		void *r = mmap(NULL, hi - lo + room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r == MAP_FAILED)
			return mew_error(err, errno, "reserve memory for `%s`", what);
		bias = (uint64_t)(uintptr_t)r - lo;
	} else {
		out->brk_room = 0;
		void *r = mmap((void *)(uintptr_t)lo, hi - lo, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (r == MAP_FAILED)
			return mew_error(err, errno, "map `%s` at %#lx", what, (unsigned long)lo);
	}
	for (int k = 0; k < e.e_phnum; k++) {
		const Elf64_Phdr *p = &ph[k];
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		uint64_t va = bias + p->p_vaddr;
		uint64_t start = PAGE_DOWN(va), fend = va + p->p_filesz, mend = va + p->p_memsz;
		int prot = prot_of(p->p_flags);
		if (p->p_filesz > 0) {
			uint64_t off = PAGE_DOWN(p->p_offset);
			void *r = map_guest((void *)(uintptr_t)start, PAGE_UP(fend) - start,
					    prot | (p->p_memsz > p->p_filesz ? PROT_WRITE : 0),
					    MAP_PRIVATE | MAP_FIXED, fd, off);
			if (r == MAP_FAILED)
				return mew_error(err, errno, "map a segment of `%s`", what);
		}
		if (mend > fend) {
			/* .bss: zero the tail of the last file page, then anonymous pages */
			uint64_t zend = PAGE_UP(fend);
			if (p->p_filesz > 0 && zend > fend)
				memset((void *)(uintptr_t)fend, 0, zend - fend);
			if (p->p_filesz == 0)
				zend = start;
			if (PAGE_UP(mend) > zend) {
				void *r = map_guest((void *)(uintptr_t)zend, PAGE_UP(mend) - zend, prot | PROT_WRITE,
						    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
				if (r == MAP_FAILED)
					return mew_error(err, errno, "map .bss of `%s`", what);
			}
			if (!(prot & PROT_WRITE))
				if (mprotect((void *)(uintptr_t)start, PAGE_UP(mend) - start, prot) < 0)
					mprotect((void *)(uintptr_t)start, PAGE_UP(mend) - start, prot & ~PROT_EXEC);
		}
		if (phdr == 0 && p->p_offset == 0)
			phdr = p->p_vaddr + e.e_phoff;
	}
	out->base = bias;
	out->entry = bias + e.e_entry;
	out->phdr = bias + phdr;
	out->phnum = e.e_phnum;
	out->end = bias + hi;
	return 0;
}

static uint64_t push(uint64_t *sp, const void *data, size_t n)
{
	*sp -= n;
	memcpy((void *)(uintptr_t)*sp, data, n);
	return *sp;
}

static int build_stack(struct a64_cpu *c, const struct loaded *prog, const struct loaded *interp,
		       const char *execfn, char *const *argv, char *const *envp, struct mew_error **err)
{
	void *mem = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED)
		return mew_error(err, errno, "allocate the guest stack");
	uint64_t sp = (uint64_t)(uintptr_t)mem + STACK_SIZE;
	size_t argc = 0, envc = 0;
	while (argv[argc] != NULL)
		argc++;
	while (envp != NULL && envp[envc] != NULL)
		envc++;

	uint64_t fn = push(&sp, execfn, strlen(execfn) + 1);
	uint64_t plat = push(&sp, "aarch64", 8);
	uint8_t rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	uint64_t random = push(&sp, rnd, sizeof(rnd));
	uint64_t *av = calloc(argc + 1, 8), *ev = calloc(envc + 1, 8);
	if (av == NULL || ev == NULL)
		return mew_error(err, ENOMEM, "build the guest stack");
	for (size_t k = envc; k-- > 0;)
		ev[k] = push(&sp, envp[k], strlen(envp[k]) + 1);
	for (size_t k = argc; k-- > 0;)
		av[k] = push(&sp, argv[k], strlen(argv[k]) + 1);
	sp &= ~15ull;

	uint64_t aux[][2] = {
		{ AT_PHDR, prog->phdr },
		{ AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, prog->phnum },
		{ AT_PAGESZ, PAGE },
		{ AT_BASE, interp != NULL ? interp->base : 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, prog->entry },
		{ AT_UID, a64_self->pers.fake_root ? a64_self->pers.cred.uid : getuid() },
		{ AT_EUID, a64_self->pers.fake_root ? a64_self->pers.cred.euid : geteuid() },
		{ AT_GID, a64_self->pers.fake_root ? a64_self->pers.cred.gid : getgid() },
		{ AT_EGID, a64_self->pers.fake_root ? a64_self->pers.cred.egid : getegid() },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random },
		{ AT_HWCAP, A64_HWCAP },
		{ AT_HWCAP2, 0 },
		{ AT_CLKTCK, sysconf(_SC_CLK_TCK) },
		{ AT_EXECFN, fn },
		{ AT_PLATFORM, plat },
		{ 51 /* AT_MINSIGSTKSZ */, 5120 },
		{ AT_SYSINFO_EHDR, a64_vdso_base() }, /* last but one: dropped when 0 */
		{ AT_NULL, 0 },
	};
	size_t naux = sizeof(aux) / sizeof(aux[0]);
	if (aux[naux - 2][1] == 0) { /* no vDSO (a unit test's load) */
		aux[naux - 2][0] = AT_NULL;
		naux--;
	}
	size_t words = 1 + argc + 1 + envc + 1 + 2 * naux;
	sp -= words * 8;
	sp &= ~15ull;
	uint64_t *w = (uint64_t *)(uintptr_t)sp;
	*w++ = argc;
	for (size_t k = 0; k < argc; k++)
		*w++ = av[k];
	*w++ = 0;
	for (size_t k = 0; k < envc; k++)
		*w++ = ev[k];
	*w++ = 0;
	memcpy(w, aux, naux * sizeof(aux[0]));
	free(av);
	free(ev);
	c->x[A64_SP] = sp;
	return 0;
}

/* Write the guest's argv over this process's own (mew's), padded with NULs,
 * so that /proc/PID/cmdline shows the guest's to anyone who asks (the
 * personality drops the padding); cut where mew's was shorter. */
static void show_argv(char *const *args)
{
	char stat[1024], *s;
	unsigned long start = 0, end = 0;
	cleanup_close int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);

	if (n <= 0)
		return;
	stat[n] = '\0';
	s = strrchr(stat, ')');
	/* arg_start and arg_end are fields 48 and 49; s ends field 2, and
	 * after the loop it is the blank before field 48 */
	for (int field = 2; s != NULL && field < 48; field++)
		s = strchr(s + 1, ' ');
	if (s == NULL || sscanf(s, " %lu %lu", &start, &end) != 2 || end <= start)
		return;
	char *area = (char *)(uintptr_t)start;
	size_t len = end - start, at = 0;
	/* args may point into the area: gathered first */
	cleanup_free char *text = malloc(len);
	if (text == NULL)
		return;
	memset(text, 0, len);
	for (size_t k = 0; args[k] != NULL && at + 1 < len; k++) {
		size_t l = strlen(args[k]) + 1;
		if (at + l > len - 1)
			l = len - 1 - at;
		memcpy(text + at, args[k], l);
		at += l;
	}
	memcpy(area, text, len);
	a64_self->pers.cmdline_padded = true;
}

int a64_load(struct a64_cpu *c, const char *path, char *const *argv, char *const *envp,
	     struct mew_error **err)
{
	static struct pers_exec ex; /* the load is once a process */
	const char *hp = ex.host, *cur;
	char **args;
	size_t n = 0, k = 0;
	int r;

	/* `#!` followed in the rootfs by the personality; the ELF's PT_INTERP
	 * is loaded below */
	r = pers_exec_script(&a64_self->pers, NULL, path, argv[0] != NULL ? argv[0] : path, &ex);
	if (r == -ENOENT)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0, "`%s`: command not found", path);
	if (r == 0)
		r = a64_check_exec(hp);
	if (r < 0)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, -r, "`%s`", path);
	cur = ex.program;
	while (argv[n] != NULL)
		n++;
	args = calloc((size_t)ex.nprefix + n + 1, sizeof(char *));
	if (args == NULL)
		return mew_error(err, ENOMEM, "argv");
	/* not freed: copied onto the guest stack, and the load is once */
	for (int i = 0; i < ex.nprefix; i++)
		args[k++] = ex.prefix[i];
	for (size_t j = 1; j < n; j++)
		args[k++] = argv[j];

	struct loaded prog = { .brk_room = 1 }, interp = { .brk_room = 0 };
	struct stat st;
	if (load_elf(hp, cur, &prog, err) < 0)
		return -1;
	struct loaded *ip = NULL;
	uint64_t entry = prog.entry;
	if (prog.interp[0] != '\0') {
		char ihp[PATH_MAX];
		r = a64_path(AT_FDCWD, prog.interp, 1, ihp, sizeof(ihp));
		if ((r < 0 && r != AT_FDCWD) || load_elf(ihp, prog.interp, &interp, err) < 0) {
			if (r < 0 && r != AT_FDCWD)
				mew_error_status(err, MEW_EXIT_NOT_EXEC, -r, "interpreter `%s`", prog.interp);
			return -1;
		}
		ip = &interp;
		entry = interp.entry;
	}
	memset(c->x, 0, sizeof(c->x));
	if (build_stack(c, &prog, ip, cur, args, envp, err) < 0)
		return -1;
	c->pc = entry;
	brk_reserve(PAGE_UP(prog.end), prog.brk_room);
	if (pers_resolve(&a64_self->pers, NULL, cur, PERS_FOLLOW, a64_self->exe, sizeof(a64_self->exe)) < 0)
		snprintf(a64_self->exe, sizeof(a64_self->exe), "%s", cur);
	a64_self->pers.exe_of = a64_exe_of;
	a64_self->pers.root_of = a64_root_of;
	a64_self->pers.runs_program = a64_runs_program;
	if (stat(hp, &st) == 0)
		a64_self->prog = (struct a64_prog_id){ st.st_dev, st.st_ino };
	/* last: path and argv may be in the area it writes over */
	show_argv(args);
	a64_cache_flush_all();
	return 0;
}
