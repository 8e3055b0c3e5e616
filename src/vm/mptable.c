/* An Intel MultiProcessor table at 639 KiB, where Linux looks for one when
 * there is no ACPI: how a kernel learns of every vCPU, the IOAPIC and the
 * ISA interrupt routing (Firecracker writes the same). */
#include "vm/boot.h"

#include <string.h>

#define MP_ADDR (639 * 1024ULL)
#define LAPIC_ADDR 0xfee00000u
#define IOAPIC_ADDR 0xfec00000u

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)(0 - s);
}

int boot_write_mptable(struct gmem *mem, int ncpus)
{
	uint8_t *base = gmem_ptr(mem, MP_ADDR, 1024);
	uint8_t *t, *e;
	uint16_t count = 0, len;
	uint32_t u32;

	if (base == NULL || ncpus > 32)
		return -1;
	memset(base, 0, 1024);
	/* floating pointer */
	memcpy(base, "_MP_", 4);
	u32 = (uint32_t)MP_ADDR + 16;
	memcpy(base + 4, &u32, 4);
	base[8] = 1; /* length in 16-byte units */
	base[9] = 4; /* spec 1.4 */
	base[10] = checksum(base, 16);

	t = base + 16;
	memcpy(t, "PCMP", 4);
	t[6] = 4;
	memcpy(t + 8, "MEW     ", 8);
	memcpy(t + 16, "MICROVM     ", 12);
	u32 = LAPIC_ADDR;
	memcpy(t + 36, &u32, 4);
	e = t + 44;
	for (int i = 0; i < ncpus; i++, count++) {
		e[0] = 0;			       /* processor */
		e[1] = (uint8_t)i;		       /* local APIC id */
		e[2] = 0x14;			       /* APIC version */
		e[3] = (uint8_t)(1 | (i == 0 ? 2 : 0)); /* enabled, BSP */
		u32 = 0x600;
		memcpy(e + 4, &u32, 4); /* signature */
		u32 = 0x201;
		memcpy(e + 8, &u32, 4); /* FPU, APIC */
		e += 20;
	}
	e[0] = 1, e[1] = 0;
	memcpy(e + 2, "ISA   ", 6);
	e += 8, count++;
	uint8_t ioapic = (uint8_t)ncpus;
	e[0] = 2, e[1] = ioapic, e[2] = 0x11, e[3] = 1;
	u32 = IOAPIC_ADDR;
	memcpy(e + 4, &u32, 4);
	e += 8, count++;
	for (int irq = 0; irq < 16; irq++, count++) {
		e[0] = 3, e[1] = 0, e[2] = 0, e[3] = 0; /* INT, conforming */
		e[4] = 0, e[5] = (uint8_t)irq, e[6] = ioapic, e[7] = (uint8_t)irq;
		e += 8;
	}
	e[0] = 4, e[1] = 3, e[4] = 0, e[5] = 0, e[6] = 0xff, e[7] = 0; /* ExtINT -> LINT0 */
	e += 8, count++;
	e[0] = 4, e[1] = 1, e[4] = 0, e[5] = 0, e[6] = 0xff, e[7] = 1; /* NMI -> LINT1 */
	e += 8, count++;
	len = (uint16_t)(e - t);
	memcpy(t + 4, &len, 2);
	memcpy(t + 34, &count, 2);
	t[7] = checksum(t, len);
	return 0;
}
