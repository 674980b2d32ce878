/* HLV/HLVX/HSV and HFENCE/HINVAL of L1 (nested/hyp_insn.c) through the
 * engine on a mock hart: values, every fault with what L1 sees (vscause,
 * vstval, virtual htval/htinst/hstatus.GVA), privilege rules, memory L1
 * cannot reach, A/D, fences in every operand form. */
#include "mock_hart.h"
#include "pt_build.h"
#include "rvnest/csr.h"

#define GOFF 0x100000000ull
#define VSF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define GF (VSF | PTE_U)
#define PC 0x80201000ull
#define VEC 0x80200800ull
/* OpenSBI's medeleg with H: misaligned fetch, breakpoint, U ecall, page
 * faults, VS ecall, guest page faults, virtual instruction */
#define OPENSBI_MEDELEG 0xf0b509ull

#define HLV(f7, rs2, rd, rs1) (((uint32_t)(f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | (4u << 12) | ((rd) << 7) | 0x73)
#define HSV(f7, rs2, rs1) (((uint32_t)(f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | (4u << 12) | 0x73)
#define FENCE(f7, rs1, rs2) (((uint32_t)(f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | 0x73)

struct fx {
    struct mock_vm t;
    struct mock_hart *m;
    struct pt_builder pt;             /* tables in m's memory */
    uint64_t vs_root, g_root;
};

static uint64_t alloc(struct fx *f, unsigned pages) { return pt_alloc(&f->pt, pages); }
#define leaf pt_leaf
static uint64_t slot(struct fx *f, uint64_t root, int levels, bool x4, uint64_t goff, uint64_t addr,
                     int lvl)
{
    return pt_slot(&f->pt, root, levels, x4, goff, addr, lvl);
}

static uint64_t g_slot(struct fx *f, uint64_t gpa) { return slot(f, f->g_root, 3, true, 0, gpa, 0); }

/* A VS leaf for va -> GPA (pa + GOFF), new VS table pages mapped in the G-stage */
static uint64_t vs_slot(struct fx *f, uint64_t va, int lvl)
{
    uint64_t before = f->pt.next;
    uint64_t s = slot(f, f->vs_root, 3, false, GOFF, va, lvl);
    for (uint64_t p = before; p < f->pt.next; p += 0x1000)
        mock_write64(f->m, g_slot(f, p + GOFF), leaf(p, GF));
    return s;
}

static void map(struct fx *f, uint64_t va, uint64_t pa, uint64_t vsf, uint64_t gf)
{
    mock_write64(f->m, vs_slot(f, va, 0), leaf(pa + GOFF, vsf));
    mock_write64(f->m, g_slot(f, pa + GOFF), leaf(pa, gf));
}

static void fx_init(struct fx *f)
{
    mock_vm_boot(&f->t);
    f->m = &f->t.m;
    f->m->csr[CSR_MEDELEG] = OPENSBI_MEDELEG;
    f->m->csr[CSR_VSTVEC] = VEC;
    f->pt = (struct pt_builder){ .m = f->m, .next = 0x81000000 };
    f->g_root = alloc(f, 4);
    f->vs_root = alloc(f, 1);
    mock_write64(f->m, g_slot(f, f->vs_root + GOFF), leaf(f->vs_root, GF));
    uint64_t *v = f->t.vc->vcsr.val;
    v[VCSR_HGATP] = (8ull << 60) | (5ull << HGATP_VMID_SHIFT) | (f->g_root >> 12);
    v[VCSR_VSATP] = (8ull << 60) | ((f->vs_root + GOFF) >> 12);
    v[VCSR_HSTATUS] |= HSTATUS_SPVP;
    /* data page: bytes f1 82 93 a4 b5 c6 d7 e8, then 01 02 ... */
    uint64_t d = 0x82000000;
    mock_write64(f->m, d, 0xe8d7c6b5a49382f1ull);
    mock_write64(f->m, d + 8, 0x0807060504030201ull);
    map(f, 0x40001000, d, VSF, GF);
}

static void exec(struct fx *f, uint32_t insn)
{
    mock_trap_from_l1(&f->t, EXC_VIRTUAL_INST, PC, insn, 0, 0);
}

