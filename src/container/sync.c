#include "container/sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct error_packet {
	char msg_type;
	int32_t status;
	char text[1024];
};

int sync_send(int fd, enum sync_msg msg)
{
	char c = (char)msg;
	ssize_t n;

	do
		n = send(fd, &c, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

void sync_send_error(int fd, const struct mew_error *err)
{
	struct error_packet p = { .msg_type = SYNC_ERROR, .status = MEW_EXIT_FAILURE };

	if (err != NULL) {
		p.status = err->status;
		snprintf(p.text, sizeof(p.text), "%s", err->msg);
	} else {
		snprintf(p.text, sizeof(p.text), "container setup failed");
	}
	send(fd, &p, sizeof(p), MSG_NOSIGNAL);
}

int sync_recv(int fd, struct mew_error **err)
{
	struct error_packet p;
	ssize_t n;

	do
		n = recv(fd, &p, sizeof(p), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mew_error(err, errno, "read from the container");
	if (n == 0)
		return 0;
	if (p.msg_type == SYNC_ERROR) {
		p.text[sizeof(p.text) - 1] = '\0';
		mew_error_status(err, p.status, 0, "%s", p.text);
		return SYNC_ERROR;
	}
	return p.msg_type;
}
