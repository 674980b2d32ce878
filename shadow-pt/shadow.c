/* The shadow G-stage (include/rvnest/shadow.h; ARCHITECTURE.md section 7).
 *
 * L2's accesses are translated by L1's G-stage (L2 GPA -> L1 GPA) and then
 * by L0's view of L1 (L1 GPA = host PA, except L0's holes). The hart walks
 * one table, so L0 builds it: every leaf comes from a walk of L1's table
 * (shadow-pt/walk.c, with the A/D rule the firmware's menvcfg.ADUE gives
 * L1's G-stage: ops->l1_gstage), at 4 KiB, with at most the permissions of
 * L1's leaf. L1's own table is never the real one. Each rule below names
 * its test in tests/unit/test_shadow.c.
 *
 * Rules of a shadow leaf (rvnest_shadow_leaf; test: shadow/leaf-rule):
 *  - R and X as L1's leaf, every R/W/X combination; the reserved ones (W
 *    without R) and a leaf without U are L1's fault (test: shadow/leaf-rwx);
 *    W only once L1's leaf is dirty, so that the first store of L2 comes
 *    back here and sets D in L1's table (with Svadu: test:
 *    shadow/leaf-ad-hardware) or faults for L1 (Svade: test:
 *    shadow/leaf-ad-software), as the hart does natively;
 *  - U (G-stage leaves are user pages), A, and D with W: the hart never
 *    writes to a shadow table (test: shadow/leaf-rule);
 *  - L1's PBMT bits (the walk has refused them unless menvcfg.PBMTE) (test:
 *    shadow/leaf-pbmt);
 *  - MXR applies as natively: while L2 runs the real HS sstatus.MXR is
 *    L1's (nested/world.c), and QEMU applies it to the G-stage; the shadow
 *    leaf of an execute-only page stays execute-only (test: shadow/leaf-mxr);
 *  - a leaf is 4 KiB, at the address inside L1's leaf (4 KiB, 64 KiB NAPOT,
 *    2 MiB, 1 GiB, 512 GiB) (test: shadow/leaf-sizes, shadow/leaf-napot),
 *    or 2 MiB where L1's leaf is at least that large and maps 2 MiB of L1's
 *    RAM there (leaf_place; test: shadow/large-leaf); bits 9:8 (RSW,
 *    ignored by the hart) remember the size of L1's leaf, so that a fence
 *    by address drops every shadow leaf it covered (test:
 *    shadow/hfence-addr-4k, shadow/hfence-addr-2m, shadow/hfence-addr-1g,
 *    shadow/large-leaf);
 *  - an L1 GPA that natively does not exist (L0 memory, RAM above L1's) is
 *    mapped to RVNEST_SHADOW_DEAD_PA, where nothing exists either: the hart
 *    raises the native access fault (or page fault for a page-table read)
 *    itself. L1's RAM and its own devices are mapped as they are; a page
 *    L0 performs for L1 (the PLIC) gets no leaf: the fill answers
 *    SHADOW_EMULATED once L1's leaf allows the access, and L0 performs each
 *    of L2's accesses there as it does L1's (test: shadow/targets);
 *  - L1's hgatp Bare is shadowed with Sv57x4, the GPA being L1's address;
 *    one beyond what a PPN holds gets no leaf (test: shadow/bare);
 *  - a table of L1's is read only where L1 could read it itself
 *    (ops->l1_read_pte): a next level outside L1's RAM, in L0 memory or
 *    refused by PMP, a loop, a misaligned superpage, reserved bits, a GPA
 *    beyond the mode's width are L1's fault, as natively (test:
 *    shadow/hostile-next-level, shadow/hostile-loop,
 *    shadow/hostile-misaligned, shadow/hostile-reserved,
 *    shadow/hostile-gpa-width).
 *
 * Contexts are per hart and VMID (rvnest_shadow_pt_hgatp; test:
 * shadow/context-create); a new root or mode for a VMID empties its
 * context (test: shadow/context-new-root); the least recently used
 * context no L2 runs on is evicted (test: shadow/context-eviction). Fences
 * drop by address, by VMID or all, this hart's contexts or (remote) every
 * hart's (shadow-pt/inval.c; test: shadow/hfence-vmid-all); a local one
 * that empties a context replays its recent fills (ctx_replay; test:
 * shadow/replay, shadow/replay-hostile). Events are counted for the hart
 * the call is made for (test: shadow/counters).
 *
 * Table pages are recycled: a context that is dropped (L1's fence of its
 * whole VMID, an eviction, a changed root, a pool reclaim) gives its lower
 * tables back. With several harts another hart's L2 may be in the middle
 * of a hardware walk through them, so they wait in a limbo until every
 * other hart has been in L0 since (ops->l0_seq; the engine's
 * rvnest_l0_enter) or was in L0 or in L1 (real hgatp 0: ops->outside_l2)
 * when the last of them was unlinked: a walk that starts after that reads
 * the tables as they are now, from the emptied root (test:
 * shadow/limbo-grace, shadow/limbo-safe-harts). When the pool runs out,
 * every shadow is dropped (a reclaim) and, while no page can be reused
 * yet, L2 retries (test: shadow/pool-exhaustion, shadow/setup). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rvnest/csr.h"
#include "internal.h"

#define PTE_PBMT (3ull << 61)
#define RSW_SHIFT SHADOW_RSW_SHIFT
#define PAGE SHADOW_PAGE

static uint64_t pool_pages_start(const struct rvnest_shadow *s)
{
    return s->base + (uint64_t)RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE;
}

static uint64_t ctx_root(const struct rvnest_shadow *s, unsigned i)
{
    return s->base + (uint64_t)i * RVNEST_SHADOW_ROOT_SIZE;
}

static bool zero(struct rvnest_shadow *s, unsigned hart, uint64_t pa, uint64_t len)
{
    static const uint8_t z[4096];
    for (uint64_t off = 0; off < len; off += sizeof(z))
        if (!shadow_write(s, hart, pa + off, z, sizeof(z)))
            return false;
    return true;
}

static void fatal(struct rvnest_shadow *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fatal(struct rvnest_shadow *s, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->ops->fatal(s->ops_ctx, msg);
}

/* Levels of a G-stage mode; Bare is shadowed with Sv57x4 (the widest). */
static unsigned mode_levels(unsigned mode)
{
    return mode == ATP_MODE_SV39 ? 3 : mode == ATP_MODE_SV48 ? 4 : 5;
}

