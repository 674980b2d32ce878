/* L1 conformance: the hypervisor instructions L1 executes itself.
 *  - HLV/HLVX/HSV and HFENCE from U with hstatus.HU=0 (illegal), HFENCE
 *    from U with HU=1 (still illegal), HLV/HSV from U with HU=1 (allowed);
 *  - HFENCE.VVMA/GVMA from S in every operand form;
 *  - HLV/HLVX/HSV through two-stage tables L1 builds (Sv39 VS-stage,
 *    Sv39x4 G-stage): values, sign/zero extension, VS-stage and G-stage
 *    faults with stval/htval/htinst/GVA, SPVP/SUM/MXR, A/D, and tables
 *    whose root lies above the end of RAM (QEMU: a page fault for a
 *    failed implicit VS-stage access, a guest-page fault for a failed
 *    G-stage one; cpu_helper.c get_physical_address).
 * QEMU specifics the expectations follow (the reference): HLVX permission
 * faults are instruction page faults (cause 12, also for a G-stage
 * refusal), and HLV/HSV from HS update VS-stage A/D bits by menvcfg.ADUE
 * alone (henvcfg.ADUE only counts when V=1).
 * Ordered from the least to the most demanding for an L0. */
#include "conf_lib.h"

#define HS_BOOT (2ull << 32)
#define H_GVA (1ull << 6)
#define H_SPV (1ull << 7)
#define H_SPVP (1ull << 8)
#define H_HU (1ull << 9)

static const struct { const char *name; uint32_t insn; int store; unsigned size; int sext; } hops[] = {
    { "hlv.b", I_HLV_B(R_A0, R_A0), 0, 1, 1 },
    { "hlv.bu", I_HLV_BU(R_A0, R_A0), 0, 1, 0 },
    { "hlv.h", I_HLV_H(R_A0, R_A0), 0, 2, 1 },
    { "hlv.hu", I_HLV_HU(R_A0, R_A0), 0, 2, 0 },
    { "hlvx.hu", I_HLVX_HU(R_A0, R_A0), 0, 2, 0 },
    { "hlv.w", I_HLV_W(R_A0, R_A0), 0, 4, 1 },
    { "hlv.wu", I_HLV_WU(R_A0, R_A0), 0, 4, 0 },
    { "hlvx.wu", I_HLVX_WU(R_A0, R_A0), 0, 4, 0 },
    { "hlv.d", I_HLV_D(R_A0, R_A0), 0, 8, 0 },
    { "hsv.b", I_HSV_B(R_A0, R_A1), 1, 1, 0 },
    { "hsv.h", I_HSV_H(R_A0, R_A1), 1, 2, 0 },
    { "hsv.w", I_HSV_W(R_A0, R_A1), 1, 4, 0 },
    { "hsv.d", I_HSV_D(R_A0, R_A1), 1, 8, 0 },
};
static const struct { const char *name; uint32_t insn; } fences[] = {
    { "hfence.vvma", I_HFENCE_VVMA(0, 0) }, { "hfence.vvma-va", I_HFENCE_VVMA(R_A0, 0) },
    { "hfence.vvma-asid", I_HFENCE_VVMA(0, R_A1) }, { "hfence.vvma-va-asid", I_HFENCE_VVMA(R_A0, R_A1) },
    { "hfence.gvma", I_HFENCE_GVMA(0, 0) }, { "hfence.gvma-gpa", I_HFENCE_GVMA(R_A0, 0) },
    { "hfence.gvma-vmid", I_HFENCE_GVMA(0, R_A1) }, { "hfence.gvma-gpa-vmid", I_HFENCE_GVMA(R_A0, R_A1) },
};

static char nb[64];
static const char *nm(const char *a, const char *b)
{
    unsigned k = 0;
    while (*a) nb[k++] = *a++;
    while (*b) nb[k++] = *b++;
    nb[k] = 0;
    return nb;
}

#define TRAP_FMT "%s cause %d tval %x htval %x htinst %x GVA %d"
#define TRAP_ARGS(t) (t) ? "trap" : "no trap", (t) ? (long)T.cause : 0L, (t) ? T.tval : 0ull, \
                     (t) ? T.htval : 0ull, (t) ? T.htinst : 0ull, (t) ? (long)((T.hstatus >> 6) & 1) : 0L

static uint64_t data[512] __attribute__((aligned(4096)));

