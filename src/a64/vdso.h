/* The guest's vDSO (vdso.c): the image, its mapping in this process, and
 * the calls its code makes. */
#ifndef MEW_A64_VDSO_H
#define MEW_A64_VDSO_H

#include <stddef.h>
#include <stdint.h>

#include "a64/cpu.h"

/* The memfd the image is mapped from: /proc/N/maps shows it as [vdso]. */
#define A64_VDSO_MEMFD "mew-arm64-vdso"

/* The ELF image (built once): its bytes and length. */
const void *a64_vdso_image(size_t *len);
/* Map the image into this process (once a process, before the load: a
 * guest execve is a new mew process): sets the base, the signal
 * trampoline and the personality's maps name.  0 or -1 with errno. */
int a64_vdso_map(void);
/* Where it is mapped in this process (AT_SYSINFO_EHDR); 0 when it is not,
 * or no longer (the guest unmapped or mapped over it). */
uint64_t a64_vdso_base(void);
/* The guest unmapped, replaced or moved [addr, addr+len). */
void a64_vdso_unmapped(uint64_t addr, uint64_t len);
/* The handler of `hvc #imm` at pc: one of the vDSO's calls when pc is in
 * the mapped vDSO's code, NULL (undefined) anywhere else. */
a64_fn a64_vdso_call(uint64_t pc, unsigned imm);

#endif
