/* The socket calls that carry an address (bind, connect, sendto, sendmsg,
 * sendmmsg): an AF_UNIX path is resolved in the guest's view
 * (personality/pers_sock.h) on a copy of the address, and the host kernel
 * gets mew's copy, never the guest's memory, which another guest thread
 * could rewrite after the resolution.  Landlock walls bind (making a socket
 * file is a right) but not connect or a datagram's destination: without
 * this an arm64 guest reached a host socket by its host path. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "a64/a64.h"
#include "personality/abi/aarch64.h"
#include "personality/pers_sock.h"
#include "personality/sockname.h"

#define MMSG_MAX 1024 /* UIO_MAXIOV, where the kernel cuts vlen */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int fd; /* the resolved path's O_PATH fd, or -1 */
};

/* The guest's address at uaddr (len bytes) copied into a, resolved. 0 or
 * -errno; a->len 0 and the guest's pointer kept when there is none. */
static int take(uint64_t uaddr, uint64_t len, struct addr *a)
{
	struct sockaddr_un to;
	socklen_t tolen;
	int r;

	a->fd = -1;
	a->len = 0;
	if (uaddr == 0 || len == 0)
		return 0;
	if ((int)len < 0 || len > sizeof(a->ss))
		return -EINVAL;
	memcpy(&a->ss, (const void *)(uintptr_t)uaddr, len); /* identity-mapped guest memory */
	a->len = (socklen_t)len;
	r = pers_sock_addr(&a64_self->pers, &a64_self->pers.cred, NULL, &a->ss, len, false, &to, &tolen, &a->fd);
	if (r == 0) {
		memcpy(&a->ss, &to, tolen);
		a->len = tolen;
	}
	return r < 0 ? r : 0;
}

static long call(struct a64_cpu *c, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	struct a64_safe_args sa = {
		.nr = nr,
		.a = { a0, a1, a2, a3, a4, a5 },
		.pending = &c->pending,
		.blocked = &c->blocked,
	};
	return a64_safe_syscall(&sa);
}

static long bind_(struct a64_cpu *c)
{
	struct sockaddr_storage ss;
	struct sockaddr_un to;
	socklen_t tolen;
	uint64_t len = c->x[2];
	int fd, r;

	if (c->x[1] == 0 || len > sizeof(ss) || (int)len < 0)
		return call(c, SYS_bind, (long)c->x[0], (long)c->x[1], (long)len, 0, 0, 0);
	memcpy(&ss, (const void *)(uintptr_t)c->x[1], len);
	r = pers_sock_addr(&a64_self->pers, &a64_self->pers.cred, NULL, &ss, len, true, &to, &tolen, &fd);
	if (r < 0)
		return r;
	if (r == 1)
		return call(c, SYS_bind, (long)c->x[0], (long)&ss, (long)len, 0, 0, 0);
	r = (int)call(c, SYS_bind, (long)c->x[0], (long)&to, tolen, 0, 0, 0);
	close(fd);
	return r;
}

/* (as the process's root names it: pers_view) */
static long untranslate_for(void *ctx, const char *host, char *guest, unsigned long size)
{
	char run[PATH_MAX];

	if (pers_untranslate(ctx, host, run, sizeof(run)) != 0 || pers_view(ctx, run, guest, size) < 0)
		return -1;
	return (long)strlen(guest) + 1;
}

/* getsockname, getpeername (fd, addr, addrlen), accept, accept4 (fd, addr,
 * addrlen, flags), recvfrom (fd, buf, len, flags, addr, addrlen): the
 * kernel fills mew's buffer; an AF_UNIX name goes to the guest as it
 * names it (personality/sockname.h). */