static void exec_u(struct fx *f, uint32_t insn)
{
    struct mock_hart *m = f->m;
    m->csr[CSR_SCAUSE] = EXC_VIRTUAL_INST;
    m->csr[CSR_SEPC] = PC;
    m->csr[CSR_STVAL] = insn;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->csr[CSR_SSTATUS] &= ~MSTATUS_SPP;
    m->pc = f->t.vm.l0_base;
    m->priv = PRV_S;
    rvnest_on_hs_trap(f->t.vc);
}

static void assert_done(struct fx *f)
{
    g_assert_cmpstr(f->t.vm.fatal, ==, "");
    g_assert_cmphex(f->m->pc, ==, PC + 4);
}

/* The trap L1 must see. htinst ~0: not checked. */
static void assert_trap(struct fx *f, uint64_t cause, uint64_t tval, uint64_t htval, uint64_t htinst,
                        bool gva)
{
    const uint64_t *v = f->t.vc->vcsr.val;
    g_assert_cmpstr(f->t.vm.fatal, ==, "");
    g_assert_cmphex(f->m->pc, ==, VEC);
    g_assert_cmpuint(f->m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmphex(f->m->csr[CSR_VSCAUSE], ==, cause);
    g_assert_cmphex(f->m->csr[CSR_VSTVAL], ==, tval);
    g_assert_cmphex(f->m->csr[CSR_VSEPC], ==, PC);
    g_assert_cmphex(v[VCSR_HTVAL], ==, htval);
    if (htinst != ~0ull)
        g_assert_cmphex(v[VCSR_HTINST], ==, htinst);
    g_assert_cmpint(!!(v[VCSR_HSTATUS] & HSTATUS_GVA), ==, gva);
    g_assert_false(v[VCSR_HSTATUS] & HSTATUS_SPV);
}

static uint32_t rs1_zero(uint32_t insn, unsigned off) { return (insn & ~(31u << 15)) | off << 15; }

static void test_loads_stores(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    m->gpr[11] = 0x40001000;
    struct { uint32_t f7, rs2; uint64_t want; } ld[] = {
        { 0x30, 0, 0xfffffffffffffff1ull }, { 0x30, 1, 0xf1 },
        { 0x32, 0, 0xffffffffffff82f1ull }, { 0x32, 1, 0x82f1 }, { 0x32, 3, 0x82f1 },
        { 0x34, 0, 0xffffffffa49382f1ull }, { 0x34, 1, 0xa49382f1ull }, { 0x34, 3, 0xa49382f1ull },
        { 0x36, 0, 0xe8d7c6b5a49382f1ull },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(ld); i++) {
        m->gpr[10] = 0;
        exec(&f, HLV(ld[i].f7, ld[i].rs2, 10, 11));
        assert_done(&f);
        g_assert_cmphex(m->gpr[10], ==, ld[i].want);
        g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    }
    /* positive values, rd = x0, rs1 = x0 (address 0) */
    m->gpr[11] = 0x40001008;
    exec(&f, HLV(0x34, 0, 10, 11));
    g_assert_cmphex(m->gpr[10], ==, 0x04030201);
    exec(&f, HLV(0x36, 0, 0, 11));
    assert_done(&f);
    map(&f, 0, 0x82000000, VSF, GF);
    exec(&f, HLV(0x36, 0, 12, 0));
    g_assert_cmphex(m->gpr[12], ==, 0xe8d7c6b5a49382f1ull);
    /* stores of each width, rs2 = x0 */
    m->gpr[11] = 0x40001100;
    m->gpr[12] = 0x1122334455667788ull;
    uint32_t st[] = { 0x31, 0x33, 0x35, 0x37 };
    for (unsigned i = 0; i < 4; i++) {
        mock_write64(m, 0x82000100, ~0ull);
        exec(&f, HSV(st[i], 12, 11));
        assert_done(&f);
        uint64_t mask = i == 3 ? ~0ull : (1ull << (8 << i)) - 1;
        g_assert_cmphex(mock_read64(m, 0x82000100), ==, (~0ull & ~mask) | (0x1122334455667788ull & mask));
    }
    exec(&f, HSV(0x37, 0, 11));
    g_assert_cmphex(mock_read64(m, 0x82000100), ==, 0);
    g_assert_cmpuint(f.t.vm.vcpu[0].stats.exits[EXIT_HYP_LOAD_STORE], ==, G_N_ELEMENTS(ld) + 3 + 5);
    g_assert_cmpuint(f.t.vm.vcpu[0].stats.exits[EXIT_VIRT_INSN_OTHER], ==, 0);
    /* encodings that are not HLV/HSV are illegal (hlv.du, hsv with rd) */
    exec(&f, HLV(0x36, 1, 10, 11));
    assert_trap(&f, EXC_ILLEGAL_INST, HLV(0x36, 1, 10, 11), 0, ~0ull, false);
    exec(&f, HSV(0x37, 12, 11) | (5u << 7));
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    mock_vm_free(&f.t);
}

static void test_faults(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint32_t ld = HLV(0x36, 0, 10, 11), sd = HSV(0x37, 12, 11), lx = HLV(0x34, 3, 10, 11);
    /* VS-stage page fault: the transformed instruction, GVA */
    m->gpr[11] = 0x40002000;
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40002000, 0, rs1_zero(ld, 0), true);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_PAGE_FAULT, 0x40002000, 0, rs1_zero(sd, 0), true);
    exec(&f, lx);                                             /* HLVX: a fetch */
    assert_trap(&f, EXC_INST_PAGE_FAULT, 0x40002000, 0, 0, true);
    /* G-stage fault of the final address */
    uint64_t gpa = 0x82003000 + GOFF;
    mock_write64(m, vs_slot(&f, 0x40003000, 0), leaf(gpa, VSF));
    m->gpr[11] = 0x40003010;
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_GUEST_PAGE_FAULT, 0x40003010, (gpa + 0x10) >> 2, rs1_zero(ld, 0), true);
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_GUEST_PAGE_FAULT, 0x40003010, (gpa + 0x10) >> 2, rs1_zero(sd, 0), true);
    exec(&f, lx);                                             /* QEMU: from V=0, a page fault */
    assert_trap(&f, EXC_INST_PAGE_FAULT, 0x40003010, (gpa + 0x10) >> 2, 0, true);
    /* G-stage fault on a VS table: the pseudoinstruction */
    uint64_t l0 = vs_slot(&f, 0x40001000, 0) & ~0xfffull;
    mock_write64(m, g_slot(&f, l0 + GOFF), 0);
    m->gpr[11] = 0x40001008;
    uint64_t pte_gpa = l0 + GOFF + 1 * 8;
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_GUEST_PAGE_FAULT, 0x40001008, pte_gpa >> 2, 0x3000, true);
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_GUEST_PAGE_FAULT, 0x40001008, pte_gpa >> 2, 0x3000, true);
    exec(&f, lx);
    assert_trap(&f, EXC_INST_PAGE_FAULT, 0x40001008, pte_gpa >> 2, 0x3000, true);
    /* L1 at U when it trapped: SPP clear in its sstatus */
    f.t.vc->vcsr.val[VCSR_HSTATUS] |= HSTATUS_HU;
    exec_u(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_GUEST_PAGE_FAULT);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    mock_vm_free(&f.t);
}

