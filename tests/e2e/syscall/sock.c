/* AF_UNIX paths under the syscall engine.
 *   sock listen PATH        (on the host) a listening socket at PATH, until killed
 *   sock check GUESTSOCK HOSTSOCK [stream]
 *       binds GUESTSOCK, connects to it and exchanges a byte (must work);
 *       connects to HOSTSOCK, a host socket outside the rootfs (must fail);
 *       the same with datagrams through sendto and sendmsg.
 *   sock peercred PATH
 *       a child connects to a socket listening at PATH; the parent's
 *       SO_PEERCRED of the accepted socket, against the child's pid and
 *       its effective ids (sent through the socket); and the child's of
 *       its own, against the parent's */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static socklen_t addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return sizeof(*sa);
}

static int peercred(const char *path)
{
	struct sockaddr_un sa;
	struct ucred u, mine;
	socklen_t len = sizeof(u);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), a, status;
	pid_t child;

	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, addr(&sa, path)) < 0 || listen(s, 8) < 0) {
		printf("BROKEN: bind %s: %s\n", path, strerror(errno));
		return 1;
	}
	child = fork();
	if (child == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		char ok = 'n';
		if (connect(c, (struct sockaddr *)&sa, addr(&sa, path)) < 0)
			_exit(1);
		mine = (struct ucred){ getpid(), geteuid(), getegid() };
		/* the listener's, taken at its listen */
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &u, &len) == 0 && u.pid == getppid())
			ok = 'y';
		if (write(c, &mine, sizeof(mine)) != sizeof(mine) || write(c, &ok, 1) != 1)
			_exit(1);
		_exit(0);
	}
	a = accept(s, NULL, NULL);
	if (a < 0 || getsockopt(a, SOL_SOCKET, SO_PEERCRED, &u, &len) < 0 || len != sizeof(u) ||
	    read(a, &mine, sizeof(mine)) != sizeof(mine)) {
		printf("BROKEN: accept, SO_PEERCRED: %s\n", strerror(errno));
		return 1;
	}
	printf("peer pid: %s\n", u.pid == child && mine.pid == child ? "the child's" : "another's");
	printf("peer ids: %s\n", u.uid == mine.uid && u.gid == mine.gid ? "the child's" : "others");
	{
		char ok = 'n';
		if (read(a, &ok, 1) != 1)
			ok = '?';
		printf("the child's peer: %s\n", ok == 'y' ? "the parent" : "another");
	}
	waitpid(child, &status, 0);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	int s, c, a, bad = 0;
	char byte = 0;
	struct stat st;

	if (argc == 3 && strcmp(argv[1], "listen") == 0) {
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		unlink(argv[2]);
		if (bind(s, (struct sockaddr *)&sa, addr(&sa, argv[2])) < 0 || listen(s, 8) < 0)
			return 1;
		for (;;)
			if ((a = accept(s, NULL, NULL)) >= 0)
				close(a);
	}
	if (argc == 3 && strcmp(argv[1], "peercred") == 0)
		return peercred(argv[2]);
	if (argc < 4 || strcmp(argv[1], "check") != 0)
		return 2;
	unlink(argv[2]);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(s, (struct sockaddr *)&sa, addr(&sa, argv[2])) < 0 || listen(s, 8) < 0) {
		printf("BROKEN: bind %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("ok: bound %s, %s\n", argv[2], stat(argv[2], &st) == 0 && S_ISSOCK(st.st_mode) ? "a socket" : "NOT THERE");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&sa, addr(&sa, argv[2])) < 0) {
		printf("BROKEN: connect %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	a = accept(s, NULL, NULL);
	if (write(c, "x", 1) != 1 || read(a, &byte, 1) != 1 || byte != 'x') {
		printf("BROKEN: no byte through %s\n", argv[2]);
		bad++;
	} else {
		printf("ok: a byte through %s\n", argv[2]);
	}
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&sa, addr(&sa, argv[3])) == 0) {
		printf("ESCAPE: connected to the host's %s\n", argv[3]);
		bad++;
	} else {
		printf("ok: the host's socket is out of reach (%s)\n", strerror(errno));
	}
	/* datagrams: sendto and sendmsg name their destination */
	if (argc < 5) {
		char dname[200];
		struct iovec iov = { "z", 1 };
		struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
		int d = socket(AF_UNIX, SOCK_DGRAM, 0), e = socket(AF_UNIX, SOCK_DGRAM, 0);
		snprintf(dname, sizeof(dname), "%sd", argv[2]);
		unlink(dname);
		if (bind(d, (struct sockaddr *)&sa, addr(&sa, dname)) < 0 ||
		    sendto(e, "y", 1, 0, (struct sockaddr *)&sa, addr(&sa, dname)) != 1 ||
		    read(d, &byte, 1) != 1 || byte != 'y') {
			printf("BROKEN: sendto %s: %s\n", dname, strerror(errno));
			bad++;
		}
		mh.msg_namelen = addr(&sa, dname);
		if (sendmsg(e, &mh, 0) != 1 || read(d, &byte, 1) != 1 || byte != 'z') {
			printf("BROKEN: sendmsg %s: %s\n", dname, strerror(errno));
			bad++;
		}
		if (sendto(e, "y", 1, 0, (struct sockaddr *)&sa, addr(&sa, argv[3])) >= 0 || errno != ENOENT) {
			printf("ESCAPE: sendto reached the host's %s (%s)\n", argv[3], strerror(errno));
			bad++;
		}
		mh.msg_namelen = addr(&sa, argv[3]);
		if (sendmsg(e, &mh, 0) >= 0 || errno != ENOENT) {
			printf("ESCAPE: sendmsg reached the host's %s (%s)\n", argv[3], strerror(errno));
			bad++;
		}
		if (!bad)
			printf("ok: datagrams by sendto and sendmsg, none to the host\n");
	}
	/* relative, from the socket's directory */
	if (chdir("/work") == 0 && strrchr(argv[2], '/') != NULL) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&sa, addr(&sa, strrchr(argv[2], '/') + 1)) < 0) {
			printf("BROKEN: relative connect: %s\n", strerror(errno));
			bad++;
		} else {
			printf("ok: relative connect\n");
		}
	}
	return bad ? 1 : 0;
}
