/* Bare-metal L1 test of the hypervisor virtual-machine loads/stores and
 * fences: HLV.*, HLVX.*, HSV.*, HFENCE.*, HINVAL.*. L1 builds VS-stage and
 * G-stage tables in its own RAM and prints one line per check: the value,
 * or the trap (scause, stval, htval, htinst, hstatus.GVA). It runs
 * natively (L1 in real HS, QEMU's native H: the reference) and under
 * rvnest (L1 at V=1); the lines must be identical, and the program checks
 * its own expectations too ("FAIL" lines). The expectations are what QEMU
 * 10.2 does natively where it departs from the spec (noted below).
 *
 * QEMU caches translations in its TLB: every check starts with an
 * HFENCE.GVMA so that native runs see the tables as they are now. */
#include "lib.h"

/* ---- memory layout (L1 physical; RAM from the device tree) ---- */
#define POOL_BASE  0x80400000ull      /* page tables, bump-allocated */
#define POOL_END   0x80600000ull
#define DATA_BASE  0x80600000ull      /* 4 KiB data pages with patterns */
#define DATA_PAGES 64
#define SUPER_BASE 0x80800000ull      /* 2 MiB aligned: superpage targets */
#define SUPER_OFF  0x12340ull
#define FW_PA      0x80001000ull      /* OpenSBI: PMP-protected from S */
#define GOFF       0x100000000ull     /* GPA = PA + 4 GiB when the G-stage translates */
#define VA_BASE    0x1234000000ull

#define V_ (1ull << 0)
#define R_ (1ull << 1)
#define W_ (1ull << 2)
#define X_ (1ull << 3)
#define U_ (1ull << 4)
#define A_ (1ull << 6)
#define D_ (1ull << 7)
#define VSF (V_ | R_ | W_ | X_ | A_ | D_)
#define GF  (V_ | R_ | W_ | X_ | U_ | A_ | D_)

#define SSTATUS_SPP (1ull << 8)
#define SSTATUS_SUM (1ull << 18)
#define SSTATUS_MXR (1ull << 19)
#define HSTATUS_VSXL64 (2ull << 32)
#define HSTATUS_SPVP (1ull << 8)
#define HSTATUS_HU (1ull << 9)
#define ENVCFG_ADUE (1ull << 61)

static int failures, checks;
static uint64_t ram_base, ram_end;
static int vs_ok[6], g_ok[6];         /* supported, by levels (3, 4, 5) */

static void fail(const char *what, const char *name)
{
    failures++;
    print("FAIL: %s: %s\n", name, what);
}

static void mset(void *p, int c, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        ((volatile uint8_t *)p)[i] = (uint8_t)c;
}

static void scopy(char *d, const char *s)
{
    while ((*d++ = *s++))
        ;
}

static void scat(char *d, const char *s)
{
    while (*d)
        d++;
    scopy(d, s);
}

/* ---- trap handler: records, skips the instruction; U ecall returns ---- */
volatile uint64_t t_count, t_cause, t_tval, t_htval, t_htinst, t_gva, t_insn, t_spp;
extern char u_return[];

void htrap(uint64_t *frame)
{
    (void)frame;
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    if (cause == 8) {                 /* ecall from U: end of u_call */
        csr_write(sepc, (uint64_t)u_return);
        csr_set(sstatus, SSTATUS_SPP);
        return;
    }
    t_count++;
    t_cause = cause;
    t_tval = csr_read(stval);
    t_htval = csr_read(0x643);
    t_htinst = csr_read(0x64a);
    t_gva = (csr_read(0x600) >> 6) & 1;
    t_spp = (csr_read(sstatus) >> 8) & 1;
    uint16_t lo = *(volatile uint16_t *)epc;
    unsigned len = (lo & 3) == 3 ? 4 : 2;
    t_insn = len == 4 ? lo | (uint32_t)*(volatile uint16_t *)(epc + 2) << 16 : lo;
    csr_write(sepc, epc + len);
}

__asm__(
    "    .text\n"
    "    .align 4\n"
    "htrap_entry:\n"
    "    addi sp, sp, -256\n"
    "    sd ra, 8(sp)\n  sd gp, 24(sp)\n  sd tp, 32(sp)\n  sd t0, 40(sp)\n"
    "    sd t1, 48(sp)\n  sd t2, 56(sp)\n  sd s0, 64(sp)\n  sd s1, 72(sp)\n"
    "    sd a0, 80(sp)\n  sd a1, 88(sp)\n  sd a2, 96(sp)\n  sd a3, 104(sp)\n"
    "    sd a4, 112(sp)\n sd a5, 120(sp)\n sd a6, 128(sp)\n sd a7, 136(sp)\n"
    "    sd s2, 144(sp)\n sd s3, 152(sp)\n sd s4, 160(sp)\n sd s5, 168(sp)\n"
    "    sd s6, 176(sp)\n sd s7, 184(sp)\n sd s8, 192(sp)\n sd s9, 200(sp)\n"
    "    sd s10, 208(sp)\n sd s11, 216(sp)\n sd t3, 224(sp)\n sd t4, 232(sp)\n"
    "    sd t5, 240(sp)\n sd t6, 248(sp)\n"
    "    mv a0, sp\n"
    "    call htrap\n"
    "    ld ra, 8(sp)\n  ld gp, 24(sp)\n  ld tp, 32(sp)\n  ld t0, 40(sp)\n"
    "    ld t1, 48(sp)\n  ld t2, 56(sp)\n  ld s0, 64(sp)\n  ld s1, 72(sp)\n"
    "    ld a0, 80(sp)\n  ld a1, 88(sp)\n  ld a2, 96(sp)\n  ld a3, 104(sp)\n"
    "    ld a4, 112(sp)\n ld a5, 120(sp)\n ld a6, 128(sp)\n ld a7, 136(sp)\n"
    "    ld s2, 144(sp)\n ld s3, 152(sp)\n ld s4, 160(sp)\n ld s5, 168(sp)\n"
    "    ld s6, 176(sp)\n ld s7, 184(sp)\n ld s8, 192(sp)\n ld s9, 200(sp)\n"
    "    ld s10, 208(sp)\n ld s11, 216(sp)\n ld t3, 224(sp)\n ld t4, 232(sp)\n"
    "    ld t5, 240(sp)\n ld t6, 248(sp)\n"
    "    addi sp, sp, 256\n"
    "    sret\n"
    /* u_call(fn, a, v): fn(a, v) in U-mode (satp is Bare), result in a0 */
    "    .globl u_call\n"
    "u_call:\n"
    "    addi sp, sp, -16\n"
    "    sd ra, 0(sp)\n"
    "    csrw sepc, a0\n"
    "    li t0, 0x100\n"
    "    csrc sstatus, t0\n"
    "    mv a0, a1\n"
    "    mv a1, a2\n"
    "    la ra, u_exit\n"
    "    sret\n"
    "u_exit:\n"
    "    ecall\n"
    "    .globl u_return\n"
    "u_return:\n"
    "    ld ra, 0(sp)\n"
    "    addi sp, sp, 16\n"
    "    ret\n");