static unsigned shadow_mode(uint64_t l1_hgatp)
{
    unsigned mode = (unsigned)(l1_hgatp >> ATP_MODE_SHIFT);
    return mode == ATP_MODE_BARE ? ATP_MODE_SV57 : mode;
}

static unsigned page_index(const struct rvnest_shadow *s, uint64_t pa)
{
    return (unsigned)((pa - pool_pages_start(s)) / PAGE);
}

static unsigned nharts(const struct rvnest_shadow *s)
{
    unsigned n = s->ops->nharts(s->ops_ctx);
    return n < RVNEST_MAX_HARTS ? n : RVNEST_MAX_HARTS;
}

/* Whether no hart other than me can still walk the pages of limbo l. */
static bool grace_over(struct rvnest_shadow *s, unsigned me, const struct rvnest_shadow_limbo *l)
{
    for (unsigned h = 0; h < nharts(s); h++) {
        if (h == me || l->safe[h])
            continue;
        if (s->ops->l0_seq(s->ops_ctx, h) == l->seq[h])
            return false;
    }
    return true;
}

static void grace_start(struct rvnest_shadow *s, struct rvnest_shadow_limbo *l)
{
    for (unsigned h = 0; h < nharts(s); h++) {
        l->seq[h] = s->ops->l0_seq(s->ops_ctx, h);
        l->safe[h] = s->ops->outside_l2(s->ops_ctx, h);
    }
}

/* Moves limbo pages whose grace is over to the free list: the waiting
 * batch, then (once it is empty) the collecting one, which starts its own
 * grace now. */
static void recycle(struct rvnest_shadow *s, unsigned hart)
{
    struct rvnest_shadow_limbo *c = &s->limbo[0], *w = &s->limbo[1];
    for (int round = 0; round < 2; round++) {
        if (w->n && grace_over(s, hart, w)) {
            for (unsigned i = 0; i < w->n; i++)
                s->free_pages[s->nfree++] = w->pages[i];
            w->n = 0;
        }
        if (w->n || !c->n)
            return;
        uint32_t *p = w->pages;
        w->pages = c->pages;
        w->n = c->n;
        c->pages = p;
        c->n = 0;
        grace_start(s, w);
    }
}

