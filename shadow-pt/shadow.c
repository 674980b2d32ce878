/* The shadow G-stage (include/rvnest/shadow.h; ARCHITECTURE.md section 7).
 *
 * L2's accesses are translated by L1's G-stage (L2 GPA -> L1 GPA) and then
 * by L0's view of L1 (L1 GPA = host PA, except L0's holes). The hart walks
 * one table, so L0 builds it: every leaf comes from a walk of L1's table
 * (shadow-pt/walk.c, with the A/D rule the firmware's menvcfg.ADUE gives
 * L1's G-stage), at 4 KiB, with at most the permissions of L1's leaf. L1's
 * own table is never the real one.
 *
 * Rules of a shadow leaf (rvnest_shadow_leaf):
 *  - R and X as L1's leaf; W only once L1's leaf is dirty, so that the
 *    first store of L2 comes back here and sets D in L1's table (with Svadu)
 *    or faults for L1 (Svade), as the hart does natively;
 *  - U (G-stage leaves are user pages), A, and D with W: the hart never
 *    writes to a shadow table;
 *  - L1's PBMT bits (the walk has refused them unless menvcfg.PBMTE);
 *  - MXR applies as natively: while L2 runs the real HS sstatus.MXR is
 *    L1's (nested/world.c), and QEMU applies it to the G-stage;
 *  - bits 9:8 (RSW, ignored by the hart) remember the size of L1's leaf, so
 *    that a fence by address drops every shadow leaf it covered;
 *  - an L1 GPA that natively does not exist (L0 memory, RAM above L1's) is
 *    mapped to RVNEST_SHADOW_DEAD_PA, where nothing exists either: the hart
 *    raises the native access fault (or page fault for a page-table read)
 *    itself. The PLIC pages L0 performs for L1 are mapped to the device.
 *
 * Table pages are recycled: a context that is dropped (L1's fence of its
 * whole VMID, an eviction, a changed root, a pool reclaim) gives its lower
 * tables back. With several harts another hart's L2 may be in the middle
 * of a hardware walk through them, so they wait in a limbo until every
 * other hart has been in L0 since (rvnest_l0_enter) or was in L0 or in L1
 * (real hgatp 0) when the last of them was unlinked: a walk that starts
 * after that reads the tables as they are now, from the emptied root. */
#include <stdlib.h>
#include <string.h>
#include "rvnest/engine.h"
#include "rvnest/csr.h"

#define PTE_PBMT (3ull << 61)
#define RSW_SHIFT 8
#define RSW_MASK (3ull << RSW_SHIFT)
#define PAGE 4096ull

static uint64_t pool_pages_start(const struct rvnest_shadow *s)
{
    return s->base + (uint64_t)RVNEST_SHADOW_CTXS * RVNEST_SHADOW_ROOT_SIZE;
}

static uint64_t ctx_root(const struct rvnest_shadow *s, unsigned i)
{
    return s->base + (uint64_t)i * RVNEST_SHADOW_ROOT_SIZE;
}