extern char htrap_entry[];
uint64_t u_call(uint64_t (*fn)(uint64_t, uint64_t), uint64_t a, uint64_t v);

/* ---- the instructions under test ---- */
#define SENTINEL 0x5e5e5e5e5e5e5e5eull
#define HLV(name, f7, rs2)                                                              \
    static uint64_t name(uint64_t a, uint64_t v)                                        \
    {                                                                                   \
        uint64_t r = SENTINEL;                                                          \
        (void)v;                                                                        \
        __asm__ volatile(".insn r 0x73, 4, " #f7 ", %0, %1, " #rs2 : "+r"(r) : "r"(a) : "memory"); \
        return r;                                                                       \
    }
#define HSV(name, f7)                                                                   \
    static uint64_t name(uint64_t a, uint64_t v)                                        \
    {                                                                                   \
        __asm__ volatile(".insn r 0x73, 4, " #f7 ", x0, %0, %1" :: "r"(a), "r"(v) : "memory"); \
        return SENTINEL;                                                                \
    }
HLV(hlv_b, 0x30, x0) HLV(hlv_bu, 0x30, x1) HLV(hlv_h, 0x32, x0) HLV(hlv_hu, 0x32, x1)
HLV(hlv_w, 0x34, x0) HLV(hlv_wu, 0x34, x1) HLV(hlv_d, 0x36, x0)
HLV(hlvx_hu, 0x32, x3) HLV(hlvx_wu, 0x34, x3)
HSV(hsv_b, 0x31) HSV(hsv_h, 0x33) HSV(hsv_w, 0x35) HSV(hsv_d, 0x37)

static uint64_t hlv_d_rd0(uint64_t a, uint64_t v)
{
    (void)v;
    __asm__ volatile(".insn r 0x73, 4, 0x36, x0, %0, x0" :: "r"(a) : "memory");
    return SENTINEL;
}
static uint64_t hlv_d_rs0(uint64_t a, uint64_t v)
{
    uint64_t r = SENTINEL;
    (void)a, (void)v;
    __asm__ volatile(".insn r 0x73, 4, 0x36, %0, x0, x0" : "+r"(r) :: "memory");
    return r;
}
static uint64_t hsv_d_rs0(uint64_t a, uint64_t v)
{
    (void)v;
    __asm__ volatile(".insn r 0x73, 4, 0x37, x0, %0, x0" :: "r"(a) : "memory");
    return SENTINEL;
}
#define FENCE(name, f7, rs1, rs2)                                                       \
    static uint64_t name(uint64_t a, uint64_t v)                                        \
    {                                                                                   \
        register uint64_t ra_ __asm__("a4") = a, rv_ __asm__("a5") = v;                 \
        __asm__ volatile(".insn r 0x73, 0, " #f7 ", x0, " #rs1 ", " #rs2 :: "r"(ra_), "r"(rv_) : "memory"); \
        return SENTINEL;                                                                \
    }
FENCE(hfence_vvma_00, 0x11, x0, x0) FENCE(hfence_vvma_a0, 0x11, a4, x0)
FENCE(hfence_vvma_0b, 0x11, x0, a5) FENCE(hfence_vvma_ab, 0x11, a4, a5)
FENCE(hfence_gvma_00, 0x31, x0, x0) FENCE(hfence_gvma_a0, 0x31, a4, x0)
FENCE(hfence_gvma_0b, 0x31, x0, a5) FENCE(hfence_gvma_ab, 0x31, a4, a5)
FENCE(hinval_vvma_ab, 0x13, a4, a5) FENCE(hinval_gvma_ab, 0x33, a4, a5)

enum op {
    LB, LBU, LH, LHU, LW, LWU, LD, LXHU, LXWU, SB, SH, SW, SD, LD_RD0, LD_RS0, SD_RS0,
    FV00, FVA0, FV0B, FVAB, FG00, FGA0, FG0B, FGAB, IVAB, IGAB,
};
static uint64_t (*const opfn[])(uint64_t, uint64_t) = {
    hlv_b, hlv_bu, hlv_h, hlv_hu, hlv_w, hlv_wu, hlv_d, hlvx_hu, hlvx_wu,
    hsv_b, hsv_h, hsv_w, hsv_d, hlv_d_rd0, hlv_d_rs0, hsv_d_rs0,
    hfence_vvma_00, hfence_vvma_a0, hfence_vvma_0b, hfence_vvma_ab,
    hfence_gvma_00, hfence_gvma_a0, hfence_gvma_0b, hfence_gvma_ab,
    hinval_vvma_ab, hinval_gvma_ab,
};
static const char *const opname[] = {
    "hlv.b", "hlv.bu", "hlv.h", "hlv.hu", "hlv.w", "hlv.wu", "hlv.d", "hlvx.hu", "hlvx.wu",
    "hsv.b", "hsv.h", "hsv.w", "hsv.d", "hlv.d rd=x0", "hlv.d rs1=x0", "hsv.d rs2=x0",
    "hfence.vvma x0,x0", "hfence.vvma a,x0", "hfence.vvma x0,b", "hfence.vvma a,b",
    "hfence.gvma x0,x0", "hfence.gvma a,x0", "hfence.gvma x0,b", "hfence.gvma a,b",
    "hinval.vvma a,b", "hinval.gvma a,b",
};

static void flush(void)
{
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");   /* hfence.gvma */
}

struct res {
    int trapped;
    uint64_t val, cause, tval, htval, htinst, gva, insn, spp, htinst_before;
};

/* Causes OpenSBI does not delegate (medeleg): natively they reach HS through
 * its trap redirect, which writes hstatus.GVA from mstatus.GVA (0 here),
 * htval from mtval2 (0 here) and htinst, a write QEMU ignores: htinst keeps
 * the value of the previous hardware trap into HS. */
static int redirected(uint64_t cause)
{
    return cause == 1 || cause == 2 || cause == 5 || cause == 7;
}

static int user_mode;

static struct res run(enum op op, uint64_t a, uint64_t v)
{
    struct res r;
    flush();
    t_count = 0;
    r.htinst_before = csr_read(0x64a);
    r.val = user_mode ? u_call(opfn[op], a, v) : opfn[op](a, v);
    r.trapped = t_count != 0;
    r.cause = t_cause;
    r.tval = t_tval;
    r.htval = t_htval;
    r.htinst = t_htinst;
    r.gva = t_gva;
    r.insn = t_insn;
    r.spp = t_spp;
    return r;
}

static char ctx[96];

static void report(enum op op, const struct res *r)
{
    checks++;
    print("%s %s%s: ", ctx, opname[op], user_mode ? " (U)" : "");
    if (!r->trapped && (op <= LXWU || op == LD_RS0))
        print("val=%x\n", r->val);
    else if (!r->trapped)
        print("done\n");
    else if (redirected(r->cause) && r->htinst == r->htinst_before)
        print("cause=%d tval=%x htval=%x htinst=unchanged gva=%d\n", (long)r->cause, r->tval,
              r->htval, (long)r->gva);
    else
        print("cause=%d tval=%x htval=%x htinst=%x gva=%d\n", (long)r->cause, r->tval, r->htval,
              r->htinst, (long)r->gva);
}

/* expected htinst */
enum hik { HI_ZERO, HI_PTE, HI_XFORM, HI_KEEP };

static uint64_t xform(uint64_t insn, uint64_t off)
{
    unsigned size = 1u << (1u << ((insn >> 26) & 3));
    return (insn & ~(31ull << 15)) | (((off & (size - 1)) & 31) << 15);
}

/* A check that must succeed; for loads, with value want. */
static struct res ok(enum op op, uint64_t a, uint64_t v, uint64_t want)
{
    struct res r = run(op, a, v);
    report(op, &r);
    if (r.trapped)
        fail("unexpected trap", ctx);
    else if ((op <= LXWU || op == LD_RS0) && r.val != want)
        fail("wrong value", ctx);
    return r;
}

/* A check that must trap with cause, stval = tval, htval, htinst kind. */
static struct res flt(enum op op, uint64_t a, uint64_t v, uint64_t cause, uint64_t tval,
                      uint64_t htval, enum hik hk)
{
    struct res r = run(op, a, v);
    report(op, &r);
    if (!r.trapped) {
        fail("no trap", ctx);
        return r;
    }
    uint64_t hi = hk == HI_ZERO ? 0 : hk == HI_PTE ? 0x3000 : hk == HI_KEEP ? r.htinst_before
                : xform(r.insn, tval - a);
    if (r.cause != cause)
        fail("wrong cause", ctx);
    else if (r.tval != tval)
        fail("wrong stval", ctx);
    else if (r.htval != htval)
        fail("wrong htval", ctx);
    else if (r.htinst != hi)
        fail("wrong htinst", ctx);
    else if (r.gva != !redirected(cause))
        fail("wrong hstatus.GVA", ctx);
    else if (r.spp != !user_mode)
        fail("wrong sstatus.SPP", ctx);
    return r;
}

/* A page fault at the first stage, a guest page fault, an access fault. */
static uint64_t pf_cause(enum op op)
{
    return op >= SB && op <= SD ? 15 : op == LXHU || op == LXWU ? 12 : 13;
}
static uint64_t gpf_cause(enum op op)
{
    /* QEMU: an HLVX G-stage fault from V=0 is an instruction page fault */
    return op >= SB && op <= SD ? 23 : op == LXHU || op == LXWU ? 12 : 21;
}
static uint64_t af_cause(enum op op)
{
    return op >= SB && op <= SD ? 7 : op == LXHU || op == LXWU ? 1 : 5;
}
static enum hik xf(enum op op)
{
    return op == LXHU || op == LXWU ? HI_ZERO : HI_XFORM;
}

static void PF(enum op op, uint64_t a)
{
    flt(op, a, 0, pf_cause(op), a, 0, xf(op));
}
static void GPF(enum op op, uint64_t a, uint64_t gpa)
{
    flt(op, a, 0, gpf_cause(op), a, gpa >> 2, xf(op));
}
static void GPF_PTE(enum op op, uint64_t a, uint64_t pte_gpa)
{
    flt(op, a, 0, gpf_cause(op), a, pte_gpa >> 2, HI_PTE);
}
static void AF(enum op op, uint64_t a)
{
    flt(op, a, 0, af_cause(op), a, 0, HI_KEEP);
}

/* ---- data ---- */
static uint64_t data_pa(unsigned page)
{
    return DATA_BASE + page * 0x1000ull;
}

static void fill_page(uint64_t pa, unsigned seed)
{
    for (unsigned i = 0; i < 4096; i++)
        *(volatile uint8_t *)(pa + i) = (uint8_t)(0x81 + seed * 0x10 + (i & 7) * 0x11 + (i >> 3) * 3);
}

static uint64_t rd(uint64_t pa, unsigned n, int sign)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)*(volatile uint8_t *)(pa + i) << (8 * i);
    if (sign && n < 8 && (v >> (8 * n - 1)) & 1)
        v |= ~0ull << (8 * n);
    return v;
}

/* ---- page tables ---- */
static uint64_t pool;
static struct {
    int vs, g;                        /* levels, 0 = Bare */
    uint64_t vs_root, g_root;
} sc;

static uint64_t alloc(unsigned pages, unsigned align)
{
    uint64_t a = (pool + align * 0x1000ull - 1) & ~(align * 0x1000ull - 1);
    pool = a + pages * 0x1000ull;
    if (pool > POOL_END) {
        print("FAIL: table pool exhausted\n");
        shutdown();
    }
    mset((void *)a, 0, pages * 0x1000ull);
    return a;
}

static uint64_t gpa_of(uint64_t pa)
{
    return sc.g ? pa + GOFF : pa;
}
static uint64_t pa_of(uint64_t gpa)
{
    return sc.g ? gpa - GOFF : gpa;
}

static volatile uint64_t *slot(uint64_t root, int levels, int g, uint64_t addr, int lvl);

/* A VS table page must be readable through the G-stage. */
static void g_map_table(uint64_t pa)
{
    if (sc.g)
        *slot(sc.g_root, sc.g, 1, pa + GOFF, 0) = (pa >> 12) << 10 | GF;
}

/* The PTE for addr at level lvl (0: 4 KiB), making tables on the way. VS
 * tables hold guest-physical addresses. */
static volatile uint64_t *slot(uint64_t root, int levels, int g, uint64_t addr, int lvl)
{
    uint64_t table = root;
    for (int i = levels - 1;; i--) {
        unsigned bits = (g && i == levels - 1) ? 11 : 9;
        volatile uint64_t *e =
            (volatile uint64_t *)(table + ((addr >> (12 + 9 * i)) & ((1ull << bits) - 1)) * 8);
        if (i == lvl)
            return e;
        if (!(*e & V_) || (*e & (R_ | W_ | X_))) {
            uint64_t t = alloc(1, 1);
            if (!g)
                g_map_table(t);
            *e = ((g ? t : gpa_of(t)) >> 12) << 10 | V_;
        }
        uint64_t next = ((*e >> 10) & ((1ull << 44) - 1)) << 12;
        table = g ? next : pa_of(next);
    }
}

static volatile uint64_t *vs_pte(uint64_t va, int lvl)
{
    return slot(sc.vs_root, sc.vs, 0, va, lvl);
}
static volatile uint64_t *g_pte(uint64_t gpa, int lvl)
{
    return slot(sc.g_root, sc.g, 1, gpa, lvl);
}

static const char *vs_name(int l)
{
    return l == 0 ? "bare" : l == 3 ? "sv39" : l == 4 ? "sv48" : "sv57";
}
static const char *g_name(int l)
{
    return l == 0 ? "bare" : l == 3 ? "sv39x4" : l == 4 ? "sv48x4" : "sv57x4";
}
static uint64_t mode_of(int l)
{
    return l ? (uint64_t)(l + 5) << 60 : 0;
}

static void scenario(int vs, int g)
{
    pool = POOL_BASE;
    sc.vs = vs;
    sc.g = g;
    if (g)
        sc.g_root = alloc(4, 4);
    if (vs) {
        sc.vs_root = alloc(1, 1);
        g_map_table(sc.vs_root);
    }
    csr_write(0x680, g ? mode_of(g) | sc.g_root >> 12 : 0);
    csr_write(0x280, vs ? mode_of(vs) | gpa_of(sc.vs_root) >> 12 : 0);
}

/* va -> gpa_of(pa) -> pa with 4 KiB leaves; returns the address to use
 * (the guest-physical one when the VS-stage is Bare). */
static uint64_t map(uint64_t va, uint64_t pa, uint64_t vsf, uint64_t gf)
{
    uint64_t gpa = gpa_of(pa);
    if (sc.vs)
        *vs_pte(va, 0) = (gpa >> 12) << 10 | vsf;
    else
        va = gpa;
    if (sc.g)
        *g_pte(gpa, 0) = (pa >> 12) << 10 | gf;
    return va;
}

static void setctx(const char *a, const char *b)
{
    scopy(ctx, a);
    scat(ctx, b);
}

/* ---- checks ---- */

/* All widths, sign extension, HLVX, HSV, x0 operands. */
static void test_widths(int vs, int g)
{
    scenario(vs, g);
    uint64_t p = data_pa(0), a = map(VA_BASE, p, VSF, GF);
    *vs_pte(0, 0) = (gpa_of(p) >> 12) << 10 | VSF;       /* VA 0 for rs1=x0 */
    setctx("width", "");
    static const enum op loads[] = { LB, LBU, LH, LHU, LW, LWU, LD };
    static const unsigned sz[] = { 1, 1, 2, 2, 4, 4, 8 };
    for (unsigned o = 0; o < 16; o += 8)
        for (unsigned i = 0; i < 7; i++)
            ok(loads[i], a + o, 0, rd(p + o, sz[i], !(i & 1) || i == 6));
    ok(LXHU, a, 0, rd(p, 2, 0));
    ok(LXWU, a, 0, rd(p, 4, 0));
    ok(LXHU, a + 6, 0, rd(p + 6, 2, 0));
    static const enum op stores[] = { SB, SH, SW, SD };
    for (unsigned i = 0; i < 4; i++) {
        uint64_t off = 64 + 8 * i;
        ok(stores[i], a + off, 0x8877665544332211ull + i, 0);
        setctx("width after ", opname[stores[i]]);
        ok(LD, a + off, 0, rd(p + off, 8, 0));
        if (rd(p + off, 1 << i, 0) != ((0x8877665544332211ull + i) & (~0ull >> (64 - (8 << i)))))
            fail("store not in memory", ctx);
        setctx("width", "");
    }
    ok(LD_RD0, a, 0, 0);
    ok(LD_RS0, 0, 0, rd(p, 8, 0));
    ok(SD_RS0, a + 128, 0, 0);
    if (rd(p + 128, 8, 0) != 0)
        fail("hsv.d rs2=x0 stored non-zero", ctx);
}

/* Every VS mode x every G mode the hart has. */
static void test_modes(void)
{
    static const int lv[] = { 0, 3, 4, 5 };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            int vs = lv[i], g = lv[j];
            if ((vs && !vs_ok[vs]) || (g && !g_ok[g]))
                continue;
            scenario(vs, g);
            uint64_t p = data_pa(1 + i * 4 + j);
            fill_page(p, (unsigned)(1 + i * 4 + j));
            uint64_t a = map(VA_BASE, p, VSF, GF);
            scopy(ctx, "mode vs=");
            scat(ctx, vs_name(vs));
            scat(ctx, " g=");
            scat(ctx, g_name(g));
            ok(LD, a, 0, rd(p, 8, 0));
            ok(SW, a + 8, 0xcafe0000 + (uint64_t)(i * 4 + j), 0);
            ok(LWU, a + 8, 0, 0xcafe0000 + (uint64_t)(i * 4 + j));
            ok(LXWU, a + 16, 0, rd(p + 16, 4, 0));
            if (vs) {
                /* the top of the address space (sign-extended VA) */
                uint64_t hi = ~0ull << (12 + 9 * vs - 1) | 0x5000;
                map(hi, p, VSF, GF);
                ok(LD, hi + 24, 0, rd(p + 24, 8, 0));
                PF(LD, a + 0x1000);                   /* nothing mapped there */
            } else if (g) {
                GPF(LD, a + 0x1000, a + 0x1000);
            }
        }
}

