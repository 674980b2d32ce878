/* Bare-metal L1 smoke test: a minimal "hypervisor" in HS that exercises
 * what L1 sees of its firmware and of the H extension. It runs natively
 * (L1 in real HS) and under rvnest (L1 at V=1); the printed lines must be
 * identical, and the program checks its own expectations too ("FAIL"). */
#include "lib.h"

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        failures++;
        print("FAIL: %s\n", what);
    }
}

/* Write, read back and print one CSR (WARL rule visible in the output). */
#define WARL(num, name, val) do {                                         \
        csr_write(num, val);                                              \
        print("csr " name " <- %x : %x\n", (uint64_t)(val), csr_read(num)); \
    } while (0)

static void test_sbi(void)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    print("sbi spec version %x err %d\n", (uint64_t)r.value, r.error);
    r = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0);
    print("sbi impl id %d\n", r.value);
    static const long exts[] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
                                 SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, 0x12345678 };
    for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        r = sbi_call(SBI_EXT_BASE, 3, exts[i], 0, 0);
        print("sbi probe %x -> %d\n", (uint64_t)exts[i], r.value);
    }
    expect(sbi_call(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0).value == 1, "TIME probed");
    r = sbi_call(SBI_EXT_HSM, 2, 0, 0, 0);
    print("hsm status(0) err %d value %d\n", r.error, r.value);
    expect(r.error == 0 && r.value == 0, "hart 0 started");
    r = sbi_call(SBI_EXT_HSM, 0, 0, 0x80200000, 0);
    print("hsm start(0) err %d\n", r.error);
    expect(r.error == -6, "hart_start(0) already available");
    r = sbi_call(SBI_EXT_HSM, 2, 7, 0, 0);
    print("hsm status(7) err %d\n", r.error);
    r = sbi_call(0x0a000001, 0, 0, 0, 0);
    print("unknown extension err %d\n", r.error);
    expect(r.error == -2, "unknown extension not supported");
    r = sbi_call(SBI_EXT_RFENCE, 1, 1, 0, 0);
    print("rfence sfence.vma err %d\n", r.error);
    r = sbi_call(SBI_EXT_RFENCE, 6, 1, 0, 0);
    print("rfence hfence.vvma err %d\n", r.error);
}

static void test_h_csrs(void)
{
    WARL(0x600, "hstatus", 0x200000000ull);
    WARL(0x600, "hstatus", 0x2007003e0ull);
    uint64_t old = csr_read(0x600);
    WARL(0x600, "hstatus", 0x200000000ull);
    (void)old;
    WARL(0x602, "hedeleg", ~0ull);
    WARL(0x602, "hedeleg", 0);
    WARL(0x603, "hideleg", ~0ull);
    WARL(0x603, "hideleg", 0);
    WARL(0x606, "hcounteren", ~0ull);
    WARL(0x607, "hgeie", ~0ull);
    WARL(0x60a, "henvcfg", ~0ull);
    WARL(0x60a, "henvcfg", 0);
    WARL(0x605, "htimedelta", 0x123456789abcdefull);
    WARL(0x643, "htval", 0xdeadbeefull);
    WARL(0x64a, "htinst", 0xbeefull);
    /* hgatp MODE detection as KVM does it: an unsupported mode keeps the
     * old value (priv spec, satp WARL). */
    WARL(0x680, "hgatp", (10ull << 60) | (0x3fffull << 44) | 0xfffffffffffull);
    WARL(0x680, "hgatp", (9ull << 60) | 0x1234);
    WARL(0x680, "hgatp", (8ull << 60) | (5ull << 44) | 0x80000);
    WARL(0x680, "hgatp", (1ull << 60) | 0x4444);
    WARL(0x680, "hgatp", 0);
    WARL(0x200, "vsstatus", 0x6000);
    WARL(0x200, "vsstatus", 0);
    WARL(0x205, "vstvec", 0x80001001ull);
    WARL(0x205, "vstvec", 0x80002002ull);
    WARL(0x240, "vsscratch", 0x1122334455667788ull);
    WARL(0x241, "vsepc", 0x80004000ull);
    WARL(0x242, "vscause", 0x8000000000000005ull);
    WARL(0x243, "vstval", 0x42);
    WARL(0x280, "vsatp", (8ull << 60) | 0x80123);
    WARL(0x280, "vsatp", (3ull << 60) | 0x80456);
    WARL(0x280, "vsatp", 0);
    WARL(0x604, "hie", ~0ull);
    print("csr vsie : %x\n", csr_read(0x204));
    WARL(0x604, "hie", 0);
    /* QEMU reads L1's whole mip through hvip and lets LCOFIP be written
     * there; rvnest reproduces both. */
    csr_write(0x645, ~0ull);
    print("csr hvip <- ~0 : %x\n", csr_read(0x645));
    print("csr hip : %x\n", csr_read(0x644));
    csr_write(0x645, 0);
    print("csr hvip <- 0 : %x\n", csr_read(0x645));
    print("csr hgeip : %x\n", csr_read(0xe12));
    /* Zicsr forms */
    uint64_t v;
    csr_write(0x606, 0);
    __asm__ volatile("csrrsi %0, 0x606, 5" : "=r"(v));
    print("csrrsi hcounteren old %x new %x\n", v, csr_read(0x606));
    __asm__ volatile("csrrci %0, 0x606, 1" : "=r"(v));
    print("csrrci hcounteren old %x new %x\n", v, csr_read(0x606));
    __asm__ volatile("csrrs %0, 0x606, x0" : "=r"(v));
    print("csrrs x0 hcounteren %x\n", v);
    __asm__ volatile("csrrwi %0, 0x606, 2" : "=r"(v));
    print("csrrwi hcounteren old %x new %x\n", v, csr_read(0x606));
    csr_write(0x606, 0);
}

