/* L1 conformance: cases that concern an L0 living beside L1 but that L1
 * must see exactly as on native H.
 *  - L1 maps a page at the virtual address equal to the end of its RAM
 *    (where rvnest keeps L0: its vector at +0, microcode at +0x100 and
 *    +0x110, both ending with an all-zero word) and runs zero words,
 *    ebreak, an SBI ecall followed by a zero word and a csrw vstimecmp
 *    followed by a zero word there;
 *  - stvec at that virtual address (direct and vectored);
 *  - mret in S-mode;
 *  - the PLIC context page of hart 0's S context (rvnest traps it): every
 *    access width, misaligned, AMOs and LR/SC. Native QEMU's PLIC accepts
 *    only aligned 32-bit accesses (hw/intc/sifive_plic.c: valid 4..4). */
#include "conf_lib.h"

extern char conf_trap_entry[], conf_trap_entry_end[];

static uint32_t page_p[1024] __attribute__((aligned(4096)));   /* code at RAM end */
static uint32_t page_q[1024] __attribute__((aligned(4096)));   /* stvec page */

#define TRAP_FMT "%s cause %d tval %x epc %x"
#define TRAP_ARGS(t) (t) ? "trap" : "no trap", (t) ? (long)T.cause : 0L, (t) ? T.tval : 0ull, \
                     (t) ? T.epc : 0ull

