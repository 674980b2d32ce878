/* L1 conformance: L1's own traps and privileged instructions.
 *  - illegal instructions from U (sret, mret, wfi, sfence.vma), ecall and
 *    ebreak from U, mret from S, wfi in S, sret with SPV=0 back to U and S;
 *  - traps taken after L1 wrote htval/htinst/hstatus.GVA/SPV/SPVP: a trap
 *    into HS from V=0 clears SPV and GVA, writes htval (0) and htinst
 *    (0, or the transformed instruction for a load/store fault: QEMU
 *    cpu_helper.c riscv_cpu_do_interrupt / riscv_transformed_insn) and
 *    leaves SPVP alone;
 *  - L1's own Sv39 tables (satp): permissions, A/D (Svadu), reserved bits,
 *    sfence.vma, non-leaf PTEs pointing above the end of RAM (a page fault
 *    natively: the walk's implicit access fails) and leaves pointing there
 *    (an access fault). */
#include "conf_lib.h"

#define HS_BOOT (2ull << 32)
#define H_GVA (1ull << 6)
#define H_SPV (1ull << 7)
#define H_SPVP (1ull << 8)

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));

#define TRAP_FMT "%s cause %d tval %x"
#define TRAP_ARGS(t) (t) ? "trap" : "no trap", (t) ? (long)T.cause : 0L, (t) ? T.tval : 0ull

/* One instruction in U: it must trap with cause/tval. */
static void u_illegal(const char *name, uint32_t insn, uint64_t cause, uint64_t tval)
{
    conf_exec(insn, MODE_U, 0, 0);
    int t = conf_trapped;
    check(name, t && T.cause == cause && T.tval == tval && T.epc == (uint64_t)(uintptr_t)conf_code_buf,
          TRAP_FMT " epc-offset %x", TRAP_ARGS(t), T.epc - (uint64_t)(uintptr_t)conf_code_buf);
}

static void test_user(void)
{
    u_illegal("user.sret", I_SRET, 2, I_SRET);
    u_illegal("user.mret", I_MRET, 2, I_MRET);
    u_illegal("user.wfi", I_WFI, 2, I_WFI);
    u_illegal("user.sfence.vma", I_SFENCE_VMA(0, 0), 2, I_SFENCE_VMA(0, 0));
    u_illegal("user.sfence.vma-a0", I_SFENCE_VMA(R_A0, R_A1), 2, I_SFENCE_VMA(R_A0, R_A1));
    u_illegal("user.ecall", I_ECALL, 8, 0);
    u_illegal("user.ebreak", I_EBREAK, 3, (uint64_t)(uintptr_t)conf_code_buf);
    u_illegal("user.zero", 0, 2, 0);
    u_illegal("user.ones", 0xffffffffu, 2, 0xffffffffu);
    u_illegal("user.csrr-satp", enc_csr(F_CSRRS, R_A0, 0, 0x180), 2, enc_csr(F_CSRRS, R_A0, 0, 0x180));
    /* c.ebreak: a 16-bit instruction followed by c.nop. */
    u_illegal("user.c.ebreak", 0x00019002u, 3, (uint64_t)(uintptr_t)conf_code_buf);
    /* U may do ordinary work: a load from RAM (satp Bare). */
    page_a[0] = 0x1122334455667788ull;
    uint64_t v = conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_U, (uint64_t)(uintptr_t)page_a, 0);
    check("user.load", !conf_trapped && v == page_a[0], "%x", v);
    /* sret to U lands at sepc with U privileges: a U-mode ecall follows. */
    uint32_t seq[2] = { enc_i(0x13, 0, R_A0, R_A0, 1), I_ECALL };   /* addi a0, a0, 1; ecall */
    conf_run(seq, 2, MODE_U, 41, 0);
    check("user.sret-to-u", conf_trapped && T.cause == 8 && conf_result == 42 &&
          ((T.sstatus >> 8) & 1) == 0, "cause %d a0 %d sstatus.SPP %d", (long)T.cause,
          (long)conf_result, (long)((T.sstatus >> 8) & 1));
}

