/* Invalidation requests from L1: HFENCE.VVMA/GVMA and HINVAL.VVMA/GVMA
 * (nested/hyp_insn.c), later also remote fences.
 *
 * This is where the shadow G-stage for L2 will drop the shadow entries an
 * invalidation covers (ARCHITECTURE.md section 7: by address and VMID for
 * GVMA; VVMA concerns only L2's VS-stage, which QEMU's TLB caches and which
 * is flushed anyway on every V switch, fact 4). Nothing is shadowed yet:
 * the hooks only count and remember the request. */
#include "rvnest/engine.h"

void rvnest_shadow_invalidate_vvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    vc->inval.vvma++;
    vc->inval.last = *r;
}

void rvnest_shadow_invalidate_gvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    vc->inval.gvma++;
    vc->inval.last = *r;
}
