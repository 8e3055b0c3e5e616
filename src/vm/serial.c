#include "vm/serial.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum {
	IER_RDI = 0x01, /* received data available */
	IER_THRI = 0x02,
	IIR_NONE = 0x01,
	IIR_THRI = 0x02,
	IIR_RDI = 0x04,
	IIR_FIFO = 0xc0,
	LCR_DLAB = 0x80,
	LSR_DR = 0x01,
	LSR_THRE = 0x20,
	LSR_TEMT = 0x40,
	MCR_LOOP = 0x10,
	MSR_DCD_DSR_CTS = 0xb0,
};

static uint8_t iir(struct serial *s)
{
	uint8_t fifo = (s->fcr & 1) ? IIR_FIFO : 0;
	if ((s->ier & IER_RDI) && s->in_len > 0)
		return IIR_RDI | fifo;
	if ((s->ier & IER_THRI) && s->thri_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

static void update_irq(struct serial *s)
{
	if (s->irq != NULL)
		s->irq(s->opaque, (iir(s) & IIR_NONE) == 0);
}

static const char status_open[] = "\033_mew-status=";

/* Follow the guest's output through a status record; a mismatch starts over. */
static void match_status(struct serial *s, uint8_t c)
{
	size_t n = sizeof(status_open) - 1;

	if (s->rec_at < n) {
		s->rec_at = c == (uint8_t)status_open[s->rec_at] ? s->rec_at + 1 : c == 033;
		s->rec_val = 0;
	} else if (s->rec_at < n + 4 && c >= '0' && c <= '9') {
		s->rec_val = s->rec_val * 10 + (c - '0');
		s->rec_at++;
	} else if (s->rec_at > n && c == 033 && s->rec_at < n + 8) {
		s->rec_at = n + 8; /* digits done: wait for the closing backslash */
	} else if (s->rec_at == n + 8 && c == '\\') {
		s->rec_at = 0;
		if (s->on_status != NULL && s->rec_val <= 255)
			s->on_status(s->opaque, s->rec_val);
	} else {
		s->rec_at = c == 033;
	}
}

static const char ready_record[] = "\033_mew-ready\033\\";

static void match_ready(struct serial *s, uint8_t c)
{
	s->ready_at = c == (uint8_t)ready_record[s->ready_at] ? s->ready_at + 1 : c == 033;
	if (s->ready_at == sizeof(ready_record) - 1) {
		s->ready_at = 0;
		if (s->on_ready != NULL)
			s->on_ready(s->opaque);
	}
}

static void transmit(struct serial *s, uint8_t c)
{
	match_status(s, c);
	match_ready(s, c);
	if (s->mcr & MCR_LOOP) {
		if (s->in_len < SERIAL_INBUF)
			s->in[(s->in_head + s->in_len++) % SERIAL_INBUF] = c;
		return;
	}
	if (s->out_fd >= 0) {
		ssize_t r;
		do
			r = write(s->out_fd, &c, 1);
		while (r < 0 && errno == EINTR);
	}
}

static void serial_read(void *dev, uint64_t off, void *data, uint32_t len)
{
	struct serial *s = dev;
	uint8_t v = 0;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case 0:
		if (s->lcr & LCR_DLAB) {
			v = s->dll;
		} else if (s->in_len > 0) {
			v = s->in[s->in_head];
			s->in_head = (s->in_head + 1) % SERIAL_INBUF;
			s->in_len--;
		}
		break;
	case 1:
		v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		break;
	case 2:
		v = iir(s);
		if ((v & 0x0f) == IIR_THRI)
			s->thri_pending = 0;
		break;
	case 3:
		v = s->lcr;
		break;
	case 4:
		v = s->mcr;
		break;
	case 5:
		v = LSR_THRE | LSR_TEMT | (s->in_len > 0 ? LSR_DR : 0);
		break;
	case 6:
		v = (s->mcr & MCR_LOOP) ? (uint8_t)((s->mcr & 0x0f) << 4) : MSR_DCD_DSR_CTS;
		break;
	case 7:
		v = s->scr;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	memset(data, 0, len);
	*(uint8_t *)data = v;
}

static void serial_write(void *dev, uint64_t off, const void *data, uint32_t len)
{
	struct serial *s = dev;
	uint8_t v = *(const uint8_t *)data;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case 0:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
		} else {
			transmit(s, v);
			s->thri_pending = 1;
		}
		break;
	case 1:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
		} else {
			/* Enabling THRI with an empty transmitter interrupts at once. */
			if (!(s->ier & IER_THRI) && (v & IER_THRI))
				s->thri_pending = 1;
			s->ier = v & 0x0f;
		}
		break;
	case 2:
		s->fcr = v;
		if (v & 0x02) { /* clear the receive FIFO */
			s->in_head = 0;
			s->in_len = 0;
		}
		break;
	case 3:
		s->lcr = v;
		break;
	case 4:
		s->mcr = v & 0x1f;
		break;
	case 7:
		s->scr = v;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

const struct bus_ops serial_ops = {
	.read = serial_read,
	.write = serial_write,
};

void serial_on_ready(struct serial *s, void (*on_ready)(void *))
{
	s->on_ready = on_ready;
}

void serial_save(struct serial *s, struct serial_state *st)
{
	pthread_mutex_lock(&s->lock);
	*st = (struct serial_state){ s->ier, s->lcr, s->mcr, s->lsr, s->msr, s->scr, s->dll, s->dlm, s->fcr,
				     s->thri_pending };
	pthread_mutex_unlock(&s->lock);
}

void serial_load(struct serial *s, const struct serial_state *st)
{
	pthread_mutex_lock(&s->lock);
	s->ier = st->ier, s->lcr = st->lcr, s->mcr = st->mcr, s->lsr = st->lsr, s->msr = st->msr;
	s->scr = st->scr, s->dll = st->dll, s->dlm = st->dlm, s->fcr = st->fcr;
	s->thri_pending = st->thri_pending != 0;
	pthread_mutex_unlock(&s->lock);
}

void serial_on_status(struct serial *s, void (*on_status)(void *, int))
{
	s->on_status = on_status;
}

void serial_init(struct serial *s, int out_fd, void (*irq)(void *, int), void *opaque)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->out_fd = out_fd;
	s->irq = irq;
	s->opaque = opaque;
	s->lsr = LSR_THRE | LSR_TEMT;
}

size_t serial_input(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < len && s->in_len < SERIAL_INBUF) {
		s->in[(s->in_head + s->in_len++) % SERIAL_INBUF] = buf[n++];
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}
