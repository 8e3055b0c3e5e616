/* TEMPORARY root-directory view for the emulate engine, until the shared
 * personality (src/personality/) is on main: guest paths resolve under the
 * rootfs, symlinks are followed inside it (absolute targets re-rooted, `..`
 * stops at the root), /dev, /proc and /sys are the host's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a64/a64.h"

static int host_passthrough(const char *p)
{
	static const char *const dirs[] = { "/dev", "/proc", "/sys" };
	for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		size_t n = strlen(dirs[k]);
		if (strncmp(p, dirs[k], n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return 1;
	}
	return 0;
}

/* Resolve the absolute guest path abs into a guest path without symlinks
 * (except a final one when !follow), in res. */
static int resolve(const char *abs, int follow, char *res, size_t len)
{
	char todo[PATH_MAX * 2], host[PATH_MAX * 2], link[PATH_MAX];
	size_t rl = 0;
	int links = 0;

	if (strlen(abs) >= sizeof(todo))
		return -ENAMETOOLONG;
	strcpy(todo, abs);
	res[0] = '\0';
	char *p = todo;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int last = end == NULL || end[strspn(end, "/")] == '\0';
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(res, '/');
			if (s != NULL)
				*s = '\0';
			rl = strlen(res);
			p += n;
			continue;
		}
		if (rl + 1 + n + 1 > len)
			return -ENAMETOOLONG;
		res[rl++] = '/';
		memcpy(res + rl, p, n);
		rl += n;
		res[rl] = '\0';
		p += n;
		if (host_passthrough(res))
			continue;
		if (last && !follow)
			continue;
		snprintf(host, sizeof(host), "%s%s", a64_proc.rootfs, res);
		ssize_t ln = readlink(host, link, sizeof(link) - 1);
		if (ln < 0)
			continue; /* not a symlink, or does not exist (yet) */
		link[ln] = '\0';
		if (++links > 40)
			return -ELOOP;
		/* splice the target in front of what is left */
		char rest[PATH_MAX * 2];
		snprintf(rest, sizeof(rest), "%s", p);
		if (link[0] == '/') {
			res[0] = '\0';
			rl = 0;
		} else {
			char *s = strrchr(res, '/');
			*s = '\0';
			rl = strlen(res);
		}
		if (strlen(link) + strlen(rest) + 2 >= sizeof(todo))
			return -ENAMETOOLONG;
		snprintf(todo, sizeof(todo), "%s/%s", link, rest);
		p = todo;
	}
	if (rl == 0)
		strcpy(res, "/");
	return 0;
}

int a64_path(int dirfd, const char *guest, int follow, char *out, size_t len)
{
	char abs[PATH_MAX * 2], res[PATH_MAX];
	int r;

	if (guest[0] != '/' && dirfd != AT_FDCWD) {
		/* relative to a directory fd: the kernel resolves it */
		if (strlen(guest) >= len)
			return -ENAMETOOLONG;
		strcpy(out, guest);
		return dirfd;
	}
	if (guest[0] == '/')
		snprintf(abs, sizeof(abs), "%s", guest);
	else
		snprintf(abs, sizeof(abs), "%s/%s", a64_proc.cwd, guest);
	r = resolve(abs, follow, res, sizeof(res));
	if (r < 0)
		return r;
	/* keep a trailing slash: it means "must be a directory" */
	size_t gl = strlen(guest);
	int slash = gl > 1 && guest[gl - 1] == '/';
	if (host_passthrough(res))
		r = snprintf(out, len, "%s%s", res, slash ? "/" : "");
	else
		r = snprintf(out, len, "%s%s%s", a64_proc.rootfs, strcmp(res, "/") == 0 ? "" : res,
			     slash || strcmp(res, "/") == 0 ? "/" : "");
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return AT_FDCWD;
}

int a64_path_to_guest(const char *host, char *out, size_t len)
{
	size_t n = strlen(a64_proc.rootfs);
	if (strncmp(host, a64_proc.rootfs, n) == 0 && (host[n] == '/' || host[n] == '\0')) {
		const char *g = host[n] ? host + n : "/";
		if (strlen(g) >= len)
			return -ERANGE;
		strcpy(out, g);
		return 0;
	}
	if (host_passthrough(host)) {
		if (strlen(host) >= len)
			return -ERANGE;
		strcpy(out, host);
		return 0;
	}
	return -ENOENT;
}
