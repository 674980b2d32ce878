/* What an L1 can probe to tell whether it runs under rvnest or on native H
 * (timing aside; docs/detectability.md). One line per probe,
 * "probe NAME: values": every SBI extension ID of the SBI spec (its probe
 * answer and one harmless call), BASE's identity, the H and S CSRs as the
 * firmware hands them over (read before the first SBI call), the WARL
 * values of the guest-external-interrupt state, HLV of device sizes, and
 * when a VS-level interrupt L1 keeps for itself is taken after L1 sets
 * sstatus.SIE. tests/guest/t-probe-native-vs-nested.sh compares both runs;
 * the lines that differ are the documented ones. */
#include "lib.h"

/* A CSR read that may trap (lib.c's handler skips the instruction). */
#define READ(num, out, trapped) do { uint64_t __b = trap_count; uint64_t __v = 0xdeadull; \
        __asm__ volatile("csrr %0, " #num : "+r"(__v) :: "memory"); \
        (out) = __v; (trapped) = trap_count != __b; } while (0)

static const struct { const char *name; } boot_csr_names[] = {
    { "sstatus" }, { "sie" }, { "sip" }, { "satp" }, { "senvcfg" }, { "scounteren" }, { "stimecmp" },
    { "hstatus" }, { "hedeleg" }, { "hideleg" }, { "hie" }, { "hip" }, { "hvip" }, { "hcounteren" },
    { "hgeie" }, { "hgeip" }, { "htval" }, { "htinst" }, { "htimedelta" }, { "henvcfg" }, { "hgatp" },
    { "hstateen0" }, { "vsstatus" }, { "vsie" }, { "vstvec" }, { "vsscratch" }, { "vsepc" },
    { "vscause" }, { "vstval" }, { "vsip" }, { "vsatp" }, { "vstimecmp" },
};
#define N_BOOT (sizeof(boot_csr_names) / sizeof(boot_csr_names[0]))
static uint64_t boot_val[N_BOOT];
static int boot_trap[N_BOOT];

static void read_boot_csrs(void)
{
    int i = 0;
#define R(num) do { READ(num, boot_val[i], boot_trap[i]); i++; } while (0)
    R(0x100); R(0x104); R(0x144); R(0x180); R(0x10a); R(0x106); R(0x14d);
    R(0x600); R(0x602); R(0x603); R(0x604); R(0x644); R(0x645); R(0x606);
    R(0x607); R(0xe12); R(0x643); R(0x64a); R(0x605); R(0x60a); R(0x680);
    R(0x60c); R(0x200); R(0x204); R(0x205); R(0x240); R(0x241);
    R(0x242); R(0x243); R(0x244); R(0x280); R(0x24d);
#undef R
}