static void test_supervisor(void)
{
    conf_exec(I_MRET, MODE_S, 0, 0);
    int t = conf_trapped;
    check("super.mret", t && T.cause == 2 && T.tval == I_MRET, TRAP_FMT, TRAP_ARGS(t));
    /* mret right after an SBI call and after a timer interrupt. */
    sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    conf_exec(I_MRET, MODE_S, 0, 0);
    t = conf_trapped;
    check("super.mret-after-sbi", t && T.cause == 2 && T.tval == I_MRET, TRAP_FMT, TRAP_ARGS(t));
    uint32_t two[2] = { I_MRET, I_MRET };
    conf_run(two, 2, MODE_S, 0, 0);
    t = conf_trapped;
    check("super.mret-twice", t && T.cause == 2 && T.epc == (uint64_t)(uintptr_t)conf_code_buf,
          TRAP_FMT, TRAP_ARGS(t));
    conf_exec(0, MODE_S, 0, 0);
    t = conf_trapped;
    check("super.zero", t && T.cause == 2 && T.tval == 0, TRAP_FMT, TRAP_ARGS(t));
    conf_exec(I_EBREAK, MODE_S, 0, 0);
    t = conf_trapped;
    check("super.ebreak", t && T.cause == 3 && T.tval == (uint64_t)(uintptr_t)conf_code_buf,
          TRAP_FMT, TRAP_ARGS(t));
    static const struct { const char *n; unsigned rs1, rs2; } sf[] = {
        { "super.sfence.vma", 0, 0 }, { "super.sfence.vma-va", R_A0, 0 },
        { "super.sfence.vma-asid", 0, R_A1 }, { "super.sfence.vma-va-asid", R_A0, R_A1 } };
    for (unsigned i = 0; i < 4; i++) {
        conf_exec(I_SFENCE_VMA(sf[i].rs1, sf[i].rs2), MODE_S, 0x80200000, 5);
        t = conf_trapped;
        check(sf[i].n, !t, TRAP_FMT, TRAP_ARGS(t));
    }
    /* sret with SPP=S (and SPV=0) stays in S: continue at sepc. */
    uint32_t sr[4] = {
        enc_i(0x17, 0, R_A1, 0, 0) | 0,               /* auipc a1, 0 */
        enc_i(0x13, 0, R_A1, R_A1, 16),               /* addi a1, a1, 16 */
        enc_csr(F_CSRRW, 0, R_A1, 0x141),             /* csrw sepc, a1 */
        I_SRET,
    };
    uint32_t code[6];
    for (int i = 0; i < 4; i++) code[i] = sr[i];
    code[4] = enc_i(0x13, 0, R_A0, R_A0, 7);          /* addi a0, a0, 7 */
    csr_set(sstatus, 1 << 8);
    csr_write(0x600, HS_BOOT);
    uint64_t r = conf_run(code, 5, MODE_S, 35, 0);
    t = conf_trapped;
    check("super.sret-to-s", !t && r == 42, "%s a0 %d", t ? "trap" : "no trap", (long)r);
}

static uint64_t now(void)
{
    return csr_read(time);
}

/* WFI in S: returns when an enabled interrupt is pending, even with SIE=0
 * (priv spec: WFI is unaffected by the global enables); then the timer
 * interrupt is taken once SIE is set. */
static void test_wfi(void)
{
    uint64_t before = irq_counts[5];
    csr_clear(sstatus, 2);
    csr_set(sie, 1 << 5);
    uint64_t t0 = now();                  /* before arming: see conf_sbi.c */
    csr_write(0x14d, t0 + 20000);
    for (int i = 0; i < 1000 && !(csr_read(sip) & (1 << 5)); i++)
        __asm__ volatile("wfi");
    uint64_t waited = now() - t0;
    uint64_t sip = csr_read(sip);
    check("wfi.sie0", (sip & 0x20) && irq_counts[5] == before && waited >= 20000,
          "sip.STIP %d, interrupts taken %d, waited >= 2 ms %d", (long)((sip >> 5) & 1),
          (long)(irq_counts[5] - before), (long)(waited >= 20000));
    csr_set(sstatus, 2);
    __asm__ volatile("nop");
    csr_clear(sstatus, 2);
    check("wfi.taken", irq_counts[5] == before + 1 && TI.cause == (1ull << 63 | 5),
          "interrupts taken %d, scause %x", (long)(irq_counts[5] - before), TI.cause);
    csr_write(0x14d, ~0ull);
    /* WFI with the interrupt already pending returns at once. */
    csr_write(0x14d, 0);
    csr_set(sie, 1 << 5);
    t0 = now();
    __asm__ volatile("wfi");
    check("wfi.pending", now() - t0 < 10000000, "returned %d", 1L);
    csr_write(0x14d, ~0ull);
    csr_clear(sie, 1 << 5);
}

