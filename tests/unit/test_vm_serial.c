/* The 16550 model without a CPU: transmit, receive, divisor latch, interrupts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "vm/serial.h"

static int level;

static void irq(void *opaque, int l)
{
	level = l;
}

static void out(struct serial *s, int off, uint8_t v)
{
	serial_ops.write(s, (uint64_t)off, &v, 1);
}

static uint8_t in(struct serial *s, int off)
{
	uint8_t v = 0;
	serial_ops.read(s, (uint64_t)off, &v, 1);
	return v;
}

static int reported = -1, reports;

static void on_status(void *opaque, int status)
{
	reported = status;
	reports++;
}

static void send(struct serial *s, const char *str, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out(s, 0, (uint8_t)str[i]);
}

/* mew's guest agent writes its exit status to ttyS0 as ESC _ mew-status=N ESC \ */
static void status_record_is_recognized_among_other_output(void **state)
{
	static const char good[] = "boot text\033[0m\033_mew-status=3\033\\more";
	static const char bad[] = "\033_mew-status=\033\\\033_mew-status=12x\033\\\033_mew-stat=1\033\\"
				  "\033_mew-status=256\033\\\033_mew-status=99999\033\\";
	struct serial s;

	serial_init(&s, -1, irq, NULL);
	serial_on_status(&s, on_status);
	send(&s, bad, sizeof(bad) - 1);
	assert_int_equal(reports, 0);
	send(&s, good, sizeof(good) - 1);
	assert_int_equal(reports, 1);
	assert_int_equal(reported, 3);
	send(&s, "\033_mew-status=255\033\\", 21);
	assert_int_equal(reports, 2);
	assert_int_equal(reported, 255);
}

static void transmits_received_bytes_and_interrupts(void **state)
{
	struct serial s;
	int p[2];
	char buf[8];

	assert_int_equal(pipe(p), 0);
	serial_init(&s, p[1], irq, NULL);
	assert_true(in(&s, 5) & 0x20); /* transmitter empty */
	out(&s, 0, 'h');
	out(&s, 0, 'i');
	assert_int_equal(read(p[0], buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);

	/* the divisor latch is not the transmitter */
	out(&s, 3, 0x80);
	out(&s, 0, 0x0c);
	out(&s, 3, 0x03);
	assert_int_equal(in(&s, 3), 0x03);
	out(&s, 3, 0x80);
	assert_int_equal(in(&s, 0), 0x0c);
	out(&s, 3, 0x03);

	/* input raises the data-ready interrupt once enabled, and drains */
	out(&s, 1, 0x01);
	assert_int_equal(level, 0);
	assert_int_equal(serial_input(&s, (const uint8_t *)"ok", 2), 2);
	assert_int_equal(level, 1);
	assert_int_equal(in(&s, 2) & 0x0f, 0x04);
	assert_true(in(&s, 5) & 0x01);
	assert_int_equal(in(&s, 0), 'o');
	assert_int_equal(in(&s, 0), 'k');
	assert_false(in(&s, 5) & 0x01);
	assert_int_equal(level, 0);
	/* more input than the buffer holds is refused, not overrun */
	static uint8_t big[SERIAL_INBUF + 100];
	assert_int_equal(serial_input(&s, big, sizeof(big)), SERIAL_INBUF);
	close(p[0]);
	close(p[1]);
}

static int readies;

static void on_ready(void *opaque)
{
	readies++;
}

/* The agent's ready record (the snapshot point) among other output, and the
 * registers a snapshot carries into a new UART. */
static void ready_record_and_registers_carry_over(void **state)
{
	static const char text[] = "\033_mew-read\033\\\033_mew-status=1\033\\x\033\033_mew-ready\033\\tail";
	struct serial s, t;
	struct serial_state st;

	serial_init(&s, -1, irq, NULL);
	serial_on_ready(&s, on_ready);
	send(&s, text, sizeof(text) - 1);
	assert_int_equal(readies, 1);
	out(&s, 3, 0x83); /* LCR: divisor latch */
	out(&s, 0, 0x01);
	out(&s, 3, 0x03);
	out(&s, 1, 0x02); /* IER: THR empty */
	out(&s, 7, 0x5a); /* SCR */
	serial_save(&s, &st);
	serial_init(&t, -1, irq, NULL);
	serial_load(&t, &st);
	assert_int_equal(in(&t, 7), 0x5a);
	assert_int_equal(in(&t, 3), 0x03);
	assert_int_equal(in(&t, 1), 0x02);
	out(&t, 3, 0x83);
	assert_int_equal(in(&t, 0), 0x01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transmits_received_bytes_and_interrupts),
		cmocka_unit_test(status_record_is_recognized_among_other_output),
		cmocka_unit_test(ready_record_and_registers_carry_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
