/* SBI RFENCE for L1. */
#include "nested/sbi_ext.h"

/* Forwarded: OpenSBI validates the hart mask as natively and the fence runs
 * on the real harts. A remote HFENCE.GVMA runs in M-mode, where L0 does not
 * see it, so L0 drops the shadow G-stage entries it names first, on every
 * hart (more harts than asked for, which is always allowed): the range
 * [start_addr, start_addr + size) of guest-physical addresses, or the whole
 * address space when start_addr and size are both 0 or size is all ones
 * (SBI spec, RFENCE extension: "the entire address space"), of the VMID or
 * of all. An invalid call (OpenSBI refuses it) has dropped no more than a
 * superset. QEMU's TLB is flushed on every V switch anyway (ARCHITECTURE.md
 * fact 4). */
static enum sbi_action sbi_rfence(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid == SBI_RFENCE_HFENCE_GVMA_VMID || c->fid == SBI_RFENCE_HFENCE_GVMA) {
        uint64_t start = c->arg[2], size = c->arg[3];
        bool all = (!start && !size) || size == ~0ull;
        struct rvnest_inval r = { .all_addr = all, .addr = start, .size = all ? 0 : size,
                                  .all_id = c->fid == SBI_RFENCE_HFENCE_GVMA,
                                  .id = c->arg[4], .remote = true };
        /* size 0 with a start: no address (the fence names nothing) */
        if (all || size)
            rvnest_shadow_invalidate_gvma(vc, &r);
    }
    return SBI_FORWARD;
}

const struct sbi_ext rvnest_sbi_ext_rfence = {
    .ext_lo = SBI_EXT_RFENCE, .ext_hi = SBI_EXT_RFENCE, .reason = EXIT_SBI_RFENCE,
    .l0_handled = false, .handle = sbi_rfence,
};
