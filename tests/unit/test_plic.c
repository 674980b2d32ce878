/* The PLIC pages L0 performs for L1 (nested/plic.c) and guest page faults
 * of L1's own page-table walks (nested/gpf.c). */
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"

#define LW(rd, rs1)  ((2u << 12) | ((rd) << 7) | ((rs1) << 15) | 0x03)
#define LB(rd, rs1)  ((0u << 12) | ((rd) << 7) | ((rs1) << 15) | 0x03)
#define LD(rd, rs1)  ((3u << 12) | ((rd) << 7) | ((rs1) << 15) | 0x03)
#define SW(rs2, rs1) (((rs2) << 20) | ((rs1) << 15) | (2u << 12) | 0x23)
#define SH(rs2, rs1) (((rs2) << 20) | ((rs1) << 15) | (1u << 12) | 0x23)
#define SD(rs2, rs1) (((rs2) << 20) | ((rs1) << 15) | (3u << 12) | 0x23)
#define AMO_W(f5, rd, rs1, rs2) (((f5) << 27) | ((rs2) << 20) | ((rs1) << 15) | (2u << 12) | ((rd) << 7) | 0x2f)
#define AMO_D(f5, rd, rs1, rs2) (((f5) << 27) | ((rs2) << 20) | ((rs1) << 15) | (3u << 12) | ((rd) << 7) | 0x2f)

/* L1 (satp Bare) accesses gpa; L0's PMP denies the PLIC pages, so the
 * hart raises an access fault, which OpenSBI redirects to L0 */
static void plic_try(struct mock_vm *t, uint64_t cause, uint64_t gpa, uint32_t insn)
{
    cause = cause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
    mock_l1_access(t, cause, 0x80201000, insn, gpa);
}

static void test_sizes(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200800;
    uint64_t ctx = t.vm.plic_claim_page, prio = t.vm.plic_range[0].base, en = t.vm.plic_range[1].base;
    g_assert_cmphex(prio, ==, 0x0c000000);
    g_assert_cmphex(en, ==, 0x0c002000);
    g_assert_cmphex(ctx, ==, 0x0c201000);
    /* aligned 32-bit: performed */
    m->gpr[5] = 7;
    plic_try(&t, EXC_STORE_GUEST_PAGE_FAULT, prio + 40, SW(5, 6));
    g_assert_cmphex(m->pc, ==, 0x80201004);
    g_assert_cmpuint(mock_read64(m, prio + 40) & 0xffffffff, ==, 7);
    plic_try(&t, EXC_LOAD_GUEST_PAGE_FAULT, prio + 40, LW(7, 6));
    g_assert_cmpuint(m->gpr[7], ==, 7);
    /* anything else: the access fault the PLIC's bus error gives, no access */
    static const struct { uint64_t cause; uint32_t insn; uint64_t off; uint64_t want; } bad[] = {
        { EXC_LOAD_GUEST_PAGE_FAULT, LB(7, 6), 40, EXC_LOAD_ACCESS },
        { EXC_LOAD_GUEST_PAGE_FAULT, LD(7, 6), 40, EXC_LOAD_ACCESS },
        { EXC_LOAD_GUEST_PAGE_FAULT, LW(7, 6), 42, EXC_LOAD_ACCESS },
        { EXC_STORE_GUEST_PAGE_FAULT, SH(5, 6), 40, EXC_STORE_ACCESS },
        { EXC_STORE_GUEST_PAGE_FAULT, SW(5, 6), 41, EXC_STORE_ACCESS },
        { EXC_STORE_GUEST_PAGE_FAULT, AMO_D(AMO_ADD, 7, 6, 5), 40, EXC_STORE_ACCESS },
        { EXC_LOAD_GUEST_PAGE_FAULT, AMO_D(AMO_LR, 7, 6, 0), 40, EXC_LOAD_ACCESS },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        m->gpr[5] = 0x99;
        plic_try(&t, bad[i].cause, prio + bad[i].off, bad[i].insn);
        g_assert_cmphex(m->pc, ==, 0x80200800);
        g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, bad[i].want);
        g_assert_cmpuint(mock_read64(m, prio + 40) & 0xffffffff, ==, 7);
    }
    /* an 8-byte access at a 4-aligned address: QEMU cuts it into two
     * 4-byte pieces, both performed */
    mock_write64(m, prio + 48, 9);
    mock_write64(m, prio + 40, 0x0000000b00000007ull);
    plic_try(&t, EXC_LOAD_GUEST_PAGE_FAULT, prio + 44, LD(7, 6));
    g_assert_cmphex(m->pc, ==, 0x80201004);
    g_assert_cmphex(m->gpr[7], ==, 0x000000090000000bull);        /* +44 and +48 words */
    m->gpr[5] = 0x1111111122222222ull;
    plic_try(&t, EXC_STORE_GUEST_PAGE_FAULT, prio + 44, SD(5, 6));
    g_assert_cmphex(mock_read64(m, prio + 40), ==, 0x2222222200000007ull);
    g_assert_cmphex(mock_read64(m, prio + 48), ==, 0x0000000011111111ull);
    /* SC: QEMU's reservation is never L0's LR's, so it fails, no access */
    m->gpr[7] = 0;
    plic_try(&t, EXC_STORE_GUEST_PAGE_FAULT, prio + 40, AMO_W(AMO_SC, 7, 6, 5));
    g_assert_cmpuint(m->gpr[7], ==, 1);
    g_assert_cmpuint(mock_read64(m, prio + 40) & 0xffffffff, ==, 7);
    /* an AMO: read, operate, write (QEMU's serial fallback on MMIO) */
    m->gpr[5] = 5;
    plic_try(&t, EXC_STORE_GUEST_PAGE_FAULT, prio + 40, AMO_W(AMO_ADD, 7, 6, 5));
    g_assert_cmpuint(m->gpr[7], ==, 7);
    g_assert_cmpuint(mock_read64(m, prio + 40) & 0xffffffff, ==, 12);
    /* LR.W: a load */
    plic_try(&t, EXC_LOAD_GUEST_PAGE_FAULT, prio + 40, AMO_W(AMO_LR, 7, 6, 0));
    g_assert_cmpuint(m->gpr[7], ==, 12);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_MMIO_PLIC], ==, 2 + G_N_ELEMENTS(bad) + 3 + 2);
    mock_vm_free(&t);
}