/* Superpages at each stage, misaligned superpages. */
static void test_superpages(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t target = SUPER_BASE + SUPER_OFF;
    *(volatile uint64_t *)target = 0x0123456789abcdefull;
    *(volatile uint64_t *)(target + 8) = 0x1122334455667788ull;
    static const char *sizes[] = { "4k", "2m", "1g" };
    for (int vl = 0; vl < 3; vl++)
        for (int gl = 0; gl < 3; gl++) {
            scenario(3, 3);
            uint64_t gpa = target + GOFF, va = 0x3000000000ull + (gpa & ((1ull << 30) - 1));
            uint64_t vmask = (1ull << (12 + 9 * vl)) - 1, gmask = (1ull << (12 + 9 * gl)) - 1;
            /* VS first: its tables get 4 KiB G-stage leaves before a 1 GiB
             * G leaf may take over the whole region (same offset) */
            *vs_pte(va, vl) = ((gpa & ~vmask) >> 12) << 10 | VSF;
            *g_pte(gpa, gl) = ((target & ~gmask) >> 12) << 10 | GF;
            scopy(ctx, "super vs=");
            scat(ctx, sizes[vl]);
            scat(ctx, " g=");
            scat(ctx, sizes[gl]);
            ok(LD, va, 0, 0x0123456789abcdefull);
            if (vl == gl) {
                ok(SD, va + 8, 0x8899aabbccddeeffull, 0);
                ok(LD, va + 8, 0, 0x8899aabbccddeeffull);
            }
        }
    /* misaligned superpages */
    scenario(3, 3);
    uint64_t gpa = target + GOFF, va = 0x3000000000ull + (gpa & ((1ull << 30) - 1));
    *vs_pte(va, 1) = ((gpa & ~0xfffull) >> 12) << 10 | VSF;    /* 2 MiB leaf, 4 KiB aligned */
    *g_pte(gpa, 0) = (target >> 12) << 10 | GF;
    setctx("super misaligned vs=2m", "");
    PF(LD, va);
    *vs_pte(va, 2) = ((gpa & ~0x1fffffull) >> 12) << 10 | VSF;  /* 1 GiB leaf, 2 MiB aligned */
    setctx("super misaligned vs=1g", "");
    PF(LD, va);
    scenario(3, 3);
    *vs_pte(va, 0) = (gpa >> 12) << 10 | VSF;
    *g_pte(gpa, 1) = ((target & ~0xfffull) >> 12) << 10 | GF;   /* 2 MiB G leaf, 4 KiB aligned */
    setctx("super misaligned g=2m", "");
    GPF(LD, va, gpa);
    scenario(3, 3);
    gpa += 1ull << 30;                /* not the GiB of the VS tables */
    *vs_pte(va, 0) = (gpa >> 12) << 10 | VSF;
    *g_pte(gpa, 2) = ((target & ~0x1fffffull) >> 12) << 10 | GF; /* 1 GiB G leaf, 2 MiB aligned */
    setctx("super misaligned g=1g", "");
    GPF(LD, va, gpa);
    /* the largest leaves of Sv48/Sv57 (VS) and Sv48x4 (G), onto address 0 */
    if (vs_ok[4]) {
        scenario(4, 0);
        *vs_pte(0, 3) = V_ | R_ | W_ | X_ | A_ | D_;              /* 512 GiB at 0 */
        setctx("super vs=sv48 512g", "");
        ok(LD, target, 0, 0x0123456789abcdefull);
    }
    if (vs_ok[5]) {
        scenario(5, 0);
        *vs_pte(0, 4) = V_ | R_ | W_ | X_ | A_ | D_;              /* 256 TiB at 0 */
        setctx("super vs=sv57 256t", "");
        ok(LD, target, 0, 0x0123456789abcdefull);
    }
    if (g_ok[4]) {
        scenario(0, 4);
        *g_pte(0, 3) = GF;                                        /* 512 GiB at 0 */
        setctx("super g=sv48x4 512g", "");
        ok(LD, target, 0, 0x0123456789abcdefull);
    }
}

