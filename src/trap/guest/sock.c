#include "guest.h"
#include "personality/sockname.h"

/* AF_UNIX socket paths (bind, connect, sendto, sendmsg): mew translates
 * the path; the call is made here with the host path, or, when that does
 * not fit in sun_path, with /proc/self/fd/N of the socket file (or of its
 * directory, for bind).  getsockname and getpeername give the guest path
 * back, and so do recvfrom and accept for the peer's (a socket bound
 * through /proc/self/fd/N, a host path of 108 bytes or more, shows that
 * name; so does a name the guest's buffer cut short). */
struct ksockaddr_un {
	unsigned short family;
	char path[108];
};
struct kmsghdr {
	void *name;
	int namelen;
	void *iov;
	unsigned long iovlen;
	void *control;
	unsigned long controllen;
	int flags;
};



__attribute__((noinline)) long do_sock(long nr, const long *a)
{
	struct ksockaddr_un sa, to;
	struct kmsghdr m;
	char path[sizeof(sa.path) + 1], host[4096], *p, *name = 0;
	unsigned long uaddr, len;
	int bind = nr == __NR_bind;
	long r, fd;

	switch (nr) {
	case __NR_bind:
	case __NR_connect:
		uaddr = (unsigned long)a[1];
		len = (unsigned long)a[2];
		break;
	case __NR_sendto:
		uaddr = (unsigned long)a[4];
		len = (unsigned long)a[5];
		break;
	default: /* sendmsg */
		if (copy_in(&m, (unsigned long)a[1], sizeof(m)) < 0)
			goto as_is;
		uaddr = (unsigned long)m.name;
		len = (unsigned int)m.namelen;
		break;
	}
	if (uaddr == 0 || len <= 2 || len > sizeof(sa) || copy_in(&sa, uaddr, len) < 0 ||
	    sa.family != 1 /* AF_UNIX */ || sa.path[0] == '\0')
		goto as_is;
	memcpy(path, sa.path, len - 2);
	path[len - 2] = '\0';
	/* sendto and sendmsg name their peer as connect does */
	r = ask_mew(STUB_UPCALL_TRANSLATE, (long)path, AT_FDCWD, bind ? __NR_bind : __NR_connect, 0,
			      (long)host, sizeof(host));
	if (r < 0)
		return r;
	if (slen(host) < sizeof(to.path)) {
		memset(&to, 0, sizeof(to));
		to.family = 1;
		memcpy(to.path, host, slen(host) + 1);
		len = slen(host) + 3;
		fd = -1;
		goto call;
	}
	if (bind) {
		char *slash = host;
		for (char *q = host; *q != '\0'; q++)
			if (*q == '/')
				slash = q;
		*slash = '\0';
		name = slash + 1;
		fd = S4(__NR_openat, AT_FDCWD, slash == host ? "/" : host, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	} else {
		fd = S4(__NR_openat, AT_FDCWD, host, O_PATH | O_CLOEXEC, 0);
	}
	if (fd < 0)
		return fd;
	memset(&to, 0, sizeof(to));
	to.family = 1;
	memcpy(to.path, "/proc/self/fd/", 14);
	p = put_num(to.path + 14, fd);
	if (name != 0) {
		size_t n = slen(name);
		if ((size_t)(p - to.path) + 1 + n >= sizeof(to.path)) {
			S1(__NR_close, fd);
			return -ENAMETOOLONG;
		}
		*p++ = '/';
		memcpy(p, name, n);
		p += n;
	}
	*p = '\0';
	len = (unsigned long)(p - to.path) + 3;
call:
	switch (nr) {
	case __NR_bind:
	case __NR_connect:
		r = S3(nr, a[0], &to, len);
		break;
	case __NR_sendto:
		r = S6(nr, a[0], a[1], a[2], a[3], &to, len);
		break;
	default:
		m.name = &to;
		m.namelen = (int)len;
		r = S3(nr, a[0], &m, a[2]);
		break;
	}
	if (fd >= 0)
		S1(__NR_close, fd);
	return r;
as_is:
	return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long untranslate_for(void *ctx, const char *host, char *guest, unsigned long size)
{
	(void)ctx;
	(void)size; /* 4096, untranslate's */
	return untranslate(host, guest);
}

/* getsockname, getpeername: an AF_UNIX path as the guest named it
 * (personality/sockname.h). */
__attribute__((noinline)) long do_sockname(long nr, const long *a)
{
	struct {
		unsigned short family;
		char path[126];
	} sa;
	int ulen, len = sizeof(sa);
	long r;

	if (a[1] == 0 || a[2] == 0)
		return S3(nr, a[0], a[1], a[2]);
	if (copy_in(&ulen, (unsigned long)a[2], sizeof(ulen)) < 0)
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	r = S3(nr, a[0], &sa, &len);
	if (r < 0)
		return r;
	len = (int)pers_sock_name(&sa, (unsigned long)len, sizeof(sa), untranslate_for, 0);
	if (copy_out((unsigned long)a[1], &sa, (unsigned long)(ulen < len ? ulen : len)) < 0 ||
	    copy_out((unsigned long)a[2], &len, sizeof(len)) < 0)
		return -EFAULT;
	return 0;
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) and accept(4)(fd, addr,
 * addrlen, flags) with an address: the peer's, as the guest names it.
 * The kernel checks and fills the address; a whole one (not cut short by
 * the guest's buffer) is rewritten. */
__attribute__((noinline)) long do_peer_addr(long nr, const long *a)
{
	int at = nr == __NR_recvfrom ? 4 : 1, ulen, len;
	char sa[128];
	long r;

	if (a[at] == 0 || a[at + 1] == 0)
		return stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (copy_in(&ulen, (unsigned long)a[at + 1], sizeof(ulen)) < 0)
		return -EFAULT;
	r = stub_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0 || copy_in(&len, (unsigned long)a[at + 1], sizeof(len)) < 0 || len <= 0 || len > ulen ||
	    len > (int)sizeof(sa) || copy_in(sa, (unsigned long)a[at], (unsigned long)len) < 0)
		return r;
	len = (int)pers_sock_name(sa, (unsigned long)len, sizeof(sa), untranslate_for, 0);
	copy_out((unsigned long)a[at], sa, (unsigned long)(ulen < len ? ulen : len));
	copy_out((unsigned long)a[at + 1], &len, sizeof(len));
	return r;
}
