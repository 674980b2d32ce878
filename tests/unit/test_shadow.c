/* The shadow G-stage (shadow-pt/) alone: no engine, no mock hart. Its ops
 * run on a fake machine: one byte array standing for physical memory from
 * MEM_BASE (L1's RAM, then L0's memory holding the pool), fake harts that
 * are only their L0-entry count, whether they are outside L2 and how they
 * walk L1's G-stage, and a fake PMP over two ranges of L1's RAM.
 *
 * Every rule in the comment at the top of shadow-pt/shadow.c names the test
 * here that checks it. */
#include <glib.h>
#include <string.h>
#include "rvnest/shadow.h"
#include "rvnest/csr.h"

#define MEM_BASE    0x80000000ull
#define L1_RAM      (32ull << 20)             /* L1's RAM: [MEM_BASE, L0_BASE) */
#define L0_BASE     (MEM_BASE + L1_RAM)       /* L0's memory (a hole for L1) */
#define L0_SIZE     (8ull << 20)
#define MEM_SIZE    (L1_RAM + L0_SIZE)        /* what the byte array holds */
#define POOL_BASE   (L0_BASE + (4ull << 20))
#define ABOVE_BASE  (L0_BASE + L0_SIZE)       /* RAM above L1's (a hole), not in the array */
#define ABOVE_SIZE  (1ull << 28)
#define PLIC_PAGE   0x0c201000ull             /* a device page L0 performs for L1 */
#define UART        0x10000000ull             /* a device L1 reaches itself */
#define NO_READ     (MEM_BASE + 0x1e00000)    /* PMP: L1 may neither read nor write 1 MiB */
#define NO_WRITE    (MEM_BASE + 0x1f00000)    /* PMP: L1 may read, not write 1 MiB */
#define DATA        (MEM_BASE + 0x1000000)    /* L1 pages mapped for L2 */

#define PTE_PBMT_NC (1ull << 61)
#define PTE_N       (1ull << 63)
#define RSW(l)      ((uint64_t)(l) << 8)
#define LEAF_FLAGS  0x3ffull
#define MB2         (1ull << 21)
#define GB1         (1ull << 30)

/* Executed checks, reported at the end. */
static unsigned checks;
#define CHECK_HEX(a, op, b) do { checks++; g_assert_cmphex((a), op, (b)); } while (0)
#define CHECK_UINT(a, op, b) do { checks++; g_assert_cmpuint((a), op, (b)); } while (0)
#define CHECK_INT(a, op, b) do { checks++; g_assert_cmpint((a), op, (b)); } while (0)
#define CHECK(c) do { checks++; g_assert_true(c); } while (0)

struct fake_hart {
    unsigned long l0_seq;
    bool outside_l2;
    bool adue, pbmte, mxr, svnapot;
};

struct fake {
    uint8_t *mem;
    struct rvnest_shadow s;
    unsigned nharts;
    struct fake_hart hart[RVNEST_MAX_HARTS];
    uint64_t count[RVNEST_MAX_HARTS][RVNEST_SHADOW_EV_LARGE + 1];
    char fatal[256];
    uint64_t next_table;                      /* L1's table pages, bump-allocated */
    unsigned pte_reads;                       /* l1_read_pte calls */
};

static bool in(uint64_t pa, uint64_t len, uint64_t base, uint64_t size)
{
    return pa < base + size && pa + len > base;
}

static uint8_t *at(struct fake *f, uint64_t pa, size_t len)
{
    if (pa < MEM_BASE || pa + len > MEM_BASE + MEM_SIZE || pa + len < pa)
        return NULL;
    return f->mem + (pa - MEM_BASE);
}

static bool read_phys(void *ctx, unsigned hart, uint64_t pa, void *buf, size_t len)
{
    (void)hart;
    uint8_t *p = at(ctx, pa, len);
    if (p)
        memcpy(buf, p, len);
    return p != NULL;
}

static bool write_phys(void *ctx, unsigned hart, uint64_t pa, const void *buf, size_t len)
{
    (void)hart;
    uint8_t *p = at(ctx, pa, len);
    if (p)
        memcpy(p, buf, len);
    return p != NULL;
}

static enum rvnest_l1_page l1_page(void *ctx, unsigned hart, uint64_t page)
{
    (void)ctx, (void)hart;
    if (in(page, 4096, L0_BASE, L0_SIZE) || in(page, 4096, ABOVE_BASE, ABOVE_SIZE))
        return RVNEST_L1_PAGE_NONE;
    if (in(page, 4096, PLIC_PAGE, 4096))
        return RVNEST_L1_PAGE_EMULATED;
    if (in(page, 4096, MEM_BASE, L1_RAM))
        return RVNEST_L1_PAGE_RAM;
    return RVNEST_L1_PAGE_OTHER;
}

/* every page of the range RAM (l1_page), as the engine's range check */
static bool l1_ram_range(void *ctx, unsigned hart, uint64_t pa, uint64_t size)
{
    for (uint64_t p = pa; p < pa + size; p += 4096)
        if (l1_page(ctx, hart, p) != RVNEST_L1_PAGE_RAM)
            return false;
    return true;
}

static bool hole(uint64_t pa, uint64_t len)
{
    return in(pa, len, L0_BASE, L0_SIZE) || in(pa, len, ABOVE_BASE, ABOVE_SIZE) ||
           in(pa, len, PLIC_PAGE, 4096);
}

static bool l1_ram(uint64_t pa, uint64_t len)
{
    return pa >= MEM_BASE && pa + len <= MEM_BASE + L1_RAM;
}

static bool l1_may_read(void *ctx, unsigned hart, uint64_t pa, uint64_t len)
{
    (void)ctx, (void)hart;
    return !hole(pa, len) && !in(pa, len, NO_READ, 1 << 20);
}

/* As nested/l1_walk.c: PMP (holes: no memory) first, then RAM only. */
static enum walk_mem l1_read_pte(void *ctx, unsigned hart, uint64_t pa, uint64_t *pte)
{
    struct fake *f = ctx;
    f->pte_reads++;
    if (!l1_may_read(ctx, hart, pa, 8))
        return hole(pa, 8) ? WALK_MEM_NONE : WALK_MEM_PMP;
    if (!l1_ram(pa, 8))
        return WALK_MEM_NONE;
    memcpy(pte, at(f, pa, 8), 8);
    return WALK_MEM_OK;
}

static enum walk_mem l1_write_pte(void *ctx, unsigned hart, uint64_t pa, uint64_t pte)
{
    (void)hart;
    if (!l1_ram(pa, 8) || hole(pa, 8))
        return WALK_MEM_NONE;
    if (in(pa, 8, NO_READ, 2 << 20))
        return WALK_MEM_PMP;
    memcpy(at(ctx, pa, 8), &pte, 8);
    return WALK_MEM_OK;
}

static void l1_gstage(void *ctx, unsigned hart, struct walk_stage *g)
{
    struct fake_hart *h = &((struct fake *)ctx)->hart[hart];
    g->adue = h->adue;
    g->pbmte = h->pbmte;
    g->mxr = h->mxr;
    g->svnapot = h->svnapot;
}

static unsigned nharts(void *ctx)
{
    return ((struct fake *)ctx)->nharts;
}

static unsigned long l0_seq(void *ctx, unsigned hart)
{
    return ((struct fake *)ctx)->hart[hart].l0_seq;
}

static bool outside_l2(void *ctx, unsigned hart)
{
    return ((struct fake *)ctx)->hart[hart].outside_l2;
}

static void fatal(void *ctx, const char *msg)
{
    struct fake *f = ctx;
    if (!f->fatal[0])
        g_strlcpy(f->fatal, msg, sizeof(f->fatal));
}

static void count(void *ctx, unsigned hart, enum rvnest_shadow_event ev)
{
    ((struct fake *)ctx)->count[hart][ev]++;
}

static const struct rvnest_shadow_ops fake_ops = {
    .read_phys = read_phys, .write_phys = write_phys,
    .l1_read_pte = l1_read_pte, .l1_write_pte = l1_write_pte,
    .l1_may_read = l1_may_read, .l1_page = l1_page, .l1_ram_range = l1_ram_range,
    .l1_gstage = l1_gstage,
    .nharts = nharts, .l0_seq = l0_seq, .outside_l2 = outside_l2,
    .fatal = fatal, .count = count,
};

static uint64_t get(struct fake *f, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, at(f, pa, 8), 8);
    return v;
}

static void put(struct fake *f, uint64_t pa, uint64_t v)
{
    memcpy(at(f, pa, 8), &v, 8);
}

/* A machine with one hart (Svadu on) and a pool of pool_size bytes. */
static struct fake *fake_new(uint64_t pool_size)
{
    struct fake *f = g_new0(struct fake, 1);
    f->mem = g_malloc0(MEM_SIZE);
    f->nharts = 1;
    for (unsigned h = 0; h < RVNEST_MAX_HARTS; h++)
        f->hart[h] = (struct fake_hart){ .l0_seq = 1, .adue = true };
    f->next_table = MEM_BASE + 0x100000;
    CHECK(rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE, pool_size));
    CHECK_HEX(f->fatal[0], ==, 0);
    return f;
}

static void fake_free(struct fake *f)
{
    rvnest_shadow_pt_free(&f->s);
    g_free(f->mem);
    g_free(f);
}

/* L1's table pages: pages contiguous pages aligned to their size. */
static uint64_t l1_alloc(struct fake *f, unsigned pages)
{
    uint64_t size = pages * 4096ull, a = (f->next_table + size - 1) & ~(size - 1);
    f->next_table = a + size;
    g_assert(f->next_table <= NO_READ);
    return a;
}

