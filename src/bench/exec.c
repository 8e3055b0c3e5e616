/* Run one program, time it from fork to exit, keep what it wrote, and kill
 * its whole process group when it runs past its time. */
#include "bench/bench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <grp.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;
	ssize_t n;

	if (size < 0)
		size = 0;
	if (size > (1 << 20)) /* the tail is what tells what failed */
		lseek(fd, size - (1 << 20), SEEK_SET), size = 1 << 20;
	else
		lseek(fd, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf == NULL)
		return NULL;
	n = read(fd, buf, (size_t)size);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Wait for pid to end, at most timeout seconds; the end time in *end. */
static int wait_for(pid_t pid, double timeout, double *end, bool *timed_out)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status;

	*timed_out = false;
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		double limit = now() + timeout;
		int r;

		do {
			double left = limit - now();

			r = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
		} while (r < 0 && errno == EINTR);
		if (r == 0) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	} else {
		/* No pidfd (a kernel before 5.3, or valgrind): poll, from 20 us
		 * up to 1 ms apart, so that the end time stays close. */
		double limit = now() + timeout;
		long nap = 20000;
		pid_t p;

		while ((p = waitpid(pid, &status, WNOHANG)) == 0 || (p < 0 && errno == EINTR)) {
			struct timespec ts = { 0, nap };

			if (now() > limit) {
				*timed_out = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				break;
			}
			nanosleep(&ts, NULL);
			nap = nap < 1000000 ? nap * 2 : nap;
		}
		if (p == pid)
			goto done;
		if (p < 0)
			return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
done:
	*end = now();
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int bench_exec_run(char *const argv[], double timeout, struct bench_exec *res, struct mew_error **err)
{
	return bench_exec_run_as(argv, timeout, (uid_t)-1, res, err);
}

int bench_exec_run_as(char *const argv[], double timeout, uid_t uid, struct bench_exec *res,
		      struct mew_error **err)
{
	cleanup_close int out = memfd_create("mew-bench-out", MFD_CLOEXEC);
	cleanup_close int errfd = memfd_create("mew-bench-err", MFD_CLOEXEC);
	cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	double start, end = 0;
	pid_t pid;
	int status;

	memset(res, 0, sizeof(*res));
	if (out < 0 || errfd < 0 || null < 0)
		return mew_error(err, errno, "bench: run `%s`: memfd or /dev/null", argv[0]);
	start = now();
	pid = fork();
	if (pid < 0)
		return mew_error(err, errno, "bench: run `%s`: fork", argv[0]);
	if (pid == 0) {
		/* Its own process group, so that a time-out kills everything it started. */
		setpgid(0, 0);
		if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
			_exit(125);
		if (uid != (uid_t)-1) {
			/* An ordinary user with nothing of root's: no groups, a HOME
			 * of its own for mew's per-user cache and state. */
			if (setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 || setuid(uid) < 0) {
				dprintf(2, "bench: become uid %u: %s\n", (unsigned)uid, strerror(errno));
				_exit(125);
			}
			setenv("HOME", "/tmp", 1);
			unsetenv("XDG_CACHE_HOME");
			unsetenv("XDG_RUNTIME_DIR");
			unsetenv("MEW_CACHE");
			unsetenv("MEW_STATE");
		}
		execv(argv[0], argv);
		dprintf(2, "exec `%s`: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid);
	status = wait_for(pid, timeout, &end, &res->timed_out);
	if (status < 0)
		return mew_error(err, errno, "bench: wait for `%s`", argv[0]);
	res->status = status;
	res->seconds = end - start;
	res->out = slurp(out);
	res->err = slurp(errfd);
	if (res->out == NULL || res->err == NULL) {
		bench_exec_free(res);
		return mew_error(err, ENOMEM, "bench: output of `%s`", argv[0]);
	}
	return 0;
}

void bench_exec_free(struct bench_exec *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

const char *bench_last_line(const char *text)
{
	static char line[512];
	const char *end, *start;

	if (text == NULL)
		return "";
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}