static void test_illegal(void)
{
    uint64_t before = trap_count;
    __asm__ volatile("csrw 0xe12, %0" :: "r"(1ull));    /* hgeip is read-only */
    print("write hgeip: traps %d cause %d tval %x\n", (long)(trap_count - before), (long)last_cause, last_tval);
    expect(trap_count - before == 1 && last_cause == 2, "write to hgeip is illegal");
    before = trap_count;
    (void)csr_read(0x300);                              /* mstatus from HS */
    print("read mstatus: traps %d cause %d tval %x\n", (long)(trap_count - before), (long)last_cause, last_tval);
    expect(last_cause == 2, "mstatus is illegal in HS");
}

static void wait_irq(unsigned irq, uint64_t before)
{
    for (long i = 0; i < 100000000 && irq_count[irq] == before; i++)
        __asm__ volatile("wfi");
}

static void test_timer_ipi(void)
{
    uint64_t t1 = csr_read(time);
    uint64_t c1 = csr_read(cycle), i1 = csr_read(instret);
    for (volatile int i = 0; i < 10000; i++)
        ;
    uint64_t t2 = csr_read(time), c2 = csr_read(cycle), i2 = csr_read(instret);
    print("time advances: %d, instret advances: %d, cycle readable: %d\n",
          (long)(t2 > t1), (long)(i2 > i1), (long)(c2 >= c1));
    expect(t2 > t1 && i2 > i1, "counters advance");

    csr_set(sstatus, 2);                                /* SIE */
    uint64_t before = irq_count[5];
    csr_set(sie, 1 << 5);
    sbi_call(SBI_EXT_TIME, 0, (long)(csr_read(time) + 20000), 0, 0);
    wait_irq(5, before);
    print("sbi set_timer: timer interrupts %d\n", (long)(irq_count[5] - before));
    expect(irq_count[5] - before == 1, "SBI timer fires once");
    sbi_call(SBI_EXT_TIME, 0, -1, 0, 0);

    before = irq_count[5];
    csr_set(sie, 1 << 5);
    csr_write(0x14d, csr_read(time) + 20000);           /* Sstc stimecmp */
    wait_irq(5, before);
    print("stimecmp: timer interrupts %d\n", (long)(irq_count[5] - before));
    expect(irq_count[5] - before == 1, "Sstc timer fires once");
    csr_write(0x14d, ~0ull);

    before = irq_count[1];
    csr_set(sie, 1 << 1);
    struct sbiret r = sbi_call(SBI_EXT_IPI, 0, 1, 0, 0);
    wait_irq(1, before);
    print("ipi to self: err %d, software interrupts %d\n", r.error, (long)(irq_count[1] - before));
    expect(irq_count[1] - before == 1, "IPI to self arrives once");
    csr_clear(sstatus, 2);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)fdt;
    print("smoke: start on hart %d\n", (long)hartid);
    test_sbi();
    test_h_csrs();
    test_illegal();
    test_timer_ipi();
    print("smoke: %s (%d failures)\n", failures ? "FAILED" : "passed", (long)failures);
    shutdown();
    return 0;
}
