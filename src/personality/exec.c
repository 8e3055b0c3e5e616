/* execve inside the rootfs: `#!` interpreters and the ELF interpreter
 * (PT_INTERP) are guest paths, so the host kernel must not look them up
 * itself.  A dynamic program is run as `ld.so --argv0 ARGV0 PROGRAM ARGS`,
 * with ld.so taken from the rootfs. */
#include "personality/pers.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"

#define MAX_SHEBANG 4

struct builder {
	struct pers_exec *out;
	size_t used;
};

static char *save(struct builder *b, const char *s, size_t n)
{
	char *d;

	if (b->used + n + 1 > sizeof(b->out->buf))
		return NULL;
	d = b->out->buf + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

/* Replace prefix[0] by the strings in repl (which may include the old
 * prefix[0]'s replacement), keeping prefix[1..]. */
static int replace_first(struct pers_exec *e, char **repl, int nrepl)
{
	char *keep[ARRAY_SIZE(e->prefix)];
	int nkeep = e->nprefix - 1;

	if (nrepl + nkeep > (int)ARRAY_SIZE(e->prefix))
		return -E2BIG;
	memcpy(keep, e->prefix + 1, (size_t)nkeep * sizeof(char *));
	memcpy(e->prefix, repl, (size_t)nrepl * sizeof(char *));
	memcpy(e->prefix + nrepl, keep, (size_t)nkeep * sizeof(char *));
	e->nprefix = nrepl + nkeep;
	return 0;
}

/* The PT_INTERP of an ELF file, or "" for a static one. */
static int elf_interp(int fd, const unsigned char *hdr, size_t n, char *interp, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	interp[0] = '\0';
	if (n < EI_NIDENT || hdr[EI_CLASS] != ELFCLASS64)
		return 0; /* 32-bit: let the host kernel try */
	if (n < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, hdr, sizeof(eh));
	if (eh.e_phentsize != sizeof(ph) || eh.e_phnum > 256)
		return -ENOEXEC;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz >= len)
			return -ENOEXEC;
		if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			return -ENOEXEC;
		interp[ph.p_filesz] = '\0';
		if (strlen(interp) == 0)
			return -ENOEXEC;
		return 0;
	}
	return 0;
}

/* Parse "#!interp [arg]" from hdr (n bytes).  Returns 1 with interp/arg
 * set, 0 when not a script, -ENOEXEC when malformed. */
static int shebang(const char *hdr, size_t n, const char **interp, size_t *ilen,
		   const char **arg, size_t *alen)
{
	const char *s, *end, *nl;

	if (n < 2 || hdr[0] != '#' || hdr[1] != '!')
		return 0;
	nl = memchr(hdr, '\n', n);
	end = nl != NULL ? nl : hdr + n;
	s = hdr + 2;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*interp = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*ilen = (size_t)(s - *interp);
	if (*ilen == 0)
		return -ENOEXEC;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	/* Like Linux: the rest of the line is one argument, trailing blanks cut. */
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*arg = s;
	*alen = (size_t)(end - s);
	return 1;
}

