/* SMP boots and reboots (issue 24): the boot hart starts every other hart
 * through SBI HSM and waits until each has checked in; then
 *  - boot 1: the others stop again (HSM), and SBI SRST does a cold reboot;
 *  - boot 2: the others keep running (a loop in S), SBI SRST does a warm
 *    reboot (OpenSBI halts them first);
 *  - boot 3: the others keep running, and the boot hart resets the machine
 *    itself through the virt board's test device (0x100000, 0x7777: QEMU
 *    resets every hart wherever it is: under rvnest, at V=1 in L1);
 *  - boot 4 powers off.
 * A mark in RAM (QEMU keeps RAM across a reset) counts the boots. Only the
 * boot hart prints, so the output does not depend on which hart's thread
 * runs when: the reset-starvation test holds harts back at the reset vector
 * and compares it with native. */
#include "lib.h"

#define MARK_ADDR 0x80400000ul
#define MAGIC 0x746f6f62706d73ull     /* "smpboot" */
#define MAXH 8
#define TIMEOUT_TICKS (120ull * 10000000ull)   /* 120 s of a 10 MHz timebase */

#define TEST_DEVICE 0x100000ul     /* QEMU virt's sifive,test */
#define TEST_RESET 0x7777u
#define LAST_BOOT 4

#define SBI_ERR_INVALID_PARAM (-3)
#define HSM_STOPPED 1

volatile uint64_t checkin[MAXH];
uint8_t sec_stack[MAXH][4096] __attribute__((aligned(16)));

/* hart_start: S-mode, a0 = hart id, a1 = opaque (the boot number) */
extern char sec_entry[];
__asm__(
    ".section .text\n"
    ".align 4\n"
    ".globl sec_entry\n"
    "sec_entry:\n"
    "  li t0, 8\n"
    "  bgeu a0, t0, 2f\n"
    "  la sp, sec_stack\n"
    "  addi t0, a0, 1\n"
    "  slli t0, t0, 12\n"
    "  add sp, sp, t0\n"
    "  call sec_main\n"
    "2: wfi\n"
    "  j 2b\n");

void sec_main(unsigned long hartid, unsigned long boot);
void sec_main(unsigned long hartid, unsigned long boot)
{
    __atomic_store_n(&checkin[hartid], boot, __ATOMIC_SEQ_CST);
    if (boot == 1)
        sbi_call(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
    for (volatile unsigned long spin = 0;; spin++)
        ;
}

static int wait_for(volatile uint64_t *v, uint64_t want)
{
    uint64_t t0 = csr_read(time);
    while (__atomic_load_n(v, __ATOMIC_SEQ_CST) != want)
        if (csr_read(time) - t0 > TIMEOUT_TICKS)
            return 0;
    return 1;
}

static int wait_stopped(unsigned long id)
{
    uint64_t t0 = csr_read(time);
    while (sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, (long)id, 0, 0).value != HSM_STOPPED)
        if (csr_read(time) - t0 > TIMEOUT_TICKS)
            return 0;
    return 1;
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)fdt;
    volatile uint64_t *mark = (volatile uint64_t *)MARK_ADDR;
    uint64_t boot = mark[0] == MAGIC ? mark[1] + 1 : 1;
    if (hartid >= MAXH) {
        print("smpboot: FAIL: boot hart id %d\n", (long)hartid);
        shutdown();
    }
    long up = 1, failed = 0;
    for (unsigned long id = 0; id < MAXH; id++) {
        if (id == hartid)
            continue;
        struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)id, (long)(uintptr_t)sec_entry,
                                   (long)boot);
        if (r.error == SBI_ERR_INVALID_PARAM)
            break;                    /* no such hart: the machine has id harts */
        if (r.error) {
            print("smpboot: FAIL: boot %d: hart_start(%d) = %d\n", (long)boot, (long)id, r.error);
            failed++;
            continue;
        }
        if (!wait_for(&checkin[id], boot)) {
            print("smpboot: FAIL: boot %d: hart %d did not check in\n", (long)boot, (long)id);
            failed++;
            continue;
        }
        if (boot == 1 && !wait_stopped(id)) {
            print("smpboot: FAIL: boot %d: hart %d did not stop\n", (long)boot, (long)id);
            failed++;
            continue;
        }
        up++;
    }
    print("smpboot: boot %d: %d harts up, %d failed\n", (long)boot, up, failed);
    if (boot < LAST_BOOT) {
        mark[0] = MAGIC;
        mark[1] = boot;
        if (boot == 3) {
            print("smpboot: boot 3: resetting through the test device, the others running\n");
            *(volatile uint32_t *)TEST_DEVICE = TEST_RESET;
            for (uint64_t t0 = csr_read(time); csr_read(time) - t0 < TIMEOUT_TICKS;)
                ;
            print("smpboot: FAIL: the test device did not reset the machine\n");
            shutdown();
        }
        long type = boot == 1 ? 1 : 2;          /* cold reboot, then warm */
        print("smpboot: boot %d: asking for a %s reboot\n", (long)boot, type == 1 ? "cold" : "warm");
        struct sbiret r = sbi_call(SBI_EXT_SRST, 0, type, 0, 0);
        print("smpboot: FAIL: SRST returned %d\n", r.error);
        shutdown();
    }
    mark[0] = 0;
    print(failed ? "smpboot: FAIL\n" : "smpboot: passed\n");
    shutdown();
    return 0;
}
