/* L1 conformance: the SBI interface L1 gets from its firmware (natively
 * OpenSBI 1.5.1, SBI 2.0). Expectations follow the SBI 2.0 specification;
 * where it leaves a choice to the implementation the comment says what
 * OpenSBI does. */
#include "conf_lib.h"

#define EXT_PMU 0x504d55
#define EXT_SUSP 0x53555350
#define EXT_CPPC 0x43505043
#define EXT_NACL 0x4e41434c
#define EXT_STA 0x535441
#define EXT_SSE 0x535345
#define EXT_FWFT 0x46574654
#define EXT_MPXY 0x4d505859
#define EXT_DBTR 0x44425452

static struct sbiret r;
#define CALL(ext, fid, a0, a1, a2, a3, a4, a5) (r = sbi6((ext), (fid), (long)(a0), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5)))

static void test_base(void)
{
    CALL(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0, 0);
    check("base.spec-version", r.error == 0 && r.value == 0x2000000, "err %d value %x", r.error, (uint64_t)r.value);
    CALL(SBI_EXT_BASE, 1, 0, 0, 0, 0, 0, 0);
    check("base.impl-id", r.error == 0 && r.value == 1, "err %d value %d (1: OpenSBI)", r.error, r.value);
    CALL(SBI_EXT_BASE, 2, 0, 0, 0, 0, 0, 0);
    check("base.impl-version", r.error == 0 && r.value == 0x10005, "err %d value %x", r.error, (uint64_t)r.value);
    static const char *const idn[] = { "base.mvendorid", "base.marchid", "base.mimpid" };
    for (int i = 0; i < 3; i++) {
        CALL(SBI_EXT_BASE, 4 + i, 0, 0, 0, 0, 0, 0);
        check(idn[i], r.error == 0, "err %d value %x", r.error, (uint64_t)r.value);
    }
    CALL(SBI_EXT_BASE, 7, 0, 0, 0, 0, 0, 0);
    check("base.fid7", r.error == SBI_ERR_NOT_SUPPORTED, "err %d", r.error);
    CALL(SBI_EXT_BASE, -1, 0, 0, 0, 0, 0, 0);
    check("base.fid-1", r.error == SBI_ERR_NOT_SUPPORTED, "err %d", r.error);

    /* Probe every extension ID of SBI 2.0 (and then some). Required for an
     * S-mode OS: 1; reserved/unknown: 0; the optional ones are printed. */
    static const struct { const char *name; long id; int want; } ext[] = {
        { "probe.legacy-set-timer", 0x00, 1 }, { "probe.legacy-putchar", 0x01, 1 },
        { "probe.legacy-getchar", 0x02, 1 }, { "probe.legacy-clear-ipi", 0x03, 1 },
        { "probe.legacy-send-ipi", 0x04, 1 }, { "probe.legacy-fence-i", 0x05, 1 },
        { "probe.legacy-sfence", 0x06, 1 }, { "probe.legacy-sfence-asid", 0x07, 1 },
        { "probe.legacy-shutdown", 0x08, 1 }, { "probe.legacy-09", 0x09, 0 },
        { "probe.legacy-0f", 0x0f, 0 }, { "probe.base", SBI_EXT_BASE, 1 },
        { "probe.time", SBI_EXT_TIME, 1 }, { "probe.ipi", SBI_EXT_IPI, 1 },
        { "probe.rfence", SBI_EXT_RFENCE, 1 }, { "probe.hsm", SBI_EXT_HSM, 1 },
        { "probe.srst", SBI_EXT_SRST, 1 }, { "probe.dbcn", SBI_EXT_DBCN, 1 },
        { "probe.pmu", EXT_PMU, -1 }, { "probe.susp", EXT_SUSP, -1 },
        { "probe.cppc", EXT_CPPC, -1 }, { "probe.nacl", EXT_NACL, -1 },
        { "probe.sta", EXT_STA, -1 }, { "probe.sse", EXT_SSE, -1 },
        { "probe.fwft", EXT_FWFT, -1 }, { "probe.mpxy", EXT_MPXY, -1 },
        { "probe.dbtr", EXT_DBTR, -1 }, { "probe.experimental", 0x08000000, 0 },
        { "probe.vendor", 0x09000000, 0 }, { "probe.firmware", 0x0a000000, 0 },
        { "probe.unknown", 0x12345678, 0 }, { "probe.minus1", -1, 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ext); i++) {
        CALL(SBI_EXT_BASE, 3, ext[i].id, 0, 0, 0, 0, 0);
        int ok = r.error == 0 && (ext[i].want < 0 ? 1 : ext[i].want ? r.value != 0 : r.value == 0);
        check(ext[i].name, ok, "err %d value %d", r.error, r.value);
    }
    /* Calling an unknown extension. */
    CALL(0x0a000001, 0, 0, 0, 0, 0, 0, 0);
    check("call.unknown-ext", r.error == SBI_ERR_NOT_SUPPORTED, "err %d", r.error);
    CALL(0x12345678, 5, 0, 0, 0, 0, 0, 0);
    check("call.unknown-ext2", r.error == SBI_ERR_NOT_SUPPORTED, "err %d", r.error);
    static const struct { const char *name; long ext; long fid; } badfid[] = {
        { "call.time-fid1", SBI_EXT_TIME, 1 }, { "call.ipi-fid1", SBI_EXT_IPI, 1 },
        { "call.rfence-fid7", SBI_EXT_RFENCE, 7 }, { "call.hsm-fid4", SBI_EXT_HSM, 4 },
        { "call.srst-fid1", SBI_EXT_SRST, 1 }, { "call.dbcn-fid3", SBI_EXT_DBCN, 3 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(badfid); i++) {
        CALL(badfid[i].ext, badfid[i].fid, 0, 0, 0, 0, 0, 0);
        check(badfid[i].name, r.error == SBI_ERR_NOT_SUPPORTED, "err %d", r.error);
    }
    /* PMU (optional, OpenSBI has it): number of counters. */
    CALL(SBI_EXT_BASE, 3, EXT_PMU, 0, 0, 0, 0, 0);
    long has_pmu = r.value;
    CALL(EXT_PMU, 0, 0, 0, 0, 0, 0, 0);
    check("pmu.num-counters", has_pmu ? r.error == 0 : r.error == SBI_ERR_NOT_SUPPORTED,
          "probe %d: err %d value %d", has_pmu, r.error, r.value);
}

static uint64_t now(void)
{
    return csr_read(time);
}

static int ssip_pending_then_clear(void)
{
    int p = (csr_read(sip) >> 1) & 1;
    csr_clear(sip, 2);
    return p;
}

static void test_timer_ipi(void)
{
    /* set_timer: the S timer interrupt fires (taken with SIE=1). */
    uint64_t before = irq_counts[5];
    csr_set(sie, 1 << 5);
    CALL(SBI_EXT_TIME, 0, now() + 10000, 0, 0, 0, 0, 0);
    long e = r.error;
    csr_set(sstatus, 2);
    wait_irq(5, before, 10000000);
    csr_clear(sstatus, 2);
    check("time.set-timer", e == 0 && irq_counts[5] == before + 1, "err %d interrupts %d", e,
          (long)(irq_counts[5] - before));
    CALL(SBI_EXT_TIME, 0, -1, 0, 0, 0, 0, 0);
    check("time.set-timer-never", r.error == 0 && !(csr_read(sip) & 0x20), "err %d sip.STIP %d", r.error,
          (long)((csr_read(sip) >> 5) & 1));
    /* set_timer in the past: STIP at once. */
    CALL(SBI_EXT_TIME, 0, 0, 0, 0, 0, 0, 0);
    uint64_t t0 = now();
    while (!(csr_read(sip) & 0x20) && now() - t0 < 1000000)
        ;
    check("time.set-timer-past", r.error == 0 && (csr_read(sip) & 0x20), "err %d sip.STIP %d", r.error,
          (long)((csr_read(sip) >> 5) & 1));
    /* Legacy set_timer clears it again. */
    CALL(SBI_EXT_LEGACY_SET_TIMER, 0, -1, 0, 0, 0, 0, 0);
    check("legacy.set-timer", r.error == 0 && !(csr_read(sip) & 0x20), "a0 %d sip.STIP %d", r.error,
          (long)((csr_read(sip) >> 5) & 1));
    csr_clear(sie, 1 << 5);

    /* IPIs: hart_mask relative to hart_mask_base; base -1 means all harts.
     * OpenSBI (the reference) refuses an invalid base hart with
     * SBI_ERR_INVALID_PARAM but skips mask bits naming harts that do not
     * exist, and takes hart ids as 32-bit values (2^32 is hart 0). */
    csr_clear(sip, 2);
    static const struct { const char *name; long mask, base; long err; int self; } ipi[] = {
        { "ipi.self", 1, 0, 0, 1 }, { "ipi.base-minus1", 0, -1, 0, 1 },
        { "ipi.base-minus1-mask", 0x5a, -1, 0, 1 }, { "ipi.mask0", 0, 0, 0, 0 },
        { "ipi.hart1", 1, 1, SBI_ERR_INVALID_PARAM, 0 }, { "ipi.mask2", 2, 0, 0, 0 },
        { "ipi.mask3", 3, 0, 0, 1 }, { "ipi.base64", 1, 64, SBI_ERR_INVALID_PARAM, 0 },
        { "ipi.base-minus2", 1, -2, SBI_ERR_INVALID_PARAM, 0 }, { "ipi.mask-all", -1, 0, 0, 1 },
        { "ipi.base-2p32", 1, 0x100000000l, 0, 1 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ipi); i++) {
        CALL(SBI_EXT_IPI, 0, ipi[i].mask, ipi[i].base, 0, 0, 0, 0);
        int p = ssip_pending_then_clear();
        check(ipi[i].name, r.error == ipi[i].err && (ipi[i].self < 0 || p == ipi[i].self),
              "err %d, self SSIP %d", r.error, (long)p);
    }
    /* Legacy send_ipi / clear_ipi (mask passed by address). */
    static unsigned long lmask = 1;
    CALL(SBI_EXT_LEGACY_SEND_IPI, 0, &lmask, 0, 0, 0, 0, 0);
    int p = (csr_read(sip) >> 1) & 1;
    check("legacy.send-ipi", r.error == 0 && p == 1, "a0 %d SSIP %d", r.error, (long)p);
    CALL(SBI_EXT_LEGACY_CLEAR_IPI, 0, 0, 0, 0, 0, 0, 0);
    p = (csr_read(sip) >> 1) & 1;
    check("legacy.clear-ipi", r.error == 0 && p == 0, "a0 %d SSIP %d", r.error, (long)p);
    csr_clear(sip, 2);
}

static void test_rfence(void)
{
    static const char *const fn[] = { "fence-i", "sfence-vma", "sfence-vma-asid", "hfence-gvma-vmid",
                                       "hfence-gvma", "hfence-vvma-asid", "hfence-vvma" };
    static const struct { const char *name; long mask, base; long err; } m[] = {
        { ".self", 1, 0, 0 }, { ".base-minus1", 0, -1, 0 }, { ".mask0", 0, 0, 0 },
        { ".hart1", 1, 1, SBI_ERR_INVALID_PARAM }, { ".mask3", 3, 0, 0 },
        { ".base64", 1, 64, SBI_ERR_INVALID_PARAM },
    };
    char name[64];
    for (int f = 0; f < 7; f++) {
        for (unsigned i = 0; i < ARRAY_SIZE(m); i++) {
            CALL(SBI_EXT_RFENCE, f, m[i].mask, m[i].base, 0x80200000, 0x1000, 1, 0);
            check(str_join(name, sizeof(name), "rfence.", fn[f], m[i].name), r.error == m[i].err, "err %d",
                  r.error);
        }
        /* Whole address space (size -1) and start 0. */
        CALL(SBI_EXT_RFENCE, f, 1, 0, 0, -1, 0, 0);
        check(str_join(name, sizeof(name), "rfence.", fn[f], ".all"), r.error == 0, "err %d", r.error);
    }
    static unsigned long lmask = 1;
    CALL(SBI_EXT_LEGACY_REMOTE_FENCE_I, 0, &lmask, 0, 0, 0, 0, 0);
    check("legacy.remote-fence-i", r.error == 0, "a0 %d", r.error);
    CALL(SBI_EXT_LEGACY_REMOTE_SFENCE, 0, &lmask, 0, -1, 0, 0, 0);
    check("legacy.remote-sfence", r.error == 0, "a0 %d", r.error);
    CALL(SBI_EXT_LEGACY_REMOTE_SFENCE_ASID, 0, &lmask, 0, -1, 1, 0, 0);
    check("legacy.remote-sfence-asid", r.error == 0, "a0 %d", r.error);
}

/* Resume point of a non-retentive suspend: records a0/a1 and the CSRs
 * L1 finds, then leaves through conf_escape (the conf_call context). */
extern char resume_entry[];
volatile uint64_t resume_rec[8];
extern volatile int conf_armed;
__asm__(
    ".section .text\n"
    ".align 4\n"
    ".globl resume_entry\n"
    "resume_entry:\n"
    "  la t0, resume_rec\n"
    "  sd a0, 0(t0)\n"
    "  sd a1, 8(t0)\n"
    "  csrr t1, stvec\n"
    "  sd t1, 16(t0)\n"
    "  csrr t1, sscratch\n"
    "  sd t1, 24(t0)\n"
    "  csrr t1, sie\n"
    "  sd t1, 32(t0)\n"
    "  csrr t1, satp\n"
    "  sd t1, 40(t0)\n"
    "  csrr t1, sstatus\n"
    "  sd t1, 48(t0)\n"
    "  li t1, 1\n"
    "  sd t1, 56(t0)\n"
    "  la t0, conf_armed\n"
    "  sw zero, 0(t0)\n"
    "  la t0, conf_result\n"
    "  li t1, 0x7e5e\n"
    "  sd t1, 0(t0)\n"
    "  j conf_escape\n");

/* suspend_stub(type, resume, opaque) through conf_call: a0, a1 only, so
 * the opaque value comes from a global. */
volatile uint64_t susp_opaque;
extern char suspend_stub[];
__asm__(
    ".section .text\n"
    ".align 4\n"
    ".globl suspend_stub\n"
    "suspend_stub:\n"
    "  la t0, susp_opaque\n"
    "  ld a2, 0(t0)\n"
    "  li a7, 0x48534d\n"
    "  li a6, 3\n"
    "  ecall\n"
    "  ret\n");

static void test_hsm(void)
{
    CALL(SBI_EXT_HSM, 2, 0, 0, 0, 0, 0, 0);
    check("hsm.status-0", r.error == 0 && r.value == 0, "err %d value %d (0: started)", r.error, r.value);
    static const struct { const char *name; long id; } bad[] = {
        { "hsm.status-1", 1 }, { "hsm.status-7", 7 }, { "hsm.status-minus1", -1 }, { "hsm.status-64k", 0x10000 } };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        CALL(SBI_EXT_HSM, 2, bad[i].id, 0, 0, 0, 0, 0);
        check(bad[i].name, r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    }
    /* hart_start: a started hart is already available; unknown harts are
     * invalid; the start address must be executable by S (the firmware's
     * own memory is not): OpenSBI checks the hart id, then the address,
     * then the state. */
    static const struct { const char *name; long id; long addr; long err; } st[] = {
        { "hsm.start-0", 0, 0x80200000, SBI_ERR_ALREADY_AVAILABLE },
        { "hsm.start-0-fw", 0, 0x80000000, SBI_ERR_INVALID_ADDRESS },
        { "hsm.start-0-fw-rw", 0, 0x80040000, SBI_ERR_INVALID_ADDRESS },
        { "hsm.start-0-null", 0, 0, SBI_ERR_ALREADY_AVAILABLE },
        { "hsm.start-1", 1, 0x80200000, SBI_ERR_INVALID_PARAM },
        { "hsm.start-1-fw", 1, 0x80000000, SBI_ERR_INVALID_PARAM },
        { "hsm.start-minus1", -1, 0x80200000, SBI_ERR_INVALID_PARAM },
        { "hsm.start-64", 64, 0x80200000, SBI_ERR_INVALID_PARAM },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(st); i++) {
        CALL(SBI_EXT_HSM, 0, st[i].id, st[i].addr, 0x1234, 0, 0, 0);
        int ok = r.error == st[i].err;
        check(st[i].name, ok, "err %d", r.error);
    }
    /* Suspend types: 0 retentive, 0x80000000 non-retentive; reserved
     * types (0x1-0x0fffffff, 0x80000001-0x8fffffff) are invalid,
     * platform-specific ones (0x10000000-0x7fffffff, 0x90000000-) not
     * supported on this platform. */
    static const struct { const char *name; long type; long err; } badt[] = {
        { "hsm.suspend-type1", 1, SBI_ERR_INVALID_PARAM },
        { "hsm.suspend-type-0x0fffffff", 0x0fffffff, SBI_ERR_INVALID_PARAM },
        { "hsm.suspend-type-0x10000000", 0x10000000, SBI_ERR_NOT_SUPPORTED },
        { "hsm.suspend-type-0x80000001", 0x80000001l, SBI_ERR_INVALID_PARAM },
        { "hsm.suspend-type-0x90000000", 0x90000000l, SBI_ERR_NOT_SUPPORTED },
        { "hsm.suspend-type-0xffffffff", 0xffffffffl, SBI_ERR_NOT_SUPPORTED } };
    for (unsigned i = 0; i < ARRAY_SIZE(badt); i++) {
        CALL(SBI_EXT_HSM, 3, badt[i].type, 0x80200000, 0, 0, 0, 0);
        check(badt[i].name, r.error == badt[i].err, "err %d", r.error);
    }
    /* Retentive suspend, woken by the S timer (SIE=0: no trap taken). */
    csr_clear(sstatus, 2);
    csr_set(sie, 1 << 5);
    /* t0 before arming: waking with STIP pending then means the whole
     * 20000 ticks passed, however the host schedules QEMU */
    uint64_t t0 = now();
    csr_write(0x14d, t0 + 20000);
    CALL(SBI_EXT_HSM, 3, 0, 0, 0, 0, 0, 0);
    uint64_t waited = now() - t0;
    int stip = (csr_read(sip) >> 5) & 1;
    csr_write(0x14d, ~0ull);
    csr_clear(sie, 1 << 5);
    check("hsm.suspend-retentive", r.error == 0 && stip && waited >= 20000,
          "err %d, woke with STIP %d, waited >= 2 ms %d", r.error, (long)stip, (long)(waited >= 20000));
    /* Non-retentive suspend with a resume address and an opaque value. */
    uint64_t stvec0 = csr_read(stvec), sscratch0 = csr_read(sscratch);
    csr_write(sie, 1 << 5);
    csr_write(0x14d, now() + 20000);
    susp_opaque = 0x0badcafe12345678ull;
    resume_rec[7] = 0;
    uint64_t ret = conf_call((uint64_t)(uintptr_t)suspend_stub, 0x80000000ull,
                             (uint64_t)(uintptr_t)resume_entry);
    csr_write(stvec, stvec0);
    csr_write(sscratch, sscratch0);
    csr_write(0x14d, ~0ull);
    csr_write(sie, 0);
    if (resume_rec[7]) {
        check("hsm.suspend-nonretentive", ret == 0x7e5e && resume_rec[0] == 0 && resume_rec[1] == susp_opaque
              && resume_rec[5] == 0 && !(resume_rec[6] & 2),
              "resumed: a0 %x a1 %x stvec %x sscratch %x sie %x satp %x sstatus.SIE %d",
              resume_rec[0], resume_rec[1], resume_rec[2], resume_rec[3], resume_rec[4], resume_rec[5],
              (long)((resume_rec[6] >> 1) & 1));
        /* The other S CSRs are unspecified after a non-retentive
         * suspend (SBI 2.0, HSM): printed for the comparison only. */
        check("hsm.suspend-nonretentive-csrs", 1,
              "stvec kept %d (resume address %d) sscratch kept %d (%x) sie %x",
              (long)(resume_rec[2] == stvec0), (long)(resume_rec[2] == (uint64_t)(uintptr_t)resume_entry),
              (long)(resume_rec[3] == sscratch0), resume_rec[3], resume_rec[4]);
    } else {
        check("hsm.suspend-nonretentive", (long)ret < 0, "refused: err %d", (long)ret);
        check("hsm.suspend-nonretentive-csrs", 1, "not resumed");
    }
    /* A bad resume address. */
    csr_write(sie, 1 << 5);
    csr_write(0x14d, now() + 20000);
    CALL(SBI_EXT_HSM, 3, 0x80000000l, 0x80000000, 0, 0, 0, 0);
    csr_write(0x14d, ~0ull);
    csr_write(sie, 0);
    check("hsm.suspend-nonretentive-fw-addr", r.error == SBI_ERR_INVALID_ADDRESS || r.error == SBI_ERR_NOT_SUPPORTED,
          "err %d", r.error);
    CALL(SBI_EXT_HSM, 2, 0, 0, 0, 0, 0, 0);
    check("hsm.status-after", r.error == 0 && r.value == 0, "err %d value %d", r.error, r.value);
}

static void test_dbcn(void)
{
    static const char msg[] = "dbcn write\n";
    CALL(SBI_EXT_DBCN, 0, sizeof(msg) - 1, msg, 0, 0, 0, 0);
    check("dbcn.write", r.error == 0 && r.value == (long)sizeof(msg) - 1, "err %d value %d", r.error, r.value);
    /* The upper address word must be 0 on RV64 (OpenSBI: SBI_ERR_FAILED). */
    CALL(SBI_EXT_DBCN, 0, sizeof(msg) - 1, msg, 1, 0, 0, 0);
    check("dbcn.write-hi1", r.error == SBI_ERR_FAILED || r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    CALL(SBI_EXT_DBCN, 0, sizeof(msg) - 1, msg, -1, 0, 0, 0);
    check("dbcn.write-hi-minus1", r.error == SBI_ERR_FAILED || r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    CALL(SBI_EXT_DBCN, 0, 0, msg, 0, 0, 0, 0);
    check("dbcn.write-len0", r.error == 0 && r.value == 0, "err %d value %d", r.error, r.value);
    /* Firmware memory is not readable by S: SBI_ERR_INVALID_PARAM. */
    static const struct { const char *name; long base, len; } fw[] = {
        { "dbcn.write-fw", 0x80000000, 16 }, { "dbcn.write-fw-rw", 0x80040000, 16 },
        { "dbcn.write-fw-straddle", 0x8005fff8, 16 }, { "dbcn.write-fw-end", 0x8003fff0, 16 },
        { "dbcn.write-clint", 0x2000000, 8 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(fw); i++) {
        CALL(SBI_EXT_DBCN, 0, fw[i].len, fw[i].base, 0, 0, 0, 0);
        check(fw[i].name, r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    }
    static char buf[16];
    CALL(SBI_EXT_DBCN, 1, sizeof(buf), buf, 0, 0, 0, 0);
    check("dbcn.read", r.error == 0 && r.value == 0, "err %d value %d (no input)", r.error, r.value);
    CALL(SBI_EXT_DBCN, 1, sizeof(buf), buf, 1, 0, 0, 0);
    check("dbcn.read-hi1", r.error == SBI_ERR_FAILED || r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    CALL(SBI_EXT_DBCN, 1, 16, 0x80000000, 0, 0, 0, 0);
    check("dbcn.read-fw", r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    CALL(SBI_EXT_DBCN, 2, '\n', 0, 0, 0, 0, 0);
    check("dbcn.write-byte", r.error == 0, "err %d", r.error);
    CALL(SBI_EXT_LEGACY_PUTCHAR, 0, '\n', 0, 0, 0, 0, 0);
    check("legacy.putchar", r.error == 0, "a0 %d", r.error);
    CALL(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, 0, 0, 0);
    check("legacy.getchar", r.error == -1, "a0 %d (no input)", r.error);
}

int main(unsigned long hartid, unsigned long fdt)
{
    conf_init(fdt);
    cprintf("conf_sbi: start\n");
    check("boot.hartid", hartid == 0, "%d", (long)hartid);
    test_base();
    test_timer_ipi();
    test_rfence();
    test_dbcn();
    test_hsm();
    conf_done("conf_sbi");
    return 0;
}