static void test_misaligned(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint32_t ld = HLV(0x36, 0, 10, 11), lw = HLV(0x34, 0, 10, 11), lh = HLV(0x32, 0, 10, 11);
    uint32_t sd = HSV(0x37, 12, 11), lx = HLV(0x34, 3, 10, 11);
    /* inside a page: performed */
    m->gpr[11] = 0x40001003;
    exec(&f, ld);
    assert_done(&f);
    g_assert_cmphex(m->gpr[10], ==, 0x030201e8d7c6b5a4ull);
    /* crossing into an unmapped page: a fault at the second page, the
     * offset in the transformed instruction's rs1 (QEMU's size mask) */
    mock_write64(m, 0x82000ff8, 0x1122334455667788ull);
    m->gpr[11] = 0x40001ffc;
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40002000, 0, rs1_zero(ld, 4), true);
    m->gpr[11] = 0x40001ffe;
    exec(&f, lw);
    assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40002000, 0, rs1_zero(lw, 2), true);
    exec(&f, lx);
    assert_trap(&f, EXC_INST_PAGE_FAULT, 0x40002000, 0, 0, true);
    m->gpr[11] = 0x40001fff;
    exec(&f, lh);
    assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40002000, 0, rs1_zero(lh, 1), true);
    m->gpr[11] = 0x40001ffd;
    m->gpr[12] = 0xaaaaaaaaaaaaaaaaull;
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_PAGE_FAULT, 0x40002000, 0, rs1_zero(sd, 3), true);
    g_assert_cmphex(mock_read64(m, 0x82000ff8), ==, 0x1122334455667788ull);   /* untouched */
    /* crossing into another physical page */
    map(&f, 0x40002000, 0x82005000, VSF, GF);
    mock_write64(m, 0x82005000, 0x0fedcba987654321ull);
    m->gpr[11] = 0x40001ffc;
    exec(&f, ld);
    assert_done(&f);
    g_assert_cmphex(m->gpr[10], ==, 0x8765432111223344ull);
    m->gpr[11] = 0x40001ffe;
    m->gpr[12] = 0xa1b2c3d4;
    exec(&f, HSV(0x35, 12, 11));
    assert_done(&f);
    g_assert_cmphex(mock_read64(m, 0x82000ff8) >> 48, ==, 0xc3d4);
    g_assert_cmphex(mock_read64(m, 0x82005000) & 0xffff, ==, 0xa1b2);
    /* crossing into a read-only page: nothing written */
    map(&f, 0x40002000, 0x82005000, PTE_V | PTE_R | PTE_A | PTE_D, GF);
    m->gpr[11] = 0x40001ffc;
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_PAGE_FAULT, 0x40002000, 0, rs1_zero(sd, 4), true);
    g_assert_cmphex(mock_read64(m, 0x82000ff8) >> 32, ==, 0xc3d43344);
    mock_vm_free(&f.t);
}

