/* The messages between mew and the container's init over their socket. */
#ifndef MEW_CONTAINER_SYNC_H
#define MEW_CONTAINER_SYNC_H

#include "base/error.h"

enum sync_msg {
	SYNC_GO = 'G',	  /* mew -> init: ids mapped, cgroup joined: set up */
	SYNC_READY = 'R', /* init -> mew: set up, waiting to exec */
	SYNC_START = 'S', /* mew -> init: exec the command */
	SYNC_EXECED = 'X', /* init -> mew: the command is running */
	SYNC_ERROR = 'E', /* init -> mew: followed by the exit status and a message */
};

int sync_send(int fd, enum sync_msg msg);
/* Report err to mew; the status and message survive the process boundary. */
void sync_send_error(int fd, const struct mew_error *err);
/* Receive one message.  On SYNC_ERROR, *err is filled with the child's
 * error.  Returns the message, 0 on EOF, or -1 with *err. */
int sync_recv(int fd, struct mew_error **err);

#endif
