#include "vm/passt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int vm_passt_start(int *fd, pid_t *pid, int *log, struct mew_error **err)
{
	int sv[2], ready[2];
	char num[16], logpath[32], why = 0;
	pid_t p;

	/* passt's messages (to syslog, or stderr where there is none: "Don't
	 * run as root...") are not the guest's: its log goes to a file of
	 * mew's, shown if passt fails (vm_passt_stop). */
	*log = memfd_create("mew-passt-log", MFD_CLOEXEC);
	if (*log < 0)
		return mew_error(err, errno, "--net user: memfd_create");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		close(*log);
		return mew_error(err, errno, "--net user: socketpair");
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(*log);
		close(sv[0]);
		close(sv[1]);
		return mew_error(err, errno, "--net user: pipe");
	}
	p = fork();
	if (p == 0) {
		/* passt's end at fd 3, nothing else of mew's; gone when mew is. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int s = fcntl(sv[1], F_DUPFD_CLOEXEC, 10), w = fcntl(ready[1], F_DUPFD_CLOEXEC, 10),
		    l = fcntl(*log, F_DUPFD_CLOEXEC, 10);
		if (s < 0 || w < 0 || l < 0 || dup2(s, 3) < 0 || dup2(w, 4) < 0 || dup2(l, 5) < 0)
			_exit(127);
		fcntl(4, F_SETFD, FD_CLOEXEC); /* 3 and 5 without it: passt's */
		syscall(SYS_close_range, 6, ~0U, 0);
		snprintf(num, sizeof(num), "%d", 3);
		snprintf(logpath, sizeof(logpath), "/proc/self/fd/%d", 5);
		/* passt runs as nobody when started by root: said so, it warns
		 * (on stderr, before its log is open) */
		execlp("passt", "passt", "--foreground", "--quiet", "--log-file", logpath, "--fd", num, "--address",
		       VM_NET_ADDR, "--netmask", "24", "--gateway", VM_NET_GATEWAY,
		       geteuid() == 0 ? "--runas" : (char *)NULL, "65534:65534", (char *)NULL);
		why = errno == ENOENT ? 'n' : 'x';
		if (write(4, &why, 1) < 0)
			_exit(127);
		_exit(127);
	}
	close(sv[1]);
	close(ready[1]);
	if (p < 0) {
		close(*log);
		close(sv[0]);
		close(ready[0]);
		return mew_error(err, errno, "--net user: fork");
	}
	/* exec closed the pipe, or the child said why it could not */
	ssize_t k = read(ready[0], &why, 1);
	close(ready[0]);
	if (k == 1) {
		close(sv[0]);
		close(*log);
		waitpid(p, NULL, 0);
		return mew_error(err, 0, why == 'n' ? "--net user: the vm engine's network needs passt (apt install passt)"
						   : "--net user: cannot run passt");
	}
	*fd = sv[0];
	*pid = p;
	return 0;
}

void vm_passt_stop(pid_t pid, int log)
{
	char buf[4096];
	ssize_t n;
	off_t at = 0;
	int status = 0;

	if (pid <= 0)
		return;
	/* (ended before it was told to: its log says why) */
	if (waitpid(pid, &status, WNOHANG) == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "mew: --net user: passt ended early; its log:\n");
		while ((n = pread(log, buf, sizeof(buf), at)) > 0 && fwrite(buf, 1, (size_t)n, stderr) == (size_t)n)
			at += n;
	} else {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	close(log);
}
