/* SBI FWFT from L1: OpenSBI's answers, and the effects of the features on
 * what L1 itself sees: misaligned-exception delegation (a misaligned AMO
 * reaches L1 through OpenSBI's redirect or straight from the hart, which
 * changes htinst) and PTE A/D hardware updating (L1's own page tables:
 * Svadu update or Svade page fault). Natively and under rvnest identical. */
#include "lib.h"

#define FWFT 0x46574654
#define SET 0
#define GET 1

static uint64_t pt[3][512] __attribute__((aligned(4096)));

static void amo_misaligned(const char *when)
{
    static volatile uint32_t word[4];
    uint64_t before = trap_count, htinst;
    __asm__ volatile("amoadd.w zero, zero, (%0)" :: "r"((uintptr_t)word + 1) : "memory");
    htinst = csr_read(0x64a);
    print("amo misaligned %s: traps %d cause %d tval-offset %d htinst %x\n", when,
          (long)(trap_count - before), (long)last_cause, (long)(last_tval - (uintptr_t)word), htinst);
}

static void touch(uint64_t va, const char *when)
{
    uint64_t before = trap_count;
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
    (void)*p;
    print("load through A=0 PTE %s: traps %d cause %d, PTE.A now %d\n", when,
          (long)(trap_count - before), (long)(trap_count - before ? last_cause : 0),
          (long)((pt[2][(va >> 12) & 511] >> 6) & 1));
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    print("fwft: probe %d\n", sbi_call(SBI_EXT_BASE, 3, FWFT, 0, 0).value);
    static const long feats[] = { 0, 1, 2, 3, 4, 5, 6, 0x3fffffff, 0x40000000, 0x80000000, -1 };
    for (unsigned i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
        struct sbiret r = sbi_call(FWFT, GET, feats[i], 0, 0);
        print("get feature %x: err %d value %d\n", (uint64_t)feats[i], r.error, r.value);
    }
    struct sbiret r = sbi_call(FWFT, SET, 0, 2, 0);
    print("set misaligned-deleg 2: err %d\n", r.error);
    r = sbi_call(FWFT, SET, 5, 1, 0);
    print("set pmlen 1: err %d\n", r.error);
    amo_misaligned("default");
    r = sbi_call(FWFT, SET, 0, 1, 0);
    print("set misaligned-deleg 1: err %d, get %d\n", r.error, sbi_call(FWFT, GET, 0, 0, 0).value);
    amo_misaligned("delegated");
    r = sbi_call(FWFT, SET, 0, 0, 0);
    print("set misaligned-deleg 0: err %d\n", r.error);
    amo_misaligned("not delegated");

    /* L1's own Sv39 table: code gigapage identity, one 4 KiB page with A=0 */
    pt[0][2] = ((0x80000000ull >> 12) << 10) | 0xcf;
    pt[0][1] = (((uint64_t)(uintptr_t)pt[1] >> 12) << 10) | 1;        /* VA 0x40000000 */
    pt[1][0] = (((uint64_t)(uintptr_t)pt[2] >> 12) << 10) | 1;
    pt[2][0] = ((0x80400000ull >> 12) << 10) | 0x07;                   /* V R W, A=D=0 */
    pt[2][1] = ((0x80401000ull >> 12) << 10) | 0x07;
    csr_write(satp, (8ull << 60) | ((uint64_t)(uintptr_t)pt[0] >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    print("get pte-ad-hw-updating: %d\n", sbi_call(FWFT, GET, 4, 0, 0).value);
    touch(0x40000000, "with updating");
    r = sbi_call(FWFT, SET, 4, 0, 0);
    print("set pte-ad-hw-updating 0: err %d, get %d\n", r.error, sbi_call(FWFT, GET, 4, 0, 0).value);
    __asm__ volatile("sfence.vma" ::: "memory");
    touch(0x40001000, "without updating");
    print("csr henvcfg ADUE bit %d\n", (long)((csr_read(0x60a) >> 61) & 1));
    r = sbi_call(FWFT, SET, 4, 1, 0);
    print("set pte-ad-hw-updating 1: err %d\n", r.error);
    __asm__ volatile("sfence.vma" ::: "memory");
    touch(0x40001000, "updating again");
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    print("fwft: done\n");
    shutdown();
    return 0;
}