/* A table page for context ctx: recycled, else never used; 0 when the
 * pool has none to give now. */
static uint64_t alloc_page(struct rvnest_shadow *s, unsigned hart, unsigned ctx)
{
    uint64_t page;
    if (!s->nfree)
        recycle(s, hart);
    if (s->nfree) {
        page = pool_pages_start(s) + (uint64_t)s->free_pages[--s->nfree] * PAGE;
    } else if (s->next + PAGE <= s->base + s->size) {
        page = s->next;
        s->next += PAGE;
    } else {
        return 0;
    }
    s->owner[page_index(s, page)] = (uint8_t)(ctx + 1);
    return page;
}

void rvnest_shadow_pt_free(struct rvnest_shadow *s)
{
    free(s->owner);
    free(s->free_pages);
    free(s->limbo[0].pages);
    free(s->limbo[1].pages);
    s->owner = NULL;
    s->free_pages = s->limbo[0].pages = s->limbo[1].pages = NULL;
}

bool rvnest_shadow_pt_setup(struct rvnest_shadow *s, const struct rvnest_shadow_ops *ops,
                            void *ops_ctx, unsigned hart, uint64_t base, uint64_t size)
{
    rvnest_shadow_pt_free(s);
    memset(s, 0, sizeof(*s));
    s->ops = ops;
    s->ops_ctx = ops_ctx;
    if (size & (size - 1) || base & (size - 1) ||
        size < (uint64_t)RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE) {
        fatal(s, "a shadow pool of %llu bytes cannot hold its roots aligned to its size",
              (unsigned long long)size);
        return false;
    }
    s->base = base;
    s->size = size;
    s->npages = (unsigned)((base + size - pool_pages_start(s)) / PAGE);
    s->owner = calloc(s->npages, 1);
    s->free_pages = calloc(s->npages, sizeof(uint32_t));
    s->limbo[0].pages = calloc(s->npages, sizeof(uint32_t));
    s->limbo[1].pages = calloc(s->npages, sizeof(uint32_t));
    if (!s->owner || !s->free_pages || !s->limbo[0].pages || !s->limbo[1].pages) {
        fatal(s, "out of host memory for the shadow pool's records");
        return false;
    }
    if (!zero(s, hart, base, pool_pages_start(s) - base)) {
        fatal(s, "cannot write the shadow pool at %#llx", (unsigned long long)base);
        return false;
    }
    s->next = pool_pages_start(s);
    return true;
}

/* Empties context i. It stays assigned to its hart and VMID (the hart
 * refills it, and replays its recent fills after a fence). */
void shadow_ctx_drop(struct rvnest_shadow *s, unsigned hart, unsigned i)
{
    if (!s->ctx[i].valid)
        return;
    zero(s, hart, ctx_root(s, i), RVNEST_SHADOW_ROOT_SIZE);
    shadow_count(s, hart, RVNEST_SHADOW_EV_DROP);
    s->ctx[i].big = false;
    /* its lower tables are unreachable from now on: to the limbo */
    struct rvnest_shadow_limbo *c = &s->limbo[0];
    for (unsigned p = 0; p < s->npages; p++)
        if (s->owner[p] == i + 1) {
            s->owner[p] = 0;
            c->pages[c->n++] = p;
        }
}

void rvnest_shadow_pt_drop_all(struct rvnest_shadow *s, unsigned hart)
{
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++)
        shadow_ctx_drop(s, hart, i);
}

/* Contexts are per hart (shadow.h): natively each hart caches its own
 * G-stage translations, tagged by VMID, and a local HFENCE.GVMA (what KVM
 * does when a vCPU comes to a hart it did not last run on) empties only its
 * own hart's. Two harts running one VMID thus never share a shadow, even
 * with different roots. */