static bool zero(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len)
{
    static const uint8_t z[4096];
    struct rvnest_hart *h = vc->hart;
    for (uint64_t off = 0; off < len; off += sizeof(z))
        if (!h->ops->write_phys(h, pa + off, z, sizeof(z)))
            return false;
    return true;
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

/* Whether no hart other than vc can still walk the pages of limbo l. */
static bool grace_over(struct rvnest_vcpu *vc, const struct rvnest_shadow_limbo *l)
{
    struct rvnest_vm *vm = vc->vm;
    for (unsigned h = 0; h < vm->nharts && h < RVNEST_MAX_HARTS; h++) {
        struct rvnest_vcpu *o = &vm->vcpu[h];
        if (o == vc || l->safe[h])
            continue;
        if (__atomic_load_n(&o->l0_seq, __ATOMIC_SEQ_CST) == l->seq[h])
            return false;
    }
    return true;
}

static void grace_start(struct rvnest_vcpu *vc, struct rvnest_shadow_limbo *l)
{
    struct rvnest_vm *vm = vc->vm;
    for (unsigned h = 0; h < vm->nharts && h < RVNEST_MAX_HARTS; h++) {
        struct rvnest_vcpu *o = &vm->vcpu[h];
        l->seq[h] = __atomic_load_n(&o->l0_seq, __ATOMIC_SEQ_CST);
        l->safe[h] = __atomic_load_n(&o->in_l0, __ATOMIC_SEQ_CST) ||
                     __atomic_load_n(&o->world.level, __ATOMIC_SEQ_CST) == RVNEST_L1;
    }
}

/* Moves limbo pages whose grace is over to the free list: the waiting
 * batch, then (once it is empty) the collecting one, which starts its own
 * grace now. */
static void recycle(struct rvnest_vcpu *vc)
{
    struct rvnest_shadow *s = &vc->vm->shadow;
    struct rvnest_shadow_limbo *c = &s->limbo[0], *w = &s->limbo[1];
    for (int round = 0; round < 2; round++) {
        if (w->n && grace_over(vc, w)) {
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
        grace_start(vc, w);
    }
}

/* A table page for context ctx: recycled, else never used; 0 when the
 * pool has none to give now. */
static uint64_t alloc_page(struct rvnest_vcpu *vc, unsigned ctx)
{
    struct rvnest_shadow *s = &vc->vm->shadow;
    uint64_t page;
    if (!s->nfree)
        recycle(vc);
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

static void pool_free(struct rvnest_shadow *s)
{
    free(s->owner);
    free(s->free_pages);
    free(s->limbo[0].pages);
    free(s->limbo[1].pages);
}

bool rvnest_shadow_setup(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_shadow *s = &vm->shadow;
    uint64_t size = vm->opt.shadow_mem;
    if (!size) {
        size = 1;
        while (size * 2 <= vm->l0_size / 2)
            size *= 2;
    }
    uint64_t lo = vm->l0_base + 0x10000, base = (lo + size - 1) & ~(size - 1);
    if (size < 256 * 1024 || base + size > vm->l0_base + vm->l0_size) {
        rvnest_fatal(vm, "no room for %llu KiB of shadow tables aligned to their size in %llu MiB of L0 memory; raise l0-mem (to at least twice shadow-mem)",
                     (unsigned long long)(size >> 10), (unsigned long long)(vm->l0_size >> 20));
        return false;
    }
    pool_free(s);
    memset(s, 0, sizeof(*s));
    s->base = base;
    s->size = size;
    s->npages = (unsigned)((base + size - pool_pages_start(s)) / PAGE);
    s->owner = calloc(s->npages, 1);
    s->free_pages = calloc(s->npages, sizeof(uint32_t));
    s->limbo[0].pages = calloc(s->npages, sizeof(uint32_t));
    s->limbo[1].pages = calloc(s->npages, sizeof(uint32_t));
    if (!s->owner || !s->free_pages || !s->limbo[0].pages || !s->limbo[1].pages) {
        rvnest_fatal(vm, "out of host memory for the shadow pool's records");
        return false;
    }
    if (!zero(vc, base, pool_pages_start(s) - base)) {
        rvnest_fatal(vm, "cannot write the shadow pool at %#llx", (unsigned long long)base);
        return false;
    }
    s->next = pool_pages_start(s);
    return true;
}

/* Empties context i. It stays assigned to its hart and VMID (the hart
 * refills it, and replays its recent fills after a fence). */
static void ctx_drop(struct rvnest_vcpu *vc, unsigned i)
{
    struct rvnest_shadow *s = &vc->vm->shadow;
    if (!s->ctx[i].valid)
        return;
    zero(vc, ctx_root(s, i), RVNEST_SHADOW_ROOT_SIZE);
    vc->stats.shadow_drops++;
    s->ctx[i].big = false;
    /* its lower tables are unreachable from now on: to the limbo */
    struct rvnest_shadow_limbo *c = &s->limbo[0];
    for (unsigned p = 0; p < s->npages; p++)
        if (s->owner[p] == i + 1) {
            s->owner[p] = 0;
            c->pages[c->n++] = p;
        }
}

static void rvnest_shadow_drop_all_locked(struct rvnest_vcpu *vc)
{
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++)
        ctx_drop(vc, i);
}

static unsigned hart_of(const struct rvnest_vcpu *vc)
{
    return (unsigned)(vc - vc->vm->vcpu);
}

/* Contexts are per hart (shadow.h): natively each hart caches its own
 * G-stage translations, tagged by VMID, and a local HFENCE.GVMA (what KVM
 * does when a vCPU comes to a hart it did not last run on) empties only its
 * own hart's. Two harts running one VMID thus never share a shadow, even
 * with different roots. */
static uint64_t rvnest_shadow_hgatp_locked(struct rvnest_vcpu *vc, uint64_t l1_hgatp, unsigned *idx)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_shadow *s = &vm->shadow;
    unsigned me = hart_of(vc);
    int pick = -1, lru = -1;
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++) {
        struct rvnest_shadow_ctx *c = &s->ctx[i];
        if (c->valid && c->hart == me && ((c->hgatp ^ l1_hgatp) & HGATP_VMID_MASK) == 0) {
            if (c->hgatp != l1_hgatp) {
                /* the VMID's mode or root changed on this hart */
                ctx_drop(vc, i);
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
        ctx_drop(vc, (unsigned)pick);
        s->ctx[pick].valid = false;
        vc->stats.shadow_evictions++;
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

static bool rd(struct rvnest_vcpu *vc, uint64_t pa, uint64_t *v)
{
    return vc->hart->ops->read_phys(vc->hart, pa, v, 8);
}

static bool wr(struct rvnest_vcpu *vc, uint64_t pa, uint64_t v)
{
    return vc->hart->ops->write_phys(vc->hart, pa, &v, 8);
}

/* Index of gpa in the table of level lvl (0: leaf level) of a shadow with
 * n levels; the root (lvl n-1) has two more bits. */
static uint64_t index_at(uint64_t gpa, unsigned lvl, unsigned n)
{
    unsigned bits = lvl == n - 1 ? 11 : 9;
    return (gpa >> (12 + 9 * lvl)) & ((1ull << bits) - 1);
}

/* The address of gpa's leaf slot, making tables as needed (alloc) or
 * stopping at a missing one (returns 0). 1 when the pool is exhausted. */
static uint64_t leaf_slot(struct rvnest_vcpu *vc, unsigned ctx, uint64_t gpa, bool alloc,
                          unsigned stop_lvl)
{
    struct rvnest_shadow *s = &vc->vm->shadow;
    unsigned n = mode_levels(shadow_mode(s->ctx[ctx].hgatp));
    uint64_t table = ctx_root(s, ctx);
    for (unsigned lvl = n - 1; lvl > stop_lvl; lvl--) {
        uint64_t slot = table + 8 * index_at(gpa, lvl, n), pte;
        if (!rd(vc, slot, &pte))
            return 0;
        if (!(pte & PTE_V)) {
            if (!alloc)
                return 0;
            uint64_t page = alloc_page(vc, ctx);
            if (!page)
                return 1;
            if (!zero(vc, page, PAGE))
                return 0;
            pte = ((page >> 12) << PTE_PPN_SHIFT) | PTE_V;
            if (!wr(vc, slot, pte))
                return 0;
        }
        table = ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12;
    }
    return table + 8 * index_at(gpa, stop_lvl, n);
}

/* The shadow leaf (*pte) a walk of L1's G-stage gives for gpa now, and
 * the size of L1's leaf: true, or false with L1's fault in res (a GPA
 * beyond what a PPN holds gives WALK_OK and false). no_ad: sets no A/D bit
 * in L1's table (a replay; res->leaf_pte is then L1's leaf as it is). */
static bool leaf_for(struct rvnest_vcpu *vc, const struct walk_mem_ops *mem, void *mem_ctx,
                     unsigned ctx, uint64_t gpa, enum walk_access access, bool no_ad,
                     struct walk_result *res, uint64_t *pte, uint64_t *size)
{
    struct rvnest_vm *vm = vc->vm;
    uint64_t l1_hgatp = vm->shadow.ctx[ctx].hgatp, pa;
    if ((l1_hgatp >> ATP_MODE_SHIFT) == ATP_MODE_BARE) {
        /* no translation: the GPA is L1's; beyond what a PPN can hold the
         * hart cannot be shown it */
        *res = (struct walk_result){ .status = WALK_OK, .pa = gpa, .gpa = gpa, .page_size = PAGE,
                                     .leaf_pte = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D };
        if (gpa >> 56)
            return false;
    } else {
        struct walk_stage g = {
            .atp = l1_hgatp,
            .adue = rvnest_l1_hw_adue(vc),
            .pbmte = (vc->vcsr.menvcfg & ENVCFG_PBMTE) != 0,
            .mxr = (vc->world.l1.sstatus & MSTATUS_MXR) != 0,
            .svnapot = vm->isa.svnapot,
        };
        rvnest_walk_gstage(mem, mem_ctx, &g, gpa, access, no_ad, res);
        if (res->status != WALK_OK)
            return false;
    }
    pa = res->pa & ~(PAGE - 1);
    if (l1_range_unmapped(vm, pa, PAGE) && !rvnest_plic_page(vm, pa))
        pa = RVNEST_SHADOW_DEAD_PA;
    *size = res->page_size;
    *pte = rvnest_shadow_leaf(pa, res->leaf_pte, *size);
    return true;
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

static enum rvnest_fill rvnest_shadow_fill_locked(struct rvnest_vcpu *vc, uint64_t gpa, int access,
                                           struct walk_result *res)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_shadow *s = &vm->shadow;
    unsigned ctx = vc->world.l2_shadow;
    uint64_t pte, size;
    if (!leaf_for(vc, &rvnest_l1_walk_mem, vc, ctx, gpa, (enum walk_access)access, false, res,
                  &pte, &size))
        return res->status == WALK_OK ? SHADOW_STALE : SHADOW_FAULT;
    if (size_level(size) >= 2)
        s->ctx[ctx].big = true;
    uint64_t slot = leaf_slot(vc, ctx, gpa, true, 0);
    if (slot == 1) {
        /* The pool is exhausted: drop every shadow and start again. The
         * running L2's context stays assigned (ctx_drop), so the real
         * hgatp stays. The pages come back once no other hart can be
         * walking them; until then L2 faults again and comes back here. */
        rvnest_shadow_drop_all_locked(vc);
        s->ctx[ctx].big = size_level(size) >= 2;
        vc->stats.shadow_reclaims++;
        slot = leaf_slot(vc, ctx, gpa, true, 0);
        if (slot == 1)
            return SHADOW_RETRY;
    }
    uint64_t old;
    if (slot <= 1 || !rd(vc, slot, &old)) {
        rvnest_fatal(vm, "cannot write the shadow G-stage (pool at %#llx): an L0 bug",
                     (unsigned long long)s->base);
        return SHADOW_STALE;
    }
    if (old == pte)
        return SHADOW_STALE;
    wr(vc, slot, pte);
    recent_push(&s->ctx[ctx], gpa & ~(PAGE - 1));
    vc->stats.shadow_fills++;
    return SHADOW_FILLED;
}

/* L1's table pages as a replay reads them: each page once (the walks of
 * neighbouring GPAs share their tables). A page L1 may read whole (the
 * check nested/l1_walk.c makes per PTE, made once for all of them) is
 * cached; any other PTE is read as l1_walk.c does. A replay only reads. */
#define REPLAY_CACHED 4
struct replay_mem {
    struct rvnest_vcpu *vc;
    unsigned n, next;
    uint64_t page[REPLAY_CACHED];
    uint64_t t[REPLAY_CACHED][PAGE / 8];
};

static enum walk_mem replay_read_pte(void *ctx, uint64_t pa, uint64_t *pte)
{
    struct replay_mem *rm = ctx;
    struct rvnest_vcpu *vc = rm->vc;
    uint64_t page = pa & ~(PAGE - 1);
    for (unsigned k = 0; k < rm->n; k++)
        if (rm->page[k] == page) {
            *pte = rm->t[k][(pa - page) / 8];
            return WALK_MEM_OK;
        }
    if (!rvnest_l1_is_ram(vc, page, PAGE) || !rvnest_l1_may_access(vc, page, PAGE, L1_ACC_READ))
        return rvnest_l1_walk_mem.read_pte(vc, pa, pte);
    unsigned k = rm->n < REPLAY_CACHED ? rm->n++ : rm->next++ % REPLAY_CACHED;
    if (!vc->hart->ops->read_phys(vc->hart, page, rm->t[k], PAGE)) {
        rm->n = 0;
        return rvnest_l1_walk_mem.read_pte(vc, pa, pte);
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
static bool replay_leaf(struct rvnest_vcpu *vc, struct replay_mem *rm, unsigned ctx, uint64_t gpa,
                        struct walk_result *res, uint64_t *pte, uint64_t *size)
{
    return leaf_for(vc, &replay_walk_mem, rm, ctx, gpa, WALK_LOAD, true, res, pte, size) ||
           leaf_for(vc, &replay_walk_mem, rm, ctx, gpa, WALK_FETCH, true, res, pte, size);
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
static void ctx_replay(struct rvnest_vcpu *vc, unsigned i)
{
    struct rvnest_shadow_ctx *c = &vc->vm->shadow.ctx[i];
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
    rm.vc = vc;
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
        if (!replay_leaf(vc, &rm, i, gpa, &res, &pte, &size) || !(res.leaf_pte & PTE_A))
            continue;
        if ((gpa >> 21) != region || !table) {
            if (dirty && !vc->hart->ops->write_phys(vc->hart, table, t, PAGE))
                break;
            dirty = false;
            uint64_t slot = leaf_slot(vc, i, gpa, true, 0);
            if (slot <= 1 || !vc->hart->ops->read_phys(vc->hart, slot & ~(PAGE - 1), t, PAGE)) {
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
        vc->stats.shadow_replays++;
    }
    if (dirty && table)
        vc->hart->ops->write_phys(vc->hart, table, t, PAGE);
    c->nrecent = c->recent_next = 0;
    for (unsigned k = 0; k < n; k++)
        if (made[k])
            recent_push(c, ring[k]);
}

/* Drop what a fence of gpa covers in one context: gpa's leaf, and every
 * leaf in its 2 MiB table that came from an L1 leaf larger than 4 KiB (one
 * of them may have covered gpa). Larger L1 leaves make the caller drop the
 * whole context. */
static void inval_addr(struct rvnest_vcpu *vc, unsigned ctx, uint64_t gpa)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t slot = leaf_slot(vc, ctx, gpa, false, 0);
    if (slot <= 1)
        return;
    uint64_t table = slot & ~(PAGE - 1), t[512];
    if (!h->ops->read_phys(h, table, t, sizeof(t)))
        return;
    bool changed = false;
    for (unsigned i = 0; i < 512; i++) {
        if ((t[i] & PTE_V) && (table + 8 * i == slot || (t[i] & RSW_MASK))) {
            t[i] = 0;
            changed = true;
        }
    }
    if (changed)
        h->ops->write_phys(h, table, t, sizeof(t));
}

static void rvnest_shadow_inval_locked(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    struct rvnest_shadow *s = &vc->vm->shadow;
    vc->stats.shadow_invalidations++;
    unsigned me = hart_of(vc);
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++) {
        struct rvnest_shadow_ctx *c = &s->ctx[i];
        if (!c->valid || (!r->remote && c->hart != me))
            continue;
        uint64_t vmid = (c->hgatp & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
        if (!r->all_id && (r->id & (HGATP_VMID_MASK >> HGATP_VMID_SHIFT)) != vmid)
            continue;
        if (r->all_addr || c->big) {
            ctx_drop(vc, i);
            if (!r->remote)
                ctx_replay(vc, i);
        } else
            inval_addr(vc, i, r->addr);
    }
}

/* The pool and its contexts are shared by the harts: every entry point
 * holds the VM lock (docs/architecture.md, "Harts and threads"). */

void rvnest_shadow_drop_all(struct rvnest_vcpu *vc)
{
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_drop_all_locked(vc);
    pthread_mutex_unlock(&vc->vm->lock);
}

uint64_t rvnest_shadow_hgatp(struct rvnest_vcpu *vc, uint64_t l1_hgatp, unsigned *idx)
{
    pthread_mutex_lock(&vc->vm->lock);
    uint64_t v = rvnest_shadow_hgatp_locked(vc, l1_hgatp, idx);
    pthread_mutex_unlock(&vc->vm->lock);
    return v;
}

enum rvnest_fill rvnest_shadow_fill(struct rvnest_vcpu *vc, uint64_t gpa, int access,
                                    struct walk_result *res)
{
    pthread_mutex_lock(&vc->vm->lock);
    enum rvnest_fill v = rvnest_shadow_fill_locked(vc, gpa, access, res);
    pthread_mutex_unlock(&vc->vm->lock);
    return v;
}

void rvnest_shadow_inval(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_inval_locked(vc, r);
    pthread_mutex_unlock(&vc->vm->lock);
}

void rvnest_shadow_release(struct rvnest_vcpu *vc, unsigned ctx)
{
    pthread_mutex_lock(&vc->vm->lock);
    struct rvnest_shadow_ctx *c = &vc->vm->shadow.ctx[ctx % RVNEST_SHADOW_CTXS];
    if (c->users)
        c->users--;
    pthread_mutex_unlock(&vc->vm->lock);
}
