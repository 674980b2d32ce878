/* L1 enters a guest: hstatus.SPV=1 and sret. Running L2 comes with a later
 * issue; until then rvnest must stop with a clear message rather than let
 * the sret return inside L1's own context (it arms VTSR while SPV=1). */
#include "lib.h"

static void guest(void)
{
    for (;;)
        __asm__ volatile("wfi");
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    print("l2entry: entering a guest\n");
    csr_write(0x680, 0);                              /* hgatp: Bare */
    csr_write(0x600, (2ull << 32) | (1ull << 7));     /* hstatus: VSXL=64, SPV */
    csr_write(sepc, (uint64_t)(uintptr_t)guest);
    csr_set(sstatus, 1ull << 8);                      /* SPP=S: enter VS-mode */
    __asm__ volatile("sret");
    print("l2entry: FAIL: sret returned\n");
    shutdown();
    return 0;
}
