/* The SBI v0.1 (legacy) extensions for L1, ids 0x00-0x08: set_timer,
 * putchar, getchar, clear_ipi, send_ipi, the remote fences, shutdown. */
#include "nested/sbi_ext.h"

/* SBI v0.1 IPI and remote fences name the harts through a pointer to a
 * mask in L1's virtual memory, which OpenSBI reads with an unprivileged
 * load from M-mode (sbi_load_hart_mask_unpriv): a null pointer means every
 * hart, a fault is redirected to L1 at the ecall. Forwarded as they are,
 * OpenSBI would read it through L0's translation, so L0 reads the mask
 * through L1's own and passes the call on as its v0.2 equivalent (the same
 * checks and delivery in OpenSBI: sbi_ipi_send_smode, sbi_tlb_request),
 * L1's registers but a0 restored afterwards. */
static enum sbi_action sbi_legacy_smp(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t mask = 0, ptr = c->arg[0];
    if (!ptr) {
        for (unsigned i = 0; i < vc->vm->nharts; i++)
            mask |= 1ull << i;
    } else {
        struct walk_result res;
        rvnest_l1_own_walk(vc, ptr, WALK_LOAD, &res);
        if (res.status == WALK_OK && (!rvnest_l1_may_access(vc, res.pa, 8, L1_ACC_READ) ||
                                      !h->ops->read_phys(h, res.pa, &mask, 8)))
            res.status = WALK_ACCESS_FAULT;
        if (res.status != WALK_OK) {
            rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){
                .cause = rvnest_walk_cause(&res, WALK_LOAD, false), .tval = ptr });
            return SBI_TRAPPED;
        }
    }
    for (unsigned r = 10; r <= 17; r++)
        vc->uc.saved_a[r - 10] = hart_gpr(h, r);
    uint64_t a[6] = { mask, 0, 0, 0, 0, 0 };
    uint64_t ext = SBI_EXT_RFENCE, fid = 0;
    switch (c->ext) {
    case SBI_EXT_LEGACY_SEND_IPI:
        ext = SBI_EXT_IPI;
        break;
    case SBI_EXT_LEGACY_REMOTE_FENCE_I:
        break;
    case SBI_EXT_LEGACY_REMOTE_SFENCE:
        fid = 1, a[2] = c->arg[1], a[3] = c->arg[2];
        break;
    default:                          /* SBI_EXT_LEGACY_REMOTE_SFENCE_ASID */
        fid = 2, a[2] = c->arg[1], a[3] = c->arg[2], a[4] = c->arg[3];
        break;
    }
    for (unsigned i = 0; i < 6; i++)
        hart_set_gpr(h, 10 + i, a[i]);
    hart_set_gpr(h, 16, fid);
    hart_set_gpr(h, 17, ext);
    return SBI_LEGACY_MASK;
}

static enum sbi_action sbi_legacy(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    c->legacy = true;
    switch (c->ext) {
    case SBI_EXT_LEGACY_SET_TIMER:
        return SBI_SET_TIMER;
    case SBI_EXT_LEGACY_CLEAR_IPI:
        rvnest_irq_clear_ipi(vc);
        c->err = SBI_SUCCESS;
        return SBI_DONE;
    case SBI_EXT_LEGACY_SEND_IPI:
        if (vc->vm->nharts > 1)
            return sbi_legacy_smp(vc, c);
        /* The mask is a pointer into L1's virtual memory; with one hart the
         * only possible target is this one. */
        rvnest_irq_send_ipi(vc);
        c->err = SBI_SUCCESS;
        return SBI_DONE;
    case SBI_EXT_LEGACY_REMOTE_FENCE_I:
    case SBI_EXT_LEGACY_REMOTE_SFENCE:
    case SBI_EXT_LEGACY_REMOTE_SFENCE_ASID:
        if (vc->vm->nharts > 1)
            return sbi_legacy_smp(vc, c);
        c->err = SBI_SUCCESS;         /* see nested/sbi_rfence.c */
        return SBI_DONE;
    default:                          /* putchar, getchar, shutdown */
        return SBI_FORWARD;
    }
}

const struct sbi_ext rvnest_sbi_ext_legacy = {
    .ext_lo = SBI_EXT_LEGACY_SET_TIMER, .ext_hi = SBI_EXT_LEGACY_SHUTDOWN, .reason = EXIT_SBI_LEGACY,
    .l0_handled = false, .handle = sbi_legacy,
};
