/* The guest's credentials as the kernel would keep them, under the syscall
 * engine (this file built for the host) and the emulate engine (built for
 * arm64): each subcommand prints what a real root process prints natively
 * (tests/e2e/creds.bash holds the expected lines).
 *   ids              the ids, groups and capabilities
 *   exec             drop some ids, setgroups, then exec `ids`: all carried
 *   perm DIR         as root make DIR/f and DIR/d; as nobody try what LTP's
 *                    access01/04, open02, creat04, mkdir04, kill05, execve02 try
 *   own DIR          chown recorded and reported by stat (chown02, fchown,
 *                    lchown, set-group-id directories: mkdir02, creat08)
 *   newgid DIR       a root with another group: its new files have that group
 *   groups DIR       the kernel's 65536 supplementary groups, the last of
 *                    them opening a file of its group (getgroups01,
 *                    setgroups02)
 *   setid DIR        set-user-id and set-group-id programs exec'd by nobody,
 *                    then the same under no_new_privs
 *   search DIR       search permission on every directory of a path, as
 *                    nobody: a 0700 directory above an open one
 *   port             after setuid(nobody), bind of port 80, then port 0
 *   rlink DIR        readlink as nobody through root's 0700 directory
 *   sockown PATH     a socket bound after seteuid(nobody) is nobody's
 *   hidden DIR       owners of files their owner may not read or write
 *                    (LTP's stat01: nobody's file made 0222)
 *   override DIR     a root reads, writes, makes and removes files in
 *                    directories it took its own permissions from (LTP's
 *                    access01 makes files in a 0444 directory)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long r)
{
	static char buf[32];
	if (r >= 0)
		return "ok";
	switch (errno) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	}
	snprintf(buf, sizeof(buf), "errno %d", errno);
	return buf;
}

static void ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[16];
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid %u %u %u fs %d\n", r, e, s, setfsuid(-1));
	printf("gid %u %u %u fs %d\n", gr, ge, gs, setfsgid(-1));
	int n = getgroups(16, g);
	printf("groups %d:", n);
	for (int i = 0; i < n; i++)
		printf(" %u", g[i]);
	printf("\n");
	syscall(SYS_capget, &h, d);
	printf("caps eff %s prm %s keep %d\n", d[0].effective & (1u << CAP_SETUID) ? "root" : "none",
	       d[0].permitted & (1u << CAP_SETUID) ? "root" : "none", prctl(PR_GET_KEEPCAPS));
	fflush(stdout);
}

static void exec_carries(const char *self)
{
	gid_t g[3] = { 50, 30, 40 };
	printf("setgroups %s\n", err(setgroups(3, g)));
	printf("getgroups(1) %s\n", err(getgroups(1, g)));
	printf("setresgid %s\n", err(setresgid(100, 100, 0)));
	printf("setresuid %s\n", err(setresuid(0, 1000, 0)));
	ids();
	execl(self, self, "ids", (char *)NULL);
	printf("exec %s\n", err(-1));
}

static void drop(void)
{
	/* as LTP's tests do: to nobody for good */
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		printf("drop %s\n", err(-1));
	printf("setuid(0) %s\n", err(setuid(0)));
}

