/* The vm engine's user-mode network: passt (Debian's passt package), a
 * rootless translator between the guest's Ethernet frames and the host's
 * sockets, on one end of a socketpair (passt --fd); virtio-net takes the
 * other.  The guest is 10.0.2.15/24; 10.0.2.2, its gateway, is the host's
 * loopback (passt maps it), as with qemu's user network. */
#ifndef MEW_VM_PASST_H
#define MEW_VM_PASST_H

#include <sys/types.h>

#include "base/error.h"

#define VM_NET_ADDR "10.0.2.15"
#define VM_NET_PREFIX 24
#define VM_NET_GATEWAY "10.0.2.2"

/* Start passt on a new socketpair: *fd is the guest's end (for
 * virtio_net_new), *pid passt's, *log a file of passt's messages.  passt
 * dies with mew (PDEATHSIG). */
int vm_passt_start(int *fd, pid_t *pid, int *log, struct mew_error **err);
/* Stop it and reap it; where it had ended early (failed), show its log. */
void vm_passt_stop(pid_t pid, int log);

#endif
