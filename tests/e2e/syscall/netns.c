/* New namespaces made by a guest of the syscall engine (guest/ns.c), as a
 * program sees them (tests/e2e/syscall-netns.bats):
 *     netns clone          clone with CLONE_NEWNET|CLONE_NEWUTS, glibc's
 *                          (a stack) and fork-like (none): the child's links,
 *                          hostname, ids; the parent's hostname after
 *     netns listen FILE    a TCP listener in a new network namespace: its
 *                          port written to FILE, then it waits for FILE.done
 *     netns refused        what is EPERM: the other kinds of namespace, a
 *                          guest that is no longer root, CLONE_VM; and
 *                          unshare without a namespace, its EINVAL
 *     netns setns          setns into a child's namespaces; its errors
 *     netns mount DIR      a mount namespace of its own, where it mounts
 *                          nothing; a CLONE_FS child's unshare of one
 *     netns userns         what LTP's tst_setup_netns does as an ordinary
 *                          user: a user and network namespace of its own,
 *                          its maps written (and read back), then lo up, a
 *                          raw socket, a bind to a privileged port of a
 *                          netns address; the ids and owners seen; and a
 *                          clone with CLONE_NEWUSER (the parent's stay) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "put.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

static int links(void)
{
	struct if_nameindex *l = if_nameindex(), *i;
	int n = 0;

	for (i = l; i != NULL && i->if_index != 0; i++)
		n++;
	if (l != NULL)
		if_freenameindex(l);
	return n;
}

/* What a child in its new namespaces sees. */
static int in_child(void *how)
{
	struct utsname u;
	struct stat st;

	if (sethostname("child", 5) < 0) {
		printf("%s child: sethostname: %s\n", (char *)how, strerror(errno));
		return 1;
	}
	uname(&u);
	stat("/bin", &st);
	printf("%s child: links %d, nodename %s, uid %d, gid %d, /bin owned by %d:%d\n", (char *)how, links(),
	       u.nodename, (int)getuid(), (int)getgid(), (int)st.st_uid, (int)st.st_gid);
	return 0;
}

static int reap(pid_t pid, const char *how)
{
	int status = -1;
	struct utsname u;

	if (pid < 0) {
		printf("%s: clone: %s\n", how, strerror(errno));
		return 1;
	}
	waitpid(pid, &status, 0);
	uname(&u);
	printf("%s parent: child exit %d, nodename %s\n", how, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	       u.nodename);
	return 0;
}

static int clones(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	long pid;

	struct stat st;

	stat("/bin", &st);
	printf("before: links %d, uid %d, gid %d, /bin owned by %d:%d\n", links(), (int)getuid(), (int)getgid(),
	       (int)st.st_uid, (int)st.st_gid);
	if (reap(clone(in_child, stack + sizeof(stack), CLONE_NEWNET | CLONE_NEWUTS | SIGCHLD, "stack"), "stack"))
		return 1;
	pid = syscall(SYS_clone, CLONE_NEWNET | CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(in_child("fork"));
	return reap((pid_t)pid, "fork");
}

static int listener(const char *file)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct ifreq ifr = { 0 };
	char done[4096];
	int s, c, k;
	FILE *f;

	if (unshare(CLONE_NEWNET) < 0) {
		printf("unshare: %s\n", strerror(errno));
		return 1;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	strcpy(ifr.ifr_name, "lo");
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		printf("lo up: %s\n", strerror(errno));
		return 1;
	}
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		printf("listen: %s\n", strerror(errno));
		return 1;
	}
	/* reachable from its own namespace */
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0 || (k = accept(s, NULL, NULL)) < 0) {
		printf("self: %s\n", strerror(errno));
		return 1;
	}
	printf("self: connected\n");
	close(k);
	close(c);
	if ((f = fopen(file, "w")) == NULL)
		return 1;
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	snprintf(done, sizeof(done), "%s.done", file);
	for (int i = 0; i < 600 && access(done, F_OK) != 0; i++)
		usleep(100000);
	/* anything the host reached meanwhile is queued here */
	fcntl(s, F_SETFL, O_NONBLOCK);
	k = accept(s, NULL, NULL);
	printf("accepted from outside: %s\n", k >= 0 ? "yes" : "no");
	return 0;
}

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, r == 0 ? "ok" : strerror(errno));
}