static unsigned levels_of(unsigned mode)
{
    return mode == ATP_MODE_SV39 ? 3 : mode == ATP_MODE_SV48 ? 4 : 5;
}

/* The slot of gpa at level lvl (0: 4 KiB) of L1's x4 table at root. */
static uint64_t l1_slot(struct fake *f, uint64_t root, unsigned mode, uint64_t gpa, unsigned lvl)
{
    unsigned n = levels_of(mode);
    uint64_t table = root;
    for (unsigned i = n - 1;; i--) {
        unsigned bits = i == n - 1 ? 11 : 9;
        uint64_t slot = table + 8 * ((gpa >> (12 + 9 * i)) & ((1ull << bits) - 1));
        if (i == lvl)
            return slot;
        uint64_t pte = get(f, slot);
        if (!(pte & PTE_V)) {
            pte = ((l1_alloc(f, 1) >> 12) << 10) | PTE_V;
            put(f, slot, pte);
        }
        table = (pte >> 10) << 12;
    }
}

static uint64_t leaf(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static uint64_t hgatp(unsigned mode, uint64_t vmid, uint64_t root)
{
    return ((uint64_t)mode << ATP_MODE_SHIFT) | (vmid << HGATP_VMID_SHIFT) | (root >> 12);
}

/* An L1 G-stage (mode, root in L1's RAM) with VMID vmid, and the context
 * hart runs it on. */
struct l1g {
    unsigned mode;
    uint64_t root, hgatp;
    unsigned ctx;
};

static struct l1g l1g_new(struct fake *f, unsigned hart, unsigned mode, uint64_t vmid)
{
    struct l1g g = { .mode = mode, .root = l1_alloc(f, 4) };
    g.hgatp = hgatp(mode, vmid, g.root);
    rvnest_shadow_pt_hgatp(&f->s, hart, g.hgatp, &g.ctx);
    return g;
}

/* L1 maps gpa with a leaf at level lvl. */
static uint64_t map(struct fake *f, const struct l1g *g, uint64_t gpa, unsigned lvl, uint64_t pte)
{
    uint64_t slot = l1_slot(f, g->root, g->mode, gpa, lvl);
    put(f, slot, pte);
    return slot;
}

static struct walk_result res;

static enum rvnest_fill fill(struct fake *f, unsigned hart, const struct l1g *g, uint64_t gpa,
                             enum walk_access acc)
{
    return rvnest_shadow_pt_fill(&f->s, hart, g->ctx, gpa, acc, &res);
}

/* The level of gpa's leaf in context ctx's shadow (0: 4 KiB, 1: 2 MiB),
 * -1 when absent; *leaf the leaf. Only those two sizes exist. */
static int sleaf_at(struct fake *f, unsigned ctx, uint64_t gpa, uint64_t *leaf)
{
    unsigned mode = (unsigned)(f->s.ctx[ctx].hgatp >> ATP_MODE_SHIFT);
    unsigned n = mode == ATP_MODE_BARE ? 5 : levels_of(mode);
    uint64_t t = f->s.base + ctx * RVNEST_SHADOW_ROOT_SIZE, pte = 0;
    for (int lvl = (int)n - 1; lvl >= 0; lvl--) {
        unsigned bits = lvl == (int)n - 1 ? 11 : 9;
        pte = get(f, t + 8 * ((gpa >> (12 + 9 * lvl)) & ((1ull << bits) - 1)));
        if (!(pte & PTE_V))
            return -1;
        if (pte & (PTE_R | PTE_W | PTE_X)) {
            g_assert_cmpint(lvl, <=, 1);                     /* 4 KiB or 2 MiB leaves */
            *leaf = pte;
            return lvl;
        }
        g_assert_cmpint(lvl, >, 0);
        t = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return -1;
}

/* What the shadow gives gpa's page, as a 4 KiB leaf would (a 2 MiB leaf's
 * PPN plus the page's offset in it), 0 when absent. */
static uint64_t sleaf(struct fake *f, unsigned ctx, uint64_t gpa)
{
    uint64_t pte;
    int lvl = sleaf_at(f, ctx, gpa, &pte);
    if (lvl < 0)
        return 0;
    if (lvl == 1) {
        g_assert_cmphex((pte >> 10) & 511, ==, 0);           /* 2 MiB-aligned */
        pte += ((gpa >> 12) & 511) << 10;
    }
    return pte;
}

static uint64_t ppn_pa(uint64_t pte)
{
    return ((pte >> 10) & ((1ull << 44) - 1)) << 12;
}

static uint64_t ev(struct fake *f, unsigned hart, enum rvnest_shadow_event e)
{
    return f->count[hart][e];
}

/* ---- the pool ---- */

static void test_setup(void)
{
    struct fake *f = fake_new(1 << 20);
    CHECK_HEX(f->s.base, ==, POOL_BASE);
    CHECK_UINT(f->s.npages, ==, ((1 << 20) - RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE) / 4096);
    CHECK_HEX(f->s.next, ==, POOL_BASE + RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE);
    /* the roots are zeroed, whatever was there */
    memset(at(f, POOL_BASE, 1 << 20), 0xa5, 1 << 20);
    CHECK(rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE, 1 << 20));
    uint64_t nonzero = 0;
    for (uint64_t off = 0; off < RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE; off += 8)
        nonzero += get(f, POOL_BASE + off) != 0;
    CHECK_UINT(nonzero, ==, 0);
    CHECK_HEX(get(f, POOL_BASE + RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE), ==, 0xa5a5a5a5a5a5a5a5ull);
    /* a setup again empties every context */
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    CHECK(f->s.ctx[g.ctx].valid);
    CHECK(rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE, 1 << 20));
    CHECK(!f->s.ctx[g.ctx].valid);
    CHECK_UINT(f->s.nfree + f->s.limbo[0].n + f->s.limbo[1].n, ==, 0);
    /* a pool it cannot use is fatal */
    CHECK(!rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE, 3 << 18));
    CHECK(strstr(f->fatal, "cannot hold its roots") != NULL);
    f->fatal[0] = 0;
    CHECK(!rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE + 4096, 1 << 20));
    CHECK(f->fatal[0] != 0);
    f->fatal[0] = 0;
    CHECK(!rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, POOL_BASE, 128 << 10));
    CHECK(f->fatal[0] != 0);
    f->fatal[0] = 0;
    /* where nothing can be written */
    CHECK(!rvnest_shadow_pt_setup(&f->s, &fake_ops, f, 0, 1ull << 40, 1 << 20));
    CHECK(strstr(f->fatal, "cannot write the shadow pool") != NULL);
    fake_free(f);
}

/* ---- contexts ---- */

static void test_context_create(void)
{
    struct fake *f = fake_new(1 << 20);
    uint64_t root = l1_alloc(f, 4);
    unsigned a, b, c;
    uint64_t real = rvnest_shadow_pt_hgatp(&f->s, 0, hgatp(ATP_MODE_SV48, 7, root), &a);
    /* L1's mode, the context's index as VMID, its root in the pool */
    CHECK_HEX(real >> ATP_MODE_SHIFT, ==, ATP_MODE_SV48);
    CHECK_HEX((real & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT, ==, a);
    CHECK_HEX((real & ATP_PPN_MASK) << 12, ==, POOL_BASE + a * RVNEST_SHADOW_ROOT_SIZE);
    CHECK(f->s.ctx[a].valid);
    CHECK_UINT(f->s.ctx[a].hart, ==, 0);
    CHECK_UINT(f->s.ctx[a].users, ==, 1);
    /* the same hgatp on the same hart: the same context, one more user */
    CHECK_HEX(rvnest_shadow_pt_hgatp(&f->s, 0, hgatp(ATP_MODE_SV48, 7, root), &b), ==, real);
    CHECK_UINT(b, ==, a);
    CHECK_UINT(f->s.ctx[a].users, ==, 2);
    rvnest_shadow_pt_release(&f->s, a);
    rvnest_shadow_pt_release(&f->s, a);
    CHECK_UINT(f->s.ctx[a].users, ==, 0);
    rvnest_shadow_pt_release(&f->s, a);
    CHECK_UINT(f->s.ctx[a].users, ==, 0);
    /* another hart: a context of its own */
    f->nharts = 2;
    rvnest_shadow_pt_hgatp(&f->s, 1, hgatp(ATP_MODE_SV48, 7, root), &c);
    CHECK_UINT(c, !=, a);
    CHECK_UINT(f->s.ctx[c].hart, ==, 1);
    /* Bare is shadowed with Sv57x4 */
    real = rvnest_shadow_pt_hgatp(&f->s, 0, hgatp(ATP_MODE_BARE, 9, 0), &b);
    CHECK_HEX(real >> ATP_MODE_SHIFT, ==, ATP_MODE_SV57);
    CHECK_UINT(b, !=, a);
    fake_free(f);
}

/* A VMID whose root or mode changes on a hart gets its context emptied. */
static void test_context_new_root(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 3);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK(sleaf(f, g.ctx, 0x1000) & PTE_V);
    unsigned idx;
    uint64_t other = hgatp(ATP_MODE_SV39, 3, l1_alloc(f, 4));
    rvnest_shadow_pt_hgatp(&f->s, 0, other, &idx);
    CHECK_UINT(idx, ==, g.ctx);
    CHECK_HEX(f->s.ctx[idx].hgatp, ==, other);
    CHECK_HEX(sleaf(f, idx, 0x1000), ==, 0);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 1);
    CHECK_UINT(f->s.ctx[idx].nrecent, ==, 0);
    /* and a new mode */
    rvnest_shadow_pt_hgatp(&f->s, 0, hgatp(ATP_MODE_SV48, 3, g.root), &idx);
    CHECK_UINT(idx, ==, g.ctx);
    CHECK_HEX(f->s.ctx[idx].hgatp >> ATP_MODE_SHIFT, ==, ATP_MODE_SV48);
    fake_free(f);
}

