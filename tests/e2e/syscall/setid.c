/* Set-id bits (S_ISUID, S_ISGID, S_ISVTX) as the kernel keeps and drops
 * them, printed as `ls -l` shows them: run natively as root, and under mew
 * started by an ordinary user, whose host kernel drops them where the
 * guest's root would keep them (a write by a process without CAP_FSETID).
 * Each line must read the same.  Usage: setid DIR (made, then removed).
 *   chmod 4755/2755/6755/1777 and 2745, each then written and truncated,
 *   by a root (CAP_FSETID keeps them) and by a user who owns the file
 *   (the kernel drops them: file_remove_privs), and fchmod then a write
 *   through the same fd; chmod g+s by a user not in
 *   the file's group; chown after (root's chown drops them too); O_TMPFILE
 *   07777 written; files and directories made in a set-group-id directory;
 *   a set-user-id program written by root, then run by nobody. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define USER 1000
#define GROUP 100 /* the user's group */
#define OTHER 70  /* a group the user is not in */

static char f[256], d[256], sg[256];

static const char *err(long r)
{
	static char buf[32];
	if (r >= 0)
		return "ok";
	snprintf(buf, sizeof(buf), "%s", strerror(errno));
	return buf;
}

/* ls -l's mode column */
static const char *ls(mode_t m)
{
	static char s[11];
	const char *rwx = "rwxrwxrwx";
	s[0] = S_ISDIR(m) ? 'd' : S_ISREG(m) ? '-' : '?';
	for (int i = 0; i < 9; i++)
		s[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & S_IXOTH) ? 't' : 'T';
	s[10] = '\0';
	return s;
}

static void show(const char *what, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		printf("%s: stat %s\n", what, err(-1));
	else
		printf("%s: %s %u:%u\n", what, ls(st.st_mode), st.st_uid, st.st_gid);
}

static void fshow(const char *what, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		printf("%s: fstat %s\n", what, err(-1));
	else
		printf("%s: %s %u:%u\n", what, ls(st.st_mode), st.st_uid, st.st_gid);
}

static void append(const char *what, const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "x", 1) != 1)
		printf("%s: write %s\n", what, err(-1));
	if (fd >= 0)
		close(fd);
	show(what, path);
}

/* chmod to mode, then a write, a truncate and an ftruncate, each shown */
static void modes(const char *who, mode_t mode)
{
	char what[64];
	int fd;

	snprintf(what, sizeof(what), "%s chmod %o", who, mode);
	if (chmod(f, mode) < 0)
		printf("%s: %s\n", what, err(-1));
	show(what, f);
	snprintf(what, sizeof(what), "%s %o write", who, mode);
	append(what, f);
	chmod(f, mode);
	snprintf(what, sizeof(what), "%s %o truncate", who, mode);
	if (truncate(f, 1) < 0)
		printf("%s: %s\n", what, err(-1));
	show(what, f);
	chmod(f, mode);
	snprintf(what, sizeof(what), "%s %o ftruncate", who, mode);
	fd = open(f, O_WRONLY);
	if (fd < 0 || ftruncate(fd, 2) < 0)
		printf("%s: %s\n", what, err(-1));
	fshow(what, fd);
	close(fd);
	chmod(f, mode);
	snprintf(what, sizeof(what), "%s %o open O_TRUNC", who, mode);
	close(open(f, O_WRONLY | O_TRUNC));
	show(what, f);
	/* given through the fd it is then written through (install, cp -p) */
	chmod(f, 0755);
	snprintf(what, sizeof(what), "%s fchmod %o, written", who, mode);
	fd = open(f, O_WRONLY | O_APPEND);
	if (fd < 0 || fchmod(fd, mode) < 0 || write(fd, "x", 1) != 1)
		printf("%s: %s\n", what, err(-1));
	fshow(what, fd);
	close(fd);
	/* opened for writing and not written: nothing dropped */
	chmod(f, mode);
	snprintf(what, sizeof(what), "%s %o opened, not written", who, mode);
	close(open(f, O_WRONLY));
	show(what, f);
}

static void user(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(GROUP, GROUP, GROUP) < 0 || setresuid(USER, USER, USER) < 0)
		printf("drop %s\n", err(-1));
}

