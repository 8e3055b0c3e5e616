/* mew's agent protocol: what the guest agent (src/vm/guest/agent) and the
 * VMM say to each other.  Shared by both sides.
 *
 * The command goes to the guest on the kernel command line (mew.run=, hex of
 * NUL-terminated fields: argc, argv..., envc, env..., cwd, uid, gid,
 * hostname, the rootfs read-only (1) or not (0), the count of volumes, and
 * for each its destination and read-only (1) or not (0), then the host's
 * CLOCK_REALTIME seconds and nanoseconds and 32 random bytes in hex, which
 * the agent sets and adds to its RNG, and eth0's IPv4 address, prefix
 * length and gateway, or "", 0, "" for no network but loopback).  Volume i is the entry "i" of the 9p
 * device tagged "mewvol" (vm/volume.h).
 *
 * Where the kernel was booted for a snapshot, the command line says
 * mew.ready instead: the agent, once its initramfs is up (before any mount
 * of the rootfs or a volume), writes the ready record "ESC _ mew-ready ESC \\"
 * to ttyS0 and waits for it to drain (mew saves the VM there, or restored it
 * from there), then reads the same fields, raw, from AGENT_PORT_RUN until
 * the host closes it.  The
 * guest answers over virtio-vsock, connecting to the host (CID 2) on these
 * ports, which the VMM serves itself:
 *   AGENT_PORT_STDIN   the host's standard input (refused unless mew run -i)
 *   AGENT_PORT_STDOUT  what the guest sends is mew's standard output
 *   AGENT_PORT_STDERR  ... standard error
 *   AGENT_PORT_STATUS  the command's exit status, in decimal, then '\n'
 * The agent closes stdout and stderr before it sends the status: the
 * transport keeps the order, so every byte of output is written before mew
 * exits with the status. */
#ifndef MEW_VM_AGENT_H
#define MEW_VM_AGENT_H

#define AGENT_PORT_STDIN 1
#define AGENT_PORT_STDOUT 2
#define AGENT_PORT_STDERR 3
#define AGENT_PORT_STATUS 4
#define AGENT_PORT_RUN 5

#endif