static void perm(const char *dir)
{
	char f[256], d[256], n[256], s[100], x[256];
	int p[2], fd;
	snprintf(x, sizeof(x), "%s/x", dir);
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(n, sizeof(n), "%s/new", dir);
	snprintf(s, sizeof(s), "%s/sock", dir);
	mkdir(dir, 0755);
	close(open(f, O_CREAT | O_WRONLY, 0644));
	mkdir(d, 0700);
	fd = open(x, O_CREAT | O_WRONLY, 0700);
	if (fd < 0 || write(fd, "#!/bin/sh\necho ran\n", 20) != 20)
		return;
	close(fd);
	if (pipe(p) < 0)
		return;
	pid_t child = fork();
	if (child == 0) { /* stays root, cleans up after the parent */
		char b;
		close(p[1]);
		if (read(p[0], &b, 1) < 0)
			_exit(1);
		unlink(f);
		unlink(x);
		rmdir(d);
		unlink(n);
		unlink(s);
		rmdir(dir);
		_exit(0);
	}
	close(p[0]);
	drop();
	printf("access W_OK %s\n", err(access(f, W_OK)));
	printf("access R_OK %s\n", err(access(f, R_OK)));
	printf("access d X_OK %s\n", err(access(d, X_OK)));
	printf("open O_WRONLY %s\n", err(open(f, O_WRONLY)));
	printf("open O_RDONLY %s\n", err(open(f, O_RDONLY) >= 0 ? 0 : -1));
	printf("open O_DIRECTORY %s\n", err(open(f, O_WRONLY | O_DIRECTORY)));
	printf("open O_NOATIME %s\n", err(open(f, O_RDONLY | O_NOATIME)));
	printf("creat %s\n", err(open(n, O_CREAT | O_WRONLY, 0644)));
	printf("creat() %s\n", err(creat(n, 0644)));
	printf("mkdir %s\n", err(mkdir(n, 0755)));
	printf("unlink %s\n", err(unlink(f)));
	printf("rename %s\n", err(rename(f, n)));
	printf("chmod %s\n", err(chmod(f, 0777)));
	printf("chown %s\n", err(chown(f, 65534, 65534)));
	printf("kill %s\n", err(kill(child, 0)));
	/* execve02: a 0700 program of root's */
	printf("execve 0700 %s\n", err(execl(x, x, (char *)NULL)));
	int sk = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s);
	printf("bind %s\n", err(bind(sk, (struct sockaddr *)&a, sizeof(a))));
	close(sk);
	if (write(p[1], "x", 1) < 0)
		return;
	waitpid(child, NULL, 0);
}

static void show(const char *what, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		printf("%s stat %s\n", what, err(-1));
	else
		printf("%s %u:%u %o\n", what, st.st_uid, st.st_gid, st.st_mode & 07777);
}

/* The owner of a file seen again after it changed, by this process and by
 * another (mew's stub may keep what it read: it must see each change).
 * Each line: the owner by path, by an fd on it, and by name from an fd on
 * its directory (tar's and find's way). */
static void restat_show(const char *what, const char *dir, const char *name)
{
	char f[256];
	struct stat a, b, c;
	int fd, d;
	snprintf(f, sizeof(f), "%s/%s", dir, name);
	fd = open(f, O_RDONLY);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	if (stat(f, &a) < 0 || fstat(fd, &b) < 0 || fstatat(d, name, &c, AT_SYMLINK_NOFOLLOW) < 0)
		printf("%s stat %s\n", what, err(-1));
	else
		printf("%s %u:%u %u:%u %u:%u %o\n", what, a.st_uid, a.st_gid, b.st_uid, b.st_gid, c.st_uid, c.st_gid,
		       a.st_mode & 07777);
	close(fd);
	close(d);
}

