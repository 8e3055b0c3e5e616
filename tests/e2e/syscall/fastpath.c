/* The syscall engine's in-process fast path against its slow path: the same
 * questions, printed so that the two runs can be compared line by line.
 *   fastpath answers [DIR]  the answers (stat, access, readlink, open...);
 *                           with DIR (a fresh guest directory), writes too
 *   fastpath loop N         N stats, opens, creations, chmods, truncates,
 *                           renames, unlinks, mkdirs, rmdirs, getcwds, unames
 *                           (to count what reached mew)
 *   fastpath signals        a guest that blocks signals, owns SIGSYS, uses
 *                           sigaltstack, threads, fork and vfork */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void show_stat(const char *what, int r, const struct stat *st, bool proc)
{
	if (r < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	if (proc) /* /proc objects differ from process to process */
		printf("%s: mode %o\n", what, st->st_mode);
	else
		printf("%s: mode %o ino %lu size %ld nlink %lu uid %u rdev %lx\n", what, st->st_mode,
		       (unsigned long)st->st_ino, (long)st->st_size, (unsigned long)st->st_nlink, st->st_uid,
		       (unsigned long)st->st_rdev);
}

static void stats(int dfd, const char *path)
{
	struct stat st;
	struct statx sx;
	char what[4200];
	/* per process: /proc, and /dev/fd (the stub holds one fd more); per
	 * run: the links in mew's /dev, made for each run */
	bool proc = strstr(path, "proc") != NULL || strstr(path, "fd") != NULL || strcmp(path, "status") == 0 ||
		    strstr(path, "dev/std") != NULL;
	int r;

	snprintf(what, sizeof(what), "stat %s", path);
	show_stat(what, dfd == AT_FDCWD ? stat(path, &st) : fstatat(dfd, path, &st, 0), &st, proc);
	snprintf(what, sizeof(what), "lstat %s", path);
	show_stat(what, fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW), &st, proc);
	r = statx(dfd, path, 0, STATX_BASIC_STATS, &sx);
	if (r < 0)
		printf("statx %s: %s\n", path, strerrorname_np(errno));
	else
		printf("statx %s: mode %o size %llu\n", path, sx.stx_mode,
		       proc ? 0ULL : (unsigned long long)sx.stx_size);
	for (int m = 0; m < 8; m++) {
		r = faccessat(dfd, path, m, 0);
		printf("access %s %d: %s\n", path, m, r < 0 ? strerrorname_np(errno) : "ok");
	}
}

static void links(int dfd, const char *path)
{
	char buf[4096];
	ssize_t n = readlinkat(dfd, path, buf, sizeof(buf));
	if (n < 0)
		printf("readlink %s: %s\n", path, strerrorname_np(errno));
	else
		printf("readlink %s: %.*s\n", path, (int)n, buf);
}

static void opens(int dfd, const char *path, int flags)
{
	char buf[64] = "";
	struct stat st;
	int fd = openat(dfd, path, flags);
	if (fd < 0) {
		printf("open %s %o: %s\n", path, flags, strerrorname_np(errno));
		return;
	}
	if (!(flags & (O_PATH | O_DIRECTORY))) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		if (strchr(buf, '\n'))
			*strchr(buf, '\n') = '\0';
	}
	/* glibc's fstat: newfstatat(fd, "", AT_EMPTY_PATH) */
	fstat(fd, &st);
	printf("open %s %o: mode %o first line `%s`\n", path, flags, st.st_mode,
	       strncmp(path, "/proc", 5) == 0 ? "" : buf);
	close(fd);
}

static const char *const paths[] = {
	"/etc/debian_version", "/etc", "/etc/", "/bin", "/bin/sh", "/usr/bin/awk", "/etc/alternatives/awk",
	"/nonexistent", "/etc/nonexistent/x", "/etc/debian_version/x", "/etc/../../etc/passwd",
	"//etc///./hostname", "/proc/self/exe", "/proc/self/status", "/proc/self/root", "/proc/1",
	"/dev/null", "/dev/fd", "/dev/stdin", "/opt/t", "/opt/t/fastpath", "/opt/t/nothing", "/work",
	"/lib64", "/lib64/ld-linux-x86-64.so.2", "/etc/shadow", "/root", "/proc/self/cwd", "",
	"/usr/lib/os-release", "/etc/os-release", "/var/run", "/var/run/nothing",
};