/* Permissions and PTE rules, VS-stage then G-stage (Sv39 / Sv39x4). */
static void test_perms(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(20), va = VA_BASE, gpa;
    fill_page(p, 20);
    uint64_t v0 = rd(p, 8, 0), w0 = rd(p, 4, 0);
    struct { const char *name; uint64_t vsf; } vsc[] = {
        { "vs R", V_ | R_ | A_ | D_ }, { "vs X", V_ | X_ | A_ | D_ }, { "vs RW", V_ | R_ | W_ | A_ | D_ },
        { "vs W", V_ | W_ | A_ | D_ }, { "vs WX", V_ | W_ | X_ | A_ | D_ }, { "vs RX", V_ | R_ | X_ | A_ | D_ },
        { "vs invalid", R_ | W_ | X_ | A_ | D_ }, { "vs RWX G", VSF | (1ull << 5) },
    };
    for (unsigned i = 0; i < sizeof(vsc) / sizeof(vsc[0]); i++) {
        scenario(3, 3);
        map(va, p, vsc[i].vsf, GF);
        uint64_t f = vsc[i].vsf;
        int valid = (f & V_) && (f & (R_ | X_)) && !((f & W_) && !(f & R_));
        setctx(vsc[i].name, "");
        if (valid && (f & R_)) ok(LD, va, 0, v0); else PF(LD, va);
        if (valid && (f & W_)) ok(SD, va + 8, 0x77, 0); else PF(SD, va + 8);
        if (valid && (f & X_)) ok(LXWU, va, 0, w0); else PF(LXWU, va);
    }
    /* MXR: L1's own sstatus.MXR or the guest's vsstatus.MXR */
    scenario(3, 3);
    map(va, p, V_ | X_ | A_ | D_, GF);
    csr_set(sstatus, SSTATUS_MXR);
    setctx("vs X, sstatus.MXR", "");
    ok(LD, va, 0, v0);
    csr_clear(sstatus, SSTATUS_MXR);
    csr_set(0x200, SSTATUS_MXR);
    setctx("vs X, vsstatus.MXR", "");
    ok(LD, va, 0, v0);
    PF(SD, va);
    csr_clear(0x200, SSTATUS_MXR);
    /* U pages, SPVP, SUM */
    uint64_t hs = csr_read(0x600);
    scenario(3, 3);
    map(va, p, VSF | U_, GF);
    setctx("vs U, SPVP=1 SUM=0", "");
    PF(LD, va);
    PF(SD, va);
    csr_set(0x200, SSTATUS_SUM);
    setctx("vs U, SPVP=1 SUM=1", "");
    ok(LD, va, 0, v0);
    ok(SW, va + 0x20, 0x1234, 0);
    PF(LXWU, va);                                       /* SUM never allows execute */
    csr_write(0x600, hs & ~HSTATUS_SPVP);
    setctx("vs U, SPVP=0 SUM=1", "");
    ok(LD, va, 0, v0);
    ok(LXWU, va, 0, w0);
    csr_clear(0x200, SSTATUS_SUM);
    setctx("vs U, SPVP=0 SUM=0", "");
    ok(LD, va, 0, v0);
    map(va, p, VSF, GF);
    setctx("vs S, SPVP=0", "");
    PF(LD, va);
    PF(LXHU, va);
    csr_write(0x600, hs);
    /* reserved PTE bits, non-leaf rules */
    struct { const char *name; uint64_t bits; int level; } rsv[] = {
        { "vs leaf bit54", 1ull << 54, 0 }, { "vs leaf bit60", 1ull << 60, 0 },
        { "vs leaf PBMT=1", 1ull << 61, 0 }, { "vs leaf N", 1ull << 63, 0 },
        { "vs non-leaf U", U_, 1 }, { "vs non-leaf A", A_, 1 }, { "vs non-leaf D", D_, 1 },
        { "vs non-leaf bit55", 1ull << 55, 2 }, { "vs non-leaf PBMT=2", 2ull << 61, 1 },
    };
    for (unsigned i = 0; i < sizeof(rsv) / sizeof(rsv[0]); i++) {
        scenario(3, 3);
        map(va, p, VSF, GF);
        *vs_pte(va, rsv[i].level) |= rsv[i].bits;
        setctx(rsv[i].name, "");
        struct res r = run(LD, va, 0);
        report(LD, &r);
        /* PBMT is legal when the firmware enabled Svpbmt */
        if (rsv[i].bits >> 61 && rsv[i].bits >> 61 != 4 && rsv[i].level == 0) {
            if (r.trapped && r.cause != 13)
                fail("wrong cause", ctx);
        } else if (!r.trapped || r.cause != 13 || r.tval != va || r.htval) {
            fail("expected a load page fault", ctx);
        }
    }
    scenario(3, 3);
    map(va, p, VSF, GF);
    *vs_pte(va, 0) = *vs_pte(va, 0) & ~(R_ | W_ | X_);     /* pointer at the last level */
    setctx("vs non-leaf at level 0", "");
    PF(LD, va);
    setctx("vs non-canonical", "");
    PF(LD, 0x4000000000ull);
    PF(SD, 0xffff000000001000ull);

    /* G-stage permissions (a G-stage access is a user access) */
    struct { const char *name; uint64_t gf; } gc[] = {
        { "g RU", V_ | R_ | U_ | A_ | D_ }, { "g XU", V_ | X_ | U_ | A_ | D_ },
        { "g RWU", V_ | R_ | W_ | U_ | A_ | D_ }, { "g RWX no U", V_ | R_ | W_ | X_ | A_ | D_ },
        { "g WU", V_ | W_ | U_ | A_ | D_ }, { "g invalid", R_ | W_ | X_ | U_ | A_ | D_ },
    };
    for (unsigned i = 0; i < sizeof(gc) / sizeof(gc[0]); i++) {
        scenario(3, 3);
        map(va, p, VSF, gc[i].gf);
        gpa = gpa_of(p);
        uint64_t f = gc[i].gf;
        int valid = (f & V_) && (f & U_) && (f & (R_ | X_)) && !((f & W_) && !(f & R_));
        setctx(gc[i].name, "");
        if (valid && (f & R_)) ok(LD, va + 8, 0, rd(p + 8, 8, 0)); else GPF(LD, va + 8, gpa + 8);
        if (valid && (f & W_)) ok(SD, va + 16, 0x99, 0); else GPF(SD, va + 16, gpa + 16);
        if (valid && (f & X_)) ok(LXWU, va + 4, 0, rd(p + 4, 4, 0)); else GPF(LXWU, va + 4, gpa + 4);
    }
    scenario(3, 3);
    map(va, p, VSF, V_ | X_ | U_ | A_ | D_);
    gpa = gpa_of(p);
    csr_set(sstatus, SSTATUS_MXR);
    setctx("g XU, sstatus.MXR", "");
    ok(LD, va, 0, v0);
    csr_clear(sstatus, SSTATUS_MXR);
    csr_set(0x200, SSTATUS_MXR);
    setctx("g XU, vsstatus.MXR", "");
    GPF(LD, va, gpa);                                   /* the guest's MXR is VS-stage only */
    csr_clear(0x200, SSTATUS_MXR);
    struct { const char *name; uint64_t bits; int level; } grsv[] = {
        { "g leaf bit57", 1ull << 57, 0 }, { "g leaf N", 1ull << 63, 0 },
        { "g non-leaf U", U_, 1 }, { "g non-leaf A", A_, 1 }, { "g non-leaf D", D_, 1 },
        { "g non-leaf PBMT=1", 1ull << 61, 1 },
    };
    for (unsigned i = 0; i < sizeof(grsv) / sizeof(grsv[0]); i++) {
        scenario(3, 3);
        map(va, p, VSF, GF);
        gpa = gpa_of(p);
        *g_pte(gpa, grsv[i].level) |= grsv[i].bits;
        setctx(grsv[i].name, "");
        GPF(LD, va + 0x18, gpa + 0x18);
    }
    /* a GPA wider than Sv39x4 (41 bits), and the same with Bare VS */
    scenario(3, 3);
    *vs_pte(va, 0) = ((1ull << 41) >> 12) << 10 | VSF;
    setctx("g GPA beyond 41 bits", "");
    GPF(LD, va + 0x28, (1ull << 41) + 0x28);
    scenario(0, 3);
    setctx("g bare-vs GPA beyond 41 bits", "");
    GPF(LD, (1ull << 41) | 0x123, (1ull << 41) | 0x123);
    GPF(LD, 0xffffffff80001000ull, 0xffffffff80001000ull);
}

