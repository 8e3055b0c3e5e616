/* chroot(2) as the personality answers it (LTP's chroot01, chroot03,
 * chroot04): the kernel's errors first, in its order, then the guest's own
 * root only.  One line a check, "ok WHAT" or "FAILED WHAT: ...".  Run as
 * root in a writable directory (natively, only the last check fails):
 *     chroot DIR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../syscall/want.h"

int main(int argc, char **argv)
{
	char longname[PATH_MAX + 2];
	int st;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2 || chdir(argv[1]) < 0)
		return 2;
	mkdir("d", 0755);
	mkdir("closed", 0700);
	mkdir("closed/in", 0755);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	symlink("loop", "loop");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	want("chroot of a file is ENOTDIR", chroot("f"), ENOTDIR);
	want("chroot of a missing directory is ENOENT", chroot("missing"), ENOENT);
	want("chroot through a missing directory is ENOENT", chroot("missing/d"), ENOENT);
	want("chroot of a symlink loop is ELOOP", chroot("loop"), ELOOP);
	want("chroot of a name too long is ENAMETOOLONG", chroot(longname), ENAMETOOLONG);
	want("chroot of a bad pointer is EFAULT", chroot((const char *)8), EFAULT);
	want("chroot of an empty path is ENOENT", chroot(""), ENOENT);
	want("chroot to / is the root it has", chroot("/"), 0);
	want("chroot to / by .. is too", chroot("../../../../.."), 0);
	chmod(".", 0755);
	pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(3);
		want("nobody: no search permission on the walk is EACCES", chroot("closed/in"), EACCES);
		want("nobody: chroot to / is EPERM (no CAP_SYS_CHROOT)", chroot("/"), EPERM);
		want("nobody: ENOENT still comes first", chroot("missing"), ENOENT);
		_exit(failed);
	}
	waitpid(pid, &st, 0);
	check("the child as nobody", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* (natively this one succeeds) */
	want("chroot to another directory is EPERM (one root a run)", chroot("d"), EPERM);
	return failed;
}
