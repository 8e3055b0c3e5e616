/* A root's permission on mew's own files.
 *
 * Run by an ordinary user, mew owns every file the guest made; when the
 * guest's root takes the owner's permissions from one (mkdir 0444, chmod
 * 0222: LTP's access01 makes files in such directories), the kernel
 * refuses mew what the kernel would let a real root do.  After the
 * personality allowed a call (a root: CAP_DAC_OVERRIDE) and the kernel
 * said EACCES, the engine gives back the owner's permissions the call
 * needs on mew's own files, makes the call again and takes them back:
 * search (x) on each directory of the walk, write and search on the
 * directory of the entry, read and write on the object itself (and search,
 * for a directory).  Another guest thread may see the modes meanwhile. */
#include "personality/pers.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void give(const struct pers *p, struct pers_grant *g, const char *path, size_t len, mode_t need)
{
	struct stat st;

	if (g->n == PERS_GRANT_MAX || len >= sizeof(g->saved[0].path))
		return;
	memcpy(g->saved[g->n].path, path, len);
	g->saved[g->n].path[len] = '\0';
	path = g->saved[g->n].path;
	/* a :ro volume's or a --read-only rootfs's modes are not mew's to
	 * change, even for a moment */
	if (lstat(path, &st) < 0 || st.st_uid != p->host_uid || S_ISLNK(st.st_mode) || pers_host_readonly(p, path))
		return;
	if (!S_ISDIR(st.st_mode))
		need &= ~(mode_t)S_IXUSR;
	if ((st.st_mode & need) == need || chmod(path, (st.st_mode & 07777) | need) < 0)
		return;
	g->saved[g->n++].mode = st.st_mode & 07777;
}

/* The length of the rootfs or bind source host is in, or 0: only below
 * them are mew's files the guest's. */
static size_t top_of(const struct pers *p, const char *host)
{
	size_t top = strlen(p->rootfs);

	if (strncmp(host, p->rootfs, top) == 0 && (host[top] == '/' || host[top] == '\0'))
		return top;
	for (size_t i = 0; i < p->nbinds; i++) {
		top = strlen(p->binds[i].host);
		if (strncmp(host, p->binds[i].host, top) == 0 && (host[top] == '/' || host[top] == '\0'))
			return top;
	}
	return 0;
}

bool pers_grant_search(const struct pers *p, const char *host)
{
	const char *slash = strrchr(host, '/');
	int before;

	if (p->grant == NULL || p->host_uid == 0 || slash == NULL || (size_t)(slash - host) < top_of(p, host) ||
	    top_of(p, host) == 0)
		return false;
	before = p->grant->n;
	give(p, p->grant, host, (size_t)(slash - host), S_IXUSR);
	return p->grant->n > before;
}

int pers_grant(const struct pers *p, const char *host, struct pers_grant *g)
{
	size_t at, len = strlen(host), top = top_of(p, host);
	int before = g->n;

	if (p->host_uid == 0 || top == 0)
		return 0;
	/* each directory of the walk, from the top; the entry's own
	 * directory also written */
	for (at = top; at < len; at++) {
		if (host[at] != '/' || at == 0)
			continue;
		give(p, g, host, at, strchr(host + at + 1, '/') != NULL ? S_IXUSR : S_IWUSR | S_IXUSR);
	}
	give(p, g, host, len, S_IRUSR | S_IWUSR | S_IXUSR);
	return g->n - before;
}

void pers_grant_undo(struct pers_grant *g)
{
	while (g->n > 0) {
		g->n--;
		chmod(g->saved[g->n].path, g->saved[g->n].mode);
	}
}
