/* Zkr's seed CSR from L1's HS, on a CPU with Zkr (-cpu ...,zkr=true): at
 * V=1 its access traps only because of V, so rvnest replays it in real HS.
 * The entropy differs run to run; what is compared is whether the access
 * works, its OPST status field, and which exception the forms that must
 * fail raise. */
#include "lib.h"

static uint64_t before;

static void report(const char *what, uint64_t v, int traps)
{
    if (traps)
        print("%s: trap cause %d tval %x\n", what, (long)last_cause, last_tval);
    else
        print("%s: ok, OPST %d\n", what, (long)((v >> 30) & 3));
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    uint64_t v = 0;
    int failures = 0;
    print("zkr: start\n");
    for (int i = 0; i < 3; i++) {
        before = trap_count;
        __asm__ volatile("csrrw %0, 0x015, x0" : "=r"(v) :: "memory");
        report("csrrw seed", v, trap_count != before);
    }
    before = trap_count;
    __asm__ volatile("csrrs %0, 0x015, x0" : "=r"(v) :: "memory");
    int t = trap_count != before;
    report("csrrs seed, x0 (read-only form)", v, t);
    failures += !t || last_cause != 2;
    before = trap_count;
    __asm__ volatile("csrrwi %0, 0x015, 5" : "=r"(v) :: "memory");
    report("csrrwi seed, 5", v, trap_count != before);
    print("zkr: %s (%d failures)\n", failures ? "FAILED" : "passed", (long)failures);
    shutdown();
    return 0;
}