/* G-stage faults during the VS-stage walk (implicit accesses). */
static void test_implicit(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(21), va = VA_BASE + 0x7000;
    fill_page(p, 21);
    for (int lvl = 2; lvl >= 0; lvl--) {
        scenario(3, 3);
        map(va, p, VSF, GF);
        /* the VS table page of this level, as the walk reaches it */
        uint64_t table_gpa = gpa_of(sc.vs_root);
        for (int l = 2; l > lvl; l--)
            table_gpa = ((*vs_pte(va, l) >> 10) & ((1ull << 44) - 1)) << 12;
        uint64_t pte_gpa = table_gpa + ((va >> (12 + 9 * lvl)) & 511) * 8;
        *g_pte(table_gpa, 0) &= ~V_;
        static const char *names[] = { "implicit vs level 0 table", "implicit vs level 1 table",
                                       "implicit vs root table" };
        setctx(names[lvl], " unmapped");
        GPF_PTE(LD, va, pte_gpa);
        GPF_PTE(SD, va, pte_gpa);
        GPF_PTE(LXWU, va, pte_gpa);
        if (lvl == 0) {
            /* X-only: readable with L1's MXR only; no U: never */
            *g_pte(table_gpa, 0) = (pa_of(table_gpa) >> 12) << 10 | V_ | X_ | U_ | A_ | D_;
            setctx(names[lvl], " XU");
            GPF_PTE(LD, va, pte_gpa);
            csr_set(sstatus, SSTATUS_MXR);
            setctx(names[lvl], " XU, sstatus.MXR");
            ok(LD, va, 0, rd(p, 8, 0));
            csr_clear(sstatus, SSTATUS_MXR);
            *g_pte(table_gpa, 0) = (pa_of(table_gpa) >> 12) << 10 | V_ | R_ | W_ | A_ | D_;
            setctx(names[lvl], " no U");
            GPF_PTE(LD, va, pte_gpa);
            /* read-only is enough for a store's walk (QEMU checks the
             * table page as a load) */
            *g_pte(table_gpa, 0) = (pa_of(table_gpa) >> 12) << 10 | V_ | R_ | U_ | A_ | D_;
            setctx(names[lvl], " RU");
            ok(SD, va + 8, 0x42, 0);
        }
    }
}