uint64_t rvnest_shadow_pt_hgatp(struct rvnest_shadow *s, unsigned me, uint64_t l1_hgatp,
                                unsigned *idx)
{
    int pick = -1, lru = -1;
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++) {
        struct rvnest_shadow_ctx *c = &s->ctx[i];
        if (c->valid && c->hart == me && ((c->hgatp ^ l1_hgatp) & HGATP_VMID_MASK) == 0) {
            if (c->hgatp != l1_hgatp) {
                /* the VMID's mode or root changed on this hart */
                shadow_ctx_drop(s, me, i);
                c->valid = false;
            }
            pick = (int)i;
            break;
        }
        if (!c->valid && !c->users && (pick < 0 || s->ctx[pick].valid))
            pick = (int)i;
        /* a context another hart's L2 runs on is never the victim (its
         * real hgatp points at this root); with more contexts than harts
         * one is always left */
        if (!c->users && (lru < 0 || c->used < s->ctx[lru].used))
            lru = (int)i;
    }
    if (pick < 0) {
        pick = lru;
        shadow_ctx_drop(s, me, (unsigned)pick);
        s->ctx[pick].valid = false;
        shadow_count(s, me, RVNEST_SHADOW_EV_EVICTION);
    }
    struct rvnest_shadow_ctx *c = &s->ctx[pick];
    if (!c->valid) {
        c->valid = true;
        c->hgatp = l1_hgatp;
        c->hart = me;
        c->big = false;
        c->nrecent = c->recent_next = 0;
    }
    c->used = ++s->clock;
    c->users++;
    *idx = (unsigned)pick;
    return ((uint64_t)shadow_mode(l1_hgatp) << ATP_MODE_SHIFT) |
           ((uint64_t)pick << HGATP_VMID_SHIFT) | (ctx_root(s, (unsigned)pick) >> 12);
}

void rvnest_shadow_pt_release(struct rvnest_shadow *s, unsigned ctx)
{
    struct rvnest_shadow_ctx *c = &s->ctx[ctx % RVNEST_SHADOW_CTXS];
    if (c->users)
        c->users--;
}

static unsigned size_level(uint64_t size)
{
    return size >= (1ull << 39) ? 3 : size >= (1ull << 30) ? 2 : size > PAGE ? 1 : 0;
}

uint64_t rvnest_shadow_leaf(uint64_t pa, uint64_t l1_leaf, uint64_t l1_page_size)
{
    uint64_t pte = ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_U | PTE_A | (l1_leaf & PTE_PBMT);
    pte |= l1_leaf & (PTE_R | PTE_X);
    if ((l1_leaf & PTE_W) && (l1_leaf & PTE_D))
        pte |= PTE_W | PTE_D;
    return pte | ((uint64_t)size_level(l1_page_size) << RSW_SHIFT);
}

static bool rd(struct rvnest_shadow *s, unsigned hart, uint64_t pa, uint64_t *v)
{
    return shadow_read(s, hart, pa, v, 8);
}

static bool wr(struct rvnest_shadow *s, unsigned hart, uint64_t pa, uint64_t v)
{
    return shadow_write(s, hart, pa, &v, 8);
}

/* Index of gpa in the table of level lvl (0: leaf level) of a shadow with
 * n levels; the root (lvl n-1) has two more bits. */
static uint64_t index_at(uint64_t gpa, unsigned lvl, unsigned n)
{
    unsigned bits = lvl == n - 1 ? 11 : 9;
    return (gpa >> (12 + 9 * lvl)) & ((1ull << bits) - 1);
}

uint64_t shadow_leaf_slot(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t gpa,
                          bool alloc, unsigned stop_lvl)
{
    unsigned n = mode_levels(shadow_mode(s->ctx[ctx].hgatp));
    uint64_t table = ctx_root(s, ctx);
    for (unsigned lvl = n - 1; lvl > stop_lvl; lvl--) {
        uint64_t slot = table + 8 * index_at(gpa, lvl, n), pte;
        if (!rd(s, hart, slot, &pte))
            return 0;
        if ((pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X))) {
            /* a 2 MiB leaf (leaf_place) covers gpa: never followed as a
             * table; making one here drops it (a cache: its pages fault
             * and fill again) */
            if (!alloc)
                return 0;
            pte = 0;
        }
        if (!(pte & PTE_V)) {
            if (!alloc)
                return 0;
            uint64_t page = alloc_page(s, hart, ctx);
            if (!page)
                return 1;
            if (!zero(s, hart, page, PAGE))
                return 0;
            pte = ((page >> 12) << PTE_PPN_SHIFT) | PTE_V;
            if (!wr(s, hart, slot, pte))
                return 0;
        }
        table = ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12;
    }
    return table + 8 * index_at(gpa, stop_lvl, n);
}

