/* HFENCE.GVMA / HINVAL.GVMA from L1 (nested/hyp_insn.c) and SBI remote
 * HFENCE.GVMA (nested/sbi_rfence.c) on the shadow G-stage: drop the shadow
 * entries a fence covers (by address and VMID, by VMID, all). VVMA
 * concerns only L2's VS-stage, which L0 does not shadow: QEMU's TLB caches
 * it, and is flushed on every V switch (ARCHITECTURE.md fact 4), which L1's
 * fence itself makes (it traps to L0 and comes back). */
#include "rvnest/csr.h"
#include "internal.h"

/* Drop what a fence of gpa covers in one context: gpa's leaf, and every
 * leaf in its 2 MiB table that came from an L1 leaf larger than 4 KiB (one
 * of them may have covered gpa). Larger L1 leaves make the caller drop the
 * whole context. */
static void inval_addr(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t gpa)
{
    uint64_t slot = shadow_leaf_slot(s, hart, ctx, gpa, false, 0);
    if (slot <= 1)
        return;
    uint64_t table = slot & ~(SHADOW_PAGE - 1), t[512];
    if (!shadow_read(s, hart, table, t, sizeof(t)))
        return;
    bool changed = false;
    for (unsigned i = 0; i < 512; i++) {
        if ((t[i] & PTE_V) && (table + 8 * i == slot || (t[i] & SHADOW_RSW_MASK))) {
            t[i] = 0;
            changed = true;
        }
    }
    if (changed)
        shadow_write(s, hart, table, t, sizeof(t));
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
        if (r->all_addr || c->big) {
            shadow_ctx_drop(s, me, i);
            if (!r->remote)
                shadow_ctx_replay(s, me, i);
        } else
            inval_addr(s, me, i, r->addr);
    }
}
