/* L0's G-stage for L1: identity, largest pages, holes unmapped. */
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/gstage.h"

static uint64_t pte_at(struct mock_hart *m, uint64_t table, uint64_t gpa, unsigned shift, unsigned entries)
{
    return mock_read64(m, table + ((gpa >> shift) & (entries - 1)) * 8);
}

static uint64_t next_table(uint64_t pte) { return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << 12; }

static void test_layout(void)
{
    struct mock_hart m;
    mock_hart_init(&m);
    struct gstage_layout l = {
        .root = 0xbfa04000, .pool = 0xbfa08000, .pool_end = 0xbfe00000,
        .holes = { { 0xbfa00000, 0x400000 }, { 0x0c201000, 0x1000 } }, .nholes = 2,
    };
    uint64_t hgatp = rvnest_gstage_build_l1(&m.h, &l);
    g_assert_cmphex(hgatp, ==, (8ull << 60) | (0xbfa04000 >> 12));
    g_assert_cmpuint(l.tables_used, ==, 3);          /* GiB 0, its 2 MiB, GiB 2 */
    g_assert_cmpuint(l.leaves_1g, ==, 2046);
    /* a clean gigapage is one RWXU leaf with A/D preset */
    uint64_t p = pte_at(&m, l.root, 0x40000000, 30, 2048);
    g_assert_cmphex(p, ==, ((0x40000000ull >> 12) << 10) | 0xdf);
    /* RAM gigapage: 2 MiB leaves, L0's two 2 MiB pages unmapped */
    p = pte_at(&m, l.root, 0x80000000, 30, 2048);
    g_assert_cmphex(p & 0xf, ==, PTE_V);
    uint64_t l1 = next_table(p);
    g_assert_cmphex(pte_at(&m, l1, 0x80200000, 21, 512), ==, ((0x80200000ull >> 12) << 10) | 0xdf);
    g_assert_cmphex(pte_at(&m, l1, 0xbfa00000, 21, 512), ==, 0);
    g_assert_cmphex(pte_at(&m, l1, 0xbfc00000, 21, 512), ==, 0);
    g_assert_cmphex(pte_at(&m, l1, 0xbfe00000, 21, 512) & 0xf, ==, 0xf);   /* the DT stays mapped */
    /* PLIC: only the claim page is missing */
    uint64_t g0 = next_table(pte_at(&m, l.root, 0, 30, 2048));
    uint64_t pl = next_table(pte_at(&m, g0, 0x0c200000, 21, 512));
    g_assert_cmphex(pte_at(&m, pl, 0x0c201000, 12, 512), ==, 0);
    g_assert_cmphex(pte_at(&m, pl, 0x0c200000, 12, 512), ==, ((0x0c200000ull >> 12) << 10) | 0xdf);
    g_assert_cmphex(pte_at(&m, pl, 0x0c202000, 12, 512), ==, ((0x0c202000ull >> 12) << 10) | 0xdf);
    /* an address far above RAM is still identity */
    g_assert_cmphex(pte_at(&m, l.root, 0x1fc0000000ull, 30, 2048), ==, ((0x1fc0000000ull >> 12) << 10) | 0xdf);
    mock_hart_free(&m);
}

static void test_pool_exhausted(void)
{
    struct mock_hart m;
    mock_hart_init(&m);
    struct gstage_layout l = {
        .root = 0x90000000, .pool = 0x90004000, .pool_end = 0x90005000,
        .holes = { { 0x80000000, 0x1000 } }, .nholes = 1,
    };
    g_assert_cmphex(rvnest_gstage_build_l1(&m.h, &l), ==, 0);
    l.root = 0x90001000;                              /* misaligned root */
    g_assert_cmphex(rvnest_gstage_build_l1(&m.h, &l), ==, 0);
    mock_hart_free(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gstage/layout", test_layout);
    g_test_add_func("/gstage/errors", test_pool_exhausted);
    return g_test_run();
}