static void restat(const char *dir)
{
	char f[256];
	pid_t pid;
	snprintf(f, sizeof(f), "%s/f", dir);
	mkdir(dir, 0755);
	close(open(f, O_CREAT | O_WRONLY, 0644));
	restat_show("made", dir, "f");
	chown(f, 5, 6);
	restat_show("chown here", dir, "f");
	for (int i = 0; i < 3; i++) {
		pid = fork();
		if (pid == 0) {
			chown(f, 7 + i, 8 + i);
			if (i == 1)
				chmod(f, 04755);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		restat_show("chown by a child", dir, "f");
	}
	pid = fork();
	if (pid == 0) {
		restat_show("child sees", dir, "f");
		chown(f, 0, 0);
		restat_show("child chown", dir, "f");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	restat_show("parent sees", dir, "f");
}

static void own(const char *dir)
{
	char f[256], g[256], sg[256], sub[256], sf[256], l[256];
	struct stat st;
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(g, sizeof(g), "%s/g", dir);
	snprintf(sg, sizeof(sg), "%s/sg", dir);
	snprintf(sub, sizeof(sub), "%s/sg/d", dir);
	snprintf(sf, sizeof(sf), "%s/sg/f", dir);
	snprintf(l, sizeof(l), "%s/l", dir);
	mkdir(dir, 0755);
	int fd = open(f, O_CREAT | O_WRONLY, 0755);
	show("new", f);
	printf("chown %s\n", err(chown(f, 1000, 50)));
	show("chowned", f);
	printf("fchown %s\n", err(fchown(fd, 1001, -1)));
	fstat(fd, &st);
	printf("fstat %u:%u\n", st.st_uid, st.st_gid);
	/* the raw call, as Go and musl make it (glibc's is newfstatat) */
	memset(&st, 0, sizeof(st));
	syscall(SYS_fstat, fd, &st);
	printf("raw fstat %u:%u\n", st.st_uid, st.st_gid);
	close(fd);
	/* chown02: root's chown drops set-user-id, and set-group-id with group x */
	chmod(f, 06755);
	printf("chown -1 %s\n", err(chown(f, -1, 51)));
	show("suid", f);
	printf("chown nonexistent %s\n", err(chown("/nonexistent", 0, 0)));
	printf("fchown -1 %s\n", err(fchown(-1, 0, 0)));
	close(open(g, O_CREAT | O_WRONLY, 0644));
	printf("symlink %s\n", err(symlink("g", l)));
	printf("lchown %s\n", err(lchown(l, 7, 7)));
	show("target", g);
	/* set-group-id directory (mkdir02, creat08, open10) */
	mkdir(sg, 0755);
	chown(sg, 0, 60);
	chmod(sg, 02775);
	show("sgdir", sg);
	mkdir(sub, 0755);
	show("sgsub", sub);
	close(open(sf, O_CREAT | O_WRONLY, 02755));
	show("sgfile", sf);
	/* chmod05: an owner not in the group loses set-group-id on chmod */
	chown(g, 65534, 70);
	if (fork() == 0) {
		drop();
		printf("chmod g+s %s\n", err(chmod(g, 02755)));
		show("chmod05", g);
		printf("chown other %s\n", err(chown(g, 0, -1)));
		printf("chgrp own %s\n", err(chown(g, -1, 65534)));
		show("chgrp", g);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	unlink(sf);
	rmdir(sub);
	rmdir(sg);
	unlink(l);
	unlink(g);
	unlink(f);
	rmdir(dir);
}

/* Owners of what no attribute can hold, which an unprivileged mew keeps
 * for the run: a symlink (lchown01, fchownat02), a FIFO, and a FIFO made
 * in a set-group-id directory (mknod05, mknod08); seen by every stat. */
static void ownkept(const char *dir)
{
	char l[256], p[256], sg[256], sp[256];
	struct statx sx;
	struct stat st;
	int fd;
	snprintf(l, sizeof(l), "%s/l", dir);
	snprintf(p, sizeof(p), "%s/p", dir);
	snprintf(sg, sizeof(sg), "%s/sg", dir);
	snprintf(sp, sizeof(sp), "%s/sg/p", dir);
	mkdir(dir, 0755);
	printf("symlink %s\n", err(symlink("nowhere", l)));
	printf("lchown %s\n", err(lchown(l, 7, 8)));
	show("link", l);
	printf("fchownat %s\n", err(fchownat(AT_FDCWD, l, 9, 10, AT_SYMLINK_NOFOLLOW)));
	memset(&sx, 0, sizeof(sx));
	statx(AT_FDCWD, l, AT_SYMLINK_NOFOLLOW, STATX_UID | STATX_GID, &sx);
	printf("statx link %u:%u\n", sx.stx_uid, sx.stx_gid);
	printf("mkfifo %s\n", err(mkfifo(p, 0644)));
	printf("chown fifo %s\n", err(chown(p, 11, 12)));
	show("fifo", p);
	fd = open(p, O_PATH);
	fstat(fd, &st);
	printf("fifo fstat %u:%u\n", st.st_uid, st.st_gid);
	memset(&st, 0, sizeof(st));
	syscall(SYS_fstat, fd, &st);
	printf("fifo raw fstat %u:%u\n", st.st_uid, st.st_gid);
	close(fd);
	mkdir(sg, 0755);
	chown(sg, 0, 60);
	chmod(sg, 02775);
	printf("mknod %s\n", err(mknod(sp, S_IFIFO | 0644, 0)));
	show("sgfifo", sp);
	unlink(sp);
	rmdir(sg);
	unlink(p);
	unlink(l);
	rmdir(dir);
}

/* lstat of path n times (how many reach mew: MEW_DEBUG's count); with
 * keep, after giving a new symlink there the owner 5:6 (mew keeps it) */
static void lstats(const char *path, int n, const char *keep)
{
	struct stat st;
	if (keep != NULL && (symlink("x", keep) < 0 || lchown(keep, 5, 6) < 0))
		printf("keep %s\n", strerror(errno));
	for (int i = 0; i < n; i++)
		lstat(path, &st);
	printf("%u:%u\n", st.st_uid, st.st_gid);
	if (keep != NULL) {
		lstat(keep, &st);
		printf("kept %u:%u\n", st.st_uid, st.st_gid);
	}
}

static void newgid(const char *dir)
{
	char f[256], d[256];
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	mkdir(dir, 0755);
	printf("setresgid %s\n", err(setresgid(100, 100, 100)));
	close(open(f, O_CREAT | O_WRONLY, 0644));
	mkdir(d, 0755);
	show("file", f);
	show("dir", d);
	unlink(f);
	rmdir(d);
	rmdir(dir);
}

static void groups(const char *dir)
{
	static gid_t g[65537], out[65536];
	char f[256];
	for (int i = 0; i < 65537; i++)
		g[i] = 100000 + 3 * (gid_t)(65536 - i); /* not sorted */
	snprintf(f, sizeof(f), "%s/f", dir);
	mkdir(dir, 0755);
	close(open(f, O_CREAT | O_WRONLY, 0640));
	chown(f, 0, g[0]); /* the group of the lowest one (kept last once sorted) */
	chmod(f, 0640);
	printf("setgroups 65537 %s\n", err(setgroups(65537, g)));
	printf("setgroups 65536 %s\n", err(setgroups(65536, g)));
	printf("getgroups(0) %d\n", getgroups(0, NULL));
	int n = getgroups(65536, out), sorted = 1;
	for (int i = 1; i < n; i++)
		sorted &= out[i - 1] <= out[i];
	printf("getgroups %d sorted %d\n", n, sorted);
	/* as 65534 with those groups: the file opens through its group alone */
	if (fork() == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			printf("drop %s\n", err(-1));
		printf("open by group %s\n", err(open(f, O_RDONLY)));
		printf("write by group %s\n", err(open(f, O_WRONLY)));
		_exit(0);
	}
	wait(NULL);
	unlink(f);
	rmdir(dir);
}

/* exec `self ids` through a copy of self with the given mode and owner */
static void exec_as(const char *prog, int nnp)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			printf("drop %s\n", err(-1));
		if (nnp) {
			printf("no_new_privs %s\n", err(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)));
			printf("no_new_privs now %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		}
		execl(prog, prog, "ids", (char *)NULL);
		printf("exec %s\n", err(-1));
		_exit(1);
	}
	waitpid(pid, NULL, 0);
}

static void setid(const char *self, const char *dir)
{
	char u[256], g[256], cmd[600];
	snprintf(u, sizeof(u), "%s/suid", dir);
	snprintf(g, sizeof(g), "%s/sgid", dir);
	mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd), "cp %s %s && cp %s %s", self, u, self, g);
	if (system(cmd) != 0)
		printf("cp failed\n");
	printf("no_new_privs at start %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	chown(u, 0, 0);
	chmod(u, 04755);
	chown(g, 0, 42);
	chmod(g, 02755);
	printf("suid root:\n");
	exec_as(u, 0);
	printf("sgid 42:\n");
	exec_as(g, 0);
	printf("suid root, no_new_privs:\n");
	exec_as(u, 1);
	unlink(u);
	unlink(g);
	rmdir(dir);
}

static void search(const char *dir)
{
	char cl[256], op[256], g[256], n[256];
	struct stat st;
	snprintf(cl, sizeof(cl), "%s/closed", dir);
	snprintf(op, sizeof(op), "%s/closed/open", dir);
	snprintf(g, sizeof(g), "%s/closed/open/g", dir);
	snprintf(n, sizeof(n), "%s/closed/open/new", dir);
	mkdir(dir, 0755);
	mkdir(cl, 0700);
	mkdir(op, 0777);
	chmod(op, 0777);
	close(open(g, O_CREAT | O_WRONLY, 0666));
	chmod(g, 0666);
	if (fork() == 0) {
		drop();
		printf("open %s\n", err(open(g, O_RDWR)));
		printf("access %s\n", err(access(g, R_OK)));
		printf("creat %s\n", err(open(n, O_CREAT | O_WRONLY, 0644)));
		printf("mkdir %s\n", err(mkdir(n, 0755)));
		printf("unlink %s\n", err(unlink(g)));
		printf("truncate %s\n", err(truncate(g, 0)));
		printf("chmod %s\n", err(chmod(g, 0600)));
		printf("stat %s\n", err(stat(g, &st)));
		printf("chdir %s\n", err(chdir(op)));
		printf("stat closed %s\n", err(stat(cl, &st)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	chmod(cl, 0701); /* others may search it: all open */
	if (fork() == 0) {
		drop();
		printf("searchable: open %s\n", err(open(g, O_RDWR)));
		printf("searchable: creat %s\n", err(open(n, O_CREAT | O_WRONLY, 0644)));
		printf("searchable: stat %s\n", err(stat(g, &st)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	unlink(n);
	unlink(g);
	rmdir(op);
	rmdir(cl);
	rmdir(dir);
}

/* readlink of a symlink in root's 0700 directory, as nobody: EACCES, the
 * walk's search permission (LTP's readlink03). */
static void rlink(const char *dir)
{
	char cl[256], l[256], buf[64];
	snprintf(cl, sizeof(cl), "%s/closed", dir);
	snprintf(l, sizeof(l), "%s/closed/link", dir);
	mkdir(dir, 0755);
	mkdir(cl, 0700);
	if (symlink("target", l) < 0)
		printf("symlink %s\n", err(-1));
	if (fork() == 0) {
		drop();
		printf("readlink %s\n", err(readlink(l, buf, sizeof(buf))));
		_exit(0);
	}
	wait(NULL);
	printf("readlink as root %s\n", err(readlink(l, buf, sizeof(buf))));
	unlink(l);
	rmdir(cl);
	rmdir(dir);
}

/* After setuid(nobody): a port below 1024 is EACCES, port 0 is any
 * port (LTP's bind02). */
static void port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s;

	drop();
	s = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(80);
	printf("bind 80 %s\n", err(bind(s, (struct sockaddr *)&a, sizeof(a))));
	a.sin_port = 0;
	printf("bind 0 %s\n", err(bind(s, (struct sockaddr *)&a, sizeof(a))));
	close(s);
}

/* A root that set its effective uid to nobody binds a socket in PATH's
 * directory (sticky, world-writable): the socket is nobody's, so its
 * chmod works (LTP's connect03). */
static void sockown(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int sk;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	printf("seteuid %s\n", err(seteuid(65534)));
	sk = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("bind %s\n", err(bind(sk, (struct sockaddr *)&a, sizeof(a))));
	printf("owner %d\n", stat(path, &st) == 0 ? (int)st.st_uid : -1);
	printf("chmod %s\n", err(chmod(path, 0700)));
	printf("unlink %s\n", err(unlink(path)));
	close(sk);
}

/* Owners of files nobody may read or write: recorded where mew is not
 * root, on a file it must give itself permission on for the record. */
static void hidden(const char *dir)
{
	char f[256], g[256];

	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(g, sizeof(g), "%s/g", dir);
	mkdir(dir, 0777);
	chmod(dir, 0777);
	close(open(f, O_CREAT | O_WRONLY, 0644));
	printf("chown %s\n", err(chown(f, 1234, 1235)));
	chmod(f, 0222);
	show("write-only", f);
	chmod(f, 0);
	show("mode 0", f);
	printf("chown back %s\n", err(chown(f, 0, 0)));
	show("back", f);
	if (fork() == 0) {
		drop();
		close(open(g, O_CREAT | O_WRONLY, 0644));
		chmod(g, 0222);
		show("nobody's write-only", g);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	unlink(g);
	unlink(f);
	rmdir(dir);
}

static void override(const char *dir)
{
	char d[256], w[256], f[256], g[256];
	struct stat st;
	int fd;

	snprintf(d, sizeof(d), "%s/r", dir);
	snprintf(w, sizeof(w), "%s/r/w", dir);
	snprintf(f, sizeof(f), "%s/r/f", dir);
	snprintf(g, sizeof(g), "%s/r/w/g", dir);
	mkdir(dir, 0755);
	printf("mkdir 0444 %s\n", err(mkdir(d, 0444)));
	fd = open(f, O_CREAT | O_WRONLY, 0644);
	printf("create inside %s\n", err(fd));
	printf("write %s\n", err(write(fd, "x", 1)));
	close(fd);
	printf("mkdir 0222 inside %s\n", err(mkdir(w, 0222)));
	fd = open(g, O_CREAT | O_WRONLY, 0644);
	printf("create in both %s\n", err(fd));
	close(fd);
	printf("chmod 0 %s\n", err(chmod(f, 0)));
	printf("stat %s %o\n", err(stat(f, &st)), st.st_mode & 07777);
	fd = open(f, O_RDWR);
	printf("open mode 0 %s\n", err(fd));
	close(fd);
	printf("access %s\n", err(access(f, R_OK | W_OK)));
	fd = open(w, O_RDONLY | O_DIRECTORY);
	printf("open 0222 directory %s\n", err(fd));
	close(fd);
	printf("rename %s\n", err(rename(g, f)));
	printf("unlink %s\n", err(unlink(f)));
	printf("rmdir %s\n", err(rmdir(w)));
	printf("modes kept %s\n", stat(d, &st) == 0 && (st.st_mode & 07777) == 0444 ? "ok" : "changed");
	printf("rmdir 0444 %s\n", err(rmdir(d)));
	rmdir(dir);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "ids") == 0)
		ids();
	else if (argc > 1 && strcmp(argv[1], "exec") == 0)
		exec_carries(argv[0]);
	else if (argc > 2 && strcmp(argv[1], "perm") == 0)
		perm(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "own") == 0)
		own(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "restat") == 0)
		restat(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "ownkept") == 0)
		ownkept(argv[2]);
	else if (argc > 3 && strcmp(argv[1], "lstats") == 0)
		lstats(argv[2], atoi(argv[3]), argc > 4 ? argv[4] : NULL);
	else if (argc > 2 && strcmp(argv[1], "newgid") == 0)
		newgid(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "groups") == 0)
		groups(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "setid") == 0)
		setid(argv[0], argv[2]);
	else if (argc > 2 && strcmp(argv[1], "search") == 0)
		search(argv[2]);
	else if (argc > 1 && strcmp(argv[1], "port") == 0)
		port();
	else if (argc > 2 && strcmp(argv[1], "rlink") == 0)
		rlink(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "sockown") == 0)
		sockown(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "hidden") == 0)
		hidden(argv[2]);
	else if (argc > 2 && strcmp(argv[1], "override") == 0)
		override(argv[2]);
	else
		return 2;
	return 0;
}
