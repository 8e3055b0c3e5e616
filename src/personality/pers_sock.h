/* AF_UNIX addresses named by path, as both engines hand them to the host
 * kernel (sock.c).  Landlock has no right for connect(2) or sendto(2) to a
 * socket file, so the personality's resolution is the only thing between a
 * guest and a host socket: mew resolves every such address itself, on a
 * copy it made once, and the host kernel never sees the guest's path. */
#ifndef MEW_PERSONALITY_PERS_SOCK_H
#define MEW_PERSONALITY_PERS_SOCK_H

#include <sys/socket.h>
#include <sys/un.h>

#include "personality/pers.h"

/* The address (len bytes, copied out of the guest) as the host kernel must
 * get it: 1 when it is not an AF_UNIX path (abstract, unnamed, another
 * family: use it as it is); 0 with *to (length *tolen) naming
 * /proc/self/fd/N, N = *fd (connect, sendto: the socket file; bind: its directory,
 * and the name; with p->sock_names, bind's host path where it fits), *fd
 * for the caller to close after the call; or -errno.
 * base: the guest directory a relative path is relative to (NULL: p->cwd).
 * c: the guest's credentials, checked as the kernel would for it (bind: a
 * new inode in the directory; connect, sendto: write permission on the
 * socket file), or NULL. */
int pers_sock_addr(const struct pers *p, const struct pers_cred *c, const char *base, const void *addr,
		   size_t len, bool bind, struct sockaddr_un *to, socklen_t *tolen, int *fd);

/* bind of an AF_INET or AF_INET6 address (len bytes): a port below
 * net.ipv4.ip_unprivileged_port_start without CAP_NET_BIND_SERVICE is
 * -EACCES (inet_bind's rule, for the guest's credentials: the host
 * process may be root where the guest is not); 0 otherwise. */
int pers_sock_bind_port(const struct pers_cred *c, const void *addr, size_t len);

#endif
