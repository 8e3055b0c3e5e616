/* The host side of mew's agent protocol (vm/agent.h): the run description
 * for the kernel command line, and the exit status the agent reports. */
#ifndef MEW_VM_AGENTPROTO_H
#define MEW_VM_AGENTPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"
#include "vm/agent.h"

/* Append " mew.run=<hex>" for spec to out (max bytes in all); -1 when it
 * does not fit. */
int agent_encode_run(const struct spec *spec, char *out, size_t max);

/* The status the agent sends on AGENT_PORT_STATUS, fed as it arrives. */
struct agent_status {
	char buf[8];
	size_t n;
	int done;
};
enum { AGENT_STATUS_MORE = -2, AGENT_STATUS_BAD = -1 };
/* 0..255 once a whole line has come, AGENT_STATUS_MORE before, and
 * AGENT_STATUS_BAD when it is not a decimal number up to 255 (or a second
 * status follows). */
int agent_status_feed(struct agent_status *s, const uint8_t *data, size_t len);

#endif
