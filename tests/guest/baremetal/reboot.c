/* A system reset under L1: the first boot leaves a mark in RAM (QEMU keeps
 * RAM across a reset) and asks SBI SRST for a cold reboot; the second boot
 * finds the mark and powers off. Under rvnest, L0 must set itself up again
 * after the reset (the hart's CSRs and the device tree are back at reset). */
#include "lib.h"

#define MARK_ADDR 0x80400000ul
#define MARK 0x7473656e7672ull /* "rvnest" */

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    volatile uint64_t *mark = (volatile uint64_t *)MARK_ADDR;
    if (*mark != MARK) {
        print("reboot: first boot, asking for a cold reboot\n");
        *mark = MARK;
        struct sbiret r = sbi_call(SBI_EXT_SRST, 0, 1 /* cold reboot */, 0, 0);
        print("reboot: FAIL: SRST returned %d\n", r.error);
        shutdown();
    }
    *mark = 0;
    uint64_t t1 = csr_read(time);
    for (volatile int i = 0; i < 1000; i++)
        ;
    print("reboot: second boot, time advances: %d\n", (long)(csr_read(time) > t1));
    csr_write(0x680, (8ull << 60) | 0x80000);          /* H CSRs still work after the reset */
    print("reboot: hgatp %x\n", csr_read(0x680));
    csr_write(0x680, 0);
    print("reboot: passed\n");
    shutdown();
    return 0;
}