/* A/D bits: Svadu (hardware update) or Svade (fault), both stages. QEMU
 * decides both for an access from V=0 by menvcfg alone (henvcfg.ADUE is
 * consulted only at V=1): the result is printed for each henvcfg.ADUE. */
static void adchk(const char *name, enum op op, uint64_t va, volatile uint64_t *pte, uint64_t need,
                  int hw, uint64_t cause, uint64_t htval, enum hik hk)
{
    setctx(name, "");
    struct res r = run(op, va, 0x66);
    report(op, &r);
    print("%s: pte after %x\n", ctx, *pte & 0xff);
    if (hw) {
        if (r.trapped)
            fail("unexpected trap", ctx);
        else if ((*pte & need) != need)
            fail("A/D not set by the access", ctx);
    } else if (!r.trapped || r.cause != cause || r.htval != htval ||
               r.htinst != (hk == HI_PTE ? 0x3000 : xform(r.insn, 0))) {
        fail("wrong Svade fault", ctx);
    } else if ((*pte & need) == need) {
        fail("A/D set by a faulting access", ctx);
    }
}

static void test_ad(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(22), va = VA_BASE + 0x9000, henv = csr_read(0x60a);
    for (int adue = 0; adue < 2; adue++) {
        csr_write(0x60a, adue ? henv | ENVCFG_ADUE : henv & ~ENVCFG_ADUE);
        print("ad henvcfg.ADUE=%d: henvcfg %x\n", (long)adue, csr_read(0x60a));
        scenario(3, 3);
        uint64_t gpa = gpa_of(p);
        map(va, p, VSF & ~(A_ | D_), GF);
        volatile uint64_t *vp = vs_pte(va, 0), *gp = g_pte(gpa, 0);
        setctx("ad vs A=0 D=0", "");
        struct res r = run(LD, va, 0);
        report(LD, &r);
        int hw = !r.trapped;
        print("%s: pte after %x; hardware A/D updates: %d\n", ctx, *vp & 0xff, (long)hw);
        if (hw ? !(*vp & A_) : (r.cause != 13 || (*vp & A_) || r.htinst != xform(r.insn, 0)))
            fail("neither Svadu nor Svade", ctx);
        *vp = (*vp & ~D_) | A_;
        adchk("ad vs A=1 D=0 load", LD, va, vp, A_, 1, 0, 0, HI_XFORM);
        if (*vp & D_)
            fail("D set by a load", ctx);
        adchk("ad vs A=1 D=0 store", SD, va + 8, vp, A_ | D_, hw, 15, 0, HI_XFORM);
        *vp &= ~(A_ | D_);
        adchk("ad vs A=0 D=0 store", SD, va + 8, vp, A_ | D_, hw, 15, 0, HI_XFORM);
        *vp |= A_ | D_;
        *gp &= ~(A_ | D_);
        adchk("ad g A=0 D=0 load", LD, va, gp, A_, hw, 21, gpa >> 2, HI_XFORM);
        adchk("ad g D=0 store", SD, va + 16, gp, A_ | D_, hw, 23, (gpa + 16) >> 2, HI_XFORM);
        /* the G-stage leaf of the VS leaf table page */
        uint64_t tgpa = ((*vs_pte(va, 1) >> 10) & ((1ull << 44) - 1)) << 12;
        uint64_t pte_gpa = tgpa + ((va >> 12) & 511) * 8;
        volatile uint64_t *tp = g_pte(tgpa, 0);
        *gp |= A_ | D_;
        *tp &= ~(A_ | D_);
        adchk("ad g of vs table A=0", LD, va, tp, A_, hw, 21, pte_gpa >> 2, HI_PTE);
        *tp = (*tp | A_) & ~D_;
        *vp &= ~(A_ | D_);
        /* the VS PTE is written, its table page's G leaf stays clean
         * (QEMU translates the table page as a load) */
        adchk("ad vs A=0 D=0 store, g of table D=0", SD, va + 24, vp, A_ | D_, hw, 15, 0, HI_XFORM);
        print("%s: g pte of the table %x\n", ctx, *tp & 0xff);
    }
    csr_write(0x60a, henv);
}

