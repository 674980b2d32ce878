/* Nested-only check of the invariant that no L1 access reaches L0 memory:
 * the test passes L0's address ("l0=0x..." in the bootargs: with l1-mem,
 * the first 2 MiB boundary above L1's RAM), then L1 loads from it, stores
 * to it, fetches from it and hands it to SBI DBCN. Each load/store must be an
 * access fault delivered to L1, the DBCN call SBI_ERR_INVALID_PARAM, and
 * the memory must be unchanged as far as L1 can tell. */
#include "lib.h"

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    int failures = 0;
    uint64_t l0 = bootarg(fdt_chosen_bootargs(fdt), "l0", 0);
    print("l0probe: L0 region at %x\n", l0);
    if (!l0) {
        print("FAIL: no l0= in the bootargs\n");
        shutdown();
    }
    static const uint64_t offsets[] = { 0, 0x100, 0x4000, 0x1ff8 };
    for (unsigned i = 0; i < 4; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(l0 + offsets[i]);
        uint64_t before = trap_count;
        uint64_t v = *p;
        (void)v;
        int ok = trap_count - before == 1 && last_cause == 5 && last_tval == (uint64_t)(uintptr_t)p;
        print("load  %x: cause %d %s\n", (uint64_t)(uintptr_t)p, (long)last_cause, ok ? "ok" : "FAIL");
        failures += !ok;
        before = trap_count;
        *p = 0x5a5a5a5a5a5a5a5aull;
        ok = trap_count - before == 1 && last_cause == 7 && last_tval == (uint64_t)(uintptr_t)p;
        print("store %x: cause %d %s\n", (uint64_t)(uintptr_t)p, (long)last_cause, ok ? "ok" : "FAIL");
        failures += !ok;
    }
    uint64_t before = trap_count;
    ((void (*)(void))(uintptr_t)l0)();                 /* fetch from L0 memory */
    int ok = trap_count - before == 1 && last_cause == 1;
    print("fetch %x: cause %d %s\n", l0, (long)last_cause, ok ? "ok" : "FAIL");
    failures += !ok;
    struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, 16, (long)l0, 0);
    print("dbcn write from L0 memory: err %d %s\n", r.error, r.error == -3 ? "ok" : "FAIL");
    failures += r.error != -3;
    print("l0probe: %s (%d failures)\n", failures ? "FAILED" : "passed", (long)failures);
    shutdown();
    return 0;
}