static uint32_t enc_jal(unsigned rd, int off)
{
    uint32_t u = (uint32_t)off;
    return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20)
           | (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

static void flush_code(void)
{
    __asm__ volatile("fence.i; sfence.vma" ::: "memory");
}

static void test_code_at_ram_end(uint64_t *root)
{
    uint64_t end = dt_ram_end;
    uint64_t *pte = pt_slot(root, end, 0);
    int t;

    for (int i = 0; i < 1024; i++)
        page_p[i] = 0x00008067u;                       /* ret */
    page_p[0] = 0;                                     /* +0x000: zero word (L0 vector) */
    page_p[0xf8 / 4] = enc_i(0x13, 0, 17, 0, 0x10);    /* li a7, BASE */
    page_p[0xfc / 4] = enc_i(0x13, 0, 16, 0, 0);       /* li a6, 0 (spec version) */
    page_p[0x100 / 4] = I_ECALL;                       /* +0x100: ecall (microcode) */
    page_p[0x104 / 4] = enc_i(0x13, 0, R_A0, R_A1, 0); /* mv a0, a1 */
    page_p[0x108 / 4] = 0;                             /* zero word */
    page_p[0x110 / 4] = enc_csr(F_CSRRW, 0, R_A0, 0x24d); /* +0x110: csrw vstimecmp, a0 */
    page_p[0x114 / 4] = 0;
    page_p[0x200 / 4] = I_EBREAK;
    page_p[0x204 / 4] = I_MRET;
    page_p[0x208 / 4] = I_WFI;                         /* then ret */
    page_p[0x300 / 4] = enc_i(0x13, 0, R_A0, R_A0, 1); /* addi a0, a0, 1; ret */
    *pte = ((uint64_t)(uintptr_t)page_p >> 12 << 10) | PTE_V | PTE_R | PTE_X | PTE_A;
    flush_code();

    conf_call(end, 0, 0);
    t = conf_trapped;
    check("ramend.zero-word", t && T.cause == 2 && T.tval == 0 && T.epc == end, TRAP_FMT, TRAP_ARGS(t));
    uint64_t r = conf_call(end + 0xf8, 0, 0);
    t = conf_trapped;
    check("ramend.ecall-then-zero", t && T.cause == 2 && T.epc == end + 0x108 && r == 0x2000000,
          TRAP_FMT " a0 %x", TRAP_ARGS(t), r);
    conf_call(end + 0x104, 0, 0);
    t = conf_trapped;
    check("ramend.zero-after-ecall", t && T.cause == 2 && T.epc == end + 0x108, TRAP_FMT, TRAP_ARGS(t));
    csr_write(0x24d, ~0ull);
    conf_call(end + 0x110, 0x123456789ull, 0);
    t = conf_trapped;
    uint64_t vstc = csr_read(0x24d);
    check("ramend.csrw-vstimecmp-then-zero", t && T.cause == 2 && T.epc == end + 0x114 && vstc == 0x123456789ull,
          TRAP_FMT " vstimecmp %x", TRAP_ARGS(t), vstc);
    csr_write(0x24d, ~0ull);
    conf_call(end + 0x200, 0, 0);
    t = conf_trapped;
    check("ramend.ebreak", t && T.cause == 3 && T.tval == end + 0x200 && T.epc == end + 0x200,
          TRAP_FMT, TRAP_ARGS(t));
    conf_call(end + 0x204, 0, 0);
    t = conf_trapped;
    check("ramend.mret", t && T.cause == 2 && T.tval == I_MRET && T.epc == end + 0x204, TRAP_FMT, TRAP_ARGS(t));
    csr_write(0x14d, 0);                               /* a pending (masked) timer: wfi returns */
    csr_set(sie, 1 << 5);
    r = conf_call(end + 0x208, 5, 0);
    t = conf_trapped;
    csr_clear(sie, 1 << 5);
    csr_write(0x14d, ~0ull);
    check("ramend.wfi", !t && r == 5, "%s a0 %d", t ? "trap" : "no trap", (long)r);
    r = conf_call(end + 0x300, 41, 0);
    t = conf_trapped;
    check("ramend.code", !t && r == 42, "%s a0 %d", t ? "trap" : "no trap", (long)r);
    /* Loads and stores at that VA (mapped read-only, then RW). */
    r = conf_exec(I_LOAD(2, R_A0, R_A0, 0), MODE_S, end + 0x300, 0);
    t = conf_trapped;
    check("ramend.load", !t && r == (uint64_t)(int32_t)page_p[0x300 / 4], "%s value %x", t ? "trap" : "no trap", r);
    conf_exec(I_STORE(2, R_A0, R_A1, 0), MODE_S, end + 0x400, 0x11);
    t = conf_trapped;
    check("ramend.store-ro", t && T.cause == 15 && T.tval == end + 0x400, TRAP_FMT, TRAP_ARGS(t));
    *pte |= PTE_W | PTE_D;
    flush_code();
    conf_exec(I_STORE(2, R_A0, R_A1, 0), MODE_S, end + 0x400, 0x00100073);   /* ebreak */
    t = conf_trapped;
    flush_code();
    conf_call(end + 0x400, 0, 0);
    int t2 = conf_trapped;
    check("ramend.store-then-run", !t && page_p[0x100] == 0x00100073 && t2 && T.cause == 3,
          "store %s, word %x, run: " TRAP_FMT, t ? "trap" : "ok", (uint64_t)page_p[0x100], TRAP_ARGS(t2));

    /* From U: the code buffer aliased at that VA with U=1. */
    uint64_t off = conf_code_va_off;
    conf_code_va_off = end - (uint64_t)(uintptr_t)conf_code_buf;
    *pte = ((uint64_t)(uintptr_t)conf_code_buf >> 12 << 10) | PTE_V | PTE_R | PTE_X | PTE_U | PTE_A;
    flush_code();
    conf_exec(0, MODE_U, 0, 0);
    t = conf_trapped;
    check("ramend.user-zero", t && T.cause == 2 && T.tval == 0 && T.epc == end, TRAP_FMT, TRAP_ARGS(t));
    conf_exec(I_EBREAK, MODE_U, 0, 0);
    t = conf_trapped;
    check("ramend.user-ebreak", t && T.cause == 3 && T.epc == end, TRAP_FMT, TRAP_ARGS(t));
    conf_exec(I_ECALL, MODE_U, 0, 0);
    t = conf_trapped;
    check("ramend.user-ecall", t && T.cause == 8 && T.epc == end, TRAP_FMT, TRAP_ARGS(t));
    conf_code_va_off = off;
    /* Fetch from an unmapped VA equal to the RAM end: page fault. */
    *pte = 0;
    flush_code();
    conf_call(end, 0, 0);
    t = conf_trapped;
    check("ramend.unmapped-fetch", t && T.cause == 12 && T.tval == end, TRAP_FMT, TRAP_ARGS(t));
}

/* stvec at the VA of the RAM end: a copy of the trap entry there. */
static void test_stvec_at_ram_end(uint64_t *root)
{
    uint64_t end = dt_ram_end;
    uint64_t *pte = pt_slot(root, end, 0);
    unsigned n = (unsigned)(conf_trap_entry_end - conf_trap_entry);
    for (int i = 0; i < 1024; i++)
        page_q[i] = 0;
    /* +0x000 and +0x014 (cause 5 in vectored mode) jump to the entry at +0x100. */
    page_q[0] = enc_jal(0, 0x100);
    page_q[1] = enc_jal(0, 0x100 - 4);
    page_q[5] = enc_jal(0, 0x100 - 0x14);
    unsigned char *dst = (unsigned char *)&page_q[0x40];
    for (unsigned i = 0; i < n; i++)
        dst[i] = (unsigned char)conf_trap_entry[i];
    *pte = ((uint64_t)(uintptr_t)page_q >> 12 << 10) | PTE_V | PTE_R | PTE_X | PTE_A;
    flush_code();
    static const struct { const char *name; uint64_t vec; } modes[] = {
        { "stvec-ramend.", 0x100 }, { "stvec-ramend-vectored.", 1 }, { "stvec-ramend0.", 0 } };
    char name[64];
    for (unsigned m = 0; m < 3; m++) {
        uint64_t vec = end + modes[m].vec;
        csr_write(stvec, vec);
        uint64_t rb = csr_read(stvec);
        struct { const char *k; int ok; long c; uint64_t tv, epc; } res[5];
        conf_exec(0, MODE_S, 0, 0);
        res[0].k = "illegal"; res[0].ok = conf_trapped && T.cause == 2;
        if (!conf_trapped) T.cause = T.tval = T.epc = 0;
        res[0].c = (long)T.cause; res[0].tv = T.tval; res[0].epc = T.epc;
        conf_exec(I_EBREAK, MODE_S, 0, 0);
        res[1].k = "ebreak"; res[1].ok = conf_trapped && T.cause == 3;
        if (!conf_trapped) T.cause = T.tval = T.epc = 0;
        res[1].c = (long)T.cause; res[1].tv = T.tval; res[1].epc = T.epc;
        conf_code_va_off = 0x50000000ull - (uint64_t)(uintptr_t)conf_code_buf;
        conf_exec(I_ECALL, MODE_U, 0, 0);
        conf_code_va_off = 0;
        res[2].k = "u-ecall"; res[2].ok = conf_trapped && T.cause == 8;
        if (!conf_trapped) T.cause = T.tval = T.epc = 0;
        res[2].c = (long)T.cause; res[2].tv = T.tval; res[2].epc = T.epc;
        conf_exec(I_LOAD(3, R_A0, R_A0, 0), MODE_S, 0xc0000000ull, 0);
        res[3].k = "load-pf"; res[3].ok = conf_trapped && T.cause == 13 && T.tval == 0xc0000000ull;
        if (!conf_trapped) T.cause = T.tval = T.epc = 0;
        res[3].c = (long)T.cause; res[3].tv = T.tval; res[3].epc = T.epc;
        uint64_t before = irq_counts[5];
        csr_set(sie, 1 << 5);
        csr_write(0x14d, csr_read(time) + 1000);
        csr_set(sstatus, 2);
        wait_irq(5, before, 10000000);
        csr_clear(sstatus, 2);
        csr_write(0x14d, ~0ull);
        res[4].k = "timer"; res[4].ok = irq_counts[5] == before + 1 && TI.cause == (1ull << 63 | 5);
        res[4].c = (long)(TI.cause & 63); res[4].tv = TI.tval; res[4].epc = irq_counts[5] - before;
        csr_write(stvec, (uint64_t)(uintptr_t)conf_trap_entry);
        for (unsigned k = 0; k < 5; k++) {
            unsigned j = 0;
            const char *p;
            for (p = modes[m].name; *p;) name[j++] = *p++;
            for (p = res[k].k; *p;) name[j++] = *p++;
            name[j] = 0;
            check(name, res[k].ok && rb == vec, "stvec %x: cause %d tval %x epc %x", rb, res[k].c,
                  res[k].tv, res[k].epc);
        }
    }
    *pte = 0;
    flush_code();
}

/* The PLIC: hart 0's S context page.
 * Native QEMU (hw/intc/sifive_plic.c) accepts 4-byte accesses only; QEMU's
 * TCG splits a misaligned access into aligned pieces first, so an 8-byte
 * access at an address that is 4 mod 8 becomes two valid 4-byte accesses
 * while a 2-byte piece is refused (access fault). A misaligned AMO raises
 * the misaligned exception QEMU uses for AMOs (cause 4) before any access,
 * an aligned 8-byte AMO is refused by the device (store/AMO access fault).
 * OpenSBI leaves the S context threshold at 7 (all sources masked). */
#define AMO(f5, f3, rd, rs1, rs2) (((uint32_t)(f5) << 27) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x2f)
enum { K_LOAD, K_STORE, K_AMO, K_LR, K_SC };
struct pl {
    const char *name;
    uint32_t insn;
    int kind;
    unsigned size;
};
static const struct pl plic_ops[] = {
    { "lw", I_LOAD(2, R_A0, R_A0, 0), K_LOAD, 4 },
    { "lwu", I_LOAD(6, R_A0, R_A0, 0), K_LOAD, 4 },
    { "lb", I_LOAD(0, R_A0, R_A0, 0), K_LOAD, 1 },
    { "lbu", I_LOAD(4, R_A0, R_A0, 0), K_LOAD, 1 },
    { "lh", I_LOAD(1, R_A0, R_A0, 0), K_LOAD, 2 },
    { "lhu", I_LOAD(5, R_A0, R_A0, 0), K_LOAD, 2 },
    { "ld", I_LOAD(3, R_A0, R_A0, 0), K_LOAD, 8 },
    { "lb+3", I_LOAD(0, R_A0, R_A0, 3), K_LOAD, 1 },
    { "lw+1", I_LOAD(2, R_A0, R_A0, 1), K_LOAD, 4 },
    { "lw+2", I_LOAD(2, R_A0, R_A0, 2), K_LOAD, 4 },
    { "lr.w", AMO(0x02, 2, R_A0, R_A0, 0), K_LR, 4 },
    { "sw", I_STORE(2, R_A0, R_A1, 0), K_STORE, 4 },
    { "sb", I_STORE(0, R_A0, R_A1, 0), K_STORE, 1 },
    { "sh", I_STORE(1, R_A0, R_A1, 0), K_STORE, 2 },
    { "sd", I_STORE(3, R_A0, R_A1, 0), K_STORE, 8 },
    { "sw+2", I_STORE(2, R_A0, R_A1, 2), K_STORE, 4 },
    { "amoadd.w", AMO(0x00, 2, R_A0, R_A0, R_A1), K_AMO, 4 },
    { "amoswap.w", AMO(0x01, 2, R_A0, R_A0, R_A1), K_AMO, 4 },
    { "amoor.w", AMO(0x08, 2, R_A0, R_A0, R_A1), K_AMO, 4 },
    { "amoadd.d", AMO(0x00, 3, R_A0, R_A0, R_A1), K_AMO, 8 },
    { "sc.w", AMO(0x03, 2, R_A0, R_A0, R_A1), K_SC, 4 },
};

static uint64_t plic_cause(const struct pl *o, uint64_t addr)
{
    int st = o->kind == K_STORE || o->kind == K_AMO;
    if (o->kind == K_SC)
        return 0;                    /* no reservation: fails without access */
    if (o->kind == K_AMO && (addr & (o->size - 1)))
        return 4;
    if (o->size == 4 && !(addr & 3))
        return 0;
    if (o->size == 8 && (addr & 7) == 4)
        return 0;
    return st ? 7 : 5;
}

static void test_plic(void)
{
    check("plic.base", dt_plic_base == 0xc000000ull, "%x", dt_plic_base);
    static const struct { const char *name; unsigned off; } regs[] = {
        { "plic.threshold.", 0x201000 }, { "plic.claim.", 0x201004 },
        { "plic.ctx1-reserved.", 0x201008 }, { "plic.ctx0-threshold.", 0x200000 },
        { "plic.priority1.", 0x4 }, { "plic.enable-ctx1.", 0x2080 } };
    char name[64];
    uint64_t threshold = 7;
    for (unsigned r = 0; r < ARRAY_SIZE(regs); r++) {
        uint64_t base = dt_plic_base + regs[r].off;
        for (unsigned i = 0; i < ARRAY_SIZE(plic_ops); i++) {
            const struct pl *o = &plic_ops[i];
            /* Stores write 0 (threshold 0, complete of source 0: no-op);
             * outside the S context page only loads. */
            if (o->kind >= K_STORE && r > 2)
                continue;
            uint64_t v = conf_exec(o->insn, MODE_S, base, 0);
            int t = conf_trapped;
            unsigned j = 0;
            const char *p;
            for (p = regs[r].name; *p;) name[j++] = *p++;
            for (p = o->name; *p;) name[j++] = *p++;
            name[j] = 0;
            uint64_t addr = base;
            if ((o->insn & 0x7f) == 0x03)
                addr = base + ((o->insn >> 20) & 0xfff);
            else if ((o->insn & 0x7f) == 0x23)
                addr = base + (((o->insn >> 25) << 5) | ((o->insn >> 7) & 31));
            uint64_t want = plic_cause(o, addr);
            /* Values: the S context's threshold (7, then 0 once written),
             * nothing to claim (0); elsewhere whatever the firmware set. */
            uint64_t wantv = r == 0 ? threshold : 0;
            int ok;
            if (want)
                ok = t && T.cause == want && T.tval == addr;
            else if (o->kind == K_LOAD || o->kind == K_LR || o->kind == K_AMO)
                ok = !t && (r > 2 || v == wantv);
            else if (o->kind == K_SC)
                ok = !t && v == 1;
            else
                ok = !t;
            if (r == 0 && !want && (o->kind == K_STORE || o->kind == K_AMO))
                threshold = 0;
            check(name, ok, "%s cause %d tval %x value %x", t ? "trap" : "no trap", t ? (long)T.cause : 0L,
                  t ? T.tval : 0ull, t ? 0ull : v);
        }
    }
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    cprintf("conf_l0: start\n");
    uint64_t *root = pt_identity();
    pt_map(root, 0x50000000ull, (uint64_t)(uintptr_t)conf_code_buf,
           PTE_V | PTE_R | PTE_X | PTE_U | PTE_A, 0);
    *pt_slot(root, 0xc0000000ull, 0) = 0;
    pt_slot(root, dt_ram_end, 0);
    /* Least disruptive first: an L0 that trips on one of these may stop. */
    test_plic();
    satp_set(SATP_SV39(root));
    /* --append skip_stvec=1 leaves out the stvec tests (to see the code
     * tests on an L0 that stops in them). */
    if (!conf_arg("skip_stvec", 0))
        test_stvec_at_ram_end(root);
    test_code_at_ram_end(root);
    satp_set(0);
    conf_done("conf_l0");
    return 0;
}