/* Memory that is not there, memory PMP protects, and both for tables. */
static void test_memory(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t outside[] = { ram_end + 0x100000, ram_end + 0x10000000 };
    static const char *oname[] = { "ram_end+1m", "ram_end+256m" };
    uint64_t va = VA_BASE + 0xb000;
    for (int i = 0; i < 3; i++) {
        uint64_t pa = i < 2 ? outside[i] : FW_PA;
        const char *nm = i < 2 ? oname[i] : "firmware (PMP)";
        /* the final page */
        scenario(3, 3);
        map(va, pa, VSF, GF);
        setctx("memory data at ", nm);
        AF(LD, va);
        AF(SD, va + 8);
        AF(LXWU, va);
        /* both stages Bare */
        scenario(0, 0);
        setctx("memory bare data at ", nm);
        AF(LW, pa + 4);
        /* a VS table (the leaf table) there */
        scenario(3, 3);
        uint64_t p = data_pa(23);
        map(va, p, VSF, GF);
        uint64_t tgpa = ((*vs_pte(va, 1) >> 10) & ((1ull << 44) - 1)) << 12;
        *g_pte(tgpa, 0) = (pa >> 12) << 10 | GF;
        setctx("memory vs table at ", nm);
        if (i < 2) {
            PF(LD, va);                               /* a bus error on a PTE read */
            PF(SD, va);
        } else {
            AF(LD, va);                               /* PMP */
            AF(SD, va);
        }
        /* a G-stage table (non-leaf) there: for the data, then for the VS tables */
        scenario(3, 3);
        map(va, p, VSF, GF);
        uint64_t gpa = gpa_of(p);
        *g_pte(gpa + 0x40000000, 1) = (pa >> 12) << 10 | V_;   /* another GiB: data only */
        *vs_pte(va + 0x1000, 0) = ((gpa + 0x40000000) >> 12) << 10 | VSF;
        setctx("memory g table of data at ", nm);
        if (i < 2)
            GPF(LD, va + 0x1000, gpa + 0x40000000);
        else
            AF(LD, va + 0x1000);                      /* PMP on the G PTE: access fault, htval 0 */
        *g_pte(gpa_of(sc.vs_root), 1) = (pa >> 12) << 10 | V_; /* the VS tables' 2 MiB */
        setctx("memory g table of vs tables at ", nm);
        GPF_PTE(LD, va, gpa_of(sc.vs_root) + ((va >> 30) & 511) * 8);
    }
}

/* Misaligned and page-crossing accesses (QEMU performs them). */
static void test_misaligned(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(24), q = data_pa(25), va = VA_BASE + 0x20000;
    fill_page(p, 24);
    fill_page(q, 25);
    scenario(3, 3);
    map(va, p, VSF, GF);
    setctx("misaligned", "");
    ok(LH, va + 1, 0, rd(p + 1, 2, 1));
    ok(LWU, va + 1, 0, rd(p + 1, 4, 0));
    ok(LW, va + 6, 0, rd(p + 6, 4, 1));
    ok(LD, va + 3, 0, rd(p + 3, 8, 0));
    ok(LXWU, va + 2, 0, rd(p + 2, 4, 0));
    ok(LXHU, va + 3, 0, rd(p + 3, 2, 0));
    ok(SD, va + 0x105, 0x0102030405060708ull, 0);
    ok(LD, va + 0x105, 0, 0x0102030405060708ull);
    ok(SH, va + 0x111, 0xbeef, 0);
    ok(LHU, va + 0x111, 0, 0xbeef);
    /* crossing into an unmapped page: a fault on the second page */
    setctx("misaligned crossing into unmapped", "");
    flt(LD, va + 0xffc, 0, 13, va + 0x1000, 0, HI_XFORM);
    flt(LW, va + 0xffe, 0, 13, va + 0x1000, 0, HI_XFORM);
    flt(LH, va + 0xfff, 0, 13, va + 0x1000, 0, HI_XFORM);
    flt(SD, va + 0xffd, 0x1111, 15, va + 0x1000, 0, HI_XFORM);
    flt(LXWU, va + 0xffe, 0, 12, va + 0x1000, 0, HI_ZERO);
    if (rd(p + 0xffd, 3, 0) == 0x1111)
        fail("first page written by a faulting store", ctx);
    /* crossing into a mapped page of another physical page */
    map(va + 0x1000, q, VSF, GF);
    setctx("misaligned crossing", "");
    ok(LD, va + 0xffc, 0, rd(p + 0xffc, 4, 0) | rd(q, 4, 0) << 32);
    ok(LH, va + 0xfff, 0, rd(p + 0xfff, 1, 0) | (uint64_t)(int64_t)(int8_t)rd(q, 1, 0) << 8);
    ok(SW, va + 0xffe, 0xa1b2c3d4, 0);
    if (rd(p + 0xffe, 2, 0) != 0xc3d4 || rd(q, 2, 0) != 0xa1b2)
        fail("crossing store not split", ctx);
    ok(LXWU, va + 0xffe, 0, 0xa1b2c3d4);
    map(va + 0x1000, q, V_ | R_ | A_ | D_, GF);
    setctx("misaligned crossing into read-only", "");
    flt(SD, va + 0xffc, 0x2222, 15, va + 0x1000, 0, HI_XFORM);
    if (rd(p + 0xffc, 4, 0) == 0x2222)
        fail("first page written by a faulting store", ctx);
    map(va + 0x1000, q, VSF, GF & ~V_);
    setctx("misaligned crossing into G-unmapped", "");
    flt(LD, va + 0xffa, 0, 21, va + 0x1000, (gpa_of(q)) >> 2, HI_XFORM);
    map(va + 0x1000, ram_end + 0x10000000, VSF, GF);
    setctx("misaligned crossing into no memory", "");
    flt(LD, va + 0xffc, 0, 5, va + 0x1000, 0, HI_KEEP);
    flt(SW, va + 0xffe, 0x3333, 7, va + 0x1000, 0, HI_KEEP);
}