static const char *const relative[] = {
	"bin/ls", "../etc/passwd", "lib", "lib/", "./share/../bin", "share/doc", "nothing", "../..",
	"../proc/self/status", "../dev/null", "../opt/t/fastpath", "..", ".", "bin/../../etc/hostname",
};

static int answers(void)
{
	int usr;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		stats(AT_FDCWD, paths[i]);
		links(AT_FDCWD, paths[i]);
		opens(AT_FDCWD, paths[i], O_RDONLY);
		opens(AT_FDCWD, paths[i], O_RDONLY | O_DIRECTORY);
		opens(AT_FDCWD, paths[i], O_PATH | O_NOFOLLOW);
	}
	if (chdir("/usr") < 0)
		return 1;
	usr = open("/usr", O_RDONLY | O_DIRECTORY);
	{
		char cwd[4096];
		printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerrorname_np(errno));
		printf("getcwd into 3 bytes: %s\n", getcwd(cwd, 3) ? cwd : strerrorname_np(errno));
	}
	for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++) {
		stats(AT_FDCWD, relative[i]);
		links(AT_FDCWD, relative[i]);
		opens(AT_FDCWD, relative[i], O_RDONLY);
		stats(usr, relative[i]);
		opens(usr, relative[i], O_RDONLY);
	}
	/* the dirfd's own stat, an O_PATH fd's too */
	stats(usr, "");
	{
		struct stat st;
		int r = fstatat(usr, "", &st, AT_EMPTY_PATH);
		show_stat("fstatat(usr, \"\", AT_EMPTY_PATH)", r, &st, false);
	}
	if (chdir("/opt/t") == 0) {
		char cwd[4096];
		printf("getcwd on a bind: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerrorname_np(errno));
	}
	if (chdir("/proc/self") == 0) {
		stats(AT_FDCWD, "status");
		links(AT_FDCWD, "exe");
		links(AT_FDCWD, "root");
		opens(AT_FDCWD, "root/etc/hostname", O_RDONLY);
	}
	return 0;
}