/* L1's G-stage tables as hart's L1 reaches them itself (ops->l1_read_pte,
 * l1_write_pte): the walker's memory for a fill. */
struct l1_tables {
    struct rvnest_shadow *s;
    unsigned hart;
};

static enum walk_mem l1_tables_read(void *ctx, uint64_t pa, uint64_t *pte)
{
    struct l1_tables *t = ctx;
    return t->s->ops->l1_read_pte(t->s->ops_ctx, t->hart, pa, pte);
}

static enum walk_mem l1_tables_write(void *ctx, uint64_t pa, uint64_t pte)
{
    struct l1_tables *t = ctx;
    return t->s->ops->l1_write_pte(t->s->ops_ctx, t->hart, pa, pte);
}

static const struct walk_mem_ops l1_tables_mem = { l1_tables_read, l1_tables_write };

/* The shadow leaf (*pte) a walk of L1's G-stage gives for gpa now, and
 * the size of L1's leaf: true, or false with L1's fault in res (a GPA
 * beyond what a PPN holds, or a page L0 performs, gives WALK_OK and false). no_ad: sets no A/D bit
 * in L1's table (a replay; res->leaf_pte is then L1's leaf as it is). */
static bool leaf_for(struct rvnest_shadow *s, unsigned hart, const struct walk_mem_ops *mem,
                     void *mem_ctx, unsigned ctx, uint64_t gpa, enum walk_access access,
                     bool no_ad, struct walk_result *res, uint64_t *pte, uint64_t *size)
{
    uint64_t l1_hgatp = s->ctx[ctx].hgatp, pa;
    if ((l1_hgatp >> ATP_MODE_SHIFT) == ATP_MODE_BARE) {
        /* no translation: the GPA is L1's; beyond what a PPN can hold the
         * hart cannot be shown it */
        *res = (struct walk_result){ .status = WALK_OK, .pa = gpa, .gpa = gpa, .page_size = PAGE,
                                     .leaf_pte = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D };
        if (gpa >> 56)
            return false;
    } else {
        struct walk_stage g = { 0 };
        s->ops->l1_gstage(s->ops_ctx, hart, &g);
        g.atp = l1_hgatp;
        rvnest_walk_gstage(mem, mem_ctx, &g, gpa, access, no_ad, res);
        if (res->status != WALK_OK)
            return false;
    }
    pa = res->pa & ~(PAGE - 1);
    enum rvnest_l1_page class = s->ops->l1_page(s->ops_ctx, hart, pa);
    if (class == RVNEST_L1_PAGE_EMULATED)
        return false;                 /* never mapped: L0 performs each access */
    if (class == RVNEST_L1_PAGE_NONE)
        pa = RVNEST_SHADOW_DEAD_PA;
    *size = res->page_size;
    *pte = rvnest_shadow_leaf(pa, res->leaf_pte, *size);
    return true;
}

#define LARGE (512 * PAGE)

/* Where gpa's leaf goes, and which leaf: 2 MiB (at level 1) when L1's leaf
 * is at least that large and the 2 MiB of L1-physical memory it maps there
 * are L1's RAM, every page of it (ops->l1_ram_range: no hole, no device, no
 * page L0 performs), so that the hart finds there exactly what 512 leaves
 * of 4 KiB would give it: the same addresses (L1's leaf maps the 2 MiB
 * contiguously, 2 MiB-aligned at both ends, or the walk refused it), the
 * same permissions and PBMT, RSW the size of L1's leaf (test:
 * shadow/large-leaf); else 4 KiB (*pte as leaf_for made it). A level-1
 * entry that already points at a table of 4 KiB leaves is kept (the new
 * leaf joins them) rather than replaced. Returns the slot, 0 on an L0
 * error, 1 when the pool is exhausted. */
