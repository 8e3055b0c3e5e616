/* AF_UNIX addresses named by path (pers_sock.h): the guest's sun_path
 * resolved in the guest's view, and handed to the host kernel as
 * /proc/self/fd/N of what it names.
 *
 * The host object is opened once (O_PATH) and then checked to be where the
 * translation said, under the rootfs or a bind: a symlink the guest swapped
 * in after the translation, or a /proc/self/fd/N magic link to an O_PATH fd
 * of a host socket, leads the open elsewhere, and is refused (EACCES).  The
 * host kernel then binds or connects the fd it was given, whatever happens
 * to the path meanwhile. */
#include "personality/pers_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* fd (O_PATH) is under the rootfs or a bind source. */
static bool in_guest_view(const struct pers *p, int fd)
{
	char link[64], host[PATH_MAX], guest[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, host, sizeof(host) - 1);
	if (n <= 0 || host[0] != '/')
		return false;
	host[n] = '\0';
	return pers_untranslate(p, host, guest, sizeof(guest)) == 0;
}

/* A directory's host path, "" for /, before "/name". */
static const char *slash_root(const char *dir)
{
	return strcmp(dir, "/") == 0 ? "" : dir;
}

int pers_sock_addr(const struct pers *p, const struct pers_cred *c, const char *base, const void *addr,
		   size_t len, bool bind, struct sockaddr_un *to, socklen_t *tolen, int *fd)
{
	const struct sockaddr_un *sa = addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(sa->sun_path) + 1], host[PATH_MAX];
	const char *name = NULL;
	int r;

	*fd = -1;
	if (len <= off || len > sizeof(*sa) || sa->sun_family != AF_UNIX || sa->sun_path[0] == '\0')
		return 1;
	/* the kernel's rule: sun_path ends at len or at its first NUL */
	memcpy(path, sa->sun_path, len - off);
	path[len - off] = '\0';
	/* bind makes the last component (a symlink there: EADDRINUSE, as the
	 * kernel's mknod); connect and sendto follow it */
	r = pers_translate(p, base, path, bind ? 0 : PERS_FOLLOW, host, sizeof(host));
	if (r < 0)
		return r;
	/* the guest's credentials, not mew's: a new inode in the directory;
	 * connect and a datagram need write permission on the socket file */
	if (c != NULL && (r = bind ? pers_check_create(p, c, host) : pers_check_access(p, c, host, true, W_OK, true)) < 0)
		return r;
	if (bind) {
		char *slash = strrchr(host, '/');
		if (slash == NULL || slash[1] == '\0')
			return -EINVAL;
		*slash = '\0';
		name = slash + 1;
		*fd = open(slash == host ? "/" : host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		*fd = open(host, O_PATH | O_CLOEXEC);
	}
	if (*fd < 0)
		return -errno;
	if (!in_guest_view(p, *fd)) {
		r = -EACCES;
		goto fail;
	}
	memset(to, 0, sizeof(*to));
	to->sun_family = AF_UNIX;
	if (name != NULL && p->sock_names && strlen(host) + 1 + strlen(name) < sizeof(to->sun_path))
		r = snprintf(to->sun_path, sizeof(to->sun_path), "%s/%s", slash_root(host), name);
	else if (name != NULL)
		r = snprintf(to->sun_path, sizeof(to->sun_path), "/proc/self/fd/%d/%s", *fd, name);
	else
		r = snprintf(to->sun_path, sizeof(to->sun_path), "/proc/self/fd/%d", *fd);
	if (r < 0 || (size_t)r >= sizeof(to->sun_path)) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	*tolen = (socklen_t)(off + (size_t)r + 1);
	return 0;
fail:
	close(*fd);
	*fd = -1;
	return r;
}

int pers_sock_bind_port(const struct pers_cred *c, const void *addr, size_t len)
{
	struct sockaddr_in6 a = { 0 };
	unsigned port, start = 1024;
	FILE *f;

	if (len < sizeof(struct sockaddr_in))
		return 0;
	memcpy(&a, addr, len < sizeof(a) ? len : sizeof(a));
	if (a.sin6_family != AF_INET && a.sin6_family != AF_INET6)
		return 0;
	/* sin_port and sin6_port are at the same place */
	port = ntohs(a.sin6_port);
	if (port == 0 || pers_cred_capable(c, CAP_NET_BIND_SERVICE))
		return 0;
	if ((f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re")) != NULL) {
		if (fscanf(f, "%u", &start) != 1)
			start = 1024;
		fclose(f);
	}
	return port < start ? -EACCES : 0;
}
