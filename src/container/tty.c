#include "container/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

int tty_open_master(const char **slave_path, struct mew_error **err)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return mew_error(err, errno, "open a pseudo-terminal");
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || (*slave_path = ptsname(fd)) == NULL) {
		int e = errno;
		close(fd);
		return mew_error(err, e, "set up the pseudo-terminal");
	}
	tty_sync_winsize(fd);
	return fd;
}

int tty_attach_slave(const char *slave_path, struct mew_error **err)
{
	int fd = open(slave_path, O_RDWR | O_NOCTTY);

	if (fd < 0)
		return mew_error(err, errno, "open the terminal `%s`", slave_path);
	if (setsid() < 0 && errno != EPERM)
		return mew_error(err, errno, "setsid");
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return mew_error(err, errno, "make `%s` the controlling terminal", slave_path);
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return mew_error(err, errno, "dup the terminal");
	if (fd > 2)
		close(fd);
	return 0;
}

void tty_sync_winsize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

void tty_raw_enter(struct tty_raw *raw)
{
	struct termios t;

	raw->active = false;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &raw->saved) < 0)
		return;
	t = raw->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		raw->active = true;
}

void tty_raw_leave(struct tty_raw *raw)
{
	if (raw->active)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw->saved);
	raw->active = false;
}
