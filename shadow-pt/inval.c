/* Invalidation requests from L1: HFENCE.VVMA/GVMA and HINVAL.VVMA/GVMA
 * (nested/hyp_insn.c) and SBI remote fences (nested/sbi_rfence.c).
 *
 * GVMA drops the shadow G-stage entries it covers (shadow-pt/shadow.c: by
 * address and VMID, by VMID, all). VVMA concerns only L2's VS-stage, which
 * L0 does not shadow: QEMU's TLB caches it, and is flushed on every V
 * switch (ARCHITECTURE.md fact 4), which L1's fence itself makes (it traps
 * to L0 and comes back). */
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
    rvnest_shadow_inval(vc, r);
}
