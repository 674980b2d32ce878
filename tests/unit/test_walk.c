/* The page-table walker (shadow-pt/walk.c) on mock memory whose callbacks
 * refuse chosen ranges: every mode, superpages, PTE rules, permissions,
 * A/D, and every fault with what it reports. */
#include "mock_hart.h"
#include "pt_build.h"
#include "rvnest/csr.h"
#include "rvnest/walk.h"

#define PBMT_NC (1ull << 61)
#define PTE_N_ (1ull << 63)
#define VSF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define GF (VSF | PTE_U)
#define GOFF 0x100000000ull           /* GPA = PA + 4 GiB for the two-stage tables */

struct env {
    struct mock_hart m;
    struct pt_builder pt;             /* tables in m's memory */
    uint64_t pmp_lo, pmp_hi;          /* reads and writes refused by "PMP" */
    uint64_t none_lo, none_hi;        /* no memory */
    uint64_t ro_lo, ro_hi;            /* writes refused by "PMP" */
    uint64_t nowr_lo, nowr_hi;        /* writes fail: not RAM */
    unsigned reads, writes;
};

static bool in(uint64_t a, uint64_t lo, uint64_t hi) { return hi && a >= lo && a < hi; }

static enum walk_mem rd(void *ctx, uint64_t pa, uint64_t *pte)
{
    struct env *e = ctx;
    e->reads++;
    if (in(pa, e->pmp_lo, e->pmp_hi))
        return WALK_MEM_PMP;
    if (in(pa, e->none_lo, e->none_hi))
        return WALK_MEM_NONE;
    *pte = mock_read64(&e->m, pa);
    return WALK_MEM_OK;
}

static enum walk_mem wr(void *ctx, uint64_t pa, uint64_t pte)
{
    struct env *e = ctx;
    e->writes++;
    if (in(pa, e->pmp_lo, e->pmp_hi) || in(pa, e->ro_lo, e->ro_hi))
        return WALK_MEM_PMP;
    if (in(pa, e->none_lo, e->none_hi) || in(pa, e->nowr_lo, e->nowr_hi))
        return WALK_MEM_NONE;
    mock_write64(&e->m, pa, pte);
    return WALK_MEM_OK;
}

static const struct walk_mem_ops ops = { rd, wr };

static void env_init(struct env *e)
{
    memset(e, 0, sizeof(*e));
    mock_hart_init(&e->m);
    e->pt = (struct pt_builder){ .m = &e->m, .next = 0x81000000 };
}

static uint64_t alloc(struct env *e, unsigned pages) { return pt_alloc(&e->pt, pages); }
static uint64_t slot(struct env *e, uint64_t root, int levels, bool x4, uint64_t goff, uint64_t addr,
                     int lvl)
{
    return pt_slot(&e->pt, root, levels, x4, goff, addr, lvl);
}

static void set(struct env *e, uint64_t pa, uint64_t pte) { mock_write64(&e->m, pa, pte); }
static uint64_t get(struct env *e, uint64_t pa) { return mock_read64(&e->m, pa); }
#define leaf pt_leaf

/* A fresh env with an Sv39 table: its root and satp value, and the
 * address of va's leaf slot (returned), the set-up of the single-stage tests. */
static uint64_t sv39_env(struct env *e, uint64_t va, uint64_t *root, uint64_t *atp)
{
    env_init(e);
    *root = alloc(e, 1);
    *atp = (8ull << 60) | (*root >> 12);
    return slot(e, *root, 3, false, 0, va, 0);
}

static struct walk_result walk1(struct env *e, uint64_t atp, uint64_t va, enum walk_access acc,
                                unsigned priv)
{
    struct walk_req r = { .va = va, .access = acc, .priv = priv,
                          .vs = { .atp = atp, .adue = true, .pbmte = false } };
    struct walk_result res;
    rvnest_walk(&ops, e, &r, &res);
    return res;
}