static int in_own_mnt(void *dir)
{
	say("child: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	return chdir((char *)dir) != 0;
}

static int refused(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t pid;

	say("unshare(CLONE_FILES | CLONE_FS)", unshare(CLONE_FILES | CLONE_FS));
	say("unshare(-1)", unshare(-1));
	say("unshare(CLONE_NEWPID)", unshare(CLONE_NEWPID));
	say("unshare(CLONE_NEWCGROUP)", unshare(CLONE_NEWCGROUP));
	say("unshare(CLONE_NEWTIME)", unshare(CLONE_NEWTIME));
	say("unshare(CLONE_NEWNET | CLONE_NEWPID)", unshare(CLONE_NEWNET | CLONE_NEWPID));
	pid = clone(in_child, stack + sizeof(stack), CLONE_VM | CLONE_NEWNET | SIGCHLD, "vm");
	if (pid > 0)
		waitpid(pid, NULL, __WALL);
	say("clone(CLONE_VM | CLONE_NEWNET)", pid > 0 ? 0 : -1);
	if (setuid(65534) < 0)
		return 1;
	say("nobody: unshare(CLONE_NEWNET)", unshare(CLONE_NEWNET));
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	say("nobody: clone(CLONE_NEWUTS)", pid > 0 ? 0 : -1);
	return 0;
}

/* A mount namespace of its own (LTP's unshare01, unshare04): made; the
 * guest mounts nothing in it either; a child sharing its fs_struct
 * (CLONE_FS) that unshares it no longer moves its parent's cwd. */
static int mounts(const char *dir)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	char before[4096], after[4096];
	pid_t pid;

	getcwd(before, sizeof(before));
	pid = clone(in_own_mnt, stack + sizeof(stack), CLONE_FS | SIGCHLD, (void *)dir);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	getcwd(after, sizeof(after));
	printf("parent's cwd %s\n", strcmp(before, after) == 0 ? "kept" : "moved");
	say("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	say("mount tmpfs", mount("none", "/tmp", "tmpfs", 0, NULL));
	say("umount /proc", umount2("/proc", MNT_DETACH));
	printf("/etc/passwd %s\n", access("/etc/passwd", R_OK) == 0 ? "readable" : "gone");
	return 0;
}

/* setns into the namespaces another guest process made (a child that
 * waits on a pipe), and the kernel's errors before them. */
static int joins(void)
{
	int p[2], q[2], uts, net, mnt, file;
	char path[64], c;
	struct utsname u;
	pid_t pid;

	if (pipe(p) < 0 || pipe(q) < 0)
		return 1;
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNET | CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		sethostname("child", 5);
		write(q[1], "x", 1);
		read(p[0], &c, 1);
		_exit(0);
	}
	if (pid < 0 || read(q[0], &c, 1) != 1)
		return 1;
	printf("before: links %d\n", links());
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	uts = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	net = open(path, O_RDONLY);
	mnt = open("/proc/self/ns/mnt", O_RDONLY);
	file = open("/", O_RDONLY);
	say("setns(-1)", syscall(SYS_setns, -1, 0));
	say("setns(a directory)", syscall(SYS_setns, file, 0));
	say("setns(uts, CLONE_NEWNET)", syscall(SYS_setns, uts, CLONE_NEWNET));
	say("setns(uts, -1)", syscall(SYS_setns, uts, -1));
	say("setns(mnt)", syscall(SYS_setns, mnt, 0));
	say("setns(uts, CLONE_NEWUTS)", syscall(SYS_setns, uts, CLONE_NEWUTS));
	uname(&u);
	printf("nodename %s\n", u.nodename);
	say("setns(net, 0)", syscall(SYS_setns, net, 0));
	printf("links %d\n", links());
	write(p[1], "x", 1);
	waitpid(pid, NULL, 0);
	if (setuid(65534) < 0)
		return 1;
	say("nobody: setns(net, 0)", syscall(SYS_setns, net, 0));
	return 0;
}

static void show(const char *name)
{
	char buf[256];
	int fd = open(name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	printf("%s: %s%s", name, n < 0 ? strerror(errno) : buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
	if (fd >= 0)
		close(fd);
}

static void ids(const char *who)
{
	struct stat st;

	stat("/etc/passwd", &st);
	printf("%s: uid %d, gid %d, euid %d, /etc/passwd owned by %d:%d\n", who, (int)getuid(), (int)getgid(),
	       (int)geteuid(), (int)st.st_uid, (int)st.st_gid);
}

static int own_userns(void)
{
	char map[64];
	struct ifreq ifr = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	uid_t uid = getuid();
	gid_t gid = getgid();
	int s, status = -1;
	pid_t pid;

	ids("before");
	/* a child in a user namespace of its own: unmapped ids, the
	 * parent's unchanged */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		ids("clone(CLONE_NEWUSER) child");
		_exit(0);
	}
	if (pid < 0)
		printf("clone(CLONE_NEWUSER): %s\n", strerror(errno));
	waitpid(pid, &status, 0);
	ids("parent");
	/* tst_setup_netns */
	say("unshare(CLONE_NEWUSER | CLONE_NEWNET)", unshare(CLONE_NEWUSER | CLONE_NEWNET));
	ids("unmapped");
	say("write setgroups deny", put("/proc/self/setgroups", "deny") < 0 ? -1 : 0);
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	say("write uid_map", put("/proc/self/uid_map", map) < 0 ? -1 : 0);
	snprintf(map, sizeof(map), "0 %d 1", (int)gid);
	say("write gid_map", put("/proc/self/gid_map", map) < 0 ? -1 : 0);
	show("/proc/self/uid_map");
	show("/proc/self/gid_map");
	show("/proc/self/setgroups");
	ids("mapped");
	/* the capabilities it holds there, for its network namespace */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	say("lo up", ioctl(s, SIOCSIFFLAGS, &ifr));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	say("bind 127.0.0.1:80", bind(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	say("raw socket", s < 0 ? -1 : 0);
	if (s >= 0)
		close(s);
	printf("links %d\n", links());
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && strcmp(argv[1], "clone") == 0)
		return clones();
	if (argc == 3 && strcmp(argv[1], "listen") == 0)
		return listener(argv[2]);
	if (argc == 2 && strcmp(argv[1], "refused") == 0)
		return refused();
	if (argc == 2 && strcmp(argv[1], "setns") == 0)
		return joins();
	if (argc == 3 && strcmp(argv[1], "mount") == 0)
		return mounts(argv[2]);
	if (argc == 2 && strcmp(argv[1], "userns") == 0)
		return own_userns();
	fprintf(stderr, "usage: netns clone | listen FILE | refused | setns | mount DIR | userns\n");
	return 2;
}