/* Eviction: the least recently used context no L2 runs on; one an L2
 * runs on is never taken. */
static void test_context_eviction(void)
{
    struct fake *f = fake_new(1 << 20);
    f->nharts = 2;
    uint64_t root = l1_alloc(f, 4);
    unsigned mine;
    rvnest_shadow_pt_hgatp(&f->s, 0, hgatp(ATP_MODE_SV39, 1, root), &mine);   /* kept in use */
    unsigned idx[RVNEST_SHADOW_CTXS];
    for (unsigned v = 0; v < RVNEST_SHADOW_CTXS - 1; v++) {
        rvnest_shadow_pt_hgatp(&f->s, 1, hgatp(ATP_MODE_SV39, 100 + v, root), &idx[v]);
        CHECK_UINT(idx[v], !=, mine);
        rvnest_shadow_pt_release(&f->s, idx[v]);
    }
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_EVICTION), ==, 0);
    /* use VMID 100 again: 101 is now the oldest */
    unsigned again;
    rvnest_shadow_pt_hgatp(&f->s, 1, hgatp(ATP_MODE_SV39, 100, root), &again);
    CHECK_UINT(again, ==, idx[0]);
    rvnest_shadow_pt_release(&f->s, again);
    unsigned victim;
    rvnest_shadow_pt_hgatp(&f->s, 1, hgatp(ATP_MODE_SV39, 200, root), &victim);
    CHECK_UINT(victim, ==, idx[1]);
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_EVICTION), ==, 1);
    CHECK_HEX((f->s.ctx[victim].hgatp & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT, ==, 200);
    rvnest_shadow_pt_release(&f->s, victim);
    /* many more VMIDs: never hart 0's running context */
    for (unsigned v = 300; v < 300 + 3 * RVNEST_SHADOW_CTXS; v++) {
        unsigned i;
        rvnest_shadow_pt_hgatp(&f->s, 1, hgatp(ATP_MODE_SV39, v, root), &i);
        CHECK_UINT(i, !=, mine);
        rvnest_shadow_pt_release(&f->s, i);
    }
    CHECK(f->s.ctx[mine].valid);
    CHECK_HEX(f->s.ctx[mine].hgatp, ==, hgatp(ATP_MODE_SV39, 1, root));
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_EVICTION), ==, 1 + 3 * RVNEST_SHADOW_CTXS);
    fake_free(f);
}

/* ---- leaves ---- */

/* Every R/W/X combination of a 4 KiB leaf (dirty), for every access. */
static void test_leaf_rwx(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    static const uint64_t need[] = { [WALK_LOAD] = PTE_R, [WALK_STORE] = PTE_W, [WALK_FETCH] = PTE_X };
    uint64_t gpa = 0x200000;
    for (uint64_t rwx = 0; rwx <= (PTE_R | PTE_W | PTE_X); rwx += PTE_R) {
        bool reserved = (rwx & (PTE_R | PTE_W)) == PTE_W;     /* W without R */
        for (int acc = WALK_LOAD; acc <= WALK_FETCH; acc++, gpa += 4096) {
            uint64_t pa = DATA + (gpa & 0xfffff);
            map(f, &g, gpa, 0, leaf(pa, PTE_V | rwx | PTE_U | PTE_A | PTE_D));
            bool ok = rwx && !reserved && (rwx & need[acc]);
            CHECK_INT(fill(f, 0, &g, gpa, (enum walk_access)acc), ==, ok ? SHADOW_FILLED : SHADOW_FAULT);
            if (!ok) {
                CHECK_INT(res.status, ==, WALK_GUEST_PAGE_FAULT);
                CHECK_HEX(res.htval, ==, gpa >> 2);
                CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
                continue;
            }
            uint64_t l = sleaf(f, g.ctx, gpa);
            CHECK_HEX(ppn_pa(l), ==, pa);
            CHECK_HEX(l & LEAF_FLAGS, ==, PTE_V | PTE_U | PTE_A | (rwx & (PTE_R | PTE_X)) |
                                          (rwx & PTE_W ? PTE_W | PTE_D : 0));
        }
    }
    /* a leaf without U is no G-stage leaf */
    map(f, &g, gpa, 0, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
    CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
    /* nothing mapped, or not valid */
    CHECK_INT(fill(f, 0, &g, 0x3ff000, WALK_LOAD), ==, SHADOW_FAULT);
    map(f, &g, gpa, 0, leaf(DATA, PTE_R | PTE_U | PTE_A | PTE_D));
    CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
    fake_free(f);
}

/* A/D with hardware updating (Svadu, menvcfg.ADUE): the walk sets them in
 * L1's leaf; W only once it is dirty. */
static void test_leaf_ad_hardware(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    uint64_t slot = map(f, &g, 0x5000, 0, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U));
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(get(f, slot) & (PTE_A | PTE_D), ==, PTE_A);
    CHECK_HEX(sleaf(f, g.ctx, 0x5000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_LOAD), ==, SHADOW_STALE);
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_STORE), ==, SHADOW_FILLED);
    CHECK_HEX(get(f, slot) & (PTE_A | PTE_D), ==, PTE_A | PTE_D);
    CHECK_HEX(sleaf(f, g.ctx, 0x5000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_STORE), ==, SHADOW_STALE);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_FILL), ==, 2);
    /* a store first: A and D at once */
    slot = map(f, &g, 0x6000, 0, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U));
    CHECK_INT(fill(f, 0, &g, 0x6000, WALK_STORE), ==, SHADOW_FILLED);
    CHECK_HEX(get(f, slot) & (PTE_A | PTE_D), ==, PTE_A | PTE_D);
    /* L1's leaf where L1 may not write (PMP): the A/D update is an access fault */
    struct l1g h = { .mode = ATP_MODE_SV39, .root = NO_WRITE };
    h.hgatp = hgatp(ATP_MODE_SV39, 2, h.root);
    rvnest_shadow_pt_hgatp(&f->s, 0, h.hgatp, &h.ctx);
    uint64_t t = NO_WRITE + 0x4000;
    put(f, h.root, leaf(t, PTE_V));
    put(f, t, leaf(t + 0x1000, PTE_V));
    put(f, t + 0x1000 + 8 * 7, leaf(DATA, PTE_V | PTE_R | PTE_U));
    CHECK_INT(fill(f, 0, &h, 0x7000, WALK_LOAD), ==, SHADOW_FAULT);
    CHECK_INT(res.status, ==, WALK_ACCESS_FAULT);
    CHECK_HEX(get(f, t + 0x1000 + 8 * 7) & PTE_A, ==, 0);
    /* with A already set nothing is written there: filled */
    put(f, t + 0x1000 + 8 * 7, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &h, 0x7000, WALK_LOAD), ==, SHADOW_FILLED);
    fake_free(f);
}

/* A/D without hardware updating (Svade): a clean or unaccessed leaf is
 * L1's fault, and L1's table is never written. */