static void sbi_probes(void)
{
    static const char *const base_fn[] = { "spec-version", "impl-id", "impl-version", 0,
                                           "mvendorid", "marchid", "mimpid" };
    for (int f = 0; f < 7; f++) {
        if (!base_fn[f])
            continue;
        struct sbiret r = sbi_call6(SBI_EXT_BASE, f, 0, 0, 0, 0, 0, 0);
        print("probe base.%s: err %d value %x\n", base_fn[f], r.error, (uint64_t)r.value);
    }
    /* Every extension of the SBI spec, with one call that changes nothing:
     * fid, a0, a1, a2 (the SUSP call names a reserved sleep type). */
    static const struct { const char *name; long id, fid, a0, a1, a2; } ext[] = {
        { "legacy-set-timer", 0x00, 0, -1, 0, 0 }, { "legacy-putchar", 0x01, -1, 0, 0, 0 },
        { "legacy-getchar", 0x02, -1, 0, 0, 0 }, { "legacy-clear-ipi", 0x03, -1, 0, 0, 0 },
        { "legacy-send-ipi", 0x04, -1, -1, 0, 0 }, { "legacy-fence-i", 0x05, -1, -1, 0, 0 },
        { "legacy-sfence", 0x06, -1, -1, 0, 0 }, { "legacy-sfence-asid", 0x07, -1, -1, 0, 0 },
        { "legacy-shutdown", 0x08, -1, -1, 0, 0 }, { "base", SBI_EXT_BASE, 0, 0, 0, 0 },
        { "time", SBI_EXT_TIME, 0, -1, 0, 0 }, { "ipi", SBI_EXT_IPI, 0, 0, 0, 0 },
        { "rfence", SBI_EXT_RFENCE, 0, 0, 0, 0 }, { "hsm", SBI_EXT_HSM, 2, 0, 0, 0 },
        { "srst", SBI_EXT_SRST, 1, 0, 0, 0 }, { "pmu", 0x504d55, 0, 0, 0, 0 },
        { "dbcn", SBI_EXT_DBCN, 3, 0, 0, 0 }, { "susp", 0x53555350, 0, 1, 0, 0 },
        { "cppc", 0x43505043, 0, 0, 0, 0 }, { "nacl", 0x4e41434c, 0, 0, 0, 0 },
        { "sta", 0x535441, 0, -1, -1, 0 }, { "sse", 0x535345, 0, 0, 0, 0 },
        { "fwft", SBI_EXT_FWFT, 1, 0, 0, 0 }, { "dbtr", 0x44425452, 0, 0, 0, 0 },
        { "mpxy", 0x4d505859, 0, 0, 0, 0 }, { "experimental", 0x08000000, 0, 0, 0, 0 },
        { "vendor", 0x09000000, 0, 0, 0, 0 }, { "firmware", 0x0a000000, 0, 0, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        struct sbiret p = sbi_call6(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext[i].id, 0, 0, 0, 0, 0);
        print("probe ext.%s: probe err %d value %d", ext[i].name, p.error, p.value);
        if (ext[i].fid < 0) {
            print("\n");
            continue;
        }
        struct sbiret r = sbi_call6(ext[i].id, ext[i].fid, ext[i].a0, ext[i].a1, ext[i].a2, 0, 0, 0);
        print(", call fid %d: err %d value %d\n", ext[i].fid, r.error, r.value);
    }
    /* PMU: what each counter is (get_info), as the firmware describes it. */
    struct sbiret n = sbi_call6(0x504d55, 0, 0, 0, 0, 0, 0, 0);
    for (long c = 0; n.error == 0 && c < n.value; c++) {
        struct sbiret r = sbi_call6(0x504d55, 1, c, 0, 0, 0, 0, 0);
        print("probe pmu.counter-info.%d: err %d value %x\n", c, r.error, (uint64_t)r.value);
    }
}

/* The guest-external-interrupt state: no interrupt files without AIA. */
static void geilen(void)
{
    csr_write(0x607, -1);
    uint64_t hgeie = csr_read(0x607);
    csr_write(0x607, 0);
    uint64_t hs = csr_read(0x600);
    csr_write(0x600, hs | (63ull << 12));
    uint64_t vgein = (csr_read(0x600) >> 12) & 63;
    csr_write(0x600, hs);
    print("probe geilen: hgeie <- ~0 reads %x, hstatus.VGEIN <- 63 reads %d, hgeip %x\n", hgeie,
          (long)vgein, csr_read(0xe12));
}

/* HLV through Bare vsatp/hgatp: GPA = PA. */
static void hlv_devices(void)
{
    static const struct { const char *name; uint64_t pa; int f7; } d[] = {
        { "hlv.d-test-device", 0x100000, 0x36 },     /* sifive_test, 4-byte registers */
        { "hlv.w-test-device", 0x100000, 0x34 },
        { "hlv.d-uart", 0x10000000, 0x36 },          /* ns16550a, 1-byte registers */
        { "hlv.b-uart-lsr", 0x10000005, 0x30 },
        { "hlv.w-plic-priority1", 0x0c000004, 0x34 }, /* a page L0 performs */
        { "hlv.w-plic-pending", 0x0c001000, 0x34 },
        { "hlv.d-plic-pending", 0x0c001000, 0x36 },
        { "hlv.w-plic-s-threshold", 0x0c201000, 0x34 }, /* hart 0's S context */
        { "hlv.w-plic-s-claim", 0x0c201004, 0x34 },     /* nothing pending: 0 */
    };
    csr_write(0x680, 0);
    csr_write(0x280, 0);
    for (unsigned i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        uint64_t v = 0x5555, b = trap_count;
        uint64_t a = d[i].pa;
        switch (d[i].f7) {
        case 0x30: __asm__ volatile(".insn r 0x73, 4, 0x30, %0, %1, x1" : "+r"(v) : "r"(a) : "memory"); break;
        case 0x34: __asm__ volatile(".insn r 0x73, 4, 0x34, %0, %1, x1" : "+r"(v) : "r"(a) : "memory"); break;
        default: __asm__ volatile(".insn r 0x73, 4, 0x36, %0, %1, x0" : "+r"(v) : "r"(a) : "memory"); break;
        }
        if (trap_count != b)
            print("probe %s: trap cause %d tval %x\n", d[i].name, (long)last_cause, last_tval);
        else
            print("probe %s: value %x\n", d[i].name, v);
    }
}

/* A VS software interrupt L1 keeps for itself (hideleg clear, hie.VSSIE,
 * hvip.VSSIP) is an HS interrupt for L1: natively taken as soon as L1 sets
 * sstatus.SIE. The handler records the loop counter (t1) in sscratch and
 * clears hvip. */
__asm__(".align 4\n"
        "vssi_entry:\n"
        "  csrw sscratch, t1\n"
        "  csrw 0x645, x0\n"
        "  sret\n");
extern char vssi_entry[];

static void vssi_after_sie(void)
{
    uint64_t old = csr_read(stvec);
    uint64_t n = 0;
    csr_write(sscratch, -1);
    csr_write(stvec, (uintptr_t)vssi_entry);
    csr_clear(0x603, 4);
    csr_set(0x604, 4);
    csr_set(0x645, 4);
    __asm__ volatile("li t1, 0\n"
                     "csrsi sstatus, 2\n"
                     "1: addi t1, t1, 1\n"
                     "li t2, 100000\n"
                     "blt t1, t2, 1b\n"
                     "csrci sstatus, 2\n"
                     "mv %0, t1\n"
                     : "=r"(n) :: "t1", "t2", "memory");
    uint64_t at = csr_read(sscratch);
    uint64_t left = csr_read(0x645) & 4;
    csr_write(0x645, 0);
    csr_clear(0x604, 4);
    csr_write(stvec, old);
    print("probe vssi-after-sie: taken after %d of %d loop iterations, still pending %d\n", (long)at,
          (long)n, (long)(left != 0));
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    read_boot_csrs();
    print("probe: start\n");
    for (unsigned i = 0; i < N_BOOT; i++) {
        if (boot_trap[i])
            print("probe boot.%s: trap cause %d\n", boot_csr_names[i].name, (long)last_cause);
        else
            print("probe boot.%s: %x\n", boot_csr_names[i].name, boot_val[i]);
    }
    uint64_t v;
    int t;
    READ(cycle, v, t);
    print("probe counter.cycle: %s\n", t ? "traps" : "readable");
    READ(instret, v, t);
    print("probe counter.instret: %s\n", t ? "traps" : "readable");
    READ(time, v, t);
    print("probe counter.time: %s\n", t ? "traps" : "readable");
    READ(0xf11, v, t);
    print("probe mvendorid-csr: %s cause %d\n", t ? "traps" : "readable", (long)last_cause);
    READ(0x3a0, v, t);
    print("probe pmpcfg0-csr: %s cause %d\n", t ? "traps" : "readable", (long)last_cause);
    READ(0x301, v, t);
    print("probe misa-csr: %s cause %d\n", t ? "traps" : "readable", (long)last_cause);
    (void)v;
    sbi_probes();
    geilen();
    hlv_devices();
    vssi_after_sie();
    print("probe: done\n");
    shutdown();
    return 0;
}