/* Prime htval/htinst/hstatus with non-zero values, then take a trap. */
static void prime(int spv)
{
    csr_write(0x643, 0x1234567ull);
    csr_write(0x64a, 0xbeefull);
    csr_write(0x600, HS_BOOT | H_GVA | H_SPVP | (spv ? H_SPV : 0));
}

/* htinst_alt: a second value the reference may give (QEMU computes the
 * transformed instruction of an access fault only on some paths). */
static void check_after2(const char *name, volatile struct trapinfo *ti, uint64_t cause,
                         uint64_t htinst, uint64_t htinst_alt)
{
    uint64_t hs = ti->hstatus;
    int ok = ti->cause == cause && ti->htval == 0
             && (ti->htinst == htinst || ti->htinst == htinst_alt) && !(hs & H_GVA)
             && !(hs & H_SPV) && (hs & H_SPVP);
    check(name, ok, "cause %x htval %x htinst %x hstatus.GVA %d SPV %d SPVP %d (expected cause %x htval 0 htinst %x GVA 0 SPV 0 SPVP 1)",
          ti->cause, ti->htval, ti->htinst, (long)((hs >> 6) & 1), (long)((hs >> 7) & 1),
          (long)((hs >> 8) & 1), cause, htinst);
    csr_write(0x600, HS_BOOT);
}

static void check_after(const char *name, volatile struct trapinfo *ti, uint64_t cause,
                        uint64_t htinst)
{
    check_after2(name, ti, cause, htinst, htinst);
}

/* Traps after L1 primed the registers; spv selects whether hstatus.SPV was
 * set too (only for traps from S: an sret to U needs SPV=0). The SPV=1
 * pass runs last: under an L0 that keeps SPV set, the handler's sret
 * would enter a guest. */
static const char *aname(int spv, const char *k)
{
    static char b[48];
    const char *p = spv ? "after-spv." : "after.";
    unsigned n = 0;
    while (*p) b[n++] = *p++;
    while (*k) b[n++] = *k++;
    b[n] = 0;
    return b;
}

static void test_after_write(uint64_t *root, int spv)
{
    if (!spv) {
        prime(0);
        conf_exec(I_ECALL, MODE_U, 0, 0);
        check_after(aname(spv, "u-ecall"), &T, 8, 0);
        prime(0);
        conf_exec(0, MODE_U, 0, 0);
        check_after(aname(spv, "u-illegal"), &T, 2, 0);
        prime(0);
        conf_exec(I_EBREAK, MODE_U, 0, 0);
        check_after(aname(spv, "u-ebreak"), &T, 3, 0);
    }
    prime(spv);
    conf_exec(0, MODE_S, 0, 0);
    check_after(aname(spv, "s-illegal"), &T, 2, 0);
    prime(spv);
    conf_exec(I_EBREAK, MODE_S, 0, 0);
    check_after(aname(spv, "s-ebreak"), &T, 3, 0);
    prime(spv);
    conf_exec(enc_csr(F_CSRRS, R_A0, 0, 0x300), MODE_S, 0, 0);
    check_after(aname(spv, "s-mstatus"), &T, 2, 0);
    /* Page faults: load and store through satp, from S and U. htinst is
     * the transformed instruction (offset field 0, rs1 0). */
    uint64_t bad = 0xc0000000ull;
    *pt_slot(root, bad, 0) = 0;
    satp_set(SATP_SV39(root));
    prime(spv);
    conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, bad, 0);
    check_after(aname(spv, "s-load-pf"), &T, 13, I_LOAD(3, R_A0, 0, 0));
    prime(spv);
    conf_exec(I_STORE(3, R_A0, R_A1, 0), MODE_S, bad + 8, 0);
    check_after(aname(spv, "s-store-pf"), &T, 15, I_STORE(3, 0, R_A1, 0));
    prime(spv);
    conf_exec(I_LOAD(2, R_A0, R_A0, 8), MODE_S, bad, 0);
    check_after(aname(spv, "s-lw-imm-pf"), &T, 13, I_LOAD(2, R_A0, 0, 0));
    prime(spv);
    conf_call(bad, 0, 0);
    check_after(aname(spv, "s-fetch-pf"), &T, 12, 0);
    if (!spv) {
        prime(0);
        conf_code_va_off = 0x50000000ull - (uint64_t)(uintptr_t)conf_code_buf;
        conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_U, bad, 0);
        conf_code_va_off = 0;
        check_after(aname(spv, "u-load-pf"), &T, 13, I_LOAD(3, R_A0, 0, 0));
    }
    satp_set(0);
    /* Access faults (through M: OpenSBI redirects them). */
    prime(spv);
    conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, 0, 0);
    check_after2(aname(spv, "s-load-af"), &T, 5, I_LOAD(3, R_A0, 0, 0), 0);
    /* A timer interrupt. */
    prime(spv);
    uint64_t before = irq_counts[5];
    csr_set(sie, 1 << 5);
    csr_write(0x14d, now() + 1000);
    csr_set(sstatus, 2);
    wait_irq(5, before, 10000000);
    csr_clear(sstatus, 2);
    csr_write(0x14d, ~0ull);
    check_after(aname(spv, "timer"), &TI, (1ull << 63) | 5, 0);
    /* What L1 reads back directly after the trap. */
    prime(spv);
    conf_exec(0, MODE_S, 0, 0);
    uint64_t hv = csr_read(0x643), hi = csr_read(0x64a), hs = csr_read(0x600);
    check(aname(spv, "readback"), hv == 0 && hi == 0 && hs == (HS_BOOT | H_SPVP),
          "htval %x htinst %x hstatus %x (expected 0 0 %x)", hv, hi, hs, HS_BOOT | H_SPVP);
    csr_write(0x600, HS_BOOT);
}