static void test_leaf_ad_software(void)
{
    struct fake *f = fake_new(1 << 20);
    f->hart[0].adue = false;
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    uint64_t slot = map(f, &g, 0x5000, 0, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U));
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_LOAD), ==, SHADOW_FAULT);
    CHECK_HEX(get(f, slot) & (PTE_A | PTE_D), ==, 0);
    put(f, slot, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(sleaf(f, g.ctx, 0x5000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_STORE), ==, SHADOW_FAULT);
    CHECK_HEX(get(f, slot) & PTE_D, ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x5000) & PTE_W, ==, 0);
    put(f, slot, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    CHECK_INT(fill(f, 0, &g, 0x5000, WALK_STORE), ==, SHADOW_FILLED);
    CHECK_HEX(sleaf(f, g.ctx, 0x5000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    /* per hart: hart 1 updates A/D itself on the same table */
    f->nharts = 2;
    struct l1g g1 = g;
    rvnest_shadow_pt_hgatp(&f->s, 1, g.hgatp, &g1.ctx);
    slot = map(f, &g, 0x8000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U));
    CHECK_INT(fill(f, 0, &g, 0x8000, WALK_LOAD), ==, SHADOW_FAULT);
    CHECK_INT(fill(f, 1, &g1, 0x8000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(get(f, slot) & PTE_A, ==, PTE_A);
    fake_free(f);
}

/* Leaves of every size: the shadow leaf is at the address inside L1's
 * leaf, with L1's leaf size in RSW: 4 KiB, or 2 MiB where L1's leaf is at
 * least that large over L1's RAM (shadow.c leaf_place). */
static void test_leaf_sizes(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV48, 1);
    struct { uint64_t gpa, pa; unsigned lvl; } c[] = {
        { 0x1000, DATA + 0x3000, 0 },
        { 0x40000000, DATA - MB2 * 4, 1 },               /* 2 MiB */
        { 0x80000000, MEM_BASE, 2 },                      /* 1 GiB */
        { 1ull << 39, 0, 3 },                             /* 512 GiB */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        map(f, &g, c[i].gpa, c[i].lvl, leaf(c[i].pa, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
        uint64_t off = c[i].lvl ? 0x5000 + (c[i].lvl > 1 ? MB2 * 3 : 0) : 0;
        if (c[i].lvl == 3)
            off = MEM_BASE + 0x7000;                      /* lands in L1's RAM */
        CHECK_INT(fill(f, 0, &g, c[i].gpa + off, WALK_STORE), ==, SHADOW_FILLED);
        uint64_t l = sleaf(f, g.ctx, c[i].gpa + off);
        CHECK_HEX(ppn_pa(l), ==, c[i].pa + off);
        CHECK_HEX(l & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D | RSW(c[i].lvl));
        CHECK_HEX(res.page_size, ==, 4096ull << (9 * c[i].lvl));
        /* a context holding leaves of 1 GiB or more is "big" */
        CHECK(f->s.ctx[g.ctx].big == (c[i].lvl >= 2));
        uint64_t big;
        CHECK_INT(sleaf_at(f, g.ctx, c[i].gpa + off, &big), ==, c[i].lvl ? 1 : 0);
        if (c[i].lvl) {
            /* one 2 MiB leaf: its neighbour page is there too */
            CHECK_HEX(sleaf(f, g.ctx, c[i].gpa + off + 4096), ==, l + (1ull << 10));
            CHECK_HEX(ppn_pa(big), ==, (c[i].pa + off) & ~(MB2 - 1));
        }
    }
    /* in a 1 GiB leaf over L1's RAM and L0's memory: L0's page is dead */
    CHECK_INT(fill(f, 0, &g, 0x80000000 + (L0_BASE - MEM_BASE), WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(ppn_pa(sleaf(f, g.ctx, 0x80000000 + (L0_BASE - MEM_BASE))), ==, RVNEST_SHADOW_DEAD_PA);
    fake_free(f);
}

/* Svnapot: a 64 KiB NAPOT leaf gives 4 KiB leaves inside it (RSW: larger
 * than 4 KiB); without Svnapot the N bit is reserved. */
static void test_leaf_napot(void)
{
    struct fake *f = fake_new(1 << 20);
    f->hart[0].svnapot = true;
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    uint64_t base = DATA + 0x10000, gpa = 0x410000;
    uint64_t napot = ((((base >> 12) & ~0xfull) | 0x8) << 10) | PTE_N |
                     PTE_V | PTE_R | PTE_U | PTE_A;
    for (uint64_t off = 0; off < 0x10000; off += 0x5000) {
        map(f, &g, gpa + off, 0, napot);
        CHECK_INT(fill(f, 0, &g, gpa + off, WALK_LOAD), ==, SHADOW_FILLED);
        uint64_t l = sleaf(f, g.ctx, gpa + off);
        CHECK_HEX(ppn_pa(l), ==, base + off);
        CHECK_HEX(l & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A | RSW(1));
        CHECK_HEX(l & PTE_N, ==, 0);
    }
    /* a NAPOT size other than 64 KiB */
    map(f, &g, 0x500000, 0, ((((base >> 12) & ~0xfull) | 0x4) << 10) | PTE_N | PTE_V | PTE_R | PTE_U | PTE_A);
    CHECK_INT(fill(f, 0, &g, 0x500000, WALK_LOAD), ==, SHADOW_FAULT);
    /* no Svnapot */
    f->hart[0].svnapot = false;
    map(f, &g, 0x600000, 0, napot);
    CHECK_INT(fill(f, 0, &g, 0x600000, WALK_LOAD), ==, SHADOW_FAULT);
    fake_free(f);
}

/* PBMT: L1's bits carried when menvcfg.PBMTE, reserved otherwise. */
static void test_leaf_pbmt(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    for (uint64_t pbmt = 0; pbmt <= 2; pbmt++) {
        uint64_t gpa = 0x1000 * (pbmt + 1);
        map(f, &g, gpa, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A) | (pbmt << 61));
        f->hart[0].pbmte = false;
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, pbmt ? SHADOW_FAULT : SHADOW_FILLED);
        f->hart[0].pbmte = true;
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, pbmt ? SHADOW_FILLED : SHADOW_STALE);
        CHECK_HEX(sleaf(f, g.ctx, gpa) >> 61, ==, pbmt);
    }
    /* on a non-leaf PTE PBMT is reserved */
    uint64_t dir = l1_slot(f, g.root, g.mode, 0x800000, 1);
    map(f, &g, 0x800000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    put(f, dir, get(f, dir) | PTE_PBMT_NC);
    CHECK_INT(fill(f, 0, &g, 0x800000, WALK_LOAD), ==, SHADOW_FAULT);
    fake_free(f);
}

/* MXR: an execute-only leaf is readable by L2 only with L1's
 * sstatus.MXR; the shadow leaf stays execute-only (the hart applies MXR
 * itself, from the real sstatus, which is L1's while L2 runs). */
static void test_leaf_mxr(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_X | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FAULT);
    f->hart[0].mxr = true;
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(sleaf(f, g.ctx, 0x1000) & LEAF_FLAGS, ==, PTE_V | PTE_X | PTE_U | PTE_A);
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_STORE), ==, SHADOW_FAULT);
    f->hart[0].mxr = false;
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_FETCH), ==, SHADOW_STALE);
    fake_free(f);
}

/* The rule itself, for every combination of L1's bits and leaf size. */
static void test_leaf_rule(void)
{
    static const uint64_t sizes[] = { 4096, 1 << 16, 1 << 21, 1ull << 30, 1ull << 39 };
    static const unsigned rsw[] = { 0, 1, 1, 2, 3 };
    for (uint64_t bits = 0; bits < 64; bits++) {
        uint64_t l1 = PTE_V | PTE_U | (bits & 1 ? PTE_R : 0) | (bits & 2 ? PTE_W : 0) |
                      (bits & 4 ? PTE_X : 0) | (bits & 8 ? PTE_D : 0) | (bits & 16 ? PTE_A : 0) |
                      (bits & 32 ? PTE_PBMT_NC : 0) | PTE_G | (3ull << 8);
        for (unsigned s = 0; s < G_N_ELEMENTS(sizes); s++) {
            uint64_t l = rvnest_shadow_leaf(0x80123000, l1, sizes[s]);
            uint64_t want = PTE_V | PTE_U | PTE_A | (l1 & (PTE_R | PTE_X)) |
                            ((l1 & PTE_W) && (l1 & PTE_D) ? PTE_W | PTE_D : 0) | RSW(rsw[s]);
            CHECK_HEX(l & LEAF_FLAGS, ==, want);
            CHECK_HEX(ppn_pa(l), ==, 0x80123000);
            CHECK_HEX(l >> 61, ==, (l1 & PTE_PBMT_NC) >> 61);
        }
    }
}

