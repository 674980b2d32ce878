/* HFENCE.GVMA / HINVAL.GVMA from L1 (nested/hyp_insn.c) and SBI remote
 * HFENCE.GVMA (nested/sbi_rfence.c) on the shadow G-stage: drop the shadow
 * entries a fence covers (by address and VMID, by VMID, all). VVMA
 * concerns only L2's VS-stage, which L0 does not shadow: QEMU's TLB caches
 * it, and is flushed on every V switch (ARCHITECTURE.md fact 4), which L1's
 * fence itself makes (it traps to L0 and comes back). */
#include "rvnest/csr.h"
#include "internal.h"

/* Drop what a fence of [gpa, gpa + size) covers in one context (size 0:
 * the one address gpa): the leaves in the range, a 2 MiB leaf the range
 * touches, and every leaf of each 2
 * MiB table the range touches that came from an L1 leaf larger than 4 KiB
 * (one of them may have covered part of the range). Larger L1 leaves make
 * the caller drop the whole context, and so does a range of more than
 * INVAL_RANGE_TABLES tables (cheaper than walking them, and a superset). */
#define TABLE_SPAN (512 * SHADOW_PAGE)
#define INVAL_RANGE_TABLES 64

static bool inval_range(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t gpa,
                        uint64_t size)
{
    uint64_t last = size ? gpa + size - 1 : gpa;
    if (last < gpa || (last / TABLE_SPAN) - (gpa / TABLE_SPAN) >= INVAL_RANGE_TABLES)
        return false;
    for (uint64_t base = gpa & ~(TABLE_SPAN - 1);; base += TABLE_SPAN) {
        /* a 2 MiB leaf (shadow.c leaf_place) the range touches: dropped */
        uint64_t s1 = shadow_leaf_slot(s, hart, ctx, base, false, 1), e1;
        if (s1 > 1 && shadow_read(s, hart, s1, &e1, 8) && (e1 & PTE_V) &&
            (e1 & (PTE_R | PTE_W | PTE_X))) {
            uint64_t z = 0;
            shadow_write(s, hart, s1, &z, 8);
        }
        uint64_t slot = shadow_leaf_slot(s, hart, ctx, base, false, 0);
        if (slot > 1) {
            uint64_t table = slot & ~(SHADOW_PAGE - 1), t[512];
            if (shadow_read(s, hart, table, t, sizeof(t))) {
                bool changed = false;
                for (unsigned i = 0; i < 512; i++) {
                    uint64_t page = base + i * SHADOW_PAGE;
                    bool in = page + SHADOW_PAGE - 1 >= gpa && page <= last;
                    if ((t[i] & PTE_V) && (in || (t[i] & SHADOW_RSW_MASK))) {
                        t[i] = 0;
                        changed = true;
                    }
                }
                if (changed)
                    shadow_write(s, hart, table, t, sizeof(t));
            }
        }
        if (base + TABLE_SPAN - 1 >= last)
            return true;
    }
}

void rvnest_shadow_pt_inval(struct rvnest_shadow *s, unsigned me, const struct rvnest_inval *r)
{
    shadow_count(s, me, RVNEST_SHADOW_EV_INVAL);
    for (unsigned i = 0; i < RVNEST_SHADOW_CTXS; i++) {
        struct rvnest_shadow_ctx *c = &s->ctx[i];
        if (!c->valid || (!r->remote && c->hart != me))
            continue;
        uint64_t vmid = (c->hgatp & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
        if (!r->all_id && (r->id & (HGATP_VMID_MASK >> HGATP_VMID_SHIFT)) != vmid)
            continue;
        if (r->all_addr || c->big || !inval_range(s, me, i, r->addr, r->size)) {
            shadow_ctx_drop(s, me, i);
            if (!r->remote)
                shadow_ctx_replay(s, me, i);
        }
    }
}