/* PMP entries: 0x81800000 no access, 0x81801000 read-only, then all RWX. */
static void set_pmp(struct mock_hart *m)
{
    m->csr[CSR_PMPADDR0] = (0x81800000 >> 2) | 0x1ff;
    m->csr[CSR_PMPADDR0 + 1] = (0x81801000 >> 2) | 0x1ff;
    m->csr[CSR_PMPADDR0 + 2] = ~0ull;
    m->csr[CSR_PMPCFG0] = 0x18 | (0x19ull << 8) | (0x1full << 16);
}

static void test_memory_reach(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint64_t *v = f.t.vc->vcsr.val;
    set_pmp(m);
    m->no_mem_base = 0xd0000000;
    uint32_t ld = HLV(0x36, 0, 10, 11), sd = HSV(0x37, 12, 11), lx = HLV(0x34, 3, 10, 11);
    uint64_t l0mem = f.t.vm.l0_base;
    /* data where L1 cannot go: L0 memory, PMP, nothing. OpenSBI does not
     * delegate access faults: htinst stays, htval and GVA are 0 */
    uint64_t where[] = { l0mem, 0x81800000, 0xd0000000 };
    for (unsigned i = 0; i < 3; i++) {
        map(&f, 0x40010000, where[i], VSF, GF);
        m->gpr[11] = 0x40010008;
        v[VCSR_HTINST] = 0x1234;
        exec(&f, ld);
        assert_trap(&f, EXC_LOAD_ACCESS, 0x40010008, 0, 0x1234, false);
        exec(&f, sd);
        assert_trap(&f, EXC_STORE_ACCESS, 0x40010008, 0, 0x1234, false);
        exec(&f, lx);
        assert_trap(&f, EXC_INST_ACCESS, 0x40010008, 0, 0x1234, false);
    }
    /* read-only PMP: loads and HLVX work only with R/X... an HLVX needs X */
    map(&f, 0x40010000, 0x81801000, VSF, GF);
    exec(&f, ld);
    assert_done(&f);
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_ACCESS, 0x40010008, 0, 0x1234, false);
    exec(&f, lx);
    assert_trap(&f, EXC_INST_ACCESS, 0x40010008, 0, 0x1234, false);
    /* a firmware that delegates access faults: the hart's values */
    m->csr[CSR_MEDELEG] |= 1u << EXC_LOAD_ACCESS;
    map(&f, 0x40010000, l0mem, VSF, GF);
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_ACCESS, 0x40010008, 0, rs1_zero(ld, 0), true);
    m->csr[CSR_MEDELEG] = OPENSBI_MEDELEG;
    /* a VS table where L1 cannot go: no memory (L0's, or none) is a page
     * fault, PMP an access fault */
    uint64_t l0 = vs_slot(&f, 0x40001000, 0) & ~0xfffull;
    m->gpr[11] = 0x40001000;
    uint64_t tables[] = { l0mem, 0xd0000000, 0xc8000000, 0x81800000 };
    for (unsigned i = 0; i < 4; i++) {
        mock_write64(m, g_slot(&f, l0 + GOFF), leaf(tables[i], GF));
        exec(&f, ld);
        if (i < 3)
            assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40001000, 0, rs1_zero(ld, 0), true);
        else
            assert_trap(&f, EXC_LOAD_ACCESS, 0x40001000, 0, ~0ull, false);
    }
    mock_write64(m, g_slot(&f, l0 + GOFF), leaf(l0, GF));
    exec(&f, ld);
    assert_done(&f);
    /* A/D update into a table page PMP makes read-only: an access fault */
    uint64_t ro = 0x81801000;
    mock_write64(m, ro + 8, leaf(0x82000000 + GOFF, PTE_V | PTE_R));
    mock_write64(m, vs_slot(&f, 0x40001000, 1), ((ro + GOFF) >> 12) << 10 | PTE_V);
    mock_write64(m, g_slot(&f, ro + GOFF), leaf(ro, GF));
    m->gpr[11] = 0x40001000;
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_ACCESS, 0x40001000, 0, ~0ull, false);
    /* a G-stage table where L1 cannot go: the final translation, then the
     * one of the VS tables (always a guest page fault with 0x3000) */
    mock_write64(m, slot(&f, f.g_root, 3, true, 0, 0x82000000 + GOFF, 1), leaf(l0mem, PTE_V));
    m->gpr[11] = 0x40002000;
    map(&f, 0x40002000, 0x82200000, VSF, GF);                 /* a fresh 2 MiB region */
    mock_write64(m, slot(&f, f.g_root, 3, true, 0, 0x82200000 + GOFF, 1), leaf(l0mem, PTE_V));
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_GUEST_PAGE_FAULT, 0x40002000, (0x82200000 + GOFF) >> 2,
                rs1_zero(ld, 0), true);
    mock_write64(m, slot(&f, f.g_root, 3, true, 0, 0x82200000 + GOFF, 1), leaf(0x81800000, PTE_V));
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_ACCESS, 0x40002000, 0, ~0ull, false);
    mock_write64(m, slot(&f, f.g_root, 3, true, 0, f.vs_root + GOFF, 1), leaf(0x81800000, PTE_V));
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_GUEST_PAGE_FAULT, 0x40002000,
                (f.vs_root + GOFF + ((0x40002000 >> 30) & 511) * 8) >> 2, 0x3000, true);
    mock_vm_free(&f.t);
}