static void created(const char *what, int fd)
{
	struct stat st;
	if (fd < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	if (write(fd, "abc", 3) < 0)
		printf("%s: write: %s\n", what, strerrorname_np(errno));
	fstat(fd, &st);
	printf("%s: mode %o size %ld\n", what, st.st_mode, (long)st.st_size);
	close(fd);
}

/* Creations and truncations, in dir (absolute) and relative to it. */
static int writes(const char *dir, const char *bound)
{
	char p[4200];
	int dfd;

	umask(022);
	if (mkdir(dir, 0755) < 0 || chdir(dir) < 0)
		return 1;
#define AT(name) (snprintf(p, sizeof(p), "%s/%s", dir, name), p)
	created("creat a", open(AT("a"), O_CREAT | O_WRONLY | O_TRUNC, 0666));
	created("trunc a", open(AT("a"), O_WRONLY | O_TRUNC));
	created("append a", open(AT("a"), O_WRONLY | O_APPEND));
	created("excl a", open(AT("a"), O_CREAT | O_EXCL | O_WRONLY, 0600));
	created("creat b relative", open("b", O_CREAT | O_RDWR, 0600));
	created("creat c in a missing dir", open(AT("nodir/c"), O_CREAT | O_WRONLY, 0644));
	created("creat through ..", open(AT("../x/d"), O_CREAT | O_WRONLY, 0644));
	created("write /etc/passwd", open("/etc/passwd", O_WRONLY));
	created("creat in /etc", open("/etc/mew-fastpath", O_CREAT | O_WRONLY, 0644));
	created("creat a directory's name", open(dir, O_CREAT | O_WRONLY, 0644));
	symlink("e-target", AT("e"));
	created("creat through a symlink", open(AT("e"), O_CREAT | O_WRONLY, 0644));
	created("creat on a bind", open(bound, O_CREAT | O_WRONLY | O_TRUNC, 0644));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	created("creat f at a dirfd", openat(dfd, "f", O_CREAT | O_WRONLY, 0640));
	created("trunc f at a dirfd", openat(dfd, "f", O_WRONLY | O_TRUNC));
	if (chdir("/") == 0)
		created("creat g relative to /", open(AT("g") + 1, O_CREAT | O_WRONLY, 0644));
	created("creat in /proc", open("/proc/mew-fastpath", O_CREAT | O_WRONLY, 0644));
	/* entries: made, named, removed */
	{
		struct timespec ts[2] = { { 1000000000, 0 }, { 1200000000, 0 } };
		struct stat st;
#define R(what, call) printf("%s: %s\n", what, (call) < 0 ? strerrorname_np(errno) : "ok")
		R("mkdir h", mkdir(AT("h"), 0777));
		R("mkdir h again", mkdir(AT("h"), 0777));
		R("mkdir i relative", chdir(dir) == 0 ? mkdir("i", 0700) : -1);
		R("mkdirat j", mkdirat(dfd, "j", 0750));
		R("mkdir in a missing dir", mkdir(AT("nodir/k"), 0777));
		R("mkdir in /etc", mkdir("/etc/mew-fastpath", 0777));
		R("mkdir /tmp", mkdir("/tmp", 0777));
		R("mkdir h/.", mkdir(AT("h/."), 0777));
		R("symlink l", symlink("/etc/passwd", AT("l")));
		R("symlinkat m", symlinkat("h", dfd, "m"));
		R("symlink over h", symlink("x", AT("h")));
		R("lutimes l", utimensat(AT_FDCWD, AT("l"), ts, AT_SYMLINK_NOFOLLOW));
		if (lstat(AT("l"), &st) == 0)
			printf("l: mode %o mtime %ld\n", st.st_mode, (long)st.st_mtime);
		R("utimes h", utimensat(AT_FDCWD, AT("h"), ts, 0));
		if (stat(AT("m"), &st) == 0)
			printf("m -> h: mode %o mtime %ld\n", st.st_mode, (long)st.st_mtime);
		R("chmod h", chmod(AT("h"), 0711));
		R("chmod m (through the link)", fchmodat(dfd, "m", 0751, 0));
		if (stat(AT("h"), &st) == 0)
			printf("h: mode %o\n", st.st_mode);
		R("chmod /etc/passwd", chmod("/etc/passwd", 0777));
		R("chmod missing", chmod(AT("nothing"), 0777));
		R("truncate a", truncate(AT("a"), 1));
		R("truncate /etc/passwd", truncate("/etc/passwd", 0));
		if (stat(AT("a"), &st) == 0)
			printf("a: size %ld\n", (long)st.st_size);
		R("mkdir h/n", mkdir(AT("h/n"), 0777));
		{
			char q[4200];
			snprintf(q, sizeof(q), "%s/h/n2", dir);
			R("rename h/n h/n2", rename(AT("h/n"), q));
			R("renameat2 h/n2 h/n noreplace", renameat2(dfd, "h/n2", dfd, "h/n", RENAME_NOREPLACE));
			R("renameat h/n h (busy)", renameat(dfd, "h/n", dfd, "h"));
			R("link l l2", link(AT("l"), q));
			R("linkat l2 l3", linkat(dfd, "h/n2", dfd, "l3", 0));
			R("link over l", link(q, AT("l")));
			R("rename into /etc", rename(q, "/etc/mew-fastpath"));
			R("rename to the bind", rename(AT("l3"), "/opt/t/mew-fastpath"));
			R("rename from the bind", rename("/opt/t/mew-fastpath", AT("l3")));
			R("unlink l2", unlink(q));
			R("unlink l3", unlink(AT("l3")));
		}
		R("rmdir h (not empty)", rmdir(AT("h")));
		R("unlink h (a directory)", unlink(AT("h")));
		R("unlink missing", unlink(AT("nothing")));
		R("unlinkat h/n", unlinkat(dfd, "h/n", AT_REMOVEDIR));
		R("rmdir h", rmdir(AT("h")));
		R("rmdir i relative", rmdir("i"));
		R("unlinkat j", unlinkat(dfd, "j", AT_REMOVEDIR));
		R("unlink l", unlink(AT("l")));
		R("unlinkat m", unlinkat(dfd, "m", 0));
		R("unlink /etc/passwd", unlink("/etc/passwd"));
		R("mkdir on the bind", mkdir("/opt/t/mew-fastpath-dir", 0777));
		R("rmdir on the bind", rmdir("/opt/t/mew-fastpath-dir"));
		R("rmdir a bind", rmdir("/opt/t"));
		R("unlink in /proc", unlink("/proc/self/status"));
	}
	for (const char *n = "a\0b\0e\0e-target\0f\0g\0"; *n != '\0'; n += strlen(n) + 1)
		unlink(AT(n));
	unlink(bound);
	rmdir(dir);
	return 0;
}

static int loop(long n)
{
	struct stat st;
	char tmp[64], tmp2[80];
	struct utsname u;

	snprintf(tmp, sizeof(tmp), "/tmp/fastpath-loop.%d", (int)getpid());
	snprintf(tmp2, sizeof(tmp2), "%s.renamed", tmp);
	for (long i = 0; i < n; i++) {
		int fd = open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0)
			return 1;
		close(fd);
		if (chmod(tmp, 0600) < 0 || truncate(tmp, 1) < 0)
			return 1;
		if (rename(tmp, tmp2) < 0 || unlink(tmp2) < 0 || mkdir(tmp, 0700) < 0 || rmdir(tmp) < 0)
			return 1;
		if (getcwd(tmp2, sizeof(tmp2)) == NULL || uname(&u) < 0 || strcmp(u.sysname, "Linux") != 0)
			return 1;
		snprintf(tmp2, sizeof(tmp2), "%s.renamed", tmp);
		if (stat("/etc/debian_version", &st) < 0)
			return 1;
		fd = open("/usr/share/doc", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return 1;
		close(fd);
	}
	unlink(tmp);
	printf("looped\n");
	return 0;
}

static volatile int got_sys, got_usr1, usr1_stat_ok;

static void on_sys(int sig, siginfo_t *si, void *uc)
{
	got_sys = si->si_signo == SIGSYS && si->si_code == SI_TKILL;
}

static void on_usr1(int sig)
{
	struct stat st;
	got_usr1 = 1;
	usr1_stat_ok = stat("/etc/debian_version", &st) == 0;
}

static void *thread_stats(void *arg)
{
	struct stat st;
	for (int i = 0; i < 2000; i++)
		if (stat("/etc/debian_version", &st) < 0 || access("/bin/sh", X_OK) < 0)
			return (void *)1;
	return NULL;
}

#define CHECK(what, cond) printf("%s: %s\n", what, (cond) ? "ok" : "FAILED")

static int signals(void)
{
	struct stat st;
	sigset_t all, old;
	struct sigaction sa = { 0 }, prev;
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
	pthread_t th[3];
	void *res;
	pid_t pid;
	int status, ok;
	char *argv[] = { "true", NULL };

	/* A mask set by the guest holds (the stub answers it in the signal
	 * frame, which sigreturn restores). */
	{
		sigset_t one, cur;
		sigemptyset(&one);
		sigaddset(&one, SIGUSR2);
		sigprocmask(SIG_BLOCK, &one, &old);
		sigprocmask(SIG_SETMASK, NULL, &cur);
		CHECK("sigprocmask(SIG_BLOCK) holds", sigismember(&cur, SIGUSR2) && !sigismember(&old, SIGUSR2));
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigprocmask(SIG_SETMASK, NULL, &cur);
		CHECK("sigprocmask(SIG_SETMASK) holds", !sigismember(&cur, SIGUSR2));
	}
	/* Everything blocked: a path call still works. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	CHECK("stat with every signal blocked", stat("/etc/debian_version", &st) == 0);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* The guest's own SIGSYS handler: installed, read back, called. */
	sa.sa_sigaction = on_sys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	CHECK("sigaction(SIGSYS)", sigaction(SIGSYS, &sa, NULL) == 0);
	CHECK("sigaction(SIGSYS) reads back", sigaction(SIGSYS, NULL, &prev) == 0 && prev.sa_sigaction == on_sys);
	CHECK("stat with a guest SIGSYS handler", stat("/etc/debian_version", &st) == 0);
	raise(SIGSYS);
	CHECK("the guest's SIGSYS handler runs", got_sys);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGSYS, &sa, NULL);
	raise(SIGSYS);
	CHECK("an ignored SIGSYS is ignored", 1);

	/* A handler that blocks everything, on an alternate stack, makes a
	 * path call. */
	sigaltstack(&ss, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK("stat in a handler on sigaltstack with all signals masked", got_usr1 && usr1_stat_ok);

	/* sigsuspend with a full mask but SIGUSR1 */
	got_usr1 = 0;
	sigprocmask(SIG_BLOCK, &all, &old);
	kill(getpid(), SIGUSR1);
	{
		sigset_t m;
		sigfillset(&m);
		sigdelset(&m, SIGUSR1);
		sigsuspend(&m);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("stat in a handler run by sigsuspend", got_usr1 && usr1_stat_ok);

	/* ppoll with a mask that blocks all but SIGUSR1 */
	got_usr1 = 0;
	sigprocmask(SIG_BLOCK, &all, &old);
	kill(getpid(), SIGUSR1);
	{
		sigset_t m;
		struct timespec ts = { 5, 0 };
		sigfillset(&m);
		sigdelset(&m, SIGUSR1);
		ok = ppoll(NULL, 0, &ts, &m) < 0 && errno == EINTR;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("stat in a handler run by ppoll's mask", ok && got_usr1 && usr1_stat_ok);

	/* threads */
	ok = 1;
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, thread_stats, NULL);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], &res);
		ok &= res == NULL;
	}
	CHECK("three threads stat at once", ok);

	/* fork: the child has the stub too; exec: the new image gets one */
	pid = fork();
	if (pid == 0)
		_exit(stat("/etc/debian_version", &st) == 0 && access("/bin/sh", X_OK) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	CHECK("fork child stats", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ok = posix_spawnp(&pid, "true", NULL, NULL, argv, NULL) == 0 && waitpid(pid, &status, 0) == pid &&
	     WIFEXITED(status) && WEXITSTATUS(status) == 0;
	CHECK("posix_spawn (vfork) runs a program", ok);
	pid = vfork();
	if (pid == 0) {
		execlp("sh", "sh", "-c", "test -e /etc/debian_version && exec cat /etc/hostname >/dev/null", NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	CHECK("vfork + exec of a shell that stats", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pid = fork();
	if (pid == 0) {
		execl("/nonexistent", "x", NULL);
		_exit(stat("/etc/debian_version", &st) == 0 ? 42 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK("a failed exec leaves the fast path working", WIFEXITED(status) && WEXITSTATUS(status) == 42);
	/* Default SIGSYS from kill: the guest dies of it, as natively. */
	pid = fork();
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		raise(SIGSYS);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK("SIGSYS with the default action kills", WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "answers") == 0) {
		int r = answers();
		return r != 0 || argc < 4 ? r : writes(argv[2], argv[3]);
	}
	if (argc >= 3 && strcmp(argv[1], "loop") == 0)
		return loop(atol(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "signals") == 0)
		return signals();
	fprintf(stderr, "usage: fastpath answers [DIR BOUNDFILE] | loop N | signals\n");
	return 2;
}
