/* A 16550A UART: the guest's first console (ttyS0 at 0x3f8, IRQ 4).  The
 * model is independent of the CPU: it is reached through bus_ops and raises
 * its interrupt through a callback. */
#ifndef MEW_VM_SERIAL_H
#define MEW_VM_SERIAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/bus.h"

#define SERIAL_BASE 0x3f8
#define SERIAL_IRQ 4
#define SERIAL_INBUF 4096

struct serial {
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	int thri_pending; /* transmitter-empty interrupt not yet read from IIR */
	uint8_t in[SERIAL_INBUF];
	size_t in_head, in_len;
	int out_fd; /* what the guest transmits goes here; -1 drops it */
	void (*irq)(void *opaque, int level);
	void *opaque;
	/* The status record "ESC _ mew-status=N ESC \\" that mew's guest agent
	 * writes to ttyS0 when it cannot reach the exit port: how far it matched. */
	size_t rec_at;
	int rec_val;
	void (*on_status)(void *opaque, int status);
	/* The ready record "ESC _ mew-ready ESC \\": the agent waits for its run
	 * (the snapshot point). */
	size_t ready_at;
	void (*on_ready)(void *opaque);
};

/* The UART's registers, for a snapshot (input waiting and the record
 * matchers are not part of it: a snapshot is taken with none). */
struct serial_state {
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	int32_t thri_pending;
};
void serial_save(struct serial *s, struct serial_state *st);
void serial_load(struct serial *s, const struct serial_state *st);

extern const struct bus_ops serial_ops;

void serial_init(struct serial *s, int out_fd, void (*irq)(void *, int), void *opaque);
/* Call on_status(opaque, N) when the guest transmits a status record. */
void serial_on_status(struct serial *s, void (*on_status)(void *, int));
/* Call on_ready(opaque) when the guest transmits the ready record. */
void serial_on_ready(struct serial *s, void (*on_ready)(void *));
/* Queue host input for the guest to read; returns how many bytes fit. */
size_t serial_input(struct serial *s, const uint8_t *buf, size_t len);

#endif