static uint64_t leaf_place(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t gpa,
                           uint64_t *pte, uint64_t l1_leaf, uint64_t size, bool *large)
{
    *large = false;
    uint64_t pa = ((*pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12, base = pa & ~(LARGE - 1);
    if (!s->no_large && size >= LARGE && pa != RVNEST_SHADOW_DEAD_PA &&
        s->ops->l1_ram_range(s->ops_ctx, hart, base, LARGE)) {
        uint64_t slot = shadow_leaf_slot(s, hart, ctx, gpa, true, 1), cur;
        if (slot <= 1)
            return slot;
        if (!rd(s, hart, slot, &cur))
            return 0;
        if (!(cur & PTE_V) || (cur & (PTE_R | PTE_W | PTE_X))) {
            *pte = rvnest_shadow_leaf(base, l1_leaf, size);
            *large = true;
            return slot;
        }
    }
    return shadow_leaf_slot(s, hart, ctx, gpa, true, 0);
}

static void recent_push(struct rvnest_shadow_ctx *c, uint64_t page)
{
    unsigned last = (c->recent_next + RVNEST_SHADOW_RECENT - 1) % RVNEST_SHADOW_RECENT;
    if (c->nrecent && c->recent[last] == page)
        return;
    c->recent[c->recent_next] = page;
    c->recent_next = (c->recent_next + 1) % RVNEST_SHADOW_RECENT;
    if (c->nrecent < RVNEST_SHADOW_RECENT)
        c->nrecent++;
}

/* A new leaf for gpa at slot (leaf_place's), as a fill or a prefetch (ev)
 * makes it: written, gpa's page remembered for a replay, counted. */
static void put_leaf(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t slot,
                     uint64_t gpa, uint64_t pte, bool large, enum rvnest_shadow_event ev)
{
    wr(s, hart, slot, pte);
    recent_push(&s->ctx[ctx], gpa & ~(PAGE - 1));
    shadow_count(s, hart, ev);
    if (large)
        shadow_count(s, hart, RVNEST_SHADOW_EV_LARGE);
}

enum rvnest_fill rvnest_shadow_pt_fill(struct rvnest_shadow *s, unsigned hart, unsigned ctx,
                                       uint64_t gpa, enum walk_access access,
                                       struct walk_result *res)
{
    uint64_t pte, size;
    struct l1_tables tables = { s, hart };
    if (!leaf_for(s, hart, &l1_tables_mem, &tables, ctx, gpa, access, false, res, &pte, &size)) {
        if (res->status != WALK_OK)
            return SHADOW_FAULT;
        /* L1's leaf allows the access to a page L0 performs: no leaf, so
         * that each of L2's accesses there faults to L0, which performs it
         * as it does L1's (the page's side effects are L1's device's) */
        if (!(gpa >> 56) &&
            s->ops->l1_page(s->ops_ctx, hart, res->pa & ~(PAGE - 1)) == RVNEST_L1_PAGE_EMULATED)
            return SHADOW_EMULATED;
        return SHADOW_STALE;
    }
    if (size_level(size) >= 2)
        s->ctx[ctx].big = true;
    bool large;
    uint64_t leaf4k = pte;
    uint64_t slot = leaf_place(s, hart, ctx, gpa, &pte, res->leaf_pte, size, &large);
    if (slot == 1) {
        /* The pool is exhausted: drop every shadow and start again. The
         * running L2's context stays assigned (ctx_drop), so the real
         * hgatp stays. The pages come back once no other hart can be
         * walking them; until then L2 faults again and comes back here. */
        rvnest_shadow_pt_drop_all(s, hart);
        s->ctx[ctx].big = size_level(size) >= 2;
        shadow_count(s, hart, RVNEST_SHADOW_EV_RECLAIM);
        pte = leaf4k;
        slot = leaf_place(s, hart, ctx, gpa, &pte, res->leaf_pte, size, &large);
        if (slot == 1)
            return SHADOW_RETRY;
    }
    uint64_t old;
    if (slot <= 1 || !rd(s, hart, slot, &old)) {
        fatal(s, "cannot write the shadow G-stage (pool at %#llx): an L0 bug",
              (unsigned long long)s->base);
        return SHADOW_STALE;
    }
    if (old == pte)
        return SHADOW_STALE;
    put_leaf(s, hart, ctx, slot, gpa, pte, large, RVNEST_SHADOW_EV_FILL);
    return SHADOW_FILLED;
}

/* Prefetch: the leaf for gpa, made as L2 is entered again after L1 took
 * a guest page fault of L2's there (the engine records it), when L1's
 * G-stage now allows the access with A set (and D for a store). Natively
 * the hart retries L2's access and walks L1's table; under L0 that retry
 * would exit once more for this same fill. The leaf is exactly the one the
 * retry's fill would make (leaf_for), L1's table is only read (no A/D
 * bit changes without an access of L2's: one whose A or D the access
 * needs is left to fault, and the fill sets it or L1 sees the fault under
 * Svade), and L1's stores to its table are ordered before these reads by
 * the fence or the SRET that returns to L2 (H chapter, "Hypervisor
 * Memory-Management Fence Instructions": a fill may happen at any time
 * after it, as a hart's implicit walk may). Nothing is made when the pool
 * is short (the access faults and fills as ever). True when a leaf was
 * written (test: shadow/prefetch). */
bool rvnest_shadow_pt_prefetch(struct rvnest_shadow *s, unsigned hart, unsigned ctx,
                               uint64_t gpa, enum walk_access access)
{
    uint64_t pte, size, old;
    struct walk_result res;
    struct l1_tables tables = { s, hart };
    if (ctx >= RVNEST_SHADOW_CTXS || !s->ctx[ctx].valid ||
        !leaf_for(s, hart, &l1_tables_mem, &tables, ctx, gpa, access, true, &res, &pte, &size) ||
        !(res.leaf_pte & PTE_A) || (access == WALK_STORE && !(res.leaf_pte & PTE_D)))
        return false;
    bool large;
    uint64_t slot = leaf_place(s, hart, ctx, gpa, &pte, res.leaf_pte, size, &large);
    if (slot <= 1 || !rd(s, hart, slot, &old) || old == pte)
        return false;
    if (size_level(size) >= 2)
        s->ctx[ctx].big = true;
    put_leaf(s, hart, ctx, slot, gpa, pte, large, RVNEST_SHADOW_EV_PREFETCH);
    return true;
}

/* L1's table pages as a replay reads them: each page once (the walks of
 * neighbouring GPAs share their tables). A page L1 may read whole (the
 * check ops->l1_read_pte makes per PTE, made once for all of them) is
 * cached; any other PTE is read as l1_read_pte does. A replay only reads. */
#define REPLAY_CACHED 4
struct replay_mem {
    struct rvnest_shadow *s;
    unsigned hart;
    unsigned n, next;
    uint64_t page[REPLAY_CACHED];
    uint64_t t[REPLAY_CACHED][PAGE / 8];
};

static enum walk_mem replay_read_pte(void *ctx, uint64_t pa, uint64_t *pte)
{
    struct replay_mem *rm = ctx;
    struct rvnest_shadow *s = rm->s;
    uint64_t page = pa & ~(PAGE - 1);
    for (unsigned k = 0; k < rm->n; k++)
        if (rm->page[k] == page) {
            *pte = rm->t[k][(pa - page) / 8];
            return WALK_MEM_OK;
        }
    if (s->ops->l1_page(s->ops_ctx, rm->hart, page) != RVNEST_L1_PAGE_RAM ||
        !s->ops->l1_may_read(s->ops_ctx, rm->hart, page, PAGE))
        return s->ops->l1_read_pte(s->ops_ctx, rm->hart, pa, pte);
    unsigned k = rm->n < REPLAY_CACHED ? rm->n++ : rm->next++ % REPLAY_CACHED;
    if (!shadow_read(s, rm->hart, page, rm->t[k], PAGE)) {
        rm->n = 0;
        return s->ops->l1_read_pte(s->ops_ctx, rm->hart, pa, pte);
    }
    rm->page[k] = page;
    *pte = rm->t[k][(pa - page) / 8];
    return WALK_MEM_OK;
}

static enum walk_mem replay_write_pte(void *ctx, uint64_t pa, uint64_t pte)
{
    (void)ctx, (void)pa, (void)pte;
    return WALK_MEM_NONE;                 /* never called: no_ad */
}

static const struct walk_mem_ops replay_walk_mem = { replay_read_pte, replay_write_pte };

/* leaf_for for a replay: readable or executable, no A/D written. */
static bool replay_leaf(struct replay_mem *rm, unsigned ctx, uint64_t gpa,
                        struct walk_result *res, uint64_t *pte, uint64_t *size)
{
    return leaf_for(rm->s, rm->hart, &replay_walk_mem, rm, ctx, gpa, WALK_LOAD, true, res, pte,
                    size) ||
           leaf_for(rm->s, rm->hart, &replay_walk_mem, rm, ctx, gpa, WALK_FETCH, true, res, pte,
                    size);
}

struct replay_page {
    uint64_t gpa;
    unsigned age;                         /* its place in the ring, oldest first */
};

static int by_gpa(const void *a, const void *b)
{
    uint64_t x = ((const struct replay_page *)a)->gpa, y = ((const struct replay_page *)b)->gpa;
    return x < y ? -1 : x > y;
}

/* Replay: after a local fence emptied context i, its recent fills are
 * made again from L1's G-stage as it is now, without an exit each. KVM
 * empties a hart's whole VMID whenever a vCPU comes to a hart it did not
 * last run on; natively that costs TLB refills, here an L2 exit per page.
 * A replayed leaf is exactly the one a fill would write after the fence
 * (the fence orders L1's earlier stores before these reads: H chapter,
 * "Hypervisor Memory-Management Fence Instructions"), and only where L1's
 * leaf already has A, so that no A/D bit of L1's changes without an access
 * of L2 (one with A clear is left to fault: the fill sets A, or L1 sees
 * the fault under Svade). Pages L1 no longer maps leave the ring. The
 * pages go in GPA order, so that neighbours share table reads (replay_mem)
 * and the shadow's leaf table; the ring keeps their age order. */
void shadow_ctx_replay(struct rvnest_shadow *s, unsigned hart, unsigned i)
{
    struct rvnest_shadow_ctx *c = &s->ctx[i];
    unsigned n = c->nrecent, first = (c->recent_next + RVNEST_SHADOW_RECENT - n) % RVNEST_SHADOW_RECENT;
    struct replay_page pages[RVNEST_SHADOW_RECENT];
    bool made[RVNEST_SHADOW_RECENT] = { false };
    uint64_t ring[RVNEST_SHADOW_RECENT];
    for (unsigned k = 0; k < n; k++) {
        ring[k] = c->recent[(first + k) % RVNEST_SHADOW_RECENT];
        pages[k] = (struct replay_page){ ring[k], k };
    }
    qsort(pages, n, sizeof(pages[0]), by_gpa);
    static __thread struct replay_mem rm;
    rm.s = s;
    rm.hart = hart;
    rm.n = rm.next = 0;
    /* the shadow leaf table of the current 2 MiB, written back once */
    static __thread uint64_t t[PAGE / 8];
    uint64_t table = 0, region = ~0ull;
    bool dirty = false;
    for (unsigned k = 0; k < n; k++) {
        uint64_t gpa = pages[k].gpa, pte, size;
        if (k && gpa == pages[k - 1].gpa)
            continue;
        struct walk_result res;
        if (!replay_leaf(&rm, i, gpa, &res, &pte, &size) || !(res.leaf_pte & PTE_A))
            continue;
        if ((gpa >> 21) != region || !table) {
            if (dirty && !shadow_write(s, hart, table, t, PAGE))
                break;
            dirty = false;
            uint64_t slot = shadow_leaf_slot(s, hart, i, gpa, true, 0);
            if (slot <= 1 || !shadow_read(s, hart, slot & ~(PAGE - 1), t, PAGE)) {
                table = 0;
                break;                    /* the pool is short: the rest fault */
            }
            table = slot & ~(PAGE - 1);
            region = gpa >> 21;
        }
        if (size_level(size) >= 2)
            c->big = true;
        t[(gpa >> 12) & 511] = pte;
        dirty = true;
        made[pages[k].age] = true;
        shadow_count(s, hart, RVNEST_SHADOW_EV_REPLAY);
    }
    if (dirty && table)
        shadow_write(s, hart, table, t, PAGE);
    c->nrecent = c->recent_next = 0;
    for (unsigned k = 0; k < n; k++)
        if (made[k])
            recent_push(c, ring[k]);
}