static long named(struct a64_cpu *c, uint64_t nr)
{
	int at = nr == A64_NR_recvfrom ? 4 : 1;
	socklen_t *ulenp = (socklen_t *)(uintptr_t)c->x[at + 1];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int ulen = 0;
	long r;

	if (c->x[at] == 0 || ulenp == NULL) {
		ss.ss_family = AF_UNSPEC;
		len = 0;
	} else if ((ulen = (int)*ulenp) < 0) {
		return -EINVAL;
	}
	switch (nr) {
	case A64_NR_getsockname:
	case A64_NR_getpeername:
		r = call(c, nr == A64_NR_getsockname ? SYS_getsockname : SYS_getpeername, (long)c->x[0],
			 len > 0 ? (long)&ss : (long)c->x[1], len > 0 ? (long)&len : (long)c->x[2], 0, 0, 0);
		break;
	case A64_NR_recvfrom:
		r = call(c, SYS_recvfrom, (long)c->x[0], (long)c->x[1], (long)c->x[2], (long)c->x[3],
			 len > 0 ? (long)&ss : 0, len > 0 ? (long)&len : 0);
		break;
	default: /* accept, accept4 */
		r = call(c, SYS_accept4, (long)c->x[0], len > 0 ? (long)&ss : 0, len > 0 ? (long)&len : 0,
			 nr == A64_NR_accept4 ? (long)c->x[3] : 0, 0, 0);
		break;
	}
	if (r < 0 || c->x[at] == 0 || ulenp == NULL)
		return r;
	len = (socklen_t)pers_sock_name(&ss, len, sizeof(ss), untranslate_for, &a64_self->pers);
	memcpy((void *)(uintptr_t)c->x[at], &ss, (int)len < ulen ? len : (socklen_t)ulen);
	*ulenp = len;
	return r;
}

long a64_sock(struct a64_cpu *c, uint64_t nr)
{
	struct addr a;
	long r;

	switch (nr) {
	case A64_NR_getsockname:
	case A64_NR_getpeername:
	case A64_NR_accept:
	case A64_NR_accept4:
	case A64_NR_recvfrom:
		return named(c, nr);
	case A64_NR_bind:
		return bind_(c);
	case A64_NR_connect:
		if (c->x[1] == 0)
			return call(c, SYS_connect, (long)c->x[0], 0, (long)c->x[2], 0, 0, 0);
		if ((r = take(c->x[1], c->x[2] == 0 ? 0 : c->x[2], &a)) < 0)
			return r;
		r = call(c, SYS_connect, (long)c->x[0], (long)&a.ss, a.len, 0, 0, 0);
		break;
	case A64_NR_sendto:
		if ((r = take(c->x[4], c->x[5], &a)) < 0)
			return r;
		r = call(c, SYS_sendto, (long)c->x[0], (long)c->x[1], (long)c->x[2], (long)c->x[3],
			 a.len > 0 ? (long)&a.ss : 0, a.len);
		break;
	case A64_NR_sendmsg: {
		struct msghdr h;
		memcpy(&h, (const void *)(uintptr_t)c->x[1], sizeof(h)); /* the same layout on both */
		if ((r = take((uint64_t)(uintptr_t)h.msg_name,
			      h.msg_namelen > sizeof(a.ss) ? sizeof(a.ss) : h.msg_namelen, &a)) < 0)
			return r;
		h.msg_name = a.len > 0 ? &a.ss : NULL;
		h.msg_namelen = a.len;
		r = call(c, SYS_sendmsg, (long)c->x[0], (long)&h, (long)c->x[2], 0, 0, 0);
		break;
	}
	default: { /* sendmmsg */
		unsigned n = (unsigned)c->x[2] < MMSG_MAX ? (unsigned)c->x[2] : MMSG_MAX;
		struct mmsghdr *v = n > 0 ? calloc(n, sizeof(*v)) : NULL;
		struct addr *as = n > 0 ? calloc(n, sizeof(*as)) : NULL;
		struct mmsghdr *g = (struct mmsghdr *)(uintptr_t)c->x[1];
		if (n > 0 && (v == NULL || as == NULL)) {
			free(v);
			free(as);
			return -ENOMEM;
		}
		r = 0;
		for (unsigned i = 0; i < n; i++) {
			as[i].fd = -1;
			v[i] = g[i];
			if (r == 0 &&
			    (r = take((uint64_t)(uintptr_t)v[i].msg_hdr.msg_name,
				      v[i].msg_hdr.msg_namelen > sizeof(as[i].ss) ? sizeof(as[i].ss)
										  : v[i].msg_hdr.msg_namelen,
				      &as[i])) < 0) {
				n = i; /* sent up to the one that fails; the first: its error */
				break;
			}
			v[i].msg_hdr.msg_name = as[i].len > 0 ? &as[i].ss : NULL;
			v[i].msg_hdr.msg_namelen = as[i].len;
		}
		if (n > 0 || r == 0)
			r = call(c, SYS_sendmmsg, (long)c->x[0], (long)v, n, (long)c->x[3], 0, 0);
		for (long i = 0; i < r; i++)
			g[i].msg_len = v[i].msg_len;
		for (unsigned i = 0; i < n; i++)
			if (as[i].fd >= 0)
				close(as[i].fd);
		free(v);
		free(as);
		return r;
	}
	}
	if (a.fd >= 0)
		close(a.fd);
	return r;
}