/* L1's own Sv39 tables. */
static void test_paging(uint64_t *root)
{
    uint64_t va = 0xc0000000ull;                      /* root index 3: test tables */
    uint64_t *pte = pt_slot(root, va, 0);
    uint64_t pa_a = (uint64_t)(uintptr_t)page_a, pa_b = (uint64_t)(uintptr_t)page_b;
    page_a[0] = 0xaaaa0000aaaa0000ull;
    page_b[0] = 0xbbbb0000bbbb0000ull;
    page_a[1] = 0x0000000000008067ull;                /* ret */
    satp_set(SATP_SV39(root));
    struct { const char *name; uint64_t flags; int sum, mxr; uint32_t insn; uint64_t cause; } pc[] = {
        { "pt.load-rw", PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 0 },
        { "pt.load-invalid", PTE_R | PTE_W | PTE_A | PTE_D, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-xonly", PTE_V | PTE_X | PTE_A, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-xonly-mxr", PTE_V | PTE_X | PTE_A, 0, 1, I_LOAD(3, R_A0, R_A0, 0), 0 },
        { "pt.load-wonly", PTE_V | PTE_W | PTE_A | PTE_D, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-wx", PTE_V | PTE_W | PTE_X | PTE_A | PTE_D, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.store-ro", PTE_V | PTE_R | PTE_A | PTE_D, 0, 0, I_STORE(3, R_A0, R_A1, 0), 15 },
        { "pt.load-user", PTE_V | PTE_R | PTE_U | PTE_A, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-user-sum", PTE_V | PTE_R | PTE_U | PTE_A, 1, 0, I_LOAD(3, R_A0, R_A0, 0), 0 },
        { "pt.store-user-sum", PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, 1, 0, I_STORE(3, R_A0, R_A1, 0), 0 },
        { "pt.load-pbmt", PTE_V | PTE_R | PTE_A | (1ull << 61), 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-napot", PTE_V | PTE_R | PTE_A | (1ull << 63), 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-rsv", PTE_V | PTE_R | PTE_A | (1ull << 54), 0, 0, I_LOAD(3, R_A0, R_A0, 0), 13 },
        { "pt.load-global", PTE_V | PTE_R | PTE_G | PTE_A, 0, 0, I_LOAD(3, R_A0, R_A0, 0), 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(pc); i++) {
        *pte = (pa_a >> 12 << 10) | pc[i].flags;
        __asm__ volatile("sfence.vma" ::: "memory");
        if (pc[i].sum) csr_set(sstatus, 1 << 18);
        if (pc[i].mxr) csr_set(sstatus, 1 << 19);
        uint64_t r = conf_exec(pc[i].insn, MODE_S, va, 0x5555);
        int t = conf_trapped;
        csr_clear(sstatus, (1 << 18) | (1 << 19));
        int ok = pc[i].cause ? (t && T.cause == pc[i].cause && T.tval == va) : !t;
        if (!t && (pc[i].insn & 0x7f) == 3)
            ok = ok && r == page_a[0];
        check(pc[i].name, ok, TRAP_FMT " value %x", TRAP_ARGS(t), t ? 0 : r);
        page_a[0] = 0xaaaa0000aaaa0000ull;
    }
    /* Fetch: from an X page, from a non-X page. */
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_X | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    conf_call(va + 8, 0, 0);
    int t = conf_trapped;
    check("pt.fetch-x", !t, TRAP_FMT, TRAP_ARGS(t));
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    conf_call(va + 8, 0, 0);
    t = conf_trapped;
    check("pt.fetch-nx", t && T.cause == 12 && T.tval == va + 8, TRAP_FMT, TRAP_ARGS(t));
    /* A/D: with Svadu (menvcfg.ADUE) the hardware sets them. */
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_W;
    __asm__ volatile("sfence.vma" ::: "memory");
    conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, va, 0);
    t = conf_trapped;
    uint64_t p1 = *pte;
    conf_exec(I_STORE(3, R_A0, R_A1, 0), MODE_S, va, 7);
    int t2 = conf_trapped;
    uint64_t p2 = *pte;
    check("pt.ad-update", !t && !t2 && (p1 & (PTE_A | PTE_D)) == PTE_A && (p2 & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
          "load: %s, pte %x; store: %s, pte %x", t ? "trap" : "ok", p1, t2 ? "trap" : "ok", p2);
    page_a[0] = 0xaaaa0000aaaa0000ull;
    /* sfence.vma makes a remap visible. */
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    uint64_t v1 = conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, va, 0);
    *pte = (pa_b >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    conf_exec(I_SFENCE_VMA(R_A0, 0), MODE_S, va, 0);
    uint64_t v2 = conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, va, 0);
    check("pt.sfence-remap", v1 == page_a[0] && v2 == page_b[0], "before %x after %x", v1, v2);
    /* Superpages: aligned 2 MiB leaf works, a misaligned one faults. */
    uint64_t *l1 = pt_slot(root, 0xc0200000ull, 1);
    uint64_t big = (uint64_t)(uintptr_t)page_c & ~0x1fffffull;
    *l1 = (big >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    page_c[3] = 0xcccc;
    uint64_t off = (uint64_t)(uintptr_t)&page_c[3] - big;
    uint64_t v3 = conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, 0xc0200000ull + off, 0);
    t = conf_trapped;
    check("pt.megapage", !t && v3 == 0xcccc, TRAP_FMT " value %x", TRAP_ARGS(t), v3);
    *l1 = ((big + 0x1000) >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, 0xc0200000ull + off, 0);
    t = conf_trapped;
    check("pt.megapage-misaligned", t && T.cause == 13, TRAP_FMT, TRAP_ARGS(t));
    /* U-mode: a U page works, an S page faults. */
    conf_code_va_off = 0x50000000ull - (uint64_t)(uintptr_t)conf_code_buf;
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_U | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    uint64_t v4 = conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_U, va, 0);
    t = conf_trapped;
    check("pt.user-load", !t && v4 == page_a[0], TRAP_FMT " value %x", TRAP_ARGS(t), v4);
    *pte = (pa_a >> 12 << 10) | PTE_V | PTE_R | PTE_A;
    __asm__ volatile("sfence.vma" ::: "memory");
    conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_U, va, 0);
    t = conf_trapped;
    check("pt.user-load-s-page", t && T.cause == 13 && T.tval == va, TRAP_FMT, TRAP_ARGS(t));
    conf_code_va_off = 0;
    satp_set(0);
}

