/* The host side of mew's agent protocol (vm/agent.h): the run description
 * for the kernel command line, and the exit status the agent reports. */
#ifndef MEW_VM_AGENTPROTO_H
#define MEW_VM_AGENTPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "spec/spec.h"
#include "vm/agent.h"
#include "vm/cpio.h"

/* The run description (vm/agent.h): NUL-terminated fields; -1 when it does
 * not fit. */
struct agent_run {
	char buf[65536];
	size_t len;
};
int agent_run_describe(const struct spec *spec, struct agent_run *r);
/* Append " mew.run=<hex of the description>" for spec to out (max bytes in
 * all); -1 when it does not fit. */
int agent_encode_run(const struct spec *spec, char *out, size_t max);

/* The agent's initramfs, from dir, where mew builds its guest programs:
 * /init is the agent (dir/mew-agent); /mew/mew is mew linked statically
 * (dir/mew-static), when it was built, so that mew's container engine runs
 * inside the guest (the agent shows it to the command as /run/mew-guest/mew). */
int agent_initramfs(struct cpio *c, const char *dir, struct mew_error **err);

/* The same, built once and cached as <cache>/vm/initramfs-<key>.cpio, the
 * key naming the agent's and mew's builds (device, inode, size, mtime), and
 * mapped: a run then costs no reading, building or copying of a few MiB
 * (15 ms measured here).  Falls back to building in memory. */
struct agent_image {
	const uint8_t *data;
	size_t len;
	void *map; /* the cached file's mapping, or NULL */
	struct cpio built;
};
int agent_initramfs_get(struct agent_image *img, const char *dir, struct mew_error **err);
/* The key naming the agent's and mew's builds in dir (0 when out of memory);
 * agent_file_key mixes one more file's build (or absence) into h. */
uint64_t agent_initramfs_key(const char *dir);
uint64_t agent_file_key(uint64_t h, const char *path);
void agent_initramfs_put(struct agent_image *img);

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
