/* The terminal of `mew run -t`: a pty whose slave is the container's stdio,
 * relayed to mew's own terminal in raw mode, with window size changes passed on. */
#ifndef MEW_CONTAINER_TTY_H
#define MEW_CONTAINER_TTY_H

#include <stdbool.h>
#include <termios.h>

#include "base/error.h"

/* Open a pty master; *slave_path gets the slave's path (static storage). */
int tty_open_master(const char **slave_path, struct mew_error **err);
/* Make the slave the calling process's controlling terminal and stdio. */
int tty_attach_slave(const char *slave_path, struct mew_error **err);
/* Copy mew's window size to the pty. */
void tty_sync_winsize(int master);

struct tty_raw {
	bool active;
	struct termios saved;
};
/* Put mew's stdin in raw mode while the container owns the terminal. */
void tty_raw_enter(struct tty_raw *raw);
void tty_raw_leave(struct tty_raw *raw);

#endif