static void test_single_stage_modes(void)
{
    struct env e;
    env_init(&e);
    uint64_t root = alloc(&e, 1);
    uint64_t sv39 = (8ull << 60) | (root >> 12);
    /* 4 KiB, 2 MiB, 1 GiB leaves */
    set(&e, slot(&e, root, 3, false, 0, 0x40001000, 0), leaf(0x82345000, VSF));
    set(&e, slot(&e, root, 3, false, 0, 0x40200000, 1), leaf(0x82400000, VSF));
    set(&e, slot(&e, root, 3, false, 0, 0x80000000, 2), leaf(0xc0000000, VSF));
    struct walk_result r = walk1(&e, sv39, 0x40001abc, WALK_LOAD, PRV_S);
    g_assert_cmpint(r.status, ==, WALK_OK);
    g_assert_cmphex(r.pa, ==, 0x82345abc);
    g_assert_cmphex(r.page_size, ==, 0x1000);
    g_assert_cmphex(r.prot, ==, PTE_R | PTE_W | PTE_X);
    r = walk1(&e, sv39, 0x40312345, WALK_LOAD, PRV_S);
    g_assert_cmphex(r.pa, ==, 0x82512345);
    g_assert_cmphex(r.page_size, ==, 0x200000);
    r = walk1(&e, sv39, 0xb2345678, WALK_STORE, PRV_S);
    g_assert_cmphex(r.pa, ==, 0xf2345678);
    g_assert_cmphex(r.page_size, ==, 0x40000000);
    /* high half: sign-extended VAs only */
    set(&e, slot(&e, root, 3, false, 0, 0xffffffc000003000ull, 0), leaf(0x82346000, VSF));
    g_assert_cmphex(walk1(&e, sv39, 0xffffffc000003008ull, WALK_LOAD, PRV_S).pa, ==, 0x82346008);
    g_assert_cmpint(walk1(&e, sv39, 0x0000004000003008ull, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    g_assert_cmpint(walk1(&e, sv39, 0xffff004000003008ull, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    /* misaligned superpages */
    set(&e, slot(&e, root, 3, false, 0, 0x40400000, 1), leaf(0x82401000, VSF));
    g_assert_cmpint(walk1(&e, sv39, 0x40400000, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    set(&e, slot(&e, root, 3, false, 0, 0x100000000ull, 2), leaf(0xc0200000, VSF));
    g_assert_cmpint(walk1(&e, sv39, 0x100000000ull, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    /* no leaf at the last level */
    set(&e, slot(&e, root, 3, false, 0, 0x40005000, 0), leaf(0x82000000, PTE_V));
    g_assert_cmpint(walk1(&e, sv39, 0x40005000, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    /* Bare */
    r = walk1(&e, 0, 0x1234567, WALK_FETCH, PRV_U);
    g_assert_cmpint(r.status, ==, WALK_OK);
    g_assert_cmphex(r.pa, ==, 0x1234567);
    g_assert_cmphex(r.page_size, ==, 0);

    /* Sv48: 512 GiB leaf; Sv57: 256 TiB leaf and a 4 KiB page */
    uint64_t r48 = alloc(&e, 1), sv48 = (9ull << 60) | (r48 >> 12);
    set(&e, slot(&e, r48, 4, false, 0, 0x8000000000ull, 3), leaf(0x8000000000ull, VSF));
    g_assert_cmphex(walk1(&e, sv48, 0x8012345678ull, WALK_LOAD, PRV_S).pa, ==, 0x8012345678ull);
    g_assert_cmphex(walk1(&e, sv48, 0x8012345678ull, WALK_LOAD, PRV_S).page_size, ==, 1ull << 39);
    g_assert_cmpint(walk1(&e, sv48, 0x0000800000000000ull, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    uint64_t r57 = alloc(&e, 1), sv57 = (10ull << 60) | (r57 >> 12);
    set(&e, slot(&e, r57, 5, false, 0, 0x0001000000000000ull, 4), leaf(0, VSF));
    g_assert_cmphex(walk1(&e, sv57, 0x0001000000001234ull, WALK_LOAD, PRV_S).pa, ==, 0x1234);
    set(&e, slot(&e, r57, 5, false, 0, 0xff00000000007000ull, 0), leaf(0x82347000, VSF));
    g_assert_cmphex(walk1(&e, sv57, 0xff00000000007010ull, WALK_LOAD, PRV_S).pa, ==, 0x82347010);
    /* an unknown mode never translates */
    g_assert_cmpint(walk1(&e, 5ull << 60, 0x1000, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    mock_hart_free(&e.m);
}

static void test_pte_rules(void)
{
    struct env e;
    uint64_t root, atp, va = 0x40001000, l0 = sv39_env(&e, va, &root, &atp);
    uint64_t l1 = slot(&e, root, 3, false, 0, va, 1), l1v = get(&e, l1);
    struct { uint64_t pte; bool ok; } leafs[] = {
        { leaf(0x82000000, VSF), true },
        { leaf(0x82000000, VSF) | (1ull << 54), false },       /* reserved */
        { leaf(0x82000000, VSF) | (1ull << 60), false },
        { leaf(0x82000000, VSF) | PBMT_NC, false },            /* PBMTE off */
        { leaf(0x82000000, VSF) | PTE_N_, false },             /* no Svnapot */
        { leaf(0x82000000, PTE_V | PTE_W | PTE_A | PTE_D), false },   /* W only */
        { leaf(0x82000000, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D), false },
        { leaf(0x82000000, VSF & ~PTE_V), false },
        { leaf(0x82000000, VSF) | (1ull << 8) | (1ull << 9) | PTE_G, true },  /* RSW, G */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(leafs); i++) {
        set(&e, l0, leafs[i].pte);
        g_assert_cmpint(walk1(&e, atp, va, WALK_LOAD, PRV_S).status, ==,
                        leafs[i].ok ? WALK_OK : WALK_PAGE_FAULT);
    }
    set(&e, l0, leaf(0x82000000, VSF));
    /* non-leaf: A, D, U, N, PBMT are reserved */
    uint64_t bad[] = { PTE_A, PTE_D, PTE_U, PTE_N_, PBMT_NC, 1ull << 55 };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        set(&e, l1, l1v | bad[i]);
        g_assert_cmpint(walk1(&e, atp, va, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    }
    set(&e, l1, l1v);
    /* PBMT on a leaf is fine when PBMTE is on */
    set(&e, l0, leaf(0x82000000, VSF) | PBMT_NC);
    struct walk_req r = { .va = va, .access = WALK_LOAD, .priv = PRV_S,
                          .vs = { .atp = atp, .adue = true, .pbmte = true } };
    struct walk_result res;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    /* Svnapot: a 64 KiB leaf at the last level only, ppn[3:0] = 1000 */
    r.vs.svnapot = true;
    set(&e, l0, leaf(0x82088000, VSF) | PTE_N_);               /* ppn[3:0] = 1000 */
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.pa, ==, 0x82081000);                  /* va's page 1 of 16 */
    g_assert_cmphex(res.page_size, ==, 0x10000);
    set(&e, l0, leaf(0x82084000, VSF) | PTE_N_);               /* ppn[3:0] = 0100 */
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    set(&e, l0, leaf(0, VSF) | PTE_N_);
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    uint64_t sp = slot(&e, root, 3, false, 0, 0x40600000, 1);
    set(&e, sp, leaf(0x82800000, VSF) | PTE_N_);               /* N on a superpage */
    r.va = 0x40600000;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    mock_hart_free(&e.m);
}

static void test_permissions(void)
{
    struct env e;
    uint64_t root, atp, va = 0x40001000, l0 = sv39_env(&e, va, &root, &atp);
    struct walk_req r = { .va = va, .priv = PRV_S, .vs = { .atp = atp, .adue = true } };
    struct walk_result res;
    /* rwx of the leaf x access */
    struct { uint64_t rwx; bool load, store, fetch, load_mxr; } t[] = {
        { PTE_R, true, false, false, true },
        { PTE_R | PTE_W, true, true, false, true },
        { PTE_X, false, false, true, true },
        { PTE_R | PTE_X, true, false, true, true },
        { PTE_R | PTE_W | PTE_X, true, true, true, true },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
        set(&e, l0, leaf(0x82000000, PTE_V | PTE_A | PTE_D | t[i].rwx));
        bool want[] = { t[i].load, t[i].store, t[i].fetch };
        for (int a = 0; a < 3; a++) {
            r.access = (enum walk_access)a;
            r.vs.mxr = false;
            rvnest_walk(&ops, &e, &r, &res);
            g_assert_cmpint(res.status, ==, want[a] ? WALK_OK : WALK_PAGE_FAULT);
        }
        r.access = WALK_LOAD;
        r.vs.mxr = true;
        rvnest_walk(&ops, &e, &r, &res);
        g_assert_cmpint(res.status, ==, t[i].load_mxr ? WALK_OK : WALK_PAGE_FAULT);
    }
    r.vs.mxr = false;
    /* U pages from S: only with SUM, never executable; S pages from U: never */
    set(&e, l0, leaf(0x82000000, VSF | PTE_U));
    r.access = WALK_LOAD;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    r.sum = true;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.prot, ==, PTE_R | PTE_W);
    r.access = WALK_STORE;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    r.access = WALK_FETCH;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    r.priv = PRV_U;
    r.sum = false;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    set(&e, l0, leaf(0x82000000, VSF));
    r.access = WALK_LOAD;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    /* a clean page loses W for loads (QEMU), keeps it for stores */
    r.priv = PRV_S;
    set(&e, l0, leaf(0x82000000, VSF & ~PTE_D));
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmphex(res.prot, ==, PTE_R | PTE_X);
    mock_hart_free(&e.m);
}

static void test_accessed_dirty(void)
{
    struct env e;
    uint64_t root, atp, va = 0x40001000, l0 = sv39_env(&e, va, &root, &atp);
    struct walk_req r = { .va = va, .priv = PRV_S, .vs = { .atp = atp, .adue = true } };
    struct walk_result res;
    uint64_t clean = leaf(0x82000000, PTE_V | PTE_R | PTE_W);
    /* Svadu: A on any access, D on a store, written back */
    set(&e, l0, clean);
    r.access = WALK_LOAD;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(get(&e, l0), ==, clean | PTE_A);
    r.access = WALK_STORE;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmphex(get(&e, l0), ==, clean | PTE_A | PTE_D);
    unsigned w = e.writes;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpuint(e.writes, ==, w);                    /* nothing to update */
    /* check only: no write, still a success */
    set(&e, l0, clean);
    r.no_ad_write = true;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(get(&e, l0), ==, clean);
    r.no_ad_write = false;
    /* an update the memory refuses: PMP is an access fault, not RAM a page fault */
    e.ro_lo = l0, e.ro_hi = l0 + 8;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_ACCESS_FAULT);
    g_assert_cmphex(get(&e, l0), ==, clean);
    e.ro_lo = e.ro_hi = 0;
    e.nowr_lo = l0, e.nowr_hi = l0 + 8;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    e.nowr_lo = e.nowr_hi = 0;
    /* Svade: a fault when A (or D for a store) is clear */
    r.vs.adue = false;
    set(&e, l0, clean);
    r.access = WALK_LOAD;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    set(&e, l0, clean | PTE_A);
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    r.access = WALK_STORE;
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_PAGE_FAULT);
    g_assert_cmphex(get(&e, l0), ==, clean | PTE_A);
    set(&e, l0, clean | PTE_A | PTE_D);
    rvnest_walk(&ops, &e, &r, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    mock_hart_free(&e.m);
}

static void test_table_memory(void)
{
    struct env e;
    uint64_t root, atp, va = 0x40001000, l0 = sv39_env(&e, va, &root, &atp);
    set(&e, l0, leaf(0x82000000, VSF));
    uint64_t table = l0 & ~0xfffull;
    e.pmp_lo = table, e.pmp_hi = table + 0x1000;
    g_assert_cmpint(walk1(&e, atp, va, WALK_LOAD, PRV_S).status, ==, WALK_ACCESS_FAULT);
    g_assert_cmpint(walk1(&e, atp, va, WALK_STORE, PRV_S).status, ==, WALK_ACCESS_FAULT);
    e.pmp_lo = e.pmp_hi = 0;
    e.none_lo = table, e.none_hi = table + 0x1000;
    g_assert_cmpint(walk1(&e, atp, va, WALK_LOAD, PRV_S).status, ==, WALK_PAGE_FAULT);
    e.none_lo = root, e.none_hi = root + 0x1000;              /* the root itself */
    g_assert_cmpint(walk1(&e, atp, va, WALK_FETCH, PRV_S).status, ==, WALK_PAGE_FAULT);
    mock_hart_free(&e.m);
}

/* Two-stage fixture: VS Sv39 tables at PA, seen by the G-stage (Sv39x4) at
 * PA + GOFF; data at PA 0x82000000, GPA 0x182000000. */
struct two {
    struct env e;
    uint64_t vs_root, g_root;
    struct walk_req r;
};

static void g_map(struct two *t, uint64_t gpa, uint64_t pa, uint64_t flags)
{
    set(&t->e, slot(&t->e, t->g_root, 3, true, 0, gpa, 0), leaf(pa, flags));
}

static uint64_t vs_slot(struct two *t, uint64_t va, int lvl)
{
    uint64_t before = t->e.pt.next;
    uint64_t s = slot(&t->e, t->vs_root, 3, false, GOFF, va, lvl);
    for (uint64_t p = before; p < t->e.pt.next; p += 0x1000)
        g_map(t, p + GOFF, p, GF);                          /* new VS tables */
    return s;
}

static void two_init(struct two *t)
{
    env_init(&t->e);
    t->g_root = alloc(&t->e, 4);
    t->vs_root = alloc(&t->e, 1);
    g_map(t, t->vs_root + GOFF, t->vs_root, GF);
    set(&t->e, vs_slot(t, 0x40001000, 0), leaf(0x82000000 + GOFF, VSF));
    g_map(t, 0x82000000 + GOFF, 0x82000000, GF);
    t->r = (struct walk_req){
        .va = 0x40001234, .access = WALK_LOAD, .priv = PRV_S, .two_stage = true,
        .vs = { .atp = (8ull << 60) | ((t->vs_root + GOFF) >> 12), .adue = true },
        .g = { .atp = (8ull << 60) | (t->g_root >> 12), .adue = true },
    };
}

static struct walk_result walk2(struct two *t)
{
    struct walk_result res;
    rvnest_walk(&ops, &t->e, &t->r, &res);
    return res;
}

static void test_two_stage(void)
{
    struct two t;
    two_init(&t);
    struct walk_result res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.gpa, ==, 0x82000234 + GOFF);
    g_assert_cmphex(res.pa, ==, 0x82000234);
    g_assert_cmphex(res.prot, ==, PTE_R | PTE_W | PTE_X);
    g_assert_cmphex(res.page_size, ==, 0x1000);
    /* x4 root: GPA bits 40:39 index the 16 KiB root; bit 41 is too wide */
    uint64_t wide = (3ull << 39) | 0x5000;
    set(&t.e, vs_slot(&t, 0x40002000, 0), leaf(wide, VSF));
    g_map(&t, wide, 0x82001000, GF);
    t.r.va = 0x40002008;
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.pa, ==, 0x82001008);
    set(&t.e, vs_slot(&t, 0x40003000, 0), leaf(1ull << 41, VSF));
    t.r.va = 0x40003010;
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(res.htval, ==, ((1ull << 41) + 0x10) >> 2);
    g_assert_false(res.implicit);
    /* the final G-stage: a user access, MXR of its own */
    t.r.va = 0x40001234;
    g_map(&t, 0x82000000 + GOFF, 0x82000000, VSF);            /* no U */
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(res.htval, ==, (0x82000234 + GOFF) >> 2);
    g_map(&t, 0x82000000 + GOFF, 0x82000000, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D);
    g_assert_cmpint(walk2(&t).status, ==, WALK_GUEST_PAGE_FAULT);
    t.r.vs.mxr = true;                                        /* VS MXR: not enough */
    g_assert_cmpint(walk2(&t).status, ==, WALK_GUEST_PAGE_FAULT);
    t.r.g.mxr = true;
    g_assert_cmpint(walk2(&t).status, ==, WALK_OK);
    t.r.access = WALK_FETCH;
    g_assert_cmpint(walk2(&t).status, ==, WALK_OK);
    t.r.access = WALK_STORE;
    g_assert_cmpint(walk2(&t).status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(rvnest_walk_cause(&(struct walk_result){ .status = WALK_GUEST_PAGE_FAULT },
                                      WALK_STORE, false), ==, EXC_STORE_GUEST_PAGE_FAULT);
    t.r.access = WALK_LOAD;
    t.r.vs.mxr = t.r.g.mxr = false;
    /* permissions are the intersection; the page size the smaller leaf */
    g_map(&t, 0x82000000 + GOFF, 0x82000000, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
    res = walk2(&t);
    g_assert_cmphex(res.prot, ==, PTE_R);
    /* the final G-stage's own tables (not those of the VS tables' GPAs):
     * PMP refusal is an access fault with htval 0, no memory a guest page
     * fault */
    g_map(&t, 0x82000000 + GOFF, 0x82000000, GF);
    uint64_t gl0 = slot(&t.e, t.g_root, 3, true, 0, 0x82000000 + GOFF, 0) & ~0xfffull;
    g_assert_cmphex(gl0, !=, slot(&t.e, t.g_root, 3, true, 0, t.vs_root + GOFF, 0) & ~0xfffull);
    t.e.pmp_lo = gl0, t.e.pmp_hi = gl0 + 0x1000;
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_ACCESS_FAULT);
    g_assert_cmphex(res.htval, ==, 0);
    t.e.pmp_lo = t.e.pmp_hi = 0;
    t.e.none_lo = gl0, t.e.none_hi = gl0 + 0x1000;
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(res.htval, ==, (0x82000234 + GOFF) >> 2);
    g_assert_false(res.implicit);
    mock_hart_free(&t.e.m);
}

static void test_implicit(void)
{
    for (int lvl = 2; lvl >= 0; lvl--) {
        struct two t;
        two_init(&t);
        /* the VS table page the walk reads at this level */
        uint64_t table = t.vs_root;
        for (int l = 2; l > lvl; l--)
            table = ((get(&t.e, vs_slot(&t, 0x40001000, l)) >> 10) << 12) - GOFF;
        uint64_t pte_gpa = table + GOFF + ((0x40001234ull >> (12 + 9 * lvl)) & 511) * 8;
        uint64_t gpte = slot(&t.e, t.g_root, 3, true, 0, table + GOFF, 0);
        /* unmapped, no U, PMP on the G-stage PTE, X only (MXR): all implicit faults */
        set(&t.e, gpte, 0);
        struct walk_result res = walk2(&t);
        g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
        g_assert_true(res.implicit);
        g_assert_cmphex(res.htval, ==, pte_gpa >> 2);
        g_assert_cmphex(rvnest_walk_cause(&res, WALK_STORE, false), ==, EXC_STORE_GUEST_PAGE_FAULT);
        g_assert_cmphex(rvnest_walk_cause(&res, WALK_FETCH, false), ==, EXC_INST_PAGE_FAULT);
        g_assert_cmphex(rvnest_walk_cause(&res, WALK_FETCH, true), ==, EXC_INST_GUEST_PAGE_FAULT);
        set(&t.e, gpte, leaf(table, VSF));
        g_assert_true(walk2(&t).implicit);
        set(&t.e, gpte, leaf(table, GF));
        t.e.pmp_lo = gpte & ~0xfffull, t.e.pmp_hi = t.e.pmp_lo + 0x1000;
        res = walk2(&t);
        g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
        g_assert_true(res.implicit);
        t.e.pmp_lo = t.e.pmp_hi = 0;
        set(&t.e, gpte, leaf(table, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D));
        g_assert_cmpint(walk2(&t).status, ==, WALK_GUEST_PAGE_FAULT);
        t.r.g.mxr = true;
        g_assert_cmpint(walk2(&t).status, ==, WALK_OK);
        /* read-only is enough even for a store; the G leaf of a table
         * gets A on the implicit read, never D */
        t.r.g.mxr = false;
        t.r.access = WALK_STORE;
        set(&t.e, gpte, leaf(table, PTE_V | PTE_R | PTE_U));
        res = walk2(&t);
        g_assert_cmpint(res.status, ==, WALK_OK);
        g_assert_cmphex(get(&t.e, gpte), ==, leaf(table, PTE_V | PTE_R | PTE_U | PTE_A));
        /* Svade at the G-stage: the same leaf without A faults */
        t.r.g.adue = false;
        set(&t.e, gpte, leaf(table, PTE_V | PTE_R | PTE_U));
        res = walk2(&t);
        g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
        g_assert_true(res.implicit);
        /* a VS table page where PMP refuses: an access fault */
        t.r.g.adue = true;
        set(&t.e, gpte, leaf(table, GF));
        t.e.pmp_lo = table, t.e.pmp_hi = table + 0x1000;
        res = walk2(&t);
        g_assert_cmpint(res.status, ==, WALK_ACCESS_FAULT);
        g_assert_false(res.implicit);
        mock_hart_free(&t.e.m);
    }
}

static void test_two_stage_ad(void)
{
    struct two t;
    two_init(&t);
    uint64_t vpte = vs_slot(&t, 0x40001000, 0);
    uint64_t gpte = slot(&t.e, t.g_root, 3, true, 0, 0x82000000 + GOFF, 0);
    set(&t.e, vpte, leaf(0x82000000 + GOFF, PTE_V | PTE_R | PTE_W));
    set(&t.e, gpte, leaf(0x82000000, PTE_V | PTE_R | PTE_W | PTE_U));
    t.r.access = WALK_STORE;
    g_assert_cmpint(walk2(&t).status, ==, WALK_OK);
    /* the VS PTE is written at its host-physical address */
    g_assert_cmphex(get(&t.e, vpte), ==, leaf(0x82000000 + GOFF, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
    g_assert_cmphex(get(&t.e, gpte), ==, leaf(0x82000000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    /* per-stage ADUE */
    set(&t.e, vpte, leaf(0x82000000 + GOFF, PTE_V | PTE_R | PTE_W));
    set(&t.e, gpte, leaf(0x82000000, PTE_V | PTE_R | PTE_W | PTE_U));
    t.r.g.adue = false;
    struct walk_result res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(get(&t.e, vpte) & (PTE_A | PTE_D), ==, PTE_A | PTE_D);    /* VS done first */
    t.r.g.adue = true;
    t.r.vs.adue = false;
    set(&t.e, vpte, leaf(0x82000000 + GOFF, PTE_V | PTE_R | PTE_W));
    g_assert_cmpint(walk2(&t).status, ==, WALK_PAGE_FAULT);
    /* VS Bare + G Sv48x4; G-only entry point */
    t.r.vs.atp = 0;
    t.r.vs.adue = true;
    uint64_t g48 = alloc(&t.e, 4);
    set(&t.e, slot(&t.e, g48, 4, true, 0, 0x3000000000ull, 0), leaf(0x82000000, GF));
    t.r.g.atp = (9ull << 60) | (g48 >> 12);
    t.r.va = 0x3000000010ull;
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.pa, ==, 0x82000010);
    t.r.va = 1ull << 50;                                      /* beyond 50 bits */
    res = walk2(&t);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(res.htval, ==, (1ull << 50) >> 2);
    rvnest_walk_gstage(&ops, &t.e, &t.r.g, 0x3000000ff8ull, WALK_STORE, false, &res);
    g_assert_cmpint(res.status, ==, WALK_OK);
    g_assert_cmphex(res.pa, ==, 0x82000ff8);
    g_assert_cmphex(res.gpa, ==, 0x3000000ff8ull);
    rvnest_walk_gstage(&ops, &t.e, &t.r.g, 0x3000001000ull, WALK_LOAD, false, &res);
    g_assert_cmpint(res.status, ==, WALK_GUEST_PAGE_FAULT);
    g_assert_cmphex(res.htval, ==, 0x3000001000ull >> 2);
    g_assert_cmphex(rvnest_walk_cause(&res, WALK_LOAD, true), ==, EXC_LOAD_GUEST_PAGE_FAULT);
    t.e.pmp_lo = g48, t.e.pmp_hi = g48 + 0x4000;
    rvnest_walk_gstage(&ops, &t.e, &t.r.g, 0x3000000000ull, WALK_LOAD, false, &res);
    g_assert_cmpint(res.status, ==, WALK_ACCESS_FAULT);
    g_assert_cmphex(rvnest_walk_cause(&res, WALK_FETCH, true), ==, EXC_INST_ACCESS);
    /* Sv57x4 and both stages Bare */
    t.e.pmp_lo = t.e.pmp_hi = 0;
    uint64_t g57 = alloc(&t.e, 4);
    set(&t.e, slot(&t.e, g57, 5, true, 0, 0x7f000000000000ull, 0), leaf(0x82000000, GF));
    struct walk_stage s57 = { .atp = (10ull << 60) | (g57 >> 12), .adue = true };
    rvnest_walk_gstage(&ops, &t.e, &s57, 0x7f000000000abcull, WALK_LOAD, false, &res);
    g_assert_cmphex(res.pa, ==, 0x82000abc);
    t.r.g.atp = 0;
    t.r.va = 0xdeadbeef;
    res = walk2(&t);
    g_assert_cmphex(res.pa, ==, 0xdeadbeef);
    g_assert_cmphex(res.page_size, ==, 0);
    mock_hart_free(&t.e.m);
}

static void test_causes(void)
{
    struct walk_result pf = { .status = WALK_PAGE_FAULT }, af = { .status = WALK_ACCESS_FAULT };
    g_assert_cmphex(rvnest_walk_cause(&pf, WALK_LOAD, false), ==, EXC_LOAD_PAGE_FAULT);
    g_assert_cmphex(rvnest_walk_cause(&pf, WALK_STORE, true), ==, EXC_STORE_PAGE_FAULT);
    g_assert_cmphex(rvnest_walk_cause(&pf, WALK_FETCH, true), ==, EXC_INST_PAGE_FAULT);
    g_assert_cmphex(rvnest_walk_cause(&af, WALK_LOAD, false), ==, EXC_LOAD_ACCESS);
    g_assert_cmphex(rvnest_walk_cause(&af, WALK_STORE, false), ==, EXC_STORE_ACCESS);
    g_assert_cmphex(rvnest_walk_cause(&af, WALK_FETCH, false), ==, EXC_INST_ACCESS);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/walk/single-stage-modes", test_single_stage_modes);
    g_test_add_func("/walk/pte-rules", test_pte_rules);
    g_test_add_func("/walk/permissions", test_permissions);
    g_test_add_func("/walk/accessed-dirty", test_accessed_dirty);
    g_test_add_func("/walk/table-memory", test_table_memory);
    g_test_add_func("/walk/two-stage", test_two_stage);
    g_test_add_func("/walk/implicit", test_implicit);
    g_test_add_func("/walk/two-stage-ad", test_two_stage_ad);
    g_test_add_func("/walk/causes", test_causes);
    return g_test_run();
}