/* L1's HLV/HSV of a GPA its G-stage maps to the PLIC reach the device as
 * natively: 4-byte pieces (an 8-byte access at 4 mod 8 is two), any other
 * piece an access fault at that piece; on every PLIC page, the ones L0
 * performs for L1 (priorities) and the others (pending). */
static void test_plic(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint64_t *v = f.t.vc->vcsr.val;
    const uint64_t plic = f.t.vm.plic_base, va = 0x40020000;
    map(&f, va, plic, VSF, GF);
    map(&f, va + 0x1000, plic + 0x1000, VSF, GF);
    mock_write64(m, plic + 0x4, 0x0000000500000007ull);
    m->gpr[11] = va + 4;
    exec(&f, HLV(0x34, 1, 10, 11));                          /* hlv.wu */
    assert_done(&f);
    g_assert_cmphex(m->gpr[10], ==, 7);
    exec(&f, HLV(0x36, 0, 10, 11));                          /* hlv.d at 4 mod 8: two words */
    assert_done(&f);
    g_assert_cmphex(m->gpr[10], ==, 0x0000000500000007ull);
    m->gpr[11] = va + 0x10;
    m->gpr[12] = 3;
    exec(&f, HSV(0x35, 12, 11));                             /* hsv.w */
    assert_done(&f);
    g_assert_cmphex(mock_read64(m, plic + 0x10) & 0xffffffff, ==, 3);
    /* sizes the PLIC refuses: OpenSBI redirects the access fault */
    v[VCSR_HTINST] = 0x1234;
    exec(&f, HLV(0x30, 1, 10, 11));                          /* hlv.bu */
    assert_trap(&f, EXC_LOAD_ACCESS, va + 0x10, 0, 0x1234, false);
    exec(&f, HSV(0x37, 12, 11));                             /* hsv.d, 8-aligned */
    assert_trap(&f, EXC_STORE_ACCESS, va + 0x10, 0, 0x1234, false);
    m->gpr[11] = va + 0x1000;                                /* the pending page */
    exec(&f, HLV(0x36, 0, 10, 11));
    assert_trap(&f, EXC_LOAD_ACCESS, va + 0x1000, 0, 0x1234, false);
    exec(&f, HLV(0x34, 1, 10, 11));
    assert_done(&f);
    mock_vm_free(&f.t);
}

