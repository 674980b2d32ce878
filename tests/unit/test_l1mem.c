/* What L1 can reach by itself (nested/l1_mem.c): the real PMP evaluated
 * for an S-mode access, L0's holes, L1's RAM for tables. */
#include "mock_hart.h"
#include "rvnest/csr.h"

#define NAPOT(base, size) (((base) | ((size) / 2 - 1)) >> 2)

static void test_pmp(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    struct rvnest_vcpu *vc = t.vc;
    /* the firmware's layout behind L0's: the firmware is denied, RAM is
     * L1's, the holes are denied by L0's entries */
    g_assert_false(rvnest_l1_may_access(vc, 0x80000000, 8, L1_ACC_READ));
    g_assert_true(rvnest_l1_may_access(vc, 0x80200000, 8, L1_ACC_WRITE));
    g_assert_false(rvnest_l1_may_access(vc, t.vm.l0_base, 8, L1_ACC_READ));
    g_assert_false(rvnest_l1_may_access(vc, t.vm.plic_claim_page, 4, L1_ACC_READ));
    g_assert_false(rvnest_l1_may_access(vc, t.vm.l0_base - 4, 8, L1_ACC_READ));
    g_assert_false(rvnest_l1_may_access(vc, ~0ull - 3, 8, L1_ACC_READ));   /* wraps */
    /* OpenSBI's layout: firmware NAPOT no access for S, then all memory RWX */
    m->csr[CSR_PMPADDR0] = NAPOT(0x80000000ull, 0x40000ull);
    m->csr[CSR_PMPADDR0 + 1] = ~0ull >> 10;                          /* NAPOT everything */
    m->csr[CSR_PMPCFG0] = (0x18ull) | ((0x18ull | 7) << 8);           /* A=NAPOT; RWX on entry 1 */
    m->csr[CSR_PMPCFG0 + 2] = 0;                                      /* entries 8-15 off */
    rvnest_pmp_forget(vc);                  /* as after the firmware ran */
    g_assert_false(rvnest_l1_may_access(vc, 0x80000000, 8, L1_ACC_READ));
    g_assert_false(rvnest_l1_may_access(vc, 0x8003fff8, 8, L1_ACC_WRITE));
    g_assert_false(rvnest_l1_may_access(vc, 0x8003fffc, 8, L1_ACC_READ));  /* partly inside */
    g_assert_true(rvnest_l1_may_access(vc, 0x80040000, 8, L1_ACC_READ));
    /* TOR entry, read-only */
    m->csr[CSR_PMPADDR0] = 0x80100000 >> 2;
    m->csr[CSR_PMPADDR0 + 1] = 0x80200000 >> 2;
    m->csr[CSR_PMPCFG0] = (0x08ull | 1) << 8;                         /* entry 1 TOR R */
    rvnest_pmp_forget(vc);
    g_assert_true(rvnest_l1_may_access(vc, 0x80100000, 8, L1_ACC_READ));
    g_assert_false(rvnest_l1_may_access(vc, 0x80100000, 8, L1_ACC_WRITE));
    g_assert_false(rvnest_l1_may_access(vc, 0x80300000, 8, L1_ACC_READ));  /* no match: denied */
    /* the cached PMP is what L0 last read until it forgets it */
    m->csr[CSR_PMPCFG0] = 0;
    g_assert_false(rvnest_l1_may_access(vc, 0x80300000, 8, L1_ACC_READ));
    rvnest_pmp_forget(vc);
    /* tables only from L1's RAM */
    uint64_t pte;
    mock_write64(m, 0x80300000, 0x1234);
    g_assert_true(rvnest_l1_read_table(vc, 0x80300000, &pte));
    g_assert_cmphex(pte, ==, 0x1234);
    g_assert_false(rvnest_l1_read_table(vc, 0x10000000, &pte));            /* MMIO */
    g_assert_false(rvnest_l1_read_table(vc, t.vm.l0_base, &pte));
    g_assert_true(rvnest_l1_write_table(vc, 0x80300008, 0x55));
    g_assert_cmphex(mock_read64(m, 0x80300008), ==, 0x55);
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/l1mem/pmp-holes-ram", test_pmp);
    return g_test_run();
}
