/* The personality's configuration: rootfs, binds, identity, uname. */
#include "personality/pers.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"

int pers_init(struct pers *p, const char *rootfs, struct mew_error **err)
{
	struct stat st;

	/* (not the cred's unused groups: their pages are never touched) */
	memset(p, 0, offsetof(struct pers, cred) + PERS_CRED_HEAD);
	p->rootfs = realpath(rootfs, NULL);
	if (p->rootfs == NULL)
		return mew_error(err, errno, "rootfs `%s`", rootfs);
	if (stat(p->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(p->rootfs);
		p->rootfs = NULL;
		return mew_error(err, ENOTDIR, "rootfs `%s`", rootfs);
	}
	strcpy(p->cwd, "/");
	p->fake_root = true;
	pers_cred_init(&p->cred, 0, 0);
	p->host_uid = geteuid();
	p->host_gid = getegid();
	uname(&p->uts);
	snprintf(p->uts.nodename, sizeof(p->uts.nodename), "mew");
	snprintf(p->uts.sysname, sizeof(p->uts.sysname), "Linux");
	memset(p->uts.domainname, 0, sizeof(p->uts.domainname));
	snprintf(p->uts.domainname, sizeof(p->uts.domainname), "(none)");
	return 0;
}

void pers_copy(struct pers *dst, const struct pers *src)
{
	memcpy(dst, src, offsetof(struct pers, cred));
	pers_cred_copy(&dst->cred, &src->cred);
}

void pers_free(struct pers *p)
{
	for (size_t i = 0; i < p->nbinds; i++) {
		free(p->binds[i].host);
		free(p->binds[i].guest);
	}
	free(p->binds);
	free(p->rootfs);
	p->binds = NULL;
	p->nbinds = 0;
	p->rootfs = NULL;
}

/* Lexically canonical absolute guest path: no `.`, `..`, `//` or trailing slash. */
static char *canon_guest(const char *path)
{
	char *out = malloc(strlen(path) + 2);
	size_t n = 0;
	const char *s = path;

	if (out == NULL)
		return NULL;
	while (*s != '\0') {
		const char *c;
		size_t l;
		while (*s == '/')
			s++;
		c = s;
		while (*s != '\0' && *s != '/')
			s++;
		l = (size_t)(s - c);
		if (l == 0 || (l == 1 && c[0] == '.'))
			continue;
		if (l == 2 && c[0] == '.' && c[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, c, l);
		n += l;
	}
	out[n] = '\0';
	return out;
}

int pers_add_bind(struct pers *p, const char *host, const char *guest, bool ro,
		  struct mew_error **err)
{
	cleanup_free char *h = realpath(host, NULL);
	cleanup_free char *g = NULL;
	struct pers_bind *b;

	if (h == NULL)
		return mew_error(err, errno, "bind source `%s`", host);
	if (guest[0] != '/')
		return mew_error(err, 0, "bind target `%s` is not an absolute path", guest);
	g = canon_guest(guest);
	if (g == NULL)
		return mew_error(err, ENOMEM, "bind `%s`", guest);
	if (g[0] == '\0')
		return mew_error(err, 0, "bind target `%s`: cannot replace the root", guest);
	b = realloc(p->binds, (p->nbinds + 1) * sizeof(*b));
	if (b == NULL)
		return mew_error(err, ENOMEM, "bind `%s`", guest);
	p->binds = b;
	b[p->nbinds].host = steal_pointer(&h);
	b[p->nbinds].guest = steal_pointer(&g);
	b[p->nbinds].ro = ro;
	p->nbinds++;
	return 0;
}

int pers_add_default_binds(struct pers *p, struct mew_error **err)
{
	/* /proc/sys and /sys read-only: no kernel, cgroup or device knob of
	 * the host is the guest's to turn.  /dev is not the host's: the
	 * engine binds its own (wall_dev_binds). */
	static const struct {
		const char *dir;
		bool ro;
	} dirs[] = { { "/proc", false }, { "/proc/sys", true }, { "/sys", true } };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		bool bound = false;
		for (size_t j = 0; j < p->nbinds; j++)
			if (strcmp(p->binds[j].guest, dirs[i].dir) == 0)
				bound = true;
		if (bound || access(dirs[i].dir, F_OK) < 0)
			continue;
		if (pers_add_bind(p, dirs[i].dir, dirs[i].dir, dirs[i].ro, err) < 0)
			return -1;
	}
	return 0;
}

void pers_set_hostname(struct pers *p, const char *name)
{
	snprintf(p->uts.nodename, sizeof(p->uts.nodename), "%s", name);
}

void pers_uname(const struct pers *p, struct utsname *u)
{
	*u = p->uts;
}

/* The parent of pid, from /proc/pid/stat; -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	cleanup_close int fd = -1;
	ssize_t n;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	/* pid (comm) state ppid: comm may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

bool pers_pid_in_guest(pid_t root, pid_t pid)
{
	for (int depth = 0; pid > 1 && pid != root && depth < 4096; depth++) {
		pid_t up = parent_of(pid);
		if (up == root)
			return true;
		pid = up;
	}
	return false;
}