/* From L1's U-mode: HU=0 illegal, HU=1 allowed (not the fences). */
static void test_user(void)
{
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(26), va = VA_BASE + 0x30000, hs = csr_read(0x600);
    fill_page(p, 26);
    scenario(3, 3);
    map(va, p, VSF, GF);
    map(va + 0x1000, p, VSF | U_, GF);
    user_mode = 1;
    static const enum op ops[] = { LD, LBU, LXWU, SD, FV00, FGAB };
    for (int hu = 0; hu < 2; hu++) {
        csr_write(0x600, hu ? hs | HSTATUS_HU : hs & ~HSTATUS_HU);
        setctx(hu ? "user HU=1" : "user HU=0", "");
        for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            enum op op = ops[i];
            if (!hu || op >= FV00) {
                struct res r = run(op, va, 0x55);
                report(op, &r);
                if (!r.trapped || r.cause != 2 || r.tval != r.insn || r.htval ||
                    r.htinst != r.htinst_before || r.gva || r.spp)
                    fail("expected an illegal instruction from U", ctx);
            } else if (op == SD) {
                ok(op, va + 0x40, 0x55, 0);
            } else {
                ok(op, va, 0, rd(p, op == LD ? 8 : op == LBU ? 1 : 4, 0));
            }
        }
    }
    csr_write(0x600, hs | HSTATUS_HU);
    setctx("user HU=1 fault", "");
    PF(LD, va + 0x5000);
    csr_write(0x600, (hs | HSTATUS_HU) & ~HSTATUS_SPVP);
    setctx("user HU=1 SPVP=0 U page", "");
    ok(LD, va + 0x1000, 0, rd(p, 8, 0));
    setctx("user HU=1 SPVP=0 S page", "");
    PF(LD, va);
    user_mode = 0;
    csr_write(0x600, hs);
}

/* HFENCE in all operand forms, and that they make new mappings visible. */
static void test_fences(void)
{
    setctx("fence", "");
    for (enum op op = FV00; op <= FGAB; op++)
        ok(op, 0x1234000, 0x5, 0);
    /* HINVAL needs Svinval */
    for (enum op op = IVAB; op <= IGAB; op++) {
        struct res r = run(op, 0x1234000, 5);
        checks++;
        print("%s %s: trapped %d cause %d tval %x\n", ctx, opname[op], (long)r.trapped,
              (long)(r.trapped ? r.cause : 0), r.trapped ? r.tval : 0);
        if (r.trapped && (r.cause != 2 || r.tval != r.insn))
            fail("hinval: neither executed nor illegal", ctx);
    }
    if (!vs_ok[3] || !g_ok[3])
        return;
    uint64_t p = data_pa(27), q = data_pa(28), va = VA_BASE + 0x40000;
    fill_page(p, 27);
    fill_page(q, 28);
    scenario(3, 3);
    map(va, p, VSF, GF);
    setctx("fence remap", "");
    ok(LD, va, 0, rd(p, 8, 0));
    map(va, q, VSF, GF);
    ok(FVA0, va, 0, 0);
    ok(LD, va, 0, rd(q, 8, 0));
    *g_pte(gpa_of(q), 0) = (p >> 12) << 10 | GF;
    ok(FGA0, gpa_of(q) >> 2, 0, 0);
    ok(LD, va, 0, rd(p, 8, 0));
}

/* ---- setup ---- */
static void detect_modes(void)
{
    for (int l = 3; l <= 5; l++) {
        csr_write(0x680, mode_of(l) | 0x80400);
        g_ok[l] = (csr_read(0x680) >> 60) == (uint64_t)l + 5;
        csr_write(0x680, 0);
        csr_write(0x280, mode_of(l) | 0x80400);
        vs_ok[l] = (csr_read(0x280) >> 60) == (uint64_t)l + 5;
        csr_write(0x280, 0);
    }
    print("hlv: vsatp modes sv39 %d sv48 %d sv57 %d, hgatp modes sv39x4 %d sv48x4 %d sv57x4 %d\n",
          (long)vs_ok[3], (long)vs_ok[4], (long)vs_ok[5], (long)g_ok[3], (long)g_ok[4], (long)g_ok[5]);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    print("hlv: start\n");
    uint64_t size;
    if (fdt_memory(fdt, &ram_base, &size))
        ram_end = ram_base + size;
    print("hlv: ram %x-%x\n", ram_base, ram_end);
    if (!ram_end || ram_end <= SUPER_BASE + 0x200000) {
        print("FAIL: no usable /memory in the device tree\n");
        shutdown();
    }
    csr_write(stvec, (uint64_t)htrap_entry);
    csr_write(0x600, HSTATUS_VSXL64 | HSTATUS_SPVP);
    csr_write(0x200, 0);
    for (unsigned i = 0; i < DATA_PAGES; i++)
        fill_page(data_pa(i), i);
    detect_modes();
    print("hlv: henvcfg %x\n", csr_read(0x60a));
    test_widths(vs_ok[3] ? 3 : 0, g_ok[3] ? 3 : 0);
    test_modes();
    test_superpages();
    test_perms();
    test_implicit();
    test_ad();
    test_memory();
    test_misaligned();
    test_user();
    test_fences();
    csr_write(0x680, 0);
    csr_write(0x280, 0);
    print("hlv: %d checks, %d failures\n", (long)checks, (long)failures);
    print("hlv: %s\n", failures ? "FAILED" : "passed");
    shutdown();
    return 0;
}