static void test_privilege(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint64_t *v = f.t.vc->vcsr.val;
    uint32_t ld = HLV(0x36, 0, 10, 11), lx = HLV(0x34, 3, 10, 11), sw = HSV(0x35, 12, 11);
    m->gpr[11] = 0x40001000;
    /* L1's U-mode: HU=0 illegal (htinst kept: OpenSBI redirects it) */
    v[VCSR_HTINST] = 0x77;
    exec_u(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, ld);
    g_assert_cmphex(v[VCSR_HTINST], ==, 0x77);
    g_assert_false(v[VCSR_HSTATUS] & HSTATUS_GVA);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    v[VCSR_HSTATUS] |= HSTATUS_HU;
    exec_u(&f, ld);
    g_assert_cmphex(m->pc, ==, PC + 4);
    g_assert_cmpuint(m->priv, ==, PRV_U | PRIV_V);
    g_assert_cmphex(m->gpr[10], ==, 0xe8d7c6b5a49382f1ull);
    /* SPVP=0: U pages only */
    v[VCSR_HSTATUS] &= ~HSTATUS_SPVP;
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_PAGE_FAULT);
    map(&f, 0x40001000, 0x82000000, VSF | PTE_U, GF);
    exec(&f, ld);
    assert_done(&f);
    exec(&f, lx);
    assert_done(&f);
    /* SPVP=1 and a U page: the guest's vsstatus.SUM (virtual), never for HLVX */
    v[VCSR_HSTATUS] |= HSTATUS_SPVP;
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_PAGE_FAULT);
    m->csr[CSR_VSSTATUS] |= MSTATUS_SUM;                      /* L1's own SUM: no effect */
    exec(&f, sw);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_STORE_PAGE_FAULT);
    m->csr[CSR_VSSTATUS] &= ~MSTATUS_SUM;
    v[VCSR_VSSTATUS] |= MSTATUS_SUM;
    exec(&f, ld);
    assert_done(&f);
    exec(&f, sw);
    assert_done(&f);
    exec(&f, lx);
    assert_trap(&f, EXC_INST_PAGE_FAULT, 0x40001000, 0, 0, true);
    v[VCSR_VSSTATUS] &= ~MSTATUS_SUM;
    /* MXR: VS-stage from L1's sstatus or the guest's vsstatus; G-stage from L1's only */
    map(&f, 0x40001000, 0x82000000, PTE_V | PTE_X | PTE_A | PTE_D, GF);
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_PAGE_FAULT);
    exec(&f, lx);
    assert_done(&f);
    v[VCSR_VSSTATUS] |= MSTATUS_MXR;
    exec(&f, ld);
    assert_done(&f);
    v[VCSR_VSSTATUS] &= ~MSTATUS_MXR;
    m->csr[CSR_VSSTATUS] |= MSTATUS_MXR;
    exec(&f, ld);
    assert_done(&f);
    m->csr[CSR_VSSTATUS] &= ~MSTATUS_MXR;
    map(&f, 0x40001000, 0x82000000, VSF, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D);
    v[VCSR_VSSTATUS] |= MSTATUS_MXR;
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_GUEST_PAGE_FAULT);
    v[VCSR_VSSTATUS] &= ~MSTATUS_MXR;
    m->csr[CSR_VSSTATUS] |= MSTATUS_MXR;
    exec(&f, ld);
    assert_done(&f);
    mock_vm_free(&f.t);
}

