/* Nested-only check of the invariant that no L1 access reaches L0 memory:
 * find L0's region in the device tree (the node rvnest adds), then load
 * from it, store to it and hand it to SBI DBCN. Each load/store must be an
 * access fault delivered to L1, the DBCN call SBI_ERR_INVALID_PARAM, and
 * the memory must be unchanged as far as L1 can tell. */
#include "lib.h"

static uint64_t parse_hex(const char *s)
{
    uint64_t v = 0;
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
        else return v;
        v = v * 16 + d;
    }
}

static uint64_t find_l0(const char *fdt)
{
    const unsigned char *b = (const unsigned char *)fdt + 4;
    uint32_t size = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    static const char key[] = "rvnest-l0@";
    for (uint32_t i = 0; i + sizeof(key) < size; i++) {
        unsigned k = 0;
        while (k < sizeof(key) - 1 && fdt[i + k] == key[k])
            k++;
        if (k == sizeof(key) - 1)
            return parse_hex(fdt + i + k);
    }
    return 0;
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    int failures = 0;
    uint64_t l0 = find_l0((const char *)fdt);
    print("l0probe: L0 region in the device tree at %x\n", l0);
    if (!l0) {
        print("FAIL: no rvnest-l0 node in the device tree\n");
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