/* L1 disables the source while its interrupt is presented: the PLIC drops
 * SEIP, and L0 stops presenting it at once (no interrupt that claims 0). */
static void test_level_follows_enable(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_MIP] |= MIP_SEIP;
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_EXT, 0x80201000, 0, 0, 0);
    g_assert_true(m->csr[CSR_HVIP] & MIP_VSEIP);
    m->csr[CSR_MIP] &= ~MIP_SEIP;             /* what the PLIC does on that write */
    m->gpr[5] = 0;
    plic_try(&t, EXC_STORE_GUEST_PAGE_FAULT, t.vm.plic_range[1].base + 0x80, SW(5, 6));
    g_assert_false(m->csr[CSR_HVIP] & MIP_VSEIP);
    g_assert_true(m->csr[CSR_SIE] & MIP_SEIP);
    mock_vm_free(&t);
}

/* L1's own page-table walk reading memory it does not have (here L0's,
 * which PMP denies it): natively the PTE read fails and QEMU reports a page
 * fault of the original access, with the transformed instruction; an
 * explicit access there is an access fault, htinst as it was. */
static void test_implicit_walk_fault(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200800;
    /* L1's Sv39 root lies in L0's memory */
    m->csr[CSR_VSATP] = (8ull << 60) | (t.vm.l0_base >> 12);
    static const struct { uint64_t cause, want; uint32_t insn; } c[] = {
        { EXC_LOAD_ACCESS, EXC_LOAD_PAGE_FAULT, LW(7, 6) },
        { EXC_STORE_ACCESS, EXC_STORE_PAGE_FAULT, SW(5, 6) },
        { EXC_INST_ACCESS, EXC_INST_PAGE_FAULT, 0 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        m->gpr[6] = 0x40001000;
        mock_trap_from_l1(&t, c[i].cause, 0x40000000, 0x40001000, 0, 0);
        g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, c[i].want);
        g_assert_cmphex(m->csr[CSR_VSTVAL], ==, 0x40001000);
    }
    /* satp Bare, an explicit load from L0 memory: the access fault stands */
    m->csr[CSR_VSATP] = 0;
    uint64_t htinst = t.vc->vcsr.val[VCSR_HTINST];
    mock_l1_access(&t, EXC_LOAD_ACCESS, 0x80201000, LW(7, 6), t.vm.l0_base);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_ACCESS);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, t.vm.l0_base);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HTINST], ==, htinst);
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/plic/access-sizes", test_sizes);
    g_test_add_func("/plic/level-follows-enable", test_level_follows_enable);
    g_test_add_func("/access-fault/implicit-walk-fault", test_implicit_walk_fault);
    return g_test_run();
}