/* L1-physical targets of every class. */
static void test_targets(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    struct { uint64_t pa, want; } c[] = {
        { DATA, DATA },                                   /* L1's RAM */
        { UART, UART },                                   /* a device of L1's own */
        { L0_BASE, RVNEST_SHADOW_DEAD_PA },               /* L0's memory */
        { POOL_BASE, RVNEST_SHADOW_DEAD_PA },             /* the shadow pool itself */
        { ABOVE_BASE + 0x3000, RVNEST_SHADOW_DEAD_PA },   /* RAM above L1's */
        { 0x1234567000ull, 0x1234567000ull },             /* nothing: the hart faults itself */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        uint64_t gpa = 0x10000 + i * 0x1000;
        map(f, &g, gpa, 0, leaf(c[i].pa, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
        CHECK_INT(fill(f, 0, &g, gpa + 0x18, WALK_STORE), ==, SHADOW_FILLED);
        CHECK_HEX(ppn_pa(sleaf(f, g.ctx, gpa)), ==, c[i].want);
        CHECK_HEX(sleaf(f, g.ctx, gpa) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    }
    /* A page L0 performs (the PLIC) gets no leaf, so that L2's every access
     * comes to L0 (issue 21), once L1's leaf allows it: SHADOW_EMULATED with
     * L1's physical address; a refused one is L1's fault as usual. */
    uint64_t gpa = 0x40000;
    map(f, &g, gpa, 0, leaf(PLIC_PAGE, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    static const enum walk_access accs[] = { WALK_LOAD, WALK_STORE, WALK_FETCH };
    for (unsigned i = 0; i < G_N_ELEMENTS(accs); i++) {
        if (accs[i] == WALK_FETCH) {
            CHECK_INT(fill(f, 0, &g, gpa + 0x24, accs[i]), ==, SHADOW_FAULT);  /* no X */
            continue;
        }
        CHECK_INT(fill(f, 0, &g, gpa + 0x24, accs[i]), ==, SHADOW_EMULATED);
        CHECK_HEX(res.pa, ==, PLIC_PAGE + 0x24);
        CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
    }
    map(f, &g, gpa + 0x1000, 0, leaf(PLIC_PAGE, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, gpa + 0x1000, WALK_FETCH), ==, SHADOW_EMULATED);
    CHECK_INT(fill(f, 0, &g, gpa + 0x1000, WALK_STORE), ==, SHADOW_FAULT);    /* no W */
    CHECK_HEX(sleaf(f, g.ctx, gpa + 0x1000), ==, 0);
    fake_free(f);
}

/* L1's hgatp Bare: the GPA is L1's physical address (Sv57x4 shadow). */
static void test_bare(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = { .mode = ATP_MODE_BARE, .hgatp = hgatp(ATP_MODE_BARE, 0, 0) };
    rvnest_shadow_pt_hgatp(&f->s, 0, g.hgatp, &g.ctx);
    CHECK_INT(fill(f, 0, &g, DATA + 0x10, WALK_FETCH), ==, SHADOW_FILLED);
    CHECK_HEX(sleaf(f, g.ctx, DATA), ==, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D));
    CHECK_INT(fill(f, 0, &g, L0_BASE, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(ppn_pa(sleaf(f, g.ctx, L0_BASE)), ==, RVNEST_SHADOW_DEAD_PA);
    /* beyond what a PPN holds: nothing to add, the fault stands */
    CHECK_INT(fill(f, 0, &g, 1ull << 56, WALK_LOAD), ==, SHADOW_STALE);
    CHECK_INT(res.status, ==, WALK_OK);
    CHECK_INT(fill(f, 0, &g, (1ull << 56) - 4096, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(ppn_pa(sleaf(f, g.ctx, (1ull << 56) - 4096)), ==, (1ull << 56) - 4096);
    fake_free(f);
}

/* ---- hostile tables ---- */

/* GPAs beyond the mode's width (x4: two more bits than the mode). */
static void test_hostile_gpa_width(void)
{
    struct fake *f = fake_new(1 << 20);
    static const unsigned modes[] = { ATP_MODE_SV39, ATP_MODE_SV48, ATP_MODE_SV57 };
    for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
        struct l1g g = l1g_new(f, 0, modes[i], i + 1);
        unsigned bits = 12 + 9 * levels_of(modes[i]) + 2;
        uint64_t top = (1ull << bits) - 4096;
        map(f, &g, top, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
        CHECK_INT(fill(f, 0, &g, top, WALK_LOAD), ==, SHADOW_FILLED);
        CHECK_HEX(ppn_pa(sleaf(f, g.ctx, top)), ==, DATA);
        CHECK_INT(fill(f, 0, &g, top + 4096, WALK_LOAD), ==, SHADOW_FAULT);
        CHECK_INT(res.status, ==, WALK_GUEST_PAGE_FAULT);
        CHECK_HEX(res.htval, ==, (top + 4096) >> 2);
        CHECK_INT(fill(f, 0, &g, top | (1ull << 63), WALK_LOAD), ==, SHADOW_FAULT);
    }
    fake_free(f);
}

/* A table that points at itself: the walk ends after the mode's levels. */
static void test_hostile_loop(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV57, 1);
    put(f, g.root, leaf(g.root, PTE_V));
    uint64_t next = f->s.next;
    unsigned reads = f->pte_reads;
    CHECK_INT(fill(f, 0, &g, 0, WALK_LOAD), ==, SHADOW_FAULT);
    CHECK_UINT(f->pte_reads - reads, ==, 5);
    CHECK_HEX(f->s.next, ==, next);                       /* no shadow table made */
    /* two tables pointing at each other */
    struct l1g h = l1g_new(f, 0, ATP_MODE_SV48, 2);
    uint64_t t = l1_alloc(f, 1);
    put(f, h.root, leaf(t, PTE_V));
    put(f, t, leaf(h.root, PTE_V));
    CHECK_INT(fill(f, 0, &h, 0, WALK_LOAD), ==, SHADOW_FAULT);
    CHECK_HEX(f->s.next, ==, next);
    fake_free(f);
}

/* The next level outside L1's RAM, in L0's memory, where PMP refuses L1,
 * above RAM, in the emulated device page: never read, L1 gets the fault
 * (an access fault for PMP). */
static void test_hostile_next_level(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    struct { uint64_t table; enum walk_status st; } c[] = {
        { UART, WALK_GUEST_PAGE_FAULT },
        { L0_BASE + 0x8000, WALK_GUEST_PAGE_FAULT },
        { POOL_BASE, WALK_GUEST_PAGE_FAULT },
        { ABOVE_BASE, WALK_GUEST_PAGE_FAULT },
        { PLIC_PAGE, WALK_GUEST_PAGE_FAULT },
        { NO_READ + 0x2000, WALK_ACCESS_FAULT },
    };
    /* a leaf waits in every such table L0 has memory behind (not the
     * pool's roots), for gpa 0x1000 */
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++)
        if (at(f, c[i].table, 4096) && c[i].table != POOL_BASE)
            put(f, c[i].table + 8, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        for (unsigned lvl = 1; lvl <= 2; lvl++) {
            uint64_t slot = l1_slot(f, g.root, g.mode, 0x1000, lvl), was = get(f, slot);
            put(f, slot, leaf(c[i].table, PTE_V));
            CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FAULT);
            CHECK_INT(res.status, ==, c[i].st);
            CHECK_HEX(sleaf(f, g.ctx, 0x1000), ==, 0);
            put(f, slot, was);
        }
    }
    /* and the root itself there */
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        struct l1g h = { .mode = ATP_MODE_SV39, .root = c[i].table & ~0x3fffull };
        h.hgatp = hgatp(ATP_MODE_SV39, 10 + i, h.root);
        rvnest_shadow_pt_hgatp(&f->s, 0, h.hgatp, &h.ctx);
        CHECK_INT(fill(f, 0, &h, 0x1000, WALK_LOAD), ==, SHADOW_FAULT);
        rvnest_shadow_pt_release(&f->s, h.ctx);
    }
    fake_free(f);
}

/* Superpages whose PPN is not aligned to their size. */
static void test_hostile_misaligned(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV48, 1);
    for (unsigned lvl = 1; lvl <= 3; lvl++) {
        uint64_t gpa = (uint64_t)lvl << 39;
        map(f, &g, gpa, lvl, leaf(DATA + 0x1000, PTE_V | PTE_R | PTE_U | PTE_A));
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
        CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
    }
    fake_free(f);
}

/* Reserved bits: 60:54 in any PTE, A/D/U in a non-leaf one, N without
 * Svnapot. */
static void test_hostile_reserved(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 1);
    uint64_t gpa = 0x1000;
    uint64_t slot = map(f, &g, gpa, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    uint64_t dir = l1_slot(f, g.root, g.mode, gpa, 1), good_dir = get(f, dir);
    for (unsigned b = 54; b <= 60; b++) {
        put(f, slot, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A) | (1ull << b));
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
        put(f, slot, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
        put(f, dir, good_dir | (1ull << b));
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
        put(f, dir, good_dir);
    }
    static const uint64_t nonleaf[] = { PTE_A, PTE_D, PTE_U, PTE_N };
    for (unsigned i = 0; i < G_N_ELEMENTS(nonleaf); i++) {
        put(f, dir, good_dir | nonleaf[i]);
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FAULT);
    }
    put(f, dir, good_dir);
    CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FILLED);
    fake_free(f);
}

/* ---- fences ---- */

/* Three 4 KiB leaves; a fence of the middle one's address. */
static void test_hfence_addr_4k(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    for (uint64_t gpa = 0x1000; gpa <= 0x3000; gpa += 0x1000) {
        map(f, &g, gpa, 0, leaf(DATA + gpa, PTE_V | PTE_R | PTE_U | PTE_A));
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FILLED);
    }
    /* another VMID's fence: nothing */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x2000, .id = 6 });
    CHECK(sleaf(f, g.ctx, 0x2000) & PTE_V);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x2000, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, 0x2000), ==, 0);
    CHECK(sleaf(f, g.ctx, 0x1000) & PTE_V);
    CHECK(sleaf(f, g.ctx, 0x3000) & PTE_V);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_INVAL), ==, 2);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 0);
    /* all VMIDs, by address; then an address nothing is shadowed at */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x3000, .all_id = true });
    CHECK_HEX(sleaf(f, g.ctx, 0x3000), ==, 0);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x7654000, .id = 5 });
    CHECK(sleaf(f, g.ctx, 0x1000) & PTE_V);
    /* the VMID is compared on its 14 bits */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x1000, .id = 5 | (1ull << 14) });
    CHECK_HEX(sleaf(f, g.ctx, 0x1000), ==, 0);
    fake_free(f);
}

/* A range (an SBI NACL HFENCE entry): the 4 KiB leaves in it across
 * 2 MiB tables, not one page on either side; a range of many tables, or
 * one that wraps, empties the context instead. */
static void test_hfence_range(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    uint64_t lo = MB2 - 0x3000;                   /* three pages below a table edge */
    for (uint64_t gpa = lo - 0x1000; gpa <= MB2 + 0x3000; gpa += 0x1000) {
        map(f, &g, gpa, 0, leaf(DATA + (gpa & 0xff000), PTE_V | PTE_R | PTE_U | PTE_A));
        CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FILLED);
    }
    /* [lo, MB2 + 0x2000): pages lo .. MB2 + 0x1000 */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = lo, .size = 0x5000, .id = 5 });
    CHECK(sleaf(f, g.ctx, lo - 0x1000) & PTE_V);
    for (uint64_t gpa = lo; gpa < MB2 + 0x2000; gpa += 0x1000)
        CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
    CHECK(sleaf(f, g.ctx, MB2 + 0x2000) & PTE_V);
    CHECK(sleaf(f, g.ctx, MB2 + 0x3000) & PTE_V);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 0);
    /* an unaligned range takes every page it touches */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = MB2 + 0x2fff, .size = 2, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, MB2 + 0x2000), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, MB2 + 0x3000), ==, 0);
    CHECK(sleaf(f, g.ctx, lo - 0x1000) & PTE_V);
    /* another VMID's range: nothing */
    CHECK_INT(fill(f, 0, &g, lo, WALK_LOAD), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = lo, .size = 0x1000, .id = 6 });
    CHECK(sleaf(f, g.ctx, lo) & PTE_V);
    /* 64 tables or more: the context is emptied (then replayed locally) */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0, .size = 64 * MB2 + 1, .id = 5 });
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 1);
    /* a range that wraps around the address space: emptied too */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = ~0ull - 0xfff, .size = 0x2000, .id = 5 });
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 2);
    fake_free(f);
}