static void as_root(void)
{
	static const mode_t m[] = { 04755, 02755, 06755, 01777, 02745, 04644 };

	close(open(f, O_CREAT | O_WRONLY, 0644));
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		modes("root", m[i]);
	/* chown drops set-user-id, and set-group-id with group execute,
	 * even for root (chown02) */
	chmod(f, 06755);
	printf("chown -1 -1: %s\n", err(chown(f, -1, -1)));
	show("chown -1 -1", f);
	chmod(f, 06755);
	printf("chown 0 0: %s\n", err(chown(f, 0, 0)));
	show("chown 0 0", f);
	chmod(f, 06745);
	printf("chown %d: %s\n", OTHER, err(chown(f, -1, OTHER)));
	show("chown 6745", f);
	/* a directory keeps them */
	mkdir(d, 0755);
	chmod(d, 07755);
	show("dir chmod 7755", d);
	printf("dir chown: %s\n", err(chown(d, USER, OTHER)));
	show("dir chown", d);
	rmdir(d);
}

static void as_user(void)
{
	static const mode_t m[] = { 04755, 02755, 06755, 01777, 02745 };

	chown(f, USER, GROUP);
	chmod(f, 0755);
	if (fork() == 0) {
		user();
		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			modes("user", m[i]);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	/* chmod g+s by an owner not in the file's group (chmod05) */
	chown(f, USER, OTHER);
	chmod(f, 0755);
	if (fork() == 0) {
		user();
		printf("user g+s: %s\n", err(chmod(f, 02755)));
		show("user g+s, other group", f);
		printf("user 2745: %s\n", err(chmod(f, 02745)));
		show("user 2745, other group", f);
		/* a directory of that group too */
		mkdir(d, 0755);
		chown(d, -1, OTHER);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	chown(d, USER, OTHER);
	if (fork() == 0) {
		user();
		printf("user dir g+s: %s\n", err(chmod(d, 02755)));
		show("user dir g+s, other group", d);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	rmdir(d);
	unlink(f);
}

static void unnamed(const char *dir)
{
	char name[300], proc[64];
	int fd = open(dir, O_TMPFILE | O_RDWR, 07777);

	if (fd < 0) {
		printf("O_TMPFILE: %s\n", err(-1));
		return;
	}
	fshow("O_TMPFILE 7777", fd);
	if (write(fd, "x", 1) != 1)
		printf("O_TMPFILE write: %s\n", err(-1));
	fshow("O_TMPFILE 7777 written", fd);
	snprintf(name, sizeof(name), "%s/tmp", dir);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	printf("linkat: %s\n", err(linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW)));
	show("O_TMPFILE linked", name);
	close(fd);
	unlink(name);
}

static void setgid_dir(void)
{
	char sub[300], file[300], xfile[300], ufile[300];

	snprintf(sub, sizeof(sub), "%s/d", sg);
	snprintf(file, sizeof(file), "%s/f", sg);
	snprintf(xfile, sizeof(xfile), "%s/x", sg);
	snprintf(ufile, sizeof(ufile), "%s/u", sg);
	mkdir(sg, 0777);
	chown(sg, 0, OTHER);
	chmod(sg, 02777);
	show("sgdir", sg);
	mkdir(sub, 0755);
	show("sgdir mkdir", sub);
	close(open(file, O_CREAT | O_WRONLY, 02755));
	show("sgdir creat 2755", file);
	if (fork() == 0) {
		user();
		mkdir(xfile, 0700);
		show("sgdir user mkdir", xfile);
		/* not in the directory's group: set-group-id with group
		 * execute is not given */
		close(open(ufile, O_CREAT | O_WRONLY, 02755));
		show("sgdir user creat 2755", ufile);
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	unlink(ufile);
	rmdir(xfile);
	unlink(file);
	rmdir(sub);
	rmdir(sg);
}

/* a set-user-id root program, then written to by root (the bit stays),
 * run by an ordinary user: its effective uid is root's */
static void program(const char *self, const char *dir)
{
	char prog[300], cmd[700];

	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", self, prog);
	if (system(cmd) != 0)
		printf("cp failed\n");
	chown(prog, 0, 0);
	chmod(prog, 04755);
	append("program 4755 written", prog);
	fflush(stdout);
	if (fork() == 0) {
		user();
		execl(prog, prog, "euid", (char *)NULL);
		printf("exec %s\n", err(-1));
		_exit(1);
	}
	wait(NULL);
	unlink(prog);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "euid") == 0) {
		printf("program run: uid %u euid %u\n", getuid(), geteuid());
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: setid DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(0);
	snprintf(f, sizeof(f), "%s/f", argv[1]);
	snprintf(d, sizeof(d), "%s/d", argv[1]);
	snprintf(sg, sizeof(sg), "%s/sg", argv[1]);
	if (mkdir(argv[1], 0777) < 0 && errno != EEXIST) {
		printf("mkdir %s: %s\n", argv[1], err(-1));
		return 1;
	}
	chmod(argv[1], 0777);
	as_root();
	as_user();
	unnamed(argv[1]);
	setgid_dir();
	program(argv[0], argv[1]);
	rmdir(argv[1]);
	return 0;
}
