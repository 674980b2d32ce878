/* SBI RFENCE for L1. */
#include "nested/sbi_ext.h"

/* Forwarded: OpenSBI validates the hart mask as natively and the fence runs
 * on the real harts. A remote HFENCE.GVMA runs in M-mode, where L0 does not
 * see it, so L0 drops the shadow G-stage entries it names first, on every
 * hart (the whole VMID, or everything: more than the harts and range asked
 * for, which is always allowed);
 * QEMU's TLB is flushed on every V switch anyway (ARCHITECTURE.md fact 4). */
static enum sbi_action sbi_rfence(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid == SBI_RFENCE_HFENCE_GVMA_VMID || c->fid == SBI_RFENCE_HFENCE_GVMA) {
        struct rvnest_inval r = { .all_addr = true, .all_id = c->fid == SBI_RFENCE_HFENCE_GVMA,
                                  .id = c->arg[4], .remote = true };
        rvnest_shadow_inval(vc, &r);
    }
    return SBI_FORWARD;
}

const struct sbi_ext rvnest_sbi_ext_rfence = {
    .ext_lo = SBI_EXT_RFENCE, .ext_hi = SBI_EXT_RFENCE, .reason = EXIT_SBI_RFENCE,
    .l0_handled = false, .handle = sbi_rfence,
};