/* A 2 MiB leaf of L1's: a fence of any address in it drops every shadow
 * leaf made from it (RSW), not those from 4 KiB leaves in other tables;
 * with 4 KiB shadow leaves only (no_large) and with one 2 MiB shadow leaf,
 * which the first fill makes and covers the others. */
static void test_hfence_addr_2m(void)
{
    for (int large = 0; large < 2; large++) {
        struct fake *f = fake_new(1 << 20);
        f->s.no_large = !large;
        struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
        uint64_t big = 0x400000;
        map(f, &g, big, 1, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
        map(f, &g, big + MB2, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
        for (uint64_t off = 0x3000; off < MB2; off += 0x40000)
            CHECK_INT(fill(f, 0, &g, big + off, WALK_LOAD), ==,
                      large && off > 0x3000 ? SHADOW_STALE : SHADOW_FILLED);
        CHECK_INT(fill(f, 0, &g, big + MB2, WALK_LOAD), ==, SHADOW_FILLED);
        CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_LARGE), ==, (unsigned)large);
        CHECK(!f->s.ctx[g.ctx].big);
        rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = big + 0x1000, .id = 5 });
        for (uint64_t off = 0x3000; off < MB2; off += 0x40000)
            CHECK_HEX(sleaf(f, g.ctx, big + off), ==, 0);
        CHECK(sleaf(f, g.ctx, big + MB2) & PTE_V);
        CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 0);
        fake_free(f);
    }
}

/* 2 MiB shadow leaves (shadow.c leaf_place): made where L1's leaf is at
 * least 2 MiB and maps 2 MiB of L1's RAM there, with L1's permissions (W
 * only once dirty), never over a hole, a device or a page L0 performs;
 * an existing table of 4 KiB leaves is kept; a 4 KiB leaf L1 maps inside
 * one replaces it by a table; fences by address and by range drop it. */
static void test_large_leaf(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    uint64_t pte, gpa = 0x600000, pa = MEM_BASE + 4 * MB2;
    uint64_t slot = map(f, &g, gpa, 1, leaf(pa, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A));
    /* a load: read-only (L1's leaf is clean), 2 MiB, RSW 1 */
    CHECK_INT(fill(f, 0, &g, gpa + 0x7000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, gpa + 0x7000, &pte), ==, 1);
    CHECK_HEX(pte, ==, rvnest_shadow_leaf(pa, get(f, slot), MB2));
    CHECK_HEX(pte & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A | RSW(1));
    CHECK_HEX(ppn_pa(sleaf(f, g.ctx, gpa + MB2 - 4096)), ==, pa + MB2 - 4096);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_LARGE), ==, 1);
    /* another page of it: nothing to add, the fault stands (L1's) */
    CHECK_INT(fill(f, 0, &g, gpa + 0x9000, WALK_LOAD), ==, SHADOW_STALE);
    /* a store (hardware A/D): L1's leaf gets D, the 2 MiB leaf W */
    f->hart[0].adue = true;
    CHECK_INT(fill(f, 0, &g, gpa + 0x9000, WALK_STORE), ==, SHADOW_FILLED);
    CHECK_HEX(get(f, slot) & PTE_D, ==, PTE_D);
    CHECK_INT(sleaf_at(f, g.ctx, gpa, &pte), ==, 1);
    CHECK_HEX(pte & (PTE_W | PTE_D), ==, PTE_W | PTE_D);
    /* a fence of one address in it drops it whole */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = gpa + 0x1ff000, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, gpa + 0x1ff000), ==, 0);
    /* and a range fence that only touches it */
    CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = gpa - 0x3000, .size = 0x4000, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, gpa + 0x100000), ==, 0);
    /* L1 maps a 4 KiB page inside (a table now) without a fence: the fill
     * of that page puts a table of 4 KiB leaves where the 2 MiB leaf was */
    CHECK_INT(fill(f, 0, &g, gpa, WALK_LOAD), ==, SHADOW_FILLED);
    put(f, slot, 0);
    map(f, &g, gpa + 0x5000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, gpa + 0x5000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, gpa + 0x5000, &pte), ==, 0);
    CHECK_HEX(ppn_pa(pte), ==, DATA);
    CHECK_HEX(sleaf(f, g.ctx, gpa), ==, 0);
    /* L1 maps 2 MiB there again and fences that one page: the table of
     * 4 KiB leaves stays, and the 2 MiB leaf's pages join it at 4 KiB */
    put(f, slot, leaf(pa, PTE_V | PTE_R | PTE_U | PTE_A));
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = gpa + 0x5000, .id = 5 });
    CHECK_INT(fill(f, 0, &g, gpa + 0x8000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, gpa + 0x8000, &pte), ==, 0);
    CHECK_HEX(ppn_pa(pte), ==, pa + 0x8000);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_LARGE), ==, 4);
    /* never over what is not all L1's RAM: L0's memory, RAM above L1's,
     * a device, a page L0 performs (4 KiB leaves, as ever) */
    static const uint64_t not_ram[] = { L0_BASE, L0_BASE + MB2, ABOVE_BASE, UART, PLIC_PAGE & ~(MB2 - 1) };
    for (unsigned i = 0; i < G_N_ELEMENTS(not_ram); i++) {
        uint64_t gg = 0x40000000 + i * MB2, off = not_ram[i] == (PLIC_PAGE & ~(MB2 - 1)) ? 0 : 0x3000;
        map(f, &g, gg, 1, leaf(not_ram[i], PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
        CHECK_INT(fill(f, 0, &g, gg + off, WALK_LOAD), ==, SHADOW_FILLED);
        CHECK_INT(sleaf_at(f, g.ctx, gg + off, &pte), ==, 0);
    }
    /* the last 2 MiB of L1's RAM is RAM: large */
    map(f, &g, 0x50000000, 1, leaf(L0_BASE - MB2, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x50000000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, 0x50000000, &pte), ==, 1);
    /* a 1 GiB leaf of L1's over L1's RAM: 2 MiB leaves, a big context */
    map(f, &g, 0x80000000, 2, leaf(MEM_BASE, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x80000000 + 3 * MB2 + 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, 0x80000000 + 3 * MB2, &pte), ==, 1);
    CHECK_HEX(pte & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A | RSW(2));
    CHECK(f->s.ctx[g.ctx].big);
    /* shadow-large=off: 4 KiB only */
    f->s.no_large = true;
    map(f, &g, 0x60000000, 1, leaf(MEM_BASE, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x60001000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(sleaf_at(f, g.ctx, 0x60001000, &pte), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x60002000), ==, 0);
    fake_free(f);
}

/* A 1 GiB leaf of L1's: a fence by address drops the whole context (the
 * local one then replays what L1 still maps). */
static void test_hfence_addr_1g(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    uint64_t slot = map(f, &g, 0x80000000, 2, leaf(MEM_BASE, PTE_V | PTE_R | PTE_U | PTE_A));
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x80000000 + 0x5000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK(f->s.ctx[g.ctx].big);
    /* a local fence of the VMID replays both, and the context stays big */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_REPLAY), ==, 2);
    CHECK_HEX(sleaf(f, g.ctx, 0x80005000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A | RSW(2));
    CHECK(f->s.ctx[g.ctx].big);
    /* L1 unmaps the 1 GiB leaf and fences one address of it (locally) */
    put(f, slot, 0);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x80000000 + 0x999000, .id = 5 });
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_DROP), ==, 2);
    CHECK_HEX(sleaf(f, g.ctx, 0x80005000), ==, 0);
    CHECK(sleaf(f, g.ctx, 0x1000) & PTE_V);               /* replayed */
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_REPLAY), ==, 3);
    CHECK(!f->s.ctx[g.ctx].big);
    /* remotely: emptied, nothing replayed */
    put(f, slot, leaf(MEM_BASE, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x80005000, WALK_LOAD), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .addr = 0x80005000, .id = 5, .remote = true });
    CHECK_HEX(sleaf(f, g.ctx, 0x80005000), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x1000), ==, 0);
    CHECK(f->s.ctx[g.ctx].valid);
    fake_free(f);
}

/* By VMID and all, locally (this hart's contexts) and remotely (every
 * hart's). */