static int resolve(const struct pers *p, const char *base, const char *path, const char *argv0,
		   bool loader, struct pers_exec *out)
{
	struct builder b = { out, 0 };
	const char *cur = path;
	unsigned char hdr[256];
	char interp[PATH_MAX];

	out->nprefix = 1;
	out->prefix[0] = save(&b, argv0 != NULL ? argv0 : path, strlen(argv0 != NULL ? argv0 : path));
	if (out->prefix[0] == NULL)
		return -E2BIG;
	for (int depth = 0;; depth++) {
		cleanup_close int fd = -1;
		struct stat st;
		ssize_t n;
		const char *ip, *ap;
		size_t il, al;
		int r;

		if (depth > MAX_SHEBANG)
			return -ELOOP;
		r = pers_translate(p, base, cur, PERS_FOLLOW, out->host, sizeof(out->host));
		if (r < 0)
			return r;
		r = pers_resolve(p, base, cur, PERS_FOLLOW, out->guest, sizeof(out->guest));
		if (r < 0)
			return r;
		if (stat(out->host, &st) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode))
			return -EACCES;
		if (access(out->host, X_OK) < 0)
			return -errno;
		fd = open(out->host, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* a script, an interpreter, the program: each open for writing
		 * is ETXTBSY, as the kernel opens each for executing */
		if ((r = pers_busy_probe(fd)) < 0)
			return r;
		n = read(fd, hdr, sizeof(hdr));
		if (n < 0)
			return -errno;
		r = shebang((const char *)hdr, (size_t)n, &ip, &il, &ap, &al);
		if (r < 0)
			return r;
		if (r == 1) {
			char *repl[3];
			int nr = 0;
			if (il >= sizeof(interp))
				return -ENAMETOOLONG;
			repl[nr++] = save(&b, ip, il);
			if (al > 0)
				repl[nr++] = save(&b, ap, al);
			repl[nr++] = save(&b, cur, strlen(cur));
			for (int i = 0; i < nr; i++)
				if (repl[i] == NULL)
					return -E2BIG;
			if ((r = replace_first(out, repl, nr)) < 0)
				return r;
			cur = repl[0];
			base = NULL; /* an interpreter path is taken as the kernel takes it */
			continue;
		}
		out->program = cur;
		pers_owner_view(p, out->host, true, &st);
		out->mode = st.st_mode, out->uid = st.st_uid, out->gid = st.st_gid;
		out->dev = st.st_dev, out->ino = st.st_ino;
		if (n < 4 || memcmp(hdr, ELFMAG, SELFMAG) != 0)
			return -ENOEXEC;
		if (!loader)
			return 0;
		r = elf_interp(fd, hdr, (size_t)n, interp, sizeof(interp));
		if (r < 0)
			return r;
		if (interp[0] != '\0') {
			char *repl[4];
			char ihost[PATH_MAX];
			repl[0] = save(&b, interp, strlen(interp));
			repl[1] = save(&b, "--argv0", 7);
			repl[2] = out->prefix[0];
			/* the program as the process names it, for ld.so to
			 * open (one outside its root by the run's path, which
			 * then fails) */
			if (pers_view(p, out->guest, ihost, sizeof(ihost)) < 0)
				return -ENAMETOOLONG;
			repl[3] = save(&b, ihost, strlen(ihost));
			for (int i = 0; i < 4; i++)
				if (repl[i] == NULL)
					return -E2BIG;
			r = pers_translate(p, NULL, interp, PERS_FOLLOW, ihost, sizeof(ihost));
			if (r < 0)
				return r == -ENOENT ? -ENOENT : r;
			if (access(ihost, X_OK) < 0)
				return -errno;
			{
				cleanup_close int ifd = open(ihost, O_RDONLY | O_CLOEXEC);
				if (ifd >= 0 && (r = pers_busy_probe(ifd)) < 0)
					return r;
			}
			if ((r = replace_first(out, repl, 4)) < 0)
				return r;
			strcpy(out->host, ihost);
		}
		return 0;
	}
}

int pers_exec_resolve(const struct pers *p, const char *base, const char *path,
		      const char *argv0, struct pers_exec *out)
{
	return resolve(p, base, path, argv0, true, out);
}

int pers_exec_script(const struct pers *p, const char *base, const char *path, const char *argv0,
		     struct pers_exec *out)
{
	return resolve(p, base, path, argv0, false, out);
}

int pers_exec_permission(const struct pers *p, const struct pers_cred *c, const char *base, const char *path)
{
	char host[PATH_MAX];
	int r;

	if (!p->fake_root)
		return 0; /* the host's own ids: the kernel checks */
	if ((r = pers_translate(p, base, path, PERS_FOLLOW, host, sizeof(host))) < 0 ||
	    (r = pers_check_lookup(p, c, host)) < 0)
		return r;
	return pers_check_access(p, c, host, true, X_OK, true);
}

int pers_exec_flags(int flags)
{
	/* AT_EXECVE_CHECK (Linux 6.14) asks for the checks without the
	 * execve: refused as older kernels refuse it, not run */
	return flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ? -EINVAL : 0;
}

int pers_exec_nofollow(const struct pers *p, const char *base, const char *path)
{
	char host[PATH_MAX];
	struct stat st;
	int r = pers_translate(p, base, path, 0, host, sizeof(host));

	if (r < 0)
		return r;
	return lstat(host, &st) == 0 && S_ISLNK(st.st_mode) ? -ELOOP : 0;
}