static void test_from_u(void)
{
    for (int hu = 0; hu < 2; hu++) {
        csr_write(0x600, HS_BOOT | (hu ? H_HU : 0));
        for (unsigned i = 0; i < ARRAY_SIZE(fences); i++) {
            conf_exec(fences[i].insn, MODE_U, 0x80200000, 1);
            int t = conf_trapped;
            check(nm(hu ? "user-hu1." : "user-hu0.", fences[i].name),
                  t && T.cause == 2 && T.tval == fences[i].insn, TRAP_FMT, TRAP_ARGS(t));
        }
    }
    csr_write(0x600, HS_BOOT);
    for (unsigned i = 0; i < ARRAY_SIZE(hops); i++) {
        conf_exec(hops[i].insn, MODE_U, (uint64_t)(uintptr_t)data, 0);
        int t = conf_trapped;
        check(nm("user-hu0.", hops[i].name), t && T.cause == 2 && T.tval == hops[i].insn,
              TRAP_FMT, TRAP_ARGS(t));
    }
}

static void test_fences_s(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(fences); i++) {
        conf_exec(fences[i].insn, MODE_S, 0x80200000, 1);
        int t = conf_trapped;
        check(nm("super.", fences[i].name), !t, TRAP_FMT, TRAP_ARGS(t));
    }
}

/* Expected value of a load of size/sext at data + off. */
static uint64_t expect_load(unsigned off, unsigned size, int sext)
{
    const unsigned char *b = (const unsigned char *)data + off;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    if (sext && size < 8 && (v >> (8 * size - 1)) & 1)
        v |= ~0ull << (8 * size);
    return v;
}

static void fill_data(void)
{
    for (int i = 0; i < 512; i++)
        data[i] = 0x8091a2b3c4d5e6f7ull + (uint64_t)i * 0x0101010101010101ull;
}

/* Bare/Bare: guest physical = supervisor physical. */
static void test_bare(int umode)
{
    const char *pre = umode ? "user-hu1-bare." : "bare.";
    csr_write(0x280, 0);
    csr_write(0x680, 0);
    csr_write(0x600, HS_BOOT | H_SPVP | (umode ? H_HU : 0));
    fill_data();
    for (unsigned i = 0; i < ARRAY_SIZE(hops); i++) {
        uint64_t addr = (uint64_t)(uintptr_t)data + 16;
        uint64_t v = conf_exec(hops[i].insn, umode ? MODE_U : MODE_S, addr, 0x1122334455667788ull);
        int t = conf_trapped;
        int ok;
        if (hops[i].store) {
            uint64_t mask = hops[i].size == 8 ? ~0ull : (1ull << (8 * hops[i].size)) - 1;
            ok = !t && (data[2] & mask) == (0x1122334455667788ull & mask);
            v = data[2];
        } else {
            ok = !t && v == expect_load(16, hops[i].size, hops[i].sext);
        }
        check(nm(pre, hops[i].name), ok, TRAP_FMT " value %x", TRAP_ARGS(t), t ? 0 : v);
        fill_data();
    }
    /* Misaligned (QEMU: allowed for ordinary memory, even through HLV). */
    uint64_t v = conf_exec(I_HLV_W(R_A0, R_A0), umode ? MODE_U : MODE_S, (uint64_t)(uintptr_t)data + 3, 0);
    int t = conf_trapped;
    check(nm(pre, "hlv.w-misaligned"), t ? (T.cause == 4 || T.cause == 5) : v == expect_load(3, 4, 1),
          TRAP_FMT " value %x", TRAP_ARGS(t), t ? 0 : v);
    csr_write(0x600, HS_BOOT);
}

/* Two-stage tables: G-stage Sv39x4 (16 KiB root), VS-stage Sv39. */
static uint64_t groot[2048] __attribute__((aligned(16384)));
static uint64_t gl1[512] __attribute__((aligned(4096)));
static uint64_t gl0[512] __attribute__((aligned(4096)));
static uint64_t vroot[512] __attribute__((aligned(4096)));
static uint64_t vl1[512] __attribute__((aligned(4096)));
static uint64_t vl0[512] __attribute__((aligned(4096)));
static uint64_t gpage[512] __attribute__((aligned(4096)));

#define PA(p) ((uint64_t)(uintptr_t)(p))
#define PTE(pa, fl) (((uint64_t)(pa) >> 12 << 10) | (fl))
#define G_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define VA_WIN 0x40000000ull        /* VS-stage window: vroot[1] -> vl1 -> vl0 */