static void test_hfence_vmid_all(void)
{
    struct fake *f = fake_new(1 << 20);
    f->nharts = 2;
    struct l1g a = l1g_new(f, 0, ATP_MODE_SV39, 1), b = l1g_new(f, 0, ATP_MODE_SV39, 2);
    struct l1g a1 = a;
    rvnest_shadow_pt_hgatp(&f->s, 1, a.hgatp, &a1.ctx);
    const struct l1g *all[] = { &a, &b, &a1 };
    unsigned hart[] = { 0, 0, 1 };
    for (unsigned i = 0; i < 3; i++)
        map(f, all[i], 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
#define FILL_ALL() for (unsigned i = 0; i < 3; i++) fill(f, hart[i], all[i], 0x1000, WALK_LOAD)
#define PRESENT(i) ((sleaf(f, all[i]->ctx, 0x1000) & PTE_V) != 0)
    FILL_ALL();
    CHECK(PRESENT(0) && PRESENT(1) && PRESENT(2));
    /* remote, VMID 1: both harts' contexts of VMID 1 */
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 1, .remote = true });
    CHECK(!PRESENT(0) && PRESENT(1) && !PRESENT(2));
    FILL_ALL();
    /* local, VMID 1, from hart 1: its own only (replayed, L1 unchanged) */
    put(f, l1_slot(f, a.root, a.mode, 0x1000, 0), leaf(DATA + 0x1000, PTE_V | PTE_R | PTE_U | PTE_A));
    rvnest_shadow_pt_inval(&f->s, 1, &(struct rvnest_inval){ .all_addr = true, .id = 1 });
    CHECK_HEX(ppn_pa(sleaf(f, a1.ctx, 0x1000)), ==, DATA + 0x1000);
    CHECK_HEX(ppn_pa(sleaf(f, a.ctx, 0x1000)), ==, DATA);
    /* remote, all VMIDs */
    rvnest_shadow_pt_inval(&f->s, 1, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    CHECK(!PRESENT(0) && !PRESENT(1) && !PRESENT(2));
    CHECK(f->s.ctx[a.ctx].valid && f->s.ctx[b.ctx].valid && f->s.ctx[a1.ctx].valid);
    FILL_ALL();
    /* local, all VMIDs, from hart 0: hart 0's, remade from L1's tables now */
    put(f, l1_slot(f, a.root, a.mode, 0x1000, 0), 0);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .all_id = true });
    CHECK(!PRESENT(0) && PRESENT(2));
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_INVAL), ==, 2);
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_INVAL), ==, 2);
#undef FILL_ALL
#undef PRESENT
    fake_free(f);
}

/* The replay after a local fence: only leaves L1 still maps with A, made
 * as a fill would make them, nothing written to L1's tables, each table
 * page read once. */
static void test_replay(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    uint64_t slots[8];
    for (unsigned i = 0; i < 8; i++) {
        slots[i] = map(f, &g, 0x10000 + i * 0x1000, 0,
                       leaf(DATA + i * 0x1000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
        CHECK_INT(fill(f, 0, &g, 0x10000 + i * 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    }
    CHECK_UINT(f->s.ctx[g.ctx].nrecent, ==, 8);
    /* L1: clears A in leaf 1, cleans leaf 2, moves leaf 3, unmaps leaf 4,
     * moves leaf 5 to a page L0 performs (never mapped, even by a replay) */
    put(f, slots[1], leaf(DATA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_D));
    put(f, slots[2], leaf(DATA + 0x2000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A));
    put(f, slots[3], leaf(DATA + 0x9000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    put(f, slots[4], 0);
    uint64_t slot5 = get(f, slots[5]);
    put(f, slots[5], leaf(PLIC_PAGE, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    uint8_t *before = g_memdup2(at(f, MEM_BASE, L1_RAM), L1_RAM);
    unsigned reads = f->pte_reads;
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
    CHECK(memcmp(before, at(f, MEM_BASE, L1_RAM), L1_RAM) == 0);   /* L1's memory untouched */
    g_free(before);
    CHECK_UINT(f->pte_reads, ==, reads);                 /* every table page from the cache */
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_REPLAY), ==, 5);
    CHECK_HEX(sleaf(f, g.ctx, 0x11000), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x12000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    CHECK_HEX(ppn_pa(sleaf(f, g.ctx, 0x13000)), ==, DATA + 0x9000);
    CHECK_HEX(sleaf(f, g.ctx, 0x14000), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x15000), ==, 0);
    put(f, slots[5], slot5);
    for (unsigned i = 6; i < 8; i++)
        CHECK_HEX(sleaf(f, g.ctx, 0x10000 + i * 0x1000), ==,
                  rvnest_shadow_leaf(DATA + i * 0x1000, get(f, slots[i]), 4096));
    /* what was not made left the ring: mapped again, it is not replayed */
    CHECK_UINT(f->s.ctx[g.ctx].nrecent, ==, 5);
    put(f, slots[4], leaf(DATA + 0x4000, PTE_V | PTE_R | PTE_U | PTE_A));
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, 0x14000), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x15000), ==, 0);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_REPLAY), ==, 10);
    /* execute-only leaves are replayed too */
    map(f, &g, 0x30000, 0, leaf(DATA, PTE_V | PTE_X | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x30000, WALK_FETCH), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
    CHECK_HEX(sleaf(f, g.ctx, 0x30000) & LEAF_FLAGS, ==, PTE_V | PTE_X | PTE_U | PTE_A);
    fake_free(f);
}

/* A replay reads no table L1 could not read itself. */
static void test_replay_hostile(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    uint64_t dir = l1_slot(f, g.root, g.mode, 0x1000, 1), was = get(f, dir);
    static const uint64_t where[] = { L0_BASE + 0x8000, NO_READ, UART };
    for (unsigned i = 0; i < G_N_ELEMENTS(where); i++) {
        if (at(f, where[i], 4096))
            put(f, where[i] + 8, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
        put(f, dir, leaf(where[i], PTE_V));
        rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
        CHECK_HEX(sleaf(f, g.ctx, 0x1000), ==, 0);
        CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_REPLAY), ==, 0);
        put(f, dir, was);
        CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    }
    fake_free(f);
}

/* Prefetch at L2's entry: the leaf the retried access would fill, made
 * only when L1's leaf allows the access with A (and D for a store) already
 * set, reading L1's table only; never where a fill would not make one. */
static void test_prefetch(void)
{
    struct fake *f = fake_new(1 << 20);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    /* nothing mapped yet (L1 emulated the access): nothing made */
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x40000, WALK_STORE));
    CHECK_HEX(sleaf(f, g.ctx, 0x40000), ==, 0);
    /* mapped with A and D: the leaf a fill makes, no exit needed */
    uint64_t slot = map(f, &g, 0x40000, 0, leaf(DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    uint8_t *before = g_memdup2(at(f, MEM_BASE, L1_RAM), L1_RAM);
    CHECK(rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x40000, WALK_STORE));
    CHECK(memcmp(before, at(f, MEM_BASE, L1_RAM), L1_RAM) == 0);   /* L1's memory untouched */
    g_free(before);
    CHECK_HEX(sleaf(f, g.ctx, 0x40000), ==, rvnest_shadow_leaf(DATA, get(f, slot), 4096));
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_PREFETCH), ==, 1);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_FILL), ==, 0);
    /* the same again: nothing new */
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x40000, WALK_STORE));
    /* A clear (Svade or Svadu alike): left to the access, A untouched */
    uint64_t s2 = map(f, &g, 0x41000, 0, leaf(DATA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_U));
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x41000, WALK_LOAD));
    CHECK_HEX(get(f, s2) & (PTE_A | PTE_D), ==, 0);
    CHECK_HEX(sleaf(f, g.ctx, 0x41000), ==, 0);
    /* a store to a clean page: left to the access (D is the store's) */
    uint64_t s3 = map(f, &g, 0x42000, 0, leaf(DATA + 0x2000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A));
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x42000, WALK_STORE));
    CHECK_HEX(get(f, s3) & PTE_D, ==, 0);
    /* ... a load of it: read-only leaf */
    CHECK(rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x42000, WALK_LOAD));
    CHECK_HEX(sleaf(f, g.ctx, 0x42000) & LEAF_FLAGS, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    /* not allowed (a store to a read-only page), and a page L0 performs */
    map(f, &g, 0x43000, 0, leaf(DATA + 0x3000, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D));
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x43000, WALK_STORE));
    CHECK_HEX(sleaf(f, g.ctx, 0x43000), ==, 0);
    map(f, &g, 0x44000, 0, leaf(PLIC_PAGE, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x44000, WALK_LOAD));
    CHECK_HEX(sleaf(f, g.ctx, 0x44000), ==, 0);
    /* a table of L1's it may not read */
    uint64_t dir = l1_slot(f, g.root, g.mode, 0x200000, 1);
    put(f, dir, leaf(L0_BASE + 0x8000, PTE_V));
    if (at(f, L0_BASE + 0x8000, 4096))
        put(f, L0_BASE + 0x8000, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, g.ctx, 0x200000, WALK_LOAD));
    CHECK_HEX(sleaf(f, g.ctx, 0x200000), ==, 0);
    /* an invalid context index */
    CHECK(!rvnest_shadow_pt_prefetch(&f->s, 0, RVNEST_SHADOW_CTXS, 0x40000, WALK_LOAD));
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_PREFETCH), ==, 2);
    fake_free(f);
}

/* ---- the pool's pages: limbo, grace, exhaustion ---- */

/* The shadow table pages of gpa in context ctx (levels above the root). */
static void shadow_tables(struct fake *f, unsigned ctx, uint64_t gpa, uint64_t *t1, uint64_t *t0)
{
    uint64_t root = f->s.base + ctx * RVNEST_SHADOW_ROOT_SIZE;
    *t1 = ppn_pa(get(f, root + 8 * ((gpa >> 30) & 2047)));
    *t0 = ppn_pa(get(f, *t1 + 8 * ((gpa >> 21) & 511)));
}

/* Pages a dropped context gave back are not reused while another hart may
 * still walk them (it was in L2 and has not entered L0 since); they are
 * once it has. */
