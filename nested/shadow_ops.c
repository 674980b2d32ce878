/* The engine's state as the shadow G-stage's ops (include/rvnest/shadow.h):
 * the ctx is the struct rvnest_vm, a hart its vcpu[hart]. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

static struct rvnest_vcpu *vcpu(void *ctx, unsigned hart)
{
    return &((struct rvnest_vm *)ctx)->vcpu[hart];
}

static bool read_phys(void *ctx, unsigned hart, uint64_t pa, void *buf, size_t len)
{
    struct rvnest_hart *h = vcpu(ctx, hart)->hart;
    return h->ops->read_phys(h, pa, buf, len);
}

static bool write_phys(void *ctx, unsigned hart, uint64_t pa, const void *buf, size_t len)
{
    struct rvnest_hart *h = vcpu(ctx, hart)->hart;
    return h->ops->write_phys(h, pa, buf, len);
}

static enum walk_mem l1_read_pte(void *ctx, unsigned hart, uint64_t pa, uint64_t *pte)
{
    return rvnest_l1_walk_mem.read_pte(vcpu(ctx, hart), pa, pte);
}

static enum walk_mem l1_write_pte(void *ctx, unsigned hart, uint64_t pa, uint64_t pte)
{
    return rvnest_l1_walk_mem.write_pte(vcpu(ctx, hart), pa, pte);
}

static bool l1_may_read(void *ctx, unsigned hart, uint64_t pa, uint64_t len)
{
    return rvnest_l1_may_access(vcpu(ctx, hart), pa, len, L1_ACC_READ);
}

/* A hole (L0's memory, RAM above L1's, the PLIC pages: l1_range_unmapped)
 * is nothing natively, except the PLIC pages L0 performs. */
static enum rvnest_l1_page l1_page(void *ctx, unsigned hart, uint64_t page)
{
    struct rvnest_vm *vm = ctx;
    if (l1_range_unmapped(vm, page, 4096))
        return rvnest_plic_page(vm, page) ? RVNEST_L1_PAGE_EMULATED : RVNEST_L1_PAGE_NONE;
    return rvnest_l1_is_ram(vcpu(ctx, hart), page, 4096) ? RVNEST_L1_PAGE_RAM : RVNEST_L1_PAGE_OTHER;
}

/* The whole range is L1's RAM: no hole (L0's memory, RAM above L1's, the
 * PLIC pages) and nothing but RAM. */
static bool l1_ram_range(void *ctx, unsigned hart, uint64_t pa, uint64_t size)
{
    return !l1_range_unmapped(ctx, pa, size) && rvnest_l1_is_ram(vcpu(ctx, hart), pa, size);
}

/* L1's G-stage is walked with the A/D rule and PBMT of the hart's menvcfg
 * (the firmware's, FWFT included) and with L1's sstatus.MXR, which is the
 * real HS one while L2 runs (nested/world.c). */
static void l1_gstage(void *ctx, unsigned hart, struct walk_stage *g)
{
    struct rvnest_vcpu *vc = vcpu(ctx, hart);
    g->adue = rvnest_l1_hw_adue(vc);
    g->pbmte = (vc->vcsr.menvcfg & ENVCFG_PBMTE) != 0;
    g->mxr = (vc->world.l1.sstatus & MSTATUS_MXR) != 0;
    g->svnapot = vc->vm->isa.svnapot;
}

static unsigned nharts(void *ctx)
{
    return ((struct rvnest_vm *)ctx)->nharts;
}

static unsigned long l0_seq(void *ctx, unsigned hart)
{
    return __atomic_load_n(&vcpu(ctx, hart)->l0_seq, __ATOMIC_SEQ_CST);
}

static bool outside_l2(void *ctx, unsigned hart)
{
    struct rvnest_vcpu *o = vcpu(ctx, hart);
    return __atomic_load_n(&o->in_l0, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&o->world.level, __ATOMIC_SEQ_CST) == RVNEST_L1;
}

static void fatal(void *ctx, const char *msg)
{
    rvnest_fatal(ctx, "%s", msg);
}

static void count(void *ctx, unsigned hart, enum rvnest_shadow_event ev)
{
    struct rvnest_stats *st = &vcpu(ctx, hart)->stats;
    switch (ev) {
    case RVNEST_SHADOW_EV_FILL: st->shadow_fills++; break;
    case RVNEST_SHADOW_EV_INVAL: st->shadow_invalidations++; break;
    case RVNEST_SHADOW_EV_RECLAIM: st->shadow_reclaims++; break;
    case RVNEST_SHADOW_EV_EVICTION: st->shadow_evictions++; break;
    case RVNEST_SHADOW_EV_DROP: st->shadow_drops++; break;
    case RVNEST_SHADOW_EV_REPLAY: st->shadow_replays++; break;
    case RVNEST_SHADOW_EV_PREFETCH: st->shadow_prefetches++; break;
    case RVNEST_SHADOW_EV_LARGE: st->shadow_large++; break;
    }
}

const struct rvnest_shadow_ops rvnest_engine_shadow_ops = {
    .read_phys = read_phys,
    .write_phys = write_phys,
    .l1_read_pte = l1_read_pte,
    .l1_write_pte = l1_write_pte,
    .l1_may_read = l1_may_read,
    .l1_page = l1_page,
    .l1_ram_range = l1_ram_range,
    .l1_gstage = l1_gstage,
    .nharts = nharts,
    .l0_seq = l0_seq,
    .outside_l2 = outside_l2,
    .fatal = fatal,
    .count = count,
};