/* Tables and leaves above the end of RAM (where rvnest keeps L0). */
static void test_above_ram(uint64_t *root)
{
    uint64_t end = dt_ram_end;
    static const uint64_t offs[] = { 0, 0x100, 0x4000, 0x200000, 0x600000 };
    static const char *const on[] = { "+0", "+0x100", "+0x4000", "+2M", "+6M" };
    char name[48];
    satp_set(SATP_SV39(root));
    for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
        uint64_t tbl = end + (offs[i] & ~0xfffull);
        /* A level-1 table entry pointing at a "table" above RAM. */
        uint64_t va = 0xc0400000ull;
        uint64_t *l1 = pt_slot(root, va, 1);
        *l1 = (tbl >> 12 << 10) | PTE_V;
        __asm__ volatile("sfence.vma" ::: "memory");
        conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, va, 0);
        int t = conf_trapped;
        uint64_t c = t ? T.cause : 0, tv = t ? T.tval : 0;
        conf_exec(I_STORE(3, R_A0, R_A1, 0), MODE_S, va, 0);
        int t2 = conf_trapped;
        uint64_t c2 = t2 ? T.cause : 0;
        conf_call(va, 0, 0);
        int t3 = conf_trapped;
        uint64_t c3 = t3 ? T.cause : 0;
        check(str_join(name, sizeof(name), "pt.table-above-ram", on[i], 0), t && c == 13 && tv == va && t2 && c2 == 15 && t3 && c3 == 12,
              "table at RAM end %s: load " TRAP_FMT ", store cause %d, fetch cause %d", on[i],
              t ? "trap" : "no trap", (long)c, tv, (long)c2, (long)c3);
        *l1 = 0;
        /* A leaf pointing above RAM: access faults. */
        uint64_t *pte = pt_slot(root, va, 0);
        *pte = ((end + offs[i]) >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
        __asm__ volatile("sfence.vma" ::: "memory");
        conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, va, 0);
        t = conf_trapped;
        c = t ? T.cause : 0;
        tv = t ? T.tval : 0;
        conf_exec(I_STORE(3, R_A0, R_A1, 0), MODE_S, va, 0);
        t2 = conf_trapped;
        c2 = t2 ? T.cause : 0;
        conf_call(va, 0, 0);
        t3 = conf_trapped;
        c3 = t3 ? T.cause : 0;
        check(str_join(name, sizeof(name), "pt.leaf-above-ram", on[i], 0), t && c == 5 && tv == va && t2 && c2 == 7 && t3 && c3 == 1,
              "leaf at RAM end %s: load " TRAP_FMT ", store cause %d, fetch cause %d", on[i],
              t ? "trap" : "no trap", (long)c, tv, (long)c2, (long)c3);
        *l1 = 0;
        __asm__ volatile("sfence.vma" ::: "memory");
    }
    satp_set(0);
    /* Physical accesses (satp Bare) above RAM: access faults. */
    static const uint64_t poffs[] = { 0, 0x1000, 0x4000, 0x100000, 0x200000, 0x400000, 0x600000,
                                      0x7ff000, 0x800000, 0x10000000 };
    for (unsigned i = 0; i < ARRAY_SIZE(poffs); i++) {
        uint64_t pa = end + poffs[i];
        conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, pa, 0);
        int t = conf_trapped;
        uint64_t c = t ? T.cause : 0, tv = t ? T.tval : 0;
        conf_exec(I_STORE(2, R_A0, R_A1, 0), MODE_S, pa, 0);
        int t2 = conf_trapped;
        uint64_t c2 = t2 ? T.cause : 0;
        uint64_t o = poffs[i];
        char hex[17], *h = hex + 16;
        *h = 0;
        do { *--h = "0123456789abcdef"[o & 15]; o >>= 4; } while (o);
        check(str_join(name, sizeof(name), "phys.above-ram+0x", h, 0), t && c == 5 && tv == pa && t2 && c2 == 7,
              "load " TRAP_FMT ", store cause %d", t ? "trap" : "no trap", (long)c, tv, (long)c2);
    }
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    cprintf("conf_traps: start\n");
    check("boot.ram", dt_ram_base == 0x80000000ull && dt_ram_end == 0x90000000ull,
          "RAM [%x, %x)", dt_ram_base, dt_ram_end);
    check("boot.dt-in-ram", fdt >= dt_ram_base && fdt < dt_ram_end, "device tree inside RAM: %d",
          (long)(fdt >= dt_ram_base && fdt < dt_ram_end));
    uint64_t *root = pt_identity();
    /* The code buffer aliased at 0x50000000 with U=1 for U-mode probes. */
    pt_map(root, 0x50000000ull, (uint64_t)(uintptr_t)conf_code_buf,
           PTE_V | PTE_R | PTE_X | PTE_U | PTE_A, 0);
    pt_slot(root, 0xc0000000ull, 0);
    test_user();
    test_supervisor();
    test_wfi();
    test_after_write(root, 0);
    test_paging(root);
    test_above_ram(root);
    test_after_write(root, 1);
    conf_done("conf_traps");
    return 0;
}