static void test_limbo_grace(void)
{
    struct fake *f = fake_new(1 << 20);
    f->nharts = 2;
    f->hart[1].l0_seq = 5;                                /* hart 1 runs an L2 */
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    map(f, &g, 0x40000000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    map(f, &g, 0x80000000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    uint64_t old1, old0;
    shadow_tables(f, g.ctx, 0x1000, &old1, &old0);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    CHECK_UINT(f->s.limbo[0].n, ==, 2);
    CHECK_UINT(f->s.nfree, ==, 0);
    /* refill: the limbo starts its grace, fresh pages are used */
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    uint64_t t1, t0;
    shadow_tables(f, g.ctx, 0x1000, &t1, &t0);
    CHECK(t1 != old1 && t1 != old0 && t0 != old1 && t0 != old0);
    CHECK_UINT(f->s.limbo[1].n, ==, 2);
    CHECK_HEX(f->s.limbo[1].seq[1], ==, 5);
    CHECK(!f->s.limbo[1].safe[1]);
    /* hart 0's own count does not matter; hart 1's does */
    f->hart[0].l0_seq += 10;
    CHECK_INT(fill(f, 0, &g, 0x40000000, WALK_LOAD), ==, SHADOW_FILLED);
    shadow_tables(f, g.ctx, 0x40000000, &t1, &t0);
    CHECK(t1 != old1 && t1 != old0 && t0 != old1 && t0 != old0);
    CHECK_UINT(f->s.limbo[1].n, ==, 2);
    /* hart 1 enters L0: the grace is over, the pages are reused */
    f->hart[1].l0_seq++;
    uint64_t next = f->s.next;
    CHECK_INT(fill(f, 0, &g, 0x80000000, WALK_LOAD), ==, SHADOW_FILLED);
    shadow_tables(f, g.ctx, 0x80000000, &t1, &t0);
    CHECK((t1 == old1 && t0 == old0) || (t1 == old0 && t0 == old1));
    CHECK_HEX(f->s.next, ==, next);
    CHECK_UINT(f->s.limbo[1].n, ==, 0);
    /* the reused pages were zeroed: only the new leaf is in them */
    for (unsigned i = 0; i < 512; i++)
        if (i != ((0x80000000 >> 12) & 511))
            CHECK_HEX(get(f, t0 + 8 * i), ==, 0);
    fake_free(f);
}

/* A hart outside L2 when the grace starts (in L0, or in L1) walks no
 * shadow table: it does not hold the pages back, even if it enters L2
 * later (its walks then start from the emptied root). */
static void test_limbo_safe_harts(void)
{
    struct fake *f = fake_new(1 << 20);
    f->nharts = 3;
    f->hart[1].outside_l2 = true;
    f->hart[2].outside_l2 = true;
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    map(f, &g, 0x40000000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    uint64_t next = f->s.next;
    CHECK_INT(fill(f, 0, &g, 0x40000000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(f->s.next, ==, next);                       /* both pages reused at once */
    CHECK(f->s.limbo[1].safe[1] && f->s.limbo[1].safe[2]);
    /* one hart in L2 at the start of the grace holds it */
    f->hart[2].outside_l2 = false;
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    CHECK_INT(fill(f, 0, &g, 0x40000000, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(f->s.next, ==, next + 2 * 4096);
    fake_free(f);
}

/* The pool runs out: every shadow is dropped (a reclaim) and the fill
 * uses the pages again, at once with one hart; with another hart in L2,
 * L2 retries until that hart has been in L0. */
static void test_pool_exhaustion(void)
{
    struct fake *f = fake_new(512 << 10);                 /* 64 table pages */
    CHECK_UINT(f->s.npages, ==, 64);
    struct l1g g = l1g_new(f, 0, ATP_MODE_SV39, 5);
    /* a first 2 MiB costs two pages, every next one in that GiB one */
    for (unsigned i = 0; i < 64; i++)
        map(f, &g, i * MB2, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    for (unsigned i = 0; i < 63; i++)
        CHECK_INT(fill(f, 0, &g, i * MB2, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_HEX(f->s.next, ==, f->s.base + f->s.size);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_RECLAIM), ==, 0);
    CHECK_INT(fill(f, 0, &g, 63 * MB2, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_RECLAIM), ==, 1);
    CHECK(sleaf(f, g.ctx, 63 * MB2) & PTE_V);
    CHECK_HEX(sleaf(f, g.ctx, 0), ==, 0);
    CHECK(f->s.ctx[g.ctx].valid);
    CHECK_UINT(f->s.ctx[g.ctx].users, ==, 1);
    CHECK_UINT(f->s.nfree, ==, 62);
    /* every other context was dropped too */
    struct l1g h = l1g_new(f, 0, ATP_MODE_SV39, 6);
    map(f, &h, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 0, &h, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    for (unsigned i = 0; i < 62; i++)
        fill(f, 0, &g, i * MB2, WALK_LOAD);
    CHECK_UINT(ev(f, 0, RVNEST_SHADOW_EV_RECLAIM), ==, 2);
    CHECK_HEX(sleaf(f, h.ctx, 0x1000), ==, 0);
    /* now with hart 1 in L2: nothing can be reused yet */
    f->nharts = 2;
    rvnest_shadow_pt_inval(&f->s, 0, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    CHECK_INT(fill(f, 0, &g, 0, WALK_LOAD), ==, SHADOW_FILLED);   /* from the free pages */
    unsigned fills = 0;
    enum rvnest_fill r;
    while ((r = fill(f, 0, &g, (1 + fills) * MB2, WALK_LOAD)) == SHADOW_FILLED && fills < 200)
        fills++;
    CHECK_INT(r, ==, SHADOW_RETRY);
    CHECK_HEX(sleaf(f, g.ctx, (1 + fills) * MB2), ==, 0);
    CHECK_INT(fill(f, 0, &g, (1 + fills) * MB2, WALK_LOAD), ==, SHADOW_RETRY);
    /* hart 1 has been in L0: the fill goes through */
    f->hart[1].l0_seq++;
    CHECK_INT(fill(f, 0, &g, (1 + fills) * MB2, WALK_LOAD), ==, SHADOW_FILLED);
    CHECK(sleaf(f, g.ctx, (1 + fills) * MB2) & PTE_V);
    CHECK_HEX(f->fatal[0], ==, 0);
    fake_free(f);
}

/* The counters go to the hart the call is made for. */
static void test_counters(void)
{
    struct fake *f = fake_new(1 << 20);
    f->nharts = 2;
    struct l1g g = l1g_new(f, 1, ATP_MODE_SV39, 5);
    map(f, &g, 0x1000, 0, leaf(DATA, PTE_V | PTE_R | PTE_U | PTE_A));
    CHECK_INT(fill(f, 1, &g, 0x1000, WALK_LOAD), ==, SHADOW_FILLED);
    rvnest_shadow_pt_inval(&f->s, 1, &(struct rvnest_inval){ .all_addr = true, .id = 5 });
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_FILL), ==, 1);
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_INVAL), ==, 1);
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_DROP), ==, 1);
    CHECK_UINT(ev(f, 1, RVNEST_SHADOW_EV_REPLAY), ==, 1);
    for (unsigned e = 0; e <= RVNEST_SHADOW_EV_LARGE; e++)
        CHECK_UINT(f->count[0][e], ==, 0);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/shadow/setup", test_setup);
    g_test_add_func("/shadow/context-create", test_context_create);
    g_test_add_func("/shadow/context-new-root", test_context_new_root);
    g_test_add_func("/shadow/context-eviction", test_context_eviction);
    g_test_add_func("/shadow/leaf-rwx", test_leaf_rwx);
    g_test_add_func("/shadow/leaf-ad-hardware", test_leaf_ad_hardware);
    g_test_add_func("/shadow/leaf-ad-software", test_leaf_ad_software);
    g_test_add_func("/shadow/leaf-sizes", test_leaf_sizes);
    g_test_add_func("/shadow/leaf-napot", test_leaf_napot);
    g_test_add_func("/shadow/leaf-pbmt", test_leaf_pbmt);
    g_test_add_func("/shadow/leaf-mxr", test_leaf_mxr);
    g_test_add_func("/shadow/leaf-rule", test_leaf_rule);
    g_test_add_func("/shadow/targets", test_targets);
    g_test_add_func("/shadow/bare", test_bare);
    g_test_add_func("/shadow/hostile-gpa-width", test_hostile_gpa_width);
    g_test_add_func("/shadow/hostile-loop", test_hostile_loop);
    g_test_add_func("/shadow/hostile-next-level", test_hostile_next_level);
    g_test_add_func("/shadow/hostile-misaligned", test_hostile_misaligned);
    g_test_add_func("/shadow/hostile-reserved", test_hostile_reserved);
    g_test_add_func("/shadow/hfence-addr-4k", test_hfence_addr_4k);
    g_test_add_func("/shadow/hfence-range", test_hfence_range);
    g_test_add_func("/shadow/hfence-addr-2m", test_hfence_addr_2m);
    g_test_add_func("/shadow/large-leaf", test_large_leaf);
    g_test_add_func("/shadow/hfence-addr-1g", test_hfence_addr_1g);
    g_test_add_func("/shadow/hfence-vmid-all", test_hfence_vmid_all);
    g_test_add_func("/shadow/replay", test_replay);
    g_test_add_func("/shadow/replay-hostile", test_replay_hostile);
    g_test_add_func("/shadow/prefetch", test_prefetch);
    g_test_add_func("/shadow/limbo-grace", test_limbo_grace);
    g_test_add_func("/shadow/limbo-safe-harts", test_limbo_safe_harts);
    g_test_add_func("/shadow/pool-exhaustion", test_pool_exhaustion);
    g_test_add_func("/shadow/counters", test_counters);
    int rc = g_test_run();
    g_printerr("test_shadow: %u checks\n", checks);
    return rc;
}