/* G-stage: identity for RAM in 2 MiB pages, except the 2 MiB region that
 * holds data[]: there 4 KiB pages through gl0 (identity too). */
static void build_tables(void)
{
    uint64_t ram = dt_ram_base, end = dt_ram_end;
    for (int i = 0; i < 2048; i++) groot[i] = 0;
    for (int i = 0; i < 512; i++) gl1[i] = gl0[i] = vroot[i] = vl1[i] = vl0[i] = 0;
    groot[ram >> 30] = PTE(PA(gl1), PTE_V);
    for (uint64_t a = ram; a < end; a += 0x200000)
        gl1[(a >> 21) & 511] = PTE(a, G_LEAF);
    uint64_t big = PA(data) & ~0x1fffffull;
    gl1[(big >> 21) & 511] = PTE(PA(gl0), PTE_V);
    for (int i = 0; i < 512; i++)
        gl0[i] = PTE(big + (uint64_t)i * 4096, G_LEAF);
    /* VS-stage: VA_WIN + n*4K -> data (n=0), gpage (n=1); tables at their PA. */
    vroot[VA_WIN >> 30] = PTE(PA(vl1), PTE_V);
    vl1[0] = PTE(PA(vl0), PTE_V);
    vl0[0] = PTE(PA(data), PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    vl0[1] = PTE(PA(gpage), PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    csr_write(0x680, (8ull << 60) | (PA(groot) >> 12));
    csr_write(0x280, (8ull << 60) | (PA(vroot) >> 12));
    __asm__ volatile(".word %0; .word %1" :: "i"(I_HFENCE_GVMA(0, 0)), "i"(I_HFENCE_VVMA(0, 0)) : "memory");
}

static void fence_all(void)
{
    __asm__ volatile(".word %0; .word %1" :: "i"(I_HFENCE_GVMA(0, 0)), "i"(I_HFENCE_VVMA(0, 0)) : "memory");
}

struct tcase {
    const char *name;
    uint32_t insn;
    uint64_t vl0_0;           /* VS leaf for VA_WIN (0: keep) */
    uint64_t gleaf_flags;     /* G leaf flags for data's page (0: keep) */
    uint64_t hs_extra;        /* hstatus bits (SPVP) */
    uint64_t vsstatus;        /* vsstatus SUM/MXR */
    uint64_t sstatus_mxr;
    uint64_t henvcfg;
    uint64_t cause;           /* expected cause, 0: none */
    int gfault;               /* expected htval = GPA >> 2 */
};

static void run_cases(void)
{
    const uint64_t vsrw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    const uint64_t SUM = 1ull << 18, MXR = 1ull << 19;
    const struct tcase tc[] = {
        { "2s.hlv.d", I_HLV_D(R_A0, R_A0), 0, 0, H_SPVP, 0, 0, 0, 0, 0 },
        { "2s.hsv.d", I_HSV_D(R_A0, R_A1), 0, 0, H_SPVP, 0, 0, 0, 0, 0 },
        { "2s.hlv.w-spvp0-s-page", I_HLV_W(R_A0, R_A0), 0, 0, 0, 0, 0, 0, 13, 0 },
        { "2s.hlv.w-spvp0-u-page", I_HLV_W(R_A0, R_A0), PTE(0, vsrw | PTE_U), 0, 0, 0, 0, 0, 0, 0 },
        { "2s.hlv.w-spvp1-u-page", I_HLV_W(R_A0, R_A0), PTE(0, vsrw | PTE_U), 0, H_SPVP, 0, 0, 0, 13, 0 },
        { "2s.hlv.w-spvp1-u-page-sum", I_HLV_W(R_A0, R_A0), PTE(0, vsrw | PTE_U), 0, H_SPVP, SUM, 0, 0, 0, 0 },
        { "2s.hlvx.wu-u-page-sum", I_HLVX_WU(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_U | PTE_A), 0, H_SPVP, SUM, 0, 0, 12, 0 },
        { "2s.hlv.w-vs-invalid", I_HLV_W(R_A0, R_A0), PTE(0, PTE_R | PTE_A), 0, H_SPVP, 0, 0, 0, 13, 0 },
        { "2s.hsv.w-vs-readonly", I_HSV_W(R_A0, R_A1), PTE(0, PTE_V | PTE_R | PTE_A | PTE_D), 0, H_SPVP, 0, 0, 0, 15, 0 },
        { "2s.hlv.w-vs-xonly", I_HLV_W(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_A), 0, H_SPVP, 0, 0, 0, 13, 0 },
        { "2s.hlv.w-vs-xonly-vsmxr", I_HLV_W(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_A), 0, H_SPVP, MXR, 0, 0, 0, 0 },
        { "2s.hlv.w-vs-xonly-smxr", I_HLV_W(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_A), 0, H_SPVP, 0, MXR, 0, 0, 0 },
        { "2s.hlvx.wu-vs-x", I_HLVX_WU(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_A), 0, H_SPVP, 0, 0, 0, 0, 0 },
        { "2s.hlvx.hu-vs-rw", I_HLVX_HU(R_A0, R_A0), 0, 0, H_SPVP, 0, 0, 0, 12, 0 },
        { "2s.hlv.w-vs-a0-adue0", I_HLV_W(R_A0, R_A0), PTE(0, PTE_V | PTE_R | PTE_W), 0, H_SPVP, 0, 0, 0, 0, 0 },
        { "2s.hlv.w-vs-a0-adue1", I_HLV_W(R_A0, R_A0), PTE(0, PTE_V | PTE_R | PTE_W), 0, H_SPVP, 0, 0, 1ull << 61, 0, 0 },
        { "2s.hsv.w-vs-d0-adue0", I_HSV_W(R_A0, R_A1), PTE(0, PTE_V | PTE_R | PTE_W | PTE_A), 0, H_SPVP, 0, 0, 0, 0, 0 },
        { "2s.hsv.w-vs-d0-adue1", I_HSV_W(R_A0, R_A1), PTE(0, PTE_V | PTE_R | PTE_W | PTE_A), 0, H_SPVP, 0, 0, 1ull << 61, 0, 0 },
        { "2s.hlv.w-g-invalid", I_HLV_W(R_A0, R_A0), 0, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, H_SPVP, 0, 0, 0, 21, 1 },
        { "2s.hsv.w-g-readonly", I_HSV_W(R_A0, R_A1), 0, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D, H_SPVP, 0, 0, 0, 23, 1 },
        { "2s.hlv.w-g-not-user", I_HLV_W(R_A0, R_A0), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, H_SPVP, 0, 0, 0, 21, 1 },
        { "2s.hlvx.wu-g-noexec", I_HLVX_WU(R_A0, R_A0), PTE(0, PTE_V | PTE_X | PTE_A), PTE_V | PTE_R | PTE_U | PTE_A | PTE_D, H_SPVP, 0, 0, 0, 12, 1 },
        { "2s.hlv.w-g-xonly-smxr", I_HLV_W(R_A0, R_A0), 0, PTE_V | PTE_X | PTE_U | PTE_A, H_SPVP, 0, MXR, 0, 0, 0 },
        { "2s.hlv.w-g-xonly-vsmxr", I_HLV_W(R_A0, R_A0), 0, PTE_V | PTE_X | PTE_U | PTE_A, H_SPVP, MXR, 0, 0, 21, 1 },
        { "2s.hlv.w-g-a0", I_HLV_W(R_A0, R_A0), 0, PTE_V | PTE_R | PTE_W | PTE_U, H_SPVP, 0, 0, 0, 0, 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(tc); i++) {
        const struct tcase *c = &tc[i];
        build_tables();
        fill_data();
        if (c->vl0_0)
            vl0[0] = PTE(PA(data), c->vl0_0);
        uint64_t *gl = &gl0[(PA(data) >> 12) & 511];
        if (c->gleaf_flags)
            *gl = PTE(PA(data), c->gleaf_flags);
        fence_all();
        csr_write(0x600, HS_BOOT | c->hs_extra);
        csr_write(0x200, c->vsstatus);
        csr_write(0x60a, c->henvcfg);
        if (c->sstatus_mxr)
            csr_set(sstatus, c->sstatus_mxr);
        uint64_t va = VA_WIN + 0x28;
        uint64_t v = conf_exec(c->insn, MODE_S, va, 0x0123456789abcdefull);
        int t = conf_trapped;
        csr_clear(sstatus, 1ull << 19);
        uint64_t gpa = PA(data) + 0x28;
        int ok;
        if (c->cause) {
            ok = t && T.cause == c->cause && T.tval == va && ((T.hstatus >> 6) & 1)
                 && T.htval == (c->gfault ? gpa >> 2 : 0);
        } else if ((c->insn >> 25) & 1) {                  /* a store: hsv (odd funct7) */
            unsigned sz = 1u << (((c->insn >> 26) & 3));
            uint64_t m = sz == 8 ? ~0ull : (1ull << (8 * sz)) - 1;
            ok = !t && (data[5] & m) == (0x0123456789abcdefull & m);
            v = data[5];
        } else {
            unsigned sz = 1u << (((c->insn >> 26) & 3));
            ok = !t && v == expect_load(0x28, sz, (c->insn >> 20 & 31) == 0);
        }
        check(c->name, ok, TRAP_FMT " value %x vs-pte %x g-pte %x", TRAP_ARGS(t), t ? 0 : v, vl0[0], *gl);
    }
    csr_write(0x60a, 0);
    csr_write(0x200, 0);
    csr_write(0x600, HS_BOOT);
}

/* Implicit accesses that fail: the VS-stage walk hits a G-stage hole, a
 * root above RAM. */
static void run_walk_faults(void)
{
    uint64_t end = dt_ram_end;
    uint64_t va = VA_WIN + 0x28;
    struct { const char *name; int which; uint64_t where; } wc[] = {
        { "walk.vs-table-g-invalid", 0, 0 },
        { "walk.vsatp-root-above-ram", 1, 0 }, { "walk.vsatp-root-above-ram+4000", 1, 0x4000 },
        { "walk.vsatp-root-above-ram+6M", 1, 0x600000 },
        { "walk.hgatp-root-above-ram", 2, 0 }, { "walk.hgatp-root-above-ram+4000", 2, 0x4000 },
        { "walk.vs-leaf-above-ram", 3, 0 }, { "walk.vs-leaf-above-ram+6M", 3, 0x600000 },
        { "walk.vsatp-bare-above-ram", 4, 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(wc); i++) {
        build_tables();
        fill_data();
        csr_write(0x600, HS_BOOT | H_SPVP);
        uint64_t a = va;
        switch (wc[i].which) {
        case 0:   /* vl0 (a VS table) unmapped in the G-stage */
            gl0[(PA(vl0) >> 12) & 511] = 0;
            break;
        case 1:
            csr_write(0x680, 0);
            csr_write(0x280, (8ull << 60) | ((end + wc[i].where) >> 12));
            break;
        case 2:
            csr_write(0x680, (8ull << 60) | ((end + wc[i].where) >> 12));
            break;
        case 3:   /* VS leaf -> GPA above RAM, G-stage Bare */
            csr_write(0x680, 0);
            vl0[0] = PTE(end + wc[i].where, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
            break;
        case 4:
            csr_write(0x680, 0);
            csr_write(0x280, 0);
            a = end + 0x28;
            break;
        }
        fence_all();
        conf_exec(I_HLV_W(R_A0, R_A0), MODE_S, a, 0);
        int t = conf_trapped;
        uint64_t c = t ? T.cause : 0, tv = t ? T.tval : 0, hv = t ? T.htval : 0, hi = t ? T.htinst : 0,
                 gva = t ? (T.hstatus >> 6) & 1 : 0;
        conf_exec(I_HSV_W(R_A0, R_A1), MODE_S, a, 0);
        int t2 = conf_trapped;
        uint64_t c2 = t2 ? T.cause : 0;
        int ok;
        switch (wc[i].which) {
        case 0: ok = t && c == 21 && tv == va && hv == PA(vl0) >> 2 && hi == 0x3000 && gva && t2 && c2 == 23; break;
        case 1: ok = t && c == 13 && tv == va && hv == 0 && gva && t2 && c2 == 15; break;
        case 2: ok = t && c == 21 && tv == va && gva && t2 && c2 == 23; break;
        default: ok = t && c == 5 && tv == a && t2 && c2 == 7; break;   /* GVA: printed */
        }
        check(wc[i].name, ok, "hlv.w: %s cause %d tval %x htval %x htinst %x GVA %d; hsv.w cause %d",
              t ? "trap" : "no trap", (long)c, tv, hv, hi, (long)gva, (long)c2);
    }
    csr_write(0x680, 0);
    csr_write(0x280, 0);
    csr_write(0x600, HS_BOOT);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    cprintf("conf_hyp: start\n");
    test_from_u();
    test_fences_s();
    test_bare(1);
    test_bare(0);
    run_cases();
    run_walk_faults();
    conf_done("conf_hyp");
    return 0;
}