static void test_accessed_dirty(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    struct rvnest_vm *vm = &f.t.vm;
    uint32_t ld = HLV(0x36, 0, 10, 11), sd = HSV(0x37, 12, 11);
    uint64_t vp = vs_slot(&f, 0x40001000, 0), gp = g_slot(&f, 0x82000000 + GOFF);
    uint64_t vclean = leaf(0x82000000 + GOFF, PTE_V | PTE_R | PTE_W);
    uint64_t gclean = leaf(0x82000000, PTE_V | PTE_R | PTE_W | PTE_U);
    m->gpr[11] = 0x40001000;
    /* neither Svadu nor Svade in the DT: the hart updates (QEMU) */
    g_assert_false(vm->isa.svadu || vm->isa.svade);
    mock_write64(m, vp, vclean);
    mock_write64(m, gp, gclean);
    exec(&f, sd);
    assert_done(&f);
    g_assert_cmphex(mock_read64(m, vp), ==, vclean | PTE_A | PTE_D);
    g_assert_cmphex(mock_read64(m, gp), ==, gclean | PTE_A | PTE_D);
    /* Svadu: menvcfg.ADUE (the firmware's) decides both stages */
    vm->isa.svadu = true;
    f.t.vc->vcsr.menvcfg &= ~ENVCFG_ADUE;
    mock_write64(m, vp, vclean);
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_PAGE_FAULT, 0x40001000, 0, rs1_zero(ld, 0), true);
    mock_write64(m, vp, vclean | PTE_A);
    exec(&f, sd);
    assert_trap(&f, EXC_STORE_PAGE_FAULT, 0x40001000, 0, rs1_zero(sd, 0), true);
    mock_write64(m, vp, vclean | PTE_A | PTE_D);
    mock_write64(m, gp, gclean);
    exec(&f, ld);
    assert_trap(&f, EXC_LOAD_GUEST_PAGE_FAULT, 0x40001000, (0x82000000 + GOFF) >> 2,
                rs1_zero(ld, 0), true);
    /* henvcfg.ADUE does not matter for an access from V=0 (QEMU) */
    f.t.vc->vcsr.val[VCSR_HENVCFG] |= ENVCFG_ADUE;
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_GUEST_PAGE_FAULT);
    f.t.vc->vcsr.menvcfg |= ENVCFG_ADUE;
    f.t.vc->vcsr.val[VCSR_HENVCFG] &= ~ENVCFG_ADUE;
    exec(&f, ld);
    assert_done(&f);
    g_assert_cmphex(mock_read64(m, gp), ==, gclean | PTE_A);
    /* Svade: faults */
    vm->isa.svadu = false;
    vm->isa.svade = true;
    mock_write64(m, gp, gclean);
    exec(&f, ld);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_GUEST_PAGE_FAULT);
    g_assert_cmphex(mock_read64(m, gp), ==, gclean);
    mock_vm_free(&f.t);
}

