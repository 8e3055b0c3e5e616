/* AF_UNIX names given back to the guest (getsockname, getpeername, the
 * peer's address from accept and recvfrom): the host path a socket was
 * bound to, as the guest names it, as PRoot does.  Without it the guest
 * sees a host path or /proc/self/fd/N/name, which it cannot connect to.
 *
 * Freestanding (no libc): the syscall engine's in-guest stub links it,
 * and the emulate engine calls it with pers_untranslate. */
#ifndef MEW_PERSONALITY_SOCKNAME_H
#define MEW_PERSONALITY_SOCKNAME_H

/* The guest path of host path host into guest (size bytes): its length
 * with the NUL, or <= 0 when the guest cannot name it. */
typedef long pers_untranslate_fn(void *ctx, const char *host, char *guest, unsigned long size);

/* addr holds the kernel's whole answer, len bytes, in a buffer of the
 * engine's of cap bytes (at least 110).  An AF_UNIX path the guest can
 * name is rewritten in place to its guest path (cut at cap, as the
 * kernel cuts a name at the caller's buffer); anything else (another
 * family, an abstract or unnamed socket, a path outside the guest's view
 * or too long for sun_path) is left as it is.  Returns the length the
 * guest is told; it gets that many bytes of addr, or its buffer's
 * length if that is shorter. */
unsigned long pers_sock_name(void *addr, unsigned long len, unsigned long cap, pers_untranslate_fn *untranslate,
			     void *ctx);

#endif