static void test_fences(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    struct rvnest_vcpu *vc = f.t.vc;
    m->gpr[14] = 0x1234000;
    m->gpr[15] = 7;
    struct { uint32_t insn; bool gvma, all_addr, all_id; } t[] = {
        { FENCE(0x11, 0, 0), false, true, true }, { FENCE(0x11, 14, 0), false, false, true },
        { FENCE(0x11, 0, 15), false, true, false }, { FENCE(0x11, 14, 15), false, false, false },
        { FENCE(0x31, 0, 0), true, true, true }, { FENCE(0x31, 14, 0), true, false, true },
        { FENCE(0x31, 0, 15), true, true, false }, { FENCE(0x31, 14, 15), true, false, false },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
        uint64_t before = t[i].gvma ? vc->inval.gvma : vc->inval.vvma;
        exec(&f, t[i].insn);
        assert_done(&f);
        g_assert_cmpuint(t[i].gvma ? vc->inval.gvma : vc->inval.vvma, ==, before + 1);
        const struct rvnest_inval *r = &vc->inval.last;
        g_assert_cmpint(r->all_addr, ==, t[i].all_addr);
        g_assert_cmpint(r->all_id, ==, t[i].all_id);
        if (!t[i].all_addr)
            g_assert_cmphex(r->addr, ==, t[i].gvma ? 0x1234000ull << 2 : 0x1234000);
        if (!t[i].all_id)
            g_assert_cmphex(r->id, ==, 7);
        if (!t[i].gvma)
            g_assert_cmphex(r->vmid, ==, 5);
    }
    g_assert_cmpuint(f.t.vm.vcpu[0].stats.exits[EXIT_HFENCE], ==, 8);
    /* from U: illegal, HU or not */
    f.t.vc->vcsr.val[VCSR_HSTATUS] |= HSTATUS_HU;
    exec_u(&f, FENCE(0x11, 14, 15));
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, FENCE(0x11, 14, 15));
    exec_u(&f, FENCE(0x31, 0, 0));
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    /* mstatus.TVM: HFENCE.GVMA is illegal in S, HFENCE.VVMA is not */
    m->csr[CSR_MSTATUS] |= MSTATUS_TVM;
    exec(&f, FENCE(0x31, 0, 0));
    assert_trap(&f, EXC_ILLEGAL_INST, FENCE(0x31, 0, 0), 0, ~0ull, false);
    exec(&f, FENCE(0x11, 0, 0));
    assert_done(&f);
    m->csr[CSR_MSTATUS] &= ~MSTATUS_TVM;
    /* HINVAL: only with Svinval */
    exec(&f, FENCE(0x13, 14, 15));
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    f.t.vm.isa.svinval = true;
    uint64_t g = vc->inval.gvma, vv = vc->inval.vvma;
    exec(&f, FENCE(0x13, 14, 15));
    assert_done(&f);
    exec(&f, FENCE(0x33, 14, 0));
    assert_done(&f);
    g_assert_cmpuint(vc->inval.vvma, ==, vv + 1);
    g_assert_cmpuint(vc->inval.gvma, ==, g + 1);
    g_assert_true(vc->inval.last.all_id);
    mock_vm_free(&f.t);
}

/* No instruction in stval: L0 reads it through L1's own table (the real
 * vsatp) with fetch permission. */
static void test_fetch_without_stval(void)
{
    struct fx f;
    fx_init(&f);
    struct mock_hart *m = f.m;
    uint64_t root = 0x83000000, l1 = 0x83001000, l0 = 0x83002000, code = 0x83010000;
    uint64_t va = 0xffffffc000200000ull;
    mock_write64(m, root + 256 * 8, leaf(l1, PTE_V));
    mock_write64(m, l1 + 1 * 8, leaf(l0, PTE_V));
    mock_write64(m, l0, leaf(code, PTE_V | PTE_R | PTE_X | PTE_A));
    m->csr[CSR_VSATP] = (8ull << 60) | (root >> 12);
    uint32_t ld = HLV(0x36, 0, 10, 11);
    m->h.ops->write_phys(&m->h, code + 0xffc, &ld, 4);
    m->gpr[11] = 0x40001000;
    mock_trap_from_l1(&f.t, EXC_VIRTUAL_INST, va + 0xffc, 0, 0, 0);
    g_assert_cmpstr(f.t.vm.fatal, ==, "");
    g_assert_cmphex(m->gpr[10], ==, 0xe8d7c6b5a49382f1ull);
    g_assert_cmphex(m->pc, ==, va + 0x1000);
    /* not executable: L0 cannot tell what trapped */
    mock_write64(m, l0, leaf(code, PTE_V | PTE_R | PTE_A));
    mock_trap_from_l1(&f.t, EXC_VIRTUAL_INST, va + 0xffc, 0, 0, 0);
    g_assert_nonnull(strstr(f.t.vm.fatal, "cannot read the L1 instruction"));
    mock_vm_free(&f.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hyp-insn/loads-stores", test_loads_stores);
    g_test_add_func("/hyp-insn/faults", test_faults);
    g_test_add_func("/hyp-insn/misaligned", test_misaligned);
    g_test_add_func("/hyp-insn/memory-reach", test_memory_reach);
    g_test_add_func("/hyp-insn/plic", test_plic);
    g_test_add_func("/hyp-insn/privilege", test_privilege);
    g_test_add_func("/hyp-insn/accessed-dirty", test_accessed_dirty);
    g_test_add_func("/hyp-insn/fences", test_fences);
    g_test_add_func("/hyp-insn/fetch-without-stval", test_fetch_without_stval);
    return g_test_run();
}
